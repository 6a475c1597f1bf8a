/**
 * The export quality setting reaches every encoder: a real portrait render (img05 + the 0.65 s corpus word, 256²)
 * written as a lossless PNG sequence is the reference; the same job at `draft` and at `high` (`standard` for GIF,
 * whose `high` equals it) must give a larger file and a higher PSNR against the reference, both measured with
 * ffmpeg (file size from the file system, PSNR with ffmpeg's psnr filter in RGB) — in-page H.264 (WebCodecs), x264,
 * VP9, ProRes and GIF.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { HAS_CORPUS, corpus, probe } from '../../helpers/media.ts';
import { renderTalkingHead, type RenderTalkingHeadOptions } from '../../../pipeline/jobs/renderJob.ts';
import { RenderHost, type RenderHostLaunchOptions } from '../../../pipeline/render/renderHost.ts';
import { FaceAnalyzer } from '../../../pipeline/face/faceAnalyzer.ts';
import { resolveFfmpeg } from '../../../pipeline/ffmpeg/ffmpegPath.ts';
import type { ExportQuality } from '../../../core/jobs/options.ts';
import type { FaceAnalysis } from '../../../core/face/types.ts';

const execFileP = promisify(execFile);
const SIZE = 256;
const PORTRAIT = corpus('images/img05_elderly_woman_painting_ai.png');
const SPEECH = corpus('audio/aud08_word_six_0p65s_derived.wav');

let root: string;
let host: RenderHost | null = null;
let hostKey = '';
let analyzer: FaceAnalyzer;
let analysis: FaceAnalysis | null = null;
let refPattern: string;

/** Renders the job with one browser and one face analysis shared by all renders of this file. */
async function render(outPath: string, extra: Partial<RenderTalkingHeadOptions> = {}): Promise<string> {
  await renderTalkingHead({
    portraitPath: PORTRAIT,
    audioPath: SPEECH,
    outPath,
    sizePx: SIZE,
    fps: { num: 25, den: 1 },
    ...extra,
    acquireRenderHost: async (launch: RenderHostLaunchOptions) => {
      const key = JSON.stringify({ ...launch, signal: undefined });
      if (host && key === hostKey) return host;
      await host?.dispose();
      hostKey = key;
      host = await RenderHost.launch(launch);
      return host;
    },
    analyzePortrait: async (_path, image) => (analysis ??= await analyzer.analyze(image)),
  });
  return outPath;
}

/** Average PSNR (dB, RGB) of a video against the lossless reference frames, from ffmpeg's psnr filter. */
async function psnrAgainstReference(videoPath: string): Promise<number> {
  const { stderr } = await execFileP(resolveFfmpeg().path, ['-hide_banner', '-i', videoPath, '-framerate', '25', '-start_number', '0', '-i', refPattern, '-lavfi', '[0:v]format=rgb24[a];[1:v]format=rgb24[b];[a][b]psnr', '-f', 'null', '-'], { maxBuffer: 16 << 20 });
  const m = /PSNR r:[\d.inf]+ g:[\d.inf]+ b:[\d.inf]+ average:([\d.]+|inf)/.exec(stderr);
  if (!m) throw new Error(`no PSNR in ffmpeg's output: ${stderr.slice(-400)}`);
  return m[1] === 'inf' ? Infinity : Number(m[1]);
}

describe.skipIf(!HAS_CORPUS)('export quality: draft → high gives larger files closer to the lossless render', () => {
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'export-quality-'));
    analyzer = await FaceAnalyzer.create();
    refPattern = join(root, 'ref', 'f_%05d.png');
    await render(refPattern);
  }, 300_000);
  afterAll(async () => {
    await host?.dispose();
    await analyzer?.dispose();
    if (root) await rm(root, { recursive: true, force: true });
  });

  // `encoderChanges`: the two settings use different encoders, so only the picture (PSNR) is compared, not the size
  const cases: { name: string; ext: string; low: ExportQuality; high: ExportQuality; inPageH264?: boolean; codec: string; encoderChanges?: boolean }[] = [
    { name: 'MP4, in-page H.264 (WebCodecs bitrate)', ext: 'mp4', low: 'draft', high: 'standard', inPageH264: true, codec: 'h264' },
    // `high` leaves the in-page encoder for x264 CRF 14 (OpenH264 gave standard and high bit-identical files)
    { name: 'MP4, standard (in-page H.264) → high (x264)', ext: 'mp4', low: 'standard', high: 'high', inPageH264: true, codec: 'h264', encoderChanges: true },
    { name: 'MP4, x264 (CRF and preset)', ext: 'mp4', low: 'draft', high: 'high', inPageH264: false, codec: 'h264' },
    { name: 'WebM, VP9 (CRF)', ext: 'webm', low: 'draft', high: 'high', codec: 'vp9' },
    { name: 'MOV, ProRes (422 → 4444 XQ)', ext: 'mov', low: 'draft', high: 'high', codec: 'prores' },
    { name: 'GIF (64 → 256 colours)', ext: 'gif', low: 'draft', high: 'standard', codec: 'gif' },
  ];
  for (const c of cases) {
    it(c.name, { timeout: 300_000 }, async () => {
      const saved = process.env.AVATAR_STUDIO_IN_PAGE_H264;
      if (c.inPageH264 === false) process.env.AVATAR_STUDIO_IN_PAGE_H264 = '0';
      try {
        const measured: { quality: ExportQuality; bytes: number; psnrDb: number }[] = [];
        for (const quality of [c.low, c.high]) {
          const out = await render(join(root, `${c.codec}-${c.inPageH264 === false ? 'x264-' : ''}${quality}.${c.ext}`), { quality });
          expect((await probe(out)).video?.codec).toBe(c.codec);
          measured.push({ quality, bytes: (await stat(out)).size, psnrDb: await psnrAgainstReference(out) });
        }
        console.log(`${c.name}: ${measured.map((m) => `${m.quality} ${m.bytes} B, ${m.psnrDb.toFixed(2)} dB`).join('; ')}`);
        const [low, high] = measured as [(typeof measured)[0], (typeof measured)[0]];
        if (!c.encoderChanges) expect(high.bytes).toBeGreaterThan(low.bytes);
        expect(high.psnrDb).toBeGreaterThan(low.psnrDb + (c.encoderChanges ? 1 : 0));
      } finally {
        if (saved === undefined) delete process.env.AVATAR_STUDIO_IN_PAGE_H264;
        else process.env.AVATAR_STUDIO_IN_PAGE_H264 = saved;
      }
    });
  }
});
