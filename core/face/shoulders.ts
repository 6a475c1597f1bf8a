/**
 * Whether a portrait holds anything below the head — the check behind the note shown when upper-body framing has
 * no shoulders to show.
 */

/** Face box, image px (the shape of `FaceBoundsPx` in renderer/scene/framing.ts). */
export interface FaceBoxPx {
  centerXPx: number;
  centerYPx: number;
  widthPx: number;
  heightPx: number;
}

/**
 * Whether the photo shows shoulders: at least 0.6 face heights of photo below the chin (the face box's bottom).
 * @param imageHeightPx - photo height.
 * @param face - face bounds.
 * @returns false when upper-body framing can only show the head and neck (the caller tells the user).
 * @remarks 0.6 face heights below the chin reach the clavicles on an adult (neck length ≈ 0.5 face heights,
 * Farkas 1994); a design threshold.
 */
export function photoShowsShoulders(imageHeightPx: number, face: FaceBoxPx): boolean {
  return imageHeightPx - (face.centerYPx + face.heightPx / 2) >= 0.6 * face.heightPx;
}
