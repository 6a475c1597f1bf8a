/**
 * Project bundles: one file (`<name>.avatar-studio`, a zip) holding the project JSON and the media it uses, so a
 * project saved in the browser reopens whole — the browser cannot keep paths to the user's files.
 * Layout: `project.avatar-studio.json` (the project, current schema) and `media/<kind>/<file name>` for the
 * portrait, audio, avatar and driving video, stored as given (no recompression: they are already compressed media).
 * Also remembers the File behind each imported medium, since the host keeps uploads only for the session.
 */
import { strFromU8, strToU8, unzipSync, zipSync, type Zippable } from 'fflate';
import type { Project } from '../../core/project/schema.ts';

/** File name extension of a project bundle. */
export const BUNDLE_EXTENSION = '.avatar-studio';
/** Name of the project JSON inside a bundle. */
export const BUNDLE_PROJECT_ENTRY = 'project.avatar-studio.json';
/** The media kinds a bundle carries. */
export type BundleMediaKind = 'portrait' | 'audio' | 'avatar' | 'video';

const remembered = new Map<BundleMediaKind, File>();

/**
 * Remembers the file behind an imported medium (the last import of each kind wins).
 * @param kind - portrait, audio or avatar.
 * @param file - the picked or dropped file.
 */
export function rememberMedia(kind: BundleMediaKind, file: File): void {
  remembered.set(kind, file);
}

/** Forgets a medium (e.g. the avatar was removed). */
export function forgetMedia(kind: BundleMediaKind): void {
  remembered.delete(kind);
}

/**
 * Whether a file name is a project bundle.
 * @param name - file name.
 */
export function isBundleFileName(name: string): boolean {
  return name.toLowerCase().endsWith(BUNDLE_EXTENSION);
}

/**
 * Packs a project with the remembered media whose names it refers to.
 * @param project - the project (its media refs name the files).
 * @returns the zip bytes and the media kinds left out (no file remembered for them).
 */
export async function packBundle(project: Project): Promise<{ bytes: Uint8Array; missing: string[] }> {
  const files: Zippable = { [BUNDLE_PROJECT_ENTRY]: [strToU8(JSON.stringify(project, null, 1)), { level: 6 }] };
  const missing: string[] = [];
  const refs: Array<[BundleMediaKind, { fileName: string } | null | undefined]> = [
    ['portrait', project.portrait],
    ['audio', project.audio],
    ['avatar', project.avatar],
    ['video', project.drivingVideo],
  ];
  for (const [kind, ref] of refs) {
    if (!ref) continue;
    const file = remembered.get(kind);
    if (!file || file.name !== ref.fileName) {
      missing.push(ref.fileName);
      continue;
    }
    files[`media/${kind}/${file.name}`] = [new Uint8Array(await file.arrayBuffer()), { level: 0 }];
  }
  return { bytes: zipSync(files), missing };
}

/**
 * Unpacks a bundle.
 * @param bytes - the bundle's bytes.
 * @returns the project JSON text and the media as Files by kind.
 * @throws Error with a one-line message when the bytes are not a bundle (not a zip, or no project inside).
 */
export function unpackBundle(bytes: Uint8Array): { projectJson: string; media: Map<BundleMediaKind, File> } {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes);
  } catch {
    throw new Error('This file is not an Avatar Studio project bundle (not a zip archive)');
  }
  const project = entries[BUNDLE_PROJECT_ENTRY];
  if (!project) throw new Error(`This file is not an Avatar Studio project bundle (no ${BUNDLE_PROJECT_ENTRY} inside)`);
  const media = new Map<BundleMediaKind, File>();
  for (const [name, data] of Object.entries(entries)) {
    const m = /^media\/(portrait|audio|avatar|video)\/([^/]+)$/.exec(name);
    if (m) media.set(m[1] as BundleMediaKind, new File([data as Uint8Array<ArrayBuffer>], m[2]!));
  }
  return { projectJson: strFromU8(project), media };
}
