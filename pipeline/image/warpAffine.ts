/**
 * Resampling of a {@link DecodedImage} into the float tensors the face models take: letterbox and rotated crops.
 * @remarks One primitive — an affine map from output pixels to source pixels, sampled bilinearly with
 * box-prefiltering (supersampling) when it shrinks — serves letterboxing (scale + offset) and rotated face / eye
 * crops (scale + rotation + offset). Pixel centres are at half-integers (x + 0.5), as in OpenCV `warpAffine` and
 * MediaPipe's ImageToTensorCalculator.
 */
import type { DecodedImage } from './decodeImage.ts';

/**
 * A 2×3 affine map `[a, b, c, d, e, f]` from output (tensor) pixel coordinates to source image pixel coordinates:
 * `xSrc = a·x + b·y + c`, `ySrc = d·x + e·y + f`, both in continuous pixel units (pixel centres at +0.5).
 */
export type Affine2D = readonly [number, number, number, number, number, number];

/** Options of {@link warpAffineToTensor}. */
export interface WarpOptions {
  /** Output value range `[min, max]` that 0 and 255 map to; default `[0, 1]`. */
  range?: readonly [number, number];
  /** Mirror the output horizontally (e.g. a left eye fed to a right-eye model). Default false. */
  flipHorizontal?: boolean;
  /** Value (in 0..255 units) for samples outside the image; default 0 (black), as MediaPipe's zero border. */
  borderValue?: number;
  /** Maximum supersampling factor per axis when the map shrinks the image; default 4. */
  maxSupersample?: number;
}

/** Inverts an affine map. @param m - map to invert. @returns the inverse map. @throws Error when singular. */
export function invertAffine(m: Affine2D): Affine2D {
  const [a, b, c, d, e, f] = m;
  const det = a * e - b * d;
  if (Math.abs(det) < 1e-12) throw new Error('singular affine map');
  const ia = e / det;
  const ib = -b / det;
  const id = -d / det;
  const ie = a / det;
  return [ia, ib, -(ia * c + ib * f), id, ie, -(id * c + ie * f)];
}

/** Applies an affine map to a point. @returns `[x, y]`. */
export function applyAffine(m: Affine2D, x: number, y: number): [number, number] {
  return [m[0] * x + m[1] * y + m[2], m[3] * x + m[4] * y + m[5]];
}

/**
 * Samples `image` through `dstToSrc` into a float tensor.
 * @param image - decoded RGBA image (alpha ignored; transparent pixels keep their stored colour).
 * @param dstToSrc - map from output pixel coordinates to source pixel coordinates.
 * @param widthPx - output width in pixels (≥ 1).
 * @param heightPx - output height in pixels (≥ 1).
 * @param opts - see {@link WarpOptions}.
 * @returns `Float32Array` of shape `[heightPx, widthPx, 3]` (NHWC without batch), RGB scaled into `opts.range`.
 * @remarks Bilinear interpolation; when the map shrinks by a factor s > 1 the output pixel is the mean of
 * ⌈s⌉×⌈s⌉ bilinear samples (capped by `maxSupersample`), a box prefilter against aliasing.
 */
