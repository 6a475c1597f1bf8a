/**
 * `avatar-studio batch <jobs.json>`: many renders from one job file, on this machine (a persistent local queue, N
 * workers) or, with `--redis <url>`, on a BullMQ queue worked by `avatar-studio worker` processes anywhere.
 */
import { mkdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Command } from 'commander';
import { InvalidInputError, JobCancelledError, StudioError } from '../../core/errors.ts';
import type { LocalBatchEvent } from '../../pipeline/batch/localBatch.ts';
import { writeJsonAtomic } from '../../pipeline/batch/outputs.ts';
import { DEFAULT_QUEUE_NAME } from '../../pipeline/batch/queueName.ts';
import type { BatchDefinition, BatchManifest } from '../../pipeline/batch/types.ts';
import { readBatchJobFile } from '../batchJobFile.ts';

/** A whole number ≥ `min` from a CLI value. */
function intOption(flag: string, raw: unknown, min: number): number {
  const v = Number(raw);
  if (typeof raw !== 'string' || !/^\d+$/.test(raw.trim()) || v < min) throw new InvalidInputError(`${flag}: expected a whole number ≥ ${min} (got "${String(raw)}")`);
  return v;
}

/** `<folder>/<name>.manifest.json` beside the job file. */
function defaultManifestPath(def: BatchDefinition): string {
  return join(dirname(def.jobFilePath), `${basename(def.jobFilePath).replace(/\.json$/i, '')}.manifest.json`);
}

/** The state file: `--state` as a file, or a folder (then `<batchId>.state.json` in it), or beside the job file. */
async function statePathFor(def: BatchDefinition, given: string | undefined): Promise<string> {
  if (!given) return join(dirname(def.jobFilePath), `${basename(def.jobFilePath).replace(/\.json$/i, '')}.state.json`);
  const st = await stat(given).catch(() => null);
  if (st?.isDirectory() || (!st && !given.endsWith('.json'))) {
    await mkdir(given, { recursive: true });
    return join(given, `${def.batchId}.state.json`);
  }
  return given;
}

/** One line per job of a manifest, and the counts. */
function printManifest(m: BatchManifest, stream: NodeJS.WriteStream): void {
  for (const j of m.jobs) {
    const detail = j.status === 'done' ? `${j.durationSec?.toFixed(2)} s video in ${j.wallSec?.toFixed(1)} s` : j.status === 'running' ? `${Math.round((j.fraction ?? 0) * 100)} %` : j.error ? `${j.error.code}: ${j.error.message}` : '';
    stream.write(`${j.id.padEnd(14)} ${j.status.padEnd(9)} ${(j.workerId ?? '').padEnd(18)} ${detail}  ${j.out}\n`);
  }
  stream.write(`${summaryLine(m)}\n`);
}

function summaryLine(m: BatchManifest): string {
  const c = m.counts;
  return `batch ${m.batchId} (${m.queue}): ${c.done}/${m.jobs.length} done, ${c.running} running, ${c.pending} pending, ${c.failed} failed${c.cancelled ? `, ${c.cancelled} cancelled` : ''}`;
}

