import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { audioFileToMotionTrack } from '../../../../pipeline/audio/audioToMotion.ts';
import { analyzeImageFile } from '../../../../pipeline/face/faceAnalyzer.ts';
import { resolveFfmpeg } from '../../../../pipeline/ffmpeg/ffmpegPath.ts';
import { holdRestExpression, measureRestExpression } from '../../../../core/rig/restExpression.ts';
import { buildPhotoHeadRig, evaluateRigRelative, RIG_VERTEX_COUNT } from '../../../../core/rig/rig.ts';
import { ARKIT_BLENDSHAPE_COUNT } from '../../../../core/motion/names.ts';
import { DEFAULT_MOTION_OPTIONS } from '../../../../core/motion/options.ts';
import { lipGap } from '../../../../scripts/evalRealPairs.ts';
import { scoreCurve } from '../../../../scripts/evalAudioLips.ts';
import { HAS_CORPUS, corpus } from '../../../helpers/media.ts';

const run = promisify(execFile);

/**
 * Audio-driven lips against the real speaker (issue 12), on the corpus clip vid01 (the man's own speech): frame 0 is the
 * portrait, the clip's audio drives it through the product path (audioFileToMotionTrack → rest expression held → the
 * photo rig posed), and the posed inner-lip gap of every frame is compared with the real one, measured by the
 * independent TF.js FaceMesh tracker on the real frames (tests/fixtures/avsync/vid01_f0_6s_lipgap.json, first 6 s),
 * at the clip's measured A/V offset (+280 ms, scripts/avOffset.ts; tests/unit/scripts/avOffset.test.ts).
 */
describe.skipIf(!HAS_CORPUS)('audio-driven lips follow the real speaker (vid01, mesh proxy of scripts/evalAudioLips.ts)', () => {
  it('correlates with the real lip gap at the A/V offset, at the speaker\'s mean opening', async () => {
    const video = corpus('video/vid01_talking_man_own_speech_480p25.mp4');
    const dir = await mkdtemp(join(tmpdir(), 'lipsync-real-'));
    try {
      const portrait = join(dir, 'frame0.png');
      await run(resolveFfmpeg().path, ['-y', '-v', 'error', '-i', video, '-frames:v', '1', portrait]);
      const face = (await analyzeImageFile(portrait)).faces[0]!;
      const real = (JSON.parse(readFileSync(resolve(process.cwd(), 'tests/fixtures/avsync/vid01_f0_6s_lipgap.json'), 'utf8')) as (number | null)[]).map((x) => x ?? NaN);
      const { track } = await audioFileToMotionTrack(video, { ...DEFAULT_MOTION_OPTIONS, fps: { num: 25, den: 1 } });
      const rig = buildPhotoHeadRig(face.landmarksPx, face.landmarkCount);
      const rest = measureRestExpression(face.landmarksPx, face.landmarkCount, { rig }).weights;
      holdRestExpression(track.blendshapes, rest);
      const mesh = new Float32Array(RIG_VERTEX_COUNT * 3);
      const K = ARKIT_BLENDSHAPE_COUNT;
      const pred: number[] = [];
      for (let f = 0; f < Math.min(track.frameCount, real.length); f++) pred.push(lipGap(evaluateRigRelative(rig, track.blendshapes.subarray(f * K, (f + 1) * K), rest, mesh)));
      const s = scoreCurve(pred, real, 25, 0.28);
      console.log(`vid01 first 6 s, mesh proxy at +280 ms: r ${s.rAtClipOffset.toFixed(3)}, mean ratio ${s.meanRatioAtClipOffset.toFixed(3)}`);
      // Measured on the same machine with the old and the new core/: before (main a72a46f: the 120 ms before each
      // utterance read as a stop closure, lips sealed) r 0.618, ratio 0.766; after (speechAnalysis valleyBounds: a dip is
      // a stop closure only with speech on both sides) r 0.630, ratio 0.802. Bounds set between the two after seeing
      // them (the track is deterministic). Issue 12 asks r ≥ 0.35 and a ratio in 0.6–1.6.
      expect(s.rAtClipOffset).toBeGreaterThan(0.625);
      expect(s.meanRatioAtClipOffset).toBeGreaterThan(0.785);
      expect(s.meanRatioAtClipOffset).toBeLessThan(1.6);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
