/**
 * The batch job file: `{"version": 1, "defaults": {...}, "jobs": [{...}, ...]}`, each job's keys being the `render`
 * command's option names in camelCase (`portrait`, `audio`, `out`, `size`, `headMotion`, …). The keys, defaults and
 * value checks come from the `render` command's own option declarations, so a job means exactly what the same
 * flags mean on the command line. Relative paths are resolved against the job file's folder.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Command } from 'commander';
import { z } from 'zod';
import { InvalidInputError, StudioError } from '../core/errors.ts';
import type { BatchDefinition, BatchJob } from '../pipeline/batch/types.ts';
import { registerRender, renderJobOptionsFromCli } from './commands/render.ts';

/** Options of `render` that name files (resolved against the job file's folder). */
const PATH_KEYS = new Set(['portrait', 'avatar', 'audio', 'drivingVideo', 'motion', 'out']);
/** Options of `render` that make no sense in a job file. */
const EXCLUDED_KEYS = new Set(['quiet']);

/** The render options a job may set: commander's attribute name → default value (as the CLI would see it). */
function renderOptionKeys(): Map<string, string | boolean | undefined> {
  const program = new Command();
  registerRender(program);
  const cmd = program.commands.find((c) => c.name() === 'render')!;
  const keys = new Map<string, string | boolean | undefined>();
  for (const o of cmd.options) {
    const key = o.attributeName();
    if (!EXCLUDED_KEYS.has(key)) keys.set(key, o.defaultValue as string | boolean | undefined);
  }
  return keys;
}

const valueSchema = z.union([z.string(), z.number(), z.boolean()]);

/**
 * zod schema of a job file, version 1.
 * @param keys - allowed option keys (from the render command).
 */
function jobFileSchema(keys: ReadonlySet<string>): z.ZodType<{ version: 1; defaults: Record<string, string | number | boolean>; jobs: Record<string, string | number | boolean>[] }> {
  const entry = z.record(z.string(), valueSchema).superRefine((o, ctx) => {
    for (const k of Object.keys(o)) if (!keys.has(k) && k !== 'id') ctx.addIssue({ code: 'custom', message: `unknown option "${k}" (known: ${[...keys].join(', ')})`, path: [k] });
  });
  return z.object({ version: z.literal(1), defaults: entry.default({}), jobs: z.array(entry).min(1) }).strict() as never;
}

/**
 * Reads and checks a job file.
 * @param jobFilePath - the JSON job file.
 * @param batchName - batch id to use instead of the one derived from the file's path ([A-Za-z0-9_-], ≤ 64).
 * @returns the batch: its id and every job with absolute paths and a content key.
 * @throws InvalidInputError naming the file, the job (1-based) and the option for any problem: unreadable file,
 * invalid JSON, unknown version or key, a value the CLI would refuse, a missing `out`, two jobs with one output.
 */
export async function readBatchJobFile(jobFilePath: string, batchName?: string): Promise<BatchDefinition> {
  const abs = resolve(jobFilePath);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(abs, 'utf8'));
  } catch (err) {
    throw new InvalidInputError(`job file ${jobFilePath}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : (err as Error).message}`, { path: abs });
  }
  const defaults = renderOptionKeys();
  const parsed = jobFileSchema(new Set(defaults.keys())).safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length ? ` at ${issue.path.map((p) => (typeof p === 'number' ? `[${p + 1}]` : `.${String(p)}`)).join('').replace(/^\./, '')}` : '';
    throw new InvalidInputError(`job file ${jobFilePath}${where}: ${issue.code === 'invalid_value' && issue.path[0] === 'version' ? 'version must be 1' : issue.message}`, { path: abs });
  }
  if (batchName !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(batchName)) throw new InvalidInputError(`--batch: use letters, digits, - and _ (at most 64), got "${batchName}"`);
  const folder = dirname(abs);
  const jobs: BatchJob[] = [];
  const outs = new Map<string, string>();
  const ids = new Set<string>();
  parsed.data.jobs.forEach((entry, i) => {
    const merged: Record<string, string | number | boolean> = { ...parsed.data.defaults, ...entry };
    const id = merged.id === undefined ? `job-${i + 1}` : String(merged.id);
    const where = `job file ${jobFilePath}, job ${i + 1} (${id})`;
    if (ids.has(id)) throw new InvalidInputError(`${where}: the id "${id}" is used twice`, { path: abs });
    ids.add(id);
    if (merged.out === undefined) throw new InvalidInputError(`${where}: no "out"`, { path: abs });
    const cli: Record<string, string | boolean | undefined> = {};
    for (const [key, def] of defaults) {
      const v = merged[key];
      if (v === undefined) cli[key] = def;
      else if (typeof v === 'boolean') cli[key] = v;
      else cli[key] = PATH_KEYS.has(key) ? resolve(folder, String(v)) : String(v);
    }
    let spec;
    try {
      spec = renderJobOptionsFromCli(cli);
    } catch (err) {
      if (err instanceof StudioError) throw new InvalidInputError(`${where}: ${err.message.replace(/^--([a-z-]+)/, (_, f: string) => f.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase()))}`, { path: abs });
      throw err;
    }
    const other = outs.get(spec.outPath);
    if (other) throw new InvalidInputError(`${where}: writes ${spec.outPath} like ${other}`, { path: abs });
    outs.set(spec.outPath, id);
    const key = createHash('sha256').update(JSON.stringify(spec)).digest('hex').slice(0, 16);
    jobs.push({ id, key, spec });
  });
  const batchId = batchName ?? createHash('sha256').update(abs).digest('hex').slice(0, 12);
  return { jobFilePath: abs, batchId, jobs };
}
