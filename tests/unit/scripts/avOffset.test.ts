import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeAudio } from '../../../pipeline/audio/decodeAudio.ts';
import { AV_OFFSET_MIN_Z, estimateAvOffset, shiftedPearson, speechEnvelopeDb } from '../../../scripts/avOffset.ts';

const CORPUS = resolve(process.cwd(), '../shared/corpus');
const HAS_CORPUS = (() => {
  try {
    readFileSync(resolve(CORPUS, 'MANIFEST.md'));
    return true;
  } catch {
    return false;
  }
})();

/**
 * Real lip gaps (inner-lip gap over the eye-corner distance) of the first 6 s of the clip, per video frame, measured by
 * the independent TF.js FaceMesh tracker on the real frames (scripts/evalAudioLips.ts, `realGap.json` of the rows
 * vid01:0 and vid03:0): a measured fixture, so the test does not need the tracker.
 */
const gaps = (name: string): number[] =>
  (JSON.parse(readFileSync(resolve(process.cwd(), 'tests/fixtures/avsync', name), 'utf8')) as (number | null)[]).map((x) => x ?? NaN);

describe.skipIf(!HAS_CORPUS)('A/V offset of real talking clips (SyncNet-style, evaluation only)', () => {
  const vid01 = 'video/vid01_talking_man_own_speech_480p25.mp4';
  const vid03 = 'video/vid03_woman_talking_expressive_512p30.mp4';

  it('vid01: its sound comes 280 ms after the lips; advancing the audio by 200 ms moves the estimate by 200 ms', async () => {
    const a = await decodeAudio(resolve(CORPUS, vid01), { sampleRateHz: 16000 });
    const lips = gaps('vid01_f0_6s_lipgap.json');
    const est = estimateAvOffset(speechEnvelopeDb(a.samples, a.sampleRateHz, 25, lips.length), lips, 25);
    // Measured: +280 ms, peak r 0.69, confidence 0.46, z 6.4 (the hand-read offset of issue 12 was +280 ms too).
    expect(est.offsetSec).toBeCloseTo(0.28, 6);
    expect(est.reliable).toBe(true);
    expect(est.peakZ).toBeGreaterThanOrEqual(AV_OFFSET_MIN_Z);
    // At zero shift the same envelope correlates far worse: the offset is in the recording.
    expect(est.rByShift[10]!).toBeLessThan(est.peakR - 0.3);
    const advanced = estimateAvOffset(speechEnvelopeDb(a.samples.subarray(0.2 * a.sampleRateHz), a.sampleRateHz, 25, lips.length), lips, 25);
    expect(advanced.offsetSec).toBeCloseTo(0.08, 6);
    expect(advanced.reliable).toBe(true);
  });

  it('vid03: −100 ms (sound before the lips), at 30 fps', async () => {
    const a = await decodeAudio(resolve(CORPUS, vid03), { sampleRateHz: 16000 });
    const lips = gaps('vid03_f0_6s_lipgap.json');
    const est = estimateAvOffset(speechEnvelopeDb(a.samples, a.sampleRateHz, 30, lips.length), lips, 30);
    expect(est.offsetSec).toBeCloseTo(-0.1, 6);
    expect(est.reliable).toBe(true);
  });

  it('unrelated audio and lips are not given an offset', async () => {
    const a1 = await decodeAudio(resolve(CORPUS, vid01), { sampleRateHz: 16000 });
    const a3 = await decodeAudio(resolve(CORPUS, vid03), { sampleRateHz: 16000 });
    const lips01 = gaps('vid01_f0_6s_lipgap.json');
    const lips03 = gaps('vid03_f0_6s_lipgap.json');
    // Measured: z 3.7 (r 0.41 at −267 ms) and z 1.2; time-reversed lips: the peak on the range's edge.
    expect(estimateAvOffset(speechEnvelopeDb(a3.samples, a3.sampleRateHz, 30, lips01.length), lips01, 30).reliable).toBe(false);
    expect(estimateAvOffset(speechEnvelopeDb(a1.samples, a1.sampleRateHz, 25, 150), lips03.slice(0, 150), 25).reliable).toBe(false);
    expect(estimateAvOffset(speechEnvelopeDb(a1.samples, a1.sampleRateHz, 25, 150), [...lips01].reverse(), 25).reliable).toBe(false);
  });
});

describe('shiftedPearson / estimateAvOffset on constructed series', () => {
  it('recovers a known shift of a copy and rejects bad input', () => {
    const fps = 25;
    const lips = Array.from({ length: 200 }, (_, i) => Math.sin(i / 3) + 0.5 * Math.sin(i / 1.7 + 1) + 0.3 * Math.cos(i / 11));
    // The "audio" is the lips 6 frames later: sound after lips by 240 ms.
    const env = lips.map((_, i) => lips[i - 6] ?? 0);
    expect(shiftedPearson(env, lips, 6)).toBeGreaterThan(0.999);
    const est = estimateAvOffset(env, lips, fps);
    expect(est.offsetSec).toBeCloseTo(0.24, 6);
    expect(() => estimateAvOffset(env, lips, 0)).toThrow(RangeError);
    expect(() => speechEnvelopeDb(new Float32Array(10), 0, 25, 1)).toThrow(RangeError);
  });
});
