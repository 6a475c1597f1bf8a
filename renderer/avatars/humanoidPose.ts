/**
 * Humanoid rigs at rest: avatars delivered in a T- or A-pose (Ready Player Me, Mixamo, VRM humanoid) get their
 * arms lowered to a natural rest pose, found by bone name, and a little body motion from the motion track
 * (shoulders rising with the breath, following the head's roll).
 *
 * @remarks Axes as in renderer/avatars/rig.ts: the avatar root faces +Z, +Y up, subject's left is +X. Bone names:
 * Mixamo (`mixamorig:LeftArm`, `mixamorig:LeftForeArm`, `mixamorig:LeftShoulder`), Ready Player Me (the same
 * without prefix), VRM humanoid (`leftUpperArm`, `leftLowerArm`, `leftShoulder`; VRoid's raw `J_Bip_L_UpperArm`),
 * Unreal (`upperarm_l`, `lowerarm_l`, `clavicle_l`). Breathing comes from the track's head translation, which
 * core/motion/nonverbal.ts writes as `0.0015 m × sin(breath phase)` on Y.
 */
import * as THREE from 'three';
import type { MotionFrame } from '../../core/motion/track.ts';
import { RootFramePose } from './rig.ts';

/** The bones the body rig poses; null where the model lacks one. */
export interface HumanoidArmBones {
  leftUpperArm: THREE.Object3D | null;
  leftLowerArm: THREE.Object3D | null;
  rightUpperArm: THREE.Object3D | null;
  rightLowerArm: THREE.Object3D | null;
  leftShoulder: THREE.Object3D | null;
  rightShoulder: THREE.Object3D | null;
}

const PREFIX = String.raw`(?:mixamorig\d*[:_]?|armature[|:_])?`;
const NAME_PATTERNS: Record<keyof HumanoidArmBones, RegExp[]> = {
  leftUpperArm: [new RegExp(`^${PREFIX}left_?(upper_?)?arm$`, 'i'), /^J_Bip_L_UpperArm$/i, /^upperarm_l$/i, /^upper_?arm[._]l$/i],
  leftLowerArm: [new RegExp(`^${PREFIX}left_?(fore_?arm|lower_?arm)$`, 'i'), /^J_Bip_L_LowerArm$/i, /^lowerarm_l$/i, /^(fore|lower)_?arm[._]l$/i],
  rightUpperArm: [new RegExp(`^${PREFIX}right_?(upper_?)?arm$`, 'i'), /^J_Bip_R_UpperArm$/i, /^upperarm_r$/i, /^upper_?arm[._]r$/i],
  rightLowerArm: [new RegExp(`^${PREFIX}right_?(fore_?arm|lower_?arm)$`, 'i'), /^J_Bip_R_LowerArm$/i, /^lowerarm_r$/i, /^(fore|lower)_?arm[._]r$/i],
  leftShoulder: [new RegExp(`^${PREFIX}left_?shoulder$`, 'i'), /^J_Bip_L_Shoulder$/i, /^clavicle_l$/i],
  rightShoulder: [new RegExp(`^${PREFIX}right_?shoulder$`, 'i'), /^J_Bip_R_Shoulder$/i, /^clavicle_r$/i],
};

/**
 * Finds the arm and shoulder bones under `model` by name (first match in traversal order).
 * @param model - the loaded glTF scene.
 * @returns the bones; a missing lower arm falls back to the upper arm's first child.
 */
export function findArmBonesByName(model: THREE.Object3D): HumanoidArmBones {
  const found: HumanoidArmBones = { leftUpperArm: null, leftLowerArm: null, rightUpperArm: null, rightLowerArm: null, leftShoulder: null, rightShoulder: null };
  const keys = Object.keys(NAME_PATTERNS) as (keyof HumanoidArmBones)[];
  model.traverse((o) => {
    if ((o as THREE.Mesh).isMesh) return;
    for (const k of keys) if (!found[k] && NAME_PATTERNS[k].some((re) => re.test(o.name))) found[k] = o;
  });
  found.leftLowerArm ??= found.leftUpperArm?.children[0] ?? null;
  found.rightLowerArm ??= found.rightUpperArm?.children[0] ?? null;
  return found;
}

/** An arm pointing further than this from straight down (radians) is a T/A-pose arm and gets lowered (40°). */
export const ARM_LOWER_MIN_RAD = (40 * Math.PI) / 180;
/** Rest angle of a lowered arm from straight down, outwards (radians; 12°: clear of the hips). */
export const ARM_REST_RAD = (12 * Math.PI) / 180;
/** Forward lean of the lowered arm (radians; 5°: relaxed arms hang slightly in front of the body). */
export const ARM_REST_FORWARD_RAD = (5 * Math.PI) / 180;
/** Shoulder rise at the top of a breath (radians about the root's Z axis; ≈ 0.8°, a few millimetres at the shoulder). */
export const BREATH_SHOULDER_RAD = 0.014;
/** Fraction of the head's roll the shoulders follow (counter-tilt of the upper body, small). */
export const SHOULDER_ROLL_FOLLOW = 0.15;
/** Head translation on Y (metres) at the top of a breath in tracks from core/motion/nonverbal.ts. */
const BREATH_TRANSLATION_M = 0.0015;

