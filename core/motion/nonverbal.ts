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
import { MOODS } from './options.ts';
import type { Mood, MotionOptions } from './options.ts';
import { evaluateDirections } from './directions.ts';
import type { DirectionCurves } from './directions.ts';
import { createRng, createSmoothNoise } from './random.ts';
import type { Fps, MotionTrack } from './track.ts';
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
 * happy AU6+AU12, sad AU1+AU4+AU15(+AU17), angry AU4+AU5+AU7+AU23, surprised AU1+AU2+AU5+AU26. Full intensity is a
 * posed, clearly readable expression (the action units near their apex); the default intensity 0.5 gives half.
 * Measured on img01 with JFK speech by TF.js FaceMesh (tests/integration/render/directionsRendered.test.ts): with the
 * first offsets (smile 0.55, frown 0.5, inner brow 0.6) "sad" moved the mouth corners by only ≈ 1× the
 * frame-to-frame spread, so the sad and surprised offsets were raised toward their apex.
 */
export const MOOD_OFFSETS: Readonly<Record<Mood, Readonly<Partial<Record<ArkitBlendshapeName, number>>>>> = Object.freeze({
  neutral: {},
  happy: { mouthSmileLeft: 0.7, mouthSmileRight: 0.7, cheekSquintLeft: 0.4, cheekSquintRight: 0.4, eyeSquintLeft: 0.2, eyeSquintRight: 0.2, mouthDimpleLeft: 0.15, mouthDimpleRight: 0.15 },
  sad: { browInnerUp: 0.85, browDownLeft: 0.2, browDownRight: 0.2, mouthFrownLeft: 0.85, mouthFrownRight: 0.85, mouthShrugLower: 0.35, mouthLowerDownLeft: 0.1, mouthLowerDownRight: 0.1, eyeSquintLeft: 0.1, eyeSquintRight: 0.1 },
  angry: { browDownLeft: 0.8, browDownRight: 0.8, eyeSquintLeft: 0.4, eyeSquintRight: 0.4, noseSneerLeft: 0.35, noseSneerRight: 0.35, mouthPressLeft: 0.35, mouthPressRight: 0.35, eyeWideLeft: 0.1, eyeWideRight: 0.1 },
  surprised: { browInnerUp: 0.9, browOuterUpLeft: 0.9, browOuterUpRight: 0.9, eyeWideLeft: 0.75, eyeWideRight: 0.75, jawOpen: 0.1 },
});

/** Gaze angle (rad) that maps to a full eyeLook* weight of 1 (≈ 29°, ARKit's look range). */
export const GAZE_RAD_PER_LOOK_WEIGHT = 0.5;

const clamp01 = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : v);

/** Step (s) with which a blink schedule skips over time where the directed blink rate is 0. */
const NO_BLINK_STEP_SEC = 0.1;

/**
 * Blink schedule: start times of each blink.
 * @param durationSec - track duration in seconds.
 * @param ratePerMin - mean blinks per minute (0 → none), constant or as a function of time (directed blink rate;
 *   each interval is drawn from the rate at its start, and time where the rate is 0 is skipped in 0.1 s steps).
 * @param seed - user seed.
 * @returns blink start times in seconds, ascending (double blinks appear as two close entries).
 */
