/**
 * Speech analysis for lip-sync: streaming features → noise-robust voice activity, speech loudness,
 * jaw openness, lip closure, OVR-15 viseme weights and stressed-syllable accents, at a 10 ms hop.
 *
 * @remarks
 * Method (DSP with spectral prototypes, no neural model):
 * - Noise: per mel band, a low-percentile floor in the spirit of minimum statistics (Martin 2001,
 *   "Noise power spectral density estimation based on optimal smoothing and minimum statistics",
 *   IEEE TSAP 9(5)): the band level is smoothed over 50 ms, its {@link NOISE_PERCENTILE} quantile is
 *   taken over a ±{@link NOISE_WINDOW_SEC} window (a quantile is robust to the dips of non-stationary
 *   noise that make the plain minimum too low) and raised by {@link NOISE_BIAS_DB}.
 * - Speech energy: power spectral subtraction of that floor with over-subtraction
 *   {@link OVERSUBTRACTION} (Boll 1979; Berouti et al. 1979) in the 150–4500 Hz bands. Voice activity =
 *   sigmoid of the a-posteriori SNR (Sohn, Kim & Sung 1999) with a 120 ms hangover, gated by an
 *   absolute level (−70 dBFS) and by {@link RELATIVE_GATE_DB} below the speech reference, so room
 *   noise and digital silence read as silence.
 * - Loudness is referenced to the 95th percentile of the speech level of the analysis window
 *   (automatic gain), so the recording level does not change the track.
 * - Articulation cues from the denoised spectrum: vowel openness from the F1-region centroid (F1 rises
 *   with jaw opening: Lindblom & Sundberg 1971), normalised to the speaker ({@link F1_PRIOR_MEAN_HZ});
 *   nasal murmur (voiced, energy < 450 Hz ≫ 0.5–4 kHz relative to the speaker's typical voiced
 *   spectrum, or a steady low-dominant murmur following a vowel: {@link MURMUR_DOMINANCE_DB},
 *   detectNasalMurmur; Fujimura 1962; the low band starts at {@link MURMUR_LOW_BAND_F0_RATIO} × the speaker's median F0,
 *   since no voice has energy below its own F0; both only where the level is {@link NASAL_MAX_LEVEL_BELOW_REF_DB} under the
 *   speech reference: a murmur is weak); stop closures (see {@link findStopClosures}: a dip of the speech
 *   level below its ±80 ms maximum, with speech within 80 ms on both sides (valleyBounds), lasting ≥
 *   {@link STOP_CLOSURE_MIN_FRAMES} frames, reaching {@link STOP_SILENCE_BELOW_REF_DB} under the speech reference within
 *   ±40 ms), not counted
 *   as lip closures where the {@link RELEASE_LOOKAHEAD_FRAMES} frames after the interval are
 *   high-frequency dominant (an alveolar release or a following sibilant: alveolar bursts are
 *   diffuse-rising, labial ones diffuse-flat or falling, Stevens & Blumstein 1978, JASA 64); F2 region
 *   (front vs back);
 *   high-band frication (sibilants > 3.5 kHz), and the bilabial posterior of the broad-class Gaussian
 *   prototypes (phoneClasses.ts, HeadAudio-style MFCC prototypes; vetoed by the same high-frequency release). These map onto OVR visemes by the
 *   rules documented at {@link VISEME_RULES}.
 * - Music: an instrumental soundtrack is not speech whatever its SNR; the activity is scaled by `1 − musicLikelihood`
 *   (steady-partial energy share, core/audio/musicLikelihood.ts; Scheirer & Slaney 1997, Seyerlehner et al. 2007).
 * - Blocks: the analysis runs on {@link ANALYSIS_BLOCK_FRAMES} blocks with context, so memory is
 *   bounded for any input length; inputs up to 30 s are analysed as one block.
 */
import { createFeatureExtractor, ENERGY_FLOOR_DB, FEATURE_HOP_SEC, MEL_BAND_COUNT, PARTIAL_CELL_COUNT } from './features.ts';
import { musicLikelihood } from './musicLikelihood.ts';
import type { FeatureFrame } from './features.ts';
import { CLASS_CEPSTRA, CLASS_FEATURE_DIM, PHONE_CLASS_NAMES, cepstralMatrix, classPosteriors } from './phoneClasses.ts';
import type { PhoneClassPrototypes } from './phoneClasses.ts';
import { PHONE_CLASS_PROTOTYPES } from './phonePrototypes.ts';

/** Half-width of the noise-floor minimum window, seconds. */
export const NOISE_WINDOW_SEC = 4;
/** Percentile of the smoothed band level taken as the noise statistic (0 = running minimum). */
export const NOISE_PERCENTILE = 0.25;
/** Bias added to the running minimum to estimate the mean noise level, dB. */
export const NOISE_BIAS_DB = 3;
/** Over-subtraction factor of the noise floor (Berouti, Schwartz & Makhoul 1979), linear power. */
export const OVERSUBTRACTION = 4;
/** Threshold of the a-posteriori SNR for speech, dB. */
export const VAD_SNR_DB = 8;
/** Levels more than this far below the speech reference level are silence, dB. */
export const RELATIVE_GATE_DB = 35;
/** Absolute level below which nothing is speech, dBFS (mean power of a 25 ms frame). */
export const SPEECH_GATE_DBFS = -70;
/** Dynamic range mapped onto loudness 0..1 below the reference level, dB. */
export const LOUDNESS_RANGE_DB = 30;

/** Bilabial-class posterior mapped onto lip closure 0..1 between these two values. */
export const BILABIAL_POSTERIOR_LO = 0.2;
export const BILABIAL_POSTERIOR_HI = 0.45;

/**
 * Vowel openness normalisation (speaker-normalised F1).
 * @remarks The F1-region centroid (250–1100 Hz) rises with jaw opening (Lindblom & Sundberg 1971) but
 * its absolute value depends on the speaker (vocal-tract length) and the channel's spectral tilt, so it
 * is turned into a per-speaker z-score (Lobanov 1971, "Classification of Russian vowels spoken by
 * different speakers", JASA 49) over the loud voiced frames of the analysis window. The mean and
 * variance are shrunk toward a population prior weighted like {@link F1_PRIOR_WEIGHT_FRAMES} frames
 * (a conjugate-prior / empirical-Bayes estimate), so a short or noisy file (few loud vowels, biased
 * toward the loudest, most open ones) keeps a sensible scale. Prior: the grand mean of F1 over the ten
 * American English vowels of Peterson & Barney 1952 (men 502 Hz, women 575 Hz → ≈ 540 Hz), spread
 * ≈ 150 Hz across vowels.
 */
export const F1_PRIOR_MEAN_HZ = 540;
/** Prior spread of the F1 centroid across vowels, Hz. */
export const F1_PRIOR_SD_HZ = 150;
/** Weight of the prior, in loud voiced 10 ms frames (3 s of vowels). */
export const F1_PRIOR_WEIGHT_FRAMES = 300;
/** Lower bound of the speaker's F1 spread, Hz (a monotone chant is not stretched to full range). */
export const F1_MIN_SD_HZ = 60;
/** Openness maps the F1 z-score range [−this, +this] onto [0, 1]. */
export const OPENNESS_Z_RANGE = 1.5;

/**
 * Nasal-murmur constants (see {@link detectNasalMurmur}).
 * @remarks A nasal murmur is voiced, its energy concentrated below ≈ 450 Hz (the nasal resonance near
 * 250–300 Hz) with the spectrum above ≈ 500 Hz strongly damped by the nasal cavity's losses and
 * anti-resonances (Fujimura 1962, "Analysis of nasal consonants", JASA 34; Kurowski & Blumstein 1987,
 * JASA 81: the murmur-to-vowel transition shows an abrupt rise of energy above 1 kHz). The spectral
 * floor follows Berouti, Schwartz & Makhoul 1979 (subtracted power floored at β × noise, β ≈ 0.1) so a
 * band emptied by subtraction reads as "10 dB under the noise", not −120 dB.
 */
