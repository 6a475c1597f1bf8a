/**
 * The motion track: the one representation every motion source produces and every avatar consumes.
 * @remarks DESIGN.md §2. Blendshapes are indexed by {@link ARKIT_BLENDSHAPE_NAMES}, visemes by
 * {@link OVR_VISEME_NAMES}; serialised by name so files stay valid if an order ever changes.
 */
import { z } from 'zod';
import { ARKIT_BLENDSHAPE_COUNT, ARKIT_BLENDSHAPE_NAMES, OVR_VISEME_COUNT, OVR_VISEME_NAMES, arkitIndex, visemeIndex } from './names.ts';
import { InvalidInputError } from '../errors.ts';

/** A frame rate as a rational number of frames per second, e.g. `{num: 30000, den: 1001}`. */
export interface Fps {
  num: number;
  den: number;
}

/** Head pose in the camera frame (three.js convention: +Y up, camera looks down −Z). */
export interface HeadPose {
  /** Rotation quaternion `[x, y, z, w]`, unit length. */
  rotation: [number, number, number, number];
  /** Translation in metres, relative to the rest pose. */
  translationM: [number, number, number];
}

/** Gaze per eye, radians; +yaw looks to the subject's left, +pitch looks up. */
export interface Gaze {
  leftYawRad: number;
  leftPitchRad: number;
  rightYawRad: number;
  rightPitchRad: number;
}

/**
 * A motion track in memory: `frameCount` frames at `fps`.
 * Layouts: `blendshapes` is `[frameCount, 52]` row-major (ARKit order), `visemes` `[frameCount, 15]`
 * (OVR order), `headRotation` `[frameCount, 4]` quaternions xyzw, `headTranslationM` `[frameCount, 3]`,
 * `gazeRad` `[frameCount, 4]` as (leftYaw, leftPitch, rightYaw, rightPitch). Weights are in [0,1].
 */
export interface MotionTrack {
  fps: Fps;
  frameCount: number;
  blendshapes: Float32Array;
  visemes: Float32Array;
  headRotation: Float32Array;
  headTranslationM: Float32Array;
  gazeRad: Float32Array;
  /** Free-form provenance: source file, generator name and version, seed. */
  meta?: Record<string, string | number | boolean>;
}

/** One frame of a track, as views into the track's arrays (do not keep them past the next edit). */
export interface MotionFrame {
  frameIndex: number;
  blendshapes: Float32Array;
  visemes: Float32Array;
  headRotation: Float32Array;
  headTranslationM: Float32Array;
  gazeRad: Float32Array;
}

/**
 * Frame rate as a floating-point number.
 * @param fps - rational fps.
 * @returns `num / den` in frames per second.
 */
export function fpsValue(fps: Fps): number {
  return fps.num / fps.den;
}

/**
 * Parses a frame rate given as `"25"`, `"30000/1001"` or `"29.97"`.
 * @param text - frame rate text; decimals 23.976/29.97/59.94 map to the NTSC rationals.
 * @returns a rational fps with positive integers.
 * @throws InvalidInputError for anything outside 1–240 fps (the bounds of the project file and IPC).
 */
export function parseFps(text: string): Fps {
  const t = text.trim();
  const m = /^(\d+)\s*\/\s*(\d+)$/.exec(t);
  let fps: Fps | null = null;
  if (m) fps = { num: Number(m[1]), den: Number(m[2]) };
  else if (/^\d+(\.\d+)?$/.test(t)) {
    const v = Number(t);
    const ntsc: Record<string, Fps> = { '23.976': { num: 24000, den: 1001 }, '29.97': { num: 30000, den: 1001 }, '59.94': { num: 60000, den: 1001 } };
    fps = ntsc[t] ?? (Number.isInteger(v) ? { num: v, den: 1 } : { num: Math.round(v * 1000), den: 1000 });
  }
  // The same bounds as FpsSchema (core/motion/options.ts), used by the project file and IPC: 1–240 fps.
  if (!fps || fps.den <= 0 || fps.num <= 0 || fps.num > 240_000 || fps.den > 10_000 || fpsValue(fps) > 240 || fpsValue(fps) < 1) throw new InvalidInputError(`Invalid frame rate "${text}": use a rate from 1 to 240 fps, e.g. 25, 30 or 30000/1001`);
  return fps;
}

/**
 * Number of frames that cover a duration, rounded to the nearest frame (at least 1).
 * @param durationSec - duration in seconds, ≥ 0.
 * @param fps - frame rate.
 * @returns `max(1, round(durationSec * fps))`.
 */
