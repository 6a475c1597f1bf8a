/**
 * The photographed upper teeth under the upper lip: how far they show below each upper inner-lip point, and a floor
 * that keeps the posed upper lip from covering them as the jaw opens.
 *
 * @remarks Why: a portrait smiling with its upper teeth shows them because the smile raises the upper lip. Rendering
 * another expression undoes the smile, and the rig lowers the upper lip by the smile's share (img03: 0.05–0.06 IOD,
 * ≈ 3.5 mm, more than the teeth the photo shows), so at jawOpen 0.5 the skull-fixed teeth of the mouth interior
 * vanish behind the lip and the opening shows a dark cavity. With the lips apart, real upper incisors show below the
 * relaxed upper lip: about 1.9 mm (men) to 3.4 mm (women) at rest, more as the mouth opens (Vig & Brundo 1978, "The
 * kinetics of anterior tooth display", J Prosthet Dent 39:502). So while the jaw opens the posed upper inner lip may
 * descend no lower than {@link TOOTH_DISPLAY_IOD} above the photographed incisal edge; with the jaw closed it moves
 * freely (the lips must meet over the teeth).
 *
 * Tooth pixels: the rule core/face/mouthInterior.ts uses for the photo's own teeth ({@link measureToothColourRule}).
 * Display per column: from the upper inner-lip point to the far end of the first run of tooth-like pixels (averaged
 * over ±0.01 IOD along the mouth; the run starts within half the lip gap and 0.08 IOD, gaps of ≤ 1.5 px allowed), searched down the mouth's vertical axis (perpendicular
 * to the inner corners' line) to the lower inner lip; median-filtered over three columns.
 */
import { LIPS_LOWER_INNER, LIPS_UPPER_INNER, LIPS_UPPER_MID, LIPS_UPPER_OUTER, MOUTH_OPENING_LOOP } from '../rig/topology.ts';
import { CLOSED_LIP_GAP_IOD } from './lipSeam.ts';
import { measureLipColour } from './lipColour.ts';
import { polygonBounds, signedDistanceToPolygon } from '../math/polygon.ts';

/** A tooth-colour rule measured on one photo: bright for this photo's opening, greyer than its lips. */
export interface ToothColourRule {
  /** Least Rec. 601 luma of a tooth pixel, [0, 1]. */
  minLuma: number;
  /** Largest chroma (max − min of RGB, [0, 1]) of a tooth pixel. */
  maxChroma: number;
  /** Tooth pixels inside the opening. */
  toothPx: number;
}

/**
 * The tooth-colour thresholds of a mouth opening: luma ≥ max(0.62 × the opening's 95th-percentile luma, 1.05 × the
 * lips' mean luma), chroma below max(0.08, 0.9 × the lips' chroma). Enamel is the brightest, greyest tissue in an opened
 * mouth; lips and tongue are redder, the cavity darker. One rule for the photo's own teeth in the interior textures
 * (core/face/mouthInterior.ts) and for {@link measureToothColourRule}.
 * @param openingL95 - 95th percentile of the opening's Rec. 601 luma, [0, 1].
 * @param lipRgb - the lips' mean colour, RGB in [0, 1] (core/face/lipColour.ts).
 * @returns the least luma and the largest chroma (max − min of RGB) of a tooth pixel.
 */
export function toothColourBounds(openingL95: number, lipRgb: readonly [number, number, number]): { minLuma: number; maxChroma: number } {
  return {
    minLuma: Math.max(0.62 * openingL95, 1.05 * (0.299 * lipRgb[0] + 0.587 * lipRgb[1] + 0.114 * lipRgb[2])),
    maxChroma: Math.max(0.08, 0.9 * (Math.max(...lipRgb) - Math.min(...lipRgb))),
  };
}

/**
 * Whether an opening shows teeth: at least max(12, 6 % of its pixels) pass {@link toothColourBounds}.
 * @param toothPx - pixels (or texels) of the opening that pass.
 * @param openingPx - all pixels (or texels) of the opening.
 * @returns true when the photo shows teeth there.
 */
