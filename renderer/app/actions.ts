/**
 * What the UI does: each user action calls the host through the one client module, updates the store and
 * turns failures into inline messages (the app stays usable after any failure).
 */
import { BUNDLE_EXTENSION, BUNDLE_PROJECT_ENTRY, forgetMedia, isBundleFileName, packBundle, rememberMedia, unpackBundle, type BundleMediaKind } from './bundle.ts';
import { emptyDirections } from '../../core/motion/directions.ts';
import { DEFAULT_RETARGET_STRENGTHS } from '../../core/reenact/drivingTrack.ts';
import type { ErrorPayload } from '../../core/errors.ts';
import { AVATAR_FILE_EXTENSIONS, exportFileExtension, type FileSource, type TrackPayload } from '../../core/ipc/contract.ts';
import type { MotionTrack } from '../../core/motion/track.ts';
import { createEmptyProject, type Project } from '../../core/project/schema.ts';
import { createStudioClient, type StudioClient } from '../client/studioClient.ts';
import { useStudio, type EditableDoc } from './store.ts';
import { recordedMotionFor } from './live/recordedMotion.ts';

let client: StudioClient | null = null;

/**
 * The studio client of this page (created on first use).
 * @returns the client.
 */
export function getClient(): StudioClient {
  client ??= createStudioClient();
  return client;
}

/**
 * Turns an error payload into the sentence shown inline.
 * @param error - a failed Result's error.
 * @returns the message, without stack traces.
 */
export function messageOf(error: ErrorPayload): string {
  return error.message;
}

/** Image file extensions routed to the portrait importer when dropped. */
const IMAGE_EXT = /\.(jpe?g|png|webp|gif|tiff?|avif|heic|heif|bmp)$/i;
/** Audio file extensions routed to the audio importer when dropped. */
/** Containers read as driving videos when dropped (a video's sound becomes the audio unless another is chosen). */
const VIDEO_EXT = /\.(mp4|m4v|mov|mkv|avi|webm)$/i;
const AUDIO_EXT = /\.(wav|flac|mp3|m4a|aac|ogg|opus|webm|mp4|mov|wma|aiff?)$/i;

/**
 * Tells whether a file name has an avatar extension ({@link AVATAR_FILE_EXTENSIONS}: .glb, .vrm, .ply, .splat, .ksplat,
 * .spz, .zip; case-insensitive).
 * @param name - a file name.
 * @returns true for an avatar file name.
 */
export function isAvatarFileName(name: string): boolean {
  const dot = name.lastIndexOf('.');
  return dot >= 0 && (AVATAR_FILE_EXTENSIONS as readonly string[]).includes(name.slice(dot).toLowerCase());
}

/**
 * Decides which importer a dropped file goes to, by extension for avatars, then by MIME type then extension.
 * @param file - the dropped file's name and type.
 * @returns `portrait`, `audio`, `avatar`, `project` or null for a file the studio does not read.
 */
export function classifyDroppedFile(file: { name: string; type: string }): 'portrait' | 'audio' | 'avatar' | 'project' | 'video' | null {
  if (isBundleFileName(file.name)) return 'project';
  if (file.type.startsWith('video/') || VIDEO_EXT.test(file.name)) return 'video';
  if (isAvatarFileName(file.name)) return 'avatar';
  if (file.type.startsWith('image/') || IMAGE_EXT.test(file.name)) return 'portrait';
  if (file.type.startsWith('audio/') || AUDIO_EXT.test(file.name)) return 'audio';
  if (/\.json$/i.test(file.name)) return 'project';
  return null;
}

async function sourceOf(file: File): Promise<FileSource> {
  return { kind: 'bytes', fileName: file.name, data: await file.arrayBuffer() };
}

/**
 * Imports a portrait (upload or, in Electron, a path) and shows its faces.
 * @param source - a File (picker / drop) or a FileSource.
 */
