import { describe, expect, it } from 'vitest';
import * as THREE from 'three';
import { installOpeningScissor, openingPieces } from '../../../../renderer/head/openingScissor.ts';
import { faceTrianglesWithoutEyes, MOUTH_OPENING_LOOP } from '../../../../renderer/head/topology.ts';
import { TRI468 } from '../../../../renderer/head/topologyTables.ts';

/** The stencil openings as the photo head builds them: eye triangles left out of the face mesh + the mouth fan. */
function openings(): number[] {
  const kept = new Set<string>();
  const all = faceTrianglesWithoutEyes();
  for (let t = 0; t < all.length; t += 3) kept.add(`${all[t]},${all[t + 1]},${all[t + 2]}`);
  const out: number[] = [];
  for (let t = 0; t < TRI468.length; t += 3) if (!kept.has(`${TRI468[t]},${TRI468[t + 1]},${TRI468[t + 2]}`)) out.push(TRI468[t]!, TRI468[t + 1]!, TRI468[t + 2]!);
  for (let k = 1; k < MOUTH_OPENING_LOOP.length - 1; k++) out.push(MOUTH_OPENING_LOOP[0]!, MOUTH_OPENING_LOOP[k]!, MOUTH_OPENING_LOOP[k + 1]!);
  return out;
}

/** A renderer stand-in recording what the hooks ask of three's GL state (the hooks use only these members). */
function fakeRenderer(viewport: THREE.Vector4) {
  const calls: { scissor: number[] | null; test: boolean[] } = { scissor: null, test: [] };
  const r = {
    getCurrentViewport: (v: THREE.Vector4) => v.copy(viewport),
    state: {
      scissor: (v: THREE.Vector4) => (calls.scissor = [v.x, v.y, v.z, v.w]),
      setScissorTest: (b: boolean) => calls.test.push(b),
    },
  };
  return { r: r as unknown as THREE.WebGLRenderer, calls };
}

function quadMesh(corners: number[][]): THREE.Mesh {
  const g = new THREE.BufferGeometry();
  g.setAttribute('position', new THREE.BufferAttribute(Float32Array.from(corners.flat()), 3));
  return new THREE.Mesh(g);
}

describe('openingPieces', () => {
  it('splits the real openings into the two eyes and the mouth', () => {
    const pieces = openingPieces(openings());
    expect(pieces).toHaveLength(3);
    const mouth = pieces.find((p) => p.includes(MOUTH_OPENING_LOOP[0]!))!;
    expect([...mouth].sort((a, b) => a - b)).toEqual([...MOUTH_OPENING_LOOP].sort((a, b) => a - b));
    const eyes = pieces.filter((p) => p !== mouth);
    // MediaPipe's eye contours: 33 is the right eye's outer corner, 263 the left eye's.
    expect(eyes.some((p) => p.includes(33) && !p.includes(263))).toBe(true);
    expect(eyes.some((p) => p.includes(263) && !p.includes(33))).toBe(true);
  });
});

describe('installOpeningScissor', () => {
  // Camera at the origin looking down −Z with a 90° field of view on a 100×100 viewport: a point (x, y, −1) lands
  // on pixel (50 + 50x, 50 + 50y).
  const camera = new THREE.PerspectiveCamera(90, 1, 0.1, 10);
  camera.updateMatrixWorld(true);
  const viewport = new THREE.Vector4(0, 0, 100, 100);
  // Two openings: vertices 0–2 around (−0.5, 0.5), vertices 3–5 around (0.5, −0.5), ±0.11 m (off the pixel grid).
  const face = new THREE.BufferAttribute(Float32Array.from([-0.61, 0.39, -1, -0.39, 0.39, -1, -0.5, 0.61, -1, 0.39, -0.61, -1, 0.61, -0.61, -1, 0.5, -0.39, -1]), 3);
  const pieces = openingPieces([0, 1, 2, 3, 4, 5]);

  it('limits a quad to the openings it overlaps, grown by a pixel, and switches the test off after the draw', () => {
    // A quad over the upper-left opening only.
    const quad = quadMesh([[-0.9, 0.9, -1], [-0.1, 0.9, -1], [-0.9, 0.1, -1], [-0.1, 0.1, -1]]);
    installOpeningScissor([quad], face, pieces, new THREE.Matrix4());
    const { r, calls } = fakeRenderer(viewport);
    quad.onBeforeRender(r, new THREE.Scene(), camera, quad.geometry, quad.material as THREE.Material, null as never);
    // Opening x ∈ [19.5, 30.5] px, y ∈ [69.5, 80.5] px → from floor − 1 to ceil + 1.
    expect(calls.scissor).toEqual([18, 68, 14, 14]);
    expect(calls.test).toEqual([true]);
    quad.onAfterRender(r, new THREE.Scene(), camera, quad.geometry, quad.material as THREE.Material, null as never);
    expect(calls.test).toEqual([true, false]);
  });

  it('follows the head pose and draws nothing for a quad away from every opening', () => {
    const quad = quadMesh([[-0.9, 0.9, -1], [-0.1, 0.9, -1], [-0.9, 0.1, -1], [-0.1, 0.1, -1]]);
    // Head moved 0.2 m to the right: the upper-left opening moves to x ∈ [29.5, 40.5] px (the moved quad too).
    installOpeningScissor([quad], face, pieces, new THREE.Matrix4().makeTranslation(0.2, 0, 0));
    const { r, calls } = fakeRenderer(viewport);
    quad.onBeforeRender(r, new THREE.Scene(), camera, quad.geometry, quad.material as THREE.Material, null as never);
    expect(calls.scissor).toEqual([28, 68, 14, 14]);
    const far = quadMesh([[0.7, 0.9, -1], [0.9, 0.9, -1], [0.7, 0.7, -1], [0.9, 0.7, -1]]);
    installOpeningScissor([far], face, pieces, new THREE.Matrix4());
    const f = fakeRenderer(viewport);
    far.onBeforeRender(f.r, new THREE.Scene(), camera, far.geometry, far.material as THREE.Material, null as never);
    expect(f.calls.scissor![2]! * f.calls.scissor![3]!).toBe(0);
  });

  it('leaves the quad unscissored when a point is behind the camera', () => {
    const quad = quadMesh([[-0.9, 0.9, 1], [-0.1, 0.9, -1], [-0.9, 0.1, -1], [-0.1, 0.1, -1]]);
    installOpeningScissor([quad], face, pieces, new THREE.Matrix4());
    const { r, calls } = fakeRenderer(viewport);
    quad.onBeforeRender(r, new THREE.Scene(), camera, quad.geometry, quad.material as THREE.Material, null as never);
    expect(calls.scissor).toBeNull();
    expect(calls.test).toEqual([]);
  });
});
