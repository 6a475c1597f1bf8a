/**
 * Head pose from 468 mesh landmarks: a similarity fit (Umeyama 1991) of a frontal reference face to the
 * observed 3D landmarks, read out as yaw/pitch/roll (Euler 'YXZ'), scale and translation.
 * @remarks
 * Method: observed landmarks `(x, y, z)` in pixels (y down, z smaller = closer) are turned into a right-handed,
 * y-up, camera-facing frame `(x, −y, −z)`; the rotation R, scale s and translation t minimising
 * Σ‖s·R·refᵢ + t − obsᵢ‖² are found in closed form (S. Umeyama, "Least-squares estimation of transformation
 * parameters between two point patterns", IEEE TPAMI 13(4), 1991), with Jacobi eigen-decomposition of the
 * 4×4 quaternion matrix (B. K. P. Horn, "Closed-form solution of absolute orientation using unit quaternions",
 * JOSA A 4(4), 1987) so that R is a proper rotation. Only rigid points are used (no mouth, jaw or eyelids).
 *
 * Reference: MediaPipe's canonical face model is not shipped in npm, so {@link FRONTAL_REFERENCE_CM} is derived
 * (see `pipeline/face/buildPoseReference.ts`): our own mesh of the frontal corpus portrait img01, expressed in a
 * head frame whose X axis is the normal of the least-squares plane through the mesh's mid-line vertices (yaw and
 * roll zero = the face's symmetry plane contains the camera axis), Z the camera's viewing axis made orthogonal to X
 * (pitch zero = as the frontal portrait looks into the camera), Y = Z × X (up, toward the forehead), origin at the
 * mid-line centroid, scaled so that
 * the outer eye corners (33, 263) are 9.0 cm apart (adult exocanthion width, Farkas 1994).
 *
 * Translation assumes a pinhole camera with focal length equal to the image's long side (≈ 53° field of view)
 * when the caller does not know the intrinsics.
 */
import type { HeadPoseEstimate } from './types.ts';
import { FRONTAL_REFERENCE_CM } from './poseReference.ts';

/** Mid-line vertices of the MediaPipe mesh (x = 0 in the canonical model), forehead to chin. */
export const MIDLINE_INDICES: readonly number[] = Object.freeze([10, 151, 9, 8, 168, 6, 197, 195, 5, 4, 1, 19, 94, 2, 164, 0, 11, 12, 13, 14, 15, 16, 17, 18, 200, 199, 175, 152]);

/**
 * Rigid landmarks used for the fit: forehead, brow ridge, nose, cheekbones, eye corners, temples (no lips, jaw
 * or lids, which move with expression).
 */
export const POSE_FIT_INDICES: readonly number[] = Object.freeze([
  10, 151, 9, 8, 168, 6, 197, 195, 5, 4, 1, 19, 94, 2, 33, 133, 362, 263, 70, 63, 105, 66, 107, 336, 296, 334, 293, 300, 234, 454, 127, 356, 116, 345, 50, 280, 98, 327, 48, 278, 129, 358, 109, 338, 67, 297,
]);

/** Distance between the outer eye corners of the reference, centimetres. */
export const REFERENCE_BIOCULAR_WIDTH_CM = 9.0;

/** Result of a similarity fit: obs ≈ s·R·ref + t. */
export interface SimilarityFit {
  /** Row-major 3×3 rotation. */
  rotation: number[];
  scale: number;
  translation: [number, number, number];
  /** RMS residual in observation units. */
  rmsResidual: number;
}

/**
 * Closed-form similarity fit (Umeyama 1991 / Horn 1987) of `ref` onto `obs`.
 * @param ref - reference points `[x0,y0,z0,x1,…]`. @param obs - observed points, same count and order.
 * @returns rotation, scale, translation and the RMS residual.
 */
