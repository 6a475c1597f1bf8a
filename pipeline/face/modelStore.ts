/**
 * Where the converted face models live and how they are verified: a cache outside git
 * (`$AVATAR_STUDIO_CACHE/models` or `~/.cache/avatar-studio/models`), filled on first use by converting the
 * TF.js originals from npm, and checked against `models/manifest.json` (sha256, size, I/O signature).
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ModelIntegrityError } from '../../core/errors.ts';
import { FACE_MODEL_SPECS, tfjsModelPath, type FaceModelId } from './modelSpecs.ts';
import { convertTfjsGraphToOnnx, ONNX_OPSET, readTfjsModelFiles } from './tfjsToOnnx.ts';
import { writeFileAtomic } from '../files/atomicWrite.ts';

/** One tensor of a manifest entry. */
export interface ManifestTensor {
  name: string;
  dtype: 'float32';
  /** Shape; `"batch"` marks a dynamic dimension. */
  shape: Array<number | string>;
  layout: string;
  /** Value range `[min, max]` (inputs: what 0..255 pixels map to; outputs: typical range). */
  range: [number, number];
  description?: string;
}

/** A model's manifest entry (DESIGN.md §4). */
export interface ModelManifestEntry {
  id: string;
  file: string;
  sha256: string;
  sizeBytes: number;
  licence: string;
  source: string;
  /** SHA-256 over the TF.js source bytes: model.json then each weight shard, concatenated. */
  sourceSha256: string;
  opset: number;
  inputs: ManifestTensor[];
  outputs: ManifestTensor[];
}

/** The manifest file's shape. */
export interface ModelManifest {
  models: Record<string, ModelManifestEntry>;
}

/** Path of `models/manifest.json` in the repository (resolved from this module). */
export const MANIFEST_PATH = path.resolve(import.meta.dirname, '../../models/manifest.json');

/**
 * The model cache directory.
 * @param env - environment (for tests); default `process.env`.
 * @returns `$AVATAR_STUDIO_CACHE/models` when set, else `~/.cache/avatar-studio/models` (XDG_CACHE_HOME honoured).
 */
export function modelCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.AVATAR_STUDIO_CACHE) return path.join(env.AVATAR_STUDIO_CACHE, 'models');
  const base = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'avatar-studio', 'models');
}

/** SHA-256 hex of bytes (several chunks hashed as one stream). */
export function sha256Hex(...chunks: Uint8Array[]): string {
  const h = createHash('sha256');
  for (const c of chunks) h.update(c);
  return h.digest('hex');
}

/**
 * Reads `models/manifest.json`.
 * @returns the manifest.
 * @throws ModelIntegrityError when the file is missing or malformed.
 */
export async function readManifest(manifestPath = MANIFEST_PATH): Promise<ModelManifest> {
  try {
    return JSON.parse(await readFile(manifestPath, 'utf8')) as ModelManifest;
  } catch (err) {
    throw new ModelIntegrityError(`Model manifest ${manifestPath} cannot be read: ${(err as Error).message}`, { path: manifestPath });
  }
}

/**
 * Converts one face model from its TF.js original.
 * @param id - model id.
 * @returns the ONNX bytes and the manifest entry describing them.
 */