export function frameCountForDuration(durationSec: number, fps: Fps): number {
  return Math.max(1, Math.round((durationSec * fps.num) / fps.den));
}

/**
 * Time of a frame's start.
 * @param frameIndex - 0-based frame index.
 * @param fps - frame rate.
 * @returns seconds, `frameIndex * den / num`.
 */
export function frameTimeSec(frameIndex: number, fps: Fps): number {
  return (frameIndex * fps.den) / fps.num;
}

/**
 * Allocates a neutral track: all weights 0, identity head rotation, zero translation and gaze.
 * @param frameCount - number of frames, ≥ 0 integer.
 * @param fps - frame rate.
 * @returns a new track whose arrays are zeroed except `headRotation[w] = 1`.
 */
export function createNeutralTrack(frameCount: number, fps: Fps): MotionTrack {
  const headRotation = new Float32Array(frameCount * 4);
  for (let i = 0; i < frameCount; i++) headRotation[i * 4 + 3] = 1;
  return {
    fps: { ...fps },
    frameCount,
    blendshapes: new Float32Array(frameCount * ARKIT_BLENDSHAPE_COUNT),
    visemes: new Float32Array(frameCount * OVR_VISEME_COUNT),
    headRotation,
    headTranslationM: new Float32Array(frameCount * 3),
    gazeRad: new Float32Array(frameCount * 4),
  };
}

/**
 * Views of one frame.
 * @param track - the track.
 * @param frameIndex - 0-based; clamped to `[0, frameCount-1]`.
 * @returns subarray views (no copy).
 */
export function getFrame(track: MotionTrack, frameIndex: number): MotionFrame {
  const i = Math.min(Math.max(0, Math.floor(frameIndex)), Math.max(0, track.frameCount - 1));
  return {
    frameIndex: i,
    blendshapes: track.blendshapes.subarray(i * ARKIT_BLENDSHAPE_COUNT, (i + 1) * ARKIT_BLENDSHAPE_COUNT),
    visemes: track.visemes.subarray(i * OVR_VISEME_COUNT, (i + 1) * OVR_VISEME_COUNT),
    headRotation: track.headRotation.subarray(i * 4, i * 4 + 4),
    headTranslationM: track.headTranslationM.subarray(i * 3, i * 3 + 3),
    gazeRad: track.gazeRad.subarray(i * 4, i * 4 + 4),
  };
}

/** Current serialisation format version of {@link MotionTrackJson}. */
export const MOTION_TRACK_SCHEMA_VERSION = 1;

const finite = z.number().finite();

/**
 * Most frames a track read from JSON may hold: 4 h at 30 fps (2 h at 60). At 78 floats a frame that is 135 MB of
 * arrays; a larger declared count is refused before anything is allocated. A product limit, not a measurement.
 */
export const MAX_TRACK_FRAMES = 432_000;

/** Largest head translation a track read from JSON may hold, per axis, in metres (a head moves centimetres). */
export const MAX_HEAD_TRANSLATION_M = 1;

/** zod schema of a serialised track (channels by name, values per frame). */
export const MotionTrackJsonSchema = z.object({
  schemaVersion: z.literal(MOTION_TRACK_SCHEMA_VERSION),
  fps: z.object({ num: z.number().int().positive(), den: z.number().int().positive() }),
  frameCount: z.number().int().nonnegative(),
  blendshapes: z.record(z.string(), z.array(finite)),
  visemes: z.record(z.string(), z.array(finite)),
  headRotation: z.array(finite),
  headTranslationM: z.array(finite),
  gazeRad: z.array(finite),
  meta: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
});

/** A track as JSON: blendshapes and visemes keyed by name, each an array of `frameCount` weights. */
export type MotionTrackJson = z.infer<typeof MotionTrackJsonSchema>;

const round6 = (v: number): number => Math.round(v * 1e6) / 1e6;

/**
 * Serialises a track to its JSON form (values rounded to 6 decimals, so output is stable text).
 * @param track - the track.
 * @returns a plain object; `JSON.stringify` it to save.
 */
