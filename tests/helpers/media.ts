/**
 * Test helpers: probe a media file with ffprobe and read video frames back as RGBA.
 */
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { resolveFfmpeg, resolveFfprobe } from '../../pipeline/ffmpeg/ffmpegPath.ts';

const execFileP = promisify(execFile);

/** Absolute path of a corpus file (`../shared/corpus/<rel>` from the repo root). */
export function corpus(rel: string): string {
  return resolve(process.cwd(), '..', 'shared', 'corpus', rel);
}

/** Whether the shared corpus is present (tests that need it are skipped elsewhere). */
export const HAS_CORPUS = existsSync(corpus('MANIFEST.md'));

/** The streams of a media file as ffprobe reports them. */
export interface ProbeResult {
  formatDurationSec: number;
  video?: { codec: string; widthPx: number; heightPx: number; pixFmt: string; frameCount: number; fps: string; durationSec: number };
  audio?: { codec: string; sampleRateHz: number; channels: number; durationSec: number };
}

/**
 * Runs ffprobe on a file.
 * @param path - media file.
 * @returns container duration and the first video/audio stream facts (frames counted exactly).
 */
export async function probe(path: string): Promise<ProbeResult> {
  const { stdout } = await execFileP(resolveFfprobe(), ['-v', 'error', '-count_frames', '-show_entries', 'format=duration:stream=codec_type,codec_name,width,height,pix_fmt,nb_read_frames,r_frame_rate,sample_rate,channels,duration', '-of', 'json', path]);
  const j = JSON.parse(stdout) as { format: { duration: string }; streams: Record<string, string | number>[] };
  const out: ProbeResult = { formatDurationSec: Number(j.format.duration) };
  for (const s of j.streams) {
    if (s.codec_type === 'video' && !out.video) out.video = { codec: String(s.codec_name), widthPx: Number(s.width), heightPx: Number(s.height), pixFmt: String(s.pix_fmt), frameCount: Number(s.nb_read_frames), fps: String(s.r_frame_rate), durationSec: Number(s.duration) };
    if (s.codec_type === 'audio' && !out.audio) out.audio = { codec: String(s.codec_name), sampleRateHz: Number(s.sample_rate), channels: Number(s.channels), durationSec: Number(s.duration) };
  }
  return out;
}

/**
 * Decodes every frame of a video to RGBA.
 * @param path - video file.
 * @param widthPx - frame width (as probed).
 * @param heightPx - frame height.
 * @returns frames in order, each `[h, w, 4]` row-major.
 */
export async function readVideoFramesRgba(path: string, widthPx: number, heightPx: number): Promise<Uint8Array[]> {
  const frameBytes = widthPx * heightPx * 4;
  const child = spawn(resolveFfmpeg().path, ['-v', 'error', '-i', path, '-f', 'rawvideo', '-pix_fmt', 'rgba', '-'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks: Buffer[] = [];
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => chunks.push(b));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const code: number = await new Promise((r) => child.on('close', (c) => r(c ?? -1)));
  if (code !== 0) throw new Error(`ffmpeg failed reading ${path}: ${stderr.slice(-400)}`);
  const all = Buffer.concat(chunks);
  const frames: Uint8Array[] = [];
  for (let off = 0; off + frameBytes <= all.length; off += frameBytes) frames.push(new Uint8Array(all.buffer, all.byteOffset + off, frameBytes));
  return frames;
}

/**
 * Decodes one frame of a video to RGBA (ffmpeg `select=eq(n, frameIndex)`).
 * @param path - video file.
 * @param frameIndex - 0-based frame index.
 * @param widthPx - frame width (as probed).
 * @param heightPx - frame height.
 * @returns `[h, w, 4]` row-major RGBA.
 * @throws Error when ffmpeg fails or returns another size (e.g. frameIndex past the end).
 */
export async function readVideoFrameRgba(path: string, frameIndex: number, widthPx: number, heightPx: number): Promise<Uint8Array> {
  const { stdout } = await execFileP(resolveFfmpeg().path, ['-v', 'error', '-i', path, '-vf', `select=eq(n\\,${frameIndex})`, '-vsync', '0', '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgba', '-'], { encoding: 'buffer', maxBuffer: 1 << 26 });
  if (stdout.length !== widthPx * heightPx * 4) throw new Error(`readVideoFrameRgba: ${path} frame ${frameIndex}: ${stdout.length} bytes, expected ${widthPx}×${heightPx}×4`);
  return new Uint8Array(stdout);
}

/**
 * PSNR of two RGBA images over a rectangle, on RGB.
 * @param a - RGBA `[h,w,4]`.
 * @param b - RGBA of the same size.
 * @param widthPx - image width.
 * @param rect - region `{x0,y0,x1,y1}` in pixels (exclusive ends).
 * @returns PSNR in dB (Infinity when identical).
 */
export function psnrRgb(a: Uint8Array, b: Uint8Array, widthPx: number, rect: { x0: number; y0: number; x1: number; y1: number }): number {
  let se = 0;
  let n = 0;
  for (let y = rect.y0; y < rect.y1; y++) {
    for (let x = rect.x0; x < rect.x1; x++) {
      const i = (y * widthPx + x) * 4;
      for (let c = 0; c < 3; c++) {
        const d = a[i + c]! - b[i + c]!;
        se += d * d;
      }
      n += 3;
    }
  }
  const mse = se / n;
  return mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse);
}

/**
 * Pearson correlation of two equal-length series.
 * @returns r in [-1, 1]; NaN when either series is constant.
 */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = Math.min(a.length, b.length);
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i]! - ma;
    const db = b[i]! - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return sab / Math.sqrt(saa * sbb);
}

/**
 * RMS of a mono signal over each video frame's time span.
 * @param samples - mono PCM in [-1, 1].
 * @param sampleRateHz - its rate.
 * @param fps - video frames per second.
 * @param frameCount - number of frames.
 * @returns `[frameCount]` RMS values.
 */
export function envelopePerFrame(samples: Float32Array, sampleRateHz: number, fps: number, frameCount: number): number[] {
  return Array.from({ length: frameCount }, (_, f) => {
    const a = Math.floor((f / fps) * sampleRateHz);
    const b = Math.min(samples.length, Math.floor(((f + 1) / fps) * sampleRateHz));
    let s = 0;
    for (let i = a; i < b; i++) s += samples[i]! * samples[i]!;
    return b > a ? Math.sqrt(s / (b - a)) : 0;
  });
}
