/**
 * Static splat avatars: a decoded {@link SplatData} (or a `.ksplat`/`.sog` file Spark decodes) as a Spark
 * `SplatMesh`, posed rigidly by the track's head rotation and translation.
 */
import * as THREE from 'three';
import { PackedSplats, SplatFileType, SplatMesh, utils as sparkUtils } from '@sparkjsdev/spark';
import { detectSplatFileKind, parseSplatFile, SPLAT_SOURCE_FRAMES, type SplatFileKind } from '../../core/formats/detect.ts';
import { splatBounds, type SplatData } from '../../core/formats/splatData.ts';
import type { MotionFrame } from '../../core/motion/track.ts';
import { headRotationOf } from './rig.ts';
import type { Avatar } from './types.ts';

/** Spark's texture row width in splats: packed arrays are allocated in multiples of it. */
const SPARK_TEX_WIDTH = 2048;

/**
 * Encodes a decoded cloud into Spark's packed 16-byte-per-splat layout.
 * @param data - cloud in three.js axes (`frame === 'three'`).
 * @returns a `PackedSplats` holding `data.count` splats (centres as float16, log-scales and colour as u8).
 * @throws Error when `data.frame` is not `three` (orientation must be converted by the parser).
 */
export function packSplats(data: SplatData): PackedSplats {
  if (data.frame !== 'three') throw new Error('packSplats: convert the cloud to three.js axes first (toThreeFrame)');
  const n = data.count;
  const packedArray = new Uint32Array(Math.max(1, Math.ceil(n / SPARK_TEX_WIDTH)) * SPARK_TEX_WIDTH * 4);
  const { positions: p, scales: s, rotations: q, colors: c, opacities: o } = data;
  for (let i = 0; i < n; i++) {
    sparkUtils.setPackedSplat(packedArray, i, p[i * 3]!, p[i * 3 + 1]!, p[i * 3 + 2]!, s[i * 3]!, s[i * 3 + 1]!, s[i * 3 + 2]!, q[i * 4]!, q[i * 4 + 1]!, q[i * 4 + 2]!, q[i * 4 + 3]!, o[i]!, c[i * 3]!, c[i * 3 + 1]!, c[i * 3 + 2]!);
  }
  return new PackedSplats({ packedArray, numSplats: n });
}

/** A posable rigid splat cloud. */
class RigidSplatAvatar implements Avatar {
  readonly kind = 'splat' as const;
  readonly needsSpark = true;
  readonly object3D = new THREE.Group();
  private readonly pose = new THREE.Group();
  private readonly q = new THREE.Quaternion();
  constructor(
    readonly mesh: SplatMesh,
    private readonly restBox: THREE.Box3,
    private readonly pivot: THREE.Vector3,
  ) {
    this.object3D.name = 'splatAvatar';
    // pose group sits at the pivot (neck); the mesh is offset so it stays in place at rest.
    this.pose.position.copy(pivot);
    mesh.position.sub(pivot);
    this.pose.add(mesh);
    this.object3D.add(this.pose);
  }
  applyFrame(frame: MotionFrame): void {
    this.pose.quaternion.copy(headRotationOf(frame, this.q));
    this.pose.position.set(this.pivot.x + (frame.headTranslationM[0] ?? 0), this.pivot.y + (frame.headTranslationM[1] ?? 0), this.pivot.z + (frame.headTranslationM[2] ?? 0));
  }
  boundingBox(): THREE.Box3 {
    this.object3D.updateMatrixWorld(true);
    return this.restBox.clone().applyMatrix4(this.object3D.matrixWorld);
  }
  dispose(): void {
    this.pose.remove(this.mesh);
    this.mesh.dispose();
  }
}

/** Head pivot for a bare splat cloud: centred in x/z, 35 % of the height below the centre (about the neck). */
function neckPivot(box: THREE.Box3): THREE.Vector3 {
  const c = box.getCenter(new THREE.Vector3());
  const h = box.max.y - box.min.y;
  return new THREE.Vector3(c.x, c.y - 0.35 * h, c.z);
}

/**
 * Wraps a decoded cloud as an avatar.
 * @param data - cloud in three.js axes.
 * @param trimFraction - fraction of outlying centres ignored by the framing box (default 0.005).
 * @returns the avatar, its Spark mesh initialised.
 */
export async function createSplatAvatar(data: SplatData, trimFraction = 0.005): Promise<Avatar & { mesh: SplatMesh; splatCount: number }> {
  const mesh = new SplatMesh({ packedSplats: packSplats(data) });
  await mesh.initialized;
  const b = splatBounds(data.positions, data.count > 1000 ? trimFraction : 0);
  const box = new THREE.Box3(new THREE.Vector3(...b.min), new THREE.Vector3(...b.max));
  const avatar = new RigidSplatAvatar(mesh, box, neckPivot(box));
  return Object.assign(avatar, { splatCount: data.count });
}

const SPARK_TYPES: Partial<Record<SplatFileKind, SplatFileType>> = { ksplat: SplatFileType.KSPLAT, sog: SplatFileType.PCSOGSZIP };

/**
 * Orients a mesh that Spark decoded itself: the ONE orientation conversion for `.ksplat` / `.sog` sources.
 * @param mesh - Spark mesh straight from its loader (file axes).
 * @param kind - the file kind.
 */
export function orientSparkDecodedMesh(mesh: SplatMesh, kind: SplatFileKind): void {
  // OpenCV (RDF) → three.js (RUB) is a 180° turn about X: quaternion (1, 0, 0, 0).
  if (SPLAT_SOURCE_FRAMES[kind] === 'opencv') mesh.quaternion.set(1, 0, 0, 0);
}

/**
 * Loads any supported splat file as an avatar: `.ply`, `.splat`, `.spz` through our parsers (validated,
 * clear errors), `.ksplat` and `.sog` through Spark's loaders.
 * @param bytes - file contents.
 * @param fileName - name with extension.
 * @returns the avatar.
 * @throws the parsers' SplatFormatError subclasses; Spark's loader error for a bad `.ksplat`/`.sog`.
 */
export async function loadSplatAvatar(bytes: Uint8Array, fileName: string): Promise<Avatar & { splatCount: number }> {
  const kind = detectSplatFileKind(bytes, fileName);
  const fileType = SPARK_TYPES[kind];
  if (!fileType) return createSplatAvatar(parseSplatFile(bytes, fileName));
  const mesh = new SplatMesh({ fileBytes: bytes.slice().buffer, fileType, fileName });
  await mesh.initialized;
  orientSparkDecodedMesh(mesh, kind);
  mesh.updateMatrix();
  const box = mesh.getBoundingBox(true).applyMatrix4(mesh.matrix);
  const avatar = new RigidSplatAvatar(mesh, box, neckPivot(box));
  return Object.assign(avatar, { splatCount: mesh.numSplats });
}
