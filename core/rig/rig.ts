/**
 * The photo head's ARKit rig: per-vertex deltas of the 468 face-mesh points for each ARKit blendshape, a jaw
 * rotation with per-vertex weights, and eye models (opening, iris) — all derived from one photo's landmarks.
 *
 * @remarks Pure math (no DOM, no three): runs in the page and in Node tests alike.
 * Deltas live in "landmark pixel space": x/y image pixels, z pixels of relative depth (MediaPipe convention,
 * smaller = closer). Amplitudes are in units of the inter-ocular distance (IOD, eye centre to eye centre,
 * ≈ 63 mm in adults: Dodgson 2004, "Variation and extrema of human interpupillary distance"), so the rig scales
 * with the face. Shape semantics follow Apple's ARKit `ARFaceAnchor.BlendShapeLocation` documentation
 * (e.g. `jawOpen` opens the jaw, `mouthClose` closes the lips independently of the jaw). The jaw rotates about
 * a pivot at the temporomandibular joint, placed at the face-side depth near nose-tip height.
 */
import { ARKIT_BLENDSHAPE_COUNT, BS } from '../motion/names.ts';
import {
  CHEEK_LEFT,
  CHEEK_RIGHT,
  CHEEK_UPPER_LEFT,
  CHEEK_UPPER_RIGHT,
  EYE_LEFT,
  EYE_RIGHT,
  FACE_SIDE_LEFT,
  FACE_SIDE_RIGHT,
  FACE_SILHOUETTE,
  LIPS_CORNERS,
  LIPS_LOWER_INNER,
  LIPS_LOWER_MID,
  LIPS_LOWER_OUTER,
  LIPS_UPPER_INNER,
  LIPS_UPPER_MID,
  LIPS_UPPER_OUTER,
  NOSE_WING_LEFT,
  NOSE_WING_RIGHT,
  type EyeRegion,
} from './topology.ts';

/** Mesh vertices the rig moves (MediaPipe mesh without the iris points). */
export const RIG_VERTEX_COUNT = 468;
/** Largest jaw rotation (at `jawOpen = 1`), radians (≈ 17°; a wide-open human jaw reaches ≈ 25–30°). */
export const JAW_OPEN_MAX_RAD = 0.3;
/**
 * Rise of the upper lip's inner edge at its middle for a lip aperture of 1 (`jawOpen − mouthClose`), IOD units
 * (0.04 IOD ≈ 2.5 mm for a 63 mm IOD).
 * @remarks The upper lip is not fixed while the jaw opens: it elevates during the opening gesture of speech (Folkins &
 * Linville 1983, "The effects of varying lower-lip displacement on upper-lip movements", JSHR 26:209–217; upper-lip
 * movements there are a few mm against a lower lip that travels about 1 cm), and at a wide opening the lip stretches
 * over the incisors (resting incisor display of 2–4 mm grows as the lips part). 2.5 mm at the rig's widest jaw (17°) is
 * within that range; the value is a rounded literature magnitude, not fitted to any portrait.
 */
export const UPPER_LIP_RISE_IOD = 0.04;
/**
 * Where a wide-open mouth's inner corners sit: the upper inner lip's centre arches above the line between the inner
 * corners by this share of the centre opening (arch / (arch + sag)) at `jawOpen = 1`.
 * @remarks A real jaw drop draws the inner corners down with it, so the opening is an oval whose corners sit between
 * the lips and whose top edge arches above them, not a slot hanging from the upper lip's line. Measured with the
 * independent tracker (TF.js FaceMesh, scripts/measureMouthArch.ts, every 3rd frame, median over the frames whose lip
 * gap is ≥ 0.2 outer eye-corner distances): 0.244 on vid02 (O then wide) and 0.248 on vid05 (wide mouth) — their mean
 * is this constant; held out: vid01 (speech) 0.286, vid03 (0–6 s) 0.296. Each portrait's inner-corner jaw share
 * ({@link INNER_CORNER_JAW_SHARE_RANGE}) is solved so that its rig reaches it (a photographed lip line whose corners sit
 * high needs the corners to follow the jaw further). The share above the lips' own 0.15 grows with the opening (the
 * square of the lip aperture, `PhotoHeadRig.jawWeightWide`): the lips part from the middle, and at speech-sized
 * openings the real corners stay near the upper lip (vid05 frames with a gap of 0.08–0.15: arch share 0.07).
 */
export const WIDE_MOUTH_ARCH_SHARE = 0.246;
/**
 * Bounds of the inner corners' share of the jaw rotation.
 * @remarks The tracker's regression of the inner corners' height on the lower inner lip's over whole clips (same
 * script) spans 0.19 (vid02), 0.29 (vid01), 0.43 (vid05), 0.46 (vid03); the lips' own corners keep 0.15 (raising them
 * was tried in s16 and reverted: photographed open mouths closed worse), the lower bound; 0.5 is the top of the real
 * range, rounded.
 */
export const INNER_CORNER_JAW_SHARE_RANGE: readonly [number, number] = [0.15, 0.5];
/** Inner mouth corners (MediaPipe 78: subject's right, 308: left). */
const INNER_CORNERS: readonly number[] = [78, 308];
/** Largest eye rotation from `eyeLook*` weights, radians (≈ 29°; ARKit weight 1 ≈ the end of the range). */
export const EYE_LOOK_MAX_RAD = 0.5;
/** Eyeball radius relative to the IOD (12 mm / 63 mm). */
export const EYEBALL_RADIUS_IOD = 0.19;
/**
 * Growth of each lip's vermilion height (outer edge from the inner edge, per column along the mouth) at
 * `mouthPucker = 1`, as a share of its rest height: upper lip, lower lip.
 * @remarks A pout everts and thickens the lips (orbicularis oris, pars marginalis, pushes the vermilion out), it does not
 * press them together. Measured with our FaceAnalyzer (scripts/diagRigShapes.ts, outer eye-corner units): vid02's real
 * pout at 0.9 s against its frame 0, upper lip 0–13 0.054 → 0.083, lower 14–17 0.101 → 0.132, where the driving solve
 * reads `mouthPucker` 0.59 (funnel 0.11): about 0.8 / 0.55 of growth per unit pucker; held out, vid06's pout at 2.2 s
 * (pucker 0.59, funnel 0.12): upper 0.048 → 0.075, lower 0.090 → 0.111, about 0.85 / 0.35. Capped at 0.5 / 0.35 by the
 * solve's round trip through the renderer (tests/integration/reenact/solverRoundTrip.test.ts, img01): with a thicker
 * pout the tracked render of a funnel is explained as pucker — funnel alone at 0.8 solves back to 0.03 at 0.8 / 0.55,
 * 0.16 at 0.65 / 0.45, 0.31 at 0.5 / 0.35 (0.35 with the old thinning pucker). So the rig's pout reaches about 60 % of
 * the real upper-lip growth and all of vid06's lower-lip growth.
 */
