/**
 * LAM avatars: one Gaussian per vertex of a morphable head mesh, driven by ARKit weights by name.
 *
 * @remarks
 * Package facts: /work/shared/specs/lam-avatar.md (from aigc3d/LAM and LAM_WebRender). Gaussian i sits at
 * `neutral_i + Σ_k w_k · morphDelta_k[i] + offset_i` in the skin mesh's space, then the HEAD bone's skinning
 * transform moves all Gaussians rigidly (the reference renderer dropped per-vertex skinning). Weights are by
 * ARKit name (51 morphs, no `tongueOut`, in no fixed order) and are not clamped. Centres are recomputed on the
 * CPU each frame (N·(3 + 3·active morphs) multiply-adds; 20 k Gaussians × 51 morphs ≈ 3 M) and re-uploaded.
 */
import * as THREE from 'three';
import { SplatMesh, utils as sparkUtils } from '@sparkjsdev/spark';
import { AvatarPackageError } from '../../core/formats/errors.ts';
import type { LamPackage } from '../../core/formats/lamZip.ts';
import { ARKIT_BLENDSHAPE_COUNT } from '../../core/motion/names.ts';
import type { MotionFrame } from '../../core/motion/track.ts';
import { parseGltf } from './glbAvatar.ts';
import { buildMorphMap } from '../../core/formats/morphNames.ts';
import { findHeadRig, type HeadRig } from './rig.ts';
import { packSplats } from './splatAvatar.ts';
import type { Avatar } from './types.ts';
import type { GLTF } from 'three/addons/loaders/GLTFLoader.js';

/** A LAM Gaussian head. */
export class LamAvatar implements Avatar {
  readonly kind = 'lam' as const;
  readonly needsSpark = true;
  readonly object3D = new THREE.Group();
  private readonly pose = new THREE.Group();
  readonly splats: SplatMesh;
  readonly gaussianCount: number;
  /** ARKit channels found among the skin mesh's morphs (51 in a real package). */
  readonly arkitChannels: number;
  private readonly base: Float32Array;
  private readonly offsets: Float32Array;
  private readonly deltas: (Float32Array | null)[];
  private readonly centers: Float32Array;
  private readonly packed: Uint32Array;
  private readonly rig: HeadRig;
  private readonly restBox: THREE.Box3;
  private readonly tmp = new THREE.Matrix4();
  private readonly rootInv = new THREE.Matrix4();

  constructor(
    readonly gltf: GLTF,
    readonly skin: THREE.SkinnedMesh | THREE.Mesh,
    pkg: LamPackage,
  ) {
    this.object3D.name = 'lamAvatar';
    const n = pkg.offsets.count;
    this.gaussianCount = n;
    const geo = skin.geometry;
    this.base = Float32Array.from((geo.getAttribute('position') as THREE.BufferAttribute).array as ArrayLike<number>);
    this.offsets = pkg.offsets.positions;
    const map = buildMorphMap(skin.morphTargetDictionary ?? {});
    this.arkitChannels = map.arkitCount;
    const morphs = geo.morphAttributes.position ?? [];
    const relative = geo.morphTargetsRelative;
    this.deltas = Array.from({ length: ARKIT_BLENDSHAPE_COUNT }, (_, k) => {
      const m = map.arkit[k]!;
      const attr = m >= 0 ? morphs[m] : undefined;
      if (!attr) return null;
      const arr = Float32Array.from(attr.array as ArrayLike<number>);
      if (!relative) for (let i = 0; i < arr.length; i++) arr[i]! -= this.base[i]!;
      return arr;
    });
    this.centers = new Float32Array(n * 3);
    const splatData = { ...pkg.offsets, positions: this.centers };
    this.computeCenters(new Float32Array(ARKIT_BLENDSHAPE_COUNT));
    const packed = packSplats(splatData);
    this.packed = packed.packedArray!;
    this.splats = new SplatMesh({ packedSplats: packed });
    this.splats.matrixAutoUpdate = false;
    skin.visible = false;
    this.pose.add(gltf.scene);
    this.pose.add(this.splats);
    this.object3D.add(this.pose);
    this.rig = findHeadRig(this.object3D, gltf.scene);
    this.updateSplatMatrix();
    const box = new THREE.Box3();
    const v = new THREE.Vector3();
    for (let i = 0; i < n; i++) box.expandByPoint(v.fromArray(this.centers, i * 3));
    this.restBox = box.applyMatrix4(this.splats.matrix);
  }

