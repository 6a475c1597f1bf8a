/**
 * Audio/video offset of a real talking clip, for EVALUATION only (issue 12): the shift at which the clip's speech
 * envelope best matches the real speaker's tracked lip gap, SyncNet-style.
 *
 * @remarks
 * SyncNet (Chung & Zisserman 2016, "Out of time: automated lip sync in the wild", ACCV workshops) slides the audio
 * against the video within ±15 frames, takes the shift with the smallest audio–visual embedding distance as the A/V
 * offset and reports a confidence = median distance − minimum distance over the shifts. Here the two streams are
 * the speech envelope (log RMS of the audio, no speech model: {@link speechEnvelopeDb}) and the lip gap measured by
 * an independent face tracker on the real frames; "distance" is 1 − Pearson r, so the offset is the shift of the
 * correlation peak and the confidence is `peak r − median r` over the shifts. Real speech lips lead the sound by a
 * few tens of ms at syllable onsets (Chandrasekaran et al. 2009, PLoS Comput Biol 5), so even a perfectly synced clip
 * can peak one frame off zero; an offset of hundreds of ms is the recording's.
 * This never touches the product: it only says at which shift to ALSO score a prediction against the real frames
 * (scripts/evalAudioLips.ts, scripts/evalRealPairs.ts report r at zero shift and at this offset).
 */
import { RealPowerSpectrum } from '../core/audio/fft.ts';

/** Search range of {@link estimateAvOffset}, seconds (SyncNet's ±15 frames at 25 fps = ±0.6 s; speech A/V offsets in
 * broadcast and phone recordings are mostly within ±0.4 s). */
export const AV_OFFSET_SEARCH_SEC = 0.4;
/** Confidence (peak r − median r) below which an offset is reported as unreliable (the correlation curve has no clear
 * peak). Set by the construction of the test, not by the corpus: a clip whose envelope and lips are unrelated gives
 * a confidence near the spread of r over shifts of noise, ≈ 0.1 for 100–200 frames (1/√n ≈ 0.07–0.1). */
export const AV_OFFSET_MIN_CONFIDENCE = 0.15;

/** Smallest circular shift of the surrogate null, seconds: beyond a few syllables (≈ 4–5 syllables/s), so envelope
 * and lips are no longer paired by the speech itself. */
export const AV_NULL_MIN_SHIFT_SEC = 1;
/**
 * z-score of the peak against the surrogate null at and above which an offset is reliable.
 * @remarks Set after seeing the numbers (not tuned to a clip's score): on 6 s windows the speakers' own audio peaks at
 * z 5.9–6.7 (vid01, vid03), while a mismatched pair (vid03's audio against vid01's lips) reached z 3.7 at −267 ms:
 * syllable-rate envelopes are strongly autocorrelated, so the null has heavier tails than a normal one and a peak
 * picked among the searched shifts needs this margin.
 */
export const AV_OFFSET_MIN_Z = 5;

/** Result of {@link estimateAvOffset}. */
export interface AvOffset {
  /** Offset in seconds; positive: the sound comes LATER than the lips that make it. */
  offsetSec: number;
  /** Pearson r of envelope and lip gap at the offset. */
  peakR: number;
  /** Median r over all searched shifts. */
  medianR: number;
  /** peakR − medianR (SyncNet's "median − min distance"). */
  confidence: number;
  /**
   * Peak r as a z-score against a surrogate null: r of the same two series at circular shifts of ≥ 1 s (where a real
   * A/V relation cannot be), (peakR − mean) / SD over those shifts.
   */
  peakZ: number;
  /** Largest r of the surrogate null (circular shifts ≥ {@link AV_NULL_MIN_SHIFT_SEC}). */
  nullMaxR: number;
  /** Whether confidence ≥ {@link AV_OFFSET_MIN_CONFIDENCE} and the peak lies inside the search range (not on its edge). */
  reliable: boolean;
  /** r per shift, index k ↔ shift (k − maxShiftFrames) frames. */
  rByShift: number[];
}

/** Pearson correlation of two equal-length series (pairs with a non-finite value skipped); NaN below 3 pairs. */
export function pearsonFinite(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let n = 0;
  let sa = 0;
  let sb = 0;
  const len = Math.min(a.length, b.length);
  for (let i = 0; i < len; i++) if (Number.isFinite(a[i]!) && Number.isFinite(b[i]!)) {
    n++;
    sa += a[i]!;
    sb += b[i]!;
  }
  if (n < 3) return NaN;
  const ma = sa / n;
  const mb = sb / n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < len; i++) {
    if (!Number.isFinite(a[i]!) || !Number.isFinite(b[i]!)) continue;
    sab += (a[i]! - ma) * (b[i]! - mb);
    saa += (a[i]! - ma) ** 2;
    sbb += (b[i]! - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb || 1e-12);
}

