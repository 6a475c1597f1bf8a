/**
 * Solves ARKit blendshape weights that best explain observed face landmarks, against a rig's landmark
 * response (the same rig that renders the head), with bounds [0,1] and an L2 prior.
 *
 * @remarks Method: bounded, regularised Gauss–Newton. Each outer iteration linearises the rig around the
 * current weights with forward differences (one rig evaluation per active blendshape), forms the normal
 * equations (JᵀWJ + λI) and solves them under 0 ≤ w ≤ 1 by projected Gauss–Seidel (coordinate descent with
 * clamping), which converges for symmetric positive-definite systems (Luo & Tseng 1992, "On the convergence
 * of the coordinate descent method for convex differentiable minimization"). The rig is nearly linear
 * (per-vertex deltas plus a small jaw rotation), so 2–3 outer iterations suffice.
 */
import { boxedGaussSeidel } from '../math/boxedGaussSeidel.ts';
import { ARKIT_BLENDSHAPE_COUNT } from '../motion/names.ts';

/** A landmark-space rig: weights → vertex positions. */
export interface LandmarkRig {
  /** Number of vertices V the rig outputs (468 for the MediaPipe mesh). */
  vertexCount: number;
  /**
   * Vertex positions for the given weights.
   * @param weights - 52 ARKit weights in [0,1].
   * @param outPx - receives `[V, 3]` positions (x, y px, z px).
   */
  evaluate(weights: Float32Array, outPx: Float32Array): Float32Array;
}

/** Options of {@link createBlendshapeSolver}. */
export interface SolverOptions {
  /** ARKit indices to solve; the others stay 0. */
  activeIndices: readonly number[];
  /**
   * ARKit indices whose response is not linear in the weights (e.g. `jawOpen`, a rotation, and `mouthClose`,
   * which scales it): their Jacobian columns are recomputed at each outer iteration. The other columns are
   * computed once, at w = 0.
   */
  nonlinearIndices?: readonly number[];
  /** Per-vertex weights `[V]` of the residual (0 = ignore the vertex); default all 1. */
  vertexWeights?: Float32Array;
  /** Weight of the z (depth) residual relative to x/y; MediaPipe z is noisier. Default 0.3. */
  zWeight?: number;
  /** L2 prior towards 0, in squared pixels per unit weight (scale it with the face size squared). */
  l2: number;
  /** Outer Gauss–Newton iterations, default 3. */
  iterations?: number;
}

/** A solver bound to one rig: linearisation and normal matrix computed once, reused for every frame. */
export interface BlendshapeSolver {
  /**
   * Finds w ∈ [0,1]^52 minimising Σᵥ ωᵥ‖rig(w)ᵥ − targetᵥ‖² (z scaled by `zWeight`) + λ‖w‖².
   * @param targetPx - observed positions `[V, 3]` in the rig's own space (head pose already removed).
   * @param init - optional starting weights (52), e.g. the previous frame's solution.
   * @returns a new Float32Array(52) of weights in ARKit order; inactive shapes are 0.
   */
  solve(targetPx: Float32Array, init?: Float32Array): Float32Array;
}

/**
 * Creates a bounded, regularised Gauss–Newton solver for a rig (see the module remarks).
 * @param rig - the landmark rig.
 * @param opts - see {@link SolverOptions}.
 * @returns the solver.
 */
