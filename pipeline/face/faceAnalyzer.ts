/**
 * Face analysis of still images: BlazeFace detection → rotated face crop → 468-point Face Mesh (two passes) →
 * iris (5 + 5 points) → 478 landmarks in image pixels, plus head pose.
 * @remarks Follows MediaPipe's face_landmark_front / iris graphs (see core/face/detection.ts, core/face/roi.ts).
 * Additions for stills: the mesh is run a second time on the ROI derived from its own landmarks (what MediaPipe's
 * video graph does on the next frame), and when the full-image detector finds nothing the image is padded
 * (tight crops: the detector was trained on faces with context) and then scanned in overlapping tiles (small
 * faces: a 10%-wide face shrinks to ~20 px in the 256 px letterbox).
 */
import { NoFaceFoundError } from '../../core/errors.ts';
import { FULL_RANGE_ANCHORS, decodeBlazeFace, weightedNms, type RawDetection } from '../../core/face/detection.ts';
import { estimateHeadPose } from '../../core/face/headPose.ts';
import { eyeRoi, roiFromLandmarks, rotationFromPair, squareRoi, type RotatedRectPx } from '../../core/face/roi.ts';
import {
  EYE_LEFT_CONTOUR,
  EYE_LEFT_INNER,
  EYE_LEFT_OUTER,
  EYE_RIGHT_CONTOUR,
  EYE_RIGHT_INNER,
  EYE_RIGHT_OUTER,
  IRIS_MODEL_BROW_POSITIONS,
  IRIS_MODEL_EYE_LEFT_MESH_INDICES,
  IRIS_MODEL_EYE_RIGHT_MESH_INDICES,
} from '../../core/face/topology.ts';
import { FACE_MESH_LANDMARK_COUNT, FACE_MESH_WITH_IRIS_LANDMARK_COUNT, type FaceAnalysis, type FaceLandmarks } from '../../core/face/types.ts';
import { decodeImage, type DecodedImage } from '../image/decodeImage.ts';
import { applyAffine, computeLetterbox, rotatedCropAffine, warpAffineToTensor, type Affine2D } from '../image/warpAffine.ts';
import type { FaceModelRunner, ModelOutputs } from './modelRunner.ts';
import { OnnxFaceModelRunner, type OnnxRunnerOptions } from './onnxRunner.ts';
import { FACE_MODEL_SPECS } from './modelSpecs.ts';

/** Tunables of the analysis; defaults in {@link DEFAULT_ANALYZE_OPTIONS}. */
export interface AnalyzeOptions {
  /** Maximum faces returned (largest first); default 8. */
  maxFaces?: number;
  /** Minimum BlazeFace score in [0,1]; default 0.5 (MediaPipe full-range uses 0.6). */
  minDetectionScore?: number;
  /** Minimum Face Mesh presence score in [0,1] for a face to be kept; default 0.5. */
  minMeshScore?: number;
  /** Run every detection pass (full, padded, tiles) even when an earlier one gave faces: finds additional small faces; slower. Default false. */
  exhaustive?: boolean;
  /** Run the iris model (478 points); default true. */
  iris?: boolean;
  /**
   * Also write the Iris model's eye-region points over the mesh's (x, y; needs `iris`), as MediaPipe's iris
   * graph does, except its brow contours (core/face/topology.ts IRIS_MODEL_BROW_POSITIONS: they sit on the lid crease
   * and follow the lid; the mesh's own brow points stay): the lids then sit on the visible lid edges and follow blinks.
   * Default false (the plain mesh).
   */
  refineEyes?: boolean;
}

/** Default analysis options. */
export const DEFAULT_ANALYZE_OPTIONS: Required<AnalyzeOptions> = Object.freeze({ maxFaces: 8, minDetectionScore: 0.5, minMeshScore: 0.5, exhaustive: false, iris: true, refineEyes: false });

