/**
 * renderer/scene/personEdgeZoom.ts: the orbit zooms in just enough to keep the photo's top/bottom border out of view
 * where the person touches it (issue 13: hair cut flat at the photo's top edge at +15° pitch). A synthetic 200×200
 * photo whose person touches the top border (columns 60..140), the pinhole of a head framing, a camera orbited about a
 * pivot at the head's depth as renderer/scene/studioScene.ts does.
 */
import * as THREE from 'three';
import { describe, expect, it } from 'vitest';
import { EDGE_ZOOM_MAX, personEdgePoints, personEdgeZoom } from '../../../../renderer/scene/personEdgeZoom.ts';

const W = 200;
const H = 200;
const proj = { focalPx: 600, principalXPx: 100, principalYPx: 95, mPerPx: 0.001, distM: 0.6 };
const depthM = 0.6;

function camera(pitchRad: number): THREE.PerspectiveCamera {
  // The crop: 180 px high around the principal point (the photo's top border 5 px above the crop's top).
  const c = new THREE.PerspectiveCamera((2 * Math.atan(90 / proj.focalPx) * 180) / Math.PI, 1, 0.01, 10);
  const pivot = new THREE.Vector3(0, 0, -depthM);
  const rot = new THREE.Quaternion().setFromEuler(new THREE.Euler(pitchRad, 0, 0, 'YXZ'));
  c.position.copy(pivot).negate().applyQuaternion(rot).add(pivot);
  c.quaternion.copy(rot);
  c.updateMatrixWorld(true);
  c.updateProjectionMatrix();
  return c;
}

describe('personEdgeZoom', () => {
  const alpha = new Uint8Array(W * H);
  for (let y = 0; y < 120; y++) for (let x = 60; x < 140; x++) alpha[y * W + x] = 255;
  // The person layer at the pivot's depth (a flat card).
  const toWorld = (x: number, y: number): [number, number, number] => [((x - proj.principalXPx) / proj.focalPx) * depthM, (-(y - proj.principalYPx) / proj.focalPx) * depthM, -depthM];
  const edges = personEdgePoints(alpha, W, H, toWorld, camera(0));

  it('samples the top border only where the person touches it, outside the frame at rest', () => {
    expect(edges.side.length).toBeGreaterThan(0);
    expect([...edges.side].every((s) => s === 2)).toBe(true);
    for (const v of edges.restOut) expect(v).toBeGreaterThan(1);
    expect(personEdgeZoom(edges, camera(0), 1)).toBe(1);
  });

  it('zooms in at +15° pitch until the border is back at the frame edge', () => {
    const c = camera((15 * Math.PI) / 180);
    const z = personEdgeZoom(edges, c, 1);
    expect(z).toBeGreaterThan(1);
    expect(z).toBeLessThanOrEqual(EDGE_ZOOM_MAX);
    c.zoom = z;
    c.updateProjectionMatrix();
    const v = new THREE.Vector3();
    let minOut = Infinity;
    for (let i = 0; i < edges.side.length; i++) minOut = Math.min(minOut, v.fromArray(edges.world, i * 3).project(c).y);
    expect(minOut).toBeGreaterThanOrEqual(1);
  });
});
