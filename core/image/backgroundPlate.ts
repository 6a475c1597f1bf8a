/**
 * The background of a portrait as its own layer: the photo with the person removed and the hole — plus a margin
 * past the photo's edges — filled with the photo's own continued background (see `inpaint.ts`), so a camera that
 * moves or frames wider than the photo sees background everywhere and nothing empty behind the person.
 *
 * @remarks The layered idea is that of 3D photography from one image (Shih, Su, Kopf & Huang, "3D Photography using
 * Context-aware Layered Depth Inpainting", CVPR 2020; Niklaus et al., "3D Ken Burns Effect from a Single Image",
 * SIGGRAPH Asia 2019): the occluded background is inpainted once and drawn behind the foreground layer.
 */
import { InvalidInputError, type AbortSignalLike } from '../errors.ts';
import { inpaint } from './inpaint.ts';

/** Margins added around the photo, px (each ≥ 0). */
export interface PlateMarginsPx {
  leftPx: number;
  rightPx: number;
  topPx: number;
  bottomPx: number;
}

/** Options of {@link buildBackgroundPlate}. */
export interface BackgroundPlateOptions {
  /** Canvas grown around the photo and filled too (default none). */
  marginsPx?: PlateMarginsPx;
  /** Matte values ≥ this count as person and are filled (0..255, default 8: soft hair counts); fainter fringe pixels keep the photo (at
   * rest the person layer's alpha blends them as the photo did). */
  personAlphaMin?: number;
  /** Pixels within this radius of the person are kept but never copied into the fill, px (default 2.5 % of the
   * photo's longer side): the matte's edge carries a halo of person colour that must not seed the fill. */
  dilatePx?: number;
  /** Longest side of the inpainting's working copy, px (default 192). */
  workMaxSidePx?: number;
  /** A photo with a longer side than this is area-downscaled first (default 1024): the plate is background, seen
   * behind the person, and a 4-megapixel fill would cost seconds. */
  maxSidePx?: number;
  seed?: number;
  signal?: AbortSignalLike;
}

/** The filled background: an RGBA image on a canvas that may extend past the photo. */
export interface BackgroundPlate {
  /** `[heightPx, widthPx, 4]` RGBA, alpha 255 everywhere. */
  rgba: Uint8Array;
  widthPx: number;
  heightPx: number;
  /** Photo pixel coordinates of the plate's top-left corner (≤ 0: the margins lie at negative photo px). */
  originXPx: number;
  originYPx: number;
  /** Photo pixels per plate pixel (1, or more when the photo was downscaled, see `maxSidePx`). */
  photoPxPerPlatePx: number;
  /** Fraction of the plate's pixels that were filled (person + margins), in [0, 1]. */
  filledFraction: number;
}

/**
 * Removes the person from the photo and fills the hole and the margins.
 * @param rgba - `[heightPx, widthPx, 4]` photo bytes.
 * @param widthPx - photo width.
 * @param heightPx - photo height.
 * @param personAlpha - `[heightPx, widthPx]` person matte, 255 = person (core/segment/personMatte.ts).
 * @param opts - margins, thresholds, working size, seed, cancellation.
 * @returns the plate (the photo itself, unchanged, outside the person region and inside the photo).
 * @throws InvalidInputError for mismatched sizes, negative margins, or a matte that covers the whole photo.
 */
