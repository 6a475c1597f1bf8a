/**
 * ONNX Runtime sessions for the converted face models, with execution-provider choice and reported fallback.
 * @remarks onnxruntime-node 1.30 bundles the CPU provider everywhere, WebGPU on Linux/Windows (needs a
 * Vulkan/D3D adapter), DirectML on Windows and CoreML on macOS; CUDA/TensorRT need separately installed provider
 * libraries. We try the requested providers in order, one at a time, and fall back to `cpu`; every fallback is
 * reported through `onLog` and recorded in {@link OnnxFaceModelRunner.fallbacks}, never silent.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { ModelIntegrityError } from '../../core/errors.ts';
import { ensureFaceModel, readManifest, type ManifestTensor, type ModelManifest, type ModelManifestEntry } from './modelStore.ts';
import { FACE_MODEL_IDS, FACE_MODEL_SPECS, type FaceModelId } from './modelSpecs.ts';
import type { FaceModelRunner, ModelOutputs } from './modelRunner.ts';

// onnxruntime-node 1.30's Linux build carries Microsoft's 1DS telemetry client: with it on, every process that
// creates a session writes /tmp/mat-debug-<pid>.log and may upload usage events. A desktop app must not phone home
// unasked, so it is off unless the user sets ORT_DISABLE_TELEMETRY=0 themselves. ORT reads the variable when its
// environment is created (first session), so setting it here, before any session, is enough.
process.env.ORT_DISABLE_TELEMETRY ??= '1';

/** Options of {@link OnnxFaceModelRunner.create}. */
export interface OnnxRunnerOptions {
  /** Providers to try in order (`cuda`, `tensorrt`, `dml`, `coreml`, `webgpu`, `cpu`); default {@link defaultExecutionProviders}. */
  executionProviders?: string[];
  /** Receives one line per notable event (conversion, fallback). */
  onLog?: (message: string) => void;
  /** Model cache directory override. */
  cacheDir?: string;
  /** Intra-op threads per session; default 0 = ORT's choice. */
  intraOpNumThreads?: number;
  /** Manifest to verify against; default models/manifest.json (tests inject altered copies). */
  manifest?: ModelManifest;
}

/**
 * Default execution providers for this platform.
 * @param env - environment; `AVATAR_STUDIO_EP` (comma-separated) overrides.
 * @returns e.g. `['coreml','cpu']` on macOS, `['dml','cpu']` on Windows, `['cuda','cpu']` on Linux when the CUDA
 * provider library is installed next to onnxruntime-node, else `['cpu']`.
 */
export function defaultExecutionProviders(env: NodeJS.ProcessEnv = process.env): string[] {
  if (env.AVATAR_STUDIO_EP) return env.AVATAR_STUDIO_EP.split(',').map((s) => s.trim()).filter(Boolean);
  if (process.platform === 'darwin') return ['coreml', 'cpu'];
  if (process.platform === 'win32') return ['dml', 'cpu'];
  try {
    const req = createRequire(import.meta.url);
    const bin = path.join(path.dirname(req.resolve('onnxruntime-node')), '..', 'bin', 'napi-v6', process.platform, process.arch);
    if (existsSync(path.join(bin, 'libonnxruntime_providers_cuda.so'))) return ['cuda', 'cpu'];
  } catch {
    // fall through to CPU
  }
  return ['cpu'];
}

function shapeMatches(actual: ReadonlyArray<number | string>, expected: ReadonlyArray<number | string>): boolean {
  if (actual.length !== expected.length) return false;
  // symbolic / dynamic dims (strings or negative numbers) match a symbolic expectation; numbers must be equal
  return actual.every((d, i) => {
    const e = expected[i]!;
    const dynamic = typeof d === 'string' || d < 0;
    return typeof e === 'string' ? dynamic || typeof d === 'number' : !dynamic && d === e;
  });
}

/**
 * Checks a session's real inputs/outputs against the manifest entry.
 * @throws ModelIntegrityError naming the first mismatch.
 */
