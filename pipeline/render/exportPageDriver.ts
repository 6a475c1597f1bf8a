/**
 * What every render host does with the export page (renderer/scene/exportPage.ts), whatever carries the calls and
 * frames: the {@link SceneRenderHost} interface the export job renders through, and {@link ExportPageDriver}, its one
 * implementation over an {@link ExportPageTransport}. Two transports exist: the CLI's headless Chromium (playwright
 * calls + HTTP frame POSTs, ./renderHost.ts) and the desktop app's hidden Electron window (a MessagePort,
 * ./portRenderHost.ts). Both drive the same page methods with the same arguments, so both render the same frames.
 */
import { packTrackArrays } from '../../core/motion/packedTrack.ts';
import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { InvalidInputError, JobCancelledError, StudioError } from '../../core/errors.ts';
import type { FaceLandmarks } from '../../core/face/types.ts';
import type { MotionFrame, MotionTrack } from '../../core/motion/track.ts';
import type { ExportPageMethod } from '../../core/render/exportPageProtocol.ts';
import type { DecodedImage } from '../image/decodeImage.ts';
import { avatarErrorFromPage, inspectAvatarBytes, readAvatarFile, type AvatarFile } from '../avatars/avatarFile.ts';

/** Background behind the head (see the scene module). */
export type RenderBackground = 'photo' | 'transparent' | { color: string | number };
/** Framing presets (see the scene module). */
export type RenderFraming = 'head' | 'upperBody' | 'photo';
/** Layout of frames coming back from the page. */
export type RenderPixelFormat = 'rgba' | 'yuv420p';

/** Options of a render host's launch. */
export interface RenderHostLaunchOptions {
  /** Output width, px (a multiple of 8 for YUV readback). */
  widthPx: number;
  /** Output height, px (a multiple of 4 for YUV readback). */
  heightPx: number;
  /** Chromium binary (CLI host only); default `CHROME_PATH` env, else the bundled Chromium or a system one (./renderBrowser.ts). */
  chromePath?: string;
  /** Background; default `photo`. */
  background?: RenderBackground;
  /** Framing; default `photo` (the square crop of the photo around the face). */
  framing?: RenderFraming;
  /** Cancels the launch. */
  signal?: AbortSignal;
  /**
   * Mesh avatars' morphs and skinning on the CPU: default (undefined) when the page's WebGL is a software rasteriser
   * (SwiftShader, as here); false keeps three's vertex-shader path (bench/avatar.ts compares the two).
   */
  avatarCpuDeform?: boolean;
  /**
   * Cheaper materials for mesh avatars (renderer/avatars/softwareShading.ts): default (undefined) when the page's WebGL
   * is a software rasteriser; false keeps the avatar's own materials (bench/avatar.ts compares the two).
   */
  avatarSoftwareShading?: boolean;
  /**
   * Splat avatars' static parts (photo plate, body) drawn once per view and cached (renderer/avatars/staticLayer.ts):
   * default (undefined) when the page's WebGL is a software rasteriser; false draws them every frame.
   */
  avatarStaticLayer?: boolean;
}

/** The view chosen for a portrait. */
export interface LoadedPortraitInfo {
  /** Photo rectangle the rest camera frames, in the photo's pixels (as decoded). */
  cropPx: { xPx: number; yPx: number; widthPx: number; heightPx: number };
}

/** What a host loaded for an avatar and how the camera frames it. */
export interface LoadedAvatarInfo {
  kind: 'splat' | 'glb' | 'lam';
  /** Rest bounds, world metres (three.js axes: +Y up, the avatar faces +Z). */
  boxMinM: [number, number, number];
  boxMaxM: [number, number, number];
  /** Camera distance from the bounds' centre at rest, metres. */
  distanceM: number;
  /** Gaussians (splat/LAM), 0 for GLB. */
  splatCount: number;
  /** GLB channel counts (`morphMeshCount`, `arkitChannels`, `visemeChannels`, `hasHeadBone`, `hasEyeBones`) or LAM `arkitChannels`. */
  info: Record<string, unknown>;
}

