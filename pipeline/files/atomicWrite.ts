/**
 * One way to land a file: write a hidden temp file in the destination folder, flush it to disk, rename it over the
 * destination, flush the folder — so a crash or power loss leaves either the old file or the whole new one, never a
 * half-written one; plus the sweep of temp files that crashed runs left behind.
 *
 * @remarks rename(2) is atomic within one file system (POSIX); fsync of the file before and of its folder after the
 * rename makes the new name durable (ext4/XFS need the folder fsync, see the LWN article "ext4 and data loss",
 * 2009). Folder fsync is not possible on Windows (EPERM/EISDIR there) and is skipped when refused.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/** Suffix of every temp file and folder written by {@link tempPathFor}. */
export const PART_SUFFIX = '.part';

/**
 * A hidden temp path beside `finalPath`: `.<name>.<pid>.<random>.part` (the pid lets {@link sweepStaleParts} tell a
 * crashed run's leftovers from a running one's).
 * @param finalPath - the destination file.
 * @returns the temp path, in the same folder.
 */
export function tempPathFor(finalPath: string): string {
  return path.join(path.dirname(finalPath), `.${path.basename(finalPath)}.${process.pid}.${randomBytes(4).toString('hex')}${PART_SUFFIX}`);
}

async function fsyncPath(p: string, isDir: boolean): Promise<void> {
  let fh;
  try {
    fh = await open(p, 'r');
    await fh.sync();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (!(isDir && (code === 'EPERM' || code === 'EISDIR' || code === 'EINVAL'))) throw err;
  } finally {
    await fh?.close();
  }
}

/**
 * Makes a finished temp file the destination: fsync the file, rename it, fsync the folder.
 * @param tempPath - a complete file in the destination's folder (e.g. from {@link tempPathFor}).
 * @param finalPath - the destination (replaced when it exists).
 * @throws the file system's error (the temp file is left for the caller to remove).
 */
export async function commitFile(tempPath: string, finalPath: string): Promise<void> {
  await fsyncPath(tempPath, false);
  await rename(tempPath, finalPath);
  await fsyncPath(path.dirname(finalPath), true);
}

/**
 * Writes `data` to `finalPath` atomically and durably (temp file, fsync, rename, fsync folder); the folder is
 * created when missing.
 * @param finalPath - destination file.
 * @param data - contents (a string is written as UTF-8).
 * @throws the file system's error; no temp file is left behind.
 */
export async function writeFileAtomic(finalPath: string, data: string | Uint8Array): Promise<void> {
  await mkdir(path.dirname(finalPath), { recursive: true });
  const tmp = tempPathFor(finalPath);
  try {
    const fh = await open(tmp, 'wx');
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, finalPath);
    await fsyncPath(path.dirname(finalPath), true);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/**
 * Removes `.…<pid>.<hex>.part` files and folders in `dir` whose writing process no longer runs (a crashed or killed
 * run), leaving those of live processes alone.
 * @param dir - the folder to sweep (a missing folder is fine).
 * @returns the names removed.
 */
export async function sweepStaleParts(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names) {
    const m = /^\..*\.(\d+)\.[0-9a-f]{8}\.part$/.exec(name);
    if (!m || isAlive(Number(m[1]))) continue;
    await rm(path.join(dir, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}
