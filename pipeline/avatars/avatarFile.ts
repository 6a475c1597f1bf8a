/**
 * Reads an avatar file from disk and checks it without a browser: splat files (.ply/.splat/.spz fully
 * decoded; .ksplat/.sog only sized), GLB avatars (JSON inspected: ARKit/viseme morphs, head bone) and LAM
 * zips (parts present, offset.ply decoded, skin mesh vertex count = Gaussian count, 51 ARKit morphs).
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { detectSplatFileKind, parseSplatFile } from '../../core/formats/detect.ts';
import { AvatarPackageError } from '../../core/formats/errors.ts';
import { inspectGlb, type GlbSummary } from '../../core/formats/glb.ts';
import { parseLamZip } from '../../core/formats/lamZip.ts';
import { InvalidInputError } from '../../core/errors.ts';

/** How the render page loads a file (see `AvatarRenderHarness.loadAvatar`). */
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
  const fileName = path.basename(filePath);
  const bytes = new Uint8Array(await readFile(filePath));
  const ext = path.extname(fileName).toLowerCase();
  const isGlb = bytes.length >= 4 && bytes[0] === 0x67 && bytes[1] === 0x6c && bytes[2] === 0x54 && bytes[3] === 0x46;
  if (isGlb || ext === '.glb') {
    const glb = inspectGlb(bytes, fileName);
    if (glb.arkitChannels + glb.visemeChannels === 0 && !glb.hasHeadBone) throw new AvatarPackageError(`${fileName} has no ARKit or viseme morph targets and no head bone: nothing a motion track can drive`, { fileName });
    return { kind: 'glb', fileName, bytes, splatCount: 0, glb };
  }
  if (ext === '.zip') {
    const pkg = parseLamZip(bytes, fileName);
    const glb = inspectGlb(pkg.skinGlb, `${fileName}/skin.glb`);
    const skin = glb.meshes.find((m) => m.vertexCount === pkg.offsets.count);
    if (!skin) throw new AvatarPackageError(`${fileName}: skin.glb has no mesh with ${pkg.offsets.count} vertices (one per Gaussian in offset.ply)`, { fileName });
    if (glb.arkitChannels === 0) throw new AvatarPackageError(`${fileName}: skin.glb has no ARKit-named morph targets`, { fileName });
    return { kind: 'lam', fileName, bytes, splatCount: pkg.offsets.count, glb };
  }
  const kind = detectSplatFileKind(bytes, fileName);
  if (kind === 'ksplat' || kind === 'sog') return { kind: 'splatFile', fileName, bytes, splatCount: -1 };
  return { kind: 'splatFile', fileName, bytes, splatCount: parseSplatFile(bytes, fileName).count };
}
