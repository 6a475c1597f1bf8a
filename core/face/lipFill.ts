/**
 * Lip texture for closing a photographed wide-open mouth: a patch that repaints the lower lip band of the face mesh
 * with the photo's own upper-lip vermilion (mirrored across the mouth line) instead of the teeth and tongue that the
 * detected lower-lip contours lie on, shown as the lips close.
 *
 * @remarks Why: on a wide-open mouth MediaPipe FaceMesh places the lower lip's contours on the teeth and the tongue
 * (corpus vid02 at 4.2 s, inner gap 0.54 IOD: the lower inner contour on the tongue, the lower outer one on the
 * lower teeth; the real lower lip is a thin band below the outer contour), so the lower lip band carries teeth.
 * Closing the mouth stretches that band over the opening and the closed lips showed the lower teeth drawn out into
 * vertical streaks. Telling shadowed lower teeth from lip by colour did not work on that frame (the teeth are as dark
 * and nearly as red as the lips; the tongue is lip-coloured), and shifting the lip texture outward showed more teeth
 * (13 % vs 6.5 % teeth-like pixels, s12 notes). The upper lip band of a wide-open mouth is lip: the upper teeth
 * start below the upper inner contour, and the upper lip is stretched thin and fully in view.
 *
 * Method: in mouth coordinates (s along the inner corners' line, b down the face), a photo pixel of the lower lip
 * band at fraction f = (b − inner(s)) / (outer(s) − inner(s)) of the way from the lower inner to the lower outer
 * contour gets the photo's colour at the same s and the same fraction of the upper lip band (inner → outer): the seam
 * side of the upper lip at the seam side of the lower lip, bilinearly sampled. The band reaches
 * {@link BEYOND_OUTER_IOD} past the outer contour, fading out, and is darkened by up to {@link SEAM_SHADE_DEPTH} at
 * its inner edge (the shadowed fissure of closed lips, as core/face/lipSeam.ts finds it on closed photos). The patch
 * is used only where the detected lower lip band is not lip: its weight falls from 1 to 0 as the share of lower-band
 * samples within {@link LIP_MATCH_DELTA_E} of the upper lip's median colour rises from {@link LOWER_LIP_SHARE_REPLACE}
 * to {@link LOWER_LIP_SHARE_KEEP} (measured: vid02 at 4.2 s 0.46 — teeth, tongue; vid05 at 4.8 s, an "O" whose lower
 * contours lie on the lip, 0.98; vid05 at 2.5 s 0.92 — chosen after seeing all three). It is also weighted by how
 * wide the photo's mouth is open: 0 below {@link WIDE_OPEN_FROM_IOD} of inner-lip gap at the centre (13–14), 1 from
 * {@link WIDE_OPEN_FULL_IOD} (a parted mouth's lower contours lie on the lip). Our choice, not fitted to a score; the
 * corpus frames seen when choosing: vid01 frame 0 (parted, lip band is lip) 0.05 IOD, vid02 at 4.2 s 0.54 IOD; vid05
 * at 2.5 s (0.24 IOD, weight 0.35) was looked at only afterwards. A renderer blends the patch in proportion to how far the lips have closed from the photo's gap.
 *
 * The same patch also repaints the photo's dark gap where it runs past the tracked inner-lip contours into either lip
 * band, for any parted mouth (gap ≥ CLOSED_LIP_GAP_IOD of core/face/lipSeam.ts), not only wide-open ones: on img03
 * (a smile with teeth under a moustache, gap 0.075 IOD) the near-black gap between the teeth and the lower lip and in
 * the corners lies partly in the lip bands, and closing the mouth stretched it over the lips as a dark smear. See
 * `measureDarkGap` (where the gap reaches) and `darkGapRepaint` (the band's own lip stretched over it).
 */
import { LIPS_LOWER_INNER, LIPS_LOWER_OUTER, LIPS_UPPER_INNER, LIPS_UPPER_OUTER } from '../rig/topology.ts';
import { CLOSED_LIP_GAP_IOD } from './lipSeam.ts';

