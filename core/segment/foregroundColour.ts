/**
 * Foreground colour estimation for a matte: the person's own colour at soft and background pixels, so that
 * compositing `F·α + B'·(1 − α)` over a new background shows no fringe of the old background (or of the
 * arbitrary RGB a cut-out stores under alpha 0).
 *
 * @remarks Blur-fusion (M. Forte, F. Pitié, "Approximate Fast Foreground Colour Estimation", ICIP 2021), two
 * passes: F̂ = blur(F·α)/blur(α), B̂ = blur(B·(1−α))/blur(1−α), F = F̂ + α·(I − α·F̂ − (1−α)·B̂), first with a large
 * window on (F, B) = (I, I), then with a small one on the first pass's (F, B̂). Where α = 1, F = I exactly.
 * Box blurs by running sums: O(1) per pixel per channel.
 */
import { InvalidInputError } from '../errors.ts';
import type { BackgroundPlate } from '../image/backgroundPlate.ts';
import { boxMean } from './guidedFilter.ts';

/** One blur-fusion pass over 3 planar channels in [0, 1]; returns the new F and the blurred background B̂. */
function blurFusionPass(image: Float32Array[], fg: Float32Array[], bg: Float32Array[], alpha: Float32Array, w: number, h: number, r: number): { fg: Float32Array[]; bg: Float32Array[] } {
  const n = w * h;
  const tmp = new Float32Array(n);
  const work = new Float32Array(n);
  const bA = new Float32Array(n);
  boxMean(alpha, w, h, r, tmp, bA);
  const outF: Float32Array[] = [];
  const outB: Float32Array[] = [];
  for (let c = 0; c < 3; c++) {
    const F = fg[c]!;
    const B = bg[c]!;
    const I = image[c]!;
    const bF = new Float32Array(n);
    const bB = new Float32Array(n);
    for (let k = 0; k < n; k++) work[k] = F[k]! * alpha[k]!;
    boxMean(work, w, h, r, tmp, bF);
    for (let k = 0; k < n; k++) work[k] = B[k]! * (1 - alpha[k]!);
    boxMean(work, w, h, r, tmp, bB);
    const nf = new Float32Array(n);
    for (let k = 0; k < n; k++) {
      const a = alpha[k]!;
      const f = bF[k]! / (bA[k]! + 1e-5);
      const b = bB[k]! / (1 - bA[k]! + 1e-5);
      bB[k] = b;
      nf[k] = Math.min(1, Math.max(0, f + a * (I[k]! - a * f - (1 - a) * b)));
    }
    outF.push(nf);
    outB.push(bB);
  }
  return { fg: outF, bg: outB };
}

/**
 * Estimates the foreground colour of every pixel under a matte.
 * @param rgba - `[heightPx, widthPx, 4]` RGBA bytes (the alpha channel is ignored).
 * @param alpha - `[heightPx, widthPx]` matte, 255 = person.
 * @param widthPx - width.
 * @param heightPx - height.
 * @returns `[heightPx, widthPx, 4]` RGBA bytes: RGB = estimated foreground colour, A = the matte.
 * @throws InvalidInputError when the sizes do not match.
 * @remarks Blur-fusion (Forte & Pitié 2021) with windows of ≈ 4.5 % of the longer side (the paper's 90 px at 2k)
 * then 7 px.
 */
export function estimateForegroundColours(rgba: Uint8Array, alpha: Uint8Array, widthPx: number, heightPx: number): Uint8Array {
  const w = widthPx;
  const h = heightPx;
  const n = w * h;
  if (rgba.length !== n * 4 || alpha.length !== n) throw new InvalidInputError(`Foreground colours: expected ${n} pixels (${w}×${h})`);
  const a = new Float32Array(n);
  for (let k = 0; k < n; k++) a[k] = alpha[k]! / 255;
  const image: Float32Array[] = [0, 1, 2].map((c) => {
    const ch = new Float32Array(n);
    for (let k = 0; k < n; k++) ch[k] = rgba[k * 4 + c]! / 255;
    return ch;
  });
  const r1 = Math.max(3, Math.round(0.0225 * Math.max(w, h)));
  const first = blurFusionPass(image, image, image, a, w, h, r1);
  const second = blurFusionPass(image, first.fg, first.bg, a, w, h, 3);
  const out = new Uint8Array(n * 4);
  for (let k = 0; k < n; k++) {
    out[k * 4] = Math.round(second.fg[0]![k]! * 255);
    out[k * 4 + 1] = Math.round(second.fg[1]![k]! * 255);
    out[k * 4 + 2] = Math.round(second.fg[2]![k]! * 255);
    out[k * 4 + 3] = alpha[k]!;
  }
  return out;
}

/** A background layer as {@link fitForegroundOverPlate} reads it (core/image/backgroundPlate.ts). */
export type PlateForFit = Pick<BackgroundPlate, 'rgba' | 'widthPx' | 'heightPx' | 'originXPx' | 'originYPx' | 'photoPxPerPlatePx' | 'filledMask'>;

