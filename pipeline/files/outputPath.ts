/**
 * Checks an output path before any long work starts, so a bad `--out` fails in a second with a clear message
 * instead of after a whole render.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { InvalidInputError } from '../../core/errors.ts';

/**
 * Says in words why a folder refused a file, for the one-line error a user reads.
 * @param err - the error of a failed `stat`, `mkdir` or `writeFile`.
 * @returns a short reason with the errno code in brackets (POSIX errno names, `man 3 errno`).
 * @remarks ENOENT on a folder that exists (e.g. /proc, /sys) means its file system does not take new files; the bare
 * code read as "the folder is missing", which misled a new user.
 */
function reasonOf(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  const words: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'read-only file system',
    ENOSPC: 'no space left on the disk',
    EDQUOT: 'disk quota exceeded',
    ENOENT: 'this file system does not accept new files here',
    ENAMETOOLONG: 'the path is too long',
    ELOOP: 'too many symbolic links in the path',
  };
  if (code === undefined) return (err as Error).message;
  return words[code] ? `${words[code]} (${code})` : code;
}

/**
 * Creates `dir` and any missing parents, one level at a time.
 * @param dir - absolute folder path.
 * @param outPath - the output named in errors.
 * @throws InvalidInputError when an ancestor is a file, or a level cannot be created (its errno code).
 * @remarks Not `mkdir(dir, { recursive: true })`: in Node 20 that never settles for a missing folder under a
 * pseudo file system such as /proc (libuv retries forever), which hung a render at 100 % CPU.
 */
async function ensureFolder(dir: string, outPath: string): Promise<void> {
  const missing: string[] = [];
  let at = dir;
  for (;;) {
    const st = await stat(at).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' || err.code === 'ENOTDIR' ? null : err));
    if (st instanceof Error) throw new InvalidInputError(`cannot use the output folder ${at}: ${reasonOf(st)}`, { path: outPath });
    if (st) {
      if (!st.isDirectory()) throw new InvalidInputError(`cannot create the output folder ${dir}: ${at} is a file, not a folder`, { path: outPath });
      break;
    }
    missing.push(at);
    const parent = dirname(at);
    if (parent === at) break;
    at = parent;
  }
  for (const level of missing.reverse()) {
    try {
      await mkdir(level);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') continue;
      throw new InvalidInputError(`cannot create the output folder ${dir}: ${reasonOf(err)}`, { path: outPath });
    }
  }
}

/**
 * Makes sure `outPath` can be written: not one of the inputs (compared by path and, when the output exists, by
 * device + inode, so a symlink or hard link to an input is caught), not a folder, its folder exists (created when
 * missing) and accepts a new file (probed with a temporary file that is removed again).
 * @param outPath - the requested output file.
 * @param inputs - the job's input files (an output equal to any of them is refused).
 * @returns the absolute output path.
 * @throws InvalidInputError naming the path and the reason.
 */
export async function prepareOutputPath(outPath: string, inputs: readonly (string | undefined)[]): Promise<string> {
  const abs = resolve(outPath);
  const existing = await stat(abs).catch(() => null);
  for (const input of inputs) {
    if (input === undefined) continue;
    // Same path, or the same file reached another way: a symlink, a hard link, a bind mount (device + inode).
    const inStat = existing ? await stat(input).catch(() => null) : null;
    const sameFile = resolve(input) === abs || (existing !== null && inStat !== null && inStat.dev === existing.dev && inStat.ino === existing.ino);
    if (sameFile) throw new InvalidInputError(`output ${outPath} would overwrite an input file (${input})`, { path: outPath, input });
  }
  if (existing?.isDirectory()) throw new InvalidInputError(`output ${outPath} is a folder: give a file name`, { path: outPath });
  const dir = dirname(abs);
  await ensureFolder(dir, outPath);
  const probe = resolve(dir, `.avatar-studio-write-check-${randomBytes(4).toString('hex')}`);
  try {
    await writeFile(probe, '');
  } catch (err) {
    throw new InvalidInputError(`cannot write to the output folder ${dir}: ${reasonOf(err)}`, { path: outPath });
  } finally {
    await rm(probe, { force: true });
  }
  return abs;
}
