/**
 * `avatar-studio batch` on this machine, as a user runs it: 12 renders (4 portraits × 3 speech clips, MP4/WebM/GIF),
 * the batch process SIGKILLed midway, then the same command again: it finishes the rest without rendering a finished
 * job twice, every output checked with ffprobe, the manifest complete, one render browser per worker.
 * AVATAR_STUDIO_BATCH_CI_SMALL=1 runs 2 portraits × 3 clips instead (slow CI machines); the default is the full 12.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HAS_CORPUS } from '../../helpers/media.ts';
import { AUDIOS, PORTRAITS, expectValidOutput, startCli, waitFor, writeJobFile, type PlannedJob } from './batchFixtures.ts';
import type { BatchManifest } from '../../../pipeline/batch/types.ts';

describe.skipIf(!HAS_CORPUS)('avatar-studio batch (local queue)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'as-batch-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('finishes 12 mixed-format jobs across a SIGKILL without redoing finished ones', { timeout: 600_000 }, async () => {
    const portraits = process.env.AVATAR_STUDIO_BATCH_CI_SMALL ? PORTRAITS.slice(0, 2) : PORTRAITS;
    const jobs: PlannedJob[] = await writeJobFile(dir, portraits, AUDIOS);
    const jobFile = join(dir, 'jobs.json');
    const manifestPath = join(dir, 'jobs.manifest.json');

    // First run, one worker: killed (SIGKILL, no chance to clean up) once 3 jobs are done and a 4th has started.
    const first = startCli(['batch', jobFile, '--workers', '1']);
    await waitFor(() => (first.out().match(/ done → /g) ?? []).length >= 3 && /started/.test(first.out().split(/ done → /).at(-1) ?? ''), 300_000, 'three jobs done');
    await new Promise((r) => setTimeout(r, 400));
    first.child.kill('SIGKILL');
    await first.exited;
    const doneBefore = (first.out().match(/ done → (\S+)/g) ?? []).map((l) => l.replace(/^ done → /, ''));
    expect(doneBefore.length).toBeGreaterThanOrEqual(3);
    const mtimes = new Map<string, number>();
    for (const f of doneBefore) mtimes.set(f, (await stat(f)).mtimeMs);

    // Second run, two workers: resumes.
    const second = startCli(['batch', jobFile, '--workers', '2']);
    const code = await second.exited;
    const log = second.out();
    expect(code, log).toBe(0);
    expect(log).toContain(`batch: ${doneBefore.length} of ${jobs.length} already done`);
    expect((log.match(/ started/g) ?? []).length).toBe(jobs.length - doneBefore.length);
    // Face analysis once per portrait: as many analyses as distinct portraits among the jobs this run rendered.
    const remaining = jobs.filter((j) => !doneBefore.includes(join(dir, j.out)));
    expect(log).toContain(`; ${new Set(remaining.map((j) => j.portrait)).size} portrait analyses;`);
    for (const f of doneBefore) {
      expect(log).not.toContain(`done → ${f} `);
      expect((await stat(f)).mtimeMs).toBe(mtimes.get(f));
    }

    const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as BatchManifest;
    expect(manifest.counts.done).toBe(jobs.length);
    expect(manifest.jobs.map((j) => j.id)).toEqual(jobs.map((j) => j.id));
    for (const j of manifest.jobs) {
      expect(j.status).toBe('done');
      expect(j.durationSec).toBeGreaterThan(0.6);
      expect(j.workerId).toMatch(/^local-[12]$/);
      expect(j.stageMs?.renderEncode).toBeGreaterThan(0);
    }
    // One render browser per worker of the second run, reused across its jobs.
    expect(Object.keys(manifest.workers).sort()).toEqual(['local-1', 'local-2']);
    for (const w of Object.values(manifest.workers)) expect(w.hostLaunches).toBe(1);
    for (const job of jobs) await expectValidOutput(dir, job);
    // Nothing half-written left: only the outputs in out/ (no staging folders, no ffmpeg temp files).
    expect((await readdir(join(dir, 'out'))).sort()).toEqual(jobs.map((j) => j.out.replace('out/', '')).sort());

    // A third run has nothing to do.
    const third = startCli(['batch', jobFile, '--workers', '1']);
    expect(await third.exited).toBe(0);
    expect(third.out()).toContain(`batch: ${jobs.length} of ${jobs.length} already done`);
    expect(third.out()).not.toContain('started');
  });
});