/** Inner-lip gap (IOD) from which the lower lip band of the photo is taken as not lip. */
export const WIDE_OPEN_FROM_IOD = 0.2;
/** Inner-lip gap (IOD) from which the lower lip band is replaced in full when the lips close. */
export const WIDE_OPEN_FULL_IOD = 0.3;
/** Colour distance (CIE76 ΔE) within which a lower-band sample matches the upper lip's median colour. */
export const LIP_MATCH_DELTA_E = 15;
/** Share of lip-coloured lower-band samples from which the detected lower lip band is kept as it is… */
export const LOWER_LIP_SHARE_KEEP = 0.85;
/** …and at or below which it is replaced in full. */
export const LOWER_LIP_SHARE_REPLACE = 0.6;
/** Darkening of the repainted lip at the seam (f = 0), share of its colour (a closed mouth's fissure is shadowed). */
export const SEAM_SHADE_DEPTH = 0.35;
/** Fraction of the lower lip band (from its inner edge) over which the seam shadow fades out. */
export const SEAM_SHADE_BAND_FRACTION = 0.25;
/** How far past the lower outer contour the band reaches (fading out), IOD (≈ 2 mm). */
export const BEYOND_OUTER_IOD = 0.03;
/**
 * A lip-band pixel is part of the photo's dark gap when its Rec. 601 luma is below this share of the lips' luma (the
 * brighter lip band's median, see {@link measureDarkGap}). Our choice (a gap between parted lips is near-black, a lip
 * in shade keeps about half its light); set after looking at img03's luma profiles (gap 0.01–0.06, lower lip median
 * 0.45, its moustache 0.08–0.14, the lower lip's shaded right corner 0.1–0.3).
 */
export const DARK_GAP_REL_LUMA = 0.2;
/** Furthest a dark gap may reach into a lip band, share of the band (inner → outer); a darker run is the lip's own shade. */
export const DARK_GAP_MAX_FRACTION = 0.5;
/**
 * Where a lip band is dark through (a moustache over a thin upper lip, a shaded corner), a pixel belongs to the gap when
 * its luma is below this share of the dark surround's own luma (the median over {@link CORNER_GAP_REACH_IOD} past the
 * band's inner edge). Our choice; set on img03's right corner (gap luma 0.01–0.03, moustache 0.05–0.06); held out:
 * vid01/vid03 frame 0, img01/img05/img06.
 */
export const CORNER_GAP_REL_LUMA = 0.5;
/** Furthest such a gap may run from the band's inner edge, IOD (img03: ≈ 0.04 IOD past its 3-px upper lip at the corner); a longer run is a dark feature of its own and stays. */
export const CORNER_GAP_REACH_IOD = 0.1;
/** The gap's run must start within the band (+1 px) or within this share of {@link CORNER_GAP_REACH_IOD} from its inner edge, whichever is further (a lip band only 2–3 px thick at the corner: img03). */
export const CORNER_GAP_START_SHARE = 0.5;
/** How far past the outer lip corners (61/291) along the mouth the dark-gap repaint reaches, IOD (img03's gap runs ≈ 0.03 IOD past 291… fading). */
export const CORNER_BEYOND_IOD = 0.05;

/**
 * sRGB bytes → CIE L*a*b* (D65), CIE 15:2004 with the IEC 61966-2-1 sRGB transfer.
 * @param r - red, sRGB byte scale 0–255 (fractions allowed).
 * @param g - green, 0–255.
 * @param b - blue, 0–255.
 * @returns `[L*, a*, b*]`, L* in 0–100.
 */
export function srgbToLab(r: number, g: number, b: number): [number, number, number] {
  const lin = (c: number): number => {
    const v = c / 255;
    return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  const [R, G, B] = [lin(r), lin(g), lin(b)];
  const f = (x: number): number => (x > 216 / 24389 ? Math.cbrt(x) : ((24389 / 27) * x + 16) / 116);
  const fx = f((0.4124 * R + 0.3576 * G + 0.1805 * B) / 0.95047);
  const fy = f(0.2126 * R + 0.7152 * G + 0.0722 * B);
  const fz = f((0.0193 * R + 0.1192 * G + 0.9505 * B) / 1.08883);
  return [116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)];
}

