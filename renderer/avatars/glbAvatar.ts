/**
 * GLB avatars with ARKit and/or OVR-viseme morph targets (Ready Player Me / TalkingHead convention) and
 * optional head and eye bones, driven by a motion track by name.
 */
import * as THREE from 'three';
import { GLTFLoader, type GLTF } from 'three/addons/loaders/GLTFLoader.js';
import { AvatarPackageError } from '../../core/formats/errors.ts';
import type { MotionFrame } from '../../core/motion/track.ts';
import { applyMorphWeights, buildMorphMap, type MorphMap } from '../../core/formats/morphNames.ts';
import { inspectGlb } from '../../core/formats/glb.ts';
import { undecodableGltfExtensions } from '../../core/formats/gltfExtensions.ts';
import { findHeadRig, type HeadRig } from './rig.ts';
import { createBodyRig, findArmBonesByName, type BodyRig } from './humanoidPose.ts';
import type { GltfDecoders } from './gltfDecoders.ts';
import { deformOnCpu, type CpuDeformedMesh } from './cpuDeform.ts';
import type { Avatar } from './types.ts';

/** A mesh with morph targets and its name map. */
interface MorphBinding {
  mesh: THREE.Mesh;
  map: MorphMap;
}

/** What a GLB avatar offers to the track. */
/**
 * A box given in an avatar's own frame, expressed in its parent's frame (the stage's), after updating matrices.
 * @param object - the avatar's root object.
 * @param box - box in `object`'s frame, metres.
 * @returns a new box (a copy of `box` when the object has no parent).
 */
export function boxInParentFrame(object: THREE.Object3D, box: THREE.Box3): THREE.Box3 {
  object.updateMatrixWorld(true);
  const parent = object.parent;
  return parent ? box.clone().applyMatrix4(parent.matrixWorld) : box.clone();
}

export interface GlbAvatarInfo {
  /** Meshes with at least one ARKit or viseme morph. */
  morphMeshCount: number;
  /** Distinct ARKit channels found (max over meshes), out of 52. */
  arkitChannels: number;
  /** Distinct OVR visemes found (max over meshes), out of 15. */
  visemeChannels: number;
  hasHeadBone: boolean;
  hasEyeBones: boolean;
  /** Arms lowered from a T/A pose at load (0–2). */
  loweredArms: number;
}

/** A GLB avatar. */
export class GlbAvatar implements Avatar {
  readonly kind = 'glb' as const;
  readonly needsSpark = false;
  readonly object3D = new THREE.Group();
  /** Inner group the track translates (the scene owns `object3D`'s transform). */
  private readonly pose = new THREE.Group();
  private readonly bindings: MorphBinding[] = [];
  private readonly rig: HeadRig;
  private readonly body: BodyRig;
  /** Textures downsized at load ({@link downsizeTextures}). */
  readonly texturesDownsized: number;
  private readonly restBox: THREE.Box3;
  private readonly headBox: THREE.Box3 | null;
  private deformers: CpuDeformedMesh[] = [];
  readonly info: GlbAvatarInfo;

  constructor(readonly gltf: GLTF) {
    this.object3D.name = 'glbAvatar';
    this.pose.add(gltf.scene);
    this.object3D.add(this.pose);
    let arkit = 0, visemes = 0;
    gltf.scene.traverse((o) => {
      const mesh = o as THREE.Mesh;
      if (!mesh.isMesh || !mesh.morphTargetDictionary || !mesh.morphTargetInfluences) return;
      const map = buildMorphMap(mesh.morphTargetDictionary);
      if (map.arkitCount + map.visemeCount === 0) return;
      this.bindings.push({ mesh, map });
      arkit = Math.max(arkit, map.arkitCount);
      visemes = Math.max(visemes, map.visemeCount);
    });
    this.texturesDownsized = downsizeTextures(gltf.scene);
    this.rig = findHeadRig(this.object3D, gltf.scene);
    this.body = createBodyRig(this.object3D, findArmBonesByName(gltf.scene));
    this.body.apply(REST_FRAME);
    this.object3D.updateMatrixWorld(true);
    this.restBox = new THREE.Box3().setFromObject(this.object3D, true);
    this.headBox = this.rig.head && this.restBox.max.y - this.restBox.min.y > BODY_MIN_HEIGHT_M ? headRegionBox(gltf.scene, this.rig.head) : null;
    this.info = { morphMeshCount: this.bindings.length, arkitChannels: arkit, visemeChannels: visemes, hasHeadBone: this.rig.head !== null, hasEyeBones: this.rig.leftEye !== null && this.rig.rightEye !== null, loweredArms: this.body.loweredArms };
  }

