/**
 * Measures how strongly our face tracker reports each expression FEATURE of the rest-expression solve (the numbers
 * behind core/rig/restExpression.ts `TRACKER_FEATURE_GAINS`): the photo head is posed at known weights (one shape at a
 * time, two amplitudes), rendered at 512², tracked exactly as a driving video's frames are (our FaceAnalyzer with the
 * Iris-refined eyes), and the tracked features' change from the unposed render is compared with the change of the
 * same features on the rig's own posed mesh (the geometry the renderer draws).
 *
 * Usage: `npx tsx scripts/measureFeatureGains.ts [corpus image name …]` (default img01, img02, img03, img05; img04 and
 * img06 are the held-out check). Prints, per portrait and over all of them, per feature: gain = Σ obs·rig / Σ rig·rig
 * over the poses whose rig change exceeds 0.01 IOD (0.02 eye widths for lid openings), its R² and the pose count; right
 * and left features are pooled.
 */
import path from 'node:path';
import { ARKIT_BLENDSHAPE_COUNT, BS } from '../core/motion/names.ts';
import { buildPhotoHeadRig, evaluateRig, RIG_VERTEX_COUNT } from '../core/rig/rig.ts';
import { EXPRESSION_FEATURE_NAMES, expressionFeatures } from '../core/rig/restExpression.ts';
import { FaceAnalyzer } from '../pipeline/face/faceAnalyzer.ts';
import { decodeImage } from '../pipeline/image/decodeImage.ts';
import { RenderHost } from '../pipeline/render/renderHost.ts';

const SIZE_PX = 512;
const SHAPES = [
  'jawOpen', 'mouthSmileLeft', 'mouthSmileRight', 'mouthStretchLeft', 'mouthStretchRight', 'mouthPucker', 'mouthFunnel', 'mouthFrownLeft',
  'mouthFrownRight', 'mouthLowerDownLeft', 'mouthUpperUpRight', 'eyeWideLeft', 'eyeWideRight', 'eyeBlinkLeft', 'eyeBlinkRight', 'eyeSquintLeft',
  'browDownLeft', 'browDownRight', 'browInnerUp', 'browOuterUpLeft', 'browOuterUpRight',
] as const;
/** `SHAPES=a,b,…` restricts the single-shape poses to those shapes (e.g. the brow shapes alone). */
const shapeFilter = process.env.SHAPES ? new Set(process.env.SHAPES.split(',')) : null;
const AMPLITUDES = (process.env.AMPLITUDES ?? "0.4,0.8").split(",").map(Number);
const images = process.argv.length > 2 ? process.argv.slice(2) : ['img01_frontal_ai_man_jpeg-named-png.png', 'img02_darkskin_ai_woman_rgba.png', 'img03_beard_smile_teeth_ai.png', 'img05_elderly_woman_painting_ai.png'];

/** Feature groups pooled for one gain (right and left together); the lip gaps are not scaled (aperture held absolute). */
const GROUPS: Record<string, number[]> = {
  mouthWidth: [5],
  cornerOverLipLine: [6, 7],
  cornerOverUpperLip: [8, 9],
  eyeOpen: [10, 11],
  browInner: [12, 14],
  browOuter: [13, 15],
};
const minChange = (j: number): number => (j === 10 || j === 11 ? 0.02 : 0.01);

type Acc = { or: number; rr: number; oo: number; n: number };
const total: Record<string, Acc> = Object.fromEntries(Object.keys(GROUPS).map((g) => [g, { or: 0, rr: 0, oo: 0, n: 0 }]));

