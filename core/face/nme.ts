/**
 * Normalised mean error (NME) of 68-point iBUG landmarks and PTS v1 parsing.
 * @remarks NME = mean over the chosen points of the Euclidean error, divided by the distance between the
 * ground-truth outer eye corners (iBUG 37 and 46, 1-based) — the "inter-ocular" normalisation of 300-W
 * (Sagonas et al. 2016, "300 Faces In-The-Wild Challenge: database and results", IVC 47).
 */
import { IBUG_INNER_51, IBUG_OUTER_EYE_CORNERS, MESH_TO_IBUG68 } from './ibug68.ts';

/**
 * Parses a PTS v1 file (menpo / iBUG): `version: 1`, `n_points: N`, `{`, N lines `x y`, `}`.
 * @param text - file contents.
 * @returns `[x0, y0, x1, y1, …]` in pixels (x = column, y = row; iBUG PTS are 1-based pixel coordinates,
 * returned unchanged).
 * @throws Error when the header or point count is malformed.
 */
export function parsePts(text: string): number[] {
  const m = /n_points:\s*(\d+)/.exec(text);
  const open = text.indexOf('{');
  const close = text.lastIndexOf('}');
  if (!m || open < 0 || close < open) throw new Error('not a PTS v1 file');
  const nums = text.slice(open + 1, close).trim().split(/\s+/).map(Number);
  const n = Number(m[1]);
  if (nums.length !== 2 * n || nums.some((v) => !Number.isFinite(v))) throw new Error(`PTS: expected ${n} points`);
  return nums;
}

/**
 * Converts 468/478-point mesh landmarks to the 68-point iBUG markup.
 * @param landmarksPx - `[N,3]` mesh landmarks in pixels.
 * @returns `[x0, y0, …, x67, y67]` in pixels.
 */
export function meshToIbug68(landmarksPx: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (const i of MESH_TO_IBUG68) out.push(landmarksPx[i * 3]!, landmarksPx[i * 3 + 1]!);
  return out;
}

/**
 * NME of predicted against ground-truth 68-point landmarks.
 * @param predicted - `[x, y] × 68` in pixels. @param groundTruth - `[x, y] × 68` in pixels.
 * @param indices - 0-based iBUG points to score; default the 51 inner points.
 * @param pixelOffset - added to predictions before comparing (PTS files are 1-based: use 1 for 0-based pixel
 * centres at +0.5 … here predictions are continuous pixel coordinates, so the default is +0.5).
 * @returns the NME (dimensionless).
 */
export function nme68(predicted: readonly number[], groundTruth: readonly number[], indices: readonly number[] = IBUG_INNER_51, pixelOffset = 0.5): number {
  const [a, b] = IBUG_OUTER_EYE_CORNERS;
  const norm = Math.hypot(groundTruth[a * 2]! - groundTruth[b * 2]!, groundTruth[a * 2 + 1]! - groundTruth[b * 2 + 1]!);
  let sum = 0;
  for (const i of indices) sum += Math.hypot(predicted[i * 2]! + pixelOffset - groundTruth[i * 2]!, predicted[i * 2 + 1]! + pixelOffset - groundTruth[i * 2 + 1]!);
  return sum / indices.length / norm;
}
