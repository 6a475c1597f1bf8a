/**
 * One-Euro filter: an adaptive low-pass filter for noisy real-time signals (landmarks, weights, poses).
 * @remarks Casiez, Roussel & Vogel 2012, "1€ Filter: A Simple Speed-based Low-pass Filter for Noisy Input in
 * Interactive Systems" (CHI '12). Cut-off f_c = minCutoffHz + beta·|ẋ|, smoothing α = 1 / (1 + τ/T_e) with
 * τ = 1/(2π f_c). Time comes in as an argument (seconds), so filtering is deterministic.
 */

/** Parameters of a One-Euro filter. */
export interface OneEuroParams {
  /** Minimum cut-off frequency, Hz (lower = smoother at rest). */
  minCutoffHz: number;
  /** Speed coefficient (higher = less lag on fast motion), per unit of the signal's speed. */
  beta: number;
  /** Cut-off of the derivative's own low-pass, Hz (1 Hz in the paper). */
  derivativeCutoffHz: number;
}

/** A One-Euro filter over a vector of `size` channels sharing one clock. */
export class OneEuroFilter {
  private readonly x: Float64Array;
  private readonly dx: Float64Array;
  private lastTimeSec: number | null = null;

  /**
   * @param size - number of channels.
   * @param params - filter parameters.
   */
  constructor(
    readonly size: number,
    private readonly params: OneEuroParams,
  ) {
    this.x = new Float64Array(size);
    this.dx = new Float64Array(size);
  }

  /** Forgets the state: the next sample passes through unfiltered (e.g. after tracking was lost). */
  reset(): void {
    this.lastTimeSec = null;
    this.dx.fill(0);
  }

  /**
   * Filters one sample in place.
   * @param values - `[size]` raw values; overwritten with the filtered values.
   * @param timeSec - the sample's time in seconds, strictly increasing (equal times reuse the last state).
   * @param valueScale - the speed that adapts the cut-off is measured on `values × valueScale` (e.g. 1 / face
   *   size, making `beta` scale-invariant); default 1.
   * @returns `values`.
   */
  filter(values: Float32Array | Float64Array, timeSec: number, valueScale = 1): Float32Array | Float64Array {
    if (this.lastTimeSec === null) {
      for (let i = 0; i < this.size; i++) this.x[i] = values[i]!;
      this.lastTimeSec = timeSec;
      return values;
    }
    const dt = timeSec - this.lastTimeSec;
    if (dt <= 0) {
      for (let i = 0; i < this.size; i++) values[i] = this.x[i]!;
      return values;
    }
    this.lastTimeSec = timeSec;
    const alpha = (cutoffHz: number): number => {
      const tau = 1 / (2 * Math.PI * cutoffHz);
      return 1 / (1 + tau / dt);
    };
    const ad = alpha(this.params.derivativeCutoffHz);
    for (let i = 0; i < this.size; i++) {
      const raw = values[i]!;
      const rawDx = ((raw - this.x[i]!) * valueScale) / dt;
      this.dx[i] = this.dx[i]! + ad * (rawDx - this.dx[i]!);
      const a = alpha(this.params.minCutoffHz + this.params.beta * Math.abs(this.dx[i]!));
      this.x[i] = this.x[i]! + a * (raw - this.x[i]!);
      values[i] = this.x[i]!;
    }
    return values;
  }
}