function checkSignature(id: string, session: ort.InferenceSession, entry: ModelManifestEntry): void {
  const check = (kind: string, names: readonly string[], meta: ReadonlyArray<{ name: string; isTensor: boolean; type?: string; shape?: ReadonlyArray<number | string> }> | undefined, expected: ManifestTensor[]): void => {
    const want = expected.map((t) => t.name);
    if (names.length !== want.length || names.some((n, i) => n !== want[i])) {
      throw new ModelIntegrityError(`Model "${id}" has ${kind}s [${names.join(', ')}], manifest says [${want.join(', ')}].`, { id });
    }
    if (!meta) return;
    for (const t of expected) {
      const m = meta.find((x) => x.name === t.name);
      if (!m || !m.isTensor || m.type !== t.dtype || !m.shape || !shapeMatches(m.shape, t.shape)) {
        throw new ModelIntegrityError(`Model "${id}" ${kind} "${t.name}" is ${m?.type ?? '?'}[${m?.shape?.join(',') ?? '?'}], manifest says ${t.dtype}[${t.shape.join(',')}].`, { id });
      }
    }
  };
  type Meta = ReadonlyArray<{ name: string; isTensor: boolean; type?: string; shape?: ReadonlyArray<number | string> }>;
  const s = session as unknown as { inputMetadata?: Meta; outputMetadata?: Meta };
  check('input', session.inputNames, s.inputMetadata, entry.inputs);
  check('output', session.outputNames, s.outputMetadata, entry.outputs);
}

/** A {@link FaceModelRunner} on ONNX Runtime. */
export class OnnxFaceModelRunner implements FaceModelRunner {
  private constructor(
    private readonly sessions: Map<FaceModelId, ort.InferenceSession>,
    /** The provider actually used. */
    readonly executionProvider: string,
    /** One line per provider that was requested but could not be used. */
    readonly fallbacks: string[],
  ) {}

  /**
   * Creates verified sessions for the three face models (converting them into the cache on first use).
   * @param opts - see {@link OnnxRunnerOptions}.
   * @returns a ready runner.
   * @throws ModelIntegrityError when a model's hash, size or I/O signature does not match models/manifest.json.
   */
  static async create(opts: OnnxRunnerOptions = {}): Promise<OnnxFaceModelRunner> {
    const log = opts.onLog ?? (() => {});
    const manifest = opts.manifest ?? (await readManifest());
    const paths = new Map<FaceModelId, { path: string; entry: ModelManifestEntry }>();
    for (const id of FACE_MODEL_IDS) paths.set(id, await ensureFaceModel(id, { cacheDir: opts.cacheDir, onLog: log, manifest }));
    const requested = opts.executionProviders?.length ? opts.executionProviders : defaultExecutionProviders();
    const candidates = requested.includes('cpu') ? requested : [...requested, 'cpu'];
    const fallbacks: string[] = [];
    // ORT's native logger prints a multi-line error for each provider library it cannot load; we report the
    // failure ourselves (onLog + fallbacks), so keep its console quiet (errors still surface as exceptions).
    if (candidates.some((ep) => ep !== 'cpu')) ort.env.logLevel = 'fatal';
    for (const ep of candidates) {
      const sessions = new Map<FaceModelId, ort.InferenceSession>();
      try {
        for (const id of FACE_MODEL_IDS) {
          const session = await ort.InferenceSession.create(paths.get(id)!.path, {
            executionProviders: [ep],
            graphOptimizationLevel: 'all',
            logSeverityLevel: 4,
            ...(opts.intraOpNumThreads ? { intraOpNumThreads: opts.intraOpNumThreads } : {}),
          });
          sessions.set(id, session);
          checkSignature(id, session, paths.get(id)!.entry);
        }
        if (fallbacks.length > 0) log(`face models run on execution provider "${ep}" (fallback: ${fallbacks.join('; ')})`);
        return new OnnxFaceModelRunner(sessions, ep, fallbacks);
      } catch (err) {
        for (const s of sessions.values()) await s.release();
        if (err instanceof ModelIntegrityError || ep === 'cpu') throw err;
        const reason = (err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 160);
        fallbacks.push(`${ep} unavailable (${reason})`);
        log(`execution provider "${ep}" unavailable: ${reason}; trying the next one`);
      }
    }
    throw new Error('unreachable: cpu provider always attempted');
  }

  /**
   * Runs one model.
   * @param id - model id. @param input - NHWC floats in the model's range. @param batch - batch size.
   * @returns outputs by name.
   */
  async run(id: FaceModelId, input: Float32Array, batch: number): Promise<ModelOutputs> {
    const session = this.sessions.get(id);
    if (!session) throw new Error(`face model session "${id}" is disposed`);
    const spec = FACE_MODEL_SPECS[id];
    const [, h, w, c] = spec.inputShape;
    const feeds = { [spec.inputName]: new ort.Tensor('float32', input, [batch, h, w, c]) };
    const res = await session.run(feeds);
    const out: ModelOutputs = {};
    for (const o of spec.outputs) {
      const t = res[o.name]!;
      out[o.name] = { data: t.data as Float32Array, shape: t.dims.slice() };
    }
    return out;
  }

  /** Releases all sessions (idempotent). */
  async dispose(): Promise<void> {
    for (const s of this.sessions.values()) await s.release();
    this.sessions.clear();
  }
}
