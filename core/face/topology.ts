/**
 * Named MediaPipe Face Mesh landmark indices (468-point topology; iris points 468–477 appended).
 * Shared by face analysis, the rig, reenactment and tests: extend this module, never use bare numbers.
 * @remarks Indices from MediaPipe `face_mesh` canonical topology (mesh_map.jpg / face_geometry docs).
 * "Left"/"Right" are the subject's own sides.
 */

/** Upper inner lip, centre (top of the mouth opening). */
export const LIP_INNER_UPPER = 13;
/** Lower inner lip, centre (bottom of the mouth opening). */
export const LIP_INNER_LOWER = 14;
/** Upper outer lip, centre. */
export const LIP_OUTER_UPPER = 0;
/** Lower outer lip, centre. */
export const LIP_OUTER_LOWER = 17;
/** Mouth corner on the subject's right (image left). */
export const MOUTH_CORNER_RIGHT = 61;
/** Mouth corner on the subject's left (image right). */
export const MOUTH_CORNER_LEFT = 291;
/** Top of the forehead on the mid-line. */
export const FOREHEAD_TOP = 10;
/** Bottom of the chin on the mid-line. */
export const CHIN_BOTTOM = 152;
/** Nose tip. */
export const NOSE_TIP = 1;
/** Outer corner of the subject's right eye (image left). */
export const EYE_RIGHT_OUTER = 33;
/** Inner corner of the subject's right eye. */
export const EYE_RIGHT_INNER = 133;
/** Outer corner of the subject's left eye (image right). */
export const EYE_LEFT_OUTER = 263;
/** Inner corner of the subject's left eye. */
export const EYE_LEFT_INNER = 362;
/** Upper eyelid centre, subject's right eye. */
export const EYELID_RIGHT_UPPER = 159;
/** Lower eyelid centre, subject's right eye. */
export const EYELID_RIGHT_LOWER = 145;
/** Upper eyelid centre, subject's left eye. */
export const EYELID_LEFT_UPPER = 386;
/** Lower eyelid centre, subject's left eye. */
export const EYELID_LEFT_LOWER = 374;

/** Glabella (between the brows, on the mid-line); a still point for jitter checks. */
export const GLABELLA = 168;
/** First index of the subject's right iris (centre, then 4 limbus points) in the 478-point layout. */
export const IRIS_RIGHT_START = 468;
/** First index of the subject's left iris (centre, then 4 limbus points) in the 478-point layout. */
export const IRIS_LEFT_START = 473;
/** Points per iris (centre + 4 on the limbus). */
export const IRIS_POINT_COUNT = 5;
/** Mesh contour of the subject's right eye (outer corner, upper lid, inner corner, lower lid): 16 points. */
export const EYE_RIGHT_CONTOUR: readonly number[] = Object.freeze([33, 246, 161, 160, 159, 158, 157, 173, 133, 155, 154, 153, 145, 144, 163, 7]);
/** Mesh contour of the subject's left eye (outer corner, upper lid, inner corner, lower lid): 16 points. */
export const EYE_LEFT_CONTOUR: readonly number[] = Object.freeze([263, 466, 388, 387, 386, 385, 384, 398, 362, 382, 381, 380, 374, 373, 390, 249]);

/**
 * Face-mesh indices of the 71 eye-region points the Iris model outputs before its 5 iris points, for the
 * subject's right eye (the unmirrored crop): lower lid (9, corners included), upper lid (7), then four halos
 * around it (lower/upper), the brow's inner and outer contours.
 * @remarks Order from MediaPipe `mediapipe/modules/iris_landmark` (`update_face_landmarks_calculator.cc`,
 * `kEyeLandmarkIndicesInFaceLandmarks`), which writes these points over the mesh's to refine the eyes; the lids
 * then follow blinks that the 468-point mesh alone barely shows.
 */
export const IRIS_MODEL_EYE_RIGHT_MESH_INDICES: readonly number[] = Object.freeze([
  33, 7, 163, 144, 145, 153, 154, 155, 133, 246, 161, 160, 159, 158, 157, 173, 130, 25, 110, 24, 23, 22, 26, 112, 243, 247, 30, 29, 27, 28, 56, 190, 226, 31, 228, 229,
  230, 231, 232, 233, 244, 113, 225, 224, 223, 222, 221, 189, 35, 124, 46, 53, 52, 65, 143, 111, 117, 118, 119, 120, 121, 128, 245, 156, 70, 63, 105, 66, 107, 55, 193,
]);
/** The same 71 points for the subject's left eye (the mirrored crop); see {@link IRIS_MODEL_EYE_RIGHT_MESH_INDICES}. */
export const IRIS_MODEL_EYE_LEFT_MESH_INDICES: readonly number[] = Object.freeze([
  263, 249, 390, 373, 374, 380, 381, 382, 362, 466, 388, 387, 386, 385, 384, 398, 359, 255, 339, 254, 253, 252, 256, 341, 463, 467, 260, 259, 257, 258, 286, 414, 446,
  261, 448, 449, 450, 451, 452, 453, 464, 342, 445, 444, 443, 442, 441, 413, 265, 353, 276, 283, 282, 295, 372, 340, 346, 347, 348, 349, 350, 357, 465, 383, 300, 293,
  334, 296, 336, 285, 417,
]);

/**
 * Positions (0–70) within the Iris model's 71 eye-region points ({@link IRIS_MODEL_EYE_RIGHT_MESH_INDICES} order) of
 * its brow contours: the inner one (mesh 35, 124, 46, 53, 52, 65 on the right) and the outer one (156, 70, 63, 105, 66,
 * 107, 55, 193). Eye refinement leaves these to the face mesh (pipeline/face/faceAnalyzer.ts): the Iris model's brow
 * points sit on the lid crease, not on the brow, and follow the upper lid: on vid03 (frames 0 → 6, brows raised
 * and eyes widened) its inner brow point fell 0.10 IOD towards the eye corners while the mesh's rose 0.04 IOD, so raised
 * brows were read as browDown ≈ 1 (issue 12). Positions from MediaPipe's `kEyeLandmarkIndicesInFaceLandmarks` grouping
 * ("eyebrow inner contour", "eyebrow outer contour").
 */
export const IRIS_MODEL_BROW_POSITIONS: readonly number[] = Object.freeze([48, 49, 50, 51, 52, 53, 63, 64, 65, 66, 67, 68, 69, 70]);

/** Upper contour of the subject's right eyebrow (image left), outer to inner: 5 points (MediaPipe face_mesh). */
export const BROW_RIGHT_UPPER: readonly number[] = Object.freeze([70, 63, 105, 66, 107]);
/** Upper contour of the subject's left eyebrow (image right), outer to inner: 5 points. */
export const BROW_LEFT_UPPER: readonly number[] = Object.freeze([300, 293, 334, 296, 336]);