export const MURMUR_SPECTRAL_FLOOR = 0.1;
/** Low-frequency dominance (< 450 Hz over max(500–2000 Hz, 2–4 kHz)), dB above the speaker reference, that marks a murmur on its own. */
export const MURMUR_DOMINANCE_DB = 10;
/** Smaller dominance that suffices for a murmur right after a vowel, dB. */
export const MURMUR_ONSET_DOMINANCE_DB = 4;
/** Drop of the 0.5–4 kHz level below its maximum over the previous 30–230 ms at a murmur onset, dB. */
export const MURMUR_ONSET_DROP_DB = 8;
/** The < 450 Hz level stays within this of its previous maximum at a murmur onset (not a stop closure), dB. */
export const MURMUR_LOW_HOLD_DB = 6;
/** A held murmur stays this much more low-dominant than the vowel before it, dB. */
export const MURMUR_HOLD_DOMINANCE_DB = 10;
/** A held murmur is steady: spectral flux (mean |Δ band dB| over 20 ms, bands < 4 kHz) below this, dB. */
export const MURMUR_MAX_FLUX_DB = 4;
/** Look-back window of the onset test: frames t−23 … t−3 (30–230 ms before). */
export const MURMUR_LOOKBACK_HALF_FRAMES = 10;
/** Frames after a stop closure searched for a high-frequency (alveolar) release, 10 ms each. */
export const RELEASE_LOOKAHEAD_FRAMES = 4;
/**
 * Shortest level dip read as a stop closure, in 10 ms frames (40 ms).
 * @remarks Oral stop closures in connected English last about 50–100 ms (Lisker 1957, "Closure duration and the
 * intervocalic voiced-voiceless distinction in English", Language 33; Umeda 1977, "Consonant duration in American
 * English", JASA 61; Crystal & House 1988, JASA 83); 40 ms is below nearly all of them, while shorter dips are level
 * fluctuations inside vowels and sonorants (syllable nuclei, /l w r/ transitions) where the lips stay apart.
 */
export const STOP_CLOSURE_MIN_FRAMES = 4;
/**
 * Frames searched on each side of a level dip for the speech that bounds a stop closure (see valleyBounds), 10 ms
 * each: the ±80 ms of the dip's own reference maximum, now required on both sides.
 */
export const STOP_VALLEY_HALF_FRAMES = 8;
/**
 * A stop closure seals the vocal tract: within {@link STOP_SILENCE_HALF_FRAMES} frames of a frame read as a lip stop
 * closure the speech level must fall at least this far below the speech reference level (the 95th percentile of the
 * speech level), dB.
 * @remarks During an oral stop closure nothing is radiated but the voice bar of a voiced stop (energy below ≈ 300 Hz
 * through the walls of the vocal tract) or, for a voiceless stop, nothing at all: the closure interval is a near-silent
 * gap in the spectrogram (Stevens 1998, "Acoustic Phonetics", ch. 7; Lisker 1957). A level dip that stays within a few
 * dB of the vowels' level is a weak consonant, an approximant or a level fluctuation, and the real lips stay apart
 * there. Checked on the real speaker of vid01 (lips measured by the TF.js tracker): its dips read as stop closures sit
 * 14–20 dB below the reference and the lips are open (0.06–0.18 eye-corner distances) over all of them, while gt02's
 * aligned /p b m/ closures reach 24–38 dB below it. Value set on gt02 (aligned phones) and vid01 (measured lips);
 * vid04 and vid05 held out.
 */
export const STOP_SILENCE_BELOW_REF_DB = 22;
/** Half-width of the window searched for a stop closure's near-silent interval, 10 ms frames (±40 ms: the closure itself lasts 50–100 ms). */
export const STOP_SILENCE_HALF_FRAMES = 4;
/**
 * Nasal-murmur lip-closure evidence fades out when the speech level comes within this of the speech reference, dB.
 * @remarks A lip closure radiates sound only through the nose; the nasal murmur is markedly weaker than the
 * neighbouring vowels, its energy above ≈ 500 Hz damped by the nasal cavity's losses and anti-resonances (Fujimura
 * 1962, JASA 34; Stevens 1998, ch. 9). Voiced frames that are low-dominant AND near the vowels' level are rounded back
 * vowels and approximants (/oʊ u w ɹ l/: low F1 and F2; gt02 "OW1" at 10.59 s, 3 dB below the reference, read as
 * murmur for 230 ms), not closures. gt02's /m/ murmurs sit 11–31 dB below the reference. The evidence is multiplied by
 * a logistic of (reference − this − level) with a 1 dB scale. Tried: a 2 dB scale (at 9, 8 or 7 dB) costs gt02's
 * held-out "um" at 23.26 s its closure or the noisy/clean aud05 jaw correlation its 0.8; without this gate the held-out
 * clips lose most of their gain (mesh proxy mean ratio vid04 0.80 → 0.66, vid05 0.85 → 0.72). Set on gt02 and vid01;
 * vid04 and vid05 held out.
 */
export const NASAL_MAX_LEVEL_BELOW_REF_DB = 9;
/** Voiced frames at least this far above the noise (a-posteriori SNR, dB) may carry lip-closure evidence. */
export const MURMUR_SNR_DB = 4;
/**
 * The murmur's low band starts at this share of the speaker's median F0: mel bands centred lower are left out of the
 * low-frequency dominance (and of the murmur detector's low level).
 * @remarks The voice source is a harmonic series whose lowest component is F0 (Fant 1960, "Acoustic Theory of Speech
 * Production"): a speaker's voice, a nasal murmur included (voiced, radiated through the nose at the same F0), puts no
 * energy below its own F0. The murmur cue compares the energy below 450 Hz with the energy above 500 Hz; for a man
 * (F0 ≈ 100–150 Hz) that band holds the first harmonics and the nasal resonance (250–300 Hz, Fujimura 1962), but for a
 * child or a high voice (F0 ≈ 250–400 Hz) it holds the first harmonic at most, and whatever lies below it, mains hum,
 * room rumble or another, lower-pitched talker, cannot be that speaker's murmur. Within running speech F0 varies by
 * a few semitones around its median (an SD of ≈ 2–3 semitones is typical); half an octave (2^−½ ≈ 0.71, 6 semitones)
 * under the median sits below nearly all of the speaker's own F0, so the bands left out hold no harmonic of the
 * speaker. Found on vid04 (a child, tracked F0 ≈ 240–330 Hz; the 26-band mel filterbank's lowest band, centred at
 * 130 Hz, carried a ≈ 100–140 Hz sound, an adult voice or rumble, that read as a murmur at 20–35 dB dominance while the
 * child's lips were 0.10 eye-corner distances apart): vid04 is therefore not held out for this constant; vid05 is.
 */
export const MURMUR_LOW_BAND_F0_RATIO = Math.SQRT1_2;
/** Fewest loud voiced frames with a tracked pitch for a speaker F0 estimate (0.2 s); below it the whole low band is used. */
export const SPEAKER_F0_MIN_FRAMES = 20;

/**
 * The analysis runs on blocks of this many 10 ms frames (30 s), each seen with
 * {@link ANALYSIS_CONTEXT_FRAMES} of context on both sides, so memory is bounded for any input length;
 * file-level statistics (reference level, cepstral mean) are therefore taken over ≤ 40 s windows.
 */
export const ANALYSIS_BLOCK_FRAMES = 3000;
/** Context on each side of a block, frames (5 s ≥ the ±4 s noise window). */
export const ANALYSIS_CONTEXT_FRAMES = 500;

/** Tunable constants of the analysis (defaults: {@link DEFAULT_SPEECH_TUNING}). */
export interface SpeechTuning {
  /** Half-width of the noise-floor window, seconds. */
  noiseWindowSec: number;
  /** Noise floor statistic: a low percentile (0..1) of the 50 ms-smoothed band level in the window. */
  noisePercentile: number;
  /** Bias added to that statistic, dB. */
  noiseBiasDb: number;
  /** Over-subtraction factor (linear power). */
  overSubtraction: number;
  /** VAD threshold of the a-posteriori SNR, dB. */
  vadSnrDb: number;
  /** Levels this far below the speech reference are silence, dB. */
  relativeGateDb: number;
  /** Range below the reference level mapped onto loudness 0..1, dB. */
  loudnessRangeDb: number;
  /** Bilabial posterior mapped to lip closure 0 → 1 between these values. */
  bilabialPosteriorLo: number;
  bilabialPosteriorHi: number;
}

/** Default tuning (values chosen on aud05/gt01/gt02; see the tests for the scores they give). */
export const DEFAULT_SPEECH_TUNING: Readonly<SpeechTuning> = Object.freeze({
  noiseWindowSec: NOISE_WINDOW_SEC,
  noisePercentile: NOISE_PERCENTILE,
  noiseBiasDb: NOISE_BIAS_DB,
  overSubtraction: OVERSUBTRACTION,
  vadSnrDb: VAD_SNR_DB,
  relativeGateDb: RELATIVE_GATE_DB,
  loudnessRangeDb: LOUDNESS_RANGE_DB,
  bilabialPosteriorLo: BILABIAL_POSTERIOR_LO,
  bilabialPosteriorHi: BILABIAL_POSTERIOR_HI,
});

/** OVR viseme count used by the analysis (sil PP FF TH DD kk CH SS nn RR aa E ih oh ou). */
const V = 15;
const VI = { sil: 0, PP: 1, FF: 2, TH: 3, DD: 4, kk: 5, CH: 6, SS: 7, nn: 8, RR: 9, aa: 10, E: 11, ih: 12, oh: 13, ou: 14 } as const;

