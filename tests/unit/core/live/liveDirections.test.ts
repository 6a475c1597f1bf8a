import { describe, expect, it } from 'vitest';
import { createLiveMotion, LIVE_ACCENT_DELAY_SEC, LIVE_LOOKAHEAD_SEC, type LiveFrame, type LiveMotionOptions } from '../../../../core/live/liveMotion.ts';
import { analyzeSpeech } from '../../../../core/audio/speechAnalysis.ts';
import { buildMotionTrack } from '../../../../core/motion/buildMotionTrack.ts';
import { parseDirections } from '../../../../core/motion/directions.ts';
import type { Directions } from '../../../../core/motion/directions.ts';
import { ARKIT_BLENDSHAPE_COUNT, BS } from '../../../../core/motion/names.ts';
import { addNodRotation, createNodDrawer } from '../../../../core/motion/nonverbal.ts';
import { DEFAULT_MOTION_OPTIONS } from '../../../../core/motion/options.ts';
import type { MotionOptions } from '../../../../core/motion/options.ts';
import { decodeAudio } from '../../../../pipeline/audio/decodeAudio.ts';
import { corpus, HAS_CORPUS, pearson } from '../../../helpers/media.ts';

const K = ARKIT_BLENDSHAPE_COUNT;
const FPS = { num: 30, den: 1 };

function runLive(samples: Float32Array, sampleRateHz: number, options: Omit<LiveMotionOptions, 'lookAheadSec'>): { frames: LiveFrame[]; accents: ReadonlyArray<{ timeSec: number; prominence: number }> } {
  const live = createLiveMotion(sampleRateHz, { lookAheadSec: LIVE_LOOKAHEAD_SEC.standard, ...options });
  const frames: LiveFrame[] = [];
  for (let i = 0; i < samples.length; i += 128) {
    live.push(samples.subarray(i, i + 128));
    frames.push(...live.pull());
  }
  return { frames, accents: live.accents };
}

/** Head pitch (rad, three.js Euler 'YXZ' x angle) of a quaternion (x, y, z, w). */
function pitchOf(q: ArrayLike<number>): number {
  const [x, y, z, w] = [q[0]!, q[1]!, q[2]!, q[3]!];
  return Math.asin(Math.max(-1, Math.min(1, 2 * (w * x - y * z))));
}

/** Nod pitch (rad at full strength) of accents at each frame time, through the offline nod functions. */
function nodPitchCurve(accents: ReadonlyArray<{ timeSec: number; prominence: number }>, seed: number, frameCount: number): number[] {
  const nods = accents.map(createNodDrawer(seed));
  const yp = new Float64Array(2);
  return Array.from({ length: frameCount }, (_, f) => {
    yp.fill(0);
    addNodRotation(nods, 0, f / FPS.num, yp);
    return yp[1]!;
  });
}

const mean = (a: number[]): number => a.reduce((s, v) => s + v, 0) / a.length;

