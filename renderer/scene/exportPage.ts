/**
 * Entry of the export page that every render host loads: it owns one {@link StudioScene} and exposes
 * `window.studioExport` for the host to drive. Two transports, one page:
 * - the CLI's headless Chromium (pipeline/render/renderHost.ts) calls `studioExport` through playwright; frames travel
 *   as binary HTTP POST bodies to the same origin (`frame/<requestId>/<frameIndex>`, relative to the page, under the
 *   host's per-run token) and byte inputs are fetched from URLs;
 * - the desktop app's hidden render window receives a MessagePort (core/render/exportPageProtocol.ts, ./exportPort.ts):
 *   calls, byte inputs and frames (transferred where the host's port allows it, else copied) all travel over it.
 * Either way the host answers each frame only when its consumer is ready for more, so at most `maxInFlight` frames
 * are pending (back-pressure), while rendering the next frame overlaps the transfer of the previous ones.
 */
import { ARKIT_BLENDSHAPE_COUNT, OVR_VISEME_COUNT } from '../../core/motion/names.ts';
import type { MotionFrame } from '../../core/motion/track.ts';
import { unpackTrackArrays, type PackedTrackArrays } from '../../core/motion/packedTrack.ts';
import { createStudioScene, type LoadedPortrait, type ReadbackFormat, type SceneBackground, type StudioScene } from './studioScene.ts';
import { computeCropRect, faceBoundsFromLandmarks, type CropRectPx, type Framing } from './framing.ts';
import { loadAvatarBytes, plainStudioError, type AvatarLoadKind, type PlainStudioError } from '../avatars/loadAvatar.ts';
import { createPhotoHeadSplats } from '../avatars/photoHeadSplats.ts';
import { createGltfDecoders, type GltfDecoders } from '../avatars/gltfDecoders.ts';
import { createSplatAvatar } from '../avatars/splatAvatar.ts';
import { allocSplatData } from '../../core/formats/splatData.ts';
import { createRng } from '../../core/motion/random.ts';
import { EXPORT_PORT_MESSAGE } from '../../core/render/exportPageProtocol.ts';
import { serveExportPort, type FrameSink } from './exportPort.ts';

/** Bytes the page reads: a URL of its own origin (CLI host) or the bytes themselves (port host). */
export type BytesSource = string | Uint8Array;

/**
 * Track arrays (flat, row-major per frame): views into the one buffer the host serves, packed by
 * core/motion/packedTrack.ts (a long track sent as `page.evaluate` arguments is serialised value by value).
 */
export type PageTrack = PackedTrackArrays;

/** One frame's state as sent by the host for a still. */
export interface PageFrame {
  blendshapes: number[];
  /** `[15]` OVR visemes; zeros when absent. */
  visemes?: number[];
  gazeRad?: number[];
  headRotation?: number[];
  headTranslationM?: number[];
}

/** A render request. */
export interface RenderRangeRequest {
  requestId: string;
  fromFrame: number;
  toFrame: number;
  format: ReadbackFormat;
  orbitYawRad: number;
  orbitPitchRad: number;
  maxInFlight: number;
}

/** An in-page H.264 encode request (WebCodecs). */
export interface EncodeRangeRequest {
  requestId: string;
  fromFrame: number;
  toFrame: number;
  orbitYawRad: number;
  orbitPitchRad: number;
  maxInFlight: number;
  /** Frame rate, for the encoder's rate control. */
  fpsNum: number;
  fpsDen: number;
  /** Target bit rate, bits/s. */
  bitrate: number;
  /** Frames between key frames. */
  keyFrameInterval: number;
  /**
   * How frames reach the encoder: `rgbaTopFirst` (default; RGBA read straight from the photo head's target, converted
   * to I420 by Chromium) or `yuv420p` (the GPU conversion pass, as avatars always use).
   */
  readback?: 'rgbaTopFirst' | 'yuv420p';
}

