/**
 * The render host for export and tests: the scene bundle (renderer/scene/exportPage.ts) in a headless Chromium,
 * driven through playwright-core, with frames streamed back to Node with back-pressure.
 *
 * @remarks Transport: a private HTTP server on 127.0.0.1 serves the page and the portrait; the page POSTs each
 * frame's bytes (RGBA or YUV 4:2:0 packed on the GPU) to the same origin. A POST is answered only when the
 * consumer of {@link RenderHost.renderFrames} pulls that frame, and the page keeps at most `maxInFlight` POSTs
 * pending, so a slow encoder slows the renderer instead of filling memory; meanwhile the page already renders the
 * next frame (render and transfer overlap). Which Chromium and which switches: ./renderBrowser.ts (a private,
 * verified unpack of `@sparticuz/chromium`, or `CHROME_PATH` / `opts.chromePath`, or a system Chrome/Edge; sandbox on
 * except for root on Linux; no web-security or site-isolation switches).
 * The server trusts nothing either: every path lives under a per-run random token (`/<token>/…`, else 403), the
 * `Host` header must be this server's own `127.0.0.1:<port>` (else 403, against DNS rebinding), POST bodies are
 * capped (413), and the page is served with a strict CSP (no network beyond this origin). Chromium's profile and
 * temp files go to a private per-run folder under the user cache (`<cache>/render-runs/`), removed on dispose, so a
 * render leaves nothing in the system temp folder.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import sharp from 'sharp';
import { InvalidInputError, JobCancelledError, StudioError } from '../../core/errors.ts';
import type { FaceLandmarks } from '../../core/face/types.ts';
import type { MotionFrame, MotionTrack } from '../../core/motion/track.ts';
import type { DecodedImage } from '../image/decodeImage.ts';
import { ensureSceneBundle, EXPORT_PAGE_CSP } from './sceneBundle.ts';
import { ensurePrivateDir, resolveRenderBrowser, userCacheRoot, type RenderBrowserSource } from './renderBrowser.ts';
import { gltfDecoderFile } from './decoderFiles.ts';
import { avatarErrorFromPage, inspectAvatarBytes, readAvatarFile, type AvatarFile } from '../avatars/avatarFile.ts';

/** Background behind the head (see the scene module). */
export type RenderBackground = 'photo' | 'transparent' | { color: string | number };
/** Framing presets (see the scene module). */
export type RenderFraming = 'head' | 'upperBody' | 'photo';
/** Layout of frames coming back from the page. */
export type RenderPixelFormat = 'rgba' | 'yuv420p';

/** Options of {@link RenderHost.launch}. */
export interface RenderHostLaunchOptions {
  /** Output width, px (a multiple of 8 for YUV readback). */
  widthPx: number;
  /** Output height, px (a multiple of 4 for YUV readback). */
  heightPx: number;
  /** Chromium binary; default `CHROME_PATH` env, else the bundled Chromium or a system one (./renderBrowser.ts). */
  chromePath?: string;
  /** Background; default `photo`. */
  background?: RenderBackground;
  /** Framing; default `photo` (the square crop of the photo around the face). */
  framing?: RenderFraming;
  /** Cancels the launch. */
  signal?: AbortSignal;
}

/** The view chosen for a portrait. */
export interface LoadedPortraitInfo {
  /** Photo rectangle the rest camera frames, in the photo's pixels (as decoded). */
  cropPx: { xPx: number; yPx: number; widthPx: number; heightPx: number };
}

/** What {@link RenderHost.loadAvatar} loaded and how the camera frames it. */
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

/** Options of {@link RenderHost.renderFrames}. */
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

/** Options of {@link RenderHost.renderStill}. */
export interface RenderStillOptions {
  orbitYawRad?: number;
  orbitPitchRad?: number;
  /** Default `rgba`. */
  pixelFormat?: RenderPixelFormat;
}

type FrameSink = (frameIndex: number, bytes: Uint8Array) => Promise<boolean>;

/** Largest photo side sent to the page (landmarks are scaled with the photo). */
const MAX_TEXTURE_SIDE_PX = 4096;

