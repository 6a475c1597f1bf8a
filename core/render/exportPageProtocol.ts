/**
 * The contract between the export page (renderer/scene/exportPage.ts) and a render host that drives it over a
 * MessagePort (pipeline/render/portRenderHost.ts) — the desktop app's hidden render window — plus the page's
 * Content-Security-Policy, which every host serves it with.
 *
 * @remarks The same page is driven two ways: the CLI calls `window.studioExport` through playwright and receives
 * frames as HTTP POSTs (pipeline/render/renderHost.ts); the desktop app hands the page one end of a MessagePort and
 * exchanges the messages below. Both end in the same `studioExport` methods, so every frame is rendered by the same
 * code. Back-pressure is the same in both: the page keeps at most `maxInFlight` frames unacknowledged, and the host
 * acknowledges a frame only when its consumer (the encoder) takes it.
 * Port hand-over (Electron, https://www.electronjs.org/docs/latest/tutorial/message-ports, "communicating directly
 * between the main process and the main world of a context-isolated page"): main posts the port to the window's
 * preload on {@link EXPORT_PORT_CHANNEL}; the preload forwards it to the page's own world with
 * `window.postMessage(EXPORT_PORT_MESSAGE, origin, [port])`; the page takes the first such message only.
 */

/**
 * Content-Security-Policy of the export page (sent as a header by the CLI's page server and by the desktop app's
 * render protocol, and repeated in the page's `<meta>`): scripts only from its own origin (plus WebAssembly
 * compilation for Spark's sorter), network only to its own origin and to `data:`/`blob:` URLs (embedded GLB
 * buffers and images), workers from `blob:` (Spark, Draco) and from itself, no plugins, no frames, no forms, no base
 * URL, and no `'unsafe-eval'`: three's Basis Universal transcoder (KTX2 textures), whose Emscripten/embind glue
 * builds its bindings with `new Function`, runs in a same-origin worker script served with its own narrow policy
 * (core/formats/gltfExtensions.ts `BASIS_WORKER_CSP`), not in a Blob worker that would inherit this one.
 * @remarks W3C Content Security Policy Level 3.
 */
export const EXPORT_PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'unsafe-inline'",
  "img-src 'self' blob: data:",
  "connect-src 'self' blob: data:",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-src 'none'",
].join('; ');

/** IPC channel on which Electron's main process posts the port to the render window's preload. */
export const EXPORT_PORT_CHANNEL = 'studio:render.port';
/** `window.postMessage` data with which the preload hands the port to the page's own world. */
export const EXPORT_PORT_MESSAGE = 'avatar-studio:export-port';

/** Methods of `window.studioExport` a port host may call (the page refuses any other name). */
export const EXPORT_PAGE_METHODS = ['init', 'encoderSupport', 'cropFor', 'loadPortrait', 'loadPortraitSplats', 'loadAvatar', 'loadTrack', 'renderRange', 'encodeRange', 'renderStill', 'benchRenderOnly', 'benchSplats', 'profileFrames', 'dispose'] as const;
/** One of {@link EXPORT_PAGE_METHODS}. */
export type ExportPageMethod = (typeof EXPORT_PAGE_METHODS)[number];

/** host → page. */
export type ToExportPage =
  /**
   * Sent once, before any call: whether the page may put frame buffers in the transfer list. False where the
   * receiving end cannot take transferred ArrayBuffers — Electron's MessagePortMain loses the message's data when a
   * renderer transfers one (https://github.com/electron/electron/issues/34905, open) — so the frame is structured-cloned
   * (copied) instead; the page then reuses its buffer for a later frame.
   */
  | { type: 'portOptions'; transferFrames: boolean }
  /** Calls `studioExport[method](...args)`; byte arguments travel as `Uint8Array` (the page reads them directly). */
  | { type: 'call'; callId: number; method: ExportPageMethod; args: unknown[] }
  /** Answers a {@link FromExportPage} `frame`: `ok` false tells the page to stop (the consumer went away). */
  | { type: 'frameAck'; requestId: string; frameIndex: number; ok: boolean };

/** page → host. */
export type FromExportPage =
  /** The page holds the port and its API is ready. */
  | { type: 'ready' }
  /** A call's outcome; `message` is the page's one-line error. */
  | { type: 'result'; callId: number; ok: true; value: unknown }
  | { type: 'result'; callId: number; ok: false; message: string }
  /**
   * One frame (raw pixels) or one batch of encoded access units starting at `frameIndex` (length-prefixed, see
   * pipeline/render/renderHost.ts `unpackBatch`), exactly the body the page would POST; its buffer is in the
   * transfer list (the page keeps no copy) when the host allowed it (`portOptions`), else copied.
   */
  | { type: 'frame'; requestId: string; frameIndex: number; bytes: Uint8Array };

/**
 * Whether a value is a well-formed {@link ToExportPage} message (the page checks every message it gets).
 * @param m - anything received on the port.
 * @returns true for a call of a known method with an argument array, or a frame acknowledgement.
 */
export function isToExportPage(m: unknown): m is ToExportPage {
  if (typeof m !== 'object' || m === null) return false;
  const o = m as Record<string, unknown>;
  if (o.type === 'call') return Number.isInteger(o.callId) && (EXPORT_PAGE_METHODS as readonly unknown[]).includes(o.method) && Array.isArray(o.args);
  if (o.type === 'portOptions') return typeof o.transferFrames === 'boolean';
  if (o.type === 'frameAck') return typeof o.requestId === 'string' && Number.isInteger(o.frameIndex) && typeof o.ok === 'boolean';
  return false;
}

/**
 * Whether a value is a well-formed {@link FromExportPage} message (the host checks every message it gets).
 * @param m - anything received on the port.
 * @returns true for `ready`, a result with a call id, or a frame with its bytes.
 */
export function isFromExportPage(m: unknown): m is FromExportPage {
  if (typeof m !== 'object' || m === null) return false;
  const o = m as Record<string, unknown>;
  if (o.type === 'ready') return true;
  if (o.type === 'result') return Number.isInteger(o.callId) && typeof o.ok === 'boolean';
  if (o.type === 'frame') return typeof o.requestId === 'string' && Number.isInteger(o.frameIndex) && o.bytes instanceof Uint8Array;
  return false;
}
