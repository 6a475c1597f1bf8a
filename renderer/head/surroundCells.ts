/**
 * Which triangles of the surround grid can show anything once the person matte is its alpha: a triangle whose
 * texture footprint holds only matte 0 blends with alpha 0 and leaves the picture as it was, so it need not be drawn.
 *
 * @remarks Pure math (no DOM, no three). Why: in SwiftShader (CPU WebGL2) each surround pixel costs a texture fetch
 * and a blend; on img01 at 512² (photo framing) 4 030 of the grid's 18 432 triangles touch the person, and the
 * studio-page frame went from 49 to 42 ms and 39.6 to 29.4 ms (two runs, load ≈ 21) with the rest left out, the
 * picture bit-identical. The texture coordinates inside a triangle are a convex combination of its vertices' (linear
 * interpolation), so its footprint is inside the bounding box of its vertices' photo pixels grown by the filter's
 * reach: one texel for bilinear sampling, `1.5 · 2^L` photo pixels at mip level L for trilinear (box-filtered levels,
 * two texels of level L per bilinear fetch). Outside the photo the clamped edge texels are what is sampled.
 */

/**
 * Triangles of a grid index whose footprint in the matte holds a non-zero value.
 * @param index - triangle list `[T·3]` of node ids (the surround's index).
 * @param uPx - node x in matte pixels (the surround's photo px; may lie outside `[0, widthPx]`).
 * @param vPx - node y in matte pixels.
 * @param alpha - the matte `[heightPx, widthPx]`, 0 = not the person (as the foreground texture's alpha).
 * @param widthPx - matte width.
 * @param heightPx - matte height.
 * @param marginPx - the sampling filter's reach in matte pixels (≥ 1; see the remarks of this module).
 * @returns the kept triangles, in their original order.
 */
export function surroundTrianglesOverMatte(index: ArrayLike<number>, uPx: ArrayLike<number>, vPx: ArrayLike<number>, alpha: Uint8Array, widthPx: number, heightPx: number, marginPx: number): Uint32Array {
  const w = widthPx;
  const h = heightPx;
  // Summed-area table of (alpha > 0).
  const sat = new Int32Array((w + 1) * (h + 1));
  for (let y = 0; y < h; y++) {
    let row = 0;
    for (let x = 0; x < w; x++) {
      row += alpha[y * w + x]! > 0 ? 1 : 0;
      sat[(y + 1) * (w + 1) + x + 1] = sat[y * (w + 1) + x + 1]! + row;
    }
  }
  /** Non-zero matte pixels in [x0, x1) × [y0, y1), the window clamped to the image (at least its edge row/column). */
  const count = (x0: number, y0: number, x1: number, y1: number): number => {
    const cx0 = Math.min(w - 1, Math.max(0, x0));
    const cy0 = Math.min(h - 1, Math.max(0, y0));
    const cx1 = Math.max(cx0 + 1, Math.min(w, x1));
    const cy1 = Math.max(cy0 + 1, Math.min(h, y1));
    return sat[cy1 * (w + 1) + cx1]! - sat[cy0 * (w + 1) + cx1]! - sat[cy1 * (w + 1) + cx0]! + sat[cy0 * (w + 1) + cx0]!;
  };
  const keep: number[] = [];
  for (let t = 0; t + 2 < index.length; t += 3) {
    let x0 = Infinity;
    let y0 = Infinity;
    let x1 = -Infinity;
    let y1 = -Infinity;
    for (let k = 0; k < 3; k++) {
      const i = index[t + k]!;
      x0 = Math.min(x0, uPx[i]!);
      x1 = Math.max(x1, uPx[i]!);
      y0 = Math.min(y0, vPx[i]!);
      y1 = Math.max(y1, vPx[i]!);
    }
    if (count(Math.floor(x0 - marginPx), Math.floor(y0 - marginPx), Math.ceil(x1 + marginPx) + 1, Math.ceil(y1 + marginPx) + 1) > 0) keep.push(index[t]!, index[t + 1]!, index[t + 2]!);
  }
  return Uint32Array.from(keep);
}

/**
 * Filter reach for {@link surroundTrianglesOverMatte}, matte pixels.
 * @param mipmapped - whether the texture is sampled trilinearly from mipmaps.
 * @returns 2 for bilinear sampling; 64 with mipmaps (enough for mip levels up to 5, i.e. minification below 32×:
 *   the studio preview shows a photo at most ≈ 4× minified at its smallest zoom, 0.85, and more at grazing orbits).
 */
export function matteMarginPx(mipmapped: boolean): number {
  return mipmapped ? 64 : 2;
}
