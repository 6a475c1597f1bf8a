/**
 * A batch on a render farm: the jobs go on a BullMQ queue in Redis and any number of `avatar-studio worker`
 * processes, on any machines that see the same files, take them. BullMQ does the scheduling: retries with
 * exponential back-off, and a job whose worker died (its lock expired) is moved back to the queue by the stalled-job
 * check and taken by another worker.
 *
 * @remarks Exactly one output per job: a worker renders into its own staging folder beside the output, then claims
 * the job's commit key in Redis (`SET … NX`); only the claimant moves its file into place, by one rename. A worker
 * that loses the claim (it was presumed dead and the job re-ran) drops its render and reports the claimant's result.
 * A job re-run after its claimant died between claim and rename moves the claimant's staged file (still complete)
 * instead of rendering again. Job ids are `<batchId>.<job key>`, so submitting the same batch twice queues nothing twice.
 * BullMQ: https://docs.bullmq.io (Worker `lockDuration`, `stalledInterval`, `maxStalledCount`; `UnrecoverableError`).
 */
import { hostname } from 'node:os';
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { JobCancelledError, StudioError, toErrorPayload, type ErrorPayload, type JobProgress } from '../../core/errors.ts';
import type { RenderHost, RenderHostLaunchOptions } from '../render/renderHost.ts';
import { BatchRenderer, PortraitFaceCache } from './batchRenderer.ts';
import { PERMANENT_ERROR_CODES } from './localBatch.ts';
import { commitOutput, outputExists, removeStaleStaging, stagingPathFor } from './outputs.ts';
import { summarizeJobs, type BatchDefinition, type BatchJobResult, type BatchManifest, type BatchRenderSpec, type ManifestJob } from './types.ts';

/** Default queue name. */
import { DEFAULT_QUEUE_NAME } from './queueName.ts';

export { DEFAULT_QUEUE_NAME };

/** What a queued job carries. */
interface FarmJobData {
  batchId: string;
  key: string;
  id: string;
  spec: BatchRenderSpec;
}

/** What a worker records while it renders (BullMQ job progress). */
interface FarmProgress {
  workerId: string;
  fraction: number;
  stage: string;
}

/** Connection options of the farm commands. */
export interface FarmOptions {
  /** `redis://[user:pass@]host:port[/db]`. */
  redisUrl: string;
  /** Queue name (default {@link DEFAULT_QUEUE_NAME}). */
  queueName?: string;
}

const commitKey = (queue: string, jobId: string): string => `avatar-studio:${queue}:commit:${jobId}`;
const cancelKey = (queue: string, batchId: string): string => `avatar-studio:${queue}:cancel:${batchId}`;
const jobIdOf = (batchId: string, key: string): string => `${batchId}.${key}`;

/**
 * Opens a Redis connection for BullMQ.
 * @throws StudioError `REDIS_UNREACHABLE` when the server does not answer within 5 s.
 */
async function connect(url: string): Promise<Redis> {
  const conn = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: true, connectTimeout: 5000 });
  conn.on('error', () => undefined); // reported by the first command below
  try {
    await conn.connect();
    await conn.ping();
  } catch (err) {
    conn.disconnect();
    throw new StudioError('REDIS_UNREACHABLE', `cannot reach Redis at ${url}: ${(err as Error).message}`, { url });
  }
  return conn;
}

/** Options of {@link submitFarmBatch}. */
export interface SubmitOptions extends FarmOptions {
  /** Further attempts after a failure (default 2). */
  retries?: number;
  /** First retry delay, seconds (doubles each time; default 5). */
  backoffSec?: number;
}

/**
 * Puts a batch's jobs on the queue. Jobs already queued, running or done (with their output in place) are left as
 * they are; failed or cancelled ones are queued again; a done job whose output has gone is rendered again.
 * @param definition - the parsed job file.
 * @param opts - Redis URL, queue, retries.
 * @returns how many jobs were added and how many were already there.
 * @throws StudioError `REDIS_UNREACHABLE`.
 */
