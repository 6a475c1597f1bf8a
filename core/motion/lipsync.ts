/**
 * Lip-sync: speech analysis (10 ms curves) → coarticulated OVR visemes and ARKit mouth blendshapes per
 * video frame.
 *
 * @remarks
 * - Coarticulation: every curve is smoothed by a forward one-pole (release) and a backward one-pole
 *   (anticipation) and the two are combined by `max`, so the mouth starts moving before a sound
 *   (anticipatory coarticulation, ≈ 40–80 ms; Öhman 1966; Cohen & Massaro 1993 dominance model) and
 *   releases smoothly after it. Lip closure uses shorter constants so brief bilabial closures survive.
 * - Viseme → ARKit: {@link VISEME_TO_ARKIT} is a hand-made pose table per OVR viseme using the
 *   articulations of the Oculus Lipsync "Viseme Reference" images (PP lips pressed, FF lower lip under the
 *   upper teeth, oh/ou rounded…). Jaw opening comes from the acoustic jaw estimate, so loud open vowels
 *   open the jaw and silence closes it.
 */
import type { SpeechAnalysis } from '../audio/speechAnalysis.ts';
import { ARKIT_BLENDSHAPE_COUNT, BS, OVR_VISEME_COUNT, OVR_VISEME_NAMES, VIS } from './names.ts';
import type { ArkitBlendshapeName, OvrVisemeName } from './names.ts';
import type { MotionTrack } from './track.ts';
import { frameTimeSec } from './track.ts';

/** Anticipation time constant (how early the mouth moves toward a coming sound), seconds. */
export const ANTICIPATION_SEC = 0.03;
/** Release time constant (how slowly a mouth shape fades after its sound), seconds. */
export const RELEASE_SEC = 0.05;
/** Time constants of the lip-closure curve, seconds (short: a /p/ closure lasts 50–100 ms). */
export const CLOSURE_ANTICIPATION_SEC = 0.015;
export const CLOSURE_RELEASE_SEC = 0.02;
/**
 * Articulatory lead: mouth curves are sampled this much later in the audio than the frame time, i.e.
 * the mouth moves this much ahead of the sound.
 * @remarks Visible articulation precedes the acoustic event (lip/jaw movements lead audio by tens of
 * ms: e.g. Chandrasekaran et al. 2009, "The natural statistics of audiovisual speech", PLoS Comput Biol);
 * 20 ms also cancels the measured lag of the analysis windows and smoothing on gt01/gt02.
 */
export const ARTICULATORY_LEAD_SEC = 0.02;
/** Lip-closure evidence is mapped linearly from [LO, HI] onto closure [0, 1] (sharper seals). */
export const CLOSURE_CONTRAST_LO = 0.2;
export const CLOSURE_CONTRAST_HI = 0.6;
/**
 * jawOpen of the loudest, most open vowel (ARKit jawOpen 1 is the fully dropped jaw).
 * @remarks Was 0.7. Measured on real talking clips (scripts/evalAudioLips.ts: the track posed on the photo rig, lip gap
 * by TF.js FaceMesh on the real frames), 0.7 gave a mean lip gap 0.31–0.59× the real speakers'. The ARKit scale
 * itself caps nothing below 1, and the photo rig (core/rig/rig.ts, JAW_OPEN_MAX_RAD) opens the lips by ≈ 0.24
 * eye-corner distances (≈ 22 mm at a typical 90 mm ex–ex, Farkas 1994) at jawOpen 1, so the loudest open vowel
 * reaches a ≈ 20 mm lip opening, the order of the vertical lip opening of open vowels (Fromkin 1964, "Lip positions
 * in American English vowels", Language and Speech 7), not beyond it. Only the two ends were compared (0.7, 1), on
 * vid01/vid03 (whose audio is the speaker's own); no finer tuning. After: 0.72–0.87× (scripts/evalAudioLips.ts).
 */