/** The lower lip band repainted for a closed mouth, as a patch of photo pixels. */
export interface ClosedLipFill {
  /** Photo px of the patch's top-left pixel. */
  originPx: [number, number];
  widthPx: number;
  heightPx: number;
  /** `[heightPx, widthPx, 4]` RGBA: the repainted colour (mirrored upper lip, or the stretched lip over the dark gap) and its weight (alpha; 0 where the photo stays). */
  rgba: Uint8Array;
  /** Weight of the wide-open lower-band replacement from the photo's opening, [0, 1] (0: only the dark gap is repainted). */
  weight: number;
  /** Photo pixels of the lip bands repainted because they belong to the dark gap between the parted lips. */
  darkGapPx: number;
  /**
   * `[heightPx, widthPx, 4]` RGBA over the same rect: only the repaint of the gap where a band is dark through (see
   * `measureDarkGap`), to be shown whenever the mouth moves from the photo's own opening (closing or opening), as
   * the photo's black corner gap rides on the corner triangles either way.
   */
  cornerRgba: Uint8Array;
  /** Photo pixels in `cornerRgba` with alpha > 0. */
  cornerPx: number;
}

/**
 * The closed-lip patch of one portrait (see the module remarks): the wide-open lower-band replacement and the dark-gap
 * repaint of both lip bands, in one texture.
 * @param rgba - `[heightPx, widthPx, 4]` RGBA bytes, rows top-first.
 * @param widthPx - image width, px.
 * @param heightPx - image height, px.
 * @param landmarksPx - `[N ≥ 468, 3]` face-mesh landmarks, image px.
 * @returns the patch, or null when the photo's lips are closed (gap below CLOSED_LIP_GAP_IOD) or when there is
 * neither a wide-open lower band to replace nor a dark gap reaching into the lip bands.
 * @throws RangeError when fewer than 468 landmarks are given.
 */
