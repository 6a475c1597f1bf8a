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
  /**
   * For a numeric option: its range in the option's own unit (inclusive) and whether it is whole. `schema` is built
   * from it, and so are the typed schemas of IPC and the project file ({@link typedNumberSchema}), so the hosts
   * cannot disagree on a bound.
   */
  bounds?: NumberBounds;
}

/** Inclusive range of a numeric option, in its own unit. */
export interface NumberBounds {
  min: number;
  max: number;
  /** Whole numbers only. */
  isInteger?: boolean;
}

/**
 * A number from CLI text or a typed value; text that is not a number reads "expected a number" (zod's default
 * message would say "received NaN").
 */
const cliNumber = (): z.ZodCoercedNumber<unknown> =>
  z.coerce.number({ error: (issue) => (issue.code !== 'invalid_type' ? undefined : issue.expected === 'int' ? 'expected a whole number' : 'expected a number') });

/** The CLI schema of a bounded number: CLI text or a number, within `bounds`. */
function boundedCliNumber(bounds: NumberBounds): z.ZodType<number> {
  const n = bounds.isInteger ? cliNumber().int() : cliNumber();
  return n.min(bounds.min).max(bounds.max);
}

/**
 * The typed schema (numbers only, no text) of a numeric option for IPC arguments and the project file, from the
 * option's declared bounds, optionally in another unit (e.g. degrees declared, radians over IPC).
 * @param desc - a descriptor with `bounds`.
 * @param scale - factor from the option's unit to the schema's (default 1; `Math.PI / 180` for degrees → radians).
 * @returns a zod number schema with the scaled bounds (and `int()` for whole-number options at scale 1).
 * @throws Error when the descriptor declares no bounds (a programming error).
 */
export function typedNumberSchema(desc: OptionDescriptor<number>, scale = 1): z.ZodNumber {
  const b = desc.bounds;
  if (!b) throw new Error(`${desc.name} declares no bounds`);
  const n = b.isInteger && scale === 1 ? z.number().int() : z.number();
  return n.min(b.min * scale).max(b.max * scale);
}

/**
 * A lenient typed schema for stored values (the project file): any finite number, clamped to the option's scaled
 * bounds, so a file saved under wider limits still opens, at the nearest allowed value.
 * @param desc - a descriptor with `bounds`.
 * @param scale - factor from the option's unit to the stored one (see {@link typedNumberSchema}).
 * @returns a zod schema parsing a number into the clamped number.
 * @throws Error when the descriptor declares no bounds (a programming error).
 */
export function clampedNumberSchema(desc: OptionDescriptor<number>, scale = 1): z.ZodType<number> {
  const b = desc.bounds;
  if (!b) throw new Error(`${desc.name} declares no bounds`);
  return z
    .number()
    .finite()
    .transform((v) => Math.min(b.max * scale, Math.max(b.min * scale, v)));
}

/** Numeric option: CLI schema from its bounds (plus an optional extra CLI-only check). */
function numericOption(d: Omit<OptionDescriptor<number>, 'schema'> & { bounds: NumberBounds }, refine?: (schema: z.ZodType<number>) => z.ZodType<number>): OptionDescriptor<number> {
  const schema = boundedCliNumber(d.bounds);
  return { ...d, schema: refine ? refine(schema) : schema };
}

/**
 * Output size in pixels (square), 64..4096, even (H.264 yuv420p needs even sizes). The CLI refuses an odd size; the
 * studio's dialog offers even sizes only and its job rounds to even (a project file with another size still opens).
 */
export const SIZE_OPTION: OptionDescriptor<number> = numericOption(
  { name: 'sizePx', flag: '--size <px>', description: 'output width and height in pixels (square), 64–4096, even', bounds: { min: 64, max: 4096, isInteger: true }, defaultValue: 512 },
  (schema) => schema.refine((v) => v % 2 === 0, 'size must be even'),
);

/** Which face to animate when the photo has several: 0 = the largest. */
export const FACE_INDEX_OPTION: OptionDescriptor<number> = numericOption({
  name: 'faceIndex',
  flag: '--face <index>',
  description: 'which face to animate when there are several (0 = largest)',
  bounds: { min: 0, max: 63, isInteger: true },
  defaultValue: 0,
});

