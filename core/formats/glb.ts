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
  /** A node is named like a head bone (`Head`, `head`, `mixamorig:Head`), or a VRM humanoid maps `head`. */
  hasHeadBone: boolean;
  /** `extensionsUsed` of the asset (glTF 2.0 §3.12), `[]` when absent. */
  extensionsUsed: string[];
  /** `extensionsRequired` of the asset: a loader must refuse the file when it lacks one of them. */
  extensionsRequired: string[];
  /** VRM avatar facts (`VRM` = VRM 0.x, `VRMC_vrm` = VRM 1.0), null for a plain glTF. */
  vrm: GlbVrmSummary | null;
}

/** What a VRM file declares (VRM 0.x `extensions.VRM`, VRM 1.0 `extensions.VRMC_vrm`). */
export interface GlbVrmSummary {
  /** `0` for VRM 0.x, `1` for VRM 1.0. */
  majorVersion: 0 | 1;
  /**
   * Expression presets it defines, in VRM 1.0 names (`aa ih ou ee oh blink blinkLeft blinkRight happy angry sad
   * relaxed surprised lookUp…`); VRM 0.x preset names are translated (`a`→`aa`, `joy`→`happy`, `fun`→`relaxed`…).
   */
  expressions: string[];
  /** Humanoid bone names it maps (`hips`, `head`, `leftUpperArm`…). */
  humanBones: string[];
}

/**
 * VRM 0.x blend shape preset names → VRM 1.0 expression names.
 * @remarks VRM 0.x spec `blendShapeMaster.blendShapeGroups[].presetName`; VRM 1.0 spec `expressions.preset`
 * (vrm-specification, "Migration from VRM 0.x": joy→happy, sorrow→sad, fun→relaxed, a/i/u/e/o→aa/ih/ou/ee/oh,
 * blink_l/blink_r→blinkLeft/blinkRight, lookup/lookdown/lookleft/lookright→lookUp…).
 */
const VRM0_PRESETS: Record<string, string> = {
  a: 'aa', i: 'ih', u: 'ou', e: 'ee', o: 'oh', blink: 'blink', blink_l: 'blinkLeft', blink_r: 'blinkRight', joy: 'happy', angry: 'angry', sorrow: 'sad', fun: 'relaxed', surprised: 'surprised', neutral: 'neutral', lookup: 'lookUp', lookdown: 'lookDown', lookleft: 'lookLeft', lookright: 'lookRight',
};

function summariseVrm(ext: Record<string, unknown> | undefined): GlbVrmSummary | null {
  const rec = (v: unknown): Record<string, unknown> | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null);
  const v1 = rec(ext?.VRMC_vrm);
  if (v1) {
    const preset = rec(rec(v1.expressions)?.preset) ?? {};
    const bones = rec(rec(v1.humanoid)?.humanBones) ?? {};
    return { majorVersion: 1, expressions: Object.keys(preset), humanBones: Object.keys(bones) };
  }
  const v0 = rec(ext?.VRM);
  if (v0) {
    const groups = rec(v0.blendShapeMaster)?.blendShapeGroups;
    const expressions = Array.isArray(groups) ? groups.map((g) => VRM0_PRESETS[String(rec(g)?.presetName ?? '').toLowerCase()]).filter((n): n is string => typeof n === 'string' && n !== 'neutral') : [];
    const humanBones = rec(v0.humanoid)?.humanBones;
    return { majorVersion: 0, expressions: [...new Set(expressions)], humanBones: Array.isArray(humanBones) ? humanBones.map((b) => String(rec(b)?.bone ?? '')).filter(Boolean) : [] };
  }
  return null;
}

interface GltfJson {
  nodes?: { name?: string; mesh?: number; skin?: number }[];
  meshes?: { name?: string; extras?: { targetNames?: unknown }; primitives?: { attributes?: Record<string, number>; targets?: unknown[] }[] }[];
  accessors?: { count?: number }[];
  asset?: { version?: string };
  extensionsUsed?: unknown;
  extensionsRequired?: unknown;
  extensions?: Record<string, unknown>;
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
  const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  const vrm = summariseVrm(json.extensions && typeof json.extensions === 'object' ? json.extensions : undefined);
  const hasHeadBone = nodeNames.some((n) => /^(mixamorig\d*:?)?head$/i.test(n)) || (vrm?.humanBones.includes('head') ?? false);
  return { meshes, nodeNames, arkitChannels, visemeChannels, hasHeadBone, extensionsUsed: strings(json.extensionsUsed), extensionsRequired: strings(json.extensionsRequired), vrm };
}
