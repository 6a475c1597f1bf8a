/**
 * Stopping a render from outside (issue 15): SIGTERM ends it with status 143 and no `.part` file; a wrapper (npx, a
 * shell) killed without forwarding the signal no longer orphans the render. `analyze` without --json prints JSON.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.ts';
import { HAS_CORPUS, corpus } from '../../helpers/media.ts';

const CLI = resolve('bin/avatar-studio.mjs');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits until `pred` holds (polling every 200 ms) or `ms` pass; returns whether it held. */
async function waitFor(pred: () => Promise<boolean>, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(200)) if (await pred()) return true;
  return false;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe.skipIf(!HAS_CORPUS)('signals', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'signals-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  // 60 s of audio at 64 px: long enough to be stopped while frames are being written to the .part file.
  const renderArgs = (out: string): string[] => ['render', '--portrait', corpus('images/img05_elderly_woman_painting_ai.png'), '--audio', corpus('audio/aud07_english_60s_leading_silence.wav'), '--size', '64', '--out', out, '--quiet'];
  const partFiles = async (d: string): Promise<string[]> => (await readdir(d)).filter((f) => f.endsWith('.part'));

  it('SIGTERM while rendering: exit status 143, no .part left', { timeout: 180_000 }, async () => {
    const sub = await mkdtemp(join(dir, 'term-'));
    const child = spawn(process.execPath, [CLI, ...renderArgs(join(sub, 'out.mp4'))], { stdio: 'ignore' });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    expect(await waitFor(async () => (await partFiles(sub)).length > 0, 120_000)).toBe(true);
    await sleep(1000);
    child.kill('SIGTERM');
    expect(await exited).toBe(143); // 130 before, whatever the signal
    expect(await readdir(sub)).toEqual([]);
  });

  it('a wrapper killed without forwarding (SIGKILL to the shell) stops its render too', { timeout: 180_000 }, async () => {
    const sub = await mkdtemp(join(dir, 'orphan-'));
    const cmd = `"${process.execPath}" "${CLI}" ${renderArgs(join(sub, 'out.mp4')).map((a) => `'${a}'`).join(' ')} & echo $!; wait`;
    const shell = spawn('sh', ['-c', cmd], { stdio: ['ignore', 'pipe', 'ignore'] });
    const pid = Number(await new Promise<string>((r) => shell.stdout.once('data', (d: Buffer) => r(d.toString().trim()))));
    try {
      expect(await waitFor(async () => (await partFiles(sub)).length > 0, 120_000)).toBe(true);
      shell.kill('SIGKILL');
      // Before: the render went on to the end (about a minute of work) with the .part file growing.
      expect(await waitFor(async () => !alive(pid), 15_000)).toBe(true);
      expect(await readdir(sub)).toEqual([]);
    } finally {
      if (alive(pid)) process.kill(pid, 'SIGTERM');
    }
  });

  it('a wrapper above a waiting shell killed (npx → sh -c → node, npx SIGKILLed) stops its render too', { timeout: 180_000 }, async () => {
    const sub = await mkdtemp(join(dir, 'npx-'));
    const cmd = `"${process.execPath}" "${CLI}" ${renderArgs(join(sub, 'out.mp4')).map((a) => `'${a}'`).join(' ')} & echo $!; wait`;
    // The wrapper (standing in for npx) starts the shell and stays; the shell waits for the CLI and outlives the wrapper.
    const wrapperCode = `const c = require('node:child_process').spawn('sh', ['-c', process.argv[1]], { stdio: ['ignore', 'inherit', 'ignore'] }); setInterval(() => {}, 1000);`;
    const wrapper = spawn(process.execPath, ['-e', wrapperCode, cmd], { stdio: ['ignore', 'pipe', 'ignore'] });
    const pid = Number(await new Promise<string>((r) => wrapper.stdout.once('data', (d: Buffer) => r(d.toString().trim()))));
    try {
      expect(await waitFor(async () => (await partFiles(sub)).length > 0, 120_000)).toBe(true);
      wrapper.kill('SIGKILL');
      // Before: the CLI's own parent (the shell) lived on, so the render went on to the end.
      expect(await waitFor(async () => !alive(pid), 15_000)).toBe(true);
      expect(await readdir(sub)).toEqual([]);
    } finally {
      if (alive(pid)) process.kill(pid, 'SIGTERM');
    }
  });

  it('analyze without --json prints the analysis to stdout', { timeout: 120_000 }, async () => {
    const r = await runCli(['analyze', corpus('images/img09_two_faces.jpg'), '--quiet']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { faces: unknown[] };
    expect(j.faces).toHaveLength(2); // img09 shows two people (MANIFEST)
  });
});
