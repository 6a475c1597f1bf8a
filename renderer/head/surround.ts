/**
 * The 2.5D surround: the whole photo (and a margin past the framing) as one continuous grid on a depth proxy —
 * the face's own depth under the face, a smooth head-shaped membrane around it, the background as a far plane.
 *
 * @remarks Pure math (no DOM, no three). Depths are in landmark pixel space (MediaPipe z: px, smaller = closer).
 * The membrane is the harmonic interpolation (Laplace equation, solved by successive over-relaxation; Young 1954)
 * between the face depth (fixed inside the face mesh) and the background depth (fixed outside a head-sized
 * ellipse). One continuous grid cannot tear, so an orbit shows no holes; the smooth membrane keeps the stretch at
 * the silhouette gradual instead of a sheet.
 */
import { TRI468 } from './topologyTables.ts';
import { FACE_SILHOUETTE, MOUTH_OPENING_LOOP } from './topology.ts';
import type { FaceFrame } from './rig.ts';
import { neckChainWeight, neckGeometry, NECK_LENGTH_FH } from '../../core/rig/neckBend.ts';

export { NECK_LENGTH_FH };

/** Grid of the surround. Arrays are row-major `[rows, cols]`. */
export interface SurroundGrid {
  cols: number;
  rows: number;
  /** Node x, image px. */
  xPx: Float32Array;
  /** Node y, image px. */
  yPx: Float32Array;
  /** Node depth, landmark z px (smaller = closer). */
  zPx: Float32Array;
  /** How much a node follows the head pose, [0,1]. */
  headWeight: Float32Array;
  /** 1 where the node lies under the face mesh (its depth is the face's), else 0. */
  faceNode: Uint8Array;
}

/** Options of {@link buildSurround}. */
export interface SurroundOptions {
  /** Region the grid covers, image px (the framing crop grown by a margin). */
  regionPx: { xPx: number; yPx: number; widthPx: number; heightPx: number };
  /** Nodes along each axis (default 97). */
  resolution?: number;
  /** SOR iterations (default 300). */
  iterations?: number;
}

/**
 * Depth of the far background behind a face: the head centre's depth plus 0.45 face widths (landmark z px).
 * @param frame - the face frame (silhouette depth and face width, px).
 * @returns landmark z px (smaller = closer).
 * @remarks A design value, not a measurement: deep enough for visible parallax between the head and the background
 * when the camera orbits, shallow enough that ±30° of yaw uncovers a margin of about a quarter of the crop.
 */
export function backgroundDepthPx(frame: Pick<FaceFrame, 'silhouetteDepthPx' | 'faceWidthPx'>): number {
  return frame.silhouetteDepthPx + 0.45 * frame.faceWidthPx;
}

/**
 * Distance over which the head shell recedes from the face outline's depth to the head's contour depth, in face
 * widths. A design value: about the width of the band between the MediaPipe face oval and the head's outline (the
 * temples, the hair beside the cheeks) in a frontal portrait.
 */
export const OUTLINE_RECEDE_FW = 0.25;

/**
 * Half-width of the seam ring around the face outline whose surround nodes take the outline's depth, in grid steps:
 * enough that every grid triangle crossing the outline has all its corners in the ring (a cell's diagonal is √2 steps).
 */
const SEAM_RING_STEPS = 1.5;

/** Nodes this close to the face contour (grid steps) move onto it. */
const SNAP_STEPS = 0.71;


/**
 * Depth of the head shell (scalp, hair) at a photo point outside the face, continued from the face outline.
 * @param contourPx - the face's visible contour `[n, 3]` px ({@link visibleFaceContour}).
 * @param xPx - photo x, px.
 * @param yPx - photo y, px.
 * @param contourDepthPx - depth of the head's occluding contour (landmark z px): the face oval's mean depth, where a
 *   frontal head's sides turn away from the camera.
 * @param reachPx - distance over which the shell recedes to the contour depth, px (> 0).
 * @returns landmark z px: at the outline, the depth of its nearest point (linear along the contour); farther out it recedes (never comes forward) to `contourDepthPx` with a smoothstep in the
 *   distance. A turned face's far cheek lies behind the contour depth: the shell there stays at the cheek's depth.
 * @remarks The surround's head region used a head ellipsoid centred on the face box, which on a turned face (the
 * Mona Lisa's 3/4 view) put the hair beside the far cheek 20–60 px in front of the cheek's outline; at ±30° of orbit the
 * face layer and the hair then moved apart, a visible step along the cheek and hair cut along the outline at the
 * temple. Continuing the outline's depth removes the jump at the seam, where the face mesh and the surround share pixels.
 */
