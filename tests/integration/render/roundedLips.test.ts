/**
 * Rounded lips hide the teeth (issue #12): a real "O" (mouthFunnel / mouthPucker, lips pushed forward and in) shows the
 * lips' inner surfaces around a dark hole, while the photo head drew the synthesised teeth in it, so an O read as a
 * grin (vid03 at 0.2 s, vid02's O at 2.2–3.0 s). img01 (closed mouth, teeth synthesised), 512², framing `photo`.
 *
 * Measured before the change (main): upper-teeth share of the opening's top third 0.60 at jawOpen 0.35 and 0.49 with
 * mouthFunnel 0.7 added (the funnel narrowed the opening, the teeth stayed); after: see the test's log.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { useRenderHost } from '../../helpers/useRenderHost.ts';
import { ARKIT_BLENDSHAPE_COUNT, BS } from '../../../core/motion/names.ts';
import type { LoadedPortraitInfo } from '../../../pipeline/render/renderHost.ts';
import { buildPhotoHeadRig, evaluateRigRelative, RIG_VERTEX_COUNT } from '../../../core/rig/rig.ts';
import { measureRestExpression } from '../../../core/rig/restExpression.ts';
import { MOUTH_OPENING_LOOP } from '../../../core/rig/topology.ts';
import { refineClosedLipSeam } from '../../../core/face/lipSeam.ts';
import { loadPortrait, toOutputPx, writePng, type Portrait } from './helpers.ts';
import { teethBandMetrics } from './teethMetric.ts';
import { HAS_CORPUS } from '../../helpers/media.ts';

const S = 512;

function pose(jawOpen: number, funnel: number): Float32Array {
  const w = new Float32Array(ARKIT_BLENDSHAPE_COUNT);
  w[BS.jawOpen] = jawOpen;
  w[BS.mouthFunnel] = funnel;
  return w;
}

describe.skipIf(!HAS_CORPUS)('rounded lips of img01 at 512²', () => {
  const host = useRenderHost({ widthPx: S, heightPx: S });
  let p: Portrait;
  let info: LoadedPortraitInfo;
  let posedAt: (w: Float32Array) => Float32Array;

  beforeAll(async () => {
    p = await loadPortrait('img01');
    info = await host().loadPortrait(p.image, p.face);
    // The photo head's own geometry (renderer/head/photoHead.ts): lip seam refined, rest expression of the detector's landmarks.
    const seam = refineClosedLipSeam(p.image.rgba, p.image.widthPx, p.image.heightPx, p.face.landmarksPx, p.face.landmarkCount).landmarksPx;
    const rig = buildPhotoHeadRig(seam, p.face.landmarkCount);
    const rest = measureRestExpression(p.face.landmarksPx, p.face.landmarkCount, seam === p.face.landmarksPx ? { rig } : {}).weights;
    posedAt = (w) => evaluateRigRelative(rig, w, rest, new Float32Array(RIG_VERTEX_COUNT * 3));
  }, 120_000);

  it('an "O" (jawOpen 0.35 + mouthFunnel 0.7) shows ≤ 0.3 × the upper teeth of the plain opening (jawOpen 0.35), which shows teeth', { timeout: 120_000 }, async () => {
    const share = async (w: Float32Array, name: string): Promise<number> => {
      const px = await host().renderStill({ blendshapes: w });
      if (process.env.ROUNDED_LIPS_PNG) await writePng(`${process.env.ROUNDED_LIPS_PNG}/${name}.png`, px, S, S, true);
      const posed = posedAt(w);
      const opening = MOUTH_OPENING_LOOP.flatMap((i) => toOutputPx(info.cropPx, S, S, posed[i * 3]!, posed[i * 3 + 1]!));
      return teethBandMetrics(px, S, opening).upperTeethShare;
    };
    const open = await share(pose(0.35, 0), 'img01_open');
    const round = await share(pose(0.35, 0.7), 'img01_O');
    console.log(`img01 upper-teeth share: open ${open.toFixed(2)}, O ${round.toFixed(2)}`);
    expect(open).toBeGreaterThan(0.2);
    expect(round).toBeLessThanOrEqual(0.3 * open);
  });
});
