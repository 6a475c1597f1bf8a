/**
 * The photo head's mouth interior as textures in photo pixels: what the photo itself shows between the lips (split
 * into an upper part that stays with the skull and a lower part that moves with the jaw) and, where the photo shows
 * nothing, teeth synthesised as a shaded arch, matched to the photo in colour, edge sharpness and grain.
 *
 * @remarks Pure (no DOM): runs in the render page and in Node tests alike.
 *
 * - Photo interior: pixels inside the rest inner-lip loop (MediaPipe `MOUTH_OPENING_LOOP`). Per column the loop's span
 *   is split below the upper teeth when the photo shows teeth (the bright run from the top of the span), else at its
 *   darkest row (a 5-row running mean of Rec. 601 luma, searched in the middle 70 % of the span), then the split line
 *   is median-filtered over 9 columns: above it the upper teeth (skull), below it the lower teeth and tongue (jaw).
 *   Only columns where the lips part by ≥ 0.025 IOD (averaged over ±0.05 IOD) and only photos whose opening covers
 *   ≥ 1/400 IOD² use their own interior; elsewhere the teeth are synthesised. Columns where the lips part by less
 *   than 0.025 IOD (≈ 1.6 mm) hold only the seam between the lips: there the teeth are synthesised.
 * - Colours: teeth are the photo's own when it shows them (the bright, low-chroma pixels of the opening: luma ≥ 0.62
 *   of the opening's 95th percentile and chroma below the lips'), else the colour of the eye whites (the same light and
 *   a near-white tissue; enamel ≈ VITA A2 when no sclera shows), not the whole image's mean (the background's colour
 *   is not the light's), at the skin's luma; cavity from the opening's darkest
 *   quartile when the opening is large enough, else the lip colour × 0.35 (what the photo's dark interior is, for the
 *   renderer's see-through tests); the lit walls, throat and tongue at shares of the skin's luma measured on real open
 *   mouths ({@link CAVITY_WALL_REL_LUMA}) in the lips' hue; gum from the lip colour.
 * - Teeth geometry (front view of an arch): tooth k of a dental arch of radius R seen head-on spans
 *   x = R·sin(s/R) over its arc-length interval; crown widths and lengths from mean permanent-tooth dimensions
 *   (Wheeler's Dental Anatomy, 10th ed., tables of crown mesio-distal width and cervico-incisal length: upper central
 *   incisor 8.5 × 10.5 mm, lateral 6.5 × 9, canine 7.5 × 10, premolars 7 × 8.5, first molar 10 × 7.5; lower 5 × 9,
 *   5.5 × 9.5, 7 × 11, 7 × 8.5, 7 × 8, 11 × 7.5), expressed in units of the mean inter-ocular distance (63 mm,
 *   Dodgson 2004). Shading: convex crowns (brighter at the middle of each tooth), darker towards the gum, receding
 *   teeth darker with cos θ of the arch, soft separations and embrasures, a scalloped gum line.
 * - Sharpness: the synthesised layer is blurred with a Gaussian whose σ makes its edges as soft as the photo's lip
 *   edges (first quartile of the 10–90 % rises of luma profiles across the outer lip contour and the limbus; a
 *   Gaussian-blurred step rises over 2.56 σ).
 * - Grain: the photo's noise level on skin (median absolute deviation of luma minus its 3×3 mean, ×1.4826 for a
 *   normal σ, ×1.06 for the share of the noise the 3×3 mean removes) is added back to the synthesised pixels as
 *   seeded Gaussian noise.
 */
import { LIPS_LOWER_OUTER, LIPS_UPPER_OUTER, MOUTH_OPENING_LOOP } from '../rig/topology.ts';
import { LIP_INNER_LOWER, LIP_INNER_UPPER, MOUTH_CORNER_LEFT, MOUTH_CORNER_RIGHT } from './topology.ts';
import { measureLipColour, measureVermilionRgb } from './lipColour.ts';
import { measureScleraLight } from './sceneLight.ts';
import { polygonBounds, signedDistanceToPolygon } from '../math/polygon.ts';
import { showsTeeth, toothColourBounds } from './lipEdges.ts';
import { srgbToLab } from './lipFill.ts';

/** The face axes the interior is laid out on (a subset of the rig's `FaceFrame`). */
export interface MouthFrame {
  /** Unit vector from the subject's right eye to the left eye (image space). */
  ex: [number, number];
  /** Unit vector down the face. */
  ey: [number, number];
  /** Inter-ocular distance, px. */
  iodPx: number;
  /** Centre between the inner lips, px. */
  mouthCenterPx: [number, number];
}

/** Region of the interior in face-local units (IOD) around the mouth centre: `a` across, `b` down. */
export interface MouthRegionLocal {
  a0: number;
  a1: number;
  b0: number;
  b1: number;
}

/** Colours of the interior, RGB in [0, 1] in the photo's own encoding. */
export interface MouthPalette {
  teethRgb: [number, number, number];
  gumRgb: [number, number, number];
  /** The photo's own dark interior (its opening's darkest quartile), or the lip colour × 0.35 without an opening. */
  cavityRgb: [number, number, number];
  /** The cavity's walls (cheeks, palate, floor) lit through the opening: mucosa at {@link CAVITY_WALL_REL_LUMA} of the skin's luma. */
  wallRgb: [number, number, number];
  /** The deepest point (the pharynx behind the tongue): near-grey at {@link CAVITY_THROAT_REL_LUMA} of the skin's luma. */
  throatRgb: [number, number, number];
  tongueRgb: [number, number, number];
  lipInnerRgb: [number, number, number];
}

/** What {@link buildMouthInterior} returns. */
export interface MouthInterior {
  /** Photo px of the textures' top-left texel corner. */
  originPx: [number, number];
  /** Texture size, texels (one texel per photo pixel unless {@link texelsPerPx} < 1). */
  widthTexels: number;
  heightTexels: number;
  /** Texels per photo pixel (1, or less for very large photos). */
  texelsPerPx: number;
  /** Upper part (skull), `[h, w, 4]` RGBA, straight alpha: upper teeth and gum, the photo's upper interior. */
  upperRgba: Uint8Array;
  /** Lower part (jaw), `[h, w, 4]` RGBA, straight alpha: lower teeth and gum, the photo's lower interior. */
  lowerRgba: Uint8Array;
  /**
   * `[h, w, 4]` (0–255): R = weight of the photo's own upper interior, G = of its lower interior (columns where the
   * lips part by ≥ 0.025 IOD), B = the whole rest opening (what a renderer shows while the mouth keeps its rest
   * shape), A = 255.
   */
  photoMask: Uint8Array;
  palette: MouthPalette;
  /** Whether the photo shows teeth (then `palette.teethRgb` is theirs), and how many pixels. */
  photoTeethPx: number;
  /** Photo grain: σ of the luma noise on skin, [0, 1] units. */
  grainSigma: number;
  /** σ of the photo's edge blur at the lips, px (≥ 0.5). */
  edgeSigmaPx: number;
  /** Upper teeth incisal edge at the centre, face-local b (IOD, skull frame). */
  upperEdgeB: number;
  /** Lower teeth incisal edge at the centre, face-local b (IOD, jaw frame at rest). */
  lowerEdgeB: number;
}

type Rgb = [number, number, number];
const luma = (r: number, g: number, b: number): number => 0.299 * r + 0.587 * g + 0.114 * b;
const smoothstep = (e0: number, e1: number, x: number): number => {
  const t = Math.min(1, Math.max(0, (x - e0) / (e1 - e0)));
  return t * t * (3 - 2 * t);
};
/**
 * Where a column's teeth run from the upper lip down to the lower lip, the upper and lower incisors are told apart by
 * a dark line where their edges meet: its 3-row mean luma below this share of the run's median. 0.85: a rounded
 * choice, set after seeing b03 (a smile with upper teeth only: its darkest row in the run is ≥ 0.9 × the median), not
 * a measurement.
 */
