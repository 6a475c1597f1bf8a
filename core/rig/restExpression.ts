/**
 * The photo's own expression ("rest expression"): the ARKit weights that, undone on the photo head's rig, turn the
 * photographed face into a neutral one. The photo head renders absolute targets relative to it (DESIGN.md §2), and
 * a driving video's frames are read the same way.
 *
 * @remarks Method (a feature-space solve against a neutral-face prior, in the spirit of LivePortrait's
 * source-expression estimate and of blendshape fitting with priors, e.g. Weise et al. 2011 "Realtime
 * performance-based facial animation"):
 * 1. The rig is built on the photo's landmarks (so its rest IS the photo). Undoing weights r moves the mesh to
 *    `rig(0 | rest = r)` ({@link evaluateRigRelative}).
 * 2. A handful of expression features are read off a mesh, all in the photo's face frame and in units of the
 *    inter-ocular distance (IOD): the inner-lip gap at five points along the mouth, the mouth width, each mouth
 *    corner's height above the lip line, each eye's lid gap over its width, each brow's inner and outer height
 *    above the eye's corners. (A chin-height feature, which would separate a dropped jaw behind closed lips — mouthClose —
 *    was tried and left out: it differs between people more than between expressions.)
 * 3. A neutral face has the lips together (gap 0, Farkas 1994: lips at rest are closed in most adults) and the
 *    other features near the values of a neutral frontal face (the project's frontal reference face,
 *    core/face/poseReference.ts, measured with the same functions). People differ in those (mouth width, eye
 *    height, brow height…), so a feature is only counted once it leaves the prior by more than an identity
 *    tolerance τ (a dead zone of about one to two anthropometric standard deviations: Farkas 1994 gives SDs of
 *    5–10 % for mouth width, palpebral fissure height and brow height). The lip gaps have τ = 0; a negative gap
 *    (pressed lips, the tracker's points crossing) counts a quarter.
 * 4. r ∈ [0,1]^K minimises Σ_f (deadzone(f(rig(0 | r)) − prior_f, τ_f) / σ_f)² + Σ_k λ_k r_k² by bounded
 *    Gauss–Newton (numeric Jacobian through the real rig, so the jaw rotation and mouthClose are exact; projected
 *    Gauss–Seidel on the normal equations, as in core/reenact/solveBlendshapes.ts).
 * The undone mesh has the lips together: the residual gap is reported ({@link RestExpression.residualLipGapIod}).
 * Pure math (no DOM, no Node).
 */
import { boxedGaussSeidel } from '../math/boxedGaussSeidel.ts';
import { ARKIT_BLENDSHAPE_COUNT, ARKIT_BLENDSHAPE_NAMES, BS } from '../motion/names.ts';
import { FRONTAL_REFERENCE_CM } from '../face/poseReference.ts';
import { fitSimilarity, POSE_FIT_INDICES, type SimilarityFit } from '../face/headPose.ts';
import { buildPhotoHeadRig, evaluateRigRelative, RIG_VERTEX_COUNT, type PhotoHeadRig } from './rig.ts';
import { EYE_LEFT, EYE_RIGHT, type EyeRegion } from './topology.ts';
import { InvalidInputError } from '../errors.ts';

/** Inner-lip point pairs (upper, lower) from the subject's right to left, the five central ones of the opening loop. */
export const INNER_LIP_PAIRS: readonly (readonly [number, number])[] = Object.freeze([
  [81, 178],
  [82, 87],
  [13, 14],
  [312, 317],
  [311, 402],
] as const);

/** The shapes the rest expression measures (the others are 0): mouth opening, smiles, lips, eyes, brows. */
export const REST_EXPRESSION_SHAPES: readonly number[] = Object.freeze([
  BS.jawOpen, BS.mouthLowerDownLeft, BS.mouthLowerDownRight, BS.mouthUpperUpLeft, BS.mouthUpperUpRight,
  BS.mouthFunnel, BS.mouthPucker, BS.mouthSmileLeft, BS.mouthSmileRight, BS.mouthFrownLeft, BS.mouthFrownRight,
  BS.mouthStretchLeft, BS.mouthStretchRight, BS.eyeBlinkLeft, BS.eyeBlinkRight, BS.eyeWideLeft, BS.eyeWideRight,
  BS.browDownLeft, BS.browDownRight, BS.browInnerUp, BS.browOuterUpLeft, BS.browOuterUpRight,
]);

/**
 * L2 prior per measured shape (squared feature-σ units per unit weight). The mouth opening is explained first by
 * the jaw (small λ), lip raising/lowering only where the jaw cannot (the chin feature) or the gap is uneven.
 */
const SHAPE_L2: Readonly<Partial<Record<number, number>>> = Object.freeze({
  [BS.jawOpen]: 0.02,
  [BS.mouthLowerDownLeft]: 0.1,
  [BS.mouthLowerDownRight]: 0.1,
  [BS.mouthUpperUpLeft]: 0.1,
  [BS.mouthUpperUpRight]: 0.1,
  // Frown and stretch explain what a wide or low-cornered mouth also explains; they need clear evidence.
  [BS.mouthFrownLeft]: 1,
  [BS.mouthFrownRight]: 1,
  [BS.mouthStretchLeft]: 1,
  [BS.mouthStretchRight]: 1,
});
const DEFAULT_L2 = 0.3;

