import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { refineClosedLipSeam } from '../../../../core/face/lipSeam.ts';
import { LIPS_LOWER_INNER, LIPS_UPPER_INNER, LIPS_UPPER_MID, LIPS_UPPER_OUTER } from '../../../../core/rig/topology.ts';

/** Real FaceMesh landmarks of a closed-mouth portrait (tests/fixtures/landmarks/img01.json). */
function fixture(): { lm: Float32Array; n: number; w: number; h: number } {
  const j = JSON.parse(readFileSync(path.join(process.cwd(), 'tests/fixtures/landmarks/img01.json'), 'utf8')) as { landmarksPx: number[]; imageWidthPx: number; imageHeightPx: number; landmarkCount?: number };
  return { lm: Float32Array.from(j.landmarksPx), n: j.landmarkCount ?? j.landmarksPx.length / 3, w: j.imageWidthPx, h: j.imageHeightPx };
}

/** Skin-coloured image with red lips between the outer contours' rows and a dark 2-px seam `seamOffsetPx` below the landmarks' seam. */
function paint(lm: Float32Array, w: number, h: number, seamOffsetPx: number): Uint8Array {
  const rgba = new Uint8Array(w * h * 4);
  for (let i = 0; i < w * h; i++) rgba.set([220, 180, 160, 255], i * 4);
  const seamY = (lm[13 * 3 + 1]! + lm[14 * 3 + 1]!) / 2 + seamOffsetPx;
  const x0 = Math.round(lm[78 * 3]!);
  const x1 = Math.round(lm[308 * 3]!);
  for (let y = Math.round(lm[0 * 3 + 1]!); y <= Math.round(lm[17 * 3 + 1]!); y++) {
    for (let x = x0; x <= x1; x++) {
      const dark = Math.abs(y - seamY) <= 1;
      rgba.set(dark ? [60, 10, 10, 255] : [180, 60, 55, 255], (y * w + x) * 4);
    }
  }
  return rgba;
}

describe('refineClosedLipSeam', () => {
  it('moves both inner-lip contours onto a dark seam 12 px (0.025 IOD) below the landmarks, keeping the outer contour', () => {
    const { lm, n, w, h } = fixture();
    const r = refineClosedLipSeam(paint(lm, w, h, 12), w, h, lm, n);
    expect(r.isApplied).toBe(true);
    // Centre column (13/14) lands within 1 px of the painted seam.
    const before = (lm[13 * 3 + 1]! + lm[14 * 3 + 1]!) / 2;
    const after = (r.landmarksPx[13 * 3 + 1]! + r.landmarksPx[14 * 3 + 1]!) / 2;
    expect(Math.abs(after - before - 12)).toBeLessThan(1);
    for (const i of [...LIPS_UPPER_INNER.slice(2, -2), ...LIPS_LOWER_INNER.slice(1, -1)]) expect(r.landmarksPx[i * 3 + 1]! - lm[i * 3 + 1]!).toBeGreaterThan(6);
    for (const i of LIPS_UPPER_OUTER) expect(r.landmarksPx[i * 3 + 1]).toBe(lm[i * 3 + 1]);
    // The upper lip's body row moves less than its inner edge (bands stay ordered).
    expect(r.landmarksPx[11 * 3 + 1]! - lm[11 * 3 + 1]!).toBeLessThan(r.landmarksPx[13 * 3 + 1]! - lm[13 * 3 + 1]!);
    expect(LIPS_UPPER_MID).toContain(11);
  });

  it('leaves the landmarks alone when the seam is within 0.015 IOD of where they put it', () => {
    const { lm, n, w, h } = fixture();
    for (const offsetPx of [0, 4]) {
      const r = refineClosedLipSeam(paint(lm, w, h, offsetPx), w, h, lm, n);
      expect(r.landmarksPx).toBe(lm);
      expect(Math.abs(r.shiftsPx[4]! - offsetPx)).toBeLessThan(1.5);
    }
  });

  it('leaves an open mouth alone', () => {
    const { lm, n, w, h } = fixture();
    const open = Float32Array.from(lm);
    for (const i of LIPS_LOWER_INNER) open[i * 3 + 1] = open[i * 3 + 1]! + 30;
    const r = refineClosedLipSeam(paint(lm, w, h, 6), w, h, open, n);
    expect(r.isApplied).toBe(false);
    expect(r.landmarksPx).toBe(open);
  });

  it('rejects fewer than 468 landmarks', () => {
    expect(() => refineClosedLipSeam(new Uint8Array(4), 1, 1, new Float32Array(30), 10)).toThrow(RangeError);
  });
});
