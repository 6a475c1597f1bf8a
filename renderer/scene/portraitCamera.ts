/**
 * The camera a portrait was taken from, shared by the mesh photo head (renderer/scene/studioScene.ts) and the photo
 * head as splats (renderer/avatars/photoHeadSplats.ts), so both show the same picture at rest and orbit alike.
 */
import { IOD_M, type PhotoProjection } from '../head/photoHead.ts';
import { faceBoundsFromLandmarks, type CropRectPx } from './framing.ts';

/** Focal length relative to the face size: a ≈ 0.6 m portrait distance for a 14 cm face (≈ 26° for a 2.4-face crop). */
export const FOCAL_PER_FACE = 3.3;

/**
 * The pinhole projection of a portrait for a framing crop: principal point at the crop's centre, focal length
 * {@link FOCAL_PER_FACE} face sizes, metric scale from the eyes.
 * @param landmarksPx - `[N, 3]` face landmarks, image px (N ≥ 468; points 33 and 263 are the outer eye corners).
 * @param cropPx - the framing crop (renderer/scene/framing.ts `computeCropRect`).
 * @returns the projection (photo px ↔ world metres, camera at the origin looking down −Z).
 * @remarks Metric scale: the outer-corner distance × 0.73 ≈ the pupil distance, taken as {@link IOD_M} (63 mm,
 * Dodgson 2004).
 */
export function portraitProjection(landmarksPx: Float32Array, cropPx: CropRectPx): PhotoProjection {
  const bounds = faceBoundsFromLandmarks(landmarksPx);
  const faceSize = Math.max(bounds.heightPx, bounds.widthPx / 0.85);
  const focalPx = FOCAL_PER_FACE * faceSize;
  const lm = landmarksPx;
  const eyeDist = Math.hypot(lm[263 * 3]! - lm[33 * 3]!, lm[263 * 3 + 1]! - lm[33 * 3 + 1]!) * 0.73;
  const mPerPx = IOD_M / Math.max(eyeDist, 1);
  return { focalPx, principalXPx: cropPx.xPx + cropPx.widthPx / 2, principalYPx: cropPx.yPx + cropPx.heightPx / 2, mPerPx, distM: focalPx * mPerPx };
}

/**
 * Vertical field of view that shows exactly the crop's height.
 * @param proj - from {@link portraitProjection}.
 * @param cropPx - the same crop.
 * @returns degrees.
 */
export function portraitFovDeg(proj: PhotoProjection, cropPx: CropRectPx): number {
  return (2 * Math.atan(cropPx.heightPx / 2 / proj.focalPx) * 180) / Math.PI;
}
