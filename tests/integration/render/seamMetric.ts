/**
 * A seam metric for the photo head under an orbiting camera: how hard the edge along the face mesh's outline is in a
 * rendered frame compared with the photo's own edges along the same outline (the rest view).
 * @remarks The outline (MediaPipe face oval, `FACE_SILHOUETTE`) is projected through the scene's camera
 * (renderer/scene/portraitCamera.ts, orbit about the head centre as renderer/scene/studioScene.ts), sampled every
 * pixel, and at each sample the largest Sobel gradient magnitude of the grey image within ±2 px across the outline is
 * taken (the seam may sit a pixel off the projected line). The metric is the 95th percentile over the outline.
 */
import * as THREE from 'three';
import { buildPhotoHeadRig } from '../../../core/rig/rig.ts';
import { orbitReliefLandmarks } from '../../../core/face/sideRelief.ts';
import { FACE_SILHOUETTE } from '../../../core/rig/topology.ts';
import { photoToWorld } from '../../../renderer/head/photoHead.ts';
import { buildSurround, visibleFaceContour, type SurroundGrid } from '../../../renderer/head/surround.ts';
import { portraitFovDeg, portraitProjection } from '../../../renderer/scene/portraitCamera.ts';
import type { CropRectPx } from '../../../renderer/scene/framing.ts';

/**
 * The face outline projected into an orbit view, output px.
 * @param landmarksPx - `[N, 3]` landmarks in the photo's pixels (N ≥ 468).
 * @param cropPx - the framing crop in the same pixels (what `RenderHost.loadPortrait` returns).
 * @param sizePx - square output size.
 * @param yawRad - orbit yaw.
 * @param pitchRad - orbit pitch.
 * @returns `[x, y]` per outline point, in FACE_SILHOUETTE order (a closed loop).
 */
export function projectedFaceOutline(landmarksPx: Float32Array, cropPx: CropRectPx, sizePx: number, yawRad: number, pitchRad = 0): [number, number][] {
  const proj = portraitProjection(landmarksPx, cropPx);
  const rig = buildPhotoHeadRig(landmarksPx, Math.floor(landmarksPx.length / 3));
  const relief = orbitReliefLandmarks(rig.restPx, 468);
  const f = rig.frame;
  const p = [0, 0, 0];
  photoToWorld(proj, f.faceCenterPx[0], f.faceCenterPx[1], f.silhouetteDepthPx, p, 0);
  const pivot = new THREE.Vector3(p[0], p[1], p[2]);
  const rot = new THREE.Quaternion().setFromEuler(new THREE.Euler(pitchRad, yawRad, 0, 'YXZ'));
  const cam = pivot.clone().negate().applyQuaternion(rot).add(pivot);
  const inv = rot.clone().invert();
  const focalOutPx = sizePx / 2 / Math.tan(((portraitFovDeg(proj, cropPx) * Math.PI) / 180) / 2);
  return FACE_SILHOUETTE.map((i) => {
    const w = [0, 0, 0];
    photoToWorld(proj, relief[i * 3]!, relief[i * 3 + 1]!, relief[i * 3 + 2]!, w, 0);
    const c = new THREE.Vector3(w[0], w[1], w[2]).sub(cam).applyQuaternion(inv);
    return [sizePx / 2 + (focalOutPx * c.x) / -c.z, sizePx / 2 - (focalOutPx * c.y) / -c.z];
  });
}

/** Sobel gradient magnitude of the grey image ((R+G+B)/3) at integer (x, y); 0 at the border. */
function sobelAt(rgba: Uint8Array, sizePx: number, x: number, y: number): number {
  if (x < 1 || y < 1 || x >= sizePx - 1 || y >= sizePx - 1) return 0;
  const g = (xx: number, yy: number): number => {
    const o = (yy * sizePx + xx) * 4;
    return (rgba[o]! + rgba[o + 1]! + rgba[o + 2]!) / 3;
  };
  const gx = g(x + 1, y - 1) + 2 * g(x + 1, y) + g(x + 1, y + 1) - g(x - 1, y - 1) - 2 * g(x - 1, y) - g(x - 1, y + 1);
  const gy = g(x - 1, y + 1) + 2 * g(x, y + 1) + g(x + 1, y + 1) - g(x - 1, y - 1) - 2 * g(x, y - 1) - g(x + 1, y - 1);
  return Math.hypot(gx, gy) / 4;
}

/**
 * 95th percentile over the outline of the largest gradient within ±2 px across it.
 * @param rgba - `[size, size, 4]` frame.
 * @param sizePx - frame size.
 * @param outline - from {@link projectedFaceOutline}.
 * @returns grey levels per pixel (Sobel / 4).
 */
