/**
 * A driving video's jaw follows its chin (s19 solver): a real jaw drop moves the chin and the lower lip together,
 * mouthLowerDown the lower lip alone. Read from the five inner-lip gaps only, the aperture split real openings between
 * jawOpen and mouthLowerDown/UpperUp about evenly (vid05's wide frames jawOpen 0.58 / lowerDown 0.70, vid02's 0.76 /
 * 0.67), whatever the chin did. With the chin's depth below the eye corners fitted against the driver's neutral chin
 * (core/rig/restExpression.ts `chinNeutral`), jawOpen tracks the chin's drop. vid02/vid05 were looked at while building
 * this; the clip here (vid03, the first 8 s, every 12th frame) is held out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { HAS_CORPUS, corpus } from '../../helpers/media.ts';
import { FaceAnalyzer } from '../../../pipeline/face/faceAnalyzer.ts';
import { resolveFfmpeg } from '../../../pipeline/ffmpeg/ffmpegPath.ts';
import { drivingTrackFromObservations } from '../../../pipeline/reenact/drivingVideo.ts';
import { buildPhotoHeadRig, evaluateRigRelative, RIG_VERTEX_COUNT } from '../../../core/rig/rig.ts';
import { expressionFeatures } from '../../../core/rig/restExpression.ts';
import { BS } from '../../../core/motion/names.ts';

const run = promisify(execFile);
const SIZE = 512;
const STRIDE = 12;
const FRAMES = Array.from({ length: 20 }, (_, i) => i * STRIDE);

/** Frames `ns` of a 512² clip as RGBA, one ffmpeg pass. */
async function framesRgba(path: string, ns: readonly number[]): Promise<Uint8Array[]> {
  const sel = ns.map((n) => `eq(n\\,${n})`).join('+');
  const { stdout } = await run(resolveFfmpeg().path, ['-v', 'error', '-i', path, '-vf', `select=${sel}`, '-vsync', '0', '-f', 'rawvideo', '-pix_fmt', 'rgba', '-'], { encoding: 'buffer', maxBuffer: 1 << 26 });
  const n = SIZE * SIZE * 4;
  expect(stdout.length).toBe(ns.length * n);
  return ns.map((_, i) => new Uint8Array(stdout.subarray(i * n, (i + 1) * n)));
}

/** The chin (MediaPipe 148/152/377) below the eye corners, IOD units, read independently of the solver's own code. */
function chinDepth(lm: Float32Array): number {
  // Eye corners 33/133 (right), 263/362 (left); their midpoints set the face's horizontal axis and the IOD proxy.
  const p = (i: number): [number, number] => [lm[i * 3]!, lm[i * 3 + 1]!];
  const mid = (a: number, b: number): [number, number] => [(p(a)[0] + p(b)[0]) / 2, (p(a)[1] + p(b)[1]) / 2];
  const r = mid(33, 133);
  const l = mid(263, 362);
  const d = Math.hypot(l[0] - r[0], l[1] - r[1]);
  const ex = [(l[0] - r[0]) / d, (l[1] - r[1]) / d];
  const ey = [-ex[1]!, ex[0]!];
  const c = [(r[0] + l[0]) / 2, (r[1] + l[1]) / 2];
  const chin = [148, 152, 377].reduce((s, i) => s + ((p(i)[0] - c[0]!) * ey[0]! + (p(i)[1] - c[1]!) * ey[1]!), 0) / 3;
  return chin / d;
}

const pearson = (a: number[], b: number[]): number => {
  const ma = a.reduce((x, y) => x + y, 0) / a.length;
  const mb = b.reduce((x, y) => x + y, 0) / b.length;
  let s = 0, sa = 0, sb = 0;
  for (let i = 0; i < a.length; i++) { s += (a[i]! - ma) * (b[i]! - mb); sa += (a[i]! - ma) ** 2; sb += (b[i]! - mb) ** 2; }
  return s / Math.sqrt(sa * sb);
};

describe.skipIf(!HAS_CORPUS)('the driving track\'s jaw follows the chin', () => {
  let analyzer: FaceAnalyzer;
  beforeAll(async () => {
    analyzer = await FaceAnalyzer.create();
  });
  afterAll(async () => {
    await analyzer?.dispose();
  });

  it('vid03 (held out): jawOpen correlates with the chin drop, and the widest frames open with the jaw, not mouthLowerDown', { timeout: 300_000 }, async () => {
    const video = corpus('video/vid03_woman_talking_expressive_512p30.mp4');
    const rgba = await framesRgba(video, FRAMES);
    const lm: Float32Array[] = [];
    for (const px of rgba) {
      const a = await analyzer.analyze({ rgba: px, widthPx: SIZE, heightPx: SIZE, hadAlpha: false }, { maxFaces: 1, refineEyes: true });
      expect(a.faces.length).toBe(1);
      lm.push(a.faces[0]!.landmarksPx);
    }
    const observations = lm.map((l, i) => ({ timeSec: (FRAMES[i]! / 30), landmarksPx: l }));
    const { track } = drivingTrackFromObservations(observations, { num: 30, den: STRIDE }, lm.length, undefined, { chinAperture: true });
    const w = (f: number, k: number): number => track.blendshapes[f * 52 + k]!;
    const depth = lm.map(chinDepth);
    const closed = Math.min(...depth);
    // The rig's own chin drop at jawOpen 1 on frame 0's face, in the same units: 1 = "dropped as far as the full jaw".
    const rig = buildPhotoHeadRig(lm[0]!, lm[0]!.length / 3);
    const jaw1 = new Float32Array(52);
    jaw1[BS.jawOpen] = 1;
    const zero = new Float32Array(52);
    const rigDrop = chinDepth(Float32Array.from(evaluateRigRelative(rig, jaw1, zero, new Float32Array(RIG_VERTEX_COUNT * 3), false))) - chinDepth(Float32Array.from(evaluateRigRelative(rig, zero, zero, new Float32Array(RIG_VERTEX_COUNT * 3), false)));
    const drop = depth.map((d) => (d - closed) / rigDrop);
    const jaw = lm.map((_, f) => w(f, BS.jawOpen));
    const lower = lm.map((_, f) => (w(f, BS.mouthLowerDownLeft) + w(f, BS.mouthLowerDownRight)) / 2);
    const r = pearson(drop, jaw);
    const widest = drop.map((d, f) => [d, f] as const).sort((a, b) => b[0] - a[0]).slice(0, 4).map(([, f]) => f);
    const mean = (xs: number[], ids: number[]): number => ids.reduce((s, f) => s + xs[f]!, 0) / ids.length;
    console.log(`vid03 jaw vs chin: r ${r.toFixed(2)}; widest 4 frames ${widest.map((f) => FRAMES[f]).join(',')}: chin drop ${mean(drop, widest).toFixed(2)} (rig jaw units, ${(mean(drop, widest) * rigDrop).toFixed(3)} IOD) jawOpen ${mean(jaw, widest).toFixed(2)} lowerDown ${mean(lower, widest).toFixed(2)}; feature lip gap ${expressionFeatures(lm[widest[0]!]!, lm[0]!.length / 3)[2]!.toFixed(3)}`);
    expect(r).toBeGreaterThan(0.9);
    expect(mean(lower, widest)).toBeLessThan(0.5 * mean(jaw, widest));
  });
});
