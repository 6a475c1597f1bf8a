/**
 * Framing presets: which rectangle of the photo the camera shows at rest.
 * @remarks Pure math shared by the scene (camera set-up) and tests (the reference crop for PSNR).
 */

/** Framing presets: `photo` = a square-ish crop of the photo around the face, kept inside the photo; `head` = tight on the head; `upperBody` = head and shoulders. */
export type Framing = 'head' | 'upperBody' | 'photo';

/** A rectangle in image pixels (may extend outside the image for `head`/`upperBody`). */
export interface CropRectPx {
  xPx: number;
  yPx: number;
  widthPx: number;
  heightPx: number;
}

/** The face box the framing centres on, image px. */
export interface FaceBoundsPx {
  centerXPx: number;
  centerYPx: number;
  widthPx: number;
  heightPx: number;
}

/**
 * Face bounds from the 468 mesh landmarks (bounding box of x/y).
 * @param landmarksPx - `[N, 3]` row-major; only the first 468 points are read.
 * @returns centre and size, px.
 */
export function faceBoundsFromLandmarks(landmarksPx: Float32Array): FaceBoundsPx {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  const n = Math.min(468, Math.floor(landmarksPx.length / 3));
  for (let i = 0; i < n; i++) {
    minX = Math.min(minX, landmarksPx[i * 3]!);
    maxX = Math.max(maxX, landmarksPx[i * 3]!);
    minY = Math.min(minY, landmarksPx[i * 3 + 1]!);
    maxY = Math.max(maxY, landmarksPx[i * 3 + 1]!);
  }
  return { centerXPx: (minX + maxX) / 2, centerYPx: (minY + maxY) / 2, widthPx: maxX - minX, heightPx: maxY - minY };
}

/**
 * The photo rectangle the camera frames at rest, with the output's aspect ratio.
 * @param imageWidthPx - photo width.
 * @param imageHeightPx - photo height.
 * @param face - face bounds (see {@link faceBoundsFromLandmarks}).
 * @param framing - preset.
 * @param aspect - output width / height (> 0).
 * @returns the crop rectangle in photo pixels.
 * @remarks `photo`: height = min(2.4 × face height, the largest rectangle of this aspect inside the photo),
 * centred 0.1 face heights above the face centre (room for hair), then shifted to lie inside the photo — the
 * picture the user sees, with nothing invented at the edges. `head`: 1.7 face heights (may extend past the photo's
 * edges). `upperBody`: up to 3.2 face heights centred 0.55 face heights below the face centre, cropped to what the
 * photo holds (at most the largest rectangle of this aspect inside the photo, shifted inside it). A photo too tight
 * for shoulders gets the photo framing's crop or the whole photo, never a crop past its edges: the body ends at the
 * photo's edge, and a crop past it would show the body cut off over the filled background (issue 13). The caller
 * tells the user (`photoShowsShoulders` in core/face/shoulders.ts).
 */
export function computeCropRect(imageWidthPx: number, imageHeightPx: number, face: FaceBoundsPx, framing: Framing, aspect: number): CropRectPx {
  const faceSize = Math.max(face.heightPx, face.widthPx / 0.85);
  let heightPx: number;
  let cy: number;
  const cx = face.centerXPx;
  if (framing === 'photo') {
    const maxH = Math.min(imageHeightPx, imageWidthPx / aspect);
    heightPx = Math.min(2.4 * faceSize, maxH);
    cy = face.centerYPx - 0.1 * face.heightPx;
  } else if (framing === 'head') {
    heightPx = 1.7 * faceSize;
    cy = face.centerYPx - 0.08 * face.heightPx;
  } else {
    const maxH = Math.min(imageHeightPx, imageWidthPx / aspect);
    heightPx = Math.min(3.2 * faceSize, maxH);
    cy = face.centerYPx + 0.55 * face.heightPx;
  }
  const widthPx = heightPx * aspect;
  let xPx = cx - widthPx / 2;
  let yPx = cy - heightPx / 2;
  if (framing === 'photo' || framing === 'upperBody') {
    xPx = Math.min(Math.max(0, xPx), imageWidthPx - widthPx);
    yPx = Math.min(Math.max(0, yPx), imageHeightPx - heightPx);
  }
  return { xPx, yPx, widthPx, heightPx };
}