export function buildClosedLipFill(rgba: Uint8Array, widthPx: number, heightPx: number, landmarksPx: Float32Array): ClosedLipFill | null {
  if (landmarksPx.length < 468 * 3) throw new RangeError(`buildClosedLipFill: need 468 landmarks, got ${Math.floor(landmarksPx.length / 3)}`);
  const P = (i: number): [number, number] => [landmarksPx[i * 3]!, landmarksPx[i * 3 + 1]!];
  const iodPx = Math.hypot((P(362)[0] + P(263)[0] - P(33)[0] - P(133)[0]) / 2, (P(362)[1] + P(263)[1] - P(33)[1] - P(133)[1]) / 2);
  const gapIod = iodPx > 0 ? Math.hypot(P(13)[0] - P(14)[0], P(13)[1] - P(14)[1]) / iodPx : 0;
  // Closed lips: their dark seam is the real fissure, and there is nothing to close.
  if (gapIod < CLOSED_LIP_GAP_IOD) return null;
  const t = Math.min(1, Math.max(0, (gapIod - WIDE_OPEN_FROM_IOD) / (WIDE_OPEN_FULL_IOD - WIDE_OPEN_FROM_IOD)));
  const wide = t * t * (3 - 2 * t);
  // Is the detected lower lip band lip? Share of its samples within ΔE76 LIP_MATCH_DELTA_E of the upper lip band's
  // median colour (both sampled at fractions 0.1–0.9 between inner and outer contour, 9 columns).
  const labAt = (x: number, y: number): [number, number, number] => {
    const o = (Math.max(0, Math.min(heightPx - 1, Math.round(y))) * widthPx + Math.max(0, Math.min(widthPx - 1, Math.round(x)))) * 4;
    return srgbToLab(rgba[o]!, rgba[o + 1]!, rgba[o + 2]!);
  };
  const bandSamples = (inner: readonly number[], outer: readonly number[]): [number, number, number][] => {
    const out: [number, number, number][] = [];
    inner.forEach((a, k) => {
      const b = outer[k]!;
      for (let f = 0.1; f <= 0.9001; f += 0.05) out.push(labAt(P(a)[0] + f * (P(b)[0] - P(a)[0]), P(a)[1] + f * (P(b)[1] - P(a)[1])));
    });
    return out;
  };
  let weight = 0;
  if (wide > 0) {
    const upperSamples = bandSamples(LIPS_UPPER_INNER.slice(1, -1), LIPS_UPPER_OUTER.slice(1, -1));
    const median = [0, 1, 2].map((c) => upperSamples.map((q) => q[c]!).sort((a, b) => a - b)[upperSamples.length >> 1]!);
    const lowerSamples = bandSamples(LIPS_LOWER_INNER, LIPS_LOWER_OUTER);
    const lipShare = lowerSamples.filter((q) => Math.hypot(q[0] - median[0]!, q[1] - median[1]!, q[2] - median[2]!) < LIP_MATCH_DELTA_E).length / lowerSamples.length;
    const m = Math.min(1, Math.max(0, (LOWER_LIP_SHARE_KEEP - lipShare) / (LOWER_LIP_SHARE_KEEP - LOWER_LIP_SHARE_REPLACE)));
    weight = wide * m * m * (3 - 2 * m);
  }
  // Mouth axes: u along the inner corners (78 → 308), v down the face.
  const c0 = P(LIPS_UPPER_INNER[0]!);
  const c1 = P(LIPS_UPPER_INNER[LIPS_UPPER_INNER.length - 1]!);
  const len = Math.hypot(c1[0] - c0[0], c1[1] - c0[1]) || 1;
  const u: [number, number] = [(c1[0] - c0[0]) / len, (c1[1] - c0[1]) / len];
  let v: [number, number] = [-u[1], u[0]];
  if (v[0] * (P(13)[0] - P(168)[0]) + v[1] * (P(13)[1] - P(168)[1]) < 0) v = [-v[0], -v[1]];
  const toUv = (p: [number, number]): [number, number] => [(p[0] - c0[0]) * u[0] + (p[1] - c0[1]) * u[1], (p[0] - c0[0]) * v[0] + (p[1] - c0[1]) * v[1]];
  // Contours as piecewise-linear functions of s (along the mouth): corners 61/291 close both lips.
  const curve = (ids: readonly number[]): [number[], number[]] => {
    const pts = ids.map((i) => toUv(P(i))).sort((p, q) => p[0] - q[0]);
    return [pts.map((p) => p[0]), pts.map((p) => p[1])];
  };
  const at = ([xs, ys]: [number[], number[]], s: number): number => {
    if (s <= xs[0]!) return ys[0]!;
    for (let j = 1; j < xs.length; j++) if (s <= xs[j]!) return ys[j - 1]! + ((s - xs[j - 1]!) / Math.max(1e-6, xs[j]! - xs[j - 1]!)) * (ys[j]! - ys[j - 1]!);
    return ys[ys.length - 1]!;
  };
  const lowerInner = curve([78, ...LIPS_LOWER_INNER, 308]);
  const lowerOuter = curve([61, ...LIPS_LOWER_OUTER, 291]);
  const upperInner = curve(LIPS_UPPER_INNER);
  const upperOuter = curve(LIPS_UPPER_OUTER);
  const sMin = Math.max(lowerOuter[0][0]!, upperOuter[0][0]!);
  const sMax = Math.min(lowerOuter[0][lowerOuter[0].length - 1]!, upperOuter[0][upperOuter[0].length - 1]!);
  const sample = (x: number, y: number, c: number): number => {
    const xi = Math.max(0, Math.min(widthPx - 2, Math.floor(x)));
    const yi = Math.max(0, Math.min(heightPx - 2, Math.floor(y)));
    const fx = Math.min(1, Math.max(0, x - xi));
    const fy = Math.min(1, Math.max(0, y - yi));
    const g = (xx: number, yy: number): number => rgba[(yy * widthPx + xx) * 4 + c]!;
    return (g(xi, yi) * (1 - fx) + g(xi + 1, yi) * fx) * (1 - fy) + (g(xi, yi + 1) * (1 - fx) + g(xi + 1, yi + 1) * fx) * fy;
  };
  const lumaAt = (x: number, y: number): number => (0.299 * sample(x, y, 0) + 0.587 * sample(x, y, 1) + 0.114 * sample(x, y, 2)) / 255;
  const xyOf = (s: number, b: number): [number, number] => [c0[0] + s * u[0] + b * v[0], c0[1] + s * u[1] + b * v[1]];
  // The lips' luma: the brighter of the two bands' medians (a moustache or a shadow can darken one band whole).
  const lipLuma = Math.max(bandMedianLuma(upperInner, upperOuter, sMin, sMax, at, xyOf, lumaAt), bandMedianLuma(lowerInner, lowerOuter, sMin, sMax, at, xyOf, lumaAt));
  // The gap can run on past the outer corners (img03's right corner): columns reach CORNER_BEYOND_IOD past them.
  const sLo = sMin - CORNER_BEYOND_IOD * iodPx;
  const sHi = sMax + CORNER_BEYOND_IOD * iodPx;
  const upperGap = measureDarkGap(upperInner, upperOuter, sLo, sHi, at, xyOf, lumaAt, iodPx, lipLuma);
  const lowerGap = measureDarkGap(lowerInner, lowerOuter, sLo, sHi, at, xyOf, lumaAt, iodPx, lipLuma);
  if (weight === 0 && !upperGap.any && !lowerGap.any) return null;
  // The band reaches past the outer contour (the real lower lip can lie below it) and fades out there.
  const beyond = BEYOND_OUTER_IOD * iodPx;
  const margin = Math.max(beyond, CORNER_BEYOND_IOD * iodPx, CORNER_GAP_REACH_IOD * iodPx);
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const i of [61, 291, ...LIPS_LOWER_OUTER, ...LIPS_LOWER_INNER, ...LIPS_UPPER_OUTER]) {
    x0 = Math.min(x0, P(i)[0]);
    x1 = Math.max(x1, P(i)[0]);
    y0 = Math.min(y0, P(i)[1]);
    y1 = Math.max(y1, P(i)[1]);
  }
  x0 = Math.max(0, Math.floor(x0 - margin - 1));
  y0 = Math.max(0, Math.floor(y0 - margin - 1));
  x1 = Math.min(widthPx - 1, Math.ceil(x1 + margin + 1));
  y1 = Math.min(heightPx - 1, Math.ceil(y1 + margin + 1));
  if (x1 < x0 || y1 < y0) return null;
  const W = x1 - x0 + 1;
  const H = y1 - y0 + 1;
  const out = new Uint8Array(W * H * 4);
  const corner = new Uint8Array(W * H * 4);
  let darkGapPx = 0;
  let cornerPx = 0;
  // Texels left out keep the photo's colour, so that filtering at the patch's edge blends photo into photo.
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) for (let c = 0; c < 3; c++) out[(y * W + x) * 4 + c] = corner[(y * W + x) * 4 + c] = rgba[((y0 + y) * widthPx + x0 + x) * 4 + c]!;
  // The seam where closed lips meet is shadowed: darker towards the lip's inner edge (f = 0).
  const seamShade = (f: number): number => {
    const fc = Math.min(1, Math.max(0, f / SEAM_SHADE_BAND_FRACTION));
    return 1 - SEAM_SHADE_DEPTH * (1 - fc * fc * (3 - 2 * fc));
  };
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const [s, b] = toUv([x0 + x + 0.5, y0 + y + 0.5]);
      if (s < sLo || s > sHi) continue;
      const i = (y * W + x) * 4;
      let a = 0;
      let ca = 0;
      let crgb: [number, number, number] = [0, 0, 0];
      let rgb: [number, number, number] = [0, 0, 0];
      // Lower band: the wide-open replacement (mirrored upper lip) and the dark-gap repaint; the stronger one wins.
      const bi = at(lowerInner, s);
      const bo = at(lowerOuter, s);
      if (bo > bi + 0.5) {
        const f = (b - bi) / (bo - bi);
        const past = b - bo;
        if (weight > 0 && f >= -0.05 && past <= beyond) {
          a = weight * (1 - Math.min(1, Math.max(0, past / beyond))) * Math.min(1, Math.max(0, (f + 0.05) / 0.1));
          // The upper lip at the same fraction of its band (past the outer contour: its outer edge).
          const ub = at(upperInner, s) + Math.min(1, Math.max(0, f)) * (at(upperOuter, s) - at(upperInner, s));
          const [px, py] = xyOf(s, ub);
          const shade = seamShade(f);
          rgb = [0, 1, 2].map((c) => shade * sample(px, py, c)) as [number, number, number];
        }
        const d = darkGapRepaint(lowerGap, s, f, bi, bo, xyOf, sample, seamShade);
        if (d && d.alpha > a) {
          a = d.alpha;
          rgb = d.rgb;
          darkGapPx++;
        }
        if (d && d.cornerAlpha > ca) {
          ca = d.cornerAlpha;
          crgb = d.rgb;
        }
      }
      // Upper band: the dark-gap repaint only (f from the upper inner contour up to the outer one).
      const ui = at(upperInner, s);
      const uo = at(upperOuter, s);
      if (ui > uo + 0.5) {
        const d = darkGapRepaint(upperGap, s, (ui - b) / (ui - uo), ui, uo, xyOf, sample, seamShade);
        if (d && d.alpha > a) {
          a = d.alpha;
          rgb = d.rgb;
          darkGapPx++;
        }
        if (d && d.cornerAlpha > ca) {
          ca = d.cornerAlpha;
          crgb = d.rgb;
        }
      }
      if (ca > 0) {
        for (let c = 0; c < 3; c++) corner[i + c] = Math.round(Math.min(255, Math.max(0, crgb[c]!)));
        corner[i + 3] = Math.round(255 * Math.min(1, ca));
        cornerPx++;
      }
      if (a <= 0) continue;
      for (let c = 0; c < 3; c++) out[i + c] = Math.round(Math.min(255, Math.max(0, rgb[c]!)));
      out[i + 3] = Math.round(255 * Math.min(1, a));
    }
  }
  return { originPx: [x0, y0], widthPx: W, heightPx: H, rgba: out, weight, darkGapPx, cornerRgba: corner, cornerPx };
}

