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
  /**
   * Tensor to write into instead of allocating one (e.g. one image of a batch, or a buffer reused across frames);
   * it must hold `outOffset + heightPx·widthPx·3` floats. Only that range is written.
   */
  out?: Float32Array;
  /** First element of `out` written (e.g. `k·H·W·3` for batch item k); default 0. */
  outOffset?: number;
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
 * @returns `opts.out` or a new `Float32Array`, holding at `outOffset` a `[heightPx, widthPx, 3]` tensor (NHWC
 * without batch), RGB scaled into `opts.range`.
 * @throws RangeError when `opts.out` is too small.
 * @remarks Bilinear interpolation; when the map shrinks by a factor s > 1 the output pixel is the mean of
 * ⌈s⌉×⌈s⌉ bilinear samples (capped by `maxSupersample`), a box prefilter against aliasing. Taps outside the image
 * read `borderValue`. One pass straight from the RGBA bytes into the output (no float copy of the image, no
 * per-pixel allocation): the sample offsets inside an output pixel are precomputed, samples whose 2×2 taps are all
 * inside the image take a branch-free path, and axis-aligned maps (letterboxes) use a separable filter (per-column
 * and per-row tap tables: a horizontal pass over the source rows involved, then a vertical pass). Results equal the
 * direct per-sample evaluation up to float rounding (< 1e-5 of the range, checked in tests).
 */
export function warpAffineToTensor(image: DecodedImage, dstToSrc: Affine2D, widthPx: number, heightPx: number, opts: WarpOptions = {}): Float32Array {
  const [lo, hi] = opts.range ?? [0, 1];
  const border = opts.borderValue ?? 0;
  const flip = opts.flipHorizontal === true;
  const offset = opts.outOffset ?? 0;
  const count = widthPx * heightPx * 3;
  const out = opts.out ?? new Float32Array(count);
  if (offset < 0 || out.length < offset + count) throw new RangeError(`warpAffineToTensor: output tensor holds ${out.length} floats, needs ${offset + count}`);
  const [a, b, c, d, e, f] = dstToSrc;
  const maxSs = opts.maxSupersample ?? 4;
  const nx = Math.max(1, Math.min(maxSs, Math.round(Math.hypot(a, d))));
  const ny = Math.max(1, Math.min(maxSs, Math.round(Math.hypot(b, e))));
  // value = mean of samples · (hi − lo)/255 + lo
  const k = (hi - lo) / 255 / (nx * ny);
  if (b === 0 && d === 0) warpSeparable(image, a, c, e, f, nx, ny, widthPx, heightPx, border, k, lo, flip, out, offset);
  else warpGeneral(image, dstToSrc, nx, ny, widthPx, heightPx, border, k, lo, flip, out, offset);
  return out;
}

/** Whether this platform stores a Uint32 little-endian (then byte 0 of an RGBA pixel is its low byte). */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
/** Bit shifts of R, G, B inside a pixel read as one Uint32. */
const SHIFT_R = LITTLE_ENDIAN ? 0 : 24;
const SHIFT_G = LITTLE_ENDIAN ? 8 : 16;
const SHIFT_B = LITTLE_ENDIAN ? 16 : 8;

/** The RGBA bytes as one Int32 per pixel (a view when 4-byte aligned, else an aligned copy). */
function pixelsAsInt32(rgba: Uint8Array, pixelCount: number): Int32Array {
  if (rgba.byteOffset % 4 === 0) return new Int32Array(rgba.buffer, rgba.byteOffset, pixelCount);
  const copy = new Uint8Array(pixelCount * 4);
  copy.set(rgba.subarray(0, pixelCount * 4));
  return new Int32Array(copy.buffer);
}

