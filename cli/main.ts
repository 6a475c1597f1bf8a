/**
 * The `avatar-studio` command line: argv → option descriptors → the same pipeline jobs the app runs.
 * Every command module exports `register(program)`; errors end as one clear line and a non-zero exit.
 */
import { Command } from 'commander';
import { StudioError } from '../core/errors.ts';
import { registerRender } from './commands/render.ts';
import { registerDoctor } from './commands/doctor.ts';
import { registerMotion } from './commands/motion.ts';
import { registerAnalyze } from './commands/analyze.ts';
import { registerStudio } from './commands/studio.ts';
import { registerBatch } from './commands/batch.ts';
import { registerWorker } from './commands/worker.ts';
import { exitCodeForCancel } from './signals.ts';

/** Error codes that mean the user's input was wrong (exit status 2). */
const BAD_INPUT_CODES = new Set(['INVALID_INPUT', 'UNSUPPORTED_MEDIA', 'NO_FACE_FOUND', 'MALFORMED_SPLAT_FILE', 'TRUNCATED_FILE', 'VERTEX_COUNT_MISMATCH', 'NON_FINITE_VALUE', 'BAD_MAGIC', 'UNSUPPORTED_SPLAT_VARIANT', 'BAD_AVATAR_PACKAGE', 'BATCH_LOCKED']);

const program = new Command();
program.name('avatar-studio').description('Turn one portrait photo into a talking head.').version('0.1.0');
// Usage errors are one line like every other error: "avatar-studio: error: … (--help lists the options)".
program.configureOutput({ outputError: (str, write) => write(`avatar-studio: ${oneLine(str)} (--help lists the options) [USAGE]\n`) });
// Usage errors (missing or unknown options, unknown commands) exit 2 like every other bad input.
program.exitOverride((err) => {
  process.exit(err.exitCode === 0 ? 0 : 2);
});

registerRender(program);
registerDoctor(program);
registerMotion(program);
registerAnalyze(program);
registerStudio(program);
registerBatch(program);
registerWorker(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  process.exitCode = reportError(err);
}

/**
 * Prints one clear line for an error and returns the exit code.
 * @param err - anything thrown by a command.
 * @returns 2 for invalid input/unsupported media/no face, 128 + signal for a cancelled job (SIGINT 130, SIGTERM
 * 143), 1 otherwise.
 */
function reportError(err: unknown): number {
  if (err instanceof StudioError) {
    process.stderr.write(`${process.stderr.isTTY ? '\n' : ''}avatar-studio: error: ${oneLine(err.message)} [${err.code}]\n`);
    if (process.env.AVATAR_STUDIO_DEBUG) process.stderr.write(`${err.stack}\n`);
    if (err.code === 'JOB_CANCELLED') return exitCodeForCancel();
    return BAD_INPUT_CODES.has(err.code) ? 2 : 1;
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`${process.stderr.isTTY ? '\n' : ''}avatar-studio: internal error: ${oneLine(message)} (set AVATAR_STUDIO_DEBUG=1 for details)\n`);
  if (process.env.AVATAR_STUDIO_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  return 1;
}

/** A message on one line: line breaks (e.g. quoted from a bad input file) become spaces, no trailing newline. */
function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