export function showsTeeth(toothPx: number, openingPx: number): boolean {
  return toothPx >= Math.max(12, 0.06 * openingPx);
}

/**
 * The photo's tooth colours, from the pixels inside the inner-lip loop (the rule core/face/mouthInterior.ts uses for
 * the photo's own teeth): luma ≥ 0.62 × the opening's 95th percentile and above 1.05 × the lips' mean luma, chroma
 * below max(0.08, 0.9 × the lips' chroma) (lips from core/face/lipColour.ts). Enamel is the brightest, greyest tissue
 * in an opened mouth; lips and tongue are redder, the cavity darker.
 * @param rgba - `[heightPx, widthPx, 4]` bytes.
 * @param widthPx - image width.
 * @param heightPx - image height.
 * @param landmarksPx - `[N ≥ 468, 3]` landmarks, px.
 * @returns the rule, or null when fewer than max(12, 6 % of the opening) pixels pass it (the photo shows no teeth).
 */
export function measureToothColourRule(rgba: Uint8Array, widthPx: number, heightPx: number, landmarksPx: Float32Array): ToothColourRule | null {
  const loop = MOUTH_OPENING_LOOP.flatMap((i) => [landmarksPx[i * 3]!, landmarksPx[i * 3 + 1]!]);
  const [x0, y0, x1, y1] = polygonBounds(loop);
  const px: [number, number, number, number][] = [];
  for (let y = Math.max(0, Math.floor(y0)); y <= Math.min(heightPx - 1, Math.ceil(y1)); y++) {
    for (let x = Math.max(0, Math.floor(x0)); x <= Math.min(widthPx - 1, Math.ceil(x1)); x++) {
      if (signedDistanceToPolygon(loop, x + 0.5, y + 0.5) < 1) continue;
      const o = (y * widthPx + x) * 4;
      const r = rgba[o]! / 255;
      const g = rgba[o + 1]! / 255;
      const b = rgba[o + 2]! / 255;
      px.push([0.299 * r + 0.587 * g + 0.114 * b, Math.max(r, g, b) - Math.min(r, g, b), 0, 0]);
    }
  }
  if (!px.length) return null;
  const lip = measureLipColour(rgba, widthPx, heightPx, landmarksPx).meanRgb;
  const sorted = px.map((p) => p[0]).sort((a, b) => a - b);
  const l95 = sorted[Math.min(sorted.length - 1, Math.floor(0.95 * sorted.length))]!;
  const { minLuma, maxChroma } = toothColourBounds(l95, lip);
  const toothPx = px.filter((p) => p[0] >= minLuma && p[1] < maxChroma).length;
  return showsTeeth(toothPx, px.length) ? { minLuma, maxChroma, toothPx } : null;
}

/** Least display of the upper incisors kept below the posed upper lip while the jaw is open, IOD (≈ 2 mm at 63 mm; Vig & Brundo 1978). */
export const TOOTH_DISPLAY_IOD = 0.03;

/** What {@link measureUpperTeeth} finds under the upper lip. */
export interface UpperTeeth {
  /** Per point of `LIPS_UPPER_INNER` (0 at the corners): tooth run above the point (the contour lies on the teeth), px. */
  aboveShiftPx: Float32Array;
  /** Per point: from the lip edge (the point raised by `aboveShiftPx`) to the teeth's far end below it, px. */
  displayPx: Float32Array;
}

/**
 * Where the photographed upper teeth lie against the upper inner-lip contour.
 * @param rgba - `[heightPx, widthPx, 4]` RGBA bytes, rows top-first (sRGB).
 * @param widthPx - image width, px.
 * @param heightPx - image height, px.
 * @param landmarksPx - `[N ≥ 468, 3]` face-mesh landmarks, image px.
 * @returns per point of `LIPS_UPPER_INNER`: the tooth run above it (MediaPipe's contour often runs through the
 *   teeth) and the teeth shown below the lip edge, px along the mouth's downward axis; zeros when the photo shows no
 *   teeth or the lips are closed (< 0.04 IOD apart).
 */
