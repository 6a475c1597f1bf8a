/**
 * Issue #12, b03's "teeth cut diagonally (a wedge)": a smile that shows one row of teeth from the upper lip down to the
 * lower lip, with no dark line between upper and lower incisors, keeps that row whole in the upper (skull) part of
 * the interior. On main each column was split at its darkest row of the run, and the jaw carried away a slanted slice
 * of the upper teeth as it opened.
 *
 * Measured: of the photo's bright opening texels (luma ≥ 0.8 × the opening's 95th percentile), the shares the upper
 * part (photoMask R ≥ 0.5) and the lower part (G ≥ 0.5) hold (the rest, near the corners, is left to the synthesis):
 * b03 on main 0.48 / 0.43, after 0.70 / 0.11. The remaining lower share lies in columns whose teeth run stops short
 * of the lower lip (there the split stays below the run).
 */
import { describe, expect, it } from 'vitest';
import { buildMouthInterior, type MouthInterior } from '../../../../core/face/mouthInterior.ts';
import { buildPhotoHeadRig } from '../../../../core/rig/rig.ts';
import { refineClosedLipSeam } from '../../../../core/face/lipSeam.ts';
import { measureUpperTeeth, raiseUpperLipOffTeeth } from '../../../../core/face/lipEdges.ts';
import { analyzePortrait, type Portrait } from '../../../integration/render/helpers.ts';
import { HAS_CORPUS } from '../../../helpers/media.ts';

const REGION = { a0: -0.5, a1: 0.5, b0: -0.3, b1: 0.9 };

/** The interior as the photo head builds it (renderer/head/photoHead.ts: lip seam refined, upper lip off the teeth). */
function interiorOf(p: Portrait): MouthInterior {
  const { rgba, widthPx, heightPx } = p.image;
  const seam = refineClosedLipSeam(rgba, widthPx, heightPx, p.face.landmarksPx, p.face.landmarkCount).landmarksPx;
  const lm = raiseUpperLipOffTeeth(seam, measureUpperTeeth(rgba, widthPx, heightPx, seam).aboveShiftPx);
  const rig = buildPhotoHeadRig(lm, p.face.landmarkCount);
  return buildMouthInterior(rgba, widthPx, heightPx, lm, rig.frame, REGION);
}

/** Shares of the photo's bright opening texels held by the upper and the lower part. */
function brightShares(p: Portrait, m: MouthInterior): { upper: number; lower: number; n: number } {
  const W = p.image.widthPx;
  const lumas: { l: number; i: number }[] = [];
  for (let ty = 0; ty < m.heightTexels; ty++) {
    for (let tx = 0; tx < m.widthTexels; tx++) {
      const i = ty * m.widthTexels + tx;
      if (m.photoMask[i * 4 + 2]! < 128) continue;
      const x = Math.floor(m.originPx[0] + (tx + 0.5) / m.texelsPerPx);
      const y = Math.floor(m.originPx[1] + (ty + 0.5) / m.texelsPerPx);
      const k = (y * W + x) * 4;
      lumas.push({ l: 0.299 * p.image.rgba[k]! + 0.587 * p.image.rgba[k + 1]! + 0.114 * p.image.rgba[k + 2]!, i });
    }
  }
  const sorted = lumas.map((v) => v.l).sort((a, b) => a - b);
  const l95 = sorted[Math.floor(0.95 * (sorted.length - 1))]!;
  const bright = lumas.filter((v) => v.l >= 0.8 * l95);
  const upper = bright.filter((v) => m.photoMask[v.i * 4]! >= 128).length / bright.length;
  const lower = bright.filter((v) => m.photoMask[v.i * 4 + 1]! >= 128).length / bright.length;
  return { upper, lower, n: bright.length };
}

describe.skipIf(!HAS_CORPUS)('the photo\'s teeth split between skull and jaw along the occlusal line', () => {
  it('b03 (a smile showing only the upper teeth, down to the lower lip): of the bright teeth texels the parts hold, the upper holds ≥ 80 %, the lower ≤ 15 % of all', { timeout: 60_000 }, async () => {
    const p = await analyzePortrait('bugs/b03_portrait_transparent_bg_rgba.png');
    const m = interiorOf(p);
    const s = brightShares(p, m);
    console.log(`b03: ${s.n} bright texels, upper ${s.upper.toFixed(2)}, lower ${s.lower.toFixed(2)}`);
    expect(m.photoTeethPx).toBeGreaterThan(0);
    expect(s.n).toBeGreaterThan(20);
    expect(s.upper / (s.upper + s.lower)).toBeGreaterThanOrEqual(0.8);
    expect(s.lower).toBeLessThanOrEqual(0.15);
  });
});
