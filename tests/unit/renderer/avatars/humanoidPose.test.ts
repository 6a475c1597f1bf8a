import * as THREE from 'three';
import { describe, expect, it } from 'vitest';
import { ARM_REST_RAD, createBodyRig, findArmBonesByName } from '../../../../renderer/avatars/humanoidPose.ts';

/** A T-pose arm chain under a root: shoulder → upper arm → lower arm along ±X. */
function tPose(names: { shoulder: string; upper: string; lower: string }, side: 1 | -1): { root: THREE.Group; upper: THREE.Bone; lower: THREE.Bone } {
  const root = new THREE.Group();
  const shoulder = new THREE.Bone();
  shoulder.name = names.shoulder;
  shoulder.position.set(side * 0.06, 1.5, 0);
  const upper = new THREE.Bone();
  upper.name = names.upper;
  upper.position.set(side * 0.1, 0, 0);
  const lower = new THREE.Bone();
  lower.name = names.lower;
  lower.position.set(side * 0.28, 0, 0);
  root.add(shoulder);
  shoulder.add(upper);
  upper.add(lower);
  return { root, upper, lower };
}

const frame = (translationY = 0) => ({ frameIndex: 0, blendshapes: new Float32Array(52), visemes: new Float32Array(15), headRotation: Float32Array.of(0, 0, 0, 1), headTranslationM: Float32Array.of(0, translationY, 0), gazeRad: new Float32Array(4) });

describe('humanoid rest pose', () => {
  for (const [style, names, side] of [
    ['Mixamo', { shoulder: 'mixamorig:LeftShoulder', upper: 'mixamorig:LeftArm', lower: 'mixamorig:LeftForeArm' }, 1],
    ['Ready Player Me', { shoulder: 'RightShoulder', upper: 'RightArm', lower: 'RightForeArm' }, -1],
    ['VRoid raw', { shoulder: 'J_Bip_L_Shoulder', upper: 'J_Bip_L_UpperArm', lower: 'J_Bip_L_LowerArm' }, 1],
  ] as const) {
    it(`finds ${style} arm bones by name and lowers a T-pose arm to ${((ARM_REST_RAD * 180) / Math.PI).toFixed(0)}° from straight down`, () => {
      const { root, upper, lower } = tPose(names, side);
      const bones = findArmBonesByName(root);
      expect(side > 0 ? bones.leftUpperArm : bones.rightUpperArm).toBe(upper);
      expect(side > 0 ? bones.leftLowerArm : bones.rightLowerArm).toBe(lower);
      const rig = createBodyRig(root, bones);
      expect(rig.loweredArms).toBe(1);
      expect(rig.restArmAnglesRad[side > 0 ? 0 : 1]).toBeCloseTo(Math.PI / 2, 6);
      rig.apply(frame());
      root.updateMatrixWorld(true);
      const d = lower.getWorldPosition(new THREE.Vector3()).sub(upper.getWorldPosition(new THREE.Vector3())).normalize();
      expect(Math.acos(-d.y)).toBeCloseTo(Math.hypot(ARM_REST_RAD, (5 * Math.PI) / 180), 1);
      expect(Math.sign(d.x)).toBe(side); // still on its own side
    });
  }
  it('leaves arms that already hang down alone, and lifts the shoulders with the breath', () => {
    const { root, upper, lower } = tPose({ shoulder: 'LeftShoulder', upper: 'LeftArm', lower: 'LeftForeArm' }, 1);
    lower.position.set(0, -0.28, 0);
    const rig = createBodyRig(root, findArmBonesByName(root));
    expect(rig.loweredArms).toBe(0);
    rig.apply(frame(-0.0015));
    root.updateMatrixWorld(true);
    const low = lower.getWorldPosition(new THREE.Vector3()).y;
    rig.apply(frame(0.0015));
    root.updateMatrixWorld(true);
    const high = lower.getWorldPosition(new THREE.Vector3()).y;
    expect(high - low).toBeGreaterThan(0.0005);
    expect(high - low).toBeLessThan(0.01);
    expect(upper.quaternion.w).toBeCloseTo(1, 6);
  });
});
