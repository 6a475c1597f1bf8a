/**
 * BlazeFace post-processing: SSD anchors, box/keypoint decoding and weighted non-maximum suppression.
 * @remarks Constants follow MediaPipe's `face_detection_full_range.pbtxt` (SsdAnchorsCalculator and
 * TensorsToDetectionsCalculator options): 256×256 input, strides [16, 32, 32, 32], one aspect ratio with
 * interpolated scale (2 anchors per layer), fixed anchor size 1, anchor offset 0.5 → a 16×16×2 + 8×8×6 = 896
 * anchor grid; box coordinates scaled by 256; 6 keypoints; sigmoid scores clipped at ±100; weighted NMS with IoU
 * 0.3 (MediaPipe NonMaxSuppressionCalculator, algorithm WEIGHTED). Bazarevsky et al. 2019, "BlazeFace:
 * Sub-millisecond Neural Face Detection on Mobile GPUs", arXiv:1907.05047.
 */

/** Anchor centre in normalised input coordinates ([0,1] of the detector input). */
export interface Anchor {
  xCenter: number;
  yCenter: number;
}

/** BlazeFace keypoint indices (MediaPipe order; "right" = subject's right = image left for a frontal face). */
export const BLAZEFACE_KEYPOINT = Object.freeze({
  RIGHT_EYE: 0,
  LEFT_EYE: 1,
  NOSE_TIP: 2,
  MOUTH_CENTER: 3,
  RIGHT_EAR_TRAGION: 4,
  LEFT_EAR_TRAGION: 5,
});

/** Number of BlazeFace keypoints. */
export const BLAZEFACE_KEYPOINT_COUNT = 6;

/**
 * SSD anchor generation for a square input with the given feature-map strides and anchors per cell.
 * @param inputSizePx - detector input side in pixels (256 for the full-range model).
 * @param strides - feature-map strides in pixels, one entry per distinct layer group, e.g. `[16, 32]`.
 * @param anchorsPerCell - anchors per cell for each stride, e.g. `[2, 6]`.
 * @returns anchors in the model's output order (row-major cells, anchors of one cell consecutive).
 * @remarks With `fixed_anchor_size: true` every anchor has width = height = 1, so only the centres matter:
 * `((x + 0.5) / featureW, (y + 0.5) / featureH)` (anchor_offset 0.5).
 */
export function generateSsdAnchors(inputSizePx: number, strides: readonly number[], anchorsPerCell: readonly number[]): Anchor[] {
  const anchors: Anchor[] = [];
  strides.forEach((stride, li) => {
    const n = Math.ceil(inputSizePx / stride);
    const k = anchorsPerCell[li] ?? 1;
    for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) for (let a = 0; a < k; a++) anchors.push({ xCenter: (x + 0.5) / n, yCenter: (y + 0.5) / n });
  });
  return anchors;
}

/** Anchors of the full-range BlazeFace model: 16×16×2 then 8×8×6 (896). */
export const FULL_RANGE_ANCHORS: readonly Anchor[] = Object.freeze(generateSsdAnchors(256, [16, 32], [2, 6]));

/** A detection in normalised detector-input coordinates ([0,1]). */
export interface RawDetection {
  /** Box centre and size, normalised. */
  xCenter: number;
  yCenter: number;
  width: number;
  height: number;
  /** Confidence in [0,1]. */
  score: number;
  /** 6 keypoints `[x0, y0, x1, y1, …]`, normalised. */
  keypoints: number[];
}

/** Logistic function. */
export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/**
 * Decodes BlazeFace raw outputs into detections above a score threshold.
 * @param scores - logits, one per anchor (length = anchors.length).
 * @param regressors - 16 values per anchor: `dx, dy, w, h, kp0x, kp0y, … kp5y`, in input pixels.
 * @param anchors - anchors in the same order.
 * @param inputSizePx - detector input side (the x/y/w/h scale, 256).
 * @param minScore - minimum sigmoid score kept, in [0,1].
 * @returns detections, unsorted.
 */
