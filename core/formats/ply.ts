/**
 * PLY reader for 3D Gaussian Splatting scenes and plain (optionally coloured) point clouds, and a 3DGS writer.
 *
 * @remarks
 * PLY: Greg Turk, "The PLY Polygon File Format" (1994) — ASCII header `ply` / `format …` / `element` /
 * `property` / `end_header`, then the body (ascii, binary_little_endian or binary_big_endian).
 * 3DGS layout (INRIA graphdeco `gaussian-splatting`, `save_ply`): per vertex `x y z [nx ny nz] f_dc_0..2
 * [f_rest_*] opacity scale_0..2 rot_0..3`, all float32; opacity is a logit, scales are natural logs,
 * `rot_0..3` is a quaternion **w x y z**; positions are in the COLMAP/OpenCV camera convention (RDF).
 */
import { strFromU8, strToU8 } from 'fflate';
import { BadMagicError, NonFiniteValueError, SplatFormatError, TruncatedFileError, UnsupportedVariantError, VertexCountMismatchError } from './errors.ts';
import { SH_C0, allocSplatData, assertFiniteSplats, pointCloudSplatScale, sigmoid, toFrame, type SplatData } from './splatData.ts';

/** Longest header we accept, in bytes (real 3DGS headers are < 2 KiB; this bounds a scan of a junk file). */
export const PLY_MAX_HEADER_BYTES = 65_536;

/** Scalar property types of PLY with their byte sizes (both the 1994 names and the sized aliases). */
const TYPE_SIZES: Record<string, number> = {
  char: 1, int8: 1, uchar: 1, uint8: 1,
  short: 2, int16: 2, ushort: 2, uint16: 2,
  int: 4, int32: 4, uint: 4, uint32: 4,
  float: 4, float32: 4, double: 8, float64: 8,
};

/** One property of a PLY element. */
export interface PlyProperty {
  name: string;
  /** Scalar type name as written (`float`, `uchar`, …); for a list, the item type. */
  type: string;
  /** For `property list <countType> <itemType> name`: the count type; otherwise undefined. */
  listCountType?: string;
}

/** One element declaration (`element vertex 1000`). */
export interface PlyElement {
  name: string;
  count: number;
  properties: PlyProperty[];
}

/** A parsed PLY header. */
export interface PlyHeader {
  format: 'ascii' | 'binary_little_endian' | 'binary_big_endian';
  elements: PlyElement[];
  comments: string[];
  /** Byte offset of the first body byte (just after `end_header\n`). */
  bodyOffset: number;
}


/**
 * Parses the ASCII header of a PLY file.
 * @param bytes - the whole file (or at least its header).
 * @param source - file name, for messages.
 * @returns the header with the body offset.
 * @throws BadMagicError when the file does not start with `ply`; TruncatedFileError when `end_header` is
 * missing; SplatFormatError for a malformed line (bad count, unknown type, unknown format).
 */
