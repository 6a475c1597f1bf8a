/**
 * A batch of renders on this machine: a persistent queue (a JSON state file, rewritten atomically on every change)
 * worked by N workers in this process, each with its own render browser reused across its jobs. A crash, SIGKILL or
 * Ctrl+C loses at most the renders in flight: running the same batch again skips the jobs whose outputs are in
 * place, finishes a commit that was under way, and renders the rest.
 *
 * @remarks Commit journal: before a finished render is moved into place the job is recorded as `committing` with
 * its staging path and result; after the move, `done`. On resume a `committing` job whose staging file still exists
 * is moved then, one whose output exists is done, so no job is rendered twice and no output is half-written.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, freemem } from 'node:os';
import { JobCancelledError, StudioError, toErrorPayload, type ErrorPayload, type JobProgress } from '../../core/errors.ts';
import type { RenderHost, RenderHostLaunchOptions } from '../render/renderHost.ts';
import { BatchRenderer, PortraitFaceCache } from './batchRenderer.ts';
import { commitOutput, outputExists, removeStaleStaging, stagingPathFor, writeJsonAtomic } from './outputs.ts';
import { summarizeJobs, type BatchDefinition, type BatchJob, type BatchJobResult, type BatchManifest, type ManifestJob } from './types.ts';

/**
 * Error codes that mean the job itself is wrong (bad input): retrying cannot help, so the job fails at once.
 * @remarks The same codes cli/main.ts maps to exit status 2.
 */
export const PERMANENT_ERROR_CODES: ReadonlySet<string> = new Set(['INVALID_INPUT', 'UNSUPPORTED_MEDIA', 'NO_FACE_FOUND', 'MALFORMED_SPLAT_FILE', 'TRUNCATED_FILE', 'VERTEX_COUNT_MISMATCH', 'NON_FINITE_VALUE', 'BAD_MAGIC', 'UNSUPPORTED_SPLAT_VARIANT', 'BAD_AVATAR_PACKAGE']);

/** Memory one worker needs: a headless Chromium rendering with SwiftShader, ffmpeg and the job's buffers. */
const WORKER_MEMORY_BYTES = 1.5 * 1024 ** 3;

/**
 * Default worker count: one per two logical cores (each worker's Chromium and ffmpeg use more than one core), at most
 * what free memory holds at {@link WORKER_MEMORY_BYTES} each, at least 1, at most 8.
 * @param cores - logical cores (default `os.availableParallelism()`).
 * @param freeBytes - free memory in bytes (default `os.freemem()`).
 * @returns the worker count.
 * @remarks A heuristic, not a measurement: a 128² render used about one core for Chromium plus a fraction for
 * ffmpeg here; `--workers` overrides it.
 */
export function defaultWorkerCount(cores = availableParallelism(), freeBytes = freemem()): number {
  return Math.max(1, Math.min(8, Math.floor(cores / 2), Math.floor(freeBytes / WORKER_MEMORY_BYTES)));
}

/** A job's record in the state file. */
interface StateJob {
  id: string;
  out: string;
  status: 'pending' | 'running' | 'committing' | 'done' | 'failed' | 'cancelled';
  attempts: number;
  staging?: string;
  result?: BatchJobResult;
  error?: ErrorPayload;
  workerId?: string;
  fraction?: number;
  startedAt?: string;
  finishedAt?: string;
}

/** The state file. */
interface LocalBatchState {
  version: 1;
  batchId: string;
  jobFile: string;
  jobs: Record<string, StateJob>;
}

/** What the local batch reports while it runs. */
export type LocalBatchEvent =
  | { type: 'resume'; done: number; toRender: number; recommitted: number; missingOutputs: number }
  | { type: 'start'; job: BatchJob; workerId: string; attempt: number }
  | { type: 'progress'; job: BatchJob; workerId: string; progress: JobProgress }
  | { type: 'done'; job: BatchJob; result: BatchJobResult }
  | { type: 'failed'; job: BatchJob; workerId: string; error: ErrorPayload; retryInSec: number | null }
  | { type: 'log'; job: BatchJob; workerId: string; line: string };

