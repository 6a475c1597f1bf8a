/**
 * Measures of the background plate (core/image/backgroundPlate.ts) for issue 13's tests and scripts.
 */
import sharp from 'sharp';
import { buildBackgroundPlate, type BackgroundPlate } from '../../../../core/image/backgroundPlate.ts';
import { computePersonMatte } from '../../../../core/segment/personMatte.ts';
import { personLayerAlpha } from '../../../../core/segment/personLayer.ts';
import { plateMarginsForCrop } from '../../../../renderer/head/backgroundLayer.ts';
import { computeCropRect, faceBoundsFromLandmarks } from '../../../../renderer/scene/framing.ts';

/**
 * The plate's colour step across the boundary of its filled region inside the photo: the mean over the boundary of
 * |fill − kept| (mean of the 3 channels' absolute differences, levels) per 4-neighbour pair (filled pixel, kept
 * pixel), and, as the reference, the same for the kept pixel and the next kept pixel one further out (the backdrop's
 * own neighbour step). A step well above the reference is a light or dark outline of the removed person that stays on
 * the plate when the head turns.
 * @param plate - the plate (`filledMask` 1 = filled; 2, lines along the photo's edge, and the margins are not read).
 * @param W - photo width, px.
 * @param H - photo height, px.
 * @param maxYPx - only rows above this (photo px; e.g. the chin's row for the head's outline); default all.
 * @returns `step` and `texture`, levels.
 */
export function plateOutlineStep(plate: BackgroundPlate, W: number, H: number, maxYPx = H): { step: number; texture: number } {
  const pw = plate.widthPx;
  const ox = Math.round(-plate.originXPx / plate.photoPxPerPlatePx);
  const oy = Math.round(-plate.originYPx / plate.photoPxPerPlatePx);
  const m = plate.filledMask;
  const d = (a: number, b: number): number => (Math.abs(plate.rgba[a * 4]! - plate.rgba[b * 4]!) + Math.abs(plate.rgba[a * 4 + 1]! - plate.rgba[b * 4 + 1]!) + Math.abs(plate.rgba[a * 4 + 2]! - plate.rgba[b * 4 + 2]!)) / 3;
  let s = 0;
  let t = 0;
  let n = 0;
  for (let y = 2; y < Math.min(H, Math.round(maxYPx)) - 2; y++) {
    for (let x = 2; x < W - 2; x++) {
      const k = (y + oy) * pw + x + ox;
      if (m[k] !== 1) continue;
      for (const step of [1, -1, pw, -pw]) {
        const j = k + step;
        const j2 = j + step;
        if (m[j] !== 0 || m[j2] !== 0) continue;
        s += d(k, j);
        t += d(j, j2);
        n++;
      }
    }
  }
  return { step: n ? s / n : 0, texture: n ? t / n : 0 };
}

/** A portrait as the render host lays it out: resampled, with its person layer alpha and background plate. */
export interface PortraitLayers {
  /** `[H, W, 4]` the resampled photo. */
  rgba: Uint8Array;
  W: number;
  H: number;
  /** Landmarks in resampled px. */
  landmarksPx: Float32Array;
  /** `[H, W]` the person layer's alpha (personMatte + personLayer, as renderer/scene/studioScene.ts). */
  alpha: Uint8Array;
  plate: BackgroundPlate;
}

/**
 * Lays a portrait out as the render host does for a `sizePx`² head-framed output: the photo resampled (Lanczos-3) so
 * the head crop is `sizePx` high (pipeline/render/exportPageDriver.ts `resampledPortrait`), the person layer's alpha
 * and the plate with the margins of that crop (renderer/head/backgroundLayer.ts).
 * @param rgba - `[heightPx, widthPx, 4]` photo.
 * @param widthPx - width.
 * @param heightPx - height.
 * @param landmarksPx - face landmarks, photo px (x, y, z per point).
 * @param landmarkCount - number of landmarks.
 * @param sizePx - output side, px.
 * @returns the layers.
 */