export function outlineShellDepthPx(contourPx: Float32Array, xPx: number, yPx: number, contourDepthPx: number, reachPx: number): number {
  const { distPx, zPx } = nearestOutlinePoint(contourPx, xPx, yPx);
  return zPx + (Math.max(zPx, contourDepthPx) - zPx) * smoothstep(0, reachPx, distPx);
}

/**
 * The face's visible contour in the photo: per point of the face oval (FACE_SILHOUETTE, MediaPipe), the oval point
 * itself or, where the mesh folds there (a turned face's far cheek: the oval lies behind and inside the ring of
 * vertices next to it), the neighbour off the oval (TRI468) that lies farthest out from the oval's centroid.
 * @param restPx - face mesh rest positions `[468, 3]` px.
 * @returns the chosen vertex ids `[FACE_SILHOUETTE.length]` and their positions `[FACE_SILHOUETTE.length, 3]` (x, y, z px).
 */
export function visibleFaceContour(restPx: Float32Array): { ids: Uint16Array; xyzPx: Float32Array } {
  const n = FACE_SILHOUETTE.length;
  let cx = 0;
  let cy = 0;
  for (const v of FACE_SILHOUETTE) {
    cx += restPx[v * 3]! / n;
    cy += restPx[v * 3 + 1]! / n;
  }
  const onOval = new Set(FACE_SILHOUETTE);
  const ids = new Uint16Array(n);
  const xyzPx = new Float32Array(n * 3);
  FACE_SILHOUETTE.forEach((v, k) => {
    let best = v;
    let bestR = Math.hypot(restPx[v * 3]! - cx, restPx[v * 3 + 1]! - cy);
    for (let t = 0; t < TRI468.length; t += 3) {
      if (TRI468[t] !== v && TRI468[t + 1] !== v && TRI468[t + 2] !== v) continue;
      for (let q = 0; q < 3; q++) {
        const u = TRI468[t + q]!;
        if (onOval.has(u)) continue;
        const r = Math.hypot(restPx[u * 3]! - cx, restPx[u * 3 + 1]! - cy);
        if (r > bestR) {
          bestR = r;
          best = u;
        }
      }
    }
    ids[k] = best;
    for (let q = 0; q < 3; q++) xyzPx[k * 3 + q] = restPx[best * 3 + q]!;
  });
  return { ids, xyzPx };
}

/**
 * The nearest point of a closed contour (e.g. {@link visibleFaceContour}) to a photo point.
 * @param contourPx - contour points `[n, 3]` (x, y, z px), in order.
 * @param xPx - photo x, px.
 * @param yPx - photo y, px.
 * @returns its distance (px, unsigned: inside and outside alike), its position (photo px) and its depth (landmark z
 *   px, linear along the edge).
 */
export function nearestOutlinePoint(contourPx: Float32Array, xPx: number, yPx: number): { distPx: number; xPx: number; yPx: number; zPx: number } {
  let best = Infinity;
  let bestZ = 0;
  let bestX = 0;
  let bestY = 0;
  const n = contourPx.length / 3;
  for (let k = 0; k < n; k++) {
    const a = k * 3;
    const b = ((k + 1) % n) * 3;
    const ax = contourPx[a]!, ay = contourPx[a + 1]!, bx = contourPx[b]!, by = contourPx[b + 1]!;
    const ex = bx - ax, ey = by - ay;
    const len2 = ex * ex + ey * ey;
    const t = len2 > 0 ? Math.min(1, Math.max(0, ((xPx - ax) * ex + (yPx - ay) * ey) / len2)) : 0;
    const d = Math.hypot(xPx - ax - t * ex, yPx - ay - t * ey);
    if (d < best) {
      best = d;
      bestZ = contourPx[a + 2]! + t * (contourPx[b + 2]! - contourPx[a + 2]!);
      bestX = ax + t * ex;
      bestY = ay + t * ey;
    }
  }
  return { distPx: best, xPx: bestX, yPx: bestY, zPx: bestZ };
}

