/**
 * Encodes raw frames (RGBA or planar YUV 4:2:0) streamed from memory into a video file with ffmpeg.
 * @remarks DESIGN.md §5: render host → raw frames → ffmpeg stdin (`rawvideo`) with back-pressure → encoder; the
 * audio is muxed from the original file; the output is written to a temp file in the destination folder and
 * renamed when complete, so a cancelled or failed job leaves nothing behind.
 */
import { once } from 'node:events';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import ffmpeg from 'fluent-ffmpeg';
import { FfmpegExitError, InvalidInputError, JobCancelledError, type JobProgress } from '../../core/errors.ts';
import type { Fps } from '../../core/motion/track.ts';
import { encoderSettingsForQuality, type EncoderQualitySettings } from '../../core/jobs/options.ts';
import { AUDIO_TIMELINE_FILTER } from '../audio/decodeAudio.ts';
import { resolveFfmpeg } from '../ffmpeg/ffmpegPath.ts';
import { commitFile, sweepStaleParts, tempPathFor } from '../files/atomicWrite.ts';

/** Layout of each raw frame given to {@link encodeVideo}. */
export type RawPixelFormat = 'rgba' | 'yuv420p';
/** What each item of `frames` is: a raw frame, or (`h264`) one Annex-B H.264 access unit already encoded (e.g. in the render page). */
export type FrameInputFormat = RawPixelFormat | 'h264';

/**
 * Outputs {@link encodeVideo} writes: video containers, an animated GIF, or a numbered PNG sequence (`png`: the
 * output path holds a printf frame-number pattern such as `frame_%05d.png`). GIF and PNG carry no sound.
 */
export type VideoFormat = 'mp4' | 'webm' | 'mov' | 'gif' | 'png';

/** Whether a format can hold an audio track. */
export function formatHasAudio(format: VideoFormat): boolean {
  return format === 'mp4' || format === 'webm' || format === 'mov';
}

/** A printf frame-number pattern as ffmpeg's image2 muxer reads it: `%d` or `%0Nd`. */
export const FRAME_NUMBER_PATTERN = /%0?\d*d/;

/** Options of {@link encodeVideo}. */
export interface EncodeVideoOptions {
  /**
   * The frames, in order. `rgba`: `[heightPx, widthPx, 4]` bytes, top row first; `yuv420p`: the Y plane
   * (`widthPx × heightPx`) then U then V (`widthPx/2 × heightPx/2` each), BT.601 limited range.
   * Exactly `totalFrames` are consumed; the iterator is closed after that.
   */
  frames: AsyncIterable<Uint8Array>;
  /** Frame width in pixels (even, ≥ 2). */
  widthPx: number;
  /** Frame height in pixels (even, ≥ 2). */
  heightPx: number;
  /** Frame rate (rational). */
  fps: Fps;
  /** Layout of the raw frames, or `h264` for Annex-B access units (one per frame) that are stream-copied into an MP4. */
  pixelFormat: FrameInputFormat;
  /** Audio file to mux (its first audio stream); padded with silence or cut to the video's duration. */
  audioPath?: string;
  /** Where in the audio file the output starts (seconds, ≥ 0; default 0), for the export of a range. */
  audioOffsetSec?: number;
  /** Destination file; its folder is created when missing. */
  outPath: string;
  /**
   * Container/codecs: `mp4` H.264 yuv420p + AAC (default); `webm` VP9 (yuva420p from RGBA) + Opus; `mov` ProRes
   * (4444, or 422 for an opaque draft) + AAC; `gif` (a palette per frame, 1-bit alpha from RGBA; no audio); `png` numbered RGB(A) PNG files, first
   * frame number 0 (no audio; `outPath` must hold a frame-number pattern, see {@link FRAME_NUMBER_PATTERN}).
   */
  format?: VideoFormat;
  /** Number of frames to encode (≥ 1); the output lasts `totalFrames / fps` seconds. */
  totalFrames: number;
  /** Cancels the job: ffmpeg is killed and the temp file removed. */
  signal?: AbortSignal;
  /** Called after each frame is handed to ffmpeg (stage `"encode"`). */
  onProgress?: (p: JobProgress) => void;
  /**
   * Encoder parameters (x264 CRF and preset, VP9 CRF, ProRes profile, GIF palette size); default the `standard` row
   * of {@link encoderSettingsForQuality}. Ignored for PNG (lossless) and for pre-encoded `h264` input.
   */
  quality?: EncoderQualitySettings;
}

