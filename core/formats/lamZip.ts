/**
 * Reader of LAM avatar packages (zip files).
 *
 * @remarks
 * Layout: /work/shared/specs/lam-avatar.md (from aigc3d/LAM and aigc3d/LAM_WebRender). The ARKit ("chat")
 * package holds one folder `<id>/` with `skin.glb`, `offset.ply`, `animation.glb`, `vertex_order.json`;
 * the legacy FLAME package (`h5_render_data.zip`) holds `lbs_weight_20k.json`, `bone_tree.json`,
 * `flame_params.json`… and is recognised but not supported. `__MACOSX/` and `.DS_Store` entries are ignored.
 */
import { strFromU8, unzipSync } from 'fflate';
import { DECOMPRESSION_POLICY } from './limits.ts';
import { AvatarPackageError, SplatFormatError } from './errors.ts';
import { parsePly } from './ply.ts';
import type { SplatData } from './splatData.ts';

/** Largest single entry we inflate, in bytes (see {@link DECOMPRESSION_POLICY}). */
export const LAM_MAX_ENTRY_BYTES = DECOMPRESSION_POLICY.maxZipEntryBytes;

/** The parts of a LAM package that are read; other entries are never inflated. */
const USED_PARTS = new Set(['skin.glb', 'offset.ply', 'animation.glb', 'vertex_order.json']);

/** The files of an ARKit LAM package, raw. */
export interface LamPackageFiles {
  /** Folder name inside the zip (`<id>`), '' when files sit at the root. */
  id: string;
  skinGlb: Uint8Array;
  offsetPly: Uint8Array;
  animationGlb: Uint8Array | null;
  /** Permutation of 0..N−1 (draw order); null when absent. */
  vertexOrder: Uint32Array | null;
}

/** A LAM package with its Gaussians decoded. */
export interface LamPackage extends LamPackageFiles {
  /** One Gaussian per mesh vertex; `positions` are OFFSETS from the vertex, in the glTF (three.js) frame. */
  offsets: SplatData;
}

const isJunk = (name: string): boolean => name.startsWith('__MACOSX/') || name.includes('/__MACOSX/') || /(^|\/)\.DS_Store$/.test(name) || /(^|\/)\._/.test(name);

/**
 * Unzips a LAM package and picks its parts.
 * @param zipBytes - the zip file.
 * @param source - file name for messages.
 * @returns the raw parts.
 * @throws AvatarPackageError when the zip is corrupt, a required part is missing, the package is a legacy
 * FLAME one (not supported), or `vertex_order.json` is not a permutation.
 */
