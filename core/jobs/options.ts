/**
 * Option descriptors of the render job (motion options live in core/motion/options.ts): each option declared once (name, CLI flag, description, schema, default) and used
 * by the CLI, the UI form, IPC validation and the docs (DESIGN.md convention 4).
 */
import { z } from 'zod';

/** One declared option. `schema` parses the raw value (CLI text or UI value) into the typed value. */
export interface OptionDescriptor<T> {
  /** Property name in the job's options object. */
  name: string;
  /** Long CLI flag with its value placeholder, e.g. `--size <px>`. */
  flag: string;
  /** One-line help text, with unit and range. */
  description: string;
  /** zod schema accepting CLI strings or typed values. */
  schema: z.ZodType<T>;
  /** Default value, or undefined when the option is required/optional without default. */
  defaultValue?: T;
}

/**
 * A number from CLI text or a typed value; text that is not a number reads "expected a number" (zod's default
 * message would say "received NaN").
 */
const cliNumber = (): z.ZodCoercedNumber<unknown> =>
  z.coerce.number({ error: (issue) => (issue.code !== 'invalid_type' ? undefined : issue.expected === 'int' ? 'expected a whole number' : 'expected a number') });

/** Output size in pixels (square), 64..4096, even (H.264 yuv420p needs even sizes). */
export const SIZE_OPTION: OptionDescriptor<number> = {
  name: 'sizePx',
  flag: '--size <px>',
  description: 'output width and height in pixels (square), 64–4096, even',
  schema: cliNumber().int().min(64).max(4096).refine((v) => v % 2 === 0, 'size must be even'),
  defaultValue: 512,
};

/** Which face to animate when the photo has several: 0 = the largest. */
export const FACE_INDEX_OPTION: OptionDescriptor<number> = {
  name: 'faceIndex',
  flag: '--face <index>',
  description: 'which face to animate when there are several (0 = largest)',
  schema: cliNumber().int().min(0).max(63),
  defaultValue: 0,
};

const strength = (region: string): OptionDescriptor<number> => ({
  name: region,
  flag: `--${region}-strength <0..2>`,
  description: `driving video: strength of the ${region} transfer (0 = off, 1 = as driven, up to 2)`,
  schema: cliNumber().min(0).max(2),
  defaultValue: 1,
});

/** Per-region transfer strengths for driving-video reenactment (eyes, brows, mouth, head). */
export const RETARGET_OPTIONS = [strength('eyes'), strength('brows'), strength('mouth'), strength('head')] as const;

/**
 * Head pose taken from a driving video: `relative` (the driver's motion since its first frame, added to the
 * portrait's own pose; LivePortrait's default) or `absolute` (the driver's pose relative to the portrait's, so the
 * portrait turns to face the way the driver faces).
 */
export const HEAD_POSE_OPTION: OptionDescriptor<'relative' | 'absolute'> = {
  name: 'headPose',
  flag: '--head-pose <relative|absolute>',
  description: "driving video head pose: relative (the driver's motion from its first frame) or absolute (the driver's pose)",
  schema: z.enum(['relative', 'absolute']),
  defaultValue: 'relative',
};

/** Background behind the head: the photo's own, transparent (alpha formats only) or a colour. */
export const BACKGROUND_OPTION: OptionDescriptor<string> = {
  name: 'background',
  flag: '--background <photo|transparent|#rrggbb>',
  description: "background: the photo's own, transparent (.webm, .mov, .gif, PNG sequence), or a colour",
  schema: z.string().regex(/^(photo|transparent|#[0-9a-fA-F]{6})$/, 'photo, transparent or #rrggbb'),
  defaultValue: 'photo',
};

/** Framing preset of the camera. */
export const FRAMING_OPTION: OptionDescriptor<'photo' | 'head' | 'upperBody'> = {
  name: 'framing',
  flag: '--framing <photo|head|upperBody>',
  description: 'camera framing: the photo around the face, the head, or head and shoulders',
  schema: z.enum(['photo', 'head', 'upperBody']),
  defaultValue: 'photo',
};

/**
 * How far the camera may orbit the photo head, degrees. Beyond this the single photo has nothing to show: the far
 * cheek and the side of the head are not in it (the layered photo head holds up to here — 0 % flat columns and the
 * independent face tracker finding the face at ±25°, see issue 13's checks). The studio viewport uses the same
 * limits (soft, stated in the UI).
 */
export const ORBIT_LIMITS_DEG = { yaw: 30, pitch: 15 } as const;

/** Camera orbit yaw in degrees (the CLI is a user edge; the job takes radians). */
export const ORBIT_YAW_OPTION: OptionDescriptor<number> = {
  name: 'orbitYawDeg',
  flag: '--orbit-yaw <deg>',
  description: `turn the camera around the head, degrees (−${ORBIT_LIMITS_DEG.yaw}..${ORBIT_LIMITS_DEG.yaw}; + = to the viewer's right)`,
  schema: cliNumber().min(-ORBIT_LIMITS_DEG.yaw).max(ORBIT_LIMITS_DEG.yaw),
  defaultValue: 0,
};

/** Camera orbit pitch in degrees. */
export const ORBIT_PITCH_OPTION: OptionDescriptor<number> = {
  name: 'orbitPitchDeg',
  flag: '--orbit-pitch <deg>',
  description: `tilt the camera about the head, degrees (−${ORBIT_LIMITS_DEG.pitch}..${ORBIT_LIMITS_DEG.pitch}; + = camera lower, looking up)`,
  schema: cliNumber().min(-ORBIT_LIMITS_DEG.pitch).max(ORBIT_LIMITS_DEG.pitch),
  defaultValue: 0,
};

/** The fields of a zod issue that {@link describeOptionIssue} reads. */
export interface OptionIssue {
  code: string;
  message: string;
  maximum?: unknown;
  minimum?: unknown;
  inclusive?: boolean;
  values?: readonly unknown[];
  expected?: string;
}

/**
 * A validation issue of an option value in words a user reads: "must be at most 4096", "must be one of neutral,
 * happy", "expected a whole number" — instead of the validator's "Too big: expected number to be <=4096".
 * @param issue - a zod issue (its `code`, bounds, allowed values and message).
 * @returns the phrase (without the option name).
 */
export function describeOptionIssue(issue: OptionIssue): string {
  switch (issue.code) {
    case 'too_big':
      return `must be ${issue.inclusive === false ? 'below' : 'at most'} ${String(issue.maximum)}`;
    case 'too_small':
      return `must be ${issue.inclusive === false ? 'above' : 'at least'} ${String(issue.minimum)}`;
    case 'invalid_value':
      return `must be one of ${(issue.values ?? []).map(String).join(', ')}`;
    case 'invalid_type':
      return issue.expected === 'int' ? 'expected a whole number' : issue.expected === 'number' ? 'expected a number' : issue.message;
    default:
      return issue.message;
  }
}
