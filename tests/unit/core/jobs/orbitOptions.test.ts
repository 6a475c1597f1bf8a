import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { ORBIT_HIDDEN_SIDE_MIN_DEG, ORBIT_LIMITS_DEG, ORBIT_PITCH_OPTION, ORBIT_TURNED_FACE_FREE_DEG, ORBIT_YAW_OPTION, orbitYawRangeDeg } from '../../../../core/jobs/options.ts';
import { estimateHeadPose } from '../../../../core/face/headPose.ts';

const RAD = 180 / Math.PI;

describe('orbit options', () => {
  it('accept the documented ranges and refuse beyond them', () => {
    expect(ORBIT_LIMITS_DEG).toEqual({ yaw: 30, pitch: 15 });
    expect(ORBIT_YAW_OPTION.schema.safeParse('25').success).toBe(true);
    expect(ORBIT_YAW_OPTION.schema.safeParse('-30').success).toBe(true);
    expect(ORBIT_YAW_OPTION.schema.safeParse('31').success).toBe(false);
    expect(ORBIT_YAW_OPTION.schema.safeParse('-45').success).toBe(false);
    expect(ORBIT_PITCH_OPTION.schema.safeParse('15').success).toBe(true);
    expect(ORBIT_PITCH_OPTION.schema.safeParse('-16').success).toBe(false);
    expect(ORBIT_PITCH_OPTION.flag).toBe('--orbit-pitch <deg>');
    expect(ORBIT_YAW_OPTION.description).toContain('30');
  });
});

describe('orbit yaw range for a turned face (orbitYawRangeDeg)', () => {
  const poseOf = (name: string): number => {
    const fx = JSON.parse(readFileSync(`tests/fixtures/landmarks/${name}.json`, 'utf8')) as { landmarksPx: number[]; imageWidthPx: number; imageHeightPx: number };
    return estimateHeadPose(fx.landmarksPx, fx.imageWidthPx, fx.imageHeightPx)!.yawRad;
  };
  it('a frontal photo (img01) keeps ±30°; the Mona Lisa (img06, turned ~20° to the viewer\'s left) turns less towards her hidden side', () => {
    const img01 = poseOf('img01');
    const img06 = poseOf('img06');
    expect(Math.abs(img01 * RAD)).toBeLessThan(5);
    expect(orbitYawRangeDeg(img01)).toEqual([-30, 30]);
    expect(img06 * RAD).toBeLessThan(-15);
    const [lo, hi] = orbitYawRangeDeg(img06);
    // −19.8° of yaw: 30 − (19.8 − 5) ≈ 15.2° towards the hidden side (camera to the viewer's left), 30° the other way.
    expect(hi).toBe(30);
    expect(lo).toBeCloseTo(-(30 - (Math.abs(img06 * RAD) - ORBIT_TURNED_FACE_FREE_DEG)), 9);
    expect(lo).toBeGreaterThan(-20);
  });
  it('is mirror-symmetric and never below the least range', () => {
    for (const deg of [0, 4, 10, 20, 27.5, 45, 90]) {
      const r = deg * (Math.PI / 180);
      const [lo, hi] = orbitYawRangeDeg(r);
      const [lo2, hi2] = orbitYawRangeDeg(-r);
      expect(hi2).toBeCloseTo(-lo, 9);
      expect(lo2).toBeCloseTo(-hi, 9);
      expect(Math.min(-lo, hi)).toBeGreaterThanOrEqual(ORBIT_HIDDEN_SIDE_MIN_DEG);
      expect(Math.max(-lo, hi)).toBe(30);
    }
    expect(orbitYawRangeDeg(Number.NaN)).toEqual([-30, 30]);
  });
});