export function buildBackgroundPlate(rgba: Uint8Array, widthPx: number, heightPx: number, personAlpha: Uint8Array, opts: BackgroundPlateOptions = {}): BackgroundPlate {
  const W = widthPx;
  const H = heightPx;
  if (rgba.length !== W * H * 4 || personAlpha.length !== W * H) throw new InvalidInputError(`background plate: expected ${W}×${H} RGBA and matte, got ${rgba.length} and ${personAlpha.length} values`);
  const m = opts.marginsPx ?? { leftPx: 0, rightPx: 0, topPx: 0, bottomPx: 0 };
  if (Math.min(m.leftPx, m.rightPx, m.topPx, m.bottomPx) < 0) throw new InvalidInputError('background plate: margins must be ≥ 0');
  const maxSide = opts.maxSidePx ?? 1024;
  if (Math.max(W, H) > maxSide) {
    const f = Math.max(W, H) / maxSide;
    const w = Math.max(1, Math.round(W / f));
    const h = Math.max(1, Math.round(H / f));
    const small = areaDownscale(rgba, personAlpha, W, H, w, h);
    const fx = W / w;
    const plate = buildBackgroundPlate(small.rgba, w, h, small.alpha, {
      ...opts,
      dilatePx: opts.dilatePx === undefined ? undefined : opts.dilatePx / fx,
      marginsPx: { leftPx: m.leftPx / fx, rightPx: m.rightPx / fx, topPx: m.topPx / fx, bottomPx: m.bottomPx / fx },
    });
    return { ...plate, originXPx: plate.originXPx * fx, originYPx: plate.originYPx * fx, photoPxPerPlatePx: fx };
  }
  const ml = Math.round(m.leftPx);
  const mr = Math.round(m.rightPx);
  const mt = Math.round(m.topPx);
  const mb = Math.round(m.bottomPx);
  const PW = W + ml + mr;
  const PH = H + mt + mb;
  const thr = opts.personAlphaMin ?? 8;
  const person = new Uint8Array(W * H);
  for (let k = 0; k < W * H; k++) person[k] = personAlpha[k]! >= thr ? 1 : 0;
  const grown = dilate(person, W, H, Math.max(0, Math.round(opts.dilatePx ?? 0.025 * Math.max(W, H))));
  const canvas = new Uint8Array(PW * PH * 4);
  const hole = new Uint8Array(PW * PH).fill(1);
  const noSource = new Uint8Array(PW * PH);
  for (let y = 0; y < H; y++) {
    const o = (y + mt) * PW + ml;
    canvas.set(rgba.subarray(y * W * 4, (y + 1) * W * 4), o * 4);
    hole.set(person.subarray(y * W, (y + 1) * W), o);
    noSource.set(grown.subarray(y * W, (y + 1) * W), o);
  }
  for (let k = 3; k < canvas.length; k += 4) canvas[k] = 255;
  let filled = 0;
  for (let k = 0; k < PW * PH; k++) filled += hole[k]!;
  if (filled === PW * PH) throw new InvalidInputError('background plate: the person covers the whole photo; no background to continue');
  const out = inpaint(canvas, PW, PH, hole, { workMaxSidePx: opts.workMaxSidePx ?? 192, seed: opts.seed, signal: opts.signal, noSource });
  blendFillSeams(out, PW, PH, hole);
  return { rgba: out, widthPx: PW, heightPx: PH, originXPx: -ml, originYPx: -mt, photoPxPerPlatePx: 1, filledFraction: filled / (PW * PH) };
}

/** Cells of the seam-correction grid along the plate's longer side. */
const SEAM_GRID_CELLS = 96;

/**
 * Evens out the fill's colour where it meets the kept photo: the mean colour offset (kept neighbour − filled pixel)
 * along the fill's border, per grid cell, is spread over the other cells that hold filled pixels by harmonic
 * interpolation, and added to the filled pixels.
 * @param out - `[H, W, 4]` the inpainted plate, corrected in place.
 * @param W - plate width.
 * @param H - plate height.
 * @param hole - `[H, W]` 1 = filled pixel.
 * @remarks The membrane form of Poisson image editing (Pérez, Gangnet & Blake, SIGGRAPH 2003; Farbman et al.,
 * "Coordinates for Instant Image Cloning", SIGGRAPH 2009): the fill keeps its texture (gradients) and takes its low
 * frequencies from the border, so a patch-based fill shows no block of another brightness beside the person. Solved
 * on a coarse grid ({@link SEAM_GRID_CELLS} cells along the longer side) by successive over-relaxation, bilinearly
 * interpolated to the pixels.
 */