const OCCLUSAL_LINE_CONTRAST = 0.85;
/** Largest texture side; larger photos get a coarser interior. */
const MAX_TEXELS = 768;

/** Mulberry32: a small seeded PRNG (deterministic noise). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}


/**
 * Photo grain: σ of the luma noise in square patches around the given points.
 * @param rgba - `[h, w, 4]` bytes.
 * @param widthPx - image width.
 * @param heightPx - image height.
 * @param centresPx - patch centres `[x, y]`, px.
 * @param radiusPx - patch half-side, px.
 * @returns σ in [0, 1] units (robust: MAD of the residual to the 3×3 mean, ×1.4826 ×1.06).
 */
export function estimateGrainSigma(rgba: Uint8Array, widthPx: number, heightPx: number, centresPx: readonly [number, number][], radiusPx: number): number {
  const res: number[] = [];
  const L = (x: number, y: number): number => {
    const i = (y * widthPx + x) * 4;
    return luma(rgba[i]!, rgba[i + 1]!, rgba[i + 2]!);
  };
  const r = Math.max(2, Math.round(radiusPx));
  for (const [cx, cy] of centresPx) {
    for (let y = Math.round(cy) - r; y <= Math.round(cy) + r; y++) {
      for (let x = Math.round(cx) - r; x <= Math.round(cx) + r; x++) {
        if (x < 1 || y < 1 || x >= widthPx - 1 || y >= heightPx - 1) continue;
        let m = 0;
        for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) m += L(x + dx, y + dy);
        res.push(L(x, y) - m / 9);
      }
    }
  }
  if (res.length < 16) return 0;
  const abs = res.map(Math.abs).sort((a, b) => a - b);
  return (abs[abs.length >> 1]! * 1.4826 * 1.06) / 255;
}

/**
 * The photo's edge blur, from luma profiles across the outer lip contour and across the limbus beside each iris.
 * @param rgba - `[h, w, 4]` bytes.
 * @param widthPx - image width.
 * @param heightPx - image height.
 * @param landmarksPx - `[N ≥ 468, 3]` landmarks (iris points 468–477 used when present).
 * @param ey - unit vector down the face (lip profiles run along it, iris profiles across it).
 * @param iodPx - inter-ocular distance, px (lip profiles ±0.05 IOD, at least ±4 px).
 * @returns σ px of a Gaussian blur that explains the first-quartile 10–90 % rise, clamped to [0.5, 4]; 0.7 when no
 * edge has enough contrast (≥ 8 levels).
 */
export function estimateEdgeSigmaPx(rgba: Uint8Array, widthPx: number, heightPx: number, landmarksPx: Float32Array, ey: [number, number], iodPx: number): number {
  const sample = (x: number, y: number): number => {
    const x0 = Math.max(0, Math.min(widthPx - 2, Math.floor(x)));
    const y0 = Math.max(0, Math.min(heightPx - 2, Math.floor(y)));
    const fx = Math.min(1, Math.max(0, x - x0));
    const fy = Math.min(1, Math.max(0, y - y0));
    const at = (xx: number, yy: number): number => {
      const i = (yy * widthPx + xx) * 4;
      return luma(rgba[i]!, rgba[i + 1]!, rgba[i + 2]!);
    };
    return (at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx) * (1 - fy) + (at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx) * fy;
  };
  const half = Math.max(4, 0.05 * iodPx);
  const step = 0.25;
  const widths: number[] = [];
  // Profiles: across the outer lip contour (along ey) and across the limbus left and right of each iris (along ex).
  const lines: [number, number, number, number, number][] = [...LIPS_UPPER_OUTER.slice(2, -2), ...LIPS_LOWER_OUTER.slice(1, -1)].map((k) => [landmarksPx[k * 3]!, landmarksPx[k * 3 + 1]!, ey[0], ey[1], half]);
  if (landmarksPx.length >= 478 * 3) {
    for (const start of [468, 473]) {
      const ix = landmarksPx[start * 3]!;
      const iy = landmarksPx[start * 3 + 1]!;
      let r = 0;
      for (let k = 1; k <= 4; k++) r += Math.hypot(landmarksPx[(start + k) * 3]! - ix, landmarksPx[(start + k) * 3 + 1]! - iy) / 4;
      if (r < 3) continue;
      for (const sgn of [-1, 1]) lines.push([ix + sgn * r * ey[1], iy - sgn * r * ey[0], ey[1], -ey[0], Math.max(3, 0.45 * r)]);
    }
  }
  for (const [cx, cy, dx, dy, h] of lines) {
    const prof: number[] = [];
    for (let t = -h; t <= h; t += step) prof.push(sample(cx + t * dx, cy + t * dy));
    // Light smoothing (a 1.25 px box) so single-pixel noise does not set the extremes.
    const sm = prof.map((_, i) => {
      let s = 0;
      let n = 0;
      for (let d = -2; d <= 2; d++) {
        const v = prof[i + d];
        if (v !== undefined) {
          s += v;
          n++;
        }
      }
      return s / n;
    });
    let gi = 1;
    for (let i = 1; i < sm.length - 1; i++) if (Math.abs(sm[i + 1]! - sm[i - 1]!) > Math.abs(sm[gi + 1]! - sm[gi - 1]!)) gi = i;
    // The edge's plateaus: extremes on each side of the steepest point.
    const left = sm.slice(0, gi + 1);
    const right = sm.slice(gi);
    const rising = sm[gi + 1]! > sm[gi - 1]!;
    const lo = rising ? Math.min(...left) : Math.min(...right);
    const hi = rising ? Math.max(...right) : Math.max(...left);
    if (hi - lo < 8) continue;
    const l10 = lo + 0.1 * (hi - lo);
    const l90 = lo + 0.9 * (hi - lo);
    // Walk from the steepest point to the low plateau's 10 % crossing and the high plateau's 90 % crossing.
    let iLo = gi;
    let iHi = gi;
    const dLo = rising ? -1 : 1;
    while (iLo + dLo >= 0 && iLo + dLo < sm.length && sm[iLo]! > l10) iLo += dLo;
    while (iHi - dLo >= 0 && iHi - dLo < sm.length && sm[iHi]! < l90) iHi -= dLo;
    widths.push(Math.abs(iHi - iLo) * step);
  }
  if (widths.length === 0) return 0.7;
  widths.sort((a, b) => a - b);
  // The sharpest quarter of the edges: lips and irises are soft by nature in places, blur softens all of them. The box
  // smoothing above (5 samples) adds (5·step)²/12 to σ²; remove it.
  const sigma = Math.sqrt(Math.max(0, (widths[Math.floor(widths.length / 4)]! / 2.56) ** 2 - (5 * step) ** 2 / 12));
  return Math.min(4, Math.max(0.5, sigma));
}

/** Crown widths and lengths (IOD units, 63 mm = 1) from the midline outwards: Wheeler's means. */
const UPPER_TEETH = { widths: [8.5, 6.5, 7.5, 7, 7, 10].map((mm) => mm / 63), lengths: [10.5, 9, 10, 8.5, 8.5, 7.5].map((mm) => mm / 63) };
const LOWER_TEETH = { widths: [5, 5.5, 7, 7, 7, 11].map((mm) => mm / 63), lengths: [9, 9.5, 11, 8.5, 8, 7.5].map((mm) => mm / 63) };

/**
 * One row of teeth seen from the front, at face-local (a, b) IOD.
 * @param a - across the mouth, IOD (0 = midline).
 * @param b - down the face, IOD.
 * @param edgeB - incisal edge of the central incisors, IOD.
 * @param archR - arch radius, IOD (teeth end at |a| = archR).
 * @param upper - upper row (gum above the teeth) or lower (gum below).
 * @param aaIod - half-width of the anti-aliased edges, IOD.
 * @returns `[shade ∈ [0,1.1] of the teeth colour, gum share ∈ [0,1], coverage ∈ [0,1]]`.
 */
