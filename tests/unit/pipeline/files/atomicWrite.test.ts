/**
 * One atomic-write helper (issue 15): whole files or nothing, no temp left behind, and the `.part` leftovers of
 * crashed runs swept by the next export into the same folder while a live run's temp file is kept.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeVideo } from '../../../../pipeline/encode/encodeVideo.ts';
import { writeFileAtomic } from '../../../../pipeline/files/atomicWrite.ts';

describe('atomic writes', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'atomic-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the whole content, replaces an existing file, leaves no temp file', async () => {
    const f = join(dir, 'a', 'track.json');
    await writeFileAtomic(f, 'first');
    await writeFileAtomic(f, new TextEncoder().encode('second'));
    expect(await readFile(f, 'utf8')).toBe('second');
    expect(await readdir(join(dir, 'a'))).toEqual(['track.json']);
  });

  it('a failed write (the destination is a folder) leaves the folder as it was and no temp file', async () => {
    await mkdir(join(dir, 'b', 'taken'), { recursive: true });
    await expect(writeFileAtomic(join(dir, 'b', 'taken'), 'x')).rejects.toThrow();
    expect(await readdir(join(dir, 'b'))).toEqual(['taken']);
  });

  it('an export sweeps the .part files of dead runs and keeps those of live ones', async () => {
    const out = join(dir, 'c');
    await mkdir(out);
    // A pid that has exited: a finished child's.
    const deadPid = spawnSync(process.execPath, ['-e', '0']).pid!;
    const stale = `.talk.mp4.${deadPid}.0badc0de.part`;
    const staleFrames = `.frames.${deadPid}.0badc0de.part`;
    const live = `.other.mp4.${process.pid}.12345678.part`;
    await writeFile(join(out, stale), 'half a video');
    await mkdir(join(out, staleFrames));
    await writeFile(join(out, live), 'being written');
    const frame = new Uint8Array(16 * 16 * 4);
    async function* frames(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < 3; i++) yield frame;
    }
    await encodeVideo({ frames: frames(), widthPx: 16, heightPx: 16, fps: { num: 25, den: 1 }, pixelFormat: 'rgba', totalFrames: 3, outPath: join(out, 'new.mp4'), format: 'mp4' });
    expect((await readdir(out)).sort()).toEqual([live, 'new.mp4'].sort()); // before: the two stale ones stayed forever
  });
});
