/**
 * Vocabulary of the motion track: ARKit blendshape names and OVR viseme names.
 *
 * @remarks
 * ARKit: Apple, `ARFaceAnchor.BlendShapeLocation` (52 locations). "Left"/"Right" are the
 * subject's own sides (a face looking at the camera has its left on image right).
 * OVR visemes: Oculus Lipsync, "Viseme Reference" (15 visemes, fixed order).
 */

/** The 52 ARKit blendshape names, in the one frozen order every `blendshapes` array uses. */
export const ARKIT_BLENDSHAPE_NAMES = Object.freeze([
  'browDownLeft',
  'browDownRight',
  'browInnerUp',
  'browOuterUpLeft',
  'browOuterUpRight',
  'cheekPuff',
  'cheekSquintLeft',
  'cheekSquintRight',
  'eyeBlinkLeft',
  'eyeBlinkRight',
  'eyeLookDownLeft',
  'eyeLookDownRight',
  'eyeLookInLeft',
  'eyeLookInRight',
  'eyeLookOutLeft',
  'eyeLookOutRight',
  'eyeLookUpLeft',
  'eyeLookUpRight',
  'eyeSquintLeft',
  'eyeSquintRight',
  'eyeWideLeft',
  'eyeWideRight',
  'jawForward',
  'jawLeft',
  'jawOpen',
  'jawRight',
  'mouthClose',
  'mouthDimpleLeft',
  'mouthDimpleRight',
  'mouthFrownLeft',
  'mouthFrownRight',
  'mouthFunnel',
  'mouthLeft',
  'mouthLowerDownLeft',
  'mouthLowerDownRight',
  'mouthPressLeft',
  'mouthPressRight',
  'mouthPucker',
  'mouthRight',
  'mouthRollLower',
  'mouthRollUpper',
  'mouthShrugLower',
  'mouthShrugUpper',
  'mouthSmileLeft',
  'mouthSmileRight',
  'mouthStretchLeft',
  'mouthStretchRight',
  'mouthUpperUpLeft',
  'mouthUpperUpRight',
  'noseSneerLeft',
  'noseSneerRight',
  'tongueOut',
] as const);

/** One ARKit blendshape name. */
export type ArkitBlendshapeName = (typeof ARKIT_BLENDSHAPE_NAMES)[number];

/** Number of ARKit blendshapes (52). */
export const ARKIT_BLENDSHAPE_COUNT = ARKIT_BLENDSHAPE_NAMES.length;

/** The 15 OVR viseme names in Oculus Lipsync order. */
export const OVR_VISEME_NAMES = Object.freeze([
  'sil',
  'PP',
  'FF',
  'TH',
  'DD',
  'kk',
  'CH',
  'SS',
  'nn',
  'RR',
  'aa',
  'E',
  'ih',
  'oh',
  'ou',
] as const);

/** One OVR viseme name. */
export type OvrVisemeName = (typeof OVR_VISEME_NAMES)[number];

/** Number of OVR visemes (15). */
export const OVR_VISEME_COUNT = OVR_VISEME_NAMES.length;

const ARKIT_INDEX: ReadonlyMap<string, number> = new Map(ARKIT_BLENDSHAPE_NAMES.map((n, i) => [n, i]));
const VISEME_INDEX: ReadonlyMap<string, number> = new Map(OVR_VISEME_NAMES.map((n, i) => [n, i]));

/**
 * Index of an ARKit blendshape in {@link ARKIT_BLENDSHAPE_NAMES}.
 * @param name - ARKit name (case-sensitive, camelCase).
 * @returns index in [0, 51], or -1 when the name is not an ARKit blendshape.
 */
export function arkitIndex(name: string): number {
  return ARKIT_INDEX.get(name) ?? -1;
}

/**
 * Index of an OVR viseme in {@link OVR_VISEME_NAMES}.
 * @param name - OVR viseme name, e.g. `"PP"`.
 * @returns index in [0, 14], or -1 when unknown.
 */
export function visemeIndex(name: string): number {
  return VISEME_INDEX.get(name) ?? -1;
}

/** Index of an ARKit name known at compile time (never -1). */
export const BS = Object.freeze(
  Object.fromEntries(ARKIT_BLENDSHAPE_NAMES.map((n, i) => [n, i])) as { [K in ArkitBlendshapeName]: number },
);

/** Index of an OVR viseme known at compile time (never -1). */
export const VIS = Object.freeze(
  Object.fromEntries(OVR_VISEME_NAMES.map((n, i) => [n, i])) as { [K in OvrVisemeName]: number },
);
