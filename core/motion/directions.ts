/**
 * Directions: how a performance is directed over time. Mood, expression intensity, head-motion strength, gaze
 * target and blink rate as time ranges with eased edges, plus manual keyframes for ARKit groups (brows, smile,
 * eyes) or single ARKit blendshapes. A directions document is evaluated once per frame into
 * {@link DirectionCurves}, which the non-verbal motion (core/motion/nonverbal.ts) reads instead of the
 * clip-wide options; so the preview, the export and the CLI compose the audio-derived track with the same curves.
 *
 * @remarks
 * Composition rules (DESIGN.md §2, "tracks compose"):
 * - A range's weight is 0 outside `[startSec, endSec]`, rises with a smoothstep over its first `easeSec` and falls
 *   over its last `easeSec` (eased edges stay inside the range, so a range never changes frames outside it).
 *   Ranges of one kind fold in document order: `value ← value + w · (rangeValue − value)`, starting from the
 *   clip-wide option, so a later range wins where ranges overlap.
 * - Mood is a weight per mood (the clip-wide mood at weight 1, then each range folds in); the offsets are the
 *   weight-blended {@link MOOD_OFFSETS} × the expression-intensity curve.
 * - Gaze ranges pull the gaze toward their target with the range weight (the procedural saccades fade out).
 * - Keyframes are additive offsets on the finished blendshapes (clamped to [0, 1]), interpolated between keys and
 *   held before the first and after the last key (After Effects / Blender hold semantics).
 * Smoothstep easing: `x²(3 − 2x)` (Perlin 1985 / GLSL `smoothstep`).
 */
import { z } from 'zod';
import { InvalidInputError } from '../errors.ts';
import { ARKIT_BLENDSHAPE_COUNT, ARKIT_BLENDSHAPE_NAMES, BS } from './names.ts';
import type { ArkitBlendshapeName } from './names.ts';
import { MOODS } from './options.ts';
import type { Mood, MotionOptions } from './options.ts';
import type { Fps } from './track.ts';
import { frameTimeSec } from './track.ts';

/** Current version of the directions document. */
export const DIRECTIONS_SCHEMA_VERSION = 1;

/** Longest time (s) a direction may refer to: 24 h. */
const MAX_TIME_SEC = 86_400;

/** Default ease (s) at each end of a range: 0.3 s, about the onset of a posed expression (Ekman & Friesen 1982). */
export const DEFAULT_RANGE_EASE_SEC = 0.3;

const timeSec = z.number().finite().min(0).max(MAX_TIME_SEC);

const rangeFields = {
  startSec: timeSec,
  endSec: timeSec,
  easeSec: z.number().finite().min(0).max(60).default(DEFAULT_RANGE_EASE_SEC),
};
const checkOrder = (r: { startSec: number; endSec: number }): boolean => r.endSec > r.startSec;
const orderMessage = { message: 'endSec must be after startSec' };

/** A mood held over a time range. */
export const MoodRangeSchema = z.object({ ...rangeFields, mood: z.enum(MOODS) }).refine(checkOrder, orderMessage);
/** A value in [0, 1] held over a time range (expression intensity, head-motion strength). */
export const UnitRangeSchema = z.object({ ...rangeFields, value: z.number().min(0).max(1) }).refine(checkOrder, orderMessage);
/** A blink rate (blinks per minute, 0..60) held over a time range. */
export const BlinkRangeSchema = z.object({ ...rangeFields, value: z.number().min(0).max(60) }).refine(checkOrder, orderMessage);

/**
 * Where the eyes look: at the camera, away (to the side and slightly down, as when thinking), or a point given as
 * gaze angles in degrees (+yaw = the subject's left, +pitch = up; each within ±30°, ARKit's look range).
 */
export const GazeTargetSchema = z.union([
  z.literal('camera'),
  z.literal('away'),
  z.object({ yawDeg: z.number().min(-30).max(30), pitchDeg: z.number().min(-30).max(30) }),
]);
/** See {@link GazeTargetSchema}. */
export type GazeTarget = z.infer<typeof GazeTargetSchema>;
/** A gaze target held over a time range. */
export const GazeRangeSchema = z.object({ ...rangeFields, target: GazeTargetSchema }).refine(checkOrder, orderMessage);

