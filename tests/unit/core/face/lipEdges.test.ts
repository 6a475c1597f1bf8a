import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { keepUpperTeethShowing, measureUpperTeeth, raiseUpperLipOffTeeth, TOOTH_DISPLAY_IOD } from '../../../../core/face/lipEdges.ts';
import { buildClosedLipFill } from '../../../../core/face/lipFill.ts';
import { LIPS_LOWER_INNER, LIPS_LOWER_MID, LIPS_UPPER_INNER, LIPS_UPPER_OUTER } from '../../../../core/rig/topology.ts';

/** Real FaceMesh landmarks of a closed-mouth portrait (tests/fixtures/landmarks/img01.json), lower lip moved down `openPx`. */
function fixture(openPx: number): { lm: Float32Array; n: number; w: number; h: number; iod: number } {
  const j = JSON.parse(readFileSync(path.join(process.cwd(), 'tests/fixtures/landmarks/img01.json'), 'utf8')) as { landmarksPx: number[]; imageWidthPx: number; imageHeightPx: number; landmarkCount?: number };
  const lm = Float32Array.from(j.landmarksPx);
  for (const i of [...LIPS_LOWER_INNER, ...LIPS_LOWER_MID, 146, 91, 181, 84, 17, 314, 405, 321, 375]) lm[i * 3 + 1] = lm[i * 3 + 1]! + openPx;
  const iod = Math.hypot(lm[33 * 3]! - lm[263 * 3]!, lm[33 * 3 + 1]! - lm[263 * 3 + 1]!);
  return { lm, n: j.landmarkCount ?? j.landmarksPx.length / 3, w: j.imageWidthPx, h: j.imageHeightPx, iod };
}

/**
 * Skin, red lips above the upper inner contour and below the lower one, a dark mouth opening between them, and a band
 * of near-white teeth from `teethTopPx` above to `teethBottomPx` below the upper inner contour (signed, + = down);
 * the lower lip (from the lower inner contour down) in `lowerLipRgb`.
 */
function paint(lm: Float32Array, w: number, h: number, teethTopPx: number, teethBottomPx: number, lowerLipRgb: number[] = [180, 60, 55]): Uint8Array {
  const rgba = new Uint8Array(w * h * 4);
  for (let i = 0; i < w * h; i++) rgba.set([220, 180, 160, 255], i * 4);
  const x0 = Math.round(lm[61 * 3]!);
  const x1 = Math.round(lm[291 * 3]!);
  const yMax = Math.round(Math.max(...[146, 91, 181, 84, 17, 314, 405, 321, 375].map((i) => lm[i * 3 + 1]!)));
  const upper = (x: number): number => {
    // The upper inner contour's height at column x (nearest contour point).
    let best = LIPS_UPPER_INNER[0]!;
    for (const i of LIPS_UPPER_INNER) if (Math.abs(lm[i * 3]! - x) < Math.abs(lm[best * 3]! - x)) best = i;
    return lm[best * 3 + 1]!;
  };
  const lower = (x: number): number => {
    let best = LIPS_LOWER_INNER[0]!;
    for (const i of LIPS_LOWER_INNER) if (Math.abs(lm[i * 3]! - x) < Math.abs(lm[best * 3]! - x)) best = i;
    return lm[best * 3 + 1]!;
  };
  for (let x = x0; x <= x1; x++) {
    const u = upper(x);
    const l = lower(x);
    for (let y = Math.round(lm[0 * 3 + 1]!); y <= yMax; y++) {
      const lowerLip = y >= l;
      const opening = y > u && !lowerLip;
      const tooth = y >= u + teethTopPx && y <= u + teethBottomPx && !lowerLip;
      rgba.set(tooth ? [235, 232, 222, 255] : opening ? [40, 12, 14, 255] : lowerLip ? [...lowerLipRgb, 255] : [180, 60, 55, 255], (y * w + x) * 4);
    }
  }
  return rgba;
}

describe('measureUpperTeeth / raiseUpperLipOffTeeth / keepUpperTeethShowing', () => {
  it('finds teeth showing 0.08 IOD below the upper lip, and 0.02 IOD of them under the contour it lies on', () => {
    const { lm, w, h, iod } = fixture(0);
    const open = fixture(0.3 * iod);
    const rgba = paint(open.lm, w, h, -Math.round(0.02 * iod), Math.round(0.08 * iod));
    const t = measureUpperTeeth(rgba, w, h, open.lm);
    const mid = LIPS_UPPER_INNER.indexOf(13);
    expect(t.aboveShiftPx[mid]! / iod).toBeGreaterThan(0.012);
    expect(t.aboveShiftPx[mid]! / iod).toBeLessThan(0.03);
    expect(t.displayPx[mid]! / iod).toBeGreaterThan(0.085);
    expect(t.displayPx[mid]! / iod).toBeLessThan(0.11);
    // Raised: the inner contour goes up by the shift, the outer contour stays.
    const raised = raiseUpperLipOffTeeth(open.lm, t.aboveShiftPx);
    expect(open.lm[13 * 3 + 1]! - raised[13 * 3 + 1]!).toBeCloseTo(t.aboveShiftPx[mid]!, 3);
    for (const i of LIPS_UPPER_OUTER) expect(raised[i * 3 + 1]).toBe(open.lm[i * 3 + 1]);
    // A closed mouth (the same paint, lips together) shows none.
    expect(Math.max(...measureUpperTeeth(rgba, w, h, lm).displayPx)).toBe(0);
  });

  it('holds a descending upper lip TOOTH_DISPLAY_IOD above the incisal edge while the jaw opens, not when it is closed', () => {
    const { lm, iod } = fixture(0);
    const display = new Float32Array(LIPS_UPPER_INNER.length).fill(0.05 * iod);
    display[0] = 0;
    display[display.length - 1] = 0;
    const posed = Float32Array.from(lm);
    for (const i of LIPS_UPPER_INNER) posed[i * 3 + 1] = posed[i * 3 + 1]! + 0.06 * iod;
    const closed = Float32Array.from(posed);
    expect(keepUpperTeethShowing(lm, closed, display, [1, 0], [0, 1], iod, 0)).toBe(0);
    expect(closed[13 * 3 + 1]).toBe(posed[13 * 3 + 1]);
    const most = keepUpperTeethShowing(lm, posed, display, [1, 0], [0, 1], iod, 0.5);
    // Allowed descent 0.05 − 0.03 = 0.02 IOD of the 0.06.
    expect((posed[13 * 3 + 1]! - lm[13 * 3 + 1]!) / iod).toBeCloseTo(0.05 - TOOTH_DISPLAY_IOD, 3);
    expect(most / iod).toBeCloseTo(0.04, 3);
  });
});

