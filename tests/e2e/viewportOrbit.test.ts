/**
 * End to end: the viewport's orbit, dragged to its limits like a user would, shows a whole picture — no column one
 * flat colour, no empty (clear-colour) area — and the limits, the wheel zoom and the reset button work.
 * Screenshots go to test-artifacts/e2e/orbit-*.png.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { startStudio, type StudioE2E } from './harness.ts';
import { flatColumnFraction } from '../integration/render/frameMetrics.ts';
import { ORBIT_LIMITS_DEG } from '../../core/jobs/options.ts';

interface DomEl {
  dataset: Record<string, string | undefined>;
}
declare const document: { querySelector<T extends DomEl = DomEl>(selector: string): T | null };

const REPO = process.cwd();
const SHOTS = resolve(REPO, 'test-artifacts/e2e');
const PORTRAIT = resolve(REPO, '../shared/corpus/images/img02_darkskin_ai_woman_rgba.png');

let studio: StudioE2E;
let page: Page;

/** The viewport's pixels as drawn (RGBA) and how much of it is flat or the black clear colour. */
async function viewportStats(name: string): Promise<{ flatColumns: number; emptyShare: number }> {
  const png = await page.locator('[data-testid=viewport]').screenshot({ path: join(SHOTS, `orbit-${name}.png`) });
  const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const rgba = new Uint8Array(data.buffer, data.byteOffset, data.length);
  let empty = 0;
  for (let i = 0; i < info.width * info.height; i++) if (rgba[i * 4]! < 4 && rgba[i * 4 + 1]! < 4 && rgba[i * 4 + 2]! < 4) empty++;
  return { flatColumns: flatColumnFraction(rgba, info.width, info.height), emptyShare: empty / (info.width * info.height) };
}

/** Drags across the viewport by (dx, dy) px in small steps, as a hand would. */
async function drag(dx: number, dy: number): Promise<void> {
  const box = (await page.locator('[data-testid=viewport]').boundingBox())!;
  const x0 = box.x + box.width / 2;
  const y0 = box.y + box.height / 2;
  await page.mouse.move(x0, y0);
  await page.mouse.down();
  await page.mouse.move(x0 + dx, y0 + dy, { steps: 40 });
  await page.mouse.up();
  await page.waitForTimeout(800);
}

beforeAll(async () => {
  await mkdir(SHOTS, { recursive: true });
  studio = await startStudio('orbit-e2e-');
  page = studio.page;
  await page.setInputFiles('[data-testid=portrait-input]', PORTRAIT);
  await page.waitForSelector('[data-testid=landmark-overlay][data-landmark-count="478"]', { timeout: 90_000 });
  await page.waitForFunction(() => document.querySelector('[data-testid=viewport]')?.dataset.drawnSubject === 'portrait', null, { timeout: 60_000 });
}, 300_000);

afterAll(async () => {
  await studio?.close();
});

describe('viewport orbit', () => {
  it('states its limits and shows a whole picture at each corner of them', async () => {
    expect(await page.textContent('[data-testid=orbit-limits]')).toContain(`±${ORBIT_LIMITS_DEG.yaw}°`);
    const rest = await viewportStats('rest');
    expect(rest.flatColumns).toBeLessThanOrEqual(0.01);
    // Far past the limits in each diagonal: the soft limit stops the camera at ±30° × ±15°.
    for (const [name, dx, dy] of [
      ['right-down', 600, 600],
      ['left-up', -1200, -1200],
      ['right-up', 1200, 0],
      ['left-down', -1200, 1200],
    ] as const) {
      await drag(dx, dy);
      const yawDeg = Number(await page.getAttribute('[data-testid=viewport]', 'data-orbit-yaw-deg'));
      const pitchDeg = Number(await page.getAttribute('[data-testid=viewport]', 'data-orbit-pitch-deg'));
      // At the soft limits (within 1°), never past them. The yaw range is the portrait's (a turned face narrows the side
      // it hides: core/jobs/options.ts orbitYawRangeDeg), stated on the canvas and within ±30°.
      const [loDeg, hiDeg] = (await page.getAttribute('[data-testid=viewport]', 'data-orbit-yaw-range-deg'))!.split(',').map(Number) as [number, number];
      expect(loDeg).toBeGreaterThanOrEqual(-ORBIT_LIMITS_DEG.yaw);
      expect(hiDeg).toBeLessThanOrEqual(ORBIT_LIMITS_DEG.yaw);
      const limitDeg = dx > 0 ? hiDeg : -loDeg;
      expect(Math.abs(yawDeg), `${name}: yaw`).toBeGreaterThan(limitDeg - 1);
      expect(Math.abs(yawDeg), `${name}: yaw`).toBeLessThanOrEqual(limitDeg + 0.1);
      if (dy !== 0) expect(Math.abs(pitchDeg), `${name}: pitch`).toBeGreaterThan(ORBIT_LIMITS_DEG.pitch - 1);
      expect(Math.abs(pitchDeg), `${name}: pitch`).toBeLessThanOrEqual(ORBIT_LIMITS_DEG.pitch);
      const s = await viewportStats(name);
      expect(s.flatColumns, `${name}: flat columns`).toBeLessThanOrEqual(0.01);
      expect(s.emptyShare, `${name}: empty (clear colour) share`).toBeLessThan(0.002);
    }
  }, 120_000);

  it('zooms with the wheel and resets with the visible button', async () => {
    const box = (await page.locator('[data-testid=viewport]').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    for (let k = 0; k < 5; k++) await page.mouse.wheel(0, -200);
    await page.waitForTimeout(800);
    const zoomed = await viewportStats('zoomed');
    expect(zoomed.emptyShare).toBeLessThan(0.002);
    expect(await page.isEnabled('[data-testid=view-reset]')).toBe(true);
    await page.click('[data-testid=view-reset]');
    await page.waitForTimeout(800);
    expect(await page.isDisabled('[data-testid=view-reset]')).toBe(true);
    expect(studio.pageErrors).toEqual([]);
  }, 60_000);
});
