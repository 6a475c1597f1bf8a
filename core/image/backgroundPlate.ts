/**
 * The background of a portrait as its own layer: the photo with the person removed and the hole — plus a margin
 * past the photo's edges — filled with the photo's own continued background, so a camera that moves or frames wider
 * than the photo sees background everywhere and nothing empty behind the person. The fill is structure (a harmonic
 * membrane of the background's local mean colour) plus texture (the exemplar fill of `inpaint.ts`, its local mean
 * removed and its amplitude matched to the background's), see `fillStructureAndTexture`.
 *
 * @remarks The layered idea is that of 3D photography from one image (Shih, Su, Kopf & Huang, "3D Photography using
 * Context-aware Layered Depth Inpainting", CVPR 2020; Niklaus et al., "3D Ken Burns Effect from a Single Image",
 * SIGGRAPH Asia 2019): the occluded background is inpainted once and drawn behind the foreground layer.
 */
import { InvalidInputError, type AbortSignalLike } from '../errors.ts';
import { inpaint } from './inpaint.ts';
import { boxMean } from '../segment/guidedFilter.ts';
import { onBar, photoBars } from './photoBars.ts';

/** Margins added around the photo, px (each ≥ 0). */
export interface PlateMarginsPx {
  leftPx: number;
  rightPx: number;
  topPx: number;
  bottomPx: number;
}

/** Options of {@link buildBackgroundPlate}. */
export interface BackgroundPlateOptions {
  /** Canvas grown around the photo and filled too (default none). */
  marginsPx?: PlateMarginsPx;
  /** Matte values ≥ this count as person and are filled (0..255, default 1: any trace of the person, soft hair
   * included; the person layer carries foreground colours there, core/segment/foregroundColour.ts, so the rest view
   * keeps the photo's soft edge while a turned head leaves no fringe of hair behind on the background). */
  personAlphaMin?: number;
  /** The fill reaches this far past the matte, px (default 1 % of the photo's longer side): hair strands, the hair's
   * blurred fringe and ear rims just outside the matte would otherwise stay on the background and show beside the head
   * when it turns. */
  fringePx?: number;
  /** Pixels within this radius of the person are kept but never copied into the fill, px (default 2.5 % of the
   * photo's longer side): the matte's edge carries a halo of person colour that must not seed the fill. */
  dilatePx?: number;
  /** Longest side of the inpainting's working copy, px (default 192). */
  workMaxSidePx?: number;
  /** A photo with a longer side than this is area-downscaled first (default 1024): the plate is background, seen
   * behind the person, and a 4-megapixel fill would cost seconds. */
  maxSidePx?: number;
  seed?: number;
  signal?: AbortSignalLike;
}

/** The filled background: an RGBA image on a canvas that may extend past the photo. */
export interface BackgroundPlate {
  /** `[heightPx, widthPx, 4]` RGBA, alpha 255 everywhere. */
  rgba: Uint8Array;
  widthPx: number;
  heightPx: number;
  /** Photo pixel coordinates of the plate's top-left corner (≤ 0: the margins lie at negative photo px). */
  originXPx: number;
  originYPx: number;
  /** Photo pixels per plate pixel (1, or more when the photo was downscaled, see `maxSidePx`). */
  photoPxPerPlatePx: number;
  /** Fraction of the plate's pixels that were filled (person + margins), in [0, 1]. */
  filledFraction: number;
  /** `[heightPx, widthPx]` 1 where the plate was filled (person, its fringe ring, margins), 2 where it was filled over
   * a line along the photo's own edge ({@link photoEdgeLines}: an artefact, not to be reproduced), 0 where it is the
   * photo. */
  filledMask: Uint8Array;
}

/**
 * Removes the person from the photo and fills the hole and the margins.
 * @param rgba - `[heightPx, widthPx, 4]` photo bytes.
 * @param widthPx - photo width.
 * @param heightPx - photo height.
 * @param personAlpha - `[heightPx, widthPx]` person matte, 255 = person (core/segment/personMatte.ts).
 * @param opts - margins, thresholds, working size, seed, cancellation.
 * @returns the plate (the photo itself, unchanged, outside the person region and inside the photo).
 * @throws InvalidInputError for mismatched sizes, negative margins, or a matte that covers the whole photo.
 */
export function buildBackgroundPlate(rgba: Uint8Array, widthPx: number, heightPx: number, personAlpha: Uint8Array, opts: BackgroundPlateOptions = {}): BackgroundPlate {
  const W = widthPx;
  const H = heightPx;
  if (rgba.length !== W * H * 4 || personAlpha.length !== W * H) throw new InvalidInputError(`background plate: expected ${W}×${H} RGBA and matte, got ${rgba.length} and ${personAlpha.length} values`);
  const m = opts.marginsPx ?? { leftPx: 0, rightPx: 0, topPx: 0, bottomPx: 0 };
  if (Math.min(m.leftPx, m.rightPx, m.topPx, m.bottomPx) < 0) throw new InvalidInputError('background plate: margins must be ≥ 0');
  const maxSide = opts.maxSidePx ?? 1024;
  if (Math.max(W, H) > maxSide) {
    const f = Math.max(W, H) / maxSide;
    const w = Math.max(1, Math.round(W / f));
    const h = Math.max(1, Math.round(H / f));
    const small = areaDownscale(rgba, personAlpha, W, H, w, h);
    const fx = W / w;
    const plate = buildBackgroundPlate(small.rgba, w, h, small.alpha, {
      ...opts,
      dilatePx: opts.dilatePx === undefined ? undefined : opts.dilatePx / fx,
      fringePx: opts.fringePx === undefined ? undefined : opts.fringePx / fx,
      marginsPx: { leftPx: m.leftPx / fx, rightPx: m.rightPx / fx, topPx: m.topPx / fx, bottomPx: m.bottomPx / fx },
    });
    return { ...plate, originXPx: plate.originXPx * fx, originYPx: plate.originYPx * fx, photoPxPerPlatePx: fx };
  }
  const ml = Math.round(m.leftPx);
  const mr = Math.round(m.rightPx);
  const mt = Math.round(m.topPx);
  const mb = Math.round(m.bottomPx);
  const PW = W + ml + mr;
  const PH = H + mt + mb;
  const thr = opts.personAlphaMin ?? 1;
  const traced = new Uint8Array(W * H);
  for (let k = 0; k < W * H; k++) traced[k] = personAlpha[k]! >= thr ? 1 : 0;
  const grown = dilate(traced, W, H, Math.max(0, Math.round(opts.dilatePx ?? 0.025 * Math.max(W, H))));
  // The filled region: the traced person and a thin ring around it (`fringePx`).
  const person = dilate(traced, W, H, Math.max(0, Math.round(opts.fringePx ?? FRINGE_RING * Math.max(W, H))));
  // Strands farther out than the ring (flyaway hair the matte missed) go into the fill too.
  const nearPerson = dilate(traced, W, H, Math.max(1, Math.round(STRAND_REACH * Math.max(W, H))));
  addStrands(rgba, W, H, person, nearPerson);
  const canvas = new Uint8Array(PW * PH * 4);
  const hole = new Uint8Array(PW * PH).fill(1);
  const noSource = new Uint8Array(PW * PH);
  const personCanvas = new Uint8Array(PW * PH);
  const nearCanvas = new Uint8Array(PW * PH);
  for (let y = 0; y < H; y++) {
    const o = (y + mt) * PW + ml;
    canvas.set(rgba.subarray(y * W * 4, (y + 1) * W * 4), o * 4);
    hole.set(person.subarray(y * W, (y + 1) * W), o);
    personCanvas.set(person.subarray(y * W, (y + 1) * W), o);
    noSource.set(grown.subarray(y * W, (y + 1) * W), o);
    nearCanvas.set(nearPerson.subarray(y * W, (y + 1) * W), o);
  }
  for (let k = 3; k < canvas.length; k += 4) canvas[k] = 255;
  // Lines along the photo's own edges (a scan border, a frame's edge, padding) are not background to continue: the
  // margins would carry them outward as a band and the photo's edge would show as a line once the camera orbits.
  // Letterbox / pillarbox bars stay as they are (never filled, never a source of the fill, and continued into the
  // margins beyond them): they are not background to continue, and must not move (core/image/photoBars.ts).
  const bars = photoBars(rgba, W, H);
  const linesAll = photoEdgeLines(rgba, W, H);
  const lines = { leftPx: bars.leftPx ? 0 : linesAll.leftPx, rightPx: bars.rightPx ? 0 : linesAll.rightPx, topPx: bars.topPx ? 0 : linesAll.topPx, bottomPx: bars.bottomPx ? 0 : linesAll.bottomPx };
  const edgeLine = new Uint8Array(PW * PH);
  const bar = new Uint8Array(PW * PH);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const k = (y + mt) * PW + ml + x;
      if (onBar(bars, W, H, x, y)) {
        hole[k] = 0;
        personCanvas[k] = 0;
        noSource[k] = 1;
        bar[k] = 1;
        continue;
      }
      if (x >= lines.leftPx && x < W - lines.rightPx && y >= lines.topPx && y < H - lines.bottomPx) continue;
      hole[k] = 1;
      noSource[k] = 1;
      edgeLine[k] = 1;
    }
  }
  const skip = Uint8Array.from(edgeLine);
  for (let k = 0; k < PW * PH; k++) if (bar[k]) skip[k] = 1;
  const barOrLine = Uint8Array.from(skip);
  removeOutliers(canvas, PW, PH, hole, noSource, skip, nearCanvas);
  // The person's clothing band: traced pixels within CLOTHING_BAND of the matte's edge inside the photo.
  const bandPx = Math.max(1, Math.round(CLOTHING_BAND * Math.max(W, H)));
  const notTraced = new Uint8Array(W * H);
  for (let k = 0; k < W * H; k++) notTraced[k] = traced[k] ? 0 : 1;
  const edgeNear = dilate(notTraced, W, H, bandPx);
  const bandCanvas = new Uint8Array(PW * PH);
  const inPhoto = new Uint8Array(PW * PH);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const k = (y + mt) * PW + ml + x;
      inPhoto[k] = 1;
      if (traced[y * W + x] && edgeNear[y * W + x] && !bar[k]) bandCanvas[k] = 1;
    }
  }
  removeClothingRemnants(canvas, PW, PH, hole, noSource, skip, barOrLine, personCanvas, bandCanvas, inPhoto, bandPx);
  let filled = 0;
  for (let k = 0; k < PW * PH; k++) filled += hole[k]!;
  if (filled === PW * PH) throw new InvalidInputError('background plate: the person covers the whole photo; no background to continue');
  const filledMask = Uint8Array.from(hole);
  for (let k = 0; k < PW * PH; k++) if (edgeLine[k] && !personCanvas[k]) filledMask[k] = 2;
  const out = fillStructureAndTexture(canvas, PW, PH, hole, noSource, TEXTURE_CLEARANCE * Math.max(W, H), opts);
  blendEdgeToBackground(out, canvas, PW, PH, hole, skip, SEAM_BLEND * Math.max(W, H));
  extendBars(out, PW, PH, ml, mt, W, H, bars);
  return { rgba: out, widthPx: PW, heightPx: PH, originXPx: -ml, originYPx: -mt, photoPxPerPlatePx: 1, filledFraction: filled / (PW * PH), filledMask };
}

