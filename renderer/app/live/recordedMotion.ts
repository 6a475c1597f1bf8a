/**
 * Live recordings loaded into the studio: the audio id of the recording's WAV → the motion track that was shown
 * live (uploaded with `studio:motion.import`), so the preview replays and the export renders that performance
 * instead of a track rebuilt from the audio.
 */
import type { MotionTrack } from '../../../core/motion/track.ts';

/** A recorded performance attached to an imported audio. */
export interface RecordedMotion {
  /** Host id from `studio:motion.import`. */
  motionTrackId: string;
  /** The track as recorded. */
  track: MotionTrack;
}

const byAudioId = new Map<string, RecordedMotion>();

/**
 * Attaches a recorded track to an imported audio.
 * @param audioId - the audio's id from `studio:audio.import`.
 * @param recorded - the uploaded track.
 */
export function attachRecordedMotion(audioId: string, recorded: RecordedMotion): void {
  byAudioId.set(audioId, recorded);
}

/**
 * @param audioId - an imported audio's id.
 * @returns the recorded performance for that audio, or undefined for ordinary audio.
 */
export function recordedMotionFor(audioId: string): RecordedMotion | undefined {
  return byAudioId.get(audioId);
}