/** Options of {@link runLocalBatch}. */
export interface LocalBatchOptions {
  definition: BatchDefinition;
  /** The persistent queue (JSON); a `.lock` file beside it keeps a second run of the same batch out. */
  statePath: string;
  /** The results manifest (JSON, rewritten atomically after every finished job). */
  manifestPath: string;
  /** Workers (≥ 1), each with its own render browser. */
  workers: number;
  /** Further attempts after a failure that is not a bad-input error (default 2), with back-off `backoffSec · 2^(n-1)`. */
  retries?: number;
  /** First back-off in seconds (default 2). */
  backoffSec?: number;
  /** Stops taking jobs and cancels the running ones (they stay queued for the next run). */
  signal?: AbortSignal;
  onEvent?: (e: LocalBatchEvent) => void;
  /** Starts a render host (default `RenderHost.launch`). */
  launchHost?: (opts: RenderHostLaunchOptions) => Promise<RenderHost>;
}

/** What {@link runLocalBatch} ends with. */
export interface LocalBatchSummary {
  manifest: BatchManifest;
  /** True when the signal stopped the batch before every job had finished. */
  cancelled: boolean;
  /** Portrait analyses run (the rest came from the cache). */
  faceAnalyses: number;
}

/**
 * Runs (or resumes) a batch on this machine.
 * @param opts - see {@link LocalBatchOptions}.
 * @returns the final manifest (also written to `opts.manifestPath`).
 * @throws StudioError `BATCH_LOCKED` when another live process runs the same state file; InvalidInputError for a
 * state file that is not this tool's. Job failures do not throw: they are in the manifest.
 */
