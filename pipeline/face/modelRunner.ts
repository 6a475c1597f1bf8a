/**
 * The seam between the face pipeline and an inference engine (ONNX Runtime in the product, TF.js as reference).
 */
import type { FaceModelId } from './modelSpecs.ts';

/** One output tensor: row-major data and its shape. */
export interface ModelTensor {
  data: Float32Array;
  shape: number[];
}

/** Outputs of one model run, keyed by the stable output names of `FACE_MODEL_SPECS`. */
export type ModelOutputs = Record<string, ModelTensor>;

/** Runs the embedded face models. Owns its sessions: call `dispose()` once. */
export interface FaceModelRunner {
  /** The execution provider or backend actually used, e.g. `"cpu"`, `"cuda"`, `"tfjs-wasm"`. */
  readonly executionProvider: string;
  /**
   * Runs a model on an NHWC float batch.
   * @param id - model id.
   * @param input - `batch × H × W × 3` floats in the model's input range (see `FACE_MODEL_SPECS`).
   * @param batch - number of images in `input`.
   */
  run(id: FaceModelId, input: Float32Array, batch: number): Promise<ModelOutputs>;
  /** Releases sessions and weights. */
  dispose(): Promise<void>;
}
