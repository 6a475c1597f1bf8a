import { describe, expect, it } from 'vitest';
import { Fft, RealPowerSpectrum } from '../../../../core/audio/fft.ts';

describe('FFT', () => {
  it('matches a direct DFT on a real frame (relative error < 1e-9)', () => {
    const N = 512;
    const x = new Float64Array(N);
    for (let i = 0; i < N; i++) x[i] = Math.sin(i * 0.37) + 0.3 * Math.cos(i * 1.9) + (i % 7) * 0.01;
    const ps = new Float64Array(N / 2 + 1);
    new RealPowerSpectrum(N).compute(x, ps);
    for (let k = 0; k <= N / 2; k++) {
      let re = 0;
      let im = 0;
      for (let i = 0; i < N; i++) {
        re += x[i]! * Math.cos((2 * Math.PI * k * i) / N);
        im -= x[i]! * Math.sin((2 * Math.PI * k * i) / N);
      }
      expect(Math.abs(re * re + im * im - ps[k]!) / (1 + re * re + im * im)).toBeLessThan(1e-9);
    }
  });

  it('puts a pure tone in its bin and rejects sizes that are not powers of two', () => {
    const N = 64;
    const re = Float64Array.from({ length: N }, (_, i) => Math.cos((2 * Math.PI * 5 * i) / N));
    const im = new Float64Array(N);
    new Fft(N).forward(re, im);
    expect(re[5]).toBeCloseTo(N / 2, 9);
    expect(re[N - 5]).toBeCloseTo(N / 2, 9);
    expect(Math.abs(re[6]!)).toBeLessThan(1e-9);
    expect(() => new Fft(48)).toThrow(RangeError);
  });
});