/**
 * Continues the photo's bars into the plate's margins: each margin pixel whose nearest photo pixel (clamped to the
 * photo) lies on a bar takes that pixel's colour — beyond a barred side, and above or below the bar's own columns.
 * @param out - `[PH, PW, 4]` plate, updated in place.
 * @param PW - plate width.
 * @param PH - plate height.
 * @param ml - left margin, px (photo column 0 is plate column `ml`).
 * @param mt - top margin, px.
 * @param W - photo width.
 * @param H - photo height.
 * @param bars - bar widths ({@link photoBars}).
 */
function extendBars(out: Uint8Array, PW: number, PH: number, ml: number, mt: number, W: number, H: number, bars: PlateMarginsPx): void {
  if (!bars.leftPx && !bars.rightPx && !bars.topPx && !bars.bottomPx) return;
  for (let y = 0; y < PH; y++) {
    for (let x = 0; x < PW; x++) {
      const px = x - ml;
      const py = y - mt;
      if (px >= 0 && px < W && py >= 0 && py < H) continue;
      const sx = Math.min(W - 1, Math.max(0, px)) + ml;
      const sy = Math.min(H - 1, Math.max(0, py)) + mt;
      if (!onBar(bars, W, H, sx - ml, sy - mt)) continue;
      out.copyWithin((y * PW + x) * 4, (sy * PW + sx) * 4, (sy * PW + sx) * 4 + 4);
    }
  }
}

/** At most this many rows/columns at each photo edge can be an edge line (see {@link photoEdgeLines}). */
const EDGE_LINE_MAX_PX = 4;
/** Mean luma step between an edge row/column and the photo's interior beyond which it is an edge line, levels. */
const EDGE_LINE_LUMA_STEP = 8;
/** Share of its pixels that must step the same way for a row/column to be an edge line (not a backdrop's texture). */
const EDGE_LINE_AGREEMENT = 0.75;

/**
 * Thin lines along the photo's edges that are not part of the scene: per side, the outermost rows or columns (at most
 * {@link EDGE_LINE_MAX_PX}) whose luma steps away from the interior line just inside them (the median of the next 3)
 * by more than {@link EDGE_LINE_LUMA_STEP} levels on average plus 3× the interior's own mean step per line (a
 * vignette squeezed into a few px by downscaling is a trend, not a line), with at least {@link EDGE_LINE_AGREEMENT} of their pixels
 * stepping the same way. Everything outside the innermost such line is trimmed, plus one guard pixel.
 * @param rgba - `[H, W, 4]` photo.
 * @param W - width, px.
 * @param H - height, px.
 * @returns how many px to trim on each side (0 where the edge continues the interior).
 * @remarks Issue 13: img02 (a painting) has two light columns and a dark one at its left edge and two dark ones at its
 * right; the plate's margins continued them as a light band and the photo's edge showed as a 1-px line at 25° yaw and
 * 15° pitch. Design thresholds (about 3 % of the luma range; three quarters of the line), not fitted to the photo: a
 * smooth backdrop's own gradient steps < 1 level per px, and a textured one does not step one way along a whole line.
 */
export function photoEdgeLines(rgba: Uint8Array, W: number, H: number): PlateMarginsPx {
  const luma = (x: number, y: number): number => {
    const k = (y * W + x) * 4;
    return 0.299 * rgba[k]! + 0.587 * rgba[k + 1]! + 0.114 * rgba[k + 2]!;
  };
  /** Trim for one side: `at(d, t)` reads line d (0 = outermost) at position t along it (length `len`). */
  const side = (len: number, depth: number, at: (d: number, t: number) => number): number => {
    if (depth < 2 * EDGE_LINE_MAX_PX + 4 || len < 8) return 0;
    let trim = 0;
    for (let d = 0; d < EDGE_LINE_MAX_PX; d++) {
      let sum = 0;
      let pos = 0;
      let neg = 0;
      // The interior's own trend per line (a vignette or a shaded backdrop squeezed into a few px by downscaling).
      let trend = 0;
      for (let t = 0; t < len; t++) trend += (at(d + 1, t) - at(d + 4, t)) / 3;
      trend /= len;
      for (let t = 0; t < len; t++) {
        const ref = [at(d + 1, t), at(d + 2, t), at(d + 3, t)].sort((a, b) => a - b)[1]!;
        const diff = at(d, t) - ref;
        sum += diff;
        if (diff > 2) pos++;
        else if (diff < -2) neg++;
      }
      if (Math.abs(sum / len) > EDGE_LINE_LUMA_STEP + 3 * Math.abs(trend) && Math.max(pos, neg) >= EDGE_LINE_AGREEMENT * len) trim = d + 1;
    }
    // One guard pixel inside the innermost line: a resampled or compressed photo's border bleeds into its neighbour
    // (img02's right edge: the column next to the dark border is 10 levels lighter than the interior, ringing).
    return trim > 0 ? trim + 1 : 0;
  };
  return {
    leftPx: side(H, W, (d, t) => luma(d, t)),
    rightPx: side(H, W, (d, t) => luma(W - 1 - d, t)),
    topPx: side(W, H, (d, t) => luma(t, d)),
    bottomPx: side(W, H, (d, t) => luma(t, H - 1 - d)),
  };
}

/** How far from the matte strands are looked for, as a fraction of the photo's longer side. */
const STRAND_REACH = 0.05;

/** A pixel near the person whose luma differs from the clean background's local mean by more than this is a strand. */
const STRAND_LUMA_DIFF = 24;

/**
 * Marks stray strands beside the person as person: pixels inside `near` (STRAND_REACH around the matte) but
 * outside `person` whose luma differs from the local mean of the clean background (outside `near`, box of
 * STRAND_REACH, normalised convolution) by more than STRAND_LUMA_DIFF and more than 3 local standard deviations (an
 * outlier of a smooth backdrop; a textured background's own edges are not strands), grown by one pixel. Without this the
 * plate kept img01's flyaway hair beyond the 0.4 % ring, and at −30° of orbit it showed as dark specks beside the
 * head (issue 13). A design threshold (about a tenth of the luma range), not fitted to a photo.
 * @param rgba - `[H, W, 4]` photo.
 * @param W - width.
 * @param H - height.
 * @param person - `[H, W]` 1 = filled; updated in place.
 * @param near - `[H, W]` 1 = within STRAND_REACH of the matte.
 */
