/**
 * Driving-video reenactment, the pure part: per-frame landmarks of a driving face → a {@link MotionTrack}
 * (ABSOLUTE ARKit weights, head pose, gaze) at the output frame rate, retargeted with a strength per region.
 *
 * @remarks Expressions are absolute (DESIGN.md §2): 0 is a neutral face, whatever the driver or the portrait shows.
 * Per observed frame: (1) the frame's expression is measured exactly as a portrait's rest expression is
 * ({@link measureRestExpression}: a feature-space solve of the photo-head rig against a neutral-face prior, head pose
 * removed), so the portrait (whose rest is measured the same way) and the driver speak the same units; (2) the
 * lip aperture ({@link APERTURE_SHAPES}) is taken as measured: its prior (lips together) is anatomy, not an
 * identity guess, so the driver's opening lands on the portrait at its measured size (a clip that never quite
 * closes its lips keeps that opening). The other shapes read mouth width, corner, lid and brow positions against an
 * average face, which misreads identity (a wide mouth read as a slight smile, low brows read as browDown), so they are
 * read against the driver's own neutral, each frame's change from it first divided by the tracker's response gain per
 * feature (core/rig/restExpression.ts TRACKER_FEATURE_GAINS: the mesh reports lid motion at about two thirds of its
 * size) so the portrait shows the driver's real amplitude:
 * with the portrait's rest expression given, they move the portrait by the driver's change since the reference
 * frame (`rest + (frame − reference)`, LivePortrait's relative motion, the same reference frame as the head pose),
 * so the portrait keeps its own smile and brows and the rest frame reproduces it; without it, the driver's own
 * neutral (the {@link DRIVER_NEUTRAL_PERCENTILE}th percentile of each shape over the clip) is subtracted;
 * (3) head pose: a similarity fit (Umeyama 1991) of the prior face onto
 * points no solved shape moves gives each frame's rotation; by default relative to the driver's first frame with a
 * face (LivePortrait's relative motion), or the driver's absolute pose over the portrait's ('absolute'); gaze from
 * the iris centres relative to the eye corners, relative to that first frame; (4) a One-Euro filter (Casiez et al.
 * 2012) run forward and backward (zero phase: no lag behind the driver) smooths weights, pose and gaze over the
 * frames' own timestamps, the reference frame kept as measured; (5) the observed frames are resampled by
 * timestamp (linear interpolation, quaternions normalised-lerped) onto the output frames, so 25, 29.97, 60 fps or
 * variable-rate inputs all conform. Frames without a face hold the last solution.
 */
import { fitSimilarity, POSE_FIT_INDICES } from '../face/headPose.ts';
import { EYE_LEFT_INNER, EYE_LEFT_OUTER, EYE_RIGHT_INNER, EYE_RIGHT_OUTER, EYELID_LEFT_LOWER, EYELID_LEFT_UPPER, EYELID_RIGHT_LOWER, EYELID_RIGHT_UPPER, IRIS_LEFT_START, IRIS_RIGHT_START, LIP_INNER_LOWER, LIP_INNER_UPPER } from '../face/topology.ts';
import { OneEuroFilter } from '../filters/oneEuro.ts';
import { ARKIT_BLENDSHAPE_COUNT, ARKIT_BLENDSHAPE_NAMES, BS } from '../motion/names.ts';
import { createNeutralTrack, frameTimeSec, type Fps, type MotionTrack } from '../motion/track.ts';
import { createBlendshapeSolver, observableBlendshapes, type LandmarkRig } from './solveBlendshapes.ts';
import { InvalidInputError } from '../errors.ts';
import { measureRestExpression, neutralExpressionFeatures, TRACKER_FEATURE_GAINS } from '../rig/restExpression.ts';
import { buildPhotoHeadRig, headPivotPx } from '../rig/rig.ts';
import { FRONTAL_REFERENCE_CM } from '../face/poseReference.ts';

/** One observed driving frame: its time and the face's landmarks, or `null` when no face was found. */
export interface DrivingObservation {
  /** Presentation time, seconds from the video start. */
  timeSec: number;
  /** `[478, 3]` (or `[468, 3]`) landmarks in the frame's pixels, or null. */
  landmarksPx: Float32Array | null;
}

/** Strength of the transfer per region, each in [0, 2] (1 = as observed, 0 = off). */
export interface RetargetStrengths {
  eyes: number;
  brows: number;
  mouth: number;
  head: number;
}

/** Default strengths: everything as observed. */
export const DEFAULT_RETARGET_STRENGTHS: Readonly<RetargetStrengths> = Object.freeze({ eyes: 1, brows: 1, mouth: 1, head: 1 });

/** A rig built on the reference landmarks, plus the face scale it was built at. */
export interface ReferenceRig extends LandmarkRig {
  /** Inter-ocular distance of the reference face, px. */
  iodPx: number;
}