/** Result of {@link analyzeSpeech}: curves at a 10 ms hop (frame k centred at `k × hopSec`). */
export interface SpeechAnalysis {
  /** Hop between analysis frames, seconds (0.01). */
  hopSec: number;
  /** Number of analysis frames. */
  frameCount: number;
  /** Voice activity in [0, 1] (already scaled by `1 − musicLikelihood`). */
  activity: Float32Array;
  /**
   * Likelihood that the frame is music without a dominant voice, [0, 1] (core/audio/musicLikelihood.ts: the energy
   * share of steady partials). Activity, loudness and jaw are scaled by `1 − musicLikelihood`, so an instrumental
   * soundtrack does not move the lips; speech and singing read 0.
   */
  musicLikelihood: Float32Array;
  /** Speech loudness in [0, 1] relative to the running reference level (0 in silence). */
  loudness: Float32Array;
  /** Jaw openness target in [0, 1] before coarticulation (loudness × vowel openness). */
  jawOpen: Float32Array;
  /** Lip-closure evidence in [0, 1] (bilabial closure / nasal murmur). */
  lipClosure: Float32Array;
  /** OVR-15 viseme weights `[frameCount, 15]`, each row summing to 1. */
  visemes: Float32Array;
  /** Pitch in Hz (0 when unvoiced). */
  pitchHz: Float32Array;
  /** Stressed syllables: time (s) and prominence in [0, 1], ascending in time. */
  accents: Array<{ timeSec: number; prominence: number }>;
  /** Estimated noise level of the speech bands, dBFS (median over the file). */
  noiseFloorDb: number;
  /** Broad-class feature vectors `[frameCount, CLASS_FEATURE_DIM]` (see phoneClasses.ts); empty unless requested. */
  classFeatures: Float32Array;
  /** Broad-class posteriors `[frameCount, 6]` in PHONE_CLASS_NAMES order. */
  classPosteriors: Float32Array;
}

/** Options of {@link createSpeechAnalyzer} beyond the tuning. */
export interface SpeechAnalyzerOptions {
  /** Also return the class feature vectors (for prototype derivation). */
  keepClassFeatures?: boolean;
  /**
   * Broad-class prototypes to classify with (default: the committed {@link PHONE_CLASS_PROTOTYPES});
   * the held-out evaluation passes prototypes derived without the scored recording.
   */
  prototypes?: PhoneClassPrototypes;
}

/** A streaming speech analyzer: push mono chunks, then `finish()` once. */
export interface SpeechAnalyzer {
  /** Feeds mono samples in [-1, 1]. */
  push(samples: Float32Array): void;
  /** Ends the stream and returns the analysis. */
  finish(): SpeechAnalysis;
  /** Samples pushed so far. */
  readonly sampleCount: number;
}

/** Growable Float32 storage. */
class F32 {
  data = new Float32Array(1024);
  /** Valid values in `data`. */
  length = 0;
  /** Absolute index of `data[0]` (values before it were dropped). */
  base = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const b = new Float32Array(this.data.length * 2);
      b.set(this.data);
      this.data = b;
    }
    this.data[this.length++] = v;
  }
  /** Absolute end index (one past the last value). */
  get end(): number {
    return this.base + this.length;
  }
  /** View of absolute indices [from, to). */
  range(from: number, to: number): Float32Array {
    return this.data.subarray(from - this.base, to - this.base);
  }
  /** Drops values before absolute index `abs` (storage is reused, memory stays bounded). */
  dropBefore(abs: number): void {
    const k = Math.min(this.length, abs - this.base);
    if (k <= 0) return;
    this.data.copyWithin(0, k, this.length);
    this.length -= k;
    this.base += k;
  }
  view(): Float32Array {
    return this.data.subarray(0, this.length);
  }
}

/**
 * The 10 ms feature rows the analysis reads (energy, voicing, pitch, mel bands in dB), kept from an absolute row
 * index on: the offline analyzer drops rows block by block, the live one keeps a sliding window.
 */
class FeatureRows {
  readonly energy = new F32();
  readonly voicing = new F32();
  readonly pitch = new F32();
  readonly bands: F32[] = Array.from({ length: MEL_BAND_COUNT }, () => new F32());
  /** Partial powers, PARTIAL_CELL_COUNT values per row (absolute index = row × PARTIAL_CELL_COUNT). */
  readonly partials = new F32();
  /** Mel band centre frequencies (Hz), known from the first row on. */
  centers: Float32Array | null = null;
  push(f: FeatureFrame): void {
    for (let c = 0; c < PARTIAL_CELL_COUNT; c++) this.partials.push(f.partialPower[c]!);
    this.energy.push(f.energyDb);
    this.voicing.push(f.voicing);
    this.pitch.push(f.pitchHz);
    // Band energies in dB (10·log10 of the mel power).
    for (let b = 0; b < MEL_BAND_COUNT; b++) this.bands[b]!.push(f.logMel[b]! * 4.342944819);
    this.centers ??= Float32Array.from(f.melCentersHz);
  }
  /** Absolute index one past the newest row. */
  get end(): number {
    return this.energy.end;
  }
  /** Absolute index of the oldest row kept. */
  get base(): number {
    return this.energy.base;
  }
  /** Rows kept. */
  get length(): number {
    return this.energy.length;
  }
  dropBefore(abs: number): void {
    this.energy.dropBefore(abs);
    this.voicing.dropBefore(abs);
    this.pitch.dropBefore(abs);
    for (const b of this.bands) b.dropBefore(abs);
    this.partials.dropBefore(abs * PARTIAL_CELL_COUNT);
  }
  /** {@link analyzeFromFeatures} on the rows [from, to). */
  analyze(from: number, to: number, tune: SpeechTuning, protos: PhoneClassPrototypes, ws: Workspace): SpeechAnalysis {
    return analyzeFromFeatures(this.energy.range(from, to), this.voicing.range(from, to), this.pitch.range(from, to), this.bands.map((b) => b.range(from, to)), this.partials.range(from * PARTIAL_CELL_COUNT, to * PARTIAL_CELL_COUNT), this.centers ?? new Float32Array(MEL_BAND_COUNT), tune, protos, ws);
  }
}

/**
 * Reusable scratch arrays keyed by name: block after block the analysis reuses the same storage, so
 * no per-block garbage accumulates (peak memory stays flat however long the input).
 */
class Workspace {
  private readonly f32s = new Map<string, Float32Array>();
  private readonly f64s = new Map<string, Float64Array>();
  private readonly i32s = new Map<string, Int32Array>();
  f32(key: string, n: number): Float32Array {
    let a = this.f32s.get(key);
    if (!a || a.length < n) this.f32s.set(key, (a = new Float32Array(n)));
    return a.subarray(0, n);
  }
  f64(key: string, n: number): Float64Array {
    let a = this.f64s.get(key);
    if (!a || a.length < n) this.f64s.set(key, (a = new Float64Array(n)));
    return a.subarray(0, n);
  }
  i32(key: string, n: number): Int32Array {
    let a = this.i32s.get(key);
    if (!a || a.length < n) this.i32s.set(key, (a = new Int32Array(n)));
    return a.subarray(0, n);
  }
}

/** Mel-band groups (by centre frequency) used by the articulation cues. */
interface BandGroups {
  speech: number[];
  low: number[];
  mid: number[];
  f1: number[];
  f2: number[];
  high: number[];
  up: number[];
  above: number[];
}

function groupBands(centers: Float32Array): BandGroups {
  const sel = (lo: number, hi: number): number[] => {
    const out: number[] = [];
    centers.forEach((c, i) => {
      if (c >= lo && c < hi) out.push(i);
    });
    return out;
  };
  return { speech: sel(150, 4500), low: sel(0, 450), mid: sel(500, 2000), f1: sel(250, 1100), f2: sel(1100, 2800), high: sel(3500, 8000), up: sel(2000, 4000), above: sel(500, 4000) };
}

/** Sliding-window minimum (monotonic deque), half-width `half` samples. */
function slidingMin(x: Float32Array, half: number, out: Float32Array, ws: Workspace): void {
  const n = x.length;
  const dq = ws.i32('dq', n + 1);
  let head = 0;
  let tail = 0;
  let next = 0;
  for (let i = 0; i < n; i++) {
    const hi = Math.min(n - 1, i + half);
    while (next <= hi) {
      while (tail > head && x[dq[tail - 1]!]! >= x[next]!) tail--;
      dq[tail++] = next++;
    }
    while (dq[head]! < i - half) head++;
    out[i] = x[dq[head]!]!;
  }
}