function addStrands(rgba: Uint8Array, W: number, H: number, person: Uint8Array, near: Uint8Array): void {
  const r = Math.max(2, Math.round(STRAND_REACH * Math.max(W, H)));
  const luma = new Float32Array(W * H);
  for (let k = 0; k < W * H; k++) luma[k] = 0.299 * rgba[k * 4]! + 0.587 * rgba[k * 4 + 1]! + 0.114 * rgba[k * 4 + 2]!;
  // Summed-area tables of clean luma and clean count.
  const S = new Float64Array((W + 1) * (H + 1));
  const Q = new Float64Array((W + 1) * (H + 1));
  const C = new Float64Array((W + 1) * (H + 1));
  for (let y = 0; y < H; y++) {
    let rs = 0;
    let rq = 0;
    let rc = 0;
    for (let x = 0; x < W; x++) {
      const k = y * W + x;
      if (!near[k]) {
        rs += luma[k]!;
        rq += luma[k]! * luma[k]!;
        rc++;
      }
      S[(y + 1) * (W + 1) + x + 1] = S[y * (W + 1) + x + 1]! + rs;
      Q[(y + 1) * (W + 1) + x + 1] = Q[y * (W + 1) + x + 1]! + rq;
      C[(y + 1) * (W + 1) + x + 1] = C[y * (W + 1) + x + 1]! + rc;
    }
  }
  const box = (T: Float64Array, x0: number, y0: number, x1: number, y1: number): number => T[y1 * (W + 1) + x1]! - T[y0 * (W + 1) + x1]! - T[y1 * (W + 1) + x0]! + T[y0 * (W + 1) + x0]!;
  const strand = new Uint8Array(W * H);
  let any = false;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const k = y * W + x;
      if (!near[k] || person[k]) continue;
      const x0 = Math.max(0, x - r), x1 = Math.min(W, x + r + 1), y0 = Math.max(0, y - r), y1 = Math.min(H, y + r + 1);
      const n = box(C, x0, y0, x1, y1);
      if (n < 1) continue;
      const mean = box(S, x0, y0, x1, y1) / n;
      const sd = Math.sqrt(Math.max(0, box(Q, x0, y0, x1, y1) / n - mean * mean));
      if (Math.abs(luma[k]! - mean) > Math.max(STRAND_LUMA_DIFF, 3 * sd)) {
        strand[k] = 1;
        any = true;
      }
    }
  }
  if (!any) return;
  const grownStrands = dilate(strand, W, H, 1);
  for (let k = 0; k < W * H; k++) if (grownStrands[k]) person[k] = 1;
}

/** How far into the hole the fill is pulled to the background right beside it, as a fraction of the photo's longer
 * side (see {@link blendEdgeToBackground}; about the matte's soft edge plus the fill ring). */
const SEAM_BLEND = 0.012;

/**
 * Matches the fill to the photo's background right at the hole's edge, in two steps:
 * 1. a membrane correction: the boundary mismatch (the median of the kept photo just outside the hole, window of radius
 *    `reachPx`/2, minus the mean of the fill just inside it, box of radius `reachPx`/3, read on the hole's boundary
 *    pixels) is averaged on a grid of
 *    cells of `reachPx`, continued harmonically over the hole's cells (Laplace's equation, boundary cells fixed) and
 *    added to the fill, so the fill's shading meets the photo's all along the outline and varies smoothly inside;
 * 2. a pull of the fill within `reachPx` of the boundary towards that median of the kept photo (weight 1 at
 *    the boundary falling linearly to 0), which removes the texture's own step at the seam.
 * @param out - `[H, W, 4]` filled plate, updated in place inside the hole.
 * @param canvas - `[H, W, 4]` the plate canvas before the fill (the photo inside).
 * @param W - width.
 * @param H - height.
 * @param hole - `[H, W]` 1 = filled.
 * @param skip - `[H, W]` 1 = kept pixels that are not background to match (lines along the photo's edge).
 * @param reachPx - width of the pull, px (≥ 2 used).
 * @remarks Issue 13: the fill's structure is continued from the clean background ≥ 2.5 % away from the person (the
 * band nearer is kept out of the fill's sources: it carries the matte's halo), so under the matte's soft edge the
 * plate held another colour than the photo's background right beside it: a light or dark outline of the former
 * person on the plate (astronaut 9.9 levels across the head's outline where the backdrop's own neighbour step is 2.1;
 * img01's fill a light head-shaped blob against the backdrop's darker shading beside the far cheek), which the person
 * layer's refit over the plate (core/segment/foregroundColour.ts `fitForegroundOverPlate`) then carried with the head
 * as a ring of raised alpha — a ghost outline under orbit. Step 1 is the boundary-mismatch membrane of
 * gradient-domain seamless cloning (Pérez, Gangnet & Blake, "Poisson Image Editing", SIGGRAPH 2003, in the
 * membrane form of Farbman et al., "Coordinates for Instant Image Cloning", SIGGRAPH 2009) on a coarse grid; the
 * fill keeps its texture. The fractions are design choices (a few px at 256²), not fitted to a photo.
 */
