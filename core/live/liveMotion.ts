/**
 * Live speech → motion: microphone samples in, one motion frame per output tick out, with the same maths as the
 * offline track builder (core/audio/speechAnalysis.ts on a sliding window, core/motion/lipsync.ts for the mouth,
 * core/motion/nonverbal.ts for blinks, gaze, head motion and mood). Pure and deterministic: the same samples pushed
 * in the same chunks give the same frames.
 */
import { InvalidInputError } from '../errors.ts';
import { createLiveSpeechAnalyzer } from '../audio/speechAnalysis.ts';
import { FEATURE_HOP_SEC, FEATURE_WINDOW_SEC } from '../audio/features.ts';
import { applyLipSync, ARTICULATORY_LEAD_SEC } from '../motion/lipsync.ts';
import { addBrowAccent, applyNonverbalMotion, browAccentAt, BROW_LEAD_SEC, createHeadMotion, createNodDrawer, createSpeechEnvelope } from '../motion/nonverbal.ts';
import type { Nod } from '../motion/nonverbal.ts';
import { evaluateDirections, isEmptyDirections } from '../motion/directions.ts';
import type { DirectionCurves, Directions } from '../motion/directions.ts';
import { MotionOptionsSchema } from '../motion/options.ts';
import type { MotionOptions } from '../motion/options.ts';
import { ARKIT_BLENDSHAPE_COUNT, OVR_VISEME_COUNT } from '../motion/names.ts';
import { createNeutralTrack, frameTimeSec } from '../motion/track.ts';
import type { Fps, MotionTrack } from '../motion/track.ts';

/**
 * Look-ahead presets in seconds: how much audio past a frame's time the analysis waits for.
 * `standard` (40 ms) covers most of the lip-sync's backward smoothing (jaw ANTICIPATION_SEC = 30 ms: after 40 ms its
 * pull has decayed to e^(−4/3) ≈ 26 %; bilabial closure, 15 ms: 7 %); on aud01/gt02 live jawOpen follows the offline
 * track with r 0.965–0.974 (60 ms: 0.966–0.979). `low` (15 ms) saves 25 ms and loses most of the anticipation
 * (r 0.959–0.968 at 20 ms): a closing lip starts moving when the sound starts, not before.
 */
export const LIVE_LOOKAHEAD_SEC = Object.freeze({ standard: 0.04, low: 0.015 });

/** Length of the idle (nonverbal) loop in seconds: blinks, gaze and the directions repeat after this. */
export const LIVE_IDLE_LOOP_SEC = 300;

/**
 * How far behind the newest analysed audio a stressed-syllable accent must lie before live mode takes it, seconds.
 * @remarks The offline accent detector (core/audio/speechAnalysis.ts, step 5) needs a local loudness maximum over
 *   ±150 ms of a 40 ms-smoothed curve, plus a ±1 s mean for the prominence; 0.3 s covers the maximum and its
 *   smoothing (0.19 s) with margin, and the prominence then sees 1 s before and 0.3 s after the accent. Chosen from
 *   the detector's windows, not tuned on the corpus.
 */
export const LIVE_ACCENT_HORIZON_SEC = 0.3;

/**
 * Delay of the live accent motion (head nods, brow raises) behind the voice, seconds: the accent horizon plus the
 * brow raise's lead ({@link BROW_LEAD_SEC}), so an accent's motion starts no earlier than the frame that is being
 * computed when the accent is found. Only the accents pay this; the mouth keeps {@link LiveMotion.pipelineDelaySec}.
 */
export const LIVE_ACCENT_DELAY_SEC = LIVE_ACCENT_HORIZON_SEC + BROW_LEAD_SEC;

/** Smallest spacing of accepted accents in seconds (the streaming analyzer's rule, core/audio/speechAnalysis.ts). */
const ACCENT_MIN_SPACING_SEC = 0.35;

/** Options of {@link createLiveMotion}. */
export interface LiveMotionOptions {
  /** Motion options (fps, seed, head motion, blink rate, mood, expression): the offline builder's. */
  motion: MotionOptions;
  /** Look-ahead in seconds, [0, 0.5]; see {@link LIVE_LOOKAHEAD_SEC}. */
  lookAheadSec: number;
  /** Analysis window in seconds, [1, 30] (default 5: the offline noise-floor window is 4 s, NOISE_WINDOW_SEC). */
  windowSec?: number;
  /**
   * Rate of display frames in Hz, [1, 100] (default 50): besides the frames on the motion fps grid (what a
   * recording keeps), `pull` computes the newest possible frame this often, so a 60 Hz preview shows the mouth at
   * most one 10 ms hop behind the audio instead of up to one motion frame (40 ms at 25 fps).
   */
  displayHz?: number;
  /**
   * The timeline's directions (core/motion/directions.ts), played on the session clock: live frame time t is
   * timeline time `directionsStartSec + t`. Mood, expression intensity, head-motion strength, gaze target, blink rate
   * and keyframes all apply, as offline, for the first {@link LIVE_IDLE_LOOP_SEC} of the session (then the idle loop,
   * directions included, repeats). Default none: the motion options hold throughout.
   */
  directions?: Directions | null;
  /** Timeline time in seconds at which the session starts, [0, 86400] (default 0: the top of the timeline). */
  directionsStartSec?: number;
}

