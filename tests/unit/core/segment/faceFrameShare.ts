/**
 * Test helper: the share of matte pixels that are person (alpha ≥ 128) inside a region given in the face's own frame.
 */

/**
 * Person share of a matte inside a face-frame region.
 * @param alpha - `[H, W]` matte, 0–255.
 * @param widthPx - W. @param heightPx - H.
 * @param lm - landmarks `[N, 3]` px (MediaPipe FaceMesh: 10 forehead, 152 chin).
 * @param inside - the region: `u` across and `v` down the face in face heights (forehead-to-chin), 0 at their midpoint.
 * @returns share in [0, 1] (0 for an empty region).
 */
export function personShareInFaceFrame(alpha: Uint8Array, widthPx: number, heightPx: number, lm: Float32Array, inside: (u: number, v: number) => boolean): number {
  const [x10, y10, x152, y152] = [lm[30]!, lm[31]!, lm[456]!, lm[457]!];
  const fh = Math.hypot(x152 - x10, y152 - y10);
  const ey = [(x152 - x10) / fh, (y152 - y10) / fh] as const;
  const cx = (x10 + x152) / 2;
  const cy = (y10 + y152) / 2;
  let n = 0;
  let person = 0;
  for (let y = 0; y < heightPx; y++) {
    for (let x = 0; x < widthPx; x++) {
      const u = (-(x - cx) * ey[1] + (y - cy) * ey[0]) / fh;
      const v = ((x - cx) * ey[0] + (y - cy) * ey[1]) / fh;
      if (!inside(u, v)) continue;
      n++;
      if (alpha[y * widthPx + x]! >= 128) person++;
    }
  }
  return person / Math.max(1, n);
}
