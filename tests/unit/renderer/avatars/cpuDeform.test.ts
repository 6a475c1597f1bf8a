/**
 * CPU deformation (renderer/avatars/cpuDeform.ts) against three.js's own CPU reference: `SkinnedMesh.getVertexPosition`
 * applies the morph targets and the bone transform the way the vertex shader does (three r187), so a deformed position
 * must equal it; normals of vertices on one bone turn with that bone.
 */
import * as THREE from 'three';
import { describe, expect, it } from 'vitest';
import { CpuDeformedMesh, deformOnCpu } from '../../../../renderer/avatars/cpuDeform.ts';

/** A two-bone strip (4 × 3 vertices along +Y), two morph targets with normal deltas, weights blending the bones. */
function makeRig(): { root: THREE.Group; mesh: THREE.SkinnedMesh; bones: THREE.Bone[] } {
  const positions: number[] = [], normals: number[] = [], skinIndex: number[] = [], skinWeight: number[] = [];
  for (let row = 0; row < 4; row++) {
    for (let col = 0; col < 3; col++) {
      positions.push(col * 0.1 - 0.1, row * 0.1, 0.02 * col);
      const n = new THREE.Vector3(0.2 * (col - 1), 0.1, 1).normalize();
      normals.push(n.x, n.y, n.z);
      const w1 = row / 3; // row 0 all on bone 0, row 3 all on bone 1
      skinIndex.push(0, 1, 0, 0);
      skinWeight.push(1 - w1, w1, 0, 0);
    }
  }
  const geo = new THREE.BufferGeometry();
  geo.setAttribute('position', new THREE.Float32BufferAttribute(positions, 3));
  geo.setAttribute('normal', new THREE.Float32BufferAttribute(normals, 3));
  geo.setAttribute('skinIndex', new THREE.Uint16BufferAttribute(skinIndex, 4));
  geo.setAttribute('skinWeight', new THREE.Float32BufferAttribute(skinWeight, 4));
  geo.setIndex([0, 1, 3, 1, 4, 3, 3, 4, 6, 4, 7, 6, 6, 7, 9, 7, 10, 9]);
  const V = positions.length / 3;
  const morphA = new Float32Array(V * 3), morphB = new Float32Array(V * 3), morphAn = new Float32Array(V * 3), morphBn = new Float32Array(V * 3);
  for (let v = 0; v < V; v++) {
    if (v % 3 === 1) morphA[v * 3 + 2] = 0.05; // middle column forward
    if (v >= 6) morphB[v * 3] = -0.03 * (v % 3); // upper rows sideways
    if (v % 3 === 1) morphAn[v * 3 + 1] = 0.3;
  }
  geo.morphAttributes.position = [new THREE.BufferAttribute(morphA, 3), new THREE.BufferAttribute(morphB, 3)];
  geo.morphAttributes.normal = [new THREE.BufferAttribute(morphAn, 3), new THREE.BufferAttribute(morphBn, 3)];
  geo.morphTargetsRelative = true;
  const b0 = new THREE.Bone(), b1 = new THREE.Bone();
  b1.position.set(0, 0.3, 0);
  b0.add(b1);
  const mesh = new THREE.SkinnedMesh(geo, new THREE.MeshStandardMaterial());
  mesh.name = 'strip';
  mesh.position.set(0.5, 1, -0.2);
  mesh.updateMorphTargets();
  const root = new THREE.Group();
  root.add(mesh, b0);
  root.position.set(0, 0.2, 0);
  root.updateMatrixWorld(true);
  mesh.bind(new THREE.Skeleton([b0, b1]));
  return { root, mesh, bones: [b0, b1] };
}

/** Poses the rig: bones turned and moved, morph weights set. */
function pose(rig: ReturnType<typeof makeRig>, k: number): void {
  rig.bones[0]!.rotation.set(0.1 * k, 0.2, -0.15 * k);
  rig.bones[1]!.rotation.set(0.4 * k, -0.3, 0.25);
  rig.bones[0]!.position.set(0.02, 0.01 * k, 0);
  rig.mesh.morphTargetInfluences![0] = 0.7 * k;
  rig.mesh.morphTargetInfluences![1] = 0.4;
  rig.root.updateMatrixWorld(true);
}

