/**
 * antimatter15 `.splat` reader and writer.
 *
 * @remarks
 * Format of antimatter15/splat (`convert.py`, `main.js`): no header; one 32-byte little-endian record per
 * Gaussian — position float32×3, scale float32×3 (linear), colour RGBA uint8×4 (RGB = 0.5 + SH_C0·f_dc,
 * A = sigmoid(opacity)), rotation uint8×4 as **w x y z**, each `round(q·128 + 128)` clamped to [0,255].
 * Positions keep the source PLY's OpenCV convention.
 */
import { BadMagicError, SplatFormatError, VertexCountMismatchError } from './errors.ts';
import { allocSplatData, assertFiniteSplats, toFrame, type SplatData } from './splatData.ts';

/** Bytes per `.splat` record. */
export const SPLAT_RECORD_BYTES = 32;

/**
 * Decodes an antimatter15 `.splat` file.
 * @param bytes - whole file.
 * @param source - file name for messages.
 * @returns decoded splats in three.js axes.
 * @throws SplatFormatError for an empty file; BadMagicError when it is really a PLY/SPZ/zip file;
 * VertexCountMismatchError when the length is not a multiple of 32; NonFiniteValueError for NaN/Inf.
 */
export function parseSplat(bytes: Uint8Array, source = '.splat file'): SplatData {
  if (bytes.length === 0) throw new SplatFormatError(`${source} is empty`, { source });
  if (bytes.length >= 4 && bytes[0] === 0x70 && bytes[1] === 0x6c && bytes[2] === 0x79 && bytes[3] === 0x0a) throw new BadMagicError(`${source} is a PLY file, not a .splat file`, { source });
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) throw new BadMagicError(`${source} is gzip-compressed (an .spz file?), not a .splat file`, { source });
  if (bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) throw new BadMagicError(`${source} is a zip file, not a .splat file`, { source });
  if (bytes.length % SPLAT_RECORD_BYTES !== 0) {
    throw new VertexCountMismatchError(`${source}: ${bytes.length} bytes is not a whole number of 32-byte splats (${Math.floor(bytes.length / SPLAT_RECORD_BYTES)} splats + ${bytes.length % SPLAT_RECORD_BYTES} bytes)`, { source, byteLength: bytes.length });
  }
  const n = bytes.length / SPLAT_RECORD_BYTES;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const data = allocSplatData(n, 'opencv');
  for (let i = 0; i < n; i++) {
    const o = i * SPLAT_RECORD_BYTES;
    for (let c = 0; c < 3; c++) {
      data.positions[i * 3 + c] = view.getFloat32(o + c * 4, true);
      data.scales[i * 3 + c] = view.getFloat32(o + 12 + c * 4, true);
      data.colors[i * 3 + c] = bytes[o + 24 + c]! / 255;
    }
    data.opacities[i] = bytes[o + 27]! / 255;
    const w = (bytes[o + 28]! - 128) / 128, x = (bytes[o + 29]! - 128) / 128, y = (bytes[o + 30]! - 128) / 128, z = (bytes[o + 31]! - 128) / 128;
    const len = Math.hypot(w, x, y, z);
    if (len > 0) {
      data.rotations[i * 4] = x / len;
      data.rotations[i * 4 + 1] = y / len;
      data.rotations[i * 4 + 2] = z / len;
      data.rotations[i * 4 + 3] = w / len;
    }
  }
  assertFiniteSplats(data, source);
  return toFrame(data, 'three');
}

/**
 * Encodes a cloud as an antimatter15 `.splat` file (OpenCV axes, like the PLY it is usually made from).
 * @param data - cloud in any frame.
 * @returns `32 · count` bytes.
 */
export function writeSplat(data: SplatData): Uint8Array {
  const d = toFrame(data, 'opencv');
  const out = new Uint8Array(d.count * SPLAT_RECORD_BYTES);
  const view = new DataView(out.buffer);
  const u8 = (v: number): number => Math.min(255, Math.max(0, Math.round(v)));
  for (let i = 0; i < d.count; i++) {
    const o = i * SPLAT_RECORD_BYTES;
    for (let c = 0; c < 3; c++) {
      view.setFloat32(o + c * 4, d.positions[i * 3 + c]!, true);
      view.setFloat32(o + 12 + c * 4, d.scales[i * 3 + c]!, true);
      out[o + 24 + c] = u8(d.colors[i * 3 + c]! * 255);
    }
    out[o + 27] = u8(d.opacities[i]! * 255);
    out[o + 28] = u8(d.rotations[i * 4 + 3]! * 128 + 128);
    out[o + 29] = u8(d.rotations[i * 4]! * 128 + 128);
    out[o + 30] = u8(d.rotations[i * 4 + 1]! * 128 + 128);
    out[o + 31] = u8(d.rotations[i * 4 + 2]! * 128 + 128);
  }
  return out;
}
