/**
 * Per-frame diagnosis of the audio-driven lip gap against a real speaker (issue 12): the mesh proxy of
 * scripts/evalAudioLips.ts (the product's audio path posed on the portrait's photo rig, no renderer) beside the real lip
 * gap (TF.js FaceMesh, a cached per-frame JSON as evalAudioLips writes: `<work>/<row>/realGap.json`, or a
 * tests/fixtures/avsync file) and the analysis curves that drive it.
 *
 * Usage: `npx tsx scripts/diagAudioLips.ts --clip <clip.mp4> --real <realGap.json> [--fps 25] [--frames] [--lag 0]`
 * (`--frames` prints one row per video frame: real gap, our gap, loudness, activity, closure, jaw, pitch).
 * Reports r at 0 ms, the best r within ±120 ms (a SyncNet-like tolerance, scripts/avOffset.ts bestShiftedPearson), the best r within
 * ±400 ms and its shift, the mean ratio, and where the two curves disagree: frames sealed by us while the real lips are
 * open, and the gap's scale on the real speaker's open frames.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { audioFileToMotionTrack } from '../pipeline/audio/audioToMotion.ts';
import { decodeAudio } from '../pipeline/audio/decodeAudio.ts';
import { analyzeImageFile } from '../pipeline/face/faceAnalyzer.ts';
import { resolveFfmpeg } from '../pipeline/ffmpeg/ffmpegPath.ts';
import { analyzeSpeech } from '../core/audio/speechAnalysis.ts';
import { holdRestExpression, measureRestExpression } from '../core/rig/restExpression.ts';
import { buildPhotoHeadRig, evaluateRigRelative, RIG_VERTEX_COUNT } from '../core/rig/rig.ts';
import { ARKIT_BLENDSHAPE_COUNT, BS } from '../core/motion/names.ts';
import { DEFAULT_MOTION_OPTIONS } from '../core/motion/options.ts';
import { lipGap } from './evalRealPairs.ts';
import { bestShiftedPearson, shiftedPearson } from './avOffset.ts';

const run = promisify(execFile);

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  let clip = '';
  let realPath = '';
  let fps = 25;
  let frames = false;
  let lag = 0;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--frames') {
      frames = true;
      continue;
    }
    const v = args[++i] ?? '';
    if (a === '--clip') clip = v;
    else if (a === '--real') realPath = v;
    else if (a === '--fps') fps = Number(v);
    else if (a === '--lag') lag = Number(v);
    else throw new Error(`unknown argument ${a}`);
  }
  const real = (JSON.parse(await readFile(realPath, 'utf8')) as (number | null)[]).map((x) => x ?? NaN);
  const dir = await mkdtemp(join(tmpdir(), 'diag-lips-'));
  const portrait = join(dir, 'frame0.png');
  await run(resolveFfmpeg().path, ['-y', '-v', 'error', '-i', clip, '-frames:v', '1', portrait]);
  const face = (await analyzeImageFile(portrait)).faces[0]!;
  await rm(dir, { recursive: true, force: true });
  const fpsR = Number.isInteger(fps) ? { num: fps, den: 1 } : { num: Math.round(fps * 1001), den: 1001 };
  const { track } = await audioFileToMotionTrack(clip, { ...DEFAULT_MOTION_OPTIONS, fps: fpsR });
  const rig = buildPhotoHeadRig(face.landmarksPx, face.landmarkCount);
  const rest = measureRestExpression(face.landmarksPx, face.landmarkCount, { rig }).weights;
  const K = ARKIT_BLENDSHAPE_COUNT;
  const jawRaw = Array.from({ length: track.frameCount }, (_, f) => track.blendshapes[f * K + BS.jawOpen]!);
  const closeRaw = Array.from({ length: track.frameCount }, (_, f) => track.blendshapes[f * K + BS.mouthClose]!);
  holdRestExpression(track.blendshapes, rest);
  const mesh = new Float32Array(RIG_VERTEX_COUNT * 3);
  const n = Math.min(track.frameCount, real.length);
  const pred: number[] = [];
  for (let f = 0; f < n; f++) pred.push(lipGap(evaluateRigRelative(rig, track.blendshapes.subarray(f * K, (f + 1) * K), rest, mesh)));
  const audio = await decodeAudio(clip, { sampleRateHz: 16000 });
  (globalThis as unknown as { __dbgCues?: number[][] }).__dbgCues = [];
  const an = analyzeSpeech(audio.samples, audio.sampleRateHz);
  const cues = (globalThis as unknown as { __dbgCues: number[][] }).__dbgCues;
  (globalThis as unknown as { __dbgCues?: number[][] }).__dbgCues = undefined;
  const at = (curve: Float32Array, f: number): number => curve[Math.min(an.frameCount - 1, Math.round(f / fps / an.hopSec))]!;
  const r3 = (x: number): string => (Number.isFinite(x) ? x.toFixed(3) : '  –  ');
  const realN = real.slice(0, n);
  const fin = realN.map((x, i) => (Number.isFinite(x) ? i : -1)).filter((i) => i >= 0);
  const meanP = fin.reduce((s, i) => s + pred[i]!, 0) / fin.length;
  const meanR = fin.reduce((s, i) => s + realN[i]!, 0) / fin.length;
  const b120 = bestShiftedPearson(pred, realN, fps);
  const b400 = bestShiftedPearson(pred, realN, fps, 0.4);
  const sortedR = fin.map((i) => realN[i]!).sort((a, b) => a - b);
  const openAbove = 1.6 * sortedR[Math.floor(0.05 * (sortedR.length - 1))]!;
  const L = Math.round((lag / 1000) * fps);
  const predAt = (i: number): number => pred[Math.min(n - 1, Math.max(0, i + L))]!;
  const sealedOpen = fin.filter((i) => predAt(i) < 0.02 && realN[i]! > openAbove).length;
  const sealedClosed = fin.filter((i) => predAt(i) < 0.02 && realN[i]! <= openAbove).length;
  const openFrames = fin.filter((i) => realN[i]! > openAbove).length;
  const openMeanRatio = fin.filter((i) => realN[i]! > openAbove).reduce((s, i) => s + pred[i]!, 0) / Math.max(1e-9, fin.filter((i) => realN[i]! > openAbove).reduce((s, i) => s + realN[i]!, 0));
  const pitched = Array.from({ length: an.frameCount }, (_, t) => an.pitchHz[t]!).filter((p) => p > 0);
  const voicedLoud = Array.from({ length: an.frameCount }, (_, t) => t).filter((t) => an.loudness[t]! > 0.5);
  const voicedLoudNoPitch = voicedLoud.filter((t) => !(an.pitchHz[t]! > 0)).length;
  const sd = (xs: number[]): number => {
    const m = xs.reduce((a, b) => a + b, 0) / xs.length;
    return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length);
  };
  console.log(`${clip.split('/').pop()} ${n} frames: r@0 ${r3(shiftedPearson(pred, realN, 0))} | r@${lag} ms ${r3(shiftedPearson(pred, realN, Math.round((lag / 1000) * fps)))} | best ±120 ms ${r3(b120.r)} @ ${Math.round(b120.shiftSec * 1000)} ms | best ±400 ms ${r3(b400.r)} @ ${Math.round(b400.shiftSec * 1000)} ms | mean ratio ${r3(meanP / meanR)} (ours ${r3(meanP)}, real ${r3(meanR)}) | SD ratio ${r3(sd(fin.map((i) => pred[i]!)) / sd(fin.map((i) => realN[i]!)))} | on real-open frames ratio ${r3(openMeanRatio)}, sealed by us (at the lag) ${sealedOpen}/${openFrames} open, ${sealedClosed}/${fin.length - openFrames} closed | pitched frames ${pitched.length}, loud frames without pitch ${voicedLoudNoPitch}/${voicedLoud.length}`);
  if (frames) {
    console.log(`frame  t(s)   real   ours@lag jaw close  loud   act    clos   nasal  stop   proto  pitch (audio columns at the frame + lag ${lag} ms)`);
    const cueAt = (k: number, f: number): number => Math.max(...[-1, 0, 1].map((d) => cues[Math.min(cues.length - 1, Math.max(0, Math.round((f + L) / fps / an.hopSec) + d))]![k]!));
    for (let f = 0; f < n; f++) {
      const g = Math.min(n - 1, Math.max(0, f + L));
      console.log(`${String(f).padStart(4)} ${(f / fps).toFixed(2).padStart(6)} ${r3(realN[f]!)} ${r3(pred[g]!)} ${r3(jawRaw[g]!)} ${r3(closeRaw[g]!)} ${r3(at(an.loudness, g))} ${r3(at(an.activity, g))} ${r3(at(an.lipClosure, g))} ${r3(cueAt(0, f))} ${r3(cueAt(1, f))} ${r3(cueAt(2, f))} ${String(Math.round(at(an.pitchHz, g))).padStart(5)}`);
    }
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
