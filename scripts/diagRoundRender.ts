/**
 * Diagnostic (issue 12, lip roundness): does the rendered photo head show the rig's own lip geometry? A portrait is posed
 * at given weights, the rig's posed mesh (geometry) and the 512² render tracked by our FaceAnalyzer are measured alike
 * (scripts/evalRealPairs.ts shapeMeasures: lip gap, inner-lip width 78–308, roundness, mouth width), each change from the
 * unposed face compared.
 * Usage: `npx tsx scripts/diagRoundRender.ts <portrait.png>`
 */
import { FaceAnalyzer } from '../pipeline/face/faceAnalyzer.ts';
import { decodeImage } from '../pipeline/image/decodeImage.ts';
import { RenderHost } from '../pipeline/render/renderHost.ts';
import { buildPhotoHeadRig, evaluateRig, RIG_VERTEX_COUNT } from '../core/rig/rig.ts';
import { ARKIT_BLENDSHAPE_COUNT, BS } from '../core/motion/names.ts';
import { lipGap, shapeMeasures } from './evalRealPairs.ts';

const SIZE = 512;
const image = await decodeImage(process.argv[2]!);
const analyzer = await FaceAnalyzer.create();
const face = (await analyzer.analyze(image, { maxFaces: 1, refineEyes: true })).faces[0]!;
const host = await RenderHost.launch({ widthPx: SIZE, heightPx: SIZE });
await host.loadPortrait(image, face);
const rig = buildPhotoHeadRig(face.landmarksPx, face.landmarkCount);
const innerW = (lm: Float32Array): number => {
  const d = (a: number, b: number): number => Math.hypot(lm[a * 3]! - lm[b * 3]!, lm[a * 3 + 1]! - lm[b * 3 + 1]!);
  return d(78, 308) / d(33, 263);
};
const measure = (lm: Float32Array): number[] => [lipGap(lm), innerW(lm), shapeMeasures(lm).roundness, shapeMeasures(lm).mouthWidth];
const poses: [string, Partial<Record<keyof typeof BS, number>>][] = [
  ['none', {}],
  ['jaw.5', { jawOpen: 0.5 }],
  ['jaw.5+fun.4', { jawOpen: 0.5, mouthFunnel: 0.4 }],
  ['jaw.5+fun.8', { jawOpen: 0.5, mouthFunnel: 0.8 }],
  ['jaw.5+puck.4', { jawOpen: 0.5, mouthPucker: 0.4 }],
  ['jaw.5+puck.8', { jawOpen: 0.5, mouthPucker: 0.8 }],
  ['puck.6+low.2', { mouthPucker: 0.6, mouthLowerDownLeft: 0.2, mouthLowerDownRight: 0.2, jawOpen: 0.05 }],
  ['stretch.4', { mouthStretchLeft: 0.4, mouthStretchRight: 0.4 }],
  ['stretch.8', { mouthStretchLeft: 0.8, mouthStretchRight: 0.8 }],
  ['smile.4', { mouthSmileLeft: 0.4, mouthSmileRight: 0.4 }],
  ['smile.8', { mouthSmileLeft: 0.8, mouthSmileRight: 0.8 }],
  ['puck.4', { mouthPucker: 0.4 }],
  ['puck.8', { mouthPucker: 0.8 }],
  ['fun.4', { mouthFunnel: 0.4 }],
  ['fun.8', { mouthFunnel: 0.8 }],
  ['vid02 2.5s', { jawOpen: 0.72, mouthFunnel: 0.39, mouthPucker: 0.08, mouthLowerDownLeft: 0.29, mouthLowerDownRight: 0.29, mouthUpperUpLeft: 0.25, mouthUpperUpRight: 0.25 }],
  ['vid02 0.9s', { jawOpen: 0.06, mouthFunnel: 0.11, mouthPucker: 0.59, mouthLowerDownLeft: 0.05, mouthLowerDownRight: 0.05, mouthUpperUpLeft: 0.15, mouthUpperUpRight: 0.15 }],
];
let base: { g: number[]; t: number[] } | null = null;
console.log('pose | geometry gap / innerW / round / width | tracked render gap / innerW / round / width');
for (const [name, p] of poses) {
  const w = new Float32Array(ARKIT_BLENDSHAPE_COUNT);
  for (const [k, v] of Object.entries(p)) w[BS[k as keyof typeof BS]] = v!;
  const geo = measure(evaluateRig(rig, w, new Float32Array(RIG_VERTEX_COUNT * 3)));
  const rgba = await host.renderStill({ blendshapes: w });
  const f = (await analyzer.analyze({ rgba, widthPx: SIZE, heightPx: SIZE, hadAlpha: false }, { maxFaces: 1, refineEyes: true })).faces[0]!;
  const trk = measure(f.landmarksPx);
  if (!base) base = { g: geo, t: trk };
  const fmt = (xs: number[]): string => xs.map((x) => x.toFixed(3)).join(' / ');
  console.log(`${name.padEnd(14)} | ${fmt(geo)} | ${fmt(trk)}`);
  if (process.env.SAVE) {
    const sharp = (await import('sharp')).default;
    await sharp(Buffer.from(rgba), { raw: { width: SIZE, height: SIZE, channels: 4 } }).png().toFile(`${process.env.SAVE}/${name.replace(/[^a-z0-9.]+/gi, '_')}.png`);
  }
}
await host.dispose();
await analyzer.dispose();