export function trackToJson(track: MotionTrack): MotionTrackJson {
  const n = track.frameCount;
  const channel = (arr: Float32Array, stride: number, k: number): number[] => {
    const out = new Array<number>(n);
    for (let f = 0; f < n; f++) out[f] = round6(arr[f * stride + k]!);
    return out;
  };
  const blendshapes: Record<string, number[]> = {};
  ARKIT_BLENDSHAPE_NAMES.forEach((name, k) => (blendshapes[name] = channel(track.blendshapes, ARKIT_BLENDSHAPE_COUNT, k)));
  const visemes: Record<string, number[]> = {};
  OVR_VISEME_NAMES.forEach((name, k) => (visemes[name] = channel(track.visemes, OVR_VISEME_COUNT, k)));
  const json: MotionTrackJson = {
    schemaVersion: MOTION_TRACK_SCHEMA_VERSION,
    fps: { ...track.fps },
    frameCount: n,
    blendshapes,
    visemes,
    headRotation: Array.from(track.headRotation, round6),
    headTranslationM: Array.from(track.headTranslationM, round6),
    gazeRad: Array.from(track.gazeRad, round6),
  };
  if (track.meta) json.meta = { ...track.meta };
  return json;
}

/**
 * Reads a track from its JSON form. Unknown blendshape/viseme names are ignored; missing ones are 0.
 * @param input - parsed JSON (unknown shape).
 * @returns the track.
 * @throws InvalidInputError when the JSON does not match the schema, declares more than {@link MAX_TRACK_FRAMES}
 * frames, or its array lengths disagree with `frameCount` (all checked before the track is allocated). Values out
 * of range are clamped (weights to [0,1], gaze to ±π/2 rad, translation to ±1 m; rotations normalised).
 */
export function trackFromJson(input: unknown): MotionTrack {
  const parsed = MotionTrackJsonSchema.safeParse(input);
  if (!parsed.success) throw new InvalidInputError(`Not a motion track: ${parsed.error.issues[0]?.message ?? 'schema mismatch'}`, { issues: parsed.error.issues.slice(0, 5).map((i) => i.path.join('.') + ': ' + i.message) });
  const j = parsed.data;
  const n = j.frameCount;
  if (n > MAX_TRACK_FRAMES) throw new InvalidInputError(`Motion track has ${n} frames, more than the ${MAX_TRACK_FRAMES} a track may hold`, { frameCount: n, maxFrameCount: MAX_TRACK_FRAMES });
  const check = (len: number, want: number, what: string): void => {
    if (len !== want) throw new InvalidInputError(`Motion track ${what} has ${len} values, expected ${want}`);
  };
  // Every length is checked before anything is allocated: a declared frameCount must be backed by its values.
  for (const [name, values] of Object.entries(j.blendshapes)) if (arkitIndex(name) >= 0) check(values.length, n, `blendshape ${name}`);
  for (const [name, values] of Object.entries(j.visemes)) if (visemeIndex(name) >= 0) check(values.length, n, `viseme ${name}`);
  check(j.headRotation.length, n * 4, 'headRotation');
  check(j.headTranslationM.length, n * 3, 'headTranslationM');
  check(j.gazeRad.length, n * 4, 'gazeRad');
  const track = createNeutralTrack(n, j.fps);
  const unit = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : v);
  for (const [name, values] of Object.entries(j.blendshapes)) {
    const k = arkitIndex(name);
    if (k < 0) continue;
    for (let f = 0; f < n; f++) track.blendshapes[f * ARKIT_BLENDSHAPE_COUNT + k] = unit(values[f]!);
  }
  for (const [name, values] of Object.entries(j.visemes)) {
    const k = visemeIndex(name);
    if (k < 0) continue;
    for (let f = 0; f < n; f++) track.visemes[f * OVR_VISEME_COUNT + k] = unit(values[f]!);
  }
  // Weights in [0,1] (DESIGN §2), rotations unit quaternions (a zero one is the identity), translations within
  // ±MAX_HEAD_TRANSLATION_M, gaze within ±π/2: out-of-range values from other tools are clamped, not rendered.
  for (let f = 0; f < n; f++) {
    const q = j.headRotation.slice(f * 4, f * 4 + 4);
    const len = Math.hypot(q[0]!, q[1]!, q[2]!, q[3]!);
    if (len > 1e-9) for (let c = 0; c < 4; c++) j.headRotation[f * 4 + c] = q[c]! / len;
    else j.headRotation.splice(f * 4, 4, 0, 0, 0, 1);
  }
  const clampAll = (a: number[], lim: number): void => {
    for (let i = 0; i < a.length; i++) a[i] = Math.min(lim, Math.max(-lim, a[i]!));
  };
  clampAll(j.headTranslationM, MAX_HEAD_TRANSLATION_M);
  clampAll(j.gazeRad, Math.PI / 2);
  track.headRotation.set(j.headRotation);
  track.headTranslationM.set(j.headTranslationM);
  track.gazeRad.set(j.gazeRad);
  if (j.meta) track.meta = { ...j.meta };
  return track;
}
