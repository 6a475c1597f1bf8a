/**
 * 16-bit PCM WAV writing (pure): used for the preview's playback blob and for live-session recordings.
 */

/**
 * Encodes mono samples as a 16-bit PCM WAV file (RIFF, format tag 1).
 * @param pcm - mono samples: Float32 in [-1, 1] (clipped, scaled by 32768/32767) or Int16 values written as they are.
 * @param sampleRateHz - sample rate in Hz (positive integer).
 * @returns the file bytes: a 44-byte header then `2 × pcm.length` bytes of little-endian samples.
 * @throws RangeError for a non-positive or non-integer rate, or data past the format's 4 GiB limit.
 * @remarks RIFF WAVE layout per the Microsoft Multimedia Programming Interface and Data Specifications 1.0
 *   (1991): "RIFF" size "WAVE", a 16-byte "fmt " chunk, then the "data" chunk.
 */
export function encodeWavPcm16(pcm: Float32Array | Int16Array, sampleRateHz: number): Uint8Array {
  if (!(Number.isInteger(sampleRateHz) && sampleRateHz > 0)) throw new RangeError(`WAV sample rate must be a positive integer (got ${sampleRateHz})`);
  const dataBytes = pcm.length * 2;
  if (dataBytes + 36 > 0xffffffff) throw new RangeError('WAV data over 4 GiB');
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
  if (pcm instanceof Int16Array) {
    for (let i = 0; i < pcm.length; i++) v.setInt16(44 + i * 2, pcm[i]!, true);
  } else {
    for (let i = 0; i < pcm.length; i++) v.setInt16(44 + i * 2, floatToPcm16(pcm[i]!), true);
  }
  return new Uint8Array(buf);
}

/**
 * One float sample as a 16-bit PCM value.
 * @param s - sample, nominally [-1, 1]; clipped; NaN → 0.
 * @returns an integer in [-32768, 32767] (negative × 32768, positive × 32767, rounded).
 */
export function floatToPcm16(s: number): number {
  const c = s > 1 ? 1 : s < -1 ? -1 : s === s ? s : 0;
  return Math.round(c < 0 ? c * 0x8000 : c * 0x7fff);
}