export function parsePlyHeader(bytes: Uint8Array, source = 'PLY file'): PlyHeader {
  if (bytes.length < 4 || bytes[0] !== 0x70 || bytes[1] !== 0x6c || bytes[2] !== 0x79 || (bytes[3] !== 0x0a && bytes[3] !== 0x0d)) {
    throw new BadMagicError(`${source} is not a PLY file (it does not start with "ply")`, { source });
  }
  const scanLen = Math.min(bytes.length, PLY_MAX_HEADER_BYTES);
  const text = strFromU8(bytes.subarray(0, scanLen), true);
  const m = /end_header[ \t]*\r?\n/.exec(text);
  if (!m) {
    if (bytes.length >= PLY_MAX_HEADER_BYTES) throw new SplatFormatError(`${source}: PLY header is longer than ${PLY_MAX_HEADER_BYTES} bytes or has no end_header line`, { source });
    throw new TruncatedFileError(`${source}: PLY header is truncated (no "end_header" line in ${bytes.length} bytes)`, { source, byteLength: bytes.length });
  }
  const bodyOffset = m.index + m[0].length;
  const lines = text.slice(0, m.index).split(/\r?\n/);
  let format: PlyHeader['format'] | null = null;
  const elements: PlyElement[] = [];
  const comments: string[] = [];
  for (let li = 1; li < lines.length; li++) {
    const line = lines[li]!.trim();
    if (line === '') continue;
    const parts = line.split(/\s+/);
    const kw = parts[0];
    const bad = (why: string): never => {
      throw new SplatFormatError(`${source}: bad PLY header line ${li + 1} "${line.slice(0, 80)}": ${why}`, { source, line: li + 1 });
    };
    if (kw === 'comment' || kw === 'obj_info') {
      comments.push(line.slice(kw.length).trim());
    } else if (kw === 'format') {
      const f = parts[1];
      if (f !== 'ascii' && f !== 'binary_little_endian' && f !== 'binary_big_endian') bad('unknown format');
      format = f as PlyHeader['format'];
    } else if (kw === 'element') {
      const count = Number(parts[2]);
      if (parts.length !== 3 || !/^\d+$/.test(parts[2] ?? '') || !Number.isSafeInteger(count)) bad('element needs a name and a non-negative integer count');
      elements.push({ name: parts[1]!, count, properties: [] });
    } else if (kw === 'property') {
      const el = elements[elements.length - 1];
      if (!el) bad('property before any element');
      if (parts[1] === 'list') {
        if (parts.length !== 5 || !(parts[2]! in TYPE_SIZES) || !(parts[3]! in TYPE_SIZES)) bad('list property needs count type, item type and name');
        el!.properties.push({ name: parts[4]!, type: parts[3]!, listCountType: parts[2]! });
      } else {
        if (parts.length !== 3 || !(parts[1]! in TYPE_SIZES)) bad(`unknown property type "${parts[1] ?? ''}"`);
        el!.properties.push({ name: parts[2]!, type: parts[1]! });
      }
    } else {
      bad(`unknown keyword "${kw}"`);
    }
  }
  if (!format) throw new SplatFormatError(`${source}: PLY header has no "format" line`, { source });
  return { format, elements, comments, bodyOffset };
}

type Reader = (row: number) => number;

/** Column readers for one element of fixed-size rows. */
function binaryColumns(bytes: Uint8Array, offset: number, el: PlyElement, littleEndian: boolean): { stride: number; col: (name: string) => Reader | null } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const offsets = new Map<string, { off: number; type: string }>();
  let stride = 0;
  for (const p of el.properties) {
    offsets.set(p.name, { off: stride, type: p.type });
    stride += TYPE_SIZES[p.type]!;
  }
  const col = (name: string): Reader | null => {
    const c = offsets.get(name);
    if (!c) return null;
    const base = offset + c.off;
    switch (c.type) {
      case 'float': case 'float32': return (r) => view.getFloat32(base + r * stride, littleEndian);
      case 'double': case 'float64': return (r) => view.getFloat64(base + r * stride, littleEndian);
      case 'uchar': case 'uint8': return (r) => view.getUint8(base + r * stride);
      case 'char': case 'int8': return (r) => view.getInt8(base + r * stride);
      case 'ushort': case 'uint16': return (r) => view.getUint16(base + r * stride, littleEndian);
      case 'short': case 'int16': return (r) => view.getInt16(base + r * stride, littleEndian);
      case 'uint': case 'uint32': return (r) => view.getUint32(base + r * stride, littleEndian);
      default: return (r) => view.getInt32(base + r * stride, littleEndian);
    }
  };
  return { stride, col };
}

