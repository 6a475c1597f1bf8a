/**
 * The closed photo-head eye's line against the same person's real closed eyes (issue #12: eyelids that blink as skin,
 * "a lash line"): per clip, a frame with the eyes open is the portrait (eyeBlink 1 on top of its rest expression,
 * 512²), the clip's own blinks are the answer: vid06 (frames 18, 142, 202; the closed line's constants were set on it)
 * and, held out, vid03 (frames 222, 223, 332–335: winged liner and mascara, a much heavier closed line).
 *
 * @remarks Measures (tests/helpers/lashProfile.ts `closedLine`, luma Rec. 601, between the eye corners 33/133 and
 * 362/263, profiles across the corner line from 20 % to 80 % of the way, each against its 80th-percentile luma):
 * - core: the length under 0.6 of that reference, eye widths;
 * - depth: 1 − the median darkest luma ÷ reference;
 * - lower-edge hardness: the largest rise of the mean profile's luma ratio over 0.03 eye widths (about 2 px of the
 *   render; per 0.01, a third) within 0.12 eye widths below the darkest point: the line's own lower side, not the
 *   lower lid's skin beyond it (a line cut off at its lower side, as main drew it, has one large step there).
 * Numbers (vid06 / vid03): real core 0.111 / 0.192, depth 0.586 / 0.796, hardness 0.040 / 0.039; main before this
 * test 0.115 / 0.107, 0.630 / 0.713, 0.082 / 0.099 (fails: vid06 hardness, vid03 core and hardness); s19-blink
 * 0.116 / 0.185, 0.600 / 0.775, 0.039 / 0.051. Bounds (set after seeing main's numbers, with room for the video's
 * blur): core and depth within 20 % of the real clip's, hardness at most 1.4× the real clip's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import ffmpegInstaller from '@ffmpeg-installer/ffmpeg';
import { RenderHost } from '../../../pipeline/render/renderHost.ts';
import { FaceAnalyzer } from '../../../pipeline/face/faceAnalyzer.ts';
import { decodeImage } from '../../../pipeline/image/decodeImage.ts';
import { toOutputPx, videoFramePortrait } from './helpers.ts';
import { corpus, HAS_CORPUS } from '../../helpers/media.ts';
import { EYE_STATES, eyeWeights, loadEyeScene } from '../../helpers/eyeScene.ts';
import { closedLine, type ClosedLine } from '../../helpers/lashProfile.ts';

const S = 512;
const CORNERS: [number, number][] = [
  [33, 133],
  [362, 263],
];
/** MediaPipe indices of the EAR points p1…p6 (Soukupová & Čech 2016): subject's right eye, left eye. */
const EAR_POINTS = [
  [33, 160, 158, 133, 153, 144],
  [263, 387, 385, 362, 380, 373],
] as const;
const ear = (lm: ArrayLike<number>, [p1, p2, p3, p4, p5, p6]: readonly number[]): number => {
  const d = (i: number, j: number): number => Math.hypot(lm[i * 3]! - lm[j * 3]!, lm[i * 3 + 1]! - lm[j * 3 + 1]!);
  return (d(p2!, p6!) + d(p3!, p5!)) / (2 * d(p1!, p4!));
};

/** The clips: video, time of the open-eyed portrait frame (s), the closed frames (indices). */
const CLIPS: [string, number, number[]][] = [
  ['vid06_woman_winks_gaze_512p30.mp4', 1.0, [18, 142, 202]],
  ['vid03_woman_talking_expressive_512p30.mp4', 0, [222, 223, 332, 333, 334, 335]],
];

interface LineSummary {
  core: number;
  depth: number;
  hardness: number;
  /** The mean profile (31 values, 0.01 eye widths apart, centred on the darkest point). */
  profile: number[];
}

/** Means of core and depth, and the lower-edge hardness of the mean profile. */
function summarise(lines: ClosedLine[]): LineSummary {
  const mean = (f: (l: ClosedLine) => number): number => lines.reduce((a, l) => a + f(l), 0) / lines.length;
  const profile = lines[0]!.profile.map((_, j) => mean((l) => l.profile[j]!));
  let hardness = 0;
  for (let j = 15; j + 3 <= 27; j++) hardness = Math.max(hardness, (profile[j + 3]! - profile[j]!) / 3);
  return { core: mean((l) => l.core), depth: mean((l) => l.depth), hardness, profile };
}

describe.skipIf(!HAS_CORPUS)('closed photo-head eyelids: the closed line against the clip\'s own blinks (vid06; vid03 held out)', () => {
  let host: RenderHost;
  let analyzer: FaceAnalyzer;
  beforeAll(async () => {
    host = await RenderHost.launch({ widthPx: S, heightPx: S });
    analyzer = await FaceAnalyzer.create();
  }, 120_000);
  afterAll(async () => {
    await host?.dispose();
    await analyzer?.dispose();
  });

  it.each(CLIPS)('%s: core, depth and lower-edge softness of the closed line match the real closed eyes', async (video, portraitSec, closedFrames) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'closed-line-'));
    const real: ClosedLine[] = [];
    try {
      const select = [0, ...closedFrames].map((f) => `eq(n\\,${f})`).join('+');
      execFileSync(ffmpegInstaller.path, ['-loglevel', 'error', '-y', '-i', corpus(`video/${video}`), '-vf', `select='${select}'`, '-vsync', '0', path.join(dir, 'real_%d.png')]);
      const frames = await Promise.all([0, ...closedFrames].map((_, k) => decodeImage(path.join(dir, `real_${k + 1}.png`))));
      const landmarks: Float32Array[] = [];
      for (const image of frames) landmarks.push((await analyzer.analyze(image, { maxFaces: 1 })).faces[0]!.landmarksPx);
      for (let k = 1; k < frames.length; k++) {
        const lm = landmarks[k]!;
        // Both eyes shut: the tracker's EAR under 0.6 of frame 0's.
        for (const p of EAR_POINTS) expect(ear(lm, p) / ear(landmarks[0]!, p)).toBeLessThan(0.6);
        const { rgba, widthPx, heightPx } = frames[k]!;
        for (const [i, j] of CORNERS) real.push(closedLine(rgba, widthPx, heightPx, [lm[i * 3]!, lm[i * 3 + 1]!], [lm[j * 3]!, lm[j * 3 + 1]!]));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const scene = await loadEyeScene(host, await videoFramePortrait(video, portraitSec), S);
    const img = await host.renderStill({ blendshapes: eyeWeights(scene, EYE_STATES.b1!) });
    const lm = scene.rig.restPx;
    const at = (i: number): [number, number] => toOutputPx(scene.cropPx, S, S, lm[i * 3]!, lm[i * 3 + 1]!);
    const ours = summarise(CORNERS.map(([i, j]) => closedLine(img, S, S, at(i), at(j))));
    const r = summarise(real);
    const f = (x: number): string => x.toFixed(3);
    console.log(`${video} closed line, real → ours: core ${f(r.core)} → ${f(ours.core)}, depth ${f(r.depth)} → ${f(ours.depth)}, lower-edge hardness ${f(r.hardness)} → ${f(ours.hardness)}; profiles ${[r, ours].map((x) => x.profile.map((v) => v.toFixed(2)).join(' ')).join(' | ')}`);
    expect(ours.core / r.core).toBeGreaterThan(0.8);
    expect(ours.core / r.core).toBeLessThan(1.2);
    expect(ours.depth / r.depth).toBeGreaterThan(0.8);
    expect(ours.depth / r.depth).toBeLessThan(1.2);
    expect(ours.hardness / r.hardness).toBeLessThan(1.4);
  }, 300_000);
});
