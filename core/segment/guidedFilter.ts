/**
 * Grey-guide guided filter: edge-preserving smoothing of a map by a local linear model of the guide.
 *
 * @remarks K. He, J. Sun, X. Tang, "Guided Image Filtering", ECCV 2010 (and TPAMI 35(6), 2013), Algorithm 1:
 * per window ω_k of radius r, q = a_k·I + b_k with a_k = cov(I, p)/(var(I) + ε), b_k = mean(p) − a_k·mean(I); the
 * output averages a and b over the windows that hold the pixel. Box means by running sums (O(1) per pixel per
 * radius), windows clipped at the image border.
 */
import { InvalidInputError } from '../errors.ts';

/**
 * Box mean of radius `r` (window (2r+1)², clipped at the borders) of a `[h, w]` map.
 * @param src - input `[h, w]`.
 * @param w - width px.
 * @param h - height px.
 * @param r - radius px (≥ 0).
 * @param tmp - scratch of `w·h` values (reused).
 * @param out - receives the means `[h, w]`.
 * @remarks Separable running sums (O(1) per pixel whatever the radius); the mean over the window's part inside the
 * image, so borders are not darkened.
 */
export function boxMean(src: Float32Array, w: number, h: number, r: number, tmp: Float32Array, out: Float32Array): void {
  // Horizontal sums with counts folded in at the end (separable: count = cx·cy).
  for (let y = 0; y < h; y++) {
    const row = y * w;
    let s = 0;
    for (let x = 0; x <= Math.min(r, w - 1); x++) s += src[row + x]!;
    for (let x = 0; x < w; x++) {
      const x0 = Math.max(0, x - r);
      const x1 = Math.min(w - 1, x + r);
      tmp[row + x] = s / (x1 - x0 + 1);
      const add = x + r + 1;
      if (add < w) s += src[row + add]!;
      const sub = x - r;
      if (sub >= 0) s -= src[row + sub]!;
    }
  }
  const col = new Float64Array(w);
  for (let y = 0; y <= Math.min(r, h - 1); y++) for (let x = 0; x < w; x++) col[x] = col[x]! + tmp[y * w + x]!;
  for (let y = 0; y < h; y++) {
    const y0 = Math.max(0, y - r);
    const y1 = Math.min(h - 1, y + r);
    const inv = 1 / (y1 - y0 + 1);
    const row = y * w;
    for (let x = 0; x < w; x++) out[row + x] = col[x]! * inv;
    const add = y + r + 1;
    if (add < h) for (let x = 0; x < w; x++) col[x] = col[x]! + tmp[add * w + x]!;
    const sub = y - r;
    if (sub >= 0) for (let x = 0; x < w; x++) col[x] = col[x]! - tmp[sub * w + x]!;
  }
}

/**
 * The guided filter's linear coefficients averaged over each window: a = cov(I, p) / (var(I) + ε),
 * b = mean(p) − a·mean(I) per window, then box means of a and b (He et al. 2010, Algorithm 1, steps 1–4).
 * @param guide - guide I `[h, w]`.
 * @param input - map p `[h, w]`.
 * @param r - window radius, px (≥ 1).
 * @param eps - regularisation ε.
 * @returns mean a and mean b per pixel `[h, w]`; the output is meanA·I + meanB.
 */
function meanCoefficients(guide: Float32Array, input: Float32Array, w: number, h: number, r: number, eps: number): { meanA: Float32Array; meanB: Float32Array } {
  const n = w * h;
  const tmp = new Float32Array(n);
  const meanI = new Float32Array(n);
  const meanP = new Float32Array(n);
  const corrI = new Float32Array(n);
  const corrIp = new Float32Array(n);
  const work = new Float32Array(n);
  boxMean(guide, w, h, r, tmp, meanI);
  boxMean(input, w, h, r, tmp, meanP);
  for (let k = 0; k < n; k++) work[k] = guide[k]! * guide[k]!;
  boxMean(work, w, h, r, tmp, corrI);
  for (let k = 0; k < n; k++) work[k] = guide[k]! * input[k]!;
  boxMean(work, w, h, r, tmp, corrIp);
  // a → corrI, b → corrIp (in place).
  for (let k = 0; k < n; k++) {
    const mI = meanI[k]!;
    const varI = corrI[k]! - mI * mI;
    const a = (corrIp[k]! - mI * meanP[k]!) / (varI + eps);
    corrI[k] = a;
    corrIp[k] = meanP[k]! - a * mI;
  }
  boxMean(corrI, w, h, r, tmp, meanI);
  boxMean(corrIp, w, h, r, tmp, meanP);
  return { meanA: meanI, meanB: meanP };
}

