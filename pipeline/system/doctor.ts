/**
 * `doctor`: checks what the product runs on by running it, not by finding files: the render browser is launched and
 * draws a WebGL2 frame of the export page; ffmpeg and ffprobe answer `-version`; ffmpeg encodes one frame with each
 * codec the exports use. Each failure says what to do. Also performs the one explicit, reported download the
 * product knows: onnxruntime-node's CUDA libraries.
 */
import { execFile, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { StudioError } from '../../core/errors.ts';
import { resolveFfmpeg, resolveFfprobe } from '../ffmpeg/ffmpegPath.ts';

const require = createRequire(import.meta.url);

/** One line of the doctor report. */
export interface DoctorCheck {
  name: string;
  ok: boolean;
  detail: string;
  /** What to do when it fails. */
  fix?: string;
}

/** One-frame encodes run by {@link runDoctorChecks}: the video and audio codecs the exports use (pipeline/encode). */
export const DOCTOR_CODECS: readonly { name: string; args: string[] }[] = [
  { name: 'H.264 (mp4)', args: ['-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-f', 'mp4'] },
  { name: 'VP9 alpha (webm)', args: ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-pix_fmt', 'yuva420p', '-f', 'webm'] },
  { name: 'ProRes 4444 (mov)', args: ['-c:v', 'prores_ks', '-profile:v', '4444', '-pix_fmt', 'yuva444p10le', '-f', 'mov'] },
  { name: 'GIF', args: ['-c:v', 'gif', '-f', 'gif'] },
  { name: 'PNG', args: ['-c:v', 'png', '-f', 'image2pipe'] },
  { name: 'AAC audio', args: ['-map', '1:a', '-c:a', 'aac', '-f', 'adts'] },
  { name: 'Opus audio', args: ['-map', '1:a', '-c:a', 'libopus', '-f', 'ogg'] },
];

const FFMPEG_FIX = 'reinstall dependencies (npm ci), or point AVATAR_STUDIO_FFMPEG at a working ffmpeg (with libx264, libvpx, libopus)';
const BROWSER_FIX = 'install Google Chrome, Chromium or Microsoft Edge, or point CHROME_PATH at one; on Linux x64 `npm ci` also brings a bundled Chromium';

function run(file: string, args: string[], timeoutMs: number): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: timeoutMs, maxBuffer: 1 << 24, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) {
        const tail = String(stderr || err.message).trim().split('\n').slice(-1)[0] ?? '';
        reject(new Error(`${(err as { killed?: boolean }).killed ? 'timed out' : `failed (${(err as NodeJS.ErrnoException).code ?? 'error'})`}: ${tail}`.slice(0, 300)));
      } else resolve({ stdout, stderr });
    });
  });
}

/**
 * Launches the render browser (pipeline/render/renderHost.ts, loaded here only) and draws one 64×64 frame of the
 * export page with WebGL2.
 * @returns where the browser came from and whether it is sandboxed.
 * @throws what RenderHost.launch/renderStill throw.
 */
async function drawOneFrame(): Promise<string> {
  const { RenderHost } = await import('../render/renderHost.ts');
  const host = await RenderHost.launch({ widthPx: 64, heightPx: 64, background: { color: '#336699' } });
  try {
    const rgba = await host.renderStill({ blendshapes: new Float32Array(52) });
    if (rgba.length !== 64 * 64 * 4) throw new Error(`the frame has ${rgba.length} bytes, expected ${64 * 64 * 4}`);
    // the background colour #336699 must come back (as sRGB 51,102,153 or as linear 8,34,81, as the scene reads
    // it back today): proof that WebGL2 drew and the pixels were read back
    const at = (32 * 64 + 32) * 4;
    const got = [rgba[at]!, rgba[at + 1]!, rgba[at + 2]!];
    const near = (want: number[]): boolean => want.every((v, k) => Math.abs(got[k]! - v) <= 4);
    if (!near([51, 102, 153]) && !near([8, 34, 81])) throw new Error(`the WebGL2 frame came back wrong (centre pixel rgb ${got.join(',')}, expected the background 51,102,153)`);
    return `WebGL2 frame drawn (${host.browserSource} browser, ${host.sandboxed ? 'sandboxed' : 'no sandbox: running as root'})`;
  } finally {
    await host.dispose();
  }
}

/**
 * Runs the environment checks.
 * @param opts - `skipBrowser` leaves the render-browser launch out (the desktop app checks its own window).
 * @returns one entry per check; `ok: false` entries say what failed and, in `fix`, what to do.
 */
export async function runDoctorChecks(opts: { skipBrowser?: boolean } = {}): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  const attempt = async (name: string, fix: string, fn: () => string | Promise<string>): Promise<boolean> => {
    try {
      checks.push({ name, ok: true, detail: await fn() });
      return true;
    } catch (err) {
      checks.push({ name, ok: false, detail: (err as Error).message.split('\n')[0] ?? String(err), fix });
      return false;
    }
  };
  await attempt('node', 'install Node.js 20.11 or later', () => process.version);
  let ffmpegPath = '';
  const ffmpegOk = await attempt('ffmpeg', FFMPEG_FIX, async () => {
    const b = resolveFfmpeg();
    ffmpegPath = b.path;
    const { stdout } = await run(b.path, ['-hide_banner', '-version'], 15_000);
    const first = stdout.split('\n')[0] ?? '';
    if (!/^ffmpeg version/.test(first)) throw new Error(`${b.path} did not answer like ffmpeg`);
    return `${first.split(' ').slice(0, 3).join(' ')} (${b.path}, from ${b.source})`;
  });
  if (ffmpegOk) {
    for (const codec of DOCTOR_CODECS) {
      await attempt(`encode ${codec.name}`, `${FFMPEG_FIX}; this ffmpeg cannot write ${codec.name}`, async () => {
        const input = ['-f', 'lavfi', '-i', 'color=c=gray:s=64x64:d=0.04', '-f', 'lavfi', '-i', 'anullsrc=r=48000:cl=mono'];
        const video = codec.args.includes('1:a') ? [] : ['-map', '0:v', '-frames:v', '1'];
        await run(ffmpegPath, ['-hide_banner', '-nostdin', '-loglevel', 'error', ...input, ...video, '-t', '0.04', ...codec.args, '-y', process.platform === 'win32' ? 'NUL' : '/dev/null'], 30_000);
        return 'one frame encoded';
      });
    }
  }
  await attempt('ffprobe', 'reinstall dependencies (npm ci), or point AVATAR_STUDIO_FFPROBE at a working ffprobe', async () => {
    const p = resolveFfprobe();
    const { stdout } = await run(p, ['-hide_banner', '-version'], 15_000);
    if (!/^ffprobe version/.test(stdout)) throw new Error(`${p} did not answer like ffprobe`);
    return `${stdout.split(' ').slice(0, 3).join(' ')} (${p})`;
  });
  if (!opts.skipBrowser) await attempt('render browser', BROWSER_FIX, drawOneFrame);
  await attempt('onnxruntime', 'reinstall dependencies (npm ci)', () => {
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