/** A headless Chromium running the scene; one owner, one {@link dispose}. */
export class RenderHost {
  /** Output width, px. */
  readonly widthPx: number;
  /** Output height, px. */
  readonly heightPx: number;
  /** A tag passed on Chromium's command line (`--avatar-studio-host=<tag>`), to find its processes. */
  readonly processTag: string;
  /** Where the browser came from (`bundled`, `system`, `CHROME_PATH`, `option`). */
  readonly browserSource: RenderBrowserSource;
  /** Whether Chromium runs with its sandbox (false only as root on Linux). */
  readonly sandboxed: boolean;
  /** Origin of the page server (`http://127.0.0.1:<port>`); its paths need the per-run token, which stays private. */
  readonly pageOrigin: string;
  private readonly context: BrowserContext;
  private readonly page: Page;
  private readonly runDir: string;
  private readonly server: Server;
  private readonly sinks: Map<string, FrameSink>;
  private portrait: { rgba: Uint8Array; widthPx: number; heightPx: number } | null = null;
  private avatarBytes: Uint8Array | null = null;
  private sentTrack: MotionTrack | null = null;
  private disposed = false;

  private constructor(args: { widthPx: number; heightPx: number; context: BrowserContext; page: Page; server: Server; tag: string; sinks: Map<string, FrameSink>; runDir: string; source: RenderBrowserSource; sandboxed: boolean; pageOrigin: string }) {
    this.sinks = args.sinks;
    this.widthPx = args.widthPx;
    this.heightPx = args.heightPx;
    this.context = args.context;
    this.runDir = args.runDir;
    this.browserSource = args.source;
    this.sandboxed = args.sandboxed;
    this.pageOrigin = args.pageOrigin;
    this.page = args.page;
    this.server = args.server;
    this.processTag = args.tag;
  }

  /**
   * Starts Chromium with the scene page (building the bundle when stale).
   * @param opts - see {@link RenderHostLaunchOptions}.
   * @returns a ready host.
   * @throws InvalidInputError for a bad size; JobCancelledError when `signal` aborts; StudioError
   * `RENDER_HOST_START` when Chromium or WebGL2 cannot start.
   */
  static async launch(opts: RenderHostLaunchOptions): Promise<RenderHost> {
    const { widthPx, heightPx, signal } = opts;
    if (!(Number.isInteger(widthPx) && Number.isInteger(heightPx) && widthPx >= 2 && heightPx >= 2 && widthPx <= 4096 && heightPx <= 4096)) {
      throw new InvalidInputError(`Render size must be integers in [2, 4096], got ${widthPx}×${heightPx}`);
    }
    if (signal?.aborted) throw new JobCancelledError();
    const bundle = await ensureSceneBundle();
    const tag = randomBytes(6).toString('hex');
    const token = randomBytes(24).toString('base64url');
    const sinks = new Map<string, FrameSink>();
    let hostRef: RenderHost | null = null;
    let port = 0;
    const maxBodyBytes = 12 * widthPx * heightPx + (1 << 20);
    const server = createServer((req, res) => void handle(req, res, { dir: bundle.dir, token, host: () => `127.0.0.1:${port}`, maxBodyBytes }, sinks, () => hostRef?.portrait ?? null, () => hostRef?.avatarBytes ?? null));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    port = (server.address() as AddressInfo).port;
    let context: BrowserContext | null = null;
    let runDir: string | null = null;
    let chromePath: string = opts.chromePath ?? process.env.CHROME_PATH ?? 'bundled';
    try {
      const browser = await resolveRenderBrowser({ chromePath: opts.chromePath });
      chromePath = browser.executablePath;
      runDir = await makeRunDir();
      const tmpDir = path.join(runDir, 'tmp');
      await mkdir(tmpDir, { mode: 0o700 });
      context = await chromium.launchPersistentContext(path.join(runDir, 'profile'), {
        executablePath: browser.executablePath,
        args: [...browser.args, `--avatar-studio-host=${tag}`],
        headless: true,
        chromiumSandbox: browser.sandbox,
        env: { ...process.env, TMPDIR: tmpDir, TMP: tmpDir, TEMP: tmpDir },
        viewport: { width: Math.min(widthPx, 1024), height: Math.min(heightPx, 1024) },
        ...({ artifactsDir: path.join(runDir, 'artifacts') } as object),
      });
      if (signal?.aborted) throw new JobCancelledError();
      const page = context.pages()[0] ?? (await context.newPage());
      const pageErrors: string[] = [];
      page.on('pageerror', (e) => pageErrors.push(e.message));
      if (process.env.AVATAR_STUDIO_DEBUG_PAGE) page.on('console', (m) => process.stderr.write(`[page] ${m.text()}\n`));
      await page.goto(`http://127.0.0.1:${port}/${token}/exportPage.html`);
      await page.waitForFunction(() => 'studioExport' in globalThis, undefined, { timeout: 30_000 });
      await page.evaluate(
        (o) => (globalThis as unknown as { studioExport: { init(o: unknown): void } }).studioExport.init(o),
        { widthPx, heightPx, background: opts.background ?? 'photo', framing: opts.framing ?? 'photo' },
      );
      if (pageErrors.length) throw new Error(pageErrors.join('; '));
      const host = new RenderHost({ widthPx, heightPx, context, page, server, tag, sinks, runDir, source: browser.source, sandboxed: browser.sandbox, pageOrigin: `http://127.0.0.1:${port}` });
      hostRef = host;
      return host;
    } catch (err) {
      await context?.close().catch(() => undefined);
      server.close();
      if (runDir) await rm(runDir, { recursive: true, force: true }).catch(() => undefined);
      if (err instanceof StudioError) throw err;
      throw new StudioError('RENDER_HOST_START', `Could not start the headless renderer (${chromePath}): ${(err as Error).message.split('\n')[0]}`, { chromePath }, { cause: err });
    }
  }