  applyFrame(frame: MotionFrame): void {
    for (const b of this.bindings) applyMorphWeights(b.mesh.morphTargetInfluences!, b.map, frame.blendshapes, frame.visemes);
    this.rig.apply(frame);
    this.body.apply(frame);
    this.pose.position.set(frame.headTranslationM[0] ?? 0, frame.headTranslationM[1] ?? 0, frame.headTranslationM[2] ?? 0);
    this.object3D.updateMatrixWorld(true);
    for (const d of this.deformers) d.update();
  }

  deformOnCpu(): number {
    if (!this.deformers.length) {
      this.object3D.updateMatrixWorld(true);
      this.deformers = deformOnCpu(this.gltf.scene);
    }
    return this.deformers.length;
  }

  boundingBox(): THREE.Box3 {
    return boxInParentFrame(this.object3D, this.restBox);
  }

  focusBox(): THREE.Box3 | null {
    return this.headBox ? boxInParentFrame(this.object3D, this.headBox) : null;
  }

  dispose(): void {
    this.gltf.scene.traverse((o) => {
      const mesh = o as THREE.Mesh;
      if (!mesh.isMesh) return;
      mesh.geometry.dispose();
      const mats = Array.isArray(mesh.material) ? mesh.material : [mesh.material];
      for (const m of mats) {
        for (const v of Object.values(m)) if (v instanceof THREE.Texture) v.dispose();
        m.dispose();
      }
    });
    (this.gltf.scene.children.find((c) => (c as THREE.SkinnedMesh).isSkinnedMesh) as THREE.SkinnedMesh | undefined)?.skeleton.dispose();
    for (const d of this.deformers) d.dispose();
    this.pose.remove(this.gltf.scene);
  }
}

/** Textures larger than this (px, longer side) are downsized at load: a head-framed export ≤ 1024² shows a face atlas at ≤ ½ of it. */
export const AVATAR_TEXTURE_MAX_SIDE_PX = 1024;

/**
 * Downsizes the (uncompressed) textures of a loaded avatar to at most {@link AVATAR_TEXTURE_MAX_SIDE_PX}: less upload
 * and mipmap work and memory (bench/avatar.ts: a Ready Player Me–sized avatar with seven 2048² textures, first frame
 * 7.5 → 5.7 s in SwiftShader), and no visible change at talking-head sizes.
 * @param model - the loaded glTF scene (textures changed in place; KTX2/compressed textures are left alone).
 * @returns how many textures were downsized.
 */
export function downsizeTextures(model: THREE.Object3D): number {
  const seen = new Set<THREE.Texture>();
  let count = 0;
  model.traverse((o) => {
    const mesh = o as THREE.Mesh;
    if (!mesh.isMesh) return;
    for (const m of Array.isArray(mesh.material) ? mesh.material : [mesh.material]) {
      for (const t of Object.values(m)) {
        if (!(t instanceof THREE.Texture) || (t as THREE.CompressedTexture).isCompressedTexture || seen.has(t)) continue;
        seen.add(t);
        const img = t.image as { width?: number; height?: number } | null;
        const w = img?.width ?? 0, h = img?.height ?? 0;
        const scale = AVATAR_TEXTURE_MAX_SIDE_PX / Math.max(w, h);
        if (!(scale < 1) || typeof OffscreenCanvas === 'undefined') continue;
        const canvas = new OffscreenCanvas(Math.max(1, Math.round(w * scale)), Math.max(1, Math.round(h * scale)));
        const ctx = canvas.getContext('2d');
        if (!ctx) continue;
        ctx.imageSmoothingQuality = 'high';
        ctx.drawImage(t.image as CanvasImageSource, 0, 0, canvas.width, canvas.height);
        (t.image as { close?: () => void }).close?.();
        t.image = canvas;
        t.needsUpdate = true;
        count++;
      }
    }
  });
  return count;
}

/** The neutral frame (rest pose) used to pose the body before measuring its bounds. */
const REST_FRAME: MotionFrame = { frameIndex: 0, blendshapes: new Float32Array(52), visemes: new Float32Array(15), headRotation: Float32Array.of(0, 0, 0, 1), headTranslationM: new Float32Array(3), gazeRad: new Float32Array(4) };

/** A GLB taller than this (metres, glTF's unit) is more than a head: framing then focuses on the head. */
const BODY_MIN_HEIGHT_M = 0.6;
/** Head region around the head bone: vertices at most this far below it … */
const HEAD_BELOW_BONE_M = 0.06;
/** … and within this horizontal radius of it (shoulders and arms stay out). */
const HEAD_RADIUS_M = 0.16;

/**
 * Bounds of the head of a body avatar at rest: the vertices above (head bone − 6 cm) within 16 cm of the bone
 * horizontally, in the avatar root's frame.
 * @remarks Heuristic for Ready Player Me / Mixamo-style rigs, whose `Head` joint sits at the top of the neck
 * (the skull above it is ≈ 20–25 cm tall). Vertices are taken in the current pose (call it at rest).
 * @param model - the loaded scene (its parent is the frame the box is given in).
 * @param head - the head bone.
 * @returns the box in the parent's frame, metres, or null when no vertex is near the head.
 */
