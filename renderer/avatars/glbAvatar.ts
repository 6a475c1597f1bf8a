/**
 * GLB avatars with ARKit and/or OVR-viseme morph targets (Ready Player Me / TalkingHead convention) and
 * optional head and eye bones, driven by a motion track by name.
 */
import * as THREE from 'three';
import { GLTFLoader, type GLTF } from 'three/addons/loaders/GLTFLoader.js';
import { AvatarPackageError } from '../../core/formats/errors.ts';
import type { MotionFrame } from '../../core/motion/track.ts';
import { applyMorphWeights, buildMorphMap, type MorphMap } from '../../core/formats/morphNames.ts';
import { findHeadRig, type HeadRig } from './rig.ts';
import type { Avatar } from './types.ts';

/** A mesh with morph targets and its name map. */
interface MorphBinding {
  mesh: THREE.Mesh;
  map: MorphMap;
}

/** What a GLB avatar offers to the track. */
export interface GlbAvatarInfo {
  /** Meshes with at least one ARKit or viseme morph. */
  morphMeshCount: number;
  /** Distinct ARKit channels found (max over meshes), out of 52. */
  arkitChannels: number;
  /** Distinct OVR visemes found (max over meshes), out of 15. */
  visemeChannels: number;
  hasHeadBone: boolean;
  hasEyeBones: boolean;
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
  private readonly restBox: THREE.Box3;
  private readonly headBox: THREE.Box3 | null;
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
    this.rig = findHeadRig(this.object3D, gltf.scene);
    this.object3D.updateMatrixWorld(true);
    this.restBox = new THREE.Box3().setFromObject(this.object3D, true);
    this.headBox = this.rig.head && this.restBox.max.y - this.restBox.min.y > BODY_MIN_HEIGHT_M ? headRegionBox(gltf.scene, this.rig.head) : null;
    this.info = { morphMeshCount: this.bindings.length, arkitChannels: arkit, visemeChannels: visemes, hasHeadBone: this.rig.head !== null, hasEyeBones: this.rig.leftEye !== null && this.rig.rightEye !== null };
  }

  applyFrame(frame: MotionFrame): void {
    for (const b of this.bindings) applyMorphWeights(b.mesh.morphTargetInfluences!, b.map, frame.blendshapes, frame.visemes);
    this.rig.apply(frame);
    this.pose.position.set(frame.headTranslationM[0] ?? 0, frame.headTranslationM[1] ?? 0, frame.headTranslationM[2] ?? 0);
    this.object3D.updateMatrixWorld(true);
  }

  boundingBox(): THREE.Box3 {
    this.object3D.updateMatrixWorld(true);
    const parent = this.object3D.parent;
    return parent ? this.restBox.clone().applyMatrix4(parent.matrixWorld) : this.restBox.clone();
  }

  focusBox(): THREE.Box3 | null {
    if (!this.headBox) return null;
    this.object3D.updateMatrixWorld(true);
    const parent = this.object3D.parent;
    return parent ? this.headBox.clone().applyMatrix4(parent.matrixWorld) : this.headBox.clone();
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
    this.pose.remove(this.gltf.scene);
  }
}

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
 * (the skull above it is ≈ 20–25 cm tall). Skinned vertices are taken in their bind pose (the rest pose).
 */
function headRegionBox(model: THREE.Object3D, head: THREE.Object3D): THREE.Box3 | null {
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
    for (let i = 0; i < pos.count; i++) {
      v.fromBufferAttribute(pos, i).applyMatrix4(m);
      if (v.y >= h.y - HEAD_BELOW_BONE_M && Math.hypot(v.x - h.x, v.z - h.z) <= HEAD_RADIUS_M) box.expandByPoint(v);
    }
  });
  return box.isEmpty() ? null : box;
}

/**
 * Parses a GLB/glTF file with three's GLTFLoader.
 * @param bytes - `.glb` bytes (embedded buffers and images only; no external URIs).
 * @param source - file name for messages.
 * @returns the parsed glTF.
 * @throws AvatarPackageError when the file is not a valid glTF 2.0 asset.
 */
export async function parseGltf(bytes: Uint8Array, source = 'GLB file'): Promise<GLTF> {
  if (bytes.length < 12) throw new AvatarPackageError(`${source} is too short to be a GLB file (${bytes.length} bytes)`, { source });
  try {
    const buf = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? (bytes.buffer as ArrayBuffer) : bytes.slice().buffer;
    return await new GLTFLoader().parseAsync(buf, '');
  } catch (err) {
    throw new AvatarPackageError(`${source} is not a readable glTF 2.0 file: ${err instanceof Error ? err.message : String(err)}`, { source }, { cause: err });
  }
}

/**
 * Loads a GLB avatar.
 * @param bytes - `.glb` bytes.
 * @param source - file name for messages.
 * @returns the avatar; `info` says which channels it can show.
 * @throws AvatarPackageError when the file is unreadable or has neither ARKit nor viseme morphs nor a head bone.
 */
export async function loadGlbAvatar(bytes: Uint8Array, source = 'GLB file'): Promise<GlbAvatar> {
  const avatar = new GlbAvatar(await parseGltf(bytes, source));
  if (avatar.info.morphMeshCount === 0 && !avatar.info.hasHeadBone) {
    avatar.dispose();
    throw new AvatarPackageError(`${source} has no ARKit or viseme morph targets and no head bone: nothing a motion track can drive`, { source });
  }
  return avatar;
}
