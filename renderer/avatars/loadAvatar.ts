/**
 * One entry point that turns avatar file bytes into an {@link Avatar}: splat files, GLB avatars and LAM zips.
 * Used by the export page (renderer/scene/exportPage.ts) and any other page that hosts avatars.
 */
import { parseLamZip } from '../../core/formats/lamZip.ts';
import { StudioError } from '../../core/errors.ts';
import { AvatarPackageError } from '../../core/formats/errors.ts';
import { GlbAvatar, parseGltf } from './glbAvatar.ts';
import type { GltfDecoders } from './gltfDecoders.ts';
import { VrmAvatar } from './vrmAvatar.ts';
import type { VRM } from '@pixiv/three-vrm';
import { createLamAvatar } from './lamAvatar.ts';
import { loadSplatAvatar } from './splatAvatar.ts';
import type { Avatar } from './types.ts';

/** How a file is loaded: `splatFile` (.ply/.splat/.spz/.ksplat/.sog), `glb`, or `lam` (zip). */
export type AvatarLoadKind = 'splatFile' | 'glb' | 'lam';

/** Options of {@link loadAvatarBytes}. */
export interface LoadAvatarOptions {
  /** Decoders for compressed glTF (meshopt, Draco, KTX2) and the VRM plugin; without them only plain GLBs load. */
  decoders?: GltfDecoders | null;
}

/**
 * Loads a glTF avatar: a VRM (recognised by its content: the `VRM`/`VRMC_vrm` extension, read by three-vrm) or a
 * GLB with ARKit/viseme morphs and/or a head bone.
 * @param bytes - `.glb`/`.vrm` bytes.
 * @param source - file name for messages.
 * @param decoders - compressed-glTF decoders and the VRM plugin.
 * @returns the avatar.
 * @throws AvatarPackageError for an unreadable file, an extension that cannot be decoded (named), or nothing to drive.
 */
export async function loadGltfAvatar(bytes: Uint8Array, source: string, decoders: GltfDecoders | null = null): Promise<GlbAvatar | VrmAvatar> {
  const gltf = await parseGltf(bytes, source, decoders);
  const vrm = (gltf.userData as { vrm?: VRM | null }).vrm;
  if (vrm) return new VrmAvatar(gltf, vrm);
  const avatar = new GlbAvatar(gltf);
  if (avatar.info.morphMeshCount === 0 && !avatar.info.hasHeadBone) {
    avatar.dispose();
    throw new AvatarPackageError(`${source} has no ARKit or viseme morph targets and no head bone: nothing a motion track can drive`, { source });
  }
  return avatar;
}

/** A loaded avatar and what it holds. */
export interface LoadedAvatarBytes {
  avatar: Avatar;
  /** Gaussians (splat/LAM), 0 for GLB. */
  splatCount: number;
  /**
   * Extra facts: GLB channel counts (`morphMeshCount`, `arkitChannels`, `visemeChannels`, `hasHeadBone`, `hasEyeBones`,
   * `loweredArms`), VRM facts (`vrmVersion`, `expressions`, `hasLookAt`, `springBoneJoints`…) or LAM `arkitChannels`.
   */
  info: Record<string, unknown>;
}

/** A StudioError flattened for crossing from a page to Node (`name` = the error class name). */
export interface PlainStudioError {
  code: string;
  message: string;
  name: string;
}

/**
 * Builds an avatar from file bytes.
 * @param kind - how to read the bytes (Node decides it with `readAvatarFile`/`inspectAvatarBytes`).
 * @param bytes - file contents (not retained for GLB/LAM; splat files are decoded into Spark buffers).
 * @param fileName - file name with extension (format detection and messages).
 * @param opts - glTF decoders.
 * @returns the avatar (not yet in a scene) with its counts.
 * @throws SplatFormatError subclasses (malformed splat file), AvatarPackageError (bad GLB / LAM package).
 */
export async function loadAvatarBytes(kind: AvatarLoadKind, bytes: Uint8Array, fileName: string, opts: LoadAvatarOptions = {}): Promise<LoadedAvatarBytes> {
  if (kind === 'splatFile') {
    const s = await loadSplatAvatar(bytes, fileName);
    return { avatar: s, splatCount: s.splatCount, info: {} };
  }
  if (kind === 'glb') {
    const g = await loadGltfAvatar(bytes, fileName, opts.decoders ?? null);
    return { avatar: g, splatCount: 0, info: { ...g.info } };
  }
  const l = await createLamAvatar(parseLamZip(bytes, fileName), fileName);
  return { avatar: l, splatCount: l.gaussianCount, info: { arkitChannels: l.arkitChannels } };
}

/**
 * Flattens an error for the trip back to Node.
 * @param err - anything thrown.
 * @returns code, message and class name (`INTERNAL`/`Error` for a non-StudioError).
 */
export function plainStudioError(err: unknown): PlainStudioError {
  if (err instanceof StudioError) return { code: err.code, message: err.message, name: err.name };
  return { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err), name: 'Error' };
}