/** Groups of ARKit blendshapes a keyframe channel can drive with one signed value. */
export const KEYFRAME_GROUPS = Object.freeze(['brows', 'smile', 'eyes', 'jaw'] as const);
/** One keyframe group. */
export type KeyframeGroup = (typeof KEYFRAME_GROUPS)[number];

/**
 * What a group's value drives: positive values add `value × weight` to the `up` blendshapes, negative values add
 * `−value × weight` to the `down` ones.
 * @remarks FACS: brows up AU1+AU2 / down AU4; smile AU12 / frown AU15; eyes wide AU5 / closed AU43; jaw AU26.
 */
export const KEYFRAME_GROUP_TARGETS: Readonly<Record<KeyframeGroup, { up: readonly ArkitBlendshapeName[]; down: readonly ArkitBlendshapeName[] }>> = Object.freeze({
  brows: { up: ['browInnerUp', 'browOuterUpLeft', 'browOuterUpRight'], down: ['browDownLeft', 'browDownRight'] },
  smile: { up: ['mouthSmileLeft', 'mouthSmileRight'], down: ['mouthFrownLeft', 'mouthFrownRight'] },
  eyes: { up: ['eyeWideLeft', 'eyeWideRight'], down: ['eyeBlinkLeft', 'eyeBlinkRight'] },
  jaw: { up: ['jawOpen'], down: [] },
});

/** Interpolation from a key to the next one. */
export const KEY_EASES = Object.freeze(['linear', 'smooth', 'step'] as const);

/** One keyframe: a value in [-1, 1] at a time; `ease` shapes the segment from this key to the next. */
export const KeyframeSchema = z.object({ timeSec, value: z.number().min(-1).max(1), ease: z.enum(KEY_EASES).default('smooth') });

/** A keyframed channel: a group (brows, smile, eyes, jaw) or one ARKit blendshape name, with its keys. */
export const KeyframeChannelSchema = z.object({
  target: z.string().refine((t) => (KEYFRAME_GROUPS as readonly string[]).includes(t) || (ARKIT_BLENDSHAPE_NAMES as readonly string[]).includes(t), {
    message: `target must be one of ${KEYFRAME_GROUPS.join(', ')} or an ARKit blendshape name`,
  }),
  keys: z.array(KeyframeSchema).min(1).max(10_000),
});

/** zod schema of a directions document (every list defaults to empty). */
export const DirectionsSchema = z.object({
  schemaVersion: z.literal(DIRECTIONS_SCHEMA_VERSION),
  mood: z.array(MoodRangeSchema).max(1000).default([]),
  expressionIntensity: z.array(UnitRangeSchema).max(1000).default([]),
  headMotion: z.array(UnitRangeSchema).max(1000).default([]),
  blinkRate: z.array(BlinkRangeSchema).max(1000).default([]),
  gaze: z.array(GazeRangeSchema).max(1000).default([]),
  keyframes: z.array(KeyframeChannelSchema).max(200).default([]),
});
/** A validated directions document. */
export type Directions = z.infer<typeof DirectionsSchema>;
/** A directions document as written (defaults not yet filled). */
export type DirectionsInput = z.input<typeof DirectionsSchema>;

/** Directions that change nothing. */
export function emptyDirections(): Directions {
  return { schemaVersion: DIRECTIONS_SCHEMA_VERSION, mood: [], expressionIntensity: [], headMotion: [], blinkRate: [], gaze: [], keyframes: [] };
}

/**
 * Validates a directions document (from a JSON file, the UI or IPC) and fills defaults.
 * @param input - parsed JSON.
 * @returns the directions.
 * @throws InvalidInputError naming the first bad field (e.g. `mood.0.endSec: endSec must be after startSec`).
 */
