/**
 * In-place iterative radix-2 FFT (Cooley–Tukey, decimation in time) on split real/imaginary arrays.
 *
 * @remarks Cooley & Tukey 1965, "An algorithm for the machine calculation of complex Fourier series".
 * Twiddles and the bit-reversal permutation are precomputed per size; a real input of length N is
 * transformed as an N/2-point complex FFT plus one split step (Numerical Recipes §12.3, "realft").
 */

/** A planned FFT of one power-of-two size. */
export class Fft {
  /** Transform size (power of two ≥ 2). */
  readonly size: number;
  private readonly rev: Uint32Array;
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;

  /**
   * Plans an FFT.
   * @param size - power of two ≥ 2.
   * @throws RangeError when `size` is not a power of two ≥ 2.
   */
  constructor(size: number) {
    if (size < 2 || (size & (size - 1)) !== 0) throw new RangeError(`FFT size must be a power of two ≥ 2, got ${size}`);
    this.size = size;
    const bits = Math.log2(size);
    this.rev = new Uint32Array(size);
    for (let i = 0; i < size; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
      this.rev[i] = r;
    }
    this.cos = new Float64Array(size / 2);
    this.sin = new Float64Array(size / 2);
    for (let i = 0; i < size / 2; i++) {
      this.cos[i] = Math.cos((2 * Math.PI * i) / size);
      this.sin[i] = -Math.sin((2 * Math.PI * i) / size);
    }
  }

  /**
   * Forward complex transform, in place: X[k] = Σ x[n]·e^(−2πikn/N).
   * @param re - real parts, length `size` (overwritten with the spectrum's real parts).
   * @param im - imaginary parts, length `size` (overwritten).
   */
  forward(re: Float64Array, im: Float64Array): void {
    const n = this.size;
    const rev = this.rev;
    for (let i = 0; i < n; i++) {
      const j = rev[i]!;
      if (j > i) {
        let t = re[i]!;
        re[i] = re[j]!;
        re[j] = t;
        t = im[i]!;
        im[i] = im[j]!;
        im[j] = t;
      }
    }
    // First stage (len 2): twiddle 1, no multiplications.
    for (let a = 0; a < n; a += 2) {
      const xr = re[a + 1]!;
      const xi = im[a + 1]!;
      re[a + 1] = re[a]! - xr;
      im[a + 1] = im[a]! - xi;
      re[a] = re[a]! + xr;
      im[a] = im[a]! + xi;
    }
    const cs = this.cos;
    const sn = this.sin;
    for (let len = 4; len <= n; len <<= 1) {
      const half = len >> 1;
      const step = n / len;
      for (let k = 0; k < half; k++) {
        // Twiddle loaded once per k and applied to every block of this stage.
        const wr = cs[k * step]!;
        const wi = sn[k * step]!;
        for (let a = k; a < n; a += len) {
          const b = a + half;
          const br = re[b]!;
          const bi = im[b]!;
          const xr = br * wr - bi * wi;
          const xi = br * wi + bi * wr;
          const ar = re[a]!;
          const ai = im[a]!;
          re[b] = ar - xr;
          im[b] = ai - xi;
          re[a] = ar + xr;
          im[a] = ai + xi;
        }
      }
    }
  }
}

/** Power spectrum of real frames of one even length, using a half-size complex FFT. */
export class RealPowerSpectrum {
  /** Frame length N (power of two ≥ 4); the spectrum has N/2 + 1 bins. */
  readonly size: number;
  private readonly fft: Fft;
  private readonly re: Float64Array;
  private readonly im: Float64Array;
  private readonly wr: Float64Array;
  private readonly wi: Float64Array;

  /**
   * @param size - frame length, power of two ≥ 4.
   * @throws RangeError for other sizes.
   */
  constructor(size: number) {
    if (size < 4 || (size & (size - 1)) !== 0) throw new RangeError(`Real FFT size must be a power of two ≥ 4, got ${size}`);
    this.size = size;
    const h = size / 2;
    this.fft = new Fft(h);
    this.re = new Float64Array(h);
    this.im = new Float64Array(h);
    this.wr = new Float64Array(h);
    this.wi = new Float64Array(h);
    for (let k = 0; k < h; k++) {
      this.wr[k] = Math.cos((2 * Math.PI * k) / size);
      this.wi[k] = -Math.sin((2 * Math.PI * k) / size);
    }
  }

  /**
   * |X[k]|² for k = 0..N/2 of a real frame.
   * @param frame - N real samples (already windowed); read only.
   * @param out - receives N/2 + 1 power values (units: sample² summed, no normalisation).
   */
  compute(frame: Float64Array | Float32Array, out: Float64Array | Float32Array): void {
    const h = this.size / 2;
    const re = this.re;
    const im = this.im;
    for (let i = 0; i < h; i++) {
      re[i] = frame[2 * i]!;
      im[i] = frame[2 * i + 1]!;
    }
    this.fft.forward(re, im);
    // Split: X[k] = E[k] + W^k O[k], E = (Z[k] + conj Z[h-k]) / 2, O = (Z[k] − conj Z[h-k]) / 2i.
    out[0] = (re[0]! + im[0]!) ** 2;
    out[h] = (re[0]! - im[0]!) ** 2;
    for (let k = 1; k < h; k++) {
      const zr = re[k]!;
      const zi = im[k]!;
      const cr = re[h - k]!;
      const ci = -im[h - k]!;
      const er = 0.5 * (zr + cr);
      const ei = 0.5 * (zi + ci);
      const or = 0.5 * (zi - ci);
      const oi = -0.5 * (zr - cr);
      const tr = this.wr[k]! * or - this.wi[k]! * oi;
      const ti = this.wr[k]! * oi + this.wi[k]! * or;
      const xr = er + tr;
      const xi = ei + ti;
      out[k] = xr * xr + xi * xi;
    }
  }
}