export async function importPortrait(source: File | FileSource): Promise<void> {
  const st = useStudio.getState();
  const name = source instanceof File ? source.name : source.kind === 'path' ? source.path : source.fileName;
  st.set({ busy: { ...st.busy, portrait: true } });
  st.setMessage('portrait', null);
  if (source instanceof File && source.size === 0) {
    useStudio.getState().setMessage('portrait', `"${name}" is empty (0 bytes). Choose a photo with a face.`);
    useStudio.getState().set({ busy: { ...useStudio.getState().busy, portrait: false } });
    return;
  }
  const result = await getClient().call('studio:portrait.import', { source: source instanceof File ? await sourceOf(source) : source });
  const now = useStudio.getState();
  now.set({ busy: { ...now.busy, portrait: false } });
  if (!result.ok) {
    now.setMessage('portrait', messageOf(result.error));
    return;
  }
  // A newly chosen portrait is the subject again: the photo head replaces any avatar.
  if (source instanceof File) rememberMedia('portrait', source);
  forgetMedia('avatar');
  now.set({ portrait: result.value, avatar: null, projectName: now.projectName === 'Untitled' ? result.value.fileName.replace(/\.[^.]*$/, '') : now.projectName });
  now.setMessage('avatar', null);
  now.resetDoc({ ...now.doc, faceIndex: 0 });
  // The track depends on the portrait's own expression (studio:motion.build `portraitRest`).
  await rebuildMotion();
}

/**
 * Imports an avatar file (GLB head, Gaussian splats, LAM zip): the host checks it with the format parsers; the
 * preview and the export then animate it instead of the portrait. A malformed file leaves the current subject.
 * @param source - a File (picker / drop) or a FileSource (Electron path).
 */
export async function importAvatar(source: File | FileSource): Promise<void> {
  const st = useStudio.getState();
  const name = source instanceof File ? source.name : source.kind === 'path' ? source.path : source.fileName;
  st.set({ busy: { ...st.busy, avatar: true } });
  st.setMessage('avatar', null);
  if (source instanceof File && source.size === 0) {
    useStudio.getState().setMessage('avatar', `"${name}" is empty (0 bytes). Choose a .glb, .vrm, .ply, .splat, .ksplat, .spz or LAM .zip avatar.`);
    useStudio.getState().set({ busy: { ...useStudio.getState().busy, avatar: false } });
    return;
  }
  const result = await getClient().call('studio:avatar.import', { source: source instanceof File ? await sourceOf(source) : source });
  const now = useStudio.getState();
  now.set({ busy: { ...now.busy, avatar: false } });
  if (!result.ok) {
    now.setMessage('avatar', messageOf(result.error));
    return;
  }
  if (source instanceof File) rememberMedia('avatar', source);
  now.set({ avatar: result.value, projectName: now.projectName === 'Untitled' ? result.value.fileName.replace(/\.[^.]*$/, '') : now.projectName });
  await rebuildMotion(); // an avatar has no photographed expression to hold
}

/**
 * Imports a driving video: the host tracks its face in every frame (this takes a while: about as long as the video
 * on a laptop CPU) and cuts a thumbnail strip. Its sound becomes the audio unless an audio file was chosen.
 * @param source - a File (picker / drop) or a FileSource (Electron path).
 * @param opts - `withAudio: false` keeps the current audio (a project being opened brings its own).
 */
export async function importVideo(source: File | FileSource, opts: { withAudio?: boolean } = {}): Promise<void> {
  const st = useStudio.getState();
  st.set({ busy: { ...st.busy, video: true } });
  st.setMessage('video', null);
  const result = await getClient().call('studio:video.import', { source: source instanceof File ? await sourceOf(source) : source });
  const now = useStudio.getState();
  now.set({ busy: { ...now.busy, video: false } });
  if (!result.ok) return now.setMessage('video', messageOf(result.error));
  if (source instanceof File) rememberMedia('video', source);
  now.set({ video: result.value });
  const useItsAudio = opts.withAudio !== false && result.value.hasAudio && (!now.audio || now.audioFromVideo);
  if (useItsAudio) {
    await importAudio(source);
    useStudio.getState().set({ audioFromVideo: true });
  } else await rebuildMotion();
}

/** Removes the driving video: the speech motion drives the face again. */
export function clearVideo(): void {
  useStudio.getState().set({ video: null });
  useStudio.getState().setMessage('video', null);
  forgetMedia('video');
  void rebuildMotion();
}

