/**
 * End to end, like a user: drive the portrait with a video in the studio (vid01, a man talking, with his own
 * sound), export, and check with the independent tracker (TF.js FaceMesh) that the exported mouth follows the
 * driving video's mouth.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { startStudio, type StudioE2E } from './harness.ts';
import { pearson, probe } from '../helpers/media.ts';
import { measureVideoWithTracker } from '../helpers/trackerMeasure.ts';

interface DomEl {
  textContent: string | null;
}
declare const document: { querySelector<T extends DomEl = DomEl>(selector: string): T | null };

const REPO = process.cwd();
const CORPUS = resolve(REPO, '../shared/corpus');
const SHOTS = resolve(REPO, 'tests/e2e/screenshots');
const IMG01 = join(CORPUS, 'images/img01_frontal_ai_man_jpeg-named-png.png');
const VID01 = join(CORPUS, 'video/vid01_talking_man_own_speech_480p25.mp4');
const S = 256;

let studio: StudioE2E;
let page: Page;
beforeAll(async () => {
  await mkdir(SHOTS, { recursive: true });
  studio = await startStudio('studio-driving-e2e-');
  page = studio.page;
  await page.setViewportSize({ width: 1440, height: 900 });
}, 300_000);
afterAll(async () => {
  await studio?.close();
});

describe('studio: driving video', () => {
  it('drives img01 with vid01 through the UI (its own sound), exports, and the mouth follows the video', async () => {
    await page.setInputFiles('[data-testid=portrait-input]', IMG01);
    await page.waitForSelector('[data-testid=landmark-overlay][data-landmark-count="478"]', { timeout: 90_000 });
    await page.setInputFiles('[data-testid=video-input]', VID01);
    await page.waitForSelector('[data-testid=video-strip]', { timeout: 300_000 });
    // Its sound became the audio: 7.01 s → 175 frames at 25 fps.
    await page.waitForFunction(() => document.querySelector('[data-testid=frame-counter]')?.textContent?.trim().endsWith('/175'), null, { timeout: 120_000 });
    expect(await page.textContent('[data-testid=video-name]')).toContain('with sound');
    expect(await page.textContent('[data-testid=video-faceless]')).toMatch(/A face in all \d+ frames|No face in/);
    await page.screenshot({ path: join(SHOTS, 'driving-1440x900.png') });
    expect(await page.locator('[data-testid=lane-video]').count()).toBe(1);
    await page.keyboard.press('Control+e');
    await page.waitForSelector('[data-testid=export-dialog]');
    await page.selectOption('[data-testid=export-size]', String(S));
    await page.click('[data-testid=export-start]');
    await page.waitForSelector('[data-testid=export-progress][data-state=done]', { timeout: 500_000 });
    const out = join(studio.outDir, (await readdir(studio.outDir)).find((f) => f.endsWith('.mp4'))!);
    const p = await probe(out);
    expect(p.video!.frameCount).toBe(175);
    expect(p.audio).toBeDefined();
    // Lip gap per frame (every 2nd frame) in the driving video and in the export, both read by TF.js FaceMesh.
    const driver = await measureVideoWithTracker(VID01, 480, (f) => f % 2 === 0);
    const rendered = await measureVideoWithTracker(out, S, (f) => f % 2 === 0);
    const common = driver.filter((d) => rendered.some((r) => r.frameIndex === d.frameIndex));
    expect(common.length).toBeGreaterThan(70);
    const r = pearson(
      common.map((d) => d.lipGapIod),
      common.map((d) => rendered.find((x) => x.frameIndex === d.frameIndex)!.lipGapIod),
    );
    console.log(`lip gap, driving video vs export: Pearson r = ${r.toFixed(3)} over ${common.length} frames`);
    expect(r).toBeGreaterThan(0.6);
    expect(studio.pageErrors).toEqual([]);
  }, 900_000);
});
