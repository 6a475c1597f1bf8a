/**
 * The UI state (zustand): imported media, the editable document (face choice, motion, viewport, export
 * settings) with undo/redo, playback, export job and the inline messages of each panel.
 */
import { create } from 'zustand';
import type { AudioInfo, AvatarInfo, DrivingVideoInfo, ExportSettings, JobState, PortraitInfo } from '../../core/ipc/contract.ts';
import { DEFAULT_RETARGET_STRENGTHS, type RetargetStrengths } from '../../core/reenact/drivingTrack.ts';
import { DEFAULT_SETTINGS } from '../../core/ipc/contract.ts';
import type { MotionTrack } from '../../core/motion/track.ts';
import type { ExportRange, ViewportState } from '../../core/project/schema.ts';
import { emptyDirections, type Directions } from '../../core/motion/directions.ts';
import { DEFAULT_MOTION_OPTIONS } from '../../core/motion/options.ts';

/** The part of the state that undo/redo restores. */
export interface EditableDoc {
  faceIndex: number;
  motion: Record<string, number | string | boolean>;
  viewport: ViewportState;
  exportSettings: ExportSettings;
  /** Directions over time edited on the timeline (composed with the speech motion by the host). */
  directions: Directions;
  /** The timeline's in/out points; null = the whole clip. */
  range: ExportRange | null;
  /** Transfer strengths of a driving video per region (0..2). */
  retarget: RetargetStrengths;
}

/** Inline messages per panel (null = none). */
export interface PanelMessages {
  portrait: string | null;
  avatar: string | null;
  audio: string | null;
  project: string | null;
  export: string | null;
  motion: string | null;
  video?: string | null;
}

/** The whole UI state and its actions. */
export interface StudioState {
  doc: EditableDoc;
  undoStack: EditableDoc[];
  redoStack: EditableDoc[];
  /** Key of the last edit and its time (ms), to merge slider drags into one undo step. */
  lastEdit: { key: string; atMs: number } | null;
  portrait: PortraitInfo | null;
  /** An imported avatar file; while set it is what the preview shows and the export renders (not the portrait). */
  avatar: AvatarInfo | null;
  audio: AudioInfo | null;
  /** A driving video whose frames drive the face (while set, instead of the speech motion). */
  video: DrivingVideoInfo | null;
  /** The audio was taken from the driving video (replaced when another video is imported). */
  audioFromVideo: boolean;
  track: MotionTrack | null;
  busy: { portrait: boolean; avatar: boolean; audio: boolean; motion: boolean; project: boolean; video?: boolean };
  messages: PanelMessages;
  playing: boolean;
  /** Current frame index of the preview (driven by the audio clock). */
  frameIndex: number;
  exportOpen: boolean;
  /** The keyboard-shortcut help overlay is shown. */
  helpOpen: boolean;
  exportJob: JobState | null;
  projectName: string;
  /** Applies an edit to the document, recording an undo step (edits with the same key within 600 ms merge). */
  edit(key: string, change: (doc: EditableDoc) => EditableDoc, nowMs?: number): void;
  undo(): void;
  redo(): void;
  /** Replaces the document without an undo step (settings restore, project open). */
  resetDoc(doc: EditableDoc): void;
  set(partial: Partial<Omit<StudioState, 'edit' | 'undo' | 'redo' | 'set' | 'setMessage' | 'resetDoc'>>): void;
  setMessage(panel: keyof PanelMessages, message: string | null): void;
}

const MERGE_WINDOW_MS = 600;
const MAX_UNDO = 100;

/** The document on first start. */
export const INITIAL_DOC: EditableDoc = {
  faceIndex: 0,
  motion: { seed: DEFAULT_MOTION_OPTIONS.seed, headMotionStrength: DEFAULT_MOTION_OPTIONS.headMotionStrength, blinkRatePerMin: DEFAULT_MOTION_OPTIONS.blinkRatePerMin, mood: DEFAULT_MOTION_OPTIONS.mood, expressionIntensity: DEFAULT_MOTION_OPTIONS.expressionIntensity },
  viewport: { framing: DEFAULT_SETTINGS.framing, background: DEFAULT_SETTINGS.background, orbitYawRad: 0, orbitPitchRad: 0 },
  exportSettings: DEFAULT_SETTINGS.export,
  directions: emptyDirections(),
  range: null,
  retarget: { ...DEFAULT_RETARGET_STRENGTHS },
};

/** The store hook. */
export const useStudio = create<StudioState>()((set, get) => ({
  doc: INITIAL_DOC,
  undoStack: [],
  redoStack: [],
  lastEdit: null,
  portrait: null,
  avatar: null,
  audio: null,
  video: null,
  audioFromVideo: false,
  track: null,
  busy: { portrait: false, avatar: false, audio: false, motion: false, project: false },
  messages: { portrait: null, avatar: null, audio: null, project: null, export: null, motion: null },
  playing: false,
  frameIndex: 0,
  exportOpen: false,
  helpOpen: false,
  exportJob: null,
  projectName: 'Untitled',
  edit(key, change, nowMs = Date.now()) {
    const s = get();
    const next = change(s.doc);
    if (JSON.stringify(next) === JSON.stringify(s.doc)) return;
    const merge = s.lastEdit && s.lastEdit.key === key && nowMs - s.lastEdit.atMs < MERGE_WINDOW_MS;
    set({
      doc: next,
      undoStack: merge ? s.undoStack : [...s.undoStack, s.doc].slice(-MAX_UNDO),
      redoStack: [],
      lastEdit: { key, atMs: nowMs },
    });
  },
  undo() {
    const s = get();
    const prev = s.undoStack[s.undoStack.length - 1];
    if (!prev) return;
    set({ doc: prev, undoStack: s.undoStack.slice(0, -1), redoStack: [...s.redoStack, s.doc], lastEdit: null });
  },
  redo() {
    const s = get();
    const next = s.redoStack[s.redoStack.length - 1];
    if (!next) return;
    set({ doc: next, redoStack: s.redoStack.slice(0, -1), undoStack: [...s.undoStack, s.doc], lastEdit: null });
  },
  resetDoc(doc) {
    set({ doc, undoStack: [], redoStack: [], lastEdit: null });
  },
  set(partial) {
    set(partial);
  },
  setMessage(panel, message) {
    set({ messages: { ...get().messages, [panel]: message } });
  },
}));
