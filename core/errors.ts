/**
 * Error classes with stable `code`s, and the `Result` shape used across IPC and job boundaries.
 * @remarks Convention 2 of DESIGN.md.
 */

/** Base class: every error the product shows a user has a stable `code` and a one-line message. */
export class StudioError extends Error {
  /** Stable machine-readable code, e.g. `NO_FACE_FOUND`. */
  readonly code: string;
  /** Extra structured facts (file path, stderr tail…), safe to serialise. */
  readonly details: Record<string, unknown>;
  constructor(code: string, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.details = details;
  }
}

/** No face was found in an image (after padding and retrying). */
export class NoFaceFoundError extends StudioError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('NO_FACE_FOUND', message, details);
  }
}

/** A media file could not be decoded or is not of a supported kind. */
export class UnsupportedMediaError extends StudioError {
  constructor(message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super('UNSUPPORTED_MEDIA', message, details, options);
  }
}

/** ffmpeg exited non-zero; `details.stderrTail` holds its last lines. */
export class FfmpegExitError extends StudioError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('FFMPEG_EXIT', message, details);
  }
}

/** A model file's size, SHA-256 or input/output signature does not match its manifest. */
export class ModelIntegrityError extends StudioError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('MODEL_INTEGRITY', message, details);
  }
}

/** A job was cancelled through its AbortSignal. */
export class JobCancelledError extends StudioError {
  constructor(message = 'Cancelled', details: Record<string, unknown> = {}) {
    super('JOB_CANCELLED', message, details);
  }
}

/** An argument or option was invalid (bad value, missing file…). */
export class InvalidInputError extends StudioError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('INVALID_INPUT', message, details);
  }
}

/** A serialisable error payload. */
export interface ErrorPayload {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

/** Success or failure, for anything that crosses IPC. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorPayload };

/**
 * Turns any thrown value into a serialisable {@link ErrorPayload}.
 * @param err - anything thrown.
 * @returns `{code, message, details}`; unknown errors get code `INTERNAL`.
 */
export function toErrorPayload(err: unknown): ErrorPayload {
  if (err instanceof StudioError) return { code: err.code, message: err.message, details: err.details };
  if (err instanceof Error) return { code: 'INTERNAL', message: err.message };
  return { code: 'INTERNAL', message: String(err) };
}

/** The part of the platform `AbortSignal` that core reads (core has no DOM or Node types). */
export interface AbortSignalLike {
  readonly aborted: boolean;
}

/** Progress of a long job, as shown to users. */
export interface JobProgress {
  /** Stage name, e.g. `"analyze"`, `"motion"`, `"render"`, `"encode"`. */
  stage: string;
  /** Units of the current stage done (frames for render/encode). */
  completedFrames: number;
  /** Units of the current stage in total. */
  totalFrames: number;
  /** Fraction of the whole job done, in [0,1]. */
  fraction: number;
  /** Estimated seconds left for the whole job; `null` while unknown. */
  etaSec: number | null;
}

/**
 * Throws {@link JobCancelledError} when the signal is aborted.
 * @param signal - optional AbortSignal of the running job.
 * @throws JobCancelledError when `signal.aborted`.
 */
export function throwIfAborted(signal: AbortSignalLike | undefined): void {
  if (signal?.aborted) throw new JobCancelledError();
}