const DETECTOR_SIZE = 256;
const MESH_SIZE = 192;
const IRIS_SIZE = 64;
/** MediaPipe RectTransformation scale for face ROIs. */
const FACE_ROI_SCALE = 1.5;
const BROW_POSITIONS = new Set(IRIS_MODEL_BROW_POSITIONS);
/** MediaPipe iris ROI scale. */
const EYE_ROI_SCALE = 2.3;
/** IoU above which detections merge (MediaPipe face detection NMS). */
const NMS_IOU = 0.3;
/** Detection passes in the order they are tried. */
/**
 * Detector-score margin by which a later pass's detection of a face must beat the kept one to replace it. The same
 * face letterboxed differently (full vs padded image) scores within about ±0.03; a wrong partial detection on a tight
 * crop scores 0.2–0.3 below the padded whole-face one (issue 15: 0.62 vs 0.95). A hysteresis, not a fitted value.
 */
const REPLACE_MARGIN = 0.05;
const DETECTION_PASSES: ReadonlyArray<FaceDetectionPx['pass']> = ['full', 'padded', 'tiles'];

/** A detection in image pixels. */
export interface FaceDetectionPx extends RawDetection {
  /** How it was found: the whole image, the padded image, or a tile. */
  pass: 'full' | 'padded' | 'tiles';
}

/**
 * Runs the face pipeline over a {@link FaceModelRunner}. Owns the runner: `dispose()` releases it.
 * @remarks Deterministic: the same image and runner give bit-identical output.
 */
export class FaceAnalyzerCore {
  /** Input tensors reused across runs (the warps write straight into them). */
  private readonly tensors = new TensorPool();

  constructor(
    readonly runner: FaceModelRunner,
    private readonly log: (message: string) => void = () => {},
  ) {}

  /** The execution provider actually in use. */
  get executionProvider(): string {
    return this.runner.executionProvider;
  }

  /**
   * Runs BlazeFace on a region of the image, letterboxed to 256×256.
   * @param image - decoded image.
   * @param region - `[x, y, w, h]` in image pixels; may extend past the image (zero padding).
   * @param minScore - minimum detector score.
   * @returns detections in image pixels (centre/size/keypoints), before cross-region NMS.
   */
  async detectInRegion(image: DecodedImage, region: readonly [number, number, number, number], minScore: number): Promise<RawDetection[]> {
    const lb = computeLetterbox(region[0], region[1], region[2], region[3], DETECTOR_SIZE, DETECTOR_SIZE);
    const input = this.tensors.acquire(DETECTOR_SIZE * DETECTOR_SIZE * 3);
    let out: ModelOutputs;
    try {
      warpAffineToTensor(image, lb.dstToSrc, DETECTOR_SIZE, DETECTOR_SIZE, { range: FACE_MODEL_SPECS.blazeface.inputRange, out: input });
      out = await this.runner.run('blazeface', input, 1);
    } finally {
      this.tensors.release(input);
    }
    const scores = concat(out.scores_16!.data, out.scores_8!.data);
    const regs = concat(out.regressors_16!.data, out.regressors_8!.data);
    const dets = decodeBlazeFace(scores, regs, FULL_RANGE_ANCHORS, DETECTOR_SIZE, minScore);
    return dets.map((d) => toImagePx(d, lb.dstToSrc));
  }

  /**
   * Runs one detection pass and merges its candidates with weighted NMS.
   * @param image - decoded image.
   * @param pass - `full`: the whole image letterboxed; `padded`: the image with a 25% (of the long side) zero
   * border on every side, for tight crops; `tiles`: overlapping squares of half the long side, for small faces.
   * @param minScore - minimum detector score.
   * @returns detections in image pixels, largest box first.
   */
  async detectPass(image: DecodedImage, pass: FaceDetectionPx['pass'], minScore: number): Promise<FaceDetectionPx[]> {
    const { widthPx: w, heightPx: h } = image;
    const found: RawDetection[] = [];
    if (pass === 'full') found.push(...(await this.detectInRegion(image, [0, 0, w, h], minScore)));
    else if (pass === 'padded') {
      const pad = 0.25 * Math.max(w, h);
      found.push(...(await this.detectInRegion(image, [-pad, -pad, w + 2 * pad, h + 2 * pad], minScore)));
    } else for (const t of tileRegions(w, h)) found.push(...(await this.detectInRegion(image, t, minScore)));
    return weightedNms(found, NMS_IOU, 64)
      .map((d) => ({ ...d, pass }))
      .sort((a, b) => b.width * b.height - a.width * a.height || b.score - a.score);
  }

