/**
 * Puts a closed mouth's inner-lip contours on the photo's real lip seam (the oral fissure), so that opening the
 * mouth splits the lips where they meet: the upper vermilion stays above the opening (with the skull), the lower one
 * goes down with the jaw.
 *
 * @remarks Why: on a closed mouth MediaPipe FaceMesh's upper and lower inner-lip contours coincide, but on thin or
 * unusual lips they can lie well off the seam — on the corpus portrait img05 (elderly woman, thin lips) they run
 * along the top edge of the red band, so the whole vermilion belonged to the lower lip and an opened mouth showed
 * no upper lip at all. The seam of closed lips is the darkest line between them (the shadowed fissure, darker than
 * either lip and much darker than skin), the usual cue of lip-line detection in lip segmentation.
 * Method, per column pair of the inner contours (upper `LIPS_UPPER_INNER[k]`, lower `LIPS_LOWER_INNER[k−1]`): a Rec. 601
 * luma profile is sampled along the mouth's vertical axis (perpendicular to the corner-to-corner line), averaged over
 * a short horizontal window, between 80 % of the way to the upper and the lower outer contours; its minimum, with a
 * mild quadratic pull to the landmarks' own seam, is the seam. The column shifts are median-filtered across the
 * mouth, and the lip rows between the outer and inner contours follow in proportion, so the lip bands stay ordered
 * (outer → mid → inner). Outer contours and the mouth corners never move; an open mouth is left alone.
 */
import { LIPS_LOWER_INNER, LIPS_LOWER_MID, LIPS_LOWER_OUTER, LIPS_UPPER_INNER, LIPS_UPPER_MID, LIPS_UPPER_OUTER } from '../rig/topology.ts';

/** Inner-lip gap (13–14) below which the mouth counts as closed, in units of the inter-ocular distance. */
export const CLOSED_LIP_GAP_IOD = 0.04;

/**
 * Median seam shift below which the landmarks are kept, IOD units (0.015 IOD ≈ 1 mm at a 63 mm IOD): a seam the
 * detector placed within about a millimetre is left as it is (our choice, not fitted: a shift that small changes no
 * lip band visibly, while every change of the mesh moves the interior's teeth and tongue placement with it).
 */
export const SEAM_SHIFT_MIN_IOD = 0.015;

/** Result of {@link refineClosedLipSeam}. */
export interface LipSeamRefinement {
  /** A copy of the landmarks `[N, 3]` with the lip rows moved (z unchanged); the input when nothing moved. */
  landmarksPx: Float32Array;
  /** Seam shift per column pair along the mouth's downward axis, px (9 values, subject's right to left); zeros when left alone. */
  shiftsPx: Float32Array;
  /** Whether the mouth was closed and the seam searched. */
  isApplied: boolean;
}

/**
 * Moves a closed mouth's inner-lip contours onto the darkest line between the lips (see the module remarks).
 * @param rgba - `[heightPx, widthPx, 4]` RGBA bytes, rows top-first (sRGB).
 * @param widthPx - image width, px.
 * @param heightPx - image height, px.
 * @param landmarksPx - `[N ≥ 468, 3]` face-mesh landmarks, image px (x, y) and landmark depth (z, untouched).
 * @param landmarkCount - N.
 * @returns the refined landmarks (a new array) and the per-column shifts; the input unchanged when the inner lips
 *   are apart by {@link CLOSED_LIP_GAP_IOD} or more (an open mouth's contours are its own) or when the median
 *   column shift is under {@link SEAM_SHIFT_MIN_IOD} (then `shiftsPx` still reports the measured shifts).
 * @throws RangeError when fewer than 468 landmarks are given.
 */