export const MAX_SPEECH_JAW_OPEN = 1;
/**
 * jawOpen kept while the voice is active and no lip closure is heard (lips apart on non-labial consonants).
 * @remarks Only bilabials (and labiodentals) bring the lips together; during coronal and velar consonants the lips stay
 * apart while the jaw rises (Westbury, Severson & Hashi 1999, "Lip laws for consonants", ICPhS). 0.1 is ≈ 2 mm on the
 * photo rig: a conservative floor, so voiced speech without closure evidence keeps the lips slightly apart.
 */
export const SPEECH_FLOOR_JAW_OPEN = 0.1;
/**
 * Share of the speech jaw opening taken back under full lip-closure evidence.
 * @remarks The jaw is higher during bilabial stops than in the neighbouring vowels (Keating, Lindblom, Lubker & Kreiman
 * 1994, "Variability in jaw height for segments in English and Swedish VCVs", J. Phonetics 22), so where closure is
 * heard (contrast-mapped closure ≥ {@link CLOSURE_JAW_DROP_FULL_AT}, linearly below) the jaw opens 70 % of what
 * loudness and openness alone give: the former 0.7 scale, so a closure detected at ≥ 0.5 is exactly as tight as
 * before (the 0.5 and the 0.3 were set so the corpus bilabial scores of scripts/evalLipSync.ts, gt01/gt02, do not move).
 */
export const CLOSURE_JAW_DROP = 0.3;
/** Lip-closure value (after the contrast mapping) at and above which the full {@link CLOSURE_JAW_DROP} applies. */
export const CLOSURE_JAW_DROP_FULL_AT = 0.5;
/**
 * Fastest lip-aperture change speech produces, in lipAperture units (jawOpen units) per second.
 * @remarks Lip and jaw movements have bounded speeds: in bilabial closing gestures the lower lip (with the jaw) reaches
 * peak velocities of the order of 100–200 mm/s, the jaw alone slower (Gracco 1988, "Timing factors in the coordination
 * of speech movements", J. Neurosci. 8; Löfqvist & Gracco 1997, "Lip and jaw kinematics in bilabial stop consonant
 * production", J. Speech Lang. Hear. Res. 40). The upper end, 200 mm/s, taken as the limit of the whole lip aperture:
 * one lipAperture unit is ≈ 22 mm on the photo rig (jawOpen 1 ≈ 0.24 eye-corner distances ≈ 22 mm at a 90 mm ex–ex,
 * see {@link MAX_SPEECH_JAW_OPEN}), so 200 / 22 ≈ 9 units/s, ≈ 0.36 per 40 ms video frame. Set from the literature, not
 * tuned on the corpus.
 *
 * On by default since s17 (issue 12, {@link DEFAULT_LIP_SYNC_SHAPE}). s16 left it off: it brought the per-frame lip-gap
 * steps of the mesh proxy (scripts/evalAudioLips.ts) to the real speakers' range (vid01 p95 0.227 → 0.120 eye
 * distances, real 0.083) at an unchanged correlation, but the mean lip opening fell (vid01 ratio 0.79 → 0.58): the
 * lip-closure channel sealed the lips over an open jaw in ≈ 24 % of vid01's first 6 s (the real speaker is near-closed in
 * ≈ 17 %, mostly in pauses), and every sealed stretch costs a ≈ 90 ms ramp on each side. With the closure evidence made
 * stricter (core/audio/speechAnalysis.ts: STOP_SILENCE_BELOW_REF_DB, NASAL_MAX_LEVEL_BELOW_REF_DB, the alveolar-release
 * veto of the broad-class posterior), the limit ON gives (mesh proxy, first 6 s, at the clips' A/V offsets, main →
 * s17): vid01 steps p95 0.227 → 0.112 (real 0.083), r 0.63 → 0.65, mean ratio 0.79 → 0.77; vid03 0.151 → 0.089 (real
 * 0.111), r 0.60 → 0.61, ratio 0.97 → 0.98; held out: vid04 0.206 → 0.116 (real 0.060), r 0.05 → 0.14, ratio 0.85 →
 * 0.80; vid05 0.106 → 0.090 (real 0.086), r 0.41 → 0.42, ratio 0.75 → 0.85. The closure changes alone (limit off) raise
 * the ratio (vid01 0.95, vid04 1.03) but leave the steps (vid01 p95 0.203): the limit costs ≈ 0.2 of mean ratio.
 * Not guaranteed frame to frame in the live engine (core/live/liveMotion.ts): each live frame is computed from its own
 * window, which at the low look-ahead (15 ms) cannot see a closure coming.
 */