export async function portraitLayers(rgba: Uint8Array, widthPx: number, heightPx: number, landmarksPx: Float32Array, landmarkCount: number, sizePx: number): Promise<PortraitLayers> {
  const crop0 = computeCropRect(widthPx, heightPx, faceBoundsFromLandmarks(landmarksPx.subarray(0, landmarkCount * 3)), 'head', 1);
  const scale = sizePx / crop0.heightPx;
  const W = Math.round(widthPx * scale);
  const H = Math.round(heightPx * scale);
  const small = new Uint8Array(await sharp(Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength), { raw: { width: widthPx, height: heightPx, channels: 4 } }).resize(W, H, { kernel: 'lanczos3', fit: 'fill' }).raw().toBuffer());
  const lm = Float32Array.from(landmarksPx.subarray(0, landmarkCount * 3), (v, i) => (i % 3 === 1 ? v * (H / heightPx) : v * (W / widthPx)));
  const crop = computeCropRect(W, H, faceBoundsFromLandmarks(lm), 'head', 1);
  const m = computePersonMatte(small, W, H, lm, landmarkCount);
  const alpha = personLayerAlpha(m.alpha, W, H, lm, { exact: m.source === 'photoAlpha', coreBelowCheeks: true, bars: m.bars });
  const plate = buildBackgroundPlate(small, W, H, alpha, { marginsPx: plateMarginsForCrop(crop, W, H) });
  return { rgba: small, W, H, landmarksPx: lm, alpha, plate };
}

/** The kept photo inside a plate: `[H, W]` 1 where the plate shows the photo's own background (filledMask 0) at least
 * `clearPx` from any filled pixel (the person, its ring, the lines along the photo's edge), else 0. */
function cleanBackground(plate: BackgroundPlate, W: number, H: number, clearPx: number): Uint8Array {
  const pw = plate.widthPx;
  const ox = Math.round(-plate.originXPx / plate.photoPxPerPlatePx);
  const oy = Math.round(-plate.originYPx / plate.photoPxPerPlatePx);
  const m = plate.filledMask;
  const out = new Uint8Array(W * H);
  const r = Math.max(1, Math.round(clearPx));
  // Distance to the nearest filled photo pixel by a running window (square of radius r).
  const filled = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) filled[y * W + x] = m[(y + oy) * pw + x + ox] ? 1 : 0;
  const rowNear = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) {
    let last = -1e9;
    for (let x = 0; x < W; x++) {
      if (filled[y * W + x]) last = x;
      if (x - last <= r) rowNear[y * W + x] = 1;
    }
    last = 1e9;
    for (let x = W - 1; x >= 0; x--) {
      if (filled[y * W + x]) last = x;
      if (last - x <= r) rowNear[y * W + x] = 1;
    }
  }
  for (let x = 0; x < W; x++) {
    let last = -1e9;
    const near = new Uint8Array(H);
    for (let y = 0; y < H; y++) {
      if (rowNear[y * W + x]) last = y;
      if (y - last <= r) near[y] = 1;
    }
    last = 1e9;
    for (let y = H - 1; y >= 0; y--) {
      if (rowNear[y * W + x]) last = y;
      if (last - y <= r) near[y] = 1;
    }
    for (let y = 0; y < H; y++) out[y * W + x] = near[y] ? 0 : 1;
  }
  return out;
}

/** BT.601 luma and chroma (Y, Cb, Cr, 0..255) of one RGBA pixel. */
function ycc(rgba: Uint8Array, k: number): [number, number, number] {
  const r = rgba[k * 4]!;
  const g = rgba[k * 4 + 1]!;
  const b = rgba[k * 4 + 2]!;
  return [0.299 * r + 0.587 * g + 0.114 * b, 128 - 0.168736 * r - 0.331264 * g + 0.5 * b, 128 + 0.5 * r - 0.418688 * g - 0.081312 * b];
}

