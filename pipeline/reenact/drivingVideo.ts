/**
 * Driving-video reenactment, the Node part: decode the driving video, track its face frame by frame, and
 * turn the landmarks into a motion track for the portrait (core/reenact/drivingTrack.ts).
 */
import { buildDrivingTrack, type DrivingObservation, type DrivingReport, type RetargetStrengths } from '../../core/reenact/drivingTrack.ts';
import { buildPhotoHeadRig, evaluateRig, RIG_VERTEX_COUNT } from '../../core/rig/rig.ts';
import type { Fps, MotionTrack } from '../../core/motion/track.ts';
import type { FaceAnalyzer } from '../face/faceAnalyzer.ts';
import { analyzeVideoFile } from '../face/videoTracker.ts';
import type { VideoInfo } from '../video/decodeVideo.ts';

/**
 * Tracks the largest face through a video (MediaPipe-style ROI tracking with re-detection only when lost,
 * One-Euro-smoothed landmarks on the container's timestamps, eye regions refined by the Iris model; see
 * pipeline/face/videoTracker.ts).
 * @param path - video file.
 * @param analyzer - a face analyzer (the caller owns and disposes it).
 * @param opts - `signal` to cancel; `onProgress(done, total)` per frame.
 * @returns the probed video info and one observation per decoded frame (landmarks `null` where no face was found).
 * @throws InvalidInputError / UnsupportedMediaError for unreadable files; FfmpegExitError; JobCancelledError.
 */
export async function trackDrivingVideo(path: string, analyzer: FaceAnalyzer, opts: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {}): Promise<{ info: VideoInfo; observations: DrivingObservation[] }> {
  // refineEyes: the Iris model's lids follow blinks the plain mesh barely shows (core/reenact TRACKER_RESPONSE_GAINS
  // were measured with it).
  const analysis = await analyzeVideoFile(analyzer, path, { signal: opts.signal, onProgress: opts.onProgress, refineEyes: true });
  return { info: analysis.info, observations: analysis.frames.map((f) => ({ timeSec: f.timeSec, landmarksPx: f.face?.landmarksPx ?? null })) };
}

/**
 * Builds the portrait's motion track from tracked driving frames.
 * @param observations - from {@link trackDrivingVideo}.
 * @param fps - output frame rate.
 * @param frameCount - output frame count.
 * @param strengths - transfer strength per region.
 * @param pose - `headPose` mode (default relative) and, for `absolute`, the portrait's landmarks `[N, 3]`;
 *   `chinAperture` (default false): fit the chin with the lip aperture (core/reenact/drivingTrack.ts);
 *   `portraitRest`: the portrait's 52 rest weights (pipeline/face/portraitRest.ts), so the non-aperture shapes move
 *   the portrait's own expression by the driver's change (core/reenact/drivingTrack.ts).
 * @returns the track (absolute expressions, see core/reenact/drivingTrack.ts) and the report (pose reference frame,
 *   the driver's neutral, frames without a face).
 * @throws InvalidInputError when no frame has a face, or absolute pose without portrait landmarks.
 */
export function drivingTrackFromObservations(observations: readonly DrivingObservation[], fps: Fps, frameCount: number, strengths?: RetargetStrengths, pose: { headPose?: 'relative' | 'absolute'; portraitLandmarksPx?: Float32Array; portraitRest?: Float32Array; chinAperture?: boolean } = {}): { track: MotionTrack; report: DrivingReport } {
  return buildDrivingTrack(observations, {
    fps,
    frameCount,
    strengths,
    headPose: pose.headPose,
    portraitLandmarksPx: pose.portraitLandmarksPx,
    portraitRest: pose.portraitRest,
    chinAperture: pose.chinAperture,
    rigFactory: (landmarksPx, landmarkCount) => {
      const rig = buildPhotoHeadRig(landmarksPx, landmarkCount);
      return { vertexCount: RIG_VERTEX_COUNT, iodPx: rig.frame.iodPx, evaluate: (w, out) => evaluateRig(rig, w, out) };
    },
  });
}