/** Options of {@link buildDrivingTrack}. */
export interface DrivingTrackOptions {
  /** Output frame rate. */
  fps: Fps;
  /** Output frame count (e.g. the audio's duration × fps, rounded). */
  frameCount: number;
  /** Builds the landmark rig from the reference frame's landmarks (`[N, 3]`, N = 478 or 468). */
  rigFactory: (landmarksPx: Float32Array, landmarkCount: number) => ReferenceRig;
  /** Strength per region. */
  strengths?: RetargetStrengths;
  /** One-Euro minimum cut-off, Hz (default 2.5) and speed coefficient (default 0.6 per unit/s). */
  smoothing?: { minCutoffHz: number; beta: number };
  /**
   * Head pose: `relative` (default) = the driver's rotation since its first frame with a face; `absolute` = the
   * driver's rotation relative to the portrait's (needs `portraitLandmarksPx`), so a frontal driver turns a
   * three-quarter portrait frontal. Translation is relative in both.
   */
  headPose?: 'relative' | 'absolute';
  /** The portrait's `[N, 3]` landmarks (N = 478 or 468), for `headPose: 'absolute'`. */
  portraitLandmarksPx?: Float32Array;
  /** Percentile (0–50) of each shape over the clip taken as the driver's neutral; default {@link DRIVER_NEUTRAL_PERCENTILE}. */
  neutralPercentile?: number;
  /**
   * The portrait's rest expression (52 ARKit weights, measured like the frames: {@link measureRestExpression} on
   * Iris-refined landmarks). Given, the shapes other than {@link APERTURE_SHAPES} are the portrait's rest plus the
   * driver's change since the reference frame; absent, the driver's value above its neutral.
   */
  portraitRest?: Float32Array;
  /**
   * The tracker's response gain per expression feature (core/rig/restExpression.ts EXPRESSION_FEATURE_NAMES order,
   * each > 0; default {@link TRACKER_FEATURE_GAINS}, measured for our FaceAnalyzer with Iris-refined eyes). All ones
   * transfers the tracked changes as read.
   */
  featureGains?: ArrayLike<number>;
  /**
   * Read the lip aperture with the chin (default false, experimental): each frame's chin depth against the driver's
   * neutral chin ({@link neutralExpressionFeatures}) is fitted beside the lip gaps (and mouthClose is solved, for a jaw
   * dropped behind closed lips), so jawOpen follows the chin's drop and mouthLowerDown/UpperUp carry only the opening
   * the chin does not explain. Off by default: it raised the jaw–chin correlation on every clip (vid01 0.79 → 0.97,
   * vid03 0.65 → 0.98, vid05 0.80 → 0.97, vid02 0.93 → 1.00, our tracker) but lowered the self-reenacted lip-gap correlation on vid03
   * (0.86 → 0.79, below the 0.8 done-when; vid05 0.92 → 0.86): speech closures happen with the chin still down, and the rendered lips
   * followed the chin (s19 solver note, /work/notes/s19/solver.md). It also assumes one person: a driver whose frames
   * change identity reads the identity's chin difference as jaw.
   */
  chinAperture?: boolean;
}

/**
 * The lip-aperture shapes, transferred as measured (no driver neutral subtracted, no portrait offset): the rest
 * solve reads them from the inner-lip gap against a prior of lips together (core/rig/restExpression.ts), which holds
 * for every face, so they need no identity correction.
 */
export const APERTURE_SHAPES: readonly number[] = Object.freeze([
  BS.jawOpen, BS.mouthClose, BS.mouthLowerDownLeft, BS.mouthLowerDownRight, BS.mouthUpperUpLeft, BS.mouthUpperUpRight,
]);

/**
 * Default percentile of each shape's measured weight over the driving clip taken as the driver's neutral. Low enough
 * that a shape the driver shows half the time is still transferred, high enough to ignore a few badly tracked
 * frames (an outlier rate of a few per cent is typical of per-frame face meshes).
 */
export const DRIVER_NEUTRAL_PERCENTILE = 5;

/** What {@link buildDrivingTrack} found besides the track. */
export interface DrivingReport {
  /** Index (into the observations) of the head-pose reference frame (the first with a face). */
  referenceIndex: number;
  referenceTimeSec: number;
  /**
   * The driver's neutral, 52 ARKit weights: with a portrait rest, the reference frame's measured expression (its
   * aperture shapes 0); otherwise the per-shape percentile (aperture shapes 0).
   */
  driverNeutral: Float32Array;
  /** Observations without a face, and the time ranges they cover. */
  missingFaceCount: number;
  missingRanges: { fromSec: number; toSec: number }[];
  observedCount: number;
}

/**
 * Chooses the neutral reference frame: mouth closed, eyes open, head near its median pose.
 * @param observations - the driving frames.
 * @returns index into `observations` of the frame with the lowest neutrality cost
 *   (inner-lip gap / IOD + 0.1 × the eye closure below the median opening, relative + 0.5 × |yaw proxy − its
 *   median|, the yaw proxy being the nose tip's offset from the eye-corner midpoint / IOD).
 * @throws InvalidInputError when no observation has a face.
 * @remarks Frame 0 is not assumed neutral: a driving video often starts mid-word (users of LivePortrait
 * report exactly this spoiling relative motion).
 */
