/**
 * Time shown at the UI edge as `mm:ss.ff` (minutes, seconds, frames), the timeline ruler's and transport's format.
 */
import type { Fps } from './track.ts';

/**
 * Formats a time as `mm:ss.ff`.
 * @param timeSec - time in seconds (negative or non-finite values show as 00:00.00).
 * @param fps - frame rate; `ff` counts whole frames within the second (00..ceil(fps)−1).
 * @returns e.g. `01:02.12` for 62.48 s at 25 fps; minutes grow past 99 without wrapping.
 */
export function formatTimecode(timeSec: number, fps: Fps): string {
  const t = Number.isFinite(timeSec) && timeSec > 0 ? timeSec : 0;
  const frame = Math.floor((t * fps.num) / fps.den + 1e-6);
  const perSec = fps.num / fps.den;
  const wholeSec = Math.floor(t + 1e-9);
  const ff = Math.max(0, Math.min(Math.ceil(perSec) - 1, frame - Math.round(wholeSec * perSec)));
  const mm = Math.floor(wholeSec / 60);
  const ss = wholeSec % 60;
  return `${String(mm).padStart(2, '0')}:${String(ss).padStart(2, '0')}.${String(ff).padStart(2, '0')}`;
}