/** One live motion frame (arrays owned by the caller or reused by the engine: copy what you keep). */
export interface LiveFrame {
  /** Output frame index since the stream started (frame f shows stream time `f × den/num` s). */
  frameIndex: number;
  /** Stream time the frame shows, seconds. */
  timeSec: number;
  /** ARKit-52 weights in [0, 1], ARKIT_BLENDSHAPE_NAMES order. */
  blendshapes: Float32Array;
  /** OVR-15 viseme weights summing to 1. */
  visemes: Float32Array;
  /** Head rotation quaternion (x, y, z, w). */
  headRotation: Float32Array;
  /** Head translation in metres (x, y, z). */
  headTranslationM: Float32Array;
  /** Gaze (leftYaw, leftPitch, rightYaw, rightPitch) in radians. */
  gazeRad: Float32Array;
}

/** A live motion engine: push samples, pull the frames that have become ready. */
export interface LiveMotion {
  /** Feeds mono samples in [-1, 1] at the engine's rate. */
  push(samples: Float32Array): void;
  /**
   * Computes every output frame whose audio (plus look-ahead) has arrived since the last call.
   * @returns the new frames on the motion fps grid, in order (often 0 or 1 per 10 ms of audio); each holds its own
   *   arrays. See also {@link LiveMotion.display}.
   */
  pull(): LiveFrame[];
  /**
   * The newest display frame (off the fps grid: `frameIndex` is −1, `timeSec` the newest ready stream time),
   * refreshed by `pull` at `displayHz`; null before the first one.
   */
  readonly display: LiveFrame | null;
  /** Samples pushed so far. */
  readonly sampleCount: number;
  /**
   * Stressed-syllable accents found so far, in stream time (s) and prominence [0, 1], ascending; their nods and brow
   * raises are shown {@link LIVE_ACCENT_DELAY_SEC} later.
   */
  readonly accents: ReadonlyArray<{ timeSec: number; prominence: number }>;
  /** Stream time up to which audio has arrived, seconds (`sampleCount / sampleRateHz`). */
  readonly audioTimeSec: number;
  /**
   * Audio that must arrive after a frame's time before that frame can be computed, seconds: the look-ahead,
   * the lip-sync's articulatory lead (20 ms) and half the 25 ms analysis window, plus up to one 10 ms hop of
   * alignment. This is the engine's share of the mouth's delay behind the voice.
   */
  readonly pipelineDelaySec: number;
}

const clamp01 = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : v);

/**
 * Creates a live motion engine.
 * @param sampleRateHz - microphone rate in Hz, 8000..192000 (AudioContext rates are typically 44100/48000).
 * @param options - {@link LiveMotionOptions}.
 * @returns the engine.
 * @throws InvalidInputError for invalid motion options, look-ahead, window or sample rate.
 * @remarks Mouth: {@link createLiveSpeechAnalyzer} (the offline analysis on the last `windowSec`) then
 *   {@link applyLipSync} for the one frame. Blinks, gaze, mood and keyframe offsets come from an idle track built
 *   once by {@link applyNonverbalMotion} over {@link LIVE_IDLE_LOOP_SEC} seconds with no speech and the directions
 *   on the session clock, looped; the weights are `clamp01(lip + idle)`, the offline composition (lip-sync first,
 *   then nonverbal adds with a clamp). Head pose and brow accents use the offline functions
 *   ({@link createHeadMotion}, {@link createSpeechEnvelope}, {@link createNodDrawer}, {@link browAccentAt}) with
 *   the envelope of the live activity and the accents of the live window: an accent is taken once it lies
 *   {@link LIVE_ACCENT_HORIZON_SEC} behind the newest analysed audio, and its motion is shown
 *   {@link LIVE_ACCENT_DELAY_SEC} late. Deterministic given the samples, their chunking, the options and the seed.
 */
