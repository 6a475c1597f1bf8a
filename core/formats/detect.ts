/**
 * Splat file kind detection and the single entry point that decodes any splat file we parse ourselves.
 * @remarks `.ksplat` (mkkellogg GaussianSplats3D) and `.sog` (PlayCanvas SOG) are recognised here but decoded by
 * Spark's own loaders in the renderer (see `renderer/avatars/splatAvatar.ts`).
 */
import { BadMagicError, UnsupportedVariantError } from './errors.ts';
import { parsePly } from './ply.ts';
import { parseSplat } from './splat.ts';
import { parseSpz } from './spz.ts';
import type { SplatData, SplatFrame } from './splatData.ts';

/** Splat / point-cloud file kinds the product imports. */
export type SplatFileKind = 'ply' | 'splat' | 'spz' | 'ksplat' | 'sog';

/** Axis convention of each file kind as found in the wild (all OpenCV/COLMAP-derived). */
export const SPLAT_SOURCE_FRAMES: Readonly<Record<SplatFileKind, SplatFrame>> = Object.freeze({ ply: 'opencv', splat: 'opencv', spz: 'opencv', ksplat: 'opencv', sog: 'opencv' });

/**
 * Guesses a splat file's kind from its magic bytes, then its extension.
 * @param bytes - the file (at least its first 4 bytes).
 * @param fileName - name with extension, e.g. `head.ply`.
 * @returns the kind.
 * @throws BadMagicError when neither the bytes nor the extension identify a supported kind.
 */
export function detectSplatFileKind(bytes: Uint8Array, fileName = ''): SplatFileKind {
  const ext = /\.([a-z0-9]+)$/i.exec(fileName)?.[1]?.toLowerCase() ?? '';
  if (bytes.length >= 4 && bytes[0] === 0x70 && bytes[1] === 0x6c && bytes[2] === 0x79 && (bytes[3] === 0x0a || bytes[3] === 0x0d)) return 'ply';
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) return 'spz';
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && ext === 'sog') return 'sog';
  if (ext === 'ply' || ext === 'splat' || ext === 'spz' || ext === 'ksplat' || ext === 'sog') return ext;
  throw new BadMagicError(`${fileName || 'file'} is not a splat file we know (.ply, .splat, .spz, .ksplat, .sog)`, { fileName });
}

/**
 * Decodes a `.ply`, `.splat` or `.spz` file into three.js axes.
 * @param bytes - whole file.
 * @param fileName - name with extension (used for detection and messages).
 * @returns decoded splats, `frame === 'three'`.
 * @throws the parser's SplatFormatError subclasses; UnsupportedVariantError for `.ksplat`/`.sog`, which only
 * the renderer (Spark) decodes.
 */
export function parseSplatFile(bytes: Uint8Array, fileName = ''): SplatData {
  const kind = detectSplatFileKind(bytes, fileName);
  const source = fileName || `.${kind} file`;
  switch (kind) {
    case 'ply':
      return parsePly(bytes, { source, sourceFrame: SPLAT_SOURCE_FRAMES.ply });
    case 'splat':
      return parseSplat(bytes, source);
    case 'spz':
      return parseSpz(bytes, source, SPLAT_SOURCE_FRAMES.spz);
    default:
      throw new UnsupportedVariantError(`${source}: .${kind} files are decoded by the viewport (Spark), not by the core parsers`, { source, kind });
  }
}