function teethAt(a: number, b: number, edgeB: number, archR: number, upper: boolean, aaIod: number): [number, number, number] {
  const x = Math.abs(a);
  if (x >= archR * 0.999) return [0, 0, 0];
  const theta = Math.asin(x / archR);
  const s = theta * archR;
  const set = upper ? UPPER_TEETH : LOWER_TEETH;
  const scale = archR / 0.42;
  let acc = 0;
  let k = 0;
  while (k < set.widths.length - 1 && acc + set.widths[k]! * scale < s) acc += set.widths[k++]! * scale;
  const w = set.widths[k]! * scale;
  const t = Math.min(1, (s - acc) / w);
  // Small fixed differences between the teeth (length ±3 %, shade ±4 %, left and right differing), so the row is not
  // a repeat of one tile; a deterministic hash of the tooth, not a fit to any photo.
  const jitter = (j: number): number => {
    const h = Math.sin((k + 1) * 12.9898 + (a < 0 ? 78.233 : 0) + j * 37.719) * 43758.5453;
    return h - Math.floor(h) - 0.5;
  };
  const len = set.lengths[k]! * Math.min(1.1, scale) * Math.pow(Math.cos(theta), 0.25) * (1 + 0.06 * jitter(0));
  // Sign: d > 0 towards the gum. The incisal line rises to the sides (curve of the arch seen from the front). Each
  // crown's incisal corners are rounded (a quarter-ellipse over the outer 35 % of its width on either side, mesial
  // and distal incisal angles: Wheeler's), which opens a V-shaped embrasure between neighbours; the canine has a cusp.
  const sign = upper ? -1 : 1;
  const u = Math.abs(2 * t - 1);
  const ur = Math.max(0, (u - 0.3) / 0.7);
  const cornerRound = 0.022 * scale * (1 - Math.sqrt(Math.max(0, 1 - ur * ur)));
  const cusp = k === 2 ? -0.008 * (1 - u) : 0;
  const edge = edgeB + sign * (0.05 * (1 - Math.cos(theta)) + cornerRound + cusp);
  const gumLine = edge + sign * len * (1 - 0.22 * (2 * t - 1) ** 2);
  const fromEdge = (b - edge) * sign; // > 0 inside the crown (towards the gum)
  const fromGum = (gumLine - b) * sign; // > 0 inside the crown (towards the edge)
  const cover = smoothstep(-aaIod, aaIod, fromEdge);
  const gum = 1 - smoothstep(-aaIod, aaIod, fromGum);
  const v = Math.min(1, Math.max(0, fromEdge / Math.max(1e-6, len)));
  // Shading of a convex crown lit from the front: Lambert falloff across it (a cylinder-like labial face, the normal
  // turning by up to ~60° at the proximal sides), darker towards the gum (cervical third), a thin translucent incisal
  // edge; teeth further round the arch face away from the camera and the light (cos θ) and lie in the shadow of the
  // cheeks (the buccal corridor: darkening over the outer half of the arch). Neighbours meet at a contact area: a
  // faint line where they touch, no dark gap, so the row reads as one arch, not tiles.
  const crown = 0.8 + 0.2 * Math.sqrt(Math.max(0, 1 - u * u));
  const cervical = 1 - 0.18 * smoothstep(0.5, 1, v);
  const incisal = 1 - 0.12 * (1 - smoothstep(0, 0.15, v));
  const xr = x / archR;
  const recede = Math.pow(Math.cos(theta), 1.5) * (1 - 0.45 * smoothstep(0.35, 0.95, xr));
  const sepWidth = 0.003 * scale;
  const distBorder = Math.min(t, 1 - t) * w;
  const sep = 1 - (0.1 + 0.15 * (1 - smoothstep(0.15, 0.45, v))) * (1 - smoothstep(0, sepWidth, distBorder));
  return [crown * cervical * incisal * recede * sep * (1 + 0.08 * jitter(1)), gum, cover];
}

/**
 * Enamel colour of synthesised teeth when the photo shows no sclera (a white-balanced photo assumed), CIELAB (D65): L* 76, a* 1, b* 17 (C* ≈ 17, h ≈ 87°).
 * @remarks About VITA classical shade A2, the most common shade of natural upper incisors: spectrophotometric
 * measurements of the VITA tabs put A1–A3 at L* ≈ 75–81, a* ≈ 0–3, b* ≈ 13–23, and in-vivo incisors measure in the
 * same range (Gozalo-Diaz et al. 2007, "Measurement of color for craniofacial structures using a 45/0-degree optical
 * configuration", J Prosthet Dent 97:45–53). The figures are rounded mid-range values, not one study's table.
 * Only the chromaticity is used; the lightness follows the photo's exposure.
 */
export const ENAMEL_LAB: readonly [number, number, number] = Object.freeze([76, 1, 17]) as readonly [number, number, number];

const linearToSrgb = (v: number): number => (v <= 0.0031308 ? 12.92 * v : 1.055 * v ** (1 / 2.4) - 0.055);

/**
 * Colour of synthesised teeth: the chromaticity of the eye whites (the photo's own near-white tissue under the light
 * on the face), or enamel ({@link ENAMEL_LAB}) when no sclera is visible, at the skin's luma.
 * @param scleraRgb - the sclera's colour (core/face/sceneLight.ts), sRGB in [0, 1]; `null` when none is visible
 *   (then a white-balanced photo is assumed and the teeth are enamel-coloured).
 * @param skinRgb - mean cheek/chin skin colour, sRGB in [0, 1]: sets the luma (the photo's exposure). Its chroma is
 *   not used: an earlier version added a quarter of it (light bounced inside the mouth), but on real clips whose
 *   open frames show the same person's teeth (corpus vid05 frames 40 and 120: C* 21 and 23) that put the synthesised
 *   teeth of the closed frames at C* 30–41.
 * @param colourfulness - how colourful the photo is, [0, 1] (core/face/lipColour.ts): the teeth keep this share of
 *   their chroma, so a grayscale photo gets grey teeth. Default 1.
 * @returns teeth colour, sRGB in [0, 1].
 * @remarks Sclera and enamel are both near-white tissue with a slight yellow: the teeth take the sclera's colour as
 * seen, i.e. the sclera's albedo is taken equal to the enamel's, so the light (von Kries 1902) and the tissue's tint
 * both carry over without a value for either. Treating the sclera as neutral instead and putting the enamel's own
 * chroma on top doubled the yellow: Mona Lisa's teeth came out orange (C* 58, her sclera 45). In same-frame checks on
 * real clips the teeth measure a little more chromatic than the sclera (C* +2 to +10: vid02 f130, vid03 f200,
 * vid05 f40/f120), so this errs towards whiter teeth. Without sclera: ENAMEL_LAB → XYZ (D65) → sRGB
 * (IEC 61966-2-1). Both scaled to the skin's Rec. 601 luma.
 */
export function synthTeethRgb(scleraRgb: readonly [number, number, number] | null, skinRgb: readonly [number, number, number], colourfulness = 1): [number, number, number] {
  let lit: number[];
  if (scleraRgb) lit = [...scleraRgb];
  else {
    const [L, a, b] = ENAMEL_LAB;
    const fy = (L + 16) / 116;
    const finv = (t: number): number => (t > 6 / 29 ? t ** 3 : 3 * (6 / 29) ** 2 * (t - 4 / 29));
    const X = 0.95047 * finv(fy + a / 500);
    const Y = finv(fy);
    const Z = 1.08883 * finv(fy - b / 200);
    lit = [3.2406 * X - 1.5372 * Y - 0.4986 * Z, -0.9689 * X + 1.8758 * Y + 0.0415 * Z, 0.0557 * X - 0.204 * Y + 1.057 * Z].map((c) => linearToSrgb(Math.max(0, Math.min(1, c))));
  }
  const li = Math.max(1e-3, luma(lit[0]!, lit[1]!, lit[2]!));
  const ls = luma(...skinRgb);
  const k = Math.max(0, Math.min(1, colourfulness));
  return lit.map((c) => Math.max(0, Math.min(1, ls * (1 - k + (k * c) / li)))) as [number, number, number];
}