/** Options of {@link SceneRenderHost.renderFrames}. */
export interface RenderFramesOptions {
  /** First frame (default 0). */
  fromFrame?: number;
  /** End frame, exclusive (default `track.frameCount`). */
  toFrame?: number;
  /** Default `yuv420p` when the size allows it, else `rgba`. */
  pixelFormat?: RenderPixelFormat;
  /** Camera orbit yaw, radians (+ = camera to the viewer's right). */
  orbitYawRad?: number;
  /** Camera orbit pitch, radians. */
  orbitPitchRad?: number;
  /** Frames the page may have in flight (default 3). */
  maxInFlight?: number;
  signal?: AbortSignal;
}

/** Options of {@link SceneRenderHost.renderEncoded}. */
export type RenderEncodedOptions = RenderFramesOptions & {
  /** Bits/s; default ≈ 0.6 bit per pixel per frame. */
  bitrate?: number;
  /** Frames between key frames; default 2 s of frames. */
  keyFrameInterval?: number;
  /** Frame rate for the encoder's rate control; default the track's. */
  fps?: { num: number; den: number };
};

/** Options of {@link SceneRenderHost.renderStill}. */
export interface RenderStillOptions {
  orbitYawRad?: number;
  orbitPitchRad?: number;
  /** Default `rgba`. */
  pixelFormat?: RenderPixelFormat;
}

/**
 * A render host as the export job uses it: one export page with a scene, wherever it runs. Implemented by
 * {@link ExportPageDriver} (and so by the CLI's `RenderHost` and the desktop app's `PortRenderHost`).
 */
export interface SceneRenderHost {
  /** Output width, px. */
  readonly widthPx: number;
  /** Output height, px. */
  readonly heightPx: number;
  /** Whether {@link renderEncoded} can work here (WebCodecs H.264 at this size); undefined = not asked (assumed). */
  readonly canEncodeH264?: boolean;
  loadPortrait(image: DecodedImage, face: FaceLandmarks): Promise<LoadedPortraitInfo>;
  loadPortraitSplats(image: DecodedImage, face: FaceLandmarks, opts?: { surround?: boolean }): Promise<LoadedAvatarInfo>;
  loadAvatar(bytes: Uint8Array, fileName: string): Promise<LoadedAvatarInfo>;
  loadAvatarFile(filePath: string): Promise<LoadedAvatarInfo>;
  renderFrames(track: MotionTrack, opts?: RenderFramesOptions): AsyncGenerator<Uint8Array, void, undefined>;
  renderEncoded(track: MotionTrack, opts?: RenderEncodedOptions): AsyncGenerator<Uint8Array, void, undefined>;
  renderStill(frame: Pick<MotionFrame, 'blendshapes'> & Partial<MotionFrame>, opts?: RenderStillOptions): Promise<Uint8Array>;
  dispose(): Promise<void>;
}

/** Receives the frames of one request: resolves true when the consumer took the frame, false to stop the page. */
export type FrameSink = (frameIndex: number, bytes: Uint8Array) => Promise<boolean>;

/** How a host reaches its page. */
export interface ExportPageTransport {
  /**
   * Runs `window.studioExport[method](...args)` in the page.
   * @returns the method's (structured-cloned) value.
   * @throws Error with the page's message; a StudioError when the page itself is gone (passed on unchanged).
   */
  call(method: ExportPageMethod, args: unknown[]): Promise<unknown>;
  /**
   * What the page reads `bytes` from: a URL on the page's origin (HTTP host) or the bytes themselves (port host).
   * `null` forgets the bytes of that name.
   */
  bytesSource(name: 'portrait' | 'avatar' | 'track', bytes: Uint8Array | null): unknown;
  /** Routes the frames the page sends for `requestId` to `sink` (`null` removes the route). */
  setSink(requestId: string, sink: FrameSink | null): void;
}

/** Largest photo side sent to the page (landmarks are scaled with the photo). */
const MAX_TEXTURE_SIDE_PX = 4096;

/**
 * One-line message of a page error (playwright prefixes `page.evaluate: ` and appends a call log).
 * @param err - what a transport call rejected with.
 * @returns the first line of its message.
 */
export function pageMessage(err: unknown): string {
  const m = err instanceof Error ? err.message : String(err);
  return m.replace(/^page\.evaluate: /, '').split('\n')[0] ?? m;
}

