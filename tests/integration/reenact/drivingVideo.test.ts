/**
 * Driving-video reenactment on real videos: the solved track follows vid02's known mouth intervals, every
 * tricky input (vertical, black lead-in/fades, rotated, 29.97 fps, 300 frames) gives a track of the right
 * length, and rendered outputs have the right duration and a mouth that follows the driver.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HAS_CORPUS, corpus, pearson, probe, readVideoFramesRgba } from '../../helpers/media.ts';
import { runCli } from '../../helpers/cli.ts';
import { FaceAnalyzer } from '../../../pipeline/face/faceAnalyzer.ts';
import { drivingTrackFromObservations, trackDrivingVideo } from '../../../pipeline/reenact/drivingVideo.ts';
import { frameCountForDuration } from '../../../core/motion/track.ts';
import { BS } from '../../../core/motion/names.ts';
import { LIP_INNER_LOWER, LIP_INNER_UPPER, EYE_LEFT_OUTER, EYE_RIGHT_OUTER } from '../../../core/face/topology.ts';

const FPS = { num: 25, den: 1 };

function meanOver(track: { blendshapes: Float32Array }, k: number, fromSec: number, toSec: number): number {
  let s = 0;
  let n = 0;
  for (let f = Math.round(fromSec * 25); f < Math.round(toSec * 25); f++) {
    s += track.blendshapes[f * 52 + k]!;
    n++;
  }
  return s / n;
}

describe.skipIf(!HAS_CORPUS)('driving-video reenactment', () => {
  let analyzer: FaceAnalyzer;
  let dir: string;
  beforeAll(async () => {
    analyzer = await FaceAnalyzer.create();
    dir = await mkdtemp(join(tmpdir(), 'as-drive-'));
  });
  afterAll(async () => {
    await analyzer?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('vid02: jawOpen and mouthFunnel follow the O-mouth (2.2–3.0 s) and wide-open (3.9–4.8 s) intervals', { timeout: 600_000 }, async () => {
    const { info, observations } = await trackDrivingVideo(corpus('video/vid02_man_mouth_O_then_wide_silent_track_480p30.mp4'), analyzer);
    expect(info.fps).toEqual({ num: 30, den: 1 });
    expect(observations).toHaveLength(216);
    const { track, report } = drivingTrackFromObservations(observations, FPS, frameCountForDuration(info.durationSec, FPS));
    expect(report.missingFaceCount).toBe(0);
    // the reference is a neutral frame, outside both open-mouth intervals
    expect(report.referenceTimeSec < 2.0 || report.referenceTimeSec > 5.2 || (report.referenceTimeSec > 3.1 && report.referenceTimeSec < 3.8)).toBe(true);
    const jawO = meanOver(track, BS.jawOpen, 2.3, 2.9);
    const jawWide = meanOver(track, BS.jawOpen, 4.0, 4.7);
    const jawRest = meanOver(track, BS.jawOpen, 5.6, 7.0);
    const funnelO = meanOver(track, BS.mouthFunnel, 2.3, 2.9) + meanOver(track, BS.mouthPucker, 2.3, 2.9);
    const funnelWide = meanOver(track, BS.mouthFunnel, 4.0, 4.7) + meanOver(track, BS.mouthPucker, 4.0, 4.7);
    console.log(`vid02: jawOpen O ${jawO.toFixed(3)}, wide ${jawWide.toFixed(3)}, rest ${jawRest.toFixed(3)}; funnel+pucker O ${funnelO.toFixed(3)}, wide ${funnelWide.toFixed(3)}; reference ${report.referenceTimeSec.toFixed(2)} s`);
    expect(jawO).toBeGreaterThan(0.5);
    expect(jawWide).toBeGreaterThan(0.6);
    expect(jawRest).toBeLessThan(0.15);
    expect(funnelO).toBeGreaterThan(funnelWide + 0.05);
  });

  it('vid02 onto img06: the rendered portrait opens its mouth in the O (2.2–3.0 s) and wide (3.9–4.8 s) intervals only', { timeout: 600_000 }, async () => {
    const out = join(dir, 'vid02.mp4');
    const r = await runCli(['render', '--portrait', corpus('images/img06_monalisa_painting_pd.jpg'), '--driving-video', corpus('video/vid02_man_mouth_O_then_wide_silent_track_480p30.mp4'), '--out', out, '--size', '256', '--quiet']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const frames = await readVideoFramesRgba(out, 256, 256);
    const gapAt = async (sec: number): Promise<number> => {
      const a = await analyzer.analyze({ rgba: frames[Math.round(sec * 25)]!, widthPx: 256, heightPx: 256, hadAlpha: false }, { maxFaces: 1 });
      const lm = a.faces[0]!.landmarksPx;
      return Math.hypot(lm[LIP_INNER_UPPER * 3]! - lm[LIP_INNER_LOWER * 3]!, lm[LIP_INNER_UPPER * 3 + 1]! - lm[LIP_INNER_LOWER * 3 + 1]!) / Math.hypot(lm[EYE_LEFT_OUTER * 3]! - lm[EYE_RIGHT_OUTER * 3]!, lm[EYE_LEFT_OUTER * 3 + 1]! - lm[EYE_RIGHT_OUTER * 3 + 1]!);
    };
    const mean = async (secs: number[]): Promise<number> => (await Promise.all(secs.map(gapAt))).reduce((a, b) => a + b, 0) / secs.length;
    const gapO = await mean([2.4, 2.6, 2.8]);
    const gapWide = await mean([4.1, 4.3, 4.5]);
    const gapRest = await mean([0.2, 1.9, 3.5, 6.0, 6.8]);
    console.log(`vid02 → img06 rendered lip gap / eye width: O ${gapO.toFixed(3)}, wide ${gapWide.toFixed(3)}, rest ${gapRest.toFixed(3)}`);
    expect(gapO).toBeGreaterThan(2 * gapRest);
    expect(gapWide).toBeGreaterThan(3 * gapRest);
  });

  const TRICKY = [
    { file: 'bugs/b05_vertical_480x854_talking.mp4', frames: 175 },
    { file: 'bugs/b06_black_lead_fade_in_out_talking.mp4', frames: 225, expectMissing: true },
    { file: 'bugs/b07b_talking_rotate90_displaymatrix.mp4', frames: 175 },
    { file: 'bugs/b12_mouth_29.97fps.mp4', frames: 216 },
    { file: 'bugs/b12b_talking_29.97fps.mp4', frames: 210 },
    { file: 'bugs/b15_talking_25fps_300frames.mp4', frames: 300 },
  ];
  for (const c of TRICKY) {
    it(`${c.file}: every frame tracked or reported, track length = duration × fps`, { timeout: 600_000 }, async () => {
      const { info, observations } = await trackDrivingVideo(corpus(c.file), analyzer);
      expect(observations).toHaveLength(c.frames);
      const found = observations.filter((o) => o.landmarksPx);
      const frameCount = frameCountForDuration(info.durationSec, FPS);
      const { track, report } = drivingTrackFromObservations(observations, FPS, frameCount);
      expect(track.frameCount).toBe(frameCount);
      expect(report.missingFaceCount).toBe(observations.length - found.length);
      if (c.expectMissing) {
        // 1 s of black lead-in and tail: those frames have no face and are reported, never fatal
        expect(report.missingFaceCount).toBeGreaterThanOrEqual(30);
        expect(report.missingRanges[0]!.fromSec).toBe(0);
      } else expect(found.length).toBeGreaterThanOrEqual(c.frames - 2);
      // upright after the rotation metadata: the eyes are level in the frames as displayed (for b07b the
      // display matrix turns the face by 90°, so the eye line is vertical there)
      const lm = found[Math.floor(found.length / 2)]!.landmarksPx!;
      const dx = lm[EYE_LEFT_OUTER * 3]! - lm[EYE_RIGHT_OUTER * 3]!;
      const dy = lm[EYE_LEFT_OUTER * 3 + 1]! - lm[EYE_RIGHT_OUTER * 3 + 1]!;
      if (info.rotationDeg === 90 || info.rotationDeg === 270) expect(Math.abs(dy)).toBeGreaterThan(Math.abs(dx));
      else expect(Math.abs(dx)).toBeGreaterThan(Math.abs(dy));
      for (const v of track.blendshapes) expect(Number.isFinite(v)).toBe(true);
    });
  }

  it('vid01 onto img01 with its own audio: duration equal to the input within one frame, mouth follows the driver', { timeout: 900_000 }, async () => {
    const out = join(dir, 'vid01.mp4');
    const r = await runCli(['render', '--portrait', corpus('images/img01_frontal_ai_man_jpeg-named-png.png'), '--driving-video', corpus('video/vid01_talking_man_own_speech_480p25.mp4'), '--out', out, '--size', '256', '--quiet']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const p = await probe(out);
    const src = await probe(corpus('video/vid01_talking_man_own_speech_480p25.mp4'));
    expect(p.video?.codec).toBe('h264');
    expect(p.audio?.codec).toBe('aac');
    expect(Math.abs(p.formatDurationSec - src.formatDurationSec)).toBeLessThanOrEqual(1 / 25 + 0.03);
    expect(p.video?.frameCount).toBe(Math.round(src.audio!.durationSec * 25));

    // The rendered portrait's lip gap vs the driver's lip gap, frame by frame.
    const frames = await readVideoFramesRgba(out, 256, 256);
    const { observations } = await trackDrivingVideo(corpus('video/vid01_talking_man_own_speech_480p25.mp4'), analyzer);
    const gap = (lm: Float32Array): number => Math.hypot(lm[LIP_INNER_UPPER * 3]! - lm[LIP_INNER_LOWER * 3]!, lm[LIP_INNER_UPPER * 3 + 1]! - lm[LIP_INNER_LOWER * 3 + 1]!) / Math.hypot(lm[EYE_LEFT_OUTER * 3]! - lm[EYE_RIGHT_OUTER * 3]!, lm[EYE_LEFT_OUTER * 3 + 1]! - lm[EYE_RIGHT_OUTER * 3 + 1]!);
    const ours: number[] = [];
    const theirs: number[] = [];
    for (let f = 0; f < Math.min(frames.length, observations.length); f += 3) {
      const a = await analyzer.analyze({ rgba: frames[f]!, widthPx: 256, heightPx: 256, hadAlpha: false }, { maxFaces: 1 });
      const d = observations[f]!.landmarksPx;
      if (!d) continue;
      ours.push(gap(a.faces[0]!.landmarksPx));
      theirs.push(gap(d));
    }
    const r2 = pearson(ours, theirs);
    console.log(`vid01 → img01: lip-gap correlation with the driver r=${r2.toFixed(3)} over ${ours.length} frames`);
    expect(r2).toBeGreaterThan(0.6);
  });
});
