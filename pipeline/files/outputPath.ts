/**
 * Checks an output path before any long work starts, so a bad `--out` fails in a second with a clear message
 * instead of after a whole render.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { InvalidInputError } from '../../core/errors.ts';

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
    if (st instanceof Error) throw new InvalidInputError(`cannot use the output folder ${at}: ${st.code ?? st.message}`, { path: outPath });
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
      throw new InvalidInputError(`cannot create the output folder ${dir}: ${code ?? (err as Error).message}`, { path: outPath });
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
    throw new InvalidInputError(`cannot write to the output folder ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { path: outPath });
  } finally {
    await rm(probe, { force: true });
  }
  return abs;
}