/** A StudioError from the transport (the page is gone, the host was disposed) passes on; anything else is wrapped. */
function rethrow(err: unknown, wrap: (message: string) => Error): never {
  if (err instanceof StudioError) throw err;
  throw wrap(pageMessage(err));
}

/**
 * Splits one frame message of batched access units: repeated `[uint32 LE byte length][bytes]`.
 * @param body - the bytes the page sent (renderer/scene/exportPage.ts `packBatch`).
 * @returns the units (views into `body`), or null when the lengths do not add up.
 */
export function unpackBatch(body: Uint8Array): Uint8Array[] | null {
  const units: Uint8Array[] = [];
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  let at = 0;
  while (at < body.byteLength) {
    if (at + 4 > body.byteLength) return null;
    const n = view.getUint32(at, true);
    if (at + 4 + n > body.byteLength) return null;
    units.push(body.subarray(at + 4, at + 4 + n));
    at += 4 + n;
  }
  return units;
}

/** The export page's scene driven through a transport; see the module comment. One owner, one {@link dispose}. */
export class ExportPageDriver implements SceneRenderHost {
  /** Output width, px. */
  readonly widthPx: number;
  /** Output height, px. */
  readonly heightPx: number;
  /** Whether the page's WebCodecs can encode H.264 at this size; set by hosts that ask (the port host), else undefined. */
  canEncodeH264?: boolean;
  private readonly transport: ExportPageTransport;
  private sentTrack: MotionTrack | null = null;
  private disposed = false;

  /**
   * @param widthPx - output width, px (the page was initialised with it).
   * @param heightPx - output height, px.
   * @param transport - how calls and frames reach the page.
   */
  protected constructor(widthPx: number, heightPx: number, transport: ExportPageTransport) {
    this.widthPx = widthPx;
    this.heightPx = heightPx;
    this.transport = transport;
  }

  /**
   * Builds the photo head in the page.
   * @param image - decoded portrait (`[h, w, 4]` RGBA).
   * @param face - its landmarks (478 or 468 points, image px).
   * @param restExpression - the portrait's 52 rest weights (pipeline/face/portraitRest.ts); the page measures them
   *   from the landmarks when absent.
   * @returns the framing crop in the photo's pixels.
   * @throws InvalidInputError when the landmarks do not match the image or the page cannot build the head.
   */
  async loadPortrait(image: DecodedImage, face: FaceLandmarks, restExpression?: Float32Array): Promise<LoadedPortraitInfo> {
    this.assertLive();
    checkPortrait(image, face);
    const { rgba, w, h, lm, sx, sy } = await this.resampledPortrait(image, face);
    try {
      const res = (await this.transport.call('loadPortrait', [this.transport.bytesSource('portrait', rgba), w, h, lm, face.landmarkCount, restExpression ? Array.from(restExpression) : null])) as { cropPx: LoadedPortraitInfo['cropPx'] };
      const c = res.cropPx;
      return { cropPx: { xPx: c.xPx / sx, yPx: c.yPx / sy, widthPx: c.widthPx / sx, heightPx: c.heightPx / sy } };
    } catch (err) {
      rethrow(err, (m) => new InvalidInputError(`Could not build the head: ${m}`));
    }
  }

  /**
   * The photo resampled (Lanczos-3) so that the framed crop maps ~1:1 onto output pixels: the GPU's bilinear sampling
   * then reproduces a high-quality resize instead of blurring (minification) or blocking (magnification); the
   * landmarks scaled to match. Used by the mesh head and the splat head alike (the same plate, matte and picture).
   */
  private async resampledPortrait(image: DecodedImage, face: FaceLandmarks): Promise<{ rgba: Uint8Array; w: number; h: number; lm: number[]; sx: number; sy: number }> {
    const lmFull = Array.from(face.landmarksPx.subarray(0, face.landmarkCount * 3));
    const crop = (await this.transport.call('cropFor', [image.widthPx, image.heightPx, lmFull])) as LoadedPortraitInfo['cropPx'];
    let scale = this.heightPx / crop.heightPx;
    scale = Math.min(scale, MAX_TEXTURE_SIDE_PX / Math.max(image.widthPx, image.heightPx));
    let rgba = image.rgba;
    let w = image.widthPx;
    let h = image.heightPx;
    if (Math.abs(scale - 1) > 0.02) {
      w = Math.max(1, Math.round(image.widthPx * scale));
      h = Math.max(1, Math.round(image.heightPx * scale));
      rgba = new Uint8Array(await sharp(Buffer.from(image.rgba.buffer, image.rgba.byteOffset, image.rgba.byteLength), { raw: { width: image.widthPx, height: image.heightPx, channels: 4 } }).resize(w, h, { kernel: 'lanczos3', fit: 'fill' }).raw().toBuffer());
    }
    const sx = w / image.widthPx;
    const sy = h / image.heightPx;
    const lm = lmFull.map((v, i) => (i % 3 === 0 ? v * sx : i % 3 === 1 ? v * sy : v * sx));
    return { rgba, w, h, lm, sx, sy };
  }

