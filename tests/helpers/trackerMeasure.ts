/**
 * Test helper: measures rendered frames with the independent tracker (the original TF.js MediaPipe graphs on the
 * WASM backend, pipeline/face/tfjsReference.ts) — brow raise, mouth-corner height and head pose per frame.
 */
import { NoFaceFoundError } from '../../core/errors.ts';
import { measureExpression } from '../../core/face/expressionMetrics.ts';
import { FaceAnalyzerCore } from '../../pipeline/face/faceAnalyzer.ts';
import { TfjsFaceModelRunner } from '../../pipeline/face/tfjsReference.ts';
import { readVideoFramesRgba } from './media.ts';

/** What the tracker read from one frame (null fields when no face was found). */
export interface FrameMeasure {
  frameIndex: number;
  browRaiseIod: number;
  mouthCornerHeightIod: number;
  lipGapIod: number;
  yawRad: number;
  pitchRad: number;
}

/**
 * Reads a video's frames and measures the chosen ones with TF.js FaceMesh.
 * @param videoPath - rendered video (any format ffmpeg reads).
 * @param sizePx - its width = height in pixels (or `{ widthPx, heightPx }` for a non-square video).
 * @param pick - which frame indices to measure.
 * @returns one entry per picked frame with a face (frames without a face are left out).
 */
export async function measureVideoWithTracker(videoPath: string, sizePx: number | { widthPx: number; heightPx: number }, pick: (frameIndex: number) => boolean): Promise<FrameMeasure[]> {
  const { widthPx, heightPx } = typeof sizePx === 'number' ? { widthPx: sizePx, heightPx: sizePx } : sizePx;
  const frames = await readVideoFramesRgba(videoPath, widthPx, heightPx);
  const runner = await TfjsFaceModelRunner.create('wasm');
  const core = new FaceAnalyzerCore(runner);
  const out: FrameMeasure[] = [];
  try {
    for (let f = 0; f < frames.length; f++) {
      if (!pick(f)) continue;
      const a = await core.analyze({ rgba: frames[f]!, widthPx, heightPx, hadAlpha: false }, { maxFaces: 1 }).catch((err: unknown) => {
        if (err instanceof NoFaceFoundError) return null;
        throw err;
      });
      const face = a?.faces[0];
      if (!face) continue;
      const m = measureExpression(face.landmarksPx);
      out.push({ frameIndex: f, browRaiseIod: m.browRaiseIod, mouthCornerHeightIod: m.mouthCornerHeightIod, lipGapIod: m.lipGapIod, yawRad: face.headPose?.yawRad ?? NaN, pitchRad: face.headPose?.pitchRad ?? NaN });
    }
  } finally {
    await runner.dispose();
  }
  return out;
}

/** Mean and standard deviation of a list. */
export function meanStd(values: readonly number[]): { mean: number; std: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, values.length - 1));
  return { mean, std };
}
