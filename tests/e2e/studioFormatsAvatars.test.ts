/**
 * End to end, like a user (continues tests/e2e/studio.test.ts): the studio UI served by the web host in headless
 * Chromium exports WebM with alpha, GIF and a PNG-sequence zip, imports an avatar file in place of the photo head,
 * exports it, and shows one clear message for a malformed avatar. Small sizes (128²) and a 0.65 s word keep it short.
 * Screenshots go to test-artifacts/e2e/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { unzipSync } from 'fflate';
import { startStudio, type StudioE2E } from './harness.ts';
import { resolveFfmpeg, resolveFfprobe } from '../../pipeline/ffmpeg/ffmpegPath.ts';
import { decodeAudio } from '../../pipeline/audio/decodeAudio.ts';
import { frameCountForDuration } from '../../core/motion/track.ts';
import { makeGlbAvatar, makeSplatScene } from '../fixtures/avatars/makeFixtures.ts';
import { writePly3dgs } from '../../core/formats/ply.ts';

interface DomEl {
  dataset: Record<string, string | undefined>;
  textContent: string | null;
  getAttribute(name: string): string | null;
}
declare const document: { querySelector<T extends DomEl = DomEl>(selector: string): T | null; querySelectorAll(selector: string): { length: number } };

const REPO = process.cwd();
const CORPUS = resolve(REPO, '../shared/corpus');
const SHOTS = resolve(REPO, 'test-artifacts/e2e');
const IMG06 = join(CORPUS, 'images/img06_monalisa_painting_pd.jpg');
const AUD08 = join(CORPUS, 'audio/aud08_word_six_0p65s_derived.wav');
const SIZE = 128;

let page: Page;
let root: string;
let outDir: string;
let audioSec: number;
let expectedFrames: number;
let portraitView: Buffer;
let pageErrors: string[] = [];
let studio: StudioE2E;
/** Console errors of the page and its workers, and `securitypolicyviolation` events of the document. */
const consoleErrors: string[] = [];

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

interface StreamInfo {
  codec_type: string;
  codec_name: string;
  width?: number;
  height?: number;
  pix_fmt?: string;
  nb_read_frames?: string;
  tags?: Record<string, string>;
}
function ffprobe(file: string): { streams: StreamInfo[]; format: { duration: string } } {
  const out = execFileSync(resolveFfprobe(), ['-v', 'error', '-count_frames', '-show_entries', 'stream=codec_type,codec_name,width,height,pix_fmt,nb_read_frames:stream_tags:format=duration', '-of', 'json', file], { encoding: 'utf8' });
  return JSON.parse(out);
}

/** The one new export file in the output folder (ignores hidden temp entries), waiting for the job to finish first. */
async function exportWith(opts: { format: string; alpha: boolean }, before: string[]): Promise<string> {
  await page.selectOption('[data-testid=export-format]', opts.format);
  await page.selectOption('[data-testid=export-size]', String(SIZE));
  const alphaBox = page.locator('[data-testid=export-alpha]');
  if ((await alphaBox.isChecked()) !== opts.alpha) await alphaBox.click();
  expect(await alphaBox.isChecked()).toBe(opts.alpha);
  const previousJob = await page.getAttribute('[data-testid=export-progress]', 'data-job-id').catch(() => null);
  await page.click('[data-testid=export-start]');
  await page.waitForFunction(
    (prev) => {
      const el = document.querySelector('[data-testid=export-progress]');
      return !!el && el.getAttribute('data-job-id') !== prev && ['done', 'failed', 'cancelled'].includes(el.getAttribute('data-state') ?? '');
    },
    previousJob,
    { timeout: 240_000 },
  );
  const state = await page.getAttribute('[data-testid=export-progress]', 'data-state');
  if (state !== 'done') throw new Error(`export ${opts.format} ended ${state}: ${await page.textContent('[data-testid=export-progress]')}`);
  const files = (await readdir(outDir)).filter((f) => !f.startsWith('.') && !before.includes(f));
  expect(files).toHaveLength(1);
  return files[0]!;
}

