/**
 * Niantic SPZ reader and writer (versions 2 and 3).
 *
 * @remarks
 * Spec: nianticlabs/spz `docs/` "SPZ File Format (v3) Specification" and `load-spz.cc`. A gzip stream
 * (RFC 1952) holding a 16-byte little-endian header `{magic 0x5053474e "NGSP", version, numPoints,
 * shDegree u8, fractionalBits u8, flags u8, reserved u8}` followed by arrays (structure of arrays):
 * positions 3×int24 fixed point (÷ 2^fractionalBits), alphas u8 (sigmoid(opacity)·255), colours u8×3
 * (`f_dc·0.15·255 + 127.5`), scales u8×3 (`(ln s + 10)·16`), rotations (v2: u8×3 xyz as `(q+1)·127.5`, w ≥ 0;
 * v3: 32-bit "smallest three": 2-bit index of the largest component in bits 30–31, then three 10-bit
 * sign+magnitude values scaled by √½/511), then SH bands 1..d as u8 (not decoded here).
 * Axes: the v3 spec calls SPZ's internal frame Right-Up-Back (RUB), but the converters most files come
 * from (nianticlabs `ply → spz` with the default UNSPECIFIED system, World Labs / Spark assets such as
 * `butterfly.spz`, which Spark's own examples flip with `quaternion.set(1,0,0,0)`) keep the PLY's OpenCV
 * axes. We follow the files in the wild: {@link SPZ_FILE_FRAME} is `opencv`; pass `sourceFrame: 'three'`
 * for a file written to the letter of the spec.
 */
import { Gunzip, gzipSync } from 'fflate';
import { BadMagicError, DecompressionLimitError, SplatFormatError, TruncatedFileError, UnsupportedVariantError, VertexCountMismatchError } from './errors.ts';
import { DECOMPRESSION_POLICY } from './limits.ts';
import { SH_C0, allocSplatData, assertFiniteSplats, toFrame, type SplatData, type SplatFrame } from './splatData.ts';

/** Axis convention assumed for SPZ files by {@link parseSpz} and written by {@link writeSpz}. */
export const SPZ_FILE_FRAME: SplatFrame = 'opencv';

/** `NGSP` as a little-endian uint32. */
export const SPZ_MAGIC = 0x5053474e;
/** Colour quantisation scale of SPZ (`colorScale` in load-spz.cc). */
const SPZ_COLOR_SCALE = 0.15;
/** Header size in bytes. */
const SPZ_HEADER_BYTES = 16;
/** SH coefficients per colour channel for degrees 0..3. */
const SH_DIM = [0, 3, 8, 15] as const;

/** A decoded SPZ header. */
export interface SpzHeader {
  version: number;
  numPoints: number;
  shDegree: number;
  fractionalBits: number;
  flags: number;
}

/** Bytes of the uncompressed payload for a header (header included). */
function spzPayloadBytes(h: SpzHeader): number {
  const rot = h.version >= 3 ? 4 : 3;
  return SPZ_HEADER_BYTES + h.numPoints * (9 + 1 + 3 + 3 + rot + SH_DIM[h.shDegree as 0 | 1 | 2 | 3] * 3);
}

function readHeader(b: Uint8Array, source: string): SpzHeader {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (v.getUint32(0, true) !== SPZ_MAGIC) throw new BadMagicError(`${source}: gzip payload is not an SPZ splat file (magic is not "NGSP")`, { source });
  const h: SpzHeader = { version: v.getUint32(4, true), numPoints: v.getUint32(8, true), shDegree: b[12]!, fractionalBits: b[13]!, flags: b[14]! };
  if (h.version !== 2 && h.version !== 3) throw new UnsupportedVariantError(`${source}: SPZ version ${h.version} is not supported (2 and 3 are)`, { source, version: h.version });
  if (h.shDegree > 3) throw new SplatFormatError(`${source}: SPZ spherical-harmonic degree ${h.shDegree} is out of range 0..3`, { source });
  if (h.fractionalBits > 23) throw new SplatFormatError(`${source}: SPZ fractional bits ${h.fractionalBits} is out of range 0..23`, { source });
  return h;
}

/**
 * Gunzips an SPZ file, refusing to inflate past the size its header announces (bounded memory on junk input).
 * @returns the uncompressed payload and header.
 */
