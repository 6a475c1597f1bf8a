/**
 * Cancellation of a CLI job by signals: SIGINT (Ctrl+C), SIGTERM, SIGHUP, and the loss of the parent process
 * (a wrapper such as `npx` killed without forwarding the signal), so no orphaned render keeps growing a `.part` file.
 */
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
  const timer = setInterval(() => {
    if (process.ppid !== parent) {
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

/**
 * Exit status for a cancelled job: 128 + the signal number (POSIX shell convention: SIGINT 130, SIGTERM 143,
 * SIGHUP 129), 130 when no signal was seen (cancelled another way).
 * @returns the exit status.
 */
export function exitCodeForCancel(): number {
  return 128 + (received ? (constants.signals[received] ?? 2) : constants.signals.SIGINT);
}