const strength = (region: 'eyes' | 'brows' | 'mouth' | 'head'): OptionDescriptor<number> & { name: typeof region } =>
  ({
    ...numericOption({
      name: region,
      flag: `--${region}-strength <0..2>`,
      description: `driving video: strength of the ${region} transfer (0 = off, 1 = as driven, up to 2)`,
      bounds: { min: 0, max: 2 },
      defaultValue: 1,
    }),
    name: region,
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

/** Camera framing presets (the CLI's `--framing`, the studio's framing buttons, IPC and the project file). */
export const FRAMINGS = ['photo', 'head', 'upperBody'] as const;

/** Framing preset of the camera. */
export const FRAMING_OPTION: OptionDescriptor<(typeof FRAMINGS)[number]> = {
  name: 'framing',
  flag: '--framing <photo|head|upperBody>',
  description: 'camera framing: the photo around the face, the head, or head and shoulders',
  schema: z.enum(FRAMINGS),
  defaultValue: 'photo',
};

/**
 * How far the camera may orbit the photo head, degrees. Beyond this the single photo has nothing to show: the far
 * cheek and the side of the head are not in it (the layered photo head holds up to here — 0 % flat columns and the
 * independent face tracker finding the face at ±25°, see issue 13's checks). The studio viewport uses the same
 * limits (soft, stated in the UI).
 */
export const ORBIT_LIMITS_DEG = { yaw: 30, pitch: 15 } as const;

/**
 * Photo head yaw, degrees, up to which a turned face keeps the full orbit range towards its hidden side (a design
 * value: the frontal portraits the ±30° limit was checked on are within a few degrees of frontal).
 */
export const ORBIT_TURNED_FACE_FREE_DEG = 5;
/** The least orbit allowed towards a turned face's hidden side, degrees (a design value; see {@link orbitYawRangeDeg}). */
export const ORBIT_HIDDEN_SIDE_MIN_DEG = 15;

/**
 * The orbit yaw range that matches what a photo shows, degrees: a face turned in the photo hides its far cheek, ear and
 * the hair behind them, so the camera may turn less towards that side; towards the side the photo shows, the full
 * {@link ORBIT_LIMITS_DEG}.yaw.
 * @param photoYawRad - the photo's head yaw, radians (core/face/headPose.ts `estimateHeadPose`: + = turned to the
 *   subject's left, i.e. the nose towards the viewer's right; a positive camera orbit, to the viewer's right, then turns
 *   the view towards frontal and uncovers the hidden side).
 * @returns `[minDeg, maxDeg]` with minDeg ≤ 0 ≤ maxDeg: towards the hidden side
 *   max({@link ORBIT_HIDDEN_SIDE_MIN_DEG}, 30 − max(0, |yaw| − {@link ORBIT_TURNED_FACE_FREE_DEG})), the other side 30.
 * @remarks Limits for the camera, in the spirit of "camera limits that match what the head can show" (issue 13): a
 * new-user run found img04 (a face turned 27.5°) at −30° a flat mask with the hair detached and the far edge cut,
 * while +30° (further into profile, over the side the photo shows) held up. Single-image 3D photo methods bound the
 * camera path the same way (Niklaus et al., "3D Ken Burns", SIGGRAPH Asia 2019: the virtual camera stays near the
 * original view). The numbers are design values, not fitted to a portrait.
 */
export function orbitYawRangeDeg(photoYawRad: number): [number, number] {
  const yawDeg = Number.isFinite(photoYawRad) ? (photoYawRad * 180) / Math.PI : 0;
  const hidden = Math.max(ORBIT_HIDDEN_SIDE_MIN_DEG, ORBIT_LIMITS_DEG.yaw - Math.max(0, Math.abs(yawDeg) - ORBIT_TURNED_FACE_FREE_DEG));
  return yawDeg > 0 ? [-ORBIT_LIMITS_DEG.yaw, hidden] : [-hidden, ORBIT_LIMITS_DEG.yaw];
}

/** Camera orbit yaw in degrees (the CLI is a user edge; the job and IPC take radians: {@link DEG_TO_RAD}). */
export const ORBIT_YAW_OPTION: OptionDescriptor<number> = numericOption({
  name: 'orbitYawDeg',
  flag: '--orbit-yaw <deg>',
  description: `turn the camera around the head, degrees (−${ORBIT_LIMITS_DEG.yaw}..${ORBIT_LIMITS_DEG.yaw}; + = to the viewer's right)`,
  bounds: { min: -ORBIT_LIMITS_DEG.yaw, max: ORBIT_LIMITS_DEG.yaw },
  defaultValue: 0,
});

/** Camera orbit pitch in degrees. */
export const ORBIT_PITCH_OPTION: OptionDescriptor<number> = numericOption({
  name: 'orbitPitchDeg',
  flag: '--orbit-pitch <deg>',
  description: `tilt the camera about the head, degrees (−${ORBIT_LIMITS_DEG.pitch}..${ORBIT_LIMITS_DEG.pitch}; + = camera lower, looking up)`,
  bounds: { min: -ORBIT_LIMITS_DEG.pitch, max: ORBIT_LIMITS_DEG.pitch },
  defaultValue: 0,
});

/** Degrees → radians, the scale between the orbit options (degrees) and their IPC fields (radians). */
export const DEG_TO_RAD = Math.PI / 180;

/** Quality presets of an export, lowest first (the studio's export dialog, `--quality`, IPC). */
export const EXPORT_QUALITIES = ['draft', 'standard', 'high'] as const;
/** One of {@link EXPORT_QUALITIES}. */
export type ExportQuality = (typeof EXPORT_QUALITIES)[number];

/** Export quality: one setting mapped to every encoder by {@link encoderSettingsForQuality}. */
export const QUALITY_OPTION: OptionDescriptor<ExportQuality> = {
  name: 'quality',
  flag: '--quality <draft|standard|high>',
  description: 'encoding quality: draft (small files), standard, high (larger files, closer to the rendered frames); PNG sequences are lossless at every setting',
  schema: z.enum(EXPORT_QUALITIES),
  defaultValue: 'standard',
};

/** Encoder parameters of one export quality (what {@link encoderSettingsForQuality} returns). */
export interface EncoderQualitySettings {
  /** x264 constant rate factor, 0..51 (lower = better; 18 is "visually lossless" per the x264/ffmpeg H.264 guide). */
  x264Crf: number;
  /** x264 preset (speed/efficiency trade-off at the same CRF). */
  x264Preset: 'veryfast' | 'fast' | 'medium';
  /** Target bits per pixel per frame of the in-page H.264 encoder (WebCodecs/OpenH264, bitrate mode only). */
  inPageH264BitsPerPixel: number;
  /** libvpx-vp9 constant quality (`-crf` with `-b:v 0`), 0..63, lower = better. */
  vp9Crf: number;
  /** ProRes profile (prores_ks names) of an opaque MOV: 422 `standard`, `4444` or `4444xq`. */
  proresProfileOpaque: 'standard' | '4444' | '4444xq';
  /** ProRes profile of a MOV with alpha (only the 4444 profiles carry alpha). */
  proresProfileAlpha: '4444' | '4444xq';
  /** Colours of each GIF frame's palette (2..256). */
  gifMaxColors: number;
}

const ENCODER_QUALITY: Record<ExportQuality, EncoderQualitySettings> = {
  draft: { x264Crf: 28, x264Preset: 'veryfast', inPageH264BitsPerPixel: 0.4, vp9Crf: 42, proresProfileOpaque: 'standard', proresProfileAlpha: '4444', gifMaxColors: 64 },
  standard: { x264Crf: 18, x264Preset: 'veryfast', inPageH264BitsPerPixel: 1.2, vp9Crf: 32, proresProfileOpaque: '4444', proresProfileAlpha: '4444', gifMaxColors: 256 },
  high: { x264Crf: 14, x264Preset: 'medium', inPageH264BitsPerPixel: 3, vp9Crf: 24, proresProfileOpaque: '4444xq', proresProfileAlpha: '4444xq', gifMaxColors: 256 },
};

/**
 * The encoder parameters of an export quality, for every output format.
 * @param quality - one of {@link EXPORT_QUALITIES}.
 * @returns the parameters (a frozen table row; do not mutate).
 * @remarks `standard` is what exports used before the setting existed: x264 CRF 18 `veryfast` (ffmpeg's H.264
 * guide calls CRF 18 about visually lossless; each ±6 roughly halves/doubles the bitrate), in-page H.264 at
 * 1.2 bits per pixel per frame (measured on img05 at 384²: face PSNR 30.8 dB against the photo vs 33.3 dB for
 * x264 CRF 18; OpenH264 in realtime mode undershoots its target), VP9 CRF 32 (ffmpeg's VP9 guide recommends
 * 15–35), ProRes 4444. `draft` and `high` step about one CRF "halving" either way (x264 ±10/−4, VP9 ±10/−8) and a
 * third/2.5× of the in-page bitrate; ProRes uses Apple's profile ladder (ProRes White Paper: 422 ≈ 147 Mb/s,
 * 4444 ≈ 330, 4444 XQ ≈ 500 at 1080p30). GIF `draft` uses a 64-colour palette per frame. PNG is lossless always.
 * The measured effect (file size and PSNR against a lossless render) is in tests/integration/render/exportQuality.test.ts.
 */
export function encoderSettingsForQuality(quality: ExportQuality): EncoderQualitySettings {
  return ENCODER_QUALITY[quality];
}

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