/** Progress of a local batch: the batch and each running job, one line redrawn on a TTY, event lines otherwise. */
function localProgressPrinter(total: number, quiet: boolean): (e: LocalBatchEvent) => void {
  const stream = process.stderr;
  const isTty = Boolean(stream.isTTY);
  const running = new Map<string, string>();
  let done = 0;
  let failed = 0;
  const redraw = (): void => {
    if (!isTty || quiet) return;
    stream.write(`\r[${done}/${total} done${failed ? `, ${failed} failed` : ''}] ${[...running.entries()].map(([w, s]) => `${w}: ${s}`).join(' | ')}\x1b[K`);
  };
  const line = (text: string): void => {
    if (quiet) return;
    stream.write(isTty ? `\r${text}\x1b[K\n` : `${text}\n`);
  };
  return (e) => {
    switch (e.type) {
      case 'resume':
        done = e.done;
        line(`batch: ${e.done} of ${total} already done${e.recommitted ? ` (${e.recommitted} finished from the last run's commit)` : ''}${e.missingOutputs ? `, ${e.missingOutputs} done before but their output is gone` : ''}; ${e.toRender} to render`);
        break;
      case 'start':
        running.set(e.workerId, `${e.job.id} start`);
        line(`${e.workerId}: ${e.job.id} started${e.attempt > 1 ? ` (attempt ${e.attempt})` : ''}`);
        break;
      case 'progress':
        running.set(e.workerId, `${e.job.id} ${e.progress.stage} ${Math.round(e.progress.fraction * 100)}%`);
        break;
      case 'done':
        done++;
        running.delete(e.result.workerId);
        line(`${e.result.workerId}: ${e.job.id} done → ${e.result.outPath} (${e.result.durationSec.toFixed(2)} s video, ${e.result.wallSec.toFixed(1)} s) [${done}/${total}]`);
        break;
      case 'failed':
        running.delete(e.workerId);
        if (e.retryInSec === null) failed++;
        line(`${e.workerId}: ${e.job.id} failed: ${e.error.message} [${e.error.code}]${e.retryInSec === null ? '' : `; retrying in ${e.retryInSec} s`}`);
        break;
      case 'log':
        return;
    }
    redraw();
  };
}

/** Registers the `batch` command. */
export function registerBatch(program: Command): void {
  program
    .command('batch')
    .description('render every job of a job file ({"version":1,"defaults":{…},"jobs":[{…}]}, keys = render options in camelCase); on this machine, or on a Redis farm with --redis')
    .argument('<jobs.json>', 'the job file; relative paths in it are resolved against its folder')
    .option('--workers <n>', 'local workers, each with one render browser (default: from cores and free memory)')
    .option('--state <file|folder>', 'local queue state file, or a folder for it (default: <jobs>.state.json beside the job file)')
    .option('--manifest <file>', 'results manifest (default: <jobs>.manifest.json beside the job file)')
    .option('--retries <n>', 'further attempts after a failure that is not a bad input', '2')
    .option('--batch <name>', 'batch id (default: derived from the job file path)')
    .option('--redis <url>', 'put the jobs on a BullMQ queue in Redis (redis://host:6379) for `avatar-studio worker` processes')
    .option('--queue <name>', 'Redis queue name', DEFAULT_QUEUE_NAME)
    .option('--status', 'print the batch status (and write the manifest) instead of running it')
    .option('--cancel', 'with --redis: cancel the batch (queued jobs removed, running ones stopped)')
    .option('--no-wait', 'with --redis: submit and return instead of following the batch to its end')
    .option('--quiet', 'no progress output')
    .action(async (jobFile: string, o: Record<string, string | boolean | undefined>) => {
      const def = await readBatchJobFile(jobFile, typeof o.batch === 'string' ? o.batch : undefined);
      const manifestPath = typeof o.manifest === 'string' ? o.manifest : defaultManifestPath(def);
      const retries = intOption('--retries', o.retries, 0);
      if (typeof o.redis === 'string') {
        // The Redis client and the render pipeline load when a batch runs (not for `--help` or a bad flag).
        const { cancelFarmBatch, farmBatchStatus, submitFarmBatch } = await import('../../pipeline/batch/redisBatch.ts');
        const farm = { redisUrl: o.redis, queueName: String(o.queue) };
        if (o.cancel) {
          const r = await cancelFarmBatch(def, farm);
          process.stdout.write(`batch ${def.batchId}: cancelled (${r.removed} queued jobs removed; running jobs stop within a second)\n`);
          return;
        }
        if (!o.status) {
          const r = await submitFarmBatch(def, { ...farm, retries });
          if (!o.quiet) process.stderr.write(`batch ${def.batchId}: ${r.added} jobs queued on ${farm.queueName}${r.kept ? `, ${r.kept} already queued or done` : ''}\n`);
        }
        if (o.status || o.wait === false) {
          const m = await farmBatchStatus(def, farm);
          await writeJsonAtomic(manifestPath, m);
          printManifest(m, process.stdout);
          return;
        }
        let last = '';
        for (;;) {
          const m = await farmBatchStatus(def, farm);
          const line = summaryLine(m);
          if (line !== last && !o.quiet) process.stderr.write(`${line}\n`);
          last = line;
          if (m.counts.pending + m.counts.running === 0) {
            await writeJsonAtomic(manifestPath, m);
            printManifest(m, process.stdout);
            process.exitCode = m.counts.failed + m.counts.cancelled ? 1 : 0;
            return;
          }
          await new Promise((r) => setTimeout(r, 1000));
        }
      }
      if (o.cancel) throw new InvalidInputError('--cancel is for a Redis batch: stop a local batch with Ctrl+C (it resumes where it stopped)');
      const { defaultWorkerCount, readLocalBatchStatus, runLocalBatch } = await import('../../pipeline/batch/localBatch.ts');
      const statePath = await statePathFor(def, typeof o.state === 'string' ? o.state : undefined);
      if (o.status) {
        const m = await readLocalBatchStatus(statePath, def);
        printManifest(m, process.stdout);
        return;
      }
      const workers = o.workers === undefined ? defaultWorkerCount() : intOption('--workers', o.workers, 1);
      const controller = new AbortController();
      const onSignal = (): void => controller.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        if (!o.quiet) process.stderr.write(`batch ${def.batchId}: ${def.jobs.length} jobs, ${workers} worker${workers > 1 ? 's' : ''}, state ${statePath}\n`);
        const summary = await runLocalBatch({ definition: def, statePath, manifestPath, workers, retries, signal: controller.signal, onEvent: localProgressPrinter(def.jobs.length, Boolean(o.quiet)) });
        if (process.stderr.isTTY && !o.quiet) process.stderr.write('\n');
        process.stdout.write(`${summaryLine(summary.manifest)}; ${summary.faceAnalyses} portrait analyses; manifest ${manifestPath}\n`);
        if (summary.cancelled) throw new JobCancelledError('batch stopped: run the same command again to finish it');
        if (summary.manifest.counts.failed) throw new StudioError('BATCH_FAILED', `${summary.manifest.counts.failed} of ${def.jobs.length} jobs failed (see ${manifestPath})`);
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}