export function measureUpperTeeth(rgba: Uint8Array, widthPx: number, heightPx: number, landmarksPx: Float32Array): UpperTeeth {
  const P = (i: number): [number, number] => [landmarksPx[i * 3]!, landmarksPx[i * 3 + 1]!];
  const n = LIPS_UPPER_INNER.length;
  const out: UpperTeeth = { aboveShiftPx: new Float32Array(n), displayPx: new Float32Array(n) };
  const eye = (a: number, b: number): [number, number] => [(P(a)[0] + P(b)[0]) / 2, (P(a)[1] + P(b)[1]) / 2];
  const er = eye(33, 133);
  const el = eye(362, 263);
  const iodPx = Math.hypot(el[0] - er[0], el[1] - er[1]);
  const up13 = P(13);
  const lo14 = P(14);
  if (!(iodPx > 0) || Math.hypot(up13[0] - lo14[0], up13[1] - lo14[1]) < CLOSED_LIP_GAP_IOD * iodPx) return out;
  const rule = measureToothColourRule(rgba, widthPx, heightPx, landmarksPx);
  if (!rule) return out;
  const c0 = P(LIPS_UPPER_INNER[0]!);
  const c1 = P(LIPS_UPPER_INNER[n - 1]!);
  const len = Math.hypot(c1[0] - c0[0], c1[1] - c0[1]);
  if (!(len > 0)) return out;
  const u: [number, number] = [(c1[0] - c0[0]) / len, (c1[1] - c0[1]) / len];
  let v: [number, number] = [-u[1], u[0]];
  if (v[0] * (up13[0] - (er[0] + el[0]) / 2) + v[1] * (up13[1] - (er[1] + el[1]) / 2) < 0) v = [-v[0], -v[1]];
  const halfWin = Math.max(1, 0.01 * iodPx);
  const tooth = (x: number, y: number): boolean => {
    const c = [0, 0, 0];
    let m = 0;
    for (let s = -halfWin; s <= halfWin; s += 1) {
      const xi = Math.max(0, Math.min(widthPx - 1, Math.round(x + s * u[0])));
      const yi = Math.max(0, Math.min(heightPx - 1, Math.round(y + s * u[1])));
      const o = (yi * widthPx + xi) * 4;
      for (let ch = 0; ch < 3; ch++) c[ch] = c[ch]! + rgba[o + ch]! / 255;
      m++;
    }
    const [r, g, b] = [c[0]! / m, c[1]! / m, c[2]! / m];
    return 0.299 * r + 0.587 * g + 0.114 * b >= rule.minLuma && Math.max(r, g, b) - Math.min(r, g, b) < rule.maxChroma;
  };
  /** Far end of the first tooth run from `p` along `dir`·v that starts within `startMax` px, searched to `reach` px; 0 when none. */
  const run = (p: [number, number], dir: number, startMax: number, reach: number): number => {
    let last = -1;
    for (let t = 0; t <= reach; t += 0.5) {
      if (last < 0 && t > startMax) break;
      if (last >= 0 && t - last > 1.5) break;
      if (tooth(p[0] + dir * t * v[0], p[1] + dir * t * v[1])) last = t;
    }
    return Math.max(0, last);
  };
  const above = new Float32Array(n);
  const below = new Float32Array(n);
  for (let k = 1; k < n - 1; k++) {
    const p = P(LIPS_UPPER_INNER[k]!);
    const lower = P(LIPS_LOWER_INNER[k - 1]!);
    const outer = P(LIPS_UPPER_OUTER[k]!);
    const reach = (lower[0] - p[0]) * v[0] + (lower[1] - p[1]) * v[1];
    const up = -((outer[0] - p[0]) * v[0] + (outer[1] - p[1]) * v[1]);
    // Above: a run through the contour itself (starting within 0.01 IOD), at most 70 % of the way to the outer contour.
    above[k] = run(p, -1, Math.max(1, 0.01 * iodPx), 0.7 * Math.max(0, up));
    // Below: the lip's wet inner surface can show between its edge and the teeth (vid02: ≈ 0.06 IOD).
    below[k] = run(p, 1, Math.min(0.5 * reach, 0.08 * iodPx), reach);
  }
  const med3 = (raw: Float32Array, k: number): number => {
    const a = raw[k - 1]!;
    const b = raw[k]!;
    const c = raw[k + 1]!;
    return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
  };
  for (let k = 1; k < n - 1; k++) {
    out.aboveShiftPx[k] = med3(above, k);
    const b = med3(below, k);
    out.displayPx[k] = b > 0 ? b + out.aboveShiftPx[k]! : 0;
  }
  return out;
}