/** Median Rec. 601 luma of a lip band (fractions 0.1–0.9, columns within ±30 % of the mouth's middle), [0, 1]. */
function bandMedianLuma(
  inner: [number[], number[]],
  outer: [number[], number[]],
  sMin: number,
  sMax: number,
  at: (c: [number[], number[]], s: number) => number,
  xyOf: (s: number, b: number) => [number, number],
  lumaAt: (x: number, y: number) => number,
): number {
  const mids: number[] = [];
  const span = sMax - sMin;
  for (let s = Math.ceil(sMin); s <= sMax; s++) {
    if (Math.abs(s - (sMin + sMax) / 2) > 0.3 * span) continue;
    const bi = at(inner, s);
    const bo = at(outer, s);
    for (let f = 0.1; f <= 0.9001; f += 0.1) mids.push(lumaAt(...xyOf(s, bi + f * (bo - bi))));
  }
  mids.sort((p, q) => p - q);
  return mids.length ? mids[mids.length >> 1]! : 0;
}

/** Per-column reach of the photo's dark gap into one lip band (see {@link measureDarkGap}). */
interface DarkGap {
  /** Column position of `reach[0]` along the mouth axis, px from the subject's right inner corner; columns 1 px apart. */
  s0: number;
  /** `[n]` reach per column as a fraction of the band (inner → outer), 0 where the gap does not enter the band. */
  reach: Float32Array;
  /**
   * `[n]` share of the columns within ±0.06 IOD where the band is dark past {@link DARK_GAP_MAX_FRACTION} (no lip of
   * its own to stretch), [0, 1]: a box mean, so the repaint fades out along the mouth instead of stopping at a step.
   */
  whole: Float32Array;
  /**
   * `[n]` where the band is dark through: how far (share of the band, may pass 1: past the outer contour) the gap runs
   * darker than {@link CORNER_GAP_REL_LUMA} × its dark surround; 0 where no such gap starts within the band.
   */
  cornerReach: Float32Array;
  /** Whether any column's gap enters the band. */
  any: boolean;
}