export function chooseNeutralReference(observations: readonly DrivingObservation[]): number {
  const faces = observations.map((o, i) => ({ o, i })).filter((x) => x.o.landmarksPx !== null);
  if (faces.length === 0) throw new InvalidInputError('no face was found in any frame of the driving video');
  const stats = faces.map(({ o, i }) => {
    const lm = o.landmarksPx!;
    const iod = eyeDistance(lm);
    const gap = dist(lm, LIP_INNER_UPPER, LIP_INNER_LOWER) / iod;
    const eyes = (dist(lm, EYELID_RIGHT_UPPER, EYELID_RIGHT_LOWER) + dist(lm, EYELID_LEFT_UPPER, EYELID_LEFT_LOWER)) / (2 * iod);
    // asymmetry of the nose-tip position between the eye corners: a proxy for yaw
    const yaw = (lm[1 * 3]! - (lm[EYE_RIGHT_OUTER * 3]! + lm[EYE_LEFT_OUTER * 3]!) / 2) / iod;
    return { i, gap, eyes, yaw };
  });
  const median = (xs: number[]): number => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)]!;
  };
  const eyesMed = median(stats.map((s) => s.eyes));
  const yawMed = median(stats.map((s) => s.yaw));
  let best = stats[0]!;
  let bestCost = Infinity;
  for (const s of stats) {
    const cost = s.gap + (0.1 * Math.max(0, eyesMed - s.eyes)) / Math.max(eyesMed, 1e-6) + 0.5 * Math.abs(s.yaw - yawMed);
    if (cost < bestCost) {
      bestCost = cost;
      best = s;
    }
  }
  return best.i;
}

/**
 * The blendshapes the driving solver fits: those a face tracker sees reliably and a viewer reads. Shapes with
 * tiny or ambiguous landmark responses (dimples, shrugs, mouthLeft/Right, jawRight as the mirror of jawLeft,
 * cheekPuff, noseSneer, jawForward) are left at 0: fitting them turns tracker noise into expression.
 */
export const SOLVED_BLENDSHAPES: readonly number[] = Object.freeze([
  BS.jawOpen, BS.jawLeft, BS.mouthClose, BS.mouthFunnel, BS.mouthPucker, BS.mouthSmileLeft, BS.mouthSmileRight,
  BS.mouthStretchLeft, BS.mouthStretchRight, BS.mouthFrownLeft, BS.mouthFrownRight, BS.mouthLowerDownLeft,
  BS.mouthLowerDownRight, BS.mouthUpperUpLeft, BS.mouthUpperUpRight, BS.mouthRollLower, BS.mouthRollUpper,
  BS.mouthPressLeft, BS.mouthPressRight, BS.eyeBlinkLeft, BS.eyeBlinkRight, BS.eyeWideLeft, BS.eyeWideRight,
  BS.eyeSquintLeft, BS.eyeSquintRight, BS.browDownLeft, BS.browDownRight, BS.browInnerUp, BS.browOuterUpLeft,
  BS.browOuterUpRight,
]);

/**
 * How strongly our face tracker perceives each rig shape: the least-squares gain of the tracked landmark motion
 * on the rig's own vertex motion (`Σ obs·rig / Σ rig·rig` over the vertices the shape moves ≥ 0.02 IOD), for the
 * shape at weight 1 rendered on the photo head at 512² and tracked with the Iris-refined eyes. Median over img01,
 * img02, img03, img05 (L/R measured on the left side); shapes not listed are taken as seen fully (1).
 * @remarks The MediaPipe mesh regresses towards its mean shape: it reports large motions (jaw ≈ 0.8) almost
 * fully and small lip shapes (pucker ≈ 0.25) by a fraction (measured on renders; real driving faces are assumed
 * to be read alike, not measured). The solver fits
 * `rig(gain ⊙ w)`, so a weight means the shape as the rig renders it. Measured with scripts/measureTrackerGains.ts
 * (per portrait, e.g. pucker 0.43 / 0.25 / 0.20 / 0.27, stretch 0.47–0.75, jawOpen 0.71–0.86). Pucker and funnel
 * use 0.45 instead of their medians (0.26, 0.35): dividing by those turned other shapes' lip motion into pucker
 * (round trip: 52-shape MAE 0.046 vs 0.045). Weakly seen or lip-detail shapes (eyeWide ≈ 0.1; lowerDown/upperUp,
 * rolls, frowns, squints, brow down/outer) keep 1: dividing by their gain turned tracker noise into expression
 * (e.g. mouthLowerDown 0.9 on a plain jaw opening).
 */
export const TRACKER_RESPONSE_GAINS: Readonly<Partial<Record<(typeof ARKIT_BLENDSHAPE_NAMES)[number], number>>> = Object.freeze({
  jawOpen: 0.81,
  mouthSmileLeft: 0.74,
  mouthSmileRight: 0.74,
  mouthPucker: 0.45,
  mouthFunnel: 0.45,
  eyeBlinkLeft: 0.58,
  eyeBlinkRight: 0.58,
  browInnerUp: 0.64,
  mouthStretchLeft: 0.48,
  mouthStretchRight: 0.48,
});

const EYE_REGION = new Set(ARKIT_BLENDSHAPE_NAMES.map((n, k) => (n.startsWith('eye') ? k : -1)).filter((k) => k >= 0));
const BROW_REGION = new Set(ARKIT_BLENDSHAPE_NAMES.map((n, k) => (n.startsWith('brow') ? k : -1)).filter((k) => k >= 0));

