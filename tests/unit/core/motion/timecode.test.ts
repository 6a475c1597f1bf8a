import { describe, expect, it } from 'vitest';
import { formatTimecode } from '../../../../core/motion/timecode.ts';

describe('formatTimecode', () => {
  it('shows minutes, seconds and frames', () => {
    expect(formatTimecode(0, { num: 25, den: 1 })).toBe('00:00.00');
    expect(formatTimecode(62.48, { num: 25, den: 1 })).toBe('01:02.12');
    expect(formatTimecode(1.999, { num: 25, den: 1 })).toBe('00:01.24');
    expect(formatTimecode(3599.96, { num: 25, den: 1 })).toBe('59:59.24');
    expect(formatTimecode(6000, { num: 25, den: 1 })).toBe('100:00.00');
    expect(formatTimecode(-1, { num: 25, den: 1 })).toBe('00:00.00');
    expect(formatTimecode(Number.NaN, { num: 30000, den: 1001 })).toBe('00:00.00');
    // 29.97 fps: frame 29 of the first second is the last one shown before 00:01.00.
    expect(formatTimecode(29 / 29.97, { num: 30000, den: 1001 })).toBe('00:00.29');
  });
});