export function parseDirections(input: unknown): Directions {
  if (input && typeof input === 'object' && 'schemaVersion' in input && (input as { schemaVersion: unknown }).schemaVersion !== DIRECTIONS_SCHEMA_VERSION) {
    throw new InvalidInputError(`Directions schemaVersion ${String((input as { schemaVersion: unknown }).schemaVersion)} is not supported (this version reads ${DIRECTIONS_SCHEMA_VERSION})`);
  }
  const r = DirectionsSchema.safeParse(input);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new InvalidInputError(`Invalid directions: ${i ? `${i.path.join('.') || 'document'}: ${i.message}` : 'schema mismatch'}`);
  }
  // Keys sorted by time, so documents written in any order evaluate the same.
  for (const ch of r.data.keyframes) ch.keys.sort((a, b) => a.timeSec - b.timeSec);
  return r.data;
}

/** True when the directions change nothing. */
export function isEmptyDirections(d: Directions): boolean {
  return d.mood.length + d.expressionIntensity.length + d.headMotion.length + d.blinkRate.length + d.gaze.length + d.keyframes.length === 0;
}

const clamp01 = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : v);
const smooth = (x: number): number => {
  const c = clamp01(x);
  return c * c * (3 - 2 * c);
};

/**
 * Weight of a range at a time.
 * @param range - start, end and ease in seconds.
 * @param tSec - time in seconds.
 * @returns 0 outside `[startSec, endSec]`, 1 in its middle, smoothstep ramps of `min(easeSec, length/2)` at both
 *   ends (inside the range).
 */
export function rangeWeight(range: { startSec: number; endSec: number; easeSec: number }, tSec: number): number {
  if (tSec < range.startSec || tSec > range.endSec) return 0;
  const ease = Math.min(range.easeSec, (range.endSec - range.startSec) / 2);
  if (ease <= 0) return 1;
  return Math.min(smooth((tSec - range.startSec) / ease), smooth((range.endSec - tSec) / ease));
}

/**
 * Value of a keyframe channel at a time.
 * @param keys - keys sorted by time (at least one).
 * @param tSec - time in seconds.
 * @returns the held first/last value outside the keys, else the segment interpolated by the earlier key's ease.
 */
export function keyframeValue(keys: ReadonlyArray<{ timeSec: number; value: number; ease: (typeof KEY_EASES)[number] }>, tSec: number): number {
  const first = keys[0]!;
  if (tSec <= first.timeSec) return first.value;
  for (let i = 0; i + 1 < keys.length; i++) {
    const a = keys[i]!;
    const b = keys[i + 1]!;
    if (tSec >= b.timeSec) continue;
    const span = b.timeSec - a.timeSec;
    const x = span > 0 ? (tSec - a.timeSec) / span : 1;
    const s = a.ease === 'step' ? 0 : a.ease === 'linear' ? x : smooth(x);
    return a.value + (b.value - a.value) * s;
  }
  return keys[keys.length - 1]!.value;
}

/** Gaze angles (rad) of the `away` target: 17° to the subject's right and 6° down (a thinking glance). */
export const AWAY_GAZE_RAD = Object.freeze({ yawRad: -0.3, pitchRad: -0.1 });

/**
 * Per-frame curves of a directions document, the input of the non-verbal motion.
 * Layouts: scalar curves `[frameCount]`; `moodWeights` `[frameCount, MOODS.length]` (MOODS order, each row sums
 * to 1); `gazeWeight` `[frameCount]` in [0,1] with `gazeTargetRad` `[frameCount, 2]` (yaw, pitch);
 * `blendshapeOffsets` `[frameCount, 52]` additive keyframe offsets (ARKit order), or null without keyframes.
 */
export interface DirectionCurves {
  frameCount: number;
  headMotionStrength: Float32Array;
  expressionIntensity: Float32Array;
  blinkRatePerMin: Float32Array;
  moodWeights: Float32Array;
  gazeWeight: Float32Array;
  gazeTargetRad: Float32Array;
  blendshapeOffsets: Float32Array | null;
}

function gazeTargetRad(target: GazeTarget): { yawRad: number; pitchRad: number } {
  if (target === 'camera') return { yawRad: 0, pitchRad: 0 };
  if (target === 'away') return AWAY_GAZE_RAD;
  return { yawRad: (target.yawDeg * Math.PI) / 180, pitchRad: (target.pitchDeg * Math.PI) / 180 };
}

