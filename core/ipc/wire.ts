/**
 * The binary wire format of the studio API over HTTP: one message = a JSON document plus the raw bytes of
 * every `ArrayBuffer` inside it, so pixels, PCM and tracks travel as bytes (no base64).
 *
 * Layout (little-endian):
 * ```
 * bytes 0..3   magic "ASW1"
 * bytes 4..7   u32 jsonByteLength
 * bytes 8..    UTF-8 JSON: {"v": value, "b": [[offset, byteLength], ...]}; each ArrayBuffer in value is
 *              replaced by {"$bin": index}
 * then         zero padding to a multiple of 8, then the blobs, each starting at an 8-byte aligned offset
 *              (offsets are relative to the start of the message)
 * ```
 * @remarks Electron does not need this: its IPC carries ArrayBuffers natively (structured clone, transfer).
 */
import { InvalidInputError } from '../errors.ts';

/** Magic bytes "ASW1". */
const MAGIC = [0x41, 0x53, 0x57, 0x31] as const;
/** Content type the web host and client use for wire messages. */
export const WIRE_CONTENT_TYPE = 'application/x-avatar-studio-wire';

/**
 * Encodes a string as UTF-8 (core has no TextEncoder: it is a DOM/Node global).
 * @param text - any JS string; lone surrogates become U+FFFD.
 * @returns the UTF-8 bytes.
 */
export function encodeUtf8(text: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    let cp = text.charCodeAt(i);
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < text.length) {
      const lo = text.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        i++;
      } else cp = 0xfffd;
    } else if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
    if (cp < 0x80) out.push(cp);
    else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
    else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
    else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  }
  return Uint8Array.from(out);
}

/**
 * Decodes UTF-8 bytes to a string.
 * @param bytes - UTF-8 bytes; malformed sequences become U+FFFD.
 * @returns the decoded string.
 */
export function decodeUtf8(bytes: Uint8Array): string {
  let s = '';
  const chunk: number[] = [];
  const flush = (): void => {
    s += String.fromCharCode(...chunk);
    chunk.length = 0;
  };
  for (let i = 0; i < bytes.length; ) {
    const b0 = bytes[i]!;
    let cp = 0xfffd;
    let n = 1;
    if (b0 < 0x80) cp = b0;
    else if (b0 >= 0xc2 && b0 < 0xe0 && i + 1 < bytes.length) {
      cp = ((b0 & 31) << 6) | (bytes[i + 1]! & 63);
      n = 2;
    } else if (b0 >= 0xe0 && b0 < 0xf0 && i + 2 < bytes.length) {
      cp = ((b0 & 15) << 12) | ((bytes[i + 1]! & 63) << 6) | (bytes[i + 2]! & 63);
      n = 3;
    } else if (b0 >= 0xf0 && b0 < 0xf5 && i + 3 < bytes.length) {
      cp = ((b0 & 7) << 18) | ((bytes[i + 1]! & 63) << 12) | ((bytes[i + 2]! & 63) << 6) | (bytes[i + 3]! & 63);
      n = 4;
    }
    i += n;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      chunk.push(0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
    } else chunk.push(cp);
    if (chunk.length > 4096) flush();
  }
  flush();
  return s;
}

function align8(n: number): number {
  return (n + 7) & ~7;
}

/**
 * Encodes a JSON-compatible value that may contain ArrayBuffers into one wire message.
 * @param value - plain objects, arrays, strings, finite numbers, booleans, null and ArrayBuffers.
 *   Typed arrays are refused (send their `.buffer` slice), as are non-finite numbers.
 * @returns the message bytes (see the module layout).
 * @throws InvalidInputError for a value JSON cannot carry (typed array, function, NaN…).
 */