/** Drops the avatar: the portrait (if one is loaded) is shown and exported again. */
export function clearAvatar(): void {
  const st = useStudio.getState();
  st.set({ avatar: null });
  st.setMessage('avatar', null);
  forgetMedia('avatar');
  void rebuildMotion(); // the portrait's own expression is held again
}

/**
 * Imports an audio file, then builds its motion track.
 * @param source - a File or a FileSource.
 */
export async function importAudio(source: File | FileSource): Promise<void> {
  const st = useStudio.getState();
  const name = source instanceof File ? source.name : source.kind === 'path' ? source.path : source.fileName;
  st.set({ busy: { ...st.busy, audio: true }, playing: false });
  st.setMessage('audio', null);
  if (source instanceof File && source.size === 0) {
    useStudio.getState().setMessage('audio', `"${name}" is empty (0 bytes). Choose a speech recording.`);
    useStudio.getState().set({ busy: { ...useStudio.getState().busy, audio: false } });
    return;
  }
  const result = await getClient().call('studio:audio.import', { source: source instanceof File ? await sourceOf(source) : source });
  const now = useStudio.getState();
  now.set({ busy: { ...now.busy, audio: false } });
  if (!result.ok) {
    now.setMessage('audio', messageOf(result.error));
    return;
  }
  if (source instanceof File) rememberMedia('audio', source);
  now.set({ audio: result.value, track: null, frameIndex: 0, audioFromVideo: false });
  await rebuildMotion();
}

/**
 * Rebuilds the motion track of the current audio with the current motion options and fps.
 */
export async function rebuildMotion(): Promise<void> {
  const { audio, doc } = useStudio.getState();
  if (!audio) return;
  // A live recording keeps the motion that was performed (the options do not rebuild it).
  const recorded = recordedMotionFor(audio.audioId);
  if (recorded) {
    useStudio.getState().set({ track: recorded.track });
    return;
  }
  useStudio.getState().set({ busy: { ...useStudio.getState().busy, motion: true } });
  const { video, portrait, avatar } = useStudio.getState();
  // The photo head's own expression goes with the request, so the preview's track is the export's (an avatar has none).
  const portraitRest = !avatar && portrait ? portrait.faces[Math.min(doc.faceIndex, portrait.faces.length - 1)]?.restExpression : undefined;
  const result = await getClient().call('studio:motion.build', { audioId: audio.audioId, fps: doc.exportSettings.fps, options: doc.motion, directions: doc.directions, ...(video ? { videoId: video.videoId, retarget: doc.retarget } : {}), ...(portraitRest ? { portraitRest } : {}) });
  const now = useStudio.getState();
  now.set({ busy: { ...now.busy, motion: false } });
  if (now.audio?.audioId !== audio.audioId) return;
  if (!result.ok) {
    now.setMessage('motion', messageOf(result.error));
    return;
  }
  now.setMessage('motion', null);
  now.set({ track: trackFromPayload(result.value) });
}

/**
 * Wraps a track payload's buffers as a {@link MotionTrack} (no copy).
 * @param p - the payload from `studio:motion.build`.
 * @returns the track.
 */
export function trackFromPayload(p: TrackPayload): MotionTrack {
  return {
    fps: p.fps,
    frameCount: p.frameCount,
    blendshapes: new Float32Array(p.blendshapes),
    visemes: new Float32Array(p.visemes),
    headRotation: new Float32Array(p.headRotation),
    headTranslationM: new Float32Array(p.headTranslationM),
    gazeRad: new Float32Array(p.gazeRad),
  };
}

/**
 * Starts an export with the document's settings (Electron asks where to save; the web host picks).
 */