  /**
   * Shows the portrait's photo head as Gaussian splats bound to its rigged face mesh (colours from the photo,
   * centres from the ARKit rig every frame; renderer/avatars/photoHeadSplats.ts) instead of the mesh head;
   * {@link renderFrames}/{@link renderStill} then render it like any avatar.
   * @param image - decoded portrait (`[h, w, 4]` RGBA).
   * @param face - its landmarks (478 or 468 points, image px).
   * @param opts - `surround` (default true): also the person around the face (hair, ears, neck, shoulders, from
   * the person matte on the photo head's depth proxy); false = the face surface only.
   * @returns bounds, framing distance and the Gaussian count.
   * @throws InvalidInputError when the landmarks do not match the image.
   */
  async loadPortraitSplats(image: DecodedImage, face: FaceLandmarks, opts: { surround?: boolean } = {}): Promise<LoadedAvatarInfo> {
    this.assertLive();
    checkPortrait(image, face);
    // The same resampled photo as the mesh head's (the same plate, matte and picture at rest).
    const { rgba, w, h, lm } = await this.resampledPortrait(image, face);
    try {
      return (await this.transport.call('loadPortraitSplats', [this.transport.bytesSource('portrait', rgba), w, h, lm, face.landmarkCount, opts.surround ?? true])) as LoadedAvatarInfo;
    } catch (err) {
      rethrow(err, (m) => new InvalidInputError(`Could not build the splat head: ${m}`));
    }
  }

  /**
   * Shows an avatar (GLB with ARKit/viseme morphs, .ply/.splat/.spz/.ksplat/.sog splats, LAM zip) instead of the
   * photo head; {@link renderFrames} and {@link renderStill} then render it exactly as they render a portrait.
   * @param bytes - the file's contents; checked in Node first (`inspectAvatarBytes`: parsers, morphs, package parts).
   * @param fileName - name with extension (format detection and messages).
   * @returns bounds, framing distance and counts.
   * @throws InvalidInputError (empty/huge); SplatFormatError subclasses (malformed splat file); AvatarPackageError
   * (bad GLB / LAM package, nothing to drive); StudioError `AVATAR_LOAD_FAILED` when the page cannot build it.
   */
  async loadAvatar(bytes: Uint8Array, fileName: string): Promise<LoadedAvatarInfo> {
    this.assertLive();
    return this.loadCheckedAvatar(inspectAvatarBytes(bytes, fileName));
  }

  /**
   * Reads, checks and shows an avatar file (see {@link loadAvatar}).
   * @param filePath - path to the avatar file.
   * @returns bounds, framing distance and counts.
   * @throws InvalidInputError for a missing file, and what {@link loadAvatar} throws.
   */
  async loadAvatarFile(filePath: string): Promise<LoadedAvatarInfo> {
    this.assertLive();
    return this.loadCheckedAvatar(await readAvatarFile(filePath));
  }

  private async loadCheckedAvatar(file: AvatarFile): Promise<LoadedAvatarInfo> {
    let res: LoadedAvatarInfo | { error: { code: string; message: string } };
    try {
      res = (await this.transport.call('loadAvatar', [this.transport.bytesSource('avatar', file.bytes), file.kind, file.fileName])) as typeof res;
    } catch (err) {
      rethrow(err, (m) => new StudioError('AVATAR_LOAD_FAILED', `Could not load the avatar ${file.fileName}: ${m}`, { fileName: file.fileName }));
    } finally {
      this.transport.bytesSource('avatar', null);
    }
    if ('error' in res) throw avatarErrorFromPage(res.error, file.fileName);
    return res;
  }

