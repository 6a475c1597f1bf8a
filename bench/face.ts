/**
 * Face-analysis throughput: the same decoded frames of vid01 through the same pipeline on ONNX Runtime (our
 * converted models) and on TF.js (wasm backend, the original graph models): frames/s and the ratio (goal ≥ 2×).
 * @remarks Per frame: full still-image analysis (detector, mesh twice, iris) and the tracking path (mesh + iris
 * from the previous frame's ROI), which is what videos use. The two engines are measured interleaved frame by
 * frame so that load from other processes affects both alike; "models only" sums the time inside the engines
 * (the JS crops and post-processing are shared code), and the last line gives that shared JS per frame (total
 * minus model time) for each engine — it should be about equal for both.
 */
import path from 'node:path';
import { FaceAnalyzerCore } from '../pipeline/face/faceAnalyzer.ts';
import type { FaceModelRunner, ModelOutputs } from '../pipeline/face/modelRunner.ts';
import type { FaceModelId } from '../pipeline/face/modelSpecs.ts';
import { OnnxFaceModelRunner } from '../pipeline/face/onnxRunner.ts';
import { TfjsFaceModelRunner } from '../pipeline/face/tfjsReference.ts';
import { FaceVideoTracker } from '../pipeline/face/videoTracker.ts';
import type { DecodedImage } from '../pipeline/image/decodeImage.ts';
import { decodeVideoFrames, probeVideo } from '../pipeline/video/decodeVideo.ts';

const FRAME_COUNT = 40;

/** Wraps a runner and accumulates the milliseconds spent inside `run`. */
class TimedRunner implements FaceModelRunner {
  modelMs = 0;
  constructor(private readonly inner: FaceModelRunner) {}
  get executionProvider(): string {
    return this.inner.executionProvider;
  }
  async run(id: FaceModelId, input: Float32Array, batch: number): Promise<ModelOutputs> {
    const t0 = performance.now();
    try {
      return await this.inner.run(id, input, batch);
    } finally {
      this.modelMs += performance.now() - t0;
    }
  }
  dispose(): Promise<void> {
    return this.inner.dispose();
  }
}

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

interface Engine {
  name: string;
  runner: TimedRunner;
  core: FaceAnalyzerCore;
  tracker: FaceVideoTracker;
  stillMs: number;
  stillModelMs: number;
  trackMs: number;
  trackModelMs: number;
}

/** Prints ONNX Runtime vs TF.js-wasm frames/s on vid01 frames. */
export async function benchFace(): Promise<void> {
  const frames = await loadFrames();
  const engines: Engine[] = [];
  for (const [name, make] of [
    ['onnxruntime', () => OnnxFaceModelRunner.create()],
    ['tfjs-wasm', () => TfjsFaceModelRunner.create('wasm')],
  ] as const) {
    const runner = new TimedRunner(await make());
    const core = new FaceAnalyzerCore(runner);
    await core.analyze(frames[0]!); // warm-up
    const tracker = new FaceVideoTracker(core, { smoothing: null });
    await tracker.next(frames[0]!, 0, 0);
    engines.push({ name, runner, core, tracker, stillMs: 0, stillModelMs: 0, trackMs: 0, trackModelMs: 0 });
  }
  for (let i = 1; i < frames.length; i++) {
    for (const e of engines) {
      let m0 = e.runner.modelMs;
      let t0 = performance.now();
      await e.core.analyze(frames[i]!, { maxFaces: 1 });
      e.stillMs += performance.now() - t0;
      e.stillModelMs += e.runner.modelMs - m0;
      m0 = e.runner.modelMs;
      t0 = performance.now();
      await e.tracker.next(frames[i]!, i, i / 25);
      e.trackMs += performance.now() - t0;
      e.trackModelMs += e.runner.modelMs - m0;
    }
  }
  const n = frames.length - 1;
  const fps = (ms: number): number => (n * 1000) / ms;
  const [o, t] = engines as [Engine, Engine];
  const line = (label: string, a: number, b: number): string => `${label.padEnd(42)} onnxruntime ${fps(a).toFixed(1).padStart(6)} fps   tfjs-wasm ${fps(b).toFixed(1).padStart(6)} fps   ratio ${(b / a).toFixed(2)}x (goal ≥ 2x)`;
  process.stdout.write(`face analysis on ${n} frames of vid01 (480x480), engines interleaved\n`);
  process.stdout.write(`${line('still analysis (detect+mesh×2+iris)', o.stillMs, t.stillMs)}\n`);
  process.stdout.write(`${line('  models only', o.stillModelMs, t.stillModelMs)}\n`);
  process.stdout.write(`${line('video tracking (mesh+iris)', o.trackMs, t.trackMs)}\n`);
  process.stdout.write(`${line('  models only', o.trackModelMs, t.trackModelMs)}\n`);
  // the rest of each frame is the shared JS (crops/warps, anchor decode, NMS, landmark mapping, pose fit)
  const perFrame = (ms: number): string => `${(ms / n).toFixed(1).padStart(5)} ms`;
  process.stdout.write(`${'shared JS per frame: still | tracking'.padEnd(42)} onnxruntime ${perFrame(o.stillMs - o.stillModelMs)} | ${perFrame(o.trackMs - o.trackModelMs)}   tfjs-wasm ${perFrame(t.stillMs - t.stillModelMs)} | ${perFrame(t.trackMs - t.trackModelMs)}\n`);
  for (const e of engines) await e.core.dispose();
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename);
if (isMain) await benchFace();