/** A rest-expression measurement. */
export interface RestExpression {
  /** 52 ARKit weights in [0,1] (ARKIT_BLENDSHAPE_NAMES order); shapes outside {@link REST_EXPRESSION_SHAPES} are 0. */
  weights: Float32Array;
  /** The photo's mean inner-lip gap over {@link INNER_LIP_PAIRS}, IOD units (≥ 0). */
  lipGapIod: number;
  /** The mean inner-lip gap left after undoing `weights` (signed, IOD units; ≈ 0 when the lips close). */
  residualLipGapIod: number;
}

interface Frame {
  ex: [number, number];
  ey: [number, number];
  iod: number;
}

/**
 * Feature vector length: 5 gaps, mouth width, 2 corner heights over the lip line, 2 over the upper inner lip, 2 eye
 * openings, 2 × 2 brow heights.
 */
const FEATURE_COUNT = 5 + 1 + 2 + 2 + 2 + 4;

/**
 * Names of the expression features, in the order {@link expressionFeatures} returns them (R/L: the subject's right and
 * left; gaps right to left along the mouth).
 */
export const EXPRESSION_FEATURE_NAMES: readonly string[] = Object.freeze([
  'lipGap0', 'lipGap1', 'lipGap2', 'lipGap3', 'lipGap4', 'mouthWidth', 'cornerOverLipLineR', 'cornerOverLipLineL',
  'cornerOverUpperLipR', 'cornerOverUpperLipL', 'eyeOpenR', 'eyeOpenL', 'browInnerR', 'browOuterR', 'browInnerL',
  'browOuterL',
]);

const along = (p: Float32Array, i: number, f: Frame): [number, number] => [
  (p[i * 3]! * f.ex[0] + p[i * 3 + 1]! * f.ex[1]) / f.iod,
  (p[i * 3]! * f.ey[0] + p[i * 3 + 1]! * f.ey[1]) / f.iod,
];

function meanB(p: Float32Array, ids: readonly number[], f: Frame): number {
  let s = 0;
  for (const i of ids) s += along(p, i, f)[1];
  return s / ids.length;
}

/**
 * Height of an eye's corners (the midpoint of its outer and inner canthus), down the face: the reference the brow
 * heights are measured from. The corners are fixed to the orbit by the canthal tendons and stay put as the lids open
 * and close; the lid contour's centre (used first) rises as the upper lid lifts, so widened eyes were read as lowered
 * brows (browDown ≈ 0.5–1 on vid03/vid06). No rig shape but the smile's cheek rise moves them.
 */
function eyeCornersB(p: Float32Array, e: EyeRegion, f: Frame): number {
  return meanB(p, [e.lower0[0]!, e.lower0[e.lower0.length - 1]!], f);
}

/**
 * Lower-jaw contour points at the chin (MediaPipe 148, 152 = menton, 377): they ride on the mandible, so they follow a
 * jaw drop and no lip shape.
 */
export const CHIN_POINTS: readonly number[] = Object.freeze([148, 152, 377]);

/**
 * Height of the chin below the eye corners (mean of {@link CHIN_POINTS} against both eyes' {@link eyeCornersB}), face
 * frame `f`, IOD units (+ = down). Both ends sit on bone (mandible, orbit), so between frames of one person it changes
 * only with the jaw.
 */
function chinDepth(p: Float32Array, f: Frame): number {
  return meanB(p, CHIN_POINTS, f) - (eyeCornersB(p, EYE_RIGHT, f) + eyeCornersB(p, EYE_LEFT, f)) / 2;
}

/**
 * Scale σ of the chin residual against the same person's neutral chin, IOD units: three times a lip gap's, so the chin
 * weighs 1/9 of one gap point. The gaps set the size of the opening; the chin decides its split between the jaw and the
 * lip shapes, which the gaps cannot see (a secondary objective in the gaps' near-null space). At a gap's σ (0.01) the
 * chin reopened lips that speech had closed with the jaw still down (self-reenacted lip-gap r vid03 0.86 → 0.66, vid05
 * 0.92 → 0.83); at 0.03 0.76 / 0.90, at 0.03 with mouthClose solved 0.79 / 0.86 (s19; vid05 and vid03 both looked
 * at: not held out). Still below vid03's 0.8, so core/reenact/drivingTrack.ts leaves the chin off by default.
 */
const CHIN_SIGMA = 0.03;

/**
 * Expression features of a mesh (see the module remarks), face frame `f`, IOD units.
 * @param p - `[≥468, 3]` positions px.
 * @param f - the face frame (axes and IOD) to measure in.
 * @returns FEATURE_COUNT values: gaps ×5, mouth width, corner heights right then left, eye openings right then left,
 *   [inner brow, outer brow] heights right then left.
 */
function features(p: Float32Array, f: Frame): Float64Array {
  const out = new Float64Array(FEATURE_COUNT);
  let k = 0;
  for (const [u, l] of INNER_LIP_PAIRS) out[k++] = along(p, l, f)[1] - along(p, u, f)[1];
  const lineB = (along(p, 13, f)[1] + along(p, 14, f)[1]) / 2;
  out[k++] = Math.abs(along(p, 291, f)[0] - along(p, 61, f)[0]); // mouth width (a sum, so a head turn shifts it little)
  for (const corner of [61, 291]) out[k++] = lineB - along(p, corner, f)[1]; // corner above the lip line (+ = up)
  const upperB = along(p, 13, f)[1];
  for (const corner of [61, 291]) out[k++] = upperB - along(p, corner, f)[1]; // corner above the upper inner lip (+ = up)
  for (const e of [EYE_RIGHT, EYE_LEFT]) {
    const mid = (ids: readonly number[]): number[] => ids.slice(1, -1);
    const w = Math.abs(along(p, e.lower0[0]!, f)[0] - along(p, e.lower0[e.lower0.length - 1]!, f)[0]) || 1e-6;
    out[k++] = (meanB(p, mid(e.lower0), f) - meanB(p, mid(e.upper0), f)) / w;
  }
  for (const e of [EYE_RIGHT, EYE_LEFT]) {
    const c = eyeCornersB(p, e, f);
    out[k++] = c - meanB(p, e.browUpper.slice(-2), f); // inner brow above the eye corners
    out[k++] = c - meanB(p, e.browUpper.slice(0, 2), f); // outer brow above the eye corners
  }
  return out;
}

