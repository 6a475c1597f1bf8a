/**
 * End to end, like a user: direct a performance on the studio's timeline (a "happy" range at 2–4 s), set in/out
 * points at 1 s and 5 s, export that range, and check the exported file's duration and — with the independent
 * tracker (TF.js FaceMesh) — that the mouth corners rise inside the happy range and not outside it.
 * Screenshots at 800×600 and 1440×900 are committed under tests/e2e/screenshots/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { startStudio, type StudioE2E } from './harness.ts';
import { probe, readVideoFramesRgba } from '../helpers/media.ts';
import { meanStd, measureVideoWithTracker } from '../helpers/trackerMeasure.ts';

interface DomEl {
  dataset: Record<string, string | undefined>;
  textContent: string | null;
  getAttribute(name: string): string | null;
}
declare const document: { querySelector<T extends DomEl = DomEl>(selector: string): T | null };

const REPO = process.cwd();
const CORPUS = resolve(REPO, '../shared/corpus');
const SHOTS = resolve(REPO, 'tests/e2e/screenshots');
const IMG01 = join(CORPUS, 'images/img01_frontal_ai_man_jpeg-named-png.png');
const AUD01 = join(CORPUS, 'audio/aud01_jfk_en_flac_24bit_44k_stereo.flac');
const S = 256;

let studio: StudioE2E;
let page: Page;

beforeAll(async () => {
  await mkdir(SHOTS, { recursive: true });
  studio = await startStudio('studio-timeline-e2e-');
  page = studio.page;
  await page.setViewportSize({ width: 1440, height: 900 });
}, 300_000);
afterAll(async () => {
  await studio?.close();
});

/** Clicks the ruler at a time (s) of the 11 s clip, which pauses and seeks there. */
async function seekOnRuler(timeSec: number, durationSec: number): Promise<void> {
  const box = (await page.locator('[data-testid=ruler]').boundingBox())!;
  await page.mouse.click(box.x + (box.width * timeSec) / durationSec, box.y + box.height / 2);
  await page.waitForFunction((t) => Math.abs(Number(document.querySelector('[data-testid=viewport]')?.dataset.audioTimeSec) - t) < 0.05, timeSec, { timeout: 10_000 });
}