const smoothstep = (e0: number, e1: number, x: number): number => {
  const t = Math.min(1, Math.max(0, (x - e0) / (e1 - e0)));
  return t * t * (3 - 2 * t);
};

/** Half-axes of the region that moves rigidly with the head, in face widths (x) and face heights (y), centred
 * {@link HEAD_REGION_RAISE_FH} above the face centre. A design value: the person layer's head allowance
 * (core/segment/personLayer.ts: 1.05 fw × 1.0 fh, feathered to 1.15×) grown a little, so every pixel the person layer can
 * show above the chin — hair volume, ears — lies where the weight is 1. */
export const HEAD_REGION_FW = 1.35;
/** See {@link HEAD_REGION_FW}. */
export const HEAD_REGION_FH = 1.25;
/** How far above the face centre the head region is centred, face heights (the cranium sits above the face). */
export const HEAD_REGION_RAISE_FH = 0.2;
/**
 * How much a surround point follows the head pose, [0, 1]: its place on the neck's chain (core/rig/neckBend.ts), 1 = the
 * head, 0 = the trunk.
 * @param xPx - photo x, px.
 * @param yPx - photo y, px.
 * @param frame - the face frame (centre, width, height, silhouette depth, px).
 * @returns 1 over the whole head — face, hair, ears, everything above the chin inside the head region
 *   ({@link HEAD_REGION_FW}); below the chin the neck's chain weight (core/rig/neckBend.ts `neckChainWeight`: falling
 *   linearly down the neck column to its base, {@link NECK_LENGTH_FH} face heights below the chin; beside the neck the
 *   shoulders are trunk); outside the head region falling over 0.25 of its radius (there the person layer's alpha is
 *   already 0, so the fall is not seen).
 * @remarks Issue 13: the weight used to fall off inside the head (an ellipse of 0.78 × 0.82 face sizes, smoothstep
 * 0.8–1.2), so when a driving video moved the head its hair and ears were split. A head is rigid; the neck bends over
 * its length (issues 12/13: it used to blend the posed head's and the static body's positions over 0.4 face heights
 * below the chin, for every x, which sheared and stretched it under a large turn or roll).
 */
export function surroundHeadWeight(xPx: number, yPx: number, frame: Pick<FaceFrame, 'faceCenterPx' | 'faceWidthPx' | 'faceHeightPx' | 'silhouetteDepthPx'>): number {
  const [fcx, fcy] = frame.faceCenterPx;
  const fw = frame.faceWidthPx;
  const fh = frame.faceHeightPx;
  const r = Math.hypot((xPx - fcx) / (HEAD_REGION_FW * fw), (yPx - (fcy - HEAD_REGION_RAISE_FH * fh)) / (HEAD_REGION_FH * fh));
  return (1 - smoothstep(1, 1.25, r)) * neckChainWeight(xPx, yPx, neckGeometry(frame));
}

/**
 * Builds the surround grid for a face.
 * @param restPx - face mesh rest positions `[468, 3]` (x, y, z px).
 * @param frame - the face frame from the rig.
 * @param opts - region and resolution.
 * @returns the grid with depth and head weight per node (person/background separation is the per-pixel matte of
 * core/segment/personMatte.ts, applied by the photo head).
 */
