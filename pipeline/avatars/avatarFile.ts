/**
 * Reads an avatar file from disk and checks it without a browser: splat files (.ply/.splat/.spz fully
 * decoded; .ksplat/.sog only sized), GLB avatars (JSON inspected: ARKit/viseme morphs, head bone, VRM expressions,
 * required extensions we cannot decode) and LAM
 * zips (parts present, offset.ply decoded, skin mesh vertex count = Gaussian count, 51 ARKit morphs).
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { detectSplatFileKind, parseSplatFile } from '../../core/formats/detect.ts';
import { AvatarPackageError, BadMagicError, NonFiniteValueError, SplatFormatError, TruncatedFileError, UnsupportedVariantError, VertexCountMismatchError } from '../../core/formats/errors.ts';
import { inspectGlb, type GlbSummary } from '../../core/formats/glb.ts';
import { undecodableGltfExtensions } from '../../core/formats/gltfExtensions.ts';
import { parseLamZip } from '../../core/formats/lamZip.ts';
import { InvalidInputError, StudioError } from '../../core/errors.ts';

/** How the render page loads a file (see `loadAvatarBytes` in renderer/avatars/loadAvatar.ts). */
export type AvatarLoadKind = 'splatFile' | 'glb' | 'lam';

/** A checked avatar file. */
export interface AvatarFile {
  kind: AvatarLoadKind;
  fileName: string;
  bytes: Uint8Array;
  /** Gaussians / points (splat, LAM), 0 for GLB; −1 when only the renderer can decode the file (.ksplat/.sog). */
  splatCount: number;
  /** GLB or LAM skin summary. */
  glb?: GlbSummary;
}

/** Largest avatar file we read, in bytes (2 GiB: Node buffers and browser transfers stay sane). */
export const MAX_AVATAR_FILE_BYTES = 2 * 1024 ** 3;

/**
 * Reads and checks an avatar file.
 * @param filePath - path to `.ply`, `.splat`, `.spz`, `.ksplat`, `.sog`, `.glb` or a LAM `.zip`.
 * @returns the bytes and what they hold.
 * @throws InvalidInputError (missing/huge file); SplatFormatError subclasses (malformed splat file);
 * AvatarPackageError (bad GLB / LAM package, GLB without morphs or head bone).
 */
export async function readAvatarFile(filePath: string): Promise<AvatarFile> {
  const info = await stat(filePath).catch(() => null);
  if (!info?.isFile()) throw new InvalidInputError(`Avatar file not found: ${filePath}`, { filePath });
  if (info.size > MAX_AVATAR_FILE_BYTES) throw new InvalidInputError(`Avatar file is ${info.size} bytes, more than ${MAX_AVATAR_FILE_BYTES}`, { filePath });
  return inspectAvatarBytes(new Uint8Array(await readFile(filePath)), path.basename(filePath));
}

/**
 * Checks avatar file bytes (the work of {@link readAvatarFile} once the file is read).
 * @param bytes - file contents.
 * @param fileName - name with extension (`.glb`, `.zip`, `.ply`, `.splat`, `.spz`, `.ksplat`, `.sog`).
 * @returns the bytes and what they hold.
 * @throws InvalidInputError (empty or over {@link MAX_AVATAR_FILE_BYTES}); SplatFormatError subclasses;
 * AvatarPackageError.
 */
export function inspectAvatarBytes(bytes: Uint8Array, fileName: string): AvatarFile {
  if (bytes.length === 0) throw new InvalidInputError(`Avatar file ${fileName} is empty`, { fileName });
  if (bytes.length > MAX_AVATAR_FILE_BYTES) throw new InvalidInputError(`Avatar file ${fileName} is ${bytes.length} bytes, more than ${MAX_AVATAR_FILE_BYTES}`, { fileName });
  const ext = path.extname(fileName).toLowerCase();
  const isGlb = bytes.length >= 4 && bytes[0] === 0x67 && bytes[1] === 0x6c && bytes[2] === 0x54 && bytes[3] === 0x46;
  if (isGlb || ext === '.glb') {
    const glb = inspectGlb(bytes, fileName);
    assertDecodable(glb, fileName);
    const vrmDrivable = (glb.vrm?.expressions.length ?? 0) > 0;
    if (glb.arkitChannels + glb.visemeChannels === 0 && !glb.hasHeadBone && !vrmDrivable) throw new AvatarPackageError(`${fileName} has no ARKit or viseme morph targets and no head bone: nothing a motion track can drive`, { fileName });
    return { kind: 'glb', fileName, bytes, splatCount: 0, glb };
  }
  if (ext === '.zip') {
    const pkg = parseLamZip(bytes, fileName);
    const glb = inspectGlb(pkg.skinGlb, `${fileName}/skin.glb`);
    assertDecodable(glb, `${fileName}/skin.glb`);
    const skin = glb.meshes.find((m) => m.vertexCount === pkg.offsets.count);
    if (!skin) throw new AvatarPackageError(`${fileName}: skin.glb has no mesh with ${pkg.offsets.count} vertices (one per Gaussian in offset.ply)`, { fileName });
    if (glb.arkitChannels === 0) throw new AvatarPackageError(`${fileName}: skin.glb has no ARKit-named morph targets`, { fileName });
    return { kind: 'lam', fileName, bytes, splatCount: pkg.offsets.count, glb };
  }
  const kind = detectSplatFileKind(bytes, fileName);
  if (kind === 'ksplat' || kind === 'sog') return { kind: 'splatFile', fileName, bytes, splatCount: -1 };
  return { kind: 'splatFile', fileName, bytes, splatCount: parseSplatFile(bytes, fileName).count };
}

/**
 * Refuses a glTF asset that requires an extension the renderer cannot decode, naming it.
 * @throws AvatarPackageError `BAD_AVATAR_PACKAGE` with the extension names in the message and `details.extensions`.
 */
function assertDecodable(glb: GlbSummary, fileName: string): void {
  const missing = undecodableGltfExtensions(glb.extensionsRequired);
  if (missing.length) throw new AvatarPackageError(`${fileName} requires the glTF extension${missing.length > 1 ? 's' : ''} ${missing.join(', ')}, which Avatar Studio cannot decode`, { fileName, extensions: missing });
}

const SPLAT_ERRORS: Record<string, new (message: string, details?: Record<string, unknown>) => SplatFormatError> = {
  TRUNCATED_FILE: TruncatedFileError,
  VERTEX_COUNT_MISMATCH: VertexCountMismatchError,
  NON_FINITE_VALUE: NonFiniteValueError,
  BAD_MAGIC: BadMagicError,
  UNSUPPORTED_SPLAT_VARIANT: UnsupportedVariantError,
};

/**
 * Rebuilds the StudioError a render page reported while loading an avatar, by its stable code (class names do
 * not survive minification).
 * @param e - `{ code, message }` from the page.
 * @param fileName - the file, added to the details.
 * @returns AvatarPackageError, the SplatFormatError subclass of the code, or a StudioError `AVATAR_LOAD_FAILED`.
 */
export function avatarErrorFromPage(e: { code: string; message: string }, fileName: string): StudioError {
  if (e.code === 'BAD_AVATAR_PACKAGE') return new AvatarPackageError(e.message, { fileName });
  const Cls = SPLAT_ERRORS[e.code];
  if (Cls) return new Cls(e.message, { fileName });
  if (e.code === 'MALFORMED_SPLAT_FILE') return new SplatFormatError(e.message, { fileName });
  return new StudioError('AVATAR_LOAD_FAILED', `Could not load the avatar ${fileName}: ${e.message}`, { fileName, pageCode: e.code });
}