export const PUCKER_LIP_GROWTH: readonly [number, number] = [0.5, 0.35];
/**
 * Lift of the brow at the centre of `browInnerUp` / `browOuterUp` (each Gaussian's peak) at weight 1, IOD units.
 * @remarks Was 0.1: both shapes at 1 raised the brow contour (70/63/105/66/107, 300/293/334/296/336) of vid03's frame 0
 * 0.058 outer-eye-corner units (≈ 5 mm), about half of a real raise (frontalis lifts the brows ≈ 10–15 mm:
 * vid03's expressive raises reach 0.095 above its frame 0, whose brows are already raised — its rest expression read
 * browInnerUp 0.74 there with the old range — and ≈ 0.145 from its lowest frame: TF.js, scripts/evalRealPairs.ts
 * browHeight). 0.18 puts the full raise at ≈ 0.113 (≈ 10 mm) on vid03's frame 0 (set there; vid04/vid06 held out:
 * self-reenacted brow-height SD ratio vid03 0.49 → 0.77, vid04 0.53 → 0.74, vid06 1.03 → 0.98).
 */
export const BROW_RAISE_IOD = 0.18;

/** An eye's opening and iris in image pixels. */
export interface EyeModel {
  /** Centre of the lid contour, px. */
  centerPx: [number, number];
  /** Iris centre, px (landmark when available, else the opening's centre). */
  irisCenterPx: [number, number];
  /** Iris radius, px. */
  irisRadiusPx: number;
  /** Half the corner-to-corner width of the opening, px. */
  halfWidthPx: number;
  /** Half the lid-to-lid height of the opening, px. */
  halfHeightPx: number;
  /** Mean relative depth of the lid contour, px (MediaPipe z). */
  depthPx: number;
}

/** A face-aligned frame in image pixels. */
export interface FaceFrame {
  /** Unit vector from the subject's right eye to the left eye (image space). */
  ex: [number, number];
  /** Unit vector perpendicular to `ex`, pointing down the face. */
  ey: [number, number];
  /** Inter-ocular distance, px. */
  iodPx: number;
  /** Centre of the mouth (between the inner lips), px. */
  mouthCenterPx: [number, number];
  /** Centre of the face-mesh bounding box, px. */
  faceCenterPx: [number, number];
  /** Face-mesh bounding box width and height, px. */
  faceWidthPx: number;
  faceHeightPx: number;
  /** Mean relative depth of the face silhouette (≈ head centre depth), px. */
  silhouetteDepthPx: number;
}

/**
 * Pivot of the head pose: the upper neck (atlanto-occipital joint), below the face centre by 0.45 face heights at
 * the depth of the face silhouette (≈ the head's centre plane), in the landmarks' px space.
 * @param frame - the face frame of a rest face ({@link buildPhotoHeadRig}).
 * @returns `[x, y, z]` px (x right, y down, z as the landmarks' relative depth).
 * @remarks The head turns about the top of the cervical spine, behind and below the face (Kapandji, "The Physiology
 * of the Joints", vol. 3); 0.45 face heights puts it level with the ear lobes. One definition serves the photo head's
 * render (renderer/head/photoHead.ts) and the driving video's head translation (core/reenact/drivingTrack.ts), so a
 * head turn read from a driver moves no pivot and is not also read as a slide.
 */
export function headPivotPx(frame: FaceFrame): [number, number, number] {
  return [frame.faceCenterPx[0], frame.faceCenterPx[1] + 0.45 * frame.faceHeightPx, frame.silhouetteDepthPx];
}

/** The rig of one portrait. */
export interface PhotoHeadRig {
  /** Rest positions `[468, 3]`: x, y px and z px. */
  restPx: Float32Array;
  frame: FaceFrame;
  /** Per ARKit index: deltas `[468, 3]` (px) at weight 1, or `null` where the shape moves no vertex here. */
  deltas: (Float32Array | null)[];
  /**
   * Per ARKit index: texture-sample offsets `[468, 2]` (photo px) at weight 1, or `null` where the shape keeps the
   * vertex's own photo pixel. A renderer samples vertex i at `restPx[i] + Σ wₖ·uvDeltasₖ[i]`.
   * @remarks Only the blinks have them: MediaPipe's lid contour often lies inside the visible opening (on the
   * iris), so a lid stretched from its own pixels would carry an iris strip down over the eye. Closing, the lid
   * rings sample the skin above the eye instead (each ring the photo pixel of the ring above it).
   */
  uvDeltas: (Float32Array | null)[];
  /** Jaw rotation weight per vertex in [0,1]. */
  jawWeight: Float32Array;
  /**
   * Jaw rotation weight per vertex that grows with the opening (`MAX · jawWeightWide · x²`, x the vertex's lip
   * aperture, beside the linear `MAX · jawWeight · x`), in [0,1]: the inner mouth corners and the upper lip's sides,
   * which stay near the upper lip at speech-sized openings (the lips part from the middle) and follow the jaw at a wide
   * one ({@link WIDE_MOUTH_ARCH_SHARE}).
   */
  jawWeightWide: Float32Array;
  /** Share of {@link jawWeight} cancelled by `mouthClose` (lips), per vertex in [0,1]. */
  lipCloseWeight: Float32Array;
  /** Jaw pivot `[y, z]` px (rotation about the face's horizontal axis). */
  jawPivotPx: [number, number];
  /**
   * Displacement `[468, 2]` (x, y px) of the upper lip at a lip aperture (`jawOpen − mouthClose`) of 1: up the face,
   * {@link UPPER_LIP_RISE_IOD} at the inner edge's highest point, less on the lip's outer rings, none at the corners.
   */
  upperLipRisePx: Float32Array;
  /** Subject's right eye, then left eye. */
  eyes: [EyeModel, EyeModel];
}

const smoothstep = (e0: number, e1: number, x: number): number => {
  const t = Math.min(1, Math.max(0, (x - e0) / (e1 - e0)));
  return t * t * (3 - 2 * t);
};

/**
 * Builds the rig from one face's landmarks.
 * @param landmarksPx - `[N, 3]` row-major (N = 478 with iris, or 468), x/y image px, z px relative depth.
 * @param landmarkCount - N.
 * @returns the rig; deterministic for a given input.
 */
