/**
 * Checks an output path before any long work starts, so a bad `--out` fails in a second with a clear message
 * instead of after a whole render.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { InvalidInputError } from '../../core/errors.ts';

/**
 * Makes sure `outPath` can be written: not one of the inputs, not a folder, its folder exists (created when
 * missing) and accepts a new file (probed with a temporary file that is removed again).
 * @param outPath - the requested output file.
 * @param inputs - the job's input files (an output equal to any of them is refused).
 * @returns the absolute output path.
 * @throws InvalidInputError naming the path and the reason.
 */
export async function prepareOutputPath(outPath: string, inputs: readonly (string | undefined)[]): Promise<string> {
  const abs = resolve(outPath);
  for (const input of inputs) {
    if (input !== undefined && resolve(input) === abs) throw new InvalidInputError(`output ${outPath} would overwrite an input file`, { path: outPath });
  }
  const existing = await stat(abs).catch(() => null);
  if (existing?.isDirectory()) throw new InvalidInputError(`output ${outPath} is a folder: give a file name`, { path: outPath });
  const dir = dirname(abs);
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw new InvalidInputError(`cannot create the output folder ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { path: outPath });
  }
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
