/**
 * Driving videos of a studio session: each imported video is tracked once (face landmarks per frame, kept in
 * memory), a thumbnail strip is cut for the timeline, and motion tracks are built from the observations on demand
 * (for the preview, with the retarget strengths and directions of the moment). The export re-tracks from the file
 * through the render job, so preview and export read the same video the same way.
 */
import { execFile } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { InvalidInputError } from '../../core/errors.ts';
import type { DirectionCurves } from '../../core/motion/directions.ts';
import { composeDirectionsOnTrack } from '../../core/motion/nonverbal.ts';
import type { Fps, MotionTrack } from '../../core/motion/track.ts';
import type { DrivingObservation, RetargetStrengths } from '../../core/reenact/drivingTrack.ts';
import type { FaceAnalyzer } from '../face/faceAnalyzer.ts';
import { resolveFfmpeg } from '../ffmpeg/ffmpegPath.ts';
import { drivingTrackFromObservations, trackDrivingVideo } from '../reenact/drivingVideo.ts';
import type { VideoInfo } from '../video/decodeVideo.ts';

const execFileP = promisify(execFile);

/** Thumbnails in the strip. */
export const THUMBNAIL_COUNT = 12;
/** Height of one thumbnail, pixels. */
export const THUMBNAIL_HEIGHT_PX = 48;

/** One tracked driving video. */
export interface DrivingVideoEntry {
  path: string;
  fileName: string;
  info: VideoInfo;
  observations: DrivingObservation[];
}

/** What the UI is told about an imported driving video. */
export interface DrivingVideoSummary {
  durationSec: number;
  hasAudio: boolean;
  widthPx: number;
  heightPx: number;
  observedCount: number;
  /** Time ranges (s) of frames without a face. */
  facelessRanges: { fromSec: number; toSec: number }[];
  /** JPEG bytes of the thumbnail strip: {@link THUMBNAIL_COUNT} frames side by side, evenly spaced in time. */
  thumbnailStripJpeg: ArrayBuffer;
}

/**
 * Time ranges of observations without a face.
 * @param observations - tracked frames in time order.
 * @param frameSec - nominal frame duration (s), added to a range's last faceless frame.
 * @returns ranges `[fromSec, toSec)`, merged across consecutive faceless frames.
 */
export function facelessRanges(observations: readonly DrivingObservation[], frameSec: number): { fromSec: number; toSec: number }[] {
  const out: { fromSec: number; toSec: number }[] = [];
  for (const o of observations) {
    if (o.landmarksPx) continue;
    const last = out[out.length - 1];
    if (last && o.timeSec - last.toSec < frameSec * 0.5 + 1e-6) last.toSec = o.timeSec + frameSec;
    else out.push({ fromSec: o.timeSec, toSec: o.timeSec + frameSec });
  }
  return out;
}

/**
 * Tracks a driving video and cuts its thumbnail strip.
 * @param path - the video file (already in the session folder or a local path).
 * @param fileName - its display name.
 * @param analyzer - the session's face analyzer.
 * @param workDir - folder for the temporary strip image.
 * @returns the entry to keep and the summary for the UI.
 * @throws InvalidInputError when no frame has a face; UnsupportedMediaError for a file that is not a video.
 */
export async function importDrivingVideo(path: string, fileName: string, analyzer: FaceAnalyzer, workDir: string): Promise<{ entry: DrivingVideoEntry; summary: DrivingVideoSummary }> {
  const tracked = await trackDrivingVideo(path, analyzer);
  const observedCount = tracked.observations.filter((o) => o.landmarksPx).length;
  if (observedCount === 0) throw new InvalidInputError(`No face found in any frame of "${fileName}": choose a video of a talking face`);
  const info = tracked.info;
  const stripPath = join(workDir, `strip-${process.pid}-${Date.now()}.jpg`);
  try {
    const rate = THUMBNAIL_COUNT / Math.max(0.04, info.durationSec);
    await execFileP(resolveFfmpeg().path, ['-v', 'error', '-y', '-i', path, '-vf', `fps=${rate.toFixed(6)},scale=-2:${THUMBNAIL_HEIGHT_PX},tile=${THUMBNAIL_COUNT}x1`, '-frames:v', '1', '-q:v', '4', stripPath]);
    const jpeg = await readFile(stripPath);
    const frameSec = info.fps.den / info.fps.num;
    return {
      entry: { path, fileName, info, observations: tracked.observations },
      summary: {
        durationSec: info.durationSec,
        hasAudio: info.hasAudio,
        widthPx: info.widthPx,
        heightPx: info.heightPx,
        observedCount: tracked.observations.length,
        facelessRanges: facelessRanges(tracked.observations, frameSec),
        thumbnailStripJpeg: jpeg.buffer.slice(jpeg.byteOffset, jpeg.byteOffset + jpeg.byteLength) as ArrayBuffer,
      },
    };
  } finally {
    await rm(stripPath, { force: true });
  }
}

/**
 * The motion track of a driving video for a clip.
 * @param entry - the tracked video.
 * @param fps - output frame rate.
 * @param frameCount - output frames (the soundtrack's length).
 * @param strengths - retarget strengths per region.
 * @param curves - direction curves to compose (mood, gaze, keyframes, head scale), or null.
 * @param portraitRest - the animated portrait's 52 rest weights (pipeline/face/portraitRest.ts), as the export passes
 *   them; absent for avatars.
 * @returns the track.
 */
export function drivingVideoTrack(entry: DrivingVideoEntry, fps: Fps, frameCount: number, strengths: RetargetStrengths, curves: DirectionCurves | null, portraitRest?: Float32Array): MotionTrack {
  const { track } = drivingTrackFromObservations(entry.observations, fps, frameCount, strengths, { portraitRest });
  if (curves) composeDirectionsOnTrack(track, curves);
  return track;
}