/**
 * Sliding-window percentile, evaluated every 0.5 s (50 frames) on every 4th value of the window ±`half`
 * (the input is already smoothed over 50 ms, so neighbours are redundant) and linearly interpolated in
 * between. Cost O(n/50 · half/4 · log half).
 */
/** ln(10) / 10: converts decibels to the natural log of a power ratio. */
const DB_TO_LN_POWER = Math.LN10 / 10;

function slidingPercentile(x: Float32Array, half: number, q: number, out: Float32Array, ws: Workspace): void {
  const n = x.length;
  const step = 50;
  const stride = 4;
  const grid = ws.f64('pctGrid', Math.ceil((n + step) / step) + 1);
  let gn = 0;
  const buf = ws.f32('pctBuf', Math.ceil((2 * half + 1) / stride) + 1);
  for (let c = 0; c < n + step; c += step) {
    const cc = Math.min(n - 1, c);
    const a = Math.max(0, cc - half);
    const b = Math.min(n, cc + half + 1);
    let m = 0;
    for (let i = a; i < b; i += stride) buf[m++] = x[i]!;
    grid[gn++] = quickSelect(buf, m, Math.min(m - 1, Math.floor(q * (m - 1))));
  }
  for (let i = 0; i < n; i++) {
    const g = Math.floor(i / step);
    const f = (i - g * step) / step;
    out[i] = grid[g]! * (1 - f) + grid[Math.min(gn - 1, g + 1)]! * f;
  }
}

/**
 * k-th smallest of `a[0..m)` (Hoare's selection, in place, no allocation).
 * @returns the value that would be at index `k` after sorting.
 */
function quickSelect(a: Float32Array, m: number, k: number): number {
  let lo = 0;
  let hi = m - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}

/** Sliding-window maximum, half-width `half`. */
function slidingMax(x: Float32Array, half: number, out: Float32Array, ws: Workspace): void {
  const neg = ws.f32('neg', x.length);
  for (let i = 0; i < x.length; i++) neg[i] = -x[i]!;
  slidingMin(neg, half, out, ws);
  for (let i = 0; i < x.length; i++) out[i] = -out[i]!;
}

/** Centred moving average, half-width `half`. */
function movingAverage(x: Float32Array, half: number, out: Float32Array, ws: Workspace): void {
  const n = x.length;
  const cs = ws.f64('cs', n + 1);
  cs[0] = 0;
  for (let i = 0; i < n; i++) cs[i + 1] = cs[i]! + x[i]!;
  for (let i = 0; i < n; i++) {
    const a = Math.max(0, i - half);
    const b = Math.min(n, i + half + 1);
    out[i] = (cs[b]! - cs[a]!) / (b - a);
  }
}

function percentile(values: Float32Array, p: number): number {
  const arr = values.sort();
  if (arr.length === 0) return 0;
  const i = Math.min(arr.length - 1, Math.max(0, Math.round(p * (arr.length - 1))));
  return arr[i]!;
}

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));
const clamp01 = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : v);

/**
 * Viseme prototype rules: each viseme's score is a product of soft cue memberships.
 * @remarks Cues (all from the noise-subtracted spectrum): `closure` (lip closure evidence), `open`
 * (F1 centroid, 0 = close vowel, 1 = open vowel), `front` (F2 band dominance), `fric` (high-band
 * frication share), `voiced`. The table encodes standard articulatory phonetics (Ladefoged & Johnson,
 * "A Course in Phonetics", ch. 1–4): sibilants are strong high-frequency frication, back rounded vowels
 * have low F2, front vowels high F2, open vowels high F1. It is documented for tuning, not learned.
 */
export const VISEME_RULES = Object.freeze({
  description: 'score(viseme) = product of cue memberships; see speechAnalysis.ts visemeScores()',
});

/**
 * Creates a streaming speech analyzer.
 * @param sampleRateHz - input rate in Hz (8000..192000; 16000 recommended).
 * @param tuning - optional overrides of {@link DEFAULT_SPEECH_TUNING}.
 * @param opts - {@link SpeechAnalyzerOptions}: `keepClassFeatures`, `prototypes`.
 * @returns the analyzer. Memory is bounded: features are kept for at most one block plus context
 *   (40 s); outputs are ~20 floats per 10 ms frame (≈ 8 KB per second of audio).
 * @throws RangeError for an unsupported sample rate.
 */
export function createSpeechAnalyzer(sampleRateHz: number, tuning: Partial<SpeechTuning> = {}, opts: SpeechAnalyzerOptions = {}): SpeechAnalyzer {
  const protos = opts.prototypes ?? PHONE_CLASS_PROTOTYPES;
  const tune: SpeechTuning = { ...DEFAULT_SPEECH_TUNING, ...tuning };
  const rows = new FeatureRows();
  let sampleCount = 0;
  // Outputs (10 ms rows), accumulated block by block.
  const outAct = new F32();
  const outMusic = new F32();
  const outLoud = new F32();
  const outJaw = new F32();
  const outClose = new F32();
  const outPitch = new F32();
  const outVis = new F32();
  const outPost = new F32();
  const outFeat = new F32();
  const accents: Array<{ timeSec: number; prominence: number }> = [];
  const noiseFloors: number[] = [];
  let nextBlock = 0;
  const ws = new Workspace();
  const B = ANALYSIS_BLOCK_FRAMES;
  const CTX = ANALYSIS_CONTEXT_FRAMES;

  function analyzeBlock(block: number, totalFrames: number): void {
    const core0 = block * B;
    const core1 = Math.min(totalFrames, core0 + B);
    const w0 = Math.max(0, core0 - CTX);
    const w1 = Math.min(totalFrames, core1 + CTX);
    const a = rows.analyze(w0, w1, tune, protos, ws);
    const off = core0 - w0;
    const cnt = core1 - core0;
    const copy = (dst: F32, src: Float32Array, stride: number): void => {
      for (let i = off * stride; i < (off + cnt) * stride; i++) dst.push(src[i]!);
    };
    copy(outAct, a.activity, 1);
    copy(outMusic, a.musicLikelihood, 1);
    copy(outLoud, a.loudness, 1);
    copy(outJaw, a.jawOpen, 1);
    copy(outClose, a.lipClosure, 1);
    copy(outPitch, a.pitchHz, 1);
    copy(outVis, a.visemes, 15);
    copy(outPost, a.classPosteriors, PHONE_CLASS_NAMES.length);
    if (opts.keepClassFeatures) copy(outFeat, a.classFeatures, CLASS_FEATURE_DIM);
    const t0 = core0 * FEATURE_HOP_SEC - 1e-9;
    const t1 = core1 * FEATURE_HOP_SEC - 1e-9;
    for (const acc of a.accents) {
      const t = acc.timeSec + w0 * FEATURE_HOP_SEC;
      if (t >= t0 && t < t1 && (accents.length === 0 || t - accents[accents.length - 1]!.timeSec > 0.35)) accents.push({ timeSec: Math.round(t * 1e6) / 1e6, prominence: acc.prominence });
    }
    noiseFloors.push(a.noiseFloorDb);
    // Keep only what the next block's window needs.
    const keepFrom = Math.max(0, core1 - CTX);
    rows.dropBefore(keepFrom);
  }

  const ex = createFeatureExtractor(sampleRateHz, (f: FeatureFrame) => {
    rows.push(f);
    // A block is analysed once its context after it has arrived.
    while (rows.end >= (nextBlock + 1) * B + CTX) analyzeBlock(nextBlock++, Infinity);
  });
  return {
    get sampleCount() {
      return sampleCount;
    },
    push(samples) {
      sampleCount += samples.length;
      ex.push(samples);
    },
    finish() {
      ex.finish();
      const n = rows.end;
      while (nextBlock * B < n) analyzeBlock(nextBlock++, n);
      const sorted = noiseFloors.slice().sort((x, y) => x - y);
      return {
        hopSec: FEATURE_HOP_SEC,
        frameCount: n,
        activity: outAct.view(),
        musicLikelihood: outMusic.view(),
        loudness: outLoud.view(),
        jawOpen: outJaw.view(),
        lipClosure: outClose.view(),
        visemes: outVis.view(),
        pitchHz: outPitch.view(),
        accents,
        noiseFloorDb: sorted.length ? sorted[sorted.length >> 1]! : ENERGY_FLOOR_DB,
        classFeatures: outFeat.view(),
        classPosteriors: outPost.view(),
      };
    },
  };
}

/**
 * Analyses a whole signal at once (same result as streaming it through {@link createSpeechAnalyzer}).
 * @param samples - mono samples in [-1, 1].
 * @param sampleRateHz - their rate in Hz.
 * @param tuning - optional overrides of {@link DEFAULT_SPEECH_TUNING}.
 * @param opts - {@link SpeechAnalyzerOptions}: `keepClassFeatures`, `prototypes`.
 * @returns the {@link SpeechAnalysis}.
 */