/** One frame's solution: ARKit weights, head pose relative to the reference, gaze. */
export interface FrameSolution {
  /** 52 ARKit weights in [0,1]. */
  weights: Float32Array;
  /** Head rotation relative to the reference, quaternion `[x,y,z,w]`, three.js camera frame. */
  rotation: [number, number, number, number];
  /** Head translation relative to the reference, metres (x right, y up, z towards the viewer). */
  translationM: [number, number, number];
  /** `(leftYaw, leftPitch, rightYaw, rightPitch)` radians relative to the reference; zeros without iris points. */
  gazeRad: [number, number, number, number];
}

/** Solves frames against one reference face. */
export interface FrameSolver {
  /** The reference face's rig. */
  rig: ReferenceRig;
  /**
   * Solves one frame.
   * @param landmarksPx - `[N,3]` landmarks of the same face in another frame (any position, scale, pose).
   * @param init - previous frame's weights to start from.
   */
  solve(landmarksPx: Float32Array, init?: Float32Array): FrameSolution;
}

/** Largest motion (IOD units, any solved shape at weight 1) of a point used for the rigid fit. */
const STILL_FIT_MAX_MOVE_IOD = 0.02;

/**
 * The head-pose fit points that no solved shape moves: {@link POSE_FIT_INDICES} without those a solved shape at
 * weight 1 moves by more than `maxMovePx` (the brows, with this rig).
 * @remarks A point that moves with an expression drags the similarity fit: a brow raise fitted as head scale
 * and shift shrinks the aligned mouth (read as pucker) and hides most of the raise. Falls back to all of
 * POSE_FIT_INDICES when fewer than 8 points stay still.
 */
function stillFitIndices(rig: LandmarkRig, active: readonly number[], maxMovePx: number): readonly number[] {
  const V = rig.vertexCount;
  const w = new Float32Array(ARKIT_BLENDSHAPE_COUNT);
  const base = rig.evaluate(w, new Float32Array(V * 3));
  const probe = new Float32Array(V * 3);
  const maxMove = new Float32Array(V);
  for (const k of active) {
    w.fill(0);
    w[k] = 1;
    rig.evaluate(w, probe);
    for (let v = 0; v < V; v++) maxMove[v] = Math.max(maxMove[v]!, Math.hypot(probe[v * 3]! - base[v * 3]!, probe[v * 3 + 1]! - base[v * 3 + 1]!));
  }
  const still = POSE_FIT_INDICES.filter((v) => v < V && maxMove[v]! <= maxMovePx);
  return still.length >= 8 ? still : POSE_FIT_INDICES;
}

/**
 * Creates the per-frame solver for a reference face (steps 1–3 of the module remarks).
 * @param referencePx - `[N,3]` landmarks of the neutral reference frame (N = 478 or 468).
 * @param rigFactory - builds the landmark rig from them.
 * @returns the solver.
 */
export function createFrameSolver(referencePx: Float32Array, rigFactory: DrivingTrackOptions['rigFactory']): FrameSolver {
  const rig = rigFactory(referencePx, referencePx.length / 3);
  const iod = rig.iodPx;
  const observable = new Set(observableBlendshapes(rig, 0.01 * iod));
  const active = SOLVED_BLENDSHAPES.filter((k) => observable.has(k));
  const gains = Float32Array.from(ARKIT_BLENDSHAPE_NAMES, (n) => TRACKER_RESPONSE_GAINS[n] ?? 1);
  const scaled = new Float32Array(ARKIT_BLENDSHAPE_COUNT);
  const perceived: LandmarkRig = {
    vertexCount: rig.vertexCount,
    evaluate: (w, out) => {
      for (let k = 0; k < ARKIT_BLENDSHAPE_COUNT; k++) scaled[k] = (w[k] ?? 0) * gains[k]!;
      return rig.evaluate(scaled, out);
    },
  };
  const solver = createBlendshapeSolver(perceived, { activeIndices: active, nonlinearIndices: [BS.jawOpen, BS.mouthClose], l2: 5e-4 * iod * iod, zWeight: 0.3 });
  const fitIndices = stillFitIndices(rig, active, STILL_FIT_MAX_MOVE_IOD * iod);
  const refRigid = gather(referencePx, fitIndices);
  const refGaze = irisOffsets(referencePx);
  // The head pose's pivot in the reference (the same upper-neck point the photo head turns about): a driver's head
  // turn moves the face's centroid sideways but not the pivot, so only the pivot's displacement is translation.
  const pivot = headPivotPx(buildPhotoHeadRig(referencePx, Math.floor(referencePx.length / 3)).frame);
  const V = rig.vertexCount;
  return {
    rig,
    solve(lm, init) {
      const fit = fitSimilarity(refRigid, gather(lm, fitIndices)); // ref → frame
      const aligned = inverseSimilarity(lm, fit);
      const weights = solver.solve(aligned.subarray(0, V * 3), init);
      const R = fit.rotation;
      // Image frame (x right, y down, z away) → three.js camera frame (x right, y up, z towards the viewer).
      const rotation = quaternionFromMatrix([R[0]!, -R[1]!, -R[2]!, -R[3]!, R[4]!, R[5]!, -R[6]!, R[7]!, R[8]!]);
      const metresPerPx = 0.063 / (iod * fit.scale);
      // Displacement of the pivot under the fit ref → frame (s·R·p + t − p), px.
      const s = fit.scale;
      const T = fit.translation;
      const dx = s * (R[0]! * pivot[0] + R[1]! * pivot[1] + R[2]! * pivot[2]) + T[0] - pivot[0];
      const dy = s * (R[3]! * pivot[0] + R[4]! * pivot[1] + R[5]! * pivot[2]) + T[1] - pivot[1];
      const translationM: [number, number, number] = [dx * metresPerPx, -dy * metresPerPx, 0.6 * (1 - 1 / s)];
      const gazeRad: [number, number, number, number] = [0, 0, 0, 0];
      const g = irisOffsets(aligned);
      if (g && refGaze) {
        // offset / half eye width ≈ sin(angle) · (eyeball radius / half width) ≈ sin(angle) / 1.25;
        // +yaw = towards the subject's left = image +x; +pitch = up = image −y
        const ang = (u: number): number => Math.asin(Math.max(-1, Math.min(1, u * 1.25)));
        gazeRad[0] = ang(g[0] - refGaze[0]);
        gazeRad[1] = -ang(g[1] - refGaze[1]);
        gazeRad[2] = ang(g[2] - refGaze[2]);
        gazeRad[3] = -ang(g[3] - refGaze[3]);
      }
      return { weights, rotation, translationM, gazeRad };
    },
  };
}

