/**
 * Regions of interest for the landmark models: rotated squares derived from a detection, from landmarks, or from
 * two eye corners.
 * @remarks Mirrors MediaPipe's graphs: `face_detection_front_detection_to_roi` / `face_landmark_landmarks_to_roi`
 * (rotation from a keypoint pair to target angle 0, RectTransformation scale 1.5, square_long) and
 * `iris_landmark_landmarks_to_roi` (eye-corner pair, scale 2.3, square_long).
 */

/** A rotated rectangle in image pixels. */
export interface RotatedRectPx {
  centerXPx: number;
  centerYPx: number;
  widthPx: number;
  heightPx: number;
  /** Clockwise rotation in the y-down image, radians, in (−π, π]. */
  rotationRad: number;
}

/**
 * Wraps an angle to [−π, π).
 * @param angleRad - any angle in radians.
 * @returns the equivalent angle in [−π, π).
 */
export function normalizeRadians(angleRad: number): number {
  return angleRad - 2 * Math.PI * Math.floor((angleRad + Math.PI) / (2 * Math.PI));
}

/**
 * Rotation that makes the vector start→end horizontal (MediaPipe `target_angle: 0`).
 * @param x0 - start x in pixels. @param y0 - start y in pixels. @param x1 - end x. @param y1 - end y.
 * @returns rotation in radians, clockwise positive in the y-down image.
 */
export function rotationFromPair(x0: number, y0: number, x1: number, y1: number): number {
  return normalizeRadians(Math.atan2(y1 - y0, x1 - x0));
}

/**
 * Turns an axis-aligned box plus rotation into a square ROI scaled about its centre.
 * @param centerXPx - box centre x. @param centerYPx - box centre y.
 * @param widthPx - box width. @param heightPx - box height.
 * @param rotationRad - rotation of the ROI.
 * @param scale - enlargement of the long side (1.5 for faces, 2.3 for eyes).
 * @returns a square rotated rect with side `max(width, height) · scale`.
 */
export function squareRoi(centerXPx: number, centerYPx: number, widthPx: number, heightPx: number, rotationRad: number, scale: number): RotatedRectPx {
  const side = Math.max(widthPx, heightPx) * scale;
  return { centerXPx, centerYPx, widthPx: side, heightPx: side, rotationRad };
}

/**
 * Face ROI from landmarks: rotation from the outer eye corners, centre and size from the landmarks' extent in
 * the ROI's own rotated frame.
 * @param landmarksPx - `[N,3]` row-major landmarks in pixels (N ≥ 468).
 * @param startIndex - rotation start landmark (33, subject's right eye outer corner).
 * @param endIndex - rotation end landmark (263).
 * @param scale - enlargement (1.5).
 * @param count - how many landmarks to use (468: mesh only).
 * @returns the square ROI.
 * @remarks MediaPipe uses the axis-aligned bounding box; measuring the extent in the rotated frame gives the same
 * box for upright faces and a tighter, better-centred one for tilted faces.
 */
export function roiFromLandmarks(landmarksPx: ArrayLike<number>, startIndex: number, endIndex: number, scale: number, count: number): RotatedRectPx {
  const rot = rotationFromPair(landmarksPx[startIndex * 3]!, landmarksPx[startIndex * 3 + 1]!, landmarksPx[endIndex * 3]!, landmarksPx[endIndex * 3 + 1]!);
  const c = Math.cos(rot);
  const s = Math.sin(rot);
  let minU = Infinity;
  let maxU = -Infinity;
  let minV = Infinity;
  let maxV = -Infinity;
  for (let i = 0; i < count; i++) {
    const x = landmarksPx[i * 3]!;
    const y = landmarksPx[i * 3 + 1]!;
    const u = c * x + s * y;
    const v = -s * x + c * y;
    if (u < minU) minU = u;
    if (u > maxU) maxU = u;
    if (v < minV) minV = v;
    if (v > maxV) maxV = v;
  }
  const cu = (minU + maxU) / 2;
  const cv = (minV + maxV) / 2;
  return squareRoi(c * cu - s * cv, s * cu + c * cv, maxU - minU, maxV - minV, rot, scale);
}

/**
 * Eye ROI from two eye corners (MediaPipe iris graph).
 * @param x0 - first corner x. @param y0 - first corner y. @param x1 - second corner x. @param y1 - second corner y.
 * @param scale - enlargement of the corner distance (2.3).
 * @returns the square ROI centred between the corners, rotated along them.
 */
export function eyeRoi(x0: number, y0: number, x1: number, y1: number, scale: number): RotatedRectPx {
  const w = Math.hypot(x1 - x0, y1 - y0);
  return squareRoi((x0 + x1) / 2, (y0 + y1) / 2, w, w, rotationFromPair(x0, y0, x1, y1), scale);
}
