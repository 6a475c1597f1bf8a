/**
 * Head and eye posing shared by every avatar kind: reads a motion frame's head rotation, translation and gaze.
 * @remarks Axes (DESIGN.md §3 and core/motion/track.ts): avatars face +Z (towards the default camera);
 * head rotation is a quaternion in that frame; gaze +yaw looks to the subject's left (+X), +pitch looks up
 * (+Y), i.e. an eye rotation of Euler('YXZ')(x = −pitch, y = yaw).
 */
import * as THREE from 'three';
import type { MotionFrame } from '../../core/motion/track.ts';

/**
 * The frame's head rotation as a unit quaternion (identity when the stored one is zero or not finite).
 * @param frame - motion frame (`headRotation` xyzw).
 * @param out - target quaternion.
 * @returns `out`.
 */
export function headRotationOf(frame: MotionFrame, out = new THREE.Quaternion()): THREE.Quaternion {
  const r = frame.headRotation;
  const x = r[0] ?? 0, y = r[1] ?? 0, z = r[2] ?? 0, w = r[3] ?? 1;
  const len = Math.hypot(x, y, z, w);
  return len > 1e-8 && Number.isFinite(len) ? out.set(x / len, y / len, z / len, w / len) : out.identity();
}

/**
 * Rotation of an eye for a gaze direction.
 * @param yawRad - +yaw looks to the subject's left.
 * @param pitchRad - +pitch looks up.
 * @param out - target quaternion.
 * @returns `out`.
 */
export function gazeRotation(yawRad: number, pitchRad: number, out = new THREE.Quaternion()): THREE.Quaternion {
  return out.setFromEuler(new THREE.Euler(-pitchRad, yawRad, 0, 'YXZ'));
}

/** A bone posed by a rotation given in the avatar root's frame, keeping its rest pose (heads, eyes, arms). */
export class RootFramePose {
  private readonly restLocal: THREE.Quaternion;
  /** Parent's rest orientation relative to the avatar root. */
  private readonly parentInRoot: THREE.Quaternion;
  private readonly parentInRootInv: THREE.Quaternion;
  constructor(readonly bone: THREE.Object3D, root: THREE.Object3D) {
    root.updateMatrixWorld(true);
    this.restLocal = bone.quaternion.clone();
    const rootQ = root.getWorldQuaternion(new THREE.Quaternion());
    const parentQ = bone.parent ? bone.parent.getWorldQuaternion(new THREE.Quaternion()) : new THREE.Quaternion();
    this.parentInRoot = rootQ.invert().multiply(parentQ);
    this.parentInRootInv = this.parentInRoot.clone().invert();
  }
  /** Sets local = parent⁻¹ · delta · parent · rest (delta expressed in root axes). */
  pose(deltaInRoot: THREE.Quaternion): void {
    this.bone.quaternion.copy(this.parentInRootInv).multiply(deltaInRoot).multiply(this.parentInRoot).multiply(this.restLocal);
  }
  /** Back to the rest rotation. */
  reset(): void {
    this.bone.quaternion.copy(this.restLocal);
  }
}

/** Bone name patterns (Mixamo, Ready Player Me, VRM-ish, LAM's lowercase `head`). */
const HEAD_RE = /^(mixamorig\d*:?)?head$/i;
const LEFT_EYE_RE = /^(mixamorig\d*:?)?(left_?eye|eye_?l(eft)?|eyeleft)$/i;
const RIGHT_EYE_RE = /^(mixamorig\d*:?)?(right_?eye|eye_?r(ight)?|eyeright)$/i;

/** Head/eye rig found in a loaded model. */
export interface HeadRig {
  head: THREE.Object3D | null;
  leftEye: THREE.Object3D | null;
  rightEye: THREE.Object3D | null;
  /** Poses head (rotation) and eyes (gaze) for a frame; a no-op for missing bones. */
  apply(frame: MotionFrame): void;
  /** Puts every posed bone back to rest. */
  reset(): void;
}

/**
 * Finds the head and eye bones under `root` (by name) and returns a rig that poses them.
 * @param root - the avatar's root object (rotations are interpreted in its axes).
 * @param model - the subtree to search (usually the loaded glTF scene).
 * @returns the rig; fields are null for bones the model lacks.
 */
export function findHeadRig(root: THREE.Object3D, model: THREE.Object3D): HeadRig {
  let head: THREE.Object3D | null = null, leftEye: THREE.Object3D | null = null, rightEye: THREE.Object3D | null = null;
  model.traverse((o) => {
    const isBone = (o as THREE.Bone).isBone === true || o.type === 'Object3D' || o.type === 'Group';
    if (!isBone) return;
    if (!head && HEAD_RE.test(o.name)) head = o;
    else if (!leftEye && LEFT_EYE_RE.test(o.name)) leftEye = o;
    else if (!rightEye && RIGHT_EYE_RE.test(o.name)) rightEye = o;
  });
  const posed = {
    head: head ? new RootFramePose(head, root) : null,
    left: leftEye ? new RootFramePose(leftEye, root) : null,
    right: rightEye ? new RootFramePose(rightEye, root) : null,
  };
  const q = new THREE.Quaternion();
  const g = new THREE.Quaternion();
  return {
    head,
    leftEye,
    rightEye,
    apply(frame) {
      headRotationOf(frame, q);
      posed.head?.pose(q);
      // Eyes ride on the head; their gaze delta is in head axes, so compose it after the head rotation.
      if (posed.left) posed.left.pose(g.copy(q).multiply(gazeRotation(frame.gazeRad[0] ?? 0, frame.gazeRad[1] ?? 0)));
      if (posed.right) posed.right.pose(g.copy(q).multiply(gazeRotation(frame.gazeRad[2] ?? 0, frame.gazeRad[3] ?? 0)));
    },
    reset() {
      posed.head?.reset();
      posed.left?.reset();
      posed.right?.reset();
    },
  };
}
