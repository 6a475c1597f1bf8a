/**
 * Audio file → motion track, streamed: ffmpeg decodes chunks that go straight into the analysis, so
 * memory does not grow with the audio (only the 10 ms feature rows and the track itself do).
 */
import type { JobProgress } from '../../core/errors.ts';
import { JobCancelledError } from '../../core/errors.ts';
import { createMotionTrackBuilder } from '../../core/motion/buildMotionTrack.ts';
import type { MotionOptions } from '../../core/motion/options.ts';
import type { MotionTrack } from '../../core/motion/track.ts';
import type { Directions } from '../../core/motion/directions.ts';
import { DEFAULT_ANALYSIS_SAMPLE_RATE_HZ, decodeAudioChunks } from './decodeAudio.ts';
import type { AudioSourceInfo } from './decodeAudio.ts';

/** Options of {@link audioFileToMotionTrack}. */
export interface AudioToMotionJobOptions {
  /** Cancels decoding and analysis ({@link JobCancelledError}). */
  signal?: AbortSignal;
  /** Progress events with stage `"analyze"`; `completedFrames/totalFrames` count seconds of audio. */
  onProgress?: (p: JobProgress) => void;
  /** Directions over time composed with the speech motion (core/motion/directions.ts). */
  directions?: Directions | null;
}

/**
 * Decodes an audio file in chunks and builds its motion track.
 * @param path - audio file (any format ffmpeg decodes; recognised by content).
 * @param options - motion options (validated).
 * @param job - cancellation, progress and directions.
 * @returns the track (its `meta.source` is the file's base name) and the probed source facts.
 * @throws UnsupportedMediaError for empty/non-audio files; FfmpegExitError if ffmpeg fails mid-way;
 *   InvalidInputError for invalid options; JobCancelledError when cancelled.
 */
export async function audioFileToMotionTrack(path: string, options: MotionOptions, job: AudioToMotionJobOptions = {}): Promise<{ track: MotionTrack; source: AudioSourceInfo }> {
  const rate = DEFAULT_ANALYSIS_SAMPLE_RATE_HZ;
  const builder = createMotionTrackBuilder(rate, options, job.directions);
  let totalSec = 0;
  const gen = decodeAudioChunks(path, { sampleRateHz: rate, chunkSamples: rate, reuseChunkBuffer: true, signal: job.signal, onSourceInfo: (i) => (totalSec = i.durationSec) });
  const started = Date.now();
  let doneSamples = 0;
  let res = await gen.next();
  while (!res.done) {
    builder.push(res.value);
    doneSamples += res.value.length;
    if (job.onProgress) {
      // Total is the probed duration; the decoded length may differ slightly (encoder padding).
      const doneSec = doneSamples / rate;
      const total = Math.max(totalSec, doneSec);
      const fraction = total > 0 ? Math.min(0.99, doneSec / total) : 0;
      const elapsed = (Date.now() - started) / 1000;
      job.onProgress({ stage: 'analyze', completedFrames: Math.floor(doneSec), totalFrames: Math.ceil(total), fraction, etaSec: fraction > 0 ? (elapsed * (1 - fraction)) / fraction : null });
    }
    res = await gen.next();
  }
  const source = res.value;
  if (job.signal?.aborted) throw new JobCancelledError('Audio analysis cancelled');
  const track = builder.finish();
  track.meta = { ...track.meta, sourceCodec: source.codec, sourceSampleRateHz: source.sampleRateHz, sourceChannels: source.channels };
  job.onProgress?.({ stage: 'analyze', completedFrames: track.frameCount, totalFrames: track.frameCount, fraction: 1, etaSec: 0 });
  return { track, source };
}
