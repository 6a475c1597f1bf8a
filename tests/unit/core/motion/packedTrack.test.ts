/**
 * The packed track (one Float32 buffer per track, how the render host hands a track to the export page) gives back
 * every value of every frame, and refuses a buffer whose length does not fit the frame count.
 */
import { describe, expect, it } from 'vitest';
import { packTrackArrays, PACKED_TRACK_FLOATS_PER_FRAME, unpackTrackArrays } from '../../../../core/motion/packedTrack.ts';

describe('packed track', () => {
  it('round-trips 3 frames of distinct values through one buffer (78 floats per frame: 52 + 15 + 4 + 3 + 4)', () => {
    const n = 3;
    let v = 0;
    const filled = (len: number): Float32Array => Float32Array.from({ length: len }, () => (v += 0.25));
    const track = { frameCount: n, blendshapes: filled(n * 52), visemes: filled(n * 15), headRotation: filled(n * 4), headTranslationM: filled(n * 3), gazeRad: filled(n * 4) };
    const packed = packTrackArrays(track);
    expect(PACKED_TRACK_FLOATS_PER_FRAME).toBe(78);
    expect(packed.length).toBe(n * 78);
    const back = unpackTrackArrays(packed.buffer as ArrayBuffer, n);
    expect(Array.from(back.blendshapes)).toEqual(Array.from(track.blendshapes));
    expect(Array.from(back.visemes)).toEqual(Array.from(track.visemes));
    expect(Array.from(back.headRotation)).toEqual(Array.from(track.headRotation));
    expect(Array.from(back.headTranslationM)).toEqual(Array.from(track.headTranslationM));
    expect(Array.from(back.gazeRad)).toEqual(Array.from(track.gazeRad));
    // frame 2's head rotation sits after all blendshapes and visemes
    expect(back.headRotation[8]).toBe(track.headRotation[8]);
  });

  it('refuses arrays or buffers that do not fit the frame count', () => {
    const n = 2;
    const z = (len: number): Float32Array => new Float32Array(len);
    expect(() => packTrackArrays({ frameCount: n, blendshapes: z(52), visemes: z(30), headRotation: z(8), headTranslationM: z(6), gazeRad: z(8) })).toThrow(RangeError);
    expect(() => unpackTrackArrays(new ArrayBuffer(78 * 4 * 2 - 4), 2)).toThrow('packed track: 620 bytes for 2 frames');
  });
});
