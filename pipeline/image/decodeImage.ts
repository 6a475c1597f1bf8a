/**
 * Decodes any supported still image (JPEG, PNG, WebP, GIF, TIFF, AVIF/HEIF through sharp; BMP, PPM/PGM/PBM/PAM,
 * TGA through the bundled ffmpeg) into upright 8-bit sRGB RGBA pixels.
 * @remarks The container is sniffed from the bytes (magic numbers), never from the file name, so a JPEG named
 * `.png` decodes as JPEG. EXIF orientation is applied (sharp `.rotate()` without an angle), CMYK / grayscale /
 * 16-bit inputs are converted to 8-bit sRGB by libvips (ICC profile when embedded, libvips' default CMYK profile
 * otherwise). Fully transparent pixels take the colour of the nearest visible one ({@link bleedIntoTransparent}).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { InvalidInputError, UnsupportedMediaError } from '../../core/errors.ts';
import { bleedIntoTransparent } from '../../core/filters/bleedTransparent.ts';
import { resolveFfmpeg } from '../ffmpeg/ffmpegPath.ts';

/** Decoded upright image. */
export interface DecodedImage {
  /** `[heightPx, widthPx, 4]` row-major RGBA, 8 bits per channel, sRGB, straight (not premultiplied) alpha. */
  rgba: Uint8Array;
  /** Width in pixels after EXIF orientation. */
  widthPx: number;
  /** Height in pixels after EXIF orientation. */
  heightPx: number;
  /** True when the source had an alpha channel (opaque or not). */
  hadAlpha: boolean;
  /** Absolute path of the source file, when decoded from a file. */
  sourcePath?: string;
  /** Container detected from the bytes, e.g. `"jpeg"`, `"png"`, `"webp"`. */
  format?: ImageContainer;
}

/** Image containers recognised by {@link sniffImageContainer}. */
export type ImageContainer = 'jpeg' | 'png' | 'webp' | 'gif' | 'tiff' | 'heif' | 'avif' | 'bmp' | 'pnm' | 'tga';

/**
 * Containers sharp (libvips without ImageMagick) cannot read; they are decoded by the bundled ffmpeg (its `ppm`,
 * `pgm`, `pam`, `bmp` and `targa` decoders) to PNG first.
 */
const FFMPEG_ONLY: ReadonlySet<ImageContainer> = new Set(['bmp', 'pnm', 'tga']);

/** Options of {@link decodeImage}. */
export interface DecodeImageOptions {
  /** Largest accepted pixel count (width × height); default 100 megapixels. */
  maxPixels?: number;
  /** Name used in error messages when `input` is a Buffer. */
  sourceName?: string;
}

const DEFAULT_MAX_PIXELS = 100_000_000;

/**
 * Identifies an image container from its first bytes.
 * @param bytes - the file's first bytes (≥ 16 for WebP/HEIF detection).
 * @returns the container, or `null` when the signature is not an image this product reads.
 * @remarks Signatures: JPEG `FF D8 FF`; PNG `89 50 4E 47 0D 0A 1A 0A`; GIF `GIF8`; WebP `RIFF....WEBP`;
 * TIFF `II*\0` / `MM\0*`; BMP `BM`; ISO-BMFF `....ftyp` with brand `avif`/`avis` (AVIF) or `heic`/`heix`/`mif1`/`msf1` (HEIF).
 */
export function sniffImageContainer(bytes: Uint8Array): ImageContainer | null {
  const b = bytes;
  const ascii = (start: number, end: number): string => String.fromCharCode(...b.subarray(start, end));
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 8 && b[0] === 0x89 && ascii(1, 4) === 'PNG' && b[4] === 0x0d && b[5] === 0x0a) return 'png';
  if (b.length >= 4 && ascii(0, 4) === 'GIF8') return 'gif';
  if (b.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'webp';
  if (b.length >= 4 && ((b[0] === 0x49 && b[1] === 0x49 && b[2] === 0x2a && b[3] === 0) || (b[0] === 0x4d && b[1] === 0x4d && b[2] === 0 && b[3] === 0x2a))) return 'tiff';
  if (b.length >= 2 && b[0] === 0x42 && b[1] === 0x4d) return 'bmp';
  // Netpbm: "P1".."P7" then whitespace (PBM/PGM/PPM ASCII and binary, PAM).
  if (b.length >= 3 && b[0] === 0x50 && b[1]! >= 0x31 && b[1]! <= 0x37 && [0x20, 0x09, 0x0a, 0x0d].includes(b[2]!)) return 'pnm';
  if (b.length >= 12 && ascii(4, 8) === 'ftyp') {
    const brand = ascii(8, 12);
    if (brand === 'avif' || brand === 'avis') return 'avif';
    if (['heic', 'heix', 'mif1', 'msf1', 'heim', 'heis'].includes(brand)) return 'heif';
  }
  return null;
}