export function headRegionBox(model: THREE.Object3D, head: THREE.Object3D): THREE.Box3 | null {
  model.updateMatrixWorld(true);
  const root = model.parent ?? model;
  const toRoot = new THREE.Matrix4().copy(root.matrixWorld).invert();
  const h = head.getWorldPosition(new THREE.Vector3()).applyMatrix4(toRoot);
  const box = new THREE.Box3();
  const v = new THREE.Vector3();
  const m = new THREE.Matrix4();
  model.traverse((o) => {
    const mesh = o as THREE.Mesh;
    if (!mesh.isMesh) return;
    const pos = mesh.geometry.getAttribute('position');
    if (!pos) return;
    m.multiplyMatrices(toRoot, mesh.matrixWorld);
    (mesh as THREE.SkinnedMesh).skeleton?.update();
    // getVertexPosition applies morphs and, for a skinned mesh, its skeleton and bind matrix (quantized or
    // compressed files keep their dequantisation there, not in the raw attribute).
    for (let i = 0; i < pos.count; i++) {
      mesh.getVertexPosition(i, v).applyMatrix4(m);
      if (v.y >= h.y - HEAD_BELOW_BONE_M && Math.hypot(v.x - h.x, v.z - h.z) <= HEAD_RADIUS_M) box.expandByPoint(v);
    }
  });
  return box.isEmpty() ? null : box;
}

/** Extensions whose decoding needs a decoder the page must be given, with what is missing when it is not. */
const DECODER_EXTENSIONS: Record<string, string> = {
  EXT_meshopt_compression: 'the meshopt decoder',
  KHR_meshopt_compression: 'the meshopt decoder',
  KHR_draco_mesh_compression: 'the Draco decoder',
  KHR_texture_basisu: 'the KTX2 (Basis Universal) transcoder',
};

/**
 * Parses a GLB/glTF file with three's GLTFLoader.
 * @param bytes - `.glb` bytes (embedded buffers and images only; no external URIs).
 * @param source - file name for messages.
 * @param decoders - meshopt/Draco/KTX2 decoders and the VRM plugin (renderer/avatars/gltfDecoders.ts); without
 * them only uncompressed files load.
 * @returns the parsed glTF (`userData.vrm` set for a VRM file when `decoders` were given).
 * @throws AvatarPackageError when the file is not a valid glTF 2.0 asset, or requires an extension that cannot
 * be decoded here (the extension is named in the message and in `details.extensions`).
 */
export async function parseGltf(bytes: Uint8Array, source = 'GLB file', decoders: GltfDecoders | null = null): Promise<GLTF> {
  if (bytes.length < 12) throw new AvatarPackageError(`${source} is too short to be a GLB file (${bytes.length} bytes)`, { source });
  const isGlb = bytes[0] === 0x67 && bytes[1] === 0x6c && bytes[2] === 0x54 && bytes[3] === 0x46;
  let used: string[] = [];
  if (isGlb) {
    const summary = inspectGlb(bytes, source);
    const undecodable = undecodableGltfExtensions(summary.extensionsRequired);
    if (undecodable.length) throw new AvatarPackageError(`${source} requires the glTF extension${undecodable.length > 1 ? 's' : ''} ${undecodable.join(', ')}, which Avatar Studio cannot decode`, { source, extensions: undecodable });
    used = summary.extensionsUsed;
    const needs = used.filter((e) => e in DECODER_EXTENSIONS && (!decoders || (e === 'KHR_texture_basisu' && !decoders.hasKtx2)));
    // KHR_texture_basisu may be optional (a PNG fallback); compressed geometry never is.
    const blocking = needs.filter((e) => e !== 'KHR_texture_basisu' || summary.extensionsRequired.includes(e));
    if (blocking.length) throw new AvatarPackageError(`${source} uses ${blocking.join(', ')}, but this page has no ${blocking.map((e) => DECODER_EXTENSIONS[e]).join(' / ')}`, { source, extensions: blocking });
  }
  try {
    const buf = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? (bytes.buffer as ArrayBuffer) : bytes.slice().buffer;
    return await (decoders ? decoders.createLoader() : new GLTFLoader()).parseAsync(buf, '');
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const compressed = used.filter((e) => e in DECODER_EXTENSIONS);
    const which = compressed.length ? ` (while decoding ${compressed.join(', ')})` : '';
    throw new AvatarPackageError(`${source} is not a readable glTF 2.0 file${which}: ${message}`, { source, extensions: compressed }, { cause: err });
  }
}
