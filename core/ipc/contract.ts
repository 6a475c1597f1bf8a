/**
 * The one typed API between the studio UI and its host (Electron main/utility process, or the local web host).
 * Every channel is named `studio:<domain>.<verb>`, has a zod schema for its argument and its result, and every
 * call answers a {@link Result}. Binary payloads (image pixels, PCM, motion tracks, uploads) are ArrayBuffers:
 * transferred over Electron IPC, or carried as raw bytes by the wire format (core/ipc/wire.ts) over HTTP.
 * @remarks DESIGN.md §6.2 (Result), §6.5 (channel names, validation of every argument).
 */
import { z } from 'zod';
import type { ErrorPayload, Result } from '../errors.ts';
import { InvalidInputError, StudioError, toErrorPayload } from '../errors.ts';
import { DirectionsSchema } from '../motion/directions.ts';
import { DEG_TO_RAD, FACE_INDEX_OPTION, ORBIT_PITCH_OPTION, ORBIT_YAW_OPTION, RETARGET_OPTIONS, typedNumberSchema } from '../jobs/options.ts';
import { BackgroundSchema, ExportRangeSchema, EXPORT_FORMATS, ExportSettingsSchema, FRAMINGS, FpsSchema, MotionOptionValuesSchema, ProjectSchema } from '../project/schema.ts';

export { EXPORT_FORMATS, EXPORT_QUALITIES, ExportSettingsSchema, FpsSchema, MotionOptionValuesSchema } from '../project/schema.ts';
export type { ExportSettings } from '../project/schema.ts';

/** An ArrayBuffer (checked by tag, so buffers from another realm — an iframe, a structured clone — pass too). */
export const ArrayBufferSchema = z.custom<ArrayBuffer>((v) => v instanceof ArrayBuffer || Object.prototype.toString.call(v) === '[object ArrayBuffer]', {
  message: 'expected an ArrayBuffer',
});

/** Largest upload accepted by the API (bytes): 512 MiB. */
export const MAX_UPLOAD_BYTES = 512 * 1024 * 1024;

/** Where an imported file comes from: a local path (Electron) or the file's bytes (browser upload). */
export const FileSourceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('path'), path: z.string().min(1).max(4096) }),
  z.object({ kind: z.literal('bytes'), fileName: z.string().min(1).max(1024), data: ArrayBufferSchema.refine((b) => b.byteLength <= MAX_UPLOAD_BYTES, 'file too large') }),
]);
/** See {@link FileSourceSchema}. */
export type FileSource = z.infer<typeof FileSourceSchema>;

/** One face of an imported portrait. `landmarksPx` is a Float32 `[landmarkCount, 3]` buffer (x, y, z in pixels). */
export const FaceInfoSchema = z.object({
  landmarksPx: ArrayBufferSchema,
  landmarkCount: z.number().int().min(0),
  boxPx: z.object({ xPx: z.number(), yPx: z.number(), widthPx: z.number(), heightPx: z.number() }),
  detectionScore: z.number(),
  meshScore: z.number(),
  headPose: z.object({ yawRad: z.number(), pitchRad: z.number(), rollRad: z.number() }).optional(),
  /**
   * The face's own expression, 52 ARKit weights in [0,1] (pipeline/face/portraitRest.ts): the preview's photo head
   * renders the motion against it, and `studio:motion.build` takes it back as `portraitRest`, so the preview shows
   * what the export renders (the export measures it the same way from the file).
   */
  restExpression: z.array(z.number().min(0).max(1)).length(52).optional(),
});
/** See {@link FaceInfoSchema}. */
export type FaceInfo = z.infer<typeof FaceInfoSchema>;

/**
 * An imported portrait for display: the upright decoded pixels (RGBA8, `[heightPx, widthPx, 4]`), downscaled
 * to at most 2048 px on the longest side, and every face found (largest first) in the same pixel space.
 * `previewScale` = preview px / source px (1 when not downscaled); the export always uses the source file.
 */
export const PortraitInfoSchema = z.object({
  portraitId: z.string(),
  fileName: z.string(),
  path: z.string().nullable(),
  widthPx: z.number().int().positive(),
  heightPx: z.number().int().positive(),
  sourceWidthPx: z.number().int().positive(),
  sourceHeightPx: z.number().int().positive(),
  previewScale: z.number().positive().max(1),
  hadAlpha: z.boolean(),
  rgba: ArrayBufferSchema,
  faces: z.array(FaceInfoSchema).min(1),
});
/** See {@link PortraitInfoSchema}. */
export type PortraitInfo = z.infer<typeof PortraitInfoSchema>;