export async function runLocalBatch(opts: LocalBatchOptions): Promise<LocalBatchSummary> {
  const { definition } = opts;
  const emit = opts.onEvent ?? (() => undefined);
  const lockPath = `${opts.statePath}.lock`;
  await acquireLock(lockPath);
  const faces = new PortraitFaceCache();
  try {
    const state = await loadState(opts.statePath, definition);
    const jobsByKey = new Map(definition.jobs.map((j) => [j.key, j]));
    const tagOf = (job: BatchJob): string => `${definition.batchId}-${job.key}`;
    let persistChain: Promise<void> = Promise.resolve();
    const persist = (): Promise<void> => (persistChain = persistChain.then(() => writeJsonAtomic(opts.statePath, state)));
    let lastManifest: BatchManifest | null = null;
    const writeManifest = async (): Promise<void> => {
      lastManifest = manifestOf(state, definition, jobsByKey);
      await (persistChain = persistChain.then(() => writeJsonAtomic(opts.manifestPath, lastManifest)));
    };

    // Resume: settle what the last run left.
    const queue: BatchJob[] = [];
    let recommitted = 0;
    let missingOutputs = 0;
    for (const job of definition.jobs) {
      const st = state.jobs[job.key]!;
      if (st.status === 'committing' && st.staging && st.result) {
        if ((await commitOutput(st.staging, job.spec.outPath)) || (await outputExists(job.spec.outPath))) {
          st.status = 'done';
          recommitted++;
        }
      }
      if (st.status === 'done' && !(await outputExists(job.spec.outPath))) {
        missingOutputs++;
        st.status = 'pending';
        delete st.result;
      }
      if (st.status !== 'done') {
        st.status = 'pending';
        delete st.fraction;
        delete st.staging;
        await removeStaleStaging(job.spec.outPath, tagOf(job));
        queue.push(job);
      }
    }
    await persist();
    emit({ type: 'resume', done: definition.jobs.length - queue.length, toRender: queue.length, recommitted, missingOutputs });

    // The scheduler: workers take jobs until none is queued, running or waiting for a retry.
    let outstanding = queue.length;
    let wake: (() => void)[] = [];
    const notify = (): void => {
      const w = wake;
      wake = [];
      for (const f of w) f();
    };
    const onAbort = (): void => notify();
    opts.signal?.addEventListener('abort', onAbort);
    const take = async (): Promise<BatchJob | null> => {
      for (;;) {
        if (opts.signal?.aborted) return null;
        const job = queue.shift();
        if (job) return job;
        if (outstanding === 0) return null;
        await new Promise<void>((r) => wake.push(r));
      }
    };
    const retries = opts.retries ?? 2;
    const backoffSec = opts.backoffSec ?? 2;
    const attemptsThisRun = new Map<string, number>();
    const timers = new Set<NodeJS.Timeout>();
    let lastProgressWrite = 0;

    const work = async (workerId: string): Promise<void> => {
      const renderer = new BatchRenderer(faces, opts.launchHost);
      try {
        for (let job = await take(); job; job = await take()) {
          const st = state.jobs[job.key]!;
          const attempt = (attemptsThisRun.get(job.key) ?? 0) + 1;
          attemptsThisRun.set(job.key, attempt);
          Object.assign(st, { status: 'running', workerId, attempts: st.attempts + 1, startedAt: new Date().toISOString(), fraction: 0 });
          delete st.error;
          const staging = stagingPathFor(job.spec.outPath, tagOf(job));
          st.staging = staging;
          await persist();
          emit({ type: 'start', job, workerId, attempt });
          const t0 = performance.now();
          try {
            const r = await renderer.render(job.spec, staging, {
              signal: opts.signal,
              onProgress: (progress) => {
                st.fraction = progress.fraction;
                emit({ type: 'progress', job: job!, workerId, progress });
                const now = performance.now();
                if (now - lastProgressWrite > 1000) {
                  lastProgressWrite = now;
                  void persist();
                }
              },
              onLog: (line) => emit({ type: 'log', job: job!, workerId, line }),
            });
            const result: BatchJobResult = { outPath: job.spec.outPath, frameCount: r.frameCount, durationSec: r.durationSec, stageMs: { ...r.stageMs }, wallSec: 0, workerId, workerHostLaunches: renderer.hostLaunches };
            // Journal, then move: a crash between the two is finished by the next run.
            st.status = 'committing';
            st.result = result;
            await persist();
            const tc = performance.now();
            await commitOutput(staging, job.spec.outPath);
            result.stageMs.commit = Math.round(performance.now() - tc);
            result.wallSec = (performance.now() - t0) / 1000;
            Object.assign(st, { status: 'done', finishedAt: new Date().toISOString(), fraction: 1 });
            delete st.staging;
            outstanding--;
            await persist();
            await writeManifest();
            emit({ type: 'done', job, result });
          } catch (err) {
            await removeStaleStaging(job.spec.outPath, tagOf(job));
            delete st.staging;
            const error = toErrorPayload(err);
            if (opts.signal?.aborted || err instanceof JobCancelledError) {
              Object.assign(st, { status: 'cancelled', error: toErrorPayload(new JobCancelledError()), finishedAt: new Date().toISOString() });
              outstanding--;
              await persist();
              continue;
            }
            const permanent = PERMANENT_ERROR_CODES.has(error.code);
            const retryInSec = !permanent && attempt <= retries ? backoffSec * 2 ** (attempt - 1) : null;
            Object.assign(st, { status: retryInSec === null ? 'failed' : 'pending', error, finishedAt: new Date().toISOString() });
            emit({ type: 'failed', job, workerId, error, retryInSec });
            if (retryInSec === null) {
              outstanding--;
              await persist();
              await writeManifest();
              notify();
            } else {
              await persist();
              const again = job;
              const t = setTimeout(() => {
                timers.delete(t);
                queue.push(again);
                notify();
              }, retryInSec * 1000);
              timers.add(t);
            }
          }
        }
      } finally {
        await renderer.dispose();
        notify();
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.max(1, opts.workers) }, (_, i) => work(`local-${i + 1}`)));
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
      for (const t of timers) clearTimeout(t);
    }
    await persist();
    await writeManifest();
    return { manifest: lastManifest!, cancelled: Boolean(opts.signal?.aborted) && definition.jobs.some((j) => state.jobs[j.key]!.status !== 'done' && state.jobs[j.key]!.status !== 'failed'), faceAnalyses: faces.analyses };
  } finally {
    await faces.dispose();
    await rm(lockPath, { force: true });
  }
}