/** Column readers over an ASCII body: parses `count` rows of whitespace-separated numbers. */
function asciiColumns(bytes: Uint8Array, offset: number, el: PlyElement, source: string): { col: (name: string) => Reader | null } {
  const nProps = el.properties.length;
  // Each value needs at least 2 bytes ("0 "); refuse a count the body cannot possibly hold before allocating.
  if (el.count * nProps * 2 > bytes.length - offset + 1) {
    throw new VertexCountMismatchError(`${source}: header declares ${el.count} ${el.name} rows but the ASCII body is only ${bytes.length - offset} bytes`, { source, declaredCount: el.count });
  }
  const text = strFromU8(bytes.subarray(offset), true);
  const tokens = text.split(/\s+/).filter((t: string) => t !== '');
  const need = el.count * nProps;
  if (tokens.length < need) {
    throw new VertexCountMismatchError(`${source}: header declares ${el.count} ${el.name} rows × ${nProps} values but the body holds ${tokens.length} values (≈${Math.floor(tokens.length / Math.max(1, nProps))} rows)`, { source, declaredCount: el.count, valueCount: tokens.length });
  }
  const values = new Float64Array(need);
  for (let k = 0; k < need; k++) values[k] = Number(tokens[k]);
  const index = new Map(el.properties.map((p, i) => [p.name, i]));
  return {
    col: (name) => {
      const i = index.get(name);
      return i === undefined ? null : (r) => values[r * nProps + i]!;
    },
  };
}

/** Options of {@link parsePly}. */
export interface ParsePlyOptions {
  /** File name for messages. */
  source?: string;
  /** Axis convention of the file (default `opencv`, as written by 3DGS trainers and COLMAP). */
  sourceFrame?: SplatData['frame'];
  /** Keep the data in the file's frame instead of converting to three.js axes (LAM offsets need this). */
  keepSourceFrame?: boolean;
}

/**
 * Decodes a PLY file holding 3D Gaussian splats or a plain point cloud.
 * @param bytes - whole file.
 * @param options - source name, source frame.
 * @returns decoded splats in three.js axes (unless `keepSourceFrame`); a point cloud gets round splats of
 * {@link pointCloudSplatScale}, opacity 1 and its `red green blue` colour (grey when absent).
 * @throws BadMagicError, TruncatedFileError, VertexCountMismatchError (body size ≠ declared rows),
 * NonFiniteValueError (NaN/Inf value), UnsupportedVariantError (no vertex element, list vertex
 * properties, missing x/y/z), SplatFormatError (other header errors).
 */