export function refineClosedLipSeam(rgba: Uint8Array, widthPx: number, heightPx: number, landmarksPx: Float32Array, landmarkCount: number): LipSeamRefinement {
  if (landmarkCount < 468 || landmarksPx.length < landmarkCount * 3) throw new RangeError(`refineClosedLipSeam: need 468 landmarks, got ${landmarkCount}`);
  const P = (i: number): [number, number] => [landmarksPx[i * 3]!, landmarksPx[i * 3 + 1]!];
  const pairs = LIPS_LOWER_INNER.length;
  const none: LipSeamRefinement = { landmarksPx, shiftsPx: new Float32Array(pairs), isApplied: false };
  // Inter-ocular distance from the eye corners (33/133 subject's right, 362/263 left).
  const eye = (a: number, b: number): [number, number] => [(P(a)[0] + P(b)[0]) / 2, (P(a)[1] + P(b)[1]) / 2];
  const er = eye(33, 133);
  const el = eye(362, 263);
  const iodPx = Math.hypot(el[0] - er[0], el[1] - er[1]);
  const up13 = P(13);
  const lo14 = P(14);
  if (!(iodPx > 0) || Math.hypot(up13[0] - lo14[0], up13[1] - lo14[1]) >= CLOSED_LIP_GAP_IOD * iodPx) return none;

  // Mouth axes: u along the corners (78 → 308), v perpendicular, pointing down the face.
  const c0 = P(LIPS_UPPER_INNER[0]!);
  const c1 = P(LIPS_UPPER_INNER[LIPS_UPPER_INNER.length - 1]!);
  const len = Math.hypot(c1[0] - c0[0], c1[1] - c0[1]);
  if (!(len > 0)) return none;
  const u: [number, number] = [(c1[0] - c0[0]) / len, (c1[1] - c0[1]) / len];
  let v: [number, number] = [-u[1], u[0]];
  // Down the face = from the eyes towards the mouth.
  if (v[0] * (up13[0] - (er[0] + el[0]) / 2) + v[1] * (up13[1] - (er[1] + el[1]) / 2) < 0) v = [-v[0], -v[1]];

  const luma = (x: number, y: number): number => {
    const xi = Math.max(0, Math.min(widthPx - 1, Math.round(x)));
    const yi = Math.max(0, Math.min(heightPx - 1, Math.round(y)));
    const o = (yi * widthPx + xi) * 4;
    return 0.299 * rgba[o]! + 0.587 * rgba[o + 1]! + 0.114 * rgba[o + 2]!;
  };
  const along = (p: [number, number], q: [number, number]): number => (q[0] - p[0]) * v[0] + (q[1] - p[1]) * v[1];
  const halfWin = Math.max(1, 0.01 * iodPx);
  const step = 0.5;
  const raw = new Float32Array(pairs);
  for (let k = 0; k < pairs; k++) {
    const ui = P(LIPS_UPPER_INNER[k + 1]!);
    const li = P(LIPS_LOWER_INNER[k]!);
    const m: [number, number] = [(ui[0] + li[0]) / 2, (ui[1] + li[1]) / 2];
    const tTop = 0.8 * along(m, P(LIPS_UPPER_OUTER[k + 1]!));
    const tBot = 0.8 * along(m, P(LIPS_LOWER_OUTER[k]!));
    const reach = Math.max(-tTop, tBot, 1);
    let best = 0;
    let bestCost = Infinity;
    for (let t = Math.min(0, tTop); t <= Math.max(0, tBot); t += step) {
      let sum = 0;
      let n = 0;
      for (let s = -halfWin; s <= halfWin; s += 1) {
        sum += luma(m[0] + t * v[0] + s * u[0], m[1] + t * v[1] + s * u[1]);
        n++;
      }
      // A mild pull to the landmarks' seam: a valley 10 luma levels deeper wins across the whole lip.
      const cost = sum / n + 10 * (t / reach) ** 2;
      if (cost < bestCost) {
        bestCost = cost;
        best = t;
      }
    }
    raw[k] = best;
  }
  // Median of three across the mouth (one column caught by a crease or a highlight does not bend the seam).
  const shifts = new Float32Array(pairs);
  for (let k = 0; k < pairs; k++) {
    const a = raw[Math.max(0, k - 1)]!;
    const b = raw[k]!;
    const c = raw[Math.min(pairs - 1, k + 1)]!;
    shifts[k] = Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
  }
  const sorted = Array.from(shifts, Math.abs).sort((a, b) => a - b);
  if (sorted[pairs >> 1]! < SEAM_SHIFT_MIN_IOD * iodPx) return { landmarksPx, shiftsPx: shifts, isApplied: true };

  const out = Float32Array.from(landmarksPx);
  // Seam shift at any position along the mouth: piecewise linear over the columns, 0 at the inner corners.
  const cols: number[] = [0];
  const vals: number[] = [0];
  for (let k = 0; k < pairs; k++) {
    const ui = P(LIPS_UPPER_INNER[k + 1]!);
    cols.push((ui[0] - c0[0]) * u[0] + (ui[1] - c0[1]) * u[1]);
    vals.push(shifts[k]!);
  }
  cols.push(len);
  vals.push(0);
  const shiftAt = (a: number): number => {
    if (a <= cols[0]!) return 0;
    for (let j = 1; j < cols.length; j++) {
      if (a <= cols[j]!) {
        const f = (a - cols[j - 1]!) / Math.max(1e-6, cols[j]! - cols[j - 1]!);
        return vals[j - 1]! + f * (vals[j]! - vals[j - 1]!);
      }
    }
    return 0;
  };
  // Lip rows follow in proportion to their place between the (fixed) outer contour and the (moved) inner contour.
  const moveLip = (outer: readonly number[], inner: readonly number[], rows: readonly number[]): void => {
    for (const i of [...inner, ...rows]) {
      const p = P(i);
      const a = (p[0] - c0[0]) * u[0] + (p[1] - c0[1]) * u[1];
      if (a <= 0 || a >= len) continue;
      const s = shiftAt(a);
      let frac = 1;
      if (!inner.includes(i)) {
        // Nearest outer and inner contour points along the mouth give the row's place between them.
        const nearest = (ids: readonly number[]): [number, number] => ids.map(P).reduce((b, q) => (Math.abs((q[0] - p[0]) * u[0] + (q[1] - p[1]) * u[1]) < Math.abs((b[0] - p[0]) * u[0] + (b[1] - p[1]) * u[1]) ? q : b));
        const o = nearest(outer);
        const n = nearest(inner);
        const span = along(o, n);
        frac = Math.abs(span) > 1e-6 ? Math.max(0, Math.min(1, along(o, p) / span)) : 1;
      }
      out[i * 3] = p[0] + frac * s * v[0];
      out[i * 3 + 1] = p[1] + frac * s * v[1];
    }
  };
  const upperInner = LIPS_UPPER_INNER.slice(1, -1);
  moveLip(LIPS_UPPER_OUTER, upperInner, LIPS_UPPER_MID);
  moveLip(LIPS_LOWER_OUTER, LIPS_LOWER_INNER, LIPS_LOWER_MID);
  return { landmarksPx: out, shiftsPx: shifts, isApplied: true };
}
