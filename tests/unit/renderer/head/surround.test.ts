import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildPhotoHeadRig } from '../../../../renderer/head/rig.ts';
import { buildSurround } from '../../../../renderer/head/surround.ts';
import { computeCropRect, faceBoundsFromLandmarks } from '../../../../renderer/scene/framing.ts';

const load = (name: string): { lm: Float32Array; w: number; h: number } => {
  const j = JSON.parse(readFileSync(`tests/fixtures/landmarks/${name}.json`, 'utf8')) as { landmarksPx: number[]; imageWidthPx: number; imageHeightPx: number };
  return { lm: Float32Array.from(j.landmarksPx), w: j.imageWidthPx, h: j.imageHeightPx };
};

describe('surround depth proxy', () => {
  const { lm, w, h } = load('img06');
  const rig = buildPhotoHeadRig(lm, 478);
  const crop = computeCropRect(w, h, faceBoundsFromLandmarks(lm), 'photo', 1);
  const g = buildSurround(rig.restPx, rig.frame, { regionPx: { xPx: crop.xPx - crop.widthPx / 2, yPx: crop.yPx - crop.heightPx / 2, widthPx: crop.widthPx * 2, heightPx: crop.heightPx * 2 } });
  it('outside the face the surface has no walls: depth slope between neighbouring nodes ≤ 3.5 (≈ 74°)', () => {
    const spacingPx = (crop.widthPx * 2) / (g.cols - 1);
    let maxSlope = 0;
    let faceNodes = 0;
    for (let j = 0; j < g.rows; j++) {
      for (let i = 0; i < g.cols; i++) {
        const k = j * g.cols + i;
        faceNodes += g.faceNode[k]!;
        for (const n of [i + 1 < g.cols ? k + 1 : -1, j + 1 < g.rows ? k + g.cols : -1]) {
          if (n < 0 || (g.faceNode[k] && g.faceNode[n])) continue;
          maxSlope = Math.max(maxSlope, Math.abs(g.zPx[n]! - g.zPx[k]!) / spacingPx);
        }
      }
    }
    expect(faceNodes).toBeGreaterThan(100);
    expect(maxSlope).toBeLessThanOrEqual(3.5);
  });
  it('sits just behind the face under the nose and far behind at the frame corners', () => {
    const nearest = (xPx: number, yPx: number): number => {
      let best = 0;
      let bestD = Infinity;
      for (let k = 0; k < g.xPx.length; k++) {
        const d = Math.hypot(g.xPx[k]! - xPx, g.yPx[k]! - yPx);
        if (d < bestD) {
          bestD = d;
          best = k;
        }
      }
      return best;
    };
    const nose = nearest(lm[3]!, lm[4]!);
    expect(g.zPx[nose]!).toBeGreaterThan(lm[5]! - 0.05 * rig.frame.iodPx);
    expect(g.zPx[nose]!).toBeLessThan(lm[5]! + 0.6 * rig.frame.iodPx);
    expect(g.zPx[0]!).toBeGreaterThan(rig.frame.silhouetteDepthPx + 0.3 * rig.frame.faceWidthPx);
    expect(g.headWeight[nose]).toBe(1);
    expect(g.headWeight[0]).toBe(0);
  });
});