/**
 * How strongly our face tracker (pipeline/face/faceAnalyzer.ts, Iris-refined eyes, as a driving video is tracked)
 * reports a change of each expression feature ({@link EXPRESSION_FEATURE_NAMES} order): the least-squares gain of the
 * tracked feature change on the true change (`Σ obs·true / Σ true²`), the true change being the feature's change on
 * the photo head rig's own posed mesh and the tracked one that of the same pose rendered at 512² and tracked.
 * @remarks Measured with scripts/measureFeatureGains.ts on img01, img02, img03 and img05 (21 shapes one at a time at
 * 0.4 and 0.8, right and left pooled): eye opening 0.66 (per portrait 0.86 / 0.60 / 0.83 / 0.38), inner brow 0.50,
 * outer brow 0.46 (not applied, see below; measured when the brows were the Iris model's, before s18); held out img04 / img06: eye opening 0.59 / 0.56, brows 0.58 / 0.44 on img06 (img04's glasses hide its
 * brows: no fit). Speech-like mixtures (POSES=mixed) give eyes 0.60, brows 0.61 / 0.50. The mesh regresses towards
 * its mean face, so lid and brow motions are reported at about half to two thirds of their size; divided by these
 * gains, the driver's changes reach the portrait closer to their real size (self-reenactment, frame 0 as portrait,
 * eye-opening SD ratio output / real with the TF.js tracker: vid03 0.79 → 0.95, vid05 0.64 → 0.87, vid04
 * 0.36 → 0.47, vid06 0.66 → 0.73; no corpus clip was used to set the value).
 * The brows keep 1 too: their measured gains (inner 0.50, outer 0.46) doubled a misreading on vid06, whose reference
 * frame has downcast eyes: its left brow is read as lowered (browDown 0.5–1 on main, with brows measured from the eye
 * centre, from the eye corners or from the nose bridge alike) while the real brows rise; amplified it stayed at 1.
 * Re-measured (s19) with the mesh's own brow points (SHAPES=brow… scripts/measureFeatureGains.ts): inner 0.56 (img01
 * 0.61, img02 0.51, img03 0.61, img05 0.53; held out img04 0.41, img06 0.38), outer 0.34 (R² 0.61; held out 0.14,
 * R² 0.28). Applied (0.56 / 0.34), the self-reenacted brow height (TF.js, scripts/evalRealPairs.ts browHeight, SD
 * ratio output / real, 3 s from frame 0) did not grow where it is short and overshot where it was right: vid03
 * 0.49 → 0.48, vid04 0.53 → 0.55, vid06 1.03 → 1.20, face SSIM lower on all three (0.723 → 0.714, 0.789 → 0.784,
 * 0.785 → 0.780), so the brows keep 1. vid03's shortfall is the rig's range, not the reading: its raise already drives
 * browInnerUp and browOuterUp to 0.9–1 over most of 0.1–2.5 s, and the rig's full raise lifts the brow contour
 * 0.027 IOD on the posed mesh against vid03's 0.095 (scripts/diagRoundness.ts: brow height SD ratio rig mesh / real
 * 0.47 with gain 1, 0.43 with the measured gains).
 * Mouth width: 0.6, the in-video gain. Its rig-measured gain on still renders (0.31; corners 0.33–0.35; 0.27–0.41
 * on mixtures and on real-photo portraits) is not what the rendered video shows: on vid03's self-reenactment the
 * rendered rig's mouth-width changes were tracked at 0.66 of their size, and dividing by 0.31 oversized the motion
 * (mouth-width SD ratio 0.57 → 1.83). With 1, the self-reenacted mouth widened and narrowed at about half the real
 * size (TF.js-tracked SD ratio output / real: vid03 0.53, vid06 0.52, vid05 0.73), an "O" read as a weak funnel
 * (issue 12); 0.6 was set on vid03 (SD ratio 0.53 → 0.87, r 0.69 → 0.86, lip gap unchanged) and checked on held-out
 * clips: vid06 0.52 → 0.96, vid05 0.73 → 1.05, but vid01, whose width already moved at 1.14, went to 1.28 (face SSIM
 * 0.746 → 0.732): the in-video gain varies by clip, and 0.6 is a middle value (s18 "drive" note). Toggled (s19, vid01
 * self 3 s): width gain 1 with the mesh brows gives face SSIM 0.742 (width SD ratio 1.11), the Iris model's brows back
 * with 0.6 gives 0.736 (1.33), against 0.732 (1.31): the width gain is most of the drop. vid01's width barely moves
 * (real SD 0.020 IOD, frame-to-frame change 0.012), so its ratio is the least reliable; 0.7 on the held-out clips
 * (vid01, vid04, vid05, vid06; vid03 set 0.6): width SD ratio 1.31 → 1.19, 0.84 → 0.76, 1.08 → 1.00, 0.88 → 0.75
 * (mean |log ratio| 0.16 → 0.18), face SSIM 0.732 → 0.735 on vid01 and unchanged (±0.001) on the others, so 0.6 stays.
 * The rendered rig's width change is read at a different share per shape (scripts/diagRoundRender.ts, 0.8 on the
 * vid02 / img01 / img05 portraits: smile 0.58 / 0.72 / 0.52, funnel 0.66 / 0.59 / 0.60, stretch 0.39 / 0.42 / 0.17,
 * pucker 0.34 / 0.34 / 0.18), which is why no single value fits every clip. The corners keep 1: amplified with funnel and pucker they broke vid06's
 * lip gap (r 0.88 → 0.26, s16). The lip gaps keep 1: the aperture is read absolutely
 * (core/reenact/drivingTrack.ts) and already lands at the real scale (self-reenactment ratio 0.94–1.17).
 */