/** An imported audio file: facts about the source and mono Float32 PCM at `playbackSampleRateHz` for the waveform and playback. */
export const AudioInfoSchema = z.object({
  audioId: z.string(),
  fileName: z.string(),
  path: z.string().nullable(),
  codec: z.string(),
  sourceSampleRateHz: z.number(),
  channels: z.number().int(),
  durationSec: z.number().nonnegative(),
  playbackSampleRateHz: z.number().int().positive(),
  playbackPcm: ArrayBufferSchema,
});
/** See {@link AudioInfoSchema}. */
export type AudioInfo = z.infer<typeof AudioInfoSchema>;

/** How the UI loads an avatar's bytes (`loadAvatarBytes` in renderer/avatars/loadAvatar.ts). */
export const AVATAR_LOAD_KINDS = ['splatFile', 'glb', 'lam'] as const;

/** File extensions accepted as avatars: GLB heads/bodies with ARKit/viseme morphs (meshopt/Draco/KTX2 too), VRM 0.x/1.0, Gaussian splat files, LAM avatar zips. */
export const AVATAR_FILE_EXTENSIONS = ['.glb', '.vrm', '.ply', '.splat', '.ksplat', '.spz', '.zip'] as const;

/**
 * An imported avatar (instead of a portrait): the checked file's bytes for the preview to load, what they hold
 * and how to load them. `splatCount` = Gaussians (splat files, LAM), 0 for a GLB, −1 when only the renderer can
 * count them (.ksplat). `arkitChannels`/`visemeChannels` = morph targets a motion track drives (GLB, LAM skin).
 */
export const AvatarInfoSchema = z.object({
  avatarId: z.string(),
  fileName: z.string(),
  path: z.string().nullable(),
  kind: z.enum(AVATAR_LOAD_KINDS),
  byteLength: z.number().int().positive(),
  splatCount: z.number().int().min(-1),
  arkitChannels: z.number().int().min(0),
  visemeChannels: z.number().int().min(0),
  bytes: ArrayBufferSchema,
});
/** See {@link AvatarInfoSchema}. */
export type AvatarInfo = z.infer<typeof AvatarInfoSchema>;

/**
 * File extension an export of a format is written with: the container's own, and `.zip` for a PNG sequence
 * (the numbered frames `<name>_00000.png`… packed in one archive).
 * @param format - an export format.
 * @returns the extension with its dot, lower case.
 */
export function exportFileExtension(format: (typeof EXPORT_FORMATS)[number]): string {
  return format === 'png' ? '.zip' : `.${format}`;
}

/** Export formats that can carry an alpha channel (a transparent background). */
export const ALPHA_EXPORT_FORMATS: readonly (typeof EXPORT_FORMATS)[number][] = Object.freeze(['webm', 'mov', 'gif', 'png']);

/** Transfer strength per region of a driving video, each 0..2 (1 = as driven). */
export const RetargetStrengthsSchema = z.object(Object.fromEntries(RETARGET_OPTIONS.map((d) => [d.name, typedNumberSchema(d)])) as Record<(typeof RETARGET_OPTIONS)[number]['name'], z.ZodNumber>).strict();

/**
 * An imported driving video: facts, the time ranges of frames without a face (their pose is held), and a strip of
 * evenly spaced thumbnails (JPEG) for the timeline.
 */
export const DrivingVideoInfoSchema = z.object({
  videoId: z.string(),
  fileName: z.string(),
  path: z.string().nullable(),
  durationSec: z.number().nonnegative(),
  hasAudio: z.boolean(),
  widthPx: z.number().int().positive(),
  heightPx: z.number().int().positive(),
  observedCount: z.number().int().min(0),
  facelessRanges: z.array(z.object({ fromSec: z.number(), toSec: z.number() })),
  thumbnailStripJpeg: ArrayBufferSchema,
});
/** See {@link DrivingVideoInfoSchema}. */
export type DrivingVideoInfo = z.infer<typeof DrivingVideoInfoSchema>;

/** A motion track as buffers (Float32, layouts of core/motion/track.ts `MotionTrack`). */
export const TrackPayloadSchema = z.object({
  fps: FpsSchema,
  frameCount: z.number().int().min(0),
  blendshapes: ArrayBufferSchema,
  visemes: ArrayBufferSchema,
  headRotation: ArrayBufferSchema,
  headTranslationM: ArrayBufferSchema,
  gazeRad: ArrayBufferSchema,
});
/** See {@link TrackPayloadSchema}. */
export type TrackPayload = z.infer<typeof TrackPayloadSchema>;