/** Poses the body for each frame; built once from the rest pose. */
export interface BodyRig {
  /** How many arms were lowered from a T/A pose (0–2). */
  readonly loweredArms: number;
  /** Angle of each arm from straight down at rest before lowering (radians; NaN where the arm is missing): [left, right]. */
  readonly restArmAnglesRad: readonly [number, number];
  /** Poses arms and shoulders for a frame (pure function of the frame). */
  apply(frame: MotionFrame): void;
  /** Back to the file's rest pose. */
  reset(): void;
}

/**
 * Builds the body rig: arms lowered from a T/A pose, shoulders that breathe.
 * @param root - the avatar's root (its axes define down/left/forward: +Y up, facing +Z).
 * @param bones - from {@link findArmBonesByName} or a VRM humanoid's normalized bones.
 * @returns the rig (a no-op for models without arm bones).
 */
export function createBodyRig(root: THREE.Object3D, bones: HumanoidArmBones): BodyRig {
  root.updateMatrixWorld(true);
  const toRoot = new THREE.Matrix4().copy(root.matrixWorld).invert();
  const posInRoot = (o: THREE.Object3D): THREE.Vector3 => o.getWorldPosition(new THREE.Vector3()).applyMatrix4(toRoot);
  const arms: { pose: RootFramePose; lower: THREE.Quaternion; side: 1 | -1 }[] = [];
  const angles: [number, number] = [NaN, NaN];
  let lowered = 0;
  for (const [upper, lowerArm, side, slot] of [[bones.leftUpperArm, bones.leftLowerArm, 1, 0], [bones.rightUpperArm, bones.rightLowerArm, -1, 1]] as const) {
    if (!upper || !lowerArm) continue;
    const dir = posInRoot(lowerArm).sub(posInRoot(upper));
    if (dir.lengthSq() < 1e-10) continue;
    dir.normalize();
    const angle = Math.acos(Math.min(1, Math.max(-1, -dir.y)));
    angles[slot] = angle;
    const q = new THREE.Quaternion();
    if (angle > ARM_LOWER_MIN_RAD) {
      // Keep the arm on its own side (the sign of its X, or the expected side when it points straight ahead).
      const s = Math.abs(dir.x) > 0.05 ? Math.sign(dir.x) : side;
      const target = new THREE.Vector3(s * Math.sin(ARM_REST_RAD), -Math.cos(ARM_REST_RAD), Math.sin(ARM_REST_FORWARD_RAD)).normalize();
      q.setFromUnitVectors(dir, target);
      lowered++;
    }
    arms.push({ pose: new RootFramePose(upper, root), lower: q, side });
  }
  const shoulders = ([[bones.leftShoulder, 1], [bones.rightShoulder, -1]] as const).filter((s): s is readonly [THREE.Object3D, 1 | -1] => s[0] !== null).map(([b, side]) => ({ pose: new RootFramePose(b, root), side }));
  const lift = new THREE.Quaternion();
  const tmp = new THREE.Quaternion();
  const euler = new THREE.Euler();
  const zAxis = new THREE.Vector3(0, 0, 1);
  return {
    loweredArms: lowered,
    restArmAnglesRad: angles,
    apply(frame) {
      const breath = Math.max(-1, Math.min(1, (frame.headTranslationM[1] ?? 0) / BREATH_TRANSLATION_M));
      const r = frame.headRotation;
      euler.setFromQuaternion(tmp.set(r[0] ?? 0, r[1] ?? 0, r[2] ?? 0, r[3] ?? 1).normalize(), 'YXZ');
      const roll = Number.isFinite(euler.z) ? euler.z : 0;
      // Rotation about +Z by +θ lifts the subject's left (+X) side; each side gets its own sign.
      const angleFor = (side: 1 | -1): number => side * BREATH_SHOULDER_RAD * (0.5 + 0.5 * breath) + SHOULDER_ROLL_FOLLOW * roll;
      if (shoulders.length) {
        for (const s of shoulders) s.pose.pose(lift.setFromAxisAngle(zAxis, angleFor(s.side)));
        for (const a of arms) a.pose.pose(a.lower);
      } else {
        for (const a of arms) a.pose.pose(tmp.setFromAxisAngle(zAxis, angleFor(a.side)).multiply(a.lower));
      }
    },
    reset() {
      for (const a of arms) a.pose.reset();
      for (const s of shoulders) s.pose.reset();
    },
  };
}