describe('studio timeline: directions, in/out export, layout', () => {
  it('a happy range at 2–4 s and in/out at 1–5 s: the export lasts 4 s and smiles only inside the range', async () => {
    await page.setInputFiles('[data-testid=portrait-input]', IMG01);
    await page.waitForSelector('[data-testid=landmark-overlay][data-landmark-count="478"]', { timeout: 90_000 });
    await page.setInputFiles('[data-testid=audio-input]', AUD01);
    await page.waitForFunction(() => document.querySelector('[data-testid=frame-counter]')?.textContent?.trim().endsWith('/275'), null, { timeout: 60_000 });
    expect(await page.textContent('[data-testid=timecode]')).toBe('00:00.00 / 00:11.00');
    await page.selectOption('[data-testid=lane-select]', 'mood');
    await page.selectOption('[data-testid=lane-value]', 'happy');
    await page.click('[data-testid=add-range]');
    await page.fill('[data-testid=range-end]', '4');
    await page.fill('[data-testid=range-start]', '2');
    await page.waitForFunction(() => document.querySelector('[data-testid=range-mood-0]')?.textContent === 'happy');
    // Expression at full strength over the same range (the clip-wide default is 0.5, which reads only half as clearly).
    await page.selectOption('[data-testid=lane-select]', 'expressionIntensity');
    await page.selectOption('[data-testid=lane-value]', '1');
    await page.click('[data-testid=add-range]');
    await page.fill('[data-testid=range-end]', '4');
    await page.fill('[data-testid=range-start]', '2');
    await page.waitForFunction(() => document.querySelector('[data-testid=range-expressionIntensity-0]')?.getAttribute('title') === '1 2.00–4.00 s');
    await seekOnRuler(1, 11);
    await page.keyboard.press('i');
    await seekOnRuler(5, 11);
    await page.keyboard.press('o');
    await page.waitForSelector('[data-testid=range-label]');
    // Clicks on the ruler land within a frame or two of 1 s and 5 s (pixel rounding).
    const [inTc, outTc] = (await page.textContent('[data-testid=range-label]'))!.split('–');
    const tcSec = (tc: string): number => Number(tc.slice(0, 2)) * 60 + Number(tc.slice(3, 5)) + Number(tc.slice(6, 8)) / 25;
    expect(Math.abs(tcSec(inTc!) - 1)).toBeLessThanOrEqual(0.08);
    expect(Math.abs(tcSec(outTc!) - 5)).toBeLessThanOrEqual(0.08);
    await page.screenshot({ path: join(SHOTS, 'timeline-1440x900.png') });
    await page.setViewportSize({ width: 800, height: 600 });
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(SHOTS, 'timeline-800x600.png') });
    // Nothing runs off the right edge at 800 px.
    const overflow = await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement.scrollWidth - (globalThis as unknown as { document: { documentElement: { clientWidth: number } } }).document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.setViewportSize({ width: 1440, height: 900 });

    await page.keyboard.press('Control+e');
    await page.waitForSelector('[data-testid=export-dialog]');
    expect(await page.textContent('[data-testid=export-range]')).toMatch(/^Range [01]\.\d\d–[45]\.\d\d s/);
    await page.selectOption('[data-testid=export-size]', String(S));
    await page.click('[data-testid=export-start]');
    await page.waitForSelector('[data-testid=export-progress][data-state=done]', { timeout: 400_000 });
    const files = (await readdir(studio.outDir)).filter((f) => f.endsWith('.mp4'));
    expect(files).toHaveLength(1);
    const out = join(studio.outDir, files[0]!);
    const p = await probe(out);
    // In/out were set by clicks on the ruler: within a frame or two of 1 s and 5 s.
    expect(p.video!.durationSec).toBeGreaterThan(3.9);
    expect(p.video!.durationSec).toBeLessThan(4.1);
    expect(Math.abs(p.audio!.durationSec - p.video!.durationSec)).toBeLessThan(0.06);

    // Output time t ↔ clip time t + ≈1 s. Inside: clip 2.4–3.6 s (the happy range without its 0.3 s eases);
    // outside: clip 1.0–1.9 s and 4.1–5.0 s.
    const startFrame = Math.round(Number((await page.textContent('[data-testid=export-range]'))!.match(/Range ([\d.]+)/)![1]) * 25);
    const clipSec = (f: number): number => (f + startFrame) / 25;
    const inside = (f: number): boolean => clipSec(f) >= 2.4 && clipSec(f) <= 3.6;
    const outside = (f: number): boolean => clipSec(f) <= 1.9 || clipSec(f) >= 4.1;
    const ms = await measureVideoWithTracker(out, S, (f) => f % 2 === 0 && (inside(f) || outside(f)));
    const inStat = meanStd(ms.filter((m) => inside(m.frameIndex)).map((m) => m.mouthCornerHeightIod));
    const outStat = meanStd(ms.filter((m) => outside(m.frameIndex)).map((m) => m.mouthCornerHeightIod));
    console.log(`mouth-corner height (IOD): inside the happy range ${inStat.mean.toFixed(4)}±${inStat.std.toFixed(4)}, outside ${outStat.mean.toFixed(4)}±${outStat.std.toFixed(4)}`);
    expect(inStat.mean - outStat.mean).toBeGreaterThan(2 * Math.max(inStat.std, outStat.std));
  }, 900_000);

  it('saves a bundle, reloads the page, reopens it whole (media, directions, in/out) and exports the same frames', async () => {
    await page.click('text=Close').catch(() => undefined);
    const first = join(studio.outDir, (await readdir(studio.outDir)).filter((f) => f.endsWith('.mp4'))[0]!);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=project-save-bundle]')]);
    expect(download.suggestedFilename()).toMatch(/\.avatar-studio$/);
    const bundlePath = join(studio.root, download.suggestedFilename());
    await download.saveAs(bundlePath);
    expect(await page.textContent('[data-testid=project-message]')).toContain('with its media');
    await page.reload();
    await page.waitForSelector('[data-testid=project-input]', { state: 'attached' });
    expect(await page.textContent('[data-testid=timecode]')).toBe('00:00.00 / 00:00.00');
    await page.setInputFiles('[data-testid=project-input]', bundlePath);
    await page.waitForFunction(() => document.querySelector('[data-testid=frame-counter]')?.textContent?.trim().endsWith('/275'), null, { timeout: 120_000 });
    await page.waitForSelector('[data-testid=landmark-overlay][data-landmark-count="478"]', { timeout: 90_000 });
    expect(await page.textContent('[data-testid=project-message]')).not.toContain('again');
    expect(await page.textContent('[data-testid=range-mood-0]')).toBe('happy');
    await page.keyboard.press('Control+e');
    await page.waitForSelector('[data-testid=export-dialog]');
    await page.click('[data-testid=export-start]');
    await page.waitForSelector('[data-testid=export-progress][data-state=done]', { timeout: 400_000 });
    const files = (await readdir(studio.outDir)).filter((f) => f.endsWith('.mp4')).map((f) => join(studio.outDir, f));
    expect(files).toHaveLength(2);
    const second = files.find((f) => f !== first)!;
    const a = await readVideoFramesRgba(first, S, S);
    const b = await readVideoFramesRgba(second, S, S);
    expect(b.length).toBe(a.length);
    let worst = 0;
    for (let f = 0; f < a.length; f++) {
      let sum = 0;
      for (let i = 0; i < a[f]!.length; i++) sum += Math.abs(a[f]![i]! - b[f]![i]!);
      worst = Math.max(worst, sum / a[f]!.length);
    }
    // Same project, same media, same directions → the same frames (up to encoder noise).
    expect(worst).toBeLessThan(0.5);
  }, 900_000);

  it('shows the shortcut help and a checkerboard behind a transparent preview', async () => {
    await page.click('text=Close').catch(() => undefined);
    await page.keyboard.press('Escape');
    await page.selectOption('[data-testid=background-kind]', 'transparent');
    expect(await page.getAttribute('[data-testid=viewport]', 'class')).toContain('checkerboard');
    await page.keyboard.press('?');
    await page.waitForSelector('[data-testid=shortcut-help]');
    await page.setViewportSize({ width: 800, height: 600 });
    await page.screenshot({ path: join(SHOTS, 'help-800x600.png') });
    await page.keyboard.press('Escape');
    await page.screenshot({ path: join(SHOTS, 'transparent-800x600.png') });
    expect(studio.pageErrors).toEqual([]);
  }, 60_000);
});