  /** centres = neutral + Σ w·delta + offset (mesh space). */
  private computeCenters(weights: ArrayLike<number>): void {
    const c = this.centers;
    const b = this.base, o = this.offsets;
    for (let i = 0; i < c.length; i++) c[i] = b[i]! + o[i]!;
    for (let k = 0; k < this.deltas.length; k++) {
      const d = this.deltas[k];
      const w = weights[k] ?? 0;
      if (!d || w === 0) continue;
      for (let i = 0; i < c.length; i++) c[i]! += w * d[i]!;
    }
  }

  /** Splat mesh transform = root⁻¹ · skin.matrixWorld · bindMatrixInverse · head.matrixWorld · head.boneInverse · bindMatrix. */
  private updateSplatMatrix(): void {
    this.object3D.updateMatrixWorld(true);
    const skinned = this.skin as THREE.SkinnedMesh;
    const m = this.tmp.copy(this.skin.matrixWorld);
    const head = this.rig.head as THREE.Bone | null;
    const j = head && skinned.isSkinnedMesh ? skinned.skeleton.bones.indexOf(head) : -1;
    if (j >= 0) {
      m.multiply(skinned.bindMatrixInverse).multiply(head!.matrixWorld).multiply(skinned.skeleton.boneInverses[j]!).multiply(skinned.bindMatrix);
    }
    this.rootInv.copy(this.pose.matrixWorld).invert();
    this.splats.matrix.copy(this.rootInv).multiply(m);
    this.splats.matrixWorldNeedsUpdate = true;
    this.pose.updateMatrixWorld(true);
  }

  applyFrame(frame: MotionFrame): void {
    this.computeCenters(frame.blendshapes);
    const c = this.centers;
    for (let i = 0; i < this.gaussianCount; i++) sparkUtils.setPackedSplatCenter(this.packed, i, c[i * 3]!, c[i * 3 + 1]!, c[i * 3 + 2]!);
    this.splats.packedSplats!.needsUpdate = true;
    this.splats.updateVersion();
    this.rig.apply(frame);
    this.pose.position.set(frame.headTranslationM[0] ?? 0, frame.headTranslationM[1] ?? 0, frame.headTranslationM[2] ?? 0);
    this.updateSplatMatrix();
  }

  boundingBox(): THREE.Box3 {
    this.object3D.updateMatrixWorld(true);
    const parent = this.object3D.parent;
    return parent ? this.restBox.clone().applyMatrix4(parent.matrixWorld) : this.restBox.clone();
  }

  dispose(): void {
    this.pose.remove(this.splats);
    this.splats.dispose();
    this.gltf.scene.traverse((o) => {
      const mesh = o as THREE.Mesh;
      if (!mesh.isMesh) return;
      mesh.geometry.dispose();
      (Array.isArray(mesh.material) ? mesh.material : [mesh.material]).forEach((m) => m.dispose());
    });
    this.pose.remove(this.gltf.scene);
  }
}

/**
 * Builds a LAM avatar from a parsed package.
 * @param pkg - from `parseLamZip` (core/formats/lamZip.ts).
 * @param source - file name for messages.
 * @returns the avatar with its Spark mesh initialised.
 * @throws AvatarPackageError when skin.glb is unreadable, has no mesh whose vertex count equals the Gaussian
 * count, or has no ARKit morph targets.
 */
export async function createLamAvatar(pkg: LamPackage, source = 'LAM package'): Promise<LamAvatar> {
  const gltf = await parseGltf(pkg.skinGlb, `${source}/skin.glb`);
  const meshes: (THREE.Mesh | THREE.SkinnedMesh)[] = [];
  gltf.scene.traverse((o) => {
    if ((o as THREE.Mesh).isMesh) meshes.push(o as THREE.Mesh);
  });
  const skin = meshes.find((m) => m.geometry.getAttribute('position')?.count === pkg.offsets.count);
  if (!skin) {
    throw new AvatarPackageError(`${source}: skin.glb has no mesh with ${pkg.offsets.count} vertices (one per Gaussian in offset.ply); its meshes have ${meshes.map((m) => m.geometry.getAttribute('position')?.count ?? 0).join(', ') || 'none'}`, { source });
  }
  const avatar = new LamAvatar(gltf, skin, pkg);
  if (avatar.arkitChannels === 0) {
    avatar.dispose();
    throw new AvatarPackageError(`${source}: skin.glb has no ARKit-named morph targets`, { source });
  }
  await avatar.splats.initialized;
  return avatar;
}
