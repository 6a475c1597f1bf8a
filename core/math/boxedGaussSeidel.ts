/**
 * Bounded least-squares step for blendshape solvers: minimise ½ dᵀHd − gᵀd with each weight staying in [0, 1].
 */

/**
 * Projected Gauss–Seidel on `H d = g` with the box `−w[a] ≤ d[a] ≤ 1 − w[a]` (so `w + d` stays in [0, 1]).
 * @param H - symmetric positive semi-definite `[K, K]` matrix, row-major.
 * @param g - right-hand side, length K.
 * @param weightOf - current weight of unknown `a` (sets its bounds), in [0, 1].
 * @param d - output step, length K; zeroed first.
 * @param maxSweeps - sweep limit (≥ 1).
 * @param tolerance - stop when no unknown changed by more than this in a sweep.
 * @returns `d`. Unknowns with a non-positive diagonal stay 0.
 * @remarks Projected Gauss–Seidel for box-constrained quadratic programs (Cryer 1971, "The solution of a
 *   quadratic programming problem using systematic overrelaxation", SIAM J. Control 9(3), without overrelaxation).
 */
export function boxedGaussSeidel(H: Float64Array, g: Float64Array, weightOf: (a: number) => number, d: Float64Array, maxSweeps: number, tolerance: number): Float64Array {
  const K = g.length;
  d.fill(0);
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let change = 0;
    for (let a = 0; a < K; a++) {
      const haa = H[a * K + a]!;
      if (haa <= 1e-12) continue;
      let s = g[a]!;
      for (let b = 0; b < K; b++) if (b !== a) s -= H[a * K + b]! * d[b]!;
      const wk = weightOf(a);
      const next = Math.min(1 - wk, Math.max(-wk, s / haa));
      change = Math.max(change, Math.abs(next - d[a]!));
      d[a] = next;
    }
    if (change < tolerance) break;
  }
  return d;
}