export async function startExport(): Promise<void> {
  const s = useStudio.getState();
  s.setMessage('export', null);
  if ((!s.portrait && !s.avatar) || !s.audio) {
    s.setMessage('export', 'Import a portrait (or an avatar) and an audio file first.');
    return;
  }
  let outPath: string | null = null;
  if (getClient().host === 'electron') {
    const chosen = await getClient().call('studio:dialog.saveFile', { kind: 'export', defaultName: `${s.projectName}${exportFileExtension(s.doc.exportSettings.format)}` });
    if (!chosen.ok) return s.setMessage('export', messageOf(chosen.error));
    if (!chosen.value.path) return;
    outPath = chosen.value.path;
  }
  const result = await getClient().call('studio:export.start', {
    portraitId: s.portrait?.portraitId ?? null,
    avatarId: s.avatar?.avatarId ?? null,
    audioId: s.audio.audioId,
    motionTrackId: recordedMotionFor(s.audio.audioId)?.motionTrackId ?? null,
    faceIndex: s.doc.faceIndex,
    settings: s.doc.exportSettings,
    motion: s.doc.motion,
    background: s.doc.viewport.background,
    framing: s.doc.viewport.framing,
    orbit: { yawRad: s.doc.viewport.orbitYawRad, pitchRad: s.doc.viewport.orbitPitchRad },
    outPath,
    directions: s.doc.directions,
    ...(s.doc.range ? { rangeSec: s.doc.range } : {}),
    ...(s.video ? { videoId: s.video.videoId, retarget: s.doc.retarget } : {}),
  });
  if (!result.ok) return useStudio.getState().setMessage('export', messageOf(result.error));
  useStudio.getState().set({
    exportJob: { jobId: result.value.jobId, state: 'running', progress: { stage: 'starting', completedFrames: 0, totalFrames: 0, fraction: 0, etaSec: null }, outPath: null, fileName: null, bytes: null, downloadUrl: null, error: null },
  });
}

/** Cancels the running export. */
export async function cancelExport(): Promise<void> {
  const job = useStudio.getState().exportJob;
  if (!job || job.state !== 'running') return;
  const result = await getClient().call('studio:export.cancel', { jobId: job.jobId });
  if (!result.ok) useStudio.getState().setMessage('export', messageOf(result.error));
}

/** Reveals the finished export (Electron: file manager; web: download). */
export async function revealExport(): Promise<void> {
  const job = useStudio.getState().exportJob;
  if (!job || job.state !== 'done') return;
  const result = await getClient().call('studio:export.reveal', { jobId: job.jobId });
  if (!result.ok) return useStudio.getState().setMessage('export', messageOf(result.error));
  if (result.value.url) {
    const a = document.createElement('a');
    a.href = result.value.url;
    a.download = job.fileName ?? `avatar-studio${exportFileExtension(useStudio.getState().doc.exportSettings.format)}`;
    a.click();
  }
}

/**
 * The current project (what a save writes).
 * @returns a current-version project.
 */
export function currentProject(): Project {
  const s = useStudio.getState();
  const p = createEmptyProject(s.projectName);
  p.portrait = s.portrait ? { fileName: s.portrait.fileName, path: s.portrait.path, faceIndex: s.doc.faceIndex } : null;
  p.audio = s.audio ? { fileName: s.audio.fileName, path: s.audio.path } : null;
  p.avatar = s.avatar ? { fileName: s.avatar.fileName, path: s.avatar.path } : null;
  p.drivingVideo = s.video ? { fileName: s.video.fileName, path: s.video.path } : null;
  p.retarget = { ...s.doc.retarget };
  p.motion = { ...s.doc.motion };
  p.directions = s.doc.directions;
  p.range = s.doc.range;
  p.viewport = { ...s.doc.viewport };
  p.export = { ...s.doc.exportSettings };
  return p;
}

