import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildMotionTrack } from '../../../../core/motion/buildMotionTrack.ts';
import { evaluateDirections, keyframeValue, parseDirections, rangeWeight, type DirectionsInput } from '../../../../core/motion/directions.ts';
import { ARKIT_BLENDSHAPE_COUNT, BS } from '../../../../core/motion/names.ts';
import { composeDirectionsOnTrack, MOOD_OFFSETS, scheduleBlinks } from '../../../../core/motion/nonverbal.ts';
import { DEFAULT_MOTION_OPTIONS, MOODS, type MotionOptions } from '../../../../core/motion/options.ts';
import { trackToJson, type MotionTrack } from '../../../../core/motion/track.ts';
import { InvalidInputError } from '../../../../core/errors.ts';
import { decodeAudio } from '../../../../pipeline/audio/decodeAudio.ts';

const CORPUS = resolve(process.cwd(), '../shared/corpus');
const K = ARKIT_BLENDSHAPE_COUNT;
const FPS = { num: 25, den: 1 };

let speech: { samples: Float32Array; sampleRateHz: number };
beforeAll(async () => {
  // JFK, 11 s of continuous speech.
  speech = await decodeAudio(resolve(CORPUS, 'audio/aud01_jfk_en_flac_24bit_44k_stereo.flac'), { sampleRateHz: 16000 });
});
const build = (d: DirectionsInput | null, opts: Partial<MotionOptions> = {}): MotionTrack =>
  buildMotionTrack(speech.samples, speech.sampleRateHz, { ...DEFAULT_MOTION_OPTIONS, ...opts }, undefined, d ? parseDirections(d) : null);
const at = (t: MotionTrack, f: number, k: number): number => t.blendshapes[f * K + k]!;
/** Head yaw (rad) of a frame from its quaternion (Euler 'YXZ'). */
function yawOf(t: MotionTrack, f: number): number {
  const [x, y, z, w] = t.headRotation.subarray(f * 4, f * 4 + 4) as unknown as number[];
  return Math.atan2(2 * (x! * z! + w! * y!), 1 - 2 * (x! * x! + y! * y!));
}
const yawRangeDeg = (t: MotionTrack, f0: number, f1: number): number => {
  let lo = Infinity;
  let hi = -Infinity;
  for (let f = f0; f < f1; f++) {
    lo = Math.min(lo, yawOf(t, f));
    hi = Math.max(hi, yawOf(t, f));
  }
  return ((hi - lo) * 180) / Math.PI;
};

