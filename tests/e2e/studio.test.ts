/**
 * End to end, like a user: the studio UI served by the web host (`npm run studio:web`) in headless Chromium.
 * Screenshots of every step go to test-artifacts/e2e/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { startStudio, type StudioE2E } from './harness.ts';
import { resolveFfprobe } from '../../pipeline/ffmpeg/ffmpegPath.ts';

/** The bits of the DOM the page callbacks use (this file compiles with Node types only, without lib.dom). */
interface DomEl {
  dataset: Record<string, string | undefined>;
  textContent: string | null;
  getAttribute(name: string): string | null;
}
interface DomCanvas extends DomEl {
  width: number;
  height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
}
interface DomAudio extends DomEl {
  paused: boolean;
  seeking: boolean;
  currentTime: number;
}
declare const document: { querySelector<T extends DomEl = DomEl>(selector: string): T | null };

const REPO = process.cwd();
const CORPUS = resolve(REPO, '../shared/corpus');
const SHOTS = resolve(REPO, 'test-artifacts/e2e');
const IMG06 = join(CORPUS, 'images/img06_monalisa_painting_pd.jpg');
const AUD01 = join(CORPUS, 'audio/aud01_jfk_en_flac_24bit_44k_stereo.flac');

let page: Page;
let root: string;
let outDir: string;
let pageErrors: string[] = [];
let studio: StudioE2E;

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

/** Frame index and audio time the viewport shows (written in the same animation frame). */
async function viewportClock(): Promise<{ frameIndex: number; audioTimeSec: number }> {
  return page.$eval('[data-testid=viewport]', (c) => ({ frameIndex: Number((c as unknown as DomEl).dataset.frameIndex), audioTimeSec: Number((c as unknown as DomEl).dataset.audioTimeSec) }));
}

/** Counts pixels of a PNG that differ from its first pixel by more than 24 in some channel. */
async function nonUniformPixelCount(png: Buffer): Promise<number> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  let n = 0;
  for (let i = 0; i < info.width * info.height; i++) {
    if (Math.abs(data[i * 3]! - data[0]!) > 24 || Math.abs(data[i * 3 + 1]! - data[1]!) > 24 || Math.abs(data[i * 3 + 2]! - data[2]!) > 24) n++;
  }
  return n;
}

function ffprobe(file: string): { streams: { codec_type: string; codec_name: string; width?: number; height?: number; pix_fmt?: string }[]; format: { duration: string } } {
  const out = execFileSync(resolveFfprobe(), ['-v', 'error', '-show_entries', 'stream=codec_type,codec_name,width,height,pix_fmt:format=duration', '-of', 'json', file], { encoding: 'utf8' });
  return JSON.parse(out);
}

beforeAll(async () => {
  await mkdir(SHOTS, { recursive: true });
  studio = await startStudio('studio-e2e-', ['--autoplay-policy=no-user-gesture-required']);
  ({ page, root, outDir } = studio);
  pageErrors = studio.pageErrors;
}, 300_000);

afterAll(async () => {
  await studio?.close();
});

