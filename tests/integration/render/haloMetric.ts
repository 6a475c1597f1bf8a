/**
 * A halo metric for the layered photo head: what the background beside the person's silhouette shows that the
 * photo's background does not — specks of hair kept on the background plate where the matte is faint, a ghost
 * outline of the removed person, blotches of another brightness in the plate's fill — read as edge energy in a band
 * outside the silhouette (see {@link bandEdgeEnergy}), to compare between an orbit view and the rest view.
 * @remarks The silhouette comes from the same view rendered over a key colour (pure green, `background: { color }`).
 * A plain brightness excess (band luma against the band farther out, or against the rest view's band) was tried
 * first and does not separate these defects: it reads the backdrop's own shading.
 */

/** Rec. 601 luma of an RGBA pixel. */
function luma(rgba: Uint8Array, i: number): number {
  return 0.299 * rgba[i * 4]! + 0.587 * rgba[i * 4 + 1]! + 0.114 * rgba[i * 4 + 2]!;
}

/**
 * Person mask of a frame rendered over pure green: pixels not dominated by green.
 * @param keyed - `[n, n, 4]` frame over `#00ff00`.
 * @param n - side, px.
 * @returns `[n, n]` 1 = person (including its soft edge).
 */
export function personMaskFromKeyed(keyed: Uint8Array, n: number): Uint8Array {
  const m = new Uint8Array(n * n);
  for (let i = 0; i < n * n; i++) m[i] = keyed[i * 4 + 1]! > keyed[i * 4]! + 60 && keyed[i * 4 + 1]! > keyed[i * 4 + 2]! + 60 ? 0 : 1;
  return m;
}

/**
 * City-block distance to the nearest person pixel (two-pass chamfer), px.
 * @param mask - `[n, n]` 1 = person.
 * @param n - side.
 * @returns `[n, n]` distances (0 on the person).
 */
function distanceOutside(mask: Uint8Array, n: number): Float32Array {
  const d = new Float32Array(n * n);
  for (let i = 0; i < n * n; i++) d[i] = mask[i] ? 0 : 1e9;
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      const i = y * n + x;
      if (x > 0) d[i] = Math.min(d[i]!, d[i - 1]! + 1);
      if (y > 0) d[i] = Math.min(d[i]!, d[i - n]! + 1);
    }
  }
  for (let y = n - 1; y >= 0; y--) {
    for (let x = n - 1; x >= 0; x--) {
      const i = y * n + x;
      if (x < n - 1) d[i] = Math.min(d[i]!, d[i + 1]! + 1);
      if (y < n - 1) d[i] = Math.min(d[i]!, d[i + n]! + 1);
    }
  }
  return d;
}

/**
 * Edge energy of the background beside the head: the mean Sobel gradient magnitude of luma over the band 4–30 px
 * (at 256²) outside the silhouette, upper part of the frame. Specks, ghost outlines of the removed person and
 * blotches of another brightness in the plate's fill are edges the photo's background does not have; compare an
 * orbit view with the rest view (the photo's own background texture gives a value at rest).
 * @param frame - `[n, n, 4]` frame over the photo background.
 * @param keyed - the same view over pure green.
 * @param n - side, px.
 * @param topFraction - rows measured, from the top (default 0.55).
 * @returns mean gradient magnitude, luma levels per px (Sobel divided by 8: a unit step reads 0.5 on its two sides).
 */
export function bandEdgeEnergy(frame: Uint8Array, keyed: Uint8Array, n: number, topFraction = 0.55): number {
  const s = n / 256;
  const dist = distanceOutside(personMaskFromKeyed(keyed, n), n);
  const rows = Math.min(n - 1, Math.round(topFraction * n));
  const L = (x: number, y: number): number => luma(frame, y * n + x);
  let sum = 0;
  let cnt = 0;
  for (let y = 1; y < rows; y++) {
    for (let x = 1; x < n - 1; x++) {
      const d = dist[y * n + x]!;
      if (d < 4 * s || d > 30 * s) continue;
      const gx = L(x + 1, y - 1) + 2 * L(x + 1, y) + L(x + 1, y + 1) - L(x - 1, y - 1) - 2 * L(x - 1, y) - L(x - 1, y + 1);
      const gy = L(x - 1, y + 1) + 2 * L(x, y + 1) + L(x + 1, y + 1) - L(x - 1, y - 1) - 2 * L(x, y - 1) - L(x + 1, y - 1);
      sum += Math.hypot(gx, gy) / 8;
      cnt++;
    }
  }
  return cnt ? sum / cnt : 0;
}
