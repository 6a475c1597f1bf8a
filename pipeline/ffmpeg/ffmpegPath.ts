/**
 * The one place that decides which ffmpeg/ffprobe binaries the product runs.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { StudioError } from '../../core/errors.ts';

const require = createRequire(import.meta.url);

/** Where the ffmpeg binary came from. */
export type FfmpegSource = 'env' | 'ffmpeg-static' | '@ffmpeg-installer/ffmpeg';

/** A resolved ffmpeg binary. */
export interface FfmpegBinary {
  path: string;
  source: FfmpegSource;
}

let cached: FfmpegBinary | null = null;

/**
 * Resolves the ffmpeg binary: `AVATAR_STUDIO_FFMPEG` (or `FFMPEG_PATH`) env override, then the optional
 * `ffmpeg-static` package (its install downloads from outside npm and may have failed), then the binary
 * shipped inside npm by `@ffmpeg-installer/ffmpeg`.
 * @returns absolute path and source; cached after the first call.
 * @throws StudioError `FFMPEG_MISSING` when none exists.
 */
export function resolveFfmpeg(): FfmpegBinary {
  if (cached) return cached;
  const env = process.env.AVATAR_STUDIO_FFMPEG ?? process.env.FFMPEG_PATH;
  if (env) {
    if (!existsSync(env)) throw new StudioError('FFMPEG_MISSING', `ffmpeg override ${env} does not exist`);
    return (cached = { path: env, source: 'env' });
  }
  try {
    const p = require('ffmpeg-static') as string | null;
    if (p && existsSync(p)) return (cached = { path: p, source: 'ffmpeg-static' });
  } catch {
    // optional dependency not installed: fall through
  }
  try {
    const inst = require('@ffmpeg-installer/ffmpeg') as { path: string };
    if (existsSync(inst.path)) return (cached = { path: inst.path, source: '@ffmpeg-installer/ffmpeg' });
  } catch {
    // fall through
  }
  throw new StudioError('FFMPEG_MISSING', 'No ffmpeg binary found: reinstall dependencies or set AVATAR_STUDIO_FFMPEG');
}

/**
 * Resolves ffprobe: `AVATAR_STUDIO_FFPROBE` env override, then an `ffprobe` beside an env-overridden ffmpeg,
 * then the binary shipped inside npm by `@ffprobe-installer/ffprobe`.
 * @returns absolute path; cached after the first call.
 * @throws StudioError `FFMPEG_MISSING` when none exists.
 */
export function resolveFfprobe(): string {
  if (cachedProbe) return cachedProbe;
  const env = process.env.AVATAR_STUDIO_FFPROBE;
  if (env && existsSync(env)) return (cachedProbe = env);
  const ff = resolveFfmpeg();
  if (ff.source === 'env') {
    const beside = join(dirname(ff.path), 'ffprobe');
    if (existsSync(beside)) return (cachedProbe = beside);
  }
  try {
    const inst = require('@ffprobe-installer/ffprobe') as { path: string };
    if (existsSync(inst.path)) return (cachedProbe = inst.path);
  } catch {
    // fall through
  }
  throw new StudioError('FFMPEG_MISSING', 'No ffprobe binary found: reinstall dependencies or set AVATAR_STUDIO_FFPROBE');
}

let cachedProbe: string | null = null;
