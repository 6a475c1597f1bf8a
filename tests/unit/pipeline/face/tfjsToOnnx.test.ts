/** The converter: TF SAME padding arithmetic, fp16 dequantisation, deterministic bytes, manifest checks. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ModelIntegrityError } from '../../../../core/errors.ts';
import { convertFaceModel, ensureFaceModel, modelCacheDir, readManifest, sha256Hex } from '../../../../pipeline/face/modelStore.ts';
import { OnnxFaceModelRunner } from '../../../../pipeline/face/onnxRunner.ts';
import { tfjsModelPath } from '../../../../pipeline/face/modelSpecs.ts';
import { decodeTfjsWeights, readTfjsModelFiles, tfSamePadding } from '../../../../pipeline/face/tfjsToOnnx.ts';

const tmp = mkdtempSync(path.join(tmpdir(), 'models-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('tfjsToOnnx', () => {
  it('reproduces TensorFlow SAME padding, asymmetric when the total is odd', () => {
    // 256 input, 5x5 kernel, stride 2 → out 128, total pad 3: 1 before, 2 after (TF puts the extra pad after)
    expect(tfSamePadding(256, 5, 2, 1)).toEqual([1, 2, 128]);
    expect(tfSamePadding(192, 3, 2, 1)).toEqual([0, 1, 96]);
    expect(tfSamePadding(16, 3, 1, 1)).toEqual([1, 1, 16]);
    expect(tfSamePadding(7, 2, 2, 1)).toEqual([0, 1, 4]);
  });

  it('dequantises the float16 facemesh weights', async () => {
    const { json, weightData } = await readTfjsModelFiles(tfjsModelPath('facemesh'));
    const w = decodeTfjsWeights(json as never, weightData);
    const conv = w.get('StatefulPartitionedCall/model_1/conv2d_1/Conv2D_weights')!;
    expect(conv.shape).toEqual([3, 3, 3, 16]);
    let maxAbs = 0;
    for (const v of conv.data) maxAbs = Math.max(maxAbs, Math.abs(v));
    expect(maxAbs).toBeGreaterThan(0.01);
    expect(maxAbs).toBeLessThan(100);
    // every weight byte is consumed (decodeTfjsWeights throws on a size mismatch)
    expect(weightData.byteLength).toBe(1477958);
  });

  it('converts deterministically to the bytes recorded in models/manifest.json', async () => {
    const manifest = await readManifest();
    for (const id of ['blazeface', 'facemesh', 'iris'] as const) {
      const a = await convertFaceModel(id);
      const b = await convertFaceModel(id);
      expect(sha256Hex(a.onnx)).toBe(sha256Hex(b.onnx));
      expect(a.entry.sha256).toBe(manifest.models[id]!.sha256);
      expect(a.entry.sizeBytes).toBe(manifest.models[id]!.sizeBytes);
      expect(a.entry.sourceSha256).toBe(manifest.models[id]!.sourceSha256);
    }
  });

  it('caches outside git, repairs a corrupted cache file and rejects a manifest that does not match', async () => {
    expect(modelCacheDir({ AVATAR_STUDIO_CACHE: '/x/y' })).toBe('/x/y/models');
    expect(modelCacheDir({ HOME: '/home/u', XDG_CACHE_HOME: '/c' })).toBe('/c/avatar-studio/models');
    const { path: p, entry } = await ensureFaceModel('iris', { cacheDir: tmp });
    expect(sha256Hex(readFileSync(p))).toBe(entry.sha256);
    writeFileSync(p, Buffer.alloc(entry.sizeBytes)); // same size, wrong bytes
    const logs: string[] = [];
    await ensureFaceModel('iris', { cacheDir: tmp, onLog: (m) => logs.push(m) });
    expect(logs[0]).toMatch(/wrong SHA-256/);
    expect(sha256Hex(readFileSync(p))).toBe(entry.sha256);
    const manifest = await readManifest();
    const bad = structuredClone(manifest);
    bad.models.iris!.sha256 = '0'.repeat(64);
    await expect(ensureFaceModel('iris', { cacheDir: path.join(tmp, 'other'), manifest: bad })).rejects.toBeInstanceOf(ModelIntegrityError);
    const badSource = structuredClone(manifest);
    badSource.models.iris!.sourceSha256 = 'f'.repeat(64);
    await expect(ensureFaceModel('iris', { cacheDir: path.join(tmp, 'other2'), manifest: badSource })).rejects.toThrow(/TF\.js source of "iris"/);
  });

  it('checks the sessions\' real input/output names and shapes against the manifest', async () => {
    const manifest = await readManifest();
    const renamed = structuredClone(manifest);
    renamed.models.facemesh!.outputs[0]!.name = 'landmarks';
    await expect(OnnxFaceModelRunner.create({ manifest: renamed })).rejects.toThrow(/Model "facemesh" has outputs \[mesh, face_flag, contours\], manifest says \[landmarks, face_flag, contours\]/);
    const reshaped = structuredClone(manifest);
    reshaped.models.iris!.inputs[0]!.shape = ['batch', 96, 96, 3];
    await expect(OnnxFaceModelRunner.create({ manifest: reshaped })).rejects.toBeInstanceOf(ModelIntegrityError);
    const ok = await OnnxFaceModelRunner.create({ manifest });
    expect(ok.executionProvider).toBe('cpu');
    await ok.dispose();
    await expect(ok.run('iris', new Float32Array(64 * 64 * 3), 1)).rejects.toThrow(/disposed/);
  });
});
