/**
 * The farm, as a user runs it: a real redis-server on a random loopback port, a batch submitted with
 * `batch --redis`, three `avatar-studio worker` processes, one of them SIGKILLed in the middle of a job. Every job
 * still finishes, exactly once (one commit per job across all workers' logs), no partial file is left beside the
 * outputs, the manifest names the worker of each job, and each worker started one render browser.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { HAS_CORPUS } from '../../helpers/media.ts';
import { AUDIOS, PORTRAITS, expectValidOutput, startCli, waitFor, writeJobFile, type CliChild } from './batchFixtures.ts';
import type { BatchManifest } from '../../../pipeline/batch/types.ts';

const REDIS_SERVER = process.env.REDIS_SERVER ?? 'redis-server';
const HAS_REDIS = spawnSync(REDIS_SERVER, ['--version']).status === 0;

/** A free loopback TCP port (bound, read, released). */
async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolvePort(port));
    });
  });
}

describe.skipIf(!HAS_CORPUS || !HAS_REDIS)('avatar-studio batch --redis + worker (BullMQ farm)', () => {
  let dir: string;
  let redis: ChildProcess;
  let url: string;
  const workers: CliChild[] = [];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'as-farm-'));
    const port = await freePort();
    url = `redis://127.0.0.1:${port}`;
    redis = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    redis.stdout!.on('data', (d: Buffer) => (text += d.toString()));
    await waitFor(() => /Ready to accept connections/.test(text), 10_000, 'redis-server');
  });
  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.exited));
    redis?.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  });

  it('three workers, one killed mid-job: every job done exactly once, manifest names the workers', { timeout: 600_000 }, async () => {
    const jobs = await writeJobFile(dir, PORTRAITS.slice(0, 2), AUDIOS);
    const jobFile = join(dir, 'jobs.json');
    const submit = startCli(['batch', jobFile, '--redis', url, '--no-wait', '--retries', '2']);
    expect(await submit.exited, submit.out()).toBe(0);
    expect(submit.out()).toContain(`${jobs.length} jobs queued`);

    // Short locks so the dead worker's job is re-queued within seconds (production default: 30 s).
    for (const name of ['w1', 'w2', 'w3']) workers.push(startCli(['worker', '--redis', url, '--name', name, '--lock-sec', '4', '--stalled-check-sec', '1']));
    const [w1] = workers as [CliChild];
    // w1 is killed 0.8 s after it starts its first job: in the middle of it (analysis, motion or frames).
    await waitFor(() => /^start /m.test(w1.out()), 120_000, 'w1 to start a job');
    const killedJob = /^start (\S+)/m.exec(w1.out())![1]!;
    await new Promise((r) => setTimeout(r, 800));
    w1.child.kill('SIGKILL');
    await w1.exited;
    expect(w1.out()).not.toContain(`committed ${killedJob}`);

    // Follow the batch from "another machine" until it ends; it writes the manifest.
    const follow = startCli(['batch', jobFile, '--redis', url, '--quiet']);
    expect(await follow.exited, follow.out()).toBe(0);
    const manifest = JSON.parse(await readFile(join(dir, 'jobs.manifest.json'), 'utf8')) as BatchManifest;
    expect(manifest.counts.done).toBe(jobs.length);

    // Exactly once: one commit per job over all workers' logs; the killed job was finished by a live worker.
    const logs = workers.map((w) => w.out()).join('\n');
    for (const j of manifest.jobs) {
      const jobId = `${manifest.batchId}.${j.key}`;
      expect((logs.match(new RegExp(`^committed ${jobId.replace('.', '\\.')} `, 'gm')) ?? []).length, j.id).toBe(1);
      expect(['w1', 'w2', 'w3']).toContain(j.workerId);
      expect(workers[Number(j.workerId!.slice(1)) - 1]!.out()).toContain(`committed ${jobId} `);
      if (jobId === killedJob) {
        expect(j.workerId).not.toBe('w1');
        expect(j.attempts).toBeGreaterThanOrEqual(2);
      }
    }
    // One render browser per worker, reused across its jobs.
    for (const [name, w] of Object.entries(manifest.workers)) expect(w.hostLaunches, name).toBe(1);
    for (const job of jobs) await expectValidOutput(dir, job);
    // No partial output: out/ holds exactly the outputs (the killed worker's staging folder was removed).
    expect((await readdir(join(dir, 'out'))).sort()).toEqual(jobs.map((j) => j.out.replace('out/', '')).sort());

    // Status from anywhere, and a second submission of the same batch queues nothing.
    const status = startCli(['batch', jobFile, '--redis', url, '--status']);
    expect(await status.exited).toBe(0);
    expect(status.out()).toContain(`${jobs.length}/${jobs.length} done`);
    const again = startCli(['batch', jobFile, '--redis', url, '--no-wait']);
    expect(await again.exited).toBe(0);
    expect(again.out()).toContain(`0 jobs queued on avatar-studio-render, ${jobs.length} already queued or done`);

    for (const w of workers.slice(1)) w.child.kill('SIGTERM');
    expect(await Promise.all(workers.slice(1).map((w) => w.exited))).toEqual([0, 0]);
  });
});
