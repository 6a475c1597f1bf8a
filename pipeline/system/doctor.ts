/**
 * `doctor`: reports what the product will run on (ffmpeg, ffprobe, Chromium, ONNX Runtime backends), and
 * performs the one explicit, reported download the product knows: onnxruntime-node's CUDA libraries.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { StudioError } from '../../core/errors.ts';
import { resolveFfmpeg, resolveFfprobe } from '../ffmpeg/ffmpegPath.ts';

const require = createRequire(import.meta.url);

/** One line of the doctor report. */
export interface DoctorCheck {
  name: string;
  ok: boolean;
  detail: string;
}

/**
 * Collects the environment checks.
 * @returns one entry per dependency; `ok: false` entries say what is missing and how to fix it.
 */
export async function runDoctorChecks(): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  const attempt = (name: string, fn: () => string): void => {
    try {
      checks.push({ name, ok: true, detail: fn() });
    } catch (err) {
      checks.push({ name, ok: false, detail: (err as Error).message });
    }
  };
  attempt('node', () => process.version);
  attempt('ffmpeg', () => {
    const b = resolveFfmpeg();
    return `${b.path} (from ${b.source})`;
  });
  attempt('ffprobe', () => resolveFfprobe());
  attempt('chromium', () => {
    if (process.env.CHROME_PATH) return `${process.env.CHROME_PATH} (CHROME_PATH)`;
    // the package's "exports" hide package.json: find it above the resolved entry point
    let dir = dirname(require.resolve('@sparticuz/chromium'));
    const manifest = (d: string): { name?: string; version?: string } => (existsSync(join(d, 'package.json')) ? (JSON.parse(readFileSync(join(d, 'package.json'), 'utf8')) as { name?: string; version?: string }) : {});
    while (manifest(dir).name !== '@sparticuz/chromium' && dirname(dir) !== dir) dir = dirname(dir);
    const version = manifest(dir).version ?? 'unknown version';
    return `@sparticuz/chromium ${version} (${dir})`;
  });
  attempt('onnxruntime', () => {
    const ort = require('onnxruntime-node') as { listSupportedBackends: () => { name: string; bundled: boolean }[] };
    const backends = ort.listSupportedBackends();
    const cudaReady = cudaLibrariesPresent();
    return backends.map((b) => `${b.name}${b.bundled ? '' : b.name === 'cuda' || b.name === 'tensorrt' ? (cudaReady ? ' (downloaded)' : ' (not installed: doctor --install-cuda)') : ''}`).join(', ');
  });
  return checks;
}

/** Whether onnxruntime-node's CUDA provider library is present in its install folder. */
function cudaLibrariesPresent(): boolean {
  const root = dirname(require.resolve('onnxruntime-node/package.json'));
  const dir = join(root, 'bin', 'napi-v6', process.platform, process.arch);
  return existsSync(join(dir, 'libonnxruntime_providers_cuda.so')) || existsSync(join(dir, 'onnxruntime_providers_cuda.dll'));
}

/**
 * Downloads onnxruntime-node's CUDA 12 libraries by running its own install script with
 * `ONNXRUNTIME_NODE_INSTALL=cuda12` (the download npm install skipped). Output is streamed to `onLine`.
 * @param onLine - receives each line the script prints.
 * @throws StudioError `CUDA_INSTALL_FAILED` with the script's exit code when the download fails
 *   (e.g. no network access to the NuGet feed).
 */
export async function installCudaProvider(onLine: (line: string) => void): Promise<void> {
  const root = dirname(require.resolve('onnxruntime-node/package.json'));
  const script = join(root, 'script', 'install.js');
  await new Promise<void>((resolveDone, reject) => {
    const child = spawn(process.execPath, [script], { cwd: root, env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'cuda12' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const forward = (buf: Buffer): void => buf.toString('utf8').split(/\r?\n/).filter(Boolean).forEach(onLine);
    child.stdout.on('data', forward);
    child.stderr.on('data', forward);
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolveDone() : reject(new StudioError('CUDA_INSTALL_FAILED', `downloading the CUDA libraries failed (exit ${code}); the CPU provider keeps working`, { exitCode: code }))));
  });
}
