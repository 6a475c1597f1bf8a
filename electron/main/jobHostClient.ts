/**
 * Main-process side of the utility process that runs the pipeline: starts it, forwards validated calls,
 * relays its events to the window, and stops it on quit (one owner, one dispose).
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
}

/** The running utility process. */
export class JobHostClient {
  private readonly child: UtilityProcess;
  private readonly pending = new Map<number, (r: Result<unknown>) => void>();
  private nextId = 1;
  private readonly ready: Promise<void>;

  private constructor(opts: JobHostStartOptions) {
    this.child = utilityProcess.fork(opts.modulePath, [], { serviceName: 'Avatar Studio jobs', stdio: 'pipe' });
    this.child.stdout?.on('data', (d: Buffer) => opts.onLog(d.toString().trimEnd()));
    this.child.stderr?.on('data', (d: Buffer) => opts.onLog(d.toString().trimEnd()));
    this.ready = new Promise((resolve, reject) => {
      this.child.on('message', (m: FromUtility) => {
        if (m.type === 'ready') resolve();
        else if (m.type === 'initFailed') reject(new Error(m.error.message));
        else if (m.type === 'result') {
          this.pending.get(m.id)?.(m.result);
          this.pending.delete(m.id);
        } else if (m.type === 'event') opts.onEvent(m.name, m.payload);
        else if (m.type === 'log') opts.onLog(m.line);
      });
      this.child.on('exit', (code) => {
        reject(new Error(`job host exited with code ${code}`));
        for (const done of this.pending.values()) done({ ok: false, error: { code: 'HOST_EXITED', message: `The job host stopped (exit code ${code})` } });
        this.pending.clear();
      });
    });
    this.child.postMessage(opts.init);
  }

  /**
   * Starts the utility process.
   * @param opts - see {@link JobHostStartOptions}.
   * @returns the client (calls wait until the service is ready).
   */
  static start(opts: JobHostStartOptions): JobHostClient {
    return new JobHostClient(opts);
  }

  /**
   * Forwards one call (already validated by main).
   * @param channel - contract channel.
   * @param args - parsed argument.
   * @returns the service's Result.
   */
  async call(channel: string, args: unknown): Promise<Result<unknown>> {
    try {
      await this.ready;
    } catch (err) {
      return { ok: false, error: { code: 'HOST_UNAVAILABLE', message: `The job host could not start: ${(err as Error).message}` } };
    }
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.child.postMessage({ type: 'call', id, channel, args } satisfies ToUtility);
    });
  }

  /** Asks the utility to cancel its jobs and exit; kills it after 5 s. */
  async dispose(): Promise<void> {
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.postMessage({ type: 'shutdown' } satisfies ToUtility);
    const timer = setTimeout(() => this.child.kill(), 5000);
    await exited;
    clearTimeout(timer);
  }
}