export function createLiveMotion(sampleRateHz: number, options: LiveMotionOptions): LiveMotion {
  const parsed = MotionOptionsSchema.safeParse(options.motion);
  if (!parsed.success) throw new InvalidInputError(`Invalid motion options: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const motion = parsed.data;
  if (!(sampleRateHz >= 8000 && sampleRateHz <= 192000)) throw new InvalidInputError(`Sample rate ${sampleRateHz} Hz is outside 8000..192000`);
  const lookAheadSec = options.lookAheadSec;
  if (!(lookAheadSec >= 0 && lookAheadSec <= 0.5)) throw new InvalidInputError(`Look-ahead ${lookAheadSec} s is outside 0..0.5 s`);
  const windowSec = options.windowSec ?? 5;
  if (!(windowSec >= 1 && windowSec <= 30)) throw new InvalidInputError(`Analysis window ${windowSec} s is outside 1..30 s`);
  const displayHz = options.displayHz ?? 50;
  if (!(displayHz >= 1 && displayHz <= 100)) throw new InvalidInputError(`Display rate ${displayHz} Hz is outside 1..100 Hz`);
  const directionsStartSec = options.directionsStartSec ?? 0;
  if (!(directionsStartSec >= 0 && directionsStartSec <= 86_400)) throw new InvalidInputError(`Directions start ${directionsStartSec} s is outside 0..86400 s`);
  const fps: Fps = motion.fps;
  const analyzer = createLiveSpeechAnalyzer(sampleRateHz, windowSec);
  const { idle, curves } = buildIdleTrack(motion, options.directions ?? null, directionsStartSec);
  const head = createHeadMotion(motion.seed);
  const drawNod = createNodDrawer(motion.seed);
  const envelopeStep = createSpeechEnvelope(fps);
  let envelope = 0;
  /** Accents in stream time (reported), the same shifted by the accent delay (shown), and their nods. */
  const accents: Array<{ timeSec: number; prominence: number }> = [];
  const shown: Array<{ timeSec: number; prominence: number }> = [];
  const nods: Nod[] = [];
  let accentsScannedToSec = -Infinity;
  let nodIndex = 0;
  let browIndex = 0;
  const one = createNeutralTrack(1, fps);
  const K = ARKIT_BLENDSHAPE_COUNT;
  const V = OVR_VISEME_COUNT;
  const delaySec = lookAheadSec + ARTICULATORY_LEAD_SEC + FEATURE_WINDOW_SEC / 2;
  let nextFrame = 0;
  let display: LiveFrame | null = null;
  const fpsHz = fps.num / fps.den;
  /** One frame at stream time `t` from the window analysis `a` (whose row 0 is at `windowStartSec`). */
  const frameAt = (a: Parameters<typeof applyLipSync>[1], windowStartSec: number, t: number, frameIndex: number): LiveFrame => {
    one.blendshapes.fill(0);
    one.visemes.fill(0);
    applyLipSync(one, a, windowStartSec, t);
    const i = Math.round(t * fpsHz) % idle.frameCount;
    const bs = new Float32Array(K);
    for (let k = 0; k < K; k++) bs[k] = clamp01(one.blendshapes[k]! + idle.blendshapes[i * K + k]!);
    while (nodIndex < nods.length && nods[nodIndex]!.tSec + 2 < t) nodIndex++;
    while (browIndex < shown.length && shown[browIndex]!.timeSec + 1 < t) browIndex++;
    const intensity = curves.expressionIntensity[i]!;
    if (intensity > 0) addBrowAccent(bs, 0, intensity, browAccentAt(shown, browIndex, t));
    const headRotation = new Float32Array(4);
    const headTranslationM = new Float32Array(3);
    head(t, envelope, curves.headMotionStrength[i]!, nods, nodIndex, headRotation, 0, headTranslationM, 0);
    return {
      frameIndex,
      timeSec: t,
      blendshapes: bs,
      visemes: one.visemes.slice(0, V),
      headRotation,
      headTranslationM,
      gazeRad: idle.gazeRad.slice(i * 4, i * 4 + 4),
    };
  };
  return {
    get display() {
      return display;
    },
    get sampleCount() {
      return analyzer.sampleCount;
    },
    get accents() {
      return accents;
    },
    get audioTimeSec() {
      return analyzer.sampleCount / sampleRateHz;
    },
    get pipelineDelaySec() {
      return delaySec + FEATURE_HOP_SEC;
    },
    push(samples) {
      analyzer.push(samples);
    },
    pull() {
      const out: LiveFrame[] = [];
      // The newest analysis row is centred at (frameCount − 1) × hop; frames up to that minus the delay are ready.
      const newestRowSec = (analyzer.frameCount - 1) * FEATURE_HOP_SEC + FEATURE_WINDOW_SEC / 2;
      const readySec = newestRowSec - delaySec;
      const gridDue = frameTimeSec(nextFrame, fps) <= readySec;
      const displayDue = readySec >= 0 && (!display || readySec - display.timeSec >= 1 / displayHz - 1e-9);
      if (!gridDue && !displayDue) return out;
      const a = analyzer.analyzeWindow();
      if (!a) return out;
      const windowStartSec = a.startFrameIndex * FEATURE_HOP_SEC;
      // Accents: each stretch of stream time is judged once, when it has fallen LIVE_ACCENT_HORIZON_SEC behind.
      const horizonSec = newestRowSec - LIVE_ACCENT_HORIZON_SEC;
      for (const acc of a.accents) {
        const ts = Math.round((acc.timeSec + windowStartSec) * 1e6) / 1e6;
        if (ts <= accentsScannedToSec || ts > horizonSec) continue;
        if (accents.length > 0 && ts - accents[accents.length - 1]!.timeSec <= ACCENT_MIN_SPACING_SEC) continue;
        accents.push({ timeSec: ts, prominence: acc.prominence });
        const s = { timeSec: ts + LIVE_ACCENT_DELAY_SEC, prominence: acc.prominence };
        shown.push(s);
        nods.push(drawNod(s));
      }
      accentsScannedToSec = Math.max(accentsScannedToSec, horizonSec);
      while (frameTimeSec(nextFrame, fps) <= readySec) {
        const f = nextFrame++;
        const t = frameTimeSec(f, fps);
        // The head's speech envelope steps once per grid frame, on the activity at the frame's time (as offline).
        const row = Math.min(a.frameCount - 1, Math.max(0, Math.round(t / FEATURE_HOP_SEC) - a.startFrameIndex));
        envelope = envelopeStep(a.frameCount > 0 ? a.activity[row]! : 0);
        out.push(frameAt(a, windowStartSec, t, f));
      }
      if (displayDue) display = frameAt(a, windowStartSec, readySec, -1);
      return out;
    },
  };
}

/**
 * The nonverbal idle loop: {@link applyNonverbalMotion} on a silent track of {@link LIVE_IDLE_LOOP_SEC}, with the
 * directions evaluated from `startSec` on the timeline; also returns the curves (head strength, intensity per frame).
 */
function buildIdleTrack(motion: MotionOptions, directions: Directions | null, startSec: number): { idle: MotionTrack; curves: DirectionCurves } {
  const n = Math.max(1, Math.round((LIVE_IDLE_LOOP_SEC * motion.fps.num) / motion.fps.den));
  const track = createNeutralTrack(n, motion.fps);
  const directed = directions && !isEmptyDirections(directions) ? directions : null;
  const curves = evaluateDirections(directed, n, motion.fps, motion, startSec);
  applyNonverbalMotion(track, { activity: new Float32Array(n), loudness: new Float32Array(n), accents: [] }, motion, directed ? curves : undefined);
  return { idle: track, curves };
}

/**
 * Collects live frames into a {@link MotionTrack} (the recording of a live session), in frame order.
 * @param frames - consecutive live frames starting at any index (gaps are filled with the previous frame).
 * @param fps - the frames' rate.
 * @returns a track whose frame 0 is `frames[0]` (its `meta.liveStartFrameIndex` records the original index).
 * @throws InvalidInputError when `frames` is empty.
 */
export function trackFromLiveFrames(frames: readonly LiveFrame[], fps: Fps): MotionTrack {
  if (frames.length === 0) throw new InvalidInputError('No live frames were recorded');
  const first = frames[0]!.frameIndex;
  const n = frames[frames.length - 1]!.frameIndex - first + 1;
  const track = createNeutralTrack(n, fps);
  const K = ARKIT_BLENDSHAPE_COUNT;
  const V = OVR_VISEME_COUNT;
  let j = 0;
  for (let f = 0; f < n; f++) {
    while (j + 1 < frames.length && frames[j + 1]!.frameIndex - first <= f) j++;
    const fr = frames[j]!;
    track.blendshapes.set(fr.blendshapes, f * K);
    track.visemes.set(fr.visemes, f * V);
    track.headRotation.set(fr.headRotation, f * 4);
    track.headTranslationM.set(fr.headTranslationM, f * 3);
    track.gazeRad.set(fr.gazeRad, f * 4);
  }
  track.meta = { generator: 'avatar-studio/live@1', liveStartFrameIndex: first };
  return track;
}
