/**
 * GLB container inspection without a renderer: what a glTF avatar offers a motion track (morph target names,
 * joints, vertex counts). Lets the CLI and the import dialog refuse an unusable file before any WebGL work.
 *
 * @remarks Khronos glTF 2.0 §4.4 "GLB File Format Specification": 12-byte header (`magic 0x46546C67 "glTF"`,
 * `version 2`, `length`), then chunks `{length u32, type u32, data}` — first JSON (`0x4E4F534A`), then an
 * optional BIN (`0x004E4942`). Morph target names are not in the core spec; the common convention (and LAM's)
 * is `mesh.extras.targetNames`.
 */
import { strFromU8 } from 'fflate';
import { AvatarPackageError } from './errors.ts';
import { buildMorphMap } from './morphNames.ts';

/** One mesh of the file. */
export interface GlbMeshSummary {
  name: string;
  /** POSITION accessor count of the first primitive. */
  vertexCount: number;
  /** Morph target names (`extras.targetNames`), `[]` when unnamed or absent. */
  morphNames: string[];
  /** Morph target count of the first primitive. */
  morphCount: number;
  skinned: boolean;
}

/** Summary of a GLB file. */
export interface GlbSummary {
  meshes: GlbMeshSummary[];
  /** Names of all nodes (joints included). */
  nodeNames: string[];
  /** Most ARKit channels any mesh maps by name (0..52). */
  arkitChannels: number;
  /** Most OVR visemes any mesh maps by name (0..15). */
  visemeChannels: number;
  /** A node is named like a head bone (`Head`, `head`, `mixamorig:Head`). */
  hasHeadBone: boolean;
}

interface GltfJson {
  nodes?: { name?: string; mesh?: number; skin?: number }[];
  meshes?: { name?: string; extras?: { targetNames?: unknown }; primitives?: { attributes?: Record<string, number>; targets?: unknown[] }[] }[];
  accessors?: { count?: number }[];
  asset?: { version?: string };
}

/**
 * Finds the first `uri` in a glTF document that is not a `data:` URI: buffers, images, and any extension object
 * (the whole JSON tree is searched), so that loading the file can never reach the network or the disk.
 * @param json - parsed glTF JSON.
 * @returns where (JSON path, e.g. `buffers[0]`) and the URI, or null when every URI is `data:`.
 * @remarks glTF 2.0 §3.6.1 (buffers) and §3.8.2 (images): `uri` may be a relative path, an absolute URL or a
 * `data:` URI; a GLB's own data lives in its binary chunk and needs no `uri`.
 */
export function findExternalUri(json: unknown): { where: string; uri: string } | null {
  const stack: { v: unknown; where: string }[] = [{ v: json, where: '' }];
  while (stack.length) {
    const { v, where } = stack.pop()!;
    if (Array.isArray(v)) v.forEach((x, i) => stack.push({ v: x, where: `${where}[${i}]` }));
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'uri' && typeof x === 'string' && !/^data:/i.test(x.trim())) return { where: where || 'the document', uri: x };
        if (x && typeof x === 'object') stack.push({ v: x, where: where ? `${where}.${k}` : k });
      }
    }
  }
  return null;
}

/**
 * Reads a GLB's JSON chunk and summarises it.
 * @param bytes - `.glb` file.
 * @param source - file name for messages.
 * @returns meshes, morph names, node names and channel counts.
 * @throws AvatarPackageError for a wrong magic/version, a chunk running past the end, invalid JSON, or a `uri`
 * that is not a `data:` URI (see {@link findExternalUri}).
 */
export function inspectGlb(bytes: Uint8Array, source = 'GLB file'): GlbSummary {
  if (bytes.length < 20) throw new AvatarPackageError(`${source} is too short to be a GLB file (${bytes.length} bytes)`, { source });
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dv.getUint32(0, true) !== 0x46546c67) throw new AvatarPackageError(`${source} is not a GLB file (magic is not "glTF")`, { source });
  const version = dv.getUint32(4, true);
  if (version !== 2) throw new AvatarPackageError(`${source}: GLB version ${version} is not supported (2 is)`, { source });
  const declared = dv.getUint32(8, true);
  if (declared > bytes.length) throw new AvatarPackageError(`${source}: GLB header declares ${declared} bytes but the file has ${bytes.length} (truncated)`, { source });
  const jsonLen = dv.getUint32(12, true);
  if (dv.getUint32(16, true) !== 0x4e4f534a) throw new AvatarPackageError(`${source}: first GLB chunk is not JSON`, { source });
  if (20 + jsonLen > bytes.length) throw new AvatarPackageError(`${source}: GLB JSON chunk (${jsonLen} bytes) runs past the end of the file`, { source });
  let json: GltfJson;
  try {
    json = JSON.parse(strFromU8(bytes.subarray(20, 20 + jsonLen))) as GltfJson;
  } catch (err) {
    throw new AvatarPackageError(`${source}: GLB JSON chunk is not valid JSON`, { source }, { cause: err });
  }
  if (typeof json !== 'object' || json === null || !Array.isArray(json.meshes ?? [])) throw new AvatarPackageError(`${source}: GLB JSON is not a glTF document`, { source });
  const external = findExternalUri(json);
  if (external) throw new AvatarPackageError(`${source}: ${external.where} refers to an outside resource (${external.uri.slice(0, 80)}); only self-contained GLBs (binary chunk or data: URIs) are accepted`, { source, uri: external.uri.slice(0, 200) });
  const nodes = Array.isArray(json.nodes) ? json.nodes : [];
  const skinnedMeshes = new Set(nodes.filter((n) => n && typeof n.mesh === 'number' && typeof n.skin === 'number').map((n) => n.mesh));
  const meshes: GlbMeshSummary[] = (json.meshes ?? []).map((m, i) => {
    const prim = Array.isArray(m?.primitives) ? m.primitives[0] : undefined;
    const posAcc = prim?.attributes?.POSITION;
    const names = m?.extras?.targetNames;
    return {
      name: typeof m?.name === 'string' ? m.name : `mesh${i}`,
      vertexCount: typeof posAcc === 'number' ? Number(json.accessors?.[posAcc]?.count ?? 0) : 0,
      morphNames: Array.isArray(names) ? names.filter((s): s is string => typeof s === 'string') : [],
      morphCount: Array.isArray(prim?.targets) ? prim.targets.length : 0,
      skinned: skinnedMeshes.has(i),
    };
  });
  let arkitChannels = 0, visemeChannels = 0;
  for (const m of meshes) {
    const map = buildMorphMap(Object.fromEntries(m.morphNames.map((n, k) => [n, k])));
    arkitChannels = Math.max(arkitChannels, map.arkitCount);
    visemeChannels = Math.max(visemeChannels, map.visemeCount);
  }
  const nodeNames = nodes.map((n) => (typeof n?.name === 'string' ? n.name : ''));
  return { meshes, nodeNames, arkitChannels, visemeChannels, hasHeadBone: nodeNames.some((n) => /^(mixamorig\d*:?)?head$/i.test(n)) };
}
