import path from 'node:path';
import sharp from 'sharp';
import { ARKIT_BLENDSHAPE_COUNT, BS } from '../core/motion/names.ts';
import { buildPhotoHeadRig, evaluateRigRelative, RIG_VERTEX_COUNT } from '../core/rig/rig.ts';
import { FaceAnalyzer, FaceAnalyzerCore } from '../pipeline/face/faceAnalyzer.ts';
import { measurePortraitRest } from '../pipeline/face/portraitRest.ts';
import { TfjsFaceModelRunner } from '../pipeline/face/tfjsReference.ts';
import { decodeImage } from '../pipeline/image/decodeImage.ts';
import { RenderHost } from '../pipeline/render/renderHost.ts';
import { INNER_LIP_PAIRS } from '../core/rig/restExpression.ts';
import { lipGap } from './evalRealPairs.ts';
const S = Number(process.env.SIZE ?? 256);
const analyzer = await FaceAnalyzer.create();
const tracker = new FaceAnalyzerCore(await TfjsFaceModelRunner.create('wasm'));
const host = await RenderHost.launch({ widthPx: S, heightPx: S });
const jaws = (process.env.JAWS ?? '0,0.1,0.2,0.3,0.4,0.5').split(',').map(Number);
for (const name of process.argv.slice(2)) {
  const file = name.includes('/') ? name : path.resolve('../shared/corpus/images', name);
  const image = await decodeImage(file);
  const face = (await analyzer.analyze(image, { maxFaces: 1 })).faces[0]!;
  const rest = (await measurePortraitRest(analyzer, image, face)).weights;
  const info = await host.loadPortrait(image, face, rest);
  const c = info.cropPx;
  const rig = buildPhotoHeadRig(face.landmarksPx, face.landmarkCount);
  const row: string[] = [];
  for (const j of jaws) {
    const w = new Float32Array(ARKIT_BLENDSHAPE_COUNT);
    w[BS.jawOpen] = j;
    const rgba = await host.renderStill({ blendshapes: w });
    const lm = (await tracker.analyze({ rgba, widthPx: S, heightPx: S, hadAlpha: false }, { maxFaces: 1 })).faces[0]!.landmarksPx;
    const geo = evaluateRigRelative(rig, w, rest, new Float32Array(RIG_VERTEX_COUNT * 3));
    const g = new Float32Array(face.landmarksPx); g.set(geo);
    row.push(`${j}:${lipGap(lm).toFixed(3)}/${lipGap(g).toFixed(3)}`);
    if (process.env.SAVE_DIR && (j === 0.3 || j === 0.5)) {
      const img = Buffer.from(rgba);
      const dot = (x: number, y: number, col: number[]): void => { const X = Math.round(x), Y = Math.round(y); if (X < 0 || Y < 0 || X >= S || Y >= S) return; const o = (Y * S + X) * 4; img[o] = col[0]!; img[o + 1] = col[1]!; img[o + 2] = col[2]!; };
      for (const [u, l] of INNER_LIP_PAIRS) for (const p of [u, l]) {
        dot(lm[p * 3]!, lm[p * 3 + 1]!, [0, 255, 0]);
        dot((geo[p * 3]! - c.xPx) * S / c.widthPx, (geo[p * 3 + 1]! - c.yPx) * S / c.heightPx, [255, 0, 0]);
      }
      for (const p of [0, 17, 152, 61, 291]) dot(lm[p * 3]!, lm[p * 3 + 1]!, [0, 255, 255]);
      for (const p of [0, 17, 152, 61, 291]) dot((geo[p * 3]! - c.xPx) * S / c.widthPx, (geo[p * 3 + 1]! - c.yPx) * S / c.heightPx, [255, 0, 255]);
      await sharp(img, { raw: { width: S, height: S, channels: 4 } }).png().toFile(path.join(process.env.SAVE_DIR, `ov_${path.basename(name).slice(0, 5)}_${j}.png`));
    }
  }
  process.stdout.write(`${path.basename(name).slice(0, 12).padEnd(12)} tracked/rig ${row.join(' ')}\n`);
}
await host.dispose(); await tracker.dispose(); await analyzer.dispose();