export function buildPhotoHeadRig(landmarksPx: Float32Array, landmarkCount: number): PhotoHeadRig {
  const n = RIG_VERTEX_COUNT;
  const rest = Float32Array.from(landmarksPx.subarray(0, n * 3));
  const P = (i: number): [number, number, number] => [rest[i * 3]!, rest[i * 3 + 1]!, rest[i * 3 + 2]!];
  const mean = (ids: readonly number[]): [number, number, number] => {
    const m: [number, number, number] = [0, 0, 0];
    for (const i of ids) for (let k = 0; k < 3; k++) m[k]! += rest[i * 3 + k]! / ids.length;
    return m;
  };

  const eyeR = mean([...EYE_RIGHT.upper0, ...EYE_RIGHT.lower0]);
  const eyeL = mean([...EYE_LEFT.upper0, ...EYE_LEFT.lower0]);
  const iodPx = Math.hypot(eyeL[0] - eyeR[0], eyeL[1] - eyeR[1]) || 1;
  const ex: [number, number] = [(eyeL[0] - eyeR[0]) / iodPx, (eyeL[1] - eyeR[1]) / iodPx];
  const ey: [number, number] = [-ex[1], ex[0]];
  const mouth = mean([13, 14]);
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < n; i++) {
    minX = Math.min(minX, rest[i * 3]!);
    maxX = Math.max(maxX, rest[i * 3]!);
    minY = Math.min(minY, rest[i * 3 + 1]!);
    maxY = Math.max(maxY, rest[i * 3 + 1]!);
  }
  const silhouetteDepthPx = mean(FACE_SILHOUETTE)[2];
  const frame: FaceFrame = {
    ex,
    ey,
    iodPx,
    mouthCenterPx: [mouth[0], mouth[1]],
    faceCenterPx: [(minX + maxX) / 2, (minY + maxY) / 2],
    faceWidthPx: maxX - minX,
    faceHeightPx: maxY - minY,
    silhouetteDepthPx,
  };
  const I = iodPx;
  /** Face-frame coordinates of vertex i relative to an origin, in IOD units. */
  const local = (i: number, o: readonly number[]): [number, number] => {
    const dx = rest[i * 3]! - o[0]!;
    const dy = rest[i * 3 + 1]! - o[1]!;
    return [(dx * ex[0] + dy * ex[1]) / I, (dx * ey[0] + dy * ey[1]) / I];
  };
  const gauss = (i: number, c: readonly number[], sigmaIod: number): number => {
    const [a, b] = local(i, c);
    return Math.exp(-(a * a + b * b) / (2 * sigmaIod * sigmaIod));
  };
  /** 0 above an eye's centre line, 1 from 0.1 IOD below it (lower lid and cheek), smooth in between. */
  const belowEye = (i: number, eye: readonly number[]): number => smoothstep(-0.02, 0.1, local(i, eye)[1]);
  const deltas: (Float32Array | null)[] = new Array<Float32Array | null>(ARKIT_BLENDSHAPE_COUNT).fill(null);
  const shape = (index: number): Float32Array => (deltas[index] ??= new Float32Array(n * 3));
  const uvDeltas: (Float32Array | null)[] = new Array<Float32Array | null>(ARKIT_BLENDSHAPE_COUNT).fill(null);
  /** Adds a displacement (face-frame a/b and depth, IOD units) scaled by w to vertex i of shape s. */
  const add = (s: Float32Array, i: number, w: number, da: number, db: number, dz = 0): void => {
    if (w < 1e-4) return;
    s[i * 3] = s[i * 3]! + w * I * (da * ex[0] + db * ey[0]);
    s[i * 3 + 1] = s[i * 3 + 1]! + w * I * (da * ex[1] + db * ey[1]);
    s[i * 3 + 2] = s[i * 3 + 2]! + w * I * dz;
  };

  const upperLip = new Set([...LIPS_UPPER_OUTER, ...LIPS_UPPER_INNER, ...LIPS_UPPER_MID]);
  const lowerLip = new Set([...LIPS_LOWER_OUTER, ...LIPS_LOWER_INNER, ...LIPS_LOWER_MID]);
  const corners = new Set(LIPS_CORNERS);
  for (const c of corners) {
    upperLip.delete(c);
    lowerLip.delete(c);
  }
  const lips = new Set([...upperLip, ...lowerLip, ...corners]);
  const cornerR = P(61);
  const cornerL = P(291);
  const mouthHalfWidthIod = Math.hypot(cornerL[0] - cornerR[0], cornerL[1] - cornerR[1]) / 2 / I;
  const upperInnerB = local(13, mouth)[1];
  const lowerInnerB = local(14, mouth)[1];

  // Jaw weights: 1 below the mouth line, 0 on the upper lip and above, tapering along the lower lip to the corners.
  const jawWeight = new Float32Array(n);
  const jawWeightWide = new Float32Array(n);
  const lipCloseWeight = new Float32Array(n);
  /** Share of the inner corners' jaw weight that a vertex takes (inner corners 1, the upper lip's sides less). */
  const cornerFollow = new Float32Array(n);
  const upperInnerRing = new Set(LIPS_UPPER_INNER);
  const upperMidRing = new Set(LIPS_UPPER_MID);
  const halfFaceIod = frame.faceWidthPx / 2 / I;
  for (let i = 0; i < n; i++) {
    const [a, b] = local(i, mouth);
    let w: number;
    // The lower lip follows the jaw fully at the centre and less towards the corners, down to the corners' own share
    // (0.15), so the opening narrows to a point at each corner (the lips meet at an acute angle at the commissure)
    // instead of ending in a step.
    if (lowerLip.has(i)) w = 0.15 + 0.85 * Math.max(0, 1 - (a / mouthHalfWidthIod) ** 2);
    // The upper lip's sides follow the inner corners down (its middle half stays with the maxilla), so its inner edge
    // arches from a flat middle into the lowered corners, as in a real wide mouth (the tracker puts the side points 81/311
    // as high as the centre there, 0.95–1.09 of its height: vid01/vid02/vid05): full share on the inner edge, less on the
    // lip's middle ring and outer edge (towards the lip corners' own 0.15).
    else if (upperLip.has(i)) {
      w = 0;
      cornerFollow[i] = (upperInnerRing.has(i) ? 1 : upperMidRing.has(i) ? 0.75 : 0.5) * smoothstep(0.5, 1, Math.abs(a) / mouthHalfWidthIod);
    } else if (INNER_CORNERS.includes(i)) {
      w = INNER_CORNER_JAW_SHARE_RANGE[0];
      cornerFollow[i] = 1;
    }
    else if (corners.has(i)) w = 0.15;
    else w = smoothstep(-0.02, 0.3, b) * (1 - 0.6 * smoothstep(0.7, 1.0, Math.abs(a) / halfFaceIod) * (1 - smoothstep(0.3, 1.0, b)));
    jawWeight[i] = w;
    lipCloseWeight[i] = lowerLip.has(i) || upperLip.has(i) || INNER_CORNERS.includes(i) ? 1 : corners.has(i) ? 0.5 : 0;
  }
  // The upper lip rises as the lips part (UPPER_LIP_RISE_IOD). Along the mouth the rise follows the upper lip's own
  // outline — its height above the line between the outer corners, normalised (the cupid's bow) — averaged with a
  // parabola that is 0 at the corners (a flat upper lip still arches), so the opening's top edge takes the lip's own
  // shape and tapers into the corners. The inner edge rises fully, the lip's middle ring 0.8, its outer edge 0.6 (the
  // vermilion keeps its height; the skin above it stays).
  const upperLipRisePx = new Float32Array(n * 2);
  {
    const outer = LIPS_UPPER_OUTER.map((i) => local(i, mouth));
    const [ca, cb] = outer[0]!;
    const [da, db] = outer[outer.length - 1]!;
    const lipHeight = outer.map(([a, b]) => [a, cb + ((db - cb) * (a - ca)) / (da - ca || 1) - b] as [number, number]).sort((p, q) => p[0] - q[0]);
    const maxH = Math.max(1e-6, ...lipHeight.map((p) => p[1]));
    const heightAt = (a: number): number => {
      if (a <= lipHeight[0]![0] || a >= lipHeight[lipHeight.length - 1]![0]) return 0;
      let k = 0;
      while (k < lipHeight.length - 2 && lipHeight[k + 1]![0] < a) k++;
      const [a0, h0] = lipHeight[k]!;
      const [a1, h1] = lipHeight[k + 1]!;
      return Math.max(0, h0 + ((h1 - h0) * (a - a0)) / (a1 - a0 || 1)) / maxH;
    };
    const ring = new Map<number, number>([...LIPS_UPPER_OUTER.map((i) => [i, 0.6] as [number, number]), ...LIPS_UPPER_MID.map((i) => [i, 0.8] as [number, number]), ...LIPS_UPPER_INNER.map((i) => [i, 1] as [number, number])]);
    for (const i of upperLip) {
      const a = local(i, mouth)[0];
      const profile = 0.5 * Math.max(0, 1 - (a / mouthHalfWidthIod) ** 2) + 0.5 * heightAt(a);
      const rise = UPPER_LIP_RISE_IOD * I * profile * (ring.get(i) ?? 0);
      upperLipRisePx[i * 2] = -rise * ey[0];
      upperLipRisePx[i * 2 + 1] = -rise * ey[1];
    }
  }
  // Temporomandibular joint: in front of the ear, ≈ 0.3 IOD below the eye line, behind the cheek silhouette.
  const sideDepth = (P(FACE_SIDE_RIGHT)[2] + P(FACE_SIDE_LEFT)[2]) / 2;
  const jawPivotPx: [number, number] = [(eyeR[1] + eyeL[1]) / 2 + 0.3 * I * ey[1], sideDepth + 0.2 * I];
  // The inner corners' jaw share: the one that puts the corners at WIDE_MOUTH_ARCH_SHARE of the centre opening below
  // the upper lip's centre at jawOpen 1 (jaw rotation and upper-lip rise as evaluateRig applies them), by bisection.
  {
    /** Height along the face's down axis (px) of vertex i at jawOpen 1 with jaw weight w, rise included. */
    const downAt = (i: number, w: number): number => {
      const dy = rest[i * 3 + 1]! - jawPivotPx[0];
      const dz = rest[i * 3 + 2]! - jawPivotPx[1];
      const t = JAW_OPEN_MAX_RAD * w;
      const x = rest[i * 3]! + upperLipRisePx[i * 2]!;
      const y = jawPivotPx[0] + dy * Math.cos(t) - dz * Math.sin(t) + upperLipRisePx[i * 2 + 1]!;
      return x * ey[0] + y * ey[1];
    };
    const top = downAt(13, jawWeight[13]!);
    // At jawOpen 1 the linear and the growing weights add (x = x² = 1).
    const bottom = downAt(14, jawWeight[14]!);
    const shareAt = (w: number): number => ((downAt(78, w) + downAt(308, w)) / 2 - top) / Math.max(1e-6, bottom - top);
    let [lo, hi] = INNER_CORNER_JAW_SHARE_RANGE;
    if (shareAt(lo) >= WIDE_MOUTH_ARCH_SHARE) hi = lo;
    else if (shareAt(hi) <= WIDE_MOUTH_ARCH_SHARE) lo = hi;
    for (let k = 0; k < 30 && hi - lo > 1e-4; k++) {
      const mid = (lo + hi) / 2;
      if (shareAt(mid) < WIDE_MOUTH_ARCH_SHARE) lo = mid;
      else hi = mid;
    }
    const share = (lo + hi) / 2;
    for (let i = 0; i < n; i++) if (cornerFollow[i]! > 0) jawWeightWide[i] = Math.max(0, share * cornerFollow[i]! - jawWeight[i]!);
  }

  // Mouth corners: smile (out + up), frown (down), stretch (out + down), dimple (out, back).
  const sides: [number, readonly number[], number][] = [
    [+1, cornerL, 0],
    [-1, cornerR, 1],
  ];
  for (const [dir, corner, isRight] of sides) {
    const smile = shape(isRight ? BS.mouthSmileRight : BS.mouthSmileLeft);
    const frown = shape(isRight ? BS.mouthFrownRight : BS.mouthFrownLeft);
    const stretch = shape(isRight ? BS.mouthStretchRight : BS.mouthStretchLeft);
    const dimple = shape(isRight ? BS.mouthDimpleRight : BS.mouthDimpleLeft);
    const cheekUp = isRight ? P(CHEEK_UPPER_RIGHT) : P(CHEEK_UPPER_LEFT);
    for (let i = 0; i < n; i++) {
      const g = gauss(i, corner, 0.32);
      add(smile, i, g, 0.14 * dir, -0.12, 0.02);
      // The cheek rises under the eye (narrowing it from below); the upper lid stays.
      add(smile, i, gauss(i, cheekUp, 0.3) * belowEye(i, isRight ? eyeR : eyeL), 0.02 * dir, -0.06, -0.02);
      add(frown, i, g, 0.02 * dir, 0.1);
      add(stretch, i, g, 0.12 * dir, 0.07);
      add(dimple, i, g, 0.06 * dir, 0, 0.04);
    }
  }

  // Lips: pucker/funnel (towards the mouth centre and forward), roll, press, shrug, lower-down/upper-up, left/right.
  const pucker = shape(BS.mouthPucker);
  const funnel = shape(BS.mouthFunnel);
  const rollLower = shape(BS.mouthRollLower);
  const rollUpper = shape(BS.mouthRollUpper);
  const shrugLower = shape(BS.mouthShrugLower);
  const shrugUpper = shape(BS.mouthShrugUpper);
  const mouthLeft = shape(BS.mouthLeft);
  const mouthRight = shape(BS.mouthRight);
  // The lips' contours as functions of the position along the mouth (face-frame a → b, IOD units, clamped at the ends).
  const contour = (ids: readonly number[]): ((a: number) => number) => {
    const pts = ids.map((i) => local(i, mouth)).sort((p, q) => p[0] - q[0]);
    return (a: number): number => {
      if (a <= pts[0]![0]) return pts[0]![1];
      if (a >= pts[pts.length - 1]![0]) return pts[pts.length - 1]![1];
      let k = 0;
      while (k < pts.length - 2 && pts[k + 1]![0] < a) k++;
      const [a0, b0] = pts[k]!;
      const [a1, b1] = pts[k + 1]!;
      return b0 + ((b1 - b0) * (a - a0)) / (a1 - a0 || 1);
    };
  };
  const upperInnerAt = contour(LIPS_UPPER_INNER);
  const upperOuterAt = contour(LIPS_UPPER_OUTER);
  const lowerInnerAt = contour([78, ...LIPS_LOWER_INNER, 308]);
  const lowerOuterAt = contour([61, ...LIPS_LOWER_OUTER, 291]);
  const innerHalfWidthIod = Math.max(1e-3, Math.abs(local(308, mouth)[0] - local(78, mouth)[0]) / 2);
  /**
   * How far a vertex moves away from the lip line when the vermilion of its lip grows by 1 × its height (IOD units,
   * signed along the face's down axis): the lip's own points in proportion to their distance from the inner edge (so
   * the inner edge stays and the outer edge moves by the lip's height), the skin beyond the outer edge by the edge's
   * amount fading over 0.12 IOD (no fold: the fade's steepest slope is below 0.3), 0 at the mouth corners.
   */
  const vermilionGrowth = (i: number, a: number, b: number): [number, number] => {
    const taper = Math.max(0, 1 - (a / (mouthHalfWidthIod * 1.05)) ** 2);
    if (taper === 0) return [0, 0];
    const spread = (t: number, height: number): number => (t <= height ? t : height * Math.exp(-((t - height) ** 2) / (2 * 0.12 ** 2)));
    const upIn = upperInnerAt(a);
    const downIn = lowerInnerAt(a);
    if (b <= upIn && !lowerLip.has(i)) return [-spread(upIn - b, Math.max(0, upIn - upperOuterAt(a))) * taper, 0];
    if (b >= downIn && !upperLip.has(i)) return [0, spread(b - downIn, Math.max(0, lowerOuterAt(a) - downIn)) * taper];
    return [0, 0];
  };
  for (let i = 0; i < n; i++) {
    const [a, b] = local(i, mouth);
    const g = Math.exp(-(a * a) / (2 * (mouthHalfWidthIod * 1.1) ** 2) - (b * b) / (2 * 0.35 ** 2));
    const onLip = lips.has(i) ? 1 : 0;
    const w = Math.max(onLip, g);
    // Pucker: the lips gather towards the middle and forward, and their vermilion grows outward (PUCKER_LIP_GROWTH):
    // a taller, rounder mouth whose inner edges stay where they were (the gap is the jaw's and mouthClose's).
    const [growUp, growDown] = vermilionGrowth(i, a, b);
    add(pucker, i, w, -0.42 * a, PUCKER_LIP_GROWTH[0] * growUp + PUCKER_LIP_GROWTH[1] * growDown, -0.14 * w);
    // Funnel: the lips flare (the upper lip's vermilion grows 0.4 of its height, the lower 0.3) and part into a round
    // opening — each lip's inner edge moves by an elliptical profile along the mouth, full in the middle and 0 at the
    // inner corners, so the opening is an oval, not a slot with a flat top.
    add(funnel, i, w, -0.28 * a, 0.4 * growUp + 0.3 * growDown, -0.1 * w);
    const oval = Math.sqrt(Math.max(0, 1 - (a / innerHalfWidthIod) ** 2));
    if (upperLip.has(i)) add(funnel, i, 1, 0, -0.06 * oval);
    if (lowerLip.has(i)) add(funnel, i, 1, 0, 0.08 * oval);
    if (lowerLip.has(i) && b > lowerInnerB) add(rollLower, i, 1, 0, -0.65 * (b - lowerInnerB), 0.04);
    if (upperLip.has(i) && b < upperInnerB) add(rollUpper, i, 1, 0, -0.65 * (b - upperInnerB), 0.04);
    const below = smoothstep(0, 0.8, b) * Math.exp(-(a * a) / (2 * 0.6 ** 2));
    add(shrugLower, i, lowerLip.has(i) ? 1 : below, 0, -0.06, -0.03);
    if (upperLip.has(i)) add(shrugUpper, i, 1, 0, -0.04, -0.02);
    add(mouthLeft, i, w, 0.16, 0);
    add(mouthRight, i, w, -0.16, 0);
  }
  for (const [dir, isRight] of [
    [+1, 0],
    [-1, 1],
  ] as const) {
    const press = shape(isRight ? BS.mouthPressRight : BS.mouthPressLeft);
    const lowerDown = shape(isRight ? BS.mouthLowerDownRight : BS.mouthLowerDownLeft);
    const upperUp = shape(isRight ? BS.mouthUpperUpRight : BS.mouthUpperUpLeft);
    for (let i = 0; i < n; i++) {
      const [a, b] = local(i, mouth);
      const side = smoothstep(-mouthHalfWidthIod, mouthHalfWidthIod * 0.6, dir * a);
      if (lowerLip.has(i)) {
        add(press, i, side, 0, -0.35 * Math.max(0, b - lowerInnerB), 0);
        add(lowerDown, i, side, 0, 0.13, 0.01);
      }
      if (upperLip.has(i)) {
        add(press, i, side, 0, -0.35 * Math.min(0, b - upperInnerB), 0);
        add(upperUp, i, side, 0, -0.11, -0.01);
      }
    }
  }

  // Jaw translation shapes (jaw weights).
  const jawForward = shape(BS.jawForward);
  const jawLeft = shape(BS.jawLeft);
  const jawRight = shape(BS.jawRight);
  for (let i = 0; i < n; i++) {
    add(jawForward, i, jawWeight[i]! + jawWeightWide[i]!, 0, 0, -0.12);
    add(jawLeft, i, jawWeight[i]! + jawWeightWide[i]!, 0.12, 0);
    add(jawRight, i, jawWeight[i]! + jawWeightWide[i]!, -0.12, 0);
  }

  // Eyes: blink, wide, squint; brows; cheeks; nose.
  const eyeSide = (region: EyeRegion, isRight: boolean): void => {
    const blink = shape(isRight ? BS.eyeBlinkRight : BS.eyeBlinkLeft);
    const wide = shape(isRight ? BS.eyeWideRight : BS.eyeWideLeft);
    const squint = shape(isRight ? BS.eyeSquintRight : BS.eyeSquintLeft);
    const lower0 = region.lower0.slice(1, -1); // corners stay
    // Pair each upper-lid point with the lower-lid point nearest along the eye axis.
    const nearestLower = (i: number): number => {
      const a = local(i, [0, 0])[0];
      let best = lower0[0]!;
      let bestD = Infinity;
      for (const j of lower0) {
        const d = Math.abs(local(j, [0, 0])[0] - a);
        if (d < bestD) {
          bestD = d;
          best = j;
        }
      }
      return best;
    };
    const gapOf = (i: number): number => local(nearestLower(i), [0, 0])[1] - local(i, [0, 0])[1]; // IOD units, > 0
    const rings: [readonly number[], number][] = [
      [region.upper0, 1],
      [region.upper1, 0.5],
      [region.upper2, 0.18],
    ];
    const upper0Gap = new Map(region.upper0.map((i) => [i, gapOf(i)]));
    const gapNear = (i: number): number => {
      const a = local(i, [0, 0])[0];
      let best = 0;
      let bestD = Infinity;
      for (const [j, g] of upper0Gap) {
        const d = Math.abs(local(j, [0, 0])[0] - a);
        if (d < bestD) {
          bestD = d;
          best = g;
        }
      }
      return best;
    };
    for (const [ring, w] of rings) {
      for (const i of ring) {
        const g = Math.max(0, gapNear(i));
        add(blink, i, w, 0, 0.88 * g, -0.015);
        add(wide, i, w, 0, -0.3 * g);
      }
    }
    // Texture of the closing lid: each upper ring samples the photo part of the way up to the next ring (same index
    // along the eye, outer → inner): the lid contour 60 % (above the iris where MediaPipe puts it inside the visible
    // opening, below the lash line), the next ring 50 %; so the band stretched over the opening is lid skin. The lower
    // lid's contour samples halfway down to its next ring (no sclera left along the closure line). Shares checked on
    // img01/img06 renders: no iris pixel left at weight 1 (tests/integration/render/photoHead.test.ts).
    const uvBlink = (uvDeltas[isRight ? BS.eyeBlinkRight : BS.eyeBlinkLeft] = new Float32Array(n * 2));
    const sampleFrom = (from: readonly number[], to: readonly number[], share: number): void => {
      from.forEach((i, k) => {
        const j = to[k]!;
        uvBlink[i * 2] = share * (rest[j * 3]! - rest[i * 3]!);
        uvBlink[i * 2 + 1] = share * (rest[j * 3 + 1]! - rest[i * 3 + 1]!);
      });
    };
    sampleFrom(region.upper0, region.upper1, 0.6);
    sampleFrom(region.upper1, region.upper2, 0.5);
    sampleFrom(region.lower0.slice(1, -1), region.lower1.slice(1, -1), 0.5);
    const eyeHeight = Math.max(...[...upper0Gap.values()]);
    for (const i of lower0) add(blink, i, 1, 0, -0.12 * eyeHeight);
    for (const i of lower0) add(squint, i, 1, 0, -0.3 * eyeHeight);
    for (const i of region.lower1) add(squint, i, 1, 0, -0.18 * eyeHeight);
    for (const i of region.lower2) add(squint, i, 1, 0, -0.08 * eyeHeight);
    for (const i of region.upper0) add(squint, i, 1, 0, 0.1 * eyeHeight);

    const dir = isRight ? -1 : 1;
    const browInner = mean(region.browUpper.slice(-2));
    const browOuter = mean(region.browUpper.slice(0, 2));
    const browMid = mean(region.browUpper);
    const browDown = shape(isRight ? BS.browDownRight : BS.browDownLeft);
    const browOuterUp = shape(isRight ? BS.browOuterUpRight : BS.browOuterUpLeft);
    const browInnerUp = shape(BS.browInnerUp);
    const cheekSquint = shape(isRight ? BS.cheekSquintRight : BS.cheekSquintLeft);
    const noseSneer = shape(isRight ? BS.noseSneerRight : BS.noseSneerLeft);
    const cheekPuff = shape(BS.cheekPuff);
    const cheek = P(isRight ? CHEEK_RIGHT : CHEEK_LEFT);
    const cheekUpper = P(isRight ? CHEEK_UPPER_RIGHT : CHEEK_UPPER_LEFT);
    const wing = P(isRight ? NOSE_WING_RIGHT : NOSE_WING_LEFT);
    const eyeBand = new Set([...region.upper0, ...region.lower0, ...region.lower1, ...region.lower2]);
    /**
     * Share of a brow raise that vertex i takes: a Gaussian across the face (σ `sigmaIod`), and along it full at the brow
     * and fading over 0.15 IOD below it (the lid skin stretches; the nasal bridge and the eye corners stay, frontalis has
     * no hold there), while above it the forehead follows, less and less up to the mesh's top row (vertex 10's height),
     * which stays (frontalis carries the lower forehead up with the brow, the skin gathering into its creases, and the
     * mesh's top edge meets the 2.5D surround and the hairline, which do not move). The eye corners take none.
     * @remarks The fast fade below and the still top row keep the head-pose fit points on the nose, at the eye corners
     * and along the forehead's top still (core/reenact/drivingTrack.ts stillFitIndices: a fit point that moves with the
     * brows either drags the head-pose fit or leaves it, and fewer fit points make the pose noisier).
     */
    const browLift = (i: number, c: readonly number[], sigmaIod: number): number => {
      if (i === region.lower0[0] || i === region.lower0[region.lower0.length - 1]) return 0;
      const [a, b] = local(i, c);
      const along = b < 0 ? 1 - smoothstep(0, Math.max(0.1, -local(10, c)[1]), -b) : Math.exp(-(b * b) / (2 * 0.15 * 0.15));
      return Math.exp(-(a * a) / (2 * sigmaIod * sigmaIod)) * along;
    };
    for (let i = 0; i < n; i++) {
      const notEye = eyeBand.has(i) ? 0.15 : 1;
      add(browDown, i, gauss(i, browMid, 0.3) * notEye, -0.03 * dir, 0.09);
      add(browOuterUp, i, browLift(i, browOuter, 0.25) * notEye, 0, -BROW_RAISE_IOD);
      add(browInnerUp, i, browLift(i, browInner, 0.22) * notEye, 0, -BROW_RAISE_IOD);
      add(cheekSquint, i, gauss(i, cheekUpper, 0.28) * belowEye(i, isRight ? eyeR : eyeL), 0, -0.06, -0.02);
      add(noseSneer, i, gauss(i, wing, 0.14), 0, -0.07, -0.01);
      add(cheekPuff, i, gauss(i, cheek, 0.38) * (lips.has(i) ? 0.3 : 1), 0.09 * dir, 0, -0.06);
    }
  };
  eyeSide(EYE_RIGHT, true);
  eyeSide(EYE_LEFT, false);

  const eyes: [EyeModel, EyeModel] = [eyeModel(rest, landmarksPx, landmarkCount, EYE_RIGHT), eyeModel(rest, landmarksPx, landmarkCount, EYE_LEFT)];
  return { restPx: rest, frame, deltas, uvDeltas, jawWeight, jawWeightWide, lipCloseWeight, jawPivotPx, upperLipRisePx, eyes };
}