  /**
   * Finds face candidates: the first pass of full image → padded image → tiles that yields any.
   * @param image - decoded image. @param opts - analysis options.
   * @returns detections in image pixels, largest first (before landmark verification).
   */
  async detect(image: DecodedImage, opts: Required<Omit<AnalyzeOptions, 'refineEyes'>>): Promise<FaceDetectionPx[]> {
    for (const pass of DETECTION_PASSES) {
      const dets = await this.detectPass(image, pass, opts.minDetectionScore);
      if (dets.length > 0) return dets;
    }
    return [];
  }

  /**
   * Runs Face Mesh on a rotated square ROI.
   * @param image - decoded image. @param roi - the ROI in image pixels.
   * @returns 468×3 landmarks in image pixels (z scaled like x) and the presence score.
   */
  async mesh(image: DecodedImage, roi: RotatedRectPx): Promise<{ landmarksPx: Float32Array; score: number }> {
    const m = rotatedCropAffine(roi.centerXPx, roi.centerYPx, roi.widthPx, roi.heightPx, roi.rotationRad, MESH_SIZE, MESH_SIZE);
    const input = this.tensors.acquire(MESH_SIZE * MESH_SIZE * 3);
    let out: ModelOutputs;
    try {
      warpAffineToTensor(image, m, MESH_SIZE, MESH_SIZE, { range: FACE_MODEL_SPECS.facemesh.inputRange, out: input });
      out = await this.runner.run('facemesh', input, 1);
    } finally {
      this.tensors.release(input);
    }
    const raw = out.mesh!.data;
    const zScale = roi.widthPx / MESH_SIZE;
    const lm = new Float32Array(FACE_MESH_LANDMARK_COUNT * 3);
    const [a, b, c, d, e, f] = m;
    for (let i = 0; i < FACE_MESH_LANDMARK_COUNT; i++) {
      const u = raw[i * 3]!;
      const v = raw[i * 3 + 1]!;
      lm[i * 3] = a * u + b * v + c;
      lm[i * 3 + 1] = d * u + e * v + f;
      lm[i * 3 + 2] = raw[i * 3 + 2]! * zScale;
    }
    return { landmarksPx: lm, score: out.face_flag!.data[0]! };
  }

