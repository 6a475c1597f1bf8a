/**
 * Progress across the stages of a job, with an ETA from the measured rate.
 */
import type { JobProgress } from '../errors.ts';

/** A stage and its share of the job's expected time (weights need not sum to 1; they are normalised). */
export interface StageWeight {
  stage: string;
  weight: number;
}

/**
 * Tracks a multi-stage job and produces {@link JobProgress} events.
 * Time comes in as an argument (`nowMs`), so the tracker is deterministic under test.
 * @remarks ETA = elapsed × (1 − f) / f over the whole job once f ≥ 2 %, else `null`.
 */
export class ProgressTracker {
  private readonly weights: Map<string, { start: number; weight: number }>;
  private readonly total: number;
  private readonly startMs: number;

  /**
   * @param stages - ordered stages with relative weights (> 0).
   * @param nowMs - job start time in milliseconds.
   */
  constructor(stages: readonly StageWeight[], nowMs: number) {
    this.total = stages.reduce((s, st) => s + st.weight, 0);
    let acc = 0;
    this.weights = new Map();
    for (const st of stages) {
      this.weights.set(st.stage, { start: acc, weight: st.weight });
      acc += st.weight;
    }
    this.startMs = nowMs;
  }

  /**
   * Progress event for a point inside a stage.
   * @param stage - a stage given to the constructor.
   * @param completed - units done in this stage, 0..total.
   * @param total - units in this stage (> 0).
   * @param nowMs - current time in milliseconds.
   * @returns the event, with `fraction` in [0,1] over the whole job.
   * @throws Error for an unknown stage (a programming error).
   */
  at(stage: string, completed: number, total: number, nowMs: number): JobProgress {
    const w = this.weights.get(stage);
    if (!w) throw new Error(`unknown stage ${stage}`);
    const inStage = total > 0 ? Math.min(1, Math.max(0, completed / total)) : 1;
    const fraction = Math.min(1, (w.start + w.weight * inStage) / this.total);
    const elapsedSec = (nowMs - this.startMs) / 1000;
    const etaSec = fraction >= 0.02 ? (elapsedSec * (1 - fraction)) / fraction : null;
    return { stage, completedFrames: completed, totalFrames: total, fraction, etaSec };
  }
}
