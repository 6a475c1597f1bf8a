/**
 * The audio clock of the preview: one HTMLAudioElement (owned by the waveform) whose `currentTime` drives the
 * viewport's frame index. Plain module state so the render loop can read it without React.
 */

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
  const dataBytes = pcm.length * 2;
  const buf = new ArrayBuffer(44 + dataBytes);
  const v = new DataView(buf);
  const ascii = (at: number, s: string): void => {
    for (let i = 0; i < s.length; i++) v.setUint8(at + i, s.charCodeAt(i));
  };
  ascii(0, 'RIFF');
  v.setUint32(4, 36 + dataBytes, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true);
  v.setUint16(22, 1, true);
  v.setUint32(24, sampleRateHz, true);
  v.setUint32(28, sampleRateHz * 2, true);
  v.setUint16(32, 2, true);
  v.setUint16(34, 16, true);
  ascii(36, 'data');
  v.setUint32(40, dataBytes, true);
  for (let i = 0; i < pcm.length; i++) {
    const s = Math.max(-1, Math.min(1, pcm[i]!));
    v.setInt16(44 + i * 2, Math.round(s < 0 ? s * 0x8000 : s * 0x7fff), true);
  }
  return new Blob([buf], { type: 'audio/wav' });
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
