import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useRenderHost } from '../../helpers/useRenderHost.ts';
import { JobCancelledError } from '../../../core/errors.ts';
import { ARKIT_BLENDSHAPE_COUNT, BS } from '../../../core/motion/names.ts';
import { createNeutralTrack, frameCountForDuration, type Fps } from '../../../core/motion/track.ts';
import { encodeVideo } from '../../../pipeline/encode/encodeVideo.ts';
import { resolveFfmpeg } from '../../../pipeline/ffmpeg/ffmpegPath.ts';
import type { LoadedPortraitInfo } from '../../../pipeline/render/renderHost.ts';
import { audioDurationSec, probe } from '../encode/probe.ts';
import { loadPortrait, psnrDb, toOutputPx, type Portrait } from './helpers.ts';

const S = 256;
const FPS: Fps = { num: 25, den: 1 };
const AUDIO = path.resolve(process.cwd(), '../shared/corpus/audio/aud08_word_six_0p65s_derived.wav');

describe('export: render host → YUV frames → encoder', () => {
  const host = useRenderHost({ widthPx: S, heightPx: S });
  let portrait: Portrait;
  let info: LoadedPortraitInfo;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'export-test-'));
    portrait = await loadPortrait('img05');
    info = await host().loadPortrait(portrait.image, portrait.face);
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('YUV readback equals the RGBA readback converted with BT.601 (within rounding)', async () => {
    const w = new Float32Array(ARKIT_BLENDSHAPE_COUNT);
    w[BS.jawOpen] = 0.6;
    const rgba = await host().renderStill({ blendshapes: w });
    const yuv = await host().renderStill({ blendshapes: w }, { pixelFormat: 'yuv420p' });
    expect(yuv.length).toBe((S * S * 3) / 2);
    let maxDiff = 0;
    for (let i = 0; i < S * S; i++) {
      const luma = 16 + (65.481 * rgba[i * 4]! + 128.553 * rgba[i * 4 + 1]! + 24.966 * rgba[i * 4 + 2]!) / 255;
      maxDiff = Math.max(maxDiff, Math.abs(luma - yuv[i]!));
    }
    expect(maxDiff).toBeLessThanOrEqual(1);
  });

  it('writes H.264 + AAC at the size, lasting the audio rounded to the frame, with the mouth following jawOpen', async () => {
    const audioSec = audioDurationSec(AUDIO);
    const n = frameCountForDuration(audioSec, FPS);
    const track = createNeutralTrack(n, FPS);
    const isOpen = (f: number): boolean => Math.floor(f / 4) % 2 === 1;
    for (let f = 0; f < n; f++) track.blendshapes[f * ARKIT_BLENDSHAPE_COUNT + BS.jawOpen] = isOpen(f) ? 1 : 0;
    const outPath = path.join(dir, 'talk.mp4');
    const res = await encodeVideo({ frames: host().renderFrames(track, { pixelFormat: 'yuv420p' }), widthPx: S, heightPx: S, fps: FPS, pixelFormat: 'yuv420p', audioPath: AUDIO, outPath, totalFrames: n });
    expect(res.frameCount).toBe(n);
    const p = probe(outPath);
    const v = p.streams.find((s) => s.codec_type === 'video')!;
    expect([v.codec_name, v.width, v.height, Number(v.nb_frames)]).toEqual(['h264', S, S, n]);
    expect(p.streams.find((s) => s.codec_type === 'audio')?.codec_name).toBe('aac');
    expect(Math.abs(Number(p.format.duration) - audioSec)).toBeLessThanOrEqual(1 / 25 + 0.03);

    // Decode the video and measure, per frame, the pixels between the upper lip and the chin whose luma moved by more
    // than 24 levels from the closed first frame (the opened mouth; since s16 its interior is lit, tongue and walls at
    // 0.4–0.7 × skin, so a dark-pixel count (luma < 60) no longer sees it: 1.6 vs 0.8 px).
    const raw = execFileSync(resolveFfmpeg().path, ['-v', 'error', '-i', outPath, '-f', 'rawvideo', '-pix_fmt', 'rgba', '-'], { maxBuffer: 1 << 28 });
    const lm = portrait.face.landmarksPx;
    const [mx, upperY] = toOutputPx(info.cropPx, S, S, lm[13 * 3]!, lm[13 * 3 + 1]!);
    const [, chinY] = toOutputPx(info.cropPx, S, S, lm[152 * 3]!, lm[152 * 3 + 1]!);
    const luma = (i: number): number => 0.299 * raw[i]! + 0.587 * raw[i + 1]! + 0.114 * raw[i + 2]!;
    const dark: number[] = [];
    for (let f = 0; f < n; f++) {
      let d = 0;
      for (let y = Math.round(upperY) - 1; y < Math.round(chinY); y++) {
        for (let x = Math.round(mx) - 4; x <= Math.round(mx) + 4; x++) {
          const i = (f * S * S + y * S + x) * 4;
          if (Math.abs(luma(i) - luma((y * S + x) * 4)) > 24) d++;
        }
      }
      dark.push(d / 9);
    }
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    const open = mean(dark.filter((_, f) => isOpen(f)));
    const closed = mean(dark.filter((_, f) => !isOpen(f)));
    console.log(`mouth gap per frame (px): ${dark.map((d) => d.toFixed(1)).join(' ')}`);
    expect(open).toBeGreaterThan(closed + 4);
    // The first frame still looks like the photo through the encoder.
    const first = new Uint8Array(raw.buffer, raw.byteOffset, S * S * 4);
    const still = await host().renderStill({ blendshapes: new Float32Array(ARKIT_BLENDSHAPE_COUNT) });
    expect(psnrDb(first, still, null)).toBeGreaterThan(30); // x264 crf 18 + 4:2:0 chroma
  });

  it('in-page H.264 (WebCodecs) → stream copy: an MP4 of the right size, frame count and duration that looks like the render', async () => {
    const n = 20;
    const track = createNeutralTrack(n, FPS);
    for (let f = 0; f < n; f++) track.blendshapes[f * ARKIT_BLENDSHAPE_COUNT + BS.jawOpen] = f >= 10 ? 1 : 0;
    const outPath = path.join(dir, 'inpage.mp4');
    const res = await encodeVideo({ frames: host().renderEncoded(track), widthPx: S, heightPx: S, fps: FPS, pixelFormat: 'h264', audioPath: AUDIO, outPath, totalFrames: n });
    expect(res.frameCount).toBe(n);
    const p = probe(outPath);
    const v = p.streams.find((st) => st.codec_type === 'video')!;
    expect([v.codec_name, v.width, v.height, Number(v.nb_frames), v.pix_fmt]).toEqual(['h264', S, S, n, 'yuv420p']);
    expect(Math.abs(Number(v.duration) - n / 25)).toBeLessThan(0.01);
    const raw = execFileSync(resolveFfmpeg().path, ['-v', 'error', '-i', outPath, '-f', 'rawvideo', '-pix_fmt', 'rgba', '-'], { maxBuffer: 1 << 28 });
    expect(raw.length).toBe(n * S * S * 4);
    const first = new Uint8Array(raw.buffer, raw.byteOffset, S * S * 4);
    const last = new Uint8Array(raw.buffer, raw.byteOffset + (n - 1) * S * S * 4, S * S * 4);
    const rest = await host().renderStill({ blendshapes: new Float32Array(ARKIT_BLENDSHAPE_COUNT) });
    const w = new Float32Array(ARKIT_BLENDSHAPE_COUNT);
    w[BS.jawOpen] = 1;
    const open = await host().renderStill({ blendshapes: w });
    expect(psnrDb(first, rest, null)).toBeGreaterThan(30);
    expect(psnrDb(last, open, null)).toBeGreaterThan(30);
    expect(psnrDb(last, open, null)).toBeGreaterThan(psnrDb(last, rest, null));
  });

  it('cancels mid-export: JobCancelledError and no file left', async () => {
    const sub = mkdtempSync(path.join(dir, 'cancel-'));
    const track = createNeutralTrack(200, FPS);
    const ctrl = new AbortController();
    const job = encodeVideo({ frames: host().renderFrames(track, { signal: ctrl.signal }), widthPx: S, heightPx: S, fps: FPS, pixelFormat: 'yuv420p', outPath: path.join(sub, 'x.mp4'), totalFrames: 200, signal: ctrl.signal, onProgress: (pr) => pr.completedFrames === 5 && ctrl.abort() });
    await expect(job).rejects.toBeInstanceOf(JobCancelledError);
    expect(readdirSync(sub)).toEqual([]);
    expect(existsSync(path.join(sub, 'x.mp4'))).toBe(false);
    // The host still works after a cancelled stream.
    const again = await host().renderStill({ blendshapes: new Float32Array(ARKIT_BLENDSHAPE_COUNT) });
    expect(again.length).toBe(S * S * 4);
  });
});
