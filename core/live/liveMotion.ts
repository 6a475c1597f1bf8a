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
import { applyNonverbalMotion } from '../motion/nonverbal.ts';
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

/** Length of the idle (nonverbal) loop in seconds: blinks, gaze and head drift repeat after this. */
export const LIVE_IDLE_LOOP_SEC = 300;

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
 *   {@link applyLipSync} for the one frame. Everything else comes from an idle track built once by
 *   {@link applyNonverbalMotion} over {@link LIVE_IDLE_LOOP_SEC} seconds with no speech (blinks, gaze, head drift,
 *   breathing, mood offsets), looped; the final weights are `clamp01(lip + idle)`, which is exactly the offline
 *   composition (lip-sync first, then nonverbal adds with a clamp) except that live frames have no speech-driven
 *   nods, brow accents or head energy (those need accents detected ahead of time).
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
  const fps: Fps = motion.fps;
  const analyzer = createLiveSpeechAnalyzer(sampleRateHz, windowSec);
  const idle = buildIdleTrack(motion);
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
    return {
      frameIndex,
      timeSec: t,
      blendshapes: bs,
      visemes: one.visemes.slice(0, V),
      headRotation: idle.headRotation.slice(i * 4, i * 4 + 4),
      headTranslationM: idle.headTranslationM.slice(i * 3, i * 3 + 3),
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
      while (frameTimeSec(nextFrame, fps) <= readySec) {
        const f = nextFrame++;
        out.push(frameAt(a, windowStartSec, frameTimeSec(f, fps), f));
      }
      if (displayDue) display = frameAt(a, windowStartSec, readySec, -1);
      return out;
    },
  };
}

/** The nonverbal idle loop: {@link applyNonverbalMotion} on a silent track of {@link LIVE_IDLE_LOOP_SEC}. */
function buildIdleTrack(motion: MotionOptions): MotionTrack {
  const n = Math.max(1, Math.round((LIVE_IDLE_LOOP_SEC * motion.fps.num) / motion.fps.den));
  const track = createNeutralTrack(n, motion.fps);
  applyNonverbalMotion(track, { activity: new Float32Array(n), loudness: new Float32Array(n), accents: [] }, motion);
  return track;
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