  /**
   * Runs the iris model on both eyes (one batch of 2; the subject's left eye mirrored).
   * @param image - decoded image. @param meshPx - 468×3 mesh landmarks in pixels.
   * @param refineEyes - also overwrite x, y of the eye-region mesh points in `meshPx` (in place) with the
   * model's eye contours (z kept), see {@link IRIS_MODEL_EYE_RIGHT_MESH_INDICES}: the 71 points less the brow contours
   * ({@link IRIS_MODEL_BROW_POSITIONS}, 57 per eye), which the mesh places on the brow where the Iris model places
   * them on the lid crease; default false.
   * @returns 10×3 iris points: subject's right iris (centre + 4) then left iris; z = mean z of that eye's contour.
   */
  async iris(image: DecodedImage, meshPx: Float32Array, refineEyes = false): Promise<Float32Array> {
    const p = (i: number): [number, number] => [meshPx[i * 3]!, meshPx[i * 3 + 1]!];
    const eyes = [
      { roi: eyeRoi(...p(EYE_RIGHT_OUTER), ...p(EYE_RIGHT_INNER), EYE_ROI_SCALE), flip: false, contour: EYE_RIGHT_CONTOUR, region: IRIS_MODEL_EYE_RIGHT_MESH_INDICES },
      { roi: eyeRoi(...p(EYE_LEFT_INNER), ...p(EYE_LEFT_OUTER), EYE_ROI_SCALE), flip: true, contour: EYE_LEFT_CONTOUR, region: IRIS_MODEL_EYE_LEFT_MESH_INDICES },
    ];
    const per = IRIS_SIZE * IRIS_SIZE * 3;
    const maps = eyes.map((e) => rotatedCropAffine(e.roi.centerXPx, e.roi.centerYPx, e.roi.widthPx, e.roi.heightPx, e.roi.rotationRad, IRIS_SIZE, IRIS_SIZE));
    const input = this.tensors.acquire(per * 2);
    let out: Float32Array;
    try {
      // both eyes straight into the batch of 2
      eyes.forEach((e, k) => warpAffineToTensor(image, maps[k]!, IRIS_SIZE, IRIS_SIZE, { range: FACE_MODEL_SPECS.iris.inputRange, flipHorizontal: e.flip, out: input, outOffset: k * per }));
      out = (await this.runner.run('iris', input, 2)).eye_and_iris!.data;
    } finally {
      this.tensors.release(input);
    }
    const stride = out.length / 2;
    const iris = new Float32Array(10 * 3);
    eyes.forEach((e, k) => {
      let zMean = 0;
      for (const i of e.contour) zMean += meshPx[i * 3 + 2]!;
      zMean /= e.contour.length;
      for (let j = 0; j < 5; j++) {
        const o = k * stride + (71 + j) * 3;
        const u = e.flip ? IRIS_SIZE - out[o]! : out[o]!;
        const [x, y] = applyAffine(maps[k]!, u, out[o + 1]!);
        iris[(k * 5 + j) * 3] = x;
        iris[(k * 5 + j) * 3 + 1] = y;
        iris[(k * 5 + j) * 3 + 2] = zMean;
      }
    });
    if (refineEyes) {
      // After the iris z means above (they use the mesh's own contour).
      eyes.forEach((e, k) => {
        e.region.forEach((meshIndex, j) => {
          if (BROW_POSITIONS.has(j)) return; // the mesh's brows (see IRIS_MODEL_BROW_POSITIONS)
          const o = k * stride + j * 3;
          const [x, y] = applyAffine(maps[k]!, e.flip ? IRIS_SIZE - out[o]! : out[o]!, out[o + 1]!);
          meshPx[meshIndex * 3] = x;
          meshPx[meshIndex * 3 + 1] = y;
        });
      });
    }
    return iris;
  }

  /**
   * Landmarks for one detection: mesh on the detection ROI, mesh again on the landmark ROI, then iris.
   * @param image - decoded image. @param det - detection in image pixels. @param withIris - run iris.
   * @param minMeshScore - mesh presence score below which the detection is rejected.
   * @param refineEyes - overwrite the eye-region mesh points with the Iris model's (needs `withIris`); default false.
   * @returns the face, or `null` when the mesh presence score says it is not a face.
   */
  async landmarksForDetection(image: DecodedImage, det: RawDetection, withIris: boolean, minMeshScore: number, refineEyes = false): Promise<FaceLandmarks | null> {
    const kp = det.keypoints;
    const rot = rotationFromPair(kp[0]!, kp[1]!, kp[2]!, kp[3]!);
    const roi1 = squareRoi(det.xCenter, det.yCenter, det.width, det.height, rot, FACE_ROI_SCALE);
    const first = await this.mesh(image, roi1);
    if (first.score < minMeshScore * 0.5) return null;
    const roi2 = roiFromLandmarks(first.landmarksPx, EYE_RIGHT_OUTER, EYE_LEFT_OUTER, FACE_ROI_SCALE, FACE_MESH_LANDMARK_COUNT);
    const second = await this.mesh(image, roi2);
    const best = second.score >= first.score * 0.9 ? second : first;
    if (best.score < minMeshScore) return null;
    let landmarksPx = best.landmarksPx;
    let landmarkCount = FACE_MESH_LANDMARK_COUNT;
    if (withIris) {
      const iris = await this.iris(image, best.landmarksPx, refineEyes);
      landmarksPx = new Float32Array(FACE_MESH_WITH_IRIS_LANDMARK_COUNT * 3);
      landmarksPx.set(best.landmarksPx);
      landmarksPx.set(iris, FACE_MESH_LANDMARK_COUNT * 3);
      landmarkCount = FACE_MESH_WITH_IRIS_LANDMARK_COUNT;
    }
    return {
      landmarksPx,
      landmarkCount,
      boxPx: { xPx: det.xCenter - det.width / 2, yPx: det.yCenter - det.height / 2, widthPx: det.width, heightPx: det.height },
      detectionScore: det.score,
      meshScore: best.score,
      headPose: estimateHeadPose(landmarksPx, image.widthPx, image.heightPx),
    };
  }

