/**
 * Progress of a multi-stage job: the fraction is elapsed time over elapsed + estimated remaining time, and the
 * estimate comes from the stages that actually run — the observed rate of the current stage once it has one,
 * expected costs for the stages still ahead, scaled by how fast the finished stages ran against their expectation.
 */
import type { JobProgress } from '../errors.ts';

/** A stage the job will run and what it is expected to cost. */
export interface StagePlan {
  /** Stage name, as reported in {@link JobProgress.stage}. */
  stage: string;
  /** Expected wall time of the whole stage, seconds (≥ 0), e.g. from measured per-unit costs × the job's size. */
  expectedSec: number;
  /**
   * True when the stage runs on another engine than the stages before it (the render browser after the CPU-bound
   * analysis): its expected time is not rescaled by how fast those ran. Measured on the render job: analysis 2.5× slower
   * than expected on a loaded machine while the render ran at its expected rate, and 3.3× faster on a quiet one while
   * the browser's launch and render together took 0.97× their expected time. Default false.
   */
  ownSpeed?: boolean;
}

/** Fewest units observed (after the stage's first) before the stage's own rate replaces its expected cost. */
const MIN_RATE_UNITS = 3;
/**
 * Shortest observation, seconds, before the stage's own rate replaces its expected cost: frames come back from the
 * render page in bursts (several in flight), so the first few can arrive within milliseconds of each other and a rate
 * taken from them read as "done" (a splat render showed 99 % at frame 4 of 34, held there by the no-going-back rule).
 */
const MIN_RATE_SPAN_SEC = 2;
/** Bounds of the speed factor (finished stages' actual / expected time) applied to expectations ahead. */
const SPEED_FACTOR_MIN = 0.25;
const SPEED_FACTOR_MAX = 8;
/** No ETA before this much of the job has run (a guess from expectations alone is not shown). */
const MIN_ETA_ELAPSED_SEC = 1;

interface StageState {
  plan: StagePlan;
  startMs: number | null;
  endMs: number | null;
  /** First event of the stage with ≥ 1 unit done: the rate is measured from here (start-up costs left out). */
  rateFrom: { ms: number; units: number } | null;
}

/**
 * Tracks a multi-stage job and produces {@link JobProgress} events. Time comes in as an argument (`nowMs`), so the
 * tracker is deterministic under test.
 * @remarks
 * remaining = (current stage: units left × observed seconds per unit once 3 units after its first are done (the
 * rate is measured from the first unit, so start-up costs such as a browser launch are left out); else its expected time × speed − time already spent in it, at least a quarter
 * of the expected time left) + Σ expected time of later stages × speed (× 1 for a stage with `ownSpeed`), where speed = Σ actual / Σ expected time
 * of the finished stages, square-rooted (1 before any; clamped to 0.25–8). fraction = elapsed / (elapsed + remaining), never
 * below the last reported fraction (monotone); 1 once the last stage reports all its units. etaSec = remaining,
 * `null` during the first second. `completedFrames`/`totalFrames` count output frames only: the frames of the
 * `frameStage` done (0 before it, all after it) of {@link setFrameCount}'s total (0 while unknown).
 */
export class ProgressTracker {
  private readonly stages: StageState[];
  private readonly startMs: number;
  private readonly frameStage: string;
  private frameCount = 0;
  private lastFraction = 0;

  /**
   * @param stages - the stages this job runs, in order (names unique).
   * @param nowMs - job start time in milliseconds.
   * @param frameStage - the stage whose units are output frames (default `render`).
   */
  constructor(stages: readonly StagePlan[], nowMs: number, frameStage = 'render') {
    this.stages = stages.map((plan) => ({ plan: { ...plan }, startMs: null, endMs: null, rateFrom: null }));
    this.startMs = nowMs;
    this.frameStage = frameStage;
  }

  /**
   * Sets the output's frame count once it is known (reported as `totalFrames`).
   * @param frameCount - frames the job writes (≥ 0).
   */
  setFrameCount(frameCount: number): void {
    this.frameCount = Math.max(0, Math.round(frameCount));
  }

  /**
   * Replaces a stage's expected time once its size is known (e.g. the render's frame count after the motion).
   * @param stage - a stage given to the constructor.
   * @param expectedSec - expected wall time of the whole stage, seconds (≥ 0).
   * @throws Error for an unknown stage (a programming error).
   */
  expect(stage: string, expectedSec: number): void {
    this.state(stage).plan.expectedSec = Math.max(0, expectedSec);
  }

