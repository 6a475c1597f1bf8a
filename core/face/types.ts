/**
 * Face-analysis result types shared by the pipeline (producer), the renderer and the CLI (consumers).
 * @remarks Landmark layout follows MediaPipe Face Mesh: 468 mesh points + 10 iris points (478).
 * Spaces are in the names (DESIGN.md §3): `landmarksPx` are image pixels of the decoded, upright image.
 */

/** Number of MediaPipe face-mesh landmarks without iris. */
export const FACE_MESH_LANDMARK_COUNT = 468;
/** Number of landmarks with the 10 iris points appended (468 + 5 left + 5 right). */
export const FACE_MESH_WITH_IRIS_LANDMARK_COUNT = 478;

/** An axis-aligned box in image pixels. */
export interface BoxPx {
  xPx: number;
  yPx: number;
  widthPx: number;
  heightPx: number;
}

/** Head pose fitted to the canonical face model. Radians; +yaw turns to the subject's left, +pitch up, +roll clockwise seen by the viewer. */
export interface HeadPoseEstimate {
  yawRad: number;
  pitchRad: number;
  rollRad: number;
  /** Translation of the head origin in metres, camera frame (three.js convention). */
  translationM: [number, number, number];
  /** Scale from the canonical model (cm units) to image pixels. */
  scalePxPerCm?: number;
}

/** One face found in an image. */
export interface FaceLandmarks {
  /** `[N, 3]` row-major, N = 478 (468 mesh + 10 iris) or 468 when iris failed. x, y in pixels; z in pixels, same scale as x, smaller = closer to camera, 0 ≈ face centre depth. */
  landmarksPx: Float32Array;
  /** Number of landmarks (478 or 468). */
  landmarkCount: number;
  /** Detector box in pixels. */
  boxPx: BoxPx;
  /** Detector confidence in [0,1]. */
  detectionScore: number;
  /** Face-mesh presence score in [0,1]. */
  meshScore: number;
  /** Head pose, when fitted. */
  headPose?: HeadPoseEstimate;
}

/** Analysis of one image: every face found, largest first. */
export interface FaceAnalysis {
  imageWidthPx: number;
  imageHeightPx: number;
  faces: FaceLandmarks[];
  /** Execution provider / backend that ran the models, e.g. `"cpu"`, `"cuda"`. */
  executionProvider?: string;
  /** Providers requested but unavailable, with the reason (fallback is reported, never silent). */
  executionProviderFallbacks?: string[];
}
