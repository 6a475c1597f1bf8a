/**
 * Measures of the teeth shown in a rendered mouth opening (issue #12): whether upper teeth show, whether they read as
 * a tile grid, and how ragged the dark boundaries inside the opening are. All on an RGBA render `[S, S, 4]` with the
 * posed opening as a polygon in output px.
 */
import { polygonBounds, signedDistanceToPolygon } from '../../../core/math/polygon.ts';

const luma = (px: Uint8Array, i: number): number => (0.299 * px[i]! + 0.587 * px[i + 1]! + 0.114 * px[i + 2]!) / 255;

/** Result of {@link teethBandMetrics}. */
export interface TeethBandMetrics {
  /** Share of the opening's upper third (≥ 1.5 px inside) that is bright (luma ≥ 0.4) and low-chroma (HSV saturation (max−min)/max < 0.45; lips and gums are more saturated). */
  upperTeethShare: number;
  /**
   * Periodic vertical-edge energy across the teeth band: the highest normalised autocorrelation, at lags of 3 px to a
   * third of the band's width past its first minimum, of the per-column mean |∂x luma| over the opening's upper third.
   * A grid of equal tiles with straight dividers gives a strong peak at the tile width (→ 1); an arch of narrowing
   * teeth with soft contacts gives little.
   */
  tilePeriodicity: number;
  /**
   * Jaggedness of the dark boundaries inside the opening, output px: per column (middle 80 % of the opening's width),
   * the sub-pixel row where luma first falls below 0.5 × the band's 90th percentile going down from the opening's top
   * and going up from its bottom; RMS residual of each line to its 9-column moving mean, the mean of the two.
   */
  boundaryJaggedPx: number;
  /** Pixels of the opening's upper third. */
  bandPx: number;
}

/**
 * @param px - RGBA render `[S, S, 4]`.
 * @param S - render side, px.
 * @param opening - the posed inner-lip loop, output px `[x0, y0, x1, y1, …]`.
 */
export function teethBandMetrics(px: Uint8Array, S: number, opening: number[]): TeethBandMetrics {
  const [x0, y0, x1, y1] = polygonBounds(opening);
  const X0 = Math.max(0, Math.floor(x0));
  const X1 = Math.min(S - 1, Math.ceil(x1));
  const Y0 = Math.max(0, Math.floor(y0));
  const Y1 = Math.min(S - 1, Math.ceil(y1));
  const inside = (x: number, y: number): boolean => signedDistanceToPolygon(opening, x + 0.5, y + 0.5) >= 1.5;
  // Upper third per column: from the column's top inside the opening down a third of the column's span.
  const colSig: number[] = [];
  let band = 0;
  let bright = 0;
  const lumas: number[] = [];
  const tops: number[] = [];
  const bottoms: number[] = [];
  for (let x = X0; x <= X1; x++) {
    let top = -1;
    let bottom = -1;
    for (let y = Y0; y <= Y1; y++) if (inside(x, y)) {
      if (top < 0) top = y;
      bottom = y;
    }
    tops.push(top);
    bottoms.push(bottom);
    if (top < 0 || bottom - top < 3) {
      colSig.push(NaN);
      continue;
    }
    const end = top + Math.max(1, Math.round((bottom - top) / 3));
    let g = 0;
    let n = 0;
    for (let y = top; y <= end; y++) {
      const i = (y * S + x) * 4;
      band++;
      const L = luma(px, i);
      lumas.push(L);
      const hi = Math.max(px[i]!, px[i + 1]!, px[i + 2]!);
      if (L >= 0.4 && hi - Math.min(px[i]!, px[i + 1]!, px[i + 2]!) < 0.45 * hi) bright++;
      if (x < X1) {
        g += Math.abs(luma(px, i + 4) - L);
        n++;
      }
    }
    colSig.push(n ? g / n : NaN);
  }
  // Autocorrelation of the column signal over its valid middle run.
  const valid = colSig.map((v, k) => ({ v, k })).filter((e) => Number.isFinite(e.v));
  let tile = 0;
  if (valid.length > 12) {
    const a = valid[Math.floor(valid.length * 0.1)]!.k;
    const b = valid[Math.floor(valid.length * 0.9)]!.k;
    const sig = colSig.slice(a, b + 1).map((v) => (Number.isFinite(v) ? v : 0));
    const m = sig.reduce((s, v) => s + v, 0) / sig.length;
    const z = sig.map((v) => v - m);
    const r0 = z.reduce((s, v) => s + v * v, 0) || 1e-9;
    const r = (lag: number): number => {
      let s = 0;
      for (let k = 0; k + lag < z.length; k++) s += z[k]! * z[k + lag]!;
      return (s / r0) * (z.length / (z.length - lag));
    };
    let lag = 1;
    while (lag < z.length / 3 && r(lag + 1) < r(lag)) lag++;
    for (let l = Math.max(3, lag); l <= z.length / 3; l++) tile = Math.max(tile, r(l));
  }
  // Dark boundaries.
  lumas.sort((p, q) => p - q);
  const p90 = lumas.length ? lumas[Math.floor(0.9 * (lumas.length - 1))]! : 0;
  const thr = 0.5 * p90;
  const lineFrom = (down: boolean): number[] => {
    const out: number[] = [];
    const n = tops.length;
    for (let c = Math.floor(n * 0.1); c < Math.ceil(n * 0.9); c++) {
      const top = tops[c]!;
      const bottom = bottoms[c]!;
      if (top < 0 || bottom - top < 4) {
        out.push(NaN);
        continue;
      }
      const x = X0 + c;
      let found = NaN;
      let prev = luma(px, ((down ? top : bottom) * S + x) * 4);
      for (let s = 1; s <= bottom - top; s++) {
        const y = down ? top + s : bottom - s;
        const L = luma(px, (y * S + x) * 4);
        if (prev >= thr && L < thr) {
          const f = (prev - thr) / Math.max(1e-6, prev - L);
          found = down ? y - 1 + f : y + 1 - f;
          break;
        }
        prev = L;
      }
      out.push(found);
    }
    return out;
  };
  const rough = (line: number[]): number => {
    let s = 0;
    let n = 0;
    for (let k = 4; k < line.length - 4; k++) {
      if (!Number.isFinite(line[k]!)) continue;
      let m = 0;
      let c = 0;
      for (let d = -4; d <= 4; d++) if (Number.isFinite(line[k + d]!)) {
        m += line[k + d]!;
        c++;
      }
      s += (line[k]! - m / c) ** 2;
      n++;
    }
    return n > 5 ? Math.sqrt(s / n) : 0;
  };
  const boundaryJaggedPx = (rough(lineFrom(true)) + rough(lineFrom(false))) / 2;
  return { upperTeethShare: band ? bright / band : 0, tilePeriodicity: tile, boundaryJaggedPx, bandPx: band };
}