export const TRACKER_FEATURE_GAINS: readonly number[] = Object.freeze([
  1, 1, 1, 1, 1, // lip gaps
  0.6, // mouth width (in-video, see the remarks)
  1, 1, // corners over the lip line
  1, 1, // corners over the upper inner lip
  0.66, 0.66, // eye openings
  1, 1, 1, 1, // brows (measured 0.50 inner, 0.46 outer: see the remarks)
]);

/** Identity tolerance τ and scale σ per feature (IOD units; eye openings in eye widths). */
const FEATURE_TOL: readonly { tau: number; sigma: number }[] = [
  ...Array.from({ length: 5 }, () => ({ tau: 0, sigma: 0.01 })),
  { tau: 0.1, sigma: 0.04 }, // mouth width (≈ 0.7 IOD; Farkas ch–ch SD ≈ 7 %, doubled for head turns and tracking)
  { tau: 0.04, sigma: 0.02 }, // corner heights over the lip line
  { tau: 0.04, sigma: 0.02 },
  // Corner heights over the upper inner lip: unused against the average face (so portrait rests are measured as before),
  // used instead of the lip line against the same person's neutral (see NEUTRAL_FEATURE_TOL).
  { tau: Infinity, sigma: 0.02 },
  { tau: Infinity, sigma: 0.02 },
  { tau: 0.08, sigma: 0.04 }, // eye opening / width (palpebral height/width varies ≈ 0.25–0.4)
  { tau: 0.08, sigma: 0.04 },
  { tau: 0.06, sigma: 0.03 }, // brow heights
  { tau: 0.06, sigma: 0.03 },
  { tau: 0.06, sigma: 0.03 },
  { tau: 0.06, sigma: 0.03 },
];

/**
 * Tolerances against the same person's neutral ({@link neutralExpressionFeatures}): no identity dead zone (τ = 0), and
 * the corners measured from the upper inner lip (landmark 13) instead of the lip line, each at 2σ. The lip line is the
 * mean of the central inner-lip points 13/14, so when the jaw drops and the lips round (an "O", ARKit
 * mouthFunnel/mouthPucker: lips pushed forward and towards the centre, FACS AU 22/18) the line falls past the corners
 * with the lower lip and the corners read as raised: an "O" was measured as a smile. The upper lip does not follow the
 * jaw. The eye line (tried first) does not either, but neither does the rig's jaw move the mouth corners as far as a
 * real jaw opening does (vid06: corners 0.066 IOD lower against the eyes on a parted grin, the rig's jawOpen + lowerDown
 * for that gap 0.005): the rest was read as mouthFrown ≈ 0.5, and the photo head's frown lowers the whole mouth, which
 * closed the rendered lips (tracked lip gap ratio 1.06 → 0.62).
 */
const NEUTRAL_FEATURE_TOL: readonly { tau: number; sigma: number }[] = FEATURE_TOL.map((t, j) => ({
  tau: j >= 6 && j < 8 ? Infinity : 0,
  sigma: j >= 6 && j < 10 ? 2 * t.sigma : t.sigma,
}));

let priorCache: Float64Array | null = null;

let priorMeshCache: Float32Array | null = null;

/** The frontal reference face in image-like axes (x right, y down, z away from the viewer), cm. */
function priorMesh(): Float32Array {
  if (priorMeshCache) return priorMeshCache;
  const n = FRONTAL_REFERENCE_CM.length / 3;
  const p = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    p[i * 3] = FRONTAL_REFERENCE_CM[i * 3]!;
    p[i * 3 + 1] = -FRONTAL_REFERENCE_CM[i * 3 + 1]!; // +Y up → image y down
    p[i * 3 + 2] = -FRONTAL_REFERENCE_CM[i * 3 + 2]!;
  }
  priorMeshCache = p;
  return p;
}

/** Feature values of the neutral prior face (the frontal reference face, lips set together). */
function priorFeatures(): Float64Array {
  if (priorCache) return priorCache;
  const p = priorMesh();
  const f = faceFrame(p);
  const out = features(p, f);
  for (let k = 0; k < INNER_LIP_PAIRS.length; k++) out[k] = 0; // lips together at rest
  priorCache = out;
  return out;
}