export const MAX_LIP_APERTURE_SPEED_PER_SEC = 200 / 22;

/**
 * Lower envelope of a curve whose slope is at most `maxSpeed` (grey-scale erosion by a cone, zero phase): every sample
 * becomes `min_s (x[s] + maxSpeed · |t − s|)`.
 * @param x - input curve (any units), sampled every `hopSec`; modified in place.
 * @param hopSec - sample spacing, seconds (> 0).
 * @param maxSpeed - largest allowed change per second, in the curve's units (> 0).
 * @returns `x`, now Lipschitz with constant `maxSpeed`, never above the input, equal to it at every point the input
 *   already reached slowly (its minima are kept exactly: a lip closure stays closed, it is only approached and left at
 *   a bounded speed).
 * @remarks Two passes (forward then backward) of `y[i] = min(x[i], y[i∓1] + maxSpeed · hop)` compute the erosion
 * exactly (distance transform of a 1-D function, Felzenszwalb & Huttenlocher 2012, "Distance transforms of sampled
 * functions", Theory of Computing 8).
 */
export function limitSpeedFromAbove(x: Float32Array, hopSec: number, maxSpeed: number): Float32Array {
  const step = maxSpeed * hopSec;
  for (let i = 1; i < x.length; i++) x[i] = Math.min(x[i]!, x[i - 1]! + step);
  for (let i = x.length - 2; i >= 0; i--) x[i] = Math.min(x[i]!, x[i + 1]! + step);
  return x;
}

/**
 * Shape of the speech mouth: the scale of the jaw opening and the lip opening kept during non-labial speech.
 * Defaults: {@link DEFAULT_LIP_SYNC_SHAPE}.
 */
export interface LipSyncShape {
  /** Largest jawOpen weight speech produces (at full loudness and full vowel openness), [0, 1]. */
  maxJawOpen: number;
  /** jawOpen kept while the voice is active and no lip closure is heard, [0, 1]. */
  speechFloorJawOpen: number;
  /** Share of the jaw opening taken back under full lip-closure evidence, [0, 1]. */
  closureJawDrop: number;
  /**
   * Optional speed limit of the jaw's lip gap, jawOpen · (1 − closure), in lipAperture units per second (default
   * {@link MAX_LIP_APERTURE_SPEED_PER_SEC}); absent or `Infinity`: unlimited (the pre-s17 behaviour).
   */
  maxLipApertureSpeedPerSec?: number;
}

/** Quantile of the voice activity that stands for the clip's confident speech in {@link activityScale}. */
export const ACTIVITY_REFERENCE_QUANTILE = 0.95;