export function buildSurround(restPx: Float32Array, frame: FaceFrame, opts: SurroundOptions): SurroundGrid {
  const res = opts.resolution ?? 97;
  const cols = res;
  const rows = res;
  const { xPx: rx, yPx: ry, widthPx: rw, heightPx: rh } = opts.regionPx;
  const count = cols * rows;
  const xPx = new Float32Array(count);
  const yPx = new Float32Array(count);
  for (let j = 0; j < rows; j++) {
    for (let i = 0; i < cols; i++) {
      xPx[j * cols + i] = rx + (rw * i) / (cols - 1);
      yPx[j * cols + i] = ry + (rh * j) / (rows - 1);
    }
  }
  const fw = frame.faceWidthPx;
  const fh = frame.faceHeightPx;
  const [fcx, fcy] = frame.faceCenterPx;
  const zFace = new Float32Array(count).fill(NaN);

  // Rasterise the face depth (mesh triangles + a fan over the mouth opening) onto the grid nodes.
  const tris: number[] = Array.from(TRI468);
  const mouthCenter = [0, 0, 0];
  for (const i of MOUTH_OPENING_LOOP) for (let k = 0; k < 3; k++) mouthCenter[k]! += restPx[i * 3 + k]! / MOUTH_OPENING_LOOP.length;
  const pts = restPx;
  const extra = Float32Array.from([...pts, ...mouthCenter]);
  const centerIndex = pts.length / 3;
  for (let k = 0; k < MOUTH_OPENING_LOOP.length; k++) tris.push(MOUTH_OPENING_LOOP[k]!, MOUTH_OPENING_LOOP[(k + 1) % MOUTH_OPENING_LOOP.length]!, centerIndex);
  const dx = rw / (cols - 1);
  const dy = rh / (rows - 1);
  for (let t = 0; t < tris.length; t += 3) {
    const a = tris[t]! * 3;
    const b = tris[t + 1]! * 3;
    const c = tris[t + 2]! * 3;
    const ax = extra[a]!, ay = extra[a + 1]!, bx = extra[b]!, by = extra[b + 1]!, cx = extra[c]!, cy = extra[c + 1]!;
    const det = (bx - ax) * (cy - ay) - (cx - ax) * (by - ay);
    if (Math.abs(det) < 1e-9) continue;
    const i0 = Math.max(0, Math.ceil((Math.min(ax, bx, cx) - rx) / dx));
    const i1 = Math.min(cols - 1, Math.floor((Math.max(ax, bx, cx) - rx) / dx));
    const j0 = Math.max(0, Math.ceil((Math.min(ay, by, cy) - ry) / dy));
    const j1 = Math.min(rows - 1, Math.floor((Math.max(ay, by, cy) - ry) / dy));
    for (let j = j0; j <= j1; j++) {
      for (let i = i0; i <= i1; i++) {
        const px = rx + i * dx;
        const py = ry + j * dy;
        const l1 = ((px - ax) * (cy - ay) - (cx - ax) * (py - ay)) / det;
        const l2 = ((bx - ax) * (py - ay) - (px - ax) * (by - ay)) / det;
        const l0 = 1 - l1 - l2;
        if (l0 < -1e-6 || l1 < -1e-6 || l2 < -1e-6) continue;
        // Where the mesh folds over itself (a turned face's far cheek: the oval lies behind the ring next to it) the photo
        // shows the nearest surface: keep the smallest depth, as a depth buffer would.
        const z = l0 * extra[a + 2]! + l1 * extra[b + 2]! + l2 * extra[c + 2]!;
        const kk = j * cols + i;
        if (!(zFace[kk]! <= z)) zFace[kk] = z;
      }
    }
  }

  // Fixed values: the face depth (+ a small margin behind the mesh) inside the face; a head ellipsoid (scalp and
  // hair) and a body plane (neck, shoulders) away from it; the far background outside both. A band of free nodes
  // around the face lets the membrane join them smoothly.
  const marginPx = 0.05 * frame.iodPx;
  const zc = frame.silhouetteDepthPx;
  const zForehead = restPx[10 * 3 + 2]!;
  const depthC = Math.max(0.25 * fw, zc - zForehead);
  const zBody = zc + 0.12 * fw;
  const zBg = backgroundDepthPx(frame);
  const hx = fcx;
  const hy = fcy - 0.15 * fh;
  const ax = 0.66 * fw;
  const by = 0.8 * fh;
  const chinY = fcy + 0.5 * fh;
  const bodyHalfWidth = (y: number): number => 0.3 * fw + Math.max(0, y - (chinY + 0.25 * fh)) * 1.4;
  const outlineReachPx = OUTLINE_RECEDE_FW * fw;
  const contour = visibleFaceContour(restPx);
  const zPx = new Float32Array(count);
  const fixed = new Uint8Array(count);
  const headWeight = new Float32Array(count);
  // Grid-step distance from the face (multi-source BFS).
  const dist = new Int32Array(count).fill(1 << 30);
  const queue: number[] = [];
  for (let k = 0; k < count; k++) {
    if (Number.isNaN(zFace[k]!)) continue;
    dist[k] = 0;
    queue.push(k);
  }
  for (let q = 0; q < queue.length; q++) {
    const k = queue[q]!;
    const i = k % cols;
    const j = (k - i) / cols;
    for (const [ni, nj] of [
      [i - 1, j],
      [i + 1, j],
      [i, j - 1],
      [i, j + 1],
    ] as const) {
      if (ni < 0 || nj < 0 || ni >= cols || nj >= rows) continue;
      const nk = nj * cols + ni;
      if (dist[nk]! > dist[k]! + 1) {
        dist[nk] = dist[k]! + 1;
        queue.push(nk);
      }
    }
  }
  const band = Math.max(2, Math.round((0.25 * fw) / Math.max(dx, dy)));
  for (let k = 0; k < count; k++) {
    const x = xPx[k]!;
    const y = yPx[k]!;
    const r = Math.hypot((x - hx) / ax, (y - hy) / by);
    const inBody = y > chinY && Math.abs(x - fcx) < bodyHalfWidth(y);
    zPx[k] = zBody;
    if (!Number.isNaN(zFace[k]!)) {
      zPx[k] = zFace[k]! + marginPx;
      fixed[k] = 1;
    } else if (dist[k]! > band) {
      if (r < 0.95) {
        // Scalp and hair: the face outline's own depth carried outward, receding to the head's contour depth
        // ({@link outlineShellDepthPx}) — continuous with the face at the seam, so hair turns with the cheek it
        // touches instead of sliding over it. The ellipsoid only bounds how far forward the scalp may come.
        zPx[k] = Math.max(zc - depthC * Math.sqrt(1 - r * r), outlineShellDepthPx(contour.xyzPx, x, y, zc, outlineReachPx));
        fixed[k] = 1;
      } else if (inBody && y > chinY + 0.4 * fh) {
        zPx[k] = zBody;
        fixed[k] = 1;
      } else if (r > 1.25 && (y < chinY || Math.abs(x - fcx) > bodyHalfWidth(y) + 0.3 * fw)) {
        zPx[k] = zBg;
        fixed[k] = 1;
      }
    }
  }
  // The seam. The grid (one step ≈ 0.06 face widths) is coarser than the face mesh's outer ring, and where the face
  // turns away (a 3/4 view's far cheek) its depth changes by tens of px within one step: a grid triangle spanning the
  // outline interpolated the face's depth with the membrane's, so under an orbit the surround beside the face and
  // under its feathered ring moved apart from the face (a step along the cheek, hair cut at the temple). Now nodes
  // within half a step of the face's visible contour move onto it (the grid conforms to the contour; their texture
  // coordinates move with them) and take its depth; the other nodes outside it within SEAM_RING_STEPS take the head
  // shell's depth continued from it ({@link outlineShellDepthPx}); nodes inside keep the face's depth.
  const ringPx = SEAM_RING_STEPS * Math.max(dx, dy);
  const snapPx = SNAP_STEPS * Math.min(dx, dy);
  for (let k = 0; k < count; k++) {
    const o = nearestOutlinePoint(contour.xyzPx, xPx[k]!, yPx[k]!);
    if (o.distPx > ringPx || (o.distPx > snapPx && !Number.isNaN(zFace[k]!))) continue;
    fixed[k] = 1;
    if (o.distPx <= snapPx) {
      xPx[k] = o.xPx;
      yPx[k] = o.yPx;
      zPx[k] = o.zPx;
    } else {
      zPx[k] = o.zPx + (Math.max(o.zPx, zc) - o.zPx) * smoothstep(0, outlineReachPx, o.distPx);
    }
  }
  // Head weights where the nodes finally lie (after the seam snap: a node moved onto the chin's outline follows the head).
  for (let k = 0; k < count; k++) headWeight[k] = surroundHeadWeight(xPx[k]!, yPx[k]!, frame);
  // Successive over-relaxation of the Laplace equation on the free nodes.
  const omega = 1.85;
  const iters = opts.iterations ?? 300;
  for (let it = 0; it < iters; it++) {
    for (let j = 0; j < rows; j++) {
      for (let i = 0; i < cols; i++) {
        const k = j * cols + i;
        if (fixed[k]) continue;
        let sum = 0;
        let nb = 0;
        if (i > 0) {
          sum += zPx[k - 1]!;
          nb++;
        }
        if (i < cols - 1) {
          sum += zPx[k + 1]!;
          nb++;
        }
        if (j > 0) {
          sum += zPx[k - cols]!;
          nb++;
        }
        if (j < rows - 1) {
          sum += zPx[k + cols]!;
          nb++;
        }
        zPx[k] = zPx[k]! + omega * (sum / nb - zPx[k]!);
      }
    }
  }
  const faceNode = new Uint8Array(count);
  for (let k = 0; k < count; k++) faceNode[k] = Number.isNaN(zFace[k]!) ? 0 : 1;
  return { cols, rows, xPx, yPx, zPx, headWeight, faceNode };
}

