/**
 * Cross-reenactment evaluation (issue 12): a portrait driven by ANOTHER person's video. There is no ground truth
 * frame, so the output is compared with the driver: the same independent tracker (TF.js FaceMesh of
 * @vladmandic/human, as scripts/evalRealPairs.ts) measures per frame the inner-lip gap (IOD units), mouth width,
 * inner-lip roundness and eye opening of the output and of the driver's frames, and reports their Pearson r, the
 * ratio of their means and of their standard deviations (output / driver: 1 = the driver's motion at its full size),
 * and the least-squares slope of the output's gap on the driver's (the lip-gap gain).
 *
 * Usage: `npx tsx scripts/evalCrossPairs.ts --portrait <image | clip.mp4:frame> --driver <clip.mp4> [--start 0]
 *   [--seconds 3] [--size 256] [--out out/evalCrossPairs] [--json results.json]` (several `--portrait` allowed).
 */
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { FaceAnalyzerCore, analyzeImageFile } from '../pipeline/face/faceAnalyzer.ts';
import { TfjsFaceModelRunner } from '../pipeline/face/tfjsReference.ts';
import { resolveFfmpeg } from '../pipeline/ffmpeg/ffmpegPath.ts';
import { decodeImage } from '../pipeline/image/decodeImage.ts';
import { probeVideo } from '../pipeline/video/decodeVideo.ts';
import { renderTalkingHead } from '../pipeline/jobs/renderJob.ts';
import { computeCropRect, faceBoundsFromLandmarks } from '../renderer/scene/framing.ts';
import { lipGap, readFrames, shapeMeasures, trackFrames } from './evalRealPairs.ts';
import { pearsonFinite } from './avOffset.ts';

const run = promisify(execFile);

/** Scores of one cross-reenacted output against its driver. */
export interface CrossResult {
  portrait: string;
  driver: string;
  pairedFrames: number;
  /** Lip gap (IOD): r, mean ratio, SD ratio, least-squares slope of output on driver (centred). */
  lipGap: { r: number; meanRatio: number; sdRatio: number; slope: number; outMean: number; driverMean: number };
  mouthWidth: { r: number; sdRatio: number };
  roundness: { r: number; sdRatio: number };
  eyeOpen: { r: number; sdRatio: number };
  lipGapsOut: number[];
  lipGapsDriver: number[];
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const sd = (xs: readonly number[]): number => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));

/** Least-squares slope of y on x (both centred). */
function slope(x: readonly number[], y: readonly number[]): number {
  const mx = mean(x);
  const my = mean(y);
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
  }
  return sxy / Math.max(1e-12, sxx);
}

/**
 * Renders `portrait` driven by `driverClip` and scores the output against the driver's frames.
 * @param portraitSpec - an image path, or `clip.mp4:k` (frame k of a clip).
 * @param driver - driving clip.
 * @param opts - start (s) and length of the driving cut, output size, work folder, the TF.js tracker.
 * @returns the scores.
 */