/** The prior face in image axes (x right, y down, z away), cm: the reference for absolute head rotations. */
function frontalPriorPx(): Float32Array {
  const n = FRONTAL_REFERENCE_CM.length / 3;
  const p = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    p[i * 3] = FRONTAL_REFERENCE_CM[i * 3]!;
    p[i * 3 + 1] = -FRONTAL_REFERENCE_CM[i * 3 + 1]!;
    p[i * 3 + 2] = -FRONTAL_REFERENCE_CM[i * 3 + 2]!;
  }
  return p;
}

/** Row-major 3×3 product a·bᵀ. */
function mulTransposed(a: readonly number[], b: readonly number[]): number[] {
  const out = new Array<number>(9).fill(0);
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) for (let k = 0; k < 3; k++) out[r * 3 + c]! += a[r * 3 + k]! * b[c * 3 + k]!;
  return out;
}

/**
 * Builds the motion track that makes a target face repeat the driving face's expressions and head motion.
 * @param observations - driving frames in presentation order (times ascending).
 * @param opts - output timing, the rig factory, strengths, smoothing, head-pose mode.
 * @returns the track (`opts.frameCount` frames at `opts.fps`, absolute weights) and a report.
 * @throws InvalidInputError when no frame has a face, or `headPose: 'absolute'` without portrait landmarks.
 */