/**
 * Colours in the plate's fill that the photo's background around them does not hold (a person's colour copied into
 * the background: an earring, skin, clothing, a strand). The reference is local: the photo is cut into cells of 4 % of
 * its longer side, and each cell's reference chroma is the median Cb and Cr (BT.601) of the clean background (kept photo
 * ≥ 3 % of the longer side from anything filled) within 3 cells of it (widened cell by cell until 100 such pixels count).
 * A filled pixel (filledMask 1, margins included, which read the nearest photo cell) is an outlier when its chroma lies
 * more than 20 levels (Euclidean, Cb/Cr) and more than 4× the window's median chroma deviation from its cell's
 * reference, or its luma more than 100 levels from the median luma.
 * @param plate - the plate.
 * @param W - photo width, px.
 * @param H - photo height, px.
 * @param marks - when given, the outliers' plate pixel indices are pushed to it.
 * @returns `count` of outlier pixels and their `share` of the filled pixels (0..1).
 */
export function plateChromaOutliers(plate: BackgroundPlate, W: number, H: number, marks?: number[]): { count: number; share: number } {
  const pw = plate.widthPx;
  const ox = Math.round(-plate.originXPx / plate.photoPxPerPlatePx);
  const oy = Math.round(-plate.originYPx / plate.photoPxPerPlatePx);
  const clean = cleanBackground(plate, W, H, 0.03 * Math.max(W, H));
  const cell = Math.max(4, Math.round(0.04 * Math.max(W, H)));
  const gw = Math.ceil(W / cell);
  const gh = Math.ceil(H / cell);
  const lists: [number, number, number][][] = Array.from({ length: gw * gh }, () => []);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if (clean[y * W + x]) lists[Math.floor(y / cell) * gw + Math.floor(x / cell)]!.push(ycc(plate.rgba, (y + oy) * pw + x + ox));
  const med = (v: number[]): number => v.sort((a, b) => a - b)[v.length >> 1]!;
  const ref: ([number, number, number, number] | null)[] = [];
  for (let gy = 0; gy < gh; gy++) {
    for (let gx = 0; gx < gw; gx++) {
      let got: [number, number, number][] = [];
      for (let r = 3; r <= Math.max(gw, gh); r++) {
        got = [];
        for (let yy = Math.max(0, gy - r); yy <= Math.min(gh - 1, gy + r); yy++) for (let xx = Math.max(0, gx - r); xx <= Math.min(gw - 1, gx + r); xx++) for (const p of lists[yy * gw + xx]!) got.push(p);
        if (got.length >= 100) break;
      }
      if (!got.length) {
        ref.push(null);
        continue;
      }
      const m1 = med(got.map((p) => p[1]));
      const m2 = med(got.map((p) => p[2]));
      ref.push([med(got.map((p) => p[0])), m1, m2, med(got.map((p) => Math.hypot(p[1] - m1, p[2] - m2)))]);
    }
  }
  let count = 0;
  let filled = 0;
  for (let y = 0; y < plate.heightPx; y++) {
    for (let x = 0; x < pw; x++) {
      const k = y * pw + x;
      if (plate.filledMask[k] !== 1) continue;
      filled++;
      const px = Math.min(W - 1, Math.max(0, x - ox));
      const py = Math.min(H - 1, Math.max(0, y - oy));
      const r = ref[Math.floor(py / cell) * gw + Math.floor(px / cell)];
      if (!r) continue;
      const [Y, cb, cr] = ycc(plate.rgba, k);
      if (Math.hypot(cb - r[1], cr - r[2]) > Math.max(20, 4 * r[3]) || Math.abs(Y - r[0]) > 100) {
        count++;
        marks?.push(k);
      }
    }
  }
  return { count, share: filled ? count / filled : 0 };
}

/**
 * How much of the plate's fill is flat where the photo's background is textured: the share of filled pixels
 * (filledMask 1, margins included, at least 2 px from the plate's border) whose luma standard deviation over a 5×5
 * window is below a quarter of the median of the same over the clean background (kept photo ≥ 3 % of the longer side
 * from anything filled) — an untextured zone that shows as a flat patch beside textured fill once the head turns.
 * @param plate - the plate.
 * @param W - photo width, px.
 * @param H - photo height, px.
 * @returns `share` (0..1) and the clean background's median local deviation `backdropSd`, levels.
 */
