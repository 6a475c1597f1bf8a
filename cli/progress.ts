/**
 * A terminal progress bar for {@link JobProgress} events: one line, redrawn in place on a TTY,
 * one line per stage change and every 10 % otherwise (logs stay readable in CI).
 */
import type { JobProgress } from '../core/errors.ts';

/**
 * Creates a progress printer.
 * @param stream - where to write (stderr by default, so stdout stays clean for data).
 * @returns `update(progress)` to call on each event and `done()` to end the line.
 */
export function createProgressBar(stream: NodeJS.WriteStream = process.stderr): { update: (p: JobProgress) => void; done: () => void } {
  const isTty = Boolean(stream.isTTY);
  let lastStage = '';
  let lastDecile = -1;
  return {
    update(p) {
      const pct = Math.floor(p.fraction * 100);
      const width = 24;
      const filled = Math.round(p.fraction * width);
      const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
      const eta = p.etaSec === null ? '' : ` ETA ${formatSec(p.etaSec)}`;
      // Frames are counted in the render stage only (0 of N before it would read as a stalled render).
      const frames = p.totalFrames > 0 && (p.stage === 'render' || p.completedFrames > 0) ? ` ${p.completedFrames}/${p.totalFrames} frames` : '';
      const line = `${bar} ${String(pct).padStart(3)}%  ${p.stage}${frames}${eta}`;
      if (isTty) stream.write(`\r${line}\x1b[K`);
      else if (p.stage !== lastStage || Math.floor(pct / 10) !== lastDecile) stream.write(`${line}\n`);
      lastStage = p.stage;
      lastDecile = Math.floor(pct / 10);
    },
    done() {
      if (isTty) stream.write('\n');
    },
  };
}

function formatSec(sec: number): string {
  const s = Math.max(0, Math.round(sec));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}
