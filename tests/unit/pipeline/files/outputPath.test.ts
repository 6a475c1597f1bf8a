/**
 * Output paths are checked before any work: inputs are never overwritten, folders and unwritable places are
 * refused with a clear message, missing folders are created, and the write probe leaves nothing behind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { link, mkdtemp, readdir, rm, symlink, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareOutputPath } from '../../../../pipeline/files/outputPath.ts';
import { InvalidInputError } from '../../../../core/errors.ts';

describe('prepareOutputPath', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'as-out-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses to overwrite an input, whatever the spelling of the path', async () => {
    const input = join(dir, 'in.wav');
    await writeFile(input, 'x');
    await expect(prepareOutputPath(join(dir, '.', 'in.wav'), [undefined, input])).rejects.toThrow(/would overwrite an input/);
  });

  it('refuses an output that is an input reached through a symlink, a linked folder or a hard link', async () => {
    const input = join(dir, 'portrait.png');
    await writeFile(input, 'x');
    await symlink(input, join(dir, 'out-link.mp4'));
    await symlink(dir, join(dir, 'linked-dir'));
    await link(input, join(dir, 'hard.mp4'));
    await expect(prepareOutputPath(join(dir, 'out-link.mp4'), [input])).rejects.toThrow(/would overwrite an input/);
    await expect(prepareOutputPath(join(dir, 'linked-dir', 'portrait.png'), [input])).rejects.toThrow(/would overwrite an input/);
    await expect(prepareOutputPath(join(dir, 'hard.mp4'), [input])).rejects.toThrow(/would overwrite an input/);
    // and the other way round: the input named through the link, the output by its real path
    await expect(prepareOutputPath(input, [join(dir, 'out-link.mp4')])).rejects.toThrow(/would overwrite an input/);
  });

  it('refuses a folder, and a place it cannot write', async () => {
    await mkdir(join(dir, 'd.mp4'));
    await expect(prepareOutputPath(join(dir, 'd.mp4'), [])).rejects.toThrow(/is a folder/);
    const err = await prepareOutputPath('/proc/x.mp4', []).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidInputError);
    expect((err as Error).message).toMatch(/cannot (write to|create) the output folder \/proc/);
    // the reason in words, not a bare "ENOENT" that reads as "the folder is missing"
    if (process.platform === 'linux') expect((err as Error).message).toMatch(/does not accept new files here \(ENOENT\)/);
  });

  it('a file in the folder path is named; a folder under /proc fails at once instead of hanging (Node 20 recursive mkdir)', async () => {
    await writeFile(join(dir, 'plain.txt'), 'x');
    await expect(prepareOutputPath(join(dir, 'plain.txt', 'sub', 'out.mp4'), [])).rejects.toThrow(/plain\.txt is a file, not a folder/);
    if (process.platform === 'linux') await expect(prepareOutputPath('/proc/no-such-folder/out.mp4', [])).rejects.toBeInstanceOf(InvalidInputError);
  });

  it('creates a missing folder, returns the absolute path and leaves no probe file', async () => {
    const out = await prepareOutputPath(join(dir, 'new', 'sub', 'o.mp4'), []);
    expect(out).toBe(join(dir, 'new', 'sub', 'o.mp4'));
    expect(await readdir(join(dir, 'new', 'sub'))).toEqual([]);
  });
});