/** Progress of a long job (mirrors core/errors.ts `JobProgress`). */
export const JobProgressSchema = z.object({
  stage: z.string(),
  completedFrames: z.number(),
  totalFrames: z.number(),
  fraction: z.number().min(0).max(1),
  etaSec: z.number().nullable(),
});

/** State of an export job. */
export const JobStateSchema = z.object({
  jobId: z.string(),
  state: z.enum(['running', 'done', 'failed', 'cancelled']),
  progress: JobProgressSchema,
  outPath: z.string().nullable(),
  fileName: z.string().nullable(),
  bytes: z.number().nullable(),
  downloadUrl: z.string().nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});
/** See {@link JobStateSchema}. */
export type JobState = z.infer<typeof JobStateSchema>;

/** Settings the app remembers between runs. */
export const SettingsSchema = z.object({
  export: ExportSettingsSchema,
  motion: MotionOptionValuesSchema,
  background: BackgroundSchema,
  framing: z.enum(FRAMINGS),
  recentProjects: z.array(z.string()).max(10),
});
/** See {@link SettingsSchema}. */
export type Settings = z.infer<typeof SettingsSchema>;

/** Default settings, used on first run and to fill missing keys. */
export const DEFAULT_SETTINGS: Settings = {
  export: { format: 'mp4', sizePx: 512, fps: { num: 25, den: 1 }, quality: 'standard', alpha: false },
  motion: {},
  background: 'photo',
  framing: 'photo',
  recentProjects: [],
};

const Empty = z.object({}).strict();

/**
 * Every channel: argument schema and result schema. The key is the channel name.
 */