/** Per-sample path of {@link warpAffineToTensor} for any affine map. */
function warpGeneral(image: DecodedImage, m: Affine2D, nx: number, ny: number, widthPx: number, heightPx: number, border: number, k: number, lo: number, flip: boolean, out: Float32Array, offset: number): void {
  const { rgba, widthPx: w, heightPx: h } = image;
  const px32 = pixelsAsInt32(rgba, w * h);
  const sr = SHIFT_R;
  const sg = SHIFT_G;
  const sb = SHIFT_B;
  const [a, b, c, d, e, f] = m;
  const ns = nx * ny;
  // source offsets of the supersamples inside an output pixel (output coords x + (jx + 0.5)/nx, y + (jy + 0.5)/ny)
  const offX = new Float64Array(ns);
  const offY = new Float64Array(ns);
  for (let jy = 0; jy < ny; jy++) {
    for (let jx = 0; jx < nx; jx++) {
      const ux = (jx + 0.5) / nx;
      const uy = (jy + 0.5) / ny;
      offX[jy * nx + jx] = a * ux + b * uy;
      offY[jy * nx + jx] = d * ux + e * uy;
    }
  }
  let offMinX = Infinity;
  let offMaxX = -Infinity;
  let offMinY = Infinity;
  let offMaxY = -Infinity;
  for (let s = 0; s < ns; s++) {
    offMinX = Math.min(offMinX, offX[s]!);
    offMaxX = Math.max(offMaxX, offX[s]!);
    offMinY = Math.min(offMinY, offY[s]!);
    offMaxY = Math.max(offMaxY, offY[s]!);
  }
  const xMax = w - 1;
  const yMax = h - 1;
  const acc = new Float64Array(3);
  const step = flip ? -3 : 3;
  for (let y = 0; y < heightPx; y++) {
    // continuous source coords → index space (pixel centres at integer indices): −0.5
    const rowX = b * y + c - 0.5;
    const rowY = e * y + f - 0.5;
    let o = offset + (flip ? (y * widthPx + widthPx - 1) * 3 : y * widthPx * 3);
    for (let x = 0; x < widthPx; x++) {
      const px = a * x + rowX;
      const py = d * x + rowY;
      let r = 0;
      let g = 0;
      let bl = 0;
      if (px + offMinX >= 0 && py + offMinY >= 0 && px + offMaxX < xMax && py + offMaxY < yMax) {
        // every sample's 2×2 taps inside the image: x0 = floor(xf) by truncation (xf ≥ 0)
        for (let s = 0; s < ns; s++) {
          const xf = px + offX[s]!;
          const yf = py + offY[s]!;
          const x0 = xf | 0;
          const y0 = yf | 0;
          const tx = xf - x0;
          const ty = yf - y0;
          const i = y0 * w + x0;
          const p00 = px32[i]!;
          const p10 = px32[i + 1]!;
          const p01 = px32[i + w]!;
          const p11 = px32[i + w + 1]!;
          // bilinear as two horizontal lerps and one vertical lerp per channel
          let c0 = (p00 >> sr) & 255;
          let c1 = (p01 >> sr) & 255;
          let top = c0 + tx * (((p10 >> sr) & 255) - c0);
          r += top + ty * (c1 + tx * (((p11 >> sr) & 255) - c1) - top);
          c0 = (p00 >> sg) & 255;
          c1 = (p01 >> sg) & 255;
          top = c0 + tx * (((p10 >> sg) & 255) - c0);
          g += top + ty * (c1 + tx * (((p11 >> sg) & 255) - c1) - top);
          c0 = (p00 >> sb) & 255;
          c1 = (p01 >> sb) & 255;
          top = c0 + tx * (((p10 >> sb) & 255) - c0);
          bl += top + ty * (c1 + tx * (((p11 >> sb) & 255) - c1) - top);
        }
      } else {
        for (let s = 0; s < ns; s++) {
          sampleWithBorder(rgba, w, h, px + offX[s]!, py + offY[s]!, border, acc);
          r += acc[0]!;
          g += acc[1]!;
          bl += acc[2]!;
        }
      }
      out[o] = r * k + lo;
      out[o + 1] = g * k + lo;
      out[o + 2] = bl * k + lo;
      o += step;
    }
  }
}

/** One bilinear sample at index-space `(xf, yf)` where some of the 2×2 taps may fall outside: those read `border`. Writes RGB to `acc`. */
function sampleWithBorder(rgba: Uint8Array, w: number, h: number, xf: number, yf: number, border: number, acc: Float64Array): void {
  const x0 = Math.floor(xf);
  const y0 = Math.floor(yf);
  const tx = xf - x0;
  const ty = yf - y0;
  const w00 = (1 - tx) * (1 - ty);
  const w10 = tx * (1 - ty);
  const w01 = (1 - tx) * ty;
  const w11 = tx * ty;
  const in0 = y0 >= 0 && y0 < h;
  const in1 = y0 + 1 >= 0 && y0 + 1 < h;
  const inL = x0 >= 0 && x0 < w;
  const inR = x0 + 1 >= 0 && x0 + 1 < w;
  const o = y0 * w * 4 + x0 * 4;
  const o2 = o + w * 4;
  let r = 0;
  let g = 0;
  let bl = 0;
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
  acc[0] = r + wb * border;
  acc[1] = g + wb * border;
  acc[2] = bl + wb * border;
}