export function outlineGradientP95(rgba: Uint8Array, sizePx: number, outline: [number, number][]): number {
  const vals: number[] = [];
  for (let k = 0; k < outline.length; k++) {
    const [x0, y0] = outline[k]!;
    const [x1, y1] = outline[(k + 1) % outline.length]!;
    const len = Math.hypot(x1 - x0, y1 - y0);
    if (len < 1e-6) continue;
    const nx = -(y1 - y0) / len, ny = (x1 - x0) / len;
    for (let s = 0; s < len; s++) {
      const x = x0 + ((x1 - x0) * s) / len, y = y0 + ((y1 - y0) * s) / len;
      let best = 0;
      for (let d = -2; d <= 2; d++) best = Math.max(best, sobelAt(rgba, sizePx, Math.round(x + d * nx), Math.round(y + d * ny)));
      vals.push(best);
    }
  }
  vals.sort((a, b) => a - b);
  return vals[Math.floor(vals.length * 0.95)] ?? 0;
}

/**
 * Surround depth at a photo point: the grid triangle that holds it (indexed as renderer/head/photoHead.ts indexes the
 * grid, over the nodes' actual positions), interpolated barycentrically as the GPU interpolates it.
 * @param g - the surround grid.
 * @param xPx - photo x, px.
 * @param yPx - photo y, px.
 * @returns landmark z px, NaN outside the grid.
 */
export function surroundDepthAtPx(g: SurroundGrid, xPx: number, yPx: number): number {
  for (let j = 0; j < g.rows - 1; j++) {
    for (let i = 0; i < g.cols - 1; i++) {
      const a = j * g.cols + i;
      for (const [p, q, r] of [
        [a, a + g.cols, a + 1],
        [a + 1, a + g.cols, a + g.cols + 1],
      ] as const) {
        const ax = g.xPx[p]!, ay = g.yPx[p]!, bx = g.xPx[q]!, by = g.yPx[q]!, cx = g.xPx[r]!, cy = g.yPx[r]!;
        const det = (bx - ax) * (cy - ay) - (cx - ax) * (by - ay);
        if (Math.abs(det) < 1e-9) continue;
        const l1 = ((xPx - ax) * (cy - ay) - (cx - ax) * (yPx - ay)) / det;
        const l2 = ((bx - ax) * (yPx - ay) - (xPx - ax) * (by - ay)) / det;
        if (l1 < -1e-6 || l2 < -1e-6 || l1 + l2 > 1 + 1e-6) continue;
        return (1 - l1 - l2) * g.zPx[p]! + l1 * g.zPx[q]! + l2 * g.zPx[r]!;
      }
    }
  }
  return NaN;
}

/**
 * An outline-step measure: where the face mesh and the surround show the same photo pixel along the face's visible
 * contour (renderer/head/surround.ts, `visibleFaceContour`), the screen offset an orbit gives their depth difference,
 * |Δz| · sin(yaw), in output px of a square frame of the crop. Two layers drawing one pixel in two places is the step
 * along the cheek.
 * @param landmarksPx - `[N, 3]` landmarks (N ≥ 468), photo px.
 * @param cropPx - the framing crop (the surround covers it grown by half its size on each side, as studioScene.ts).
 * @param sizePx - output size.
 * @param yawRad - orbit yaw.
 * @returns median, 95th percentile and maximum over the contour's points, output px.
 */
export function contourStepPx(landmarksPx: Float32Array, cropPx: CropRectPx, sizePx: number, yawRad: number): { median: number; p95: number; max: number } {
  const rig = buildPhotoHeadRig(landmarksPx, Math.floor(landmarksPx.length / 3));
  const relief = orbitReliefLandmarks(rig.restPx, 468);
  const g = buildSurround(relief, rig.frame, { regionPx: { xPx: cropPx.xPx - cropPx.widthPx / 2, yPx: cropPx.yPx - cropPx.heightPx / 2, widthPx: cropPx.widthPx * 2, heightPx: cropPx.heightPx * 2 } });
  const { xyzPx } = visibleFaceContour(relief);
  const out: number[] = [];
  for (let k = 0; k < xyzPx.length / 3; k++) out.push(Math.abs(surroundDepthAtPx(g, xyzPx[k * 3]!, xyzPx[k * 3 + 1]!) - xyzPx[k * 3 + 2]!) * Math.abs(Math.sin(yawRad)) * (sizePx / cropPx.widthPx));
  out.sort((a, b) => a - b);
  return { median: out[out.length >> 1]!, p95: out[Math.floor(0.95 * out.length)]!, max: out[out.length - 1]! };
}