/**
 * Raises the upper inner-lip contour off the photographed teeth ({@link measureUpperTeeth}), the upper lip's rows
 * following in proportion to their place between the outer contour (fixed) and the inner one, so the lip bands stay
 * ordered and the teeth belong to the mouth opening (the interior keeps them with the skull).
 * @param landmarksPx - `[N ≥ 468, 3]` landmarks, px.
 * @param aboveShiftPx - per point of `LIPS_UPPER_INNER`, px to move up.
 * @returns a new array with the upper lip moved, or the input when no shift reaches 1 px.
 */
export function raiseUpperLipOffTeeth(landmarksPx: Float32Array, aboveShiftPx: Float32Array): Float32Array {
  if (!(Math.max(...aboveShiftPx) >= 1)) return landmarksPx;
  const P = (i: number): [number, number] => [landmarksPx[i * 3]!, landmarksPx[i * 3 + 1]!];
  const n = LIPS_UPPER_INNER.length;
  const c0 = P(LIPS_UPPER_INNER[0]!);
  const c1 = P(LIPS_UPPER_INNER[n - 1]!);
  const len = Math.hypot(c1[0] - c0[0], c1[1] - c0[1]);
  const u: [number, number] = [(c1[0] - c0[0]) / len, (c1[1] - c0[1]) / len];
  const eyes: [number, number] = [(P(33)[0] + P(263)[0]) / 2, (P(33)[1] + P(263)[1]) / 2];
  let v: [number, number] = [-u[1], u[0]];
  if (v[0] * (P(13)[0] - eyes[0]) + v[1] * (P(13)[1] - eyes[1]) < 0) v = [-v[0], -v[1]];
  const aOf = (p: [number, number]): number => (p[0] - c0[0]) * u[0] + (p[1] - c0[1]) * u[1];
  const bOf = (p: [number, number]): number => (p[0] - c0[0]) * v[0] + (p[1] - c0[1]) * v[1];
  const cols = LIPS_UPPER_INNER.map((i) => aOf(P(i)));
  const interp = (xs: number[], ys: ArrayLike<number>, a: number): number => {
    if (a <= xs[0]!) return ys[0]!;
    for (let j = 1; j < xs.length; j++) if (a <= xs[j]!) return ys[j - 1]! + ((a - xs[j - 1]!) / Math.max(1e-6, xs[j]! - xs[j - 1]!)) * (ys[j]! - ys[j - 1]!);
    return ys[xs.length - 1]!;
  };
  const innerB = LIPS_UPPER_INNER.map((i) => bOf(P(i)));
  const outerCols = LIPS_UPPER_OUTER.map((i) => aOf(P(i)));
  const outerB = LIPS_UPPER_OUTER.map((i) => bOf(P(i)));
  const out = Float32Array.from(landmarksPx);
  for (const i of [...LIPS_UPPER_INNER, ...LIPS_UPPER_MID]) {
    const p = P(i);
    const a = aOf(p);
    const shift = interp(cols, aboveShiftPx, a);
    if (!(shift > 0)) continue;
    const bi = interp(cols, innerB, a);
    const bo = interp(outerCols, outerB, a);
    const frac = bi - bo > 1e-6 ? Math.max(0, Math.min(1, (bOf(p) - bo) / (bi - bo))) : 1;
    out[i * 3] = p[0] - frac * shift * v[0];
    out[i * 3 + 1] = p[1] - frac * shift * v[1];
  }
  return out;
}