export function createBlendshapeSolver(rig: LandmarkRig, opts: SolverOptions): BlendshapeSolver {
  const V = rig.vertexCount;
  const active = opts.activeIndices;
  const K = active.length;
  const zw = opts.zWeight ?? 0.3;
  const nonlinear = new Set(opts.nonlinearIndices ?? []);
  const rowWeight = new Float64Array(V * 3);
  for (let v = 0; v < V; v++) {
    const vw = opts.vertexWeights ? opts.vertexWeights[v]! : 1;
    rowWeight[v * 3] = vw;
    rowWeight[v * 3 + 1] = vw;
    rowWeight[v * 3 + 2] = vw * zw * zw;
  }
  const h = 0.05;
  const base = new Float32Array(V * 3);
  const probe = new Float32Array(V * 3);
  const cols: Float64Array[] = Array.from({ length: K }, () => new Float64Array(V * 3));
  const H = new Float64Array(K * K);

  const column = (w: Float32Array, a: number): void => {
    const k = active[a]!;
    const w0 = w[k]!;
    const step = w0 + h <= 1 ? h : -h;
    w[k] = w0 + step;
    rig.evaluate(w, probe);
    w[k] = w0;
    const col = cols[a]!;
    for (let j = 0; j < V * 3; j++) col[j] = (probe[j]! - base[j]!) / step;
  };
  const hessianRow = (a: number): void => {
    const ca = cols[a]!;
    for (let b = 0; b < K; b++) {
      const cb = cols[b]!;
      let s = 0;
      for (let j = 0; j < V * 3; j++) s += ca[j]! * rowWeight[j]! * cb[j]!;
      H[a * K + b] = s + (a === b ? opts.l2 : 0);
      H[b * K + a] = s + (a === b ? opts.l2 : 0);
    }
  };

  // Linearise once at w = 0.
  const zero = new Float32Array(ARKIT_BLENDSHAPE_COUNT);
  rig.evaluate(zero, base);
  for (let a = 0; a < K; a++) column(zero, a);
  for (let a = 0; a < K; a++) hessianRow(a);
  const nonlinearCols = active.map((k, a) => (nonlinear.has(k) ? a : -1)).filter((a) => a >= 0);

  return {
    solve(targetPx, init) {
      const w = new Float32Array(ARKIT_BLENDSHAPE_COUNT);
      if (init) for (const k of active) w[k] = init[k]!;
      const g = new Float64Array(K);
      const d = new Float64Array(K);
      for (let it = 0; it < (opts.iterations ?? 3); it++) {
        rig.evaluate(w, base);
        if (it > 0 || init) {
          for (const a of nonlinearCols) column(w, a);
          for (const a of nonlinearCols) hessianRow(a);
        }
        // Normal equations for the step d: (JᵀΩJ + λI) d = JᵀΩ r − λ w
        for (let a = 0; a < K; a++) {
          const ca = cols[a]!;
          let ga = 0;
          for (let j = 0; j < V * 3; j++) ga += ca[j]! * rowWeight[j]! * (targetPx[j]! - base[j]!);
          g[a] = ga - opts.l2 * w[active[a]!]!;
        }
        // Projected Gauss–Seidel on d with bounds −w ≤ d ≤ 1 − w.
        boxedGaussSeidel(H, g, (a) => w[active[a]!]!, d, 80, 1e-5);
        for (let a = 0; a < K; a++) {
          const k = active[a]!;
          w[k] = Math.min(1, Math.max(0, w[k]! + d[a]!));
        }
      }
      return w;
    },
  };
}

/**
 * The blendshapes a rig can observe: those whose weight-1 response moves some vertex by more than
 * `minMotionPx`.
 * @param rig - the landmark rig.
 * @param minMotionPx - smallest largest-vertex displacement that counts, px.
 * @returns ARKit indices, ascending.
 */
export function observableBlendshapes(rig: LandmarkRig, minMotionPx: number): number[] {
  const V = rig.vertexCount;
  const zero = new Float32Array(ARKIT_BLENDSHAPE_COUNT);
  const base = rig.evaluate(zero, new Float32Array(V * 3));
  const probe = new Float32Array(V * 3);
  const out: number[] = [];
  for (let k = 0; k < ARKIT_BLENDSHAPE_COUNT; k++) {
    zero.fill(0);
    zero[k] = 1;
    rig.evaluate(zero, probe);
    let maxMove = 0;
    for (let v = 0; v < V; v++) {
      const dx = probe[v * 3]! - base[v * 3]!;
      const dy = probe[v * 3 + 1]! - base[v * 3 + 1]!;
      maxMove = Math.max(maxMove, Math.hypot(dx, dy));
    }
    if (maxMove > minMotionPx) out.push(k);
  }
  return out;
}