export async function evaluateCross(portraitSpec: string, driver: string, opts: { startSec: number; seconds: number; sizePx: number; workDir: string; tracker: FaceAnalyzerCore }): Promise<CrossResult> {
  const ffmpeg = resolveFfmpeg().path;
  const m = /^(.*\.(?:mp4|mov|webm|mkv)):(\d+)$/.exec(portraitSpec);
  const tag = `${basename(m ? m[1]! : portraitSpec).slice(0, 5)}${m ? `f${m[2]}` : ''}_by_${basename(driver).slice(0, 5)}`;
  const dir = join(opts.workDir, tag);
  await mkdir(dir, { recursive: true });
  let portrait = resolve(portraitSpec);
  if (m) {
    const info = await probeVideo(m[1]!);
    portrait = join(dir, 'portrait.png');
    await run(ffmpeg, ['-y', '-v', 'error', '-ss', ((Number(m[2]) * info.fps.den) / info.fps.num).toFixed(4), '-i', m[1]!, '-frames:v', '1', portrait]);
  }
  const clip = join(dir, 'driver.mp4');
  await run(ffmpeg, ['-y', '-v', 'error', '-ss', opts.startSec.toFixed(3), '-i', driver, '-t', String(opts.seconds), '-c:v', 'libx264', '-crf', '12', '-pix_fmt', 'yuv420p', '-c:a', 'aac', clip]);
  const info = await probeVideo(clip);
  const out = join(dir, 'out.mp4');
  await renderTalkingHead({ portraitPath: portrait, drivingVideoPath: clip, outPath: out, sizePx: opts.sizePx, fps: info.fps, framing: 'photo' });
  // The driver's frames cropped around its own face (as evalRealPairs crops a clip), at the output's size.
  const cut0 = join(dir, 'driver0.png');
  await run(ffmpeg, ['-y', '-v', 'error', '-i', clip, '-frames:v', '1', cut0]);
  const d0 = await decodeImage(cut0);
  const face = (await analyzeImageFile(cut0)).faces[0];
  if (!face) throw new Error(`${tag}: no face in the driver's first frame`);
  const crop = computeCropRect(d0.widthPx, d0.heightPx, faceBoundsFromLandmarks(face.landmarksPx), 'photo', 1);
  const real = await readFrames(clip, crop, opts.sizePx);
  const outF = await readFrames(out, null, opts.sizePx);
  const realLm = await trackFrames(opts.tracker, real);
  const outLm = await trackFrames(opts.tracker, outF);
  const go: number[] = [];
  const gd: number[] = [];
  const sh = { mouthWidth: [[], []], roundness: [[], []], eyeOpen: [[], []] } as Record<'mouthWidth' | 'roundness' | 'eyeOpen', [number[], number[]]>;
  for (let i = 0; i < Math.min(realLm.length, outLm.length); i++) {
    const a = outLm[i];
    const b = realLm[i];
    if (!a || !b) continue;
    go.push(lipGap(a));
    gd.push(lipGap(b));
    const sa = shapeMeasures(a);
    const sb = shapeMeasures(b);
    for (const k of ['mouthWidth', 'roundness', 'eyeOpen'] as const) {
      sh[k][0].push(sa[k]);
      sh[k][1].push(sb[k]);
    }
  }
  const shape = (k: 'mouthWidth' | 'roundness' | 'eyeOpen'): { r: number; sdRatio: number } => ({ r: pearsonFinite(sh[k][0], sh[k][1]), sdRatio: sd(sh[k][0]) / Math.max(1e-9, sd(sh[k][1])) });
  const r3 = (x: number): number => Math.round(x * 1000) / 1000;
  return {
    portrait: basename(portraitSpec),
    driver: basename(driver),
    pairedFrames: go.length,
    lipGap: { r: pearsonFinite(go, gd), meanRatio: mean(go) / Math.max(1e-9, mean(gd)), sdRatio: sd(go) / Math.max(1e-9, sd(gd)), slope: slope(gd, go), outMean: mean(go), driverMean: mean(gd) },
    mouthWidth: shape('mouthWidth'),
    roundness: shape('roundness'),
    eyeOpen: shape('eyeOpen'),
    lipGapsOut: go.map(r3),
    lipGapsDriver: gd.map(r3),
  };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const portraits: string[] = [];
  let driver = '';
  let startSec = 0;
  let seconds = 3;
  let sizePx = 256;
  let workDir = 'out/evalCrossPairs';
  let jsonPath: string | null = null;
  for (let i = 0; i < args.length; i += 2) {
    const a = args[i];
    const v = args[i + 1];
    if (v === undefined) throw new Error(`${a}: missing value`);
    if (a === '--portrait') portraits.push(v);
    else if (a === '--driver') driver = resolve(v);
    else if (a === '--start') startSec = Number(v);
    else if (a === '--seconds') seconds = Number(v);
    else if (a === '--size') sizePx = Number(v);
    else if (a === '--out') workDir = v;
    else if (a === '--json') jsonPath = v;
    else throw new Error(`unknown argument ${a}`);
  }
  if (!portraits.length || !driver) throw new Error('give --portrait (one or more) and --driver');
  const tracker = new FaceAnalyzerCore(await TfjsFaceModelRunner.create('wasm'));
  const results: CrossResult[] = [];
  const f = (x: number): string => x.toFixed(2);
  try {
    for (const p of portraits) {
      const r = await evaluateCross(p, driver, { startSec, seconds, sizePx, workDir, tracker });
      results.push(r);
      console.log(`${r.portrait} by ${r.driver} (${r.pairedFrames} frames): gap r ${f(r.lipGap.r)} mean ${r.lipGap.outMean.toFixed(3)}/${r.lipGap.driverMean.toFixed(3)} = ${f(r.lipGap.meanRatio)} sd ratio ${f(r.lipGap.sdRatio)} slope ${f(r.lipGap.slope)}; width r ${f(r.mouthWidth.r)} sd ${f(r.mouthWidth.sdRatio)}; round r ${f(r.roundness.r)} sd ${f(r.roundness.sdRatio)}; eye r ${f(r.eyeOpen.r)} sd ${f(r.eyeOpen.sdRatio)}`);
    }
  } finally {
    await tracker.dispose();
  }
  if (jsonPath) await writeFile(jsonPath, `${JSON.stringify(results, null, 1)}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