/**
 * Piecewise-linear value at `a` of the polyline through (xs[j], ys[j]), xs ascending; clamped to the end values outside.
 * @param xs - `[m ≥ 1]` positions, ascending.
 * @param ys - `[m]` values.
 * @param a - where to read.
 */
function interpolateSorted(xs: readonly number[], ys: readonly number[], a: number): number {
  if (a <= xs[0]!) return ys[0]!;
  for (let j = 1; j < xs.length; j++) if (a <= xs[j]!) return ys[j - 1]! + ((a - xs[j - 1]!) / Math.max(1e-6, xs[j]! - xs[j - 1]!)) * (ys[j]! - ys[j - 1]!);
  return ys[ys.length - 1]!;
}

/**
 * Keeps the posed upper inner lip above the photographed upper teeth while the jaw is open (see the module remarks).
 * @param restPx - rest vertices `[468, 3]`, px.
 * @param posedPx - posed vertices `[468, 3]`, px; the upper inner-lip points are moved up in place.
 * @param displayPx - `UpperTeeth.displayPx` of {@link measureUpperTeeth} (per `LIPS_UPPER_INNER` point).
 * @param ex - unit vector across the face (subject's right eye to left eye).
 * @param ey - unit vector down the face.
 * @param iodPx - inter-ocular distance, px.
 * @param jawOpen01 - the jaw's opening beyond the photo's own, [0, 1]: no floor at 0, the full floor from 0.2 up.
 * @returns the largest upward correction applied, px.
 * @remarks The photographed incisal edge is a polyline in the skull's frame (rest contour point + display along the
 * face's down axis); each posed upper inner-lip point whose position across the face falls within the teeth's span
 * may lie at most {@link TOOTH_DISPLAY_IOD} below the edge's height there minus the display, i.e. no lower than the
 * edge − 0.03 IOD. Undoing a smile also draws the corners in: the floor is read at the point's posed position.
 */