/**
 * Reads the local state file of a batch as a manifest (for `batch --status`), without running anything.
 * @param statePath - the state file.
 * @param definition - the batch (its jobs in order).
 * @returns the manifest as the state stands; jobs the state does not know are pending.
 */
export async function readLocalBatchStatus(statePath: string, definition: BatchDefinition): Promise<BatchManifest> {
  const state = await loadState(statePath, definition);
  return manifestOf(state, definition, new Map(definition.jobs.map((j) => [j.key, j])));
}

function manifestOf(state: LocalBatchState, definition: BatchDefinition, jobsByKey: Map<string, BatchJob>): BatchManifest {
  const jobs: ManifestJob[] = [];
  for (const [key, job] of jobsByKey) {
    const st = state.jobs[key]!;
    const status = st.status === 'committing' ? 'running' : st.status;
    jobs.push({
      id: job.id,
      key,
      status,
      out: job.spec.outPath,
      attempts: st.attempts,
      ...(st.result && status === 'done' ? { durationSec: st.result.durationSec, frameCount: st.result.frameCount, wallSec: st.result.wallSec, stageMs: st.result.stageMs, workerHostLaunches: st.result.workerHostLaunches } : {}),
      ...(st.workerId ? { workerId: st.workerId } : {}),
      ...(st.error && status !== 'done' ? { error: st.error } : {}),
      ...(status === 'running' && st.fraction !== undefined ? { fraction: st.fraction } : {}),
      ...(st.startedAt ? { startedAt: st.startedAt } : {}),
      ...(st.finishedAt ? { finishedAt: st.finishedAt } : {}),
    });
  }
  return { version: 1, batchId: definition.batchId, jobFile: definition.jobFilePath, queue: 'local', updatedAt: new Date().toISOString(), ...summarizeJobs(jobs), jobs };
}

/** Reads the state file (or starts an empty one) and adds a pending record for every job it does not know. */
async function loadState(statePath: string, definition: BatchDefinition): Promise<LocalBatchState> {
  let state: LocalBatchState = { version: 1, batchId: definition.batchId, jobFile: definition.jobFilePath, jobs: {} };
  const text = await readFile(statePath, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw err;
  });
  if (text !== null) {
    let parsed: Partial<LocalBatchState>;
    try {
      parsed = JSON.parse(text) as Partial<LocalBatchState>;
    } catch {
      throw new StudioError('INVALID_INPUT', `batch state file ${statePath} is not valid JSON: delete it to start the batch over`, { path: statePath });
    }
    if (parsed.version !== 1 || typeof parsed.jobs !== 'object' || parsed.jobs === null) throw new StudioError('INVALID_INPUT', `${statePath} is not a batch state file of this version: delete it to start the batch over`, { path: statePath });
    state = { ...state, jobs: parsed.jobs };
  }
  for (const job of definition.jobs) state.jobs[job.key] ??= { id: job.id, out: job.spec.outPath, status: 'pending', attempts: 0 };
  return state;
}

/**
 * Takes the batch's lock file (`wx`: created only when absent); a lock left by a dead process is taken over.
 * @throws StudioError `BATCH_LOCKED` naming the live process that holds it.
 */
async function acquireLock(lockPath: string): Promise<void> {
  for (let tries = 0; tries < 2; tries++) {
    try {
      await writeFile(lockPath, String(process.pid), { flag: 'wx' });
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number((await readFile(lockPath, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
        throw new StudioError('BATCH_LOCKED', `this batch is already running in process ${pid} (lock file ${lockPath})`, { pid, path: lockPath });
      }
      await rm(lockPath, { force: true });
    }
  }
  throw new StudioError('BATCH_LOCKED', `could not take the batch lock ${lockPath}`, { path: lockPath });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