  /**
   * Analyses one image.
   * @param image - decoded upright image.
   * @param opts - see {@link AnalyzeOptions}.
   * @returns every face found (largest first, at most `maxFaces`).
   * @throws NoFaceFoundError when no face is found after padding and tiling.
   */
  async analyze(image: DecodedImage, opts: AnalyzeOptions = {}): Promise<FaceAnalysis> {
    const o: Required<AnalyzeOptions> = { ...DEFAULT_ANALYZE_OPTIONS, ...opts };
    const faces: FaceLandmarks[] = [];
    let candidates = 0;
    for (const pass of DETECTION_PASSES) {
      // The full and the padded pass always both run (one detector run each): on a tight crop the full pass can
      // return a weak, wrong detection (a 0.62 box on an eye) while the padded pass finds the whole face at 0.95.
      // Tiles (small faces) run only when nothing was found, or when asked to be exhaustive.
      if (pass === 'tiles' && faces.length > 0 && !o.exhaustive) break;
      const dets = await this.detectPass(image, pass, o.minDetectionScore);
      candidates += dets.length;
      const before = faces.map((f) => f.boxPx);
      for (const d of [...dets].sort((a, b) => b.score - a.score)) {
        const box = detectionBox(d);
        const same = faces.findIndex((g) => sameFace(g.boxPx, box));
        // Keep the better-scoring detection of one face: the best fit across passes. A later pass must win by more
        // than REPLACE_MARGIN so that letterboxing noise does not swap the landmarks of an already well-found face.
        if (same >= 0 && faces[same]!.detectionScore + REPLACE_MARGIN >= d.score) continue;
        if (same < 0 && faces.length >= o.maxFaces * 2) continue;
        const f = await this.landmarksForDetection(image, d, o.iris, o.minMeshScore, o.refineEyes);
        if (!f) continue;
        const again = faces.findIndex((g) => sameFace(g.boxPx, f.boxPx));
        if (again < 0) faces.push(f);
        else if (faces[again]!.detectionScore + REPLACE_MARGIN < f.detectionScore) faces[again] = f;
      }
      const changed = faces.some((f) => !before.includes(f.boxPx));
      if (changed && pass !== 'full') this.log(pass === 'padded' ? 'face found after padding the image (tight crop)' : 'face found by scanning tiles (small face)');
    }
    faces.sort((a, b) => b.boxPx.widthPx * b.boxPx.heightPx - a.boxPx.widthPx * a.boxPx.heightPx);
    faces.splice(o.maxFaces);
    if (faces.length === 0) {
      const name = image.sourcePath ?? 'the image';
      const why = candidates === 0 ? 'the detector found no face, also after padding and scanning tiles' : `${candidates} candidate(s) were rejected by the landmark model`;
      throw new NoFaceFoundError(`No face found in ${name} (${image.widthPx}x${image.heightPx}): ${why}. Use a photo with one clearly visible face.`, { path: image.sourcePath, candidates });
    }
    return { imageWidthPx: image.widthPx, imageHeightPx: image.heightPx, faces };
  }

  /** Releases the runner. */
  async dispose(): Promise<void> {
    await this.runner.dispose();
  }
}

/**
 * Free model input tensors by length, reused across runs: a tensor is taken for the warp + model run and given
 * back when the run has finished (the runners do not keep their inputs), so concurrent analyses never share one.
 */
class TensorPool {
  private readonly free = new Map<number, Float32Array[]>();

  /** A tensor of `length` floats (contents undefined: the caller overwrites all of it). */
  acquire(length: number): Float32Array {
    return this.free.get(length)?.pop() ?? new Float32Array(length);
  }

  /** Gives a tensor back for reuse. */
  release(tensor: Float32Array): void {
    const list = this.free.get(tensor.length);
    if (list) list.push(tensor);
    else this.free.set(tensor.length, [tensor]);
  }
}

