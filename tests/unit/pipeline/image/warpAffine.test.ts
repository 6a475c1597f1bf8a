/**
 * The fast warp (packed pixel reads, separable letterbox path, reusable output) computes what the direct
 * per-sample definition computes: supersampled bilinear samples, zero/border taps outside the image, on real photos.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeImage, type DecodedImage } from '../../../../pipeline/image/decodeImage.ts';
import { computeLetterbox, rotatedCropAffine, warpAffineToTensor, type Affine2D, type WarpOptions } from '../../../../pipeline/image/warpAffine.ts';

const CORPUS = path.resolve(process.cwd(), '../shared/corpus/images');

/**
 * Reference: the definition of warpAffineToTensor evaluated literally, one bilinear sample at a time (the
 * implementation before the fast paths). Output pixel (x, y) = mean over jx < nx, jy < ny of the bilinear sample at
 * dstToSrc(x + (jx + 0.5)/nx, y + (jy + 0.5)/ny) − 0.5; taps outside the image read `borderValue`.
 */
function referenceWarp(image: DecodedImage, m: Affine2D, widthPx: number, heightPx: number, opts: WarpOptions = {}): Float32Array {
  const [lo, hi] = opts.range ?? [0, 1];
  const border = opts.borderValue ?? 0;
  const { rgba, widthPx: w, heightPx: h } = image;
  const [a, b, c, d, e, f] = m;
  const maxSs = opts.maxSupersample ?? 4;
  const nx = Math.max(1, Math.min(maxSs, Math.round(Math.hypot(a, d))));
  const ny = Math.max(1, Math.min(maxSs, Math.round(Math.hypot(b, e))));
  const px = (xi: number, yi: number, ch: number): number => (xi >= 0 && yi >= 0 && xi < w && yi < h ? rgba[(yi * w + xi) * 4 + ch]! : border);
  const out = new Float32Array(widthPx * heightPx * 3);
  for (let y = 0; y < heightPx; y++) {
    for (let x = 0; x < widthPx; x++) {
      const sum = [0, 0, 0];
      for (let jy = 0; jy < ny; jy++) {
        for (let jx = 0; jx < nx; jx++) {
          const xx = x + (jx + 0.5) / nx;
          const yy = y + (jy + 0.5) / ny;
          const xf = a * xx + b * yy + c - 0.5;
          const yf = d * xx + e * yy + f - 0.5;
          const x0 = Math.floor(xf);
          const y0 = Math.floor(yf);
          const tx = xf - x0;
          const ty = yf - y0;
          for (let ch = 0; ch < 3; ch++) {
            sum[ch]! += (1 - tx) * (1 - ty) * px(x0, y0, ch) + tx * (1 - ty) * px(x0 + 1, y0, ch) + (1 - tx) * ty * px(x0, y0 + 1, ch) + tx * ty * px(x0 + 1, y0 + 1, ch);
          }
        }
      }
      const ox = opts.flipHorizontal ? widthPx - 1 - x : x;
      for (let ch = 0; ch < 3; ch++) out[(y * widthPx + ox) * 3 + ch] = (sum[ch]! / (nx * ny)) * ((hi - lo) / 255) + lo;
    }
  }
  return out;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

function mean(a: Float32Array): number {
  let s = 0;
  for (const v of a) s += v;
  return s / a.length;
}

describe('warpAffineToTensor', () => {
  let img01: DecodedImage;
  let img09: DecodedImage;
  beforeAll(async () => {
    img01 = await decodeImage(path.join(CORPUS, 'img01_frontal_ai_man_jpeg-named-png.png'));
    img09 = await decodeImage(path.join(CORPUS, 'img09_two_faces.jpg'));
  });

  it('letterboxes (separable path) equal the per-sample definition, also with padding and a border value', () => {
    for (const img of [img01, img09]) {
      const { widthPx: w, heightPx: h } = img;
      const pad = 0.25 * Math.max(w, h);
      const cases: Array<[Affine2D, WarpOptions]> = [
        [computeLetterbox(0, 0, w, h, 256, 256).dstToSrc, { range: [-1, 1] }],
        [computeLetterbox(-pad, -pad, w + 2 * pad, h + 2 * pad, 256, 256).dstToSrc, { range: [-1, 1], borderValue: 40 }],
        [computeLetterbox(w * 0.3, h * 0.2, w * 0.2, h * 0.1, 256, 256).dstToSrc, {}], // enlarging crop, no supersampling
        [computeLetterbox(w * 0.1, h * 0.05, 480, 400, 256, 256).dstToSrc, { range: [-1, 1] }], // 1.875× shrink (2×2 samples, ≤ 4 taps)
      ];
      for (const [m, o] of cases) {
        const ref = referenceWarp(img, m, 256, 256, o);
        expect(maxAbsDiff(warpAffineToTensor(img, m, 256, 256, o), ref)).toBeLessThan(1e-5);
      }
    }
    // real content, not a constant: img01 letterbox mean in the photo's mid-grey range (in [-1, 1])
    const m01 = mean(warpAffineToTensor(img01, computeLetterbox(0, 0, img01.widthPx, img01.heightPx, 256, 256).dstToSrc, 256, 256, { range: [-1, 1] }));
    expect(m01).toBeGreaterThan(-0.8);
    expect(m01).toBeLessThan(0.8);
  });

  it('rotated face and eye crops (general path) equal the per-sample definition, inside and across the image edge', () => {
    const s = img01.widthPx;
    const cases: Array<[Affine2D, number, WarpOptions]> = [
      [rotatedCropAffine(0.5 * s, 0.45 * s, 0.6 * s, 0.6 * s, 0.12, 192, 192), 192, {}], // 4×4 supersampling (shrink ~4.2)
      [rotatedCropAffine(0.5 * s, 0.45 * s, 0.22 * s, 0.22 * s, -0.3, 192, 192), 192, {}], // 2×2
      [rotatedCropAffine(0.05 * s, 0.9 * s, 0.3 * s, 0.3 * s, 0.7, 192, 192), 192, { borderValue: 90 }], // mostly outside
      [rotatedCropAffine(0.4 * s, 0.4 * s, 0.04 * s, 0.04 * s, 0.05, 64, 64), 64, { flipHorizontal: true }], // eye, mirrored
    ];
    for (const [m, size, o] of cases) {
      const ref = referenceWarp(img01, m, size, size, o);
      expect(maxAbsDiff(warpAffineToTensor(img01, m, size, size, o), ref)).toBeLessThan(1e-5);
    }
  });

  it('writes into a given tensor at an offset, leaves the rest, and reads unaligned pixel buffers', () => {
    const m = rotatedCropAffine(600, 560, 300, 300, 0.2, 64, 64);
    const per = 64 * 64 * 3;
    const batch = new Float32Array(2 * per).fill(-7);
    const ret = warpAffineToTensor(img01, m, 64, 64, { out: batch, outOffset: per });
    expect(ret).toBe(batch);
    expect(batch.subarray(0, per).every((v) => v === -7)).toBe(true);
    const ref = referenceWarp(img01, m, 64, 64);
    expect(maxAbsDiff(batch.subarray(per), ref)).toBeLessThan(1e-5);
    // the same pixels one byte into a buffer (not 4-byte aligned)
    const shifted = new Uint8Array(img01.rgba.length + 1);
    shifted.set(img01.rgba, 1);
    const unaligned: DecodedImage = { ...img01, rgba: shifted.subarray(1) };
    expect(maxAbsDiff(warpAffineToTensor(unaligned, m, 64, 64), ref)).toBeLessThan(1e-5);
    expect(() => warpAffineToTensor(img01, m, 64, 64, { out: new Float32Array(per), outOffset: 1 })).toThrow(RangeError);
  });
});