/**
 * Pearson r of `pred[i + shift]` against `real[i]` over the frames where both exist.
 * @param pred - series sampled per video frame (audio-derived: envelope or predicted lip gap).
 * @param real - real lip gap per video frame (NaN where the tracker lost the face).
 * @param shiftFrames - shift in frames; positive pairs a LATER audio frame with each real frame.
 */
export function shiftedPearson(pred: ArrayLike<number>, real: ArrayLike<number>, shiftFrames: number): number {
  const a: number[] = [];
  const b: number[] = [];
  const n = Math.min(pred.length, real.length);
  for (let i = 0; i < n; i++) if (i + shiftFrames >= 0 && i + shiftFrames < n) {
    a.push(pred[i + shiftFrames]!);
    b.push(real[i]!);
  }
  return pearsonFinite(a, b);
}

/**
 * Tolerance of {@link bestShiftedPearson} in evaluation tables, seconds: audio–visual asynchrony of speech goes undetected
 * below about 45 ms of sound before the picture and 125 ms of sound after it (ITU-R BT.1359-1, 1998, detectability
 * thresholds), and
 * SyncNet (Chung & Zisserman 2016) counts a clip in sync within ±1 frame of its offset; ±120 ms (±3 frames at 25 fps)
 * is the symmetric bound of the detectability window.
 */
export const AV_SYNC_TOLERANCE_SEC = 0.12;

/**
 * Best {@link shiftedPearson} over the shifts |shift| ≤ `maxShiftSec` (rounded to whole frames).
 * @param pred - series sampled per video frame (e.g. the predicted lip gap).
 * @param real - real lip gap per video frame (NaN where the tracker lost the face).
 * @param fps - video frames per second (> 0).
 * @param maxShiftSec - largest |shift|, seconds (≥ 0); default {@link AV_SYNC_TOLERANCE_SEC}.
 * @returns the largest r and its shift in seconds (positive: a LATER prediction frame is paired with each real frame,
 *   i.e. the prediction lags); r NaN when no shift has 3 finite pairs.
 */
export function bestShiftedPearson(pred: ArrayLike<number>, real: ArrayLike<number>, fps: number, maxShiftSec = AV_SYNC_TOLERANCE_SEC): { r: number; shiftSec: number } {
  const m = Math.round(maxShiftSec * fps);
  let best = { r: NaN, shiftSec: 0 };
  for (let s = -m; s <= m; s++) {
    const r = shiftedPearson(pred, real, s);
    if (Number.isFinite(r) && !(r <= best.r)) best = { r, shiftSec: s / fps };
  }
  return best;
}

/** Band of the default envelope, Hz: the F2 region, whose envelope follows the visible lip area more closely than the
 * wide-band level does (Grant & Seitz 2000, "The use of visible speech cues for improving auditory detection of
 * spoken sentences", JASA 108: lip area vs band envelopes, best for the F2 band 800–2200 Hz). */
export const LIP_ENVELOPE_BAND_HZ: readonly [number, number] = Object.freeze([800, 2200]) as readonly [number, number];

/**
 * Speech envelope per video frame: log power (dB re full scale) of a 40 ms Hann window centred on each frame time,
 * in a frequency band (default {@link LIP_ENVELOPE_BAND_HZ}; `null`: the wide-band RMS), floored at the clip's 10th
 * percentile (room noise between words carries no articulation; the floor keeps its fluctuations out of the
 * correlation).
 * @param samples - mono PCM in [−1, 1].
 * @param sampleRateHz - sample rate, Hz.
 * @param fps - video frames per second.
 * @param frameCount - number of video frames.
 * @param bandHz - [low, high) band in Hz, or null for the wide-band level.
 * @returns dB per frame, length `frameCount`.
 * @throws RangeError for a non-positive sample rate or fps.
 */
