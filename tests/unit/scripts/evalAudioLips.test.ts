import { describe, expect, it } from 'vitest';
import { pearson, scoreCurve } from '../../../scripts/evalAudioLips.ts';

describe('evalAudioLips curve scores', () => {
  // A syllable-rate "lip gap" (4 Hz, 25 fps, 4 s) and a copy that is 0.6× as large and 7 frames (280 ms) late.
  const fps = 25;
  const real = Array.from({ length: 100 }, (_, i) => 0.1 + 0.05 * Math.sin((2 * Math.PI * 4 * i) / fps + 0.3 * Math.sin(i / 7)));
  const late = real.map((_, i) => 0.6 * (real[i - 7] ?? real[0]!));

  it('finds the 280 ms lag of a delayed copy and scores it at a known clip offset', () => {
    const s = scoreCurve(late, real, fps, 0.28);
    expect(s.bestShiftSec).toBeCloseTo(0.28, 6);
    expect(s.bestR).toBeGreaterThan(0.999);
    expect(s.rAtClipOffset).toBeGreaterThan(0.999);
    expect(s.meanRatioAtClipOffset).toBeCloseTo(0.6, 2);
    // At zero shift a 4 Hz curve 280 ms late is nearly out of phase (280 ms = 1.12 periods: r ≈ cos(2π·0.12) ≈ 0.73
    // for a pure sine; the slow phase wobble lowers it).
    expect(s.r).toBeLessThan(0.8);
  });

  it('skips frames the tracker lost (NaN) and is symmetric', () => {
    const withGaps = real.map((v, i) => (i % 10 === 3 ? NaN : v));
    expect(pearson(withGaps, real)).toBeCloseTo(1, 6);
    expect(pearson(real, late)).toBeCloseTo(pearson(late, real), 12);
  });
});
