/**
 * Letterbox and pillarbox bars: flat bands along a photo's edges that are not part of the scene (a video frame
 * padded to another aspect, a screenshot's border). The layered photo keeps them where they are — in the background
 * plate, never in the person layer — so they do not move with the head when the camera orbits or the head turns.
 */
import type { PlateMarginsPx } from './backgroundPlate.ts';

/** A bar is at least this many px wide (thinner lines along an edge are `photoEdgeLines`' business). */
const BAR_MIN_PX = 3;
/** A bar covers at most this share of the photo's width (pillarbox) or height (letterbox). */
const BAR_MAX_SHARE = 0.3;
/** A line of a bar: the 95th percentile of its pixels' distance from the line's mean colour, levels (max over RGB). */
const BAR_FLATNESS = 6;
/** A line of a bar: its mean colour within this many levels of the outermost line's (max over RGB). */
const BAR_SAME_COLOUR = 8;

/**
 * Finds flat bars along the photo's four edges.
 * @param rgba - `[H, W, 4]` photo bytes (alpha ignored).
 * @param W - width, px.
 * @param H - height, px.
 * @returns the bar width on each side, px (0: none), including one guard px for the resampling ringing at the bar's
 *   inner edge.
 * @remarks Per side, the lines (columns for left/right, rows for top/bottom) from the edge inwards are counted while
 * each is flat — 95 % of its pixels within {@link BAR_FLATNESS} levels of its mean, so a few compression speckles do
 * not break it — and of the outermost line's colour (within {@link BAR_SAME_COLOUR}); a run of at least
 * {@link BAR_MIN_PX} lines, at most {@link BAR_MAX_SHARE} of the photo, is a bar. Design thresholds (a few levels:
 * encoder noise on a black bar is ±1–2), not fitted to a photo. A perfectly flat studio backdrop that reaches an edge
 * is also read as a bar: harmless, since the plate keeps the photo there either way and a flat colour continued is
 * what the margins should show. Issue 13: vid06's frame 0 has a black bar down its left side; the person layer
 * carried its edge (it tilted with the head) and the plate's fill mixed it into a grey triangle beside the neck.
 */
export function photoBars(rgba: Uint8Array, W: number, H: number): PlateMarginsPx {
  const side = (len: number, depth: number, at: (d: number, t: number, c: number) => number): number => {
    const maxDepth = Math.floor(BAR_MAX_SHARE * depth);
    if (maxDepth < BAR_MIN_PX || len < 8) return 0;
    const dev = new Float32Array(len);
    let outer: number[] | null = null;
    let run = 0;
    for (let d = 0; d < maxDepth; d++) {
      const mean = [0, 0, 0];
      for (let t = 0; t < len; t++) for (let c = 0; c < 3; c++) mean[c]! += at(d, t, c);
      for (let c = 0; c < 3; c++) mean[c]! /= len;
      for (let t = 0; t < len; t++) {
        let m = 0;
        for (let c = 0; c < 3; c++) m = Math.max(m, Math.abs(at(d, t, c) - mean[c]!));
        dev[t] = m;
      }
      dev.sort();
      if (dev[Math.min(len - 1, Math.floor(0.95 * len))]! > BAR_FLATNESS) break;
      if (!outer) outer = mean;
      else if (Math.max(...mean.map((v, c) => Math.abs(v - outer![c]!))) > BAR_SAME_COLOUR) break;
      run = d + 1;
    }
    if (run < BAR_MIN_PX || run >= maxDepth) return 0;
    return run + 1;
  };
  const px = (x: number, y: number, c: number): number => rgba[(y * W + x) * 4 + c]!;
  return {
    leftPx: side(H, W, (d, t, c) => px(d, t, c)),
    rightPx: side(H, W, (d, t, c) => px(W - 1 - d, t, c)),
    topPx: side(W, H, (d, t, c) => px(t, d, c)),
    bottomPx: side(W, H, (d, t, c) => px(t, H - 1 - d, c)),
  };
}

/**
 * Whether a photo pixel lies on a bar.
 * @param bars - bar widths ({@link photoBars}).
 * @param W - photo width.
 * @param H - photo height.
 * @param x - column.
 * @param y - row.
 * @returns true on a bar.
 */
export function onBar(bars: PlateMarginsPx, W: number, H: number, x: number, y: number): boolean {
  return x < bars.leftPx || x >= W - bars.rightPx || y < bars.topPx || y >= H - bars.bottomPx;
}