/** Face frame of a mesh: eye-centre axis and IOD (as the rig's own frame). */
function faceFrame(p: Float32Array): Frame {
  const c = (e: EyeRegion): [number, number] => {
    const ids = [...e.upper0, ...e.lower0];
    let x = 0;
    let y = 0;
    for (const i of ids) {
      x += p[i * 3]! / ids.length;
      y += p[i * 3 + 1]! / ids.length;
    }
    return [x, y];
  };
  const r = c(EYE_RIGHT);
  const l = c(EYE_LEFT);
  const iod = Math.hypot(l[0] - r[0], l[1] - r[1]) || 1;
  const ex: [number, number] = [(l[0] - r[0]) / iod, (l[1] - r[1]) / iod];
  return { ex, ey: [-ex[1], ex[0]], iod };
}

/** Similarity fit of the prior face onto a photo's rigid points (Umeyama), for frontalising the photo's meshes. */
function poseFit(photoPx: Float32Array): SimilarityFit {
  const ref = priorMesh();
  const a = new Float32Array(POSE_FIT_INDICES.length * 3);
  const b = new Float32Array(POSE_FIT_INDICES.length * 3);
  POSE_FIT_INDICES.forEach((v, i) => {
    for (let c = 0; c < 3; c++) {
      a[i * 3 + c] = ref[v * 3 + c]!;
      b[i * 3 + c] = photoPx[v * 3 + c]!;
    }
  });
  return fitSimilarity(a, b);
}

/** Maps mesh points into the prior face's frontal frame: Rᵀ(p − t)/s (row-major R of the fit prior → photo). */
function frontalise(p: Float32Array, fit: SimilarityFit, out: Float32Array): Float32Array {
  const R = fit.rotation;
  const n = RIG_VERTEX_COUNT;
  for (let v = 0; v < n; v++) {
    const x = p[v * 3]! - fit.translation[0];
    const y = p[v * 3 + 1]! - fit.translation[1];
    const z = p[v * 3 + 2]! - fit.translation[2];
    out[v * 3] = (R[0]! * x + R[3]! * y + R[6]! * z) / fit.scale;
    out[v * 3 + 1] = (R[1]! * x + R[4]! * y + R[7]! * z) / fit.scale;
    out[v * 3 + 2] = (R[2]! * x + R[5]! * y + R[8]! * z) / fit.scale;
  }
  return out;
}

/**
 * Antagonist shape pairs, penalised when both are on in the driver-neutral solve (`measureRestExpression(…, { neutral })`):
 * lip puckering/funnelling (FACS AU 18/22, ARKit mouthPucker/mouthFunnel) against lip stretching (AU 20, mouthStretch),
 * lip-corner pulling (AU 12, mouthSmile) against lip-corner depressing (AU 15, mouthFrown) on the same side, and against
 * puckering/funnelling: each pair pulls the same tissue in opposite directions (Ekman & Friesen, FACS manual 1978), so a
 * face shows one of the two. Against a neutral with no tolerance the mouth has more shapes than features, and such
 * pairs cancel (vid06: a pout read as pucker 0.8 + stretch 0.5 + smile 0.35); the lesser of each pair costs
 * {@link ANTAGONIST_SIGMA} per feature σ. Pairs of [ARKit index, ARKit index].
 */
export const ANTAGONIST_PAIRS: readonly (readonly [number, number])[] = Object.freeze([
  [BS.mouthPucker, BS.mouthStretchLeft], [BS.mouthPucker, BS.mouthStretchRight],
  [BS.mouthFunnel, BS.mouthStretchLeft], [BS.mouthFunnel, BS.mouthStretchRight],
  [BS.mouthSmileLeft, BS.mouthFrownLeft], [BS.mouthSmileRight, BS.mouthFrownRight],
  [BS.mouthPucker, BS.mouthSmileLeft], [BS.mouthPucker, BS.mouthSmileRight],
  [BS.mouthFunnel, BS.mouthSmileLeft], [BS.mouthFunnel, BS.mouthSmileRight],
] as const);

/** Weight of an antagonist pair's lesser shape that costs as much as one feature σ (a co-activation of 0.05). */
const ANTAGONIST_SIGMA = 0.05;

/** Weight of a negative (overlapping) inner-lip gap relative to an open one. */
const GAP_OVERLAP_WEIGHT = 0.25;

const deadzone = (d: number, tau: number): number => (d > tau ? d - tau : d < -tau ? d + tau : 0); // τ = ∞: unused

/** Expression feature values of one face's mesh (module remarks, step 2), to measure other frames of that face against. */
export interface ExpressionFeatures {
  /** FEATURE_COUNT values, IOD units (eye openings in eye widths), in the order of the module's feature list. */
  values: Float64Array;
  /** The chin's depth below the eye corners, IOD units (see `chinNeutral` of {@link measureRestExpression}). */
  chinDepthIod: number;
}

/**
 * The expression features of a face with an expression undone: `rig(0 | rest)` of the rig built on `landmarksPx`, read
 * exactly as {@link measureRestExpression} reads them (head pose removed, the face's own frame and IOD). With `rest` its
 * measured rest expression, this is that person's neutral face: frames of the same person (a driving clip) measured
 * against it (`measureRestExpression(…, { neutral })`) need no identity tolerance, so small changes of mouth width,
 * corner height and lid opening (a pucker, a widened eye) count from their first pixel instead of vanishing in the
 * dead zone meant for the differences between people.
 * @param landmarksPx - `[N, 3]` landmarks of one frame (N = 478 or 468), px.
 * @param landmarkCount - N (≥ 468).
 * @param rest - 52 weights to undo (e.g. the frame's own {@link measureRestExpression} weights).
 * @returns the features.
 * @throws InvalidInputError when fewer than 468 landmarks are given.
 */
