/**
 * The in-memory Gaussian-splat cloud every splat parser produces and every splat renderer consumes.
 *
 * @remarks
 * Conventions follow 3D Gaussian Splatting (Kerbl et al., SIGGRAPH 2023, "3D Gaussian Splatting for
 * Real-Time Radiance Field Rendering"): a splat is a 3D Gaussian with centre μ, covariance
 * Σ = R S Sᵀ Rᵀ (R from a unit quaternion, S = diag(scale)), an opacity in [0,1] and a colour.
 * Here everything is already *decoded*: scales are linear (not log), opacity is post-sigmoid, colour is the
 * degree-0 SH term mapped to RGB (`0.5 + SH_C0 · f_dc`). Higher SH bands are not kept.
 */
import { NonFiniteValueError } from './errors.ts';

/**
 * Axis convention of a splat source.
 * - `opencv`: +X right, +Y down, +Z forward (RDF) — INRIA 3DGS `.ply`, antimatter15 `.splat`, `.ksplat`.
 * - `three`: +X right, +Y up, +Z back (RUB) — three.js world, SPZ's internal frame, glTF-relative LAM offsets.
 */
export type SplatFrame = 'opencv' | 'three';

/**
 * A decoded splat cloud of `count` Gaussians (structure of arrays).
 * Layouts: `positions` `[count,3]` xyz; `scales` `[count,3]` linear standard deviations (same unit as
 * positions, > 0); `rotations` `[count,4]` unit quaternions **xyzw**; `colors` `[count,3]` RGB in [0,1];
 * `opacities` `[count]` in [0,1].
 */
export interface SplatData {
  count: number;
  positions: Float32Array;
  scales: Float32Array;
  rotations: Float32Array;
  colors: Float32Array;
  opacities: Float32Array;
  /** Axis convention the arrays are in. */
  frame: SplatFrame;
  /** `gaussians` for a real 3DGS file, `points` for a plain point cloud turned into round splats. */
  kind: 'gaussians' | 'points';
  /** Spherical-harmonic degree stored in the source (only the DC term is decoded). */
  sourceShDegree: number;
}

/** Spherical-harmonic band-0 constant `1 / (2·sqrt(π))` (3DGS `SH_C0`, used for DC ↔ RGB). */
export const SH_C0 = 0.28209479177387814;

/**
 * Allocates a zeroed splat cloud with identity rotations.
 * @param count - number of splats, ≥ 0 integer.
 * @param frame - axis convention of the data to be written.
 * @param kind - `gaussians` or `points`.
 * @returns arrays of the documented layouts; `rotations[i*4+3] = 1`.
 */
export function allocSplatData(count: number, frame: SplatFrame, kind: 'gaussians' | 'points' = 'gaussians'): SplatData {
  const rotations = new Float32Array(count * 4);
  for (let i = 0; i < count; i++) rotations[i * 4 + 3] = 1;
  return {
    count,
    positions: new Float32Array(count * 3),
    scales: new Float32Array(count * 3),
    rotations,
    colors: new Float32Array(count * 3),
    opacities: new Float32Array(count),
    frame,
    kind,
    sourceShDegree: 0,
  };
}

/** Logistic sigmoid `1 / (1 + e^-x)` (3DGS stores opacity as its inverse, a logit). */
export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/**
 * Checks that every value of a decoded cloud is finite and in range.
 * @param data - decoded cloud.
 * @param source - file name or format, for the message.
 * @throws NonFiniteValueError naming the first bad splat index and field.
 */
export function assertFiniteSplats(data: SplatData, source: string): void {
  const fields: [keyof SplatData, Float32Array, number][] = [
    ['positions', data.positions, 3],
    ['scales', data.scales, 3],
    ['rotations', data.rotations, 4],
    ['colors', data.colors, 3],
    ['opacities', data.opacities, 1],
  ];
  for (const [name, arr, stride] of fields) {
    for (let k = 0; k < arr.length; k++) {
      const v = arr[k]!;
      if (!Number.isFinite(v)) {
        const index = Math.floor(k / stride);
        throw new NonFiniteValueError(`${source}: splat ${index} has a non-finite ${String(name)} value (${v})`, { source, splatIndex: index, field: name, value: String(v) });
      }
    }
  }
}

/**
 * Converts a cloud between the OpenCV (RDF) and three.js (RUB) axis conventions: a 180° rotation about X.
 * The rotation is its own inverse, so the same function serves both directions; it is the ONE place where
 * splat orientation is converted (callers go through {@link toThreeFrame} / {@link toFrame}).
 * @param data - cloud in either frame (not modified).
 * @returns a new cloud with `(x, y, z) → (x, −y, −z)`, `q → q_x(π) ⊗ q`, and `frame` swapped.
 * @remarks Σ' = R_x Σ R_xᵀ = (R_x R)(S²)(R_x R)ᵀ, so the Gaussian's quaternion is left-multiplied by
 * q_x(π) = (1, 0, 0, 0) (xyzw): (x, y, z, w) → (w, −z, y, −x).
 */
