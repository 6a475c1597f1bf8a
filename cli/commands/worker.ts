/**
 * `avatar-studio worker --redis <url>`: takes render jobs of any batch from the Redis queue until stopped (Ctrl+C or
 * SIGTERM: the running job finishes first; a second signal stops it, and another worker retries it).
 */
import type { Command } from 'commander';
import { InvalidInputError } from '../../core/errors.ts';
import { DEFAULT_QUEUE_NAME } from '../../pipeline/batch/queueName.ts';

/** A positive number of seconds (fractions allowed) from a CLI value. */
function secOption(flag: string, raw: unknown): number {
  const v = Number(raw);
  if (typeof raw !== 'string' || !Number.isFinite(v) || v <= 0) throw new InvalidInputError(`${flag}: expected a number of seconds > 0 (got "${String(raw)}")`);
  return v;
}

/** Registers the `worker` command. */
export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('render jobs from a Redis queue (batches submitted with `batch --redis`); run one or more on every machine that sees the job files')
    .requiredOption('--redis <url>', 'Redis server, e.g. redis://farm-host:6379')
    .option('--queue <name>', 'queue name', DEFAULT_QUEUE_NAME)
    .option('--name <id>', 'worker name in manifests (default <hostname>-<pid>)')
    .option('--concurrency <n>', 'jobs at once, each with its own render browser', '1')
    .option('--lock-sec <s>', 'seconds a job stays locked without renewal: a dead worker\'s job is retried after this', '30')
    .option('--stalled-check-sec <s>', 'seconds between checks for jobs of dead workers', '30')
    .action(async (o: Record<string, string | undefined>) => {
      const concurrency = Number(o.concurrency);
      if (!Number.isInteger(concurrency) || concurrency < 1) throw new InvalidInputError(`--concurrency: expected a whole number ≥ 1 (got "${String(o.concurrency)}")`);
      const stop = new AbortController();
      const abort = new AbortController();
      const onSignal = (): void => {
        if (stop.signal.aborted) abort.abort();
        else {
          process.stderr.write('worker: stopping after the running job (signal again to stop it now)\n');
          stop.abort();
        }
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        // Loaded when the command runs, so that `--help` and bad flags answer without loading the Redis client.
        const { runFarmWorker } = await import('../../pipeline/batch/redisBatch.ts');
        await runFarmWorker({
          redisUrl: String(o.redis),
          queueName: o.queue,
          workerId: o.name,
          concurrency,
          lockSec: secOption('--lock-sec', o.lockSec),
          stalledCheckSec: secOption('--stalled-check-sec', o.stalledCheckSec),
          stopSignal: stop.signal,
          abortSignal: abort.signal,
          onEvent: (e) => {
            const line =
              e.type === 'ready' ? `worker ${e.workerId}: ready`
              : e.type === 'start' ? `start ${e.jobId} (${e.id}) attempt ${e.attempt}`
              : e.type === 'committed' ? `committed ${e.jobId} (${e.id}) → ${e.result.outPath} in ${e.result.wallSec.toFixed(1)} s, browser launches ${e.result.workerHostLaunches}`
              : e.type === 'adopted' ? `adopted ${e.jobId} (${e.id}): already written by ${e.by}`
              : e.type === 'failed' ? `failed ${e.jobId} (${e.id}): ${e.error.message} [${e.error.code}]`
              : null;
            if (line) process.stdout.write(`${line}\n`);
          },
        });
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}
