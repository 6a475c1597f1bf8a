/**
 * No light line along the opened lower lip's inner edge (renderer/head/mouthInterior.ts: the wet bands under the
 * lips' faded edges). On main the lower lip's faded edge showed a band darkened towards the wall colour under it, so
 * a narrow speech opening read as cavity → light line (the band) → dark rim → lip.
 *
 * Measure (pixels of the render, no tracker): per output column across the mouth, the lowest near-black pixel of the
 * opening (luma < 50 of 255), then the luma over the next 6 px down into the lower lip; a "light ridge" is a pixel
 * among the first 3 that is brighter, by more than 10 levels, than a later pixel that is itself followed by a brighter
 * one (light, dark, light again). The share of columns with one is the light-line measure.
 */
import { describe, expect, it } from 'vitest';
import { useRenderHost } from '../../helpers/useRenderHost.ts';
import { ARKIT_BLENDSHAPE_COUNT, BS } from '../../../core/motion/names.ts';
import { HAS_CORPUS } from '../../helpers/media.ts';
import { toOutputPx, videoFramePortrait } from './helpers.ts';

const S = 768;

/** Share of mouth columns with a light ridge along the opening's lower edge (see the module remarks). */
function lightRidgeShare(rgba: Uint8Array, x0: number, x1: number, y0: number, y1: number): { columns: number; share: number; meanRidge: number } {
  const L = (x: number, y: number): number => 0.299 * rgba[(y * S + x) * 4]! + 0.587 * rgba[(y * S + x) * 4 + 1]! + 0.114 * rgba[(y * S + x) * 4 + 2]!;
  let columns = 0;
  let ridged = 0;
  let sum = 0;
  for (let x = x0; x <= x1; x++) {
    let bottom = -1;
    for (let y = y0; y <= y1; y++) if (L(x, y) < 50) bottom = y;
    if (bottom < 0 || bottom > y1 - 7) continue;
    columns++;
    const p = [1, 2, 3, 4, 5, 6].map((k) => L(x, bottom + k));
    let best = 0;
    for (let a = 0; a < 3; a++) for (let b = a + 1; b < 5; b++) best = Math.max(best, Math.min(p[a]! - p[b]!, Math.max(...p.slice(b + 1)) - p[b]!));
    sum += best;
    if (best > 10) ridged++;
  }
  return { columns, share: ridged / Math.max(1, columns), meanRidge: sum / Math.max(1, columns) };
}

describe.skipIf(!HAS_CORPUS)('the opened lower lip has no light line along its inner edge', () => {
  const host = useRenderHost({ widthPx: S, heightPx: S });

  it('vid05 frame 0 (closed lips) at jawOpen 0.3: under 20 % of the mouth columns show a light ridge', { timeout: 180_000 }, async () => {
    const p = await videoFramePortrait('vid05_man_excited_wide_mouth_512p25.mp4', 0);
    const info = await host().loadPortrait(p.image, p.face);
    const bs = new Float32Array(ARKIT_BLENDSHAPE_COUNT);
    bs[BS.jawOpen] = 0.3;
    const img = await host().renderStill({ blendshapes: bs });
    const L = p.face.landmarksPx;
    const pts = [61, 291, 0, 17].map((i) => toOutputPx(info.cropPx, S, S, L[i * 3]!, L[i * 3 + 1]!));
    const xs = pts.map((q) => q[0]);
    const ys = pts.map((q) => q[1]);
    const h = Math.max(...ys) - Math.min(...ys);
    // Columns between the corners (10 % in from each), rows from the upper lip to well below the rest lower lip.
    const w = Math.max(...xs) - Math.min(...xs);
    const r = lightRidgeShare(img, Math.round(Math.min(...xs) + 0.1 * w), Math.round(Math.max(...xs) - 0.1 * w), Math.round(Math.min(...ys)), Math.min(S - 1, Math.round(Math.max(...ys) + 1.5 * h)));
    console.log(`vid05 f0 jawOpen 0.3 (${S}²): ${r.columns} columns, light ridge > 10 levels in ${(100 * r.share).toFixed(0)} %, mean ridge ${r.meanRidge.toFixed(1)}`);
    expect(r.columns).toBeGreaterThan(40);
    expect(r.share).toBeLessThan(0.2);
  });
});
