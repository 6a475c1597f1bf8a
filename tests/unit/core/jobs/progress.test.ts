/**
 * The progress tracker on a stepped clock: the fraction follows the expected time of the stages that run, a stage's
 * own observed rate replaces its expectation (a splat render much slower than expected), it never goes back, and
 * frames are the only unit of completedFrames/totalFrames.
 */
import { describe, expect, it } from 'vitest';
import { ProgressTracker } from '../../../../core/jobs/progress.ts';

describe('ProgressTracker', () => {
  it('an audio-only job is at 3 s of 23 s expected when its render starts (the old fixed weights said 50 %)', () => {
    const t = new ProgressTracker([{ stage: 'analyze', expectedSec: 2 }, { stage: 'motion', expectedSec: 1 }, { stage: 'render', expectedSec: 20 }], 0);
    expect(t.at('analyze', 0, 2, 0).fraction).toBe(0);
    t.at('motion', 0, 100, 2000);
    const p = t.at('render', 0, 500, 3000);
    expect(p.fraction).toBeCloseTo(3 / 23, 6);
    expect(p.etaSec).toBeCloseTo(20, 6);
  });

  it('a stage with ownSpeed keeps its expected time when the earlier stages ran 4× faster than expected (the render browser after the analysis)', () => {
    const stages = (own: boolean) => [{ stage: 'analyze', expectedSec: 4 }, { stage: 'prepare', expectedSec: 8, ownSpeed: own }, { stage: 'render', expectedSec: 4, ownSpeed: own }];
    const scaled = new ProgressTracker(stages(false), 0);
    const own = new ProgressTracker(stages(true), 0);
    for (const t of [scaled, own]) t.at('analyze', 0, 1, 0);
    // analyze took 1 s of 4 expected: speed √(1/4) = 0.5.
    expect(scaled.at('prepare', 0, 1, 1000).etaSec).toBeCloseTo(12 * 0.5, 6);
    expect(own.at('prepare', 0, 1, 1000).etaSec).toBeCloseTo(12, 6);
  });

  it('takes the ETA from the observed frame rate: 1 s per frame where 0.1 s was expected (a splat render)', () => {
    const t = new ProgressTracker([{ stage: 'analyze', expectedSec: 2 }, { stage: 'render', expectedSec: 15 }], 0);
    t.setFrameCount(100);
    t.at('analyze', 0, 2, 0);
    t.at('render', 0, 100, 2000);
    // launch 5 s, then frames at 1 s each
    let p = t.at('render', 1, 100, 7000);
    for (let f = 2; f <= 20; f++) p = t.at('render', f, 100, 7000 + (f - 1) * 1000);
    expect(p.etaSec).toBeCloseTo(80, 6); // 80 frames left × 1 s
    expect(p).toMatchObject({ stage: 'render', completedFrames: 20, totalFrames: 100 });
    // The fraction reported before the rate was known (from the expectation: 9 s elapsed, 15 − 7 s left at 3 frames)
    // is held, not taken back, until the elapsed share passes it.
    expect(p.fraction).toBeCloseTo(9 / 17, 6);
    for (let f = 21; f <= 70; f++) p = t.at('render', f, 100, 7000 + (f - 1) * 1000);
    expect(p.fraction).toBeCloseTo(76 / (76 + 30), 6);
    expect(p.etaSec).toBeCloseTo(30, 6);
  });

  it('does not take a rate from a burst of frames: 4 frames within 30 ms of a slow render stay near the expectation', () => {
    // As in a tester's splat render: 34 frames, 30 s expected, the first four arrive together after the launch.
    const t = new ProgressTracker([{ stage: 'analyze', expectedSec: 2 }, { stage: 'render', expectedSec: 30 }], 0);
    t.at('analyze', 0, 1, 0);
    t.at('render', 0, 34, 2000);
    let p = t.at('render', 1, 34, 14_000);
    for (let f = 2; f <= 4; f++) p = t.at('render', f, 34, 14_000 + (f - 1) * 10);
    // elapsed 14 s of 2 + 30 s expected: about 44 %, not the 99 % a 10 ms/frame rate would give
    expect(p.fraction).toBeLessThan(0.6);
    expect(p.etaSec!).toBeGreaterThan(5);
    // then the real rate (1 s per frame) takes over once it has been seen for 2 s
    for (let f = 5; f <= 10; f++) p = t.at('render', f, 34, 14_030 + (f - 4) * 1000);
    expect(p.etaSec!).toBeGreaterThan(10);
    expect(p.fraction).toBeLessThan(0.7);
  });

  it('never reports a smaller fraction when the estimate grows, and ends at 1 with ETA 0', () => {
    const t = new ProgressTracker([{ stage: 'motion', expectedSec: 1 }, { stage: 'render', expectedSec: 2 }], 0);
    t.at('motion', 0, 1, 0);
    const before = t.at('render', 0, 10, 1000).fraction;
    t.at('render', 1, 10, 1500);
    t.at('render', 2, 10, 2000);
    t.at('render', 3, 10, 2500);
    const slowed = t.at('render', 4, 10, 60_000); // a frame suddenly takes 57.5 s: remaining jumps up
    expect(slowed.fraction).toBeGreaterThanOrEqual(before);
    expect(slowed.etaSec!).toBeGreaterThan(100);
    expect(t.at('render', 10, 10, 61_000)).toMatchObject({ fraction: 1, etaSec: 0 });
  });

  it('moves while a stage reports no units (re-reported on a timer): expected time minus time spent', () => {
    const t = new ProgressTracker([{ stage: 'render', expectedSec: 10 }], 0);
    const a = t.at('render', 0, 50, 0);
    const b = t.at('render', 0, 50, 4000);
    expect(a.fraction).toBe(0);
    expect(a.etaSec).toBeNull(); // nothing has run yet
    expect(b.fraction).toBeCloseTo(4 / 10, 6);
    expect(b.etaSec).toBeCloseTo(6, 6);
  });

  it('counts frames only: 0 of the known total before the frame stage, all of them after it', () => {
    const t = new ProgressTracker([{ stage: 'motion', expectedSec: 1 }, { stage: 'render', expectedSec: 5 }, { stage: 'zip', expectedSec: 1 }], 0);
    expect(t.at('motion', 40, 100, 100)).toMatchObject({ completedFrames: 0, totalFrames: 0 });
    t.setFrameCount(75);
    expect(t.at('motion', 100, 100, 500)).toMatchObject({ completedFrames: 0, totalFrames: 75 });
    expect(t.at('render', 30, 75, 2000)).toMatchObject({ completedFrames: 30, totalFrames: 75 });
    expect(t.at('zip', 0, 1, 5000)).toMatchObject({ completedFrames: 75, totalFrames: 75 });
  });

  it('scales the expectations ahead by how fast the finished stages ran, square-rooted (a stage 4× slower: 2×)', () => {
    const t = new ProgressTracker([{ stage: 'analyze', expectedSec: 2 }, { stage: 'render', expectedSec: 10 }], 0);
    t.at('analyze', 0, 2, 0);
    const p = t.at('render', 0, 100, 8000);
    expect(p.etaSec).toBeCloseTo(20, 6);
  });
});
