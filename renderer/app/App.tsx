/**
 * The studio window: toolbar (project, undo/redo, export), import + face overlay, motion controls,
 * the 3D viewport with transport, the waveform, and the export dialog. Keyboard: space play/pause,
 * ←/→ step one frame, I/O in and out points, Ctrl/Cmd+Z undo, Ctrl/Cmd+Shift+Z (or Ctrl+Y) redo, Ctrl/Cmd+E export,
 * ? the shortcut help (components/ShortcutHelp.tsx lists them).
 */
import { useEffect, useRef, useState } from 'react';
import { initStudio, openProject, pickWithNativeDialog, recentProjects, saveBundle, saveProject } from './actions.ts';
import { useStudio } from './store.ts';
import { currentTimeSec, pause, seekSec, togglePlay } from './playback.ts';
import { ImportPanel } from './components/ImportPanel.tsx';
import { MotionControls } from './components/MotionControls.tsx';
import { LivePanel } from './components/LivePanel.tsx';
import { Viewport } from './components/Viewport.tsx';
import { Waveform } from './components/Waveform.tsx';
import { ExportDialog } from './components/ExportDialog.tsx';
import { Timeline } from './components/Timeline.tsx';
import { DrivingVideoPanel } from './components/DrivingVideoPanel.tsx';
import { ShortcutHelp } from './components/ShortcutHelp.tsx';
import { WindowDrop } from './components/WindowDrop.tsx';

/**
 * Handles the global shortcuts.
 * @param e - the keydown event; ignored while typing in a text field.
 */
function onKey(e: KeyboardEvent): void {
  const target = e.target as HTMLElement | null;
  const typing = !!target && (target.tagName === 'TEXTAREA' || target.isContentEditable || (target.tagName === 'INPUT' && !['range', 'checkbox', 'color', 'file', 'button'].includes((target as HTMLInputElement).type)));
  if (typing) return;
  // Space and arrows keep their native meaning on focused controls (press a button, move a slider, pick an option).
  const nativeKeys = !!target && ['BUTTON', 'SELECT', 'INPUT', 'A'].includes(target.tagName);
  if (nativeKeys && (e.key === ' ' || e.key.startsWith('Arrow'))) return;
  const s = useStudio.getState();
  const mod = e.ctrlKey || e.metaKey;
  if (mod && e.key.toLowerCase() === 'z') {
    e.preventDefault();
    if (e.shiftKey) s.redo();
    else s.undo();
  } else if (mod && e.key.toLowerCase() === 'y') {
    e.preventDefault();
    s.redo();
  } else if (mod && e.key.toLowerCase() === 'e') {
    e.preventDefault();
    s.set({ exportOpen: true });
  } else if (e.key === ' ' && !mod) {
    e.preventDefault();
    void togglePlay();
  } else if ((e.key === 'ArrowLeft' || e.key === 'ArrowRight') && !mod && s.track) {
    e.preventDefault();
    pause();
    const { num, den } = s.track.fps;
    const current = Math.floor((currentTimeSec() * num) / den + 1e-6);
    const next = Math.min(s.track.frameCount - 1, Math.max(0, current + (e.key === 'ArrowRight' ? 1 : -1)));
    seekSec(((next + 0.5) * den) / num);
  } else if (e.key === 'Escape' && s.helpOpen) {
    s.set({ helpOpen: false });
  } else if (e.key === 'Escape' && s.exportOpen && s.exportJob?.state !== 'running') {
    s.set({ exportOpen: false });
  } else if (e.key === '?' && !mod) {
    e.preventDefault();
    s.set({ helpOpen: !s.helpOpen });
  } else if ((e.key === 'i' || e.key === 'o') && !mod && s.audio) {
    e.preventDefault();
    const t = currentTimeSec();
    const end = s.audio.durationSec;
    if (e.key === 'i') s.edit('range-in', (d) => ({ ...d, range: { startSec: Math.min(t, (d.range?.endSec ?? end) - 0.04), endSec: d.range?.endSec ?? end } }));
    else s.edit('range-out', (d) => ({ ...d, range: { startSec: d.range?.startSec ?? 0, endSec: Math.max(t, (d.range?.startSec ?? 0) + 0.04) } }));
  }
}

/** The app root. */
export function App(): React.JSX.Element {
  const undoCount = useStudio((s) => s.undoStack.length);
  const redoCount = useStudio((s) => s.redoStack.length);
  const projectName = useStudio((s) => s.projectName);
  const projectMessage = useStudio((s) => s.messages.project);
  const projectInput = useRef<HTMLInputElement>(null);
  const [recent, setRecent] = useState<string[]>([]);
  useEffect(() => {
    void recentProjects().then(setRecent);
  }, [projectMessage]);
  useEffect(() => {
    void initStudio();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  return (
    <div className="app">
      <header className="toolbar">
        <strong>Avatar Studio</strong>
        <input className="project-name" value={projectName} aria-label="Project name" onChange={(e) => useStudio.getState().set({ projectName: e.target.value })} />
        <button onClick={() => void pickWithNativeDialog('project').then((handled) => handled || projectInput.current?.click())}>Open project…</button>
        {recent.length ? (
          <select value="" aria-label="Recent projects" onChange={(e) => e.target.value && void openProject({ kind: 'path', path: e.target.value })}>
            <option value="">Recent…</option>
            {recent.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        ) : null}
        <input
          ref={projectInput}
          type="file"
          accept=".json,application/json,.avatar-studio"
          hidden
          data-testid="project-input"
          onChange={(e) => {
            const f = e.target.files?.[0];
            e.target.value = '';
            if (f) void openProject(f);
          }}
        />
        <button onClick={() => void saveProject()} data-testid="project-save">
          Save project
        </button>
        <button onClick={() => void saveBundle()} title="One file with the project and its media (reopens whole in any browser)" data-testid="project-save-bundle">
          Save bundle
        </button>
        <button disabled={!undoCount} onClick={() => useStudio.getState().undo()} title="Undo (Ctrl/Cmd+Z)" data-testid="undo">
          Undo
        </button>
        <button disabled={!redoCount} onClick={() => useStudio.getState().redo()} title="Redo (Ctrl/Cmd+Shift+Z)" data-testid="redo">
          Redo
        </button>
        <button className="primary" onClick={() => useStudio.getState().set({ exportOpen: true })} title="Export (Ctrl/Cmd+E)" data-testid="open-export">
          Export…
        </button>
        <button onClick={() => useStudio.getState().set({ helpOpen: true })} title="Keyboard shortcuts (?)" aria-label="Keyboard shortcuts" data-testid="open-help">
          ?
        </button>
        {projectMessage ? (
          <span className="toolbar-message" role="status" data-testid="project-message">
            {projectMessage}
          </span>
        ) : null}
      </header>
      <main className="workspace">
        <aside className="side">
          <ImportPanel />
          <DrivingVideoPanel />
          <MotionControls />
          <LivePanel />
        </aside>
        <div className="center">
          <Viewport />
          <Timeline />
          <Waveform />
        </div>
      </main>
      <ExportDialog />
      <ShortcutHelp />
      <WindowDrop />
    </div>
  );
}
