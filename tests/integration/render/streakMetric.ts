/**
 * A streak metric for a side of the face under an orbiting camera: stretched photo texture (a few photo pixels drawn
 * across many output pixels) keeps the edges along the stretch and loses those across it, so horizontal streaks show
 * as a drop of the horizontal share of the gradient energy.
 * @remarks In the face region (inside the projected face outline, `projectedFaceOutline` of seamMetric.ts) the outer
 * third of the outline's x-range on one side is taken; there the mean squared horizontal and vertical central
 * differences of the grey image ((R+G+B)/3) give the anisotropy Ex / Ey. The metric is the rest view's anisotropy over
 * the orbit view's (> 1: the orbit lost horizontal detail, i.e. horizontal streaks; ≈ 1: the texture keeps its look).
 * A second copy of an edge raises Ex instead, so the metric is read with the pictures (and with the seam metric).
 */

/** Whether (x, y) is inside a closed polygon (even–odd rule). */
function inside(poly: [number, number][], x: number, y: number): boolean {
  let c = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i]!;
    const [xj, yj] = poly[j]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) c = !c;
  }
  return c;
}

/**
 * Gradient anisotropy Ex / Ey in the outer third of a face outline on one side.
 * @param rgba - `[size, size, 4]` frame.
 * @param sizePx - frame size.
 * @param outline - closed loop, output px (seamMetric.ts `projectedFaceOutline`).
 * @param side - -1: the third at the smallest x (the viewer's left), +1: at the largest x.
 * @returns Ex / Ey (NaN when the region is empty or flat).
 */
export function sideGradientAnisotropy(rgba: Uint8Array, sizePx: number, outline: [number, number][], side: -1 | 1): number {
  const xs = outline.map((p) => p[0]);
  const ys = outline.map((p) => p[1]);
  const x0 = Math.min(...xs), x1 = Math.max(...xs);
  const lo = side < 0 ? x0 : x1 - (x1 - x0) / 3;
  const hi = side < 0 ? x0 + (x1 - x0) / 3 : x1;
  const g = (x: number, y: number): number => {
    const o = (y * sizePx + x) * 4;
    return (rgba[o]! + rgba[o + 1]! + rgba[o + 2]!) / 3;
  };
  let ex = 0, ey = 0;
  for (let y = Math.max(1, Math.floor(Math.min(...ys))); y <= Math.min(sizePx - 2, Math.ceil(Math.max(...ys))); y++) {
    for (let x = Math.max(1, Math.floor(lo)); x <= Math.min(sizePx - 2, Math.ceil(hi)); x++) {
      if (!inside(outline, x + 0.5, y + 0.5)) continue;
      ex += (g(x + 1, y) - g(x - 1, y)) ** 2;
      ey += (g(x, y + 1) - g(x, y - 1)) ** 2;
    }
  }
  return ey > 0 ? ex / ey : NaN;
}
