import { describe, expect, it } from 'vitest';
import { matteInsideDistancePx } from '../../../../core/image/matteDistance.ts';
import { InvalidInputError } from '../../../../core/errors.ts';

describe('matteInsideDistancePx', () => {
  it('measures the distance inside a disc from its edge (chamfer, within 8 % of Euclidean)', () => {
    const W = 64, H = 64, r = 20;
    const a = new Uint8Array(W * H);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) a[y * W + x] = Math.hypot(x - 32, y - 32) <= r ? 255 : 0;
    const d = matteInsideDistancePx(a, W, H);
    expect(d[32 * W + 32]).toBeGreaterThanOrEqual(19);
    expect(d[32 * W + 32]).toBeLessThanOrEqual(22);
    // 10 px in from the edge along a diagonal.
    const k = Math.round(32 + (r - 10) / Math.SQRT2);
    expect(Math.abs(d[k * W + k]! - 10)).toBeLessThanOrEqual(1.5);
    expect(d[0]).toBe(0);
    expect(d[32 * W + 32 + r]).toBe(1);
  });
  it('does not count the image border as the matte\'s edge (a person cut by the photo)', () => {
    const W = 20, H = 20;
    const a = new Uint8Array(W * H);
    for (let y = 10; y < H; y++) for (let x = 0; x < W; x++) a[y * W + x] = 200;
    const d = matteInsideDistancePx(a, W, H);
    expect(d[(H - 1) * W + 10]).toBe(10);
    expect(d[15 * W + 0]).toBe(6);
    expect(matteInsideDistancePx(new Uint8Array(4).fill(255), 2, 2)[0]).toBe(255);
  });
  it('throws on a size mismatch', () => {
    expect(() => matteInsideDistancePx(new Uint8Array(5), 2, 2)).toThrow(InvalidInputError);
  });
});