describe.skipIf(!HAS_CORPUS)('live mode: speech accents and the timeline directions (core/live/liveMotion.ts)', () => {
  it('nods on the same stressed syllables as offline (gt02 spontaneous speech, 26 s), shown LIVE_ACCENT_DELAY_SEC late', async () => {
    const d = await decodeAudio(corpus('groundtruth/gt02_acoustic_corpus_26s.wav'), { sampleRateHz: 16000 });
    const motion: MotionOptions = { ...DEFAULT_MOTION_OPTIONS, fps: FPS };
    const offline = buildMotionTrack(d.samples, d.sampleRateHz, motion);
    const offAccents = analyzeSpeech(d.samples, d.sampleRateHz).accents;
    const { frames, accents } = runLive(d.samples, d.sampleRateHz, { motion });
    const n = frames.length;
    // Accent detection: the same syllables (within 50 ms) as the offline analysis.
    const matched = accents.filter((a) => offAccents.some((o) => Math.abs(o.timeSec - a.timeSec) <= 0.05)).length;
    // The accent-driven pitch through the shared nod maths: live accents vs offline accents, same time axis.
    const rAccents = pearson(nodPitchCurve(accents, motion.seed, n), nodPitchCurve(offAccents, motion.seed, n));
    // The whole head pitch of the frames: live(t + delay) against offline(t) (nods line up, drift does not), and
    // unshifted (drift lines up, nods do not).
    const lag = Math.round(LIVE_ACCENT_DELAY_SEC * FPS.num);
    const livePitch = frames.map((f) => pitchOf(f.headRotation));
    const offPitch = frames.map((f) => pitchOf(offline.headRotation.subarray(f.frameIndex * 4, f.frameIndex * 4 + 4)));
    const rShifted = pearson(livePitch.slice(lag), offPitch.slice(0, n - lag));
    const rUnshifted = pearson(livePitch, offPitch);
    console.log(`gt02: accents live ${accents.length} offline ${offAccents.length} matched ${matched}; r nod pitch ${rAccents.toFixed(3)}; r head pitch shifted ${rShifted.toFixed(3)} unshifted ${rUnshifted.toFixed(3)}`);
    expect(offAccents.length).toBeGreaterThan(20);
    expect(matched / offAccents.length).toBeGreaterThan(0.6);
    expect(rAccents).toBeGreaterThan(0.6);
    expect(rShifted).toBeGreaterThan(0.6);
    // No snap when an accent is found: its motion starts after the frame being computed, so the live pitch steps
    // no more per frame than the offline one (× 1.25 for the drift's different envelope).
    const maxStep = (x: number[]): number => x.slice(1).reduce((m, v, i) => Math.max(m, Math.abs(v - x[i]!)), 0);
    const browLive = frames.map((f) => f.blendshapes[BS.browInnerUp]!);
    const browOff = frames.map((f) => offline.blendshapes[f.frameIndex * K + BS.browInnerUp]!);
    console.log(`gt02: max pitch step live ${maxStep(livePitch).toFixed(5)} offline ${maxStep(offPitch).toFixed(5)} rad; max browInnerUp step live ${maxStep(browLive).toFixed(3)} offline ${maxStep(browOff).toFixed(3)}`);
    expect(maxStep(livePitch)).toBeLessThan(1.25 * maxStep(offPitch));
    expect(maxStep(browLive)).toBeLessThan(1.25 * maxStep(browOff) + 0.01);
    // Brows rise on the live accents too (offline adds up to 0.35 × intensity × prominence to browInnerUp).
    expect(Math.max(...frames.map((f) => f.blendshapes[BS.browInnerUp]!))).toBeGreaterThan(0.05);
  }, 180_000);

  it('a mood direction moves the mouth corners live as it does offline, on the session clock from directionsStartSec', async () => {
    const d = await decodeAudio(corpus('groundtruth/gt02_acoustic_corpus_26s.wav'), { sampleRateHz: 16000 });
    const samples = d.samples.subarray(0, 8 * d.sampleRateHz);
    const motion: MotionOptions = { ...DEFAULT_MOTION_OPTIONS, fps: FPS };
    const cornerMean = (frames: ArrayLike<{ bs: Float32Array; o: number }>, name: 'mouthSmileLeft' | 'mouthFrownLeft'): number => mean(Array.from(frames, (x) => x.bs[x.o + BS[name]]!));
    const moodRun = (directions: Directions | null, startSec = 0): { live: number[]; off: number[]; liveFrown: number[]; offFrown: number[] } => {
      const off = buildMotionTrack(samples, d.sampleRateHz, motion, undefined, directions);
      const { frames } = runLive(samples, d.sampleRateHz, { motion, directions, directionsStartSec: startSec });
      // After the 0.3 s ease of the range.
      const kept = frames.filter((f) => f.timeSec >= 0.5);
      return {
        live: [cornerMean(kept.map((f) => ({ bs: f.blendshapes, o: 0 })), 'mouthSmileLeft')],
        off: [cornerMean(kept.map((f) => ({ bs: off.blendshapes, o: f.frameIndex * K })), 'mouthSmileLeft')],
        liveFrown: [cornerMean(kept.map((f) => ({ bs: f.blendshapes, o: 0 })), 'mouthFrownLeft')],
        offFrown: [cornerMean(kept.map((f) => ({ bs: off.blendshapes, o: f.frameIndex * K })), 'mouthFrownLeft')],
      };
    };
    const none = moodRun(null);
    const happy = moodRun(parseDirections({ schemaVersion: 1, mood: [{ startSec: 0, endSec: 60, mood: 'happy' }] }));
    const sad = moodRun(parseDirections({ schemaVersion: 1, mood: [{ startSec: 0, endSec: 60, mood: 'sad' }] }));
    // The same range placed at 100–160 s on the timeline, the session started at 100 s: the same mood live.
    const later = moodRun(parseDirections({ schemaVersion: 1, mood: [{ startSec: 100, endSec: 160, mood: 'happy' }] }), 100);
    const dSmileLive = happy.live[0]! - none.live[0]!;
    const dSmileOff = happy.off[0]! - none.off[0]!;
    const dFrownLive = sad.liveFrown[0]! - none.liveFrown[0]!;
    const dFrownOff = sad.offFrown[0]! - none.offFrown[0]!;
    console.log(`mood on gt02 0–8 s: smile +${dSmileLive.toFixed(3)} live / +${dSmileOff.toFixed(3)} offline; frown +${dFrownLive.toFixed(3)} live / +${dFrownOff.toFixed(3)} offline; at start 100 s smile +${(later.live[0]! - none.live[0]!).toFixed(3)}`);
    // Default intensity 0.5 × MOOD_OFFSETS (happy smile 0.7, sad frown 0.85), less what the clamp at 1 takes.
    expect(dSmileOff).toBeGreaterThan(0.25);
    expect(dFrownOff).toBeGreaterThan(0.3);
    expect(Math.abs(dSmileLive - dSmileOff)).toBeLessThan(0.02);
    expect(Math.abs(dFrownLive - dFrownOff)).toBeLessThan(0.02);
    expect(later.live[0]).toBeCloseTo(happy.live[0]!, 6);
  }, 180_000);
});