function blendEdgeToBackground(out: Uint8Array, canvas: Uint8Array, W: number, H: number, hole: Uint8Array, skip: Uint8Array, reachPx: number): void {
  const r = Math.max(2, Math.round(reachPx));
  const rm = Math.max(1, Math.round(reachPx / 3));
  const rq = Math.max(2, Math.round(reachPx / 2));
  const n = W * H;
  const kept = new Float32Array(n);
  const inHole = new Float32Array(n);
  const boundary = new Uint8Array(n);
  let any = false;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const k = y * W + x;
      if (!hole[k]) {
        if (!skip[k]) kept[k] = 1;
        continue;
      }
      inHole[k] = 1;
      if ((x > 0 && kept[k - 1]) || (x < W - 1 && !hole[k + 1] && !skip[k + 1]) || (y > 0 && kept[k - W]) || (y < H - 1 && !hole[k + W] && !skip[k + W])) {
        boundary[k] = 1;
        any = true;
      }
    }
  }
  if (!any) return;
  const tmp = new Float32Array(n);
  const holeShare = new Float32Array(n);
  boxMean(inHole, W, H, rm, tmp, holeShare);
  const keptMean = new Float32Array(n * 3);
  const mismatch = new Float32Array(n * 3);
  const work = new Float32Array(n);
  const meanH = new Float32Array(n);
  for (let c = 0; c < 3; c++) {
    for (let k = 0; k < n; k++) work[k] = inHole[k] ? out[k * 4 + c]! : 0;
    boxMean(work, W, H, rm, tmp, meanH);
    for (let k = 0; k < n; k++) {
      if (!boundary[k]) continue;
      keptMean[k * 3 + c] = keptMedian(canvas, kept, W, H, k, rq, c);
      mismatch[k * 3 + c] = keptMean[k * 3 + c]! - meanH[k]! / Math.max(1e-6, holeShare[k]!);
    }
  }
  // 1. The mismatch on a grid, continued harmonically over the hole.
  const cell = Math.max(2, Math.round(reachPx));
  const gw = Math.ceil(W / cell);
  const gh = Math.ceil(H / cell);
  const grid = new Float32Array(gw * gh * 3);
  const count = new Float32Array(gw * gh);
  const holeCell = new Uint8Array(gw * gh);
  for (let k = 0; k < n; k++) {
    if (!hole[k]) continue;
    const g = Math.floor(Math.floor(k / W) / cell) * gw + Math.floor((k % W) / cell);
    holeCell[g] = 1;
    if (!boundary[k]) continue;
    count[g]!++;
    for (let c = 0; c < 3; c++) grid[g * 3 + c]! += mismatch[k * 3 + c]!;
  }
  const fixed = new Uint8Array(gw * gh);
  for (let g = 0; g < gw * gh; g++) {
    // Cells outside the hole take no part (fixed at 0, never read by a hole cell that has boundary pixels between).
    if (count[g]! > 0) {
      fixed[g] = 1;
      for (let c = 0; c < 3; c++) grid[g * 3 + c] = grid[g * 3 + c]! / count[g]!;
    } else if (!holeCell[g]) fixed[g] = 1;
  }
  harmonicFill(grid, fixed, gw, gh, holeCell);
  for (let y = 0; y < H; y++) {
    const fy = Math.min(gh - 1, Math.max(0, (y + 0.5) / cell - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(gh - 1, y0 + 1);
    const ay = fy - y0;
    for (let x = 0; x < W; x++) {
      const k = y * W + x;
      if (!hole[k]) continue;
      const fx = Math.min(gw - 1, Math.max(0, (x + 0.5) / cell - 0.5));
      const x0 = Math.floor(fx);
      const x1 = Math.min(gw - 1, x0 + 1);
      const ax = fx - x0;
      // Bilinear over the hole's cells only (a cell outside the hole holds no correction).
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let ws = 0;
      for (const [g, wt] of [[y0 * gw + x0, (1 - ax) * (1 - ay)], [y0 * gw + x1, ax * (1 - ay)], [y1 * gw + x0, (1 - ax) * ay], [y1 * gw + x1, ax * ay]] as const) {
        if (!holeCell[g] || wt <= 0) continue;
        s0 += wt * grid[g * 3]!;
        s1 += wt * grid[g * 3 + 1]!;
        s2 += wt * grid[g * 3 + 2]!;
        ws += wt;
      }
      if (ws <= 0) continue;
      out[k * 4] = Math.min(255, Math.max(0, Math.round(out[k * 4]! + s0 / ws)));
      out[k * 4 + 1] = Math.min(255, Math.max(0, Math.round(out[k * 4 + 1]! + s1 / ws)));
      out[k * 4 + 2] = Math.min(255, Math.max(0, Math.round(out[k * 4 + 2]! + s2 / ws)));
    }
  }
  // 2. The pull towards the kept photo's local mean beside the seam.
  const nearest = nearestPixel(boundary, W, H);
  for (let k = 0; k < n; k++) {
    if (!hole[k]) continue;
    const b = nearest[k]!;
    if (b < 0) continue;
    const dx = (b % W) - (k % W);
    const dy = Math.floor(b / W) - Math.floor(k / W);
    const w = 1 - Math.sqrt(dx * dx + dy * dy) / r;
    if (w <= 0) continue;
    for (let c = 0; c < 3; c++) out[k * 4 + c] = Math.min(255, Math.max(0, Math.round(out[k * 4 + c]! + w * (keptMean[b * 3 + c]! - out[k * 4 + c]!))));
  }
}

/**
 * The median of one channel over the kept pixels in a square window (a hair strand or speck beside the seam is an
 * outlier of the backdrop, not its colour).
 * @param rgba - `[H, W, 4]` image.
 * @param kept - `[H, W]` 1 = pixel counts.
 * @param W - width.
 * @param H - height.
 * @param k - centre pixel index.
 * @param r - window radius, px.
 * @param c - channel.
 * @returns the median (the centre pixel's value when no pixel counts).
 */
function keptMedian(rgba: Uint8Array, kept: Float32Array, W: number, H: number, k: number, r: number, c: number): number {
  const x = k % W;
  const y = (k - x) / W;
  const v: number[] = [];
  for (let yy = Math.max(0, y - r); yy <= Math.min(H - 1, y + r); yy++) for (let xx = Math.max(0, x - r); xx <= Math.min(W - 1, x + r); xx++) if (kept[yy * W + xx]) v.push(rgba[(yy * W + xx) * 4 + c]!);
  if (!v.length) return rgba[k * 4 + c]!;
  v.sort((a, b) => a - b);
  return v.length % 2 ? v[(v.length - 1) / 2]! : (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2;
}

/** Default fill ring around the person, as a fraction of the photo's longer side (see `fringePx`). 0.4 % before issue
 * 13's ghost-ring work: at 256² that is 1 px, and the photo's pixels just outside it still held the hair's blurred
 * fringe, which stayed on the plate as an outline of the head beside the turned hair (img01 at −30°: band edge energy
 * 1.46× the rest view's with the seam blend alone 1.50×, with a 1 % ring 1.37×). The person layer carries the photo
 * over the wider ring at rest (its refit over the plate). */
const FRINGE_RING = 0.01;
/** Cells of the structure layer's grid along the plate's longer side (see {@link fillStructureAndTexture}). */
const STRUCTURE_GRID_CELLS = 48;
/** The mirrored background texture fades out (and the patch fill's texture in) over twice this depth into the hole,
 * as a fraction of the photo's longer side (as the default source clearance `dilatePx`, 2.5 %). */
const TEXTURE_CLEARANCE = 0.025;

/**
 * Fills the hole as structure + texture: the structure (the local mean colour, on a coarse grid) is continued into
 * the hole as a harmonic membrane from the known background around it, and the texture (the photo minus that
 * structure) is continued by exemplar-based completion (`inpaint`); the fill is their sum.
 * @param canvas - `[H, W, 4]` plate canvas (photo inside, anything in the margins).
 * @param W - canvas width.
 * @param H - canvas height.
 * @param hole - `[H, W]` 1 = fill.
 * @param noSource - `[H, W]` 1 = kept but never copied or averaged into the fill.
 * @param clearancePx - the mirrored background texture fades out over twice this depth into the hole, px.
 * @param opts - working size, seed, cancellation.
 * @returns a new RGBA canvas: kept pixels unchanged, hole pixels filled.
 * @remarks Structure/texture decomposition inpainting (Bertalmio, Vese, Sapiro & Osher, "Simultaneous Structure and
 * Texture Image Inpainting", IEEE TIP 12(8), 2003): a patch fill alone cannot continue a smooth shading — on a
 * studio backdrop it copies patches of another brightness and leaves blocks and light blobs beside the head that
 * show when the camera orbits; a smooth (harmonic) fill alone loses texture. The membrane is solved on a grid of
 * {@link STRUCTURE_GRID_CELLS} cells along the longer side by successive over-relaxation; cells at least half made
 * of source pixels are fixed at their mean.
 */
function fillStructureAndTexture(canvas: Uint8Array, W: number, H: number, hole: Uint8Array, noSource: Uint8Array, clearancePx: number, opts: BackgroundPlateOptions): Uint8Array {
  const cell = Math.max(4, Math.ceil(Math.max(W, H) / STRUCTURE_GRID_CELLS));
  const source = new Uint8Array(W * H);
  for (let k = 0; k < W * H; k++) source[k] = hole[k] || noSource[k] ? 0 : 1;
  const patchFill = inpaint(canvas, W, H, hole, { workMaxSidePx: opts.workMaxSidePx ?? 192, seed: opts.seed, signal: opts.signal, noSource });
  const structure = gridStructure(canvas, W, H, source, cell);
  // Too little clean background for a grid: the patch fill alone.
  if (!structure) return patchFill;
  const fillStructure = gridStructure(patchFill, W, H, null, cell)!;
  // The background's own texture amplitude (mean |photo − structure| over clean background, per cell, continued
  // harmonically like the structure) bounds the fill's texture there: a step between patches of another brightness
  // is not texture of a smooth backdrop, while a painted background keeps its strokes. Channel 0: the mean absolute
  // RGB deviation; 1: its luma part; 2: its chroma part (the deviation minus its luma on the grey axis).
  const amplitude = new Uint8Array(W * H * 4);
  for (let k = 0; k < W * H; k++) {
    if (!source[k]) continue;
    const dr = canvas[k * 4]! - structure[k * 3]!;
    const dg = canvas[k * 4 + 1]! - structure[k * 3 + 1]!;
    const db = canvas[k * 4 + 2]! - structure[k * 3 + 2]!;
    const dy = 0.299 * dr + 0.587 * dg + 0.114 * db;
    amplitude[k * 4] = Math.min(255, Math.round((Math.abs(dr) + Math.abs(dg) + Math.abs(db)) / 3));
    amplitude[k * 4 + 1] = Math.min(255, Math.round(Math.abs(dy)));
    amplitude[k * 4 + 2] = Math.min(255, Math.round(Math.hypot(dr - dy, dg - dy, db - dy)));
  }
  const localAmplitude = gridStructure(amplitude, W, H, source, cell)!;
  const fillAmp = new Uint8Array(W * H * 4);
  for (let k = 0; k < W * H; k++) {
    const d = (Math.abs(patchFill[k * 4]! - fillStructure[k * 3]!) + Math.abs(patchFill[k * 4 + 1]! - fillStructure[k * 3 + 1]!) + Math.abs(patchFill[k * 4 + 2]! - fillStructure[k * 3 + 2]!)) / 3;
    fillAmp[k * 4] = Math.min(255, Math.round(d));
  }
  // (A hole too thin to fill half a cell anywhere: the fill's amplitude over the whole canvas.)
  const fillAmplitude = gridStructure(fillAmp, W, H, hole, cell) ?? gridStructure(fillAmp, W, H, null, cell)!;
  const nearest = nearestPixel(source, W, H);
  // The mirrored texture of the clean background (see below): where its mirror pixel is a source, blurred over the
  // clearance so that the change to the patch fill's texture is gradual, not a hard border.
  const mirror = new Int32Array(W * H).fill(-1);
  const mirrorOk = new Float32Array(W * H);
  for (let k = 0; k < W * H; k++) {
    if (!hole[k]) continue;
    const x = k % W;
    const y = (k - x) / W;
    const p = nearest[k]!;
    if (p < 0) continue;
    const qx = 2 * (p % W) - x;
    const qy = 2 * Math.floor(p / W) - y;
    if (qx >= 0 && qy >= 0 && qx < W && qy < H && source[qy * W + qx]) {
      mirror[k] = qy * W + qx;
      mirrorOk[k] = 1;
    }
  }
  const mirrorWeight = new Float32Array(W * H);
  boxMean(mirrorOk, W, H, Math.max(1, Math.round(clearancePx / 2)), new Float32Array(W * H), mirrorWeight);
  const out = Uint8Array.from(canvas);
  const detail = [0, 0, 0];
  for (let k = 0; k < W * H; k++) {
    if (!hole[k]) continue;
    // Near the clean background the texture is its own, mirrored about its nearest pixel (the patch fill's seam along
    // the person's outline, where the kept ring still carries hair and skin colour, would draw a light outline beside
    // the head when it turns, and its averaging leaves a smooth blob there); deeper into the hole the patch fill's
    // texture, matched in amplitude. The two are blended by depth (distance to the nearest source, falling linearly
    // to 0 at twice the clearance) times the share of mirror pixels that are sources nearby — no hard switch between
    // regimes, and no untextured zone where the mirror pixel is not background.
    const p = nearest[k]!;
    const depth = p < 0 ? Infinity : Math.hypot((p % W) - (k % W), Math.floor(p / W) - Math.floor(k / W));
    const wm = Math.max(0, 1 - depth / (2 * clearancePx)) * mirrorWeight[k]!;
    const q = mirror[k]!;
    const gain = Math.min(1, localAmplitude[k * 3]! / Math.max(0.5, fillAmplitude[k * 3]!));
    for (let c = 0; c < 3; c++) {
      const patch = (patchFill[k * 4 + c]! - fillStructure[k * 3 + c]!) * gain;
      const mirrored = q >= 0 ? canvas[q * 4 + c]! - structure[q * 3 + c]! : patch;
      detail[c] = wm * mirrored + (1 - wm) * patch;
    }
    boundDetail(detail, localAmplitude[k * 3 + 1]!, localAmplitude[k * 3 + 2]!);
    for (let c = 0; c < 3; c++) out[k * 4 + c] = Math.min(255, Math.max(0, Math.round(structure[k * 3 + c]! + detail[c]!)));
    out[k * 4 + 3] = 255;
  }
  return out;
}

/** The fill's texture may depart from the structure by at most this many times the background's local luma
 * (index 0) and chroma (index 1) amplitude, or the floor (levels), whichever is larger (see {@link boundDetail}). */
const DETAIL_BOUND = [3, 2] as const;
const DETAIL_FLOOR_LEVELS = [6, 4] as const;

/**
 * Bounds one pixel's texture (its deviation from the structure, RGB levels) to what the background around it holds:
 * the luma part (BT.601 weights) to {@link DETAIL_BOUND}[0]× the local mean absolute luma deviation, the chroma part
 * (the deviation minus its luma along the grey axis) to {@link DETAIL_BOUND}[1]× the local chroma deviation, each
 * scaled down (not clipped per channel, so the hue of the texture is kept).
 * @param detail - `[3]` RGB deviation, updated in place.
 * @param lumaAmp - the background's local mean |luma deviation|, levels.
 * @param chromaAmp - the background's local mean chroma deviation magnitude, levels.
 * @remarks Issue 13, img05 at +30° yaw: the exemplar fill copied a bright yellow patch of the painted backdrop into
 * its smooth middle as a blob, and an earring's grey into the orange. Design bounds (a textured backdrop's own
 * deviations lie within about 3 mean absolute deviations), not fitted to a photo.
 */
function boundDetail(detail: number[], lumaAmp: number, chromaAmp: number): void {
  const dy = 0.299 * detail[0]! + 0.587 * detail[1]! + 0.114 * detail[2]!;
  const cr = detail[0]! - dy;
  const cg = detail[1]! - dy;
  const cb = detail[2]! - dy;
  const yMax = Math.max(DETAIL_FLOOR_LEVELS[0], DETAIL_BOUND[0] * lumaAmp);
  const cMax = Math.max(DETAIL_FLOOR_LEVELS[1], DETAIL_BOUND[1] * chromaAmp);
  const ys = Math.abs(dy) > yMax ? yMax / Math.abs(dy) : 1;
  const cm = Math.hypot(cr, cg, cb);
  const cs = cm > cMax ? cMax / cm : 1;
  detail[0] = dy * ys + cr * cs;
  detail[1] = dy * ys + cg * cs;
  detail[2] = dy * ys + cb * cs;
}

/** Window of the background colour reference of {@link outlierSources}, as a fraction of the longer side (radius). */
const OUTLIER_WINDOW = 0.1;
/** Colour bins of {@link outlierSources}: luma (BT.601 Y) and chroma (Cb, Cr) bin widths, levels. */
const OUTLIER_BIN_LUMA = 16;
const OUTLIER_BIN_CHROMA = 6;
/** A pixel whose colour bin and its 26 neighbours hold less than this share of the window's sources is an outlier. */
const OUTLIER_SHARE = 0.02;

/**
 * 4-connected neighbours of pixel `k` on a `W`-wide grid of `n` pixels (row-major), those inside the grid.
 * @returns pixel indices (2–4).
 */
function neighbours4(k: number, W: number, n: number): number[] {
  const x = k % W;
  const r: number[] = [];
  if (x > 0) r.push(k - 1);
  if (x < W - 1) r.push(k + 1);
  if (k >= W) r.push(k - W);
  if (k < n - W) r.push(k + W);
  return r;
}

/**
 * The cell grid of the plate's local colour histograms: a window of `windowFrac` × the longer side (≥ 4 px) split
 * into cells of a fifth of it (≥ 2 px).
 * @param W - canvas width, px.
 * @param H - canvas height, px.
 * @param windowFrac - window side as a fraction of max(W, H).
 * @returns `cell` side px, grid `gw` × `gh` cells, `rc` the window's half-size in cells (≥ 1).
 */
function histogramGrid(W: number, H: number, windowFrac: number): { cell: number; gw: number; gh: number; rc: number } {
  const win = Math.max(4, Math.round(windowFrac * Math.max(W, H)));
  const cell = Math.max(2, Math.round(win / 5));
  return { cell, gw: Math.ceil(W / cell), gh: Math.ceil(H / cell), rc: Math.max(1, Math.round(win / cell)) };
}

/**
 * Colour bin of each pixel for the plate's local colour histograms: JPEG/BT.601 full-range YCbCr (ITU-T T.871), luma
 * in bins of OUTLIER_BIN_LUMA levels and each chroma in bins of OUTLIER_BIN_CHROMA levels.
 * @param canvas - `[n, 4]` RGBA bytes.
 * @param n - pixel count.
 * @param BC - chroma bins per axis (`ceil(256 / OUTLIER_BIN_CHROMA)`).
 * @returns `[n]` bin index `(y · BC + cb) · BC + cr`.
 */
function colourBins(canvas: Uint8Array, n: number, BC: number): Int32Array {
  const BY = Math.ceil(256 / OUTLIER_BIN_LUMA);
  const bins = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const r = canvas[k * 4]!;
    const g = canvas[k * 4 + 1]!;
    const b = canvas[k * 4 + 2]!;
    const y = Math.min(BY - 1, Math.floor((0.299 * r + 0.587 * g + 0.114 * b) / OUTLIER_BIN_LUMA));
    const cb = Math.min(BC - 1, Math.max(0, Math.floor((128 - 0.168736 * r - 0.331264 * g + 0.5 * b) / OUTLIER_BIN_CHROMA)));
    const cr = Math.min(BC - 1, Math.max(0, Math.floor((128 + 0.5 * r - 0.418688 * g - 0.081312 * b) / OUTLIER_BIN_CHROMA)));
    bins[k] = (y * BC + cb) * BC + cr;
  }
  return bins;
}

/**
 * Kept pixels of a colour the background around them does not hold: the sources within {@link OUTLIER_WINDOW} of the
 * longer side (gathered per cell of a fifth of the window; widened until it holds 4 cells' worth) are histogrammed in (Y, Cb, Cr) bins of
 * {@link OUTLIER_BIN_LUMA} × {@link OUTLIER_BIN_CHROMA}² levels; a candidate whose bin and its 26 neighbours hold less
 * than {@link OUTLIER_SHARE} of them is an outlier (grown by one pixel within the candidates). A colour density, not a
 * distance from a mean: a striped or multi-coloured backdrop holds several colours, each of them background.
 * @param canvas - `[H, W, 4]` plate canvas.
 * @param W - width.
 * @param H - height.
 * @param source - `[H, W]` 1 = reference: clean background (a source of the fill beyond {@link STRAND_REACH} of the
 *   person, so that a large remnant of the person does not vouch for its own colour).
 * @param candidate - `[H, W]` 1 = pixel to test.
 * @returns `[H, W]` 1 = outlier (only where `candidate`).
 * @remarks Issue 13: img05's plate took an earring's grey (a blue blotch against the orange backdrop) and the dark red
 * of clothing outside the matte into its fill. The strand test (`addStrands`) reads luma only, near the matte; this one
 * reads chroma as well. Design bins and share (a colour covering < 2 % of the background around), not fitted to a
 * photo.
 */
function outlierSources(canvas: Uint8Array, W: number, H: number, source: Uint8Array, candidate: Uint8Array): Uint8Array {
  const n = W * H;
  const { cell, gw, gh, rc } = histogramGrid(W, H, OUTLIER_WINDOW);
  const BY = Math.ceil(256 / OUTLIER_BIN_LUMA);
  const BC = Math.ceil(256 / OUTLIER_BIN_CHROMA);
  const bins = colourBins(canvas, n, BC);
  // Per cell: the sources' bins and counts.
  const cellHist: Map<number, number>[] = Array.from({ length: gw * gh }, () => new Map());
  for (let k = 0; k < n; k++) {
    if (!source[k]) continue;
    const m = cellHist[Math.floor(Math.floor(k / W) / cell) * gw + Math.floor((k % W) / cell)]!;
    m.set(bins[k]!, (m.get(bins[k]!) ?? 0) + 1);
  }
  // Per cell with candidates: the window's histogram, and each candidate's neighbourhood count in it.
  const out = new Uint8Array(n);
  const byCell: number[][] = Array.from({ length: gw * gh }, () => []);
  for (let k = 0; k < n; k++) if (candidate[k]) byCell[Math.floor(Math.floor(k / W) / cell) * gw + Math.floor((k % W) / cell)]!.push(k);
  let any = false;
  for (let gy = 0; gy < gh; gy++) {
    for (let gx = 0; gx < gw; gx++) {
      const ks = byCell[gy * gw + gx]!;
      if (!ks.length) continue;
      // The window, widened cell by cell until it holds enough reference pixels (a photo corner beside the person).
      let win = new Map<number, number>();
      let total = 0;
      for (let r = rc; r <= Math.max(gw, gh); r++) {
        win = new Map<number, number>();
        total = 0;
        for (let yy = Math.max(0, gy - r); yy <= Math.min(gh - 1, gy + r); yy++) {
          for (let xx = Math.max(0, gx - r); xx <= Math.min(gw - 1, gx + r); xx++) {
            for (const [b, c] of cellHist[yy * gw + xx]!) {
              win.set(b, (win.get(b) ?? 0) + c);
              total += c;
            }
          }
        }
        if (total >= 4 * cell * cell) break;
      }
      // Too few reference pixels anywhere: nothing is called an outlier.
      if (total < 4 * cell * cell) continue;
      const memo = new Map<number, boolean>();
      for (const k of ks) {
        const b = bins[k]!;
        let isOut = memo.get(b);
        if (isOut === undefined) {
          const cr = b % BC;
          const cb = Math.floor(b / BC) % BC;
          const y = Math.floor(b / (BC * BC));
          let s = 0;
          for (let a = Math.max(0, y - 1); a <= Math.min(BY - 1, y + 1); a++) for (let u = Math.max(0, cb - 1); u <= Math.min(BC - 1, cb + 1); u++) for (let v = Math.max(0, cr - 1); v <= Math.min(BC - 1, cr + 1); v++) s += win.get((a * BC + u) * BC + v) ?? 0;
          isOut = s < OUTLIER_SHARE * total;
          memo.set(b, isOut);
        }
        if (isOut) {
          out[k] = 1;
          any = true;
        }
      }
    }
  }
  if (!any) return out;
  const grown = dilate(out, W, H, 1);
  for (let k = 0; k < n; k++) grown[k] = grown[k]! & candidate[k]!;
  return grown;
}

/**
 * Kept pixels of a colour the background around them does not hold ({@link outlierSources}) are no background: those
 * connected (4-neighbours, through such pixels within {@link STRAND_REACH} of the person) to the filled region are
 * person the matte missed — an earring, a strand, clothing at the photo's edge — and are filled (the person layer's
 * refit over the plate carries them at rest); the others stay on the plate but are never copied or averaged into the
 * fill, nor read by the seam blend.
 * @param canvas - `[H, W, 4]` plate canvas.
 * @param W - canvas width.
 * @param H - canvas height.
 * @param hole - `[H, W]` 1 = filled; updated in place.
 * @param noSource - `[H, W]` 1 = never a source; updated in place.
 * @param skip - `[H, W]` 1 = not read by the seam blend (bars, edge lines); updated in place.
 * @param near - `[H, W]` 1 = within STRAND_REACH of the traced person.
 * @remarks Issue 13: img05's plate took an earring's grey (a blue blotch against the orange painted backdrop) and
 * the dark red of the dress at the photo's bottom corner (outside the matte) into its fill and kept them beside the
 * turned head.
 */
function removeOutliers(canvas: Uint8Array, W: number, H: number, hole: Uint8Array, noSource: Uint8Array, skip: Uint8Array, near: Uint8Array): void {
  const n = W * H;
  const source = new Uint8Array(n);
  const candidate = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    source[k] = hole[k] || noSource[k] || near[k] ? 0 : 1;
    candidate[k] = hole[k] || skip[k] ? 0 : 1;
  }
  const outliers = outlierSources(canvas, W, H, source, candidate);
  const queue: number[] = [];
  const nbrs = (k: number): number[] => neighbours4(k, W, n);
  for (let k = 0; k < n; k++) {
    if (!outliers[k] || !near[k]) continue;
    if (nbrs(k).some((j) => hole[j])) queue.push(k);
  }
  for (const k of queue) hole[k] = 1;
  while (queue.length) {
    const k = queue.pop()!;
    for (const j of nbrs(k)) {
      if (hole[j] || !outliers[j] || !near[j]) continue;
      hole[j] = 1;
      queue.push(j);
    }
  }
  for (let k = 0; k < n; k++) {
    if (!outliers[k] || hole[k]) continue;
    noSource[k] = 1;
    skip[k] = 1;
  }
}

