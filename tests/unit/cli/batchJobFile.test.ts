/**
 * The batch job file: keys are the render command's options in camelCase, values checked by the same declarations,
 * relative paths resolved against the job file's folder, one clear error naming the job and option otherwise.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readBatchJobFile } from '../../../cli/batchJobFile.ts';

describe('readBatchJobFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'as-jobfile-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const write = async (name: string, json: unknown): Promise<string> => {
    const p = join(dir, name);
    await writeFile(p, typeof json === 'string' ? json : JSON.stringify(json));
    return p;
  };

  it('merges defaults, maps camelCase CLI options and resolves paths against the file', async () => {
    const p = await write('a.json', { version: 1, defaults: { size: 256, headMotion: 0.2, mood: 'happy', fps: '30000/1001' }, jobs: [{ portrait: 'in/face.jpg', audio: '/abs/a.wav', out: 'out/a.webm', size: 128, orbitYaw: 10, background: 'transparent' }, { id: 'second', portrait: 'face.png', audio: 'b.wav', out: 'b.mp4', mouthStrength: 1.5 }] });
    const def = await readBatchJobFile(p);
    expect(def.jobs.map((j) => j.id)).toEqual(['job-1', 'second']);
    const [a, b] = def.jobs.map((j) => j.spec) as [NonNullable<(typeof def.jobs)[0]>['spec'], NonNullable<(typeof def.jobs)[0]>['spec']];
    expect(a.portraitPath).toBe(join(dir, 'in/face.jpg'));
    expect(a.audioPath).toBe('/abs/a.wav');
    expect(a.outPath).toBe(join(dir, 'out/a.webm'));
    expect(a.sizePx).toBe(128);
    expect(b.sizePx).toBe(256);
    expect(a.fps).toEqual({ num: 30000, den: 1001 });
    expect(a.motion?.headMotionStrength).toBe(0.2);
    expect(a.motion?.mood).toBe('happy');
    expect(a.motion?.seed).toBe(1); // the CLI default
    expect(a.orbit?.yawRad).toBeCloseTo((10 * Math.PI) / 180, 12);
    expect(a.background).toBe('transparent');
    expect(b.background).toBe('photo');
    expect(b.retarget?.mouth).toBe(1.5);
    expect(a.head).toBe('mesh');
    expect(def.batchId).toMatch(/^[0-9a-f]{12}$/);
  });

  it('keys follow the options: unchanged job → same key, changed option → new key', async () => {
    const job = { portrait: 'f.jpg', audio: 'a.wav', out: 'o.mp4' };
    const k1 = (await readBatchJobFile(await write('k1.json', { version: 1, jobs: [job, { ...job, out: 'p.mp4' }] }))).jobs[0]!.key;
    const k2 = (await readBatchJobFile(await write('k2.json', { version: 1, jobs: [{ ...job, out: 'p.mp4' }, job] }))).jobs[1]!.key;
    const k3 = (await readBatchJobFile(await write('k3.json', { version: 1, jobs: [{ ...job, seed: 2 }] }))).jobs[0]!.key;
    expect(k2).toBe(k1);
    expect(k3).not.toBe(k1);
  });

  it('refuses bad files with one line naming the job and the option', async () => {
    const base = { portrait: 'f.jpg', audio: 'a.wav', out: 'o.mp4' };
    await expect(readBatchJobFile(await write('v.json', { version: 2, jobs: [base] }))).rejects.toThrow(/version must be 1/);
    await expect(readBatchJobFile(await write('u.json', { version: 1, jobs: [base, { ...base, out: 'x.mp4', sizePx: 128 }] }))).rejects.toThrow(/jobs\[2\]\.sizePx: unknown option "sizePx"/);
    await expect(readBatchJobFile(await write('s.json', { version: 1, jobs: [{ ...base, size: 99 }] }))).rejects.toThrow(/job 1 \(job-1\): size: size must be even/);
    await expect(readBatchJobFile(await write('m.json', { version: 1, jobs: [{ ...base, headMotion: 3 }] }))).rejects.toThrow(/job 1 \(job-1\): headMotion: must be at most 1/);
    await expect(readBatchJobFile(await write('d.json', { version: 1, jobs: [base, { ...base, seed: 4 }] }))).rejects.toThrow(/job 2 \(job-2\): writes .*o\.mp4 like job-1/);
    await expect(readBatchJobFile(await write('o.json', { version: 1, jobs: [{ portrait: 'f.jpg' }] }))).rejects.toThrow(/no "out"/);
    await expect(readBatchJobFile(await write('e.json', { version: 1, jobs: [] }))).rejects.toThrow(/jobs/);
    await expect(readBatchJobFile(await write('j.json', '{"version": 1,'))).rejects.toThrow(/j\.json/);
    await expect(readBatchJobFile(join(dir, 'missing.json'))).rejects.toThrow(/not found/);
  });
});
