/**
 * The contract between an avatar (photo head, GLB, splat cloud, LAM package…) and the one scene module.
 * @remarks DESIGN.md §5: the scene renders a frame from (avatar, motion frame, camera, time). An avatar owns
 * its GPU resources and releases them in `dispose()` (convention 8).
 */
import type * as THREE from 'three';
import type { MotionFrame } from '../../core/motion/track.ts';

/** What an avatar is made of; `splat` and `lam` need a Spark `SparkRenderer` in the scene. */
export type AvatarKind = 'splat' | 'glb' | 'lam';

/** An avatar the scene can host: add `object3D`, call `applyFrame` before each render, `dispose` at the end. */
export interface Avatar {
  readonly kind: AvatarKind;
  /** Root object to add to the scene (three.js world axes, metres, facing +Z towards a default camera). */
  object3D: THREE.Object3D;
  /**
   * Poses the avatar for one frame of a motion track: blendshape weights by ARKit name, visemes by OVR name,
   * head rotation/translation, gaze. Pure function of the frame (no clock, no randomness).
   */
  applyFrame(frame: MotionFrame): void;
  /** World-space bounds of the avatar at rest (for auto-framing), in metres. */
  boundingBox(): THREE.Box3;
  /**
   * World-space bounds of the head at rest when the avatar is more than a head (a full- or half-body GLB), for
   * talking-head framing; absent or null when {@link boundingBox} is the head already.
   */
  focusBox?(): THREE.Box3 | null;
  /** Releases geometries, textures, splat buffers. The avatar must not be used afterwards. */
  dispose(): void;
  /**
   * Moves morph targets and skinning from the vertex shader to the CPU (renderer/avatars/cpuDeform.ts): the stage
   * calls it for a software rasteriser (SwiftShader), where it is faster. Same picture. Absent when not applicable.
   * @returns how many meshes are now deformed on the CPU.
   */
  deformOnCpu?(): number;
  /** True when rendering needs a Spark `SparkRenderer` (splat-based avatars). */
  readonly needsSpark: boolean;
}