export async function convertFaceModel(id: FaceModelId): Promise<{ onnx: Uint8Array; entry: ModelManifestEntry }> {
  const spec = FACE_MODEL_SPECS[id];
  const jsonPath = tfjsModelPath(id);
  const { json, weightData, sourceBytes } = await readTfjsModelFiles(jsonPath);
  const licence = 'Apache-2.0';
  const source = `${spec.upstream}; TF.js graph model from npm @vladmandic/human models/${spec.tfjsFile}; converted by pipeline/face/tfjsToOnnx.ts`;
  const onnx = convertTfjsGraphToOnnx(json, weightData, {
    inputName: spec.inputName,
    inputShape: spec.inputShape,
    outputs: spec.outputs.map((o) => ({ name: o.name, tfjsNode: o.tfjsNode })),
    graphName: id,
    docString: `${spec.upstream}. Converted from TF.js by avatar-studio. Licence ${licence}.`,
    metadata: [
      ['licence', licence],
      ['source', source],
      ['layout', 'input NHWC, outputs as TF'],
    ],
  });
  const dyn = (s: number[]): Array<number | string> => s.map((d) => (d < 0 ? 'batch' : d));
  const entry: ModelManifestEntry = {
    id,
    file: `${id}.onnx`,
    sha256: sha256Hex(onnx),
    sizeBytes: onnx.byteLength,
    licence,
    source,
    sourceSha256: sha256Hex(...sourceBytes),
    opset: ONNX_OPSET,
    inputs: [{ name: spec.inputName, dtype: 'float32', shape: dyn(spec.inputShape), layout: 'NHWC', range: spec.inputRange, description: 'RGB' }],
    outputs: spec.outputs.map((o) => ({ name: o.name, dtype: 'float32', shape: dyn(o.shape), layout: o.shape.length === 4 ? 'NHWC' : 'row-major', range: outputRange(o.name), description: o.description })),
  };
  return { onnx, entry };
}

function outputRange(name: string): [number, number] {
  if (name === 'face_flag') return [0, 1];
  if (name.startsWith('scores')) return [-100, 100];
  if (name === 'mesh') return [-192, 384];
  if (name === 'eye_and_iris') return [-64, 128];
  if (name === 'contours') return [-192, 384];
  return [-256, 512];
}

/** Writes a file atomically and durably (see pipeline/files/atomicWrite.ts). */
async function writeAtomic(file: string, bytes: Uint8Array): Promise<void> {
  await writeFileAtomic(file, bytes);
}

/**
 * Returns the verified path of a converted model, converting it into the cache on first use.
 * @param id - model id.
 * @param opts - `cacheDir` override, `onLog` for progress lines.
 * @returns absolute path of `<cache>/<id>.onnx` whose size and SHA-256 match the manifest.
 * @throws ModelIntegrityError when the TF.js source differs from the one the manifest was made from, when the
 * conversion does not reproduce the manifest's SHA-256, or when the manifest has no entry for the model.
 */
export async function ensureFaceModel(id: FaceModelId, opts: { cacheDir?: string; onLog?: (msg: string) => void; manifest?: ModelManifest } = {}): Promise<{ path: string; entry: ModelManifestEntry }> {
  const manifest = opts.manifest ?? (await readManifest());
  const entry = manifest.models[id];
  if (!entry) throw new ModelIntegrityError(`models/manifest.json has no entry for "${id}" (run \`npm run models\`).`, { id });
  const file = path.join(opts.cacheDir ?? modelCacheDir(), entry.file);
  const existing = await stat(file).catch(() => null);
  if (existing && existing.size === entry.sizeBytes) {
    const bytes = await readFile(file);
    if (sha256Hex(bytes) === entry.sha256) return { path: file, entry };
    opts.onLog?.(`cached ${entry.file} has the wrong SHA-256; converting it again`);
  }
  opts.onLog?.(`converting ${id} from TF.js to ONNX into ${path.dirname(file)}`);
  const { onnx, entry: fresh } = await convertFaceModel(id);
  if (fresh.sourceSha256 !== entry.sourceSha256) {
    throw new ModelIntegrityError(`The TF.js source of "${id}" (${tfjsModelPath(id)}) differs from the one in models/manifest.json (sha256 ${fresh.sourceSha256.slice(0, 12)}… vs ${entry.sourceSha256.slice(0, 12)}…).`, { id, expected: entry.sourceSha256, actual: fresh.sourceSha256 });
  }
  if (fresh.sha256 !== entry.sha256 || fresh.sizeBytes !== entry.sizeBytes) {
    throw new ModelIntegrityError(`Converting "${id}" gave ${fresh.sizeBytes} bytes sha256 ${fresh.sha256.slice(0, 12)}…, but models/manifest.json expects ${entry.sizeBytes} bytes sha256 ${entry.sha256.slice(0, 12)}….`, { id });
  }
  await writeAtomic(file, onnx);
  return { path: file, entry };
}
