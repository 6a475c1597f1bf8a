/**
 * A hardness metric for the person's outline under an orbiting camera: how much of a side of the head's silhouette
 * ends in a one-pixel step from person to background. Where the person turns away from the camera its matte's soft
 * edge (2–4 px at 256²) is squeezed into less than a pixel, a hard cut-out outline against the plate.
 * @remarks Read from the view rendered over pure green (`background: { color: '#00ff00' }`): per pixel the person's
 * coverage is estimated as 1 − (G − max(R, B)) / 255 (the key's green excess is 255, the person's ≈ 0 or below), then
 * per row the outermost pixel on the given side with coverage ≥ 0.5 is found and the largest coverage step between
 * neighbours within 3 px of it is taken. A row is hard when that step exceeds 0.7.
 */

/**
 * Share of rows whose outline on one side is a hard step.
 * @param keyed - `[n, n, 4]` frame over `#00ff00`.
 * @param n - side, px.
 * @param side - 'left' (the outline at the smallest x of each row) or 'right'.
 * @param rows - fractions of the frame's height measured, [from, to) (default the head: 0.15–0.6).
 * @returns `hardShare` in [0, 1] and `meanStep` (mean of the rows' largest coverage step, 0..1), over the rows whose
 *   outline lies at least 4 px inside the frame.
 */
export function silhouetteHardness(keyed: Uint8Array, n: number, side: 'left' | 'right', rows: [number, number] = [0.15, 0.6]): { hardShare: number; meanStep: number } {
  const cover = (x: number, y: number): number => {
    const k = (y * n + x) * 4;
    return Math.min(1, Math.max(0, 1 - (keyed[k + 1]! - Math.max(keyed[k]!, keyed[k + 2]!)) / 255));
  };
  let sum = 0;
  let count = 0;
  let hard = 0;
  for (let y = Math.round(rows[0] * n); y < Math.round(rows[1] * n); y++) {
    let xe = -1;
    for (let t = 0; t < n; t++) {
      const x = side === 'left' ? t : n - 1 - t;
      if (cover(x, y) >= 0.5) {
        xe = x;
        break;
      }
    }
    if (xe < 4 || xe > n - 5) continue;
    let step = 0;
    for (let x = xe - 3; x <= xe + 3; x++) step = Math.max(step, Math.abs(cover(x + 1, y) - cover(x, y)));
    sum += step;
    count++;
    if (step > 0.7) hard++;
  }
  return { hardShare: count ? hard / count : 0, meanStep: count ? sum / count : 0 };
}