export function decodeBlazeFace(scores: ArrayLike<number>, regressors: ArrayLike<number>, anchors: readonly Anchor[], inputSizePx: number, minScore: number): RawDetection[] {
  const out: RawDetection[] = [];
  const s = inputSizePx;
  for (let i = 0; i < anchors.length; i++) {
    const logit = Math.max(-100, Math.min(100, scores[i]!));
    const score = sigmoid(logit);
    if (score < minScore) continue;
    const a = anchors[i]!;
    const o = i * 16;
    const keypoints: number[] = [];
    for (let k = 0; k < BLAZEFACE_KEYPOINT_COUNT; k++) {
      keypoints.push(regressors[o + 4 + 2 * k]! / s + a.xCenter, regressors[o + 5 + 2 * k]! / s + a.yCenter);
    }
    out.push({ xCenter: regressors[o]! / s + a.xCenter, yCenter: regressors[o + 1]! / s + a.yCenter, width: regressors[o + 2]! / s, height: regressors[o + 3]! / s, score, keypoints });
  }
  return out;
}

/** Intersection over union of two centre-size boxes. */
export function iou(a: RawDetection, b: RawDetection): number {
  const ax0 = a.xCenter - a.width / 2;
  const ax1 = a.xCenter + a.width / 2;
  const ay0 = a.yCenter - a.height / 2;
  const ay1 = a.yCenter + a.height / 2;
  const bx0 = b.xCenter - b.width / 2;
  const bx1 = b.xCenter + b.width / 2;
  const by0 = b.yCenter - b.height / 2;
  const by1 = b.yCenter + b.height / 2;
  const iw = Math.max(0, Math.min(ax1, bx1) - Math.max(ax0, bx0));
  const ih = Math.max(0, Math.min(ay1, by1) - Math.max(ay0, by0));
  const inter = iw * ih;
  const union = a.width * a.height + b.width * b.height - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Weighted non-maximum suppression (MediaPipe "WEIGHTED" algorithm).
 * @param detections - candidate detections.
 * @param iouThreshold - overlap above which candidates merge into the best one (0.3 in MediaPipe).
 * @param maxCount - maximum detections returned.
 * @returns merged detections, highest score first. Each keeps the best candidate's score; its box and keypoints
 * are the score-weighted mean of all candidates overlapping it by more than `iouThreshold`.
 * @remarks Deterministic: ties in score are broken by the candidate's input order.
 */
export function weightedNms(detections: readonly RawDetection[], iouThreshold: number, maxCount: number): RawDetection[] {
  const remaining = detections.map((d, i) => ({ d, i })).sort((p, q) => q.d.score - p.d.score || p.i - q.i).map((p) => p.d);
  const out: RawDetection[] = [];
  while (remaining.length > 0 && out.length < maxCount) {
    const best = remaining[0]!;
    const overlapping: RawDetection[] = [];
    const rest: RawDetection[] = [];
    for (const d of remaining) (d === best || iou(best, d) > iouThreshold ? overlapping : rest).push(d);
    remaining.length = 0;
    remaining.push(...rest);
    if (overlapping.length === 1) {
      out.push(best);
      continue;
    }
    let wsum = 0;
    let xc = 0;
    let yc = 0;
    let w = 0;
    let h = 0;
    const kp = new Array<number>(best.keypoints.length).fill(0);
    for (const d of overlapping) {
      wsum += d.score;
      xc += d.score * d.xCenter;
      yc += d.score * d.yCenter;
      w += d.score * d.width;
      h += d.score * d.height;
      for (let k = 0; k < kp.length; k++) kp[k]! += d.score * d.keypoints[k]!;
    }
    out.push({ xCenter: xc / wsum, yCenter: yc / wsum, width: w / wsum, height: h / wsum, score: best.score, keypoints: kp.map((v) => v / wsum) });
  }
  return out;
}
