/**
 * The desktop app's render host: the export page (the same prebuilt page the CLI loads) in a hidden Electron window
 * — Electron's own Chromium and the machine's GPU, no system Chrome — driven over a MessagePort
 * (core/render/exportPageProtocol.ts). It runs in the utility process, next to ffmpeg: frames (or encoded H.264
 * units) arrive on the port and go straight to the encoder. Frame buffers are transferred where the port takes
 * them, else copied once by the structured clone ({@link PagePort.acceptsTransferredBuffers}). Nothing here imports Electron: the window comes from a
 * {@link RenderWindowBroker} (electron/utility/renderWindowBroker.ts asks the main process for one), the port is a
 * {@link PagePort} (an adapter of Electron's MessagePortMain, or of a Node/DOM MessagePort in tests).
 *
 * @remarks Failure: when the window's renderer process goes away (crash, OOM, killed) or the port closes, every
 * pending call and the running frame stream fail at once with StudioError `RENDER_WINDOW_GONE`; the next export opens
 * a new window. Cancel: the export job disposes the host, which closes the window.
 */
import { InvalidInputError, JobCancelledError, StudioError } from '../../core/errors.ts';
import { isFromExportPage, type ExportPageMethod, type ToExportPage } from '../../core/render/exportPageProtocol.ts';
import { ExportPageDriver, type ExportPageTransport, type FrameSink, type RenderHostLaunchOptions } from './exportPageDriver.ts';

/** One end of the page's MessagePort, as the host sees it. */
export interface PagePort {
  /**
   * Whether the page may transfer frame buffers to this end (a DOM or Node MessagePort: yes). Electron's
   * MessagePortMain: no — a renderer's transferred ArrayBuffer arrives without its data
   * (https://github.com/electron/electron/issues/34905), so the page copies frames for it.
   */
  readonly acceptsTransferredBuffers: boolean;
  /** Posts a message to the page (structured clone). */
  postMessage(message: ToExportPage): void;
  /** Listens for the page's messages (the port is started by the first listener). */
  onMessage(listener: (data: unknown) => void): void;
  /** Listens for the other end going away. */
  onClose(listener: () => void): void;
  /** Closes this end. */
  close(): void;
}

/** A hidden render window holding the export page, as its broker hands it out. */
export interface RenderWindowHandle {
  /** The host's end of the page's port. */
  port: PagePort;
  /** Called once when the window's renderer process is gone (`reason`: Electron's `render-process-gone` reason). */
  onGone(listener: (reason: string) => void): void;
  /** Closes the window (resolves when the request is sent; safe to call twice). */
  close(): Promise<void>;
}

/** Opens hidden render windows (in the desktop app: the main process, asked by the utility process). */
export interface RenderWindowBroker {
  /**
   * Opens a window with the export page and hands the page a port.
   * @param opts - output size, px; `signal` cancels the wait.
   * @returns the window's handle.
   * @throws StudioError `RENDER_WINDOW_START` when the window or its page cannot be created.
   */
  open(opts: { widthPx: number; heightPx: number; signal?: AbortSignal }): Promise<RenderWindowHandle>;
}

/** Longest wait for the page's `ready` after the window opened, ms. */
const READY_TIMEOUT_MS = 30_000;

/** Calls and frames over a {@link PagePort}. */
class PortTransport implements ExportPageTransport {
  private readonly port: PagePort;
  private readonly sinks = new Map<string, FrameSink>();
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  private nextCallId = 1;
  private goneError: StudioError | null = null;
  private readyWaiters: { resolve: () => void; reject: (e: unknown) => void } | null = null;
  private isReady = false;

  constructor(port: PagePort) {
    this.port = port;
    port.postMessage({ type: 'portOptions', transferFrames: port.acceptsTransferredBuffers });
    port.onMessage((m) => this.receive(m));
    port.onClose(() => this.fail('the page closed its port'));
  }

