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

const program = new Command();
program.name('avatar-studio').description('Turn one portrait photo into a talking head.').version('0.1.0');
program.showHelpAfterError();
program.configureOutput({ outputError: (str, write) => write(str) });

registerRender(program);
registerDoctor(program);
registerMotion(program);
registerAnalyze(program);
registerStudio(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  process.exitCode = reportError(err);
}

/**
 * Prints one clear line for an error and returns the exit code.
 * @param err - anything thrown by a command.
 * @returns 2 for invalid input/unsupported media/no face, 130 for a cancelled job, 1 otherwise.
 */
function reportError(err: unknown): number {
  if (err instanceof StudioError) {
    process.stderr.write(`\navatar-studio: error: ${err.message} [${err.code}]\n`);
    if (process.env.AVATAR_STUDIO_DEBUG) process.stderr.write(`${err.stack}\n`);
    if (err.code === 'JOB_CANCELLED') return 130;
    return ['INVALID_INPUT', 'UNSUPPORTED_MEDIA', 'NO_FACE_FOUND'].includes(err.code) ? 2 : 1;
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`\navatar-studio: internal error: ${message}\n(set AVATAR_STUDIO_DEBUG=1 for details)\n`);
  if (process.env.AVATAR_STUDIO_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  return 1;
}
