/**
 * Non-verbal motion: blinks, gaze (saccades and holds), head motion that follows speech, breathing,
 * brow accents and moods. Everything is a pure function of (speech curves, options, seed).
 *
 * @remarks
 * Timing constants follow the eye-movement and conversational-gesture literature:
 * - Spontaneous blink rate ≈ 17/min at rest (Bentivoglio et al. 1997, "Analysis of blink rate patterns
 *   in normal subjects", Mov. Disord. 12(6)); blink duration ≈ 100–400 ms with a fast closing phase and a
 *   slower opening (Kwon et al. 2013); double blinks occur in ≈ 10–20 % of blinks.
 * - Saccades of 5–15° last 30–60 ms; fixations/gaze holds ≈ 0.3–3 s; a speaker looks at the listener
 *   roughly 40–70 % of the time (Argyle & Cook 1976, "Gaze and Mutual Gaze").
 * - Head nods co-occur with stressed syllables / pitch accents (Hadar et al. 1983, "Head movement
 *   correlates of juncture and stress at sentence level", Lang. Speech 26(2)); the head is mostly still
 *   in pauses. Amplitudes of a few degrees.
 * - Quiet breathing ≈ 12–20 breaths/min.
 * Channel semantics: head yaw > 0 turns to the subject's left (+X in the camera frame), pitch > 0 tilts
 * the face down (rotation about +X for a face looking down +Z), roll > 0 rotates about +Z.
 */
import { ARKIT_BLENDSHAPE_COUNT, BS } from './names.ts';
import type { ArkitBlendshapeName } from './names.ts';
import type { Mood, MotionOptions } from './options.ts';
import { createRng, createSmoothNoise } from './random.ts';
import type { MotionTrack } from './track.ts';
import { frameTimeSec } from './track.ts';

/** Seeded stream ids: each kind of motion draws from its own stream so knobs never shift other schedules. */
const STREAM = Object.freeze({ blink: 1, gaze: 2, head: 3, nod: 4, breath: 5 });

/** Speech curves sampled at the track's frame times, the input of {@link applyNonverbalMotion}. */
export interface SpeechCurves {
  /** Speech activity per frame in [0, 1] (0 = pause/silence). */
  activity: Float32Array;
  /** Normalised loudness per frame in [0, 1]. */
  loudness: Float32Array;
  /** Stressed-syllable events: time in seconds and prominence in [0, 1]. */
  accents: ReadonlyArray<{ timeSec: number; prominence: number }>;
}

/**
 * Blendshape offsets of each mood at full intensity (weights in [0,1], added to speech and clamped).
 * @remarks Chosen from FACS action units of the prototypical expressions (Ekman & Friesen 1978):
 * happy AU6+AU12, sad AU1+AU4+AU15, angry AU4+AU5+AU7+AU23, surprised AU1+AU2+AU5+AU26.
 */
export const MOOD_OFFSETS: Readonly<Record<Mood, Readonly<Partial<Record<ArkitBlendshapeName, number>>>>> = Object.freeze({
  neutral: {},
  happy: { mouthSmileLeft: 0.55, mouthSmileRight: 0.55, cheekSquintLeft: 0.35, cheekSquintRight: 0.35, eyeSquintLeft: 0.2, eyeSquintRight: 0.2, mouthDimpleLeft: 0.15, mouthDimpleRight: 0.15 },
  sad: { browInnerUp: 0.6, browDownLeft: 0.15, browDownRight: 0.15, mouthFrownLeft: 0.5, mouthFrownRight: 0.5, mouthShrugLower: 0.2, eyeSquintLeft: 0.1, eyeSquintRight: 0.1 },
  angry: { browDownLeft: 0.7, browDownRight: 0.7, eyeSquintLeft: 0.35, eyeSquintRight: 0.35, noseSneerLeft: 0.3, noseSneerRight: 0.3, mouthPressLeft: 0.3, mouthPressRight: 0.3, eyeWideLeft: 0.1, eyeWideRight: 0.1 },
  surprised: { browInnerUp: 0.7, browOuterUpLeft: 0.7, browOuterUpRight: 0.7, eyeWideLeft: 0.6, eyeWideRight: 0.6, jawOpen: 0.06 },
});

