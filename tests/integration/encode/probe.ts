/**
 * ffprobe helper for tests: streams and format facts of a media file as JSON.
 */
import { execFileSync } from 'node:child_process';
import { resolveFfprobe } from '../../../pipeline/ffmpeg/ffmpegPath.ts';

/** One stream as ffprobe reports it (fields the tests read). */
export interface ProbeStream {
  codec_type: string;
  codec_name: string;
  width?: number;
  height?: number;
  pix_fmt?: string;
  nb_frames?: string;
  duration?: string;
  r_frame_rate?: string;
}

/** ffprobe `-show_streams -show_format` result. */
export interface ProbeResult {
  streams: ProbeStream[];
  format: { duration: string; format_name: string };
}

/**
 * Runs ffprobe on a file.
 * @param file - media path.
 * @returns parsed JSON of streams and format.
 */
export function probe(file: string): ProbeResult {
  const out = execFileSync(resolveFfprobe(), ['-v', 'error', '-show_streams', '-show_format', '-of', 'json', file], { encoding: 'utf8' });
  return JSON.parse(out) as ProbeResult;
}

/**
 * Duration of a media file's first audio stream (falls back to the container duration).
 * @param file - media path.
 * @returns seconds.
 */
export function audioDurationSec(file: string): number {
  const p = probe(file);
  const a = p.streams.find((s) => s.codec_type === 'audio');
  return Number(a?.duration ?? p.format.duration);
}
