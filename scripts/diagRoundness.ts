/**
 * Diagnostic (issue 12, lip roundness and brows): does the SOLVE reproduce the driver's shape? For a clip's first
 * seconds tracked by our FaceAnalyzer (as a driving video is), frame 0 the portrait (its rest measured from its
 * landmarks): per frame the real roundness (inner-lip gap / inner width 78–308), mouth width and brow height
 * (scripts/evalRealPairs.ts shapeMeasures) beside the same measures on the rig's own posed mesh at the track's weights
 * (geometry, evaluateRigRelative), with the solved mouth and brow weights; then the SD ratio geometry / real and r.
 * A geometry that follows the real measure while the tracked render does not (scripts/diagRoundRender.ts) puts the
 * loss in the render, not the solve.
 * Usage: `npx tsx scripts/diagRoundness.ts <clip.mp4> [seconds=3.5]`
 */
import { FaceAnalyzer } from '../pipeline/face/faceAnalyzer.ts';
import { trackDrivingVideo, drivingTrackFromObservations } from '../pipeline/reenact/drivingVideo.ts';
import { buildPhotoHeadRig, evaluateRigRelative, RIG_VERTEX_COUNT } from '../core/rig/rig.ts';
import { measureRestExpression } from '../core/rig/restExpression.ts';
import { BS } from '../core/motion/names.ts';
import { shapeMeasures } from './evalRealPairs.ts';

const clip = process.argv[2]!;
const seconds = Number(process.argv[3] ?? 3.5);
const analyzer = await FaceAnalyzer.create();
const { info, observations } = await trackDrivingVideo(clip, analyzer);
const obs = observations.filter((o) => o.timeSec < seconds);
const fpsHz = info.fps.num / info.fps.den;
const lm0 = obs[0]!.landmarksPx!;
const rest = measureRestExpression(lm0, lm0.length / 3).weights;
const { track } = drivingTrackFromObservations(obs, info.fps, obs.length, undefined, { portraitRest: rest });
const rig = buildPhotoHeadRig(lm0, lm0.length / 3);
const mesh = new Float32Array(RIG_VERTEX_COUNT * 3);
const rows: { t: number; real: ReturnType<typeof shapeMeasures>; geo: ReturnType<typeof shapeMeasures>; w: Float32Array }[] = [];
for (let i = 0; i < obs.length; i++) {
  const lm = obs[i]!.landmarksPx;
  if (!lm) continue;
  const w = track.blendshapes.subarray(i * 52, (i + 1) * 52);
  evaluateRigRelative(rig, w, rest, mesh, false);
  rows.push({ t: obs[i]!.timeSec, real: shapeMeasures(lm), geo: shapeMeasures(mesh), w: Float32Array.from(w) });
}
const sd = (xs: number[]): number => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length);
};
const pear = (a: number[], b: number[]): number => {
  const ma = a.reduce((x, y) => x + y, 0) / a.length, mb = b.reduce((x, y) => x + y, 0) / b.length;
  let s = 0, sa = 0, sb = 0;
  for (let i = 0; i < a.length; i++) { s += (a[i]! - ma) * (b[i]! - mb); sa += (a[i]! - ma) ** 2; sb += (b[i]! - mb) ** 2; }
  return s / Math.sqrt(sa * sb);
};
for (const k of ['roundness', 'mouthWidth', 'browHeight'] as const) {
  const a = rows.map((r) => r.real[k]);
  const b = rows.map((r) => r.geo[k]);
  console.log(`${k}: real SD ${sd(a).toFixed(4)} geometry SD ${sd(b).toFixed(4)} ratio ${(sd(b) / sd(a)).toFixed(2)} r ${pear(a, b).toFixed(2)}`);
}
for (const r of rows) {
  if (Math.round(r.t * fpsHz) % 3 !== 0) continue;
  const f = (k: keyof typeof BS): string => r.w[BS[k]]!.toFixed(2);
  console.log(`${r.t.toFixed(2)}s round real ${r.real.roundness.toFixed(3)} geo ${r.geo.roundness.toFixed(3)} | width real ${r.real.mouthWidth.toFixed(3)} geo ${r.geo.mouthWidth.toFixed(3)} | jaw ${f('jawOpen')} fun ${f('mouthFunnel')} puck ${f('mouthPucker')} str ${f('mouthStretchLeft')}/${f('mouthStretchRight')} smi ${f('mouthSmileLeft')} low ${f('mouthLowerDownLeft')} up ${f('mouthUpperUpLeft')} close ${f('mouthClose')} | brow inUp ${f('browInnerUp')} outUp ${f('browOuterUpLeft')}/${f('browOuterUpRight')} down ${f('browDownLeft')}/${f('browDownRight')} | brow real ${r.real.browHeight.toFixed(3)} geo ${r.geo.browHeight.toFixed(3)}`);
}
await analyzer.dispose();
