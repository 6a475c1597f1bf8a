/**
 * The audio clock of the preview: one HTMLAudioElement (owned by the waveform) whose `currentTime` drives the
 * viewport's frame index. Plain module state so the render loop can read it without React.
 */

import { encodeWavPcm16 } from '../../core/audio/wav.ts';

let media: HTMLMediaElement | null = null;
const listeners = new Set<() => void>();

/**
 * Registers the media element that plays the imported audio (or null when none).
 * @param el - the element; its play/pause/seek events notify subscribers.
 */
export function setPlaybackMedia(el: HTMLMediaElement | null): void {
  media = el;
  listeners.forEach((l) => l());
}

/** @returns the current audio time in seconds (0 without audio). */
export function currentTimeSec(): number {
  return media?.currentTime ?? 0;
}

/** @returns true while the audio plays. */
export function isPlaying(): boolean {
  return !!media && !media.paused && !media.ended;
}

/** Plays or pauses. */
export async function togglePlay(): Promise<void> {
  if (!media) return;
  if (media.paused) await media.play().catch(() => undefined);
  else media.pause();
}

/** Pauses playback. */
export function pause(): void {
  media?.pause();
}

/**
 * Seeks the audio clock.
 * @param timeSec - seconds, clamped to [0, duration].
 */
export function seekSec(timeSec: number): void {
  if (!media) return;
  const d = Number.isFinite(media.duration) ? media.duration : timeSec;
  media.currentTime = Math.min(Math.max(0, timeSec), d);
}

/**
 * Subscribes to media changes.
 * @param l - called when the element is replaced.
 * @returns unsubscribe.
 */
export function onMediaChange(l: () => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

/**
 * Encodes mono Float32 PCM as a 16-bit PCM WAV file (RIFF, format tag 1).
 * @param pcm - samples in [-1, 1] (clipped).
 * @param sampleRateHz - sample rate.
 * @returns the WAV bytes as a Blob of type `audio/wav`.
 * @remarks RIFF WAVE layout per the Microsoft Multimedia Programming Interface spec (1991): 44-byte header.
 */
export function encodeWavBlob(pcm: Float32Array, sampleRateHz: number): Blob {
  return new Blob([encodeWavPcm16(pcm, sampleRateHz) as Uint8Array<ArrayBuffer>], { type: 'audio/wav' });
}

/**
 * Peak envelope for the waveform: max |sample| per bucket.
 * @param pcm - mono samples.
 * @param bucketCount - number of peaks (≥ 1).
 * @returns `bucketCount` peaks in [0, 1].
 */
export function computePeaks(pcm: Float32Array, bucketCount: number): Float32Array {
  const out = new Float32Array(bucketCount);
  const per = pcm.length / bucketCount;
  for (let b = 0; b < bucketCount; b++) {
    let m = 0;
    const end = Math.min(pcm.length, Math.floor((b + 1) * per));
    for (let i = Math.floor(b * per); i < end; i++) {
      const a = Math.abs(pcm[i]!);
      if (a > m) m = a;
    }
    out[b] = Math.min(1, m);
  }
  return out;
}