/** Result of {@link encodeVideo}. */
export interface EncodeVideoResult {
  /** The final file (renamed from the temp file). */
  outPath: string;
  /** Frames written. */
  frameCount: number;
  /** Duration of the video stream in seconds, `frameCount * fps.den / fps.num`. */
  durationSec: number;
}

/**
 * Bytes of one raw frame.
 * @param widthPx - width in pixels.
 * @param heightPx - height in pixels.
 * @param pixelFormat - `rgba` (4 bytes/pixel) or `yuv420p` (1.5 bytes/pixel).
 * @returns byte length of one frame.
 */
export function rawFrameBytes(widthPx: number, heightPx: number, pixelFormat: RawPixelFormat): number {
  return pixelFormat === 'rgba' ? widthPx * heightPx * 4 : widthPx * heightPx + 2 * ((widthPx / 2) * (heightPx / 2));
}

const STDERR_TAIL_LINES = 20;

/** Codec arguments per container. */
function outputArgs(format: VideoFormat, pixelFormat: RawPixelFormat, hasAudio: boolean, q: EncoderQualitySettings): string[] {
  switch (format) {
    case 'mp4':
      return ['-c:v', 'libx264', '-preset', q.x264Preset, '-crf', String(q.x264Crf), '-pix_fmt', 'yuv420p', ...(hasAudio ? ['-c:a', 'aac', '-b:a', '160k'] : []), '-movflags', '+faststart', '-f', 'mp4'];
    case 'webm':
      return ['-c:v', 'libvpx-vp9', '-b:v', '0', '-crf', String(q.vp9Crf), '-row-mt', '1', '-deadline', 'realtime', '-cpu-used', '8', '-pix_fmt', pixelFormat === 'rgba' ? 'yuva420p' : 'yuv420p', ...(hasAudio ? ['-c:a', 'libopus', '-b:a', '128k'] : []), '-f', 'webm'];
    case 'mov':
      // ProRes 422 profiles take 4:2:2 chroma and no alpha; the 4444 profiles 4:4:4 (+ alpha from RGBA input).
      return ['-c:v', 'prores_ks', '-profile:v', pixelFormat === 'rgba' ? q.proresProfileAlpha : q.proresProfileOpaque, '-pix_fmt', pixelFormat === 'rgba' ? 'yuva444p10le' : q.proresProfileOpaque === 'standard' ? 'yuv422p10le' : 'yuv444p10le', ...(hasAudio ? ['-c:a', 'aac', '-b:a', '160k'] : []), '-f', 'mov'];
    case 'gif':
      // One palette per frame (palettegen stats_mode=single + paletteuse new=1) keeps the stream flowing: a global
      // palette would make ffmpeg hold every frame until the end. Pixels under alpha 128 become transparent.
      return ['-vf', `split[a][b];[a]palettegen=stats_mode=single:reserve_transparent=1:max_colors=${q.gifMaxColors}[p];[b][p]paletteuse=new=1:dither=bayer:bayer_scale=3:alpha_threshold=128`, '-loop', '0', '-f', 'gif'];
    case 'png':
      return ['-c:v', 'png', '-pix_fmt', pixelFormat === 'rgba' ? 'rgba' : 'rgb24', '-start_number', '0', '-f', 'image2'];
  }
}