/**
 * Refits the person layer's colour and alpha so that, composited over the filled background plate that is actually
 * drawn behind it, the rest view reproduces the photo: `α′·F′ + (1 − α′)·P = I` at every pixel where the plate was
 * filled.
 * @param rgba - `[heightPx, widthPx, 4]` photo bytes I (alpha ignored).
 * @param foreground - `[heightPx, widthPx, 4]` the person layer as estimated against the photo's own background
 *   ({@link estimateForegroundColours}: RGB = F, A = matte α); kept unchanged where the plate is the photo.
 * @param widthPx - photo width.
 * @param heightPx - photo height.
 * @param plate - the plate P (bilinearly sampled at each photo pixel centre, as the renderer's linear filter does).
 * @returns `[heightPx, widthPx, 4]` RGBA: RGB = F′, A = α′ ≥ α (unchanged over the plate's removed edge lines,
 *   `filledMask` 2) (the smallest alpha for which some F′ in [0, 255]
 *   solves the compositing equation, per channel: (I − P)/(255 − P) when I > P, (P − I)/P when I < P).
 * @throws InvalidInputError when the sizes do not match.
 * @remarks The compositing equation of Porter & Duff (1984) solved for the foreground, as in "un-compositing"
 * (Smith & Blinn 1996, "Blue screen matting"): the plate's fill is a guess at the hidden background, and without
 * this step a matte's soft edge (hair, alpha < 1) or the fill's fringe ring beyond the matte showed the guess at rest —
 * a ghost outline of the fill around the head on frame 0. Where the fill continues the real background well, α′
 * stays the matte's α; where it does not, the person layer carries the photo's pixel more opaquely and moves with
 * the head.
 */
export function fitForegroundOverPlate(rgba: Uint8Array, foreground: Uint8Array, widthPx: number, heightPx: number, plate: PlateForFit): Uint8Array {
  const w = widthPx;
  const h = heightPx;
  const n = w * h;
  if (rgba.length !== n * 4 || foreground.length !== n * 4) throw new InvalidInputError(`Foreground over plate: expected ${n} pixels (${w}×${h})`);
  if (plate.rgba.length !== plate.widthPx * plate.heightPx * 4 || plate.filledMask.length !== plate.widthPx * plate.heightPx) throw new InvalidInputError('Foreground over plate: plate sizes do not match');
  const out = Uint8Array.from(foreground);
  const pw = plate.widthPx;
  const ph = plate.heightPx;
  const s = plate.photoPxPerPlatePx;
  const P = [0, 0, 0];
  for (let y = 0; y < h; y++) {
    // Photo pixel centre → plate pixel coordinates (texel centres at +0.5).
    const py = (y + 0.5 - plate.originYPx) / s - 0.5;
    const y0 = Math.min(ph - 1, Math.max(0, Math.floor(py)));
    const y1 = Math.min(ph - 1, y0 + 1);
    const fy = Math.min(1, Math.max(0, py - y0));
    for (let x = 0; x < w; x++) {
      const px = (x + 0.5 - plate.originXPx) / s - 0.5;
      const x0 = Math.min(pw - 1, Math.max(0, Math.floor(px)));
      const x1 = Math.min(pw - 1, x0 + 1);
      const fx = Math.min(1, Math.max(0, px - x0));
      const m00 = plate.filledMask[y0 * pw + x0]!;
      if (!m00 && !plate.filledMask[y0 * pw + x1] && !plate.filledMask[y1 * pw + x0] && !plate.filledMask[y1 * pw + x1]) continue;
      const k = y * w + x;
      const a = foreground[k * 4 + 3]! / 255;
      if (a >= 1) continue;
      // A line along the photo's own edge that the plate removed (filledMask 2) is not reproduced: the person layer
      // carrying it would show it as a line once the camera moves.
      if (plate.filledMask[Math.min(ph - 1, Math.max(0, Math.round(py))) * pw + Math.min(pw - 1, Math.max(0, Math.round(px)))] === 2) continue;
      let need = 0;
      for (let c = 0; c < 3; c++) {
        const p00 = plate.rgba[(y0 * pw + x0) * 4 + c]!;
        const p01 = plate.rgba[(y0 * pw + x1) * 4 + c]!;
        const p10 = plate.rgba[(y1 * pw + x0) * 4 + c]!;
        const p11 = plate.rgba[(y1 * pw + x1) * 4 + c]!;
        const p = (p00 * (1 - fx) + p01 * fx) * (1 - fy) + (p10 * (1 - fx) + p11 * fx) * fy;
        P[c] = p;
        const i = rgba[k * 4 + c]!;
        const nc = i > p ? (i - p) / Math.max(1e-3, 255 - p) : i < p ? (p - i) / Math.max(1e-3, p) : 0;
        if (nc > need) need = nc;
      }
      // α′ quantised up to the 8-bit texture's next step, so F′ stays in range after rounding.
      const a8 = Math.min(255, Math.ceil(Math.max(a, need) * 255 - 1e-6));
      if (a8 <= 0) {
        out[k * 4 + 3] = 0;
        continue;
      }
      const a2 = a8 / 255;
      for (let c = 0; c < 3; c++) out[k * 4 + c] = Math.min(255, Math.max(0, Math.round((rgba[k * 4 + c]! - (1 - a2) * P[c]!) / a2)));
      out[k * 4 + 3] = a8;
    }
  }
  return out;
}
