/**
 * Broad phone classes from 10 ms spectral features: diagonal-Gaussian prototypes (one per class) over
 * mean-normalised mel cepstra plus level/dip/voicing cues — the HeadAudio approach (MFCC + Gaussian
 * prototypes) reduced to the classes lip-sync needs.
 *
 * @remarks
 * Feature vector (dimension {@link CLASS_FEATURE_DIM}): c1..c12 of the DCT-II of the log-mel bands
 * (natural log, as in features.ts) minus their mean over the file's active frames (cepstral mean
 * normalisation, Atal 1974, removes the channel); the speech level relative to the file's reference
 * level (dB / 10); the dip below the ±80 ms maximum level (dB / 10); the voicing (NCCF, 0..1).
 * Classifier: Gaussian naive Bayes with class priors; log-likelihoods are divided by
 * {@link LIKELIHOOD_TEMPERATURE} before the softmax because the dimensions are not independent
 * (without it posteriors are over-confident). Prototype values live in phonePrototypes.ts, derived by
 * scripts/deriveVisemePrototypes.ts from aligned corpus speech (provenance there).
 */
import { PHONE_CLASS_PROTOTYPES } from './phonePrototypes.ts';

/** Classes, in prototype order. */
export const PHONE_CLASS_NAMES = Object.freeze(['silence', 'bilabial', 'openVowel', 'vowel', 'fricative', 'consonant'] as const);
/** One broad class. */
export type BroadPhoneClass = (typeof PHONE_CLASS_NAMES)[number];
/** Number of cepstral coefficients used (c1..c12). */
export const CLASS_CEPSTRA = 12;
/** Feature dimension: 12 cepstra + level + dip + voicing. */
export const CLASS_FEATURE_DIM = CLASS_CEPSTRA + 3;
/** Divisor of the summed per-dimension log-likelihoods (correlated dimensions). */
export const LIKELIHOOD_TEMPERATURE = 3;

/** Prototype table: per class, prior and per-dimension mean/variance. */
export interface PhoneClassPrototypes {
  classes: readonly string[];
  priors: readonly number[];
  means: readonly (readonly number[])[];
  variances: readonly (readonly number[])[];
}

/**
 * DCT-II matrix rows 1..12 over `bandCount` log-mel bands (orthonormal scaling).
 * @param bandCount - number of mel bands.
 * @returns `[12 × bandCount]` row-major.
 */
export function cepstralMatrix(bandCount: number): Float64Array {
  const m = new Float64Array(CLASS_CEPSTRA * bandCount);
  for (let k = 1; k <= CLASS_CEPSTRA; k++) {
    const scale = Math.sqrt(2 / bandCount);
    for (let b = 0; b < bandCount; b++) m[(k - 1) * bandCount + b] = scale * Math.cos((Math.PI * k * (b + 0.5)) / bandCount);
  }
  return m;
}

/**
 * Class posteriors of one feature vector.
 * @param x - feature vector of length {@link CLASS_FEATURE_DIM}.
 * @param out - receives one posterior per class (sums to 1).
 * @param protos - prototype table (default: the committed one).
 */
export function classPosteriors(x: ArrayLike<number>, out: Float64Array, protos: PhoneClassPrototypes = PHONE_CLASS_PROTOTYPES): void {
  const pre = prepared(protos);
  const C = pre.classes;
  let max = -Infinity;
  for (let c = 0; c < C; c++) {
    const mu = pre.means[c]!;
    const iv = pre.invVars[c]!;
    let q = 0;
    for (let d = 0; d < mu.length; d++) {
      const diff = x[d]! - mu[d]!;
      q += diff * diff * iv[d]!;
    }
    const v = (-0.5 * q + pre.logNorm[c]!) / LIKELIHOOD_TEMPERATURE + pre.logPrior[c]!;
    out[c] = v;
    if (v > max) max = v;
  }
  let sum = 0;
  for (let c = 0; c < C; c++) {
    out[c] = Math.exp(out[c]! - max);
    sum += out[c]!;
  }
  for (let c = 0; c < C; c++) out[c] = out[c]! / sum;
}

interface Prepared {
  classes: number;
  means: Float64Array[];
  invVars: Float64Array[];
  logNorm: Float64Array;
  logPrior: Float64Array;
}
const PREPARED = new WeakMap<PhoneClassPrototypes, Prepared>();

function prepared(p: PhoneClassPrototypes): Prepared {
  let r = PREPARED.get(p);
  if (!r) {
    const C = p.classes.length;
    r = {
      classes: C,
      means: p.means.map((m) => Float64Array.from(m)),
      invVars: p.variances.map((v) => Float64Array.from(v, (x) => 1 / x)),
      logNorm: Float64Array.from(p.variances, (v) => -0.5 * v.reduce((s, x) => s + Math.log(2 * Math.PI * x), 0)),
      logPrior: Float64Array.from(p.priors, (x) => Math.log(x)),
    };
    PREPARED.set(p, r);
  }
  return r;
}