export function keepUpperTeethShowing(restPx: Float32Array, posedPx: Float32Array, displayPx: Float32Array, ex: readonly [number, number], ey: readonly [number, number], iodPx: number, jawOpen01: number): number {
  const share = Math.min(1, Math.max(0, jawOpen01 / 0.2));
  if (share === 0) return 0;
  const edgeA: number[] = [];
  const edgeB: number[] = [];
  LIPS_UPPER_INNER.forEach((i, k) => {
    const d = displayPx[k]!;
    if (!(d > 0)) return;
    edgeA.push(restPx[i * 3]! * ex[0] + restPx[i * 3 + 1]! * ex[1]);
    edgeB.push(restPx[i * 3]! * ey[0] + restPx[i * 3 + 1]! * ey[1] + d);
  });
  if (!edgeA.length) return 0;
  const order = edgeA.map((_, j) => j).sort((p, q) => edgeA[p]! - edgeA[q]!);
  const xs = order.map((j) => edgeA[j]!);
  const ys = order.map((j) => edgeB[j]!);
  const margin = 0.5 * TOOTH_DISPLAY_IOD * iodPx;
  // Past the measured teeth (towards a corner) the edge runs on level from the nearest measured end and the floor
  // weakens linearly to nothing at the rest mouth corner on that side. The teeth are an arch behind the whole upper lip,
  // not only where a photo happens to light them: a smile that shows teeth on one side (img03: three of eleven
  // inner-lip points) left the lip free to come down over the rest of the arch once the rest expression's smile was
  // undone. The incisal line is nearly level across the front teeth; the linear fall to the corner, where the lips meet,
  // is a design choice, not a measurement. A photo without teeth has no measured point and keeps no floor.
  const n = LIPS_UPPER_INNER.length;
  const cornerA = [LIPS_UPPER_INNER[0]!, LIPS_UPPER_INNER[n - 1]!].map((i) => restPx[i * 3]! * ex[0] + restPx[i * 3 + 1]! * ex[1]).sort((p, q) => p - q) as [number, number];
  const floorAt = (a: number): [number, number] | null => {
    if (a < xs[0]! - margin || a > xs[xs.length - 1]! + margin) {
      const left = a < xs[0]!;
      const end = left ? xs[0]! : xs[xs.length - 1]!;
      const corner = left ? cornerA[0] : cornerA[1];
      const reach = Math.abs(corner - end);
      const w = reach > 1e-6 ? Math.max(0, 1 - Math.abs(a - end) / reach) : 0;
      return w > 0 ? [left ? ys[0]! : ys[ys.length - 1]!, w] : null;
    }
    return [interpolateSorted(xs, ys, a), 1];
  };
  const need = new Float32Array(n);
  LIPS_UPPER_INNER.forEach((i, k) => {
    // The corners stay free: the lips meet there.
    if (k === 0 || k === n - 1) return;
    const a = posedPx[i * 3]! * ex[0] + posedPx[i * 3 + 1]! * ex[1];
    const b = posedPx[i * 3]! * ey[0] + posedPx[i * 3 + 1]! * ey[1];
    const found = floorAt(a);
    if (found === null) return;
    const [edge, weight] = found;
    const restB = restPx[i * 3]! * ey[0] + restPx[i * 3 + 1]! * ey[1];
    // No higher than the point's own rest height: the floor only undoes a descent.
    need[k] = weight * Math.max(0, Math.min(b - restB, b - (edge - TOOTH_DISPLAY_IOD * iodPx)));
  });
  // Neighbours follow in part (weights 1, 0.6, 0.25 by column distance), so the lip edge bends instead of stepping.
  const fall = [1, 0.6, 0.25];
  let most = 0;
  const lift = new Float32Array(n);
  const liftA = new Float32Array(n);
  LIPS_UPPER_INNER.forEach((i, k) => {
    liftA[k] = posedPx[i * 3]! * ex[0] + posedPx[i * 3 + 1]! * ex[1];
    if (k === 0 || k === n - 1) return;
    let up = 0;
    for (let j = Math.max(0, k - 2); j <= Math.min(n - 1, k + 2); j++) up = Math.max(up, need[j]! * fall[Math.abs(j - k)]!);
    const b = posedPx[i * 3]! * ey[0] + posedPx[i * 3 + 1]! * ey[1];
    const restB = restPx[i * 3]! * ey[0] + restPx[i * 3 + 1]! * ey[1];
    up = share * Math.min(up, Math.max(0, b - restB));
    if (up <= 0) return;
    lift[k] = up;
    posedPx[i * 3] = posedPx[i * 3]! - up * ey[0];
    posedPx[i * 3 + 1] = posedPx[i * 3 + 1]! - up * ey[1];
    most = Math.max(most, up);
  });
  // The rest of the upper lip (its middle and outer rows) rises with its inner edge, by the lift interpolated across
  // the face at each point's posed position: lifting the inner edge alone left the lip's body where the pose put it,
  // the lip's triangles folded over (inner row above the middle row) and the lip still covered the teeth (img03 at
  // jawOpen 0.5: the opening's top stayed on the unlifted contour). The corners (no lift) and the skin above the outer
  // contour stay.
  if (most > 0) {
    const order = [...Array(n).keys()].sort((p, q) => liftA[p]! - liftA[q]!);
    const xs = order.map((k) => liftA[k]!);
    const ys = order.map((k) => lift[k]!);
    for (const i of [...LIPS_UPPER_MID, ...LIPS_UPPER_OUTER]) {
      const a = posedPx[i * 3]! * ex[0] + posedPx[i * 3 + 1]! * ex[1];
      // Outside the inner edge's span (past the corners) nothing rises.
      const up = a <= xs[0]! || a >= xs[n - 1]! ? 0 : interpolateSorted(xs, ys, a);
      if (!(up > 0)) continue;
      posedPx[i * 3] = posedPx[i * 3]! - up * ey[0];
      posedPx[i * 3 + 1] = posedPx[i * 3 + 1]! - up * ey[1];
    }
  }
  return most;
}