  /**
   * Renders frames `[fromFrame, toFrame)` of a track and yields their bytes in order.
   * @param track - the motion track.
   * @param opts - range, pixel format, orbit, in-flight window, signal.
   * @returns an async iterable of frames: `rgba` `[h, w, 4]` or `yuv420p` (Y, U, V planes), rows top-first.
   * @throws JobCancelledError when `signal` aborts; InvalidInputError for a bad range or format; StudioError
   * `RENDER_FAILED` when the page fails, or the transport's own error (e.g. `RENDER_WINDOW_GONE`).
   */
  renderFrames(track: MotionTrack, opts: RenderFramesOptions = {}): AsyncGenerator<Uint8Array, void, undefined> {
    this.assertLive();
    const format = opts.pixelFormat ?? (this.canYuv() ? 'yuv420p' : 'rgba');
    if (format === 'yuv420p' && !this.canYuv()) throw new InvalidInputError(`YUV readback needs a width multiple of 8 and a height multiple of 4, got ${this.widthPx}×${this.heightPx}`);
    return this.stream(track, opts, 'renderRange', { format });
  }

  /**
   * Renders frames `[fromFrame, toFrame)` and encodes them to H.264 inside the page (WebCodecs), yielding one
   * Annex-B access unit per frame, in order — about 10–50 KB per frame instead of 1.5 bytes per pixel, so the
   * transfer to Node costs almost nothing. Feed them to `encodeVideo` with `pixelFormat: 'h264'` (stream copy + audio).
   * @param track - the motion track.
   * @param opts - range, orbit, in-flight window, signal, `bitrate` (bits/s; default ≈ 0.6 bit per pixel per frame),
   * `keyFrameInterval` (default 2 s of frames).
   * @returns an async iterable of Annex-B H.264 access units (High profile, BT.601 limited range).
   * @throws JobCancelledError when `signal` aborts; InvalidInputError for a bad range or a size that is not a multiple of 8×4.
   * @remarks The page reads the frame back as YUV 4:2:0 (the same GPU conversion as {@link renderFrames}) and wraps it
   * in a `VideoFrame`; Chromium's software H.264 encoder (OpenH264) runs in realtime mode (no B-frames).
   */
  renderEncoded(track: MotionTrack, opts: RenderEncodedOptions = {}): AsyncGenerator<Uint8Array, void, undefined> {
    this.assertLive();
    if (!this.canYuv()) throw new InvalidInputError(`In-page encoding needs a width multiple of 8 and a height multiple of 4, got ${this.widthPx}×${this.heightPx}`);
    const fps = opts.fps ?? track.fps;
    const fpsValue = fps.num / fps.den;
    return this.stream(track, opts, 'encodeRange', {
      fpsNum: fps.num,
      fpsDen: fps.den,
      bitrate: opts.bitrate ?? Math.round(this.widthPx * this.heightPx * fpsValue * 0.6),
      keyFrameInterval: opts.keyFrameInterval ?? Math.max(1, Math.round(2 * fpsValue)),
    });
  }

