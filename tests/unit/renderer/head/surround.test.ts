import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildPhotoHeadRig } from '../../../../renderer/head/rig.ts';
import { buildSurround, NECK_LENGTH_FH, surroundHeadWeight } from '../../../../renderer/head/surround.ts';
import { personLayerAlpha } from '../../../../core/segment/personLayer.ts';
import { contourStepPx } from '../../../integration/render/seamMetric.ts';
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

describe('surround head weight (issue 13: the head falls apart when a driving video moves it)', () => {
  it.each(['img01', 'img05', 'img06'])('%s: every node the person layer can show as head (above the chin) follows the pose fully; the neck blends; the far background stays', (name) => {
    const { lm, w, h } = load(name);
    const rig = buildPhotoHeadRig(lm, 478);
    const crop = computeCropRect(w, h, faceBoundsFromLandmarks(lm), 'photo', 1);
    const g = buildSurround(rig.restPx, rig.frame, { regionPx: { xPx: crop.xPx - crop.widthPx / 2, yPx: crop.yPx - crop.heightPx / 2, widthPx: crop.widthPx * 2, heightPx: crop.heightPx * 2 } });
    // Where the person layer (core/segment/personLayer.ts) allows head alpha: a probe matte that is 255 everywhere,
    // limited by its head-and-shoulders prior; its shoulder part starts below the chin.
    const probe = personLayerAlpha(new Uint8Array(w * h).fill(255), w, h, lm);
    const fh = rig.frame.faceHeightPx;
    const [fcx, fcy] = rig.frame.faceCenterPx;
    const chinY = fcy + 0.5 * fh; // the face mesh's lowest point
    let headNodes = 0;
    let minHeadWeight = 1;
    for (let k = 0; k < g.xPx.length; k++) {
      const x = Math.round(g.xPx[k]!);
      const y = Math.round(g.yPx[k]!);
      if (x < 0 || y < 0 || x >= w || y >= h || g.yPx[k]! > chinY || probe[y * w + x]! === 0) continue;
      headNodes++;
      minHeadWeight = Math.min(minHeadWeight, g.headWeight[k]!);
    }
    const at = (xPx: number, yPx: number): number => surroundHeadWeight(xPx, yPx, rig.frame);
    console.log(`${name}: ${headNodes} head nodes, least head weight ${minHeadWeight.toFixed(3)}`);
    expect(headNodes).toBeGreaterThan(200);
    // Before: 0 at the top of the hair and beside the temples (weights fell off inside the head: hair torn apart).
    expect(minHeadWeight).toBe(1);
    // The neck bends over its length (half-way down it, half the chain), its base is trunk.
    const neck = at(fcx, chinY + 0.5 * NECK_LENGTH_FH * fh);
    expect(neck).toBeGreaterThan(0.4);
    expect(neck).toBeLessThan(0.6);
    expect(at(fcx, chinY + NECK_LENGTH_FH * fh)).toBe(0);
    // Beside the neck, at a third of its length down, the shoulders are trunk (on today's main they took ~0.1 of the
    // head's pose: the neck blend ran across the whole width, so a rolling head dragged the shoulders' top along).
    const fw = rig.frame.faceWidthPx;
    expect(at(fcx - 1.0 * fw, chinY + 0.3 * fh)).toBe(0);
    expect(at(fcx + 1.0 * fw, chinY + 0.3 * fh)).toBe(0);
    expect(g.headWeight[0]).toBe(0);
  });
});

/**
 * Issue 13, the Mona Lisa's outline step: where the face mesh and the surround show the same photo pixel along the
 * face's visible contour, their depths must agree, or an orbit draws that pixel twice in two places (a step along the
 * cheek, hair cut at the temple). Measured as the screen offset an orbit of 30° gives the depth difference at each
 * contour vertex — |Δz| · sin 30°, in output pixels of a 256² frame of the photo framing — with the surround's depth
 * read off its grid triangles (barycentric over the nodes' actual positions) the way the GPU interpolates it.
 */
describe('surround depth along the face contour (img01, img06)', () => {
  it.each(['img06', 'img01'])('%s: the surround follows the face contour within 1.5 output px at 30° (95th percentile)', (name) => {
    const { lm, w, h } = load(name);
    const crop = computeCropRect(w, h, faceBoundsFromLandmarks(lm), 'photo', 1);
    const { median, p95, max } = contourStepPx(lm, crop, 256, Math.PI / 6);
    console.log(`${name}: contour offset at 30°, output px: median ${median.toFixed(2)}, p95 ${p95.toFixed(2)}, max ${max.toFixed(2)}`);
    // main at 2110552: p95 6.7 px (img06) and 7.4 px (img01), medians 1.4 and 2.3; with the contour-conforming seam
    // 1.0 and 1.1, medians 0.1.
    expect(p95).toBeLessThanOrEqual(1.5);
  });
});