/** Depth of the person's clothing band inside the matte's edge whose colours {@link removeClothingRemnants} models, as
 * a fraction of the photo's longer side. */
const CLOTHING_BAND = 0.03;
/** Radius of the local colour models of {@link removeClothingRemnants}, as a fraction of the longer side. */
const CLOTHING_WINDOW = 0.15;
/** Likelihood ratio (person band ÷ background, per colour bin and its 26 neighbours) above which a kept pixel's colour
 * is the person's. */
const CLOTHING_RATIO = 4;
/** Least share of the person band's pixels (bin and neighbours) for a colour to be the person's (not one stray
 * pixel's). */
const CLOTHING_MIN_SHARE = 0.01;
/** Least share of a region's pixels that must be person-like at {@link CLOTHING_RATIO} (the rest only more likely
 * the person's than the background's) for {@link removeClothingRemnants} to fill it (hysteresis, as Canny's edge
 * tracking: strong evidence seeds, weak evidence joins). */
const CLOTHING_STRONG_SHARE = 0.05;
/** Rounds of {@link removeClothingRemnants}'s alternating estimation of the background model. */
const CLOTHING_ROUNDS = 3;

/**
 * Kept pixels (filled nowhere yet) that are the person's clothing the matte missed, filled (hole) and never a source:
 * 1. colour models, local (pixels within {@link CLOTHING_WINDOW} of the longer side, gathered per cell of a fifth of
 *    the window), histograms in the (Y, Cb, Cr) bins of {@link outlierSources}: the person's, from its own band just
 *    inside the matte's edge (`band`), and the background's, from the clean kept photo (not `noSource`); a pixel's
 *    likelihood ratio is the share its bin and 26 neighbours hold of the band over the share they hold of the
 *    background. Strong: ratio > {@link CLOTHING_RATIO} with at least {@link CLOTHING_MIN_SHARE} of the band; weak:
 *    ratio > 1 with that share. The background model is rebuilt {@link CLOTHING_ROUNDS} times without the last round's
 *    strong pixels (alternating estimation, as GrabCut's iterations), so a large remnant does not vouch for its own
 *    colour as background;
 * 2. regions grown (4-neighbours, hysteresis as in Canny's edge tracking) from person-like pixels beside the fill of
 *    the person through strong or weak pixels; a region is filled when it comes within `bandPx` of the photo's edge
 *    (clothing runs out of the frame; a background patch beside the head that matches the hair does not) and at least
 *    {@link CLOTHING_STRONG_SHARE} of it is strong;
 * 3. a ring of a third of `bandPx` around the filled regions (the remnant's mixed rim, as the fill ring around the
 *    matte), and kept islands the fill then encloses (fewer than `bandPx`² px, not touching the margins, a bar or a
 *    line), are filled too: a lone kept pixel inside the fill is what the seam blend would pull the fill towards;
 * 4. strong pixels left kept are never a source nor read by the seam blend.
 * @param canvas - `[H, W, 4]` plate canvas.
 * @param W - canvas width.
 * @param H - canvas height.
 * @param hole - `[H, W]` 1 = filled; updated in place.
 * @param noSource - `[H, W]` 1 = never a source; updated in place.
 * @param skip - `[H, W]` 1 = not read by the seam blend; updated in place (person-coloured pixels left on the plate).
 * @param barOrLine - `[H, W]` 1 = bars and lines along the photo's edge: never a candidate.
 * @param person - `[H, W]` 1 = the traced person and its fringe ring (the seeds lie within 1 px of it).
 * @param band - `[H, W]` 1 = the person's band inside the matte's edge (the person colour model's pixels).
 * @param inPhoto - `[H, W]` 1 = inside the photo (0 in the margins).
 * @param bandPx - depth of the band, px ({@link CLOTHING_BAND} of the photo's longer side).
 * @remarks Issue 13, img05: the matte missed the dress's right shoulder at the photo's bottom-right corner; the
 * outlier test ({@link outlierSources}) marked only 265 px of it, a sliver of the dress stayed on the plate and the
 * seam blend pulled the fill beside it to its dark red: a copy of the dress showed behind the turned head (plate px
 * within 25 levels of the dress colour in the bottom-right quadrant: 1516 → 6). A two-class colour likelihood ratio
 * with region growing (the colour-model term of interactive segmentation: Boykov & Jolly, "Interactive Graph Cuts",
 * ICCV 2001; Rother, Kolmogorov & Blake, "GrabCut", SIGGRAPH 2004, here without the pairwise term: connectivity to the
 * person and to the photo's edge stands in for it). The ratio, band, window and rounds are design values; the
 * strong share (0.05) was set on img05 (a 312-px sliver region, 28 strong) and checked on img01, img02 and img06,
 * whose filled region it leaves unchanged.
 */