export function buildDrivingTrack(observations: readonly DrivingObservation[], opts: DrivingTrackOptions): { track: MotionTrack; report: DrivingReport } {
  const refIndex = observations.findIndex((o) => o.landmarksPx !== null);
  if (refIndex < 0) throw new InvalidInputError('no face was found in any frame of the driving video');
  if (opts.headPose === 'absolute' && !opts.portraitLandmarksPx) throw new InvalidInputError('absolute head pose needs the portrait\'s landmarks');
  const refLm = observations[refIndex]!.landmarksPx!;
  const strengths = opts.strengths ?? DEFAULT_RETARGET_STRENGTHS;
  const K = ARKIT_BLENDSHAPE_COUNT;

  // Head-pose fit points: those no solved shape moves (on the first face's rig).
  const rig = opts.rigFactory(refLm, refLm.length / 3);
  const observable = new Set(observableBlendshapes(rig, 0.01 * rig.iodPx));
  const fitIndices = stillFitIndices(rig, SOLVED_BLENDSHAPES.filter((k) => observable.has(k)), STILL_FIT_MAX_MOVE_IOD * rig.iodPx);
  const prior = frontalPriorPx();
  const priorRigid = gather(prior, fitIndices);
  const absFit = (lm: Float32Array): ReturnType<typeof fitSimilarity> => fitSimilarity(priorRigid, gather(lm, fitIndices));
  const refFit = absFit(refLm);
  const poseBase = opts.headPose === 'absolute' ? absFit(opts.portraitLandmarksPx!) : refFit;
  // Translation is the displacement of the head pose's pivot (the upper neck, core/rig/rig.ts headPivotPx), the point
  // the photo head turns about: a turn moves the face's centroid sideways but not the pivot, and the centroid's shift
  // was added on top of the turn (a child's 20° glance slid the head towards the frame's edge, new-user run).
  const refPivot = headPivotPx(buildPhotoHeadRig(refLm, Math.floor(refLm.length / 3)).frame);
  const pivotPrior = inverseSimilarity(Float32Array.from(refPivot), refFit);
  const refGaze = irisOffsets(refLm);

  // (1) absolute expression per observed frame.
  // Each frame solved from zero, exactly as a portrait is (a warm start from the previous frame can stay on a bound —
  // e.g. funnel 0 after a wide-open frame — where the cold solve finds the O).
  // Each frame is read against the driver's own neutral face (the reference frame with its measured expression
  // undone), not against the average face: the average face's identity tolerance (a dead zone of ±0.1 IOD on mouth
  // width, ±0.08 eye widths on lid opening) swallowed a pucker, a funnel or widened eyes whole (issue #12: an "O"
  // rendered as a stretched grin, wide eyes as normal ones). Same person, same units, so no tolerance is needed.
  const refAbsolute = measureRestExpression(refLm, refLm.length / 3).weights;
  const driverNeutralFeatures = neutralExpressionFeatures(refLm, refLm.length / 3, refAbsolute);
  // The lip aperture keeps the absolute reading (lips together is everyone's prior, no identity to correct for).
  const measured = observations.map((o, i) => {
    if (!o.landmarksPx) return null;
    const n = o.landmarksPx.length / 3;
    const absolute = i === refIndex ? refAbsolute : measureRestExpression(o.landmarksPx, n, { chinNeutral: opts.chinAperture === true ? driverNeutralFeatures.chinDepthIod : undefined }).weights;
    // Aperture held at the absolute reading: solved freely here, pucker's lip-closing motion was used to close the
    // lips again (vid06 self: rendered lip-gap ratio 1.06 → 0.63).
    // The driver's changes from its neutral are read through the tracker, which reports a fraction of them (its
    // regression to the mean face): divided by that response gain, the solved weights reproduce the real amplitude
    // (a portrait's render read by the same kind of tracker otherwise shows gain × the driver's motion).
    return measureRestExpression(o.landmarksPx, n, { neutral: driverNeutralFeatures, fixed: { shapes: APERTURE_SHAPES, weights: absolute }, featureGains: opts.featureGains ?? TRACKER_FEATURE_GAINS }).weights;
  });
  // (2) the driver's neutral: a low percentile per shape.
  const pct = Math.min(50, Math.max(0, opts.neutralPercentile ?? DRIVER_NEUTRAL_PERCENTILE));
  const faces = measured.filter((m): m is Float32Array => m !== null);
  const driverNeutral = new Float32Array(K);
  const portraitRest = opts.portraitRest ?? null;
  if (portraitRest && portraitRest.length !== K) throw new InvalidInputError(`portrait rest expression: expected ${K} weights, got ${portraitRest.length}`);
  for (let k = 0; k < K; k++) {
    const xs = faces.map((m) => m[k]!).sort((a, b) => a - b);
    driverNeutral[k] = portraitRest ? measured[refIndex]![k]! : xs[Math.min(xs.length - 1, Math.floor((pct / 100) * xs.length))]!;
  }
  const isAperture = new Uint8Array(K);
  for (const k of APERTURE_SHAPES) {
    isAperture[k] = 1;
    driverNeutral[k] = 0;
  }

  // Per observation: weights(52) + quaternion(4) + translation(3) + gaze(4) = 63 channels.
  const CH = K + 11;
  const solved = new Float32Array(observations.length * CH);
  const smoothing = { minCutoffHz: opts.smoothing?.minCutoffHz ?? 2.5, beta: opts.smoothing?.beta ?? 0.6, derivativeCutoffHz: 1 };
  let prev: Float32Array | null = null;
  let missing = 0;
  const missingRanges: { fromSec: number; toSec: number }[] = [];
  for (let i = 0; i < observations.length; i++) {
    const o = observations[i]!;
    const row = solved.subarray(i * CH, (i + 1) * CH);
    const m = measured[i];
    if (!o.landmarksPx || !m) {
      missing++;
      const lastRange = missingRanges[missingRanges.length - 1];
      if (lastRange && i > 0 && !observations[i - 1]!.landmarksPx) lastRange.toSec = o.timeSec;
      else missingRanges.push({ fromSec: o.timeSec, toSec: o.timeSec });
      if (prev) row.set(prev);
      else row[K + 3] = 1; // identity quaternion until the first face
      continue;
    }
    // Relative shapes keep their sign here (the driver relaxing below the reference); the rest is added at the end.
    for (let k = 0; k < K; k++) row[k] = portraitRest && !isAperture[k] ? m[k]! - driverNeutral[k]! : Math.max(0, m[k]! - driverNeutral[k]!);
    const fit = absFit(o.landmarksPx);
    const R = mulTransposed(fit.rotation, poseBase.rotation); // base → frame, image axes
    // Image frame (x right, y down, z away) → three.js camera frame (x right, y up, z towards the viewer).
    const q = quaternionFromMatrix([R[0]!, -R[1]!, -R[2]!, -R[3]!, R[4]!, R[5]!, -R[6]!, R[7]!, R[8]!]);
    const flip = prev && dot4(prev.subarray(K, K + 4), q) < 0 ? -1 : 1;
    for (let c = 0; c < 4; c++) row[K + c] = q[c]! * flip;
    const scale = fit.scale / refFit.scale;
    const metresPerPx = 0.01 / fit.scale; // the prior face is in cm
    const Rf = fit.rotation;
    const pf = (r: number): number => fit.scale * (Rf[r * 3]! * pivotPrior[0]! + Rf[r * 3 + 1]! * pivotPrior[1]! + Rf[r * 3 + 2]! * pivotPrior[2]!) + fit.translation[r]!;
    row[K + 4] = (pf(0) - refPivot[0]) * metresPerPx;
    row[K + 5] = -(pf(1) - refPivot[1]) * metresPerPx;
    row[K + 6] = 0.6 * (1 - 1 / scale);
    const g = irisOffsets(o.landmarksPx);
    if (g && refGaze) {
      // offset / half eye width ≈ sin(angle) · (eyeball radius / half width) ≈ sin(angle) / 1.25;
      // +yaw = towards the subject's left = image +x; +pitch = up = image −y
      const ang = (u: number): number => Math.asin(Math.max(-1, Math.min(1, u * 1.25)));
      row[K + 7] = ang(g[0] - refGaze[0]);
      row[K + 8] = -ang(g[1] - refGaze[1]);
      row[K + 9] = ang(g[2] - refGaze[2]);
      row[K + 10] = -ang(g[3] - refGaze[3]);
    }
    prev = Float32Array.from(row);
  }
  smoothZeroPhase(solved, observations.map((o) => o.timeSec), CH, smoothing, refIndex);

  const track = createNeutralTrack(opts.frameCount, opts.fps);
  const times = observations.map((o) => o.timeSec);
  const tmp = new Float32Array(CH);
  for (let f = 0; f < opts.frameCount; f++) {
    const t = frameTimeSec(f, opts.fps);
    interpolateRow(solved, times, CH, t, tmp);
    for (let k = 0; k < K; k++) {
      const s = EYE_REGION.has(k) ? strengths.eyes : BROW_REGION.has(k) ? strengths.brows : strengths.mouth;
      const base = portraitRest && !isAperture[k] ? portraitRest[k]! : 0;
      track.blendshapes[f * K + k] = Math.min(1, Math.max(0, base + tmp[k]! * s));
    }
    const q = scaleRotation(normalise4(tmp.subarray(K, K + 4)), strengths.head);
    track.headRotation.set(q, f * 4);
    for (let k = 0; k < 3; k++) track.headTranslationM[f * 3 + k] = tmp[K + 4 + k]! * strengths.head;
    for (let k = 0; k < 4; k++) track.gazeRad[f * 4 + k] = tmp[K + 7 + k]! * strengths.eyes;
  }
  track.meta = { source: 'driving-video', referenceTimeSec: Math.round(observations[refIndex]!.timeSec * 1000) / 1000, headPose: opts.headPose ?? 'relative' };
  return {
    track,
    report: { referenceIndex: refIndex, referenceTimeSec: observations[refIndex]!.timeSec, driverNeutral, missingFaceCount: missing, missingRanges, observedCount: observations.length },
  };
}

