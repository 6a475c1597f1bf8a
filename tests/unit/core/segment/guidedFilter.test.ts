import { describe, expect, it } from 'vitest';
import { fastGuidedFilter, guidedFilter } from '../../../../core/segment/guidedFilter.ts';

describe('guidedFilter (He et al. 2010)', () => {
  const W = 64;
  const H = 48;
  // Guide: a vertical step at x = 30 with a soft ramp; input: the same step displaced by 3 px plus a checker noise.
  const guide = new Float32Array(W * H);
  const input = new Float32Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      guide[y * W + x] = x < 30 ? 0.2 : 0.8;
      input[y * W + x] = (x < 33 ? 0 : 1) + ((x + y) % 2 ? 0.05 : -0.05);
    }
  }

  it('keeps a constant map constant', () => {
    const q = guidedFilter(guide, new Float32Array(W * H).fill(0.7), W, H, 4, 1e-3);
    for (const v of q) expect(v).toBeCloseTo(0.7, 5);
  });

  it('moves a misplaced edge of the input onto the guide edge and removes the noise', () => {
    const q = guidedFilter(guide, input, W, H, 6, 1e-4);
    const row = 20 * W;
    // Far from the edge: the local mean (noise averaged out).
    expect(Math.abs(q[row + 5]! - 0)).toBeLessThan(0.06);
    expect(Math.abs(q[row + 60]! - 1)).toBeLessThan(0.06);
    // The jump now sits between x = 29 and x = 30 (the guide's edge), not at 32/33 (the input's).
    const jumpAtGuide = q[row + 30]! - q[row + 29]!;
    const jumpAtInput = q[row + 33]! - q[row + 32]!;
    expect(jumpAtGuide).toBeGreaterThan(0.3);
    expect(jumpAtGuide).toBeGreaterThan(5 * Math.abs(jumpAtInput));
  });

  it('fast variant: factor 1 is the exact filter; factor 2 stays within 0.1 of it', () => {
    const a = guidedFilter(guide, input, W, H, 6, 1e-3);
    const b = fastGuidedFilter(guide, input, W, H, 6, 1e-3, 1);
    expect(Array.from(b)).toEqual(Array.from(a));
    const c = fastGuidedFilter(guide, input, W, H, 6, 1e-3, 2);
    let maxDiff = 0;
    for (let k = 0; k < a.length; k++) maxDiff = Math.max(maxDiff, Math.abs(a[k]! - c[k]!));
    expect(maxDiff).toBeLessThan(0.1);
  });
});