function removeClothingRemnants(canvas: Uint8Array, W: number, H: number, hole: Uint8Array, noSource: Uint8Array, skip: Uint8Array, barOrLine: Uint8Array, person: Uint8Array, band: Uint8Array, inPhoto: Uint8Array, bandPx: number): void {
  const n = W * H;
  const { cell, gw, gh, rc } = histogramGrid(W, H, CLOTHING_WINDOW);
  const BY = Math.ceil(256 / OUTLIER_BIN_LUMA);
  const BC = Math.ceil(256 / OUTLIER_BIN_CHROMA);
  const candidate = new Uint8Array(n);
  const background = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    candidate[k] = inPhoto[k] && !hole[k] && !barOrLine[k] ? 1 : 0;
    background[k] = inPhoto[k] && !hole[k] && !noSource[k] ? 1 : 0;
  }
  const bins = colourBins(canvas, n, BC);
  const cellOf = (k: number): number => Math.floor(Math.floor(k / W) / cell) * gw + Math.floor((k % W) / cell);
  const histOf = (mask: Uint8Array): Map<number, number>[] => {
    const h: Map<number, number>[] = Array.from({ length: gw * gh }, () => new Map());
    for (let k = 0; k < n; k++) {
      if (!mask[k]) continue;
      const m = h[cellOf(k)]!;
      m.set(bins[k]!, (m.get(bins[k]!) ?? 0) + 1);
    }
    return h;
  };
  const bandHist = histOf(band);
  const byCell: number[][] = Array.from({ length: gw * gh }, () => []);
  for (let k = 0; k < n; k++) if (candidate[k]) byCell[cellOf(k)]!.push(k);
  const gather = (h: Map<number, number>[], gx: number, gy: number): { win: Map<number, number>; total: number } => {
    const w = new Map<number, number>();
    let total = 0;
    for (let yy = Math.max(0, gy - rc); yy <= Math.min(gh - 1, gy + rc); yy++) {
      for (let xx = Math.max(0, gx - rc); xx <= Math.min(gw - 1, gx + rc); xx++) {
        for (const [b, c] of h[yy * gw + xx]!) {
          w.set(b, (w.get(b) ?? 0) + c);
          total += c;
        }
      }
    }
    return { win: w, total };
  };
  const around = (w: Map<number, number>, b: number): number => {
    const cr = b % BC;
    const cb = Math.floor(b / BC) % BC;
    const y = Math.floor(b / (BC * BC));
    let s = 0;
    for (let a = Math.max(0, y - 1); a <= Math.min(BY - 1, y + 1); a++) for (let u = Math.max(0, cb - 1); u <= Math.min(BC - 1, cb + 1); u++) for (let v = Math.max(0, cr - 1); v <= Math.min(BC - 1, cr + 1); v++) s += w.get((a * BC + u) * BC + v) ?? 0;
    return s;
  };
  let like = new Uint8Array(n); // 2: ratio > CLOTHING_RATIO; 1: ratio > 1; 0: background
  let any = false;
  // Alternating estimation (as GrabCut's iterations): the background model is rebuilt without the pixels the last
  // round called the person's, so a large remnant does not vouch for its own colour as background.
  for (let round = 0; round < CLOTHING_ROUNDS; round++) {
    const bg = new Uint8Array(n);
    for (let k = 0; k < n; k++) bg[k] = background[k] && like[k] !== 2 ? 1 : 0;
    const bgHist = histOf(bg);
    const next = new Uint8Array(n);
    any = false;
    for (let gy = 0; gy < gh; gy++) {
      for (let gx = 0; gx < gw; gx++) {
        const ks = byCell[gy * gw + gx]!;
        if (!ks.length) continue;
        const p = gather(bandHist, gx, gy);
        const q = gather(bgHist, gx, gy);
        // Too few pixels of either class to model it: nothing is called the person's here.
        if (p.total < cell * cell || q.total < cell * cell) continue;
        const memo = new Map<number, number>();
        for (const k of ks) {
          const b = bins[k]!;
          let isP = memo.get(b);
          if (isP === undefined) {
            const sp = around(p.win, b) / p.total;
            const sq = (around(q.win, b) + 1) / q.total;
            isP = sp < CLOTHING_MIN_SHARE || sp <= sq ? 0 : sp > CLOTHING_RATIO * sq ? 2 : 1;
            memo.set(b, isP);
          }
          if (isP) {
            next[k] = isP;
            any = true;
          }
        }
      }
    }
    like = next;
  }
  if (!any) return;
  // Regions grown from the person's side through person-like pixels; kept where they reach the photo's edge.
  const comp = new Int32Array(n).fill(-1);
  const nbrs = (k: number): number[] => neighbours4(k, W, n);
  // The photo's edge, widened by the band's depth (a sliver of clothing whose last pixels beside the edge are mixed).
  const outside = new Uint8Array(n);
  for (let k = 0; k < n; k++) outside[k] = inPhoto[k] ? 0 : 1;
  const nearEdge = dilate(outside, W, H, bandPx);
  const personNear = dilate(person, W, H, 1);
  const accepted = new Uint8Array(n);
  let id = 0;
  for (let s0 = 0; s0 < n; s0++) {
    if (!like[s0] || comp[s0]! >= 0 || !personNear[s0]) continue;
    const members = [s0];
    comp[s0] = id;
    let edge = false;
    let strong = 0;
    for (let i = 0; i < members.length; i++) {
      const k = members[i]!;
      if (like[k] === 2) strong++;
      for (const j of nbrs(k)) {
        if (!like[j] || comp[j]! >= 0) continue;
        comp[j] = id;
        members.push(j);
      }
      if (nearEdge[k]) edge = true;
    }
    if (edge && strong >= CLOTHING_STRONG_SHARE * members.length) for (const k of members) accepted[k] = 1;
    id++;
  }
  // The regions and a ring of a third of the band around them (the remnant's mixed rim, as the fill ring `fringePx`
  // around the matte) are filled.
  const ring = dilate(accepted, W, H, Math.max(1, Math.round(bandPx / 3)));
  const nearRing = dilate(ring, W, H, 1);
  for (let k = 0; k < n; k++) {
    if (!ring[k] || !candidate[k]) continue;
    hole[k] = 1;
    noSource[k] = 1;
  }
  // Kept islands the fill now encloses (4-connected kept pixels of fewer than a band's square, none beside the margins
  // or a bar or line) are filled: a lone kept pixel inside the fill is what the seam blend would pull the fill towards.
  const seen = new Uint8Array(n);
  const maxIsland = bandPx * bandPx;
  for (let s0 = 0; s0 < n; s0++) {
    if (!nearRing[s0] || !candidate[s0] || hole[s0] || seen[s0]) continue;
    const members = [s0];
    seen[s0] = 1;
    let open = false;
    for (let i = 0; i < members.length && members.length <= maxIsland; i++) {
      for (const j of nbrs(members[i]!)) {
        if (!inPhoto[j] || barOrLine[j]) open = true;
        if (hole[j] || seen[j] || !inPhoto[j] || barOrLine[j]) continue;
        seen[j] = 1;
        members.push(j);
      }
    }
    if (open || members.length > maxIsland) continue;
    for (const k of members) {
      hole[k] = 1;
      noSource[k] = 1;
    }
  }
  // Person-coloured pixels left on the plate (not in such a region) are kept but neither a source of the fill nor read
  // by the seam blend: the fill would otherwise be pulled towards the dress's colour beside them.
  for (let k = 0; k < n; k++) {
    if (like[k] !== 2 || hole[k]) continue;
    noSource[k] = 1;
    skip[k] = 1;
  }
}

