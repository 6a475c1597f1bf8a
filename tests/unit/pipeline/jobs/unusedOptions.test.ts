/** Options that do not apply are named, not silently ignored (issue 15): --mood with --driving-video or --motion. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_MOTION_OPTIONS } from '../../../../core/motion/options.ts';
import { unusedMotionOptionNotes } from '../../../../pipeline/jobs/renderJob.ts';

describe('unusedMotionOptionNotes', () => {
  const given = { ...DEFAULT_MOTION_OPTIONS, fps: { num: 30, den: 1 }, mood: 'happy' as const, headMotionStrength: 0 };
  it('names --mood and --head-motion with a driving video, and not the frame rate', () => {
    expect(unusedMotionOptionNotes(given, 'drivingVideo')).toEqual([
      "note: --head-motion 0 does not apply: with --driving-video the driver's face sets the motion",
      "note: --mood happy does not apply: with --driving-video the driver's face sets the motion",
    ]);
  });
  it('says the same for a motion file; nothing for speech-driven motion or default values', () => {
    expect(unusedMotionOptionNotes(given, 'motionFile')).toHaveLength(2);
    expect(unusedMotionOptionNotes(given, 'audio')).toEqual([]);
    expect(unusedMotionOptionNotes({ ...DEFAULT_MOTION_OPTIONS }, 'drivingVideo')).toEqual([]);
  });
});
