/**
 * `npm run models`: converts the embedded MediaPipe face models (TF.js graph models from npm) to ONNX in the
 * model cache, and with `--write-manifest` records their SHA-256, size and I/O signature in models/manifest.json.
 * @remarks Without `--write-manifest` the conversion is checked against the committed manifest (a mismatch is a
 * ModelIntegrityError: the npm source changed or the converter is not deterministic).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ensureFaceModel, convertFaceModel, MANIFEST_PATH, modelCacheDir, type ModelManifest } from '../pipeline/face/modelStore.ts';
import { FACE_MODEL_IDS } from '../pipeline/face/modelSpecs.ts';

const writeManifest = process.argv.includes('--write-manifest');
if (writeManifest) {
  const manifest: ModelManifest = { models: {} };
  for (const id of FACE_MODEL_IDS) {
    const { onnx, entry } = await convertFaceModel(id);
    manifest.models[id] = entry;
    const file = path.join(modelCacheDir(), entry.file);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, onnx);
    console.log(`${id}: ${entry.sizeBytes} bytes sha256 ${entry.sha256} → ${file}`);
  }
  await writeFile(MANIFEST_PATH, `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(`wrote ${MANIFEST_PATH}`);
} else {
  for (const id of FACE_MODEL_IDS) {
    const { path: file, entry } = await ensureFaceModel(id, { onLog: (m) => console.log(m) });
    console.log(`${id}: ok ${entry.sizeBytes} bytes sha256 ${entry.sha256.slice(0, 16)}… ${file}`);
  }
}
