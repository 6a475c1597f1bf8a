/**
 * Errors raised by the splat / point-cloud / avatar-package parsers.
 * @remarks Convention 2 of DESIGN.md: every error has a stable `code`; `details` holds facts a UI can show
 * (file name, byte offset, counts). Parsers never let a `RangeError` or `TypeError` escape for bad input.
 */
import { StudioError } from '../errors.ts';

/** Base class of every malformed-file error from `core/formats`; code `MALFORMED_SPLAT_FILE` unless a subclass says otherwise. */
export class SplatFormatError extends StudioError {
  constructor(message: string, details: Record<string, unknown> = {}, code = 'MALFORMED_SPLAT_FILE', options?: { cause?: unknown }) {
    super(code, message, details, options);
  }
}

/** The file ends before its header (or a fixed-size section) is complete. Code `TRUNCATED_FILE`. */
export class TruncatedFileError extends SplatFormatError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(message, details, 'TRUNCATED_FILE');
  }
}

/** The body size disagrees with the element count the header declares. Code `VERTEX_COUNT_MISMATCH`. */
export class VertexCountMismatchError extends SplatFormatError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(message, details, 'VERTEX_COUNT_MISMATCH');
  }
}

/** A position, scale, rotation, colour or opacity is NaN or ±Infinity. Code `NON_FINITE_VALUE`. */
export class NonFiniteValueError extends SplatFormatError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(message, details, 'NON_FINITE_VALUE');
  }
}

/** The file does not start with the format's magic bytes (or is another format). Code `BAD_MAGIC`. */
export class BadMagicError extends SplatFormatError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(message, details, 'BAD_MAGIC');
  }
}

/** The file is well formed but uses a variant we do not read (big version, list vertex property…). Code `UNSUPPORTED_SPLAT_VARIANT`. */
export class UnsupportedVariantError extends SplatFormatError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(message, details, 'UNSUPPORTED_SPLAT_VARIANT');
  }
}

/** An avatar package (LAM zip, GLB avatar) is missing a part, is corrupt, or is of an unsupported kind. Code `BAD_AVATAR_PACKAGE`. */
export class AvatarPackageError extends StudioError {
  constructor(message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super('BAD_AVATAR_PACKAGE', message, details, options);
  }
}

/**
 * A compressed input would inflate past the decompression policy ({@link DECOMPRESSION_POLICY} in
 * core/formats/limits.ts): too many splats or too many inflated bytes. Code `DECOMPRESSION_LIMIT`.
 */
export class DecompressionLimitError extends SplatFormatError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(message, details, 'DECOMPRESSION_LIMIT');
  }
}