export async function submitFarmBatch(definition: BatchDefinition, opts: SubmitOptions): Promise<{ added: number; kept: number }> {
  const queueName = opts.queueName ?? DEFAULT_QUEUE_NAME;
  const conn = await connect(opts.redisUrl);
  const queue = new Queue<FarmJobData>(queueName, { connection: conn });
  let added = 0;
  let kept = 0;
  try {
    await conn.del(cancelKey(queueName, definition.batchId));
    for (const job of definition.jobs) {
      const jobId = jobIdOf(definition.batchId, job.key);
      const existing = await queue.getJob(jobId);
      if (existing) {
        const state = await existing.getState();
        if (state === 'completed' && (await outputExists(job.spec.outPath))) {
          kept++;
          continue;
        }
        if (state !== 'completed' && state !== 'failed') {
          kept++;
          continue;
        }
        await existing.remove();
        await conn.del(commitKey(queueName, jobId));
      }
      await queue.add('render', { batchId: definition.batchId, key: job.key, id: job.id, spec: job.spec }, { jobId, attempts: (opts.retries ?? 2) + 1, backoff: { type: 'exponential', delay: (opts.backoffSec ?? 5) * 1000 }, removeOnComplete: false, removeOnFail: false });
      added++;
    }
  } finally {
    await queue.close();
    conn.disconnect();
  }
  return { added, kept };
}

/** Splits a BullMQ failure reason `CODE: message` back into an error payload. */
function errorFromReason(reason: string | undefined): ErrorPayload {
  const m = /^([A-Z][A-Z0-9_]+): (.*)$/s.exec(reason ?? '');
  return m ? { code: m[1]!, message: m[2]! } : { code: 'INTERNAL', message: reason ?? 'failed' };
}

/**
 * The batch as the queue sees it, from any machine.
 * @param definition - the parsed job file.
 * @param opts - Redis URL and queue.
 * @returns a manifest: each job's status, worker, progress, result or error.
 * @throws StudioError `REDIS_UNREACHABLE`.
 */
export async function farmBatchStatus(definition: BatchDefinition, opts: FarmOptions): Promise<BatchManifest> {
  const queueName = opts.queueName ?? DEFAULT_QUEUE_NAME;
  const conn = await connect(opts.redisUrl);
  const queue = new Queue<FarmJobData, BatchJobResult>(queueName, { connection: conn });
  try {
    const cancelled = Boolean(await conn.get(cancelKey(queueName, definition.batchId)));
    const jobs: ManifestJob[] = [];
    for (const def of definition.jobs) {
      const job = await queue.getJob(jobIdOf(definition.batchId, def.key));
      const line: ManifestJob = { id: def.id, key: def.key, status: cancelled ? 'cancelled' : 'pending', out: def.spec.outPath, attempts: 0 };
      if (job) {
        const state = await job.getState();
        line.attempts = job.attemptsStarted ?? job.attemptsMade;
        const progress = job.progress as FarmProgress | number;
        if (state === 'completed') {
          const r = job.returnvalue;
          Object.assign(line, { status: 'done', durationSec: r.durationSec, frameCount: r.frameCount, wallSec: r.wallSec, stageMs: r.stageMs, workerId: r.workerId, workerHostLaunches: r.workerHostLaunches });
        } else if (state === 'failed') {
          const error = errorFromReason(job.failedReason);
          Object.assign(line, { status: error.code === 'JOB_CANCELLED' ? 'cancelled' : 'failed', error });
        } else if (state === 'active') {
          line.status = 'running';
          if (typeof progress === 'object') Object.assign(line, { fraction: progress.fraction, workerId: progress.workerId });
        } else if (!cancelled) line.status = 'pending';
        if (job.processedOn) line.startedAt = new Date(job.processedOn).toISOString();
        if (job.finishedOn) line.finishedAt = new Date(job.finishedOn).toISOString();
      }
      jobs.push(line);
    }
    return { version: 1, batchId: definition.batchId, jobFile: definition.jobFilePath, queue: queueName, updatedAt: new Date().toISOString(), ...summarizeJobs(jobs), jobs };
  } finally {
    await queue.close();
    conn.disconnect();
  }
}