describe('directions', () => {
  it('validates documents with one-line errors and fills defaults', () => {
    const d = parseDirections({ schemaVersion: 1, mood: [{ startSec: 2, endSec: 4, mood: 'happy' }] });
    expect(d.mood[0]!.easeSec).toBe(0.3);
    expect(d.gaze).toEqual([]);
    expect(() => parseDirections({ schemaVersion: 1, mood: [{ startSec: 4, endSec: 2, mood: 'happy' }] })).toThrow(/mood\.0: endSec must be after startSec/);
    expect(() => parseDirections({ schemaVersion: 1, mood: [{ startSec: 0, endSec: 2, mood: 'bored' }] })).toThrow(InvalidInputError);
    expect(() => parseDirections({ schemaVersion: 2 })).toThrow(/schemaVersion 2 is not supported/);
    expect(() => parseDirections({ schemaVersion: 1, keyframes: [{ target: 'nose', keys: [{ timeSec: 0, value: 1 }] }] })).toThrow(/target must be one of brows/);
  });

  it('eases a range inside its bounds and folds later ranges over earlier ones', () => {
    const r = { startSec: 2, endSec: 4, easeSec: 0.5 };
    expect(rangeWeight(r, 1.99)).toBe(0);
    expect(rangeWeight(r, 2)).toBe(0);
    expect(rangeWeight(r, 2.25)).toBeCloseTo(0.5, 6);
    expect(rangeWeight(r, 3)).toBe(1);
    expect(rangeWeight(r, 4.01)).toBe(0);
    const c = evaluateDirections(parseDirections({ schemaVersion: 1, headMotion: [{ startSec: 0, endSec: 10, value: 1, easeSec: 0 }, { startSec: 5, endSec: 6, value: 0, easeSec: 0 }] }), 300, FPS, DEFAULT_MOTION_OPTIONS);
    expect(c.headMotionStrength[100]).toBe(1); // 4 s
    expect(c.headMotionStrength[137]).toBe(0); // 5.48 s: the later range wins
    expect(c.headMotionStrength[260]).toBe(0.5); // 10.4 s: the clip-wide default again
    const m = evaluateDirections(parseDirections({ schemaVersion: 1, mood: [{ startSec: 1, endSec: 3, mood: 'sad', easeSec: 1 }] }), 100, FPS, { ...DEFAULT_MOTION_OPTIONS, mood: 'happy' });
    const M = MOODS.length;
    const row = (f: number): number[] => Array.from(m.moodWeights.subarray(f * M, f * M + M));
    expect(row(0)[MOODS.indexOf('happy')]).toBe(1);
    expect(row(38)[MOODS.indexOf('sad')]).toBeCloseTo(0.53, 2); // 1.52 s: halfway up the 1 s ease (smoothstep 0.52 → 0.530)
    expect(row(38).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
  });

  it('interpolates keyframes (held outside, step/linear/smooth segments)', () => {
    const keys = parseDirections({ schemaVersion: 1, keyframes: [{ target: 'smile', keys: [{ timeSec: 3, value: 0, ease: 'step' }, { timeSec: 1, value: 1, ease: 'linear' }, { timeSec: 5, value: -1 }] }] }).keyframes[0]!.keys;
    expect(keys.map((k) => k.timeSec)).toEqual([1, 3, 5]);
    expect(keyframeValue(keys, 0)).toBe(1);
    expect(keyframeValue(keys, 2)).toBeCloseTo(0.5, 6);
    expect(keyframeValue(keys, 4.9)).toBe(0); // step holds the key's value to the next key
    expect(keyframeValue(keys, 9)).toBe(-1);
  });

  it('a happy range at 2–4 s raises the mouth corners there and nowhere else, on top of the same speech', () => {
    const plain = build(null);
    const happy = build({ schemaVersion: 1, mood: [{ startSec: 2, endSec: 4, mood: 'happy' }] });
    expect(happy.frameCount).toBe(plain.frameCount);
    for (let f = 0; f < plain.frameCount; f++) {
      const t = f / 25;
      const d = at(happy, f, BS.mouthSmileLeft) - at(plain, f, BS.mouthSmileLeft);
      if (t < 2 || t > 4) expect(d, `frame ${f}`).toBe(0);
      else if (t >= 2.3 && t <= 3.7) expect(d, `frame ${f}`).toBeCloseTo(MOOD_OFFSETS.happy.mouthSmileLeft! * DEFAULT_MOTION_OPTIONS.expressionIntensity, 5);
      // Mouth shapes from speech are untouched inside the range too.
      expect(at(happy, f, BS.jawOpen)).toBe(at(plain, f, BS.jawOpen));
    }
    // Head, gaze and blinks are the same track.
    expect(Array.from(happy.headRotation)).toEqual(Array.from(plain.headRotation));
    expect(Array.from(happy.gazeRad)).toEqual(Array.from(plain.gazeRad));
  });

  it('head-motion ranges: full strength turns the head ≥ 15° in yaw over 10 s; a still range holds it still', () => {
    const full = build(null, { headMotionStrength: 1 });
    const def = build(null);
    const fullRange = yawRangeDeg(full, 0, 250);
    const defRange = yawRangeDeg(def, 0, 250);
    console.log(`yaw range over 10 s: full ${fullRange.toFixed(1)}°, default ${defRange.toFixed(1)}°`);
    expect(fullRange).toBeGreaterThanOrEqual(15);
    // Default strength stays calm: well under half the full range (gain 0.5^1.5 = 0.35).
    expect(defRange).toBeLessThan(0.45 * fullRange);
    expect(defRange).toBeGreaterThan(2);
    const still = build({ schemaVersion: 1, headMotion: [{ startSec: 4, endSec: 8, value: 0, easeSec: 0.5 }] }, { headMotionStrength: 1 });
    for (let f = Math.ceil(4.5 * 25); f <= 7.5 * 25; f++) expect(Array.from(still.headRotation.subarray(f * 4, f * 4 + 4))).toEqual([0, 0, 0, 1]);
    for (let f = 0; f < 100; f++) expect(still.headRotation[f * 4 + 1]).toBe(full.headRotation[f * 4 + 1]);
  });

  it('gaze, blink-rate and keyframe directions', () => {
    const d = build({
      schemaVersion: 1,
      gaze: [{ startSec: 1, endSec: 3, target: { yawDeg: 20, pitchDeg: -10 }, easeSec: 0.2 }],
      blinkRate: [{ startSec: 0, endSec: 11, value: 0, easeSec: 0 }],
      keyframes: [{ target: 'brows', keys: [{ timeSec: 5, value: 0 }, { timeSec: 6, value: 1 }, { timeSec: 7, value: 0 }] }],
    });
    const plain = build(null);
    expect(d.gazeRad[50 * 4]).toBeCloseTo((20 * Math.PI) / 180, 6); // 2 s
    expect(d.gazeRad[50 * 4 + 1]).toBeCloseTo((-10 * Math.PI) / 180, 6);
    expect(d.gazeRad[10 * 4]).toBe(plain.gazeRad[10 * 4]);
    let blinks = 0;
    for (let f = 0; f < d.frameCount; f++) blinks += at(d, f, BS.eyeBlinkLeft) > 0.5 ? 1 : 0;
    expect(blinks).toBe(0);
    expect(scheduleBlinks(11, (t) => (t < 5 ? 0 : 30), 1).every((t) => t >= 5)).toBe(true);
    expect(scheduleBlinks(60, (t) => (t < 30 ? 10 : 40), 1).filter((t) => t >= 30).length).toBeGreaterThan(2 * scheduleBlinks(60, (t) => (t < 30 ? 10 : 40), 1).filter((t) => t < 30).length);
    // Brow keyframe: +1 at 6 s adds 1 to browInnerUp (clamped), none before 5 s or after 7 s.
    expect(at(d, 150, BS.browInnerUp)).toBe(1);
    expect(at(d, 150, BS.browOuterUpLeft)).toBe(1);
    expect(at(d, 100, BS.browInnerUp)).toBe(at(plain, 100, BS.browInnerUp));
    expect(at(d, 200, BS.browInnerUp)).toBe(at(plain, 200, BS.browInnerUp));
  });

  it('is deterministic, and without directions equals the plain track', () => {
    const doc: DirectionsInput = { schemaVersion: 1, mood: [{ startSec: 1, endSec: 5, mood: 'surprised' }], expressionIntensity: [{ startSec: 0, endSec: 3, value: 1 }] };
    expect(JSON.stringify(trackToJson(build(doc)))).toBe(JSON.stringify(trackToJson(build(doc))));
    const a = trackToJson(build({ schemaVersion: 1 }));
    const b = trackToJson(build(null));
    delete a.meta;
    delete b.meta;
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });

  it('composes onto a finished track: head scaled by the head-motion curve, moods and keyframes added', () => {
    const base = build(null, { headMotionStrength: 1, expressionIntensity: 0 });
    const copy = structuredClone(base);
    const curves = evaluateDirections(parseDirections({ schemaVersion: 1, headMotion: [{ startSec: 0, endSec: 11, value: 0.5, easeSec: 0 }], mood: [{ startSec: 0, endSec: 11, mood: 'sad', easeSec: 0 }] }), base.frameCount, FPS, { ...DEFAULT_MOTION_OPTIONS, headMotionStrength: 1, mood: 'neutral' });
    composeDirectionsOnTrack(copy, curves);
    expect(yawRangeDeg(copy, 0, 250)).toBeCloseTo(yawRangeDeg(base, 0, 250) / 2, 0);
    expect(at(copy, 100, BS.mouthFrownLeft) - at(base, 100, BS.mouthFrownLeft)).toBeCloseTo(MOOD_OFFSETS.sad.mouthFrownLeft! * DEFAULT_MOTION_OPTIONS.expressionIntensity, 5);
  });
});
