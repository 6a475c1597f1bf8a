import { describe, expect, it } from 'vitest';
import { solveGridCut } from '../../../../core/segment/gridMaxflow.ts';
import { InvalidInputError } from '../../../../core/errors.ts';

/** Energy of a labelling: cut terminal links + cut neighbour edges (what the minimum cut minimises). */
function energy(labels: Uint8Array, w: number, h: number, terminal: Float64Array, right: Float32Array, down: Float32Array): number {
  let e = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const k = y * w + x;
      const t = terminal[k]!;
      if (labels[k] === 0 && t > 0) e += t;
      if (labels[k] === 1 && t < 0) e -= t;
      if (x + 1 < w && labels[k] !== labels[k + 1]) e += right[k]!;
      if (y + 1 < h && labels[k] !== labels[k + w]) e += down[k]!;
    }
  }
  return e;
}

describe('solveGridCut (Boykov–Kolmogorov)', () => {
  it('finds a minimum cut: the flow equals the energy of the returned labelling on 200 seeded random grids', () => {
    let seed = 12345;
    const rnd = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    let maxGap = 0;
    for (let t = 0; t < 200; t++) {
      const w = 2 + Math.floor(rnd() * 14);
      const h = 2 + Math.floor(rnd() * 14);
      const n = w * h;
      const terminal = new Float64Array(n);
      const right = new Float32Array(n);
      const down = new Float32Array(n);
      for (let k = 0; k < n; k++) {
        terminal[k] = rnd() < 0.1 ? (rnd() < 0.5 ? 1e9 : -1e9) : (rnd() - 0.5) * 20;
        right[k] = Math.round(rnd() * 10);
        down[k] = Math.round(rnd() * 10);
      }
      const { labels, flow } = solveGridCut({ widthPx: w, heightPx: h, terminal, right, down });
      const e = energy(labels, w, h, terminal, right, down);
      maxGap = Math.max(maxGap, Math.abs(e - flow) / Math.max(1, flow));
      // Hard constraints are kept.
      for (let k = 0; k < n; k++) if (Math.abs(terminal[k]!) >= 1e9) expect(labels[k]).toBe(terminal[k]! > 0 ? 1 : 0);
    }
    expect(maxGap).toBeLessThan(1e-6);
  });

  it('cuts a 1×3 chain at its weakest edge', () => {
    // Source-bound left node, sink-bound right node, edges 5 (left) and 2 (right): cut the 2, flow 2.
    const r = solveGridCut({ widthPx: 3, heightPx: 1, terminal: Float64Array.from([100, 0, -100]), right: Float32Array.from([5, 2, 0]), down: new Float32Array(3) });
    expect(Array.from(r.labels)).toEqual([1, 1, 0]);
    expect(r.flow).toBe(2);
  });

  it('rejects arrays of the wrong size', () => {
    expect(() => solveGridCut({ widthPx: 3, heightPx: 2, terminal: new Float64Array(5), right: new Float32Array(6), down: new Float32Array(6) })).toThrow(InvalidInputError);
  });
});