/**
 * Filters `input` guided by `guide` (both `[h, w]`, typically in [0, 1]).
 * @param guide - guide image, e.g. luma in [0, 1].
 * @param input - map to filter, e.g. a coarse mask in [0, 1].
 * @param widthPx - width.
 * @param heightPx - height.
 * @param radiusPx - window radius r (≥ 1).
 * @param eps - regularisation ε (in squared guide units; larger = smoother, smaller = follows the guide's edges).
 * @returns the filtered map `[h, w]` (not clamped).
 * @throws InvalidInputError on size mismatch or a radius below 1.
 * @remarks He et al. 2010, Algorithm 1 (grey guide).
 */
export function guidedFilter(guide: Float32Array, input: Float32Array, widthPx: number, heightPx: number, radiusPx: number, eps: number): Float32Array {
  const w = widthPx;
  const h = heightPx;
  const n = w * h;
  if (guide.length !== n || input.length !== n) throw new InvalidInputError(`Guided filter: expected ${n} values (${w}×${h})`);
  if (!(radiusPx >= 1)) throw new InvalidInputError(`Guided filter: radius must be ≥ 1 px, got ${radiusPx}`);
  const { meanA, meanB } = meanCoefficients(guide, input, w, h, Math.round(radiusPx), eps);
  const out = new Float32Array(n);
  for (let k = 0; k < n; k++) out[k] = meanA[k]! * guide[k]! + meanB[k]!;
  return out;
}

/**
 * Fast guided filter: the linear coefficients computed on a copy subsampled by `factor`, then upsampled
 * (bilinear) and applied to the full-resolution guide.
 * @param guide - guide `[h, w]`, e.g. luma in [0, 1].
 * @param input - map to filter `[h, w]`.
 * @param widthPx - width.
 * @param heightPx - height.
 * @param radiusPx - window radius at full resolution, px (≥ 1).
 * @param eps - regularisation ε.
 * @param factor - integer subsampling factor (≥ 1; 1 = {@link guidedFilter}).
 * @returns the filtered map `[h, w]` (not clamped).
 * @throws InvalidInputError on size mismatch, a radius below 1 or a factor below 1.
 * @remarks K. He, J. Sun, "Fast Guided Filter", arXiv:1505.00996 (2015): a and b vary slowly, so computing them
 * at 1/s resolution costs O(N/s²) with almost the same output.
 */
export function fastGuidedFilter(guide: Float32Array, input: Float32Array, widthPx: number, heightPx: number, radiusPx: number, eps: number, factor: number): Float32Array {
  const W = widthPx;
  const H = heightPx;
  const f = Math.round(factor);
  if (!(f >= 1)) throw new InvalidInputError(`Fast guided filter: factor must be ≥ 1, got ${factor}`);
  if (guide.length !== W * H || input.length !== W * H) throw new InvalidInputError(`Fast guided filter: expected ${W * H} values (${W}×${H})`);
  if (!(radiusPx >= 1)) throw new InvalidInputError(`Fast guided filter: radius must be ≥ 1 px, got ${radiusPx}`);
  if (f === 1) return guidedFilter(guide, input, W, H, radiusPx, eps);
  const w = Math.ceil(W / f);
  const h = Math.ceil(H / f);
  const n = w * h;
  const gI = new Float32Array(n);
  const gP = new Float32Array(n);
  const cnt = new Float32Array(n);
  for (let y = 0; y < H; y++) {
    const rb = Math.floor(y / f) * w;
    for (let x = 0; x < W; x++) {
      const k = rb + Math.floor(x / f);
      gI[k] = gI[k]! + guide[y * W + x]!;
      gP[k] = gP[k]! + input[y * W + x]!;
      cnt[k] = cnt[k]! + 1;
    }
  }
  for (let k = 0; k < n; k++) {
    gI[k] = gI[k]! / cnt[k]!;
    gP[k] = gP[k]! / cnt[k]!;
  }
  const { meanA: meanI, meanB: meanP } = meanCoefficients(gI, gP, w, h, Math.max(1, Math.round(radiusPx / f)), eps);
  const out = new Float32Array(W * H);
  for (let y = 0; y < H; y++) {
    const fy = Math.min(h - 1, Math.max(0, (y + 0.5) / f - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(h - 1, y0 + 1);
    const ty = fy - y0;
    for (let x = 0; x < W; x++) {
      const fx = Math.min(w - 1, Math.max(0, (x + 0.5) / f - 0.5));
      const x0 = Math.floor(fx);
      const x1 = Math.min(w - 1, x0 + 1);
      const tx = fx - x0;
      const k00 = y0 * w + x0;
      const k01 = y0 * w + x1;
      const k10 = y1 * w + x0;
      const k11 = y1 * w + x1;
      const a = (meanI[k00]! * (1 - tx) + meanI[k01]! * tx) * (1 - ty) + (meanI[k10]! * (1 - tx) + meanI[k11]! * tx) * ty;
      const b = (meanP[k00]! * (1 - tx) + meanP[k01]! * tx) * (1 - ty) + (meanP[k10]! * (1 - tx) + meanP[k11]! * tx) * ty;
      out[y * W + x] = a * guide[y * W + x]! + b;
    }
  }
  return out;
}