/** What the page reports after loading an avatar. */
export interface PageAvatarInfo {
  kind: 'splat' | 'glb' | 'lam';
  boxMinM: number[];
  boxMaxM: number[];
  distanceM: number;
  /** Gaussians (splat/LAM), 0 for GLB. */
  splatCount: number;
  /** GLB channel counts or LAM ARKit channels. */
  info: Record<string, unknown>;
}

/** The API the page exposes on `window.studioExport`. */
export interface ExportPageApi {
  init(opts: { widthPx: number; heightPx: number; background: SceneBackground; framing: Framing; avatarCpuDeform?: boolean; avatarSoftwareShading?: boolean; avatarStaticLayer?: boolean }): void;
  /** Whether this browser's WebCodecs can encode H.264 at the size given to `init` ({@link encodeRange}). */
  encoderSupport(): Promise<{ h264: boolean }>;
  loadPortrait(source: BytesSource, widthPx: number, heightPx: number, landmarksPx: number[], landmarkCount: number, restExpression?: number[] | null): Promise<LoadedPortrait>;
  /** Fetches avatar file bytes from `url` and shows the avatar instead of the photo head; a load error comes back as `{ error }`. */
  loadAvatar(source: BytesSource, kind: AvatarLoadKind, fileName: string): Promise<PageAvatarInfo | { error: PlainStudioError }>;
  /** Shows the portrait's photo head as rigged Gaussian splats (renderer/avatars/photoHeadSplats.ts) instead of the mesh head. */
  loadPortraitSplats(source: BytesSource, widthPx: number, heightPx: number, landmarksPx: number[], landmarkCount: number, surround?: boolean): Promise<PageAvatarInfo>;
  cropFor(imageWidthPx: number, imageHeightPx: number, landmarksPx: number[]): CropRectPx;
  /** Reads the packed track (core/motion/packedTrack.ts: a URL of the page's origin or the bytes) and makes it the track to render. */
  loadTrack(source: BytesSource, frameCount: number): Promise<void>;
  renderRange(req: RenderRangeRequest): Promise<{ frames: number; cancelled: boolean }>;
  encodeRange(req: EncodeRangeRequest): Promise<{ frames: number; cancelled: boolean }>;
  renderStill(frame: PageFrame, requestId: string, format: ReadbackFormat, orbitYawRad: number, orbitPitchRad: number): Promise<void>;
  /**
   * Renders `frameCount` frames without moving them to Node. `withReadback` also reads each frame back in the page;
   * without it, `waitEachFrame` (default true) waits for the GPU after every frame (a 1-pixel read), false only
   * once after the last frame (the GPU's throughput with frames queued back to back). Returns the frame rate and the
   * mean time per frame of each stage, ms: posing (`applyFrame`: morph weights, bones, CPU deformation), drawing
   * (render call plus the wait for the GPU, or the flush when not waiting) and readback.
   */
  benchRenderOnly(frameCount: number, withReadback: ReadbackFormat | null, waitEachFrame?: boolean): { fps: number; poseMs: number; drawMs: number; readbackMs: number };
  /**
   * Splat benchmark: shows a seeded synthetic cloud of `splatCount` Gaussians (a noisy sphere shell of radius 1 m)
   * as the avatar and draws `frames` frames with the camera orbiting, so every frame needs a fresh sort. Times in
   * ms: building the cloud, the first frame, and medians over the later frames of Spark's generate + sort
   * (`prepare`), of the worker's `sortSplats32` call alone, and of drawing until the GPU has finished.
   */
  benchSplats(splatCount: number, frames: number, seed: number): Promise<Record<string, number>>;
  /**
   * Where an export frame's time goes for what is shown (photo head or avatar): draws `frameCount` frames of the
   * track as export does (pose, prepare, draw, `format` readback), one at a time, and returns the median ms of each
   * step — `poseMs` (applyFrame), `prepareMs` (Spark's generate + read-back + sort; 0 for the mesh head), `drawMs`
   * (drawing until the GPU has finished), `readbackMs` (conversion pass + read) — and `frameMs`, their sum's median.
   */
  profileFrames(frameCount: number, format: ReadbackFormat): Promise<Record<string, number>>;
  dispose(): void;
}

