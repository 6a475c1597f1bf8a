/**
 * `avatar-studio render`: portrait (or avatar file) + speech audio → talking-head MP4.
 */
import type { Command } from 'commander';
import { InvalidInputError } from '../../core/errors.ts';
import { readDirectionsFile } from '../directionsFile.ts';
import { BACKGROUND_OPTION, describeOptionIssue, FACE_INDEX_OPTION, FRAMING_OPTION, HEAD_POSE_OPTION, ORBIT_PITCH_OPTION, ORBIT_YAW_OPTION, QUALITY_OPTION, RETARGET_OPTIONS, SIZE_OPTION, type OptionDescriptor } from '../../core/jobs/options.ts';
import { MOTION_OPTION_DESCRIPTORS } from '../../core/motion/options.ts';
import { motionOptionsFromCli } from './motion.ts';
import type { RenderTalkingHeadOptions } from '../../pipeline/jobs/renderJob.ts';
import { createProgressBar } from '../progress.ts';
import { cancelOnSignals } from '../signals.ts';

/**
 * Parses one CLI value with its descriptor's schema.
 * @throws InvalidInputError naming the flag when the value is invalid.
 */
export function parseOption<T>(desc: OptionDescriptor<T>, raw: unknown): T {
  const r = desc.schema.safeParse(raw ?? desc.defaultValue);
  if (!r.success) throw new InvalidInputError(`${desc.flag.split(' ')[0]}: ${r.error.issues[0] ? describeOptionIssue(r.error.issues[0]) : 'invalid value'} (got "${String(raw)}")`);
  return r.data;
}

/**
 * Parses `--range <start>-<end>` (seconds, e.g. `2-4.5`).
 * @throws InvalidInputError for anything else or an end not after the start.
 */
export function parseRange(text: string): { startSec: number; endSec: number } {
  const m = /^\s*(\d+(?:\.\d+)?)\s*-\s*(\d+(?:\.\d+)?)\s*$/.exec(text);
  if (!m) throw new InvalidInputError(`--range: expected <start>-<end> in seconds, e.g. 2-4.5 (got "${text}")`);
  const startSec = Number(m[1]);
  const endSec = Number(m[2]);
  if (!(endSec > startSec)) throw new InvalidInputError(`--range: the end must come after the start (got "${text}")`);
  return { startSec, endSec };
}

/** `photo` / `transparent` / `#rrggbb` → the render host's background. */
function parseBackground(text: string): 'photo' | 'transparent' | { color: string } {
  return text === 'photo' || text === 'transparent' ? text : { color: text };
}

/**
 * The render job's options from `render`'s parsed CLI values (commander's camelCase keys, strings as typed), so
 * the CLI and a batch job file (cli/batchJobFile.ts) go through the same option declarations and checks.
 * @param o - option values keyed by commander's attribute names (`portrait`, `size`, `headMotion`, …).
 * @param motion - the motion options already parsed from `o` (default: parsed here).
 * @returns every option of {@link renderTalkingHead} except the signal and the callbacks.
 * @throws InvalidInputError naming the flag when a value is invalid.
 */
export function renderJobOptionsFromCli(o: Record<string, string | boolean | undefined>, motion = motionOptionsFromCli(o)): Omit<RenderTalkingHeadOptions, 'signal' | 'onProgress' | 'onLog' | 'nowMs' | 'acquireRenderHost' | 'analyzePortrait'> {
  return {
    portraitPath: typeof o.portrait === 'string' ? o.portrait : undefined,
    avatarPath: typeof o.avatar === 'string' ? o.avatar : undefined,
    head: String(o.head) as 'mesh' | 'splats', // checked by the job
    audioPath: typeof o.audio === 'string' ? o.audio : undefined,
    drivingVideoPath: typeof o.drivingVideo === 'string' ? o.drivingVideo : undefined,
    retarget: {
      eyes: parseOption(RETARGET_OPTIONS[0], o.eyesStrength),
      brows: parseOption(RETARGET_OPTIONS[1], o.browsStrength),
      mouth: parseOption(RETARGET_OPTIONS[2], o.mouthStrength),
      head: parseOption(RETARGET_OPTIONS[3], o.headStrength),
    },
    headPose: parseOption(HEAD_POSE_OPTION, o.headPose),
    outPath: String(o.out),
    fps: motion.fps,
    sizePx: parseOption(SIZE_OPTION, o.size),
    quality: parseOption(QUALITY_OPTION, o.quality),
    faceIndex: parseOption(FACE_INDEX_OPTION, o.face),
    background: parseBackground(parseOption(BACKGROUND_OPTION, o.background)),
    framing: parseOption(FRAMING_OPTION, o.framing),
    orbit: { yawRad: (parseOption(ORBIT_YAW_OPTION, o.orbitYaw) * Math.PI) / 180, pitchRad: (parseOption(ORBIT_PITCH_OPTION, o.orbitPitch) * Math.PI) / 180 },
    motion,
    motionPath: typeof o.motion === 'string' ? o.motion : undefined,
  };
}