/**
 * Where the dark gap between parted lips runs on past the tracked inner-lip contour into a lip band.
 * @remarks Why: on a smile with teeth (img03) the photo's near-black gap between the teeth and the lower lip, and in
 * the corners, lies partly outside the tracked inner-lip contour, in the lip bands; closing the mouth stretched
 * those near-black rows over the lips as a dark smear. Per 1-px column along the mouth axis, the band's Rec. 601
 * luma is walked from its inner edge outward in 0.5-px steps: a run of pixels darker than {@link DARK_GAP_REL_LUMA}
 * × the lips' luma (the brighter band's median) that starts at the inner edge is the gap. A run that passes
 * {@link DARK_GAP_MAX_FRACTION} of the band leaves the band without lip of its own to stretch (`whole`; img03's
 * upper band under the moustache at the corners): it is left as the photo shows it. Reaches and flags are median-filtered over ±0.03 IOD of columns
 * (≈ 2 mm), so one bright or dark pixel does not break the repaint into columns.
 */
function measureDarkGap(
  inner: [number[], number[]],
  outer: [number[], number[]],
  sMin: number,
  sMax: number,
  at: (c: [number[], number[]], s: number) => number,
  xyOf: (s: number, b: number) => [number, number],
  lumaAt: (x: number, y: number) => number,
  iodPx: number,
  lipLuma: number,
): DarkGap {
  const s0 = Math.ceil(sMin);
  const n = Math.max(0, Math.floor(sMax) - s0 + 1);
  const reachRaw = new Float32Array(n);
  const wholeRaw = new Float32Array(n);
  const cornerRaw = new Float32Array(n);
  const dark = DARK_GAP_REL_LUMA * lipLuma;
  for (let k = 0; k < n; k++) {
    const s = s0 + k;
    const bi = at(inner, s);
    const bo = at(outer, s);
    const bandPx = Math.abs(bo - bi);
    if (bandPx < 1) continue;
    let reach = -1;
    for (let d = 0; d <= DARK_GAP_MAX_FRACTION * bandPx; d += 0.5) {
      if (lumaAt(...xyOf(s, bi + (d / bandPx) * (bo - bi))) >= dark) {
        reach = d / bandPx;
        break;
      }
    }
    if (reach < 0) {
      reachRaw[k] = DARK_GAP_MAX_FRACTION;
      wholeRaw[k] = 1;
      cornerRaw[k] = cornerGapReach(s, bi, bo, bandPx, xyOf, lumaAt, CORNER_GAP_REACH_IOD * iodPx);
    } else reachRaw[k] = reach;
  }
  const r = Math.max(1, Math.round(0.03 * iodPx));
  const reach = new Float32Array(n);
  const whole = new Float32Array(n);
  const cornerReach = new Float32Array(n);
  let any = false;
  const med = (a: Float32Array, k: number): number => {
    const near: number[] = [];
    for (let j = Math.max(0, k - r); j <= Math.min(n - 1, k + r); j++) near.push(a[j]!);
    near.sort((p, q) => p - q);
    return near[near.length >> 1]!;
  };
  for (let k = 0; k < n; k++) {
    reach[k] = med(reachRaw, k);
    cornerReach[k] = med(cornerRaw, k);
    let m = 0;
    for (let j = k - 2 * r; j <= k + 2 * r; j++) m += wholeRaw[Math.max(0, Math.min(n - 1, j))]! / (4 * r + 1);
    whole[k] = m;
    if (reach[k]! > 0) any = true;
  }
  return { s0, reach, whole, cornerReach, any };
}

