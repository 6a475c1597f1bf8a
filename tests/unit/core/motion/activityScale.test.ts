import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeSpeech } from '../../../../core/audio/speechAnalysis.ts';
import { buildMotionTrack } from '../../../../core/motion/buildMotionTrack.ts';
import { activityScale } from '../../../../core/motion/lipsync.ts';
import { ARKIT_BLENDSHAPE_COUNT, BS } from '../../../../core/motion/names.ts';
import { DEFAULT_MOTION_OPTIONS } from '../../../../core/motion/options.ts';
import { decodeAudio } from '../../../../pipeline/audio/decodeAudio.ts';

const CORPUS = resolve(process.cwd(), '../shared/corpus');
const HAS_CORPUS = existsSync(resolve(CORPUS, 'video/vid05_man_excited_wide_mouth_512p25.mp4'));

/** 90th percentile of the lip aperture the jaw leaves (jawOpen − mouthClose) over a track's frames. */
async function apertureP90(rel: string): Promise<{ p90: number; gain: number }> {
  const d = await decodeAudio(resolve(CORPUS, rel));
  const t = buildMotionTrack(d.samples, d.sampleRateHz, DEFAULT_MOTION_OPTIONS);
  const K = ARKIT_BLENDSHAPE_COUNT;
  const ap: number[] = [];
  for (let f = 0; f < t.frameCount; f++) ap.push(t.blendshapes[f * K + BS.jawOpen]! - t.blendshapes[f * K + BS.mouthClose]!);
  ap.sort((a, b) => a - b);
  return { p90: ap[Math.floor(0.9 * (ap.length - 1))]!, gain: activityScale(analyzeSpeech(d.samples, d.sampleRateHz).activity) };
}

describe('activityScale', () => {
  it('is 1 for confident speech, 2 at the VAD decision point and falls back toward 1 without confident speech', () => {
    const ramp = (top: number): Float32Array => Float32Array.from({ length: 101 }, (_, i) => (top * i) / 100);
    expect(activityScale(ramp(1))).toBeCloseTo(1 / 0.95, 6);
    expect(activityScale(new Float32Array(50).fill(1))).toBe(1);
    expect(activityScale(new Float32Array(50).fill(0.5))).toBe(2);
    expect(activityScale(new Float32Array(50).fill(0.1))).toBeCloseTo(1 / 0.9, 6);
    expect(activityScale(new Float32Array(0))).toBe(1);
  });
});

describe.skipIf(!HAS_CORPUS)('speech over dense background sound opens the mouth as clean speech does (real audio)', () => {
  it('vid05 (excited speech, laughter, background sound): jaw aperture p90 0.31 → ≥ 0.5; clean recordings unchanged', async () => {
    // Measured before the activity gain: vid05 p90 0.310 (activity 95th percentile 0.50: the VAD never confident);
    // after: 0.618, gain 2.0. Clean speakers for scale: vid01 0.848, vid03 0.654, gt02 0.488 (gains 1.00–1.02). s14: stop
    // closures need speech on both sides (core/audio/speechAnalysis.ts), fewer false closures before utterances: vid01 0.861.
    // s17: the lip-gap speed limit (core/motion/lipsync.ts MAX_LIP_APERTURE_SPEED_PER_SEC, on by default) cuts the
    // one-frame peaks between closures: vid01 p90 0.861 → 0.636 (mean 0.267 → 0.240), gt02 0.491 → 0.507, vid05 0.619 →
    // 0.633 (gain 2.0). The pinned values below are the new measurements.
    const noisy = await apertureP90('video/vid05_man_excited_wide_mouth_512p25.mp4');
    expect(noisy.gain).toBeGreaterThan(1.8);
    expect(noisy.p90).toBeGreaterThanOrEqual(0.5);
    for (const [rel, p90] of [
      ['video/vid01_talking_man_own_speech_480p25.mp4', 0.636],
      ['groundtruth/gt02_acoustic_corpus_26s.wav', 0.507],
    ] as const) {
      const clean = await apertureP90(rel);
      expect(clean.gain).toBeLessThan(1.01);
      expect(clean.p90).toBeCloseTo(p90, 2);
    }
  });
});
