/**
 * What an open mouth's interior looks like, measured the same way on real video frames and on renders (issue #12):
 * inside the inner-lip contour that the independent tracker (TF.js FaceMesh) finds, the share of near-black pixels,
 * the luma profile from the top of the opening (teeth) to its bottom, and the shares of teeth and tongue pixels.
 * Luma is taken relative to the face's own skin, so exposure does not matter.
 */
import { MOUTH_OPENING_LOOP } from '../../../core/rig/topology.ts';
import { polygonBounds, signedDistanceToPolygon } from '../../../core/math/polygon.ts';
import { measureExpression } from '../../../core/face/expressionMetrics.ts';
import { lab } from '../../helpers/colour.ts';

/** Result of {@link interiorStats}. */
export interface InteriorStats {
  /** Inner-lip gap at the middle, IOD (core/face/expressionMetrics.ts). */
  lipGapIod: number;
  /** Pixels ≥ 1 px inside the inner-lip contour. */
  areaPx: number;
  /** Share of them darker than 0.12 × the skin's luma (Rec. 601): a void. */
  nearBlackShare: number;
  /** Mean luma of the opening / the skin's luma. */
  meanRelLuma: number;
  /**
   * Share darker than 0.3 × the skin's luma: what reads as a dark hole. Real open mouths lit from the front (corpus
   * vid02, vid05: walls, tongue and teeth all lit) keep it small; a cavity painted at a third of the skin's luma
   * passes the 0.12 near-black bound and still looks like a hole.
   */
  darkShare: number;
  /** First quartile of the relative luma (how dark the darker quarter of the opening is). */
  p25RelLuma: number;
  /** Mean relative luma in 5 horizontal bands from the top of the opening to its bottom. */
  profile: number[];
  /** Share that is teeth-like: relative luma ≥ 0.6 and CIELAB chroma < 25. */
  teethShare: number;
  /** Share that is tongue-like: relative luma 0.2–0.9, a* ≥ 12 and a* > b* (pink-red mucosa, not skin-orange). */
  tongueShare: number;
}

const luma = (px: Uint8Array, i: number): number => 0.299 * px[i]! + 0.587 * px[i + 1]! + 0.114 * px[i + 2]!;

/**
 * @param px - RGBA image `[h, w, 4]`.
 * @param widthPx - image width.
 * @param heightPx - image height.
 * @param landmarksPx - tracker landmarks `[N ≥ 468, 3]` of this image.
 * @returns the interior's statistics; `areaPx` 0 (and NaN shares) when the lips are closed.
 */
export function interiorStats(px: Uint8Array, widthPx: number, heightPx: number, landmarksPx: ArrayLike<number>): InteriorStats {
  const loop = MOUTH_OPENING_LOOP.flatMap((i) => [landmarksPx[i * 3]!, landmarksPx[i * 3 + 1]!]);
  // Skin: median luma of square patches on both cheeks and the chin (MediaPipe 205, 425, 200; half-side 0.04 IOD).
  const iod = Math.hypot(landmarksPx[33 * 3]! - landmarksPx[263 * 3]!, landmarksPx[33 * 3 + 1]! - landmarksPx[263 * 3 + 1]!);
  const r = Math.max(2, Math.round(0.04 * iod));
  const skin: number[] = [];
  for (const k of [205, 425, 200]) {
    const cx = Math.round(landmarksPx[k * 3]!);
    const cy = Math.round(landmarksPx[k * 3 + 1]!);
    for (let y = cy - r; y <= cy + r; y++) for (let x = cx - r; x <= cx + r; x++) if (x >= 0 && y >= 0 && x < widthPx && y < heightPx) skin.push(luma(px, (y * widthPx + x) * 4));
  }
  skin.sort((a, b) => a - b);
  const skinL = Math.max(1, skin[skin.length >> 1] ?? 128);
  const [x0, y0, x1, y1] = polygonBounds(loop);
  const bands = [0, 0, 0, 0, 0];
  const bandN = [0, 0, 0, 0, 0];
  let n = 0;
  let dark = 0;
  let dark30 = 0;
  const ls: number[] = [];
  let sum = 0;
  let teeth = 0;
  let tongue = 0;
  for (let y = Math.max(0, Math.floor(y0)); y <= Math.min(heightPx - 1, Math.ceil(y1)); y++) {
    for (let x = Math.max(0, Math.floor(x0)); x <= Math.min(widthPx - 1, Math.ceil(x1)); x++) {
      if (signedDistanceToPolygon(loop, x + 0.5, y + 0.5) < 1) continue;
      const i = (y * widthPx + x) * 4;
      const l = luma(px, i) / skinL;
      n++;
      sum += l;
      if (l < 0.12) dark++;
      if (l < 0.3) dark30++;
      ls.push(l);
      const c = lab([px[i]!, px[i + 1]!, px[i + 2]!]);
      if (l >= 0.6 && Math.hypot(c[1], c[2]) < 25) teeth++;
      else if (l >= 0.2 && l <= 0.9 && c[1] >= 12 && c[1] > c[2]) tongue++;
      const band = Math.min(4, Math.max(0, Math.floor(((y + 0.5 - y0) / Math.max(1, y1 - y0)) * 5)));
      bands[band]! += l;
      bandN[band]!++;
    }
  }
  return {
    lipGapIod: measureExpression(landmarksPx).lipGapIod,
    areaPx: n,
    nearBlackShare: dark / n,
    meanRelLuma: sum / n,
    darkShare: dark30 / n,
    p25RelLuma: ls.sort((a, b) => a - b)[Math.floor(n / 4)] ?? NaN,
    profile: bands.map((s, k) => (bandN[k]! ? s / bandN[k]! : NaN)),
    teethShare: teeth / n,
    tongueShare: tongue / n,
  };
}
