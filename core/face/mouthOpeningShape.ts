/**
 * Shape of the mouth opening read from face-mesh landmarks (any tracker with the MediaPipe 468 topology): how far the
 * upper inner lip's centre arches above the line between the inner mouth corners, how far the lower inner lip sags
 * below it, and the widths — so a rendered opening can be compared with a real one at the same gap.
 *
 * @remarks A real jaw drop opens an oval: the upper lip's centre rises above the corners and the corners stay between
 * the lips; a rig that only lowers the lower lip opens a flat-topped slot (the corners stay on the upper lip's line).
 * Distances are along the face's axes (the outer eye-corner line and its normal, so in-plane roll is taken out) and in
 * units of the outer eye-corner distance (landmarks 33–263), the normaliser of the paired eval's lip gap
 * (scripts/evalRealPairs.ts `lipGap`).
 */
import { INNER_LIP_PAIRS } from '../rig/restExpression.ts';

/** Mouth-opening measures of one face, in outer eye-corner distances. */
export interface MouthOpeningShape {
  /** Mean inner-lip gap over the five central pairs (as the paired eval's lip gap), ≥ 0. */
  gapIod: number;
  /** Height of the upper inner lip's centre (13) above the inner-corner line (78–308); > 0 when it arches up. */
  archIod: number;
  /**
   * Height of the upper inner lip's side points (81, 311, about halfway from the centre to the corners) above the
   * inner-corner line; over {@link archIod} it is the top edge's fullness (≈ 0.75 for a parabola, 1 for a flat top).
   */
  archSideIod: number;
  /** Depth of the lower inner lip's centre (14) below the inner-corner line; > 0 when it sags down. */
  sagIod: number;
  /** Inner-corner distance (78–308). */
  innerWidthIod: number;
  /** Outer-corner distance (61–291). */
  outerWidthIod: number;
  /** Height of the outer corners' midpoint below the outer eye corners' midpoint (≈ 0.8–1.0; grows as they drop). */
  cornerDropIod: number;
  /** Height of the lower inner lip's centre (14) below the outer eye corners' midpoint. */
  lowerLipDropIod: number;
  /** Height of the upper inner lip's centre (13) below the outer eye corners' midpoint (shrinks as the lip rises). */
  upperLipDropIod: number;
  /** Height of the inner corners' midpoint (78, 308) below the outer eye corners' midpoint. */
  innerCornerDropIod: number;
}

/**
 * Measures the mouth opening of a face.
 * @param landmarksPx - `[N, 3]` row-major landmarks in image pixels (y down), N ≥ 468.
 * @returns the measures ({@link MouthOpeningShape}).
 * @throws RangeError when fewer than 468 landmarks are given or the outer eye corners coincide.
 */
export function measureMouthOpeningShape(landmarksPx: ArrayLike<number>): MouthOpeningShape {
  if (landmarksPx.length < 468 * 3) throw new RangeError(`measureMouthOpeningShape needs 468 landmarks, got ${Math.floor(landmarksPx.length / 3)}`);
  const x = (i: number): number => landmarksPx[i * 3]!;
  const y = (i: number): number => landmarksPx[i * 3 + 1]!;
  const iod = Math.hypot(x(263) - x(33), y(263) - y(33));
  if (!(iod > 1e-6)) throw new RangeError('measureMouthOpeningShape: the outer eye corners coincide');
  const ex = [(x(263) - x(33)) / iod, (y(263) - y(33)) / iod] as const;
  const ey = [-ex[1], ex[0]] as const;
  const cx = (x(33) + x(263)) / 2;
  const cy = (y(33) + y(263)) / 2;
  /** Height below the eye-corner midpoint along the face's down axis, iod units. */
  const b = (i: number): number => ((x(i) - cx) * ey[0] + (y(i) - cy) * ey[1]) / iod;
  const d = (i: number, j: number): number => Math.hypot(x(i) - x(j), y(i) - y(j)) / iod;
  let gap = 0;
  for (const [u, l] of INNER_LIP_PAIRS) gap += d(u, l);
  const cornerLine = (b(78) + b(308)) / 2;
  return {
    gapIod: gap / INNER_LIP_PAIRS.length,
    archIod: cornerLine - b(13),
    archSideIod: cornerLine - (b(81) + b(311)) / 2,
    sagIod: b(14) - cornerLine,
    innerWidthIod: d(78, 308),
    outerWidthIod: d(61, 291),
    cornerDropIod: (b(61) + b(291)) / 2,
    lowerLipDropIod: b(14),
    upperLipDropIod: b(13),
    innerCornerDropIod: cornerLine,
  };
}
