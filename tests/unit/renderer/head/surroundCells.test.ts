import { describe, expect, it } from 'vitest';
import { matteMarginPx, surroundTrianglesOverMatte } from '../../../../renderer/head/surroundCells.ts';

/** A `cols × rows` grid of nodes spaced `stepPx` apart from (x0, y0), triangulated as the surround is. */
function grid(cols: number, rows: number, x0: number, y0: number, stepPx: number) {
  const u: number[] = [];
  const v: number[] = [];
  for (let j = 0; j < rows; j++) {
    for (let i = 0; i < cols; i++) {
      u.push(x0 + i * stepPx);
      v.push(y0 + j * stepPx);
    }
  }
  const index: number[] = [];
  for (let j = 0; j < rows - 1; j++) {
    for (let i = 0; i < cols - 1; i++) {
      const a = j * cols + i;
      index.push(a, a + cols, a + 1, a + 1, a + cols, a + cols + 1);
    }
  }
  return { u, v, index };
}

describe('surroundTrianglesOverMatte', () => {
  // A 100×100 matte with one person pixel at (50, 50); grid cells of 10 px covering [0, 100]².
  const alpha = new Uint8Array(100 * 100);
  alpha[50 * 100 + 50] = 255;
  const g = grid(11, 11, 0, 0, 10);

  it('keeps the triangles whose footprint (grown by the filter reach) touches a non-zero matte pixel', () => {
    // Reach 2 px: only cells whose box grown by 2 px contains (50, 50): the four cells around the node (50, 50).
    const kept = surroundTrianglesOverMatte(g.index, g.u, g.v, alpha, 100, 100, 2);
    const cells = new Set<string>();
    for (let t = 0; t < kept.length; t += 3) {
      const ids = [kept[t]!, kept[t + 1]!, kept[t + 2]!];
      cells.add(`${Math.min(...ids.map((i) => g.u[i]!))},${Math.min(...ids.map((i) => g.v[i]!))}`);
    }
    // Top-left corner (px) of each kept cell; both triangles of each cell.
    expect([...cells].sort()).toEqual(['40,40', '40,50', '50,40', '50,50']);
    expect(kept.length).toBe(4 * 2 * 3);
  });

  it('keeps more with a wider reach and nothing over an empty matte', () => {
    const wide = surroundTrianglesOverMatte(g.index, g.u, g.v, alpha, 100, 100, matteMarginPx(true));
    expect(wide.length).toBe(g.index.length); // 64 px reaches every cell of a 100 px grid from the centre
    expect(surroundTrianglesOverMatte(g.index, g.u, g.v, new Uint8Array(100 * 100), 100, 100, 2).length).toBe(0);
  });

  it('reads the clamped edge for cells past the photo', () => {
    // Person pixel on the right edge column at y = 50; a grid entirely right of the photo at x ∈ [120, 140].
    const edge = new Uint8Array(100 * 100);
    edge[50 * 100 + 99] = 255;
    const out = grid(3, 11, 120, 0, 10);
    const kept = surroundTrianglesOverMatte(out.index, out.u, out.v, edge, 100, 100, 2);
    // Rows of cells whose y range grown by 2 px holds y = 50: cells starting at y = 40 and y = 50.
    const ys = new Set<number>();
    for (let t = 0; t < kept.length; t += 3) ys.add(Math.min(out.v[kept[t]!]!, out.v[kept[t + 1]!]!, out.v[kept[t + 2]!]!));
    expect([...ys].sort((a, b) => a - b)).toEqual([40, 50]);
  });
});