/** Eye model from the lid contour and, when present, the iris landmark nearest to this eye. */
function eyeModel(rest: Float32Array, all: Float32Array, count: number, region: EyeRegion): EyeModel {
  const ids = [...region.upper0, ...region.lower0];
  let cx = 0;
  let cy = 0;
  let cz = 0;
  for (const i of ids) {
    cx += rest[i * 3]! / ids.length;
    cy += rest[i * 3 + 1]! / ids.length;
    cz += rest[i * 3 + 2]! / ids.length;
  }
  const outer = region.lower0[0]!;
  const inner = region.lower0[region.lower0.length - 1]!;
  const halfWidthPx = Math.hypot(rest[outer * 3]! - rest[inner * 3]!, rest[outer * 3 + 1]! - rest[inner * 3 + 1]!) / 2;
  let halfHeightPx = 0;
  for (const i of ids) halfHeightPx = Math.max(halfHeightPx, Math.abs(rest[i * 3 + 1]! - cy));
  let irisCenterPx: [number, number] = [cx, cy];
  let irisRadiusPx = 0.39 * halfWidthPx; // iris Ø 11.7 mm over an opening of ≈ 30 mm
  if (count >= 478) {
    // The two iris groups (468–472, 473–477): take the one whose centre is nearest this eye.
    let bestD = Infinity;
    for (const start of [468, 473]) {
      const ix = all[start * 3]!;
      const iy = all[start * 3 + 1]!;
      const d = Math.hypot(ix - cx, iy - cy);
      if (d < bestD) {
        bestD = d;
        irisCenterPx = [ix, iy];
        // The iris is a circle: a turned eye shows it as an ellipse whose long axis is its radius (the mean of the 4 rim
        // points shrinks it in a side glance). Semi-axes from the two opposite rim pairs (469/471, 470/472).
        const rim = (k: number, j: number): number => Math.hypot(all[(start + k) * 3]! - all[(start + j) * 3]!, all[(start + k) * 3 + 1]! - all[(start + j) * 3 + 1]!) / 2;
        const r = Math.max(rim(1, 3), rim(2, 4));
        if (r > 0.15 * halfWidthPx && r < 0.8 * halfWidthPx) irisRadiusPx = r;
      }
    }
  }
  return { centerPx: [cx, cy], irisCenterPx, irisRadiusPx, halfWidthPx, halfHeightPx, depthPx: cz };
}