  /**
   * Builds the photo head in the page.
   * @param image - decoded portrait (`[h, w, 4]` RGBA).
   * @param face - its landmarks (478 or 468 points, image px).
   * @returns the framing crop in the photo's pixels.
   * @throws InvalidInputError when the landmarks do not match the image.
   */
  async loadPortrait(image: DecodedImage, face: FaceLandmarks): Promise<LoadedPortraitInfo> {
    this.assertLive();
    if (image.rgba.length !== image.widthPx * image.heightPx * 4) throw new InvalidInputError(`Portrait pixels: expected ${image.widthPx * image.heightPx * 4} bytes, got ${image.rgba.length}`);
    if (face.landmarkCount < 468 || face.landmarksPx.length < face.landmarkCount * 3) throw new InvalidInputError(`Face landmarks: expected ≥ 468 points, got ${face.landmarkCount}`);
    type Api = { studioExport: { loadPortrait(...x: unknown[]): Promise<{ cropPx: LoadedPortraitInfo['cropPx'] }> } };
    const { rgba, w, h, lm, sx, sy } = await this.resampledPortrait(image, face);
    this.portrait = { rgba, widthPx: w, heightPx: h };
    try {
      const res = await this.page.evaluate((a) => (globalThis as unknown as Api).studioExport.loadPortrait(a.url, a.w, a.h, a.lm, a.n), { url: `portrait.rgba?${randomBytes(4).toString('hex')}`, w, h, lm, n: face.landmarkCount });
      const c = res.cropPx;
      return { cropPx: { xPx: c.xPx / sx, yPx: c.yPx / sy, widthPx: c.widthPx / sx, heightPx: c.heightPx / sy } };
    } catch (err) {
      throw new InvalidInputError(`Could not build the head: ${pageMessage(err)}`);
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
   * The photo resampled (Lanczos-3) so that the framed crop maps ~1:1 onto output pixels: the GPU's bilinear sampling
   * then reproduces a high-quality resize instead of blurring (minification) or blocking (magnification); the
   * landmarks scaled to match.
   */
  private async resampledPortrait(image: DecodedImage, face: FaceLandmarks): Promise<{ rgba: Uint8Array; w: number; h: number; lm: number[]; sx: number; sy: number }> {
    const lmFull = Array.from(face.landmarksPx.subarray(0, face.landmarkCount * 3));
    type Api = { studioExport: { cropFor(...x: unknown[]): LoadedPortraitInfo['cropPx'] } };
    const crop = await this.page.evaluate((a) => (globalThis as unknown as Api).studioExport.cropFor(a.w, a.h, a.lm), { w: image.widthPx, h: image.heightPx, lm: lmFull });
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
    if (image.rgba.length !== image.widthPx * image.heightPx * 4) throw new InvalidInputError(`Portrait pixels: expected ${image.widthPx * image.heightPx * 4} bytes, got ${image.rgba.length}`);
    if (face.landmarkCount < 468 || face.landmarksPx.length < face.landmarkCount * 3) throw new InvalidInputError(`Face landmarks: expected ≥ 468 points, got ${face.landmarkCount}`);
    // The same resampled photo as the mesh head's (the same plate, matte and picture at rest).
    const { rgba, w, h, lm } = await this.resampledPortrait(image, face);
    this.portrait = { rgba, widthPx: w, heightPx: h };
    type Api = { studioExport: { loadPortraitSplats(...x: unknown[]): Promise<LoadedAvatarInfo> } };
    try {
      return await this.page.evaluate((a) => (globalThis as unknown as Api).studioExport.loadPortraitSplats(a.url, a.w, a.h, a.lm, a.n, a.surround), { url: `portrait.rgba?${randomBytes(4).toString('hex')}`, w, h, lm, n: face.landmarkCount, surround: opts.surround ?? true });
    } catch (err) {
      throw new InvalidInputError(`Could not build the splat head: ${pageMessage(err)}`);
    }
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
    this.avatarBytes = file.bytes;
    type Api = { studioExport: { loadAvatar(...x: unknown[]): Promise<LoadedAvatarInfo | { error: { code: string; message: string } }> } };
    let res: LoadedAvatarInfo | { error: { code: string; message: string } };
    try {
      res = await this.page.evaluate((a) => (globalThis as unknown as Api).studioExport.loadAvatar(a.url, a.kind, a.fileName), { url: `avatar.bin?${randomBytes(4).toString('hex')}`, kind: file.kind, fileName: file.fileName });
    } catch (err) {
      throw new StudioError('AVATAR_LOAD_FAILED', `Could not load the avatar ${file.fileName}: ${pageMessage(err)}`, { fileName: file.fileName });
    } finally {
      this.avatarBytes = null;
    }
    if ('error' in res) throw avatarErrorFromPage(res.error, file.fileName);
    return res;
  }

  /**
   * Renders frames `[fromFrame, toFrame)` of a track and yields their bytes in order.
   * @param track - the motion track.
   * @param opts - range, pixel format, orbit, in-flight window, signal.
   * @returns an async iterable of frames: `rgba` `[h, w, 4]` or `yuv420p` (Y, U, V planes), rows top-first.
   * @throws JobCancelledError when `signal` aborts; InvalidInputError for a bad range or format.
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
  renderEncoded(track: MotionTrack, opts: RenderFramesOptions & { bitrate?: number; keyFrameInterval?: number; fps?: { num: number; den: number } } = {}): AsyncGenerator<Uint8Array, void, undefined> {
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
    this.sinks.set(requestId, (first, body) => {
      if (!batched) {
        return new Promise<boolean>((release) => {
          queue.set(first, { bytes: body, release });
          poke();
        });
      }
      // A batch of access units (renderer/scene/exportPage.ts packBatch): the POST is answered once the consumer
      // has taken the last of them.
      const units = unpackBatch(body);
      if (!units) return Promise.resolve(false);
      return new Promise<boolean>((release) => {
        units.forEach((bytes, k) => queue.set(first + k, { bytes, release: k === units.length - 1 ? release : () => undefined }));
        poke();
      });
    });
    let jobError: unknown = null;
    let jobDone = false;
    const job = this.page
      .evaluate((a) => (globalThis as unknown as { studioExport: Record<string, (r: unknown) => Promise<unknown>> }).studioExport[a.method]!(a.req), {
        method,
        req: {
          requestId,
          fromFrame: from,
          toFrame: to,
          orbitYawRad: opts.orbitYawRad ?? 0,
          orbitPitchRad: opts.orbitPitchRad ?? 0,
          maxInFlight: opts.maxInFlight ?? 3,
          ...extra,
        },
      })
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
          if (jobError) throw new StudioError('RENDER_FAILED', `Rendering failed: ${pageMessage(jobError)}`);
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
      this.sinks.delete(requestId);
      for (const q of queue.values()) q.release(false);
      await job;
    }
  }

  /**
   * Renders one frame.
   * @param frame - blendshapes (52), optional gaze/head pose; a `MotionFrame` works.
   * @param opts - orbit and pixel format.
   * @returns the frame bytes (RGBA `[h, w, 4]` by default), rows top-first.
   */
  async renderStill(frame: Pick<MotionFrame, 'blendshapes'> & Partial<MotionFrame>, opts: RenderStillOptions = {}): Promise<Uint8Array> {
    this.assertLive();
    const requestId = randomBytes(6).toString('hex');
    let got: Uint8Array | null = null;
    this.sinks.set(requestId, (_i, bytes) => {
      got = bytes;
      return Promise.resolve(true);
    });
    try {
      await this.page.evaluate(
        (a) => (globalThis as unknown as { studioExport: { renderStill(...x: unknown[]): Promise<void> } }).studioExport.renderStill(a.frame, a.requestId, a.format, a.yaw, a.pitch),
        {
          frame: {
            blendshapes: Array.from(frame.blendshapes),
            visemes: frame.visemes ? Array.from(frame.visemes) : undefined,
            gazeRad: frame.gazeRad ? Array.from(frame.gazeRad) : undefined,
            headRotation: frame.headRotation ? Array.from(frame.headRotation) : undefined,
            headTranslationM: frame.headTranslationM ? Array.from(frame.headTranslationM) : undefined,
          },
          requestId,
          format: opts.pixelFormat ?? 'rgba',
          yaw: opts.orbitYawRad ?? 0,
          pitch: opts.orbitPitchRad ?? 0,
        },
      );
    } catch (err) {
      throw new StudioError('RENDER_FAILED', `Rendering failed: ${pageMessage(err)}`);
    } finally {
      this.sinks.delete(requestId);
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
    this.assertLive();
    await this.sendTrack(track);
    const res = await this.page.evaluate((a) => (globalThis as unknown as { studioExport: { benchRenderOnly(n: number, r: unknown, w: boolean): { fps: number } } }).studioExport.benchRenderOnly(a.n, a.r, a.w), { n: frameCount, r: readback, w: waitEachFrame });
    return res.fps;
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
    return this.page.evaluate((a) => (globalThis as unknown as { studioExport: { benchSplats(n: number, f: number, s: number): Promise<Record<string, number>> } }).studioExport.benchSplats(a.n, a.f, a.s), { n: splatCount, f: frames, s: seed });
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
    return this.page.evaluate((a) => (globalThis as unknown as { studioExport: { profileFrames(n: number, f: string): Promise<Record<string, number>> } }).studioExport.profileFrames(a.n, a.f), { n: frameCount, f: readback });
  }

  /** Closes Chromium and the local server; safe to call twice. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.sinks.clear();
    await this.context.close().catch(() => undefined);
    this.server.closeAllConnections?.();
    await new Promise<void>((r) => this.server.close(() => r()));
    await rm(this.runDir, { recursive: true, force: true }).catch(() => undefined);
  }

  private canYuv(): boolean {
    return this.widthPx % 8 === 0 && this.heightPx % 4 === 0;
  }

  private assertLive(): void {
    if (this.disposed) throw new StudioError('RENDER_HOST_DISPOSED', 'The render host was disposed');
  }

  private async sendTrack(track: MotionTrack): Promise<void> {
    if (this.sentTrack === track) return;
    await this.page.evaluate((t) => (globalThis as unknown as { studioExport: { setTrack(t: unknown): void } }).studioExport.setTrack(t), {
      frameCount: track.frameCount,
      blendshapes: Array.from(track.blendshapes),
      gazeRad: Array.from(track.gazeRad),
      headRotation: Array.from(track.headRotation),
      headTranslationM: Array.from(track.headTranslationM),
      visemes: Array.from(track.visemes),
    });
    this.sentTrack = track;
  }
}

function pageMessage(err: unknown): string {
  const m = err instanceof Error ? err.message : String(err);
  return m.replace(/^page\.evaluate: /, '').split('\n')[0] ?? m;
}

const STATIC_TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8' };

/**
 * Splits one POST body of batched access units: repeated `[uint32 LE byte length][bytes]`.
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

/** How the page server checks requests. */
interface ServerGuard {
  /** Folder of the built page. */
  dir: string;
  /** Per-run token: the first path segment of every URL. */
  token: string;
  /** The only accepted `Host` header (`127.0.0.1:<port>`). */
  host: () => string;
  /** Largest accepted POST body, bytes. */
  maxBodyBytes: number;
}

/**
 * Answers the page: 403 without the run's token or with another `Host`, 413 for a body over the limit, 404 for
 * anything else than the page, its bundle, the portrait, the avatar and frame POSTs.
 */
async function handle(req: IncomingMessage, res: ServerResponse, guard: ServerGuard, sinks: Map<string, FrameSink>, portrait: () => { rgba: Uint8Array } | null, avatar: () => Uint8Array | null = () => null): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const prefix = `/${guard.token}/`;
  if (req.headers.host !== guard.host() || !url.pathname.startsWith(prefix)) {
    req.resume();
    res.writeHead(403, { connection: 'close' }).end();
    return;
  }
  const route = url.pathname.slice(prefix.length - 1);
  try {
    if (req.method === 'POST' && route.startsWith('/frame/')) {
      const declared = Number(req.headers['content-length'] ?? 0);
      if (declared > guard.maxBodyBytes) {
        res.writeHead(413, { connection: 'close' }).end();
        req.destroy();
        return;
      }
      const [, , requestId, idx] = route.split('/');
      const chunks: Buffer[] = [];
      let total = 0;
      for await (const c of req) {
        total += (c as Buffer).byteLength;
        if (total > guard.maxBodyBytes) {
          res.writeHead(413, { connection: 'close' }).end();
          req.destroy();
          return;
        }
        chunks.push(c as Buffer);
      }
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      const sink = sinks.get(requestId ?? '');
      const ok = sink ? await sink(Number(idx), new Uint8Array(body.buffer, body.byteOffset, body.byteLength)) : false;
      res.writeHead(ok ? 200 : 410).end();
      return;
    }
    if (req.method !== 'GET') {
      req.resume();
      return void res.writeHead(405).end();
    }
    if (route === '/portrait.rgba') {
      const p = portrait();
      if (!p) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': p.rgba.byteLength, 'cache-control': 'no-store' }).end(Buffer.from(p.rgba.buffer, p.rgba.byteOffset, p.rgba.byteLength));
      return;
    }
    if (route === '/avatar.bin') {
      const a = avatar();
      if (!a) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': a.byteLength, 'cache-control': 'no-store' }).end(Buffer.from(a.buffer, a.byteOffset, a.byteLength));
      return;
    }
    const decoder = gltfDecoderFile(route);
    if (decoder) {
      res.writeHead(200, { 'content-type': decoder.contentType, 'x-content-type-options': 'nosniff' });
      createReadStream(decoder.filePath).pipe(res);
      return;
    }
    if (route === '/exportPage.html' || route === '/exportPage.bundle.js') {
      const name = route.slice(1);
      res.writeHead(200, { 'content-type': STATIC_TYPES[path.extname(name)] ?? 'application/octet-stream', 'content-security-policy': EXPORT_PAGE_CSP, 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' });
      createReadStream(path.join(guard.dir, name)).pipe(res);
      return;
    }
    res.writeHead(404).end();
  } catch {
    if (!res.headersSent) res.writeHead(500);
    res.end();
  }
}

/**
 * A private folder for one browser run (profile, Chromium's temp files, playwright's artifacts) under
 * `<cache>/render-runs/`, mode 0700; folders of runs killed more than a day ago are removed first.
 * @returns its absolute path.
 */
async function makeRunDir(): Promise<string> {
  const root = path.join(userCacheRoot(), 'render-runs');
  await ensurePrivateDir(userCacheRoot());
  await ensurePrivateDir(root);
  for (const name of await readdir(root).catch(() => [] as string[])) {
    const st = await stat(path.join(root, name)).catch(() => null);
    if (st && Date.now() - st.mtimeMs > 86_400_000) await rm(path.join(root, name), { recursive: true, force: true }).catch(() => undefined);
  }
  return mkdtemp(path.join(root, 'run-'));
}
