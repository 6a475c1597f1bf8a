import { describe, expect, it } from 'vitest';
import { dragOrbit, ORBIT_LIMITS_RAD, wheelZoom, ZOOM_LIMITS } from '../../../../../renderer/app/viewport/orbitControls.ts';

describe('viewport orbit controls', () => {
  it('a long drag ends at the soft limits, never past them, and slows near them', () => {
    let v = { yawRad: 0, pitchRad: 0 };
    const steps: number[] = [];
    for (let k = 0; k < 400; k++) {
      const before = v.yawRad;
      v = dragOrbit(v.yawRad, v.pitchRad, 10, -10);
      steps.push(v.yawRad - before);
    }
    expect(v.yawRad).toBeLessThanOrEqual(ORBIT_LIMITS_RAD.yaw);
    expect(v.yawRad).toBeGreaterThan(0.97 * ORBIT_LIMITS_RAD.yaw);
    expect(v.pitchRad).toBeGreaterThanOrEqual(-ORBIT_LIMITS_RAD.pitch);
    expect(v.pitchRad).toBeLessThan(-0.97 * ORBIT_LIMITS_RAD.pitch);
    expect(steps[0]).toBeCloseTo(0.05, 6);
    expect(steps[20]!).toBeLessThan(0.5 * steps[0]!);
    // Dragging back moves at full speed.
    const back = dragOrbit(v.yawRad, v.pitchRad, -10, 0);
    expect(v.yawRad - back.yawRad).toBeCloseTo(0.05, 6);
  });
  it('a narrowed yaw range (a face turned in the photo) stops the drag on that side only, and brings an angle outside it back', () => {
    const range: [number, number] = [-0.2, ORBIT_LIMITS_RAD.yaw];
    let v = { yawRad: 0, pitchRad: 0 };
    for (let k = 0; k < 400; k++) v = dragOrbit(v.yawRad, v.pitchRad, -10, 0, range);
    expect(v.yawRad).toBeGreaterThanOrEqual(-0.2);
    expect(v.yawRad).toBeLessThan(-0.97 * 0.2);
    v = { yawRad: 0, pitchRad: 0 };
    for (let k = 0; k < 400; k++) v = dragOrbit(v.yawRad, v.pitchRad, 10, 0, range);
    expect(v.yawRad).toBeGreaterThan(0.97 * ORBIT_LIMITS_RAD.yaw);
    // The range narrowed under the current angle (a turned face loaded at −0.4 rad): outwards nothing, inwards back.
    expect(dragOrbit(-0.4, 0, -10, 0, range).yawRad).toBe(-0.4);
    expect(dragOrbit(-0.4, 0, 10, 0, range).yawRad).toBeCloseTo(-0.35, 6);
  });
  it('wheel zoom stays in range', () => {
    let z = 1;
    for (let k = 0; k < 50; k++) z = wheelZoom(z, -100);
    expect(z).toBe(ZOOM_LIMITS.max);
    for (let k = 0; k < 50; k++) z = wheelZoom(z, 100);
    expect(z).toBe(ZOOM_LIMITS.min);
    expect(wheelZoom(1, -100)).toBeCloseTo(Math.exp(0.113), 6);
  });
});
