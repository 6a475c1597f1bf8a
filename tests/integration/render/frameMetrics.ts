/**
 * What a user sees as "broken" in a rendered frame, as numbers: columns or rows that are one flat colour (an empty
 * area past the content), for the orbit and framing checks.
 */

/** A column/row counts as flat when every channel's range over it is at most this many 8-bit levels. */
export const FLAT_RANGE_LEVELS = 6;

/**
 * Fraction of the frame's columns that are one flat colour over their full height.
 * @param rgba - `[h, w, 4]` frame bytes.
 * @param widthPx - frame width.
 * @param heightPx - frame height.
 * @param rows - optional row range `[y0, y1)` to test instead of the full height.
 * @returns fraction in [0, 1].
 */
export function flatColumnFraction(rgba: Uint8Array, widthPx: number, heightPx: number, rows: [number, number] = [0, heightPx]): number {
  let flat = 0;
  for (let x = 0; x < widthPx; x++) {
    const lo = [255, 255, 255];
    const hi = [0, 0, 0];
    for (let y = rows[0]; y < rows[1]; y++) {
      const i = (y * widthPx + x) * 4;
      for (let c = 0; c < 3; c++) {
        lo[c] = Math.min(lo[c]!, rgba[i + c]!);
        hi[c] = Math.max(hi[c]!, rgba[i + c]!);
      }
    }
    if (hi[0]! - lo[0]! <= FLAT_RANGE_LEVELS && hi[1]! - lo[1]! <= FLAT_RANGE_LEVELS && hi[2]! - lo[2]! <= FLAT_RANGE_LEVELS) flat++;
  }
  return flat / widthPx;
}

/**
 * Fraction of the rows in `[y0, y1)` that are one flat colour over the full width.
 * @param rgba - `[h, w, 4]` frame bytes.
 * @param widthPx - frame width.
 * @param y0 - first row.
 * @param y1 - end row (exclusive).
 * @returns fraction in [0, 1].
 */
export function flatRowFraction(rgba: Uint8Array, widthPx: number, y0: number, y1: number): number {
  let flat = 0;
  for (let y = y0; y < y1; y++) {
    const lo = [255, 255, 255];
    const hi = [0, 0, 0];
    for (let x = 0; x < widthPx; x++) {
      const i = (y * widthPx + x) * 4;
      for (let c = 0; c < 3; c++) {
        lo[c] = Math.min(lo[c]!, rgba[i + c]!);
        hi[c] = Math.max(hi[c]!, rgba[i + c]!);
      }
    }
    if (hi[0]! - lo[0]! <= FLAT_RANGE_LEVELS && hi[1]! - lo[1]! <= FLAT_RANGE_LEVELS && hi[2]! - lo[2]! <= FLAT_RANGE_LEVELS) flat++;
  }
  return flat / Math.max(1, y1 - y0);
}

/**
 * Fraction of the pixels that belong to a large one-colour area: pixels whose 9×9 neighbourhood spans at most
 * {@link FLAT_RANGE_LEVELS} in every channel (an empty area or a flat bar, not a smooth background gradient, which
 * changes by more than that over 9 px only when it is steep — read the number together with the picture).
 * @param rgba - `[h, w, 4]` frame bytes.
 * @param widthPx - frame width.
 * @param heightPx - frame height.
 * @returns fraction in [0, 1].
 */
export function flatAreaFraction(rgba: Uint8Array, widthPx: number, heightPx: number): number {
  const r = 4;
  let flat = 0;
  let n = 0;
  for (let y = r; y < heightPx - r; y += 2) {
    for (let x = r; x < widthPx - r; x += 2) {
      n++;
      let isFlat = true;
      const c0 = (y * widthPx + x) * 4;
      for (let dy = -r; dy <= r && isFlat; dy++) {
        for (let dx = -r; dx <= r; dx++) {
          const i = ((y + dy) * widthPx + x + dx) * 4;
          if (Math.abs(rgba[i]! - rgba[c0]!) > FLAT_RANGE_LEVELS / 2 || Math.abs(rgba[i + 1]! - rgba[c0 + 1]!) > FLAT_RANGE_LEVELS / 2 || Math.abs(rgba[i + 2]! - rgba[c0 + 2]!) > FLAT_RANGE_LEVELS / 2) {
            isFlat = false;
            break;
          }
        }
      }
      if (isFlat) flat++;
    }
  }
  return flat / Math.max(1, n);
}