  private async *stream(track: MotionTrack, opts: RenderFramesOptions, method: 'renderRange' | 'encodeRange', extra: Record<string, unknown>): AsyncGenerator<Uint8Array, void, undefined> {
    const from = opts.fromFrame ?? 0;
    const to = opts.toFrame ?? track.frameCount;
    if (!(Number.isInteger(from) && Number.isInteger(to) && from >= 0 && to <= track.frameCount && from <= to)) throw new InvalidInputError(`Bad frame range [${from}, ${to}) for a track of ${track.frameCount} frames`);
    await this.sendTrack(track);
    const requestId = randomBytes(6).toString('hex');
    const queue = new Map<number, { bytes: Uint8Array; release: (ok: boolean) => void }>();
    let wake: (() => void) | null = null;
    const poke = (): void => {
      const w = wake;
      wake = null;
      w?.();
    };
    const batched = method === 'encodeRange';
    this.transport.setSink(requestId, (first, body) => {
      if (!batched) {
        return new Promise<boolean>((release) => {
          queue.set(first, { bytes: body, release });
          poke();
        });
      }
      // A batch of access units (renderer/scene/exportPage.ts packBatch): it is answered once the consumer has
      // taken the last of them.
      const units = unpackBatch(body);
      if (!units) return Promise.resolve(false);
      return new Promise<boolean>((release) => {
        units.forEach((bytes, k) => queue.set(first + k, { bytes, release: k === units.length - 1 ? release : () => undefined }));
        poke();
      });
    });
    let jobError: unknown = null;
    let jobDone = false;
    const job = this.transport
      .call(method, [{ requestId, fromFrame: from, toFrame: to, orbitYawRad: opts.orbitYawRad ?? 0, orbitPitchRad: opts.orbitPitchRad ?? 0, maxInFlight: opts.maxInFlight ?? 3, ...extra }])
      .then(
        () => {
          jobDone = true;
          poke();
        },
        (err: unknown) => {
          jobError = err;
          jobDone = true;
          poke();
        },
      );
    const signal = opts.signal;
    signal?.addEventListener('abort', poke);
    try {
      for (let i = from; i < to; i++) {
        while (!queue.has(i)) {
          if (signal?.aborted) throw new JobCancelledError();
          if (jobError) rethrow(jobError, (m) => new StudioError('RENDER_FAILED', `Rendering failed: ${m}`));
          if (jobDone) throw new StudioError('RENDER_FAILED', `The page stopped before frame ${i}`);
          await new Promise<void>((r) => (wake = r));
        }
        const item = queue.get(i)!;
        queue.delete(i);
        item.release(true);
        yield item.bytes;
      }
      await job;
    } finally {
      signal?.removeEventListener('abort', poke);
      this.transport.setSink(requestId, null);
      for (const q of queue.values()) q.release(false);
      await job;
    }
  }

  /**
   * Renders one frame.
   * @param frame - blendshapes (52), optional gaze/head pose; a `MotionFrame` works.
   * @param opts - orbit and pixel format.
   * @returns the frame bytes (RGBA `[h, w, 4]` by default), rows top-first.
   * @throws StudioError `RENDER_FAILED` when the page fails or sends nothing.
   */
  async renderStill(frame: Pick<MotionFrame, 'blendshapes'> & Partial<MotionFrame>, opts: RenderStillOptions = {}): Promise<Uint8Array> {
    this.assertLive();
    const requestId = randomBytes(6).toString('hex');
    let got: Uint8Array | null = null;
    this.transport.setSink(requestId, (_i, bytes) => {
      got = bytes;
      return Promise.resolve(true);
    });
    try {
      await this.transport.call('renderStill', [
        {
          blendshapes: Array.from(frame.blendshapes),
          visemes: frame.visemes ? Array.from(frame.visemes) : undefined,
          gazeRad: frame.gazeRad ? Array.from(frame.gazeRad) : undefined,
          headRotation: frame.headRotation ? Array.from(frame.headRotation) : undefined,
          headTranslationM: frame.headTranslationM ? Array.from(frame.headTranslationM) : undefined,
        },
        requestId,
        opts.pixelFormat ?? 'rgba',
        opts.orbitYawRad ?? 0,
        opts.orbitPitchRad ?? 0,
      ]);
    } catch (err) {
      rethrow(err, (m) => new StudioError('RENDER_FAILED', `Rendering failed: ${m}`));
    } finally {
      this.transport.setSink(requestId, null);
    }
    if (!got) throw new StudioError('RENDER_FAILED', 'The page sent no frame');
    return got;
  }

  /**
   * Benchmark helper: renders `frameCount` frames of `track` inside the page without moving them to Node.
   * @param track - motion to render.
   * @param frameCount - frames to render.
   * @param readback - also read the pixels back in the page (`rgba`/`yuv420p`), or `null` for rendering alone.
   * @param waitEachFrame - without readback: wait for the GPU after every frame (default), or only after the last
   * one (frames queued back to back: the renderer's throughput).
   * @returns frames per second measured in the page.
   */
  async benchRenderOnly(track: MotionTrack, frameCount: number, readback: RenderPixelFormat | null, waitEachFrame = true): Promise<number> {
    return (await this.benchRenderStages(track, frameCount, readback, waitEachFrame)).fps;
  }