export function readLamZip(zipBytes: Uint8Array, source = 'LAM package'): LamPackageFiles {
  if (zipBytes.length < 4 || zipBytes[0] !== 0x50 || zipBytes[1] !== 0x4b) throw new AvatarPackageError(`${source} is not a zip file`, { source });
  let entries: Record<string, Uint8Array>;
  const names: string[] = [];
  let declaredTotal = 0;
  const policy = DECOMPRESSION_POLICY;
  try {
    entries = unzipSync(zipBytes, {
      // Only the parts we read are inflated; each is checked against the policy from its declared sizes first
      // (fflate allocates the declared size and never inflates past it).
      filter: (f) => {
        if (isJunk(f.name) || f.name.endsWith('/')) return false;
        names.push(f.name);
        if (!USED_PARTS.has(f.name.split('/').pop()!)) return false;
        const fail = (why: string): never => {
          throw new AvatarPackageError(`${source}: entry ${f.name} ${why}`, { source, entry: f.name, declaredBytes: f.originalSize, compressedBytes: f.size, policy });
        };
        if (f.originalSize > policy.maxZipEntryBytes) fail(`declares ${f.originalSize} bytes inflated, more than the ${policy.maxZipEntryBytes}-byte limit per entry`);
        if (f.compression !== 0 && f.originalSize > Math.max(1, f.size) * policy.maxDeflateRatio) fail(`declares ${f.originalSize} bytes from ${f.size} compressed, more than deflate can expand (${policy.maxDeflateRatio}:1)`);
        declaredTotal += f.originalSize;
        if (declaredTotal > policy.maxZipTotalBytes) fail(`brings the inflated parts to ${declaredTotal} bytes, more than the ${policy.maxZipTotalBytes}-byte limit`);
        return true;
      },
    });
  } catch (err) {
    if (err instanceof AvatarPackageError) throw err;
    throw new AvatarPackageError(`${source}: cannot read the zip (${err instanceof Error ? err.message : String(err)})`, { source }, { cause: err });
  }
  const byBase = new Map<string, { path: string; bytes: Uint8Array }>();
  for (const [path, bytes] of Object.entries(entries)) {
    const base = path.split('/').pop()!;
    if (!byBase.has(base)) byBase.set(base, { path, bytes });
  }
  const baseNames = new Set(names.map((n) => n.split('/').pop()!));
  if (baseNames.has('flame_params.json') || baseNames.has('lbs_weight_20k.json') || baseNames.has('bone_tree.json')) {
    throw new AvatarPackageError(`${source} is a legacy FLAME LAM package (lbs_weight_20k.json, bone_tree.json, flame_params.json); only ARKit LAM packages (skin.glb + offset.ply) are supported`, { source, kind: 'lam-flame' });
  }
  const skin = byBase.get('skin.glb');
  const offset = byBase.get('offset.ply');
  const missing = [!skin && 'skin.glb', !offset && 'offset.ply'].filter(Boolean);
  if (missing.length) throw new AvatarPackageError(`${source} is not a LAM avatar package: missing ${missing.join(' and ')}`, { source, missing, entries: names.slice(0, 20) });
  const id = skin!.path.includes('/') ? skin!.path.slice(0, skin!.path.lastIndexOf('/')) : '';
  let vertexOrder: Uint32Array | null = null;
  const vo = byBase.get('vertex_order.json');
  if (vo) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(strFromU8(vo.bytes));
    } catch (err) {
      throw new AvatarPackageError(`${source}: vertex_order.json is not JSON`, { source }, { cause: err });
    }
    if (!Array.isArray(parsed)) throw new AvatarPackageError(`${source}: vertex_order.json is not an array`, { source });
    const n = parsed.length;
    const seen = new Uint8Array(n);
    vertexOrder = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      const v = parsed[i];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= n || seen[v]) throw new AvatarPackageError(`${source}: vertex_order.json is not a permutation of 0..${n - 1} (entry ${i} = ${String(v)})`, { source });
      seen[v] = 1;
      vertexOrder[i] = v;
    }
  }
  return { id, skinGlb: skin!.bytes, offsetPly: offset!.bytes, animationGlb: byBase.get('animation.glb')?.bytes ?? null, vertexOrder };
}

/**
 * Unzips a LAM package and decodes its `offset.ply`.
 * @param zipBytes - the zip file.
 * @param source - file name for messages.
 * @returns the parts plus decoded Gaussians (offsets, glTF frame).
 * @throws AvatarPackageError (see {@link readLamZip}); the PLY's SplatFormatError subclasses, re-wrapped as
 * AvatarPackageError with the original as `cause` and its code in `details.plyCode`.
 */
export function parseLamZip(zipBytes: Uint8Array, source = 'LAM package'): LamPackage {
  const files = readLamZip(zipBytes, source);
  let offsets: SplatData;
  try {
    // LAM offsets are relative to glTF vertices: already +Y up, so the source frame is 'three' (no flip).
    offsets = parsePly(files.offsetPly, { source: `${source}/offset.ply`, sourceFrame: 'three' });
  } catch (err) {
    if (err instanceof SplatFormatError) throw new AvatarPackageError(`${source}: offset.ply: ${err.message}`, { source, plyCode: err.code, ...err.details }, { cause: err });
    throw err;
  }
  if (offsets.kind !== 'gaussians') throw new AvatarPackageError(`${source}: offset.ply is a plain point cloud, not 3DGS Gaussians`, { source });
  if (files.vertexOrder && files.vertexOrder.length !== offsets.count) {
    throw new AvatarPackageError(`${source}: vertex_order.json has ${files.vertexOrder.length} entries but offset.ply has ${offsets.count} Gaussians`, { source });
  }
  return { ...files, offsets };
}