  /**
   * Progress event for a point inside a stage. Earlier stages count as finished from the first event of a later one.
   * @param stage - a stage given to the constructor.
   * @param completed - units done in this stage, 0..total.
   * @param total - units in this stage (> 0; 0 counts the stage as done).
   * @param nowMs - current time in milliseconds (not before the job start).
   * @returns the event; `fraction` in [0,1] over the whole job, never below an earlier event's.
   * @throws Error for an unknown stage (a programming error).
   */
  at(stage: string, completed: number, total: number, nowMs: number): JobProgress {
    const index = this.stages.findIndex((s) => s.plan.stage === stage);
    if (index < 0) throw new Error(`unknown stage ${stage}`);
    for (let i = 0; i < index; i++) {
      const s = this.stages[i]!;
      if (s.startMs !== null && s.endMs === null) s.endMs = nowMs;
    }
    const cur = this.stages[index]!;
    cur.startMs ??= nowMs;
    const done = total > 0 ? Math.min(total, Math.max(0, completed)) : 0;
    const share = total > 0 ? done / total : 1;
    if (cur.rateFrom === null && done >= 1) cur.rateFrom = { ms: nowMs, units: done };

    const speed = this.speedFactor();
    let currentSec: number;
    const rateUnits = cur.rateFrom ? done - cur.rateFrom.units : 0;
    if (cur.rateFrom && rateUnits >= MIN_RATE_UNITS && nowMs - cur.rateFrom.ms >= MIN_RATE_SPAN_SEC * 1000) {
      currentSec = (((nowMs - cur.rateFrom.ms) / 1000) * (total - done)) / rateUnits;
    } else {
      const expected = cur.plan.expectedSec * (cur.plan.ownSpeed ? 1 : speed);
      const spentSec = (nowMs - cur.startMs) / 1000;
      currentSec = Math.max(expected - spentSec, 0.25 * expected * (1 - share));
    }
    if (share >= 1) currentSec = 0;
    let laterSec = 0;
    for (let i = index + 1; i < this.stages.length; i++) laterSec += this.stages[i]!.plan.expectedSec * (this.stages[i]!.plan.ownSpeed ? 1 : speed);
    const remainingSec = currentSec + laterSec;
    const elapsedSec = Math.max(0, (nowMs - this.startMs) / 1000);
    const isDone = index === this.stages.length - 1 && share >= 1;
    const estimate = isDone ? 1 : elapsedSec + remainingSec > 0 ? elapsedSec / (elapsedSec + remainingSec) : 0;
    this.lastFraction = Math.min(1, Math.max(this.lastFraction, estimate));
    const frameIndex = this.stages.findIndex((s) => s.plan.stage === this.frameStage);
    const completedFrames = stage === this.frameStage ? done : frameIndex >= 0 && index > frameIndex ? this.frameCount : 0;
    const totalFrames = stage === this.frameStage && total > 0 ? total : this.frameCount;
    return {
      stage,
      completedFrames,
      totalFrames,
      fraction: this.lastFraction,
      etaSec: isDone ? 0 : elapsedSec >= MIN_ETA_ELAPSED_SEC ? remainingSec : null,
    };
  }

  private state(stage: string): StageState {
    const s = this.stages.find((st) => st.plan.stage === stage);
    if (!s) throw new Error(`unknown stage ${stage}`);
    return s;
  }

  /** √(Σ actual / Σ expected seconds) of the finished stages (with ≥ 0.5 s expected in all), clamped; 1 before. */
  private speedFactor(): number {
    let actualSec = 0;
    let expectedSec = 0;
    for (const s of this.stages) {
      if (s.startMs === null || s.endMs === null) continue;
      actualSec += (s.endMs - s.startMs) / 1000;
      expectedSec += s.plan.expectedSec;
    }
    if (expectedSec < 0.5) return 1;
    // Square root: the finished stages are short and noisy (CPU-bound face analysis), and a machine's speed there
    // carries over only partly to the browser's rendering (measured on one loaded machine: analysis 2.5× slower
    // than expected while the render ran at its expected rate).
    return Math.min(SPEED_FACTOR_MAX, Math.max(SPEED_FACTOR_MIN, Math.sqrt(actualSec / expectedSec)));
  }
}