/**
 * Decodes a container sharp cannot read (BMP, Netpbm, TGA) with the bundled ffmpeg and re-encodes it as PNG.
 * @throws UnsupportedMediaError naming the file when ffmpeg cannot decode it either.
 */
async function transcodeToPng(bytes: Buffer, format: ImageContainer, name: string, details: Record<string, unknown>): Promise<Buffer> {
  // TGA has no signature ffmpeg's pipe probe knows: it is read from a temporary `.tga` file (image2 demuxer).
  const tgaDir = format === 'tga' ? await mkdtemp(path.join(tmpdir(), 'avatar-studio-tga-')) : null;
  try {
    if (tgaDir) await writeFile(path.join(tgaDir, 'in.tga'), bytes);
    return await runFfmpegToPng(tgaDir ? path.join(tgaDir, 'in.tga') : null, bytes, format, name, details);
  } finally {
    if (tgaDir) await rm(tgaDir, { recursive: true, force: true });
  }
}

async function runFfmpegToPng(file: string | null, bytes: Buffer, format: ImageContainer, name: string, details: Record<string, unknown>): Promise<Buffer> {
  const inputArgs = file ? ['-i', file] : ['-f', format === 'bmp' ? 'bmp_pipe' : 'image2pipe', '-i', 'pipe:0'];
  const child = spawn(resolveFfmpeg().path, ['-nostdin', '-v', 'error', ...inputArgs, '-frames:v', '1', '-f', 'image2pipe', '-c:v', 'png', 'pipe:1'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => out.push(d));
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  child.stdin.on('error', () => undefined); // EPIPE when ffmpeg rejects the input early; reported below
  child.stdin.end(file ? undefined : bytes);
  const code = await new Promise<number | null>((res, rej) => {
    child.on('error', rej);
    child.on('close', res);
  });
  const png = Buffer.concat(out);
  if (code !== 0 || png.length === 0) {
    throw new UnsupportedMediaError(`"${name}" cannot be decoded: the ${format.toUpperCase()} data is corrupt, truncated or a variant ffmpeg does not read (${stderr.trim().split('\n').pop() ?? `exit ${code}`}).`, { ...details, reason: 'decode-failed', format });
  }
  return png;
}

/** Describes what non-image bytes probably are, for a clear error message. */
function describeNonImage(b: Uint8Array): string {
  const ascii = (start: number, end: number): string => String.fromCharCode(...b.subarray(start, Math.min(end, b.length)));
  if (b.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WAVE') return 'it is WAV audio';
  if (b.length >= 12 && ascii(4, 8) === 'ftyp') return `it is an ISO media file (brand "${ascii(8, 12)}"), e.g. MP4/MOV/M4A video or audio`;
  if (ascii(0, 3) === 'ID3' || (b[0] === 0xff && ((b[1] ?? 0) & 0xe0) === 0xe0)) return 'it is MP3 audio';
  if (ascii(0, 4) === 'fLaC') return 'it is FLAC audio';
  if (ascii(0, 4) === 'OggS') return 'it is an Ogg file (audio/video)';
  if (b[0] === 0x1a && b[1] === 0x45 && b[2] === 0xdf && b[3] === 0xa3) return 'it is a Matroska/WebM file';
  if (ascii(0, 4) === '%PDF') return 'it is a PDF document';
  const head = b.subarray(0, Math.min(512, b.length));
  let printable = 0;
  for (const c of head) if (c === 9 || c === 10 || c === 13 || (c >= 32 && c < 127) || c >= 128) printable++;
  if (head.length > 0 && printable === head.length) {
    const text = ascii(0, 64).trimStart();
    if (text.startsWith('<svg') || text.startsWith('<?xml')) return 'it is SVG/XML text (vector images are not supported)';
    return 'it is text, not image data';
  }
  return 'its bytes do not start with a known image signature (JPEG, PNG, WebP, GIF, TIFF, AVIF/HEIF)';
}

/**
 * Decodes an image file or buffer to upright 8-bit sRGB RGBA.
 * @param input - a file path (any characters, relative to the cwd or absolute) or the encoded bytes.
 * @param opts - see {@link DecodeImageOptions}.
 * @returns the decoded image; `rgba` has `widthPx * heightPx * 4` bytes, row-major.
 * @throws InvalidInputError when the path does not exist or is a directory.
 * @throws UnsupportedMediaError when the file is empty, is not an image (text, audio, video…), is truncated or
 * corrupt, or is larger than `maxPixels`; the message names the file and the reason.
 */
export async function decodeImage(input: string | Buffer | Uint8Array, opts: DecodeImageOptions = {}): Promise<DecodedImage> {
  let bytes: Buffer;
  let sourcePath: string | undefined;
  let name: string;
  if (typeof input === 'string') {
    sourcePath = path.resolve(input);
    name = input;
    let size: number;
    try {
      const st = await stat(sourcePath);
      if (st.isDirectory()) throw new InvalidInputError(`Image path "${name}" is a directory, not a file.`, { path: sourcePath });
      size = st.size;
    } catch (err) {
      if (err instanceof InvalidInputError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') throw new InvalidInputError(`Image file "${name}" does not exist.`, { path: sourcePath });
      throw new InvalidInputError(`Image file "${name}" cannot be read (${code ?? String(err)}).`, { path: sourcePath });
    }
    if (size === 0) throw new UnsupportedMediaError(`Image file "${name}" is empty (0 bytes).`, { path: sourcePath, reason: 'empty' });
    bytes = await readFile(sourcePath);
  } else {
    name = opts.sourceName ?? '<buffer>';
    bytes = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    if (bytes.length === 0) throw new UnsupportedMediaError(`Image "${name}" is empty (0 bytes).`, { reason: 'empty' });
  }
  const details = { path: sourcePath ?? name };
  let format = sniffImageContainer(bytes.subarray(0, 32));
  // TGA has no leading signature: a v2 file ends with "TRUEVISION-XFILE.\0"; older ones are known by the name.
  if (format === null && (bytes.subarray(-18, -2).toString('latin1') === 'TRUEVISION-XFILE' || /\.tga$/i.test(name))) format = 'tga';
  if (format === null) {
    throw new UnsupportedMediaError(`"${name}" is not a supported image: ${describeNonImage(bytes.subarray(0, 512))}.`, { ...details, reason: 'not-an-image' });
  }
  const maxPixels = opts.maxPixels ?? DEFAULT_MAX_PIXELS;
  if (FFMPEG_ONLY.has(format)) bytes = await transcodeToPng(bytes, format, name, details);
  try {
    const img = sharp(bytes, { failOn: 'error', limitInputPixels: maxPixels, sequentialRead: true });
    const meta = await img.metadata();
    const hadAlpha = meta.hasAlpha === true;
    const { data, info } = await img
      .rotate()
      .toColourspace('srgb')
      .ensureAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 4 || data.length !== info.width * info.height * 4) {
      throw new UnsupportedMediaError(`"${name}" decoded to an unexpected layout (${info.channels} channels).`, { ...details, reason: 'layout' });
    }
    const rgba = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    // Colours bled into alpha-0 pixels before any sampling (warps, textures, resizes) can mix their hidden RGB in.
    if (hadAlpha) bleedIntoTransparent(rgba, info.width, info.height);
    return { rgba, widthPx: info.width, heightPx: info.height, hadAlpha, sourcePath, format };
  } catch (err) {
    if (err instanceof UnsupportedMediaError) throw err;
    const msg = err instanceof Error ? err.message : String(err);
    const reason = /pixel limit/i.test(msg)
      ? `it has more than ${maxPixels} pixels`
      : format === 'heif' && /unsupported|no decoder|codec|plugin|compression/i.test(msg)
        ? `it is a HEIF/HEIC image whose codec (usually HEVC, as iPhones write) this build cannot decode — convert it to JPEG or PNG (${msg.split('\n')[0]})`
        : `the ${format.toUpperCase()} data is corrupt or truncated (${msg.split('\n')[0]})`;
    throw new UnsupportedMediaError(`"${name}" cannot be decoded: ${reason}.`, { ...details, reason: 'decode-failed', format }, { cause: err });
  }
}