export function warpAffineToTensor(image: DecodedImage, dstToSrc: Affine2D, widthPx: number, heightPx: number, opts: WarpOptions = {}): Float32Array {
  const [lo, hi] = opts.range ?? [0, 1];
  const scale = (hi - lo) / 255;
  const border = opts.borderValue ?? 0;
  const flip = opts.flipHorizontal === true;
  const { rgba, widthPx: w, heightPx: h } = image;
  const [a, b, c, d, e, f] = dstToSrc;
  const sx = Math.hypot(a, d);
  const sy = Math.hypot(b, e);
  const maxSs = opts.maxSupersample ?? 4;
  const nx = Math.max(1, Math.min(maxSs, Math.round(sx)));
  const ny = Math.max(1, Math.min(maxSs, Math.round(sy)));
  const inv = 1 / (nx * ny);
  const out = new Float32Array(widthPx * heightPx * 3);
  const stride = w * 4;
  for (let y = 0; y < heightPx; y++) {
    for (let x = 0; x < widthPx; x++) {
      let r = 0;
      let g = 0;
      let bl = 0;
      for (let jy = 0; jy < ny; jy++) {
        const yy = y + (jy + 0.5) / ny;
        for (let jx = 0; jx < nx; jx++) {
          const xx = x + (jx + 0.5) / nx;
          // continuous source coords → index space (pixel centres at integer indices)
          const xf = a * xx + b * yy + c - 0.5;
          const yf = d * xx + e * yy + f - 0.5;
          const x0 = Math.floor(xf);
          const y0 = Math.floor(yf);
          const tx = xf - x0;
          const ty = yf - y0;
          const w00 = (1 - tx) * (1 - ty);
          const w10 = tx * (1 - ty);
          const w01 = (1 - tx) * ty;
          const w11 = tx * ty;
          if (x0 >= 0 && y0 >= 0 && x0 + 1 < w && y0 + 1 < h) {
            const o = y0 * stride + x0 * 4;
            const o2 = o + stride;
            r += w00 * rgba[o]! + w10 * rgba[o + 4]! + w01 * rgba[o2]! + w11 * rgba[o2 + 4]!;
            g += w00 * rgba[o + 1]! + w10 * rgba[o + 5]! + w01 * rgba[o2 + 1]! + w11 * rgba[o2 + 5]!;
            bl += w00 * rgba[o + 2]! + w10 * rgba[o + 6]! + w01 * rgba[o2 + 2]! + w11 * rgba[o2 + 6]!;
          } else {
            // border: taps outside the image read `borderValue`
            const in0 = y0 >= 0 && y0 < h;
            const in1 = y0 + 1 >= 0 && y0 + 1 < h;
            const inL = x0 >= 0 && x0 < w;
            const inR = x0 + 1 >= 0 && x0 + 1 < w;
            const o = y0 * stride + x0 * 4;
            const o2 = o + stride;
            let wb = 0;
            if (in0 && inL) {
              r += w00 * rgba[o]!;
              g += w00 * rgba[o + 1]!;
              bl += w00 * rgba[o + 2]!;
            } else wb += w00;
            if (in0 && inR) {
              r += w10 * rgba[o + 4]!;
              g += w10 * rgba[o + 5]!;
              bl += w10 * rgba[o + 6]!;
            } else wb += w10;
            if (in1 && inL) {
              r += w01 * rgba[o2]!;
              g += w01 * rgba[o2 + 1]!;
              bl += w01 * rgba[o2 + 2]!;
            } else wb += w01;
            if (in1 && inR) {
              r += w11 * rgba[o2 + 4]!;
              g += w11 * rgba[o2 + 5]!;
              bl += w11 * rgba[o2 + 6]!;
            } else wb += w11;
            r += wb * border;
            g += wb * border;
            bl += wb * border;
          }
        }
      }
      const ox = flip ? widthPx - 1 - x : x;
      const o = (y * widthPx + ox) * 3;
      out[o] = r * inv * scale + lo;
      out[o + 1] = g * inv * scale + lo;
      out[o + 2] = bl * inv * scale + lo;
    }
  }
  return out;
}

/** Geometry of a letterbox: the image scaled uniformly to fit a square/rectangle and centred with padding. */
export interface Letterbox {
  /** Output-to-source map used for sampling. */
  dstToSrc: Affine2D;
  /** Source pixels per output pixel. */
  srcPxPerDstPx: number;
  /** Padding added left and top, in output pixels. */
  padLeftPx: number;
  padTopPx: number;
}

/**
 * Computes the letterbox that fits a `srcW×srcH` region (starting at `srcX, srcY`) into `dstW×dstH`, centred.
 * @param srcX - left of the source region in pixels. @param srcY - top of the source region in pixels.
 * @param srcW - region width in pixels (> 0). @param srcH - region height in pixels (> 0).
 * @param dstW - output width in pixels. @param dstH - output height in pixels.
 * @returns the letterbox geometry; map output coordinates back with `applyAffine(lb.dstToSrc, x, y)`.
 */
export function computeLetterbox(srcX: number, srcY: number, srcW: number, srcH: number, dstW: number, dstH: number): Letterbox {
  const s = Math.max(srcW / dstW, srcH / dstH);
  const padLeftPx = (dstW - srcW / s) / 2;
  const padTopPx = (dstH - srcH / s) / 2;
  return { dstToSrc: [s, 0, srcX - padLeftPx * s, 0, s, srcY - padTopPx * s], srcPxPerDstPx: s, padLeftPx, padTopPx };
}

/**
 * Affine map for a rotated square/rectangular crop.
 * @param centerXPx - crop centre x in source pixels. @param centerYPx - crop centre y in source pixels.
 * @param cropWidthPx - crop width in source pixels. @param cropHeightPx - crop height in source pixels.
 * @param rotationRad - rotation of the crop in the y-down image, MediaPipe's convention: the crop's +x axis points
 * along `(cos θ, sin θ)` in image pixels (clockwise as seen on screen) and its +y axis along `(−sin θ, cos θ)`.
 * @param dstW - output width in pixels. @param dstH - output height in pixels.
 * @returns output-to-source map.
 */
export function rotatedCropAffine(centerXPx: number, centerYPx: number, cropWidthPx: number, cropHeightPx: number, rotationRad: number, dstW: number, dstH: number): Affine2D {
  const cos = Math.cos(rotationRad);
  const sin = Math.sin(rotationRad);
  const kx = cropWidthPx / dstW;
  const ky = cropHeightPx / dstH;
  // local (u, v) = ((x - dstW/2)·kx, (y - dstH/2)·ky); src = centre + u·(cos, sin) + v·(−sin, cos)
  const a = kx * cos;
  const b = -ky * sin;
  const d = kx * sin;
  const e = ky * cos;
  const c = centerXPx - a * (dstW / 2) - b * (dstH / 2);
  const f = centerYPx - d * (dstW / 2) - e * (dstH / 2);
  return [a, b, c, d, e, f];
}
