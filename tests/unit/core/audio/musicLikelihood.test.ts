import { describe, expect, it } from 'vitest';
import { analyzeSpeech } from '../../../../core/audio/speechAnalysis.ts';
import { buildMotionTrack } from '../../../../core/motion/buildMotionTrack.ts';
import { DEFAULT_MOTION_OPTIONS } from '../../../../core/motion/options.ts';
import { ARKIT_BLENDSHAPE_COUNT, BS } from '../../../../core/motion/names.ts';
import { decodeAudio } from '../../../../pipeline/audio/decodeAudio.ts';
import { HAS_CORPUS, corpus } from '../../../helpers/media.ts';

const SR = 16000;
const mean = (v: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]!;
  return s / Math.max(1, v.length);
};
const max = (v: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < v.length; i++) m = Math.max(m, v[i]!);
  return m;
};
async function load(rel: string): Promise<Float32Array> {
  return (await decodeAudio(corpus(rel), { sampleRateHz: SR })).samples;
}
function trackJawMean(samples: Float32Array): number {
  const tr = buildMotionTrack(samples, SR, DEFAULT_MOTION_OPTIONS);
  let s = 0;
  for (let f = 0; f < tr.frameCount; f++) s += tr.blendshapes[f * ARKIT_BLENDSHAPE_COUNT + BS.jawOpen]!;
  return s / tr.frameCount;
}

// Speech and singing of the corpus: what the lips must keep following.
const VOICE = ['audio/aud01_jfk_en_flac_24bit_44k_stereo.flac', 'audio/aud03_german_wav_24bit_48k_stereo.wav', 'audio/aud04_singing_24k_mono.wav', 'audio/aud05_noisy_speech_vctk_p287_003.wav', 'video/vid01_talking_man_own_speech_480p25.mp4', 'video/vid03_woman_talking_expressive_512p30.mp4', 'video/vid04_child_talking_512p25.mp4', 'video/vid05_man_excited_wide_mouth_512p25.mp4'];
const MUSIC = 'video/vid06_woman_winks_gaze_512p30.mp4';

describe.skipIf(!HAS_CORPUS)('speech vs music (core/audio/musicLikelihood.ts: steady-partial energy share)', () => {
  it('reads the instrumental track of vid06 as music and takes the speech activity back', async () => {
    const x = await load(MUSIC);
    const a = analyzeSpeech(x, SR);
    // Before the discriminator the music drove the jaw like speech (analysis jawOpen mean 0.120, track 0.250).
    expect(mean(a.musicLikelihood)).toBeGreaterThan(0.5);
    expect(mean(a.jawOpen)).toBeLessThan(0.09);
    // The track's mouth: at most 60 % of the least-open voice clip's mean opening (0.153 for noisy aud05, 0.27–0.35 clean).
    expect(trackJawMean(x)).toBeLessThan(0.6 * 0.25);
  }, 120_000);

  it('reads every speech and singing file of the corpus as voice (music likelihood ≈ 0, jaw unchanged)', async () => {
    for (const rel of VOICE) {
      const a = analyzeSpeech(await load(rel), SR);
      expect(max(a.musicLikelihood), rel).toBeLessThan(0.05);
    }
    // Singing (sustained notes, vibrato) still opens the jaw like speech: track jawOpen mean 0.288 with or without the cue.
    expect(trackJawMean(await load('audio/aud04_singing_24k_mono.wav'))).toBeGreaterThan(0.25);
  }, 240_000);

  it('keeps speech over music as speech: JFK with vid06\'s music 6 dB under it', async () => {
    const speech = await load('audio/aud01_jfk_en_flac_24bit_44k_stereo.flac');
    const music = await load(MUSIC);
    const rms = (v: Float32Array): number => Math.sqrt(mean(v.map((s) => s * s)));
    const k = (rms(speech) / rms(music)) * 10 ** (-6 / 20);
    const mix = speech.map((s, i) => 0.5 * (s + k * (music[i] ?? 0)));
    const a = analyzeSpeech(mix, SR);
    expect(mean(a.musicLikelihood)).toBeLessThan(0.1);
    expect(mean(a.jawOpen)).toBeGreaterThan(0.18);
  }, 120_000);
});