export function scheduleBlinks(durationSec: number, ratePerMin: number | ((tSec: number) => number), seed: number): number[] {
  const out: number[] = [];
  const rateAt = typeof ratePerMin === 'number' ? (): number => ratePerMin : ratePerMin;
  if (typeof ratePerMin === 'number' && ratePerMin <= 0) return out;
  const rng = createRng(seed, STREAM.blink);
  let t0 = 0;
  while (rateAt(t0) <= 0) {
    t0 += NO_BLINK_STEP_SEC;
    if (t0 >= durationSec) return out;
  }
  let t = t0 + rng.range(0.4, Math.min(2.0, 60 / rateAt(t0)));
  while (t < durationSec) {
    if (rateAt(t) <= 0) {
      t += NO_BLINK_STEP_SEC;
      continue;
    }
    out.push(t);
    if (rng.next() < 0.15) {
      const t2 = t + rng.range(0.28, 0.42);
      if (t2 < durationSec) out.push(t2);
      t = t2;
    }
    // Interval spread 0.55..1.45 × mean (≈ 2–5 s at 17/min), never below 0.8 s.
    const meanSec = 60 / Math.max(1e-3, rateAt(t));
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
 * Head-motion amplitudes at full strength (radians): smooth drift of yaw/pitch/roll during speech, and the pitch of
 * a nod on a stressed syllable.
 * @remarks Conversational head rotation spans roughly ±10–15° in yaw and ±5–10° in pitch (Hadar et al. 1983;
 * Busso et al. 2007, "Rigid head motion in expressive speech animation", IEEE TASLP 15(3): yaw/pitch standard
 * deviations of ≈ 4–8° while talking). At full strength the drift reaches ±17° yaw; the strength knob is shaped by
 * {@link headMotionGain} so the default (0.5) stays calm.
 */
export const HEAD_MOTION_AMPLITUDE_RAD = Object.freeze({ yaw: 0.3, pitch: 0.11, roll: 0.08, nodPitch: 0.11, nodYaw: 0.04 });

/**
 * Gain of the head-motion strength knob: `strength^1.5`, so full strength shows a clearly moving head while the
 * default 0.5 gives 35 % of it (±6° yaw drift), and small values stay nearly still.
 * @param strength - head-motion strength in [0, 1].
 * @returns the amplitude multiplier in [0, 1].
 */
export function headMotionGain(strength: number): number {
  return strength <= 0 ? 0 : Math.pow(Math.min(1, strength), 1.5);
}

/** Seconds before a stressed syllable's loudness peak at which its nod starts (the nod leads the peak). */
export const NOD_LEAD_SEC = 0.06;
/** Seconds before a stressed syllable's loudness peak at which its brow raise starts. */
export const BROW_LEAD_SEC = 0.08;

/** One head nod: start time in seconds, pitch amplitude (× prominence) and signed yaw share in [-1, 1]. */
export interface Nod {
  tSec: number;
  amp: number;
  yawAmp: number;
}

/**
 * Draws the nod of each accent, in accent order, from the seeded nod stream (so the n-th accent always gets the
 * n-th draw, whether accents arrive all at once offline or one by one live).
 * @param seed - user seed.
 * @returns a function from an accent (time s, prominence [0, 1]) to its {@link Nod}.
 */
export function createNodDrawer(seed: number): (accent: { timeSec: number; prominence: number }) => Nod {
  const nodRng = createRng(seed, STREAM.nod);
  return (a) => ({ tSec: a.timeSec - NOD_LEAD_SEC, amp: a.prominence * nodRng.range(0.7, 1.1), yawAmp: nodRng.range(-1, 1) });
}

/**
 * Adds the head rotation of the nods at a time to an accumulator (radians at full strength, before the gain).
 * @param nods - nods sorted by start time.
 * @param fromIndex - first nod that may still act at `tSec` (nods end 2 s after their start).
 * @param tSec - time in seconds.
 * @param yawPitchRad - `[yaw, pitch]` accumulator, radians, modified in place.
 * @remarks Nod impulse: gamma-like, peak 140 ms after its start, pitch {@link HEAD_MOTION_AMPLITUDE_RAD}.nodPitch ×
 *   amplitude (Hadar et al. 1983: nods co-occur with stressed syllables).
 */
export function addNodRotation(nods: readonly Nod[], fromIndex: number, tSec: number, yawPitchRad: Float64Array): void {
  const A = HEAD_MOTION_AMPLITUDE_RAD;
  for (let j = fromIndex; j < nods.length && nods[j]!.tSec <= tSec; j++) {
    const h = nodShape(tSec - nods[j]!.tSec, 0.14);
    yawPitchRad[1] = yawPitchRad[1]! + A.nodPitch * nods[j]!.amp * h;
    yawPitchRad[0] = yawPitchRad[0]! + A.nodYaw * nods[j]!.amp * nods[j]!.yawAmp * h;
  }
}

/**
 * Brow-raise weight of stressed syllables at a time.
 * @param accents - accents sorted by time (s, prominence in [0, 1]).
 * @param fromIndex - first accent that may still act (accents end 1 s after their time).
 * @param tSec - time in seconds.
 * @returns the strongest accent's raise in [0, 1]: prominence × a 120 ms-peak impulse starting {@link BROW_LEAD_SEC}
 *   before the accent.
 */
export function browAccentAt(accents: ReadonlyArray<{ timeSec: number; prominence: number }>, fromIndex: number, tSec: number): number {
  let b = 0;
  for (let j = fromIndex; j < accents.length && accents[j]!.timeSec - BROW_LEAD_SEC <= tSec; j++) b = Math.max(b, accents[j]!.prominence * nodShape(tSec - accents[j]!.timeSec + BROW_LEAD_SEC, 0.12));
  return b;
}

/**
 * Adds a brow accent to one frame of ARKit weights (inner brow 0.35, outer brows 0.2 at full weight), clamped.
 * @param bs - ARKit-52 weights, `[frames, 52]`.
 * @param offset - index of the frame's first weight.
 * @param intensity - expression intensity in [0, 1].
 * @param browAccent - {@link browAccentAt} in [0, 1].
 */
export function addBrowAccent(bs: Float32Array, offset: number, intensity: number, browAccent: number): void {
  bs[offset + BS.browInnerUp] = clamp01(bs[offset + BS.browInnerUp]! + 0.35 * intensity * browAccent);
  bs[offset + BS.browOuterUpLeft] = clamp01(bs[offset + BS.browOuterUpLeft]! + 0.2 * intensity * browAccent);
  bs[offset + BS.browOuterUpRight] = clamp01(bs[offset + BS.browOuterUpRight]! + 0.2 * intensity * browAccent);
}

/**
 * The head's speech envelope, a causal one-pole follower of speech activity (attack 150 ms, release 600 ms) so the
 * head settles in pauses.
 * @param fps - frame rate of the steps.
 * @returns a step function: give it the activity in [0, 1] of the next frame, it returns that frame's envelope.
 */
export function createSpeechEnvelope(fps: Fps): (activity: number) => number {
  const dt = fps.den / fps.num;
  const aUp = 1 - Math.exp(-dt / 0.15);
  const aDown = 1 - Math.exp(-dt / 0.6);
  let e = 0;
  return (a) => {
    e += (a - e) * (a > e ? aUp : aDown);
    // Single precision, as the per-frame curves are stored (Float32Array).
    return Math.fround(e);
  };
}

/**
 * Head motion of one frame (translation: only y is written, x and z are left as they are): seeded drift (× 0.1 + 0.9 × speech envelope), nods, breathing, all × the strength gain
 * and the {@link REST_ONSET_SEC} onset.
 * @param seed - user seed (the head and breath streams).
 * @returns a function writing the rotation quaternion (x, y, z, w) and translation (m) of time `tSec` given the
 *   envelope in [0, 1], strength in [0, 1] and the nods from `nodIndex` on.
 */
export function createHeadMotion(seed: number): (tSec: number, envelope: number, strength: number, nods: readonly Nod[], nodIndex: number, rotation: Float32Array, rotationOffset: number, translationM: Float32Array, translationOffset: number) => void {
  const A = HEAD_MOTION_AMPLITUDE_RAD;
  const headRng = createRng(seed, STREAM.head);
  const yawNoise = createSmoothNoise(headRng, 0.1, 0.5, 4);
  const pitchNoise = createSmoothNoise(headRng, 0.12, 0.6, 4);
  const rollNoise = createSmoothNoise(headRng, 0.07, 0.35, 3);
  const breathRng = createRng(seed, STREAM.breath);
  const breathHz = breathRng.range(0.22, 0.3);
  const breathPhase = breathRng.range(0, 2 * Math.PI);
  const yp = new Float64Array(2);
  return (t, envelope, strength, nods, nodIndex, rotation, ro, translationM, to) => {
    // The head settles in pauses: 10 % of the drift without speech.
    const amp = 0.1 + 0.9 * envelope;
    yp[0] = A.yaw * amp * yawNoise(t);
    yp[1] = A.pitch * amp * pitchNoise(t);
    const roll = A.roll * amp * rollNoise(t);
    addNodRotation(nods, nodIndex, t, yp);
    const breath = Math.sin(2 * Math.PI * breathHz * t + breathPhase);
    if (strength > 0) {
      const x = clamp01(t / REST_ONSET_SEC);
      const onset = x * x * (3 - 2 * x);
      const k = headMotionGain(strength) * onset;
      // Breathing is not shaped by the gain: a breath lifts the head ≈ 0.2° at any strength above 0.
      const kb = Math.min(1, strength * 2) * onset;
      euler2quatYXZ(k * yp[0]!, k * yp[1]! - kb * 0.004 * breath, k * roll, rotation, ro);
      translationM[to + 1] = kb * 0.0015 * breath;
    } else {
      rotation.set([0, 0, 0, 1], ro);
      translationM.set([0, 0, 0], to);
    }
  };
}

/**
 * Writes blinks, gaze, head pose, breathing, brow accents and mood offsets into a track whose mouth
 * channels are already set. Mouth weights are kept; other channels are overwritten or added to.
 * @param track - track to modify in place (`frameCount` frames at `fps`).
 * @param speech - per-frame speech curves and accents (see {@link SpeechCurves}).
 * @param options - motion options (seed, head strength, blink rate, mood, expression intensity).
 * @param curves - per-frame directions (core/motion/directions.ts `evaluateDirections`); without them the options
 *   hold for the whole clip. Keyframe offsets are added last, on top of speech and mood.
 * @remarks Blinks and gaze use their own seeded streams and never depend on `headMotionStrength`;
 * `headMotionStrength = 0` gives an identity head rotation and zero translation on every frame.
 */
export function applyNonverbalMotion(track: MotionTrack, speech: SpeechCurves, options: MotionOptions, curves?: DirectionCurves): void {
  const n = track.frameCount;
  const fps = track.fps;
  const durationSec = frameTimeSec(n, fps);
  const bs = track.blendshapes;
  const K = ARKIT_BLENDSHAPE_COUNT;
  const dir = curves ?? evaluateDirections(null, n, fps, options);
  const frameAt = (tSec: number): number => Math.min(n - 1, Math.max(0, Math.floor((tSec * fps.num) / fps.den)));

  // Blinks.
  const blinks = scheduleBlinks(durationSec, curves ? (t) => dir.blinkRatePerMin[frameAt(t)]! : options.blinkRatePerMin, options.seed);
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
    let yaw = (prev.yaw + (cur.yaw - prev.yaw) * s) * onset(t);
    let pitch = (prev.pitch + (cur.pitch - prev.pitch) * s) * onset(t);
    const gw = dir.gazeWeight[f]!;
    if (gw > 0) {
      yaw += gw * (dir.gazeTargetRad[f * 2]! - yaw);
      pitch += gw * (dir.gazeTargetRad[f * 2 + 1]! - pitch);
    }
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
  const head = createHeadMotion(options.seed);
  const drawNod = createNodDrawer(options.seed);
  const nods = speech.accents.map(drawNod);
  const env = createSpeechEnvelope(fps);
  let ni = 0;
  for (let f = 0; f < n; f++) {
    const t = frameTimeSec(f, fps);
    const e = env(speech.activity[f]!);
    while (ni < nods.length && nods[ni]!.tSec + 2 < t) ni++;
    head(t, e, dir.headMotionStrength[f]!, nods, ni, track.headRotation, f * 4, track.headTranslationM, f * 3);
  }

  // Brow accents on stressed syllables, then mood offsets (both × expression intensity).
  let ai = 0;
  for (let f = 0; f < n; f++) {
    const intensity = dir.expressionIntensity[f]!;
    if (!(intensity > 0)) continue;
    const t = frameTimeSec(f, fps);
    while (ai < speech.accents.length && speech.accents[ai]!.timeSec + 1 < t) ai++;
    addBrowAccent(bs, f * K, intensity, browAccentAt(speech.accents, ai, t));
  }
  addMoodOffsets(track, dir);
  addKeyframeOffsets(track, dir);
}

const MOOD_ENTRIES = MOODS.map((m) => Object.entries(MOOD_OFFSETS[m]) as Array<[ArkitBlendshapeName, number]>);

/**
 * Adds the mood offsets of the direction curves: per frame Σ over moods of weight × {@link MOOD_OFFSETS} ×
 * expression intensity, clamped to [0, 1].
 * @param track - track modified in place.
 * @param curves - per-frame mood weights and expression intensity of the same frame count.
 */
export function addMoodOffsets(track: MotionTrack, curves: DirectionCurves): void {
  const K = ARKIT_BLENDSHAPE_COUNT;
  const M = MOODS.length;
  const bs = track.blendshapes;
  const sum = new Float64Array(K);
  for (let f = 0; f < track.frameCount; f++) {
    const intensity = curves.expressionIntensity[f]!;
    if (!(intensity > 0)) continue;
    sum.fill(0);
    let any = false;
    for (let m = 0; m < M; m++) {
      const w = curves.moodWeights[f * M + m]!;
      if (w <= 0) continue;
      for (const [name, v] of MOOD_ENTRIES[m]!) {
        sum[BS[name]] = sum[BS[name]]! + w * v;
        any = true;
      }
    }
    if (!any) continue;
    const o = f * K;
    for (let k = 0; k < K; k++) if (sum[k] !== 0) bs[o + k] = clamp01(bs[o + k]! + sum[k]! * intensity);
  }
}

/**
 * Adds the keyframe offsets of the direction curves to the blendshapes, clamped to [0, 1].
 * @param track - track modified in place.
 * @param curves - curves of the same frame count (no-op when they carry no keyframes).
 */
export function addKeyframeOffsets(track: MotionTrack, curves: DirectionCurves): void {
  const off = curves.blendshapeOffsets;
  if (!off) return;
  const bs = track.blendshapes;
  const len = Math.min(bs.length, off.length);
  for (let i = 0; i < len; i++) if (off[i] !== 0) bs[i] = clamp01(bs[i]! + off[i]!);
}

/**
 * Composes directions with a finished track that was not built from speech here (a driving video's track, a
 * saved track): mood ranges (× the expression-intensity curve), gaze targets, keyframes, and the head-motion
 * curve as a scale of the track's own head rotation (1 = as the track has it, 0 = still; the angle of each
 * rotation is scaled, its axis kept). Blink-rate directions do not apply (the blinks are the track's own).
 * @param track - track modified in place.
 * @param curves - curves from `evaluateDirections(directions, frameCount, fps, { headMotionStrength: 1,
 *   expressionIntensity, blinkRatePerMin, mood: 'neutral' })`.
 */
export function composeDirectionsOnTrack(track: MotionTrack, curves: DirectionCurves): void {
  const n = Math.min(track.frameCount, curves.frameCount);
  for (let f = 0; f < n; f++) {
    const s = curves.headMotionStrength[f]!;
    if (s !== 1) {
      const q = track.headRotation.subarray(f * 4, f * 4 + 4);
      const w = Math.max(-1, Math.min(1, q[3]!));
      const half = Math.acos(Math.abs(w));
      const sinHalf = Math.sin(half);
      if (sinHalf > 1e-9) {
        const sign = w < 0 ? -1 : 1;
        const k = Math.sin(half * s) / sinHalf;
        q[0] = sign * q[0]! * k;
        q[1] = sign * q[1]! * k;
        q[2] = sign * q[2]! * k;
        q[3] = Math.cos(half * s);
      }
      const t = track.headTranslationM.subarray(f * 3, f * 3 + 3);
      for (let i = 0; i < 3; i++) t[i] = t[i]! * s;
    }
    const gw = curves.gazeWeight[f]!;
    if (gw > 0) {
      const g = track.gazeRad.subarray(f * 4, f * 4 + 4);
      const yaw = curves.gazeTargetRad[f * 2]!;
      const pitch = curves.gazeTargetRad[f * 2 + 1]!;
      g[0] = g[0]! + gw * (yaw - g[0]!);
      g[1] = g[1]! + gw * (pitch - g[1]!);
      g[2] = g[2]! + gw * (yaw - g[2]!);
      g[3] = g[3]! + gw * (pitch - g[3]!);
    }
  }
  addMoodOffsets(track, curves);
  addKeyframeOffsets(track, curves);
}