export function parsePly(bytes: Uint8Array, options: ParsePlyOptions = {}): SplatData {
  const source = options.source ?? 'PLY file';
  const header = parsePlyHeader(bytes, source);
  const vi = header.elements.findIndex((e) => e.name === 'vertex');
  if (vi < 0) throw new UnsupportedVariantError(`${source}: PLY file has no "vertex" element`, { source });
  const vertex = header.elements[vi]!;
  if (vertex.properties.some((p) => p.listCountType)) throw new UnsupportedVariantError(`${source}: PLY vertex element has list properties`, { source });
  for (const need of ['x', 'y', 'z']) {
    if (!vertex.properties.some((p) => p.name === need)) throw new UnsupportedVariantError(`${source}: PLY vertex element has no "${need}" property`, { source });
  }
  let offset = header.bodyOffset;
  let col: (name: string) => Reader | null;
  if (header.format === 'ascii') {
    if (vi !== 0) throw new UnsupportedVariantError(`${source}: ASCII PLY with elements before "vertex" is not supported`, { source });
    col = asciiColumns(bytes, offset, vertex, source).col;
  } else {
    const little = header.format === 'binary_little_endian';
    for (let e = 0; e < vi; e++) {
      const el = header.elements[e]!;
      if (el.properties.some((p) => p.listCountType)) throw new UnsupportedVariantError(`${source}: PLY element "${el.name}" with list properties before "vertex" is not supported`, { source });
      offset += el.count * el.properties.reduce((s, p) => s + TYPE_SIZES[p.type]!, 0);
    }
    const stride = vertex.properties.reduce((s, p) => s + TYPE_SIZES[p.type]!, 0);
    const bodyBytes = bytes.length - offset;
    const needBytes = vertex.count * stride;
    const isLast = vi === header.elements.length - 1;
    if (bodyBytes < needBytes || (isLast && bodyBytes !== needBytes)) {
      throw new VertexCountMismatchError(
        `${source}: header declares ${vertex.count} vertices of ${stride} bytes (${needBytes} bytes) but the body has ${Math.max(0, bodyBytes)} bytes (${stride > 0 ? (Math.max(0, bodyBytes) / stride).toFixed(2) : '?'} vertices)`,
        { source, declaredCount: vertex.count, strideBytes: stride, bodyBytes },
      );
    }
    col = binaryColumns(bytes, offset, vertex, little).col;
  }
  const n = vertex.count;
  const x = col('x')!, y = col('y')!, z = col('z')!;
  const names = new Set(vertex.properties.map((p) => p.name));
  const isGaussian = ['f_dc_0', 'f_dc_1', 'f_dc_2', 'opacity', 'scale_0', 'scale_1', 'scale_2', 'rot_0', 'rot_1', 'rot_2', 'rot_3'].every((k) => names.has(k));
  const data = allocSplatData(n, options.sourceFrame ?? 'opencv', isGaussian ? 'gaussians' : 'points');
  const { positions, scales, rotations, colors, opacities } = data;
  for (let i = 0; i < n; i++) {
    positions[i * 3] = x(i);
    positions[i * 3 + 1] = y(i);
    positions[i * 3 + 2] = z(i);
  }
  if (isGaussian) {
    const dc = [col('f_dc_0')!, col('f_dc_1')!, col('f_dc_2')!];
    const sc = [col('scale_0')!, col('scale_1')!, col('scale_2')!];
    const rot = [col('rot_0')!, col('rot_1')!, col('rot_2')!, col('rot_3')!];
    const op = col('opacity')!;
    const restCount = vertex.properties.filter((p) => p.name.startsWith('f_rest_')).length;
    data.sourceShDegree = restCount >= 45 ? 3 : restCount >= 24 ? 2 : restCount >= 9 ? 1 : 0;
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < 3; c++) {
        colors[i * 3 + c] = Math.min(1, Math.max(0, 0.5 + SH_C0 * dc[c]!(i)));
        scales[i * 3 + c] = Math.exp(sc[c]!(i));
      }
      opacities[i] = sigmoid(op(i));
      const w = rot[0]!(i), qx = rot[1]!(i), qy = rot[2]!(i), qz = rot[3]!(i);
      const len = Math.hypot(w, qx, qy, qz);
      if (len > 0) {
        rotations[i * 4] = qx / len;
        rotations[i * 4 + 1] = qy / len;
        rotations[i * 4 + 2] = qz / len;
        rotations[i * 4 + 3] = w / len;
      } else if (Number.isNaN(len)) {
        rotations[i * 4 + 3] = NaN;
      }
    }
  } else {
    const r = col('red') ?? col('r') ?? col('diffuse_red');
    const g = col('green') ?? col('g') ?? col('diffuse_green');
    const b = col('blue') ?? col('b') ?? col('diffuse_blue');
    const colorType = vertex.properties.find((p) => p.name === 'red' || p.name === 'r' || p.name === 'diffuse_red')?.type ?? 'uchar';
    const colorScale = colorType.startsWith('float') || colorType === 'double' ? 1 : colorType.includes('short') || colorType.includes('16') ? 1 / 65535 : 1 / 255;
    const s = pointCloudSplatScale(positions);
    for (let i = 0; i < n; i++) {
      scales[i * 3] = scales[i * 3 + 1] = scales[i * 3 + 2] = s;
      opacities[i] = 1;
      colors[i * 3] = r && g && b ? Math.min(1, Math.max(0, r(i) * colorScale)) : 0.7;
      colors[i * 3 + 1] = r && g && b ? Math.min(1, Math.max(0, g(i) * colorScale)) : 0.7;
      colors[i * 3 + 2] = r && g && b ? Math.min(1, Math.max(0, b(i) * colorScale)) : 0.7;
    }
  }
  assertFiniteSplats(data, source);
  return options.keepSourceFrame ? data : toFrame(data, 'three');
}

/**
 * Raw per-vertex float columns of a binary PLY (e.g. LAM's `offset.ply`, whose xyz are offsets, not positions).
 * @param bytes - whole file.
 * @param source - file name for messages.
 * @returns the vertex count and a map property name → Float32Array(count).
 * @throws the same errors as {@link parsePly}, NonFiniteValueError for a NaN in any column.
 */