let scene: StudioScene | null = null;
/** meshopt/Draco/KTX2 decoders and the VRM plugin; Draco and Basis files come from this page's origin (`decoders/`). */
let decoders: GltfDecoders | null = null;
let track: PageTrack | null = null;
let options: { widthPx: number; heightPx: number; framing: Framing; background: SceneBackground } | null = null;

function need<T>(v: T | null, what: string): T {
  if (v === null) throw new Error(`export page: ${what} not initialised`);
  return v;
}

function frameOf(t: PageTrack, i: number): MotionFrame {
  return {
    frameIndex: i,
    blendshapes: t.blendshapes.slice(i * ARKIT_BLENDSHAPE_COUNT, (i + 1) * ARKIT_BLENDSHAPE_COUNT),
    visemes: t.visemes.slice(i * OVR_VISEME_COUNT, (i + 1) * OVR_VISEME_COUNT),
    headRotation: t.headRotation.slice(i * 4, i * 4 + 4),
    headTranslationM: t.headTranslationM.slice(i * 3, i * 3 + 3),
    gazeRad: t.gazeRad.slice(i * 4, i * 4 + 4),
  };
}

/** Reads a {@link BytesSource}. */
async function bytesFrom(source: BytesSource): Promise<Uint8Array> {
  return typeof source === 'string' ? new Uint8Array(await (await fetch(source)).arrayBuffer()) : source;
}

/**
 * POSTs one frame. The body is a Blob: in Chromium an ArrayBufferView body is copied through the network
 * service in small chunks (measured here: 5 posts/s of 393 KB), a Blob body moves in one piece (≈ 26 posts/s).
 */
async function post(requestId: string, frameIndex: number, bytes: Uint8Array): Promise<boolean> {
  const res = await fetch(`frame/${requestId}/${frameIndex}`, { method: 'POST', body: new Blob([bytes as Uint8Array<ArrayBuffer>]) });
  return res.status === 200;
}

/** Where frames go: HTTP POSTs ({@link post}) until a host hands the page a port. */
let sendFrame: FrameSink = post;

/**
 * WebCodecs codec string for H.264 High profile at a level that fits the frame size.
 * @remarks ITU-T H.264 Table A-1: level 4.0 allows 8192 macroblocks per frame (e.g. 2048×1024), 5.1 allows 36864.
 */
function avcCodecFor(widthPx: number, heightPx: number): string {
  const mbs = Math.ceil(widthPx / 16) * Math.ceil(heightPx / 16);
  return mbs <= 8192 ? 'avc1.640028' : 'avc1.640033';
}

/** Frames queued on the GPU ahead of the one being read back (render N+1 while N is converted, read and sent). */
const PIPELINE_DEPTH = 1;

/** Encoded access units per POST in {@link ExportPageApi.encodeRange}. */
const ENCODED_BATCH = 8;

/**
 * Renders frames `[from, to)` and yields their pixels in order, keeping {@link PIPELINE_DEPTH} frames queued on
 * the GPU ahead of the one being awaited (asynchronous readback, `StudioScene.readPixelsAsync`).
 * @param format - the readback layout; `rgbaTopFirst` draws with `renderTopFirst` (no conversion pass) and falls
 * back to `yuv420p` when the scene cannot (an avatar is shown). Each item says which layout it has.
 */
