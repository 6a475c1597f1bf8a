/**
 * Plane polygon measures shared by the face code (mouth opening, eye contours, lids).
 */

/**
 * Signed distance from a point to a closed polygon's boundary: positive inside, negative outside (inside by the
 * even-odd rule, distance to the nearest edge segment), in the polygon's units.
 * @param poly - `[x0, y0, x1, y1, …]` vertices in order.
 * @param x - point x.
 * @param y - point y.
 */
export function signedDistanceToPolygon(poly: readonly number[], x: number, y: number): number {
  let inside = false;
  let best = Infinity;
  const n = poly.length / 2;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const xi = poly[i * 2]!;
    const yi = poly[i * 2 + 1]!;
    const xj = poly[j * 2]!;
    const yj = poly[j * 2 + 1]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    const dx = xi - xj;
    const dy = yi - yj;
    const len2 = dx * dx + dy * dy;
    const t = len2 > 0 ? Math.min(1, Math.max(0, ((x - xj) * dx + (y - yj) * dy) / len2)) : 0;
    best = Math.min(best, Math.hypot(x - (xj + t * dx), y - (yj + t * dy)));
  }
  return inside ? best : -best;
}

/**
 * Axis-aligned bounds of a polygon.
 * @param poly - vertices as a flat `[x0, y0, x1, y1, …]` list, px.
 * @returns `[xMin, yMin, xMax, yMax]`, px; `[∞, ∞, −∞, −∞]` for an empty list.
 */
export function polygonBounds(poly: readonly number[]): [number, number, number, number] {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (let k = 0; k < poly.length; k += 2) {
    x0 = Math.min(x0, poly[k]!);
    x1 = Math.max(x1, poly[k]!);
    y0 = Math.min(y0, poly[k + 1]!);
    y1 = Math.max(y1, poly[k + 1]!);
  }
  return [x0, y0, x1, y1];
}