/**
 * The repainted colour of a lip-band pixel in the dark gap, alpha 1 inside the repainted span, fading over its last
 * half pixel: the band's own lip texture from just past the gap stretched over it (the pixel at fraction f < 2·reach
 * takes the colour at reach + f / 2, continuous at 2·reach), shaded like a closed mouth's seam. Where the band is dark
 * past {@link DARK_GAP_MAX_FRACTION} (`whole`) there is no lip to stretch and nothing is repainted. (Mirroring the
 * other lip into such a band was tried on img03: a pink sliver floated in the dark corner above the seam.)
 * @returns null where the gap does not reach this column or the pixel lies outside the repainted span.
 */
function darkGapRepaint(
  gap: DarkGap,
  s: number,
  f: number,
  bi: number,
  bo: number,
  xyOf: (s: number, b: number) => [number, number],
  sample: (x: number, y: number, c: number) => number,
  seamShade: (f: number) => number,
): { alpha: number; rgb: [number, number, number]; cornerAlpha: number } | null {
  const k = Math.max(0, Math.min(gap.reach.length - 1, Math.round(s) - gap.s0));
  const reach = gap.reach[k] ?? 0;
  if (reach <= 0 || f < -0.05) return null;
  const bandPx = Math.abs(bo - bi);
  const shade = seamShade(Math.max(0, f));
  // Stretched lip of the band itself (none where the whole band is dark).
  let alpha = 0;
  let rgb: [number, number, number] = [0, 0, 0];
  if (f <= 2 * reach) {
    const src = reach + Math.max(0, f) / 2;
    const [px, py] = xyOf(s, bi + src * (bo - bi));
    alpha = Math.min(1, Math.max(0, (2 * reach - f) * bandPx * 2));
    rgb = [0, 1, 2].map((c) => shade * sample(px, py, c)) as [number, number, number];
  }
  // Where the band is dark through (no lip of its own past the gap) the lip is not stretched, faded in along the mouth…
  const whole = gap.whole[k] ?? 0;
  alpha *= 1 - whole;
  // …but the gap's near-black run, measured against the dark surround, takes the surround just past it (moustache,
  // shaded skin), stretched the same way.
  let cornerAlpha = 0;
  const cr = gap.cornerReach[k] ?? 0;
  if (cr > 0 && whole > 0 && f <= 2 * cr) {
    const srcPx = cr * bandPx + 1 + (Math.max(0, f) * bandPx) / 2;
    const [px, py] = xyOf(s, bi + (srcPx / bandPx) * (bo - bi));
    cornerAlpha = whole * Math.min(1, Math.max(0, (2 * cr - f) * bandPx * 2));
    if (cornerAlpha > alpha) rgb = [0, 1, 2].map((c) => shade * sample(px, py, c)) as [number, number, number];
  }
  if (alpha <= 0 && cornerAlpha <= 0) return null;
  return { alpha: Math.max(alpha, cornerAlpha), rgb, cornerAlpha };
}

