/**
 * One batch worker's render engine: renders job after job through {@link renderTalkingHead} with ONE render browser
 * kept open across jobs (started again only when the render size, background or framing changes, or after a job
 * failed inside the browser), and portraits analysed once per file content ({@link PortraitFaceCache}, shared by the
 * workers of one process). Each render writes to a staging folder and is moved into place by the caller's commit.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { FaceAnalysis } from '../../core/face/types.ts';
import type { JobProgress } from '../../core/errors.ts';
import { FaceAnalyzer } from '../face/faceAnalyzer.ts';
import type { DecodedImage } from '../image/decodeImage.ts';
import { renderTalkingHead, type RenderTalkingHeadResult } from '../jobs/renderJob.ts';
import { RenderHost, type RenderHostLaunchOptions } from '../render/renderHost.ts';
import type { BatchRenderSpec } from './types.ts';

/**
 * Face analysis of portraits, cached by the SHA-256 of the file's bytes (the same photo under two names is analysed
 * once; an edited photo is analysed again). One {@link FaceAnalyzer} (three ONNX sessions) serves every worker of the
 * process; analyses run one at a time. One owner, one {@link dispose}.
 */
export class PortraitFaceCache {
  private readonly byHash = new Map<string, Promise<FaceAnalysis>>();
  private analyzer: Promise<FaceAnalyzer> | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  /** Portrait analyses actually run (cache misses). */
  analyses = 0;

  /**
   * The faces of a portrait, analysed on the first request for its content and shared afterwards.
   * @param portraitPath - the portrait file (hashed).
   * @param image - its decoded pixels.
   * @returns the analysis (all faces, largest first).
   * @throws what {@link FaceAnalyzer.analyze} throws (a failed analysis is not cached).
   */
  async analyze(portraitPath: string, image: DecodedImage): Promise<FaceAnalysis> {
    const hash = createHash('sha256').update(await readFile(portraitPath)).digest('hex');
    let entry = this.byHash.get(hash);
    if (!entry) {
      entry = this.run(image);
      this.byHash.set(hash, entry);
      entry.catch(() => this.byHash.delete(hash));
    }
    return entry;
  }

  private run(image: DecodedImage): Promise<FaceAnalysis> {
    const next = this.chain.then(async () => {
      this.analyzer ??= FaceAnalyzer.create();
      this.analyses++;
      return (await this.analyzer).analyze(image);
    });
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Releases the ONNX sessions; safe to call twice. */
  async dispose(): Promise<void> {
    const a = this.analyzer;
    this.analyzer = null;
    this.byHash.clear();
    if (a) await (await a.catch(() => null))?.dispose();
  }
}

/** Options of {@link BatchRenderer.render}. */
export interface BatchRenderOptions {
  signal?: AbortSignal;
  onProgress?: (p: JobProgress) => void;
  onLog?: (line: string) => void;
}

/** The render engine of one worker; one owner, one {@link dispose}. */
export class BatchRenderer {
  /** Render-browser launches so far (the figure the batch reports per worker). */
  hostLaunches = 0;
  private host: RenderHost | null = null;
  private hostKey = '';
  private readonly faces: PortraitFaceCache;
  private readonly launchHost: (opts: RenderHostLaunchOptions) => Promise<RenderHost>;

  /**
   * @param faces - the process's portrait cache (not disposed here).
   * @param launchHost - starts a render host (default `RenderHost.launch`; tests may count or wrap it).
   */
  constructor(faces: PortraitFaceCache, launchHost: (opts: RenderHostLaunchOptions) => Promise<RenderHost> = (o) => RenderHost.launch(o)) {
    this.faces = faces;
    this.launchHost = launchHost;
  }

  /**
   * Renders one job into `outPath` (the caller's staging path), reusing this worker's browser.
   * @param spec - the job's options (absolute paths).
   * @param outPath - where to write (overrides `spec.outPath`).
   * @param opts - signal, progress and log callbacks.
   * @returns the render job's result.
   * @throws whatever {@link renderTalkingHead} throws; the browser is closed after a failure, so the next job
   * starts from a fresh one.
   */
  async render(spec: BatchRenderSpec, outPath: string, opts: BatchRenderOptions = {}): Promise<RenderTalkingHeadResult> {
    try {
      return await renderTalkingHead({
        ...spec,
        outPath,
        signal: opts.signal,
        onProgress: opts.onProgress,
        onLog: opts.onLog,
        acquireRenderHost: (launch) => this.acquire(launch),
        analyzePortrait: (path, image) => this.faces.analyze(path, image),
      });
    } catch (err) {
      // A failed or cancelled render may leave the page mid-stream: start clean next time.
      await this.closeHost();
      throw err;
    }
  }

  private async acquire(launch: RenderHostLaunchOptions): Promise<RenderHost> {
    const key = JSON.stringify([launch.widthPx, launch.heightPx, launch.background ?? 'photo', launch.framing ?? 'photo', launch.chromePath ?? '']);
    if (this.host && this.hostKey === key) return this.host;
    await this.closeHost();
    this.hostLaunches++;
    this.host = await this.launchHost(launch);
    this.hostKey = key;
    return this.host;
  }

  private async closeHost(): Promise<void> {
    const h = this.host;
    this.host = null;
    this.hostKey = '';
    await h?.dispose();
  }

  /** Closes the render browser; safe to call twice. */
  async dispose(): Promise<void> {
    await this.closeHost();
  }
}