export const CHANNELS = {
  /** Which host runs the UI and what it can do. */
  'studio:app.info': {
    args: Empty,
    result: z.object({ host: z.enum(['electron', 'web']), version: z.string(), platform: z.string(), canUsePaths: z.boolean(), exportFormats: z.array(z.enum(EXPORT_FORMATS)) }),
  },
  /** Decode a portrait and find its faces (NoFaceFoundError / UnsupportedMediaError as a failed Result). */
  'studio:portrait.import': { args: z.object({ source: FileSourceSchema }).strict(), result: PortraitInfoSchema },
  /** Decode an audio file for playback and motion (UnsupportedMediaError for non-audio). */
  'studio:audio.import': { args: z.object({ source: FileSourceSchema }).strict(), result: AudioInfoSchema },
  /** Check an avatar file (GLB, splats, LAM zip) with the format parsers; a malformed file is a failed Result naming it. */
  'studio:avatar.import': { args: z.object({ source: FileSourceSchema }).strict(), result: AvatarInfoSchema },
  /** Track an imported driving video (faces per frame) and cut its thumbnail strip. */
  'studio:video.import': { args: z.object({ source: FileSourceSchema }).strict(), result: DrivingVideoInfoSchema },
  /**
   * Build the motion track of an imported audio file, or — with `videoId` — of a driving video (its frames drive the
   * face; the audio sets the length), composed with the directions. With `portraitRest` (the animated face's
   * `restExpression`), the track is the one the export renders for that portrait: speech keeps the portrait's smile,
   * brows and lids; a driving video moves them from the portrait's own (core/reenact/drivingTrack.ts).
   */
  'studio:motion.build': {
    args: z
      .object({ audioId: z.string().min(1).max(64), fps: FpsSchema, options: MotionOptionValuesSchema, directions: DirectionsSchema.optional(), videoId: z.string().min(1).max(64).optional(), retarget: RetargetStrengthsSchema.optional(), portraitRest: z.array(z.number().min(0).max(1)).length(52).optional() })
      .strict(),
    result: TrackPayloadSchema,
  },
  /**
   * Import a saved motion track (JSON, e.g. a live-mode recording) to export with instead of the track built from
   * the audio; a malformed track is a failed Result naming it.
   */
  'studio:motion.import': {
    args: z.object({ source: FileSourceSchema }).strict(),
    result: z.object({ motionTrackId: z.string(), fileName: z.string(), frameCount: z.number().int().min(1), fps: FpsSchema, durationSec: z.number() }),
  },
  /**
   * Start an export; progress arrives as `studio:export.progress` events. The subject is the portrait
   * (`portraitId`, `faceIndex`) or, when `avatarId` is given, that avatar (then `portraitId` may be null).
   */
  'studio:export.start': {
    args: z
      .object({
        portraitId: z.string().min(1).max(64).nullable(),
        avatarId: z.string().min(1).max(64).nullable().optional(),
        audioId: z.string().min(1).max(64),
        /** A track from `studio:motion.import` to render instead of one built from the audio (live recordings). */
        motionTrackId: z.string().min(1).max(64).nullable().optional(),
        faceIndex: typedNumberSchema(FACE_INDEX_OPTION),
        settings: ExportSettingsSchema,
        motion: MotionOptionValuesSchema,
        background: BackgroundSchema,
        framing: z.enum(FRAMINGS),
        /** Camera orbit, radians, within `--orbit-yaw`/`--orbit-pitch`'s limits (the viewport clamps to the same). */
        orbit: z.object({ yawRad: typedNumberSchema(ORBIT_YAW_OPTION, DEG_TO_RAD), pitchRad: typedNumberSchema(ORBIT_PITCH_OPTION, DEG_TO_RAD) }),
        outPath: z.string().min(1).max(4096).nullable(),
        /** Directions over time composed with the speech motion (the same the preview's track was built with). */
        directions: DirectionsSchema.optional(),
        /** Export only this range of the clip, seconds (the timeline's in/out points). */
        rangeSec: ExportRangeSchema.optional(),
        /** A driving video (from `studio:video.import`) whose frames drive the face, with the retarget strengths. */
        videoId: z.string().min(1).max(64).optional(),
        retarget: RetargetStrengthsSchema.optional(),
      })
      .strict(),
    result: z.object({ jobId: z.string() }),
  },
  /** Cancel a running export (the partial file is removed). */
  'studio:export.cancel': { args: z.object({ jobId: z.string().min(1).max(64) }).strict(), result: z.object({ cancelled: z.boolean() }) },
  /** Current state of an export. */
  'studio:export.status': { args: z.object({ jobId: z.string().min(1).max(64) }).strict(), result: JobStateSchema },
  /** Show a finished export in the file manager (Electron) or hand back its download URL (web). */
  'studio:export.reveal': { args: z.object({ jobId: z.string().min(1).max(64) }).strict(), result: z.object({ revealed: z.boolean(), url: z.string().nullable() }) },
  /** Remembered settings. */
  'studio:settings.get': { args: Empty, result: SettingsSchema },
  /** Merge a partial update into the settings and persist them. */
  'studio:settings.set': { args: z.object({ patch: SettingsSchema.partial() }).strict(), result: SettingsSchema },
  /** Open a project file (any older schema version is migrated). */
  'studio:project.open': { args: z.object({ source: FileSourceSchema }).strict(), result: z.object({ project: ProjectSchema, path: z.string().nullable(), migratedFromVersion: z.number().int().nullable() }) },
  /** Save a project; with `path: null` the host returns the JSON text for the UI to download. */
  'studio:project.save': { args: z.object({ project: ProjectSchema, path: z.string().min(1).max(4096).nullable() }).strict(), result: z.object({ path: z.string().nullable(), json: z.string() }) },
  /** Recently opened or saved project files. */
  'studio:recent.list': { args: Empty, result: z.object({ paths: z.array(z.string()) }) },
  /** Native open dialog (Electron only; the web host answers NOT_AVAILABLE). */
  'studio:dialog.openFile': { args: z.object({ kind: z.enum(['portrait', 'audio', 'avatar', 'project']) }).strict(), result: z.object({ path: z.string().nullable() }) },
  /** Native save dialog (Electron only; the web host answers NOT_AVAILABLE). */
  'studio:dialog.saveFile': {
    args: z.object({ kind: z.enum(['export', 'project']), defaultName: z.string().min(1).max(255) }).strict(),
    result: z.object({ path: z.string().nullable() }),
  },
} as const;

/** A channel name. */
export type ChannelName = keyof typeof CHANNELS;
/** The (parsed) argument of a channel. */
export type ArgsOf<C extends ChannelName> = z.infer<(typeof CHANNELS)[C]['args']>;
/** The result value of a channel. */
export type ResultOf<C extends ChannelName> = z.infer<(typeof CHANNELS)[C]['result']>;
/** All channel names, in declaration order. */
export const CHANNEL_NAMES = Object.freeze(Object.keys(CHANNELS) as ChannelName[]);

