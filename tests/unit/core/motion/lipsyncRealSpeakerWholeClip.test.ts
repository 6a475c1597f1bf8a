import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { audioFileToMotionTrack } from '../../../../pipeline/audio/audioToMotion.ts';
import { decodeAudio } from '../../../../pipeline/audio/decodeAudio.ts';
import { analyzeImageFile } from '../../../../pipeline/face/faceAnalyzer.ts';
import { resolveFfmpeg } from '../../../../pipeline/ffmpeg/ffmpegPath.ts';
import { holdRestExpression, measureRestExpression } from '../../../../core/rig/restExpression.ts';
import { buildPhotoHeadRig, evaluateRigRelative, RIG_VERTEX_COUNT } from '../../../../core/rig/rig.ts';
import { ARKIT_BLENDSHAPE_COUNT } from '../../../../core/motion/names.ts';
import { DEFAULT_MOTION_OPTIONS } from '../../../../core/motion/options.ts';
import { lipGap } from '../../../../scripts/evalRealPairs.ts';
import { AV_SYNC_TOLERANCE_SEC, bestShiftedPearson, estimateAvOffset, shiftedPearson, speechEnvelopeDb } from '../../../../scripts/avOffset.ts';
import { HAS_CORPUS, corpus } from '../../../helpers/media.ts';

const run = promisify(execFile);

/**
 * Audio-driven lips against the real speaker over a WHOLE clip (issue 12: "audio-driven from a real clip's frame 0 with
 * its own audio: mean lip gap 0.6–1.6× the real speaker's, r ≥ 0.35"), scored at 0 ms, at the recording's own A/V
 * offset and at the best shift within the sync tolerance (±{@link AV_SYNC_TOLERANCE_SEC}, scripts/avOffset.ts
 * bestShiftedPearson). 3 s windows (≈ 90 frames) move r by ±0.1–0.2 from window to window (1/√n ≈ 0.1), so the
 * whole 15 s of vid03 (448 frames) is scored here. Real gap: the independent TF.js FaceMesh tracker on the real frames
 * (tests/fixtures/avsync/vid03_f0_15s_lipgap.json, written from scripts/evalAudioLips.ts' cache of row vid03:0 at
 * `--seconds 15`, 256²; its first 180 values agree with vid03_f0_6s_lipgap.json within 0.004). Predicted gap: the
 * product's audio path posed on frame 0's photo rig (the mesh proxy of scripts/evalAudioLips.ts).
 */
describe.skipIf(!HAS_CORPUS)('audio-driven lips over the whole of vid03 (15 s, mesh proxy)', () => {
  it('follows the real speaker within the sync tolerance, at the recording\'s own offset, at her mean opening', async () => {
    const video = corpus('video/vid03_woman_talking_expressive_512p30.mp4');
    const fps = 30;
    const real = (JSON.parse(readFileSync(resolve(process.cwd(), 'tests/fixtures/avsync/vid03_f0_15s_lipgap.json'), 'utf8')) as (number | null)[]).map((x) => x ?? NaN);
    const dir = await mkdtemp(join(tmpdir(), 'lipsync-whole-'));
    let pred: number[];
    try {
      const portrait = join(dir, 'frame0.png');
      await run(resolveFfmpeg().path, ['-y', '-v', 'error', '-i', video, '-frames:v', '1', portrait]);
      const face = (await analyzeImageFile(portrait)).faces[0]!;
      const { track } = await audioFileToMotionTrack(video, { ...DEFAULT_MOTION_OPTIONS, fps: { num: fps, den: 1 } });
      const rig = buildPhotoHeadRig(face.landmarksPx, face.landmarkCount);
      const rest = measureRestExpression(face.landmarksPx, face.landmarkCount, { rig }).weights;
      holdRestExpression(track.blendshapes, rest);
      const mesh = new Float32Array(RIG_VERTEX_COUNT * 3);
      const K = ARKIT_BLENDSHAPE_COUNT;
      pred = [];
      for (let f = 0; f < Math.min(track.frameCount, real.length); f++) pred.push(lipGap(evaluateRigRelative(rig, track.blendshapes.subarray(f * K, (f + 1) * K), rest, mesh)));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const realN = real.slice(0, pred.length);
    // The recording's own offset: the plain speech envelope (no mouth model) against the real lips.
    const audio = await decodeAudio(video, { sampleRateHz: 16000 });
    const envelope = speechEnvelopeDb(audio.samples, audio.sampleRateHz, fps, realN.length);
    const av = estimateAvOffset(envelope, realN, fps);
    const r0 = shiftedPearson(pred, realN, 0);
    const rAtOffset = shiftedPearson(pred, realN, Math.round(av.offsetSec * fps));
    const best = bestShiftedPearson(pred, realN, fps);
    const envBest = bestShiftedPearson(envelope, realN, fps);
    const fin = realN.map((x, i) => (Number.isFinite(x) ? i : -1)).filter((i) => i >= 0);
    const ratio = fin.reduce((s, i) => s + pred[i]!, 0) / fin.reduce((s, i) => s + realN[i]!, 0);
    console.log(`vid03 15 s (${fin.length} frames), mesh proxy: r@0 ${r0.toFixed(3)}; clip A/V offset ${Math.round(av.offsetSec * 1000)} ms (z ${av.peakZ.toFixed(1)}), r there ${rAtOffset.toFixed(3)}; best r within ±${AV_SYNC_TOLERANCE_SEC * 1000} ms ${best.r.toFixed(3)} @ ${Math.round(best.shiftSec * 1000)} ms (plain envelope ${envBest.r.toFixed(3)} @ ${Math.round(envBest.shiftSec * 1000)} ms); mean ratio ${ratio.toFixed(3)}`);
    // Measured (s19, main's lip-sync): r@0 0.300, A/V offset −100 ms, r there 0.549 = the best within ±120 ms, at
    // −100 ms; plain envelope 0.51 @ −100 ms; mean ratio 0.72. The rendered video (scripts/evalRealPairs.ts, first 7 s,
    // TF.js on both) gave r@0 0.25, at −100 ms 0.60, ratio 0.90.
    // The recording's sound comes ≈ 100 ms before the lips (the envelope, which knows no mouth, peaks there too):
    expect(av.offsetSec).toBeGreaterThanOrEqual(-0.134);
    expect(av.offsetSec).toBeLessThanOrEqual(-0.066);
    // Within the sync tolerance our lips follow hers at issue 12's r (≥ 0.35) with margin, at the recording's offset
    // (± one frame: our lip-sync adds no lag of its own), and at least as well as the plain envelope does.
    expect(best.r).toBeGreaterThan(0.5);
    expect(Math.abs(best.shiftSec - av.offsetSec)).toBeLessThanOrEqual(1 / fps + 1e-9);
    expect(best.r).toBeGreaterThanOrEqual(envBest.r);
    // r at 0 ms is lower only by the recording's offset: it stays below the r at the offset.
    expect(r0).toBeLessThan(best.r);
    expect(ratio).toBeGreaterThan(0.6);
    expect(ratio).toBeLessThan(1.6);
  }, 180_000);
});