export function plateFlatFill(plate: BackgroundPlate, W: number, H: number): { share: number; backdropSd: number } {
  const pw = plate.widthPx;
  const ph = plate.heightPx;
  const ox = Math.round(-plate.originXPx / plate.photoPxPerPlatePx);
  const oy = Math.round(-plate.originYPx / plate.photoPxPerPlatePx);
  const clean = cleanBackground(plate, W, H, 0.03 * Math.max(W, H));
  const luma = new Float32Array(pw * ph);
  for (let k = 0; k < pw * ph; k++) luma[k] = ycc(plate.rgba, k)[0];
  const sd = (x: number, y: number): number => {
    let s = 0;
    let q = 0;
    for (let yy = y - 2; yy <= y + 2; yy++) {
      for (let xx = x - 2; xx <= x + 2; xx++) {
        const v = luma[yy * pw + xx]!;
        s += v;
        q += v * v;
      }
    }
    return Math.sqrt(Math.max(0, q / 25 - (s / 25) ** 2));
  };
  const ref: number[] = [];
  for (let y = 2; y < H - 2; y++) for (let x = 2; x < W - 2; x++) if (clean[y * W + x]) ref.push(sd(x + ox, y + oy));
  ref.sort((a, b) => a - b);
  const backdropSd = ref.length ? ref[ref.length >> 1]! : 0;
  let flat = 0;
  let total = 0;
  for (let y = 2; y < ph - 2; y++) {
    for (let x = 2; x < pw - 2; x++) {
      if (plate.filledMask[y * pw + x] !== 1) continue;
      total++;
      if (sd(x, y) < 0.25 * backdropSd) flat++;
    }
  }
  return { share: total ? flat / total : 0, backdropSd };
}

/**
 * Pixels of the plate that hold the person's clothing colour in one quadrant of the photo: the clothing colour is the
 * per-channel median of the photo's pixels of full person alpha (≥ 250) in its bottom tenth of rows; a plate pixel
 * (inside the photo, filled or kept) counts when the mean of its 3 channels' absolute differences from that colour is
 * below `maxDiff` levels. A remnant of the dress the matte missed stays on the plate (kept, or pulled into the fill by
 * the seam blend) and shows behind the person when the head turns.
 * @param l - the portrait's layers ({@link portraitLayers}).
 * @param x0Frac - the quadrant's left edge, fraction of the photo's width (0..1).
 * @param y0Frac - its top edge, fraction of the height (0..1); it runs to the photo's right and bottom edges.
 * @param maxDiff - colour distance, levels (default 25).
 * @returns the count of such pixels and the clothing colour (RGB levels).
 */
export function plateClothingRemnant(l: PortraitLayers, x0Frac: number, y0Frac: number, maxDiff = 25): { count: number; clothingRgb: number[] } {
  const { W, H, plate, alpha, rgba } = l;
  const pw = plate.widthPx;
  const ox = Math.round(-plate.originXPx / plate.photoPxPerPlatePx);
  const oy = Math.round(-plate.originYPx / plate.photoPxPerPlatePx);
  const ch: number[][] = [[], [], []];
  for (let y = Math.floor(0.9 * H); y < H; y++) for (let x = 0; x < W; x++) if (alpha[y * W + x]! >= 250) for (let c = 0; c < 3; c++) ch[c]!.push(rgba[(y * W + x) * 4 + c]!);
  const med = ch.map((a) => a.sort((p, q) => p - q)[a.length >> 1] ?? 0);
  let count = 0;
  for (let y = Math.floor(y0Frac * H); y < H; y++) {
    for (let x = Math.floor(x0Frac * W); x < W; x++) {
      const k = ((y + oy) * pw + x + ox) * 4;
      const d = (Math.abs(plate.rgba[k]! - med[0]!) + Math.abs(plate.rgba[k + 1]! - med[1]!) + Math.abs(plate.rgba[k + 2]! - med[2]!)) / 3;
      if (d < maxDiff) count++;
    }
  }
  return { count, clothingRgb: med };
}