/** Gaze angle (rad) that maps to a full eyeLook* weight of 1 (≈ 29°, ARKit's look range). */
export const GAZE_RAD_PER_LOOK_WEIGHT = 0.5;

const clamp01 = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : v);

/**
 * Blink schedule: start times of each blink.
 * @param durationSec - track duration in seconds.
 * @param ratePerMin - mean blinks per minute (0 → none).
 * @param seed - user seed.
 * @returns blink start times in seconds, ascending (double blinks appear as two close entries).
 */
export function scheduleBlinks(durationSec: number, ratePerMin: number, seed: number): number[] {
  const out: number[] = [];
  if (ratePerMin <= 0) return out;
  const rng = createRng(seed, STREAM.blink);
  const meanSec = 60 / ratePerMin;
  let t = rng.range(0.4, Math.min(2.0, meanSec));
  while (t < durationSec) {
    out.push(t);
    if (rng.next() < 0.15) {
      const t2 = t + rng.range(0.28, 0.42);
      if (t2 < durationSec) out.push(t2);
      t = t2;
    }
    // Interval spread 0.55..1.45 × mean (≈ 2–5 s at 17/min), never below 0.8 s.
    t += Math.max(0.8, meanSec * (0.55 + 0.9 * rng.next()));
  }
  return out;
}

/**
 * Eyelid closure of one blink at a time offset.
 * @param dtSec - time since the blink started, seconds.
 * @returns closure in [0,1]: 80 ms closing (ease-in), 40 ms closed, 170 ms opening (ease-out).
 */
export function blinkShape(dtSec: number): number {
  const close = 0.08;
  const hold = 0.04;
  const open = 0.17;
  if (dtSec < 0 || dtSec > close + hold + open) return 0;
  if (dtSec < close) {
    const x = dtSec / close;
    return x * x * (3 - 2 * x);
  }
  if (dtSec < close + hold) return 1;
  const x = (dtSec - close - hold) / open;
  return 1 - x * x * (3 - 2 * x);
}

function euler2quatYXZ(yaw: number, pitch: number, roll: number, out: Float32Array, o: number): void {
  // three.js Quaternion.setFromEuler, order 'YXZ' (x = pitch, y = yaw, z = roll).
  const c1 = Math.cos(pitch / 2);
  const c2 = Math.cos(yaw / 2);
  const c3 = Math.cos(roll / 2);
  const s1 = Math.sin(pitch / 2);
  const s2 = Math.sin(yaw / 2);
  const s3 = Math.sin(roll / 2);
  out[o] = s1 * c2 * c3 + c1 * s2 * s3;
  out[o + 1] = c1 * s2 * c3 - s1 * c2 * s3;
  out[o + 2] = c1 * c2 * s3 - s1 * s2 * c3;
  out[o + 3] = c1 * c2 * c3 + s1 * s2 * s3;
}

/**
 * Quaternion (x, y, z, w) of a head pose given as Euler angles in three.js order 'YXZ'.
 * @param yawRad - rotation about +Y (turn to the subject's left when > 0).
 * @param pitchRad - rotation about +X (face tilts down when > 0).
 * @param rollRad - rotation about +Z.
 * @returns a unit quaternion `[x, y, z, w]`.
 */
export function headQuaternionFromEuler(yawRad: number, pitchRad: number, rollRad: number): [number, number, number, number] {
  const q = new Float32Array(4);
  euler2quatYXZ(yawRad, pitchRad, rollRad, q, 0);
  return [q[0]!, q[1]!, q[2]!, q[3]!];
}

/**
 * Seconds over which gaze and head motion ease in from rest (smoothstep), so the first frame shows the
 * portrait exactly as photographed.
 */
export const REST_ONSET_SEC = 0.5;

/** Impulse response of a nod: rises to 1 at `peakSec` and decays (gamma-like), zero before 0. */
function nodShape(dtSec: number, peakSec: number): number {
  if (dtSec <= 0) return 0;
  const x = dtSec / peakSec;
  return x > 8 ? 0 : x * Math.exp(1 - x);
}