export function neutralExpressionFeatures(landmarksPx: Float32Array, landmarkCount: number, rest: Float32Array): ExpressionFeatures {
  if (landmarkCount < RIG_VERTEX_COUNT || landmarksPx.length < RIG_VERTEX_COUNT * 3) throw new InvalidInputError(`rest expression: expected ≥ 468 landmarks, got ${landmarkCount}`);
  const r = buildPhotoHeadRig(landmarksPx, landmarkCount);
  const photo = Float32Array.from(landmarksPx.subarray(0, RIG_VERTEX_COUNT * 3));
  const fit = poseFit(photo);
  const frontal = new Float32Array(RIG_VERTEX_COUNT * 3);
  const frame = faceFrame(frontalise(photo, fit, frontal));
  const mesh = evaluateRigRelative(r, new Float32Array(ARKIT_BLENDSHAPE_COUNT), rest, new Float32Array(RIG_VERTEX_COUNT * 3), false);
  const undone = frontalise(mesh, fit, frontal);
  return { values: features(undone, frame), chinDepthIod: chinDepth(undone, frame) };
}

/**
 * The expression features of one face's landmarks as the rest-expression solve reads them (module remarks, step 2):
 * head pose removed by a similarity fit of the frontal reference face on rigid points, the face's own frame and IOD.
 * @param landmarksPx - `[N, 3]` landmarks (N = 478 or 468), px.
 * @param landmarkCount - N (≥ 468).
 * @returns {@link EXPRESSION_FEATURE_NAMES}.length values: lip gaps, mouth width, corner and brow heights in IOD units,
 *   eye openings in eye widths.
 * @throws InvalidInputError when fewer than 468 landmarks are given.
 */
export function expressionFeatures(landmarksPx: Float32Array, landmarkCount: number): Float64Array {
  if (landmarkCount < RIG_VERTEX_COUNT || landmarksPx.length < RIG_VERTEX_COUNT * 3) throw new InvalidInputError(`rest expression: expected ≥ 468 landmarks, got ${landmarkCount}`);
  const photo = Float32Array.from(landmarksPx.subarray(0, RIG_VERTEX_COUNT * 3));
  const fit = poseFit(photo);
  const frontal = new Float32Array(RIG_VERTEX_COUNT * 3);
  const frontalised = frontalise(photo, fit, frontal);
  return features(frontalised, faceFrame(frontalised));
}

/**
 * The chin's depth below the eye corners as the rest-expression solve reads it (head pose removed, the face's own frame),
 * IOD units (+ = down): between frames of one person its change is the jaw's drop.
 * @param landmarksPx - `[N, 3]` landmarks (N = 478 or 468), px.
 * @param landmarkCount - N (≥ 468).
 * @returns the depth, IOD units.
 * @throws InvalidInputError when fewer than 468 landmarks are given.
 */
export function chinDepthIod(landmarksPx: Float32Array, landmarkCount: number): number {
  if (landmarkCount < RIG_VERTEX_COUNT || landmarksPx.length < RIG_VERTEX_COUNT * 3) throw new InvalidInputError(`rest expression: expected ≥ 468 landmarks, got ${landmarkCount}`);
  const photo = Float32Array.from(landmarksPx.subarray(0, RIG_VERTEX_COUNT * 3));
  const frontalised = frontalise(photo, poseFit(photo), new Float32Array(RIG_VERTEX_COUNT * 3));
  return chinDepth(frontalised, faceFrame(frontalised));
}

/**
 * Measures a photo's rest expression from its landmarks (module remarks).
 * @param landmarksPx - `[N, 3]` row-major landmarks (N = 478 or 468), x/y image px, z px (MediaPipe convention).
 * @param landmarkCount - N (≥ 468).
 * @param opts - `rig`: the rig built on the same landmarks, when the caller has it; `init`: starting weights (52),
 *   e.g. the previous video frame's, so a sequence converges in fewer iterations; `neutral`: the same person's neutral
 *   features ({@link neutralExpressionFeatures}) to measure against instead of the average face, with no identity
 *   tolerance (the lips-together prior of the gaps is kept); `fixed`: shapes held at the given weights, not solved
 *   (e.g. the lip aperture as the absolute reading found it, so no other shape is used to close the lips);
 *   `featureGains` (with `neutral`): per feature ({@link EXPRESSION_FEATURE_NAMES} order, each > 0), how strongly the
 *   tracker that read these landmarks reports a change of that feature (tracked change / true change, e.g.
 *   {@link TRACKER_FEATURE_GAINS}): the face's change from the neutral is divided by it, so the solved weights
 *   reproduce the change at its real size instead of the tracker's shrunken reading; `chinNeutral`: the same
 *   person's neutral chin depth ({@link ExpressionFeatures.chinDepthIod}, IOD units): undoing the weights must bring
 *   the chin back to it, so the jaw explains as much of the opening as the chin's drop shows (without it the five lip
 *   gaps alone cannot tell a jaw drop from a lowered lower lip).
 * @returns the weights and the lip gaps before and after undoing them.
 * @throws InvalidInputError when fewer than 468 landmarks are given.
 */