/** Saves the project: Electron asks for a path; the web host hands the JSON back for download. */
export async function saveProject(): Promise<void> {
  const s = useStudio.getState();
  let path: string | null = null;
  if (getClient().host === 'electron') {
    const chosen = await getClient().call('studio:dialog.saveFile', { kind: 'project', defaultName: `${s.projectName}.avatar-studio.json` });
    if (!chosen.ok) return s.setMessage('project', messageOf(chosen.error));
    if (!chosen.value.path) return;
    path = chosen.value.path;
  }
  const result = await getClient().call('studio:project.save', { project: currentProject(), path });
  if (!result.ok) return s.setMessage('project', messageOf(result.error));
  if (!result.value.path) {
    const url = URL.createObjectURL(new Blob([result.value.json], { type: 'application/json' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `${s.projectName}.avatar-studio.json`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
  s.setMessage('project', `Saved ${result.value.path ?? `${s.projectName}.avatar-studio.json`}`);
}

/**
 * Saves a project bundle: one `.avatar-studio` file with the project and the media inside (a zip), downloaded in the
 * browser. Reopening it (Open project…, or a drop) restores the media without importing them again.
 */
export async function saveBundle(): Promise<void> {
  const s = useStudio.getState();
  const project = currentProject();
  // The host validates the project as it would for a project file.
  const checked = await getClient().call('studio:project.save', { project, path: null });
  if (!checked.ok) return s.setMessage('project', messageOf(checked.error));
  const { bytes, missing } = await packBundle(project);
  const name = `${s.projectName}${BUNDLE_EXTENSION}`;
  const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/zip' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  s.setMessage('project', `Saved ${name}${missing.length ? ` without ${missing.join(' and ')} (opened from a path: import it again to bundle it)` : ' with its media'}`);
}

/**
 * Opens a project: applies its settings and re-imports its media when the host can read paths.
 * @param source - a File (web) or a FileSource (Electron path).
 */
export async function openProject(source: File | FileSource): Promise<void> {
  const s = useStudio.getState();
  s.setMessage('project', null);
  let bundled: Map<BundleMediaKind, File> | null = null;
  if (source instanceof File && isBundleFileName(source.name)) {
    try {
      const unpacked = unpackBundle(new Uint8Array(await source.arrayBuffer()));
      bundled = unpacked.media;
      // The project inside goes through the host like a project file (validation and schema migration).
      source = new File([unpacked.projectJson], BUNDLE_PROJECT_ENTRY, { type: 'application/json' });
    } catch (err) {
      return s.setMessage('project', (err as Error).message);
    }
  }
  const result = await getClient().call('studio:project.open', { source: source instanceof File ? await sourceOf(source) : source });
  if (!result.ok) return s.setMessage('project', messageOf(result.error));
  const { project, migratedFromVersion } = result.value;
  const doc: EditableDoc = { faceIndex: project.portrait?.faceIndex ?? 0, motion: project.motion, viewport: project.viewport, exportSettings: project.export, directions: project.directions ?? emptyDirections(), range: project.range ?? null, retarget: project.retarget ?? { ...DEFAULT_RETARGET_STRENGTHS } };
  s.resetDoc(doc);
  s.set({ projectName: project.name });
  const missing: string[] = [];
  if (project.drivingVideo && useStudio.getState().video?.fileName !== project.drivingVideo.fileName) {
    const packed = bundled?.get('video');
    if (packed && packed.name === project.drivingVideo.fileName) await importVideo(packed, { withAudio: false });
    else if (project.drivingVideo.path && getClient().host === 'electron') await importVideo({ kind: 'path', path: project.drivingVideo.path }, { withAudio: false });
    else missing.push(project.drivingVideo.fileName);
  } else if (!project.drivingVideo && useStudio.getState().video) clearVideo();
  // Media already loaded under the same name are kept; Electron re-imports by path; otherwise ask the user.
  if (project.portrait && useStudio.getState().portrait?.fileName !== project.portrait.fileName) {
    const packed = bundled?.get('portrait');
    if (packed && packed.name === project.portrait.fileName) await importPortrait(packed);
    else if (project.portrait.path && getClient().host === 'electron') await importPortrait({ kind: 'path', path: project.portrait.path });
    else missing.push(project.portrait.fileName);
  }
  if (project.avatar && useStudio.getState().avatar?.fileName !== project.avatar.fileName) {
    const packed = bundled?.get('avatar');
    if (packed && packed.name === project.avatar.fileName) await importAvatar(packed);
    else if (project.avatar.path && getClient().host === 'electron') await importAvatar({ kind: 'path', path: project.avatar.path });
    else missing.push(project.avatar.fileName);
  } else if (!project.avatar && useStudio.getState().avatar) clearAvatar();
  if (project.audio && useStudio.getState().audio?.fileName !== project.audio.fileName) {
    const packed = bundled?.get('audio');
    if (packed && packed.name === project.audio.fileName) await importAudio(packed);
    else if (project.audio.path && getClient().host === 'electron') await importAudio({ kind: 'path', path: project.audio.path });
    else missing.push(project.audio.fileName);
  }
  useStudio.getState().resetDoc(doc);
  const notes = [`Opened "${project.name}"`];
  if (migratedFromVersion !== null) notes.push(`(upgraded from format version ${migratedFromVersion})`);
  if (missing.length) notes.push(`— import ${missing.join(' and ')} again to continue`);
  useStudio.getState().setMessage('project', notes.join(' '));
}

/**
 * Electron only: picks a file with the native dialog and imports it by path (so projects can refer to it).
 * @param kind - what to open.
 * @returns true when the native dialog handled the request (false in a browser: use the file input).
 */
export async function pickWithNativeDialog(kind: 'portrait' | 'audio' | 'avatar' | 'project'): Promise<boolean> {
  if (getClient().host !== 'electron') return false;
  const chosen = await getClient().call('studio:dialog.openFile', { kind });
  if (!chosen.ok) {
    useStudio.getState().setMessage(kind, messageOf(chosen.error));
    return true;
  }
  const path = chosen.value.path;
  if (!path) return true;
  if (kind === 'portrait') await importPortrait({ kind: 'path', path });
  else if (kind === 'audio') await importAudio({ kind: 'path', path });
  else if (kind === 'avatar') await importAvatar({ kind: 'path', path });
  else await openProject({ kind: 'path', path });
  return true;
}

/**
 * Recently opened or saved projects (Electron; empty in a browser, which has no paths).
 * @returns absolute paths, newest first.
 */
export async function recentProjects(): Promise<string[]> {
  if (getClient().host !== 'electron') return [];
  const r = await getClient().call('studio:recent.list', {});
  return r.ok ? r.value.paths : [];
}

let settingsTimer: ReturnType<typeof setTimeout> | null = null;

/**
 * Loads remembered settings, subscribes to export events and keeps settings saved as the document changes.
 */
export async function initStudio(): Promise<void> {
  const c = getClient();
  c.on('studio:export.progress', (e) => {
    const job = useStudio.getState().exportJob;
    if (job && job.jobId === e.jobId && job.state === 'running') useStudio.getState().set({ exportJob: { ...job, progress: e.progress } });
  });
  c.on('studio:export.finished', (state) => {
    const job = useStudio.getState().exportJob;
    if (job && job.jobId === state.jobId) {
      useStudio.getState().set({ exportJob: state });
      if (state.state === 'failed') useStudio.getState().setMessage('export', state.error?.message ?? 'Export failed');
    }
  });
  const settings = await c.call('studio:settings.get', {});
  if (settings.ok) {
    const v = settings.value;
    const doc = useStudio.getState().doc;
    useStudio.getState().resetDoc({ ...doc, motion: { ...doc.motion, ...v.motion }, exportSettings: v.export, viewport: { ...doc.viewport, background: v.background, framing: v.framing } });
  }
  let prev = useStudio.getState().doc;
  useStudio.subscribe((state) => {
    if (state.doc === prev) return;
    const motionChanged = JSON.stringify(state.doc.motion) !== JSON.stringify(prev.motion) || JSON.stringify(state.doc.retarget) !== JSON.stringify(prev.retarget) || JSON.stringify(state.doc.directions) !== JSON.stringify(prev.directions) || JSON.stringify(state.doc.exportSettings.fps) !== JSON.stringify(prev.exportSettings.fps) || state.doc.faceIndex !== prev.faceIndex;
    prev = state.doc;
    if (motionChanged) scheduleMotionRebuild();
    if (settingsTimer) clearTimeout(settingsTimer);
    settingsTimer = setTimeout(() => {
      const d = useStudio.getState().doc;
      void c.call('studio:settings.set', { patch: { export: d.exportSettings, motion: d.motion, background: d.viewport.background, framing: d.viewport.framing } });
    }, 400);
  });
}

let motionTimer: ReturnType<typeof setTimeout> | null = null;
function scheduleMotionRebuild(): void {
  if (motionTimer) clearTimeout(motionTimer);
  motionTimer = setTimeout(() => void rebuildMotion(), 300);
}
