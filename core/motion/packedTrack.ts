/**
 * A motion track's per-frame arrays packed into one Float32 buffer, for moving a track between processes in one
 * piece (the render host serves it to the export page): value-by-value serialisation of an hour of motion
 * (90 000 frames × 78 numbers) took the render host's Node process from 0.3 to over 1.1 GB.
 */
import { ARKIT_BLENDSHAPE_COUNT, OVR_VISEME_COUNT } from './names.ts';
import type { MotionTrack } from './track.ts';

/** The per-frame arrays of a track that are packed, in packing order, with their values per frame. */
const PACKED_FIELDS = [
  ['blendshapes', ARKIT_BLENDSHAPE_COUNT],
  ['visemes', OVR_VISEME_COUNT],
  ['headRotation', 4],
  ['headTranslationM', 3],
  ['gazeRad', 4],
] as const;

/** Floats per frame in a packed track: 52 blendshapes + 15 visemes + 4 rotation + 3 translation + 4 gaze = 78. */
export const PACKED_TRACK_FLOATS_PER_FRAME = PACKED_FIELDS.reduce((s, [, n]) => s + n, 0);

/** The arrays of a packed track (row-major per frame; see {@link packTrackArrays}). */
export type PackedTrackArrays = Pick<MotionTrack, 'frameCount' | 'blendshapes' | 'visemes' | 'headRotation' | 'headTranslationM' | 'gazeRad'>;

/**
 * Packs a track's arrays one after the other: blendshapes `[frameCount, 52]`, visemes `[frameCount, 15]`, head
 * rotations `[frameCount, 4]` (quaternion x, y, z, w), translations `[frameCount, 3]` (metres), gaze
 * `[frameCount, 4]` (radians).
 * @param track - the track.
 * @returns a new Float32Array of `frameCount × 78` values (platform byte order, little-endian everywhere we run).
 * @throws RangeError when an array's length is not `frameCount ×` its values per frame.
 */
export function packTrackArrays(track: PackedTrackArrays): Float32Array {
  const n = track.frameCount;
  const packed = new Float32Array(n * PACKED_TRACK_FLOATS_PER_FRAME);
  let offset = 0;
  for (const [name, perFrame] of PACKED_FIELDS) {
    const arr = track[name];
    if (arr.length !== n * perFrame) throw new RangeError(`motion track ${name}: ${arr.length} values where ${n} frames × ${perFrame} were expected`);
    packed.set(arr, offset);
    offset += n * perFrame;
  }
  return packed;
}

/**
 * Views of a packed track (no copy).
 * @param buffer - bytes written by {@link packTrackArrays} (`frameCount × 78 × 4`).
 * @param frameCount - frames in the track.
 * @returns the arrays, as Float32Array views into `buffer`.
 * @throws RangeError when the byte length does not match the frame count.
 */
export function unpackTrackArrays(buffer: ArrayBuffer, frameCount: number): PackedTrackArrays {
  if (buffer.byteLength !== frameCount * PACKED_TRACK_FLOATS_PER_FRAME * 4) throw new RangeError(`packed track: ${buffer.byteLength} bytes for ${frameCount} frames`);
  let offset = 0;
  const take = (perFrame: number): Float32Array => {
    const view = new Float32Array(buffer, offset * 4, frameCount * perFrame);
    offset += frameCount * perFrame;
    return view;
  };
  return { frameCount, blendshapes: take(ARKIT_BLENDSHAPE_COUNT), visemes: take(OVR_VISEME_COUNT), headRotation: take(4), headTranslationM: take(3), gazeRad: take(4) };
}