function inflateSpz(bytes: Uint8Array, source: string): { payload: Uint8Array; header: SpzHeader } {
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) throw new BadMagicError(`${source} is not an SPZ file (not gzip-compressed)`, { source });
  const chunks: Uint8Array[] = [];
  let total = 0;
  let header: SpzHeader | null = null;
  let limit = SPZ_HEADER_BYTES;
  const gunzip = new Gunzip((chunk) => {
    chunks.push(chunk);
    total += chunk.length;
    if (!header && total >= SPZ_HEADER_BYTES) {
      header = readHeader(concat(chunks, total).subarray(0, SPZ_HEADER_BYTES), source);
      limit = spzPayloadBytes(header);
      checkSpzPolicy(header, limit, source);
    }
    if (header && total > limit) {
      throw new VertexCountMismatchError(`${source}: SPZ header declares ${header.numPoints} splats (${limit} bytes) but the payload is longer`, { source, declaredCount: header.numPoints, expectedBytes: limit });
    }
  });
  try {
    // A small first push: the header (and with it the policy check) is read before a bomb's first 64 KB inflate.
    for (let o = 0, step = 256; o < bytes.length; o += step, step = 1 << 16) gunzip.push(bytes.subarray(o, Math.min(bytes.length, o + step)), o + step >= bytes.length);
  } catch (err) {
    if (err instanceof SplatFormatError) throw err;
    const msg = err instanceof Error ? err.message : String(err);
    const code = (err as { code?: number }).code;
    if (code === 0) throw new TruncatedFileError(`${source}: SPZ gzip stream is truncated (${msg})`, { source });
    throw new SplatFormatError(`${source}: SPZ gzip stream is corrupt (${msg})`, { source }, 'MALFORMED_SPLAT_FILE', { cause: err });
  }
  const payload = concat(chunks, total);
  // RFC 1952 trailer: ISIZE = uncompressed length mod 2^32. A cut file inflates "successfully" to fewer bytes.
  const isize = bytes.length >= 18 ? (bytes[bytes.length - 4]! | (bytes[bytes.length - 3]! << 8) | (bytes[bytes.length - 2]! << 16) | (bytes[bytes.length - 1]! << 24)) >>> 0 : -1;
  if (isize !== total >>> 0) throw new TruncatedFileError(`${source}: SPZ gzip stream is truncated or corrupt (inflated ${total} bytes, trailer says ${isize})`, { source, inflatedBytes: total });
  if (!header) throw new TruncatedFileError(`${source}: SPZ payload is ${total} bytes, shorter than its 16-byte header`, { source });
  const h: SpzHeader = header;
  if (total < limit) {
    throw new VertexCountMismatchError(`${source}: SPZ header declares ${h.numPoints} splats (${limit} bytes) but the payload has ${total} bytes`, { source, declaredCount: h.numPoints, expectedBytes: limit, payloadBytes: total });
  }
  return { payload, header: h };
}

/** Refuses a header that declares more than {@link DECOMPRESSION_POLICY} allows, before its payload is inflated. */
function checkSpzPolicy(h: SpzHeader, payloadBytes: number, source: string): void {
  const p = DECOMPRESSION_POLICY;
  if (h.numPoints > p.maxSplatCount || payloadBytes > p.maxSpzInflatedBytes) {
    const mib = (b: number): string => `${(b / 2 ** 20).toFixed(0)} MiB`;
    throw new DecompressionLimitError(`${source}: SPZ header declares ${h.numPoints} splats (${mib(payloadBytes)} inflated); the limit is ${p.maxSplatCount} splats and ${mib(p.maxSpzInflatedBytes)}`, { source, declaredCount: h.numPoints, payloadBytes, maxSplatCount: p.maxSplatCount, maxInflatedBytes: p.maxSpzInflatedBytes });
  }
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  chunks.length = 0;
  chunks.push(out);
  return out;
}

/**
 * Reads only the header of an SPZ file.
 * @param bytes - whole file.
 * @param source - file name for messages.
 * @returns the header.
 * @throws the same errors as {@link parseSpz}.
 */
export function readSpzHeader(bytes: Uint8Array, source = '.spz file'): SpzHeader {
  return inflateSpz(bytes, source).header;
}

/**
 * Decodes an SPZ file (degree-0 colour only; higher SH bands are skipped).
 * @param bytes - whole (gzip-compressed) file.
 * @param source - file name for messages.
 * @param sourceFrame - axis convention of the file (default {@link SPZ_FILE_FRAME}).
 * @returns decoded splats in three.js axes.
 * @throws BadMagicError (not gzip / not NGSP), TruncatedFileError (gzip stream cut), VertexCountMismatchError
 * (payload size ≠ numPoints), UnsupportedVariantError (version ≠ 2, 3), SplatFormatError (corrupt stream,
 * bad header field), NonFiniteValueError.
 */