/**
 * Evaluates directions at every frame of a track.
 * @param directions - validated directions (see {@link parseDirections}); `null` = none.
 * @param frameCount - frames of the track.
 * @param fps - its frame rate.
 * @param base - the clip-wide options the ranges start from (head strength, intensity, blink rate, mood).
 * @param startSec - timeline time of frame 0 in seconds, ≥ 0 (default 0; live mode passes where its session starts
 *   on the timeline): frame f is evaluated at `startSec + f × den/num`.
 * @returns the curves (see {@link DirectionCurves}); with no directions every curve is the constant option.
 */
export function evaluateDirections(directions: Directions | null, frameCount: number, fps: Fps, base: Pick<MotionOptions, 'headMotionStrength' | 'expressionIntensity' | 'blinkRatePerMin' | 'mood'>, startSec = 0): DirectionCurves {
  const d = directions ?? emptyDirections();
  const M = MOODS.length;
  const curves: DirectionCurves = {
    frameCount,
    headMotionStrength: new Float32Array(frameCount),
    expressionIntensity: new Float32Array(frameCount),
    blinkRatePerMin: new Float32Array(frameCount),
    moodWeights: new Float32Array(frameCount * M),
    gazeWeight: new Float32Array(frameCount),
    gazeTargetRad: new Float32Array(frameCount * 2),
    blendshapeOffsets: d.keyframes.length > 0 ? new Float32Array(frameCount * ARKIT_BLENDSHAPE_COUNT) : null,
  };
  const baseMood = MOODS.indexOf(base.mood as Mood);
  const fold = (v: number, ranges: ReadonlyArray<{ startSec: number; endSec: number; easeSec: number; value: number }>, t: number): number => {
    for (const r of ranges) {
      const w = rangeWeight(r, t);
      if (w > 0) v += w * (r.value - v);
    }
    return v;
  };
  const gazeTargets = d.gaze.map((g) => gazeTargetRad(g.target));
  for (let f = 0; f < frameCount; f++) {
    const t = startSec + frameTimeSec(f, fps);
    curves.headMotionStrength[f] = fold(base.headMotionStrength, d.headMotion, t);
    curves.expressionIntensity[f] = fold(base.expressionIntensity, d.expressionIntensity, t);
    curves.blinkRatePerMin[f] = fold(base.blinkRatePerMin, d.blinkRate, t);
    const mw = curves.moodWeights.subarray(f * M, f * M + M);
    mw[baseMood] = 1;
    for (const r of d.mood) {
      const w = rangeWeight(r, t);
      if (w <= 0) continue;
      for (let m = 0; m < M; m++) mw[m] = mw[m]! * (1 - w);
      mw[MOODS.indexOf(r.mood)] = mw[MOODS.indexOf(r.mood)]! + w;
    }
    let g = 0;
    let yaw = 0;
    let pitch = 0;
    d.gaze.forEach((r, i) => {
      const w = rangeWeight(r, t);
      if (w <= 0) return;
      const gNew = g + w * (1 - g);
      yaw = (yaw * g * (1 - w) + gazeTargets[i]!.yawRad * w) / gNew;
      pitch = (pitch * g * (1 - w) + gazeTargets[i]!.pitchRad * w) / gNew;
      g = gNew;
    });
    curves.gazeWeight[f] = g;
    curves.gazeTargetRad[f * 2] = yaw;
    curves.gazeTargetRad[f * 2 + 1] = pitch;
  }
  if (curves.blendshapeOffsets) {
    const K = ARKIT_BLENDSHAPE_COUNT;
    const off = curves.blendshapeOffsets;
    for (const ch of d.keyframes) {
      const group = (KEYFRAME_GROUPS as readonly string[]).includes(ch.target) ? KEYFRAME_GROUP_TARGETS[ch.target as KeyframeGroup] : null;
      const single = group ? -1 : BS[ch.target as ArkitBlendshapeName];
      for (let f = 0; f < frameCount; f++) {
        const v = keyframeValue(ch.keys, startSec + frameTimeSec(f, fps));
        if (v === 0) continue;
        if (!group) off[f * K + single] = off[f * K + single]! + v;
        else for (const name of v > 0 ? group.up : group.down) off[f * K + BS[name]] = off[f * K + BS[name]]! + Math.abs(v);
      }
    }
  }
  return curves;
}