/**
 * The structure (local mean colour) of an image on a coarse grid, bilinearly interpolated to every pixel.
 * @param rgba - `[H, W, 4]` image.
 * @param W - width.
 * @param H - height.
 * @param mask - `[H, W]` 1 = pixel counts; cells less than half made of counted pixels are filled harmonically from
 *   the others (see {@link harmonicFill}). Null: every pixel counts.
 * @param cell - cell side, px.
 * @returns `[H, W, 3]` structure, or null when no cell has enough counted pixels.
 */
function gridStructure(rgba: Uint8Array, W: number, H: number, mask: Uint8Array | null, cell: number): Float32Array | null {
  const gw = Math.ceil(W / cell);
  const gh = Math.ceil(H / cell);
  const n = gw * gh;
  const sum = new Float64Array(n * 3);
  const cnt = new Uint32Array(n);
  const area = new Uint32Array(n);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const k = y * W + x;
      const g = Math.floor(y / cell) * gw + Math.floor(x / cell);
      area[g]!++;
      if (mask && !mask[k]) continue;
      cnt[g]!++;
      for (let c = 0; c < 3; c++) sum[g * 3 + c]! += rgba[k * 4 + c]!;
    }
  }
  const grid = new Float32Array(n * 3);
  const fixed = new Uint8Array(n);
  let anyFixed = false;
  for (let g = 0; g < n; g++) {
    if (cnt[g]! * 2 < area[g]!) continue;
    fixed[g] = 1;
    anyFixed = true;
    for (let c = 0; c < 3; c++) grid[g * 3 + c] = sum[g * 3 + c]! / cnt[g]!;
  }
  if (!anyFixed) return null;
  harmonicFill(grid, fixed, gw, gh);
  const out = new Float32Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    const fy = Math.min(gh - 1, Math.max(0, (y + 0.5) / cell - 0.5));
    const y0 = Math.min(gh - 1, Math.floor(fy));
    const y1 = Math.min(gh - 1, y0 + 1);
    const ay = fy - y0;
    for (let x = 0; x < W; x++) {
      const fx = Math.min(gw - 1, Math.max(0, (x + 0.5) / cell - 0.5));
      const x0 = Math.min(gw - 1, Math.floor(fx));
      const x1 = Math.min(gw - 1, x0 + 1);
      const ax = fx - x0;
      const k = y * W + x;
      for (let c = 0; c < 3; c++) {
        const top = grid[(y0 * gw + x0) * 3 + c]! * (1 - ax) + grid[(y0 * gw + x1) * 3 + c]! * ax;
        const bot = grid[(y1 * gw + x0) * 3 + c]! * (1 - ax) + grid[(y1 * gw + x1) * 3 + c]! * ax;
        out[k * 3 + c] = top * (1 - ay) + bot * ay;
      }
    }
  }
  return out;
}