export function encodeWireMessage(value: unknown): Uint8Array {
  const blobs: ArrayBuffer[] = [];
  const replace = (v: unknown): unknown => {
    if (v instanceof ArrayBuffer) {
      blobs.push(v);
      return { $bin: blobs.length - 1 };
    }
    if (ArrayBuffer.isView(v)) throw new InvalidInputError('Wire messages carry ArrayBuffers, not typed-array views');
    if (Array.isArray(v)) return v.map(replace);
    if (v !== null && typeof v === 'object') {
      const o: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) if (x !== undefined) o[k] = replace(x);
      return o;
    }
    if (typeof v === 'number' && !Number.isFinite(v)) throw new InvalidInputError(`Wire messages cannot carry the number ${v}`);
    if (typeof v === 'function' || typeof v === 'symbol' || typeof v === 'bigint') throw new InvalidInputError(`Wire messages cannot carry a ${typeof v}`);
    return v;
  };
  const body = replace(value);
  // Offsets depend on the JSON length, which depends on the offsets: iterate until stable (2 rounds suffice).
  let table: [number, number][] = blobs.map((b) => [0, b.byteLength]);
  let json = encodeUtf8(JSON.stringify({ v: body, b: table }));
  for (let round = 0; round < 4; round++) {
    let offset = align8(8 + json.length);
    table = blobs.map((b) => {
      const at = offset;
      offset = align8(offset + b.byteLength);
      return [at, b.byteLength];
    });
    const next = encodeUtf8(JSON.stringify({ v: body, b: table }));
    if (next.length === json.length) {
      json = next;
      break;
    }
    json = next;
  }
  const last = table[table.length - 1];
  const total = last ? last[0] + last[1] : 8 + json.length;
  const out = new Uint8Array(total);
  out.set(MAGIC, 0);
  new DataView(out.buffer).setUint32(4, json.length, true);
  out.set(json, 8);
  blobs.forEach((b, i) => out.set(new Uint8Array(b), table[i]![0]));
  return out;
}

/**
 * Decodes one wire message.
 * @param bytes - the whole message.
 * @returns the value with every `{"$bin": i}` replaced by an ArrayBuffer copy of blob i (copied once, only when
 * referenced); `__proto__` keys are dropped.
 * @throws InvalidInputError when the bytes are not a well-formed message (magic, lengths, JSON, blob table).
 */
export function decodeWireMessage(bytes: Uint8Array): unknown {
  if (bytes.length < 8 || MAGIC.some((m, i) => bytes[i] !== m)) throw new InvalidInputError('Not a studio wire message (bad magic)');
  const jsonLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true);
  if (8 + jsonLength > bytes.length) throw new InvalidInputError('Truncated studio wire message');
  let doc: { v: unknown; b: unknown };
  try {
    doc = JSON.parse(decodeUtf8(bytes.subarray(8, 8 + jsonLength))) as { v: unknown; b: unknown };
  } catch {
    throw new InvalidInputError('Studio wire message has malformed JSON');
  }
  if (!doc || typeof doc !== 'object' || !Array.isArray(doc.b)) throw new InvalidInputError('Studio wire message lacks its blob table');
  const table = doc.b as unknown[];
  // Blobs are checked up front (cheap) but copied out only when the value references them, each at most once:
  // a table of many entries over one large region must not multiply memory.
  for (const entry of table) {
    if (!Array.isArray(entry) || entry.length !== 2) throw new InvalidInputError('Bad blob table entry');
    const [offset, length] = entry as [unknown, unknown];
    if (!Number.isInteger(offset) || !Number.isInteger(length) || (offset as number) < 8 + jsonLength || (length as number) < 0 || (offset as number) + (length as number) > bytes.length)
      throw new InvalidInputError('Blob outside the studio wire message');
  }
  const sliced = new Map<number, ArrayBuffer>();
  const blobAt = (index: unknown): ArrayBuffer => {
    if (!Number.isInteger(index) || (index as number) < 0 || (index as number) >= table.length) throw new InvalidInputError(`Unknown blob ${String(index)}`);
    let blob = sliced.get(index as number);
    if (!blob) {
      const [offset, length] = table[index as number] as [number, number];
      const start = bytes.byteOffset + offset;
      blob = bytes.buffer.slice(start, start + length) as ArrayBuffer;
      sliced.set(index as number, blob);
    }
    return blob;
  };
  const restore = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(restore);
    if (v !== null && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o);
      if (keys.length === 1 && keys[0] === '$bin') return blobAt(o.$bin);
      const r: Record<string, unknown> = {};
      // `__proto__` from JSON.parse is an own key; assigned to a plain object it would replace its prototype.
      for (const k of keys) if (k !== '__proto__') r[k] = restore(o[k]);
      return r;
    }
    return v;
  };
  return restore(doc.v);
}
