/**
 * Diagnostic (s19 solver): does the driving track's jawOpen follow the chin? Per frame of a real clip, the solved
 * jawOpen and mouthLowerDown against the chin's measured drop (our tracker: core/rig/restExpression.ts chinDepthIod
 * minus its 5th percentile over the clip, IOD units), divided by the rig's own chin drop at jawOpen 1 on the clip's
 * first frame (so 1 = "the chin dropped as far as the rig's full jaw drops it"). Prints, for the lip-gap-only aperture
 * (chinAperture false, the pre-s19 reading) and the chin-fitted one: the least-squares slope and Pearson r of jawOpen
 * on that normalised drop, and the mean jawOpen / lowerDown on the widest 10 % of frames.
 * Usage: npx tsx scripts/diagJawChin.ts <clip.mp4>[@t0-t1] …  (observations cached in /tmp/solver-obs-<name>.json)
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { FaceAnalyzer } from '../pipeline/face/faceAnalyzer.ts';
import { trackDrivingVideo, drivingTrackFromObservations } from '../pipeline/reenact/drivingVideo.ts';
import { buildPhotoHeadRig, evaluateRigRelative, RIG_VERTEX_COUNT } from '../core/rig/rig.ts';
import { chinDepthIod } from '../core/rig/restExpression.ts';
import { BS } from '../core/motion/names.ts';
import type { DrivingObservation } from '../core/reenact/drivingTrack.ts';

let analyzer: FaceAnalyzer | null = null;
for (const arg of process.argv.slice(2)) {
  const [path, range] = arg.split('@') as [string, string | undefined];
  const [t0, t1] = range ? range.split('-').map(Number) as [number, number] : [0, Infinity];
  const cache = `/tmp/solver-obs-${basename(path)}.json`;
  let all: { fps: { num: number; den: number }; obs: { t: number; lm: number[] | null }[] };
  if (existsSync(cache)) all = JSON.parse(readFileSync(cache, 'utf8'));
  else {
    analyzer ??= await FaceAnalyzer.create();
    const { info, observations } = await trackDrivingVideo(path, analyzer);
    all = { fps: info.fps, obs: observations.map((o) => ({ t: o.timeSec, lm: o.landmarksPx ? Array.from(o.landmarksPx) : null })) };
    writeFileSync(cache, JSON.stringify(all));
  }
  const obs: DrivingObservation[] = all.obs.filter((o) => o.t >= t0 && o.t < t1).map((o) => ({ timeSec: o.t - t0, landmarksPx: o.lm ? Float32Array.from(o.lm) : null }) as DrivingObservation);
  const lm0 = obs.find((o) => o.landmarksPx)!.landmarksPx!;
  const rig = buildPhotoHeadRig(lm0, lm0.length / 3);
  const zero = new Float32Array(52);
  const jaw1 = new Float32Array(52);
  jaw1[BS.jawOpen] = 1;
  const mesh = new Float32Array(RIG_VERTEX_COUNT * 3);
  const rigDrop = chinDepthIod(Float32Array.from(evaluateRigRelative(rig, jaw1, zero, mesh, false)), RIG_VERTEX_COUNT) - chinDepthIod(Float32Array.from(evaluateRigRelative(rig, zero, zero, mesh, false)), RIG_VERTEX_COUNT);
  const depth = obs.map((o) => (o.landmarksPx ? chinDepthIod(o.landmarksPx, o.landmarksPx.length / 3) : NaN));
  const sorted = depth.filter(Number.isFinite).sort((a, b) => a - b);
  const base = sorted[Math.floor(0.05 * sorted.length)]!;
  const drop = depth.map((d) => (d - base) / rigDrop);
  const idx = drop.map((d, i) => [d, i] as const).filter(([d]) => Number.isFinite(d)).map(([, i]) => i);
  const wide = [...idx].sort((a, b) => drop[b]! - drop[a]!).slice(0, Math.max(3, Math.round(idx.length / 10)));
  console.log(`${basename(path)} ${t0}-${t1}s: ${idx.length} frames, rig chin drop at jawOpen 1 = ${rigDrop.toFixed(3)} IOD, widest drop ${(Math.max(...idx.map((i) => drop[i]!)) * rigDrop).toFixed(3)} IOD`);
  for (const chin of [false, true]) {
    const { track } = drivingTrackFromObservations(obs, all.fps as never, obs.length, undefined, { chinAperture: chin });
    const jaw = (i: number): number => track.blendshapes[i * 52 + BS.jawOpen]!;
    const low = (i: number): number => (track.blendshapes[i * 52 + BS.mouthLowerDownLeft]! + track.blendshapes[i * 52 + BS.mouthLowerDownRight]!) / 2;
    const xs = idx.map((i) => drop[i]!);
    const ys = idx.map(jaw);
    const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
    const my = ys.reduce((a, b) => a + b, 0) / ys.length;
    let sxy = 0, sxx = 0, syy = 0;
    for (let k = 0; k < xs.length; k++) { sxy += (xs[k]! - mx) * (ys[k]! - my); sxx += (xs[k]! - mx) ** 2; syy += (ys[k]! - my) ** 2; }
    const mean = (f: (i: number) => number): number => wide.reduce((a, i) => a + f(i), 0) / wide.length;
    console.log(`  chinAperture ${chin}: jawOpen on chin drop slope ${(sxy / sxx).toFixed(2)} r ${(sxy / Math.sqrt(sxx * syy)).toFixed(2)} | widest 10%: drop ${mean((i) => drop[i]!).toFixed(2)} jawOpen ${mean(jaw).toFixed(2)} lowerDown ${mean(low).toFixed(2)} upperUp ${mean((i) => track.blendshapes[i * 52 + BS.mouthUpperUpLeft]!).toFixed(2)}`);
  }
}
await analyzer?.dispose();