export function measureRestExpression(landmarksPx: Float32Array, landmarkCount: number, opts: { rig?: PhotoHeadRig; init?: Float32Array; neutral?: ExpressionFeatures; fixed?: { shapes: readonly number[]; weights: Float32Array }; featureGains?: ArrayLike<number>; chinNeutral?: number } = {}): RestExpression {
  if (landmarkCount < RIG_VERTEX_COUNT || landmarksPx.length < RIG_VERTEX_COUNT * 3) throw new InvalidInputError(`rest expression: expected ≥ 468 landmarks, got ${landmarkCount}`);
  const r = opts.rig ?? buildPhotoHeadRig(landmarksPx, landmarkCount);
  const photo = Float32Array.from(landmarksPx.subarray(0, RIG_VERTEX_COUNT * 3));
  // Features are read on the photo's meshes turned frontal (the head pose removed by a similarity fit of the prior
  // face on rigid points), so a turned or tilted head is not read as a wider mouth or a raised brow.
  const fit = poseFit(photo);
  const frontal = new Float32Array(RIG_VERTEX_COUNT * 3);
  const frame = faceFrame(frontalise(photo, fit, frontal));
  const featuresOf = (p: Float32Array): Float64Array => features(frontalise(p, fit, frontal), frame);
  // Against a known neutral of the same face (a driving clip's own neutral), features count exactly (τ = 0): the
  // identity tolerance exists only because the average face is not this face.
  const prior = opts.neutral ? Float64Array.from(opts.neutral.values, (v, j) => (j < INNER_LIP_PAIRS.length ? 0 : v)) : priorFeatures();
  if (opts.neutral && opts.featureGains) {
    // The tracker read the change from the neutral shrunk by its gain: undoing w must move the features by the change
    // divided by the gain, i.e. towards photo − (photo − neutral)/gain (the lip gaps keep their lips-together prior).
    if (opts.featureGains.length !== FEATURE_COUNT) throw new InvalidInputError(`feature gains: expected ${FEATURE_COUNT}, got ${opts.featureGains.length}`);
    const own = featuresOf(photo);
    for (let j = INNER_LIP_PAIRS.length; j < FEATURE_COUNT; j++) {
      const g = opts.featureGains[j]!;
      if (!(g > 0)) throw new InvalidInputError(`feature gain ${EXPRESSION_FEATURE_NAMES[j]}: expected > 0, got ${g}`);
      prior[j] = own[j]! - (own[j]! - prior[j]!) / g;
    }
  }
  const tol = opts.neutral ? NEUTRAL_FEATURE_TOL : FEATURE_TOL;
  const fixedSet = new Set(opts.fixed?.shapes ?? []);
  const useChin = opts.chinNeutral !== undefined && Number.isFinite(opts.chinNeutral);
  // With the chin measured, a jaw dropped behind closed lips (ARKit mouthClose) is told apart from an open mouth.
  const shapes = (useChin ? [...REST_EXPRESSION_SHAPES, BS.mouthClose] : REST_EXPRESSION_SHAPES).filter((k) => !fixedSet.has(k));
  const K = shapes.length;
  const A = opts.neutral ? ANTAGONIST_PAIRS.length : 0;
  const F = FEATURE_COUNT + A + (useChin ? 1 : 0);
  const zero = new Float32Array(ARKIT_BLENDSHAPE_COUNT);
  const rest = new Float32Array(ARKIT_BLENDSHAPE_COUNT);
  if (opts.init) for (const k of shapes) rest[k] = Math.min(1, Math.max(0, opts.init[k] ?? 0));
  if (opts.fixed) for (const k of fixedSet) rest[k] = opts.fixed.weights[k] ?? 0;
  const mesh = new Float32Array(RIG_VERTEX_COUNT * 3);
  const residual = (w: Float32Array): Float64Array => {
    const undone = frontalise(evaluateRigRelative(r, zero, w, mesh, false), fit, frontal);
    const f = features(undone, frame);
    const e = new Float64Array(F);
    for (let j = 0; j < FEATURE_COUNT; j++) {
      const d = deadzone(f[j]! - prior[j]!, tol[j]!.tau);
      // Lips pressed together (a negative gap: the tracker's inner-lip points cross) are closed lips, not an
      // expression to undo; overlap is only mildly penalised.
      e[j] = (j < INNER_LIP_PAIRS.length && d < 0 ? GAP_OVERLAP_WEIGHT * d : d) / tol[j]!.sigma;
    }
    // Against a neutral (τ = 0) the mouth features are fewer than the mouth shapes, and opposing shapes cancel (stretch
    // widens what pucker narrows): the lesser of each antagonist pair is penalised, so one of the two explains the motion.
    for (let q = FEATURE_COUNT; q < FEATURE_COUNT + A; q++) {
      const [a, b] = ANTAGONIST_PAIRS[q - FEATURE_COUNT]!;
      e[q] = Math.min(w[a]!, w[b]!) / ANTAGONIST_SIGMA;
    }
    // The chin against the same person's neutral chin: the jaw alone moves it, so the part of the opening the chin's
    // drop accounts for is the jaw's and lowerDown/upperUp take only the rest of the lip gap.
    if (useChin) e[F - 1] = (chinDepth(undone, frame) - opts.chinNeutral!) / CHIN_SIGMA;
    return e;
  };
  const lambda = shapes.map((k) => SHAPE_L2[k] ?? DEFAULT_L2);
  const J = new Float64Array(F * K);
  const H = new Float64Array(K * K);
  const g = new Float64Array(K);
  const d = new Float64Array(K);
  const h = 0.02;
  for (let it = 0; it < 8; it++) {
    const e0 = residual(rest);
    for (let a = 0; a < K; a++) {
      const k = shapes[a]!;
      const w0 = rest[k]!;
      const step = w0 + h <= 1 ? h : -h;
      rest[k] = w0 + step;
      const e1 = residual(rest);
      rest[k] = w0;
      for (let j = 0; j < F; j++) J[j * K + a] = (e1[j]! - e0[j]!) / step;
    }
    for (let a = 0; a < K; a++) {
      let ga = 0;
      for (let j = 0; j < F; j++) ga += J[j * K + a]! * e0[j]!;
      g[a] = -ga - lambda[a]! * rest[shapes[a]!]!;
      for (let b = 0; b < K; b++) {
        let s = 0;
        for (let j = 0; j < F; j++) s += J[j * K + a]! * J[j * K + b]!;
        H[a * K + b] = s + (a === b ? lambda[a]! : 0);
      }
    }
    boxedGaussSeidel(H, g, (a) => rest[shapes[a]!]!, d, 100, 1e-6);
    let maxStep = 0;
    for (let a = 0; a < K; a++) {
      const k = shapes[a]!;
      rest[k] = Math.min(1, Math.max(0, rest[k]! + d[a]!));
      maxStep = Math.max(maxStep, Math.abs(d[a]!));
    }
    if (maxStep < 1e-4) break;
  }
  for (const k of shapes) rest[k] = Math.round(rest[k]! * 1000) / 1000;
  for (const k of fixedSet) rest[k] = Math.round(rest[k]! * 1000) / 1000;
  const meanGap = (p: Float32Array): number => {
    const f = featuresOf(p);
    let s = 0;
    for (let j = 0; j < INNER_LIP_PAIRS.length; j++) s += f[j]!;
    return s / INNER_LIP_PAIRS.length;
  };
  return {
    weights: rest,
    lipGapIod: Math.max(0, meanGap(photo)),
    residualLipGapIod: meanGap(evaluateRigRelative(r, zero, rest, mesh)),
  };
}