function blendFillSeams(out: Uint8Array, W: number, H: number, hole: Uint8Array): void {
  const cell = Math.max(2, Math.ceil(Math.max(W, H) / SEAM_GRID_CELLS));
  const gw = Math.ceil(W / cell);
  const gh = Math.ceil(H / cell);
  const n = gw * gh;
  // Per cell: filled pixels, and the offsets (kept neighbour − filled pixel) of filled pixels beside a kept one.
  const sumOff = new Float64Array(n * 3);
  const nOff = new Uint32Array(n), nFill = new Uint32Array(n);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const k = y * W + x;
      if (!hole[k]) continue;
      const g = Math.floor(y / cell) * gw + Math.floor(x / cell);
      nFill[g]!++;
      for (const [ok, j] of [[x > 0, k - 1], [x < W - 1, k + 1], [y > 0, k - W], [y < H - 1, k + W]] as const) {
        if (!ok || hole[j]) continue;
        for (let c = 0; c < 3; c++) sumOff[g * 3 + c]! += out[j * 4 + c]! - out[k * 4 + c]!;
        nOff[g]!++;
      }
    }
  }
  // Fixed: cells on the fill's border (their mean offset); free: the other cells holding filled pixels.
  const offset = new Float32Array(n * 3);
  const free = new Uint8Array(n);
  let anyFixed = false;
  for (let g = 0; g < n; g++) {
    if (nOff[g]!) {
      for (let c = 0; c < 3; c++) offset[g * 3 + c] = sumOff[g * 3 + c]! / nOff[g]!;
      anyFixed = true;
    } else if (nFill[g]!) free[g] = 1;
  }
  if (!anyFixed) return;
  const omega = 1.9;
  for (let it = 0; it < 4 * Math.max(gw, gh); it++) {
    for (let gy = 0; gy < gh; gy++) {
      for (let gx = 0; gx < gw; gx++) {
        const g = gy * gw + gx;
        if (!free[g]) continue;
        for (let c = 0; c < 3; c++) {
          let sum = 0, nb = 0;
          // Only cells holding filled pixels pass values on (kept-only cells carry no offset).
          for (const [ok, h] of [[gx > 0, g - 1], [gx < gw - 1, g + 1], [gy > 0, g - gw], [gy < gh - 1, g + gw]] as const) {
            if (!ok || !nFill[h]) continue;
            sum += offset[h * 3 + c]!;
            nb++;
          }
          if (nb) offset[g * 3 + c] = offset[g * 3 + c]! + omega * (sum / nb - offset[g * 3 + c]!);
        }
      }
    }
  }
  // Bilinear between cell centres, filled pixels only, over the cells that hold filled pixels.
  const at = (gx: number, gy: number, c: number): number => {
    const g = Math.min(gh - 1, Math.max(0, gy)) * gw + Math.min(gw - 1, Math.max(0, gx));
    return offset[g * 3 + c]!;
  };
  for (let y = 0; y < H; y++) {
    const fy = (y + 0.5) / cell - 0.5;
    const gy = Math.floor(fy), ay = fy - gy;
    for (let x = 0; x < W; x++) {
      const k = y * W + x;
      if (!hole[k]) continue;
      const fx = (x + 0.5) / cell - 0.5;
      const gx = Math.floor(fx), ax = fx - gx;
      for (let c = 0; c < 3; c++) {
        let v = 0, wsum = 0;
        for (const [dx, dy, w] of [[0, 0, (1 - ax) * (1 - ay)], [1, 0, ax * (1 - ay)], [0, 1, (1 - ax) * ay], [1, 1, ax * ay]] as const) {
          const cx = Math.min(gw - 1, Math.max(0, gx + dx)), cy = Math.min(gh - 1, Math.max(0, gy + dy));
          if (!nFill[cy * gw + cx]) continue;
          v += w * at(cx, cy, c);
          wsum += w;
        }
        if (wsum > 0) out[k * 4 + c] = Math.min(255, Math.max(0, Math.round(out[k * 4 + c]! + v / wsum)));
      }
    }
  }
}

/** Binary dilation by a square of radius `r` (two separable running-max passes). */
function dilate(mask: Uint8Array, W: number, H: number, r: number): Uint8Array {
  if (r <= 0) return mask;
  const tmp = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) {
    // Two sweeps: distance to the nearest set pixel on the left and on the right.
    let last = -Infinity;
    for (let x = 0; x < W; x++) {
      if (mask[y * W + x]) last = x;
      if (x - last <= r) tmp[y * W + x] = 1;
    }
    last = Infinity;
    for (let x = W - 1; x >= 0; x--) {
      if (mask[y * W + x]) last = x;
      if (last - x <= r) tmp[y * W + x] = 1;
    }
  }
  const out = new Uint8Array(W * H);
  for (let x = 0; x < W; x++) {
    let last = -Infinity;
    for (let y = 0; y < H; y++) {
      if (tmp[y * W + x]) last = y;
      if (y - last <= r) out[y * W + x] = 1;
    }
    last = Infinity;
    for (let y = H - 1; y >= 0; y--) {
      if (tmp[y * W + x]) last = y;
      if (last - y <= r) out[y * W + x] = 1;
    }
  }
  return out;
}

/** Area-average downscale of an RGBA image and its matte to `w × h` (box filter over each target pixel's footprint). */
function areaDownscale(rgba: Uint8Array, alpha: Uint8Array, W: number, H: number, w: number, h: number): { rgba: Uint8Array; alpha: Uint8Array } {
  const out = new Uint8Array(w * h * 4);
  const outA = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const y0 = Math.floor((y * H) / h);
    const y1 = Math.max(y0 + 1, Math.floor(((y + 1) * H) / h));
    for (let x = 0; x < w; x++) {
      const x0 = Math.floor((x * W) / w);
      const x1 = Math.max(x0 + 1, Math.floor(((x + 1) * W) / w));
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let yy = y0; yy < y1; yy++) {
        for (let xx = x0; xx < x1; xx++) {
          const k = yy * W + xx;
          r += rgba[k * 4]!;
          g += rgba[k * 4 + 1]!;
          b += rgba[k * 4 + 2]!;
          a = Math.max(a, alpha[k]!);
        }
      }
      const n = (y1 - y0) * (x1 - x0);
      const o = y * w + x;
      out[o * 4] = Math.round(r / n);
      out[o * 4 + 1] = Math.round(g / n);
      out[o * 4 + 2] = Math.round(b / n);
      out[o * 4 + 3] = 255;
      // The footprint's largest matte value: a pixel that touches the person is person (no halo left behind).
      outA[o] = a;
    }
  }
  return { rgba: out, alpha: outA };
}