export function analyzeSpeech(samples: Float32Array, sampleRateHz: number, tuning: Partial<SpeechTuning> = {}, opts: SpeechAnalyzerOptions = {}): SpeechAnalysis {
  const a = createSpeechAnalyzer(sampleRateHz, tuning, opts);
  a.push(samples);
  return a.finish();
}

/**
 * Nasal murmur after a vowel, with hold: a soft detector (0..1 per frame) of the closed-lip hum of
 * "um"/"hmm" and of syllable-final nasals.
 * @param lowDb - level below 450 Hz per frame (dB, spectral floor applied).
 * @param aboveDb - level 500–4000 Hz per frame (dB, spectral floor applied).
 * @param dominanceDb - low-frequency dominance relative to the speaker reference per frame (dB).
 * @param fluxDb - spectral flux per frame (dB).
 * @param voicing - NCCF voicing per frame (0..1).
 * @param out - receives the murmur evidence per frame, [0, 1].
 * @param ws - scratch storage.
 * @remarks Onset (Kurowski & Blumstein 1987): voiced, dominance ≥ {@link MURMUR_ONSET_DOMINANCE_DB},
 * the 0.5–4 kHz level {@link MURMUR_ONSET_DROP_DB} below its maximum of the previous 30–230 ms (the
 * vowel) while the < 450 Hz level holds (within {@link MURMUR_LOW_HOLD_DB}; a stop closure drops
 * everything). Hold (hysteresis, like a Schmitt trigger): the murmur lasts while the frame stays
 * (softly) voiced, {@link MURMUR_HOLD_DOMINANCE_DB} more low-dominant than that vowel and steady
 * (flux < {@link MURMUR_MAX_FLUX_DB}); `m[t] = max(onset[t], min(m[t−1], stay[t]))`. One pass, O(n).
 */
function detectNasalMurmur(lowDb: Float32Array, aboveDb: Float32Array, dominanceDb: Float32Array, fluxDb: Float32Array, voicing: Float32Array, out: Float32Array, ws: Workspace): void {
  const n = lowDb.length;
  const H = MURMUR_LOOKBACK_HALF_FRAMES;
  const aboveMax = ws.f32('mAboveMax', n);
  const lowMax = ws.f32('mLowMax', n);
  const domMin = ws.f32('mDomMin', n);
  const neg = ws.f32('mDomNeg', n);
  slidingMax(aboveDb, H, aboveMax, ws);
  slidingMax(lowDb, H, lowMax, ws);
  for (let t = 0; t < n; t++) neg[t] = -dominanceDb[t]!;
  slidingMax(neg, H, domMin, ws);
  let m = 0;
  let vowelDominance = 0;
  for (let t = 0; t < n; t++) {
    // Statistics of the window t−2H−3 … t−3 (centred sliding windows read H+3 frames back).
    const tp = t - H - 3 > 0 ? t - H - 3 : 0;
    const isVoiced = voicing[t]! > 0.5 ? 1 : 0;
    const drop = aboveMax[tp]! - aboveDb[t]!;
    const lowChange = lowDb[t]! - lowMax[tp]!;
    const onset = isVoiced * sigmoid((dominanceDb[t]! - MURMUR_ONSET_DOMINANCE_DB) / 2) * sigmoid((drop - MURMUR_ONSET_DROP_DB) / 2) * sigmoid((lowChange + MURMUR_LOW_HOLD_DB) / 2);
    const softVoiced = clamp01((voicing[t]! - 0.3) / 0.2);
    const stay = softVoiced * sigmoid((dominanceDb[t]! - vowelDominance - MURMUR_HOLD_DOMINANCE_DB) / 2) * sigmoid((MURMUR_MAX_FLUX_DB - fluxDb[t]!) / 0.75);
    const held = Math.min(m, stay);
    if (onset >= held) {
      m = onset;
      vowelDominance = -domMin[tp]!;
    } else m = held;
    out[t] = m;
  }
}

/**
 * The speaker's median fundamental frequency over the loud voiced frames of the analysis window.
 * @param pitchHz - pitch per 10 ms frame, Hz (0 where unvoiced or untracked; the tracker covers 60–400 Hz, features.ts).
 * @param voicing - NCCF voicing per frame, [0, 1].
 * @param loud - speech loudness per frame, [0, 1].
 * @param ws - scratch storage.
 * @returns the median pitch of the frames with voicing > 0.5, loudness > 0.5 and a pitch, Hz; 0 when fewer than
 *   {@link SPEAKER_F0_MIN_FRAMES} such frames exist (no estimate).
 * @remarks A median is robust to the tracker's octave errors on a minority of frames. A voice above the tracker's
 * 400 Hz ceiling is untracked there (pitch 0), so a very high voice reads lower than it is: the estimate errs toward
 * keeping more of the low band, i.e. toward the behaviour without it.
 */
function speakerMedianF0(pitchHz: Float32Array, voicing: Float32Array, loud: Float32Array, ws: Workspace): number {
  const n = pitchHz.length;
  const buf = ws.f32('speakerF0', n);
  let count = 0;
  for (let t = 0; t < n; t++) if (voicing[t]! > 0.5 && loud[t]! > 0.5 && pitchHz[t]! > 0) buf[count++] = pitchHz[t]!;
  return count >= SPEAKER_F0_MIN_FRAMES ? percentile(buf.subarray(0, count), 0.5) : 0;
}

/**
 * The low bands that can hold the speaker's nasal murmur: those of `low` centred at or above
 * {@link MURMUR_LOW_BAND_F0_RATIO} × the speaker's median F0.
 * @param low - indices of the < 450 Hz mel bands, ascending.
 * @param centers - mel band centres, Hz.
 * @param speakerF0Hz - the speaker's median F0 ({@link speakerMedianF0}), Hz; 0 = unknown (all of `low` is kept).
 * @returns the kept indices, ascending; never empty when `low` is not (the highest low band is always kept).
 */
function murmurLowBands(low: number[], centers: Float32Array, speakerF0Hz: number): number[] {
  const minHz = MURMUR_LOW_BAND_F0_RATIO * speakerF0Hz;
  const kept = low.filter((b) => centers[b]! >= minHz);
  return kept.length > 0 || low.length === 0 ? kept : [low[low.length - 1]!];
}

/**
 * Whether a level dip is bounded by speech on both sides, as an oral stop closure is (soft, per frame).
 * @param levelDb - speech level per 10 ms frame, dB (the caller passes its 50 ms energy mean).
 * @param speechDb - level that counts as speech, dB (the zero of the loudness scale: reference − LOUDNESS_RANGE_DB).
 * @param half - frames searched on each side ({@link STOP_VALLEY_HALF_FRAMES}).
 * @param out - receives, per frame, `sigmoid((min(max(level[t−half … t−1]), max(level[t+1 … t+half])) − speechDb) / 2)`
 *   in [0, 1]. A side whose window runs past either end of the signal is not judged (the newest frames of a live
 *   window: the sound after them is not there yet; the first frames of a file: a word may start with its closure), so
 *   only the other side counts there, and 1 where neither fits.
 * @remarks An oral stop closure is a valley in the level contour, vowel – closure – vowel (VCV): the lips seal and
 * open again within 50–100 ms (Lisker 1957; Umeda 1977; Crystal & House 1988), so speech lies close on BOTH sides
 * (a fricative side counts: /sp/, /mp/). The edge of a pause or of an utterance is a step, speech on one side only:
 * there real speakers open the lips before the voice starts (mouth opening leads voice onset by 100–300 ms:
 * Chandrasekaran et al. 2009, PLoS Comput Biol 5) and hold them apart at the speech-ready posture of inter-speech
 * pauses (Gick et al. 2004, Phonetica 61; Ramanarayanan et al. 2013, JASA 134). The TF.js tracker shows it on the real
 * clips (scripts/evalAudioLips.ts; vid01: lips 0.06–0.19 eye-corner distances apart in the 120 ms before each
 * utterance, where the one-sided dip rule sealed them). O(n · half).
 */
function valleyBounds(levelDb: Float32Array, speechDb: number, half: number, out: Float32Array): void {
  const n = levelDb.length;
  for (let t = 0; t < n; t++) {
    let side = Infinity;
    if (t - half >= 0) {
      let past = -Infinity;
      for (let k = t - half; k < t; k++) if (levelDb[k]! > past) past = levelDb[k]!;
      side = past;
    }
    if (t + half < n) {
      let future = -Infinity;
      for (let k = t + 1; k <= t + half; k++) if (levelDb[k]! > future) future = levelDb[k]!;
      if (future < side) side = future;
    }
    out[t] = side === Infinity ? 1 : sigmoid((side - speechDb) / 2);
  }
}