/**
 * Where a lip band is dark through, how far from its inner edge the near-black gap runs: the surround's luma is the
 * median over `maxPx` from the inner edge outward (0.5-px steps); the gap is the first run darker than
 * {@link CORNER_GAP_REL_LUMA} × that which starts within the band (+1 px, at least {@link CORNER_GAP_START_SHARE} × `maxPx`).
 * @returns the run's end as a share of the band (> 1 past the outer contour), or 0 when no run starts in the band
 * or it runs on past `maxPx` (a dark feature of its own, left as it is).
 */
function cornerGapReach(
  s: number,
  bi: number,
  bo: number,
  bandPx: number,
  xyOf: (s: number, b: number) => [number, number],
  lumaAt: (x: number, y: number) => number,
  maxPx: number,
): number {
  const dir = Math.sign(bo - bi);
  const at = (d: number): number => lumaAt(...xyOf(s, bi + dir * d));
  const walk: number[] = [];
  for (let d = 0; d <= maxPx; d += 0.5) walk.push(at(d));
  const ref = [...walk].sort((p, q) => p - q)[walk.length >> 1] ?? 0;
  const thr = CORNER_GAP_REL_LUMA * ref;
  let j = 0;
  const startPx = Math.max(bandPx + 1, CORNER_GAP_START_SHARE * maxPx);
  while (j < walk.length && j * 0.5 <= startPx && walk[j]! >= thr) j++;
  if (j >= walk.length || j * 0.5 > startPx) return 0;
  while (j < walk.length && walk[j]! < thr) j++;
  if (j >= walk.length) return 0;
  return (j * 0.5) / bandPx;
}
