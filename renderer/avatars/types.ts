/**
 * The contract between an avatar (photo head, GLB, splat cloud, LAM package…) and the one scene module.
 * @remarks DESIGN.md §5: the scene renders a frame from (avatar, motion frame, camera, time). An avatar owns
 * its GPU resources and releases them in `dispose()` (convention 8).
 */
import type * as THREE from 'three';
import type { MotionFrame } from '../../core/motion/track.ts';

/** What an avatar is made of; `splat` and `lam` need a Spark `SparkRenderer` in the scene. */
export type AvatarKind = 'splat' | 'glb' | 'lam';

/** See {@link Avatar.restView}. */
export interface AvatarRestView {
  /** Vertical field of view, degrees. */
  fovDeg: number;
  /** Orbit centre (the head's centre), world metres. */
  orbitPivotM: THREE.Vector3;
  /** Near and far clip distances, metres. */
  nearM: number;
  farM: number;
}

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
  /**
   * The camera the avatar was made for, when it was made from one photo (the photo head as splats): the photo's own
   * camera at the world origin looking down −Z with this vertical field of view, orbiting about `orbitPivotM`. The
   * stage then shows the same picture as the mesh photo head instead of framing {@link boundingBox}.
   */
  restView?(): AvatarRestView | null;
  /** Releases geometries, textures, splat buffers. The avatar must not be used afterwards. */
  dispose(): void;
  /**
   * Moves morph targets and skinning from the vertex shader to the CPU (renderer/avatars/cpuDeform.ts): the stage
   * calls it for a software rasteriser (SwiftShader), where it is faster. Same picture. Absent when not applicable.
   * @returns how many meshes are now deformed on the CPU.
   */
  deformOnCpu?(): number;
  /**
   * Where Spark cuts each Gaussian off, in standard deviations (Spark's `maxStdDev`, default √8); absent: Spark's
   * default. An avatar whose Gaussians overlap densely can cut earlier at no visible cost and fewer fragments.
   */
  readonly splatMaxStdDev?: number;
  /**
   * The falloff of each Gaussian's opacity: `1 − (1 − g)^power` of the Gaussian g (renderer/avatars/sparkHost.ts
   * `falloffPowerFragmentShader`); absent or 1: Spark's own Gaussian. A flatter top lets a dense splat surface close
   * with smaller splats.
   */
  readonly splatFalloffPower?: number;
  /**
   * Spark's `blurAmount` for this avatar: px² added to every splat's 2D covariance (its opacity scaled down to keep
   * the splat's mass), an anti-aliasing filter for sub-pixel splats; absent: Spark's default (0.3).
   */
  readonly splatBlurPx2?: number;
  /**
   * Parts of {@link object3D} (its direct children) that no frame moves — only the camera does: the photo
   * background plate, the splats of the body that stays. On a software rasteriser the stage draws them once per view
   * into a cached picture and each frame draws that picture plus the rest (see renderer/avatars/staticLayer.ts).
   */
  staticParts?(): THREE.Object3D[];
  /**
   * View-dependent updates of a splat avatar before Spark generates and sorts its splats for `camera` (called by the
   * stage after {@link applyFrame}, once per frame drawn): e.g. Gaussians the view does not need left out.
   */
  prepareForView?(camera: THREE.Camera): void;
  /** True when rendering needs a Spark `SparkRenderer` (splat-based avatars). */
  readonly needsSpark: boolean;
}
