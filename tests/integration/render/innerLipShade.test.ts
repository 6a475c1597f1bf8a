/**
 * The opened lips' inner edges are in shade (renderer/head/mouthInterior.ts INNER_LIP_SHADE), so the independent
 * tracker (TF.js FaceMesh, as scripts/evalRealPairs.ts) reads the rendered opening up to the lips, not a pale ring
 * inside them (issue #12: vid05's audio-driven lip gap read at 0.50 of the real speaker's, the tracker seeing about
 * 2/3 of the rig's opening on the render, scripts/evalAudioLips.ts --render).
 *
 * vid05 frame 0 (a closed-mouthed man with pale lips), 256² renders at jawOpen 0, 0.2, 0.3, 0.4 (every other weight 0):
 * the tracked inner-lip gap above the jawOpen-0 render, summed over 0.2–0.4, over the rig's own (core/rig/rig.ts
 * `evaluateRigRelative`, same measure), as tests/integration/render/jawGainAcrossPortraits.test.ts computes it.
 * Measured on this machine: main 1320bf0 0.41 (pale lip-coloured bands and walls next to the lips), s19-mouth5 0.45.
 * A fully dark opening (every interior layer off, a debug render) reads 0.49: the rest of the shortfall is not the
 * interior's colour. vid05 frame 0 is the portrait the shades were chosen on (vid01 / vid03 held out: their shares
 * stay 0.88–1.03, jawGainAcrossPortraits).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useRenderHost } from '../../helpers/useRenderHost.ts';
import { FaceAnalyzerCore } from '../../../pipeline/face/faceAnalyzer.ts';
import { TfjsFaceModelRunner } from '../../../pipeline/face/tfjsReference.ts';
import { jawSweepGaps } from './helpers.ts';
import { HAS_CORPUS } from '../../helpers/media.ts';

const S = 256;
const JAWS = [0, 0.2, 0.3, 0.4];
/** Least share of the rig's speech-range opening the tracker reads on vid05 frame 0 (main 0.41, branch 0.45). */
const SHARE_MIN = 0.43;

describe.skipIf(!HAS_CORPUS)('opened lips with shaded inner edges, as the independent tracker reads them (vid05 frame 0, 256²)', () => {
  const host = useRenderHost({ widthPx: S, heightPx: S });
  let tracker: FaceAnalyzerCore;
  beforeAll(async () => {
    tracker = new FaceAnalyzerCore(await TfjsFaceModelRunner.create('wasm'));
  }, 120_000);
  afterAll(async () => {
    await tracker?.dispose();
  });

  it('the tracker reads the opening up to the lips', { timeout: 240_000 }, async () => {
    const { tracked, geometry } = await jawSweepGaps(host(), tracker, 'vid05_man_excited_wide_mouth_512p25.mp4', JAWS, S);
    const above = (g: number[]): number => g.slice(1).reduce((a, x) => a + x - g[0]!, 0);
    const share = above(tracked) / above(geometry);
    console.log(`vid05 frame 0: tracked ${tracked.map((g) => g.toFixed(3)).join(' ')}, rig ${geometry.map((g) => g.toFixed(3)).join(' ')}; share ${share.toFixed(3)}`);
    expect(share).toBeGreaterThanOrEqual(SHARE_MIN);
  });
});
