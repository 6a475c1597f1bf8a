/**
 * Keeps the photo's border out of view where the person is cut by it. A portrait usually cuts the person at the photo's
 * edges (hair at the top, the shoulders at the bottom and sides); the person layer ends there, so a camera that orbits
 * far enough to bring that border into the frame shows the head or body cut flat against the filled background
 * (issue 13: img05's hair cut flat at the photo's top edge at +15° pitch). Instead of inventing hair volume or body
 * beyond the photo, the camera zooms in just enough that those border points stay at or beyond the frame's edge — the
 * framing is limited so that the cut never shows. At rest (no orbit) the zoom is 1: the framing preset decides what
 * the rest view shows, a cut it already shows included.
 */
import * as THREE from 'three';

/** Border points of the person, in world space, with where they lie at rest. */
export interface PersonEdgePoints {
  /** `[n, 3]` world positions (metres; the rest camera at the origin looking down −Z). */
  world: Float32Array;
  /** `[n]` the photo side each point lies on: 0 left, 1 right, 2 top, 3 bottom (only 2 is sampled now, see
   * {@link personEdgePoints}). */
  side: Uint8Array;
  /** `[n]` each point's outward NDC coordinate at rest (−x for left, x for right, y for top, −y for bottom; ≥ 1 is
   * outside the frame). */
  restOut: Float32Array;
}

/** Border pixels with at least this person alpha (0..255) count as the person touching the border. */
const EDGE_ALPHA_MIN = 128;
/** Points sampled along each side of the photo at most. */
const EDGE_SAMPLES = 64;

/**
 * The photo's top border pixels where the person layer touches them (the head cut by the photo's top edge), placed in
 * world space on the person layer's surface.
 * @param alpha - `[heightPx, widthPx]` person layer alpha, 255 = person.
 * @param widthPx - photo width.
 * @param heightPx - photo height.
 * @param toWorld - a border point (photo px, the border's own coordinate: 0 or the photo's height) → its world
 *   position on the person layer's surface, metres (studioScene: the surround grid's depth there, through the
 *   portrait's pinhole `photoToWorld`).
 * @param restCamera - the camera at rest (origin, looking down −Z, the framing's field of view, zoom 1).
 * @returns the points (none when the person touches no side).
 */
export function personEdgePoints(alpha: Uint8Array, widthPx: number, heightPx: number, toWorld: (xPx: number, yPx: number) => [number, number, number], restCamera: THREE.PerspectiveCamera): PersonEdgePoints {
  const W = widthPx;
  const H = heightPx;
  const pts: [number, number, number][] = [];
  const sides: number[] = [];
  const add = (side: number, len: number, at: (t: number) => [number, number]): void => {
    const step = Math.max(1, Math.floor(len / EDGE_SAMPLES));
    for (let t = 0; t < len; t += step) {
      const [x, y] = at(t);
      if (alpha[y * W + x]! < EDGE_ALPHA_MIN) continue;
      // The pixel's outer edge (the border itself), on the ray through it at the given depth.
      const ex = side === 0 ? 0 : side === 1 ? W : x + 0.5;
      const ey = side === 2 ? 0 : side === 3 ? H : y + 0.5;
      pts.push(toWorld(ex, ey));
      sides.push(side);
    }
  };
  // The top only: a pitch brings it in across the head (hair cut flat). The sides come in with yaw at the shoulders,
  // near the frame's bottom corners, where zooming far enough to hide them pushed the face out of the frame (img05 at
  // +30° needed more than 1.5×); the bottom (clothing) comes in at −15° on every portrait tried (img01, img05, b22),
  // and hiding it needed more than the 1.3× cap — a zoom that large on every downward view, without hiding the cut. The
  // person layer continues below the photo instead (renderer/head/photoHead.ts BELOW_FADE_PHOTO: the bottom band mirrored).
  add(2, W, (t) => [t, 0]);
  const world = new Float32Array(pts.length * 3);
  pts.forEach((p, i) => world.set(p, i * 3));
  const side = Uint8Array.from(sides);
  const restOut = new Float32Array(pts.length);
  const v = new THREE.Vector3();
  for (let i = 0; i < pts.length; i++) restOut[i] = outward(v.fromArray(world, i * 3).project(restCamera), side[i]!);
  return { world, side, restOut };
}

/** The outward NDC coordinate of a projected point for a photo side (see {@link PersonEdgePoints.restOut}). */
function outward(ndc: THREE.Vector3, side: number): number {
  return side === 0 ? -ndc.x : side === 1 ? ndc.x : side === 2 ? ndc.y : -ndc.y;
}

/** Margin kept between the frame's edge and a person border point brought in by the orbit, NDC units (1 % of the
 * half-frame: a resampling filter's footprint at 256²). */
const EDGE_MARGIN_NDC = 0.02;
/** The most this zoom enlarges the view (a design limit: beyond it the face itself starts to leave a head-framed view). */
export const EDGE_ZOOM_MAX = 1.3;

/**
 * The zoom (≥ 1, ≤ {@link EDGE_ZOOM_MAX}) that keeps every person border point as far out as at rest or beyond the
 * frame's edge plus a margin: for each point that the orbit brings inside, the factor that pushes its outward NDC
 * coordinate back to min(1 + margin, its rest value × `baseZoom`). Zoom scales NDC about the frame's centre, so a
 * point on the far side of the centre cannot be pushed out; such points are skipped.
 * @param edges - from {@link personEdgePoints}.
 * @param camera - the orbited camera, with its projection at `baseZoom` (its matrices up to date).
 * @param baseZoom - the user's zoom the camera's projection holds (> 0).
 * @returns the extra zoom factor.
 */
export function personEdgeZoom(edges: PersonEdgePoints, camera: THREE.PerspectiveCamera, baseZoom: number): number {
  let zoom = 1;
  const v = new THREE.Vector3();
  for (let i = 0; i < edges.side.length; i++) {
    v.fromArray(edges.world, i * 3).project(camera);
    // Behind the camera or outside the frame across the other axis: never in view through this side.
    if (v.z > 1) continue;
    const out = outward(v, edges.side[i]!);
    const across = edges.side[i]! < 2 ? v.y : v.x;
    if (Math.abs(across) > 1 || out < 0.05) continue;
    const target = Math.min(1 + EDGE_MARGIN_NDC, edges.restOut[i]! * baseZoom);
    if (out < target) zoom = Math.max(zoom, target / out);
  }
  return Math.min(EDGE_ZOOM_MAX, zoom);
}
