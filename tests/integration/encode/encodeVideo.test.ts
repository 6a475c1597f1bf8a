import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FfmpegExitError, InvalidInputError, JobCancelledError, type JobProgress } from '../../../core/errors.ts';
import { frameCountForDuration, type Fps } from '../../../core/motion/track.ts';
import { encodeVideo, rawFrameBytes } from '../../../pipeline/encode/encodeVideo.ts';
import { resolveFfmpeg } from '../../../pipeline/ffmpeg/ffmpegPath.ts';
import { audioDurationSec, probe } from './probe.ts';

const corpus = path.resolve(process.cwd(), '../shared/corpus');
const IMAGE = path.join(corpus, 'images/img05_elderly_woman_painting_ai.png');
const AUDIO = path.join(corpus, 'audio/aud06_word_six_cv_mp3_48k.mp3');
const W = 160;
const H = 120;
const FPS: Fps = { num: 25, den: 1 };

let photo: { data: Buffer; width: number; height: number };
let dir: string;

beforeAll(async () => {
  const { data, info } = await sharp(IMAGE).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  photo = { data, width: info.width, height: info.height };
  dir = mkdtempSync(path.join(tmpdir(), 'encode-test-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Real frames: a W×H window panning across the portrait, one pixel step per frame. */
function cropRgba(frameIndex: number): Uint8Array {
  const out = new Uint8Array(W * H * 4);
  const x0 = 100 + (frameIndex % 200);
  const y0 = 150;
  for (let y = 0; y < H; y++) out.set(photo.data.subarray(((y0 + y) * photo.width + x0) * 4, ((y0 + y) * photo.width + x0 + W) * 4), y * W * 4);
  return out;
}

/** BT.601 limited-range RGBA → planar YUV 4:2:0 (the layout the render host reads back). */
function toYuv420(rgba: Uint8Array): Uint8Array {
  const out = new Uint8Array(rawFrameBytes(W, H, 'yuv420p'));
  const u0 = W * H;
  const v0 = u0 + (W / 2) * (H / 2);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = (y * W + x) * 4;
      out[y * W + x] = Math.round(16 + 0.257 * rgba[i]! + 0.504 * rgba[i + 1]! + 0.098 * rgba[i + 2]!);
      if (y % 2 === 0 && x % 2 === 0) {
        const c = (y / 2) * (W / 2) + x / 2;
        out[u0 + c] = Math.round(128 - 0.148 * rgba[i]! - 0.291 * rgba[i + 1]! + 0.439 * rgba[i + 2]!);
        out[v0 + c] = Math.round(128 + 0.439 * rgba[i]! - 0.368 * rgba[i + 1]! - 0.071 * rgba[i + 2]!);
      }
    }
  }
  return out;
}

async function* frames(count: number, format: 'rgba' | 'yuv420p', delayMs = 0): AsyncGenerator<Uint8Array> {
  for (let f = 0; f < count; f++) {
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
    const rgba = cropRgba(f);
    yield format === 'rgba' ? rgba : toYuv420(rgba);
  }
}

describe('encodeVideo', () => {
  it('muxes real RGBA frames with the audio into H.264 + AAC lasting the audio duration rounded to the frame', async () => {
    const audioSec = audioDurationSec(AUDIO);
    const total = frameCountForDuration(audioSec, FPS);
    const outPath = path.join(dir, 'rgba.mp4');
    const events: JobProgress[] = [];
    const res = await encodeVideo({ frames: frames(total, 'rgba'), widthPx: W, heightPx: H, fps: FPS, pixelFormat: 'rgba', audioPath: AUDIO, outPath, totalFrames: total, onProgress: (p) => events.push(p) });
    expect(res.frameCount).toBe(total);
    const p = probe(outPath);
    const v = p.streams.find((s) => s.codec_type === 'video')!;
    const a = p.streams.find((s) => s.codec_type === 'audio')!;
    expect(v.codec_name).toBe('h264');
    expect(v.pix_fmt).toBe('yuv420p');
    expect([v.width, v.height]).toEqual([W, H]);
    expect(Number(v.nb_frames)).toBe(total);
    expect(a.codec_name).toBe('aac');
    expect(Math.abs(Number(p.format.duration) - audioSec)).toBeLessThanOrEqual(1 / 25 + 0.03); // one frame (+ AAC priming granularity)
    expect(Math.abs(Number(v.duration) - res.durationSec)).toBeLessThan(1e-3);
    expect(events.length).toBe(total);
    expect(events.at(-1)!.fraction).toBe(1);
    expect(readdirSync(dir).filter((f) => f.endsWith('.part'))).toEqual([]);
  });

  it('accepts planar YUV 4:2:0 frames and decodes back close to the source', async () => {
    const outPath = path.join(dir, 'yuv.mp4');
    await encodeVideo({ frames: frames(10, 'yuv420p'), widthPx: W, heightPx: H, fps: FPS, pixelFormat: 'yuv420p', outPath, totalFrames: 10 });
    const v = probe(outPath).streams.find((s) => s.codec_type === 'video')!;
    expect([v.codec_name, v.width, v.height, Number(v.nb_frames)]).toEqual(['h264', W, H, 10]);
    const decoded = execFileSync(resolveFfmpeg().path, ['-v', 'error', '-i', outPath, '-vf', 'select=eq(n\\,3)', '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgba', '-'], { maxBuffer: 1 << 24 });
    const src = cropRgba(3);
    let se = 0;
    for (let i = 0; i < src.length; i++) if (i % 4 !== 3) se += (src[i]! - decoded[i]!) ** 2;
    const psnrDb = 10 * Math.log10((255 * 255) / (se / (W * H * 3)));
    expect(psnrDb).toBeGreaterThan(30);
  });

  it.each([
    ['webm', 'vp9', 'opus'],
    ['mov', 'prores', 'aac'],
  ] as const)('writes %s (%s + %s) from RGBA frames', async (format, vcodec, acodec) => {
    const outPath = path.join(dir, `alpha.${format}`);
    await encodeVideo({ frames: frames(8, 'rgba'), widthPx: W, heightPx: H, fps: FPS, pixelFormat: 'rgba', audioPath: AUDIO, outPath, format, totalFrames: 8 });
    const p = probe(outPath);
    const v = p.streams.find((st) => st.codec_type === 'video')!;
    expect([v.codec_name, v.width, v.height]).toEqual([vcodec, W, H]);
    expect(p.streams.find((st) => st.codec_type === 'audio')?.codec_name).toBe(acodec);
    expect(Math.abs(Number(p.format.duration) - 8 / 25)).toBeLessThan(0.05);
  });

  it('writes a PNG sequence that is lossless (frame 5 equals its source bytes), numbered from 0, no temp folder left', async () => {
    const sub = mkdtempSync(path.join(dir, 'png-'));
    const res = await encodeVideo({ frames: frames(7, 'rgba'), widthPx: W, heightPx: H, fps: FPS, pixelFormat: 'rgba', audioPath: AUDIO, outPath: path.join(sub, 'f_%04d.png'), format: 'png', totalFrames: 7 });
    expect(res.frameCount).toBe(7);
    expect(readdirSync(sub)).toEqual(['f_0000.png', 'f_0001.png', 'f_0002.png', 'f_0003.png', 'f_0004.png', 'f_0005.png', 'f_0006.png']);
    const { data, info } = await sharp(path.join(sub, 'f_0005.png')).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([W, H, 4]);
    expect(Buffer.compare(data, Buffer.from(cropRgba(5)))).toBe(0);
    await expect(encodeVideo({ frames: frames(2, 'rgba'), widthPx: W, heightPx: H, fps: FPS, pixelFormat: 'rgba', outPath: path.join(sub, 'plain.png'), format: 'png', totalFrames: 2 })).rejects.toBeInstanceOf(InvalidInputError);
  });

  it('writes an animated GIF (no audio stream) whose frame 4 stays close to its source and keeps 1-bit alpha', async () => {
    const outPath = path.join(dir, 'anim.gif');
    async function* halfTransparent(): AsyncGenerator<Uint8Array> {
      for (let f = 0; f < 6; f++) {
        const rgba = cropRgba(f);
        for (let p = 0; p < W * H; p++) if (p % W < W / 4) rgba[p * 4 + 3] = 0;
        yield rgba;
      }
    }
    await encodeVideo({ frames: halfTransparent(), widthPx: W, heightPx: H, fps: FPS, pixelFormat: 'rgba', audioPath: AUDIO, outPath, format: 'gif', totalFrames: 6 });
    const p = probe(outPath);
    expect(p.streams.map((st) => st.codec_type)).toEqual(['video']);
    expect(p.streams[0]!.codec_name).toBe('gif');
    const decoded = execFileSync(resolveFfmpeg().path, ['-v', 'error', '-i', outPath, '-vf', 'select=eq(n\\,4)', '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgba', '-'], { maxBuffer: 1 << 24 });
    const src = cropRgba(4);
    let se = 0;
    let n = 0;
    let alphaWrong = 0;
    for (let px = 0; px < W * H; px++) {
      const transparent = px % W < W / 4;
      if ((decoded[px * 4 + 3]! < 128) !== transparent) alphaWrong++;
      if (transparent) continue;
      for (let c = 0; c < 3; c++) se += (src[px * 4 + c]! - decoded[px * 4 + c]!) ** 2;
      n += 3;
    }
    expect(alphaWrong).toBe(0);
    const psnrDb = 10 * Math.log10((255 * 255) / (se / n));
    console.log(`GIF frame 4: PSNR ${psnrDb.toFixed(2)} dB on the opaque part`);
    expect(psnrDb).toBeGreaterThan(25);
  });

  it('cancels: ffmpeg is killed and no file is left', async () => {
    const sub = mkdtempSync(path.join(dir, 'cancel-'));
    const ctrl = new AbortController();
    const job = encodeVideo({ frames: frames(500, 'rgba', 5), widthPx: W, heightPx: H, fps: FPS, pixelFormat: 'rgba', outPath: path.join(sub, 'x.mp4'), totalFrames: 500, signal: ctrl.signal, onProgress: (p) => p.completedFrames === 20 && ctrl.abort() });
    await expect(job).rejects.toBeInstanceOf(JobCancelledError);
    expect(readdirSync(sub)).toEqual([]);
  });

  it('rejects a frame of the wrong size and leaves nothing', async () => {
    const sub = mkdtempSync(path.join(dir, 'bad-'));
    async function* wrong(): AsyncGenerator<Uint8Array> {
      yield new Uint8Array(W * H * 4);
      yield new Uint8Array(W * H * 3);
    }
    await expect(encodeVideo({ frames: wrong(), widthPx: W, heightPx: H, fps: FPS, pixelFormat: 'rgba', outPath: path.join(sub, 'x.mp4'), totalFrames: 2 })).rejects.toBeInstanceOf(InvalidInputError);
    expect(readdirSync(sub)).toEqual([]);
  });

  it('reports ffmpeg failure with the stderr tail when the audio input is not media', async () => {
    const sub = mkdtempSync(path.join(dir, 'fail-'));
    const err = await encodeVideo({ frames: frames(5, 'rgba'), widthPx: W, heightPx: H, fps: FPS, pixelFormat: 'rgba', audioPath: IMAGE.replace('img05_elderly_woman_painting_ai.png', 'does-not-exist.wav'), outPath: path.join(sub, 'x.mp4'), totalFrames: 5 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FfmpegExitError);
    expect(String((err as FfmpegExitError).details.stderrTail)).toMatch(/No such file/);
    expect(readdirSync(sub)).toEqual([]);
  });
});
