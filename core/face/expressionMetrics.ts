/**
 * Expression measures read from face-mesh landmarks (any tracker with the MediaPipe 468 topology): how high the
 * brows sit above the eyes and how far the mouth corners rise above the lip centre line, in inter-ocular units,
 * after the in-plane roll is taken out. Used to check, on rendered frames, that moods and direction ranges show.
 *
 * @remarks Brow raise ~ FACS AU1+AU2 (brow–eye distance), mouth-corner lift ~ AU12 (up) / AU15 (down), as in
 * landmark-based AU intensity measures (e.g. Baltrušaitis et al. 2015, OpenFace "geometry features").
 * Normalising by the distance between the eye centres makes them independent of image size and distance.
 */
import { BROW_LEFT_UPPER, BROW_RIGHT_UPPER, EYE_LEFT_CONTOUR, EYE_RIGHT_CONTOUR, LIP_INNER_LOWER, LIP_INNER_UPPER, MOUTH_CORNER_LEFT, MOUTH_CORNER_RIGHT } from './topology.ts';

/** Expression measures of one face. */
export interface ExpressionMeasures {
  /** Mean height of the brows' upper contour above the eye centres, in inter-ocular distances (≈ 0.45–0.7). */
  browRaiseIod: number;
  /**
   * Mouth corners' height relative to the eye line, in inter-ocular distances (negative, ≈ −1.0 to −1.3; rises with
   * a smile, drops with a frown). The eyes are the reference because they stay put while the jaw moves in speech.
   */
  mouthCornerHeightIod: number;
  /** Gap between the inner lips (upper to lower centre), in inter-ocular distances (0 = closed). */
  lipGapIod: number;
  /** Distance between the eye centres, pixels. */
  interocularPx: number;
  /** In-plane roll of the eye line, radians (removed before measuring). */
  rollRad: number;
}

/**
 * Measures brows and mouth corners of a face.
 * @param landmarksPx - `[N, 3]` row-major landmarks in image pixels (y down), N ≥ 468 (MediaPipe face mesh).
 * @returns the measures (see {@link ExpressionMeasures}).
 * @throws RangeError when fewer than 468 landmarks are given or the eyes coincide.
 */
export function measureExpression(landmarksPx: ArrayLike<number>): ExpressionMeasures {
  if (landmarksPx.length < 468 * 3) throw new RangeError(`measureExpression needs 468 landmarks, got ${Math.floor(landmarksPx.length / 3)}`);
  const mean = (idx: readonly number[]): [number, number] => {
    let x = 0;
    let y = 0;
    for (const i of idx) {
      x += landmarksPx[i * 3]!;
      y += landmarksPx[i * 3 + 1]!;
    }
    return [x / idx.length, y / idx.length];
  };
  const eyeR = mean(EYE_RIGHT_CONTOUR);
  const eyeL = mean(EYE_LEFT_CONTOUR);
  const dx = eyeL[0] - eyeR[0];
  const dy = eyeL[1] - eyeR[1];
  const iod = Math.hypot(dx, dy);
  if (!(iod > 0)) throw new RangeError('measureExpression: the eye centres coincide');
  const roll = Math.atan2(dy, dx);
  const c = Math.cos(-roll);
  const s = Math.sin(-roll);
  // Height above a point after de-rolling, y up, in IOD units.
  const up = (p: [number, number], ref: [number, number]): number => -((p[0] - ref[0]) * s + (p[1] - ref[1]) * c) / iod;
  const browR = mean(BROW_RIGHT_UPPER);
  const browL = mean(BROW_LEFT_UPPER);
  const cornerR = mean([MOUTH_CORNER_RIGHT]);
  const cornerL = mean([MOUTH_CORNER_LEFT]);
  return {
    browRaiseIod: (up(browR, eyeR) + up(browL, eyeL)) / 2,
    mouthCornerHeightIod: (up(cornerR, eyeR) + up(cornerL, eyeL)) / 2,
    lipGapIod: Math.hypot(landmarksPx[LIP_INNER_LOWER * 3]! - landmarksPx[LIP_INNER_UPPER * 3]!, landmarksPx[LIP_INNER_LOWER * 3 + 1]! - landmarksPx[LIP_INNER_UPPER * 3 + 1]!) / iod,
    interocularPx: iod,
    rollRad: roll,
  };
}
