/**
 * Batch benchmark (`npm run bench -- batch`): jobs per minute of the same short renders done (1) as one
 * `avatar-studio render` call per job (a process, face models and a render browser started every time),
 * (2) as one `avatar-studio batch` with 1 worker (one browser, portrait analysed once) and (3) with 2 workers,
 * with the ratios against (1) and of 2 workers against 1, all measured in this run.
 * @remarks Inputs: assets/samples/astronaut.png and the first 1.5 s of assets/samples/hello.wav (cut with ffmpeg),
 * 128², 25 fps, MP4; BENCH_BATCH_JOBS sets the job count (default 6). Two workers only help where there are spare
 * cores (each worker's Chromium and ffmpeg take about one); numbers depend on the machine's load.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { resolveFfmpeg } from '../pipeline/ffmpeg/ffmpegPath.ts';

const execFileP = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..');
const CLI = path.join(ROOT, 'bin/avatar-studio.mjs');

async function cli(args: string[]): Promise<void> {
  await execFileP(process.execPath, [CLI, ...args], { maxBuffer: 1 << 24 });
}

async function timedSec(fn: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
}

/** Runs the batch benchmark and prints a table. */
export async function benchBatch(): Promise<void> {
  const jobCount = Number(process.env.BENCH_BATCH_JOBS ?? 6);
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-batch-'));
  try {
    const audio = path.join(dir, 'hello1p5.wav');
    await execFileP(resolveFfmpeg().path, ['-v', 'error', '-i', path.join(ROOT, 'assets/samples/hello.wav'), '-t', '1.5', audio]);
    const portrait = path.join(ROOT, 'assets/samples/astronaut.png');
    const jobs = Array.from({ length: jobCount }, (_, i) => ({ portrait, audio, seed: i + 1, out: `out/job${i + 1}.mp4` }));
    const writeJobs = async (name: string): Promise<string> => {
      const file = path.join(dir, `${name}.json`);
      await writeFile(file, JSON.stringify({ version: 1, defaults: { size: 128, fps: 25 }, jobs: jobs.map((j) => ({ ...j, out: `${name}/${path.basename(j.out)}` })) }));
      return file;
    };
    const singleSec = await timedSec(async () => {
      for (const j of jobs) await cli(['render', '--portrait', j.portrait, '--audio', j.audio, '--seed', String(j.seed), '--size', '128', '--fps', '25', '--out', path.join(dir, 'single', path.basename(j.out)), '--quiet']);
    });
    const batch1Sec = await timedSec(async () => cli(['batch', await writeJobs('batch1'), '--workers', '1', '--quiet']));
    const batch2Sec = await timedSec(async () => cli(['batch', await writeJobs('batch2'), '--workers', '2', '--quiet']));
    const perMin = (sec: number): string => ((jobCount * 60) / sec).toFixed(1);
    process.stdout.write(`${jobCount} jobs of 1.5 s at 128², ${availableParallelism()} logical cores\n`);
    process.stdout.write(`| run | wall s | jobs/min | vs single calls |\n|---|---|---|---|\n`);
    process.stdout.write(`| ${jobCount} × \`render\` (one process each) | ${singleSec.toFixed(1)} | ${perMin(singleSec)} | 1.00 |\n`);
    process.stdout.write(`| \`batch --workers 1\` | ${batch1Sec.toFixed(1)} | ${perMin(batch1Sec)} | ${(singleSec / batch1Sec).toFixed(2)} |\n`);
    process.stdout.write(`| \`batch --workers 2\` | ${batch2Sec.toFixed(1)} | ${perMin(batch2Sec)} | ${(singleSec / batch2Sec).toFixed(2)} |\n`);
    process.stdout.write(`2 workers vs 1: wall time × ${(batch2Sec / batch1Sec).toFixed(2)}\n`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
