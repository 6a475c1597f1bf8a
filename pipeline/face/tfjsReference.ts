/**
 * Runs the original TF.js graph models (the conversion's ground truth) on the pure-JS CPU or WASM backend.
 * @remarks Reference and benchmark only: the product runs the converted ONNX models. `@tensorflow/tfjs-*` are
 * dev dependencies and are imported lazily so nothing else pays for them. Models are read from disk through a
 * custom `IOHandler` (TF.js' own file loader needs tfjs-node).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { FACE_MODEL_SPECS, tfjsModelPath, type FaceModelId } from './modelSpecs.ts';
import type { FaceModelRunner, ModelOutputs } from './modelRunner.ts';
import type * as tfTypes from '@tensorflow/tfjs-core';
import type { GraphModel } from '@tensorflow/tfjs-converter';

type Tf = typeof tfTypes;

interface TfjsModelJson {
  modelTopology: unknown;
  weightsManifest: Array<{ paths: string[]; weights: unknown[] }>;
  format?: string;
  generatedBy?: string;
  convertedBy?: string;
  signature?: unknown;
  userDefinedMetadata?: Record<string, unknown>;
}

/**
 * Loads a TF.js graph model JSON + its weight shards into the arguments of `tf.io.fromMemory`-style artifacts.
 * @param jsonPath - absolute path of `model.json`.
 * @returns the parsed model JSON and the concatenated weight bytes.
 */
export async function readTfjsGraphModel(jsonPath: string): Promise<{ json: TfjsModelJson; weightData: ArrayBuffer }> {
  const json = JSON.parse(await readFile(jsonPath, 'utf8')) as TfjsModelJson;
  const parts: Buffer[] = [];
  for (const group of json.weightsManifest) for (const p of group.paths) parts.push(await readFile(path.join(path.dirname(jsonPath), p)));
  const all = Buffer.concat(parts);
  return { json, weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer };
}

/** TF.js backends usable in Node without native add-ons. */
export type TfjsBackendName = 'cpu' | 'wasm';

/**
 * A {@link FaceModelRunner} over the original TF.js graph models.
 * @remarks Create with {@link TfjsFaceModelRunner.create}; call `dispose()` to free the models.
 */
export class TfjsFaceModelRunner implements FaceModelRunner {
  readonly executionProvider: string;
  private constructor(
    private readonly tf: Tf,
    private readonly models: Map<FaceModelId, GraphModel>,
    backend: TfjsBackendName,
  ) {
    this.executionProvider = `tfjs-${backend}`;
  }

  /**
   * Loads the three face models on a TF.js backend.
   * @param backend - `"cpu"` (pure JS) or `"wasm"` (XNNPACK/SIMD WebAssembly); default `"cpu"`.
   * @returns a ready runner.
   * @throws Error when the TF.js dev dependencies are missing.
   */
  static async create(backend: TfjsBackendName = 'cpu'): Promise<TfjsFaceModelRunner> {
    const tf = await import('@tensorflow/tfjs-core');
    const converter = await import('@tensorflow/tfjs-converter');
    if (backend === 'cpu') {
      await import('@tensorflow/tfjs-backend-cpu');
    } else {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      const { createRequire } = await import('node:module');
      const req = createRequire(import.meta.url);
      const distDir = path.dirname(req.resolve('@tensorflow/tfjs-backend-wasm'));
      wasm.setWasmPaths(distDir.endsWith('/') ? distDir : `${distDir}/`);
    }
    await tf.setBackend(backend);
    await tf.ready();
    const models = new Map<FaceModelId, GraphModel>();
    for (const id of Object.keys(FACE_MODEL_SPECS) as FaceModelId[]) {
      const { json, weightData } = await readTfjsGraphModel(tfjsModelPath(id));
      const handler = {
        load: async () => ({
          modelTopology: json.modelTopology as object,
          weightSpecs: json.weightsManifest.flatMap((g) => g.weights) as never,
          weightData,
          format: json.format,
          generatedBy: json.generatedBy,
          convertedBy: json.convertedBy ?? null,
          signature: json.signature as object | undefined,
          userDefinedMetadata: json.userDefinedMetadata as object | undefined,
        }),
      };
      models.set(id, await converter.loadGraphModel(handler as unknown as tfTypes.io.IOHandler));
    }
    return new TfjsFaceModelRunner(tf, models, backend);
  }

  /**
   * Runs one model.
   * @param id - model id.
   * @param input - NHWC float input, `batch × H × W × 3`, already scaled to the model's input range.
   * @param batch - batch size (1 for blazeface).
   * @returns outputs by our stable names, each a copy as Float32Array with its shape.
   */
  async run(id: FaceModelId, input: Float32Array, batch: number): Promise<ModelOutputs> {
    const spec = FACE_MODEL_SPECS[id];
    const model = this.models.get(id);
    if (!model) throw new Error(`model ${id} not loaded`);
    const tf = this.tf;
    const [, h, w, c] = spec.inputShape;
    const x = tf.tensor4d(input, [batch, h, w, c]);
    try {
      const names = spec.outputs.map((o) => o.tfjsNode);
      const raw = model.execute({ [spec.inputName]: x }, names);
      const outs = (Array.isArray(raw) ? raw : [raw]) as tfTypes.Tensor[];
      const result: ModelOutputs = {};
      for (let i = 0; i < spec.outputs.length; i++) {
        const t = outs[i]!;
        result[spec.outputs[i]!.name] = { data: new Float32Array(await t.data()), shape: t.shape.slice() };
        t.dispose();
      }
      return result;
    } finally {
      x.dispose();
    }
  }

  /** Frees the models' weights. */
  async dispose(): Promise<void> {
    for (const m of this.models.values()) m.dispose();
    this.models.clear();
  }
}
