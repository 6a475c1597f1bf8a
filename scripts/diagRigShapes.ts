/**
 * Diagnostic (issue 12, pucker/funnel and brow range): the rig's posed geometry of a portrait beside real posed frames.
 * The portrait (frame 0 of a clip) is analysed with our FaceAnalyzer, its rig posed at fixed weights (no render), and
 * lip thickness (upper 0–13, lower 14–17), outer lip height 0–17, mouth width 61–291, inner width 78–308, roundness and brow height
 * (scripts/evalRealPairs.ts shapeMeasures) are printed in outer-eye-corner units, beside the same measures of any
 * further real frames given (the same person's pout or brow raise).
 * Usage: `npx tsx scripts/diagRigShapes.ts <portrait.png> [realFrame.png ...]`
 */
import { FaceAnalyzer } from '../pipeline/face/faceAnalyzer.ts';
import { decodeImage } from '../pipeline/image/decodeImage.ts';
import { buildPhotoHeadRig, evaluateRig, RIG_VERTEX_COUNT } from '../core/rig/rig.ts';
import { ARKIT_BLENDSHAPE_COUNT, BS } from '../core/motion/names.ts';
import { shapeMeasures } from './evalRealPairs.ts';

const analyzer = await FaceAnalyzer.create();
const landmarksOf = async (path: string): Promise<Float32Array> => (await analyzer.analyze(await decodeImage(path), { maxFaces: 1, refineEyes: true })).faces[0]!.landmarksPx;
/** Lip and brow measures of landmarks `[N, 3]`, outer eye-corner distance units. */
const measure = (lm: Float32Array): string => {
  const d = (a: number, b: number): number => Math.hypot(lm[a * 3]! - lm[b * 3]!, lm[a * 3 + 1]! - lm[b * 3 + 1]!);
  const iod = d(33, 263);
  const s = shapeMeasures(lm);
  return [d(0, 13) / iod, d(14, 17) / iod, d(0, 17) / iod, s.mouthWidth, d(78, 308) / iod, s.roundness, s.browHeight].map((x) => x.toFixed(3)).join(' / ');
};
const lm0 = await landmarksOf(process.argv[2]!);
const rig = buildPhotoHeadRig(lm0, lm0.length / 3);
const poses: [string, Partial<Record<keyof typeof BS, number>>][] = [
  ['rest', {}],
  ['puck.4', { mouthPucker: 0.4 }],
  ['puck.8', { mouthPucker: 0.8 }],
  ['puck1', { mouthPucker: 1 }],
  ['fun.8', { mouthFunnel: 0.8 }],
  ['jaw.5+fun.8', { jawOpen: 0.5, mouthFunnel: 0.8 }],
  ['vid02 0.9s', { jawOpen: 0.06, mouthFunnel: 0.11, mouthPucker: 0.59, mouthLowerDownLeft: 0.05, mouthLowerDownRight: 0.05, mouthUpperUpLeft: 0.15, mouthUpperUpRight: 0.15 }],
  ['browIn1', { browInnerUp: 1 }],
  ['browOut1', { browOuterUpLeft: 1, browOuterUpRight: 1 }],
  ['browBoth1', { browInnerUp: 1, browOuterUpLeft: 1, browOuterUpRight: 1 }],
];
console.log('pose | upper lip / lower lip / outer height / width / inner width / roundness / brow height');
for (const [name, p] of poses) {
  const w = new Float32Array(ARKIT_BLENDSHAPE_COUNT);
  for (const [k, v] of Object.entries(p)) w[BS[k as keyof typeof BS]] = v!;
  console.log(`${name.padEnd(12)} | ${measure(evaluateRig(rig, w, new Float32Array(RIG_VERTEX_COUNT * 3)))}`);
}
for (const path of process.argv.slice(3)) console.log(`${path.split('/').pop()!.padEnd(12)} | ${measure(await landmarksOf(path))}`);