describe('studio in Chromium against the web host', () => {
  it('removes the per-run token from the address bar once the page has loaded (a reload still works: the cookie)', async () => {
    expect(new URL(page.url()).searchParams.has('token')).toBe(false);
    expect(page.url()).toBe(new URL('/', page.url()).toString());
  });

  it('imports the Mona Lisa and draws 478 landmarks on it', async () => {
    await shot('01-empty');
    await page.setInputFiles('[data-testid=portrait-input]', IMG06);
    const overlay = await page.waitForSelector('[data-testid=landmark-overlay][data-landmark-count="478"]', { timeout: 90_000 });
    expect(await overlay.getAttribute('data-face-count')).toBe('1');
    // the landmark dots are drawn in #7CFC00 over the photo
    const green = await page.$eval('[data-testid=landmark-overlay]', (c) => {
      const cv = c as unknown as DomCanvas;
      const d = cv.getContext('2d')!.getImageData(0, 0, cv.width, cv.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i]! < 140 && d[i + 1]! > 230 && d[i + 2]! < 40) n++;
      return n;
    });
    expect(green).toBeGreaterThan(300);
    expect(await page.isVisible('[data-testid=portrait-thumbnail]')).toBe(true);
    await shot('02-portrait-landmarks');
  }, 120_000);

  it('imports JFK speech and plays 2 s with the viewport following the audio clock', async () => {
    await page.setInputFiles('[data-testid=audio-input]', AUD01);
    await page.waitForFunction(() => document.querySelector('[data-testid=frame-counter]')?.textContent?.trim().endsWith('/275'), null, { timeout: 60_000 });
    expect(await page.textContent('[data-testid=audio-name]')).toContain('flac 44100 Hz');
    await shot('03-audio-waveform');
    const before = await viewportClock();
    expect(before.frameIndex).toBe(0);
    await page.keyboard.press('Space');
    // Timed by the page's own clock, not the test's: wait until the audio element has played 2 s (on a busy machine
    // playback starts up to a second after the key press), then read the viewport and that clock together.
    await page.waitForFunction(() => (document.querySelector<DomAudio>('audio[data-testid=studio-audio]')?.currentTime ?? 0) >= 2, null, { timeout: 60_000 });
    const during = await page.evaluate(() => {
      const a = document.querySelector<DomAudio>('audio[data-testid=studio-audio]')!;
      const c = document.querySelector('[data-testid=viewport]')!;
      return { frameIndex: Number(c.dataset.frameIndex), audioTimeSec: Number(c.dataset.audioTimeSec), clockSec: a.currentTime, playing: !a.paused };
    });
    await shot('04-playing-2s');
    console.log(`playing: audio clock ${during.clockSec.toFixed(3)} s, viewport shows ${during.audioTimeSec.toFixed(3)} s (frame ${during.frameIndex})`);
    expect(during.playing).toBe(true);
    // The viewport shows the audio clock's time of its last animation frame: never ahead of it (no clock of its own
    // running free), at most 0.5 s behind it (the bound the 2 s wall-clock wait allowed before, 2 − 1.5 s).
    expect(during.audioTimeSec).toBeLessThanOrEqual(during.clockSec + 0.001);
    expect(during.audioTimeSec).toBeGreaterThan(during.clockSec - 0.5);
    await page.keyboard.press('Space');
    // the software-rendered (SwiftShader) preview may lag a tick behind: wait until it shows the paused time
    await page.waitForFunction(() => {
      const a = document.querySelector<DomAudio>('audio[data-testid=studio-audio]');
      const c = document.querySelector('[data-testid=viewport]');
      return !!a && a.paused && c?.dataset.audioTimeSec === a.currentTime.toFixed(3);
    });
    const paused = await viewportClock();
    // frame index = ⌊t · 25⌋ of the same animation frame (± 1 for the 3-decimal rounding of t)
    expect(Math.abs(during.frameIndex - Math.floor(during.audioTimeSec * 25))).toBeLessThanOrEqual(1);
    expect(during.frameIndex).toBeGreaterThanOrEqual(37);
    expect(Math.abs(paused.frameIndex - Math.floor(paused.audioTimeSec * 25))).toBeLessThanOrEqual(1);
    // arrow keys step exactly one frame
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction((fi) => Number(document.querySelector('[data-testid=viewport]')!.dataset.frameIndex) !== fi, paused.frameIndex, { timeout: 10_000 });
    expect((await viewportClock()).frameIndex).toBe(paused.frameIndex + 1);
    await page.keyboard.press('ArrowLeft');
    await page.waitForFunction((fi) => Number(document.querySelector('[data-testid=viewport]')!.dataset.frameIndex) === fi, paused.frameIndex, { timeout: 10_000 });
    // scrubbing: a click at 50 % of the waveform moves the audio clock and the viewport to ≈ 5.5 s (frame ≈ 137)
    const wave = (await page.locator('[data-testid=waveform]').boundingBox())!;
    await page.mouse.click(wave.x + 10 + (wave.width - 20) * 0.5, wave.y + wave.height / 2);
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=viewport]')!.dataset.frameIndex) > 100, null, { timeout: 10_000 });
    // as after the pause: wait until the seek has finished and the viewport shows the settled audio time
    await page.waitForFunction(() => {
      const a = document.querySelector<DomAudio>('audio[data-testid=studio-audio]');
      const c = document.querySelector('[data-testid=viewport]');
      return !!a && !a.seeking && c?.dataset.audioTimeSec === a.currentTime.toFixed(3);
    });
    const scrubbed = await viewportClock();
    expect(scrubbed.audioTimeSec).toBeGreaterThan(4.5);
    expect(scrubbed.audioTimeSec).toBeLessThan(6.5);
    expect(Math.abs(scrubbed.frameIndex - Math.floor(scrubbed.audioTimeSec * 25))).toBeLessThanOrEqual(1);
    // the 3D viewport shows a picture, not a flat colour
    const view = await page.locator('[data-testid=viewport]').screenshot();
    expect(await nonUniformPixelCount(view)).toBeGreaterThan(5000);
  }, 120_000);

  it('exports an MP4 that ffprobe accepts (Ctrl+E opens the dialog)', async () => {
    await page.keyboard.press('Control+e');
    await page.waitForSelector('[data-testid=export-dialog]');
    await page.selectOption('[data-testid=export-size]', '256');
    await page.click('[data-testid=export-start]');
    await page.waitForSelector('[data-testid=export-progress][data-state=running]');
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=export-progress]')?.getAttribute('data-fraction')) > 0.3, null, { timeout: 240_000 });
    await shot('05-export-progress');
    await page.waitForSelector('[data-testid=export-progress][data-state=done]', { timeout: 400_000 });
    await shot('06-export-done');
    const files = (await readdir(outDir)).filter((f) => !f.startsWith('.'));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^img06_monalisa_painting_pd-aud01_jfk_en_flac_24bit_44k_stereo-.*\.mp4$/);
    const probe = ffprobe(join(outDir, files[0]!));
    const video = probe.streams.find((s) => s.codec_type === 'video');
    expect(video).toMatchObject({ codec_name: 'h264', width: 256, height: 256, pix_fmt: 'yuv420p' });
    expect(probe.streams.some((s) => s.codec_type === 'audio' && s.codec_name === 'aac')).toBe(true);
    expect(Number(probe.format.duration)).toBeGreaterThan(10.9);
    expect(Number(probe.format.duration)).toBeLessThan(11.2);
    // the download route serves the same bytes to the page (cookie-authenticated, same origin)
    const jobId = await page.getAttribute('[data-testid=export-progress]', 'data-job-id');
    const downloaded = await page.evaluate(async (id) => (await (await fetch(`/api/download/${id}`)).arrayBuffer()).byteLength, jobId);
    expect(downloaded).toBe((await stat(join(outDir, files[0]!))).size);
    await page.click('text=Close');
  }, 600_000);

  it('shows clear inline messages for bad inputs and stays usable', async () => {
    await page.setInputFiles('[data-testid=portrait-input]', join(CORPUS, 'images/img10_noface_grass.jpg'));
    const noFace = await page.waitForSelector('[data-testid=portrait-error]', { timeout: 60_000 });
    expect(await noFace.textContent()).toMatch(/^No face found in "img10_noface_grass\.jpg"/);
    // the previous portrait is still loaded
    expect(await page.getAttribute('[data-testid=landmark-overlay]', 'data-landmark-count')).toBe('478');
    await shot('07-bad-noface');

    await page.setInputFiles('[data-testid=portrait-input]', { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a picture\n') });
    await page.waitForFunction(() => /notes\.txt/.test(document.querySelector('[data-testid=portrait-error]')?.textContent ?? ''), null, { timeout: 30_000 });
    const txtMessage = (await page.textContent('[data-testid=portrait-error]')) ?? '';
    expect(txtMessage).not.toMatch(/at .*\.ts:\d+/);
    await shot('08-bad-txt');

    await page.setInputFiles('[data-testid=audio-input]', { name: 'empty.wav', mimeType: 'audio/wav', buffer: Buffer.alloc(0) });
    await page.waitForSelector('[data-testid=audio-error]');
    expect(await page.textContent('[data-testid=audio-error]')).toBe('"empty.wav" is empty (0 bytes). Choose a speech recording.');
    await shot('09-bad-empty');

    // MP3 bytes named .wav are valid audio: they load (11.0 s of decoded samples → 275 frames at 25 fps)
    await page.setInputFiles('[data-testid=audio-input]', join(CORPUS, 'bugs/b10_mp3_bytes_named_dot_wav.wav'));
    await page.waitForFunction(() => document.querySelector('[data-testid=audio-name]')?.textContent?.startsWith('b10_mp3_bytes_named_dot_wav.wav'), null, { timeout: 60_000 });
    expect(await page.textContent('[data-testid=audio-name]')).toMatch(/^b10_mp3_bytes_named_dot_wav\.wav · 0:11\.\d · mp3 16000 Hz$/);
    await page.waitForFunction(() => document.querySelector('[data-testid=frame-counter]')?.textContent?.trim().endsWith('/275'), null, { timeout: 60_000 });
    expect(await page.isVisible('[data-testid=audio-error]')).toBe(false);
    await shot('10-lying-extension-ok');

    // still usable: a good portrait replaces the error
    await page.setInputFiles('[data-testid=portrait-input]', IMG06);
    await page.waitForFunction(() => !document.querySelector('[data-testid=portrait-error]') && document.querySelector('[data-testid=landmark-overlay]'), null, { timeout: 60_000 });
  }, 240_000);

  it('lets the user pick the face when there are several (undoable)', async () => {
    await page.setInputFiles('[data-testid=portrait-input]', join(CORPUS, 'images/img09_two_faces.jpg'));
    await page.waitForSelector('[data-testid=landmark-overlay][data-face-count="2"]', { timeout: 60_000 });
    expect(await page.getAttribute('[data-testid=landmark-overlay]', 'data-face-index')).toBe('0');
    await page.click('[data-testid=face-picker] button:has-text("2")');
    expect(await page.getAttribute('[data-testid=landmark-overlay]', 'data-face-index')).toBe('1');
    await shot('11-two-faces-second-picked');
    await page.keyboard.press('Control+z');
    expect(await page.getAttribute('[data-testid=landmark-overlay]', 'data-face-index')).toBe('0');
    await page.setInputFiles('[data-testid=portrait-input]', IMG06);
    await page.waitForSelector('[data-testid=landmark-overlay][data-face-count="1"]', { timeout: 60_000 });
  }, 120_000);

  it('undoes and redoes an edit with Ctrl+Z / Ctrl+Shift+Z, and saves and reopens the project', async () => {
    const slider = page.locator('[data-testid=motion-headMotionStrength]');
    const start = await slider.inputValue();
    const box = (await slider.boundingBox())!;
    await page.mouse.click(box.x + box.width * 0.9, box.y + box.height / 2);
    const edited = await slider.inputValue();
    expect(Number(edited)).toBeGreaterThan(0.8);
    await page.keyboard.press('Control+z');
    expect(await slider.inputValue()).toBe(start);
    await page.keyboard.press('Control+Shift+z');
    expect(await slider.inputValue()).toBe(edited);

    const downloadPromise = page.waitForEvent('download');
    await page.click('[data-testid=project-save]');
    const download = await downloadPromise;
    const projectPath = join(root, download.suggestedFilename());
    await download.saveAs(projectPath);
    expect(download.suggestedFilename()).toBe('img06_monalisa_painting_pd.avatar-studio.json');
    const project = JSON.parse(await readFile(projectPath, 'utf8'));
    expect(project).toMatchObject({ schemaVersion: 2, portrait: { fileName: 'img06_monalisa_painting_pd.jpg', path: null, faceIndex: 0 }, audio: { fileName: 'b10_mp3_bytes_named_dot_wav.wav' }, motion: { headMotionStrength: Number(edited) } });
    await page.keyboard.press('Control+z');
    expect(await slider.inputValue()).toBe(start);
    await page.setInputFiles('[data-testid=project-input]', projectPath);
    await page.waitForFunction(() => document.querySelector('[data-testid=project-message]')?.textContent?.startsWith('Opened'));
    // the media of the project are still loaded under the same names, so nothing needs re-importing
    expect(await page.textContent('[data-testid=project-message]')).toBe('Opened "img06_monalisa_painting_pd"');
    expect(await slider.inputValue()).toBe(edited);
    await shot('12-project-reopened');
  }, 60_000);

  it('cancelling an export leaves no partial file', async () => {
    const before = await readdir(outDir);
    await page.keyboard.press('Control+e');
    const previousJob = await page.getAttribute('[data-testid=export-progress]', 'data-job-id');
    await page.click('[data-testid=export-start]');
    // wait until the new job renders frames and the encoder's temp file exists in the output folder
    await page.waitForFunction(
      (prev) => {
        const el = document.querySelector('[data-testid=export-progress]');
        return !!el && el.getAttribute('data-job-id') !== prev && el.getAttribute('data-state') === 'running' && Number(el.getAttribute('data-fraction')) > 0.2;
      },
      previousJob,
      { timeout: 240_000 },
    );
    let during = await readdir(outDir);
    for (let i = 0; i < 600 && during.length === before.length; i++) {
      await new Promise((r) => setTimeout(r, 50));
      during = await readdir(outDir);
    }
    expect(await page.getAttribute('[data-testid=export-progress]', 'data-state')).toBe('running');
    // partial output exists while rendering (so the check below is meaningful)
    expect(during.length).toBeGreaterThan(before.length);
    expect(during.filter((f) => f.startsWith('.')).length).toBeGreaterThan(0);
    await page.click('[data-testid=export-cancel]');
    await page.waitForSelector('[data-testid=export-progress][data-state=cancelled]', { timeout: 60_000 });
    await shot('13-export-cancelled');
    expect(await page.textContent('[data-testid=export-progress]')).toContain('Export cancelled; no file was written.');
    expect(await readdir(outDir)).toEqual(before);
    expect(pageErrors).toEqual([]);
  }, 300_000);

  it('remembers settings across a reload (export size, motion)', async () => {
    await page.waitForTimeout(600); // settings are saved 400 ms after the last change
    await page.reload();
    await page.waitForSelector('[data-testid=portrait-input]', { state: 'attached' });
    await page.waitForFunction(() => Number(document.querySelector<DomEl & { value: string }>('[data-testid=motion-headMotionStrength]')?.value) > 0.8);
    await page.keyboard.press('Control+e');
    expect(await page.inputValue('[data-testid=export-size]')).toBe('256');
    await shot('14-settings-after-reload');
    await page.click('text=Close');
  }, 60_000);

  it('imports dropped files by type and refuses an unknown kind inline', async () => {
    const drop = async (name: string, type: string, bytes: Buffer): Promise<void> => {
      await page.evaluate(
        ({ name, type, data }) => {
          const dt = new (globalThis as unknown as { DataTransfer: new () => { items: { add(f: unknown): void } } }).DataTransfer();
          const FileCtor = (globalThis as unknown as { File: new (parts: unknown[], name: string, o: { type: string }) => unknown }).File;
          dt.items.add(new FileCtor([new Uint8Array(data)], name, { type }));
          const zone = document.querySelector('[data-testid=drop-zone]') as unknown as { dispatchEvent(e: unknown): void };
          const EventCtor = (globalThis as unknown as { DragEvent: new (t: string, o: unknown) => unknown }).DragEvent;
          zone.dispatchEvent(new EventCtor('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
        },
        { name, type, data: [...bytes] },
      );
    };
    await drop('aud08_word_six_0p65s_derived.wav', 'audio/wav', await readFile(join(CORPUS, 'audio/aud08_word_six_0p65s_derived.wav')));
    // 0.650 s at 25 fps → 16 frames
    await page
      .waitForFunction(() => document.querySelector('[data-testid=frame-counter]')?.textContent?.trim().endsWith('/16'), null, { timeout: 45_000 })
      .catch(async (err: unknown) => {
        await shot('15-dropped-files-failed');
        throw new Error(`${(err as Error).message}; counter "${await page.textContent('[data-testid=frame-counter]')}", audio "${await page.textContent('[data-testid=audio-name]')}"`);
      });
    expect(await page.textContent('[data-testid=audio-name]')).toMatch(/^aud08_word_six_0p65s_derived\.wav · 0:00\.7 · pcm_s16le/);
    await drop('readme.txt', 'text/plain', Buffer.from('hello'));
    await page.waitForSelector('[data-testid=portrait-error]');
    expect(await page.textContent('[data-testid=portrait-error]')).toBe('"readme.txt" is not an image, audio, avatar or project file.');
    await shot('15-dropped-files');
  }, 60_000);
});