/**
 * Gain that brings the voice activity of a recording whose speech never reaches full confidence back to [0, 1]
 * (automatic gain of the speech-presence probability, as the loudness is referenced to the 95th percentile of the
 * speech level, core/audio/speechAnalysis.ts).
 * @param activity - voice activity per analysis frame, [0, 1].
 * @param music - optional music likelihood per frame (SpeechAnalysis.musicLikelihood, same length): frames at ≥ 0.5
 *   are left out of the quantile (their activity was scaled down as music, core/audio/musicLikelihood.ts), and the
 *   gain is 1 when fewer than 10 % of the frames remain.
 * @returns `1 / max(q, 1 − q)` with q the {@link ACTIVITY_REFERENCE_QUANTILE} quantile of the activity: 1 for a clean
 *   recording (q ≈ 1), up to 2 where the clip's most speech-like frames sit at the VAD's own decision point (q = 0.5),
 *   back toward 1 for a clip with no confident speech at all (q → 0: nothing is amplified into speech).
 * @remarks Activity is a sigmoid of the a-posteriori SNR (Sohn, Kim & Sung 1999). Under dense background sound (a
 * crowd, laughter, music: scripts/evalAudioLips.ts vid05, activity 95th percentile 0.53) the noise floor is
 * over-estimated and speech sits at 0.3–0.6, so jaw = loudness × activity shrank the speaker's opening by about half
 * though nothing about the speech was quieter. Where the clip's speech does reach the VAD's threshold (q ≥ 0.5) its
 * activity scale carries no articulation and is divided out; below the threshold the gain falls back to 1.
 */
export function activityScale(activity: ArrayLike<number>, music?: ArrayLike<number>): number {
  let values: Float32Array;
  if (music && music.length === activity.length) {
    // Frames read as music (musicLikelihood ≥ 0.5) had their activity taken back on purpose: they do not stand for
    // the clip's speech level. With fewer than 10 % speech frames the gain stays 1.
    const kept: number[] = [];
    for (let i = 0; i < activity.length; i++) if (music[i]! < 0.5) kept.push(activity[i]!);
    if (kept.length < 0.1 * activity.length) return 1;
    values = Float32Array.from(kept);
  } else values = Float32Array.from(activity);
  const n = values.length;
  if (n === 0) return 1;
  const sorted = values.sort();
  const q = sorted[Math.min(n - 1, Math.floor(ACTIVITY_REFERENCE_QUANTILE * (n - 1)))]!;
  return 1 / Math.max(q, 1 - q, 1e-6);
}

/** Default {@link LipSyncShape}: speech jaw scale, speech floor, closure jaw drop and the lip-gap speed limit {@link MAX_LIP_APERTURE_SPEED_PER_SEC}. */
export const DEFAULT_LIP_SYNC_SHAPE: Readonly<LipSyncShape> = Object.freeze({ maxJawOpen: MAX_SPEECH_JAW_OPEN, speechFloorJawOpen: SPEECH_FLOOR_JAW_OPEN, closureJawDrop: CLOSURE_JAW_DROP, maxLipApertureSpeedPerSec: MAX_LIP_APERTURE_SPEED_PER_SEC });

/** Lip aperture below which the lips count as closed (see {@link lipAperture}). */
export const LIPS_CLOSED_APERTURE = 0.06;
/** jawOpen at or above which the jaw counts as clearly open. */
export const JAW_CLEARLY_OPEN = 0.2;

/**
 * ARKit mouth pose of each OVR viseme (weights in [0,1], jawOpen excluded: it comes from the audio).
 * @remarks Poses follow the Oculus Lipsync Viseme Reference articulations; symmetric L/R pairs.
 */