describe('buildClosedLipFill', () => {
  it('repaints a wide-open lower lip band that is not lip with the mirrored upper lip, darker at the seam; none for a parted mouth or a lip-coloured band', () => {
    const { w, h, iod } = fixture(0);
    const open = fixture(0.4 * iod);
    // Upper lip red, the detected lower lip band pale like teeth: the patch can only be red by mirroring the upper lip.
    const rgba = paint(open.lm, w, h, 0, Math.round(0.1 * iod), [225, 215, 190]);
    const fill = buildClosedLipFill(rgba, w, h, open.lm)!;
    expect(fill.weight).toBe(1);
    const at = (x: number, y: number): number[] => {
      const i = ((Math.round(y) - fill.originPx[1]) * fill.widthPx + Math.round(x) - fill.originPx[0]) * 4;
      return [fill.rgba[i]!, fill.rgba[i + 1]!, fill.rgba[i + 2]!, fill.rgba[i + 3]!];
    };
    // Halfway through the lower lip band at the centre: lip red (R ≫ G), fully weighted.
    const mid = at(open.lm[17 * 3]!, (open.lm[14 * 3 + 1]! + open.lm[17 * 3 + 1]!) / 2);
    expect(mid[3]).toBe(255);
    expect(mid[0]! - mid[1]!).toBeGreaterThan(80);
    // At the seam darker than halfway.
    const seam = at(open.lm[14 * 3]!, open.lm[14 * 3 + 1]! + 1);
    expect(seam[0]!).toBeLessThan(mid[0]!);
    expect(buildClosedLipFill(rgba, w, h, fixture(0.1 * iod).lm)).toBeNull();
    // A wide-open mouth whose detected lower lip band is lip (an "O") keeps it.
    expect(buildClosedLipFill(paint(open.lm, w, h, 0, Math.round(0.1 * iod)), w, h, open.lm)).toBeNull();
    // Past the fade below the lower outer contour (chin skin) nothing is painted.
    expect(at(open.lm[17 * 3]!, fill.originPx[1] + fill.heightPx - 1)[3]).toBe(0);
  });
});

describe('buildClosedLipFill: the dark gap past the inner-lip contour', () => {
  it('a parted mouth (0.1 IOD) whose dark gap reaches 0.02 IOD into the lower lip band gets that strip repainted with the lower lip; none without the intrusion', () => {
    const { iod } = fixture(0);
    const parted = fixture(0.1 * iod);
    const { w, h } = parted;
    const lm = parted.lm;
    // No teeth (top > bottom): lips red, the opening dark.
    const clean = paint(lm, w, h, 1, 0);
    expect(buildClosedLipFill(clean, w, h, lm)).toBeNull();
    // The gap, near-black (img03: luma 0.01–0.06), runs on 0.02 IOD below the lower inner contour (as on img03).
    const rgba = Uint8Array.from(clean);
    const reachPx = Math.round(0.02 * iod);
    const lowerAt = (x: number): number => {
      let best = LIPS_LOWER_INNER[0]!;
      for (const i of LIPS_LOWER_INNER) if (Math.abs(lm[i * 3]! - x) < Math.abs(lm[best * 3]! - x)) best = i;
      return lm[best * 3 + 1]!;
    };
    for (let x = Math.round(lm[61 * 3]!); x <= Math.round(lm[291 * 3]!); x++) {
      const l = Math.ceil(lowerAt(x));
      for (let y = l; y < l + reachPx; y++) rgba.set([10, 4, 4, 255], (y * w + x) * 4);
    }
    const fill = buildClosedLipFill(rgba, w, h, lm)!;
    expect(fill).not.toBeNull();
    expect(fill.weight).toBe(0);
    expect(fill.darkGapPx).toBeGreaterThan(0);
    const at = (x: number, y: number): number[] => {
      const i = ((Math.round(y) - fill.originPx[1]) * fill.widthPx + Math.round(x) - fill.originPx[0]) * 4;
      return [fill.rgba[i]!, fill.rgba[i + 1]!, fill.rgba[i + 2]!, fill.rgba[i + 3]!];
    };
    // In the dark strip at the centre: fully repainted, lip red (R ≫ G), darker than the lip (the closed seam's shade).
    const strip = at(lm[14 * 3]!, Math.ceil(lm[14 * 3 + 1]!) + reachPx / 2);
    expect(strip[3]).toBe(255);
    expect(strip[0]! - strip[1]!).toBeGreaterThan(60);
    expect(strip[0]!).toBeLessThanOrEqual(180);
    // Halfway down the lower lip (past twice the gap's reach): left as the photo.
    expect(at(lm[14 * 3]!, (lm[14 * 3 + 1]! + lm[17 * 3 + 1]!) / 2)[3]).toBe(0);
  });
});
