/**
 * The MediaPipe face models Avatar Studio embeds: where the TF.js originals live in npm, and the input/output
 * contract (names, shapes, layouts, value ranges) shared by the converter, the ONNX sessions and the TF.js reference.
 * @remarks Sources: `@vladmandic/human/models/{blazeface,facemesh,iris}.json` — TF.js graph-model conversions of
 * Google MediaPipe's `face_detection_full_range` (BlazeFace, 256×256, "back" camera), `face_landmark` (468-point
 * Face Mesh, 192×192) and `iris_landmark` (64×64) TFLite models, Apache-2.0. Model cards: BlazeFace
 * (Bazarevsky et al. 2019, arXiv:1907.05047), Face Mesh (Kartynnik et al. 2019, arXiv:1907.06724),
 * Iris (Ablavatski et al. 2020, arXiv:2006.11341).
 */
import { createRequire } from 'node:module';
import path from 'node:path';

/** Ids of the embedded face models. */
export type FaceModelId = 'blazeface' | 'facemesh' | 'iris';

/** All embedded face model ids, in pipeline order. */
export const FACE_MODEL_IDS: readonly FaceModelId[] = ['blazeface', 'facemesh', 'iris'];

/** One output tensor of a face model. */
export interface FaceModelOutputSpec {
  /** Our stable output name (the ONNX graph output name). */
  name: string;
  /** Name of the tensor in the TF.js graph (node name, without `:0`). */
  tfjsNode: string;
  /** Shape with `-1` for the batch dimension where dynamic. */
  shape: number[];
  /** Meaning of the values. */
  description: string;
}

/** Static description of one face model. */
export interface FaceModelSpec {
  id: FaceModelId;
  /** File name of the TF.js graph model JSON inside `@vladmandic/human/models/`. */
  tfjsFile: string;
  /** Input tensor name (TF.js placeholder name = ONNX input name). */
  inputName: string;
  /** Input shape NHWC; `-1` = dynamic batch. */
  inputShape: [number, number, number, number];
  /** Input value range: 0..255 pixel values map linearly onto `[min, max]`. */
  inputRange: [number, number];
  outputs: FaceModelOutputSpec[];
  /** Upstream model name (MediaPipe). */
  upstream: string;
}

/** Specs of the three embedded models. */
export const FACE_MODEL_SPECS: Readonly<Record<FaceModelId, FaceModelSpec>> = {
  blazeface: {
    id: 'blazeface',
    tfjsFile: 'blazeface.json',
    inputName: 'input',
    inputShape: [1, 256, 256, 3],
    inputRange: [-1, 1],
    upstream: 'MediaPipe face_detection_full_range (BlazeFace back-camera model, 256x256)',
    outputs: [
      { name: 'scores_16', tfjsNode: 'Identity', shape: [1, 512, 1], description: 'logits, 16x16 grid x 2 anchors (stride 16)' },
      { name: 'scores_8', tfjsNode: 'Identity_1', shape: [1, 384, 1], description: 'logits, 8x8 grid x 6 anchors (stride 32)' },
      { name: 'regressors_16', tfjsNode: 'Identity_2', shape: [1, 512, 16], description: 'box (dx, dy, w, h) + 6 keypoints (x, y), input pixels relative to anchor centre' },
      { name: 'regressors_8', tfjsNode: 'Identity_3', shape: [1, 384, 16], description: 'box (dx, dy, w, h) + 6 keypoints (x, y), input pixels relative to anchor centre' },
    ],
  },
  facemesh: {
    id: 'facemesh',
    tfjsFile: 'facemesh.json',
    inputName: 'input_1',
    inputShape: [-1, 192, 192, 3],
    inputRange: [0, 1],
    upstream: 'MediaPipe face_landmark (Face Mesh, 468 points, 192x192)',
    outputs: [
      { name: 'mesh', tfjsNode: 'Identity_2', shape: [-1, 1404], description: '468 x (x, y, z) in crop pixels (0..192), z same scale as x' },
      { name: 'face_flag', tfjsNode: 'Identity_1', shape: [-1, 1], description: 'face presence probability (sigmoid applied), 0..1' },
      { name: 'contours', tfjsNode: 'Identity', shape: [-1, 266], description: 'auxiliary contour output (unused)' },
    ],
  },
  iris: {
    id: 'iris',
    tfjsFile: 'iris.json',
    inputName: 'input_1',
    inputShape: [-1, 64, 64, 3],
    inputRange: [0, 1],
    upstream: 'MediaPipe iris_landmark (64x64 eye crop)',
    outputs: [
      { name: 'eye_and_iris', tfjsNode: 'Identity', shape: [-1, 1, 1, 228], description: '71 eye/brow contour points then 5 iris points (centre first), x, y, z in crop pixels (0..64)' },
    ],
  },
};

/**
 * Absolute path of the TF.js graph model JSON of a face model, resolved through node's module resolution.
 * @param id - model id.
 * @returns absolute path of `@vladmandic/human/models/<id>.json`.
 * @throws Error when `@vladmandic/human` is not installed.
 */
export function tfjsModelPath(id: FaceModelId): string {
  const require = createRequire(import.meta.url);
  // the package's "exports" hide package.json; its main entry lives in <pkg>/dist/
  const entry = require.resolve('@vladmandic/human');
  return path.join(path.dirname(entry), '..', 'models', FACE_MODEL_SPECS[id].tfjsFile);
}