function concat(a: Float32Array, b: Float32Array): Float32Array {
  const r = new Float32Array(a.length + b.length);
  r.set(a);
  r.set(b, a.length);
  return r;
}

/** Maps a detection from normalised detector coordinates to image pixels through the letterbox map. */
function toImagePx(d: RawDetection, m: Affine2D): RawDetection {
  const s = DETECTOR_SIZE;
  const [x, y] = applyAffine(m, d.xCenter * s, d.yCenter * s);
  const scale = Math.hypot(m[0], m[3]);
  const keypoints: number[] = [];
  for (let k = 0; k < d.keypoints.length; k += 2) keypoints.push(...applyAffine(m, d.keypoints[k]! * s, d.keypoints[k + 1]! * s));
  return { xCenter: x, yCenter: y, width: d.width * s * scale, height: d.height * s * scale, score: d.score, keypoints };
}

/** Overlapping square tiles (side = half the long side, at least 256 px, stride half a tile) covering the image. */
function tileRegions(w: number, h: number): Array<[number, number, number, number]> {
  const side = Math.max(DETECTOR_SIZE, Math.round(Math.max(w, h) / 2));
  if (side >= Math.max(w, h)) return [];
  const stride = side / 2;
  const starts = (len: number): number[] => {
    const r: number[] = [];
    if (len <= side) return [(len - side) / 2];
    for (let p = 0; p + side < len + 1e-6; p += stride) r.push(p);
    if (r[r.length - 1]! + side < len) r.push(len - side);
    return r;
  };
  const out: Array<[number, number, number, number]> = [];
  for (const y of starts(h)) for (const x of starts(w)) out.push([x, y, side, side]);
  return out;
}

function detectionBox(d: RawDetection): FaceLandmarks['boxPx'] {
  return { xPx: d.xCenter - d.width / 2, yPx: d.yCenter - d.height / 2, widthPx: d.width, heightPx: d.height };
}

/**
 * Whether two boxes are one face: IoU over 0.3 (the dedupe threshold used before), or the smaller box lying mostly
 * (over half its area) inside the larger one — a detection of part of a face (an eye, a cheek) on a tight crop.
 */
function sameFace(a: FaceLandmarks['boxPx'], b: FaceLandmarks['boxPx']): boolean {
  if (boxIou(a, b) > 0.3) return true;
  const iw = Math.max(0, Math.min(a.xPx + a.widthPx, b.xPx + b.widthPx) - Math.max(a.xPx, b.xPx));
  const ih = Math.max(0, Math.min(a.yPx + a.heightPx, b.yPx + b.heightPx) - Math.max(a.yPx, b.yPx));
  return (iw * ih) / Math.min(a.widthPx * a.heightPx, b.widthPx * b.heightPx) > 0.5;
}

function boxIou(a: FaceLandmarks['boxPx'], b: FaceLandmarks['boxPx']): number {
  const iw = Math.max(0, Math.min(a.xPx + a.widthPx, b.xPx + b.widthPx) - Math.max(a.xPx, b.xPx));
  const ih = Math.max(0, Math.min(a.yPx + a.heightPx, b.yPx + b.heightPx) - Math.max(a.yPx, b.yPx));
  const inter = iw * ih;
  return inter / (a.widthPx * a.heightPx + b.widthPx * b.heightPx - inter);
}

/**
 * Decodes and analyses an image file with a given analyzer core.
 * @param core - analyzer. @param imagePath - path of the image. @param opts - analysis options.
 * @returns the analysis.
 * @throws InvalidInputError / UnsupportedMediaError from decoding, NoFaceFoundError when no face is found.
 */
export async function analyzeFileWith(core: FaceAnalyzerCore, imagePath: string, opts?: AnalyzeOptions): Promise<FaceAnalysis> {
  return core.analyze(await decodeImage(imagePath), opts);
}

