/**
 * Auto-framing: places a perspective camera so an avatar's bounding box fills a chosen fraction of the view.
 */
import * as THREE from 'three';

/** Options of {@link frameBox}. */
export interface FrameBoxOptions {
  /** Fraction in (0, 1] of the view's height (or width, whichever binds) the box should fill. Default 0.8. */
  fill?: number;
  /** Direction from the box centre towards the camera (normalised internally). Default +Z (front view). */
  direction?: THREE.Vector3;
}

/**
 * Moves and aims `camera` at `box`.
 * @param camera - perspective camera; its `fov` (vertical, degrees) and `aspect` are kept; near/far are set.
 * @param box - world-space box to frame (non-empty).
 * @param options - fill fraction and view direction.
 * @returns the camera-to-centre distance in world units.
 * @remarks Distance d = (h/2)/tan(fov/2)/fill with h the larger of the box height and width/aspect, measured
 * from the box face nearest the camera (half its depth is added).
 */
export function frameBox(camera: THREE.PerspectiveCamera, box: THREE.Box3, options: FrameBoxOptions = {}): number {
  const fill = Math.min(1, Math.max(0.05, options.fill ?? 0.8));
  const dir = (options.direction ?? new THREE.Vector3(0, 0, 1)).clone().normalize();
  const center = box.getCenter(new THREE.Vector3());
  const size = box.getSize(new THREE.Vector3());
  const halfFov = THREE.MathUtils.degToRad(camera.fov) / 2;
  const h = Math.max(size.y, size.x / camera.aspect, 1e-6);
  const distance = h / 2 / Math.tan(halfFov) / fill + size.z / 2;
  camera.position.copy(center).addScaledVector(dir, distance);
  camera.up.set(0, 1, 0);
  camera.lookAt(center);
  const radius = size.length() / 2;
  camera.near = Math.max(1e-3, (distance - radius) * 0.5);
  camera.far = distance + radius * 4 + 1;
  camera.updateProjectionMatrix();
  camera.updateMatrixWorld(true);
  return distance;
}