/**
 * Streams raw frames into ffmpeg and writes a video file, muxing audio from `audioPath` when given.
 * @param opts - see {@link EncodeVideoOptions}.
 * @returns the final path, the number of frames and the video duration in seconds.
 * @throws InvalidInputError for bad sizes, counts or a frame of the wrong byte length, or when the frame
 * stream ends before `totalFrames`.
 * @throws JobCancelledError when `opts.signal` aborts (ffmpeg killed, temp file removed).
 * @throws FfmpegExitError when ffmpeg fails; `details.stderrTail` holds its last stderr lines.
 * @remarks ffmpeg reads `-f rawvideo -pix_fmt <fmt> -s WxH -framerate num/den` (or `-f h264 -framerate num/den`,
 * stream-copied, for pre-encoded access units) from stdin; writes to stdin wait
 * for `drain` (back-pressure reaches the frame producer). Audio: {@link AUDIO_TIMELINE_FILTER} (timestamp gaps as
 * silence, as the analysis decoded it), `apad` + `-t totalFrames/fps` make both
 * streams last exactly the video's duration (the caller derives `totalFrames` from the audio duration rounded
 * to the frame, DESIGN.md §5). The output goes to a hidden temp file in the destination folder and is renamed
 * atomically on success.
 */
export async function encodeVideo(opts: EncodeVideoOptions): Promise<EncodeVideoResult> {
  const { widthPx, heightPx, fps, pixelFormat, totalFrames, signal, onProgress } = opts;
  const format = opts.format ?? 'mp4';
  if (!Number.isInteger(widthPx) || !Number.isInteger(heightPx) || widthPx < 2 || heightPx < 2 || widthPx % 2 || heightPx % 2) {
    throw new InvalidInputError(`Video size must be even and at least 2×2 pixels, got ${widthPx}×${heightPx}`);
  }
  if (!Number.isInteger(totalFrames) || totalFrames < 1) throw new InvalidInputError(`totalFrames must be a positive integer, got ${totalFrames}`);
  if (!(fps.num > 0 && fps.den > 0)) throw new InvalidInputError(`Invalid frame rate ${fps.num}/${fps.den}`);
  if (signal?.aborted) throw new JobCancelledError();

  const isCompressed = pixelFormat === 'h264';
  if (isCompressed && format !== 'mp4') throw new InvalidInputError(`Pre-encoded H.264 frames can only be written to MP4, not ${format}`);
  const frameBytes = isCompressed ? 0 : rawFrameBytes(widthPx, heightPx, pixelFormat);
  const outPath = path.resolve(opts.outPath);
  const dir = path.dirname(outPath);
  const isSequence = format === 'png';
  if (isSequence && !FRAME_NUMBER_PATTERN.test(path.basename(outPath))) throw new InvalidInputError(`A PNG sequence needs a frame-number pattern in the file name, e.g. frame_%05d.png: ${opts.outPath}`);
  await mkdir(dir, { recursive: true });
  // Temp files of runs that crashed or were killed (their pid is gone) are removed; a running export's are kept.
  await sweepStaleParts(dir);
  // A sequence goes to a hidden temp folder beside the destination and its files are moved in on success.
  const tmpPath = isSequence ? path.join(tempPathFor(path.join(dir, 'frames')), path.basename(outPath)) : tempPathFor(outPath);
  if (isSequence) await mkdir(path.dirname(tmpPath));
  const durationSec = (totalFrames * fps.den) / fps.num;

  const input = new PassThrough({ highWaterMark: isCompressed ? 1 << 20 : frameBytes * 2 });
  const cmd = ffmpeg({ stdoutLines: 0, stderrLines: 200 } as ffmpeg.FfmpegCommandOptions).setFfmpegPath(resolveFfmpeg().path).input(input);
  if (isCompressed) cmd.inputFormat('h264').inputOptions(['-framerate', `${fps.num}/${fps.den}`]);
  else cmd.inputFormat('rawvideo').inputOptions(['-pix_fmt', pixelFormat, '-s', `${widthPx}x${heightPx}`, '-framerate', `${fps.num}/${fps.den}`]);
  const hasAudio = Boolean(opts.audioPath) && formatHasAudio(format);
  if (hasAudio) {
    cmd.input(opts.audioPath!);
    if (opts.audioOffsetSec && opts.audioOffsetSec > 0) cmd.inputOptions(['-ss', opts.audioOffsetSec.toFixed(6)]);
  }
  // The audio on its container's timeline (gaps as silence, as the analysis saw it), padded to the video's length;
  // no tags of the inputs (title, artist, comments of the source audio) are copied into the output.
  const maps = ['-map', '0:v:0', ...(hasAudio ? ['-map', '1:a:0', '-af', `${AUDIO_TIMELINE_FILTER},apad`] : []), '-map_metadata', '-1'];
  const codecArgs = isCompressed ? ['-c:v', 'copy', ...(hasAudio ? ['-c:a', 'aac', '-b:a', '160k'] : []), '-movflags', '+faststart', '-f', 'mp4'] : outputArgs(format, pixelFormat as RawPixelFormat, hasAudio, opts.quality ?? encoderSettingsForQuality('standard'));
  cmd.outputOptions([...maps, ...codecArgs, '-t', durationSec.toFixed(6), '-y']).output(tmpPath);

  let exitError: Error | null = null;
  let cancelled = false;
  const finished = new Promise<void>((resolve, reject) => {
    cmd.on('error', (err: Error, _stdout: string | null, stderr: string | null) => {
      const tail = (stderr ?? '').trim().split('\n').slice(-STDERR_TAIL_LINES).join('\n');
      exitError = cancelled ? new JobCancelledError() : new FfmpegExitError(`ffmpeg failed while encoding ${path.basename(outPath)}: ${lastLine(tail) || err.message}`, { stderrTail: tail, outPath });
      reject(exitError);
    });
    cmd.on('end', () => resolve());
  });
  finished.catch(() => undefined); // observed below
  input.on('error', () => undefined); // EPIPE after ffmpeg died is reported through `finished`

  // fluent-ffmpeg spawns asynchronously: a kill requested before 'start' is applied when the process starts.
  let killRequested = false;
  let started = false;
  const kill = (): void => {
    killRequested = true;
    if (started) cmd.kill('SIGKILL');
  };
  cmd.on('start', () => {
    started = true;
    if (killRequested) cmd.kill('SIGKILL');
  });
  const onAbort = (): void => {
    cancelled = true;
    kill();
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  cmd.run();

  const startMs = Date.now();
  let written = 0;
  const iterator = opts.frames[Symbol.asyncIterator]();
  try {
    while (written < totalFrames) {
      if (signal?.aborted) throw new JobCancelledError();
      if (exitError) throw exitError;
      const next = await Promise.race([iterator.next(), finished.then(() => null)]);
      if (next === null) throw new FfmpegExitError('ffmpeg exited before all frames were written', { outPath });
      if (next.done) throw new InvalidInputError(`The frame stream ended after ${written} of ${totalFrames} frames`);
      const frame = next.value;
      if (!isCompressed && frame.byteLength !== frameBytes) throw new InvalidInputError(`Frame ${written} has ${frame.byteLength} bytes, expected ${frameBytes} (${widthPx}×${heightPx} ${pixelFormat})`);
      if (!input.write(frame)) await Promise.race([once(input, 'drain'), finished]);
      written++;
      if (onProgress) {
        const elapsedSec = (Date.now() - startMs) / 1000;
        onProgress({ stage: 'encode', completedFrames: written, totalFrames, fraction: written / totalFrames, etaSec: written > 0 ? (elapsedSec / written) * (totalFrames - written) : null });
      }
    }
    await iterator.return?.();
    input.end();
    await finished;
    if (signal?.aborted) throw new JobCancelledError();
    if (isSequence) {
      const tmpDir = path.dirname(tmpPath);
      for (const name of (await readdir(tmpDir)).sort()) await rename(path.join(tmpDir, name), path.join(dir, name));
      await rm(tmpDir, { recursive: true, force: true });
    } else await commitFile(tmpPath, outPath);
    return { outPath, frameCount: written, durationSec };
  } catch (err) {
    cancelled = cancelled || Boolean(signal?.aborted);
    kill();
    input.destroy();
    await finished.catch(() => undefined);
    await iterator.return?.().catch(() => undefined);
    await rm(isSequence ? path.dirname(tmpPath) : tmpPath, { recursive: true, force: true });
    if (signal?.aborted) throw new JobCancelledError();
    throw err;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

function lastLine(text: string): string {
  const lines = text.split('\n').filter((l) => l.trim().length > 0);
  return lines[lines.length - 1]?.trim() ?? '';
}
