/**
 * The project file (`*.avatar-studio.json`): what the user imported and chose, so a session can be saved and
 * reopened. Versioned by `schemaVersion`; older versions are migrated by core/project/migrations.ts.
 */
import { z } from 'zod';
import { DirectionsSchema } from '../motion/directions.ts';

import { FpsSchema } from '../motion/options.ts';
import { BACKGROUND_OPTION, clampedNumberSchema, DEG_TO_RAD, EXPORT_QUALITIES, FRAMINGS, ORBIT_PITCH_OPTION, ORBIT_YAW_OPTION, SIZE_OPTION, typedNumberSchema } from '../jobs/options.ts';

/** A rational frame rate: the one schema of core/motion/options.ts. */
export { FpsSchema };

/** Motion options as name → value; each host validates them against the descriptors of core/motion/options.ts. */
export const MotionOptionValuesSchema = z.record(z.string().max(64), z.union([z.number(), z.string().max(256), z.boolean()]));

/** Output containers of the export dialog (DESIGN.md §5). */
export const EXPORT_FORMATS = ['mp4', 'webm', 'mov', 'gif', 'png'] as const;
/** Quality presets of the export dialog: the one list of core/jobs/options.ts (`--quality`). */
export { EXPORT_QUALITIES };

/** Export settings chosen in the export dialog. */
export const ExportSettingsSchema = z.object({
  format: z.enum(EXPORT_FORMATS),
  sizePx: typedNumberSchema(SIZE_OPTION),
  fps: FpsSchema,
  quality: z.enum(EXPORT_QUALITIES),
  alpha: z.boolean(),
});
/** See {@link ExportSettingsSchema}. */
export type ExportSettings = z.infer<typeof ExportSettingsSchema>;


/** A time range of the clip to export (the timeline's in/out points), seconds. */
export const ExportRangeSchema = z
  .object({ startSec: z.number().finite().min(0).max(86_400), endSec: z.number().finite().min(0).max(86_400) })
  .refine((r) => r.endSec > r.startSec, { message: 'the out point must come after the in point' });
/** See {@link ExportRangeSchema}. */
export type ExportRange = z.infer<typeof ExportRangeSchema>;

/** Current project schema version. */
export const PROJECT_SCHEMA_VERSION = 2;

/** A referenced media file: its original name and, when known, its absolute path on the host. */
export const MediaRefSchema = z.object({ fileName: z.string().min(1).max(1024), path: z.string().max(4096).nullable() });

/** Framing presets of the viewport and the export (names of renderer/scene/framing.ts): `--framing`'s list. */
export { FRAMINGS };
/** Background: the photo's own, transparent, or a solid `#rrggbb` colour (`--background`'s schema). */
export const BackgroundSchema = BACKGROUND_OPTION.schema;

/**
 * Viewport state saved with a project. Angles in radians, clamped on load to the orbit options' limits
 * (`--orbit-yaw`/`--orbit-pitch`, ±30°/±15°): a project saved when the limits were ±π/±π/2 still opens.
 */
export const ViewportStateSchema = z.object({
  framing: z.enum(FRAMINGS),
  background: BackgroundSchema,
  orbitYawRad: clampedNumberSchema(ORBIT_YAW_OPTION, DEG_TO_RAD),
  orbitPitchRad: clampedNumberSchema(ORBIT_PITCH_OPTION, DEG_TO_RAD),
});
/** See {@link ViewportStateSchema}. */
export type ViewportState = z.infer<typeof ViewportStateSchema>;

/** A project at the current schema version. */
export const ProjectSchema = z.object({
  schemaVersion: z.literal(PROJECT_SCHEMA_VERSION),
  name: z.string().max(256),
  portrait: MediaRefSchema.extend({ faceIndex: z.number().int().min(0) }).nullable(),
  audio: MediaRefSchema.nullable(),
  /**
   * An avatar file (GLB, splats, LAM zip) animated instead of the portrait; absent or null = the photo head.
   * Optional, so version-2 files written before avatars existed still read unchanged.
   */
  avatar: MediaRefSchema.nullable().optional(),
  motion: MotionOptionValuesSchema,
  /** Directions over time (timeline tracks); optional so earlier version-2 files read unchanged. */
  directions: DirectionsSchema.optional(),
  /** A driving video whose frames drive the face; absent or null = none. */
  drivingVideo: MediaRefSchema.nullable().optional(),
  /** Transfer strengths of the driving video per region (0..2, 1 = as driven). */
  retarget: z.object({ eyes: z.number().min(0).max(2), brows: z.number().min(0).max(2), mouth: z.number().min(0).max(2), head: z.number().min(0).max(2) }).optional(),
  /** In/out points of the timeline; absent or null = the whole clip. */
  range: ExportRangeSchema.nullable().optional(),
  viewport: ViewportStateSchema,
  export: ExportSettingsSchema,
});
/** See {@link ProjectSchema}. */
export type Project = z.infer<typeof ProjectSchema>;

/** Version 1 (the first app preview): flat paths, integer fps, no viewport. Kept for migration. */
export const ProjectV1Schema = z.object({
  schemaVersion: z.literal(1),
  portraitPath: z.string().nullable(),
  audioPath: z.string().nullable(),
  faceIndex: z.number().int().min(0).optional(),
  motion: MotionOptionValuesSchema.optional(),
  export: z.object({ format: z.enum(EXPORT_FORMATS), sizePx: z.number().int(), fps: z.number().int().min(1).max(240) }).optional(),
});
/** See {@link ProjectV1Schema}. */
export type ProjectV1 = z.infer<typeof ProjectV1Schema>;

/**
 * An empty project with default settings.
 * @param name - display name.
 * @returns a version-{@link PROJECT_SCHEMA_VERSION} project with no media.
 */
export function createEmptyProject(name = 'Untitled'): Project {
  return {
    schemaVersion: PROJECT_SCHEMA_VERSION,
    name,
    portrait: null,
    audio: null,
    avatar: null,
    motion: {},
    viewport: { framing: 'photo', background: 'photo', orbitYawRad: 0, orbitPitchRad: 0 },
    export: { format: 'mp4', sizePx: 512, fps: { num: 25, den: 1 }, quality: 'standard', alpha: false },
  };
}