/**
 * Writes blinks, gaze, head pose, breathing, brow accents and mood offsets into a track whose mouth
 * channels are already set. Mouth weights are kept; other channels are overwritten or added to.
 * @param track - track to modify in place (`frameCount` frames at `fps`).
 * @param speech - per-frame speech curves and accents (see {@link SpeechCurves}).
 * @param options - motion options (seed, head strength, blink rate, mood, expression intensity).
 * @remarks Blinks and gaze use their own seeded streams and never depend on `headMotionStrength`;
 * `headMotionStrength = 0` gives an identity head rotation and zero translation on every frame.
 */
export function applyNonverbalMotion(track: MotionTrack, speech: SpeechCurves, options: MotionOptions): void {
  const n = track.frameCount;
  const fps = track.fps;
  const durationSec = frameTimeSec(n, fps);
  const bs = track.blendshapes;
  const K = ARKIT_BLENDSHAPE_COUNT;

  // Blinks.
  const blinks = scheduleBlinks(durationSec, options.blinkRatePerMin, options.seed);
  const blinkRng = createRng(options.seed, STREAM.blink + 100);
  const blinkPeak = blinks.map(() => blinkRng.range(0.92, 1));
  let bi = 0;
  for (let f = 0; f < n; f++) {
    const t = frameTimeSec(f, fps);
    while (bi < blinks.length && blinks[bi]! + 0.3 < t) bi++;
    let c = 0;
    for (let j = bi; j < blinks.length && blinks[j]! <= t; j++) c = Math.max(c, blinkPeak[j]! * blinkShape(t - blinks[j]!));
    bs[f * K + BS.eyeBlinkLeft] = c;
    bs[f * K + BS.eyeBlinkRight] = c;
  }

  // Gaze: holds of 0.6–3 s, mostly at the camera, saccades of 40 ms, tiny micro-saccade drift.
  const gazeRng = createRng(options.seed, STREAM.gaze);
  type Hold = { t0: number; yaw: number; pitch: number };
  const holds: Hold[] = [];
  for (let t = 0; t < durationSec + 3; ) {
    const atCamera = holds.length === 0 || gazeRng.next() < 0.6;
    const yaw = atCamera ? gazeRng.range(-0.02, 0.02) : gazeRng.range(0.05, 0.16) * (gazeRng.next() < 0.5 ? -1 : 1);
    const pitch = atCamera ? gazeRng.range(-0.015, 0.015) : gazeRng.range(-0.09, 0.05);
    holds.push({ t0: t, yaw, pitch });
    t += atCamera ? gazeRng.range(1.0, 3.2) : gazeRng.range(0.5, 1.4);
  }
  const saccadeSec = 0.04;
  // The first frame is the photo at rest: gaze and head motion ease in over REST_ONSET_SEC.
  const onset = (t: number): number => {
    const x = clamp01(t / REST_ONSET_SEC);
    return x * x * (3 - 2 * x);
  };
  let hi = 0;
  for (let f = 0; f < n; f++) {
    const t = frameTimeSec(f, fps);
    while (hi + 1 < holds.length && holds[hi + 1]!.t0 <= t) hi++;
    const cur = holds[hi]!;
    const prev = hi > 0 ? holds[hi - 1]! : cur;
    const x = clamp01((t - cur.t0) / saccadeSec);
    const s = x * x * (3 - 2 * x);
    const yaw = (prev.yaw + (cur.yaw - prev.yaw) * s) * onset(t);
    const pitch = (prev.pitch + (cur.pitch - prev.pitch) * s) * onset(t);
    const g = f * 4;
    track.gazeRad[g] = yaw;
    track.gazeRad[g + 1] = pitch;
    track.gazeRad[g + 2] = yaw;
    track.gazeRad[g + 3] = pitch;
    const o = f * K;
    const w = yaw / GAZE_RAD_PER_LOOK_WEIGHT;
    const p = pitch / GAZE_RAD_PER_LOOK_WEIGHT;
    bs[o + BS.eyeLookOutLeft] = clamp01(w);
    bs[o + BS.eyeLookInRight] = clamp01(w);
    bs[o + BS.eyeLookInLeft] = clamp01(-w);
    bs[o + BS.eyeLookOutRight] = clamp01(-w);
    bs[o + BS.eyeLookUpLeft] = clamp01(p);
    bs[o + BS.eyeLookUpRight] = clamp01(p);
    bs[o + BS.eyeLookDownLeft] = clamp01(-p);
    bs[o + BS.eyeLookDownRight] = clamp01(-p);
  }

  // Head: drift that grows with speech activity, nods on accents, breathing; all × strength.
  const strength = options.headMotionStrength;
  const headRng = createRng(options.seed, STREAM.head);
  const yawNoise = createSmoothNoise(headRng, 0.07, 0.5, 4);
  const pitchNoise = createSmoothNoise(headRng, 0.09, 0.6, 4);
  const rollNoise = createSmoothNoise(headRng, 0.05, 0.35, 3);
  const nodRng = createRng(options.seed, STREAM.nod);
  const nods = speech.accents.map((a) => ({ t: a.timeSec - 0.06, amp: a.prominence * nodRng.range(0.7, 1.1), yawAmp: nodRng.range(-0.3, 0.3) }));
  const breathRng = createRng(options.seed, STREAM.breath);
  const breathHz = breathRng.range(0.22, 0.3);
  const breathPhase = breathRng.range(0, 2 * Math.PI);
  // Speech envelope for the head: attack 150 ms, release 600 ms, so the head settles in pauses.
  const env = new Float32Array(n);
  const dt = fps.den / fps.num;
  const aUp = 1 - Math.exp(-dt / 0.15);
  const aDown = 1 - Math.exp(-dt / 0.6);
  let e = 0;
  for (let f = 0; f < n; f++) {
    const a = speech.activity[f]!;
    e += (a - e) * (a > e ? aUp : aDown);
    env[f] = e;
  }
  let ni = 0;
  for (let f = 0; f < n; f++) {
    const t = frameTimeSec(f, fps);
    const amp = 0.25 + 0.75 * env[f]!;
    let yaw = 0.07 * amp * yawNoise(t);
    let pitch = 0.035 * amp * pitchNoise(t);
    const roll = 0.03 * amp * rollNoise(t);
    while (ni < nods.length && nods[ni]!.t + 2 < t) ni++;
    for (let j = ni; j < nods.length && nods[j]!.t <= t; j++) {
      const h = nodShape(t - nods[j]!.t, 0.14);
      pitch += 0.05 * nods[j]!.amp * h;
      yaw += 0.02 * nods[j]!.amp * nods[j]!.yawAmp * h;
    }
    const breath = Math.sin(2 * Math.PI * breathHz * t + breathPhase);
    pitch -= 0.004 * breath;
    if (strength > 0) {
      const k = strength * onset(t);
      euler2quatYXZ(k * yaw, k * pitch, k * roll, track.headRotation, f * 4);
      track.headTranslationM[f * 3 + 1] = k * 0.0015 * breath;
    } else {
      track.headRotation.set([0, 0, 0, 1], f * 4);
      track.headTranslationM.set([0, 0, 0], f * 3);
    }
  }

  // Brow accents on stressed syllables, then mood offsets (both × expression intensity).
  const intensity = options.expressionIntensity;
  if (intensity > 0) {
    let ai = 0;
    for (let f = 0; f < n; f++) {
      const t = frameTimeSec(f, fps);
      while (ai < speech.accents.length && speech.accents[ai]!.timeSec + 1 < t) ai++;
      let b = 0;
      for (let j = ai; j < speech.accents.length && speech.accents[j]!.timeSec - 0.08 <= t; j++) b = Math.max(b, speech.accents[j]!.prominence * nodShape(t - speech.accents[j]!.timeSec + 0.08, 0.12));
      const o = f * K;
      bs[o + BS.browInnerUp] = clamp01(bs[o + BS.browInnerUp]! + 0.35 * intensity * b);
      bs[o + BS.browOuterUpLeft] = clamp01(bs[o + BS.browOuterUpLeft]! + 0.2 * intensity * b);
      bs[o + BS.browOuterUpRight] = clamp01(bs[o + BS.browOuterUpRight]! + 0.2 * intensity * b);
    }
    const offsets = MOOD_OFFSETS[options.mood];
    const entries = Object.entries(offsets) as Array<[ArkitBlendshapeName, number]>;
    for (let f = 0; f < n; f++) {
      const o = f * K;
      for (const [name, v] of entries) bs[o + BS[name]] = clamp01(bs[o + BS[name]]! + v * intensity);
    }
  }
}
