/**
 * A turned face's hidden side under an orbit (issue 13, new-user run: img04 at −25° broke into streaks on the far
 * cheek and jaw, a second copy of the face edge beside it): the face mesh the photo head builds may stretch no face
 * triangle more than ~2× (core/face/sideRelief.ts, MAX_SIDE_STRETCH at the orbit limit) when the camera orbits to
 * ±25/±30°. Stretch = the triangle's projected area in the orbit view over its area in the rest view (the photo).
 * Reads its portrait from the shared test media (../shared/corpus): left out when the corpus is absent.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as THREE from 'three';
import { PhotoHead, photoToWorld } from '../../../renderer/head/photoHead.ts';
import { faceTrianglesWithoutEyes } from '../../../renderer/head/topology.ts';
import { computeCropRect, faceBoundsFromLandmarks } from '../../../renderer/scene/framing.ts';
import { portraitProjection } from '../../../renderer/scene/portraitCamera.ts';
import { MAX_SIDE_STRETCH } from '../../../core/face/sideRelief.ts';
import { analyzePortrait, type Portrait } from './helpers.ts';

/** Per-triangle projected-area ratio orbit / rest of the head's face mesh (rig rest vertices), sorted ascending. */
function triangleStretch(head: PhotoHead, proj: ReturnType<typeof portraitProjection>, yawRad: number, minRestAreaPx2: number): number[] {
  const rest = head.reliefPx;
  const n = rest.length / 3;
  const pivot = head.orbitPivot;
  const rot = new THREE.Quaternion().setFromEuler(new THREE.Euler(0, yawRad, 0, 'YXZ'));
  const cam = pivot.clone().negate().applyQuaternion(rot).add(pivot);
  const inv = rot.clone().invert();
  const xy = new Float64Array(n * 2);
  const w = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    photoToWorld(proj, rest[i * 3]!, rest[i * 3 + 1]!, rest[i * 3 + 2]!, w, 0);
    const c = new THREE.Vector3(w[0], w[1], w[2]).sub(cam).applyQuaternion(inv);
    xy[i * 2] = (proj.focalPx * c.x) / -c.z;
    xy[i * 2 + 1] = (proj.focalPx * c.y) / -c.z;
  }
  const tri = faceTrianglesWithoutEyes();
  const out: number[] = [];
  const area = (p: ArrayLike<number>, s: number, a: number, b: number, c: number): number =>
    Math.abs((p[b * s]! - p[a * s]!) * (p[c * s + 1]! - p[a * s + 1]!) - (p[c * s]! - p[a * s]!) * (p[b * s + 1]! - p[a * s + 1]!)) / 2;
  for (let t = 0; t < tri.length; t += 3) {
    const [a, b, c] = [tri[t]!, tri[t + 1]!, tri[t + 2]!];
    const a0 = area(rest, 3, a, b, c);
    if (a0 < minRestAreaPx2) continue;
    out.push(area(xy, 2, a, b, c) / a0);
  }
  return out.sort((p, q) => p - q);
}

describe('turned face under an orbit (img04: a painted 3/4 face with glasses)', () => {
  let head: PhotoHead;
  let proj: ReturnType<typeof portraitProjection>;
  beforeAll(async () => {
    const p: Portrait = await analyzePortrait('images/img04_glasses_painting_ai_rgba.png');
    const { image, face } = p;
    const cropPx = computeCropRect(image.widthPx, image.heightPx, faceBoundsFromLandmarks(face.landmarksPx), 'photo', 1);
    proj = portraitProjection(face.landmarksPx, cropPx);
    const texture = new THREE.DataTexture(image.rgba, image.widthPx, image.heightPx);
    head = new PhotoHead({
      texture,
      rgba: image.rgba,
      imageWidthPx: image.widthPx,
      imageHeightPx: image.heightPx,
      landmarksPx: face.landmarksPx,
      landmarkCount: face.landmarkCount,
      projection: proj,
      surroundRegionPx: { xPx: cropPx.xPx - cropPx.widthPx / 2, yPx: cropPx.yPx - cropPx.heightPx / 2, widthPx: cropPx.widthPx * 2, heightPx: cropPx.heightPx * 2 },
    });
  }, 120_000);

  it.each([-30, -25, 25, 30])('no face triangle stretches more than ~2× at %i° yaw', (yawDeg) => {
    // Triangles of at least 4 photo px² (smaller ones are below a texel's worth of detail at the golden sizes).
    const s = triangleStretch(head, proj, (yawDeg * Math.PI) / 180, 4);
    const p99 = s[Math.floor(0.99 * s.length)]!;
    console.log(`img04 ${yawDeg}°: stretch p99 ${p99.toFixed(2)}, max ${s[s.length - 1]!.toFixed(2)}`);
    expect(s.length).toBeGreaterThan(500);
    // 1.25: the cap bounds the width across the face (orthographic); the orbit's perspective (parts brought nearer
    // the camera are magnified) and the vertical share of the area add ~15 % (main: p99 7.7–11.8 here, max 22–28).
    expect(p99).toBeLessThanOrEqual(MAX_SIDE_STRETCH * 1.25);
  });
});