/**
 * Evaluates the rig: face-mesh positions for a set of blendshape weights (jaw rotation included).
 * @param rig - from {@link buildPhotoHeadRig}.
 * @param weights - 52 ARKit weights (values clamped to [0,1]).
 * @param outPx - receives `[468, 3]` positions in landmark pixel space.
 * @returns `outPx`.
 * @remarks Order: rest + Σ wₖ·Δₖ, then the jaw rotation by `JAW_OPEN_MAX_RAD · (jawWeight + jawWeightWide · x) · x`,
 * `x = max(0, jawOpen − mouthClose · lipCloseWeight)`, about the pivot, in the (y, z) plane of the image, then the upper lip's rise
 * (`upperLipRisePx · max(0, jawOpen − mouthClose)`). The same as
 * {@link evaluateRigRelative} with a rest expression of zeros.
 */
export function evaluateRig(rig: PhotoHeadRig, weights: Float32Array, outPx: Float32Array): Float32Array {
  return evaluateRigRelative(rig, weights, null, outPx);
}

/**
 * Per-vertex jaw rotation of absolute weights, radians: `MAX · (jawWeightᵢ + jawWeightWideᵢ · x) · x` with
 * `x = max(0, jawOpen − mouthClose · lipCloseWeightᵢ)`. ARKit's mouthClose closes the lips against the open jaw: mouthClose = jawOpen puts the lips
 * together (the convention of the speech tracks, core/motion/lipsync.ts `lipAperture`), the chin still drops.
 */
