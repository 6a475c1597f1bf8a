/**
 * The export page's side of the port protocol (core/render/exportPageProtocol.ts): answers a host's calls on
 * `window.studioExport` and sends frames over the port — each frame's buffer in the transfer list where the host
 * allows it (`portOptions`), else copied — each awaiting the host's acknowledgement (back-pressure, as the HTTP POSTs
 * of the CLI host).
 */
import { isToExportPage, type FromExportPage } from '../../core/render/exportPageProtocol.ts';

/** The part of a DOM `MessagePort` this module uses (also met by Node's worker_threads port, for tests). */
export interface ExportPortLike {
  postMessage(message: unknown, transfer: Transferable[]): void;
  onmessage: ((e: MessageEvent) => void) | null;
}

/** Sends one frame's bytes (or one batch of encoded units) and resolves with the host's answer (false = stop). */
export type FrameSink = (requestId: string, frameIndex: number, bytes: Uint8Array) => Promise<boolean>;

/**
 * Serves `api` on `port`: each `call` message runs the named method (only the protocol's method names) and is
 * answered with a `result`; `frameAck` messages release the frames sent by the returned sink. Posts `ready` first.
 * @param port - the page's end of the channel.
 * @param api - the page API (`window.studioExport`).
 * @returns the sink the page sends frames through while this port is its host.
 */
export function serveExportPort(port: ExportPortLike, api: object): FrameSink {
  const acks = new Map<string, (ok: boolean) => void>();
  // Until the host says otherwise, frames are copied (works on every port, Electron's MessagePortMain included).
  let transferFrames = false;
  const send = (m: FromExportPage, transfer: Transferable[] = []): void => port.postMessage(m, transfer);
  port.onmessage = (e) => {
    const m: unknown = e.data;
    if (!isToExportPage(m)) return;
    if (m.type === 'portOptions') {
      transferFrames = m.transferFrames;
      return;
    }
    if (m.type === 'frameAck') {
      const key = `${m.requestId}/${m.frameIndex}`;
      const done = acks.get(key);
      acks.delete(key);
      done?.(m.ok);
      return;
    }
    const method = (api as Record<string, unknown>)[m.method];
    Promise.resolve()
      .then(() => {
        if (typeof method !== 'function') throw new Error(`export page: no method ${m.method}`);
        return (method as (...a: unknown[]) => unknown).apply(api, m.args);
      })
      .then(
        (value) => send({ type: 'result', callId: m.callId, ok: true, value: value ?? null }),
        (err: unknown) => send({ type: 'result', callId: m.callId, ok: false, message: (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? 'error' }),
      );
  };
  send({ type: 'ready' });
  return (requestId, frameIndex, bytes) => {
    // Only a whole buffer is sent (a clone or transfer of a view would carry its whole buffer): a view is copied first.
    const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer ? bytes : bytes.slice();
    return new Promise<boolean>((resolve) => {
      acks.set(`${requestId}/${frameIndex}`, resolve);
      send({ type: 'frame', requestId, frameIndex, bytes: own }, transferFrames ? [own.buffer as ArrayBuffer] : []);
    });
  };
}
