/**
 * A cap on how steeply the face mesh's sides fall away from the camera, so that an orbit never stretches a side of
 * the face beyond what its photo pixels can show.
 *
 * @remarks A surface element whose normal makes an angle θ with the view direction is drawn `cos θ` wide per unit
 * length; turning the camera by φ towards it draws it `cos(θ − φ)` wide, a stretch of `cos φ + tan θ · sin φ`. At a
 * turned face's hidden cheek MediaPipe's depths fall away at θ ≈ 75–85° (the photo holds that cheek in a few pixels),
 * so an orbit towards it stretched its triangles up to 6–8× in area (img04 at −25…−30°: streaks, a second cheek edge). Capping the
 * outward depth slope at `tan θmax`, where `cos φmax + tan θmax · sin φmax = MAX_SIDE_STRETCH`, bounds the stretch at
 * the orbit limit. Each triangle of the face mesh (MediaPipe's, `TRI468`) whose depth plane is steeper than that
 * across the face (∂z/∂u, u along the eye line, px/px) has its depths projected orthogonally onto the cap — a linear
 * constraint that keeps the triangle's mean depth — pass after pass over all triangles until every one holds it
 * (projections onto convex sets, Gauss–Seidel order; Bregman 1965 / Gubin, Polyak & Raik 1967). Steep places are the
 * hidden cheek and jaw of a turned face and the nose's hidden flank; a frontal face's gentle slopes are left alone.
 * Only depths move (never x, y): every vertex stays on its own photo pixel, so the rest view is unchanged.
 */
import { InvalidInputError } from '../errors.ts';
import { TRI468 } from '../rig/topologyTables.ts';
import { DEG_TO_RAD, ORBIT_LIMITS_DEG } from '../jobs/options.ts';

/** Largest stretch of a face side at the orbit limit (design value: past ~2× magnification a photo texel reads as a streak). */
export const MAX_SIDE_STRETCH = 2;
/** Most projection passes over the triangles (each projects every too-steep triangle's depths onto the cap). */
const PASSES = 500;
/** MediaPipe Face Mesh eye corners: subject's right eye (outer, inner), left eye (inner, outer). */
const EYE_CORNERS = [33, 133, 362, 263] as const;

/**
 * The steepest outward depth slope (|dz| per px across the face) that keeps the stretch of a face side at most
 * {@link MAX_SIDE_STRETCH} when the camera orbits by `orbitLimitRad` towards it.
 * @param orbitLimitRad - the largest orbit yaw, radians, in (0, π/2).
 * @returns tan θmax (≥ 0).
 */
export function sideSlopeLimit(orbitLimitRad: number): number {
  return Math.max(0, (MAX_SIDE_STRETCH - Math.cos(orbitLimitRad)) / Math.sin(orbitLimitRad));
}

/**
 * Landmarks whose face-mesh triangles fall away across the face (along the eye line) at most `slope` px of depth per
 * px (see the module remarks).
 * @param landmarksPx - `[N, 3]` MediaPipe Face Mesh landmarks (x, y in photo px; z in px, larger = farther), N ≥ 468.
 * @param landmarkCount - N.
 * @param slope - the largest outward depth slope, px/px ({@link sideSlopeLimit}).
 * @returns a new `[N, 3]` array; x and y are copied unchanged, z moves only where a triangle was steeper (the iris
 *   points, N > 468, are copied).
 * @throws InvalidInputError when fewer than 468 landmarks are given.
 */
export function capSideRelief(landmarksPx: Float32Array, landmarkCount: number, slope: number): Float32Array {
  if (landmarkCount < 468 || landmarksPx.length < landmarkCount * 3) throw new InvalidInputError(`capSideRelief: needs ≥ 468 landmarks, got ${landmarkCount}`);
  const out = Float32Array.from(landmarksPx.subarray(0, landmarkCount * 3));
  const at = (i: number, c: number): number => landmarksPx[i * 3 + c]!;
  const eye = (a: number, b: number): [number, number] => [(at(a, 0) + at(b, 0)) / 2, (at(a, 1) + at(b, 1)) / 2];
  const right = eye(EYE_CORNERS[0], EYE_CORNERS[1]);
  const left = eye(EYE_CORNERS[2], EYE_CORNERS[3]);
  const len = Math.hypot(left[0] - right[0], left[1] - right[1]);
  if (!(len > 0)) return out;
  const ex = [(left[0] - right[0]) / len, (left[1] - right[1]) / len];
  const mid = [(left[0] + right[0]) / 2, (left[1] + right[1]) / 2];
  const u = new Float32Array(landmarkCount);
  const w = new Float32Array(landmarkCount);
  for (let i = 0; i < landmarkCount; i++) {
    const dx = at(i, 0) - mid[0]!;
    const dy = at(i, 1) - mid[1]!;
    u[i] = dx * ex[0]! + dy * ex[1]!;
    w[i] = -dx * ex[1]! + dy * ex[0]!;
  }
  const z = new Float64Array(landmarkCount);
  for (let i = 0; i < landmarkCount; i++) z[i] = at(i, 2);
  for (let pass = 0; pass < PASSES; pass++) {
    let worst = 0;
    for (let t = 0; t < TRI468.length; t += 3) {
      const a = TRI468[t]!, b = TRI468[t + 1]!, c = TRI468[t + 2]!;
      const ub = u[b]! - u[a]!, wb = w[b]! - w[a]!, uc = u[c]! - u[a]!, wc = w[c]! - w[a]!;
      const det = ub * wc - uc * wb;
      if (Math.abs(det) < 1e-6) continue;
      // ∂z/∂u of the triangle's plane = ca·za + cb·zb + cc·zc (ca + cb + cc = 0: the projection keeps the mean depth).
      const cb = wc / det, cc = -wb / det, ca = -cb - cc;
      const gu = ca * z[a]! + cb * z[b]! + cc * z[c]!;
      if (Math.abs(gu) <= slope) continue;
      worst = Math.max(worst, Math.abs(gu) / slope);
      // Orthogonal projection onto |∂z/∂u| ≤ slope (POCS, Gauss–Seidel order).
      const s = (gu - Math.sign(gu) * slope) / (ca * ca + cb * cb + cc * cc);
      z[a] = z[a]! - s * ca;
      z[b] = z[b]! - s * cb;
      z[c] = z[c]! - s * cc;
    }
    if (worst <= 1.005) break;
  }
  for (let i = 0; i < landmarkCount; i++) out[i * 3 + 2] = z[i]!;
  return out;
}

/**
 * {@link capSideRelief} at the product's orbit yaw limit (`ORBIT_LIMITS_DEG.yaw`, core/jobs/options.ts): the depths
 * the photo head's rig is built on (renderer/head/photoHead.ts).
 * @param landmarksPx - `[N, 3]` landmarks, photo px (N ≥ 468).
 * @param landmarkCount - N.
 * @returns a new `[N, 3]` array.
 * @throws InvalidInputError when fewer than 468 landmarks are given.
 */
export function orbitReliefLandmarks(landmarksPx: Float32Array, landmarkCount: number): Float32Array {
  return capSideRelief(landmarksPx, landmarkCount, sideSlopeLimit(ORBIT_LIMITS_DEG.yaw * DEG_TO_RAD));
}
