/**
 * Node side of the splat benchmark page: bundles `renderer/avatars/avatarPage.ts` with esbuild, opens it in
 * headless Chromium (SwiftShader WebGL2 via @sparticuz/chromium + playwright-core) and times Spark per frame
 * (generate, worker sort, draw). Only `bench/splat.ts` uses it, for the sort-worker timings the shared render
 * host does not expose; avatar rendering, export and the avatar tests use `RenderHost.loadAvatar`
 * (pipeline/render/renderHost.ts).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import chromium from '@sparticuz/chromium';
import { chromium as playwright, type Browser, type Page } from 'playwright-core';
import { avatarErrorFromPage } from './avatarFile.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ENTRY = path.join(REPO_ROOT, 'renderer/avatars/avatarPage.ts');
const BUNDLE = path.join(REPO_ROOT, '.cache/avatars/avatarPage.bundle.js');

/** Motion frame as plain arrays (`blendshapes[52]` ARKit order, `visemes[15]`, `headRotation` xyzw, …). */
export interface PlainFrame {
  blendshapes?: number[];
  visemes?: number[];
  headRotation?: number[];
  headTranslationM?: number[];
  gazeRad?: number[];
}

/** What the page reports after loading an avatar. */
export interface LoadedAvatarInfo {
  kind: 'splat' | 'glb' | 'lam';
  boxMin: number[];
  boxMax: number[];
  splatCount: number;
  info: Record<string, unknown>;
}

/** A rendered frame: top-down RGBA8 rows. */
export interface RenderedFrame {
  widthPx: number;
  heightPx: number;
  rgba: Uint8Array;
  /** Spark generate + sort time (0 without splats), ms. */
  prepareMs: number;
  /** Draw + GPU finish time, ms. */
  drawMs: number;
}

/**
 * Bundles the page entry (cached under `.cache/avatars/`).
 * @returns the bundle's JavaScript source.
 */
export async function bundleAvatarPage(): Promise<string> {
  await mkdir(path.dirname(BUNDLE), { recursive: true });
  await build({ entryPoints: [ENTRY], bundle: true, format: 'iife', platform: 'browser', target: 'chrome120', outfile: BUNDLE, logLevel: 'error', sourcemap: false });
  return readFile(BUNDLE, 'utf8');
}

/** A running Chromium page with one avatar scene. */
export class AvatarRenderHarness {
  private constructor(
    private readonly browser: Browser,
    private readonly page: Page,
    readonly widthPx: number,
    readonly heightPx: number,
  ) {}

  /**
   * Launches Chromium and prepares the scene.
   * @param widthPx - output width in pixels.
   * @param heightPx - output height in pixels.
   * @param background - clear colour RGBA in [0,1].
   * @returns the harness; call {@link close} when done.
   */
  static async launch(widthPx = 256, heightPx = 256, background: [number, number, number, number] = [0.1, 0.1, 0.12, 1]): Promise<AvatarRenderHarness> {
    const script = await bundleAvatarPage();
    const browser = await playwright.launch({ executablePath: await chromium.executablePath(), args: chromium.args, headless: true });
    try {
      const page = await browser.newPage({ viewport: { width: widthPx, height: heightPx } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.setContent('<!doctype html><html><body style="margin:0"></body></html>');
      await page.addScriptTag({ content: script });
      if (errors.length) throw new Error(`avatar page failed to start: ${errors.join('; ')}`);
      await page.evaluate(([w, h, bg]) => (globalThis as never as { avatarPage: { init(a: number, b: number, c: number[]): void } }).avatarPage.init(w as number, h as number, bg as number[]), [widthPx, heightPx, background] as const);
      return new AvatarRenderHarness(browser, page, widthPx, heightPx);
    } catch (err) {
      await browser.close();
      throw err;
    }
  }

  /**
   * Loads an avatar into the scene (replacing the previous one) and frames the camera on it.
   * @param kind - `splatFile` (.ply/.splat/.spz/.ksplat/.sog), `glb`, or `lam` (zip).
   * @param bytes - file contents.
   * @param fileName - name with extension (detection and messages).
   * @returns bounds and counts.
   * @throws the StudioError the page reported, rebuilt by its code (`avatarErrorFromPage`).
   */
  async loadAvatar(kind: 'splatFile' | 'glb' | 'lam', bytes: Uint8Array, fileName: string): Promise<LoadedAvatarInfo> {
    const b64 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
    const res = await this.page.evaluate(
      ([k, b, n]) => (globalThis as never as { avatarPage: { loadAvatar(a: string, b: string, c: string): Promise<unknown> } }).avatarPage.loadAvatar(k, b, n),
      [kind, b64, fileName] as const,
    );
    const r = res as LoadedAvatarInfo | { error: { code: string; message: string; name: string } };
    if ('error' in r) throw avatarErrorFromPage(r.error, fileName);
    return r;
  }

  /**
   * Poses the avatar with one frame and renders it.
   * @param frame - motion frame as plain arrays (missing channels are neutral).
   * @returns pixels and timings.
   */
  async renderFrame(frame: PlainFrame = {}): Promise<RenderedFrame> {
    const r = await this.page.evaluate((f) => (globalThis as never as { avatarPage: { renderFrame(x: unknown): Promise<{ rgbaBase64: string; prepareMs: number; drawMs: number }> } }).avatarPage.renderFrame(f), frame);
    const buf = Buffer.from(r.rgbaBase64, 'base64');
    return { widthPx: this.widthPx, heightPx: this.heightPx, rgba: new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), prepareMs: r.prepareMs, drawMs: r.drawMs };
  }

  /**
   * Renders a synthetic splat cloud from an orbiting camera and times it (see `benchSynthetic` in the page).
   * @param splatCount - number of splats.
   * @param frames - frames to time (the first is reported separately).
   * @param seed - PRNG seed of the cloud.
   * @returns timings in milliseconds.
   */
  async benchSynthetic(splatCount: number, frames: number, seed = 1): Promise<Record<string, number>> {
    return this.page.evaluate(([n, f, s]) => (globalThis as never as { avatarPage: { benchSynthetic(a: number, b: number, c: number): Promise<Record<string, number>> } }).avatarPage.benchSynthetic(n, f, s), [splatCount, frames, seed] as const);
  }

  /** Disposes the scene and closes Chromium. */
  async close(): Promise<void> {
    try {
      await this.page.evaluate(() => (globalThis as never as { avatarPage: { dispose(): void } }).avatarPage.dispose());
    } finally {
      await this.browser.close();
    }
  }
}

/**
 * Writes RGBA pixels as a PNG (for goldens and debugging).
 * @param file - output path.
 * @param frame - rendered frame.
 */
export async function writeFramePng(file: string, frame: RenderedFrame): Promise<void> {
  const sharp = (await import('sharp')).default;
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, await sharp(Buffer.from(frame.rgba), { raw: { width: frame.widthPx, height: frame.heightPx, channels: 4 } }).png({ compressionLevel: 9 }).toBuffer());
}