/** Options of {@link FaceAnalyzer.create}. */
export interface FaceAnalyzerOptions {
  /** Execution providers to try in order (`cuda`, `tensorrt`, `dml`, `coreml`, `webgpu`, `cpu`); CPU is always the last resort. */
  executionProviders?: string[];
  /** Receives progress and fallback lines (model conversion on first use, provider fallback, padded/tiled detection). */
  onLog?: (message: string) => void;
  /** Model cache directory override (default `$AVATAR_STUDIO_CACHE/models` or `~/.cache/avatar-studio/models`). */
  cacheDir?: string;
  /** ONNX Runtime intra-op threads; default ORT's choice. */
  intraOpNumThreads?: number;
}

/**
 * The product's face analyzer: MediaPipe BlazeFace + Face Mesh + Iris converted to ONNX, on ONNX Runtime.
 * @remarks Owns three ONNX sessions; call {@link FaceAnalyzer.dispose} once. Output is deterministic for a given
 * image and execution provider.
 */
export class FaceAnalyzer {
  private constructor(
    private readonly core: FaceAnalyzerCore,
    private readonly onnx: OnnxFaceModelRunner,
  ) {}

  /**
   * Creates an analyzer (converting the models into the cache on first use).
   * @param opts - see {@link FaceAnalyzerOptions}.
   * @returns a ready analyzer.
   * @throws ModelIntegrityError when a model does not match models/manifest.json.
   */
  static async create(opts: FaceAnalyzerOptions = {}): Promise<FaceAnalyzer> {
    const runnerOpts: OnnxRunnerOptions = { executionProviders: opts.executionProviders, onLog: opts.onLog, cacheDir: opts.cacheDir, intraOpNumThreads: opts.intraOpNumThreads };
    const runner = await OnnxFaceModelRunner.create(runnerOpts);
    return new FaceAnalyzer(new FaceAnalyzerCore(runner, opts.onLog), runner);
  }

  /** The execution provider actually used (`"cpu"` after a fallback). */
  get executionProvider(): string {
    return this.onnx.executionProvider;
  }

  /** The pipeline stages (detection passes, mesh, iris) over this analyzer's sessions, e.g. for video tracking. */
  get analyzerCore(): FaceAnalyzerCore {
    return this.core;
  }

  /** Requested providers that could not be used, with reasons. */
  get executionProviderFallbacks(): readonly string[] {
    return this.onnx.fallbacks;
  }

  /**
   * Finds faces and their 478 landmarks in an image.
   * @param image - decoded upright image (see `decodeImage`).
   * @param opts - see {@link AnalyzeOptions}; `maxFaces` default 8.
   * @returns faces largest first, landmarks `[478,3]` in image pixels, head pose, scores; plus the provider used.
   * @throws NoFaceFoundError when no face is found after padding and tiling.
   */
  async analyze(image: DecodedImage, opts?: AnalyzeOptions): Promise<FaceAnalysis> {
    const a = await this.core.analyze(image, opts);
    return { ...a, executionProvider: this.executionProvider, executionProviderFallbacks: [...this.onnx.fallbacks] };
  }

  /**
   * Decodes and analyses an image file.
   * @param imagePath - path of a JPEG/PNG/WebP/… file. @param opts - analysis options.
   * @returns the analysis.
   * @throws InvalidInputError / UnsupportedMediaError from decoding; NoFaceFoundError.
   */
  async analyzeFile(imagePath: string, opts?: AnalyzeOptions): Promise<FaceAnalysis> {
    return this.analyze(await decodeImage(imagePath), opts);
  }

  /** Releases the ONNX sessions. */
  async dispose(): Promise<void> {
    await this.core.dispose();
  }
}

/**
 * One-shot convenience: create an analyzer, analyse one image file, dispose.
 * @param imagePath - path of the image.
 * @param opts - analyzer and analysis options.
 * @returns the analysis.
 * @throws InvalidInputError, UnsupportedMediaError, NoFaceFoundError, ModelIntegrityError.
 */
export async function analyzeImageFile(imagePath: string, opts: FaceAnalyzerOptions & AnalyzeOptions = {}): Promise<FaceAnalysis> {
  const image = await decodeImage(imagePath);
  const analyzer = await FaceAnalyzer.create(opts);
  try {
    return await analyzer.analyze(image, opts);
  } finally {
    await analyzer.dispose();
  }
}