/**
 * Stop-closure evidence: level dips long enough to be oral closures, judged by their release.
 * @param dipLevel - per 10 ms frame, [0, 1]: how far the speech level lies below its ±80 ms maximum (sigmoid of the
 *   dip around 12 dB).
 * @param fricNow - per frame, [0, 1]: high-band (3.5–8 kHz) dominance over the low and mid bands.
 * @param out - receives the stop-closure evidence per frame, [0, 1]; same length as the inputs.
 * @remarks Per frame the evidence is `dip · (1 − fric) · (1 − release)`, release = the strongest high-band dominance in
 * the next {@link RELEASE_LOOKAHEAD_FRAMES} frames: a high-frequency dominant release (diffuse-rising: alveolar, or a
 * following sibilant) is not labial (Stevens & Blumstein 1978, JASA 64; Blumstein & Stevens 1979, JASA 66). Only the
 * last 40 ms before such a release are taken away, so the lip closure of a heterorganic cluster (/mt/, /pt/: lips
 * first, tongue after) keeps its earlier frames. A run of frames with `dip > 0.5` shorter than
 * {@link STOP_CLOSURE_MIN_FRAMES} is no stop closure (oral closures last 50–100 ms; shorter dips are level
 * fluctuations inside vowels and sonorants) and gets no evidence; frames outside runs keep their soft (≤ 0.5) value;
 * a run that reaches the last frame (live analysis: it may still grow) is not judged and keeps its evidence.
 * Tried and not used: requiring a silent interval (the 0.5–4 kHz band down to the noise estimate, only a voice bar
 * left; Stevens 1998, "Acoustic Phonetics", ch. 7) removed more false closures offline (gt01+gt02 non-bilabial closed
 * frames 349 instead of 357) but the past-only noise floor of the live analysis flips it run by run (live vs offline
 * mouthClose r 0.92 → 0.84). What is used instead (after this function, s17): a near-silent interval relative to the
 * speech reference level, not the noise floor ({@link STOP_SILENCE_BELOW_REF_DB} within ±{@link STOP_SILENCE_HALF_FRAMES}
 * frames). The edges of pauses and utterances (a dip with speech on one side only) are
 * taken out before this by the dip's valley test (valleyBounds). Not separated: velar (compact) releases and short
 * pauses inside speech: at 26 mel bands and a 10 ms hop neither burst compactness, spectral tilt, the onset jump nor
 * the F2 transition after the release split them from bilabial closures on the aligned recordings. O(n · RELEASE_LOOKAHEAD_FRAMES).
 */
function findStopClosures(dipLevel: Float32Array, fricNow: Float32Array, out: Float32Array): void {
  const n = dipLevel.length;
  for (let k = 0; k < n; k++) {
    let release = 0;
    for (let j = k + 1; j <= Math.min(n - 1, k + RELEASE_LOOKAHEAD_FRAMES); j++) release = Math.max(release, fricNow[j]!);
    out[k] = dipLevel[k]! * (1 - fricNow[k]!) * (1 - release);
  }
  for (let t = 0; t < n; ) {
    if (!(dipLevel[t]! > 0.5)) {
      t++;
      continue;
    }
    let e = t;
    while (e < n && dipLevel[e]! > 0.5) e++;
    if (e < n && e - t < STOP_CLOSURE_MIN_FRAMES) for (let k = t; k < e; k++) out[k] = 0;
    t = e;
  }
}

