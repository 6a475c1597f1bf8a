/** Motion-track JSON from outside (issue 15): frame counts capped, lengths checked before allocation, values clamped. */
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../../core/errors.ts';
import { ARKIT_BLENDSHAPE_COUNT, arkitIndex } from '../../../../core/motion/names.ts';
import { MAX_TRACK_FRAMES, trackFromJson } from '../../../../core/motion/track.ts';

const base = (frameCount: number): Record<string, unknown> => ({ schemaVersion: 1, fps: { num: 30, den: 1 }, frameCount, blendshapes: {}, visemes: {}, headRotation: [], headTranslationM: [], gazeRad: [] });

describe('trackFromJson on hostile input', () => {
  it('refuses a billion declared frames backed by no values with a clear error, without allocating them', () => {
    // Before: createNeutralTrack(1e9) ran first and threw a RangeError (52e9 floats) — no InvalidInputError.
    expect(() => trackFromJson(base(1_000_000_000))).toThrow(InvalidInputError);
    expect(() => trackFromJson(base(1_000_000_000))).toThrow(/more than the 432000/);
  });

  it('checks lengths before allocating: MAX_TRACK_FRAMES declared with empty arrays fails on the lengths', () => {
    const before = process.memoryUsage().arrayBuffers;
    expect(() => trackFromJson(base(MAX_TRACK_FRAMES))).toThrow(/headRotation has 0 values, expected 1728000/);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(10 * 2 ** 20);
  });

  it('clamps weights to [0,1], normalises rotations (zero → identity), clamps translation and gaze', () => {
    const j = base(2);
    j.blendshapes = { jawOpen: [5, -1] };
    j.visemes = { aa: [2, 0.5] };
    j.headRotation = [0, 0, 0, 2, 0, 0, 0, 0];
    j.headTranslationM = [100, 0, -100, 0, 0, 0];
    j.gazeRad = [10, 0, 0, 0, 0, 0, 0, -10];
    const t = trackFromJson(j);
    const k = arkitIndex('jawOpen');
    expect([t.blendshapes[k], t.blendshapes[ARKIT_BLENDSHAPE_COUNT + k]]).toEqual([1, 0]);
    expect(t.visemes[10]).toBe(1); // 'aa' is OVR index 10
    expect(t.visemes[15 + 10]).toBe(0.5);
    expect(Array.from(t.headRotation)).toEqual([0, 0, 0, 1, 0, 0, 0, 1]);
    expect(Array.from(t.headTranslationM)).toEqual([1, 0, -1, 0, 0, 0]);
    expect(t.gazeRad[0]).toBeCloseTo(Math.PI / 2, 6);
    expect(t.gazeRad[7]).toBeCloseTo(-Math.PI / 2, 6);
  });
});

describe('one frame-rate rule for CLI, project and IPC', () => {
  it('--fps 0.5 is refused like the project file refuses it (the CLI accepted it); 1 and 240 are accepted', async () => {
    const { parseFps } = await import('../../../../core/motion/track.ts');
    const { FpsSchema: ProjectFps } = await import('../../../../core/project/schema.ts');
    const { FpsSchema: MotionFps } = await import('../../../../core/motion/options.ts');
    expect(() => parseFps('0.5')).toThrow(/from 1 to 240 fps/);
    expect(() => parseFps('241')).toThrow(InvalidInputError);
    expect(parseFps('1')).toEqual({ num: 1, den: 1 });
    expect(parseFps('240')).toEqual({ num: 240, den: 1 });
    expect(ProjectFps).toBe(MotionFps);
    expect(MotionFps.safeParse({ num: 1, den: 2 }).success).toBe(false);
  });
});