export const VISEME_TO_ARKIT: Readonly<Record<OvrVisemeName, Readonly<Partial<Record<ArkitBlendshapeName, number>>>>> = Object.freeze({
  sil: {},
  PP: { mouthPressLeft: 0.45, mouthPressRight: 0.45, mouthRollLower: 0.25, mouthRollUpper: 0.15 },
  FF: { mouthRollLower: 0.55, mouthUpperUpLeft: 0.2, mouthUpperUpRight: 0.2, mouthFunnel: 0.1 },
  TH: { tongueOut: 0.25, mouthUpperUpLeft: 0.1, mouthUpperUpRight: 0.1 },
  DD: { mouthStretchLeft: 0.12, mouthStretchRight: 0.12, mouthUpperUpLeft: 0.1, mouthUpperUpRight: 0.1 },
  kk: { mouthStretchLeft: 0.18, mouthStretchRight: 0.18 },
  CH: { mouthFunnel: 0.5, mouthPucker: 0.3, mouthUpperUpLeft: 0.2, mouthUpperUpRight: 0.2 },
  SS: { mouthStretchLeft: 0.35, mouthStretchRight: 0.35, mouthSmileLeft: 0.12, mouthSmileRight: 0.12, mouthUpperUpLeft: 0.12, mouthUpperUpRight: 0.12 },
  nn: { mouthStretchLeft: 0.1, mouthStretchRight: 0.1 },
  RR: { mouthFunnel: 0.3, mouthPucker: 0.35 },
  aa: { mouthLowerDownLeft: 0.3, mouthLowerDownRight: 0.3, mouthUpperUpLeft: 0.1, mouthUpperUpRight: 0.1 },
  E: { mouthStretchLeft: 0.3, mouthStretchRight: 0.3, mouthSmileLeft: 0.2, mouthSmileRight: 0.2, mouthLowerDownLeft: 0.2, mouthLowerDownRight: 0.2 },
  ih: { mouthStretchLeft: 0.25, mouthStretchRight: 0.25, mouthSmileLeft: 0.25, mouthSmileRight: 0.25 },
  oh: { mouthFunnel: 0.6, mouthPucker: 0.2, mouthLowerDownLeft: 0.1, mouthLowerDownRight: 0.1 },
  ou: { mouthPucker: 0.8, mouthFunnel: 0.4 },
});

const POSES: Array<Array<[number, number]>> = OVR_VISEME_NAMES.map((v) => Object.entries(VISEME_TO_ARKIT[v]).map(([k, w]) => [BS[k as ArkitBlendshapeName], w as number]));

const clamp01 = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : v);

/**
 * Asymmetric non-causal smoothing: max of a forward one-pole (release) and a backward one-pole
 * (anticipation).
 * @param x - input curve (any units), sampled every `hopSec`.
 * @param hopSec - sample spacing, seconds.
 * @param anticipationSec - time constant of the backward pass, seconds.
 * @param releaseSec - time constant of the forward pass, seconds.
 * @returns a new curve of the same length.
 */
export function coarticulate(x: Float32Array, hopSec: number, anticipationSec: number, releaseSec: number): Float32Array {
  const n = x.length;
  const fwd = new Float32Array(n);
  const out = new Float32Array(n);
  const ar = 1 - Math.exp(-hopSec / releaseSec);
  const aa = 1 - Math.exp(-hopSec / anticipationSec);
  let s = 0;
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    s = v > s ? v : s + (v - s) * ar;
    fwd[i] = s;
  }
  s = 0;
  for (let i = n - 1; i >= 0; i--) {
    const v = x[i]!;
    s = v > s ? v : s + (v - s) * aa;
    out[i] = Math.max(fwd[i]!, s);
  }
  // The attack is instantaneous in both passes; soften it with a 3-tap average (30 ms).
  const sm = new Float32Array(n);
  for (let i = 0; i < n; i++) sm[i] = (out[Math.max(0, i - 1)]! + 2 * out[i]! + out[Math.min(n - 1, i + 1)]!) / 4;
  return sm;
}

/**
 * Lip aperture of a frame's blendshapes: how far apart the lips are, in jawOpen units.
 * @param bs - 52 ARKit weights of one frame.
 * @returns `max(0, jawOpen − mouthClose) + 0.3·mean(mouthLowerDown) + 0.3·mean(mouthUpperUp) + 0.2·mouthFunnel`,
 *   ≥ 0; lips count as closed below {@link LIPS_CLOSED_APERTURE}.
 * @remarks ARKit's mouthClose closes the lips against an open jaw, so jawOpen − mouthClose is the
 * jaw's contribution to the lip gap; lower/upper lip raisers add their own opening.
 */
export function lipAperture(bs: Float32Array): number {
  const jaw = bs[BS.jawOpen]!;
  const closeW = bs[BS.mouthClose]!;
  const lower = (bs[BS.mouthLowerDownLeft]! + bs[BS.mouthLowerDownRight]!) / 2;
  const upper = (bs[BS.mouthUpperUpLeft]! + bs[BS.mouthUpperUpRight]!) / 2;
  return Math.max(0, jaw - closeW) + 0.3 * lower + 0.3 * upper + 0.2 * bs[BS.mouthFunnel]!;
}

