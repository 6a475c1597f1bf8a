import * as THREE from 'three';
import { describe, expect, it } from 'vitest';
import { findHeadRig, gazeRotation, headRotationOf } from '../../../../renderer/avatars/rig.ts';
import { frameBox } from '../../../../renderer/avatars/framing.ts';
import { createNeutralTrack, getFrame } from '../../../../core/motion/track.ts';

const frameWith = (rot: number[], gaze: number[] = [0, 0, 0, 0]) => {
  const t = createNeutralTrack(1, { num: 30, den: 1 });
  t.headRotation.set(rot);
  t.gazeRad.set(gaze);
  return getFrame(t, 0);
};

describe('head and gaze rotations', () => {
  it('normalises the head quaternion and falls back to identity', () => {
    expect(headRotationOf(frameWith([0, 0, 0, 2])).w).toBe(1);
    expect(headRotationOf(frameWith([0, 0, 0, 0])).w).toBe(1);
    const q = headRotationOf(frameWith([0, 1, 0, 1]));
    expect(q.y).toBeCloseTo(Math.SQRT1_2, 6);
  });
  it('+yaw looks to the subject left (+X), +pitch looks up (+Y)', () => {
    const fwd = new THREE.Vector3(0, 0, 1);
    const left = fwd.clone().applyQuaternion(gazeRotation(0.3, 0));
    expect(left.x).toBeCloseTo(Math.sin(0.3), 6);
    const up = fwd.clone().applyQuaternion(gazeRotation(0, 0.2));
    expect(up.y).toBeCloseTo(Math.sin(0.2), 6);
  });
  it('poses a head bone in root axes whatever its parent orientation', () => {
    const root = new THREE.Group();
    const neck = new THREE.Bone();
    neck.quaternion.setFromEuler(new THREE.Euler(0.3, -0.7, 0.2)); // arbitrary rig axes
    const head = new THREE.Bone();
    head.name = 'Head';
    head.quaternion.setFromEuler(new THREE.Euler(-0.1, 0.4, 0));
    root.add(neck);
    neck.add(head);
    const rig = findHeadRig(root, root);
    expect(rig.head).toBe(head);
    root.updateMatrixWorld(true);
    const restWorld = head.getWorldQuaternion(new THREE.Quaternion());
    const delta = new THREE.Quaternion().setFromAxisAngle(new THREE.Vector3(0, 1, 0), 0.5);
    rig.apply(frameWith([delta.x, delta.y, delta.z, delta.w]));
    root.updateMatrixWorld(true);
    const posedWorld = head.getWorldQuaternion(new THREE.Quaternion());
    // world = delta · rest
    const expected = delta.clone().multiply(restWorld);
    expect(Math.abs(posedWorld.dot(expected))).toBeCloseTo(1, 6);
    rig.reset();
    root.updateMatrixWorld(true);
    expect(Math.abs(head.getWorldQuaternion(new THREE.Quaternion()).dot(restWorld))).toBeCloseTo(1, 6);
  });
});

describe('frameBox', () => {
  it('fits a 0.2 m box to 80 % of a 30° view from +Z', () => {
    const cam = new THREE.PerspectiveCamera(30, 1, 0.01, 10);
    const box = new THREE.Box3(new THREE.Vector3(-0.1, -0.1, -0.1), new THREE.Vector3(0.1, 0.1, 0.1));
    const d = frameBox(cam, box, { fill: 0.8 });
    expect(d).toBeCloseTo(0.1 / Math.tan((15 * Math.PI) / 180) / 0.8 + 0.1, 6);
    expect(cam.position.z).toBeCloseTo(d, 6);
    // The box's top-front edge projects to 0.8 · (d − 0.1)/(d − 0.1)… measure: top of the front face in NDC.
    const top = new THREE.Vector3(0, 0.1, 0.1).project(cam);
    expect(top.y).toBeCloseTo(0.8, 2);
    expect(cam.near).toBeLessThan(d - 0.18);
    expect(cam.far).toBeGreaterThan(d + 0.18);
  });
});
