/**
 * The shapes a batch of renders is made of: one job's render options (JSON-safe, so it can sit in a state file or
 * travel through Redis), what a finished job reports, and the results manifest.
 */
import type { ErrorPayload } from '../../core/errors.ts';
import type { RenderTalkingHeadOptions } from '../jobs/renderJob.ts';

/** One render of a batch: the render job's options without signal and callbacks; every path absolute. */
export type BatchRenderSpec = Omit<RenderTalkingHeadOptions, 'signal' | 'onProgress' | 'onLog' | 'nowMs' | 'acquireRenderHost' | 'launchRenderHost' | 'analyzePortrait'>;

/** One job of a batch as the job file defines it. */
export interface BatchJob {
  /** Name in the manifest: the job's `id` in the job file, else `job-<n>` (1-based position). */
  id: string;
  /**
   * Content key: SHA-256 (first 16 hex digits) of the resolved spec. A job whose options are unchanged keeps its key
   * across runs, so a rerun knows it is done; an edited job is a new job.
   */
  key: string;
  /** What to render. */
  spec: BatchRenderSpec;
}

/** A parsed job file. */
export interface BatchDefinition {
  /** Absolute path of the job file. */
  jobFilePath: string;
  /**
   * Batch identity: SHA-256 (first 12 hex digits) of the job file's absolute path, or the name given with `--batch`;
   * names the local state file's batch and the Redis job ids.
   */
  batchId: string;
  jobs: BatchJob[];
}

/** What one finished render reports (both queues). */
export interface BatchJobResult {
  /** The final output path. */
  outPath: string;
  frameCount: number;
  /** Output duration, seconds. */
  durationSec: number;
  /** Milliseconds per render stage (renderJob's `stageMs`) plus `commit` (the rename into place). */
  stageMs: Record<string, number>;
  /** Wall time of the whole job on its worker, seconds. */
  wallSec: number;
  /** Which worker rendered and wrote it. */
  workerId: string;
  /** Render-browser launches by that worker up to and including this job (1 when the browser was reused throughout). */
  workerHostLaunches: number;
}

/** Status of a job in a manifest. */
export type BatchJobStatus = 'pending' | 'running' | 'done' | 'failed' | 'cancelled';

/** One line of the results manifest. */
export interface ManifestJob {
  id: string;
  key: string;
  status: BatchJobStatus;
  /** The requested output (absolute). */
  out: string;
  /** Output duration, seconds (done jobs). */
  durationSec?: number;
  frameCount?: number;
  /** Wall time of the last attempt, seconds. */
  wallSec?: number;
  /** Stage timings of the finished render, ms. */
  stageMs?: Record<string, number>;
  workerId?: string;
  /** Render-browser launches of that worker up to this job. */
  workerHostLaunches?: number;
  /** Attempts made (a killed worker's attempt included). */
  attempts: number;
  error?: ErrorPayload;
  /** 0..1 while running. */
  fraction?: number;
  /** ISO times. */
  startedAt?: string;
  finishedAt?: string;
}

/** The results manifest of a batch (written atomically next to the job file unless told otherwise). */
export interface BatchManifest {
  version: 1;
  batchId: string;
  jobFile: string;
  /** `local` or the Redis queue name. */
  queue: string;
  updatedAt: string;
  counts: Record<BatchJobStatus, number>;
  /** Per worker: jobs it finished and its render-browser launches. */
  workers: Record<string, { jobs: number; hostLaunches: number }>;
  jobs: ManifestJob[];
}

/**
 * Counts jobs per status and sums per worker, for a manifest.
 * @param jobs - manifest lines.
 * @returns counts per status and per-worker totals (jobs done, most browser launches seen).
 */
export function summarizeJobs(jobs: readonly ManifestJob[]): Pick<BatchManifest, 'counts' | 'workers'> {
  const counts: Record<BatchJobStatus, number> = { pending: 0, running: 0, done: 0, failed: 0, cancelled: 0 };
  const workers: BatchManifest['workers'] = {};
  for (const j of jobs) {
    counts[j.status]++;
    if (j.status === 'done' && j.workerId) {
      const w = (workers[j.workerId] ??= { jobs: 0, hostLaunches: 0 });
      w.jobs++;
      w.hostLaunches = Math.max(w.hostLaunches, j.workerHostLaunches ?? 0);
    }
  }
  return { counts, workers };
}
