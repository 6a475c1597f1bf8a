import { describe, expect, it } from 'vitest';
import { inpaint } from '../../../../core/image/inpaint.ts';
import { buildBackgroundPlate } from '../../../../core/image/backgroundPlate.ts';

/** Diagonal stripes (period 12 px) with a vertical brightness ramp: structure a fill must continue. */
function stripes(W: number, H: number): Uint8Array {
  const rgba = new Uint8Array(W * H * 4);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const on = Math.floor((x + y) / 6) % 2 === 0;
      const i = (y * W + x) * 4;
      rgba[i] = on ? 200 : 40;
      rgba[i + 1] = on ? 120 : 60;
      rgba[i + 2] = 50 + Math.round((100 * y) / H);
      rgba[i + 3] = 255;
    }
  }
  return rgba;
}

function squareHole(W: number, H: number, x0: number, y0: number, s: number): Uint8Array {
  const hole = new Uint8Array(W * H);
  for (let y = y0; y < y0 + s; y++) for (let x = x0; x < x0 + s; x++) hole[y * W + x] = 1;
  return hole;
}

/** Mean absolute RGB error over the hole. */
function holeError(a: Uint8Array, b: Uint8Array, hole: Uint8Array): number {
  let e = 0;
  let n = 0;
  for (let k = 0; k < hole.length; k++) {
    if (!hole[k]) continue;
    for (let c = 0; c < 3; c++) e += Math.abs(a[k * 4 + c]! - b[k * 4 + c]!);
    n += 3;
  }
  return e / n;
}

describe('inpaint (PatchMatch completion)', () => {
  const W = 96;
  const H = 96;
  const truth = stripes(W, H);
  const hole = squareHole(W, H, 30, 34, 28);
  const damaged = Uint8Array.from(truth);
  for (let k = 0; k < W * H; k++) if (hole[k]) damaged.set([255, 0, 255, 255], k * 4);

  it('continues the stripes into the hole far better than the mean colour would', () => {
    const out = inpaint(damaged, W, H, hole, { seed: 3 });
    // Baseline: every hole pixel the image's mean colour (what a smooth fill converges to on stripes).
    const mean = [0, 0, 0];
    for (let k = 0; k < W * H; k++) for (let c = 0; c < 3; c++) mean[c]! += truth[k * 4 + c]! / (W * H);
    const flat = Uint8Array.from(truth);
    for (let k = 0; k < W * H; k++) if (hole[k]) flat.set([Math.round(mean[0]!), Math.round(mean[1]!), Math.round(mean[2]!)], k * 4);
    const eFill = holeError(out, truth, hole);
    const eFlat = holeError(flat, truth, hole);
    expect(eFlat).toBeGreaterThan(30);
    expect(eFill).toBeLessThan(0.25 * eFlat);
    // No magenta left: the hole colour never seeds the fill.
    for (let k = 0; k < W * H; k++) if (hole[k]) expect(out[k * 4 + 1]! > 0 || out[k * 4]! < 250).toBe(true);
  });

  it('leaves known pixels untouched and is deterministic for a seed', () => {
    const a = inpaint(damaged, W, H, hole, { seed: 7 });
    const b = inpaint(damaged, W, H, hole, { seed: 7 });
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    for (let k = 0; k < W * H; k++) if (!hole[k]) expect(a[k * 4]).toBe(truth[k * 4]);
  });

  it('refuses bad input with InvalidInputError', () => {
    expect(() => inpaint(damaged, W, H, new Uint8Array(10))).toThrow(/hole mask/);
    expect(() => inpaint(damaged, W, H, new Uint8Array(W * H).fill(1))).toThrow(/whole image/);
    expect(() => inpaint(damaged, 0, H, hole)).toThrow(/positive integers/);
  });
});

describe('buildBackgroundPlate', () => {
  it('removes the person, fills margins past the photo and keeps the background', () => {
    const W = 120;
    const H = 100;
    const photo = stripes(W, H);
    // A red "person" disc in the middle; its matte.
    const alpha = new Uint8Array(W * H);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        if (Math.hypot(x - 60, y - 55) < 25) {
          alpha[y * W + x] = 255;
          photo.set([255, 0, 0, 255], (y * W + x) * 4);
        }
      }
    }
    const plate = buildBackgroundPlate(photo, W, H, alpha, { marginsPx: { leftPx: 20, rightPx: 10, topPx: 5, bottomPx: 15 }, seed: 1 });
    expect([plate.widthPx, plate.heightPx, plate.originXPx, plate.originYPx]).toEqual([150, 120, -20, -5]);
    let red = 0;
    for (let k = 0; k < plate.widthPx * plate.heightPx; k++) if (plate.rgba[k * 4]! > 230 && plate.rgba[k * 4 + 1]! < 30) red++;
    expect(red).toBe(0);
    // A background pixel far from the person is the photo's own.
    const px = (x: number, y: number): number[] => Array.from(plate.rgba.subarray(((y + 5) * 150 + x + 20) * 4, ((y + 5) * 150 + x + 20) * 4 + 3));
    expect(px(5, 5)).toEqual(Array.from(photo.subarray((5 * W + 5) * 4, (5 * W + 5) * 4 + 3)));
    // The margin continues the stripes: both stripe colours appear in the left margin.
    let bright = 0;
    let dark = 0;
    for (let y = 0; y < plate.heightPx; y++) {
      for (let x = 0; x < 20; x++) {
        const r = plate.rgba[(y * 150 + x) * 4]!;
        if (r > 150) bright++;
        if (r < 90) dark++;
      }
    }
    expect(bright).toBeGreaterThan(200);
    expect(dark).toBeGreaterThan(200);
  });
});
