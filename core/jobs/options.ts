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
