/**
 * Cancellation of a CLI job by signals: SIGINT (Ctrl+C), SIGTERM, SIGHUP, and the loss of the parent process
 * (a wrapper such as `npx` killed without forwarding the signal), so no orphaned render keeps growing a `.part` file.
 */
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';

let received: NodeJS.Signals | null = null;

/** How often the parent process is checked, in ms. */
const PARENT_POLL_MS = 500;

/**
 * Aborts `controller` on SIGINT, SIGTERM or SIGHUP, or when the process is re-parented (its parent died).
 * @param controller - the job's abort controller.
 * @returns a function that removes the handlers (call it when the job ends).
 * @remarks A second signal while the job is still cancelling exits at once. The signal is remembered for {@link exitCodeForCancel}. Re-parenting is read from `process.ppid`, which
 * changes (to 1 or a subreaper) when the parent exits; it is treated as SIGHUP, the signal a terminal's loss sends.
 */
export function cancelOnSignals(controller: AbortController): () => void {
  const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((sig) => {
    const h = (): void => {
      if (controller.signal.aborted) process.exit(exitCodeForCancel()); // a second signal: stop now
      received ??= sig;
      controller.abort();
    };
    process.on(sig, h);
    return [sig, h] as const;
  });
  const parent = process.ppid;
  // `npx avatar-studio …` runs npx → `sh -c` → node: a SIGKILLed npx leaves the shell alive (it waits for us), so the
  // shell's own parent is watched too.
  const shellParent = SHELLS.has(processName(parent) ?? '') ? parentOf(parent) : null;
  const timer = setInterval(() => {
    if (process.ppid !== parent || (shellParent !== null && parentOf(parent) !== shellParent)) {
      received ??= 'SIGHUP';
      controller.abort();
    }
  }, PARENT_POLL_MS);
  timer.unref();
  return () => {
    for (const [sig, h] of handlers) process.off(sig, h);
    clearInterval(timer);
  };
}

/** Shells that wrappers (npm/npx scripts) put between themselves and the CLI. */
const SHELLS = new Set(['sh', 'dash', 'bash', 'zsh']);

/**
 * A process's command name from procfs (`/proc/<pid>/comm`, Linux; proc(5)).
 * @param pid - process id.
 * @returns the name, or null where procfs is absent or the process is gone.
 */
function processName(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return null;
  }
}

/**
 * A process's parent id from procfs (`/proc/<pid>/stat` field 4, after the parenthesised command name; proc(5)).
 * @param pid - process id.
 * @returns the parent's id, or null where procfs is absent or the process is gone.
 */
export function parentOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return Number.isFinite(ppid) ? ppid : null;
  } catch {
    return null;
  }
}

/**
 * Exit status for a cancelled job: 128 + the signal number (POSIX shell convention: SIGINT 130, SIGTERM 143,
 * SIGHUP 129), 130 when no signal was seen (cancelled another way).
 * @returns the exit status.
 */
export function exitCodeForCancel(): number {
  return 128 + (received ? (constants.signals[received] ?? 2) : constants.signals.SIGINT);
}