/** Registers the `render` command. */
export function registerRender(program: Command): void {
  const cmd = program
    .command('render')
    .description('render a talking-head video from a portrait photo (or an avatar file) and speech audio or a driving video')
    .option('--portrait <image>', 'portrait photo (JPEG, PNG, WebP, …); give this or --avatar')
    .option('--avatar <file>', 'avatar instead of a portrait: .glb with ARKit/viseme morphs, .vrm (0.x/1.0), .ply/.splat/.spz/.ksplat/.sog Gaussian splats, or a LAM .zip')
    .option('--head <style>', 'how the photo head is drawn: mesh, or splats (Gaussians bound to the rigged face mesh)', 'mesh')
    .option('--audio <file>', 'speech audio (WAV, FLAC, MP3, M4A, …); also the output soundtrack')
    .option('--driving-video <video>', "a talking face to copy (expressions, head pose, gaze); its own audio is used unless --audio is given")
    .requiredOption('--out <file>', 'output: .mp4 (H.264 + AAC), .webm (VP9 + Opus), .mov (ProRes 4444), .gif, or a PNG sequence such as frames/f_%05d.png; written to a temp file, then renamed')
    .option(SIZE_OPTION.flag, SIZE_OPTION.description, String(SIZE_OPTION.defaultValue))
    .option(QUALITY_OPTION.flag, QUALITY_OPTION.description, String(QUALITY_OPTION.defaultValue))
    .option(FACE_INDEX_OPTION.flag, FACE_INDEX_OPTION.description, String(FACE_INDEX_OPTION.defaultValue))
    .option(BACKGROUND_OPTION.flag, BACKGROUND_OPTION.description, String(BACKGROUND_OPTION.defaultValue))
    .option(FRAMING_OPTION.flag, FRAMING_OPTION.description, String(FRAMING_OPTION.defaultValue))
    .option(ORBIT_YAW_OPTION.flag, ORBIT_YAW_OPTION.description, String(ORBIT_YAW_OPTION.defaultValue))
    .option(ORBIT_PITCH_OPTION.flag, ORBIT_PITCH_OPTION.description, String(ORBIT_PITCH_OPTION.defaultValue))
    .option('--motion <track.json>', 'use a saved motion track instead of building one from the audio')
    .option('--directions <file.json>', 'directions over time: mood, expression, head motion, gaze and blink ranges, keyframes for brows/smile/eyes (JSON, schemaVersion 1)')
    .option('--range <start-end>', 'export only this time range, seconds (e.g. 2-4.5); the motion is the whole clip\'s')
    .option('--quiet', 'no progress bar');
  for (const d of MOTION_OPTION_DESCRIPTORS) cmd.option(d.flag, d.description, d.kind === 'fps' ? `${(d.defaultValue as { num: number }).num}` : String(d.defaultValue));
  for (const d of RETARGET_OPTIONS) cmd.option(d.flag, d.description, String(d.defaultValue));
  cmd.option(HEAD_POSE_OPTION.flag, HEAD_POSE_OPTION.description, String(HEAD_POSE_OPTION.defaultValue));
  cmd
    .action(async (o: Record<string, string | boolean | undefined>) => {
      const controller = new AbortController();
      const stopSignals = cancelOnSignals(controller);
      const motion = motionOptionsFromCli(o);
      const directions = typeof o.directions === 'string' ? await readDirectionsFile(o.directions) : undefined;
      const rangeSec = typeof o.range === 'string' ? parseRange(o.range) : undefined;
      const bar = o.quiet ? null : createProgressBar();
      try {
        // The render pipeline (ONNX Runtime, sharp, the browser driver) loads once the options are checked, so `--help`
        // and a bad flag answer at once.
        const { renderTalkingHead } = await import('../../pipeline/jobs/renderJob.ts');
        const result = await renderTalkingHead({
          ...renderJobOptionsFromCli(o, motion),
          directions,
          rangeSec,
          signal: controller.signal,
          onProgress: bar ? bar.update : undefined,
          onLog: (line) => {
            if (!o.quiet) process.stderr.write(`${bar ? '\n' : ''}${line}\n`);
          },
        });
        process.stdout.write(`${result.outPath}  (${result.frameCount} frames, ${result.durationSec.toFixed(3)} s)\n`);
      } finally {
        bar?.done();
        stopSignals();
      }
    });
}
