/**
 * fitForegroundOverPlate: the person layer refitted over the plate drawn behind it reproduces the photo when
 * composited (α′·F′ + (1 − α′)·P = I within 8-bit rounding), keeps α′ ≥ α, and leaves pixels where the plate is the
 * photo alone.
 */
import { describe, expect, it } from 'vitest';
import { estimateForegroundColours, fitForegroundOverPlate } from '../../../../core/segment/foregroundColour.ts';

describe('fitForegroundOverPlate', () => {
  // A 32×24 photo: a bright disc (person, soft edge) on a dark left-to-right ramp; the plate's fill is a flat grey
  // unlike the ramp, over the disc plus a 3 px ring.
  const W = 32;
  const H = 24;
  const rgba = new Uint8Array(W * H * 4);
  const alpha = new Uint8Array(W * H);
  const plateRgba = new Uint8Array(W * H * 4);
  const filledMask = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const k = y * W + x;
      const d = Math.hypot(x - 16, y - 12);
      const a = Math.min(1, Math.max(0, (8 - d) / 3));
      alpha[k] = Math.round(a * 255);
      const bg = [20 + 4 * x, 40 + 2 * x, 60];
      const fg = [230, 180, 150];
      for (let c = 0; c < 3; c++) rgba[k * 4 + c] = Math.round(a * fg[c]! + (1 - a) * bg[c]!);
      rgba[k * 4 + 3] = 255;
      const filled = d < 11;
      filledMask[k] = filled ? 1 : 0;
      for (let c = 0; c < 3; c++) plateRgba[k * 4 + c] = filled ? 128 : rgba[k * 4 + c]!;
      plateRgba[k * 4 + 3] = 255;
    }
  }
  const plate = { rgba: plateRgba, widthPx: W, heightPx: H, originXPx: 0, originYPx: 0, photoPxPerPlatePx: 1, filledMask };
  const fg = estimateForegroundColours(rgba, alpha, W, H);
  const fit = fitForegroundOverPlate(rgba, fg, W, H, plate);

  it('composited over the plate it reproduces the photo (the unfitted layer does not)', () => {
    let worstFit = 0;
    let worstOld = 0;
    for (let k = 0; k < W * H; k++) {
      const a2 = fit[k * 4 + 3]! / 255;
      const a1 = fg[k * 4 + 3]! / 255;
      for (let c = 0; c < 3; c++) {
        const P = plateRgba[k * 4 + c]!;
        worstFit = Math.max(worstFit, Math.abs(a2 * fit[k * 4 + c]! + (1 - a2) * P - rgba[k * 4 + c]!));
        worstOld = Math.max(worstOld, Math.abs(a1 * fg[k * 4 + c]! + (1 - a1) * P - rgba[k * 4 + c]!));
      }
    }
    expect(worstFit).toBeLessThanOrEqual(1);
    expect(worstOld).toBeGreaterThan(40);
  });

  it('raises alpha only where needed and leaves unfilled pixels alone', () => {
    let raised = 0;
    for (let k = 0; k < W * H; k++) {
      expect(fit[k * 4 + 3]!).toBeGreaterThanOrEqual(fg[k * 4 + 3]!);
      if (fit[k * 4 + 3]! > fg[k * 4 + 3]!) raised++;
      if (!filledMask[k]) for (let c = 0; c < 4; c++) expect(fit[k * 4 + c]).toBe(fg[k * 4 + c]);
    }
    expect(raised).toBeGreaterThan(0);
  });

  it('refuses mismatched sizes', () => {
    expect(() => fitForegroundOverPlate(rgba, fg.subarray(4), W, H, plate)).toThrow(/expected/);
  });
});
