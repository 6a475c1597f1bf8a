/**
 * How a batch writes files so that nothing is half-written or written twice: JSON written to a temp file and
 * renamed; each render attempt writes into its own hidden staging folder beside the output (same file system, so the
 * final move is an atomic rename), and the move into place is the job's one commit.
 */
import { randomBytes } from 'node:crypto';
import { readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { FRAME_NUMBER_PATTERN } from '../encode/encodeVideo.ts';

/**
 * Writes JSON atomically: a temp file in the same folder, then a rename over the target (readers see the old or
 * the new file, never a part of one; a crash leaves at most a stray temp file).
 * @param path - target file.
 * @param value - anything JSON.stringify takes.
 */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, `${JSON.stringify(value, null, 2)}\n`);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Prefix of every staging folder a batch job creates beside its output. */
const STAGING_PREFIX = '.avatar-studio-staging-';

/**
 * The hidden staging path of one render attempt: `<out folder>/.avatar-studio-staging-<tag>-<random>/<out name>`.
 * @param outPath - the job's final output (absolute).
 * @param tag - identifies the job across attempts and workers (batch id + job key); [A-Za-z0-9._-] only.
 * @returns the path the render writes to; {@link commitOutput} moves it into place.
 */
export function stagingPathFor(outPath: string, tag: string): string {
  return join(dirname(outPath), `${STAGING_PREFIX}${tag}-${randomBytes(6).toString('hex')}`, basename(outPath));
}

/**
 * Removes what earlier attempts of a job left beside its output (a killed worker's staging folder, with any
 * half-written ffmpeg temp file in it).
 * @param outPath - the job's final output.
 * @param tag - the job's tag as given to {@link stagingPathFor}.
 * @param keep - a staging path not to remove (the one being committed).
 * @returns how many folders were removed.
 */
export async function removeStaleStaging(outPath: string, tag: string, keep?: string): Promise<number> {
  const dir = dirname(outPath);
  const names = await readdir(dir).catch(() => [] as string[]);
  const keepDir = keep ? basename(dirname(keep)) : null;
  let removed = 0;
  for (const name of names) {
    if (!name.startsWith(`${STAGING_PREFIX}${tag}-`) || name === keepDir) continue;
    await rm(join(dir, name), { recursive: true, force: true });
    removed++;
  }
  return removed;
}

/** Whether an output path names a PNG sequence (a frame-number pattern in the file name). */
function isSequence(outPath: string): boolean {
  return FRAME_NUMBER_PATTERN.test(basename(outPath));
}

/** The file names a sequence pattern matches in a folder, sorted. */
async function sequenceFiles(dir: string, pattern: string): Promise<string[]> {
  const [head, tail] = pattern.split(FRAME_NUMBER_PATTERN) as [string, string];
  const names = await readdir(dir).catch(() => [] as string[]);
  return names.filter((n) => n.startsWith(head) && n.endsWith(tail) && /^\d+$/.test(n.slice(head.length, n.length - tail.length))).sort();
}

/**
 * Whether a finished output is there: a non-empty file, or for a PNG sequence at least one numbered frame.
 * @param outPath - the final output path.
 */
export async function outputExists(outPath: string): Promise<boolean> {
  if (isSequence(outPath)) return (await sequenceFiles(dirname(outPath), basename(outPath))).length > 0;
  const st = await stat(outPath).catch(() => null);
  return Boolean(st?.isFile() && st.size > 0);
}

/**
 * Moves a complete staged render into place and removes its staging folder. A file moves by one rename (atomic:
 * readers see no file or the whole file); a PNG sequence moves frame by frame.
 * @param stagingPath - from {@link stagingPathFor}, fully written.
 * @param outPath - the final output path.
 * @returns false when the staging output is gone (another worker moved it already), true when moved here.
 */
export async function commitOutput(stagingPath: string, outPath: string): Promise<boolean> {
  const stagingDir = dirname(stagingPath);
  try {
    if (isSequence(outPath)) {
      const files = await sequenceFiles(stagingDir, basename(stagingPath));
      if (files.length === 0) return false;
      for (const f of files) await rename(join(stagingDir, f), join(dirname(outPath), f));
      return true;
    }
    await rename(stagingPath, outPath);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  } finally {
    await rm(stagingDir, { recursive: true, force: true });
  }
}
