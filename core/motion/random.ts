/**
 * Seeded, deterministic randomness for procedural motion (no `Math.random`, no clock).
 *
 * @remarks
 * Generator: mulberry32 (Tommy Ettinger, public domain), a 32-bit state PRNG with period 2^32 — ample
 * for blink/gaze timing. Independent streams are derived from one seed with a SplitMix32-style hash
 * of (seed, stream id), so e.g. changing head-motion strength never shifts the blink schedule.
 */

/** A seeded random source. */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number;
  /** Standard normal (Box–Muller). */
  normal(): number;
}

/**
 * Hashes a seed and a stream id into a 32-bit state (SplitMix32 finaliser).
 * @param seed - user seed, any 32-bit integer.
 * @param stream - stream id, e.g. 1 = blinks, 2 = gaze.
 * @returns an unsigned 32-bit integer.
 */
export function deriveSeed(seed: number, stream: number): number {
  let z = (seed >>> 0) ^ Math.imul(stream >>> 0, 0x9e3779b9);
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * Creates a mulberry32 generator.
 * @param seed - 32-bit seed.
 * @param stream - optional stream id (see {@link deriveSeed}); default 0.
 * @returns an {@link Rng}; the same (seed, stream) always yields the same sequence.
 */
export function createRng(seed: number, stream = 0): Rng {
  let a = deriveSeed(seed, stream);
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    range: (lo, hi) => lo + (hi - lo) * next(),
    normal: () => {
      const u = Math.max(1e-12, next());
      const v = next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
  };
}

/**
 * Smooth 1-D noise: a sum of sinusoids with seeded frequencies and phases (band-limited, zero mean).
 * @param rng - random source for the frequencies and phases.
 * @param minHz - lowest component frequency in Hz (> 0).
 * @param maxHz - highest component frequency in Hz.
 * @param components - number of sinusoids (≥ 1).
 * @returns `f(tSec)` with values roughly in [-1, 1] (unit peak-normalised sum).
 */
export function createSmoothNoise(rng: Rng, minHz: number, maxHz: number, components = 4): (tSec: number) => number {
  const freqs: number[] = [];
  const phases: number[] = [];
  const amps: number[] = [];
  let total = 0;
  for (let i = 0; i < components; i++) {
    const f = minHz * Math.pow(maxHz / minHz, components === 1 ? 0 : i / (components - 1)) * rng.range(0.85, 1.15);
    freqs.push(f);
    phases.push(rng.range(0, 2 * Math.PI));
    const a = 1 / Math.sqrt(1 + i);
    amps.push(a);
    total += a;
  }
  return (tSec) => {
    let s = 0;
    for (let i = 0; i < components; i++) s += amps[i]! * Math.sin(2 * Math.PI * freqs[i]! * tSec + phases[i]!);
    return s / total;
  };
}