/**
 * Zero-phase One-Euro smoothing of `[n, ch]` rows in place: the mean of a forward and a backward pass (Casiez et al.
 * 2012's filter is causal: on vid03 its lip channel lagged the real lips by about one frame, r 0.91 at lag 0 vs 0.96 at
 * one frame; the mean of a causal and an anti-causal pass has a symmetric, zero-phase response). The whole clip is known
 * offline. Row `keepIndex` (the reference frame) keeps its measured values, so a portrait driven by its own clip
 * starts exactly on the photo.
 * @param rows - `[n, ch]` values (modified in place).
 * @param timesSec - n ascending sample times, seconds.
 * @param ch - channels per row.
 * @param params - One-Euro parameters.
 * @param keepIndex - row left unfiltered (−1 for none).
 */
function smoothZeroPhase(rows: Float32Array, timesSec: readonly number[], ch: number, params: { minCutoffHz: number; beta: number; derivativeCutoffHz: number }, keepIndex: number): void {
  const n = timesSec.length;
  const forward = Float32Array.from(rows);
  const kept = keepIndex >= 0 ? Float32Array.from(rows.subarray(keepIndex * ch, (keepIndex + 1) * ch)) : null;
  const f = new OneEuroFilter(ch, params);
  for (let i = 0; i < n; i++) f.filter(forward.subarray(i * ch, (i + 1) * ch), timesSec[i]!);
  const b = new OneEuroFilter(ch, params);
  for (let i = n - 1; i >= 0; i--) b.filter(rows.subarray(i * ch, (i + 1) * ch), -timesSec[i]!);
  for (let j = 0; j < n * ch; j++) rows[j] = (rows[j]! + forward[j]!) / 2;
  if (kept) rows.set(kept, keepIndex * ch);
}

function dist(lm: Float32Array, a: number, b: number): number {
  return Math.hypot(lm[a * 3]! - lm[b * 3]!, lm[a * 3 + 1]! - lm[b * 3 + 1]!);
}

function eyeDistance(lm: Float32Array): number {
  const cx = (i: number, j: number, k: number): number => (lm[i * 3 + k]! + lm[j * 3 + k]!) / 2;
  return Math.max(1e-6, Math.hypot(cx(EYE_RIGHT_OUTER, EYE_RIGHT_INNER, 0) - cx(EYE_LEFT_OUTER, EYE_LEFT_INNER, 0), cx(EYE_RIGHT_OUTER, EYE_RIGHT_INNER, 1) - cx(EYE_LEFT_OUTER, EYE_LEFT_INNER, 1)));
}

function gather(lm: Float32Array, indices: readonly number[]): Float32Array {
  const out = new Float32Array(indices.length * 3);
  indices.forEach((v, i) => out.set(lm.subarray(v * 3, v * 3 + 3), i * 3));
  return out;
}