/**
 * 1-D tap table of the supersampled bilinear filter along one axis: output index i reads source indices
 * `idx[i·taps + t]` with weights `wt[i·taps + t]` (t < taps; unused slots have weight 0 on a valid index), plus
 * `borderWt[i]` = the summed weight of its taps outside the source (they read the border value).
 */
interface TapTable {
  idx: Int32Array;
  wt: Float64Array;
  borderWt: Float64Array;
  taps: number;
}

/** Builds the {@link TapTable} for `src = scale·(i + (j + 0.5)/n) + shift − 0.5`, j < n, over `size` outputs (source length `srcLen` ≥ 1). */
function tapTable(scale: number, shift: number, n: number, size: number, srcLen: number): TapTable {
  const slots = 2 * n;
  const idx = new Int32Array(size * slots);
  const wt = new Float64Array(size * slots);
  const borderWt = new Float64Array(size);
  const count = new Int32Array(size);
  let taps = 1;
  for (let i = 0; i < size; i++) {
    const base = i * slots;
    for (let j = 0; j < n; j++) {
      const sf = scale * (i + (j + 0.5) / n) + shift - 0.5;
      const p0 = Math.floor(sf);
      const t = sf - p0;
      for (const [p, weight] of [[p0, 1 - t], [p0 + 1, t]] as const) {
        if (p < 0 || p >= srcLen) {
          borderWt[i]! += weight;
          continue;
        }
        const cnt = count[i]!;
        let merged = false;
        for (let u = 0; u < cnt && !merged; u++) {
          if (idx[base + u] === p) {
            wt[base + u]! += weight;
            merged = true;
          }
        }
        if (!merged) {
          idx[base + cnt] = p;
          wt[base + cnt] = weight;
          count[i] = cnt + 1;
        }
      }
    }
    taps = Math.max(taps, count[i]!);
  }
  // compact to `taps` slots per output; padding slots repeat a valid index with weight 0
  const cIdx = new Int32Array(size * taps);
  const cWt = new Float64Array(size * taps);
  for (let i = 0; i < size; i++) {
    const cnt = count[i]!;
    const pad = cnt > 0 ? idx[i * slots]! : 0;
    for (let u = 0; u < taps; u++) {
      cIdx[i * taps + u] = u < cnt ? idx[i * slots + u]! : pad;
      cWt[i * taps + u] = u < cnt ? wt[i * slots + u]! : 0;
    }
  }
  return { idx: cIdx, wt: cWt, borderWt, taps };
}

/**
 * Separable path of {@link warpAffineToTensor} for axis-aligned maps `xSrc = a·x + c`, `ySrc = e·y + f`: each
 * source row that an output row reads is filtered horizontally once (into a small ring of rows, in order), then the
 * output row is the weighted sum of those rows.
 */