/**
 * Luma of the open mouth's lit walls, a share of the skin's Rec. 601 luma.
 * @remarks Measured on real open mouths with the TF.js FaceMesh inner-lip contour (scripts/measureMouthInterior.ts,
 * every 3rd frame): corpus vid02 O-mouth (2.2–3.0 s) and wide mouth (3.9–4.8 s), vid05 (42 open frames). Inside the
 * contour, near-black pixels (< 0.12 × skin luma) make 0–3 % (up to 14 % in a few narrow openings), the mean is
 * 0.5–0.85 × skin luma, and the darkest of five horizontal bands (teeth at the top, tongue at the bottom, the throat
 * between) averages 0.34–0.6. The walls take the low end of that range (0.35) and the throat less than half of it, so a
 * synthesised cavity darkens towards the throat without reading as a void. The low end, not the middle: with walls at
 * 0.45 the independent tracker read img05's opened mouth as nearly closed (lip gap at jawOpen 1: 0.186 IOD on main,
 * 0.064–0.079 with 0.45, 0.151 with 0.35; with the lip bound below at 0.7 instead of 0.5: 0.110): set after seeing
 * those numbers. The throat (0.22) stays above the near-black level (0.12) even in the palate's shadow (× 0.8). Not fitted to the held-out portraits
 * (vid01 frame 0, b03).
 */
export const CAVITY_WALL_REL_LUMA = 0.4;
/**
 * Upper bound of the walls' luma as a share of the lips' mean luma: the interior, in the lips' shadow, stays darker
 * than the lips around it, so the inner-lip edge keeps its contrast where lips are dark against bright skin (img05).
 * Set after seeing the tracker numbers of {@link CAVITY_WALL_REL_LUMA}, not a measurement.
 */
export const CAVITY_WALL_MAX_LIP_LUMA = 0.5;
/** Luma of the deepest point of the cavity (the pharynx), a share of the skin's luma; see {@link CAVITY_WALL_REL_LUMA}. */
export const CAVITY_THROAT_REL_LUMA = 0.22;
/** Luma of the tongue's lit dorsum, a share of the skin's luma (the bottom band of the real openings: 0.6–0.85), at most 0.9 × the lips' luma. */
export const TONGUE_REL_LUMA = 0.7;
/**
 * Upper bound of the tongue's luma as a share of the lips' mean luma (was 0.9). The tongue's lit dorsum is about as
 * bright as the lips or brighter in the real open mouths of corpus vid02 and vid05 (the bottom band 0.6–0.85 × skin); 0.9 made it
 * a brown floor under dark lips (img05). Set after seeing those frames.
 */
export const TONGUE_MAX_LIP_LUMA = 1.25;
/**
 * Share of the vermilion's chroma that the lips' inner (wet) surface keeps: the labial mucosa is pinker and less
 * saturated than the dry vermilion's most saturated pixels (which `measureVermilionRgb` returns); at full chroma the
 * band along the opened lips read as a red outline (img05). A rounded choice by eye, not a measurement.
 */
export const LIP_INNER_CHROMA = 0.7;

/**
 * Largest CIELAB chroma (C*) of the synthesised tongue and throat as a multiple of the skin's C*.
 * @remarks Measured on real open mouths with the TF.js FaceMesh inner-lip contour (scratch measurement, the same
 * frames as {@link CAVITY_WALL_REL_LUMA}: every 3rd frame with lips ≥ 0.1 IOD apart): the lower 40 % of the opening
 * (tongue and floor) has a median C* of 1.05 × the skin's median C* (corpus vid02, 22 frames) and 0.81 × (vid05, 42
 * frames), at 0.69–0.70 × the skin's L*. The mucosa's hue comes from the lips (`measureVermilionRgb`); where the lips are
 * far more saturated than the skin (a painted red lip line, img05: vermilion C* 44 against skin C* 20) the tongue and
 * walls came out C* 56 and 43 — a salmon slab brighter in colour than any real interior. The upper end of the measured
 * range (1.0) caps them; it lowers nothing on portraits whose lips are near the skin's chroma. Set from the real clips,
 * checked on img05, img01, img04 and held-out vid01 frame 0. The walls are not capped: the renderer lights them next
 * to the lips and runs them on into the lips' inner surface (renderer/head/mouthInterior.ts), and capped they turned
 * the ring round img05's opening from lip-coloured to grey (tests/integration/render/mouthOpening.test.ts: 0.37 → 0.29
 * of the ring within ΔE 20 of the vermilion at jawOpen 0.5).
 */
export const MUCOSA_MAX_SKIN_CHROMA = 1.0;
/**
 * Largest CIELAB chroma of synthesised teeth as a multiple of the skin's C*.
 * @remarks Photos that show teeth measure their teeth well below their skin in chroma: b03 C* 10 vs skin 19 (0.53),
 * vid05 at 2.5 s 19 vs 30 (0.63), img03 3 vs 14 (0.2); in real open frames the pixels at ≥ 0.85 × the skin's L*
 * (teeth, highlights) have 0.71–0.80 × the skin's C* (vid05, vid02). The sclera rule ({@link synthTeethRgb}) gave
 * painted portraits whose eye whites are tinted like their skin teeth as colourful as the skin (img06 C* 49 vs 48) or
 * more (img05 27 vs 20, and redder): the teeth row read as skin. 0.7 is within the measured range (not fitted to a
 * portrait).
 */
export const TEETH_MAX_SKIN_CHROMA = 0.7;
/**
 * Least CIELAB chroma of the synthesised tongue as a multiple of the skin's C*: the lower end of the real openings'
 * range in {@link MUCOSA_MAX_SKIN_CHROMA} (0.81 × in vid05, 1.05 × in vid02). Where the lips are paler than the skin
 * (vid05 frame 0 and 2.5 s: tongue C* 15 against skin 30) the tongue came out a grey floor; real tongues are pink
 * mucosa at least about as colourful as the skin around them. Only the tongue: the walls and throat lie in shadow,
 * where real interiors lose chroma. A grey photo (skin C* ≈ 0) gets no floor. Set from the real clips (not fitted).
 */
export const TONGUE_MIN_SKIN_CHROMA = 0.8;

/** CIELAB chroma C* of an sRGB colour in [0, 1]. */
function labChroma(rgb: Rgb): number {
  const [, a, b] = srgbToLab(rgb[0] * 255, rgb[1] * 255, rgb[2] * 255);
  return Math.hypot(a, b);
}

/**
 * `rgb` moved along the line through the grey of its own Rec. 601 luma (towards it, or away from it up to 4 × its
 * chroma, within the sRGB cube) until its CIELAB chroma lies in `[minChroma, maxChroma]` (unchanged when it already
 * does; as close as the gamut allows otherwise). Bisection on the chroma factor (C* grows monotonically with it until
 * a channel clips).
 */
function chromaWithin(rgb: Rgb, minChroma: number, maxChroma: number): Rgb {
  const c0 = labChroma(rgb);
  if (c0 >= minChroma && c0 <= maxChroma) return rgb;
  const target = c0 > maxChroma ? maxChroma : minChroma;
  const l = luma(...rgb);
  let lo = c0 > maxChroma ? 0 : 1;
  let hi = c0 > maxChroma ? 1 : 4;
  for (let i = 0; i < 24; i++) {
    const mid = (lo + hi) / 2;
    if (labChroma(atLuma(rgb, l, mid)) > target) hi = mid;
    else lo = mid;
  }
  return atLuma(rgb, l, lo);
}