function analyzeFromFeatures(energyDb: Float32Array, voicing: Float32Array, pitchHz: Float32Array, bandsDb: Float32Array[], partials: Float32Array, centers: Float32Array, tune: SpeechTuning, protos: PhoneClassPrototypes, ws: Workspace): SpeechAnalysis {
  const n = energyDb.length;
  const hop = FEATURE_HOP_SEC;
  const G = groupBands(centers);
  const B = bandsDb.length;

  // 1. Per-band noise floor (minimum statistics) and denoised band powers (linear).
  const noiseLin: Float32Array[] = [];
  const cleanLin: Float32Array[] = [];
  const powLin: Float32Array[] = [];
  const sm = ws.f32('sm', n);
  const mn = ws.f32('mn', n);
  const half = Math.round(tune.noiseWindowSec / hop);
  for (let b = 0; b < B; b++) {
    movingAverage(bandsDb[b]!, 2, sm, ws);
    if (tune.noisePercentile > 0) slidingPercentile(sm, half, tune.noisePercentile, mn, ws);
    else slidingMin(sm, half, mn, ws);
    movingAverage(mn, 25, sm, ws);
    const nl = ws.f32('nl' + b, n);
    const cl = ws.f32('cl' + b, n);
    const pl = ws.f32('pl' + b, n);
    for (let t = 0; t < n; t++) {
      // 10^(dB/10) as exp(dB · ln10/10): the same value to float precision, several times faster than Math.pow in V8.
      const noise = Math.exp((sm[t]! + tune.noiseBiasDb) * DB_TO_LN_POWER);
      const p = Math.exp(bandsDb[b]![t]! * DB_TO_LN_POWER);
      pl[t] = p;
      nl[t] = noise;
      cl[t] = Math.max(0, p - tune.overSubtraction * noise);
    }
    noiseLin.push(nl);
    cleanLin.push(cl);
    powLin.push(pl);
  }
  const sumLin = (arrs: Float32Array[], idx: number[], t: number): number => {
    let s = 0;
    for (const b of idx) s += arrs[b]![t]!;
    return s;
  };
  const toDb = (v: number): number => 10 * Math.log10(v + 1e-12);

  // 2. Speech level, SNR and voice activity.
  const levelDb = ws.f32('levelDb', n);
  const snrDb = ws.f32('snrDb', n);
  const noiseDb = ws.f32('noiseDb', n);
  for (let t = 0; t < n; t++) {
    const nz = sumLin(noiseLin, G.speech, t);
    const cl = sumLin(cleanLin, G.speech, t);
    levelDb[t] = toDb(cl);
    noiseDb[t] = toDb(nz);
    const raw = sumLin(powLin, G.speech, t);
    snrDb[t] = toDb(raw) - toDb(nz);
  }
  const snrSm = ws.f32('snrSm', n);
  movingAverage(snrDb, 2, snrSm, ws);
  snrDb.set(snrSm);
  const rawAct = ws.f32('rawAct', n);
  for (let t = 0; t < n; t++) {
    const gate = energyDb[t]! > SPEECH_GATE_DBFS && energyDb[t]! > ENERGY_FLOOR_DB + 1 ? 1 : 0;
    rawAct[t] = gate * sigmoid((snrDb[t]! - tune.vadSnrDb) / 1.5);
  }
  // Hangover: activity holds for 120 ms around confident speech; a 30 ms median-like smoothing.
  const act = ws.f32('act', n);
  const tmp = ws.f32('tmp', n);
  movingAverage(rawAct, 2, tmp, ws);
  slidingMax(tmp, 12, act, ws);

  // 3. Reference level: 95th percentile of the speech level over active frames (global, robust);
  // frames far below it are silence whatever their SNR (near-digital-silence floors).
  const activeBuf = ws.f32('activeLevels', n);
  let activeCount = 0;
  for (let t = 0; t < n; t++) if (rawAct[t]! > 0.5) activeBuf[activeCount++] = levelDb[t]!;
  const refDb = activeCount > 10 ? percentile(activeBuf.subarray(0, activeCount), 0.95) : -30;
  for (let t = 0; t < n; t++) rawAct[t] = rawAct[t]! * sigmoid((levelDb[t]! - (refDb - tune.relativeGateDb)) / 2);
  movingAverage(rawAct, 2, tmp, ws);
  slidingMax(tmp, 12, act, ws);
  // Music (steady partials, musicLikelihood.ts): an instrumental soundtrack is not speech, whatever its SNR.
  const music = ws.f32('music', n);
  musicLikelihood(partials, n, hop, music);
  for (let t = 0; t < n; t++) act[t] = act[t]! * (1 - music[t]!);
  const loud = ws.f32('loud', n);
  for (let t = 0; t < n; t++) loud[t] = act[t]! * clamp01((levelDb[t]! - (refDb - tune.loudnessRangeDb)) / tune.loudnessRangeDb);

  // 4. Articulation cues.
  const localMax = ws.f32('localMax', n);
  slidingMax(levelDb, 8, localMax, ws);
  // Broad phone classes (Gaussian prototypes over CMN cepstra + level/dip/voicing).
  const D = CLASS_FEATURE_DIM;
  const NC = PHONE_CLASS_NAMES.length;
  const dctM = cepstralMatrix(B);
  const feats = ws.f32('feats', n * D);
  const cmn = ws.f64('cmn', CLASS_CEPSTRA).fill(0);
  let cmnCount = 0;
  for (let t = 0; t < n; t++) {
    for (let k = 0; k < CLASS_CEPSTRA; k++) {
      let v = 0;
      for (let b = 0; b < B; b++) v += dctM[k * B + b]! * (bandsDb[b]![t]! / 4.342944819);
      feats[t * D + k] = v;
      if (act[t]! > 0.5) cmn[k] = cmn[k]! + v;
    }
    if (act[t]! > 0.5) cmnCount++;
    feats[t * D + CLASS_CEPSTRA] = Math.max(-6, (levelDb[t]! - refDb) / 10);
    feats[t * D + CLASS_CEPSTRA + 1] = Math.min(6, (localMax[t]! - levelDb[t]!) / 10);
    feats[t * D + CLASS_CEPSTRA + 2] = voicing[t]!;
  }
  for (let k = 0; k < CLASS_CEPSTRA; k++) cmn[k] = cmnCount > 0 ? cmn[k]! / cmnCount : 0;
  const post = ws.f32('post', n * NC);
  const pbuf = ws.f64('pbuf', NC).fill(0);
  for (let t = 0; t < n; t++) {
    for (let k = 0; k < CLASS_CEPSTRA; k++) feats[t * D + k] = feats[t * D + k]! - cmn[k]!;
    classPosteriors(feats.subarray(t * D, t * D + D), pbuf, protos);
    for (let c = 0; c < NC; c++) post[t * NC + c] = pbuf[c]!;
  }
  // Nasal murmur (see detectNasalMurmur): band levels with a spectral floor, their low-frequency
  // dominance relative to the speaker's voiced spectrum, and the spectral flux.
  const lowF = ws.f32('lowF', n);
  const aboveF = ws.f32('aboveF', n);
  const domF = ws.f32('domF', n);
  const midF = ws.f32('midF', n);
  const highF = ws.f32('highF', n);
  // Level of a band group (indices ascending by centre frequency, so contiguous) with the spectral floor.
  const floored = (idx: number[], t: number): number => {
    let c = 0;
    let z = 0;
    for (let i = 0; i < idx.length; i++) {
      const b = idx[i]!;
      c += cleanLin[b]![t]!;
      z += noiseLin[b]![t]!;
    }
    return toDb(c > MURMUR_SPECTRAL_FLOOR * z ? c : MURMUR_SPECTRAL_FLOOR * z);
  };
  // The murmur's low band holds the speaker's voice only: bands centred below MURMUR_LOW_BAND_F0_RATIO × the speaker's
  // median F0 are left out (murmurLowBands).
  const murmurLow = murmurLowBands(G.low, centers, speakerMedianF0(pitchHz, voicing, loud, ws));
  const lowAllF = ws.f32('lowAllF', n);
  for (let t = 0; t < n; t++) {
    const lo = floored(murmurLow, t);
    const md = floored(G.mid, t);
    lowF[t] = lo;
    lowAllF[t] = murmurLow.length === G.low.length ? lo : floored(G.low, t);
    midF[t] = md;
    highF[t] = floored(G.high, t);
    aboveF[t] = floored(G.above, t);
    domF[t] = lo - Math.max(md, floored(G.up, t));
  }
  // Speaker/channel reference: the median dominance of loud voiced frames (mostly vowels), floored at
  // 0 dB — a channel that boosts the lows (close microphone) raises the murmur threshold, one that
  // thins them keeps the absolute threshold.
  const domBuf = ws.f32('domBuf', n);
  let domCount = 0;
  for (let t = 0; t < n; t++) if (loud[t]! > 0.5 && voicing[t]! > 0.5) domBuf[domCount++] = domF[t]!;
  const domRef = domCount >= 20 ? Math.max(0, percentile(domBuf.subarray(0, domCount), 0.5)) : 0;
  for (let t = 0; t < n; t++) domF[t] = domF[t]! - domRef;
  const flux = ws.f32('flux', n);
  const fluxBands = ws.i32('fluxBands', B);
  let fluxBandCount = 0;
  for (let b = 0; b < B; b++) if (centers[b]! < 4000) fluxBands[fluxBandCount++] = b;
  for (let t = 0; t < n; t++) {
    let acc = 0;
    const tp = t >= 2 ? t - 2 : 0;
    for (let i = 0; i < fluxBandCount; i++) {
      const band = bandsDb[fluxBands[i]!]!;
      acc += Math.abs(band[t]! - band[tp]!);
    }
    flux[t] = acc / Math.max(1, fluxBandCount);
  }
  const murmur = ws.f32('murmur', n);
  detectNasalMurmur(lowF, aboveF, domF, flux, voicing, murmur, ws);
  // Vowel openness from the F1-region centroid, normalised to the speaker (Lobanov 1971 z-scores)
  // with the statistics shrunk toward a population prior (see F1_PRIOR_MEAN_HZ).
  const f1c = ws.f32('f1c', n);
  let f1Sum = 0;
  let f1Sq = 0;
  let f1Count = 0;
  for (let t = 0; t < n; t++) {
    let num = 0;
    let den = 0;
    for (const b of G.f1) {
      const p = cleanLin[b]![t]!;
      num += p * centers[b]!;
      den += p;
    }
    const f = den > 0 ? num / den : 0;
    f1c[t] = f;
    if (f > 0 && loud[t]! > 0.5 && voicing[t]! > 0.5) {
      f1Sum += f;
      f1Sq += f * f;
      f1Count++;
    }
  }
  const f1MeanRaw = f1Count > 0 ? f1Sum / f1Count : F1_PRIOR_MEAN_HZ;
  const f1VarRaw = f1Count > 0 ? Math.max(0, f1Sq / f1Count - f1MeanRaw * f1MeanRaw) : F1_PRIOR_SD_HZ ** 2;
  const f1Mean = (f1Count * f1MeanRaw + F1_PRIOR_WEIGHT_FRAMES * F1_PRIOR_MEAN_HZ) / (f1Count + F1_PRIOR_WEIGHT_FRAMES);
  const f1Sd = Math.max(F1_MIN_SD_HZ, Math.sqrt((f1Count * f1VarRaw + F1_PRIOR_WEIGHT_FRAMES * F1_PRIOR_SD_HZ ** 2) / (f1Count + F1_PRIOR_WEIGHT_FRAMES)));
  // Release-burst place cue: frication (high band over the low/mid bands) in the 40 ms after a stop closure.
  // Alveolar releases are diffuse-rising (high-frequency dominant), labial releases diffuse-flat/falling (Stevens &
  // Blumstein 1978, JASA 64), so a stop closure followed by a high-dominant release is not read as a lip closure.
  const fricNow = ws.f32('fricNow', n);
  for (let t = 0; t < n; t++) fricNow[t] = sigmoid((highF[t]! - Math.max(lowAllF[t]!, midF[t]!) + 3) / 3);
  const dipLevel = ws.f32('dipLevel', n);
  const bounded = ws.f32('bounded', n);
  // Side levels are 50 ms energy means (a segment, not a 20 ms click or lip smack, bounds a closure).
  const segPow = ws.f32('segPow', n);
  const segDb = ws.f32('segDb', n);
  for (let t = 0; t < n; t++) segPow[t] = Math.exp(levelDb[t]! * DB_TO_LN_POWER);
  movingAverage(segPow, 2, segDb, ws);
  for (let t = 0; t < n; t++) segDb[t] = toDb(segDb[t]!);
  valleyBounds(segDb, refDb - tune.loudnessRangeDb, STOP_VALLEY_HALF_FRAMES, bounded);
  for (let t = 0; t < n; t++) dipLevel[t] = sigmoid((localMax[t]! - levelDb[t]! - 12) / 2.5) * bounded[t]!;
  const stopClosure = ws.f32('stopClosure', n);
  findStopClosures(dipLevel, fricNow, stopClosure);
  // A stop closure has a near-silent interval (STOP_SILENCE_BELOW_REF_DB under the reference) within ±40 ms.
  const nearMin = ws.f32('nearMin', n);
  slidingMin(levelDb, STOP_SILENCE_HALF_FRAMES, nearMin, ws);
  for (let t = 0; t < n; t++) stopClosure[t] = stopClosure[t]! * sigmoid((refDb - STOP_SILENCE_BELOW_REF_DB - nearMin[t]!) / 2);
  // The high-frequency (alveolar) release ahead of each frame, as findStopClosures reads it, also vetoes the broad-class
  // bilabial posterior: a silent closure read as "bilabial" by the prototypes is as place-blind as the level dip.
  const releaseAhead = ws.f32('releaseAhead', n);
  for (let k = 0; k < n; k++) {
    let release = 0;
    for (let j = k + 1; j <= Math.min(n - 1, k + RELEASE_LOOKAHEAD_FRAMES); j++) release = Math.max(release, fricNow[j]!);
    releaseAhead[k] = release;
  }
  const jaw = ws.f32('jaw', n);
  const closure = ws.f32('closure', n);
  const vis = ws.f32('vis', n * V);
  const s = ws.f64('s', V).fill(0);
  for (let t = 0; t < n; t++) {
    const mid = toDb(sumLin(cleanLin, G.mid, t));
    const f2 = toDb(sumLin(cleanLin, G.f2, t));
    // Openness 0..1: speaker z-score of the F1 centroid over ±OPENNESS_Z_RANGE.
    const f1Hz = f1c[t]!;
    const open = f1Hz > 0 ? clamp01(((f1Hz - f1Mean) / f1Sd + OPENNESS_Z_RANGE) / (2 * OPENNESS_Z_RANGE)) : 0;
    const a = act[t]!;
    const l = loud[t]!;
    const isVoiced = voicing[t]! > 0.5 ? 1 : 0;
    // Nasal murmur: a low-dominant voiced spectrum (≥ MURMUR_DOMINANCE_DB above the speaker's
    // typical voiced frame), or a murmur that follows a vowel (detectNasalMurmur).
    // Both fade out near the vowels' level (NASAL_MAX_LEVEL_BELOW_REF_DB): a murmur is weak.
    const nasal = Math.max(isVoiced * sigmoid((domF[t]! - MURMUR_DOMINANCE_DB) / 2.5), murmur[t]!) * sigmoid(refDb - NASAL_MAX_LEVEL_BELOW_REF_DB - levelDb[t]!);
    // Frication on floored levels: where subtraction empties the low bands (a stop closure near the
    // noise floor) the raw difference would read as strong frication and mask the closure dip.
    const fric = fricNow[t]!;
    const front = sigmoid((f2 - mid + 4) / 3);
    const pBilabial = post[t * NC + 1]!;
    const proto = clamp01((pBilabial - tune.bilabialPosteriorLo) / (tune.bilabialPosteriorHi - tune.bilabialPosteriorLo)) * (1 - releaseAhead[t]!);
    // Murmurs are quiet: closure evidence counts in voiced frames MURMUR_SNR_DB above the noise even
    // where the activity (VAD_SNR_DB) is still low.
    const gate = Math.max(a, isVoiced * sigmoid((snrDb[t]! - MURMUR_SNR_DB) / 1.5));
    const close = gate * clamp01(Math.max(nasal, stopClosure[t]!, proto));
    closure[t] = close;
    jaw[t] = l * (0.35 + 0.65 * open) * (1 - close);
    // Viseme scores.
    s.fill(0);
    s[VI.sil] = 1 - a;
    const sp = a;
    s[VI.PP] = sp * close;
    const rest = sp * (1 - close);
    s[VI.SS] = rest * fric * (1 - isVoiced * 0.5);
    s[VI.CH] = rest * fric * 0.3;
    s[VI.FF] = rest * (1 - fric) * (1 - isVoiced) * 0.5;
    const vowel = rest * (1 - fric) * isVoiced;
    s[VI.aa] = vowel * open;
    s[VI.E] = vowel * (1 - open) * front * 0.8;
    s[VI.ih] = vowel * (1 - open) * front * 0.4;
    s[VI.oh] = vowel * (1 - front) * open * 0.5;
    s[VI.ou] = vowel * (1 - front) * (1 - open);
    s[VI.nn] = rest * (1 - fric) * 0.15;
    s[VI.DD] = rest * (1 - fric) * (1 - isVoiced) * 0.3;
    s[VI.kk] = rest * (1 - fric) * (1 - isVoiced) * 0.2;
    let tot = 0;
    for (let k = 0; k < V; k++) tot += s[k]!;
    for (let k = 0; k < V; k++) vis[t * V + k] = tot > 0 ? s[k]! / tot : k === 0 ? 1 : 0;
  }

  // 5. Accents: local maxima of smoothed loudness (±150 ms), prominence vs the ±1 s mean.
  const sl = ws.f32('sl', n);
  movingAverage(loud, 4, sl, ws);
  const mean1 = ws.f32('mean1', n);
  movingAverage(sl, 100, mean1, ws);
  const mx = ws.f32('mx', n);
  slidingMax(sl, 15, mx, ws);
  const accents: Array<{ timeSec: number; prominence: number }> = [];
  let lastT = -1e9;
  for (let t = 0; t < n; t++) {
    if (sl[t]! === mx[t]! && sl[t]! > 0.45 && voicing[t]! > 0.5) {
      const prom = clamp01((sl[t]! - mean1[t]!) * 2.5 + (pitchHz[t]! > 0 ? 0.1 : 0));
      if (prom > 0.2 && t * hop - lastT > 0.35) {
        accents.push({ timeSec: t * hop, prominence: prom });
        lastT = t * hop;
      }
    }
  }
  const noiseFloorDb = n > 0 ? percentile(noiseDb, 0.5) : ENERGY_FLOOR_DB;
  return { hopSec: hop, frameCount: n, activity: act, musicLikelihood: music, loudness: loud, jawOpen: jaw, lipClosure: closure, visemes: vis, pitchHz, accents, noiseFloorDb, classFeatures: feats, classPosteriors: post };
}


