/**
 * Options of the speech-to-motion analysis, declared once (DESIGN.md §6 convention 4): name, CLI flag,
 * description, zod schema and default. The CLI, the UI form, IPC validation and the docs all read
 * {@link MOTION_OPTION_DESCRIPTORS}.
 */
import { z } from 'zod';
import type { Fps } from './track.ts';

/** Moods rendered as blendshape offsets on top of speech. */
export const MOODS = Object.freeze(['neutral', 'happy', 'sad', 'angry', 'surprised'] as const);

/** One mood. */
export type Mood = (typeof MOODS)[number];

/** Options of `buildMotionTrack`. */
export interface MotionOptions {
  /** Output frame rate (rational). */
  fps: Fps;
  /** Seed of every random choice (blinks, gaze, head drift); same seed + same audio → identical track. */
  seed: number;
  /** Head motion strength in [0, 1]; 0 = still head (blinks and gaze are unaffected). */
  headMotionStrength: number;
  /** Mean blink rate in blinks per minute, [0, 60]; 0 disables blinks. */
  blinkRatePerMin: number;
  /** Mood rendered as blendshape offsets. */
  mood: Mood;
  /** Strength of the mood offsets and speech-driven brow accents in [0, 1]. */
  expressionIntensity: number;
}

/**
 * zod schema of a rational frame rate: integers num ≤ 240000, den ≤ 10000, 1–240 fps. The one definition of a valid
 * frame rate: the project file, IPC and the CLI all use it (core/project/schema.ts re-exports it).
 */
export const FpsSchema = z
  .object({ num: z.number().int().min(1).max(240_000), den: z.number().int().min(1).max(10_000) })
  .refine((f) => f.num / f.den <= 240 && f.num / f.den >= 1, { message: 'frame rate must be between 1 and 240 fps' });

/** zod schema of {@link MotionOptions}; every field has its default, so `parse({})` gives the defaults. */
export const MotionOptionsSchema = z.object({
  fps: FpsSchema.default({ num: 25, den: 1 }),
  seed: z.number().int().min(0).max(0xffffffff).default(1),
  headMotionStrength: z.number().min(0).max(1).default(0.5),
  blinkRatePerMin: z.number().min(0).max(60).default(17),
  mood: z.enum(MOODS).default('neutral'),
  expressionIntensity: z.number().min(0).max(1).default(0.5),
});

/** The defaults: 25 fps, seed 1, head motion 0.5, 17 blinks/min, neutral mood, expression 0.5. */
export const DEFAULT_MOTION_OPTIONS: Readonly<MotionOptions> = Object.freeze(MotionOptionsSchema.parse({}));

/** How one option is presented to users (CLI flag, UI label, docs). */
export interface MotionOptionDescriptor {
  /** Key in {@link MotionOptions}. */
  name: keyof MotionOptions;
  /** CLI flag with its value placeholder, e.g. `--head-motion <0..1>`. */
  flag: string;
  /** One-line description shown in `--help`, tooltips and docs. */
  description: string;
  /** Schema of the parsed value. */
  schema: z.ZodType;
  /** Default value. */
  defaultValue: MotionOptions[keyof MotionOptions];
  /** How text from a CLI/UI field becomes the value before validation (identity for strings). */
  kind: 'fps' | 'int' | 'number' | 'enum';
  /** Allowed values when `kind === 'enum'`. */
  choices?: readonly string[];
}

/** Descriptors of every motion option, in display order. */
export const MOTION_OPTION_DESCRIPTORS: readonly MotionOptionDescriptor[] = Object.freeze([
  { name: 'fps', flag: '--fps <rate>', description: 'output frame rate, e.g. 25, 30 or 30000/1001', schema: MotionOptionsSchema.shape.fps, defaultValue: DEFAULT_MOTION_OPTIONS.fps, kind: 'fps' },
  { name: 'seed', flag: '--seed <n>', description: 'seed for blinks, gaze and head drift (same seed → same track)', schema: MotionOptionsSchema.shape.seed, defaultValue: DEFAULT_MOTION_OPTIONS.seed, kind: 'int' },
  { name: 'headMotionStrength', flag: '--head-motion <0..1>', description: 'head motion strength (0 = still head)', schema: MotionOptionsSchema.shape.headMotionStrength, defaultValue: DEFAULT_MOTION_OPTIONS.headMotionStrength, kind: 'number' },
  { name: 'blinkRatePerMin', flag: '--blink-rate <per-min>', description: 'mean blinks per minute (0 = no blinks)', schema: MotionOptionsSchema.shape.blinkRatePerMin, defaultValue: DEFAULT_MOTION_OPTIONS.blinkRatePerMin, kind: 'number' },
  { name: 'mood', flag: '--mood <mood>', description: `mood: ${MOODS.join(', ')}`, schema: MotionOptionsSchema.shape.mood, defaultValue: DEFAULT_MOTION_OPTIONS.mood, kind: 'enum', choices: MOODS },
  { name: 'expressionIntensity', flag: '--expression <0..1>', description: 'strength of the mood and brow accents', schema: MotionOptionsSchema.shape.expressionIntensity, defaultValue: DEFAULT_MOTION_OPTIONS.expressionIntensity, kind: 'number' },
] satisfies MotionOptionDescriptor[]);

/**
 * Validates options and fills defaults.
 * @param input - partial options (unknown shape, e.g. from IPC or a form).
 * @returns a complete {@link MotionOptions}, or the zod error list.
 */
export function parseMotionOptions(input: unknown): { ok: true; value: MotionOptions } | { ok: false; issues: string[] } {
  const r = MotionOptionsSchema.safeParse(input ?? {});
  if (r.success) return { ok: true, value: r.data };
  return { ok: false, issues: r.error.issues.map((i) => `${i.path.join('.') || 'options'}: ${i.message}`) };
}