function jawAngleRad(rig: PhotoHeadRig, jaw01: number, close01: number, i: number): number {
  const x = Math.max(0, jaw01 - close01 * rig.lipCloseWeight[i]!);
  return JAW_OPEN_MAX_RAD * (rig.jawWeight[i]! + rig.jawWeightWide[i]! * x) * x;
}

const clamp01 = (x: number): number => Math.min(1, Math.max(0, x));

/**
 * Evaluates the rig for ABSOLUTE target weights on a photo whose own expression is `rest` (DESIGN.md §2: 0 is the
 * neutral face, whatever the photo shows): the rest expression reproduces the photo, zeros give the neutral face.
 * @param rig - from {@link buildPhotoHeadRig} (its rest positions are the photo's landmarks).
 * @param targets - 52 ARKit weights, clamped to [0,1].
 * @param rest - the photo's own 52 weights in [0,1] (e.g. {@link measureRestExpression}), or null for zeros.
 * @param outPx - receives `[468, 3]` positions in landmark pixel space.
 * @param keepLipsApart - with a rest expression, keep the inner lips from crossing (default true; the
 *   rest-expression solver turns it off so its lip-gap residual stays smooth).
 * @returns `outPx`.
 * @remarks The rig is linear in the shape deltas, so the photo is moved by Σ (tₖ − rₖ)·Δₖ (negative where a shape is
 * undone); the jaw then rotates each vertex by the difference of the per-vertex jaw angles of the target and the
 * rest (rotations about one axis compose by adding angles), so a photographed open jaw closes for jawOpen 0.
 */