/** `rgb`'s hue with `chroma` × its chroma, at Rec. 601 luma `targetLuma` (clamped to [0, 1]). */
function atLuma(rgb: Rgb, targetLuma: number, chroma: number): Rgb {
  const l = Math.max(1e-3, luma(...rgb));
  return rgb.map((c) => Math.min(1, Math.max(0, targetLuma * (1 - chroma + (chroma * c) / l)))) as Rgb;
}

/** `vermilion` scaled to the luma of `lipMean` (at most ×1.15 brighter), RGB in [0, 1]. */
function vermilionAtLipLuma(vermilion: Rgb, lipMean: Rgb): Rgb {
  const k = Math.min(1.15, luma(...lipMean) / Math.max(1e-3, luma(...vermilion)));
  return vermilion.map((c) => Math.min(1, c * k)) as Rgb;
}

/**
 * The lit enamel colour of a photo's tooth pixels: the mean of the brighter half (by Rec. 601 luma) of the pixels
 * that pass the tooth rule ({@link toothColourBounds}).
 * @param px - the tooth pixels (RGB in [0, 1] and their luma), any order; at least one.
 * @returns mean RGB in [0, 1] of the upper half by luma.
 * @remarks The rule's luma floor is relative (0.62 × the opening's 95th percentile, above the lips): in a dark
 * opening under dark lips (img03: lips luma 0.18) it also admits the teeth's shadowed sides, gaps and the grey cavity
 * next to them, and the mean of all of them (img03: luma 0.26) read as cavity, not teeth, once the synthesised arch
 * took it. The synthesised teeth put their own shading on this colour (crowns, cervical third, the arch receding:
 * their front teeth average 0.85 of it), so it is the colour of the lit labial faces, the brighter pixels.
 */
export function litToothRgb(px: readonly { rgb: Rgb; l: number }[]): Rgb {
  const sorted = [...px].sort((p, q) => p.l - q.l);
  const lit = sorted.slice(sorted.length >> 1);
  const m: Rgb = [0, 0, 0];
  for (const p of lit) for (let c = 0; c < 3; c++) m[c] = m[c]! + p.rgb[c]! / lit.length;
  return m;
}

/**
 * Builds the interior textures of one portrait.
 * @param rgba - photo `[heightPx, widthPx, 4]` RGBA bytes, rows top-first.
 * @param widthPx - photo width.
 * @param heightPx - photo height.
 * @param landmarksPx - `[N ≥ 468, 3]` rest landmarks (x, y px).
 * @param frame - face axes and scale.
 * @param region - covered region, face-local IOD units (the interior quad).
 * @param seed - seed of the grain noise (determinism).
 * @returns textures, palette and measurements; see {@link MouthInterior}.
 */
