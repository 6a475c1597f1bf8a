/**
 * Main-process side of the utility process that runs the pipeline: starts it, forwards validated calls,
 * relays its events to the window, supervises it, and stops it on quit (one owner, one dispose).
 *
 * @remarks Supervision: when the utility exits unexpectedly, every pending call fails at once with
 * `HOST_CRASHED` (the export that was running reports a clear error instead of hanging), and a fresh utility is
 * started; later calls go to it. After {@link MAX_RESTARTS} crashes within {@link RESTART_WINDOW_MS} it is not
 * restarted again and calls fail at once with `HOST_UNAVAILABLE`. {@link JobHostClient.dispose} always completes:
 * immediately when the utility is already gone, else after its clean exit or a kill.
 */
import { utilityProcess, type UtilityProcess } from 'electron';
import type { Result } from '../../core/errors.ts';
import type { FromUtility, ToUtility } from '../shared/messages.ts';

/** Options of {@link JobHostClient.start}. */
export interface JobHostStartOptions {
  /** Built utility entry (dist/electron/utility.mjs). */
  modulePath: string;
  init: Extract<ToUtility, { type: 'init' }>;
  /** Events from the pipeline (export progress…). */
  onEvent: (name: string, payload: unknown) => void;
  onLog: (line: string) => void;
  /** Called with each fresh utility process (after a restart too), e.g. to hand it a MessagePort. */
  onSpawn?: (child: UtilityProcess) => void;
  /** Grace period for a clean exit on dispose before the utility is killed, ms (default 5000). */
  shutdownGraceMs?: number;
}

/** Crashes tolerated within {@link RESTART_WINDOW_MS} before the utility is left down. */
export const MAX_RESTARTS = 3;
/** Window of {@link MAX_RESTARTS}, ms. */
export const RESTART_WINDOW_MS = 60_000;

type Pending = (r: Result<unknown>) => void;

/** One running (or restarting) utility process. */
export class JobHostClient {
  private readonly opts: JobHostStartOptions;
  private child: UtilityProcess | null = null;
  private alive = false;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private ready: Promise<void> = Promise.resolve();
  private disposing = false;
  private exited: Promise<void> = Promise.resolve();
  private crashTimes: number[] = [];
  private downReason: string | null = null;

  private constructor(opts: JobHostStartOptions) {
    this.opts = opts;
    this.spawn();
  }

  /**
   * Starts the utility process.
   * @param opts - see {@link JobHostStartOptions}.
   * @returns the client (calls wait until the service is ready).
   */
  static start(opts: JobHostStartOptions): JobHostClient {
    return new JobHostClient(opts);
  }

  private spawn(): void {
    const child = utilityProcess.fork(this.opts.modulePath, [], { serviceName: 'Avatar Studio jobs', stdio: 'pipe' });
    this.child = child;
    this.alive = true;
    child.stdout?.on('data', (d: Buffer) => this.opts.onLog(d.toString().trimEnd()));
    child.stderr?.on('data', (d: Buffer) => this.opts.onLog(d.toString().trimEnd()));
    let markExited: () => void = () => undefined;
    this.exited = new Promise<void>((r) => (markExited = r));
    this.ready = new Promise<void>((resolve, reject) => {
      child.on('message', (m: FromUtility) => {
        if (m.type === 'ready') resolve();
        else if (m.type === 'initFailed') reject(new Error(m.error.message));
        else if (m.type === 'result') {
          this.pending.get(m.id)?.(m.result);
          this.pending.delete(m.id);
        } else if (m.type === 'event') this.opts.onEvent(m.name, m.payload);
        else if (m.type === 'log') this.opts.onLog(m.line);
      });
      child.once('exit', (code: number) => {
        this.alive = false;
        markExited();
        reject(new Error(`job host exited with code ${code}`));
        this.failPending(this.disposing ? 'HOST_EXITED' : 'HOST_CRASHED', this.disposing ? 'The job host stopped (the app is quitting)' : `The job host stopped unexpectedly (exit code ${code}); the job it was running failed and the host is restarting`);
        if (!this.disposing) this.restartAfterCrash(code);
      });
    });
    // a rejected ready with no caller waiting must not surface as an unhandled rejection
    this.ready.catch(() => undefined);
    this.opts.onSpawn?.(child);
    child.postMessage(this.opts.init);
  }

  private restartAfterCrash(code: number): void {
    const now = Date.now();
    this.crashTimes = [...this.crashTimes.filter((t) => now - t < RESTART_WINDOW_MS), now];
    if (this.crashTimes.length > MAX_RESTARTS) {
      this.downReason = `the job host crashed ${this.crashTimes.length} times within ${RESTART_WINDOW_MS / 1000} s (last exit code ${code}); restart the app`;
      this.opts.onLog(this.downReason);
      return;
    }
    this.opts.onLog(`job host exited with code ${code}: restarting it`);
    this.spawn();
  }

  private failPending(code: string, message: string): void {
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const done of waiting) done({ ok: false, error: { code, message } });
  }

  /**
   * Forwards one call (already validated by main).
   * @param channel - contract channel.
   * @param args - parsed argument.
   * @returns the service's Result; `HOST_CRASHED` when the utility dies while the call runs; `HOST_UNAVAILABLE`
   * when it cannot start, is down after repeated crashes, or the app is quitting.
   */
  async call(channel: string, args: unknown): Promise<Result<unknown>> {
    if (this.disposing) return { ok: false, error: { code: 'HOST_UNAVAILABLE', message: 'The app is quitting' } };
    if (this.downReason) return { ok: false, error: { code: 'HOST_UNAVAILABLE', message: `The job host is not running: ${this.downReason}` } };
    try {
      await this.ready;
    } catch (err) {
      return { ok: false, error: { code: 'HOST_UNAVAILABLE', message: `The job host could not start: ${(err as Error).message}` } };
    }
    const child = this.child;
    if (!child || !this.alive || this.disposing) return { ok: false, error: { code: 'HOST_UNAVAILABLE', message: 'The job host is not running' } };
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      try {
        child.postMessage({ type: 'call', id, channel, args } satisfies ToUtility);
      } catch (err) {
        this.pending.delete(id);
        resolve({ ok: false, error: { code: 'HOST_UNAVAILABLE', message: `The job host is not running: ${(err as Error).message}` } });
      }
    });
  }

  /**
   * Asks the utility to cancel its jobs and exit; kills it after the grace period. Completes immediately when the
   * utility has already exited; safe to call twice.
   */
  async dispose(): Promise<void> {
    this.disposing = true;
    const child = this.child;
    if (!child || !this.alive) return;
    try {
      child.postMessage({ type: 'shutdown' } satisfies ToUtility);
    } catch {
      // the channel is already closed: kill below
    }
    const timer = setTimeout(() => {
      try {
        child.kill();
      } catch {
        // already gone
      }
    }, this.opts.shutdownGraceMs ?? 5000);
    // kill() is asynchronous; never wait more than one more grace period for its exit event
    let giveUp: NodeJS.Timeout | undefined;
    await Promise.race([this.exited, new Promise<void>((r) => (giveUp = setTimeout(r, 2 * (this.opts.shutdownGraceMs ?? 5000))))]);
    clearTimeout(timer);
    clearTimeout(giveUp);
    this.failPending('HOST_EXITED', 'The job host stopped (the app is quitting)');
  }
}