export function evaluateRigRelative(rig: PhotoHeadRig, targets: Float32Array, rest: Float32Array | null, outPx: Float32Array, keepLipsApart = true): Float32Array {
  const n = RIG_VERTEX_COUNT;
  outPx.set(rig.restPx);
  for (let k = 0; k < ARKIT_BLENDSHAPE_COUNT; k++) {
    const d = rig.deltas[k];
    const w = clamp01(targets[k] ?? 0) - (rest ? clamp01(rest[k] ?? 0) : 0);
    if (!d || w === 0) continue;
    for (let j = 0; j < n * 3; j++) outPx[j] = outPx[j]! + w * d[j]!;
  }
  const jaw = clamp01(targets[BS.jawOpen] ?? 0);
  const close = clamp01(targets[BS.mouthClose] ?? 0);
  const jawRest = rest ? clamp01(rest[BS.jawOpen] ?? 0) : 0;
  const closeRest = rest ? clamp01(rest[BS.mouthClose] ?? 0) : 0;
  if (jaw > 0 || jawRest > 0) {
    const [py, pz] = rig.jawPivotPx;
    for (let i = 0; i < n; i++) {
      const a = jawAngleRad(rig, jaw, close, i) - jawAngleRad(rig, jawRest, closeRest, i);
      if (a === 0) continue;
      const dy = outPx[i * 3 + 1]! - py;
      const dz = outPx[i * 3 + 2]! - pz;
      const c = Math.cos(a);
      const s = Math.sin(a);
      outPx[i * 3 + 1] = py + dy * c - dz * s;
      outPx[i * 3 + 2] = pz + dy * s + dz * c;
    }
  }
  // The upper lip rises with the lip aperture (jaw − mouthClose), relative to the photo's own aperture.
  const aperture = Math.max(0, jaw - close) - Math.max(0, jawRest - closeRest);
  if (aperture !== 0) {
    const rise = rig.upperLipRisePx;
    for (let i = 0; i < n; i++) {
      if (rise[i * 2] === 0 && rise[i * 2 + 1] === 0) continue;
      outPx[i * 3] = outPx[i * 3]! + aperture * rise[i * 2]!;
      outPx[i * 3 + 1] = outPx[i * 3 + 1]! + aperture * rise[i * 2 + 1]!;
    }
  }
  if (rest && keepLipsApart) keepLipsUncrossed(rig, outPx);
  return outPx;
}

