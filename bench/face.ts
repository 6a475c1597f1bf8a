/**
 * Face-analysis throughput: the same decoded frames of vid01 through the same pipeline on ONNX Runtime (our
 * converted models) and on TF.js (wasm backend, the original graph models), frames/s and the ratio (goal ≥ 2×).
 * @remarks Per frame: full still-image analysis (detector, mesh twice, iris) and, separately, the tracking path
 * (mesh + iris from the previous frame's ROI), which is what videos use.
 */
import path from 'node:path';
import { FaceAnalyzerCore } from '../pipeline/face/faceAnalyzer.ts';
import type { FaceModelRunner } from '../pipeline/face/modelRunner.ts';
import { OnnxFaceModelRunner } from '../pipeline/face/onnxRunner.ts';
import { TfjsFaceModelRunner } from '../pipeline/face/tfjsReference.ts';
import { FaceVideoTracker } from '../pipeline/face/videoTracker.ts';
import type { DecodedImage } from '../pipeline/image/decodeImage.ts';
import { decodeVideoFrames, probeVideo } from '../pipeline/video/decodeVideo.ts';

const FRAME_COUNT = 40;

async function loadFrames(): Promise<DecodedImage[]> {
  const file = path.resolve(import.meta.dirname, '../../shared/corpus/video/vid01_talking_man_own_speech_480p25.mp4');
  const info = await probeVideo(file);
  const frames: DecodedImage[] = [];
  for await (const f of decodeVideoFrames(file, info)) {
    frames.push({ rgba: f.rgba, widthPx: f.widthPx, heightPx: f.heightPx, hadAlpha: false });
    if (frames.length >= FRAME_COUNT) break;
  }
  return frames;
}

async function measure(runner: FaceModelRunner, frames: DecodedImage[]): Promise<{ stillFps: number; trackFps: number }> {
  const core = new FaceAnalyzerCore(runner);
  await core.analyze(frames[0]!); // warm-up (allocations, kernels)
  let t0 = performance.now();
  for (const f of frames) await core.analyze(f, { maxFaces: 1 });
  const stillFps = (frames.length * 1000) / (performance.now() - t0);
  const tracker = new FaceVideoTracker(core, { smoothing: null });
  await tracker.next(frames[0]!, 0, 0);
  t0 = performance.now();
  for (let i = 1; i < frames.length; i++) await tracker.next(frames[i]!, i, i / 25);
  const trackFps = ((frames.length - 1) * 1000) / (performance.now() - t0);
  await core.dispose();
  return { stillFps, trackFps };
}

/** Prints ONNX Runtime vs TF.js-wasm frames/s on vid01 frames. */
export async function benchFace(): Promise<void> {
  const frames = await loadFrames();
  const onnx = await measure(await OnnxFaceModelRunner.create(), frames);
  const tfjs = await measure(await TfjsFaceModelRunner.create('wasm'), frames);
  const line = (name: string, a: number, b: number): string => `${name.padEnd(34)} onnxruntime ${a.toFixed(1).padStart(6)} fps   tfjs-wasm ${b.toFixed(1).padStart(6)} fps   ratio ${(a / b).toFixed(2)}x (goal ≥ 2x)`;
  process.stdout.write(`face analysis on ${frames.length} frames of vid01 (480x480)\n`);
  process.stdout.write(`${line('still analysis (detect+mesh×2+iris)', onnx.stillFps, tfjs.stillFps)}\n`);
  process.stdout.write(`${line('video tracking (mesh+iris)', onnx.trackFps, tfjs.trackFps)}\n`);
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename);
if (isMain) await benchFace();
