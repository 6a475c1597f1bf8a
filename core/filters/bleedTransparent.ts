/**
 * Colour bleeding into fully transparent pixels, so that filtering (bilinear texture sampling, mipmaps, resizing)
 * near an alpha edge never mixes in the arbitrary RGB hidden under alpha 0 (often black: dark specks at a cut-out
 * portrait's outline).
 */

/**
 * Gives every pixel with alpha 0 the colour of its nearest pixel with alpha > 0 (4-connected breadth-first
 * distance; ties by scan order), in place. Alpha is unchanged, so what is seen is unchanged.
 * @param rgba - `[heightPx, widthPx, 4]` row-major RGBA bytes, straight alpha; modified in place.
 * @param widthPx - image width. @param heightPx - image height.
 * @returns the number of transparent pixels recoloured (0 when the image has no alpha-0 pixel or no visible one).
 * @remarks The "edge padding"/dilation step of texture authoring (e.g. the "alpha bleeding" of game texture
 * pipelines): a multi-source BFS from the visible pixels, O(width × height) time, 4 bytes per pixel of queue.
 */
export function bleedIntoTransparent(rgba: Uint8Array, widthPx: number, heightPx: number): number {
  const n = widthPx * heightPx;
  const queue = new Int32Array(n);
  const done = new Uint8Array(n);
  let tail = 0;
  let holes = 0;
  for (let i = 0; i < n; i++) {
    if (rgba[i * 4 + 3]! > 0) {
      done[i] = 1;
      const x = i % widthPx;
      const y = (i - x) / widthPx;
      // Seeds: visible pixels with a transparent 4-neighbour.
      if ((x > 0 && rgba[(i - 1) * 4 + 3] === 0) || (x + 1 < widthPx && rgba[(i + 1) * 4 + 3] === 0) || (y > 0 && rgba[(i - widthPx) * 4 + 3] === 0) || (y + 1 < heightPx && rgba[(i + widthPx) * 4 + 3] === 0)) queue[tail++] = i;
    } else holes++;
  }
  if (holes === 0 || tail === 0) return 0;
  let filled = 0;
  for (let head = 0; head < tail; head++) {
    const i = queue[head]!;
    const x = i % widthPx;
    const visit = (j: number): void => {
      if (done[j]) return;
      done[j] = 1;
      rgba[j * 4] = rgba[i * 4]!;
      rgba[j * 4 + 1] = rgba[i * 4 + 1]!;
      rgba[j * 4 + 2] = rgba[i * 4 + 2]!;
      queue[tail++] = j;
      filled++;
    };
    if (x > 0) visit(i - 1);
    if (x + 1 < widthPx) visit(i + 1);
    if (i >= widthPx) visit(i - widthPx);
    if (i + widthPx < n) visit(i + widthPx);
  }
  return filled;
}
