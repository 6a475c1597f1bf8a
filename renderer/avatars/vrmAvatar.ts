/**
 * VRM 0.x / 1.0 avatars (VRoid Hub, VTuber apps) through @pixiv/three-vrm: the track drives the VRM's own
 * expression presets by name (core/formats/vrmExpressions.ts), its look-at from our gaze, its humanoid `head` bone
 * from our head pose, its arms out of a T/A-pose (renderer/avatars/humanoidPose.ts), and its spring bones (hair,
 * cloth) step with the frames.
 *
 * @remarks Axes: VRM 1.0 models face +Z like ours; VRM 0.x models face −Z and are turned by `VRMUtils.rotateVRM0`.
 * Look-at angles (three-vrm `VRMLookAt`): yaw in degrees, + towards the model's +X (its left, as our gaze yaw);
 * pitch in degrees, + looking down (ours is + up, so it is negated). Spring bones are stateful: frames that follow
 * each other (frameIndex + 1) advance them by one frame period; any jump resets them to rest, so a still or a
 * seek renders the same picture every time.
 */
import * as THREE from 'three';
import type { GLTF } from 'three/addons/loaders/GLTFLoader.js';
import { VRMUtils, type VRM, type VRMHumanBoneName } from '@pixiv/three-vrm';
import type { MotionFrame } from '../../core/motion/track.ts';
import { vrmExpressionWeights } from '../../core/formats/vrmExpressions.ts';
import { headRotationOf, RootFramePose } from './rig.ts';
import { createBodyRig, type BodyRig } from './humanoidPose.ts';
import { boxInParentFrame, headRegionBox } from './glbAvatar.ts';
import { deformOnCpu, type CpuDeformedMesh } from './cpuDeform.ts';
import type { Avatar } from './types.ts';

/** Spring-bone time step per frame, seconds (the export's default 25 fps). */
export const VRM_SPRING_STEP_SEC = 1 / 25;

/** What a VRM avatar offers to the track. */
export interface VrmAvatarInfo {
  /** 0 for VRM 0.x, 1 for VRM 1.0. */
  vrmVersion: 0 | 1;
  /** Expression names the model defines (VRM 1.0 names). */
  expressions: string[];
  hasHeadBone: boolean;
  hasLookAt: boolean;
  springBoneJoints: number;
  loweredArms: number;
}

/** A VRM avatar. */
export class VrmAvatar implements Avatar {
  readonly kind = 'glb' as const;
  readonly needsSpark = false;
  readonly object3D = new THREE.Group();
  private readonly pose = new THREE.Group();
  private readonly head: RootFramePose | null;
  private readonly body: BodyRig;
  private readonly available: Set<string>;
  private readonly weights = new Map<string, number>();
  private readonly restBox: THREE.Box3;
  private readonly headBox: THREE.Box3 | null;
  private lastFrameIndex = Number.NaN;
  private deformers: CpuDeformedMesh[] = [];
  readonly info: VrmAvatarInfo;

  constructor(readonly gltf: GLTF, readonly vrm: VRM) {
    this.object3D.name = 'vrmAvatar';
    const isVrm0 = vrm.meta.metaVersion === '0';
    VRMUtils.rotateVRM0(vrm);
    this.pose.add(vrm.scene);
    this.object3D.add(this.pose);
    this.object3D.updateMatrixWorld(true);
    const bone = (name: VRMHumanBoneName): THREE.Object3D | null => vrm.humanoid.getNormalizedBoneNode(name);
    const headBone = bone('head');
    this.head = headBone ? new RootFramePose(headBone, this.object3D) : null;
    this.body = createBodyRig(this.object3D, { leftUpperArm: bone('leftUpperArm'), leftLowerArm: bone('leftLowerArm'), rightUpperArm: bone('rightUpperArm'), rightLowerArm: bone('rightLowerArm'), leftShoulder: bone('leftShoulder'), rightShoulder: bone('rightShoulder') });
    this.available = new Set(Object.keys(vrm.expressionManager?.expressionMap ?? {}));
    if (vrm.lookAt) vrm.lookAt.autoUpdate = false;
    // The rest pose (arms lowered) before measuring bounds.
    this.body.apply(REST_FRAME);
    vrm.update(0);
    this.object3D.updateMatrixWorld(true);
    this.restBox = new THREE.Box3().setFromObject(this.object3D, true);
    const rawHead = vrm.humanoid.getRawBoneNode('head');
    this.headBox = rawHead && this.restBox.max.y - this.restBox.min.y > 0.6 ? headRegionBox(vrm.scene, rawHead) : null;
    this.info = {
      vrmVersion: isVrm0 ? 0 : 1,
      expressions: [...this.available].sort(),
      hasHeadBone: headBone !== null,
      hasLookAt: vrm.lookAt !== undefined && vrm.lookAt !== null,
      springBoneJoints: vrm.springBoneManager?.joints.size ?? 0,
      loweredArms: this.body.loweredArms,
    };
  }

  applyFrame(frame: MotionFrame): void {
    const em = this.vrm.expressionManager;
    if (em) for (const [name, w] of vrmExpressionWeights(frame.blendshapes, frame.visemes, this.available, this.weights)) em.setValue(name, w);
    if (this.head) this.head.pose(headRotationOf(frame));
    this.body.apply(frame);
    const look = this.vrm.lookAt;
    if (look) {
      const g = frame.gazeRad;
      look.yaw = THREE.MathUtils.radToDeg(((g[0] ?? 0) + (g[2] ?? 0)) / 2);
      look.pitch = -THREE.MathUtils.radToDeg(((g[1] ?? 0) + (g[3] ?? 0)) / 2);
    }
    this.pose.position.set(frame.headTranslationM[0] ?? 0, frame.headTranslationM[1] ?? 0, frame.headTranslationM[2] ?? 0);
    const sequential = frame.frameIndex === this.lastFrameIndex + 1;
    this.lastFrameIndex = frame.frameIndex;
    this.vrm.update(sequential ? VRM_SPRING_STEP_SEC : 0);
    if (!sequential) this.vrm.springBoneManager?.reset();
    this.object3D.updateMatrixWorld(true);
    for (const d of this.deformers) d.update();
  }

  deformOnCpu(): number {
    if (!this.deformers.length) {
      this.object3D.updateMatrixWorld(true);
      // three-vrm's expressions keep writing morph weights to the original meshes, which the deformers read.
      this.deformers = deformOnCpu(this.vrm.scene);
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
    VRMUtils.deepDispose(this.vrm.scene);
    for (const d of this.deformers) d.dispose();
    this.pose.remove(this.vrm.scene);
  }
}

/** The neutral frame (rest pose). */
const REST_FRAME: MotionFrame = { frameIndex: -1, blendshapes: new Float32Array(52), visemes: new Float32Array(15), headRotation: Float32Array.of(0, 0, 0, 1), headTranslationM: new Float32Array(3), gazeRad: new Float32Array(4) };
