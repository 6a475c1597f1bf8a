/**
 * How colourful a portrait's lips are, to tint what a still photo lacks (the mouth interior: cavity, tongue) no
 * more than the photo itself is tinted — a grayscale or sepia photo gets a neutral interior, not a pink one.
 *
 * @remarks Lip pixels are sampled in 3×3 neighbourhoods around the MediaPipe lip-body landmarks (the rows between
 * the outer and inner lip contours, `LIPS_UPPER_MID` / `LIPS_LOWER_MID` of core/rig/topology.ts). Colourfulness
 * is the HSV saturation of their mean colour, (max − min) / max (Smith 1978, "Color gamut transform pairs"),
 * relative to {@link LIP_SATURATION_FULL}: lips of colour photos measure 0.25–0.5, grayscale photos ≈ 0.
 */
import { LIPS_LOWER_MID, LIPS_LOWER_OUTER, LIPS_UPPER_MID, LIPS_UPPER_OUTER, MOUTH_OPENING_LOOP } from '../rig/topology.ts';
import { polygonBounds, signedDistanceToPolygon } from '../math/polygon.ts';

/** HSV saturation of mean lip colour at and above which the mouth interior keeps its full colour. */
export const LIP_SATURATION_FULL = 0.25;

/** Mean lip colour and the colourfulness factor derived from it. */
export interface LipColour {
  /** Mean lip colour, RGB in [0, 1] in the photo's own encoding (sRGB bytes / 255). */
  meanRgb: [number, number, number];
  /** HSV saturation of `meanRgb`, [0, 1]. */
  saturation: number;
  /** `saturation / LIP_SATURATION_FULL` clamped to [0, 1]: 0 = render the interior gray, 1 = full colour. */
  colourfulness: number;
}

/**
 * Measures the lips of one face.
 * @param rgba - `[heightPx, widthPx, 4]` RGBA bytes, rows top-first.
 * @param widthPx - image width.
 * @param heightPx - image height.
 * @param landmarksPx - `[N ≥ 468, 3]` face-mesh landmarks (x, y image px; z ignored).
 * @returns the mean lip colour and colourfulness; a neutral full-colour default when no lip pixel lies inside the image.
 */
export function measureLipColour(rgba: Uint8Array, widthPx: number, heightPx: number, landmarksPx: Float32Array): LipColour {
  let r = 0;
  let g = 0;
  let b = 0;
  let n = 0;
  for (const k of [...LIPS_UPPER_MID, ...LIPS_LOWER_MID]) {
    const cx = Math.round(landmarksPx[k * 3]!);
    const cy = Math.round(landmarksPx[k * 3 + 1]!);
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const x = cx + dx;
        const y = cy + dy;
        if (x < 0 || y < 0 || x >= widthPx || y >= heightPx) continue;
        const i = (y * widthPx + x) * 4;
        r += rgba[i]!;
        g += rgba[i + 1]!;
        b += rgba[i + 2]!;
        n++;
      }
    }
  }
  if (n === 0) return { meanRgb: [0.6, 0.35, 0.35], saturation: 1, colourfulness: 1 };
  const meanRgb: [number, number, number] = [r / n / 255, g / n / 255, b / n / 255];
  const max = Math.max(...meanRgb);
  const min = Math.min(...meanRgb);
  const saturation = max > 0 ? (max - min) / max : 0;
  return { meanRgb, saturation, colourfulness: Math.min(1, saturation / LIP_SATURATION_FULL) };
}

/**
 * The colour of the vermilion itself: the third of the pixels between the outer lip contour and the opening
 * (inner-lip loop) least like the skin (farthest from `skinRgb` in RGB; without it, the most saturated third). Thin
 * lips leave the lip-body landmarks of {@link measureLipColour} on skin, whose mean is then a pale skin-lip mix; the
 * pixels least like the skin are the lip's own colour whatever its thickness (saturation alone picks a saturated
 * skin, e.g. orange-lit cheeks at the corners, over purple-pink lips).
 * @param rgba - `[heightPx, widthPx, 4]` RGBA bytes, rows top-first.
 * @param widthPx - image width.
 * @param heightPx - image height.
 * @param landmarksPx - `[N ≥ 468, 3]` face-mesh landmarks (x, y image px).
 * @param skinRgb - the face's skin colour, RGB in [0, 1] (optional).
 * @returns RGB in [0, 1] (the photo's own encoding); {@link measureLipColour}'s mean when fewer than 12 lip pixels
 * lie inside the image.
 * @remarks Saturation is HSV's (max − min) / max (Smith 1978). A pixel counts when its centre lies inside the outer
 * lip polygon (`LIPS_UPPER_OUTER` + `LIPS_LOWER_OUTER`) and outside `MOUTH_OPENING_LOOP`.
 */
export function measureVermilionRgb(rgba: Uint8Array, widthPx: number, heightPx: number, landmarksPx: Float32Array, skinRgb?: readonly [number, number, number]): [number, number, number] {
  const outer = [...LIPS_UPPER_OUTER, ...[...LIPS_LOWER_OUTER].reverse()].flatMap((i) => [landmarksPx[i * 3]!, landmarksPx[i * 3 + 1]!]);
  const opening = MOUTH_OPENING_LOOP.flatMap((i) => [landmarksPx[i * 3]!, landmarksPx[i * 3 + 1]!]);
  const [x0, y0, x1, y1] = polygonBounds(outer);
  const px: { rgb: [number, number, number]; sat: number }[] = [];
  for (let y = Math.max(0, Math.floor(y0)); y <= Math.min(heightPx - 1, Math.ceil(y1)); y++) {
    for (let x = Math.max(0, Math.floor(x0)); x <= Math.min(widthPx - 1, Math.ceil(x1)); x++) {
      if (signedDistanceToPolygon(outer, x + 0.5, y + 0.5) < 0 || signedDistanceToPolygon(opening, x + 0.5, y + 0.5) >= 0) continue;
      const i = (y * widthPx + x) * 4;
      const rgb: [number, number, number] = [rgba[i]! / 255, rgba[i + 1]! / 255, rgba[i + 2]! / 255];
      const max = Math.max(...rgb);
      px.push({ rgb, sat: skinRgb ? Math.hypot(rgb[0] - skinRgb[0], rgb[1] - skinRgb[1], rgb[2] - skinRgb[2]) : max > 0 ? (max - Math.min(...rgb)) / max : 0 });
    }
  }
  if (px.length < 12) return measureLipColour(rgba, widthPx, heightPx, landmarksPx).meanRgb;
  px.sort((a, b) => b.sat - a.sat);
  const top = px.slice(0, Math.ceil(px.length / 3));
  const m: [number, number, number] = [0, 0, 0];
  for (const p of top) for (let c = 0; c < 3; c++) m[c] = m[c]! + p.rgb[c]! / top.length;
  return m;
}