  /** Resolves when the page has taken the port. */
  ready(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (this.isReady) return Promise.resolve();
    if (this.goneError) return Promise.reject(this.goneError);
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new StudioError('RENDER_WINDOW_START', `The render window's export page did not start within ${timeoutMs / 1000} s`)), timeoutMs);
      const onAbort = (): void => reject(new JobCancelledError());
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      this.readyWaiters = {
        resolve: () => {
          done();
          resolve();
        },
        reject: (e) => {
          done();
          reject(e);
        },
      };
    });
  }

  /**
   * Fails everything pending and later (the window is gone).
   * @param reason - what happened, for the message.
   */
  fail(reason: string): void {
    if (this.goneError) return;
    this.goneError = new StudioError('RENDER_WINDOW_GONE', `The render window stopped (${reason}): the export failed; start it again`, { reason });
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const p of waiting) p.reject(this.goneError);
    this.readyWaiters?.reject(this.goneError);
    this.readyWaiters = null;
    // Frames already queued stay with their consumers; the stream ends through the failed call.
    this.sinks.clear();
  }

  call(method: ExportPageMethod, args: unknown[]): Promise<unknown> {
    if (this.goneError) return Promise.reject(this.goneError);
    const callId = this.nextCallId++;
    return new Promise((resolve, reject) => {
      this.pending.set(callId, { resolve, reject });
      try {
        this.port.postMessage({ type: 'call', callId, method, args });
      } catch (err) {
        this.pending.delete(callId);
        reject(err);
      }
    });
  }

  bytesSource(_name: 'portrait' | 'avatar' | 'track', bytes: Uint8Array | null): unknown {
    return bytes;
  }

  setSink(requestId: string, sink: FrameSink | null): void {
    if (sink) this.sinks.set(requestId, sink);
    else this.sinks.delete(requestId);
  }

  private receive(m: unknown): void {
    if (!isFromExportPage(m)) return;
    if (m.type === 'ready') {
      this.isReady = true;
      this.readyWaiters?.resolve();
      this.readyWaiters = null;
    } else if (m.type === 'result') {
      const p = this.pending.get(m.callId);
      this.pending.delete(m.callId);
      if (!p) return;
      if (m.ok) p.resolve(m.value);
      else p.reject(new Error(m.message));
    } else {
      const sink = this.sinks.get(m.requestId);
      const answer = (ok: boolean): void => {
        if (this.goneError) return;
        try {
          this.port.postMessage({ type: 'frameAck', requestId: m.requestId, frameIndex: m.frameIndex, ok });
        } catch {
          // the port closed meanwhile: onClose fails the rest
        }
      };
      if (!sink) answer(false);
      else void sink(m.frameIndex, m.bytes).then(answer, () => answer(false));
    }
  }
}

/** The export page in a hidden render window, driven over its port; see the module comment. */
export class PortRenderHost extends ExportPageDriver {
  private readonly window: RenderWindowHandle;

  private constructor(widthPx: number, heightPx: number, transport: PortTransport, window: RenderWindowHandle) {
    super(widthPx, heightPx, transport);
    this.window = window;
  }

  /**
   * Opens a render window, waits for its page and initialises the scene.
   * @param broker - where windows come from.
   * @param opts - size, background, framing, signal (`chromePath` does not apply: the window is Electron's Chromium).
   * @returns a ready host.
   * @throws InvalidInputError for a bad size; JobCancelledError when `signal` aborts; StudioError
   * `RENDER_WINDOW_START` when the window or page cannot start, `RENDER_WINDOW_GONE` when it dies while starting.
   */
  static async launch(broker: RenderWindowBroker, opts: RenderHostLaunchOptions): Promise<PortRenderHost> {
    const { widthPx, heightPx, signal } = opts;
    if (!(Number.isInteger(widthPx) && Number.isInteger(heightPx) && widthPx >= 2 && heightPx >= 2 && widthPx <= 4096 && heightPx <= 4096)) {
      throw new InvalidInputError(`Render size must be integers in [2, 4096], got ${widthPx}×${heightPx}`);
    }
    if (signal?.aborted) throw new JobCancelledError();
    const window = await broker.open({ widthPx, heightPx, signal });
    const transport = new PortTransport(window.port);
    window.onGone((reason) => transport.fail(reason));
    try {
      await transport.ready(READY_TIMEOUT_MS, signal);
      await transport.call('init', [{ widthPx, heightPx, background: opts.background ?? 'photo', framing: opts.framing ?? 'photo', ...(opts.avatarCpuDeform === undefined ? {} : { avatarCpuDeform: opts.avatarCpuDeform }), ...(opts.avatarSoftwareShading === undefined ? {} : { avatarSoftwareShading: opts.avatarSoftwareShading }), ...(opts.avatarStaticLayer === undefined ? {} : { avatarStaticLayer: opts.avatarStaticLayer }) }]);
      const host = new PortRenderHost(widthPx, heightPx, transport, window);
      host.canEncodeH264 = ((await transport.call('encoderSupport', [])) as { h264: boolean }).h264;
      return host;
    } catch (err) {
      await window.close().catch(() => undefined);
      if (err instanceof StudioError) throw err;
      throw new StudioError('RENDER_WINDOW_START', `Could not start the render window: ${(err as Error).message.split('\n')[0]}`, {}, { cause: err });
    }
  }

  /** Closes the render window (once, from {@link ExportPageDriver.dispose}). */
  protected override async close(): Promise<void> {
    this.window.port.close();
    await this.window.close();
  }
}
