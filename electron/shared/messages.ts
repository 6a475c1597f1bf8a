/**
 * Messages between Electron's main process and the utility process that hosts the pipeline jobs.
 * Calls arrive in the utility already validated by main (sender frame + contract); the utility validates
 * again (defence in depth) through `dispatchCall`.
 */
import type { ErrorPayload, Result } from '../../core/errors.ts';
import type { EventName } from '../../core/ipc/contract.ts';

/** main → utility. */
export type ToUtility =
  | { type: 'init'; workDir: string; outDir: string; settingsPath: string; version: string; ffmpegPath: string | null; ffprobePath: string | null; /** Per-user cache (render runs, under `app.getPath('userData')`). */ cacheDir?: string }
  | { type: 'call'; id: number; channel: string; args: unknown }
  | { type: 'shutdown' };

/** utility → main. */
export type FromUtility =
  | { type: 'ready' }
  | { type: 'initFailed'; error: ErrorPayload }
  | { type: 'result'; id: number; result: Result<unknown> }
  | { type: 'event'; name: EventName; payload: unknown }
  | { type: 'log'; line: string };