/**
 * How much each surround node follows the jaw rotation, [0,1]: the jaw weight of the nearest face-mesh vertex,
 * fading to 0 over half an inter-ocular distance outside the face (so the chin's surround — the jaw line, the throat
 * under it — moves with a closing or opening jaw instead of showing the photo's chin where it was).
 * @param grid - from {@link buildSurround}.
 * @param restPx - face mesh rest positions `[468, 3]` px.
 * @param jawWeight - the rig's per-vertex jaw weights `[468]`.
 * @param iodPx - inter-ocular distance, px.
 * @returns `[rows·cols]` weights.
 */
export function surroundJawWeights(grid: SurroundGrid, restPx: Float32Array, jawWeight: Float32Array, iodPx: number): Float32Array {
  const count = grid.cols * grid.rows;
  const out = new Float32Array(count);
  for (let k = 0; k < count; k++) out[k] = jawFollowWeight(restPx, jawWeight, iodPx, grid.xPx[k]!, grid.yPx[k]!, grid.faceNode[k] === 1);
  return out;
}

/**
 * How much a point of the photo beside the face follows the jaw rotation, [0,1]: the jaw weight of the nearest
 * face-mesh vertex, fading (smoothstep) to 0 at half an inter-ocular distance from it; a point on the face takes the
 * weight unfaded. Shared by the mesh head's surround ({@link surroundJawWeights}) and the splat head's surround
 * Gaussians (renderer/avatars/photoHeadSplats.ts).
 * @param restPx - face mesh rest positions `[468, 3]` px.
 * @param jawWeight - the rig's per-vertex jaw weights `[468]`.
 * @param iodPx - inter-ocular distance, px.
 * @param xPx - the point, photo px.
 * @param yPx - the point, photo px.
 * @param onFace - the point lies on the face (no fade within the reach).
 * @returns the weight; 0 beyond the reach or where the nearest vertex does not follow the jaw.
 */
export function jawFollowWeight(restPx: Float32Array, jawWeight: Float32Array, iodPx: number, xPx: number, yPx: number, onFace = false): number {
  const reach = 0.5 * iodPx;
  let best = Infinity;
  let bestW = 0;
  for (let i = 0; i < jawWeight.length; i++) {
    const d = Math.hypot(restPx[i * 3]! - xPx, restPx[i * 3 + 1]! - yPx);
    if (d < best) {
      best = d;
      bestW = jawWeight[i]!;
    }
  }
  if (best > reach || bestW === 0) return 0;
  return onFace ? bestW : bestW * (1 - smoothstep(0, reach, best));
}
