/**
 * Messages between the studio's live session (main thread) and the live-motion worker. Samples reach the worker
 * straight from the AudioWorklet over a transferred MessagePort; frames come back to the main thread.
 */
import type { Directions } from '../../../core/motion/directions.ts';
import type { MotionOptions } from '../../../core/motion/options.ts';
import type { MotionTrackJson } from '../../../core/motion/track.ts';

/** Floats per packed live frame: 52 blendshapes, 15 visemes, rotation (4), translation (3), gaze (4). */
export const PACKED_FRAME_FLOATS = 52 + 15 + 4 + 3 + 4;

/** Longest recording kept, seconds (16-bit PCM at 48 kHz: 5.8 MB per minute). */
export const MAX_RECORDING_SEC = 30 * 60;

/** Main thread → worker. */
export type LiveToWorker =
  | { type: 'init'; sampleRateHz: number; motion: MotionOptions; lookAheadSec: number; samplesPort: MessagePort; directions: Directions | null }
  | { type: 'mute'; muted: boolean }
  | { type: 'record'; on: boolean };

/** Worker → main thread. */
export type LiveFromWorker =
  | {
      type: 'frame';
      /** Counter of display frames (1, 2, …): a new value means a new picture. */
      displayIndex: number;
      /** Stream time the frame shows, seconds. */
      timeSec: number;
      /** The frame, {@link PACKED_FRAME_FLOATS} floats. */
      packed: Float32Array;
      /** Audio received so far, seconds of stream time. */
      audioTimeSec: number;
      /** AudioContext time of the first sample of the stream, seconds. */
      streamStartContextSec: number;
      /** Level of the last 50 ms, dBFS (−120 in silence or when muted). */
      levelDb: number;
      /** Seconds recorded so far (0 when not recording). */
      recordedSec: number;
    }
  | { type: 'recording'; wav: ArrayBuffer; track: MotionTrackJson; durationSec: number; note: string | null }
  | { type: 'error'; message: string };
