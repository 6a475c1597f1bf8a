/**
 * Landmark regions of the MediaPipe 468-point face mesh used by the photo head's rig, and the render triangulation.
 *
 * @remarks Region lists follow `meshAnnotations` of `@vladmandic/human` 3.3.6 (`src/face/facemeshcoords.ts`, MIT,
 * Copyright (c) Vladimir Mandic), which transcribes MediaPipe's `face_mesh` keypoint map (Apache-2.0).
 * "Left"/"Right" are the subject's own sides: the subject's right eye is on the image's left (indices 33…133).
 * Named single points live in `core/face/topology.ts`; this module adds the region lists the rig needs.
 */
import { TRI468 } from './topologyTables.ts';

/** Outer contour of the upper lip, subject's right corner (61) to left corner (291). */
export const LIPS_UPPER_OUTER: readonly number[] = [61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291];
/** Outer contour of the lower lip between the corners (corners excluded). */
export const LIPS_LOWER_OUTER: readonly number[] = [146, 91, 181, 84, 17, 314, 405, 321, 375];
/** Inner contour of the upper lip, inner corners 78 → 308. */
export const LIPS_UPPER_INNER: readonly number[] = [78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308];
/** Inner contour of the lower lip between the inner corners (excluded). */
export const LIPS_LOWER_INNER: readonly number[] = [95, 88, 178, 87, 14, 317, 402, 318, 324];
/** Ring between the outer and inner contours, upper lip. */
export const LIPS_UPPER_MID: readonly number[] = [184, 74, 73, 72, 11, 302, 303, 304, 408, 183, 42, 41, 38, 12, 268, 271, 272, 407];
/** Ring between the outer and inner contours, lower lip (inner corners 62/292 and 76/306 excluded). */
export const LIPS_LOWER_MID: readonly number[] = [77, 90, 180, 85, 16, 315, 404, 320, 307, 96, 89, 179, 86, 15, 316, 403, 319, 325];
/** Points at the mouth corners, between the lips (shared by both lips). */
export const LIPS_CORNERS: readonly number[] = [61, 291, 78, 308, 62, 292, 76, 306, 184, 408, 183, 407];
/** Inner-lip loop (the mouth opening), in order around the hole. */
export const MOUTH_OPENING_LOOP: readonly number[] = [78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308, 324, 318, 402, 317, 14, 87, 178, 88, 95];

/** One eye's rings: lid contour (0) and the skin rings above/below it (1, 2), from the outer to the inner corner. */
export interface EyeRegion {
  upper0: readonly number[];
  lower0: readonly number[];
  upper1: readonly number[];
  lower1: readonly number[];
  upper2: readonly number[];
  lower2: readonly number[];
  /** Brow points, outer to inner (upper edge). */
  browUpper: readonly number[];
  /** Brow points, outer to inner (lower edge). */
  browLower: readonly number[];
}

/** Subject's right eye (image left). */
export const EYE_RIGHT: EyeRegion = {
  upper0: [246, 161, 160, 159, 158, 157, 173],
  lower0: [33, 7, 163, 144, 145, 153, 154, 155, 133],
  upper1: [247, 30, 29, 27, 28, 56, 190],
  lower1: [130, 25, 110, 24, 23, 22, 26, 112, 243],
  upper2: [113, 225, 224, 223, 222, 221, 189],
  lower2: [226, 31, 228, 229, 230, 231, 232, 233, 244],
  browUpper: [156, 70, 63, 105, 66, 107],
  browLower: [35, 124, 46, 53, 52, 65, 55],
};

/** Subject's left eye (image right). */
export const EYE_LEFT: EyeRegion = {
  upper0: [466, 388, 387, 386, 385, 384, 398],
  lower0: [263, 249, 390, 373, 374, 380, 381, 382, 362],
  upper1: [467, 260, 259, 257, 258, 286, 414],
  lower1: [359, 255, 339, 254, 253, 252, 256, 341, 463],
  upper2: [342, 445, 444, 443, 442, 441, 413],
  lower2: [446, 261, 448, 449, 450, 451, 452, 453, 464],
  browUpper: [383, 300, 293, 334, 296, 336],
  browLower: [265, 353, 276, 283, 282, 295, 285],
};

/** Face silhouette, clockwise from the forehead top (10). */
export const FACE_SILHOUETTE: readonly number[] = [
  10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109,
];

/** Cheek centres: subject's right (205) and left (425). */
export const CHEEK_RIGHT = 205;
/** Cheek centre, subject's left. */
export const CHEEK_LEFT = 425;
/** Upper cheek (under the eye), subject's right / left. */
export const CHEEK_UPPER_RIGHT = 117;
/** Upper cheek (under the eye), subject's left. */
export const CHEEK_UPPER_LEFT = 346;
/** Nose wing (ala), subject's right / left. */
export const NOSE_WING_RIGHT = 129;
/** Nose wing (ala), subject's left. */
export const NOSE_WING_LEFT = 358;
/** Cheek silhouette points at eye level, subject's right / left (face width). */
export const FACE_SIDE_RIGHT = 234;
/** Cheek silhouette at eye level, subject's left. */
export const FACE_SIDE_LEFT = 454;

/**
 * The render triangulation: {@link TRI468} without the triangles that fill the eye openings (so the eyeballs
 * behind show through). The mouth opening is already a hole in TRI468.
 * @returns triangle vertex indices, 3 per triangle (852 triangles).
 */
export function faceTrianglesWithoutEyes(): Uint16Array {
  const eyeR = new Set([...EYE_RIGHT.upper0, ...EYE_RIGHT.lower0]);
  const eyeL = new Set([...EYE_LEFT.upper0, ...EYE_LEFT.lower0]);
  const out: number[] = [];
  for (let t = 0; t < TRI468.length; t += 3) {
    const a = TRI468[t]!;
    const b = TRI468[t + 1]!;
    const c = TRI468[t + 2]!;
    const inEye = (s: Set<number>): boolean => s.has(a) && s.has(b) && s.has(c);
    if (inEye(eyeR) || inEye(eyeL)) continue;
    out.push(a, b, c);
  }
  return Uint16Array.from(out);
}