/** Maps all points of a frame into reference space: Rᵀ(p − t)/s for the fit ref → frame. */
function inverseSimilarity(lm: Float32Array, fit: { rotation: number[]; scale: number; translation: [number, number, number] }): Float32Array {
  const n = lm.length / 3;
  const out = new Float32Array(n * 3);
  const R = fit.rotation;
  for (let v = 0; v < n; v++) {
    const px = lm[v * 3]! - fit.translation[0];
    const py = lm[v * 3 + 1]! - fit.translation[1];
    const pz = lm[v * 3 + 2]! - fit.translation[2];
    out[v * 3] = (R[0]! * px + R[3]! * py + R[6]! * pz) / fit.scale;
    out[v * 3 + 1] = (R[1]! * px + R[4]! * py + R[7]! * pz) / fit.scale;
    out[v * 3 + 2] = (R[2]! * px + R[5]! * py + R[8]! * pz) / fit.scale;
  }
  return out;
}

/**
 * Iris centre offsets from the eye-opening centre, in units of the half eye width, along the eye line (u)
 * and across it (v, +down). Returns `[leftU, leftV, rightU, rightV]` or null without iris points.
 */
function irisOffsets(lm: Float32Array): [number, number, number, number] | null {
  if (lm.length / 3 < 478) return null;
  const one = (outer: number, inner: number, irisCentre: number): [number, number] => {
    const ox = lm[outer * 3]!;
    const oy = lm[outer * 3 + 1]!;
    const ix = lm[inner * 3]!;
    const iy = lm[inner * 3 + 1]!;
    const half = Math.max(1e-6, Math.hypot(ix - ox, iy - oy) / 2);
    const ex = (ix - ox) / (2 * half);
    const ey = (iy - oy) / (2 * half);
    const dx = lm[irisCentre * 3]! - (ox + ix) / 2;
    const dy = lm[irisCentre * 3 + 1]! - (oy + iy) / 2;
    // u along +x of the image (towards the subject's left), v down
    const u = (dx * Math.abs(ex) + dy * ey * Math.sign(ex || 1)) / half;
    const v = (-dx * ey + dy * ex) * Math.sign(ex || 1) / half;
    return [u, v];
  };
  const [lu, lv] = one(EYE_LEFT_OUTER, EYE_LEFT_INNER, IRIS_LEFT_START);
  const [ru, rv] = one(EYE_RIGHT_OUTER, EYE_RIGHT_INNER, IRIS_RIGHT_START);
  return [lu, lv, ru, rv];
}

function dot4(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return a[0]! * b[0]! + a[1]! * b[1]! + a[2]! * b[2]! + a[3]! * b[3]!;
}

function normalise4(q: ArrayLike<number>): [number, number, number, number] {
  const n = Math.hypot(q[0]!, q[1]!, q[2]!, q[3]!) || 1;
  return [q[0]! / n, q[1]! / n, q[2]! / n, q[3]! / n];
}

/** Scales a rotation's angle by `s` (slerp from identity). */
function scaleRotation(q: [number, number, number, number], s: number): [number, number, number, number] {
  if (s === 1) return q;
  const w = Math.min(1, Math.abs(q[3]));
  const half = Math.acos(w);
  const sinHalf = Math.sin(half);
  if (sinHalf < 1e-9) return [0, 0, 0, 1];
  const sign = q[3] < 0 ? -1 : 1;
  const axis = [(q[0] * sign) / sinHalf, (q[1] * sign) / sinHalf, (q[2] * sign) / sinHalf];
  const h = half * s;
  return [axis[0]! * Math.sin(h), axis[1]! * Math.sin(h), axis[2]! * Math.sin(h), Math.cos(h)];
}

/** Unit quaternion `[x,y,z,w]` of a row-major rotation matrix (Shepperd's method). */
function quaternionFromMatrix(m: number[]): [number, number, number, number] {
  const [m00, m01, m02, m10, m11, m12, m20, m21, m22] = m as [number, number, number, number, number, number, number, number, number];
  const tr = m00 + m11 + m22;
  let q: [number, number, number, number];
  if (tr > 0) {
    const s = Math.sqrt(tr + 1) * 2;
    q = [(m21 - m12) / s, (m02 - m20) / s, (m10 - m01) / s, s / 4];
  } else if (m00 > m11 && m00 > m22) {
    const s = Math.sqrt(1 + m00 - m11 - m22) * 2;
    q = [s / 4, (m01 + m10) / s, (m02 + m20) / s, (m21 - m12) / s];
  } else if (m11 > m22) {
    const s = Math.sqrt(1 + m11 - m00 - m22) * 2;
    q = [(m01 + m10) / s, s / 4, (m12 + m21) / s, (m02 - m20) / s];
  } else {
    const s = Math.sqrt(1 + m22 - m00 - m11) * 2;
    q = [(m02 + m20) / s, (m12 + m21) / s, s / 4, (m10 - m01) / s];
  }
  return normalise4(q);
}

/** Linear interpolation of `[n, ch]` rows at time t over ascending `times` (held at the ends). */
function interpolateRow(rows: Float32Array, times: readonly number[], ch: number, t: number, out: Float32Array): void {
  const n = times.length;
  if (n === 0) return;
  if (t <= times[0]!) {
    out.set(rows.subarray(0, ch));
    return;
  }
  if (t >= times[n - 1]!) {
    out.set(rows.subarray((n - 1) * ch, n * ch));
    return;
  }
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (times[mid]! <= t) lo = mid;
    else hi = mid;
  }
  const a = (t - times[lo]!) / Math.max(1e-9, times[hi]! - times[lo]!);
  for (let k = 0; k < ch; k++) out[k] = rows[lo * ch + k]! * (1 - a) + rows[hi * ch + k]! * a;
}