/** A low-latency speech analyzer for live input: features kept over a sliding window, analysed on demand. */
export interface LiveSpeechAnalyzer {
  /** Feeds mono samples in [-1, 1] at the analyzer's rate. */
  push(samples: Float32Array): void;
  /**
   * Analyses the last `windowSec` of features with the same maths as the offline analysis.
   * @returns the window's analysis (10 ms rows; row k is centred at `(startFrameIndex + k) × hopSec` of the
   *   stream) or null before the first feature frame. Arrays are reused by the next call: copy what you keep.
   */
  analyzeWindow(): (SpeechAnalysis & { startFrameIndex: number }) | null;
  /** Feature frames produced so far (the newest is centred at `(frameCount − 1) × 0.01` s of the stream). */
  readonly frameCount: number;
  /** Samples pushed so far. */
  readonly sampleCount: number;
}

/**
 * Creates a live (sliding-window) speech analyzer: the offline analysis ({@link analyzeSpeech}) run on the last
 * `windowSec` of 10 ms feature rows, so a caller can read the analysis of the newest audio at any time.
 * @param sampleRateHz - input rate in Hz (8000..192000).
 * @param windowSec - analysis window in seconds, [1, 30]; longer windows give steadier noise floors and speaker
 *   normalisation (the offline analysis uses NOISE_WINDOW_SEC = 4 s windows for its noise floor), shorter ones cost
 *   less per call (cost is linear in the window).
 * @param tuning - optional overrides of {@link DEFAULT_SPEECH_TUNING}.
 * @returns the analyzer; memory is bounded by the window (26 bands + 3 curves × windowSec × 100 floats).
 * @throws RangeError for an unsupported sample rate or window.
 * @remarks The maths is exactly the offline one (same function on the same feature rows); only the context
 *   differs: the offline analysis sees 5 s of future context, the live one none beyond the window's end. The
 *   newest rows therefore lack the backward (anticipatory) smoothing context; callers read a few rows before
 *   the end (a look-ahead) to trade latency for coarticulation.
 */
export function createLiveSpeechAnalyzer(sampleRateHz: number, windowSec = 4, tuning: Partial<SpeechTuning> = {}): LiveSpeechAnalyzer {
  if (!(windowSec >= 1 && windowSec <= 30)) throw new RangeError(`Live analysis window ${windowSec} s is outside 1..30 s`);
  const tune: SpeechTuning = { ...DEFAULT_SPEECH_TUNING, ...tuning };
  const W = Math.round(windowSec / FEATURE_HOP_SEC);
  const rows = new FeatureRows();
  let sampleCount = 0;
  const ws = new Workspace();
  const ex = createFeatureExtractor(sampleRateHz, (f: FeatureFrame) => {
    rows.push(f);
    // Keep twice the window so dropping (a copy) happens once per window, not per frame.
    if (rows.length > 2 * W) rows.dropBefore(rows.end - W);
  });
  return {
    get frameCount() {
      return rows.end;
    },
    get sampleCount() {
      return sampleCount;
    },
    push(samples) {
      sampleCount += samples.length;
      ex.push(samples);
    },
    analyzeWindow() {
      const end = rows.end;
      if (end === 0 || !rows.centers) return null;
      const start = Math.max(rows.base, end - W);
      const a = rows.analyze(start, end, tune, PHONE_CLASS_PROTOTYPES, ws);
      return { ...a, startFrameIndex: start };
    },
  };
}
