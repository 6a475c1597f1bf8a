/**
 * The viewport's camera controls as pure functions: drag to orbit with soft limits, wheel to zoom, reset.
 *
 * @remarks The limits are the CLI's (`ORBIT_LIMITS_DEG` in core/jobs/options.ts): the layered photo head holds up to
 * ±30° of yaw and ±15° of pitch. The limit is soft: the drag's effect fades as the angle nears it (a rubber band,
 * factor 1 − (|angle|/limit)² when moving outwards), so the user feels the end instead of hitting a wall, and the
 * angle never passes it.
 */
import { ORBIT_LIMITS_DEG } from '../../../core/jobs/options.ts';

/** Orbit limits, radians. */
export const ORBIT_LIMITS_RAD = { yaw: (ORBIT_LIMITS_DEG.yaw * Math.PI) / 180, pitch: (ORBIT_LIMITS_DEG.pitch * Math.PI) / 180 } as const;
/** Radians of orbit per pixel of drag (away from the limits). */
export const ORBIT_RAD_PER_PX = 0.005;
/** Zoom range (camera zoom factor: 1 = the framing preset; > 1 closer). */
export const ZOOM_LIMITS = { min: 0.85, max: 3 } as const;

/**
 * One drag step on one axis with a soft limit.
 * @param angleRad - current angle.
 * @param deltaRad - requested change.
 * @param limitRad - the limit (> 0).
 * @returns the new angle in [−limit, limit].
 */
export function softLimitStep(angleRad: number, deltaRad: number, limitRad: number): number {
  const outward = Math.sign(deltaRad) === Math.sign(angleRad);
  const t = Math.min(1, Math.abs(angleRad) / limitRad);
  const scale = outward ? Math.max(0.05, 1 - t * t) : 1;
  return Math.max(-limitRad, Math.min(limitRad, angleRad + deltaRad * scale));
}

/**
 * One drag step on one axis with soft limits that may differ on each side.
 * @param angleRad - current angle.
 * @param deltaRad - requested change.
 * @param minRad - the lower limit (< 0).
 * @param maxRad - the upper limit (> 0).
 * @returns the new angle in [minRad, maxRad] (an angle already outside, after the limits narrowed, only moves back).
 */
export function softRangeStep(angleRad: number, deltaRad: number, minRad: number, maxRad: number): number {
  const limit = deltaRad >= 0 ? maxRad : -minRad;
  const outward = Math.sign(deltaRad) === Math.sign(angleRad);
  const t = Math.min(1, Math.abs(angleRad) / limit);
  const scale = outward ? Math.max(0.05, 1 - t * t) : 1;
  const next = angleRad + deltaRad * scale;
  // Limits that narrowed under the current angle (a turned face loaded): never further out, always back in.
  return outward && Math.abs(angleRad) > limit ? angleRad : Math.max(Math.min(minRad, angleRad), Math.min(Math.max(maxRad, angleRad), next));
}

/**
 * Orbit after a drag of (dx, dy) pixels (+dx to the right turns the camera to the viewer's right).
 * @param yawRad - current yaw.
 * @param pitchRad - current pitch.
 * @param dxPx - pointer movement right, px.
 * @param dyPx - pointer movement down, px.
 * @param yawRangeRad - the yaw range `[min, max]`, radians (default ±{@link ORBIT_LIMITS_RAD}.yaw; a turned face in the
 *   photo narrows the side it hides: core/jobs/options.ts `orbitYawRangeDeg`).
 * @returns the new angles inside the limits.
 */
export function dragOrbit(yawRad: number, pitchRad: number, dxPx: number, dyPx: number, yawRangeRad: readonly [number, number] = [-ORBIT_LIMITS_RAD.yaw, ORBIT_LIMITS_RAD.yaw]): { yawRad: number; pitchRad: number } {
  return { yawRad: softRangeStep(yawRad, dxPx * ORBIT_RAD_PER_PX, yawRangeRad[0], yawRangeRad[1]), pitchRad: softLimitStep(pitchRad, dyPx * ORBIT_RAD_PER_PX, ORBIT_LIMITS_RAD.pitch) };
}

/**
 * Zoom after a wheel event.
 * @param zoom - current zoom factor.
 * @param wheelDeltaY - the wheel event's deltaY (pixels; + = away from the user = zoom out).
 * @returns the new zoom in {@link ZOOM_LIMITS} (exponential: 100 px of wheel ≈ ×1.12).
 */
export function wheelZoom(zoom: number, wheelDeltaY: number): number {
  return Math.max(ZOOM_LIMITS.min, Math.min(ZOOM_LIMITS.max, zoom * Math.exp(-wheelDeltaY * 0.00113)));
}

/** What the viewport tells the user about the controls. */
export const ORBIT_HINT = `Drag to orbit (±${ORBIT_LIMITS_DEG.yaw}° left/right, ±${ORBIT_LIMITS_DEG.pitch}° up/down), wheel to zoom`;