/** Inner-lip vertex pairs (upper, lower) facing each other across the mouth opening, right corner to left. */
const INNER_LIP_FACING: readonly (readonly [number, number])[] = [
  [191, 95], [80, 88], [81, 178], [82, 87], [13, 14], [312, 317], [311, 402], [310, 318], [415, 324],
];

/**
 * Closing a photographed open mouth moves each lip by the undone shapes; where that carries the lower lip past the
 * upper one (the photo's opening is not the rig's oval), both meet halfway instead, so the lips close without
 * folding over each other. A pair that overlapped in the photo itself may overlap that much (the photo is kept).
 */
function keepLipsUncrossed(rig: PhotoHeadRig, outPx: Float32Array): void {
  const [ex0, ex1] = rig.frame.ey;
  for (const [u, l] of INNER_LIP_FACING) {
    const gapOf = (p: Float32Array): number => (p[l * 3]! - p[u * 3]!) * ex0 + (p[l * 3 + 1]! - p[u * 3 + 1]!) * ex1;
    const floor = Math.min(0, gapOf(rig.restPx));
    const g = gapOf(outPx);
    if (g >= floor) continue;
    const half = (floor - g) / 2;
    outPx[u * 3] = outPx[u * 3]! - half * ex0;
    outPx[u * 3 + 1] = outPx[u * 3 + 1]! - half * ex1;
    outPx[l * 3] = outPx[l * 3]! + half * ex0;
    outPx[l * 3 + 1] = outPx[l * 3 + 1]! + half * ex1;
  }
}

/**
 * Eye rotation per eye: the track's gaze angles when any is non-zero, else the `eyeLook*` weights.
 * @param weights - 52 ARKit weights.
 * @param gazeRad - `(leftYaw, leftPitch, rightYaw, rightPitch)` radians; +yaw looks to the subject's left, +pitch up.
 * @returns `[rightYaw, rightPitch, leftYaw, leftPitch]` radians (same conventions).
 * @remarks ARKit: `eyeLookOut` turns an eye away from the nose, `eyeLookIn` towards it; the subject's left is
 * "out" for the left eye and "in" for the right eye.
 */
export function eyeRotations(weights: Float32Array, gazeRad: Float32Array): [number, number, number, number] {
  // gazeRad and eyeLook* are two views of one gaze (producers write both; morph-only avatars read the
  // weights): the angles win when present, so a track carrying both is not applied twice.
  if ((gazeRad[0] ?? 0) !== 0 || (gazeRad[1] ?? 0) !== 0 || (gazeRad[2] ?? 0) !== 0 || (gazeRad[3] ?? 0) !== 0) {
    return [gazeRad[2] ?? 0, gazeRad[3] ?? 0, gazeRad[0] ?? 0, gazeRad[1] ?? 0];
  }
  const w = (k: number): number => Math.min(1, Math.max(0, weights[k] ?? 0));
  const leftYaw = (w(BS.eyeLookOutLeft) - w(BS.eyeLookInLeft)) * EYE_LOOK_MAX_RAD;
  const leftPitch = (w(BS.eyeLookUpLeft) - w(BS.eyeLookDownLeft)) * EYE_LOOK_MAX_RAD * 0.7;
  const rightYaw = (w(BS.eyeLookInRight) - w(BS.eyeLookOutRight)) * EYE_LOOK_MAX_RAD;
  const rightPitch = (w(BS.eyeLookUpRight) - w(BS.eyeLookDownRight)) * EYE_LOOK_MAX_RAD * 0.7;
  return [rightYaw, rightPitch, leftYaw, leftPitch];
}
