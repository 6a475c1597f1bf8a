/**
 * Driving-video input: probe (size as displayed, rotation, rate, frame times) and decode frames to RGBA
 * with their presentation times, streaming (one frame in memory at a time).
 */
import { execFile, spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import { FfmpegExitError, InvalidInputError, JobCancelledError, UnsupportedMediaError } from '../../core/errors.ts';
import type { Fps } from '../../core/motion/track.ts';
import { resolveFfmpeg, resolveFfprobe } from '../ffmpeg/ffmpegPath.ts';

const execFileP = promisify(execFile);

/** Facts about a video file's first video stream. */
export interface VideoInfo {
  /** Width as displayed (after the rotation metadata is applied), pixels. */
  widthPx: number;
  /** Height as displayed, pixels. */
  heightPx: number;
  /** Rotation metadata in degrees (0, 90, 180, 270), as ffprobe reports it; frames are decoded upright. */
  rotationDeg: number;
  /** Nominal frame rate (r_frame_rate); variable-rate files are timed by `frameTimesSec`. */
  fps: Fps;
  /** Presentation time of each frame in seconds from the stream start, ascending. Layout `[frameCount]`. */
  frameTimesSec: Float64Array;
  /** Duration of the container in seconds. */
  durationSec: number;
  /** Whether the file has an audio stream. */
  hasAudio: boolean;
}

/** One decoded frame. */
export interface VideoFrame {
  frameIndex: number;
  /** Presentation time in seconds from the stream start. */
  timeSec: number;
  /** RGBA `[heightPx, widthPx, 4]`. */
  rgba: Uint8Array;
  widthPx: number;
  heightPx: number;
}

/**
 * Probes a video file.
 * @param path - video file (any container ffmpeg reads).
 * @returns displayed size, rotation, nominal rate and the sorted packet presentation times.
 * @throws InvalidInputError when the file is missing; UnsupportedMediaError when it has no video stream
 *   or ffprobe cannot read it.
 */
export async function probeVideo(path: string): Promise<VideoInfo> {
  const st = await stat(path).catch(() => null);
  if (!st?.isFile()) throw new InvalidInputError(`video file not found: ${path}`, { path });
  if (st.size === 0) throw new UnsupportedMediaError(`${path} is empty (0 bytes)`, { path });
  let streamsJson: string;
  let packetsCsv: string;
  try {
    const probe = resolveFfprobe();
    streamsJson = (await execFileP(probe, ['-v', 'error', '-show_entries', 'format=duration,start_time:stream=codec_type,width,height,r_frame_rate,start_time:stream_tags=rotate:stream_side_data=rotation', '-of', 'json', path])).stdout;
    packetsCsv = (await execFileP(probe, ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', path], { maxBuffer: 1 << 26 })).stdout;
  } catch (err) {
    throw new UnsupportedMediaError(`${path} is not a readable video: ${lastLine((err as { stderr?: string }).stderr ?? String(err))}`, { path });
  }
  const j = JSON.parse(streamsJson) as {
    format?: { duration?: string; start_time?: string };
    streams?: { codec_type?: string; width?: number; height?: number; r_frame_rate?: string; start_time?: string; tags?: { rotate?: string }; side_data_list?: { rotation?: number }[] }[];
  };
  const v = j.streams?.find((s) => s.codec_type === 'video');
  if (!v || !v.width || !v.height) throw new UnsupportedMediaError(`${path} has no video stream`, { path });
  const packetCount = packetsCsv.split('\n').filter((l) => l.trim() !== '').length;
  if (packetCount < 2) throw new UnsupportedMediaError(`${path} is a still image, not a video (${packetCount} frame)`, { path });
  const rawRotation = Number(v.side_data_list?.find((s) => s.rotation !== undefined)?.rotation ?? v.tags?.rotate ?? 0);
  const rotationDeg = (((Math.round(rawRotation / 90) * 90) % 360) + 360) % 360;
  const swap = rotationDeg === 90 || rotationDeg === 270;
  const [num, den] = (v.r_frame_rate ?? '25/1').split('/').map(Number);
  const startSec = Number(v.start_time ?? j.format?.start_time ?? 0) || 0;
  const times = packetsCsv
    .split('\n')
    .map((l) => Number.parseFloat(l))
    .filter((t) => Number.isFinite(t))
    .sort((a, b) => a - b)
    .map((t) => t - startSec);
  return {
    widthPx: swap ? v.height : v.width,
    heightPx: swap ? v.width : v.height,
    rotationDeg,
    fps: num && den ? { num, den } : { num: 25, den: 1 },
    frameTimesSec: Float64Array.from(times),
    durationSec: Number(j.format?.duration ?? 0),
    hasAudio: Boolean(j.streams?.some((s) => s.codec_type === 'audio')),
  };
}

/**
 * Decodes every frame of a video, upright (rotation metadata applied by ffmpeg's autorotate), optionally
 * downscaled so the longer side is at most `maxSidePx`.
 * @param path - video file.
 * @param info - the file's {@link probeVideo} result.
 * @param opts - `maxSidePx` (default: no downscale), `signal` to cancel.
 * @returns async generator of frames in presentation order; `timeSec` from `info.frameTimesSec`
 *   (frames beyond the probed count get times extrapolated at the nominal rate).
 * @throws FfmpegExitError when decoding fails; JobCancelledError when cancelled.
 */
export async function* decodeVideoFrames(path: string, info: VideoInfo, opts: { maxSidePx?: number; signal?: AbortSignal } = {}): AsyncGenerator<VideoFrame, void, void> {
  const scale = opts.maxSidePx ? Math.min(1, opts.maxSidePx / Math.max(info.widthPx, info.heightPx)) : 1;
  const widthPx = Math.max(2, Math.round((info.widthPx * scale) / 2) * 2);
  const heightPx = Math.max(2, Math.round((info.heightPx * scale) / 2) * 2);
  const frameBytes = widthPx * heightPx * 4;
  const args = ['-v', 'error', '-nostdin', '-i', path, '-map', '0:v:0', '-vsync', '0', '-vf', `scale=${widthPx}:${heightPx}:flags=bilinear`, '-f', 'rawvideo', '-pix_fmt', 'rgba', 'pipe:1'];
  const child = spawn(resolveFfmpeg().path, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr = (stderr + b.toString()).slice(-4000)));
  const exited = new Promise<number>((r) => child.on('close', (c) => r(c ?? -1)));
  const onAbort = (): void => {
    child.kill('SIGKILL');
  };
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const nominalStep = info.fps.den / info.fps.num;
  let pending: Buffer = Buffer.alloc(0);
  let frameIndex = 0;
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      while (pending.length >= frameBytes) {
        const rgba = new Uint8Array(frameBytes);
        rgba.set(pending.subarray(0, frameBytes));
        pending = pending.subarray(frameBytes);
        const known = info.frameTimesSec;
        const timeSec = frameIndex < known.length ? known[frameIndex]! : (known.length ? known[known.length - 1]! : 0) + (frameIndex - known.length + 1) * nominalStep;
        yield { frameIndex, timeSec, rgba, widthPx, heightPx };
        frameIndex++;
      }
    }
    const code = await exited;
    if (opts.signal?.aborted) throw new JobCancelledError();
    if (code !== 0) throw new FfmpegExitError(`ffmpeg could not decode ${path}: ${lastLine(stderr)}`, { path, stderrTail: stderr });
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

function lastLine(text: string): string {
  return text.trim().split('\n').filter(Boolean).pop() ?? 'unknown error';
}