export function fitSimilarity(ref: ArrayLike<number>, obs: ArrayLike<number>): SimilarityFit {
  const n = ref.length / 3;
  const mr = [0, 0, 0];
  const mo = [0, 0, 0];
  for (let i = 0; i < n; i++) for (let k = 0; k < 3; k++) {
    mr[k]! += ref[i * 3 + k]! / n;
    mo[k]! += obs[i * 3 + k]! / n;
  }
  const S = new Array<number>(9).fill(0);
  let varRef = 0;
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < 3; a++) {
      const ra = ref[i * 3 + a]! - mr[a]!;
      varRef += ra * ra;
      for (let b = 0; b < 3; b++) S[a * 3 + b]! += ra * (obs[i * 3 + b]! - mo[b]!);
    }
  }
  const [sxx, sxy, sxz, syx, syy, syz, szx, szy, szz] = S as [number, number, number, number, number, number, number, number, number];
  const N = [
    [sxx + syy + szz, syz - szy, szx - sxz, sxy - syx],
    [syz - szy, sxx - syy - szz, sxy + syx, szx + sxz],
    [szx - sxz, sxy + syx, -sxx + syy - szz, syz + szy],
    [sxy - syx, szx + sxz, syz + szy, -sxx - syy + szz],
  ];
  const { values, vectors } = jacobiEigen4(N);
  let best = 0;
  for (let i = 1; i < 4; i++) if (values[i]! > values[best]!) best = i;
  const q = [vectors[0]![best]!, vectors[1]![best]!, vectors[2]![best]!, vectors[3]![best]!];
  const [w, x, y, z] = q as [number, number, number, number];
  const R = [
    w * w + x * x - y * y - z * z, 2 * (x * y - w * z), 2 * (x * z + w * y),
    2 * (x * y + w * z), w * w - x * x + y * y - z * z, 2 * (y * z - w * x),
    2 * (x * z - w * y), 2 * (y * z + w * x), w * w - x * x - y * y + z * z,
  ];
  // scale = Σ obs'·(R ref') / Σ|ref'|²
  let num = 0;
  for (let i = 0; i < n; i++) {
    const r0 = ref[i * 3]! - mr[0]!;
    const r1 = ref[i * 3 + 1]! - mr[1]!;
    const r2 = ref[i * 3 + 2]! - mr[2]!;
    for (let a = 0; a < 3; a++) num += (obs[i * 3 + a]! - mo[a]!) * (R[a * 3]! * r0 + R[a * 3 + 1]! * r1 + R[a * 3 + 2]! * r2);
  }
  const s = num / varRef;
  const t: [number, number, number] = [0, 0, 0];
  for (let a = 0; a < 3; a++) t[a] = mo[a]! - s * (R[a * 3]! * mr[0]! + R[a * 3 + 1]! * mr[1]! + R[a * 3 + 2]! * mr[2]!);
  let sse = 0;
  for (let i = 0; i < n; i++) for (let a = 0; a < 3; a++) {
    const p = s * (R[a * 3]! * ref[i * 3]! + R[a * 3 + 1]! * ref[i * 3 + 1]! + R[a * 3 + 2]! * ref[i * 3 + 2]!) + t[a]!;
    sse += (p - obs[i * 3 + a]!) ** 2;
  }
  return { rotation: R, scale: s, translation: t, rmsResidual: Math.sqrt(sse / n) };
}

/** Cyclic Jacobi eigen-decomposition of a symmetric 4×4 matrix. Columns of `vectors` are eigenvectors. */
function jacobiEigen4(A0: number[][]): { values: number[]; vectors: number[][] } {
  const A = A0.map((r) => r.slice());
  const V = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]];
  for (let sweep = 0; sweep < 50; sweep++) {
    let off = 0;
    for (let p = 0; p < 4; p++) for (let q = p + 1; q < 4; q++) off += A[p]![q]! ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < 4; p++) for (let q = p + 1; q < 4; q++) {
      const apq = A[p]![q]!;
      if (Math.abs(apq) < 1e-300) continue;
      const theta = (A[q]![q]! - A[p]![p]!) / (2 * apq);
      const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
      const c = 1 / Math.sqrt(t * t + 1);
      const s = t * c;
      for (let k = 0; k < 4; k++) {
        const akp = A[k]![p]!;
        const akq = A[k]![q]!;
        A[k]![p] = c * akp - s * akq;
        A[k]![q] = s * akp + c * akq;
      }
      for (let k = 0; k < 4; k++) {
        const apk = A[p]![k]!;
        const aqk = A[q]![k]!;
        A[p]![k] = c * apk - s * aqk;
        A[q]![k] = s * apk + c * aqk;
      }
      for (let k = 0; k < 4; k++) {
        const vkp = V[k]![p]!;
        const vkq = V[k]![q]!;
        V[k]![p] = c * vkp - s * vkq;
        V[k]![q] = s * vkp + c * vkq;
      }
    }
  }
  return { values: [A[0]![0]!, A[1]![1]!, A[2]![2]!, A[3]![3]!], vectors: V };
}

