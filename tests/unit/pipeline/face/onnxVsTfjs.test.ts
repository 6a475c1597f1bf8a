/**
 * The converted ONNX models compute what the TF.js originals compute: same inputs (real corpus photos through our
 * letterbox / ROI crops), compared output by output and end to end.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sigmoid } from '../../../../core/face/detection.ts';
import { decodeImage } from '../../../../pipeline/image/decodeImage.ts';
import { computeLetterbox, warpAffineToTensor } from '../../../../pipeline/image/warpAffine.ts';
import { FaceAnalyzerCore } from '../../../../pipeline/face/faceAnalyzer.ts';
import { OnnxFaceModelRunner } from '../../../../pipeline/face/onnxRunner.ts';
import { TfjsFaceModelRunner } from '../../../../pipeline/face/tfjsReference.ts';

const CORPUS = path.resolve(process.cwd(), '../shared/corpus/images');
const PHOTOS = ['img01_frontal_ai_man_jpeg-named-png.png', 'img06_monalisa_painting_pd.jpg', 'img09_two_faces.jpg', 'img11_einstein_grayscale_68pt.jpg'];

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('ONNX conversion vs TF.js originals', () => {
  let onnx: FaceAnalyzerCore;
  let tfjs: FaceAnalyzerCore;
  beforeAll(async () => {
    onnx = new FaceAnalyzerCore(await OnnxFaceModelRunner.create());
    tfjs = new FaceAnalyzerCore(await TfjsFaceModelRunner.create('cpu'));
  });
  afterAll(async () => {
    await onnx?.dispose();
    await tfjs?.dispose();
  });

  it('BlazeFace raw outputs agree on letterboxed corpus photos', async () => {
    const worst: Record<string, number> = {};
    for (const f of PHOTOS) {
      const img = await decodeImage(path.join(CORPUS, f));
      const lb = computeLetterbox(0, 0, img.widthPx, img.heightPx, 256, 256);
      const x = warpAffineToTensor(img, lb.dstToSrc, 256, 256, { range: [-1, 1] });
      const a = await onnx.runner.run('blazeface', x, 1);
      const b = await tfjs.runner.run('blazeface', x, 1);
      for (const k of Object.keys(b)) worst[k] = Math.max(worst[k] ?? 0, maxAbsDiff(a[k]!.data, b[k]!.data));
      for (const k of ['scores_16', 'scores_8']) worst[`sigmoid(${k})`] = Math.max(worst[`sigmoid(${k})`] ?? 0, maxAbsDiff(a[k]!.data.map(sigmoid), b[k]!.data.map(sigmoid)));
    }
    console.log('blazeface max |ONNX − TF.js| over', PHOTOS.length, 'photos:', worst);
    // logits reach ±230 on background anchors, so compare probabilities (what decoding thresholds) tightly
    expect(worst['sigmoid(scores_16)']!).toBeLessThan(1e-5);
    expect(worst['sigmoid(scores_8)']!).toBeLessThan(1e-5);
    expect(worst.scores_16!).toBeLessThan(1e-2);
    expect(worst.regressors_16!).toBeLessThan(5e-3);
    expect(worst.regressors_8!).toBeLessThan(5e-3);
  });

  it('end to end: boxes, scores and 478 landmarks agree', async () => {
    let box = 0;
    let det = 0;
    let mesh = 0;
    let lm = 0;
    let faces = 0;
    for (const f of PHOTOS) {
      const img = await decodeImage(path.join(CORPUS, f));
      const a = await onnx.analyze(img);
      const b = await tfjs.analyze(img);
      expect(a.faces.length).toBe(b.faces.length);
      a.faces.forEach((fa, i) => {
        const fb = b.faces[i]!;
        faces++;
        box = Math.max(box, maxAbsDiff([fa.boxPx.xPx, fa.boxPx.yPx, fa.boxPx.widthPx, fa.boxPx.heightPx], [fb.boxPx.xPx, fb.boxPx.yPx, fb.boxPx.widthPx, fb.boxPx.heightPx]));
        det = Math.max(det, Math.abs(fa.detectionScore - fb.detectionScore));
        mesh = Math.max(mesh, Math.abs(fa.meshScore - fb.meshScore));
        lm = Math.max(lm, maxAbsDiff(fa.landmarksPx, fb.landmarksPx));
      });
    }
    console.log(`end to end over ${faces} faces: max |Δbox| ${box.toExponential(2)} px, |Δdetection score| ${det.toExponential(2)}, |Δmesh score| ${mesh.toExponential(2)}, |Δlandmark| ${lm.toExponential(2)} px`);
    expect(faces).toBe(5); // img09 has two
    expect(box).toBeLessThan(0.05);
    expect(det).toBeLessThan(1e-4);
    expect(mesh).toBeLessThan(1e-4);
    expect(lm).toBeLessThan(0.05);
  });
});
