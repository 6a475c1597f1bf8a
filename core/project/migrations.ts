/**
 * Reading project files of any schema version: parse, migrate step by step to the current version, validate.
 */
import { InvalidInputError } from '../errors.ts';
import type { Project, ProjectV1 } from './schema.ts';
import { PROJECT_SCHEMA_VERSION, ProjectSchema, ProjectV1Schema, createEmptyProject } from './schema.ts';

/** A migrated project and the version it was read from. */
export interface LoadedProject {
  project: Project;
  /** The file's `schemaVersion`, or null when it was already current. */
  migratedFromVersion: number | null;
}

/** Base name of a path with either separator (core has no node:path). */
function baseName(p: string): string {
  const parts = p.split(/[\\/]/);
  return parts[parts.length - 1] || p;
}

/**
 * Migrates a version-1 project to version 2.
 * @param v1 - a parsed version-1 project.
 * @returns the same content as a version-2 project (integer fps → `{num, den: 1}`, default viewport).
 */
export function migrateV1ToV2(v1: ProjectV1): Project {
  const p = createEmptyProject('Untitled');
  p.portrait = v1.portraitPath ? { fileName: baseName(v1.portraitPath), path: v1.portraitPath, faceIndex: v1.faceIndex ?? 0 } : null;
  p.audio = v1.audioPath ? { fileName: baseName(v1.audioPath), path: v1.audioPath } : null;
  p.motion = { ...(v1.motion ?? {}) };
  if (v1.export) p.export = { ...p.export, format: v1.export.format, sizePx: Math.min(4096, Math.max(64, v1.export.sizePx)), fps: { num: v1.export.fps, den: 1 } };
  return p;
}

/**
 * Parses a project file's text, migrating older versions.
 * @param text - the file's JSON text.
 * @returns the current-version project and the version it came from.
 * @throws InvalidInputError for malformed JSON, a missing/unknown `schemaVersion` (newer files name the
 *   version this build understands), or content that does not match its version's schema.
 */
export function parseProject(text: string): LoadedProject {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new InvalidInputError('This project file is not valid JSON');
  }
  if (!raw || typeof raw !== 'object' || !('schemaVersion' in raw)) throw new InvalidInputError('This file is not an Avatar Studio project (no schemaVersion)');
  const version = (raw as { schemaVersion: unknown }).schemaVersion;
  if (version === PROJECT_SCHEMA_VERSION) {
    const parsed = ProjectSchema.safeParse(raw);
    if (!parsed.success) throw new InvalidInputError(`Project file is damaged: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`);
    return { project: parsed.data, migratedFromVersion: null };
  }
  if (version === 1) {
    const parsed = ProjectV1Schema.safeParse(raw);
    if (!parsed.success) throw new InvalidInputError(`Version-1 project file is damaged: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`);
    return { project: ProjectSchema.parse(migrateV1ToV2(parsed.data)), migratedFromVersion: 1 };
  }
  if (typeof version === 'number' && version > PROJECT_SCHEMA_VERSION) {
    throw new InvalidInputError(`This project was saved by a newer Avatar Studio (schema ${version}); this version reads up to ${PROJECT_SCHEMA_VERSION}`);
  }
  throw new InvalidInputError(`Unknown project schemaVersion ${JSON.stringify(version)}`);
}

/**
 * Serialises a project (stable key order, 2-space indent, trailing newline).
 * @param project - a current-version project; validated first.
 * @returns JSON text.
 * @throws InvalidInputError when the project does not match the schema.
 */
export function serializeProject(project: Project): string {
  const parsed = ProjectSchema.safeParse(project);
  if (!parsed.success) throw new InvalidInputError(`Cannot save project: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`);
  return `${JSON.stringify(parsed.data, null, 2)}\n`;
}