/**
 * Cancels a batch: its queued jobs are removed, running ones are stopped by their workers (checked every second)
 * and end as cancelled; nothing partial is left (staging folders are removed).
 * @param definition - the parsed job file.
 * @param opts - Redis URL and queue.
 * @returns how many queued jobs were removed.
 */
export async function cancelFarmBatch(definition: BatchDefinition, opts: FarmOptions): Promise<{ removed: number }> {
  const queueName = opts.queueName ?? DEFAULT_QUEUE_NAME;
  const conn = await connect(opts.redisUrl);
  const queue = new Queue<FarmJobData>(queueName, { connection: conn });
  let removed = 0;
  try {
    await conn.set(cancelKey(queueName, definition.batchId), '1');
    for (const def of definition.jobs) {
      const job = await queue.getJob(jobIdOf(definition.batchId, def.key));
      if (!job) continue;
      const state = await job.getState();
      if (state === 'waiting' || state === 'delayed' || state === 'prioritized' || state === 'waiting-children') {
        await job.remove().then(() => removed++, () => undefined);
      }
    }
  } finally {
    await queue.close();
    conn.disconnect();
  }
  return { removed };
}

/** What a farm worker reports. */
export type FarmWorkerEvent =
  | { type: 'ready'; workerId: string }
  | { type: 'start'; jobId: string; id: string; attempt: number }
  | { type: 'progress'; jobId: string; id: string; progress: JobProgress }
  | { type: 'committed'; jobId: string; id: string; result: BatchJobResult }
  | { type: 'adopted'; jobId: string; id: string; by: string }
  | { type: 'failed'; jobId: string; id: string; error: ErrorPayload };

/** Options of {@link runFarmWorker}. */
export interface FarmWorkerOptions extends FarmOptions {
  /** Names this worker in the manifest (default `<hostname>-<pid>`). */
  workerId?: string;
  /** Jobs at once, each with its own render browser (default 1). */
  concurrency?: number;
  /** How long a job's lock lasts without renewal, seconds (default 30): a dead worker's job is free after this. */
  lockSec?: number;
  /** How often stalled jobs are looked for, seconds (default 30). */
  stalledCheckSec?: number;
  /** Stops taking jobs; running jobs finish first unless `abortSignal` fires too. */
  stopSignal?: AbortSignal;
  /** Cancels the running renders (they are retried by another worker). */
  abortSignal?: AbortSignal;
  onEvent?: (e: FarmWorkerEvent) => void;
  launchHost?: (opts: RenderHostLaunchOptions) => Promise<RenderHost>;
}

/**
 * Runs a farm worker until `stopSignal` fires.
 * @param opts - see {@link FarmWorkerOptions}.
 * @returns when the worker has stopped and closed its browsers.
 * @throws StudioError `REDIS_UNREACHABLE` when Redis cannot be reached at start.
 */
