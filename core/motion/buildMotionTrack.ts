/**
 * Speech audio → {@link MotionTrack}: lip-sync from the speech analysis, then blinks, gaze, head motion,
 * breathing and mood. Pure and deterministic: same samples + same options → identical track.
 */
import { InvalidInputError } from '../errors.ts';
import type { AbortSignalLike } from '../errors.ts';
import { throwIfAborted } from '../errors.ts';
import { createSpeechAnalyzer } from '../audio/speechAnalysis.ts';
import type { SpeechAnalysis } from '../audio/speechAnalysis.ts';
import { applyLipSync } from './lipsync.ts';
import { applyNonverbalMotion } from './nonverbal.ts';
import type { SpeechCurves } from './nonverbal.ts';
import { MotionOptionsSchema } from './options.ts';
import type { MotionOptions } from './options.ts';
import type { MotionTrack } from './track.ts';
import { evaluateDirections, isEmptyDirections } from './directions.ts';
import type { Directions } from './directions.ts';
import { createNeutralTrack, frameCountForDuration, frameTimeSec } from './track.ts';

/** Name and version written into `track.meta.generator`. */
export const MOTION_GENERATOR = 'avatar-studio/speech-dsp@1';

/** A streaming track builder: push mono chunks, then `finish()` once. */
export interface MotionTrackBuilder {
  /** Feeds mono samples in [-1, 1] at the builder's rate. */
  push(samples: Float32Array): void;
  /** Ends the input and builds the track (duration = samples pushed / rate, rounded to the frame). */
  finish(): MotionTrack;
}

function validate(options: MotionOptions): MotionOptions {
  const r = MotionOptionsSchema.safeParse(options);
  if (!r.success) throw new InvalidInputError(`Invalid motion options: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return r.data;
}

function sampleCurve(curve: Float32Array, hopSec: number, tSec: number): number {
  const i = Math.round(tSec / hopSec);
  return curve.length === 0 ? 0 : curve[Math.min(curve.length - 1, Math.max(0, i))]!;
}

/**
 * Turns a finished speech analysis into a track.
 * @param analysis - the speech analysis (10 ms curves).
 * @param durationSec - audio duration in seconds (sets `frameCount = max(1, round(durationSec × fps))`).
 * @param options - validated motion options.
 * @param directions - optional directions over time (core/motion/directions.ts), composed with the speech motion.
 * @returns the track, with `meta` = generator, seed, options summary.
 */
export function motionTrackFromAnalysis(analysis: SpeechAnalysis, durationSec: number, options: MotionOptions, directions?: Directions | null): MotionTrack {
  const opts = validate(options);
  const frameCount = frameCountForDuration(durationSec, opts.fps);
  const track = createNeutralTrack(frameCount, opts.fps);
  applyLipSync(track, analysis);
  const activity = new Float32Array(frameCount);
  const loudness = new Float32Array(frameCount);
  for (let f = 0; f < frameCount; f++) {
    const t = frameTimeSec(f, opts.fps);
    activity[f] = sampleCurve(analysis.activity, analysis.hopSec, t);
    loudness[f] = sampleCurve(analysis.loudness, analysis.hopSec, t);
  }
  const speech: SpeechCurves = { activity, loudness, accents: analysis.accents };
  const directed = directions && !isEmptyDirections(directions) ? directions : null;
  applyNonverbalMotion(track, speech, opts, directed ? evaluateDirections(directed, frameCount, opts.fps, opts) : undefined);
  track.meta = {
    generator: MOTION_GENERATOR,
    seed: opts.seed,
    headMotionStrength: opts.headMotionStrength,
    blinkRatePerMin: opts.blinkRatePerMin,
    mood: opts.mood,
    expressionIntensity: opts.expressionIntensity,
    durationSec: Math.round(durationSec * 1e6) / 1e6,
  };
  if (directed) track.meta.directions = true;
  return track;
}

/**
 * Creates a streaming builder (memory stays flat: only 10 ms feature rows are kept, never the audio).
 * @param sampleRateHz - rate of the pushed samples, 8000..192000 Hz.
 * @param options - motion options (validated here).
 * @param directions - optional directions over time, composed with the speech motion.
 * @returns the builder.
 * @throws InvalidInputError for invalid options or sample rate.
 */
export function createMotionTrackBuilder(sampleRateHz: number, options: MotionOptions, directions?: Directions | null): MotionTrackBuilder {
  const opts = validate(options);
  if (!(sampleRateHz >= 8000 && sampleRateHz <= 192000)) throw new InvalidInputError(`Sample rate ${sampleRateHz} Hz is outside 8000..192000`);
  const analyzer = createSpeechAnalyzer(sampleRateHz);
  let done = false;
  return {
    push(samples) {
      if (done) throw new InvalidInputError('MotionTrackBuilder: push after finish');
      analyzer.push(samples);
    },
    finish() {
      if (done) throw new InvalidInputError('MotionTrackBuilder: finish called twice');
      done = true;
      const durationSec = analyzer.sampleCount / sampleRateHz;
      return motionTrackFromAnalysis(analyzer.finish(), durationSec, opts, directions);
    },
  };
}

/**
 * Builds a motion track from mono speech samples.
 * @param samples - mono samples in [-1, 1] (NaN/∞ are treated as 0).
 * @param sampleRateHz - their rate in Hz, 8000..192000 (16000 recommended).
 * @param options - motion options; start from {@link DEFAULT_MOTION_OPTIONS}.
 * @param signal - optional cancellation (checked between analysis blocks).
 * @param directions - optional directions over time (mood, intensity, head motion, gaze, blinks, keyframes).
 * @returns a track of `max(1, round(duration × fps))` frames: visemes, ARKit weights in [0,1], head
 *   rotation quaternions (xyzw), head translation (m) and gaze (rad).
 * @throws InvalidInputError for invalid options or sample rate.
 * @throws JobCancelledError when `signal.aborted`.
 */
export function buildMotionTrack(samples: Float32Array, sampleRateHz: number, options: MotionOptions, signal?: AbortSignalLike, directions?: Directions | null): MotionTrack {
  const b = createMotionTrackBuilder(sampleRateHz, options, directions);
  const block = 1 << 16;
  for (let i = 0; i < samples.length; i += block) {
    throwIfAborted(signal);
    const chunk = samples.subarray(i, Math.min(samples.length, i + block));
    let bad = false;
    for (let k = 0; k < chunk.length; k++) if (!Number.isFinite(chunk[k]!)) bad = true;
    b.push(bad ? chunk.map((v) => (Number.isFinite(v) ? v : 0)) : chunk);
  }
  return b.finish();
}
