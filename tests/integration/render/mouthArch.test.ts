/**
 * The shape of a wide-open mouth (issue 12, "a mouth that passes for real"): a real jaw drop draws the inner mouth
 * corners down with it, so the opening is an oval whose top edge arches above its corners; the rig's opening was a slot
 * hanging from the upper lip's line (corners level with the top edge, the lower lip alone dropping).
 *
 * Measure (core/face/mouthOpeningShape.ts): the arch share, the height of the upper inner lip's centre above the
 * inner-corner line over the whole centre opening (arch / (arch + sag)). Real value: the independent tracker (TF.js
 * FaceMesh) on vid01's widest frames (3.9–5.5 s, lip gap ≥ 0.18 outer eye-corner distances) — a clip held out from
 * setting the rig's INNER_CORNER_JAW_SHARE (set on vid02/vid05). Rig value: the photo head's own posed landmarks
 * (lip seam refined, rest expression undone, as renderer/head/photoHead.ts) at jawOpen 1 on img05 and img06 (no
 * portrait set any constant).
 *
 * On main before the change: img05 −0.05, img06 0.06 against the real 0.27 (a flat-topped slot, corners level with its
 * top); after: img05 0.22, img06 0.24.
 */
import { describe, expect, it } from 'vitest';
import { ARKIT_BLENDSHAPE_COUNT, BS } from '../../../core/motion/names.ts';
import { buildPhotoHeadRig, evaluateRigRelative, RIG_VERTEX_COUNT } from '../../../core/rig/rig.ts';
import { measureRestExpression } from '../../../core/rig/restExpression.ts';
import { refineClosedLipSeam } from '../../../core/face/lipSeam.ts';
import { measureMouthOpeningShape, type MouthOpeningShape } from '../../../core/face/mouthOpeningShape.ts';
import { FaceAnalyzerCore } from '../../../pipeline/face/faceAnalyzer.ts';
import { TfjsFaceModelRunner } from '../../../pipeline/face/tfjsReference.ts';
import { decodeVideoFrames, probeVideo } from '../../../pipeline/video/decodeVideo.ts';
import { loadPortrait } from './helpers.ts';
import { corpus, HAS_CORPUS } from '../../helpers/media.ts';

const share = (m: MouthOpeningShape): number => m.archIod / Math.max(1e-6, m.archIod + m.sagIod);
const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;

describe.skipIf(!HAS_CORPUS)('a wide-open mouth arches over its corners as a real one does', () => {
  it('jawOpen 1 on img05 and img06: the arch share is ≥ 0.7 of the real one (vid01, TF.js)', async () => {
    const file = corpus('video/vid01_talking_man_own_speech_480p25.mp4');
    const info = await probeVideo(file);
    const runner = await TfjsFaceModelRunner.create('wasm');
    const tracker = new FaceAnalyzerCore(runner);
    const real: number[] = [];
    try {
      for await (const fr of decodeVideoFrames(file, info)) {
        if (fr.timeSec < 3.9 || fr.timeSec > 5.5 || fr.frameIndex % 2) continue;
        const lm = (await tracker.analyze({ rgba: fr.rgba, widthPx: fr.widthPx, heightPx: fr.heightPx, hadAlpha: false }, { maxFaces: 1 })).faces[0]?.landmarksPx;
        if (!lm) continue;
        const m = measureMouthOpeningShape(lm);
        if (m.gapIod >= 0.18) real.push(share(m));
      }
    } finally {
      await runner.dispose();
    }
    expect(real.length).toBeGreaterThanOrEqual(3);
    const realShare = median(real);
    const rigShares: Record<string, number> = {};
    for (const name of ['img05', 'img06'] as const) {
      const p = await loadPortrait(name);
      const seam = refineClosedLipSeam(p.image.rgba, p.image.widthPx, p.image.heightPx, p.face.landmarksPx, p.face.landmarkCount).landmarksPx;
      const rig = buildPhotoHeadRig(seam, p.face.landmarkCount);
      const rest = measureRestExpression(p.face.landmarksPx, p.face.landmarkCount, seam === p.face.landmarksPx ? { rig } : {}).weights;
      const w = new Float32Array(ARKIT_BLENDSHAPE_COUNT);
      w[BS.jawOpen] = 1;
      rigShares[name] = share(measureMouthOpeningShape(evaluateRigRelative(rig, w, rest, new Float32Array(RIG_VERTEX_COUNT * 3))));
    }
    console.log(`real arch share (vid01, ${real.length} wide frames) ${realShare.toFixed(3)}; rig at jawOpen 1: ${Object.entries(rigShares).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(', ')}`);
    expect(realShare).toBeGreaterThan(0.15);
    for (const v of Object.values(rigShares)) expect(v).toBeGreaterThanOrEqual(0.7 * realShare);
  }, 240_000);
});