export function speechEnvelopeDb(samples: Float32Array, sampleRateHz: number, fps: number, frameCount: number, bandHz: readonly [number, number] | null = LIP_ENVELOPE_BAND_HZ): Float32Array {
  if (!(sampleRateHz > 0) || !(fps > 0)) throw new RangeError(`speechEnvelopeDb: sampleRateHz and fps must be > 0 (got ${sampleRateHz}, ${fps})`);
  const out = new Float32Array(frameCount);
  const half = Math.round(0.02 * sampleRateHz);
  let size = 4;
  while (size < 2 * half) size *= 2;
  const spec = new RealPowerSpectrum(size);
  const frame = new Float64Array(size);
  const power = new Float64Array(size / 2 + 1);
  const k0 = bandHz ? Math.ceil((bandHz[0] * size) / sampleRateHz) : 0;
  const k1 = bandHz ? Math.min(size / 2, Math.floor((bandHz[1] * size) / sampleRateHz)) : size / 2;
  for (let f = 0; f < frameCount; f++) {
    const c = Math.round((f / fps) * sampleRateHz);
    frame.fill(0);
    for (let i = 0; i < 2 * half; i++) {
      const j = c - half + i;
      if (j >= 0 && j < samples.length) frame[i] = samples[j]! * (0.5 - 0.5 * Math.cos((2 * Math.PI * (i + 0.5)) / (2 * half)));
    }
    spec.compute(frame, power);
    let s = 0;
    for (let k = k0; k <= k1; k++) s += power[k]!;
    out[f] = 10 * Math.log10(s / (2 * half) + 1e-10);
  }
  const sorted = Array.from(out).sort((x, y) => x - y);
  const floor = sorted[Math.floor(0.1 * (sorted.length - 1))] ?? -100;
  for (let f = 0; f < frameCount; f++) out[f] = Math.max(floor, out[f]!);
  return out;
}

/**
 * A/V offset of a clip by cross-correlating its speech envelope with the real lip gap (see the module remarks).
 * @param envelope - audio envelope per video frame (e.g. {@link speechEnvelopeDb}).
 * @param realLipGap - real lip gap per video frame (any unit; NaN where the tracker lost the face).
 * @param fps - video frames per second.
 * @param maxShiftSec - search range ± seconds (default {@link AV_OFFSET_SEARCH_SEC}).
 * @returns offset (positive: sound later than lips), peak r, median r, confidence, the peak's z against circularly
 *   shifted surrogates ({@link AV_NULL_MIN_SHIFT_SEC}) and r per shift. `reliable` needs confidence ≥
 *   {@link AV_OFFSET_MIN_CONFIDENCE}, z ≥ {@link AV_OFFSET_MIN_Z} and a peak inside the search range.
 * @throws RangeError when fewer than 3 frames pair up at every shift or fps ≤ 0.
 */
export function estimateAvOffset(envelope: ArrayLike<number>, realLipGap: ArrayLike<number>, fps: number, maxShiftSec = AV_OFFSET_SEARCH_SEC): AvOffset {
  if (!(fps > 0)) throw new RangeError(`estimateAvOffset: fps must be > 0 (got ${fps})`);
  const maxS = Math.max(0, Math.round(maxShiftSec * fps));
  const rByShift: number[] = [];
  for (let s = -maxS; s <= maxS; s++) rByShift.push(shiftedPearson(envelope, realLipGap, s));
  const finite = rByShift.filter(Number.isFinite);
  if (finite.length === 0) throw new RangeError('estimateAvOffset: too few frames pair up at every shift');
  let best = 0;
  for (let k = 1; k < rByShift.length; k++) if ((rByShift[k] ?? -Infinity) > (rByShift[best] ?? -Infinity)) best = k;
  const sorted = [...finite].sort((x, y) => x - y);
  const medianR = sorted.length % 2 ? sorted[(sorted.length - 1) / 2]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
  const peakR = rByShift[best]!;
  const confidence = peakR - medianR;
  const onEdge = maxS > 0 && (best === 0 || best === rByShift.length - 1);
  const n = Math.min(envelope.length, realLipGap.length);
  const nullR: number[] = [];
  const minNull = Math.round(AV_NULL_MIN_SHIFT_SEC * fps);
  const circ = new Float64Array(n);
  for (let s = minNull; s <= n - minNull; s++) {
    for (let i = 0; i < n; i++) circ[i] = envelope[(i + s) % n]!;
    const r = pearsonFinite(circ, realLipGap);
    if (Number.isFinite(r)) nullR.push(r);
  }
  const mean = nullR.reduce((a, b) => a + b, 0) / Math.max(1, nullR.length);
  const sd = Math.sqrt(nullR.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, nullR.length - 1));
  const peakZ = nullR.length >= 10 && sd > 0 ? (peakR - mean) / sd : NaN;
  return { offsetSec: (best - maxS) / fps, peakR, medianR, confidence, peakZ, nullMaxR: nullR.length ? Math.max(...nullR) : NaN, reliable: confidence >= AV_OFFSET_MIN_CONFIDENCE && peakZ >= AV_OFFSET_MIN_Z && !onEdge, rByShift };
}