async function* pipelinedFrames(s: StudioScene, t: PageTrack, from: number, to: number, format: ReadbackFormat, stop: () => boolean): AsyncGenerator<{ frameIndex: number; pixels: Uint8Array; layout: ReadbackFormat }> {
  const queued: { frameIndex: number; pixels: Promise<Uint8Array>; layout: ReadbackFormat }[] = [];
  // Arrays handed out before: the consumer is done with one when it asks for the next frame (VideoFrame and Blob
  // copy their input), so they are refilled instead of allocating a new one per frame.
  const spare: Uint8Array[] = [];
  try {
    for (let i = from; i < to || queued.length; i++) {
      if (i < to && !stop()) {
        s.applyFrame(frameOf(t, Math.min(i, t.frameCount - 1)));
        await s.prepare();
        let layout = format;
        if (format !== 'rgbaTopFirst') s.render();
        else if (!s.renderTopFirst()) {
          s.render();
          layout = 'yuv420p';
        }
        const pixels = s.readPixelsAsync(layout, spare);
        pixels.catch(() => undefined); // awaited below; avoid an unhandled rejection while it waits in the queue
        queued.push({ frameIndex: i, pixels, layout });
        if (queued.length <= PIPELINE_DEPTH && i + 1 < to) continue;
      }
      const next = queued.shift();
      if (!next) break;
      const pixels = await next.pixels;
      yield { frameIndex: next.frameIndex, pixels, layout: next.layout };
      spare.push(pixels);
    }
  } finally {
    for (const q of queued) await q.pixels.catch(() => undefined);
  }
}

/**
 * Packs encoded access units for one POST: for each, a little-endian uint32 byte length then the bytes.
 * @remarks Parsed by the render host (pipeline/render/renderHost.ts `unpackBatch`).
 */
function packBatch(units: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(units.reduce((n, u) => n + 4 + u.byteLength, 0));
  const view = new DataView(out.buffer);
  let at = 0;
  for (const u of units) {
    view.setUint32(at, u.byteLength, true);
    out.set(u, at + 4);
    at += 4 + u.byteLength;
  }
  return out;
}

