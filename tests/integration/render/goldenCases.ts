/**
 * The photo-head golden images: which portraits, poses and size; shared by the golden test and
 * `npm run goldens` (scripts/updateGoldens.ts), so both render exactly the same frames.
 */
import path from 'node:path';
import { ARKIT_BLENDSHAPE_COUNT, BS, type ArkitBlendshapeName } from '../../../core/motion/names.ts';
import type { FixtureName } from './helpers.ts';

/** Output size of the goldens (small PNGs a reviewer can look at). */
export const GOLDEN_SIZE_PX = 160;
/** Folder of the committed goldens. */
export const GOLDEN_DIR = path.resolve(process.cwd(), 'tests/golden/photoHead');
/** Portraits with goldens. */
export const GOLDEN_PORTRAITS: readonly FixtureName[] = ['img01', 'img05', 'img06'];

/** One golden pose. */
export interface GoldenPose {
  name: string;
  weights: Partial<Record<ArkitBlendshapeName, number>>;
  orbitYawRad: number;
  /** Camera orbit pitch, radians (+ = from above); 0 when absent. */
  orbitPitchRad?: number;
  /** Framing preset of the render host; `photo` when absent. */
  framing?: 'photo' | 'upperBody';
}

/** Poses: neutral, jawOpen 1, mouthSmile 1 (L+R), eyeBlink 1 (L+R), mouthPucker 1, orbit yaw ±15°/±30°, pitch ±15°, upper-body framing. */
export const GOLDEN_POSES: readonly GoldenPose[] = [
  { name: 'neutral', weights: {}, orbitYawRad: 0 },
  { name: 'jawOpen', weights: { jawOpen: 1 }, orbitYawRad: 0 },
  { name: 'mouthSmile', weights: { mouthSmileLeft: 1, mouthSmileRight: 1 }, orbitYawRad: 0 },
  { name: 'eyeBlink', weights: { eyeBlinkLeft: 1, eyeBlinkRight: 1 }, orbitYawRad: 0 },
  { name: 'mouthPucker', weights: { mouthPucker: 1 }, orbitYawRad: 0 },
  { name: 'orbitLeft30', weights: {}, orbitYawRad: -Math.PI / 6 },
  { name: 'orbitRight30', weights: {}, orbitYawRad: Math.PI / 6 },
  { name: 'orbitLeft15', weights: {}, orbitYawRad: -Math.PI / 12 },
  { name: 'orbitRight15', weights: {}, orbitYawRad: Math.PI / 12 },
  { name: 'orbitUp15', weights: {}, orbitYawRad: 0, orbitPitchRad: Math.PI / 12 },
  { name: 'orbitDown15', weights: {}, orbitYawRad: 0, orbitPitchRad: -Math.PI / 12 },
  { name: 'upperBody', weights: {}, orbitYawRad: 0, framing: 'upperBody' },
];

/** 52 weights of a pose. */
export function poseWeights(pose: GoldenPose): Float32Array {
  const w = new Float32Array(ARKIT_BLENDSHAPE_COUNT);
  for (const [k, v] of Object.entries(pose.weights)) w[BS[k as ArkitBlendshapeName]] = v;
  return w;
}

/** Path of one golden PNG. */
export function goldenPath(portrait: FixtureName, pose: GoldenPose): string {
  return path.join(GOLDEN_DIR, `${portrait}_${pose.name}.png`);
}