function sampleAt(curve: Float32Array, hopSec: number, tSec: number): number {
  const n = curve.length;
  if (n === 0) return 0;
  const x = tSec / hopSec;
  const i = Math.floor(x);
  if (i < 0) return curve[0]!;
  if (i >= n - 1) return curve[n - 1]!;
  const f = x - i;
  return curve[i]! * (1 - f) + curve[i + 1]! * f;
}

/**
 * Writes visemes and mouth blendshapes of every frame from a speech analysis.
 * @param track - target track (its `fps` and `frameCount` define the frame times `f × den/num`).
 * @param analysis - speech analysis at 10 ms.
 * @param analysisStartSec - stream time of the analysis' row 0 in seconds (0 for a whole-file analysis; the
 *   window start for a live sliding-window analysis): frame f is read at `frameTimeSec(f) − analysisStartSec`.
 * @param trackStartSec - stream time of the track's frame 0 in seconds (0 offline; a live frame's own time).
 * @param shape - jaw scale, speech floor, closure jaw drop and optional lip speed limit (default
 *   {@link DEFAULT_LIP_SYNC_SHAPE}: speed-limited at {@link MAX_LIP_APERTURE_SPEED_PER_SEC}).
 * @remarks jawOpen = max(maxJawOpen · jaw · (1 − closureJawDrop · closure), speechFloorJawOpen · activity ·
 * (1 − closure)), jaw, activity and closure coarticulated and sampled at the frame, jaw and activity multiplied by the
 * clip's {@link activityScale} (1 for clean speech), computed on the analysis grid and sampled at the frame;
 * mouthClose = jawOpen − gap with gap = jawOpen · (1 − closure), speed-limited by {@link limitSpeedFromAbove} when
 * `shape.maxLipApertureSpeedPerSec` is set (without it mouthClose = jawOpen · closure, as before).
 * Only mouth/jaw channels and visemes are written; other channels are left untouched.
 */
