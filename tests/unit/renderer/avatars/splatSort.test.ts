/**
 * renderer/avatars/splatSort.ts against a plain comparison sort: farthest first, ties in index order, culled (+∞ and
 * above) left out — on seeded random distances with ties, culled splats and keys differing only in their low bits.
 */
import { describe, expect, it } from 'vitest';
import { createRng } from '../../../../core/motion/random.ts';
import { sortSplats32 } from '../../../../renderer/avatars/splatSort.ts';

function reference(keys: Uint32Array, n: number): number[] {
  const idx: number[] = [];
  for (let i = 0; i < n; i++) if (keys[i]! < 0x7f800000) idx.push(i);
  return idx.sort((a, b) => keys[b]! - keys[a]! || a - b);
}

describe('sortSplats32 (Spark worker order on this thread)', () => {
  it('matches a comparison sort: descending keys, stable, culled left out', () => {
    const rand = createRng(7).next;
    for (const n of [0, 1, 5, 1000, 20000]) {
      const f = new Float32Array(n + 3);
      for (let i = 0; i < n; i++) {
        const r = rand();
        // ties (coarse distances), culled splats (+∞, NaN bit patterns above it), nearby keys that differ in low bits
        f[i] = r < 0.1 ? Infinity : r < 0.3 ? Math.floor(r * 20) / 4 : 0.5 + r * 3;
      }
      const keys = new Uint32Array(f.buffer);
      if (n > 2) keys[1] = 0x7fc00000;
      const ordering = new Uint32Array(n + 3).fill(0xffffffff);
      const active = sortSplats32(n, keys, ordering);
      const want = reference(keys, n);
      expect(active).toBe(want.length);
      expect(Array.from(ordering.subarray(0, active))).toEqual(want);
      expect(ordering[active]).toBe(0xffffffff);
    }
  });

  it('refuses arrays shorter than the splat count', () => {
    expect(() => sortSplats32(4, new Uint32Array(3), new Uint32Array(4))).toThrow(RangeError);
  });
});
