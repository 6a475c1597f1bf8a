/**
 * Test helper: runs the `avatar-studio` command line as a user would (a child process), never throwing.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);
const CLI = resolve('bin/avatar-studio.mjs');

/** Exit code and output of one CLI run. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `avatar-studio <args>`.
 * @param args - arguments after the program name.
 * @returns exit code (0 on success) and the captured stdout/stderr.
 */
export async function runCli(args: string[]): Promise<CliRun> {
  try {
    const { stdout, stderr } = await execFileP(process.execPath, [CLI, ...args], { maxBuffer: 1 << 24 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