/** Events pushed from the host to the UI. */
export const EVENTS = {
  'studio:export.progress': z.object({ jobId: z.string(), progress: JobProgressSchema }),
  'studio:export.finished': JobStateSchema,
} as const;
/** An event name. */
export type EventName = keyof typeof EVENTS;
/** The payload of an event. */
export type EventOf<E extends EventName> = z.infer<(typeof EVENTS)[E]>;

/** Channel names follow `studio:<domain>.<verb>`. */
export const CHANNEL_NAME_PATTERN = /^studio:[a-z]+\.[a-zA-Z]+$/;

/**
 * Tells whether a value names a known channel.
 * @param name - anything.
 * @returns true for a key of {@link CHANNELS}.
 */
export function isChannelName(name: unknown): name is ChannelName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(CHANNELS, name);
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : '(argument)'}: ${i.message}`)
    .join('; ');
}

/**
 * Validates a call before it runs: the channel must exist and the argument must match its schema.
 * @param channel - the requested channel name (untrusted).
 * @param args - the argument (untrusted).
 * @returns `{ok:true, value:{channel, args}}` with the parsed argument, or a failed Result with code
 *   `UNKNOWN_CHANNEL` or `INVALID_INPUT` (the message names the offending fields).
 */
export function validateCall(channel: unknown, args: unknown): Result<{ channel: ChannelName; args: unknown }> {
  if (!isChannelName(channel)) {
    return { ok: false, error: { code: 'UNKNOWN_CHANNEL', message: `Unknown API channel ${JSON.stringify(String(channel)).slice(0, 80)}` } };
  }
  const parsed = CHANNELS[channel].args.safeParse(args ?? {});
  if (!parsed.success) {
    return { ok: false, error: { code: 'INVALID_INPUT', message: `Invalid argument for ${channel}: ${describeIssues(parsed.error)}` } };
  }
  return { ok: true, value: { channel, args: parsed.data } };
}

/**
 * Validates a result value against its channel's result schema.
 * @param channel - a known channel.
 * @param value - the handler's value.
 * @returns the parsed value in an ok Result, or a failed Result with code `INVALID_RESULT`.
 */
export function validateResult<C extends ChannelName>(channel: C, value: unknown): Result<ResultOf<C>> {
  const parsed = CHANNELS[channel].result.safeParse(value);
  if (!parsed.success) return { ok: false, error: { code: 'INVALID_RESULT', message: `Host answered ${channel} with a malformed result: ${describeIssues(parsed.error)}` } };
  return { ok: true, value: parsed.data as ResultOf<C> };
}

/** An implementation of some channels. */
export type Handlers = { [C in ChannelName]?: (args: ArgsOf<C>) => Promise<ResultOf<C>> };

/**
 * Runs one untrusted call against a set of handlers: validates channel and argument, runs the handler,
 * validates its result and turns any thrown error into a failed Result (never throws).
 * @param handlers - the host's implementations; a missing one answers `NOT_AVAILABLE`.
 * @param channel - requested channel (untrusted).
 * @param args - argument (untrusted).
 * @returns the handler's Result.
 */
export async function dispatchCall(handlers: Handlers, channel: unknown, args: unknown): Promise<Result<unknown>> {
  const checked = validateCall(channel, args);
  if (!checked.ok) return checked;
  const name = checked.value.channel;
  const handler = handlers[name] as ((a: unknown) => Promise<unknown>) | undefined;
  if (!handler) return { ok: false, error: { code: 'NOT_AVAILABLE', message: `${name} is not available in this host` } };
  try {
    const value = await handler(checked.value.args);
    return validateResult(name, value);
  } catch (err) {
    return { ok: false, error: toErrorPayload(err) };
  }
}

/**
 * Unwraps a Result, throwing its error as a {@link StudioError} (for UI code that prefers exceptions).
 * @param result - a Result.
 * @returns the value.
 * @throws StudioError carrying the payload's code, message and details.
 */
export function unwrapResult<T>(result: Result<T>): T {
  if (result.ok) return result.value;
  throw errorFromPayload(result.error);
}

/**
 * Rebuilds a {@link StudioError} from a payload that crossed IPC.
 * @param payload - `{code, message, details}`.
 * @returns a StudioError with the same code (an `InvalidInputError` for `INVALID_INPUT`).
 */
export function errorFromPayload(payload: ErrorPayload): StudioError {
  if (payload.code === 'INVALID_INPUT') return new InvalidInputError(payload.message, payload.details ?? {});
  return new StudioError(payload.code, payload.message, payload.details ?? {});
}