/** Content type and size of the finished export as the page downloads it. */
async function pageDownload(): Promise<{ type: string | null; bytes: number }> {
  const jobId = await page.getAttribute('[data-testid=export-progress]', 'data-job-id');
  return page.evaluate(async (id) => {
    const r = await fetch(`/api/download/${id}`);
    return { type: r.headers.get('content-type'), bytes: (await r.arrayBuffer()).byteLength };
  }, jobId);
}

/** Mean absolute RGB difference of two equally sized screenshots. */
async function meanAbsDiff(a: Buffer, b: Buffer): Promise<number> {
  const x = await sharp(a).removeAlpha().raw().toBuffer();
  const y = await sharp(b).removeAlpha().raw().toBuffer();
  expect(x.length).toBe(y.length);
  let s = 0;
  for (let i = 0; i < x.length; i++) s += Math.abs(x[i]! - y[i]!);
  return s / x.length;
}

beforeAll(async () => {
  await mkdir(SHOTS, { recursive: true });
  studio = await startStudio('studio-e2e-formats-');
  ({ page, root, outDir } = studio);
  pageErrors = studio.pageErrors;
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('worker', (w) => w.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(`worker ${w.url()}: ${m.text()}`);
  }));
  await page.evaluate(() => {
    const g = globalThis as unknown as { cspViolations: string[]; document: { addEventListener(t: string, f: (e: { violatedDirective: string; blockedURI: string }) => void): void } };
    g.cspViolations = [];
    g.document.addEventListener('securitypolicyviolation', (e) => g.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const audio = await decodeAudio(AUD08, { sampleRateHz: 16000 });
  audioSec = audio.durationSec;
  expectedFrames = frameCountForDuration(audioSec, { num: 25, den: 1 });
}, 300_000);

afterAll(async () => {
  await studio?.close();
});

describe('studio exports every format and animates imported avatars', () => {
  it('loads the Mona Lisa and a 0.65 s word (16 frames at 25 fps)', async () => {
    expect(expectedFrames).toBe(Math.round(audioSec * 25));
    expect(expectedFrames).toBe(16);
    await page.setInputFiles('[data-testid=portrait-input]', IMG06);
    await page.waitForSelector('[data-testid=landmark-overlay][data-landmark-count="478"]', { timeout: 90_000 });
    await page.setInputFiles('[data-testid=audio-input]', AUD08);
    await page.waitForFunction(() => document.querySelector('[data-testid=frame-counter]')?.textContent?.trim().endsWith('/16'), null, { timeout: 60_000 });
    await page.waitForSelector('[data-testid=viewport][data-subject=portrait][data-drawn-subject=portrait]');
    portraitView = await page.locator('[data-testid=viewport]').screenshot();
  }, 150_000);

  it('lists all five formats and enables alpha only for WebM, MOV, GIF and PNG', async () => {
    await page.keyboard.press('Control+e');
    await page.waitForSelector('[data-testid=export-dialog]');
    const options = await page.$$eval('[data-testid=export-format] option', (os) => os.map((o) => ({ value: (o as unknown as DomEl).getAttribute('value'), disabled: (o as unknown as { disabled: boolean }).disabled })));
    expect(options).toEqual(['mp4', 'webm', 'mov', 'gif', 'png'].map((value) => ({ value, disabled: false })));
    const alphaEnabled: Record<string, boolean> = {};
    for (const f of ['mp4', 'webm', 'mov', 'gif', 'png']) {
      await page.selectOption('[data-testid=export-format]', f);
      alphaEnabled[f] = await page.isEnabled('[data-testid=export-alpha]');
    }
    expect(alphaEnabled).toEqual({ mp4: false, webm: true, mov: true, gif: true, png: true });
    expect(await page.textContent('[data-testid=export-file-type]')).toContain('.zip file of numbered PNG frames');
  });

  it('exports WebM with alpha: VP9 with an alpha channel (transparent top corners although the background is the photo), as long as the audio', async () => {
    const file = await exportWith({ format: 'webm', alpha: true }, await readdir(outDir));
    await shot('20-export-webm-alpha');
    expect(file).toMatch(/^img06_monalisa_painting_pd-aud08_word_six_0p65s_derived-.*\.webm$/);
    const path = join(outDir, file);
    const p = ffprobe(path);
    const video = p.streams.find((s) => s.codec_type === 'video')!;
    expect(video).toMatchObject({ codec_name: 'vp9', width: SIZE, height: SIZE });
    const alphaMode = video.pix_fmt === 'yuva420p' ? '1' : Object.entries(video.tags ?? {}).find(([k]) => k.toLowerCase() === 'alpha_mode')?.[1];
    expect(alphaMode).toBe('1');
    expect(Number(video.nb_read_frames)).toBe(expectedFrames);
    expect(p.streams.some((s) => s.codec_type === 'audio' && s.codec_name === 'opus')).toBe(true);
    expect(Math.abs(Number(p.format.duration) - audioSec)).toBeLessThan(0.05);
    // decoded with libvpx (which reads the alpha side data): corners transparent, the face opaque
    const rgba = execFileSync(resolveFfmpeg().path, ['-v', 'error', '-c:v', 'libvpx-vp9', '-i', path, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgba', '-'], { maxBuffer: 1 << 24 });
    expect(rgba.length).toBe(SIZE * SIZE * 4);
    expect(rgba[3]).toBeLessThan(16);
    expect(rgba[(SIZE - 1) * 4 + 3]).toBeLessThan(16);
    expect(rgba[((SIZE / 2) * SIZE + SIZE / 2) * 4 + 3]).toBeGreaterThan(240);
    const dl = await pageDownload();
    expect(dl).toEqual({ type: 'video/webm', bytes: (await stat(path)).size });
  }, 300_000);

  it('exports a GIF: a gif stream of round(audio × fps) = 16 frames', async () => {
    const file = await exportWith({ format: 'gif', alpha: false }, await readdir(outDir));
    expect(file).toMatch(/\.gif$/);
    const p = ffprobe(join(outDir, file));
    expect(p.streams).toHaveLength(1);
    expect(p.streams[0]).toMatchObject({ codec_type: 'video', codec_name: 'gif', width: SIZE, height: SIZE });
    expect(Number(p.streams[0]!.nb_read_frames)).toBe(expectedFrames);
    expect((await pageDownload()).type).toBe('image/gif');
  }, 300_000);

  it('exports a PNG sequence as one zip of 16 RGBA PNGs of 128×128', async () => {
    const file = await exportWith({ format: 'png', alpha: true }, await readdir(outDir));
    await shot('21-export-png-zip');
    expect(file).toMatch(/\.zip$/);
    const entries = unzipSync(new Uint8Array(await readFile(join(outDir, file))));
    const pngs = Object.keys(entries).filter((n) => n.endsWith('.png')).sort();
    expect(pngs).toHaveLength(expectedFrames);
    for (const name of [pngs[0]!, pngs.at(-1)!]) {
      const meta = await sharp(Buffer.from(entries[name]!)).metadata();
      expect(meta).toMatchObject({ format: 'png', width: SIZE, height: SIZE, channels: 4 });
    }
    expect((await pageDownload()).type).toBe('application/zip');
    expect((await readdir(outDir)).filter((f) => f.startsWith('.'))).toEqual([]);
    await page.selectOption('[data-testid=export-format]', 'mp4');
    expect(await page.isChecked('[data-testid=export-alpha]')).toBe(false);
    await page.click('text=Close');
  }, 300_000);

  it('imports a GLB avatar: the preview shows it instead of the photo head, and an MP4 export renders it for the audio length', async () => {
    const glbPath = join(root, 'head.glb');
    await writeFile(glbPath, makeGlbAvatar());
    await page.setInputFiles('[data-testid=avatar-input]', glbPath);
    await page.waitForSelector('[data-testid=viewport][data-subject=avatar][data-drawn-subject=avatar]', { timeout: 60_000 });
    expect(await page.textContent('[data-testid=avatar-name]')).toMatch(/^head\.glb · GLB head · 52 ARKit \+ 15 viseme morphs · \d+\.\d\d MB$/);
    await page.waitForTimeout(300);
    const avatarView = await page.locator('[data-testid=viewport]').screenshot();
    await shot('22-avatar-glb-preview');
    const diff = await meanAbsDiff(portraitView, avatarView);
    expect(diff).toBeGreaterThan(10);

    await page.keyboard.press('Control+e');
    expect(await page.textContent('[data-testid=export-file-type]')).toContain('animating head.glb');
    const file = await exportWith({ format: 'mp4', alpha: false }, await readdir(outDir));
    expect(file).toMatch(/^head-aud08_word_six_0p65s_derived-.*\.mp4$/);
    const p = ffprobe(join(outDir, file));
    expect(p.streams.find((s) => s.codec_type === 'video')).toMatchObject({ codec_name: 'h264', width: SIZE, height: SIZE });
    expect(Number(p.streams.find((s) => s.codec_type === 'video')!.nb_read_frames)).toBe(expectedFrames);
    expect(Math.abs(Number(p.format.duration) - audioSec)).toBeLessThan(0.05);
    expect((await pageDownload()).type).toBe('video/mp4');
    await page.click('text=Close');
  }, 300_000);

  it('imports a Gaussian-splat .ply avatar (1820 Gaussians) and previews it, replacing the GLB head', async () => {
    const glbView = await page.locator('[data-testid=viewport]').screenshot();
    const plyPath = join(root, 'face.ply');
    await writeFile(plyPath, writePly3dgs(makeSplatScene(), ['fixture']));
    await page.setInputFiles('[data-testid=avatar-input]', plyPath);
    await page.waitForFunction(() => document.querySelector('[data-testid=avatar-name]')?.textContent?.startsWith('face.ply'), null, { timeout: 30_000 });
    expect(await page.textContent('[data-testid=avatar-name]')).toMatch(/^face\.ply · Gaussian splats · 1,820 Gaussians · /);
    await page.waitForSelector('[data-testid=viewport][data-subject=avatar][data-drawn-subject=avatar]', { timeout: 60_000 });
    await page.waitForTimeout(500);
    const splatView = await page.locator('[data-testid=viewport]').screenshot();
    await shot('23-avatar-splat-preview');
    expect(await meanAbsDiff(glbView, splatView)).toBeGreaterThan(5);
    expect(await page.isVisible('[data-testid=landmark-overlay]')).toBe(false);
    expect(pageErrors).toEqual([]);
  }, 120_000);

  it('a malformed avatar file is one clear inline message; the loaded avatar stays and the page does not crash', async () => {
    const full = writePly3dgs(makeSplatScene(), ['fixture']);
    await page.setInputFiles('[data-testid=avatar-input]', { name: 'broken.ply', mimeType: 'application/octet-stream', buffer: Buffer.from(full.subarray(0, Math.floor(full.length * 0.6))) });
    await page.waitForSelector('[data-testid=avatar-error]', { timeout: 30_000 });
    const message = (await page.textContent('[data-testid=avatar-error]')) ?? '';
    expect(message).toMatch(/^broken\.ply: header declares 1820 vertices of 56 bytes/);
    expect(message).not.toMatch(/at .*\.ts:\d+/);
    expect(await page.$$eval('[role=alert]', (els) => els.length)).toBe(1);
    await shot('24-avatar-malformed');
    expect(await page.getAttribute('[data-testid=viewport]', 'data-subject')).toBe('avatar');
    expect(await page.textContent('[data-testid=avatar-name]')).toMatch(/^face\.ply/);
    expect(pageErrors).toEqual([]);
  }, 60_000);

  it('previews meshopt (VRM), Draco and KTX2 avatars under the web host CSP, with no CSP violation', async () => {
    // The page's policy has no 'unsafe-eval': Draco decodes in a Blob worker with 'wasm-unsafe-eval' only; the Basis
    // (KTX2) transcoder, whose embind glue needs eval, runs in a same-origin worker under its own narrow policy.
    const pagePolicy = (await page.evaluate(() => fetch((globalThis as unknown as { location: { href: string } }).location.href).then((r) => r.headers.get('content-security-policy')))) ?? '';
    expect(pagePolicy).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(pagePolicy).not.toContain("'unsafe-eval'");
    const workerPolicy = await page.evaluate(() => fetch('decoders/basis/basis_worker.js').then((r) => r.headers.get('content-security-policy')));
    expect(workerPolicy).toBe("default-src 'none'; script-src 'unsafe-eval' 'wasm-unsafe-eval'");
    let previous = await page.locator('[data-testid=viewport]').screenshot();
    for (const name of ['vroid_meshopt.vrm', 'head_draco.glb', 'head_ktx2.glb']) {
      await page.setInputFiles('[data-testid=avatar-input]', join('tests/fixtures/avatars/compressed', name));
      await page.waitForFunction((n) => document.querySelector('[data-testid=avatar-name]')?.textContent?.startsWith(n), name, { timeout: 30_000 });
      await page.waitForSelector('[data-testid=viewport][data-subject=avatar][data-drawn-subject=avatar]', { timeout: 60_000 });
      await page.waitForTimeout(500);
      expect(await page.isVisible('[data-testid=avatar-error]')).toBe(false);
      const view = await page.locator('[data-testid=viewport]').screenshot();
      await shot(`24b-avatar-${name.replace(/\W/g, '_')}`);
      expect(await meanAbsDiff(previous, view)).toBeGreaterThan(1);
      previous = view;
      if (name === 'head_ktx2.glb') {
        // The transcoded texture shows: the blue forehead band (64×64 ETC1S texture) is in the preview.
        const { data, info } = await sharp(view).removeAlpha().raw().toBuffer({ resolveWithObject: true });
        let blue = 0;
        for (let i = 0; i < info.width * info.height; i++) {
          const r = data[i * 3]!, g = data[i * 3 + 1]!, b = data[i * 3 + 2]!;
          if (b > 150 && b > 2 * r && b > 1.6 * g) blue++;
        }
        expect(blue).toBeGreaterThan(50);
      }
    }
    expect(await page.evaluate(() => (globalThis as unknown as { cspViolations: string[] }).cspViolations)).toEqual([]);
    expect(consoleErrors.filter((m) => /Content Security Policy|unsafe-eval|Refused to/i.test(m))).toEqual([]);
    expect(pageErrors).toEqual([]);
  }, 180_000);

  it('choosing a portrait again brings the photo head back', async () => {
    await page.setInputFiles('[data-testid=portrait-input]', IMG06);
    await page.waitForSelector('[data-testid=viewport][data-subject=portrait][data-drawn-subject=portrait]', { timeout: 90_000 });
    expect(await page.textContent('[data-testid=avatar-name]')).toBe('none (the photo head is animated)');
    expect(await page.isVisible('[data-testid=avatar-error]')).toBe(false);
    expect(await page.getAttribute('[data-testid=landmark-overlay]', 'data-landmark-count')).toBe('478');
    await page.waitForTimeout(300);
    const back = await page.locator('[data-testid=viewport]').screenshot();
    await shot('25-back-to-portrait');
    expect(await meanAbsDiff(portraitView, back)).toBeLessThan(3);
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