export function readPlyVertexColumns(bytes: Uint8Array, source = 'PLY file'): { count: number; columns: Map<string, Float32Array> } {
  const header = parsePlyHeader(bytes, source);
  const vertex = header.elements[0];
  if (!vertex || vertex.name !== 'vertex') throw new UnsupportedVariantError(`${source}: first PLY element is not "vertex"`, { source });
  if (header.format === 'ascii') throw new UnsupportedVariantError(`${source}: ASCII PLY is not supported here`, { source });
  if (vertex.properties.some((p) => p.listCountType)) throw new UnsupportedVariantError(`${source}: PLY vertex element has list properties`, { source });
  const { stride, col } = binaryColumns(bytes, header.bodyOffset, vertex, header.format === 'binary_little_endian');
  const bodyBytes = bytes.length - header.bodyOffset;
  if (bodyBytes < vertex.count * stride || (header.elements.length === 1 && bodyBytes !== vertex.count * stride)) {
    throw new VertexCountMismatchError(`${source}: header declares ${vertex.count} vertices of ${stride} bytes but the body has ${bodyBytes} bytes`, { source, declaredCount: vertex.count, strideBytes: stride, bodyBytes });
  }
  const columns = new Map<string, Float32Array>();
  for (const p of vertex.properties) {
    const read = col(p.name)!;
    const arr = new Float32Array(vertex.count);
    for (let i = 0; i < vertex.count; i++) {
      const v = read(i);
      if (!Number.isFinite(v)) throw new NonFiniteValueError(`${source}: vertex ${i} has a non-finite ${p.name} value (${v})`, { source, splatIndex: i, field: p.name, value: String(v) });
      arr[i] = v;
    }
    columns.set(p.name, arr);
  }
  return { count: vertex.count, columns };
}


/**
 * Writes a 3DGS binary little-endian PLY (`x y z f_dc_0..2 opacity scale_0..2 rot_0..3`, float32).
 * @param data - cloud in any frame; it is written in the OpenCV frame 3DGS files use.
 * @param extraComments - header comment lines.
 * @returns the file bytes.
 * @remarks Inverse of {@link parsePly}: f_dc = (rgb − 0.5)/SH_C0, opacity = logit, scale = ln.
 */
export function writePly3dgs(data: SplatData, extraComments: string[] = []): Uint8Array {
  const d = toFrame(data, 'opencv');
  const props = ['x', 'y', 'z', 'f_dc_0', 'f_dc_1', 'f_dc_2', 'opacity', 'scale_0', 'scale_1', 'scale_2', 'rot_0', 'rot_1', 'rot_2', 'rot_3'];
  const head = ['ply', 'format binary_little_endian 1.0', ...extraComments.map((c) => `comment ${c}`), `element vertex ${d.count}`, ...props.map((p) => `property float ${p}`), 'end_header', ''].join('\n');
  const headBytes = strToU8(head);
  const out = new Uint8Array(headBytes.length + d.count * props.length * 4);
  out.set(headBytes);
  const f = new Float32Array(d.count * props.length);
  for (let i = 0; i < d.count; i++) {
    const o = i * props.length;
    f[o] = d.positions[i * 3]!;
    f[o + 1] = d.positions[i * 3 + 1]!;
    f[o + 2] = d.positions[i * 3 + 2]!;
    for (let c = 0; c < 3; c++) f[o + 3 + c] = (d.colors[i * 3 + c]! - 0.5) / SH_C0;
    const a = Math.min(Math.max(d.opacities[i]!, 1e-6), 1 - 1e-6);
    f[o + 6] = Math.log(a / (1 - a));
    for (let c = 0; c < 3; c++) f[o + 7 + c] = Math.log(d.scales[i * 3 + c]!);
    f[o + 10] = d.rotations[i * 4 + 3]!;
    f[o + 11] = d.rotations[i * 4]!;
    f[o + 12] = d.rotations[i * 4 + 1]!;
    f[o + 13] = d.rotations[i * 4 + 2]!;
  }
  // Float32Array is host-endian; every supported host is little-endian, but write through a DataView to be exact.
  const view = new DataView(out.buffer, headBytes.length);
  for (let k = 0; k < f.length; k++) view.setFloat32(k * 4, f[k]!, true);
  return out;
}