  /**
   * Benchmark helper: as {@link benchRenderOnly}, with the mean time per frame of each stage in the page.
   * @param track - track to pose from (frames taken cyclically).
   * @param frameCount - frames to draw.
   * @param readback - also read the pixels back (`rgba`/`yuv420p`), or null.
   * @param waitEachFrame - see {@link benchRenderOnly}.
   * @returns `fps`, and ms per frame: `poseMs` (applyFrame: morph weights, bones, CPU deformation), `drawMs` (render
   * until the GPU has finished), `readbackMs` (0 without readback).
   */
  async benchRenderStages(track: MotionTrack, frameCount: number, readback: RenderPixelFormat | null, waitEachFrame = true): Promise<{ fps: number; poseMs: number; drawMs: number; readbackMs: number }> {
    this.assertLive();
    await this.sendTrack(track);
    return (await this.transport.call('benchRenderOnly', [frameCount, readback, waitEachFrame])) as { fps: number; poseMs: number; drawMs: number; readbackMs: number };
  }

  /**
   * Benchmark helper: Spark's preview cost on a seeded synthetic splat cloud, in the page (see the export page's
   * `benchSplats`).
   * @param splatCount - Gaussians in the cloud.
   * @param frames - frames drawn with the camera orbiting (each needs a fresh sort).
   * @param seed - cloud seed.
   * @returns times in ms (`buildMs`, `firstFrameMs`, medians `medianPrepareMs`, `medianSortWorkerMs`,
   * `medianDrawMs`, `medianFrameMs`) and `splatCount`.
   */
  async benchSplats(splatCount: number, frames: number, seed: number): Promise<Record<string, number>> {
    this.assertLive();
    return (await this.transport.call('benchSplats', [splatCount, frames, seed])) as Record<string, number>;
  }

  /**
   * Benchmark helper: where an export frame's time goes for what is shown (see the export page's `profileFrames`).
   * @param track - the motion track (frames are taken in order, wrapping).
   * @param frameCount - frames to draw, ≥ 1.
   * @param readback - readback layout timed after each draw.
   * @returns median ms per step: `poseMs`, `prepareMs`, `drawMs`, `readbackMs`, `frameMs`.
   */
  async profileFrames(track: MotionTrack, frameCount: number, readback: RenderPixelFormat): Promise<Record<string, number>> {
    this.assertLive();
    await this.sendTrack(track);
    return (await this.transport.call('profileFrames', [frameCount, readback])) as Record<string, number>;
  }

  /** Releases the page and what hosts it; safe to call twice. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.close();
  }

  /** Closes what hosts the page (the browser, the window); called once by {@link dispose}. */
  protected async close(): Promise<void> {}

  /** Whether the output size allows the GPU YUV 4:2:0 readback (width multiple of 8, height of 4). */
  protected canYuv(): boolean {
    return this.widthPx % 8 === 0 && this.heightPx % 4 === 0;
  }

  private assertLive(): void {
    if (this.disposed) throw new StudioError('RENDER_HOST_DISPOSED', 'The render host was disposed');
  }

  private async sendTrack(track: MotionTrack): Promise<void> {
    if (this.sentTrack === track) return;
    // One binary buffer (core/motion/packedTrack.ts): `page.evaluate` arguments are serialised value by value, and an
    // hour of motion (90 000 frames × 78 numbers) took Node from 0.3 to over 1.1 GB that way. Dropped once the page has it.
    const packed = packTrackArrays(track);
    try {
      await this.transport.call('loadTrack', [this.transport.bytesSource('track', new Uint8Array(packed.buffer, packed.byteOffset, packed.byteLength)), track.frameCount]);
    } finally {
      this.transport.bytesSource('track', null);
    }
    this.sentTrack = track;
  }
}

/** @throws InvalidInputError when the pixels or landmarks do not fit together. */
function checkPortrait(image: DecodedImage, face: FaceLandmarks): void {
  if (image.rgba.length !== image.widthPx * image.heightPx * 4) throw new InvalidInputError(`Portrait pixels: expected ${image.widthPx * image.heightPx * 4} bytes, got ${image.rgba.length}`);
  if (face.landmarkCount < 468 || face.landmarksPx.length < face.landmarkCount * 3) throw new InvalidInputError(`Face landmarks: expected ≥ 468 points, got ${face.landmarkCount}`);
}
