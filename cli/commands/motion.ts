/**
 * `avatar-studio motion`: speech audio → MotionTrack JSON (visemes, ARKit blendshapes, head pose, gaze).
 */
import { readDirectionsFile } from '../directionsFile.ts';
import { describeOptionIssue } from '../../core/jobs/options.ts';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { InvalidInputError } from '../../core/errors.ts';
import { MOTION_OPTION_DESCRIPTORS, MotionOptionsSchema } from '../../core/motion/options.ts';
import type { MotionOptionDescriptor, MotionOptions } from '../../core/motion/options.ts';
import { parseFps, trackToJson } from '../../core/motion/track.ts';
import { prepareOutputPath } from '../../pipeline/files/outputPath.ts';
import { createProgressBar } from '../progress.ts';
import { cancelOnSignals } from '../signals.ts';
import { writeFileAtomic } from '../../pipeline/files/atomicWrite.ts';

function optionKey(desc: MotionOptionDescriptor): string {
  // commander's camelCase key of the long flag, e.g. "--head-motion <0..1>" → "headMotion".
  const long = desc.flag.split(' ')[0]!.replace(/^--/, '');
  return long.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

function convert(desc: MotionOptionDescriptor, raw: string): unknown {
  const flag = desc.flag.split(' ')[0]!;
  switch (desc.kind) {
    case 'fps':
      return parseFps(raw);
    case 'int':
    case 'number': {
      const v = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(v)) throw new InvalidInputError(`${flag}: expected a number, got "${raw}"`);
      return v;
    }
    case 'enum':
      return raw;
  }
}

/**
 * Turns CLI option values into validated {@link MotionOptions} using the shared descriptors.
 * @param raw - commander's parsed options (strings or undefined).
 * @returns complete options (defaults filled).
 * @throws InvalidInputError naming the flag for an invalid value.
 */
export function motionOptionsFromCli(raw: Record<string, unknown>): MotionOptions {
  const input: Record<string, unknown> = {};
  for (const desc of MOTION_OPTION_DESCRIPTORS) {
    const v = raw[optionKey(desc)];
    if (typeof v === 'string') input[desc.name] = convert(desc, v);
  }
  const r = MotionOptionsSchema.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0];
    const desc = MOTION_OPTION_DESCRIPTORS.find((d) => d.name === issue?.path[0]);
    const given = desc ? raw[optionKey(desc)] : undefined;
    throw new InvalidInputError(`${desc ? desc.flag.split(' ')[0] : 'option'}: ${issue ? describeOptionIssue(issue) : 'invalid value'}${given === undefined ? '' : ` (got "${String(given)}")`}`);
  }
  return r.data;
}

/**
 * Registers the `motion` command.
 * @param program - the commander program.
 */
export function registerMotion(program: Command): void {
  const cmd = program
    .command('motion')
    .description('build a motion track (visemes, ARKit blendshapes, head pose, gaze) from speech audio')
    .requiredOption('--audio <file>', 'speech audio (WAV, FLAC, MP3, M4A, Ogg…; recognised by content)')
    .requiredOption('--out <track.json>', 'output motion track JSON (written to a temp file, then renamed)');
  for (const desc of MOTION_OPTION_DESCRIPTORS) {
    const def = desc.kind === 'fps' ? `${(desc.defaultValue as { num: number }).num}` : String(desc.defaultValue);
    cmd.option(desc.flag, desc.description, def);
  }
  cmd.option('--directions <file.json>', 'directions over time: mood, expression, head motion, gaze and blink ranges, keyframes (JSON, schemaVersion 1)');
  cmd.option('--quiet', 'no progress output').action(async (o: Record<string, unknown>) => {
    const options = motionOptionsFromCli(o);
    const directions = typeof o.directions === 'string' ? await readDirectionsFile(o.directions) : undefined;
    const controller = new AbortController();
    const stopSignals = cancelOnSignals(controller);
    const bar = o.quiet ? null : createProgressBar();
    const outPath = await prepareOutputPath(String(o.out), [String(o.audio)]);
    const started = Date.now();
    try {
      const { audioFileToMotionTrack } = await import('../../pipeline/audio/audioToMotion.ts');
      const { track, source } = await audioFileToMotionTrack(String(o.audio), options, { signal: controller.signal, directions, onProgress: bar ? bar.update : undefined });
      track.meta = { ...track.meta, source: basename(String(o.audio)) };
      await writeFileAtomic(outPath, JSON.stringify(trackToJson(track)) + '\n');
      bar?.done();
      if (!o.quiet) process.stderr.write(`analysed ${source.codec} ${source.sampleRateHz} Hz ×${source.channels}, ${source.durationSec.toFixed(3)} s in ${((Date.now() - started) / 1000).toFixed(2)} s\n`);
      process.stdout.write(`${outPath}  (${track.frameCount} frames @ ${track.fps.num}/${track.fps.den} fps)\n`);
    } catch (err) {
      bar?.done();
      throw err;
    } finally {
      stopSignals();
    }
  });
}