export async function runFarmWorker(opts: FarmWorkerOptions): Promise<void> {
  const queueName = opts.queueName ?? DEFAULT_QUEUE_NAME;
  const workerId = opts.workerId ?? `${hostname()}-${process.pid}`;
  const emit = opts.onEvent ?? (() => undefined);
  const conn = await connect(opts.redisUrl);
  const faces = new PortraitFaceCache();
  const idle: BatchRenderer[] = [];
  const all: BatchRenderer[] = [];

  const processJob = async (job: Job<FarmJobData, BatchJobResult>): Promise<BatchJobResult> => {
    const { batchId, key, id, spec } = job.data;
    const jobId = job.id!;
    const tag = `${batchId}-${key}`;
    const out = spec.outPath;
    if (await conn.get(cancelKey(queueName, batchId))) throw new UnrecoverableError(`JOB_CANCELLED: the batch was cancelled`);
    emit({ type: 'start', jobId, id, attempt: job.attemptsStarted ?? job.attemptsMade + 1 });
    // An earlier attempt may have claimed the commit and died before or after the rename.
    const claimed = await conn.get(commitKey(queueName, jobId));
    if (claimed) {
      const claim = JSON.parse(claimed) as { staging: string; result: BatchJobResult };
      if ((await commitOutput(claim.staging, out)) || (await outputExists(out))) {
        emit({ type: 'adopted', jobId, id, by: claim.result.workerId });
        return claim.result;
      }
      await conn.del(commitKey(queueName, jobId));
    }
    await removeStaleStaging(out, tag);
    const renderer = idle.pop() ?? new BatchRenderer(faces, opts.launchHost);
    if (!all.includes(renderer)) all.push(renderer);
    const controller = new AbortController();
    const abort = (): void => controller.abort();
    opts.abortSignal?.addEventListener('abort', abort);
    const cancelPoll = setInterval(() => {
      void conn.get(cancelKey(queueName, batchId)).then((v) => v && controller.abort(), () => undefined);
    }, 1000);
    const staging = stagingPathFor(out, tag);
    const t0 = performance.now();
    let lastProgress = 0;
    try {
      const r = await renderer.render(spec, staging, {
        signal: controller.signal,
        onProgress: (p) => {
          emit({ type: 'progress', jobId, id, progress: p });
          const now = performance.now();
          if (now - lastProgress < 1000 && p.fraction < 1) return;
          lastProgress = now;
          void job.updateProgress({ workerId, fraction: p.fraction, stage: p.stage } satisfies FarmProgress).catch(() => undefined);
        },
      });
      const result: BatchJobResult = { outPath: out, frameCount: r.frameCount, durationSec: r.durationSec, stageMs: { ...r.stageMs }, wallSec: 0, workerId, workerHostLaunches: renderer.hostLaunches };
      const tc = performance.now();
      const won = await conn.set(commitKey(queueName, jobId), JSON.stringify({ staging, result }), 'NX');
      if (won !== 'OK') {
        // Another attempt of this job committed first (this worker was presumed dead): drop this render.
        await removeStaleStaging(out, tag, JSON.parse((await conn.get(commitKey(queueName, jobId))) ?? '{}').staging);
        const claim = JSON.parse((await conn.get(commitKey(queueName, jobId)))!) as { staging: string; result: BatchJobResult };
        await commitOutput(claim.staging, out);
        emit({ type: 'adopted', jobId, id, by: claim.result.workerId });
        return claim.result;
      }
      await commitOutput(staging, out);
      result.stageMs.commit = Math.round(performance.now() - tc);
      result.wallSec = (performance.now() - t0) / 1000;
      await conn.set(commitKey(queueName, jobId), JSON.stringify({ staging, result }));
      emit({ type: 'committed', jobId, id, result });
      return result;
    } catch (err) {
      await removeStaleStaging(out, tag);
      const cancelledBatch = controller.signal.aborted && !opts.abortSignal?.aborted;
      const error = cancelledBatch ? toErrorPayload(new JobCancelledError('the batch was cancelled')) : toErrorPayload(err);
      emit({ type: 'failed', jobId, id, error });
      const reason = `${error.code}: ${error.message}`;
      if (cancelledBatch || PERMANENT_ERROR_CODES.has(error.code)) throw new UnrecoverableError(reason);
      throw new Error(reason);
    } finally {
      clearInterval(cancelPoll);
      opts.abortSignal?.removeEventListener('abort', abort);
      idle.push(renderer);
    }
  };

  // BullMQ does not close a connection it was given: this one is disconnected below.
  const workerConn = conn.duplicate();
  workerConn.on('error', () => undefined);
  const worker = new Worker<FarmJobData, BatchJobResult>(queueName, processJob, {
    connection: workerConn,
    concurrency: opts.concurrency ?? 1,
    lockDuration: (opts.lockSec ?? 30) * 1000,
    stalledInterval: (opts.stalledCheckSec ?? 30) * 1000,
    maxStalledCount: 2,
    autorun: false,
  });
  worker.on('error', () => undefined); // connection hiccups: BullMQ reconnects
  try {
    const running = worker.run();
    await worker.waitUntilReady();
    emit({ type: 'ready', workerId });
    await new Promise<void>((resolveStop) => {
      if (opts.stopSignal?.aborted) resolveStop();
      opts.stopSignal?.addEventListener('abort', () => resolveStop(), { once: true });
    });
    await worker.close();
    await running;
  } finally {
    for (const r of all) await r.dispose();
    await faces.dispose();
    workerConn.disconnect();
    conn.disconnect();
  }
}