export function flipOpenCvThree(data: SplatData): SplatData {
  const n = data.count;
  const positions = new Float32Array(n * 3);
  const rotations = new Float32Array(n * 4);
  const p = data.positions;
  const q = data.rotations;
  for (let i = 0; i < n; i++) {
    positions[i * 3] = p[i * 3]!;
    positions[i * 3 + 1] = -p[i * 3 + 1]!;
    positions[i * 3 + 2] = -p[i * 3 + 2]!;
    const x = q[i * 4]!, y = q[i * 4 + 1]!, z = q[i * 4 + 2]!, w = q[i * 4 + 3]!;
    rotations[i * 4] = w;
    rotations[i * 4 + 1] = -z;
    rotations[i * 4 + 2] = y;
    rotations[i * 4 + 3] = -x;
  }
  return { ...data, positions, rotations, scales: data.scales.slice(), colors: data.colors.slice(), opacities: data.opacities.slice(), frame: data.frame === 'opencv' ? 'three' : 'opencv' };
}

/**
 * Returns the cloud in the requested frame (the input itself when it already is).
 * @param data - decoded cloud.
 * @param frame - wanted axis convention.
 * @returns `data` or its {@link flipOpenCvThree} conversion.
 */
export function toFrame(data: SplatData, frame: SplatFrame): SplatData {
  return data.frame === frame ? data : flipOpenCvThree(data);
}

/**
 * Returns the cloud in three.js world axes (+Y up, camera looks down −Z).
 * @param data - decoded cloud in its source frame.
 * @returns the cloud with `frame === 'three'`.
 */
export function toThreeFrame(data: SplatData): SplatData {
  return toFrame(data, 'three');
}

/** Axis-aligned bounds of splat centres. */
export interface SplatBounds {
  min: [number, number, number];
  max: [number, number, number];
  center: [number, number, number];
  /** Radius of the sphere around `center` that holds the box (half its diagonal). */
  radius: number;
}

/**
 * Bounds of splat centres, optionally ignoring outliers (real captures have stray floaters).
 * @param positions - `[N,3]` centres.
 * @param trimFraction - fraction in [0, 0.25] of points dropped at each end of every axis (0 = exact bounds).
 * @returns bounds; an empty cloud gives a zero box at the origin.
 * @remarks Trimming uses per-axis quantiles of (at most 100 000 evenly strided) centres.
 */
export function splatBounds(positions: Float32Array, trimFraction = 0): SplatBounds {
  const n = Math.floor(positions.length / 3);
  const min: [number, number, number] = [0, 0, 0];
  const max: [number, number, number] = [0, 0, 0];
  if (n > 0) {
    const t = Math.min(Math.max(trimFraction, 0), 0.25);
    const stride = t > 0 ? Math.max(1, Math.floor(n / 100_000)) : 1;
    for (let a = 0; a < 3; a++) {
      if (t > 0) {
        const vals: number[] = [];
        for (let i = 0; i < n; i += stride) vals.push(positions[i * 3 + a]!);
        vals.sort((u, v) => u - v);
        const lo = Math.floor(t * (vals.length - 1));
        min[a] = vals[lo]!;
        max[a] = vals[vals.length - 1 - lo]!;
      } else {
        let lo = Infinity, hi = -Infinity;
        for (let i = 0; i < n; i++) {
          const v = positions[i * 3 + a]!;
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
        min[a] = lo;
        max[a] = hi;
      }
    }
  }
  const center: [number, number, number] = [(min[0] + max[0]) / 2, (min[1] + max[1]) / 2, (min[2] + max[2]) / 2];
  const radius = 0.5 * Math.hypot(max[0] - min[0], max[1] - min[1], max[2] - min[2]);
  return { min, max, center, radius };
}

/**
 * Splat size for a plain point cloud: a round Gaussian whose standard deviation is a fraction of the mean
 * point spacing, so neighbouring points overlap into a surface.
 * @param positions - `[N,3]` centres.
 * @returns standard deviation in position units (> 0; 0.01 for a degenerate cloud).
 * @remarks Heuristic: spacing ≈ diagonal / N^(1/3) for a volume-filling cloud; σ = 0.35 · spacing.
 */
export function pointCloudSplatScale(positions: Float32Array): number {
  const n = Math.floor(positions.length / 3);
  const b = splatBounds(positions);
  const diag = 2 * b.radius;
  if (n === 0 || !(diag > 0) || !Number.isFinite(diag)) return 0.01;
  return (0.35 * diag) / Math.cbrt(n);
}