function warpSeparable(image: DecodedImage, a: number, c: number, e: number, f: number, nx: number, ny: number, widthPx: number, heightPx: number, border: number, k: number, lo: number, flip: boolean, out: Float32Array, offset: number): void {
  const { rgba, widthPx: w, heightPx: h } = image;
  const px32 = pixelsAsInt32(rgba, w * h);
  const sr = SHIFT_R;
  const sg = SHIFT_G;
  const sb = SHIFT_B;
  const { idx: cIdx, wt: cWt, borderWt: cBorder, taps: cTaps } = tapTable(a, c, nx, widthPx, w);
  const { idx: rIdx, wt: rWt, borderWt: rBorder, taps: rTaps } = tapTable(e, f, ny, heightPx, h);
  // ring of horizontally filtered source rows, slot = row mod ringSize, sized to the widest span of rows that one
  // output row reads (output rows read non-decreasing source rows)
  let ringSize = 1;
  for (let y = 0; y < heightPx; y++) {
    let mn = h;
    let mx = -1;
    for (let t = 0; t < rTaps; t++) {
      const p = rIdx[y * rTaps + t]!;
      mn = Math.min(mn, p);
      mx = Math.max(mx, p);
    }
    ringSize = Math.max(ringSize, mx - mn + 1);
  }
  const rowFloats = widthPx * 3;
  const ring = new Float64Array(ringSize * rowFloats);
  const ringRow = new Int32Array(ringSize).fill(-1);
  const rowStart = new Int32Array(rTaps);
  // a source row outside the image reads border · (Σ column weights = nx) in every column
  const borderRow = border * nx;
  const step = flip ? -3 : 3;
  for (let y = 0; y < heightPx; y++) {
    const base = y * rTaps;
    // horizontal pass for the source rows this output row needs (each source row once while it stays in the ring)
    for (let t = 0; t < rTaps; t++) {
      const p = rIdx[base + t]!;
      const slot = p % ringSize;
      rowStart[t] = slot * rowFloats;
      if (ringRow[slot] === p) continue;
      ringRow[slot] = p;
      filterRow(px32, p * w, cIdx, cWt, cBorder, cTaps, border, widthPx, sr, sg, sb, ring, slot * rowFloats);
    }
    // vertical pass
    const bv = rBorder[y]! * borderRow;
    let o = offset + (flip ? (y * widthPx + widthPx - 1) * 3 : y * widthPx * 3);
    for (let x = 0; x < widthPx; x++) {
      let vr = bv;
      let vg = bv;
      let vb = bv;
      const x3 = x * 3;
      for (let t = 0; t < rTaps; t++) {
        const s = rowStart[t]! + x3;
        const wy = rWt[base + t]!;
        vr += wy * ring[s]!;
        vg += wy * ring[s + 1]!;
        vb += wy * ring[s + 2]!;
      }
      out[o] = vr * k + lo;
      out[o + 1] = vg * k + lo;
      out[o + 2] = vb * k + lo;
      o += step;
    }
  }
}

/** Horizontal pass of {@link warpSeparable}: one source row (starting at pixel `src`) through the column taps into `dst` at `o`. */
function filterRow(px32: Int32Array, src: number, cIdx: Int32Array, cWt: Float64Array, cBorder: Float64Array, taps: number, border: number, widthPx: number, sr: number, sg: number, sb: number, dst: Float64Array, o: number): void {
  if (taps <= 4) {
    // unrolled: up to 4 taps (letterboxes shrinking up to 2.5×), padded slots have weight 0
    for (let x = 0; x < widthPx; x++) {
      const cb = x * taps;
      const bw = cBorder[x]! * border;
      const p0 = px32[src + cIdx[cb]!]!;
      const w0 = cWt[cb]!;
      let vr = bw + w0 * ((p0 >> sr) & 255);
      let vg = bw + w0 * ((p0 >> sg) & 255);
      let vb = bw + w0 * ((p0 >> sb) & 255);
      if (taps > 1) {
        const p1 = px32[src + cIdx[cb + 1]!]!;
        const w1 = cWt[cb + 1]!;
        vr += w1 * ((p1 >> sr) & 255);
        vg += w1 * ((p1 >> sg) & 255);
        vb += w1 * ((p1 >> sb) & 255);
      }
      if (taps > 2) {
        const p2 = px32[src + cIdx[cb + 2]!]!;
        const w2 = cWt[cb + 2]!;
        vr += w2 * ((p2 >> sr) & 255);
        vg += w2 * ((p2 >> sg) & 255);
        vb += w2 * ((p2 >> sb) & 255);
      }
      if (taps > 3) {
        const p3 = px32[src + cIdx[cb + 3]!]!;
        const w3 = cWt[cb + 3]!;
        vr += w3 * ((p3 >> sr) & 255);
        vg += w3 * ((p3 >> sg) & 255);
        vb += w3 * ((p3 >> sb) & 255);
      }
      dst[o] = vr;
      dst[o + 1] = vg;
      dst[o + 2] = vb;
      o += 3;
    }
    return;
  }
  for (let x = 0; x < widthPx; x++) {
    const cb = x * taps;
    const bw = cBorder[x]! * border;
    let vr = bw;
    let vg = bw;
    let vb = bw;
    for (let u = 0; u < taps; u++) {
      const p = px32[src + cIdx[cb + u]!]!;
      const wx = cWt[cb + u]!;
      vr += wx * ((p >> sr) & 255);
      vg += wx * ((p >> sg) & 255);
      vb += wx * ((p >> sb) & 255);
    }
    dst[o] = vr;
    dst[o + 1] = vg;
    dst[o + 2] = vb;
    o += 3;
  }
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