/**
 * Euler angles 'YXZ' (yaw about Y, then pitch about X, then roll about Z) of a row-major rotation matrix.
 * @param R - row-major 3×3 rotation in a right-handed y-up frame.
 * @returns `[yRad, xRad, zRad]` rotation angles (right-hand rule), as three.js `Euler.setFromRotationMatrix(m, 'YXZ')`.
 */
export function eulerYXZ(R: readonly number[]): [number, number, number] {
  const m23 = R[5]!;
  const x = Math.asin(-Math.max(-1, Math.min(1, m23)));
  let y: number;
  let z: number;
  if (Math.abs(m23) < 0.9999999) {
    y = Math.atan2(R[2]!, R[8]!);
    z = Math.atan2(R[3]!, R[4]!);
  } else {
    y = Math.atan2(-R[6]!, R[0]!);
    z = 0;
  }
  return [y, x, z];
}

/**
 * Fits the head pose of one face.
 * @param landmarksPx - `[N,3]` landmarks in image pixels (N ≥ 468; z in pixels, smaller = closer).
 * @param imageWidthPx - image width (for the translation); default: translation relative to the landmarks' frame.
 * @param imageHeightPx - image height.
 * @param focalPx - focal length in pixels; default the image's long side.
 * @returns yaw/pitch/roll in radians (+yaw = turned to the subject's left, +pitch = up, +roll = clockwise as the
 * viewer sees it), translation in metres in the three.js camera frame (camera looks down −Z), and the scale in
 * pixels per centimetre; `undefined` when the reference is unavailable.
 */
export function estimateHeadPose(landmarksPx: ArrayLike<number>, imageWidthPx?: number, imageHeightPx?: number, focalPx?: number): HeadPoseEstimate | undefined {
  if (FRONTAL_REFERENCE_CM.length < 468 * 3) return undefined;
  const idx = POSE_FIT_INDICES;
  const ref = new Float64Array(idx.length * 3);
  const obs = new Float64Array(idx.length * 3);
  idx.forEach((li, k) => {
    ref[k * 3] = FRONTAL_REFERENCE_CM[li * 3]!;
    ref[k * 3 + 1] = FRONTAL_REFERENCE_CM[li * 3 + 1]!;
    ref[k * 3 + 2] = FRONTAL_REFERENCE_CM[li * 3 + 2]!;
    obs[k * 3] = landmarksPx[li * 3]!;
    obs[k * 3 + 1] = -landmarksPx[li * 3 + 1]!;
    obs[k * 3 + 2] = -landmarksPx[li * 3 + 2]!;
  });
  const fit = fitSimilarity(ref, obs);
  const [yRot, xRot, zRot] = eulerYXZ(fit.rotation);
  const w = imageWidthPx ?? 0;
  const h = imageHeightPx ?? 0;
  const f = focalPx ?? Math.max(w, h, 1);
  // head origin (reference origin) in pixels, y down
  const cxPx = fit.translation[0];
  const cyPx = -fit.translation[1];
  const depthM = (f / fit.scale) * 0.01;
  const xM = ((cxPx - w / 2) / fit.scale) * 0.01;
  const yM = (-(cyPx - h / 2) / fit.scale) * 0.01;
  return { yawRad: yRot, pitchRad: -xRot, rollRad: -zRot, translationM: [xM, yM, -depthM], scalePxPerCm: fit.scale };
}
