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