/**
 * The non-zero weights of an expression by ARKit name (rounded to 3 decimals), for JSON reports.
 * @param weights - 52 ARKit weights.
 * @param minWeight - smallest weight listed (default 0.005).
 * @returns `{ name: weight }` in ARKit order.
 */
export function namedWeights(weights: Float32Array, minWeight = 0.005): Record<string, number> {
  const out: Record<string, number> = {};
  ARKIT_BLENDSHAPE_NAMES.forEach((name, k) => {
    const w = weights[k] ?? 0;
    if (w >= minWeight) out[name] = Math.round(w * 1000) / 1000;
  });
  return out;
}

/**
 * The shapes an audio-driven track leaves to the portrait: expression that speech does not produce (smile, frown,
 * cheeks, squint, eye widening, brows, lids). The mouth opening and lip shapes stay absolute, so silence closes the
 * lips whatever the photo showed.
 */
export const HELD_REST_SHAPES: readonly number[] = Object.freeze([
  BS.mouthSmileLeft, BS.mouthSmileRight, BS.mouthFrownLeft, BS.mouthFrownRight, BS.mouthDimpleLeft, BS.mouthDimpleRight,
  BS.cheekSquintLeft, BS.cheekSquintRight, BS.noseSneerLeft, BS.noseSneerRight, BS.eyeSquintLeft, BS.eyeSquintRight,
  BS.eyeWideLeft, BS.eyeWideRight, BS.eyeBlinkLeft, BS.eyeBlinkRight, BS.browDownLeft, BS.browDownRight, BS.browInnerUp,
  BS.browOuterUpLeft, BS.browOuterUpRight,
]);

/**
 * Adds the portrait's rest expression to the non-speech shapes of an audio-driven track (in place), so a smiling
 * portrait keeps its smile and its brows while it talks, and its lips still close in silence.
 * @param blendshapes - the track's `[frameCount, 52]` weights (modified in place).
 * @param rest - the portrait's 52 rest weights.
 * @param shapes - the shapes to hold (default {@link HELD_REST_SHAPES}).
 * @returns `blendshapes`, each held shape set to clamp(track + rest, 0, 1).
 */
export function holdRestExpression(blendshapes: Float32Array, rest: Float32Array, shapes: readonly number[] = HELD_REST_SHAPES): Float32Array {
  const frames = Math.floor(blendshapes.length / ARKIT_BLENDSHAPE_COUNT);
  for (let f = 0; f < frames; f++) {
    for (const k of shapes) {
      const i = f * ARKIT_BLENDSHAPE_COUNT + k;
      blendshapes[i] = Math.min(1, Math.max(0, blendshapes[i]! + (rest[k] ?? 0)));
    }
  }
  return blendshapes;
}

/**
 * Mean inner-lip gap of a posed face mesh over {@link INNER_LIP_PAIRS}, along the rig's face-down axis, in IOD units
 * (signed: negative where the lips overlap).
 * @param meshPx - `[≥468, 3]` positions px (e.g. from {@link evaluateRigRelative}).
 * @param rig - the rig whose frame (axes, IOD) to measure in.
 * @returns the gap, IOD units.
 */
export function meanInnerLipGapIod(meshPx: Float32Array, rig: PhotoHeadRig): number {
  const { ey, iodPx } = rig.frame;
  let s = 0;
  for (const [u, l] of INNER_LIP_PAIRS) s += ((meshPx[l * 3]! - meshPx[u * 3]!) * ey[0] + (meshPx[l * 3 + 1]! - meshPx[u * 3 + 1]!) * ey[1]) / iodPx;
  return s / INNER_LIP_PAIRS.length;
}
