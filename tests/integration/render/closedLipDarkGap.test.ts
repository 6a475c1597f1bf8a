/**
 * Closing a parted photographed mouth whose dark gap runs past the tracked inner-lip contour into the lip bands
 * (core/face/lipFill.ts, `measureDarkGap`): the closed lips show lip there, not the photo's near-black gap.
 *
 * Portrait: corpus img03 (smile with teeth under a moustache, inner-lip gap 0.075 IOD — under the wide-open
 * repaint's 0.2 IOD, so main repainted nothing). Measured on the render with the product's face analyzer: the lower
 * lip (between the lower inner and outer contours it finds on the render) and its share of near-black pixels.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useRenderHost } from '../../helpers/useRenderHost.ts';
import { ARKIT_BLENDSHAPE_COUNT } from '../../../core/motion/names.ts';
import { buildClosedLipFill } from '../../../core/face/lipFill.ts';
import { signedDistanceToPolygon } from '../../../core/math/polygon.ts';
import { LIPS_LOWER_INNER, LIPS_LOWER_OUTER, LIPS_UPPER_OUTER } from '../../../core/rig/topology.ts';
import { FaceAnalyzer } from '../../../pipeline/face/faceAnalyzer.ts';
import { HAS_CORPUS } from '../../helpers/media.ts';
import { lab } from '../../helpers/colour.ts';
import { analyzePortrait, loadPortrait } from './helpers.ts';

const S = 512;

/**
 * Pixels of the lower lip band (inner contour 78 → 308 down to the outer one 61 → 291) over the middle `span` of the
 * mouth's width (corner to corner, 61 → 291), and the share with L* < 25.
 */
function lowerLipDarkShare(rgba: Uint8Array, lm: Float32Array, span: number, ids = [78, ...LIPS_LOWER_INNER, 308, 291, ...[...LIPS_LOWER_OUTER].reverse(), 61]): { n: number; darkShare: number; meanL: number } {
  const poly = ids.flatMap((i) => [lm[i * 3]!, lm[i * 3 + 1]!]);
  const [ax, ay, bx, by] = [lm[61 * 3]!, lm[61 * 3 + 1]!, lm[291 * 3]!, lm[291 * 3 + 1]!];
  const len2 = (bx - ax) ** 2 + (by - ay) ** 2;
  let n = 0;
  let dark = 0;
  let sumL = 0;
  for (let y = 0; y < S; y++) {
    for (let x = 0; x < S; x++) {
      if (signedDistanceToPolygon(poly, x + 0.5, y + 0.5) < 0.5) continue;
      const t = ((x + 0.5 - ax) * (bx - ax) + (y + 0.5 - ay) * (by - ay)) / len2;
      if (Math.abs(t - 0.5) > span / 2) continue;
      const i = (y * S + x) * 4;
      const [L] = lab([rgba[i]!, rgba[i + 1]!, rgba[i + 2]!]);
      n++;
      sumL += L;
      if (L < 25) dark++;
    }
  }
  return { n, darkShare: dark / Math.max(1, n), meanL: sumL / Math.max(1, n) };
}

describe.skipIf(!HAS_CORPUS)('closing a parted mouth repaints the photo\'s dark gap in the lip bands', () => {
  let analyzer: FaceAnalyzer;
  const host = useRenderHost({ widthPx: S, heightPx: S });
  beforeAll(async () => {
    analyzer = await FaceAnalyzer.create();
  }, 120_000);
  afterAll(async () => {
    await analyzer?.dispose();
  });

  it('img03 closed (all weights 0): the photo\'s dark gap in the lip bands gets a repaint patch (the lower lip\'s darkness is printed)', { timeout: 180_000 }, async () => {
    const p = await analyzePortrait('images/img03_beard_smile_teeth_ai.png');
    const fill = buildClosedLipFill(p.image.rgba, p.image.widthPx, p.image.heightPx, p.face.landmarksPx);
    await host().loadPortrait(p.image, p.face);
    const closed = await host().renderStill({ blendshapes: new Float32Array(ARKIT_BLENDSHAPE_COUNT) });
    const seen = (await analyzer.analyze({ rgba: closed, widthPx: S, heightPx: S, hadAlpha: false }, { maxFaces: 1 })).faces[0]!;
    const st = lowerLipDarkShare(closed, seen.landmarksPx, 0.6);
    const all = lowerLipDarkShare(closed, seen.landmarksPx, 1);
    const lips = lowerLipDarkShare(closed, seen.landmarksPx, 1, [...LIPS_UPPER_OUTER, ...[...LIPS_LOWER_OUTER].reverse()]);
    console.log(`img03 closed: both lips (outer contours) ${lips.n} px, L* < 25 ${(100 * lips.darkShare).toFixed(1)} %, mean L* ${lips.meanL.toFixed(1)}`);
    console.log(`img03 closed: lower lip, middle 60 % of the mouth: ${st.n} px, L* < 25 ${(100 * st.darkShare).toFixed(1)} %, mean L* ${st.meanL.toFixed(1)}; whole width: ${all.n} px, L* < 25 ${(100 * all.darkShare).toFixed(1)} %, mean L* ${all.meanL.toFixed(1)}; dark-gap px repainted ${fill?.darkGapPx ?? 'none'}`);
    expect(fill?.darkGapPx ?? 0).toBeGreaterThan(0);
    // Printed, not asserted: main 13.5 % (whole width 22.3 %, both lips 49.1 %); this branch 13.7 % (22.3 %, 49.2 %). The
    // repainted strip is about a pixel at 512²; what stays dark is the closed seam and the right corner, dark in the
    // photo through both bands. (A mirrored lower lip in the upper band's dark corner gave 10.2 % but drew a pink
    // sliver floating in the corner; removed.) Asserted: the patch exists and the dark strip is repainted (main: null).
    expect(st.n).toBeGreaterThan(300);
  });

  it.each(['img01', 'img05', 'img06'] as const)('%s (closed photo mouth): no patch at all (its dark seam is the real fissure)', async (name) => {
    const p = await loadPortrait(name);
    expect(buildClosedLipFill(p.image.rgba, p.image.widthPx, p.image.heightPx, p.face.landmarksPx)).toBeNull();
  });
});