describe('CPU deformation', () => {
  it("matches three's own CPU skinning + morph reference (SkinnedMesh.getVertexPosition) to 1e-6 m", () => {
    const reference = makeRig();
    const rig = makeRig();
    const deformed = new CpuDeformedMesh(rig.mesh);
    expect(deformed.drawn).not.toBe(rig.mesh);
    expect((deformed.drawn as THREE.SkinnedMesh).isSkinnedMesh).toBeUndefined();
    expect(rig.mesh.parent).toBeNull();
    expect(deformed.drawn.parent).toBe(rig.root);
    expect(deformed.drawn.geometry.morphAttributes).toEqual({});
    for (const k of [0, 0.5, 1]) {
      pose(reference, k);
      pose(rig, k);
      reference.mesh.skeleton.update();
      deformed.update();
      const pos = deformed.drawn.geometry.getAttribute('position');
      const v = new THREE.Vector3();
      let maxErr = 0, maxMove = 0;
      for (let i = 0; i < pos.count; i++) {
        reference.mesh.getVertexPosition(i, v);
        maxErr = Math.max(maxErr, Math.abs(v.x - pos.getX(i)), Math.abs(v.y - pos.getY(i)), Math.abs(v.z - pos.getZ(i)));
        maxMove = Math.max(maxMove, v.distanceTo(new THREE.Vector3().fromBufferAttribute(reference.mesh.geometry.getAttribute('position'), i)));
      }
      expect(maxErr).toBeLessThan(1e-6);
      expect(maxMove).toBeGreaterThan(0.02); // the pose moves vertices by centimetres: the comparison is not trivial
    }
  });

  it('turns normals with their bone and adds the normal morph deltas', () => {
    const rig = makeRig();
    const deformed = new CpuDeformedMesh(rig.mesh);
    pose(rig, 1);
    rig.mesh.morphTargetInfluences![0] = 0; // no normal delta on the bottom row's middle vertex
    deformed.update();
    // Vertex 1 (row 0) is on bone 0 alone: its normal turns by bone 0's world rotation (the mesh's own rotation is 0).
    const base = new THREE.Vector3().fromBufferAttribute(makeRig().mesh.geometry.getAttribute('normal'), 1);
    const q = rig.bones[0]!.getWorldQuaternion(new THREE.Quaternion());
    const expected = base.clone().applyQuaternion(q);
    const got = new THREE.Vector3().fromBufferAttribute(deformed.drawn.geometry.getAttribute('normal'), 1);
    expect(got.distanceTo(expected)).toBeLessThan(1e-6);
    // With the morph on, the normal gains 0.3·w along the bone-turned +Y before the shader renormalises.
    rig.mesh.morphTargetInfluences![0] = 0.5;
    deformed.update();
    const withMorph = new THREE.Vector3().fromBufferAttribute(deformed.drawn.geometry.getAttribute('normal'), 1);
    const expectedMorph = base.clone().add(new THREE.Vector3(0, 0.15, 0)).applyQuaternion(q);
    expect(withMorph.distanceTo(expectedMorph)).toBeLessThan(1e-6);
  });

  it('deforms a morphed mesh without a skin in place, and gives meshes sharing a geometry their own copy', () => {
    const geo = new THREE.BufferGeometry();
    geo.setAttribute('position', new THREE.Float32BufferAttribute([0, 0, 0, 1, 0, 0, 0, 1, 0], 3));
    geo.morphAttributes.position = [new THREE.Float32BufferAttribute([0, 0, 0.5, 0, 0, 0, 0, 0, 0], 3)];
    geo.morphTargetsRelative = true;
    const a = new THREE.Mesh(geo, new THREE.MeshBasicMaterial()), b = new THREE.Mesh(geo, a.material);
    a.updateMorphTargets();
    b.updateMorphTargets();
    const root = new THREE.Group().add(a, b);
    const [da, db] = deformOnCpu(root);
    expect(da!.drawn).toBe(a);
    expect(db!.drawn).toBe(b);
    expect(a.geometry).not.toBe(b.geometry);
    a.morphTargetInfluences![0] = 1;
    b.morphTargetInfluences![0] = 0.2;
    da!.update();
    db!.update();
    expect(a.geometry.getAttribute('position').getZ(0)).toBeCloseTo(0.5, 6);
    expect(b.geometry.getAttribute('position').getZ(0)).toBeCloseTo(0.1, 6);
    expect(da!.sparseDeltaCount).toBe(1);
  });
});
