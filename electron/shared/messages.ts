/**
 * Messages between Electron's main process and the utility process that hosts the pipeline jobs.
 * Calls arrive in the utility already validated by main (sender frame + contract); the utility validates
 * again (defence in depth) through `dispatchCall`. Exports ask main for hidden render windows (`renderWindow.*`):
 * electron/main/renderWindows.ts opens them, electron/utility/renderWindowBroker.ts asks.
 */
import type { ErrorPayload, Result } from '../../core/errors.ts';
import type { EventName } from '../../core/ipc/contract.ts';

/** main → utility. */
export type ToUtility =
  | { type: 'init'; workDir: string; outDir: string; settingsPath: string; version: string; ffmpegPath: string | null; ffprobePath: string | null; /** Per-user cache (render runs, under `app.getPath('userData')`). */ cacheDir?: string }
  | { type: 'call'; id: number; channel: string; args: unknown }
  | { type: 'shutdown' }
  /** A render window is ready: the message's `ports[0]` is the utility's end of the export page's port. */
  | { type: 'renderWindow.opened'; windowId: number }
  /** A render window could not be opened or its page not loaded. */
  | { type: 'renderWindow.failed'; windowId: number; message: string }
  /** A render window's renderer process is gone (Electron's `render-process-gone` reason); the window is closed. */
  | { type: 'renderWindow.gone'; windowId: number; reason: string };

/** utility → main. */
export type FromUtility =
  | { type: 'ready' }
  | { type: 'initFailed'; error: ErrorPayload }
  | { type: 'result'; id: number; result: Result<unknown> }
  | { type: 'event'; name: EventName; payload: unknown }
  | { type: 'log'; line: string }
  /** Open a hidden render window with the export page, at the output size (px). */
  | { type: 'renderWindow.open'; windowId: number; widthPx: number; heightPx: number }
  /** Close a render window (export finished, failed or cancelled). */
  | { type: 'renderWindow.close'; windowId: number };