/**
 * The nearest set pixel of every pixel (a vector distance transform: two raster passes propagating the nearest
 * point through the 8-neighbourhood, Danielsson, "Euclidean distance mapping", CGIP 14, 1980; approximate).
 * @param mask - `[H, W]` 1 = set.
 * @param W - width.
 * @param H - height.
 * @returns `[H, W]` index of the nearest set pixel, −1 when none is set.
 */
function nearestPixel(mask: Uint8Array, W: number, H: number): Int32Array {
  const near = new Int32Array(W * H).fill(-1);
  const d2 = new Float64Array(W * H).fill(Infinity);
  for (let k = 0; k < W * H; k++) {
    if (!mask[k]) continue;
    near[k] = k;
    d2[k] = 0;
  }
  const relax = (k: number, x: number, y: number, j: number): void => {
    const p = near[j]!;
    if (p < 0) return;
    const dx = (p % W) - x;
    const dy = Math.floor(p / W) - y;
    const d = dx * dx + dy * dy;
    if (d < d2[k]!) {
      d2[k] = d;
      near[k] = p;
    }
  };
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const k = y * W + x;
      if (x > 0) relax(k, x, y, k - 1);
      if (y > 0) {
        relax(k, x, y, k - W);
        if (x > 0) relax(k, x, y, k - W - 1);
        if (x < W - 1) relax(k, x, y, k - W + 1);
      }
    }
    for (let x = W - 2; x >= 0; x--) relax(y * W + x, x, y, y * W + x + 1);
  }
  for (let y = H - 1; y >= 0; y--) {
    for (let x = W - 1; x >= 0; x--) {
      const k = y * W + x;
      if (x < W - 1) relax(k, x, y, k + 1);
      if (y < H - 1) {
        relax(k, x, y, k + W);
        if (x < W - 1) relax(k, x, y, k + W + 1);
        if (x > 0) relax(k, x, y, k + W - 1);
      }
    }
    for (let x = 1; x < W; x++) relax(y * W + x, x, y, y * W + x - 1);
  }
  return near;
}

/**
 * Harmonic interpolation on a grid: free cells (`fixed` 0) become the solution of Laplace's equation with the fixed
 * cells as boundary values — an onion-peel start, then successive over-relaxation (ω = 1.9).
 * @param grid - `[gh, gw, 3]` values, overwritten at free cells.
 * @param fixed - `[gh, gw]` 1 = boundary value.
 * @param gw - grid width.
 * @param gh - grid height.
 * @param active - `[gh, gw]` 1 = cell of the domain (default all); cells outside it are neither solved nor read.
 */
function harmonicFill(grid: Float32Array, fixed: Uint8Array, gw: number, gh: number, active: Uint8Array | null = null): void {
  const done = Uint8Array.from(fixed);
  let frontier: number[] = [];
  for (let g = 0; g < gw * gh; g++) if (!done[g]) frontier.push(g);
  while (frontier.length) {
    const now: number[] = [];
    const rest: number[] = [];
    for (const g of frontier) {
      const x = g % gw;
      const y = (g - x) / gw;
      let m = 0;
      const s = [0, 0, 0];
      for (const [ok, h] of [[x > 0, g - 1], [x < gw - 1, g + 1], [y > 0, g - gw], [y < gh - 1, g + gw]] as const) {
        if (!ok || !done[h] || (active && !active[h])) continue;
        for (let c = 0; c < 3; c++) s[c]! += grid[h * 3 + c]!;
        m++;
      }
      if (!m) rest.push(g);
      else {
        for (let c = 0; c < 3; c++) grid[g * 3 + c] = s[c]! / m;
        now.push(g);
      }
    }
    if (!now.length) break;
    for (const g of now) done[g] = 1;
    frontier = rest;
  }
  // Successive over-relaxation in raster order, each free cell's in-domain neighbours (left, right, up, down) listed once.
  const free: number[] = [];
  const nbr: number[] = [];
  const start: number[] = [0];
  for (let g = 0; g < gw * gh; g++) {
    if (fixed[g] || (active && !active[g])) continue;
    const x = g % gw;
    const y = (g - x) / gw;
    for (const [ok, h] of [[x > 0, g - 1], [x < gw - 1, g + 1], [y > 0, g - gw], [y < gh - 1, g + gw]] as const) if (ok && (!active || active[h])) nbr.push(h);
    free.push(g);
    start.push(nbr.length);
  }
  const omega = 1.9;
  for (let it = 0; it < 4 * Math.max(gw, gh); it++) {
    let change = 0;
    for (let i = 0; i < free.length; i++) {
      const g = free[i]!;
      const n0 = start[i]!;
      const n1 = start[i + 1]!;
      const m = n1 - n0;
      if (!m) continue;
      for (let c = 0; c < 3; c++) {
        let s = 0;
        for (let j = n0; j < n1; j++) s += grid[nbr[j]! * 3 + c]!;
        const d = omega * (s / m - grid[g * 3 + c]!);
        grid[g * 3 + c] = grid[g * 3 + c]! + d;
        if (Math.abs(d) > change) change = Math.abs(d);
      }
    }
    // Converged well below a grey level.
    if (change < HARMONIC_TOLERANCE) break;
  }
}

/** Largest update of a sweep below which {@link harmonicFill} stops, in the grid's units (grey levels). */
const HARMONIC_TOLERANCE = 1e-3;

/** Binary dilation by a square of radius `r` (two separable running-max passes). */
function dilate(mask: Uint8Array, W: number, H: number, r: number): Uint8Array {
  if (r <= 0) return mask;
  const tmp = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) {
    // Two sweeps: distance to the nearest set pixel on the left and on the right.
    let last = -Infinity;
    for (let x = 0; x < W; x++) {
      if (mask[y * W + x]) last = x;
      if (x - last <= r) tmp[y * W + x] = 1;
    }
    last = Infinity;
    for (let x = W - 1; x >= 0; x--) {
      if (mask[y * W + x]) last = x;
      if (last - x <= r) tmp[y * W + x] = 1;
    }
  }
  const out = new Uint8Array(W * H);
  for (let x = 0; x < W; x++) {
    let last = -Infinity;
    for (let y = 0; y < H; y++) {
      if (tmp[y * W + x]) last = y;
      if (y - last <= r) out[y * W + x] = 1;
    }
    last = Infinity;
    for (let y = H - 1; y >= 0; y--) {
      if (tmp[y * W + x]) last = y;
      if (last - y <= r) out[y * W + x] = 1;
    }
  }
  return out;
}

/** Area-average downscale of an RGBA image and its matte to `w × h` (box filter over each target pixel's footprint). */
function areaDownscale(rgba: Uint8Array, alpha: Uint8Array, W: number, H: number, w: number, h: number): { rgba: Uint8Array; alpha: Uint8Array } {
  const out = new Uint8Array(w * h * 4);
  const outA = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const y0 = Math.floor((y * H) / h);
    const y1 = Math.max(y0 + 1, Math.floor(((y + 1) * H) / h));
    for (let x = 0; x < w; x++) {
      const x0 = Math.floor((x * W) / w);
      const x1 = Math.max(x0 + 1, Math.floor(((x + 1) * W) / w));
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let yy = y0; yy < y1; yy++) {
        for (let xx = x0; xx < x1; xx++) {
          const k = yy * W + xx;
          r += rgba[k * 4]!;
          g += rgba[k * 4 + 1]!;
          b += rgba[k * 4 + 2]!;
          a = Math.max(a, alpha[k]!);
        }
      }
      const n = (y1 - y0) * (x1 - x0);
      const o = y * w + x;
      out[o * 4] = Math.round(r / n);
      out[o * 4 + 1] = Math.round(g / n);
      out[o * 4 + 2] = Math.round(b / n);
      out[o * 4 + 3] = 255;
      // The footprint's largest matte value: a pixel that touches the person is person (no halo left behind).
      outA[o] = a;
    }
  }
  return { rgba: out, alpha: outA };
}