export function applyLipSync(track: MotionTrack, analysis: SpeechAnalysis, analysisStartSec = 0, trackStartSec = 0, shape: Readonly<LipSyncShape> = DEFAULT_LIP_SYNC_SHAPE): void {
  const shift = trackStartSec - analysisStartSec;
  const hop = analysis.hopSec;
  const n = analysis.frameCount;
  const V = OVR_VISEME_COUNT;
  const K = ARKIT_BLENDSHAPE_COUNT;
  // Coarticulate one viseme channel at a time and sample it at the frame times (bounded temporaries).
  const c = new Float32Array(n);
  for (let v = 0; v < V; v++) {
    for (let t = 0; t < n; t++) c[t] = analysis.visemes[t * V + v]!;
    const curve = v === VIS.sil ? c : coarticulate(c, hop, ANTICIPATION_SEC, RELEASE_SEC);
    for (let f = 0; f < track.frameCount; f++) track.visemes[f * V + v] = sampleAt(curve, hop, frameTimeSec(f, track.fps) + ARTICULATORY_LEAD_SEC + shift);
  }
  const closure = coarticulate(analysis.lipClosure, hop, CLOSURE_ANTICIPATION_SEC, CLOSURE_RELEASE_SEC);
  const jaw = coarticulate(analysis.jawOpen, hop, ANTICIPATION_SEC, RELEASE_SEC);
  const activity = coarticulate(analysis.activity, hop, ANTICIPATION_SEC, RELEASE_SEC);
  // Activity (and the jaw, loudness × activity) of a low-SNR recording brought back to the clean scale (activityScale).
  const gain = activityScale(analysis.activity, analysis.musicLikelihood);
  // Jaw opening and the jaw's share of the lip gap, jawOpen · (1 − closure), on the analysis grid; the lip gap then
  // (shape.maxLipApertureSpeedPerSec, on by default) limited to realistic lip speeds: lips close toward a bilabial and open after it
  // at a bounded speed instead of in one video frame. Closures (gap 0) are kept exactly.
  const maxSpeed = shape.maxLipApertureSpeedPerSec ?? Infinity;
  const jawCurve = Number.isFinite(maxSpeed) ? new Float32Array(n) : null;
  const gapCurve = jawCurve ? new Float32Array(n) : null;
  for (let i = 0; jawCurve && gapCurve && i < n; i++) {
    const a = clamp01(gain * activity[i]!);
    const cl = clamp01((closure[i]! - CLOSURE_CONTRAST_LO) / (CLOSURE_CONTRAST_HI - CLOSURE_CONTRAST_LO));
    const j = clamp01(gain * jaw[i]!);
    const jawOpen = Math.max(shape.maxJawOpen * j * (1 - shape.closureJawDrop * Math.min(1, cl / CLOSURE_JAW_DROP_FULL_AT)), shape.speechFloorJawOpen * a * (1 - cl));
    jawCurve[i] = jawOpen;
    gapCurve[i] = jawOpen * (1 - cl);
  }
  if (gapCurve) limitSpeedFromAbove(gapCurve, hop, maxSpeed);
  for (let f = 0; f < track.frameCount; f++) {
    const t = frameTimeSec(f, track.fps) + ARTICULATORY_LEAD_SEC + shift;
    const vo = f * V;
    let tot = 0;
    for (let v = 0; v < V; v++) tot += track.visemes[vo + v]!;
    for (let v = 0; v < V; v++) track.visemes[vo + v] = tot > 0 ? track.visemes[vo + v]! / tot : v === VIS.sil ? 1 : 0;
    const a = clamp01(gain * sampleAt(activity, hop, t));
    const cl = clamp01((sampleAt(closure, hop, t) - CLOSURE_CONTRAST_LO) / (CLOSURE_CONTRAST_HI - CLOSURE_CONTRAST_LO));
    const j = clamp01(gain * sampleAt(jaw, hop, t));
    const o = f * K;
    for (let v = 1; v < V; v++) {
      const wv = track.visemes[vo + v]!;
      if (wv <= 0) continue;
      for (const [k, weight] of POSES[v]!) track.blendshapes[o + k] = track.blendshapes[o + k]! + wv * weight * a;
    }
    const jawOpen = gapCurve ? sampleAt(jawCurve!, hop, t) : Math.max(shape.maxJawOpen * j * (1 - shape.closureJawDrop * Math.min(1, cl / CLOSURE_JAW_DROP_FULL_AT)), shape.speechFloorJawOpen * a * (1 - cl));
    track.blendshapes[o + BS.jawOpen] = jawOpen;
    // Bilabial closure: lips sealed against the (small) jaw opening, lip raisers suppressed. With a speed limit,
    // mouthClose = jawOpen − speed-limited gap ≥ 0 (the gap never exceeds jawOpen).
    track.blendshapes[o + BS.mouthClose] = gapCurve ? Math.max(0, jawOpen - sampleAt(gapCurve, hop, t)) : jawOpen * cl;
    const keep = 1 - cl;
    for (const k of [BS.mouthLowerDownLeft, BS.mouthLowerDownRight, BS.mouthUpperUpLeft, BS.mouthUpperUpRight, BS.mouthFunnel]) track.blendshapes[o + k] = track.blendshapes[o + k]! * keep;
    track.blendshapes[o + BS.mouthPressLeft] = Math.max(track.blendshapes[o + BS.mouthPressLeft]!, 0.4 * cl);
    track.blendshapes[o + BS.mouthPressRight] = Math.max(track.blendshapes[o + BS.mouthPressRight]!, 0.4 * cl);
    for (let k = 0; k < K; k++) track.blendshapes[o + k] = clamp01(track.blendshapes[o + k]!);
  }
}
