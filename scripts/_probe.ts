import path from 'node:path';
import { ARKIT_BLENDSHAPE_COUNT, BS } from '../core/motion/names.ts';
import { buildPhotoHeadRig, evaluateRigRelative, RIG_VERTEX_COUNT } from '../core/rig/rig.ts';
import { FaceAnalyzer, FaceAnalyzerCore } from '../pipeline/face/faceAnalyzer.ts';
import { measurePortraitRest } from '../pipeline/face/portraitRest.ts';
import { TfjsFaceModelRunner } from '../pipeline/face/tfjsReference.ts';
import { decodeImage } from '../pipeline/image/decodeImage.ts';
import { RenderHost } from '../pipeline/render/renderHost.ts';
const sizePx = Number(process.env.SIZE ?? 256);
const analyzer = await FaceAnalyzer.create();
const tracker = new FaceAnalyzerCore(await TfjsFaceModelRunner.create('wasm'));
const host = await RenderHost.launch({ widthPx: sizePx, heightPx: sizePx });
const PTS = [13, 14, 0, 17, 152];
for (const name of process.argv.slice(2)) {
  const file = name.includes('/') ? name : path.resolve('../shared/corpus/images', name);
  const image = await decodeImage(file);
  const face = (await analyzer.analyze(image, { maxFaces: 1 })).faces[0]!;
  const rest = (await measurePortraitRest(analyzer, image, face)).weights;
  await host.loadPortrait(image, face, rest);
  const rig = buildPhotoHeadRig(face.landmarksPx, face.landmarkCount);
  const lms: Float32Array[] = [];
  const geos: Float32Array[] = [];
  for (const j of [0, 0.45]) {
    const w = new Float32Array(ARKIT_BLENDSHAPE_COUNT);
    w[BS.jawOpen] = j;
    const rgba = await host.renderStill({ blendshapes: w });
    lms.push((await tracker.analyze({ rgba, widthPx: sizePx, heightPx: sizePx, hadAlpha: false }, { maxFaces: 1 })).faces[0]!.landmarksPx);
    geos.push(evaluateRigRelative(rig, w, rest, new Float32Array(RIG_VERTEX_COUNT * 3)));
  }
  const iod = (lm: Float32Array): number => Math.hypot(lm[33 * 3]! - lm[263 * 3]!, lm[33 * 3 + 1]! - lm[263 * 3 + 1]!);
  const dy = (a: Float32Array, b: Float32Array, p: number): number => (b[p * 3 + 1]! - a[p * 3 + 1]!) / iod(a);
  const iodOut = iod(lms[0]!);
  process.stdout.write(`${path.basename(name).slice(0, 12).padEnd(12)} iodOutPx ${iodOut.toFixed(1)} mouthW ${(Math.hypot(lms[0]![61*3]!-lms[0]![291*3]!, lms[0]![61*3+1]!-lms[0]![291*3+1]!)).toFixed(1)}px  tracked dy ${PTS.map((p) => `${p}:${dy(lms[0]!, lms[1]!, p).toFixed(3)}`).join(' ')} | rig dy ${PTS.map((p) => `${p}:${dy(geos[0]!, geos[1]!, p).toFixed(3)}`).join(' ')}\n`);
}
await host.dispose(); await tracker.dispose(); await analyzer.dispose();