export function buildMouthInterior(rgba: Uint8Array, widthPx: number, heightPx: number, landmarksPx: Float32Array, frame: MouthFrame, region: MouthRegionLocal, seed = 1): MouthInterior {
  const I = frame.iodPx;
  const { ex, ey } = frame;
  const [mx, my] = frame.mouthCenterPx;
  const P = (i: number): [number, number] => [landmarksPx[i * 3]!, landmarksPx[i * 3 + 1]!];
  const toLocal = (x: number, y: number): [number, number] => [((x - mx) * ex[0] + (y - my) * ex[1]) / I, ((x - mx) * ey[0] + (y - my) * ey[1]) / I];
  // Bounding box of the region in photo px.
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const a of [region.a0, region.a1]) {
    for (const b of [region.b0, region.b1]) {
      const x = mx + (a * ex[0] + b * ey[0]) * I;
      const y = my + (a * ex[1] + b * ey[1]) * I;
      x0 = Math.min(x0, x);
      y0 = Math.min(y0, y);
      x1 = Math.max(x1, x);
      y1 = Math.max(y1, y);
    }
  }
  x0 = Math.floor(x0);
  y0 = Math.floor(y0);
  const texelsPerPx = Math.min(1, MAX_TEXELS / Math.max(x1 - x0, y1 - y0));
  const W = Math.max(4, Math.ceil((x1 - x0) * texelsPerPx));
  const H = Math.max(4, Math.ceil((y1 - y0) * texelsPerPx));
  const pxOf = (tx: number, ty: number): [number, number] => [x0 + (tx + 0.5) / texelsPerPx, y0 + (ty + 0.5) / texelsPerPx];
  const photoAt = (x: number, y: number): Rgb => {
    const xi = Math.max(0, Math.min(widthPx - 1, Math.floor(x)));
    const yi = Math.max(0, Math.min(heightPx - 1, Math.floor(y)));
    const i = (yi * widthPx + xi) * 4;
    return [rgba[i]! / 255, rgba[i + 1]! / 255, rgba[i + 2]! / 255];
  };

  // --- The photo's own opening.
  const loop = MOUTH_OPENING_LOOP.flatMap((i) => P(i));
  // Signed distance (texels) near the loop; far outside it only "outside" matters.
  const sd = new Float32Array(W * H).fill(-1e3);
  const [lx0, ly0, lx1, ly1] = polygonBounds(loop);
  const tx0 = Math.max(0, Math.floor((lx0 - 3 - x0) * texelsPerPx));
  const tx1 = Math.min(W - 1, Math.ceil((lx1 + 3 - x0) * texelsPerPx));
  const ty0 = Math.max(0, Math.floor((ly0 - 3 - y0) * texelsPerPx));
  const ty1 = Math.min(H - 1, Math.ceil((ly1 + 3 - y0) * texelsPerPx));
  for (let ty = ty0; ty <= ty1; ty++) for (let tx = tx0; tx <= tx1; tx++) sd[ty * W + tx] = signedDistanceToPolygon(loop, ...pxOf(tx, ty)) * texelsPerPx;
  const lip = measureLipColour(rgba, widthPx, heightPx, landmarksPx);
  const lipRgb = lip.meanRgb;
  const opening: { rgb: Rgb; l: number }[] = [];
  for (let i = 0; i < W * H; i++) {
    if (sd[i]! < 1) continue;
    const rgb = photoAt(...pxOf(i % W, Math.floor(i / W)));
    opening.push({ rgb, l: luma(...rgb) });
  }
  opening.sort((p, q) => p.l - q.l);
  const pct = (q: number): number => (opening.length ? opening[Math.min(opening.length - 1, Math.floor(q * opening.length))]!.l : 0);
  const l95 = pct(0.95);
  const tooth = toothColourBounds(l95, lipRgb);
  const teethPx = opening.filter((p) => p.l >= tooth.minLuma && Math.max(...p.rgb) - Math.min(...p.rgb) < tooth.maxChroma);
  const mean = (ps: { rgb: Rgb }[]): Rgb => {
    const m: Rgb = [0, 0, 0];
    for (const p of ps) for (let c = 0; c < 3; c++) m[c] = m[c]! + p.rgb[c]! / ps.length;
    return m;
  };
  const skinCentres: [number, number][] = [205, 425, 200].map((i) => P(i));
  const skin = mean(skinCentres.flatMap(([cx, cy]) => {
    const out: { rgb: Rgb }[] = [];
    const r = Math.max(1, Math.round(0.04 * I));
    for (let dy = -r; dy <= r; dy++) for (let dx = -r; dx <= r; dx++) out.push({ rgb: photoAt(cx + dx, cy + dy) });
    return out;
  }));
  const photoTeethPx = showsTeeth(teethPx.length, opening.length) ? teethPx.length : 0;
  let teethRgb: Rgb;
  if (photoTeethPx > 0) teethRgb = litToothRgb(teethPx);
  else {
    // The colour of the eye whites (core/face/sceneLight.ts; enamel ≈ VITA A2 when no sclera is visible), not a colour
    // derived from the image's grey-world mean: the background's colour is not the light's. At the skin's luma.
    teethRgb = synthTeethRgb(measureScleraLight(rgba, widthPx, heightPx, landmarksPx)?.rgb ?? null, skin, lip.colourfulness);
  }
  // Cavity walls: the opening's darkest quartile when the photo shows a real opening (≥ 0.1 IOD² / 40 ≈ a 4 × 10 mm
  // gap), else the lip colour × 0.35 (the throat is darker still: see the renderer).
  const dark = opening.slice(0, Math.max(1, opening.length >> 2));
  const realOpening = opening.length / (texelsPerPx * texelsPerPx) >= (0.1 * I * I) / 40;
  const cavityRgb: Rgb = realOpening ? (mean(dark).map((c, k) => Math.min(Math.max(c, lipRgb[k]! * 0.15), lipRgb[k]! * 0.5)) as Rgb) : (lipRgb.map((c) => c * 0.35) as Rgb);
  // Walls, throat and tongue: the lips' mucosa hue at shares of the skin's luma measured on real open mouths (see
  // CAVITY_WALL_REL_LUMA), never darker than the photo's own dark interior (a photo lit into the mouth keeps its light).
  const skinL = luma(...skin);
  const vermilion = measureVermilionRgb(rgba, widthPx, heightPx, landmarksPx, skin);
  const cavL0 = luma(...cavityRgb);
  const lipL = luma(...lipRgb);
  const lipInner = vermilionAtLipLuma(vermilion, lipRgb);
  // Synthesised tissue as colourful as real interiors are against their skin (MUCOSA_MAX_SKIN_CHROMA for the tongue
  // and throat, TEETH_MAX_SKIN_CHROMA, TONGUE_MIN_SKIN_CHROMA); the photo's own teeth keep their colour.
  const skinC = labChroma(skin);
  const mucosa = (rgb: Rgb, minShare = 0): Rgb => chromaWithin(rgb, minShare * skinC, MUCOSA_MAX_SKIN_CHROMA * skinC);
  if (photoTeethPx === 0) teethRgb = chromaWithin(teethRgb, 0, TEETH_MAX_SKIN_CHROMA * skinC);
  const palette: MouthPalette = {
    teethRgb,
    gumRgb: lipRgb.map((c, k) => Math.min(1, 0.75 * c + 0.25 * skin[k]!) * 0.95) as Rgb,
    cavityRgb,
    wallRgb: atLuma(vermilion, Math.max(cavL0, Math.min(CAVITY_WALL_REL_LUMA * skinL, CAVITY_WALL_MAX_LIP_LUMA * lipL)), 0.7 * lip.colourfulness),
    throatRgb: mucosa(atLuma(vermilion, Math.max(0.5 * cavL0, Math.min(CAVITY_THROAT_REL_LUMA * skinL, CAVITY_WALL_MAX_LIP_LUMA * lipL)), 0.4 * lip.colourfulness)),
    // The tongue: pink mucosa (the vermilion's hue, less saturated) lit at TONGUE_REL_LUMA of the skin.
    tongueRgb: mucosa(atLuma(vermilion, Math.min(TONGUE_REL_LUMA * skinL, TONGUE_MAX_LIP_LUMA * lipL), 0.55 * lip.colourfulness), TONGUE_MIN_SKIN_CHROMA * lip.colourfulness),
    // The lips' wet inner surface where it meets the lip: the vermilion's own colour (its most saturated pixels,
    // core/face/lipColour.ts) at the lip's mean brightness, so the lip runs on into it without a dark rim; the renderer
    // darkens it inward (it turns away from the light into the mouth).
    // At LIP_INNER_CHROMA of its chroma: the wet mucosa is less saturated than the dry vermilion's reddest pixels.
    lipInnerRgb: atLuma(lipInner, luma(...lipInner), LIP_INNER_CHROMA),
  };

  // Split of the photo's opening per texture column at its darkest row.
  const photoUpper = new Float32Array(W * H);
  const photoLower = new Float32Array(W * H);
  const photoRest = new Float32Array(W * H);
  const thickTexels = Math.max(3, 0.025 * I * texelsPerPx);
  const synthUpperOk = new Float32Array(W * H).fill(1);
  const synthLowerOk = new Float32Array(W * H).fill(1);
  // Per column: the span of the opening, and the split between the upper and lower parts — below the upper teeth
  // when the photo shows teeth (the bright run from the top of the span, gaps ≤ 2 rows), else at the darkest row.
  const tops = new Int32Array(W).fill(-1);
  const bottoms = new Int32Array(W).fill(-1);
  const splits = new Float32Array(W);
  // Per column: 1 where the photo shows upper teeth (a bright pixel in the upper half of the span), else 0.
  const teethRaw = new Float32Array(W);
  const brightL = 0.62 * l95;
  for (let tx = 0; tx < W; tx++) {
    let top = -1;
    let bottom = -1;
    for (let ty = 0; ty < H; ty++) {
      if (sd[ty * W + tx]! > -1) {
        if (top < 0) top = ty;
        bottom = ty;
      }
    }
    tops[tx] = top;
    bottoms[tx] = bottom;
    if (top < 0) continue;
    let split = (top + bottom) / 2;
    const L = (ty: number): number => luma(...photoAt(...pxOf(tx, Math.min(H - 1, Math.max(0, ty)))));
    let run = -1;
    if (photoTeethPx > 0 && bottom - top >= 4) {
      let first = -1;
      // The first bright run from the top is the upper teeth, also when a dark band (the upper lip's shadow, the
      // gum) lies above it: in a smile the teeth seen are the upper ones.
      for (let ty = top; ty <= bottom - 0.2 * (bottom - top); ty++) {
        if (L(ty) >= brightL) {
          first = ty;
          break;
        }
      }
      if (first >= 0) {
        teethRaw[tx] = 1;
        let last = first;
        for (let ty = first; ty <= bottom && ty - last <= 3; ty++) if (L(ty) >= brightL) last = ty;
        if (last < bottom - 1) run = last + 1;
        else {
          // Teeth down to the lower lip (upper and lower incisors together): split at the darkest row of the run's
          // lower 60 % (the line where the incisal edges meet), so the upper teeth stay with the skull.
          let best = Infinity;
          for (let ty = Math.round(first + 0.4 * (bottom - first)); ty <= bottom - 1; ty++) {
            const m = (L(ty - 1) + L(ty) + L(ty + 1)) / 3;
            if (m < best) {
              best = m;
              run = ty;
            }
          }
          // No dark line between the rows (its darkest row ≥ OCCLUSAL_LINE_CONTRAST × the run's median): one row of
          // teeth down to the lower lip, as in a smile that shows only the upper teeth. It stays with the skull whole;
          // split at its darkest row, the jaw carried away a slice of the upper teeth (b03's wedge).
          const runL: number[] = [];
          for (let ty = first; ty <= bottom; ty++) runL.push(L(ty));
          runL.sort((p, q) => p - q);
          // (2 rows past the bottom: the lower part's fade starts 1.5 rows above the split and must not take its last rows.)
          if (best >= OCCLUSAL_LINE_CONTRAST * runL[runL.length >> 1]!) run = bottom + 2;
        }
      }
    }
    if (run >= 0) split = run;
    else if (bottom - top >= 4) {
      let best = Infinity;
      const lo = Math.round(top + 0.15 * (bottom - top));
      const hi = Math.round(bottom - 0.15 * (bottom - top));
      for (let ty = lo; ty <= hi; ty++) {
        let m = 0;
        for (let d = -2; d <= 2; d++) m += L(ty + d) / 5;
        if (m < best) {
          best = m;
          split = ty;
        }
      }
    }
    splits[tx] = split;
  }
  // How much each column shows of the interior (lips parted by ≥ 0.025 IOD), averaged over ±0.05 IOD of columns so
  // photo and synthesis do not alternate column by column; none at all unless the photo shows a real opening.
  const thickRaw = new Float32Array(W);
  for (let tx = 0; tx < W; tx++) if (tops[tx]! >= 0) thickRaw[tx] = smoothstep(thickTexels, 1.5 * thickTexels, bottoms[tx]! - tops[tx]!);
  const thickR = Math.max(2, Math.round(0.05 * I * texelsPerPx));
  const thickCol = new Float32Array(W);
  for (let tx = 0; tx < W; tx++) {
    let m = 0;
    for (let k = tx - thickR; k <= tx + thickR; k++) m += (thickRaw[Math.min(W - 1, Math.max(0, k))] ?? 0) / (2 * thickR + 1);
    thickCol[tx] = realOpening ? m : 0;
  }
  // The same column mean for the photo's upper teeth: where the photo's upper opening is only dark (no teeth, or a
  // dark gap), its upper part is not kept and the synthesised upper teeth show there once the jaw opens.
  const teethCol = new Float32Array(W);
  for (let tx = 0; tx < W; tx++) {
    let m = 0;
    for (let k = tx - thickR; k <= tx + thickR; k++) m += (teethRaw[Math.min(W - 1, Math.max(0, k))] ?? 0) / (2 * thickR + 1);
    teethCol[tx] = smoothstep(0.2, 0.8, m);
  }
  // The photo's own interior fades in over the photo's edge rise (2.56 σ, at least a texel) inside its rest outline, so
  // where the jaw moves it against synthesised parts its border is as soft as the photo's edges, not a 1-texel step.
  const edgeSigmaPx = estimateEdgeSigmaPx(rgba, widthPx, heightPx, landmarksPx, ey, I);
  const rampTexels = Math.max(1, 2.56 * edgeSigmaPx * texelsPerPx);
  // Where the photo shows teeth the split is the occlusal line (the upper incisors' edges): a smooth curve across the
  // mouth, fitted as a quadratic in the column (robust least squares, Cauchy weights of 2-texel scale, 4 passes) to
  // the columns' own splits. Column by column, a small mouth's few-texel teeth give splits that wander by a row or two
  // and, smoothed, slant: the jaw then carried away a diagonal wedge of the upper teeth (b03).
  const occlusal = fitOcclusalLine(splits, teethRaw, tops);
  // Median over ±4 columns: one split line, not a ragged one; then a mean over ±3 columns, so the line is smooth to a
  // fraction of a texel (whole-row steps show as a staircase once the jaw moves the lower part away).
  const medians = new Float32Array(W);
  for (let tx = 0; tx < W; tx++) {
    if (tops[tx]! < 0) continue;
    const near: number[] = [];
    for (let k = Math.max(0, tx - 4); k <= Math.min(W - 1, tx + 4); k++) if (tops[k]! >= 0) near.push(splits[k]!);
    near.sort((p, q) => p - q);
    medians[tx] = near[near.length >> 1]!;
  }
  for (let tx = 0; tx < W; tx++) {
    const top = tops[tx]!;
    const bottom = bottoms[tx]!;
    if (top < 0) continue;
    let sum = 0;
    let cnt = 0;
    for (let k = Math.max(0, tx - 3); k <= Math.min(W - 1, tx + 3); k++) {
      if (tops[k]! < 0) continue;
      sum += medians[k]!;
      cnt++;
    }
    const split = Math.min(bottom + 2, Math.max(top, occlusal ? occlusal(tx) * teethCol[tx]! + (sum / cnt) * (1 - teethCol[tx]!) : sum / cnt));
    // Columns where the lips barely part show only the seam between them: the teeth there are synthesised.
    const thick = thickCol[tx]!;
    for (let ty = top; ty <= bottom; ty++) {
      const i = ty * W + tx;
      photoRest[i] = Math.min(1, Math.max(0, sd[i]! + 1));
      const w = smoothstep(-1, rampTexels, sd[i]!);
      photoUpper[i] = thick * teethCol[tx]! * w * (1 - smoothstep(split - 1, split + 1, ty));
      // The lower part starts 1.5 texels above the upper part's fade, so the two never both let the cavity through
      // at the split while the jaw keeps its rest angle.
      photoLower[i] = thick * w * smoothstep(split - 2.5, split - 1, ty);
    }
    // Where the photo shows the interior, no synthesised upper teeth below its upper teeth (the split) nor lower teeth
    // above its bottom. Above the split the synthesised arch stays behind the photo's upper teeth: their dark pixels
    // (gaps, shadowed sides, the dark band a smile shows between the teeth and the lip) let it through (see the
    // composition below), so the teeth row the jaw uncovers is whole, not the photo's bright pixels over the cavity.
    for (let ty = 0; ty < H; ty++) {
      if (ty >= top) synthUpperOk[ty * W + tx] = 1 - thick * teethCol[tx]! * smoothstep(split - 1, split + 1, ty);
      if (ty <= bottom) synthLowerOk[ty * W + tx] = 1 - thick;
    }
  }

  // --- Synthesised teeth (premultiplied while blurring), anti-aliased over ±0.7 texel.
  const aa = 0.7 / texelsPerPx / I;
  const mouthHalf = Math.hypot(P(MOUTH_CORNER_LEFT)[0] - P(MOUTH_CORNER_RIGHT)[0], P(MOUTH_CORNER_LEFT)[1] - P(MOUTH_CORNER_RIGHT)[1]) / 2 / I;
  const archR = Math.min(0.5, Math.max(0.3, mouthHalf * 0.95));
  const upperB = toLocal(...P(LIP_INNER_UPPER))[1];
  const lowerB = toLocal(...P(LIP_INNER_LOWER))[1];
  // The upper incisors' edge: where the photo shows its upper teeth, their own edge (the occlusal line fitted above, at
  // the mouth's centre column), so the synthesised arch continues the photographed teeth instead of ending 0.035 IOD
  // under the lip above them (img03: the photographed teeth reach 0.06 IOD below the lip); else 0.035 IOD (≈ 2.2 mm)
  // below the upper inner lip (Vig & Brundo 1978: 1.9–3.4 mm of upper incisor display at rest). Kept within
  // [0.02, 0.12] IOD below the lip (a photo's occlusal line that runs along the lower lip stays a plausible crown).
  const centreTx = Math.round((mx - x0) * texelsPerPx);
  const photoEdgeB = photoTeethPx > 0 && occlusal && centreTx >= 0 && centreTx < W && teethCol[centreTx]! > 0.5 ? toLocal(...pxOf(centreTx, occlusal(centreTx)))[1] : null;
  const upperEdgeB = photoEdgeB === null ? upperB + 0.035 : Math.min(upperB + 0.12, Math.max(upperB + 0.02, photoEdgeB));
  // With the arch's edge on the photographed one, the synthesised upper teeth stay whole behind the photo's (no cut
  // below the photo's split: outside the fitted teeth columns the fitted line runs level, and the cut showed as a
  // straight horizontal edge across the teeth once the jaw opened, img03).
  // The lower incisors' edges sit 0.01 IOD (≈ 0.6 mm) below the lower lip's inner edge: the lower lip covers them
  // but for what the jaw and lip motion uncover (at rest and in speech the lower lip hides most of the lower incisors;
  // Vig & Brundo 1978 measure ~0–1 mm of mandibular incisor display at rest).
  const lowerEdgeB = Math.max(lowerB + 0.01, upperEdgeB - 0.035);
  const synthUpper = new Float32Array(W * H * 4);
  const synthLower = new Float32Array(W * H * 4);
  const norm = 1 / 0.85; // mean shade of the front teeth ≈ 0.85: their mean colour is the palette's
  for (let ty = 0; ty < H; ty++) {
    for (let tx = 0; tx < W; tx++) {
      const [a, b] = toLocal(...pxOf(tx, ty));
      const i = ty * W + tx;
      for (const [out, upper, edge] of [
        [synthUpper, true, upperEdgeB],
        [synthLower, false, lowerEdgeB],
      ] as const) {
        const [shade, gum, cover] = teethAt(a, b, edge, upper ? archR : archR * 0.92, upper, aa);
        if (cover <= 0) continue;
        for (let c = 0; c < 3; c++) {
          const tooth = Math.min(1, palette.teethRgb[c]! * shade * norm);
          out[i * 4 + c] = cover * (tooth * (1 - gum) + palette.gumRgb[c]! * gum);
        }
        out[i * 4 + 3] = cover;
      }
    }
  }
  const blurSigma = Math.sqrt(Math.max(0, (edgeSigmaPx * texelsPerPx) ** 2 - 0.5 ** 2));
  if (blurSigma > 0.15) {
    gaussianBlur4(synthUpper, W, H, blurSigma);
    gaussianBlur4(synthLower, W, H, blurSigma);
  }
  const grainSigma = estimateGrainSigma(rgba, widthPx, heightPx, skinCentres, 0.05 * I);
  const rand = rng(seed);
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());

  // --- Compose: the photo where it shows the interior, the synthesis elsewhere; dark photo pixels transparent.
  const cavL = luma(...palette.cavityRgb);
  const wallL = luma(...palette.wallRgb);
  const upperRgba = new Uint8Array(W * H * 4);
  const lowerRgba = new Uint8Array(W * H * 4);
  const photoMask = new Uint8Array(W * H * 4);
  for (let i = 0; i < W * H; i++) {
    const [x, y] = pxOf(i % W, Math.floor(i / W));
    const photo = photoAt(x, y);
    const n = gauss() * grainSigma;
    for (const [out, synth, pw, ok, under] of [
      [upperRgba, synthUpper, photoUpper[i]!, photoEdgeB === null ? synthUpperOk[i]! : 1, true],
      [lowerRgba, synthLower, photoLower[i]!, synthLowerOk[i]!, false],
    ] as const) {
      const sa = synth[i * 4 + 3]! * ok;
      // The photo's dark interior (within 0.03–0.15 luma of the cavity colour) is left transparent: the renderer's
      // smooth cavity shows there once the mouth moves, instead of a dark band with the photo's ragged pixel edge
      // carried along by the jaw (at rest the renderer shows the photo itself).
      // Photo pixels darker than the lit cavity walls are the shadow of a narrow opening (a smile's gap between the
      // teeth rows), not tissue: carried along by the jaw they would read as a dark band; the synthesised walls and
      // tongue show there instead. Teeth and a real, lit interior are brighter and stay.
      const pa = pw * smoothstep(Math.max(cavL + 0.03, 0.75 * wallL), Math.max(cavL + 0.15, wallL + 0.05), luma(...photo));
      // Where the photo shows the interior it replaces the synthesis there; in the upper part only where its pixels
      // are kept (teeth, lit tissue): under its dark pixels the synthesised upper teeth show (synthUpperOk above).
      const behind = under ? 1 - pa : 1 - pw;
      const alpha = pa + behind * sa;
      for (let c = 0; c < 3; c++) {
        const s = sa > 1e-4 ? (synth[i * 4 + c]! * ok) / sa + n : 0;
        const v = alpha > 1e-4 ? (pa * photo[c]! + behind * sa * s) / alpha : 0;
        out[i * 4 + c] = Math.round(255 * Math.min(1, Math.max(0, v)));
      }
      out[i * 4 + 3] = Math.round(255 * Math.min(1, alpha));
    }
    photoMask[i * 4] = Math.round(255 * photoUpper[i]!);
    photoMask[i * 4 + 1] = Math.round(255 * photoLower[i]!);
    photoMask[i * 4 + 2] = Math.round(255 * photoRest[i]!);
    photoMask[i * 4 + 3] = 255;
  }
  return { originPx: [x0, y0], widthTexels: W, heightTexels: H, texelsPerPx, upperRgba, lowerRgba, photoMask, palette, photoTeethPx, grainSigma, edgeSigmaPx, upperEdgeB, lowerEdgeB };
}

