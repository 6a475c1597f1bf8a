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