export function parseSpz(bytes: Uint8Array, source = '.spz file', sourceFrame: SplatFrame = SPZ_FILE_FRAME): SplatData {
  const { payload, header: h } = inflateSpz(bytes, source);
  const n = h.numPoints;
  const data = allocSplatData(n, sourceFrame);
  data.sourceShDegree = h.shDegree;
  const posScale = 1 / (1 << h.fractionalBits);
  let o = SPZ_HEADER_BYTES;
  for (let i = 0; i < n * 3; i++, o += 3) {
    let fixed = payload[o]! | (payload[o + 1]! << 8) | (payload[o + 2]! << 16);
    if (fixed & 0x800000) fixed |= ~0xffffff;
    data.positions[i] = fixed * posScale;
  }
  for (let i = 0; i < n; i++, o++) data.opacities[i] = Math.min(254 / 255, Math.max(1 / 255, payload[o]! / 255));
  for (let i = 0; i < n * 3; i++, o++) data.colors[i] = Math.min(1, Math.max(0, 0.5 + (SH_C0 * (payload[o]! / 255 - 0.5)) / SPZ_COLOR_SCALE));
  for (let i = 0; i < n * 3; i++, o++) data.scales[i] = Math.exp(payload[o]! / 16 - 10);
  const q = [0, 0, 0, 0];
  for (let i = 0; i < n; i++) {
    if (h.version >= 3) {
      let comp = (payload[o]! | (payload[o + 1]! << 8) | (payload[o + 2]! << 16) | (payload[o + 3]! << 24)) >>> 0;
      o += 4;
      const largest = comp >>> 30;
      let sum = 0;
      for (let k = 3; k >= 0; k--) {
        if (k === largest) continue;
        const mag = comp & 511;
        const neg = (comp >>> 9) & 1;
        comp >>>= 10;
        const val = (Math.SQRT1_2 * mag) / 511;
        q[k] = neg ? -val : val;
        sum += val * val;
      }
      q[largest] = Math.sqrt(Math.max(0, 1 - sum));
    } else {
      q[0] = payload[o]! / 127.5 - 1;
      q[1] = payload[o + 1]! / 127.5 - 1;
      q[2] = payload[o + 2]! / 127.5 - 1;
      o += 3;
      q[3] = Math.sqrt(Math.max(0, 1 - q[0] * q[0] - q[1] * q[1] - q[2] * q[2]));
    }
    const len = Math.hypot(q[0]!, q[1]!, q[2]!, q[3]!);
    for (let k = 0; k < 4; k++) data.rotations[i * 4 + k] = len > 0 ? q[k]! / len : k === 3 ? 1 : 0;
  }
  assertFiniteSplats(data, source);
  return toFrame(data, 'three');
}

/** Options of {@link writeSpz}. */
export interface WriteSpzOptions {
  /** 2 or 3 (default 3). */
  version?: 2 | 3;
  /** Axis convention to write (default {@link SPZ_FILE_FRAME}). */
  fileFrame?: SplatFrame;
  /** Fixed-point fractional bits of positions (default 12: 1/4096 unit steps, range ±2048 units). */
  fractionalBits?: number;
}

/**
 * Encodes a cloud as an SPZ file (degree-0 colour; axes {@link SPZ_FILE_FRAME} unless `fileFrame` says otherwise).
 * @param data - cloud in any frame.
 * @param options - version and position precision.
 * @returns gzip bytes (mtime 0, so output is deterministic).
 */
export function writeSpz(data: SplatData, options: WriteSpzOptions = {}): Uint8Array {
  const d = toFrame(data, options.fileFrame ?? SPZ_FILE_FRAME);
  const version = options.version ?? 3;
  const fb = options.fractionalBits ?? 12;
  const h: SpzHeader = { version, numPoints: d.count, shDegree: 0, fractionalBits: fb, flags: 0 };
  const out = new Uint8Array(spzPayloadBytes(h));
  const v = new DataView(out.buffer);
  v.setUint32(0, SPZ_MAGIC, true);
  v.setUint32(4, version, true);
  v.setUint32(8, d.count, true);
  out[12] = 0;
  out[13] = fb;
  const u8 = (x: number): number => Math.min(255, Math.max(0, Math.round(x)));
  let o = SPZ_HEADER_BYTES;
  for (let i = 0; i < d.count * 3; i++, o += 3) {
    const fixed = Math.min(0x7fffff, Math.max(-0x800000, Math.round(d.positions[i]! * (1 << fb)))) & 0xffffff;
    out[o] = fixed & 0xff;
    out[o + 1] = (fixed >> 8) & 0xff;
    out[o + 2] = (fixed >> 16) & 0xff;
  }
  for (let i = 0; i < d.count; i++, o++) out[o] = u8(d.opacities[i]! * 255);
  for (let i = 0; i < d.count * 3; i++, o++) out[o] = u8(((d.colors[i]! - 0.5) / SH_C0) * SPZ_COLOR_SCALE * 255 + 127.5);
  for (let i = 0; i < d.count * 3; i++, o++) out[o] = u8((Math.log(d.scales[i]!) + 10) * 16);
  for (let i = 0; i < d.count; i++) {
    const q = [d.rotations[i * 4]!, d.rotations[i * 4 + 1]!, d.rotations[i * 4 + 2]!, d.rotations[i * 4 + 3]!];
    if (version >= 3) {
      let largest = 0;
      for (let k = 1; k < 4; k++) if (Math.abs(q[k]!) > Math.abs(q[largest]!)) largest = k;
      const sign = q[largest]! < 0 ? -1 : 1;
      let comp = largest;
      for (let k = 0; k < 4; k++) {
        if (k === largest) continue;
        const val = q[k]! * sign;
        const mag = Math.min(511, Math.round((Math.abs(val) / Math.SQRT1_2) * 511));
        comp = (comp << 10) | ((val < 0 ? 1 : 0) << 9) | mag;
      }
      v.setUint32(o, comp >>> 0, true);
      o += 4;
    } else {
      const sign = q[3]! < 0 ? -1 : 1;
      for (let k = 0; k < 3; k++) out[o + k] = u8((q[k]! * sign + 1) * 127.5);
      o += 3;
    }
  }
  return gzipSync(out, { level: 6, mtime: 0 });
}