/**
 * Robust quadratic fit of the per-column split rows of the columns that show teeth.
 * @param splits - `[W]` split row per column (texels).
 * @param teeth - `[W]` 1 where the column shows upper teeth.
 * @param tops - `[W]` top row of the opening per column, −1 outside it.
 * @returns the fitted row as a function of the column, or `null` with fewer than 6 teeth columns.
 * @remarks Iteratively reweighted least squares with Cauchy weights `1 / (1 + (r / 2)²)` (r in texels), 4 passes
 * (Holland & Welsch 1977); the normal equations of `a + b·t + c·t²` (t = centred, scaled column) solved by Cramer's rule.
 */
function fitOcclusalLine(splits: Float32Array, teeth: Float32Array, tops: Int32Array): ((tx: number) => number) | null {
  const xs: number[] = [];
  const ys: number[] = [];
  for (let tx = 0; tx < splits.length; tx++) {
    if (teeth[tx]! > 0 && tops[tx]! >= 0) {
      xs.push(tx);
      ys.push(splits[tx]!);
    }
  }
  if (xs.length < 6) return null;
  const cx = (xs[0]! + xs[xs.length - 1]!) / 2;
  const sx = Math.max(1, (xs[xs.length - 1]! - xs[0]!) / 2);
  const ts = xs.map((x) => (x - cx) / sx);
  let coef = [0, 0, 0];
  let w = ts.map(() => 1);
  for (let pass = 0; pass < 4; pass++) {
    const S = [0, 0, 0, 0, 0];
    const R = [0, 0, 0];
    ts.forEach((t, k) => {
      for (let p = 0; p <= 4; p++) S[p]! += w[k]! * t ** p;
      for (let p = 0; p <= 2; p++) R[p]! += w[k]! * ys[k]! * t ** p;
    });
    const M = [
      [S[0]!, S[1]!, S[2]!],
      [S[1]!, S[2]!, S[3]!],
      [S[2]!, S[3]!, S[4]!],
    ];
    const det3 = (m: number[][]): number => m[0]![0]! * (m[1]![1]! * m[2]![2]! - m[1]![2]! * m[2]![1]!) - m[0]![1]! * (m[1]![0]! * m[2]![2]! - m[1]![2]! * m[2]![0]!) + m[0]![2]! * (m[1]![0]! * m[2]![1]! - m[1]![1]! * m[2]![0]!);
    const d = det3(M);
    if (Math.abs(d) < 1e-9) return null;
    coef = [0, 1, 2].map((c) => det3(M.map((row, r) => row.map((v, k) => (k === c ? R[r]! : v)))) / d);
    w = ts.map((t, k) => 1 / (1 + ((ys[k]! - (coef[0]! + coef[1]! * t + coef[2]! * t * t)) / 2) ** 2));
  }
  const [a, b, c] = coef as [number, number, number];
  return (tx: number) => {
    const t = Math.max(-1, Math.min(1, (tx - cx) / sx));
    return a + b * t + c * t * t;
  };
}

/** In-place separable Gaussian blur of a `[h, w, 4]` float image (edges clamped). */
function gaussianBlur4(img: Float32Array, W: number, H: number, sigma: number): void {
  const r = Math.max(1, Math.ceil(3 * sigma));
  const k = new Float32Array(2 * r + 1);
  let s = 0;
  for (let i = -r; i <= r; i++) s += k[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i] = k[i]! / s;
  const tmp = new Float32Array(img.length);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      for (let c = 0; c < 4; c++) {
        let v = 0;
        for (let d = -r; d <= r; d++) v += k[d + r]! * img[(y * W + Math.min(W - 1, Math.max(0, x + d))) * 4 + c]!;
        tmp[(y * W + x) * 4 + c] = v;
      }
    }
  }
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      for (let c = 0; c < 4; c++) {
        let v = 0;
        for (let d = -r; d <= r; d++) v += k[d + r]! * tmp[(Math.min(H - 1, Math.max(0, y + d)) * W + x) * 4 + c]!;
        img[(y * W + x) * 4 + c] = v;
      }
    }
  }
}
