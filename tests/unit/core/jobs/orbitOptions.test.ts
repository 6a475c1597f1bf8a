import { describe, expect, it } from 'vitest';
import { ORBIT_LIMITS_DEG, ORBIT_PITCH_OPTION, ORBIT_YAW_OPTION } from '../../../../core/jobs/options.ts';

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