const api: ExportPageApi = {
  init(opts) {
    scene?.dispose();
    decoders?.dispose();
    const canvas = document.getElementById('c') as HTMLCanvasElement;
    scene = createStudioScene(canvas, { ...opts, offscreen: true });
    decoders = createGltfDecoders({ renderer: scene.renderer });
    options = opts;
  },
  async encoderSupport() {
    const o = need(options, 'scene');
    if (typeof VideoEncoder === 'undefined') return { h264: false };
    const r = await VideoEncoder.isConfigSupported({ codec: avcCodecFor(o.widthPx, o.heightPx), width: o.widthPx, height: o.heightPx, bitrate: o.widthPx * o.heightPx * 30, framerate: 30, latencyMode: 'realtime', avc: { format: 'annexb' } }).catch(() => ({ supported: false }));
    return { h264: r.supported === true };
  },
  async loadPortrait(source, widthPx, heightPx, landmarksPx, landmarkCount, restExpression) {
    const buf = await bytesFrom(source);
    return need(scene, 'scene').loadPortrait({ rgba: buf, widthPx, heightPx }, { landmarksPx: Float32Array.from(landmarksPx), landmarkCount, ...(restExpression ? { restExpression: Float32Array.from(restExpression) } : {}) });
  },
  async loadPortraitSplats(source, widthPx, heightPx, landmarksPx, landmarkCount, surround = true) {
    const s = need(scene, 'scene');
    const rgba = await bytesFrom(source);
    const o = need(options, 'scene');
    const avatar = await createPhotoHeadSplats({ rgba, widthPx, heightPx, landmarksPx: Float32Array.from(landmarksPx), landmarkCount, surround, background: o.background === 'photo', framing: o.framing, aspect: o.widthPx / o.heightPx, outputHeightPx: o.heightPx });
    const view = s.loadAvatar(avatar);
    return { kind: view.kind, boxMinM: view.boxMinM, boxMaxM: view.boxMaxM, distanceM: view.distanceM, splatCount: avatar.splatCount, info: { rigged: avatar.riggedCount, headAround: avatar.headAroundCount, bodyAround: avatar.bodyAroundCount } };
  },
  async loadAvatar(source, kind, fileName) {
    const s = need(scene, 'scene');
    try {
      const bytes = await bytesFrom(source);
      const loaded = await loadAvatarBytes(kind, bytes, fileName, { decoders });
      const view = s.loadAvatar(loaded.avatar);
      return { kind: view.kind, boxMinM: view.boxMinM, boxMaxM: view.boxMaxM, distanceM: view.distanceM, splatCount: loaded.splatCount, info: loaded.info };
    } catch (err) {
      return { error: plainStudioError(err) };
    }
  },
  cropFor(imageWidthPx, imageHeightPx, landmarksPx) {
    const o = need(options, 'scene');
    return computeCropRect(imageWidthPx, imageHeightPx, faceBoundsFromLandmarks(Float32Array.from(landmarksPx)), o.framing, o.widthPx / o.heightPx);
  },
  async loadTrack(source, frameCount) {
    track = null;
    const bytes = await bytesFrom(source);
    // Float32 views need a 4-byte-aligned buffer of exactly the track's bytes: copy unless the bytes are one.
    const buffer = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? (bytes.buffer as ArrayBuffer) : bytes.slice().buffer;
    track = unpackTrackArrays(buffer, frameCount);
  },
  async renderRange(req) {
    const s = need(scene, 'scene');
    const t = need(track, 'track');
    s.setOrbit(req.orbitYawRad, req.orbitPitchRad);
    const pending: Promise<boolean>[] = [];
    let cancelled = false;
    let frames = 0;
    const frameSource = pipelinedFrames(s, t, req.fromFrame, req.toFrame, req.format, () => cancelled);
    for await (const { frameIndex, pixels } of frameSource) {
      pending.push(sendFrame(req.requestId, frameIndex, pixels));
      frames++;
      while (pending.length >= req.maxInFlight) if (!(await pending.shift()!)) cancelled = true;
    }
    for (const p of pending) if (!(await p)) cancelled = true;
    return { frames, cancelled };
  },
  async encodeRange(req) {
    const s = need(scene, 'scene');
    const t = need(track, 'track');
    const o = need(options, 'scene');
    s.setOrbit(req.orbitYawRad, req.orbitPitchRad);
    const W = o.widthPx;
    const H = o.heightPx;
    // One Annex-B access unit per frame, in order (the encoder emits no B-frames in realtime mode).
    const chunks: Uint8Array[] = [];
    let failure: unknown = null;
    let firstUnsent = req.fromFrame;
    const encoder = new VideoEncoder({
      output: (chunk) => {
        const bytes = new Uint8Array(chunk.byteLength);
        chunk.copyTo(bytes);
        chunks.push(bytes);
      },
      error: (e) => {
        failure = e;
      },
    });
    encoder.configure({ codec: avcCodecFor(W, H), width: W, height: H, bitrate: req.bitrate, framerate: req.fpsNum / req.fpsDen, latencyMode: 'realtime', avc: { format: 'annexb' } });
    const pending: Promise<boolean>[] = [];
    let cancelled = false;
    let frames = 0;
    // Encoded frames are small (10–50 KB): they travel in batches of up to ENCODED_BATCH access units per POST
    // (each length-prefixed), which saves one network-service round trip per frame.
    const drain = async (all: boolean): Promise<void> => {
      while (chunks.length >= ENCODED_BATCH || (all && chunks.length)) {
        const batch = chunks.splice(0, ENCODED_BATCH);
        pending.push(sendFrame(req.requestId, firstUnsent, packBatch(batch)));
        firstUnsent += batch.length;
        while (pending.length >= req.maxInFlight || (all && pending.length)) if (!(await pending.shift()!)) cancelled = true;
      }
    };
    const colorSpace: VideoColorSpaceInit = { matrix: 'smpte170m', primaries: 'smpte170m', transfer: 'smpte170m', fullRange: false };
    try {
      // The photo head is read back as RGBA straight from its target and Chromium converts it to I420 for the
      // encoder (libyuv, BT.601 limited range, on the encoder's thread); avatars go through the GPU YUV pass.
      for await (const { frameIndex, pixels, layout } of pipelinedFrames(s, t, req.fromFrame, req.toFrame, req.readback ?? 'rgbaTopFirst', () => cancelled)) {
        const timestamp = Math.round(((frameIndex - req.fromFrame) * 1e6 * req.fpsDen) / req.fpsNum);
        const frame = layout === 'rgbaTopFirst' ? new VideoFrame(pixels, { format: 'RGBX', codedWidth: W, codedHeight: H, timestamp }) : new VideoFrame(pixels, { format: 'I420', codedWidth: W, codedHeight: H, timestamp, colorSpace });
        encoder.encode(frame, { keyFrame: (frameIndex - req.fromFrame) % req.keyFrameInterval === 0 });
        frame.close();
        frames++;
        if (failure) throw failure;
        await drain(false);
        while (encoder.encodeQueueSize > 2) await new Promise<void>((r) => setTimeout(r, 1));
      }
      await encoder.flush();
      if (failure) throw failure;
      await drain(true);
      for (const p of pending) if (!(await p)) cancelled = true;
    } finally {
      if (encoder.state !== 'closed') encoder.close();
    }
    return { frames, cancelled };
  },
  async renderStill(frame, requestId, format, yaw, pitch) {
    const s = need(scene, 'scene');
    s.setOrbit(yaw, pitch);
    s.applyFrame({
      frameIndex: 0,
      blendshapes: Float32Array.from(frame.blendshapes),
      visemes: frame.visemes ? Float32Array.from(frame.visemes) : new Float32Array(OVR_VISEME_COUNT),
      headRotation: Float32Array.from(frame.headRotation ?? [0, 0, 0, 1]),
      headTranslationM: Float32Array.from(frame.headTranslationM ?? [0, 0, 0]),
      gazeRad: Float32Array.from(frame.gazeRad ?? [0, 0, 0, 0]),
    });
    await s.prepare();
    s.render();
    await sendFrame(requestId, 0, s.readPixels(format));
  },
  benchRenderOnly(frameCount, withReadback, waitEachFrame = true) {
    const s = need(scene, 'scene');
    const t = need(track, 'track');
    const gl = s.renderer.getContext();
    const px = new Uint8Array(4);
    const waitForGpu = (): void => {
      // A 1-pixel read waits for the GPU to finish the frame without moving it.
      s.renderer.setRenderTarget(null);
      gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, px);
    };
    const t0 = performance.now();
    let poseMs = 0, drawMs = 0, readbackMs = 0;
    for (let i = 0; i < frameCount; i++) {
      const a = performance.now();
      s.applyFrame(frameOf(t, i % t.frameCount));
      const b = performance.now();
      s.render();
      if (withReadback) {
        waitForGpu();
        const c = performance.now();
        s.readPixels(withReadback);
        readbackMs += performance.now() - c;
        drawMs += c - b;
      } else {
        if (waitEachFrame) waitForGpu();
        else gl.flush();
        drawMs += performance.now() - b;
      }
      poseMs += b - a;
    }
    if (!withReadback && !waitEachFrame) waitForGpu();
    return { fps: frameCount / ((performance.now() - t0) / 1000), poseMs: poseMs / frameCount, drawMs: drawMs / frameCount, readbackMs: readbackMs / frameCount };
  },
  async benchSplats(splatCount, frames, seed) {
    const s = need(scene, 'scene');
    const rand = createRng(seed).next;
    const tBuild0 = performance.now();
    const d = allocSplatData(splatCount, 'three');
    for (let i = 0; i < splatCount; i++) {
      const u = rand() * 2 - 1, phi = rand() * 2 * Math.PI, r = 1 + 0.05 * (rand() - 0.5);
      const k = Math.sqrt(1 - u * u);
      d.positions.set([r * k * Math.cos(phi), r * u, r * k * Math.sin(phi)], i * 3);
      d.scales.set([0.004 + 0.004 * rand(), 0.004 + 0.004 * rand(), 0.001], i * 3);
      d.colors.set([rand(), rand(), rand()], i * 3);
      d.opacities[i] = 0.5 + 0.5 * rand();
    }
    const avatar = await createSplatAvatar(d, 0);
    const buildMs = performance.now() - tBuild0;
    s.loadAvatar(avatar);
    let sortMs = NaN;
    // Spark creates its sort worker on first use: time its calls from the frame it exists.
    let timedWorker: object | null = null;
    const timeSorts = (): void => {
      const worker = s.spark?.sortWorker;
      if (!worker || worker === timedWorker) return;
      timedWorker = worker;
      const call = worker.call.bind(worker);
      worker.call = (async (name: string, args: unknown) => {
        const t0 = performance.now();
        const result = await call(name as never, args as never);
        if (name === 'sortSplats32') sortMs = performance.now() - t0;
        return result;
      }) as typeof worker.call;
    };
    const gl = s.renderer.getContext();
    const px = new Uint8Array(4);
    const prepTimes: number[] = [], sortTimes: number[] = [], drawTimes: number[] = [];
    for (let f = 0; f < frames; f++) {
      s.setOrbit((f / Math.max(1, frames)) * Math.PI * 0.5, 0);
      timeSorts();
      sortMs = NaN;
      const t0 = performance.now();
      await s.prepare();
      const t1 = performance.now();
      s.render();
      gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, px); // waits for the GPU
      prepTimes.push(t1 - t0);
      drawTimes.push(performance.now() - t1);
      sortTimes.push(sortMs);
    }
    const median = (xs: number[]): number => {
      const v = xs.filter((x) => Number.isFinite(x)).sort((p, q) => p - q);
      return v.length ? v[Math.floor(v.length / 2)]! : NaN;
    };
    return {
      splatCount,
      buildMs,
      firstFrameMs: (prepTimes[0] ?? NaN) + (drawTimes[0] ?? NaN),
      medianPrepareMs: median(prepTimes.slice(1)),
      medianSortWorkerMs: median(sortTimes.slice(1)),
      medianDrawMs: median(drawTimes.slice(1)),
      medianFrameMs: median(prepTimes.slice(1).map((p, i) => p + drawTimes[i + 1]!)),
    };
  },
  async profileFrames(frameCount, format) {
    const s = need(scene, 'scene');
    const t = need(track, 'track');
    const gl = s.renderer.getContext();
    const px = new Uint8Array(4);
    const steps: Record<'poseMs' | 'prepareMs' | 'drawMs' | 'readbackMs' | 'frameMs', number[]> = { poseMs: [], prepareMs: [], drawMs: [], readbackMs: [], frameMs: [] };
    for (let i = 0; i < frameCount; i++) {
      const t0 = performance.now();
      s.applyFrame(frameOf(t, i % t.frameCount));
      const t1 = performance.now();
      await s.prepare();
      const t2 = performance.now();
      s.render();
      s.renderer.setRenderTarget(null);
      gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, px); // waits for the GPU
      const t3 = performance.now();
      s.readPixels(format);
      const t4 = performance.now();
      steps.poseMs.push(t1 - t0);
      steps.prepareMs.push(t2 - t1);
      steps.drawMs.push(t3 - t2);
      steps.readbackMs.push(t4 - t3);
      steps.frameMs.push(t4 - t0);
    }
    const median = (xs: number[]): number => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)] ?? NaN;
    return Object.fromEntries(Object.entries(steps).map(([k, v]) => [k, median(v)]));
  },
  dispose() {
    scene?.dispose();
    scene = null;
    decoders?.dispose();
    decoders = null;
    track = null;
  },
};

(window as unknown as { studioExport: ExportPageApi }).studioExport = api;

// A port host (the desktop app's render window: its preload forwards the port from the main process) takes over the
// page's transport: the first port handed over by this window's own origin wins, later ones are ignored.
let portHosted = false;
window.addEventListener('message', (e: MessageEvent) => {
  if (portHosted || e.data !== EXPORT_PORT_MESSAGE || e.origin !== window.location.origin || e.ports.length !== 1) return;
  portHosted = true;
  sendFrame = serveExportPort(e.ports[0]!, api);
});