const analyzer = await FaceAnalyzer.create();
const host = await RenderHost.launch({ widthPx: SIZE_PX, heightPx: SIZE_PX });
try {
  for (const name of images) {
    const image = await decodeImage(path.resolve('../shared/corpus/images', name));
    const face = (await analyzer.analyze(image, { maxFaces: 1, refineEyes: true })).faces[0]!;
    await host.loadPortrait(image, face);
    const rig = buildPhotoHeadRig(face.landmarksPx, face.landmarkCount);
    const track = async (w: Float32Array): Promise<Float64Array> => {
      const f = (await analyzer.analyze({ rgba: await host.renderStill({ blendshapes: w }), widthPx: SIZE_PX, heightPx: SIZE_PX, hadAlpha: false }, { maxFaces: 1, refineEyes: true })).faces[0]!;
      return expressionFeatures(f.landmarksPx, f.landmarkCount);
    };
    const geometry = (w: Float32Array): Float64Array => expressionFeatures(evaluateRig(rig, w, new Float32Array(RIG_VERTEX_COUNT * 3)), RIG_VERTEX_COUNT);
    const zero = new Float32Array(ARKIT_BLENDSHAPE_COUNT);
    const obs0 = await track(zero);
    const rig0 = geometry(zero);
    const acc: Record<string, Acc> = Object.fromEntries(Object.keys(GROUPS).map((g) => [g, { or: 0, rr: 0, oo: 0, n: 0 }]));
    // Poses: each shape alone at the given amplitudes, or (POSES=mixed) speech-like mixtures: a jaw opening of 0–0.5
    // with two or three other shapes at 0–0.5 each (seeded), so the tracker's coupling between features is in the fit.
    const poses: Float32Array[] = [];
    if (process.env.POSES === 'mixed') {
      let seed = 12345;
      const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
      for (let p = 0; p < 40; p++) {
        const w = new Float32Array(ARKIT_BLENDSHAPE_COUNT);
        w[BS.jawOpen] = 0.5 * rand();
        const count = 2 + Math.floor(rand() * 2);
        for (let c = 0; c < count; c++) w[BS[SHAPES[1 + Math.floor(rand() * (SHAPES.length - 1))]!]] = 0.5 * rand();
        poses.push(w);
      }
    } else {
      for (const shape of SHAPES) {
        if (shapeFilter && !shapeFilter.has(shape)) continue;
        for (const a of AMPLITUDES) {
          const w = new Float32Array(ARKIT_BLENDSHAPE_COUNT);
          w[BS[shape]] = a;
          poses.push(w);
        }
      }
    }
    for (const w of poses) {
      {
        const obs = await track(w);
        const geo = geometry(w);
        for (const [g, js] of Object.entries(GROUPS)) {
          for (const j of js) {
            const r = geo[j]! - rig0[j]!;
            if (Math.abs(r) < minChange(j)) continue;
            const o = obs[j]! - obs0[j]!;
            for (const t of [acc[g]!, total[g]!]) {
              t.or += o * r;
              t.rr += r * r;
              t.oo += o * o;
              t.n++;
            }
          }
        }
      }
    }
    process.stdout.write(`== ${name}\n`);
    for (const [g, t] of Object.entries(acc)) {
      const gain = t.or / Math.max(1e-12, t.rr);
      // R² of the through-origin fit o ≈ gain·r
      const r2 = 1 - (t.oo - 2 * gain * t.or + gain * gain * t.rr) / Math.max(1e-12, t.oo);
      process.stdout.write(`${g.padEnd(20)} gain ${gain.toFixed(3)} R² ${r2.toFixed(2)} n ${t.n}\n`);
    }
  }
  process.stdout.write(`== all (${images.length} portraits)\n`);
  for (const [g, t] of Object.entries(total)) {
    const gain = t.or / Math.max(1e-12, t.rr);
    const r2 = 1 - (t.oo - 2 * gain * t.or + gain * gain * t.rr) / Math.max(1e-12, t.oo);
    process.stdout.write(`${g.padEnd(20)} gain ${gain.toFixed(3)} R² ${r2.toFixed(2)} n ${t.n}  (features ${GROUPS[g]!.map((j) => EXPRESSION_FEATURE_NAMES[j]).join(', ')})\n`);
  }
} finally {
  await host.dispose();
  await analyzer.dispose();
}
