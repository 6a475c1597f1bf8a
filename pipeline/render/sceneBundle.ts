/**
 * The export page that every render host loads (renderer/scene/exportPage.ts bundled with three.js and Spark into
 * one ES2022 IIFE, plus `exportPage.html`), built ahead of time.
 *
 * @remarks Where it comes from:
 * - `npm run build` (scripts/buildScene.ts) writes it to `dist/scene/`; the desktop app ships that folder and loads
 *   it in its hidden render window (no esbuild, no tsx at run time there).
 * - The CLI, run from sources, builds it on first use into the per-user cache
 *   (`<cache>/scene/<key of this checkout>/<build id>/`), through a temp folder renamed into place, and points
 *   `current.json` (written to a temp file and renamed) at it; it rebuilds when a source listed in esbuild's
 *   metafile is newer than the build. esbuild is loaded only then (dynamic import).
 * - Without sources (an installed build), or in the desktop app's bundles (where ./sceneBuild.ts is replaced by
 *   electron/stubs/noSceneBuild.ts), `dist/scene/` is used as is.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { StudioError } from '../../core/errors.ts';
import { ensurePrivateDir, userCacheRoot } from './renderBrowser.ts';
import { buildSceneBundle, SCENE_BUILD_AVAILABLE } from './sceneBuild.ts';

export { buildSceneBundle };

/** Paths of the built export page. */
export interface SceneBundle {
  /** Folder holding the html and the bundle. */
  dir: string;
  htmlPath: string;
  bundlePath: string;
  /** True when this call rebuilt the bundle. */
  rebuilt: boolean;
}

/** Repository (or app) root. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Source entry of the export page. */
export const ENTRY = path.join(ROOT, 'renderer/scene/exportPage.ts');
/** Folder of the page built by `npm run build`. */
export const PREBUILT_SCENE_DIR = path.join(ROOT, 'dist/scene');
/** File names in a built page folder. */
export const BUNDLE_NAME = 'exportPage.bundle.js';
export const HTML_NAME = 'exportPage.html';
export const META_NAME = 'exportPage.meta.json';

/**
 * Content-Security-Policy of the export page (sent as a header by the CLI's page server and by the desktop app's
 * render protocol, and repeated in the page's `<meta>`): scripts only from its own origin (plus WebAssembly
 * compilation for Spark's sorter), network only to its own origin and to `data:`/`blob:` URLs (embedded GLB
 * buffers and images), workers from `blob:` (Spark, Draco) and from itself, no plugins, no frames, no forms, no base
 * URL, and no `'unsafe-eval'`: three's Basis Universal transcoder (KTX2 textures), whose Emscripten/embind glue
 * builds its bindings with `new Function`, runs in a same-origin worker script served with its own narrow policy
 * (core/formats/gltfExtensions.ts `BASIS_WORKER_CSP`), not in a Blob worker that would inherit this one.
 * @remarks W3C Content Security Policy Level 3.
 */
export const EXPORT_PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'unsafe-inline'",
  "img-src 'self' blob: data:",
  "connect-src 'self' blob: data:",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-src 'none'",
].join('; ');

/** The export page's html. */
export const PAGE_HTML = `<!doctype html>
<html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${EXPORT_PAGE_CSP}"><title>Avatar Studio export</title>
<style>html,body{margin:0;background:#000}canvas{display:block}</style></head>
<body><canvas id="c"></canvas><script src="${BUNDLE_NAME}"></script></body></html>
`;

async function mtimeMs(p: string): Promise<number> {
  try {
    return (await stat(p)).mtimeMs;
  } catch {
    return -1;
  }
}

/** Whether a built folder is missing a file or older than one of the sources in its metafile. */
async function isStale(dir: string): Promise<boolean> {
  const built = await mtimeMs(path.join(dir, BUNDLE_NAME));
  if (built < 0 || (await mtimeMs(path.join(dir, HTML_NAME))) < 0) return true;
  let inputs: string[];
  try {
    inputs = Object.keys((JSON.parse(await readFile(path.join(dir, META_NAME), 'utf8')) as { inputs: Record<string, unknown> }).inputs);
  } catch {
    return true;
  }
  for (const rel of inputs) {
    const m = await mtimeMs(path.join(ROOT, rel));
    if (m < 0 || m > built) return true;
  }
  return false;
}

/**
 * The per-user cache folder for this checkout's builds.
 * @param cacheRoot - default {@link userCacheRoot}.
 * @returns `<cache>/scene/<16 hex of SHA-256(repository root, page HTML with its CSP)>` (checkouts never share a build; a changed page never reuses one).
 */
export function sceneCacheDir(cacheRoot = userCacheRoot()): string {
  // The page's HTML (with its CSP) is part of the key: a changed policy must never reuse an older build.
  return path.join(cacheRoot, 'scene', createHash('sha256').update(ROOT).update('\0').update(PAGE_HTML).digest('hex').slice(0, 16));
}

/**
 * Returns the export page: the current build in the per-user cache (rebuilt atomically when a source is newer),
 * or `dist/scene/` where there are no sources.
 * @param opts - `force` rebuilds unconditionally; `minify` (default true); `cacheRoot` (default {@link userCacheRoot}).
 * @returns paths of the html and bundle.
 * @throws StudioError `EXPORT_PAGE_MISSING` without sources and without `dist/scene/`; Error from esbuild when the
 * scene sources do not compile.
 */
export async function ensureSceneBundle(opts: { force?: boolean; minify?: boolean; cacheRoot?: string } = {}): Promise<SceneBundle> {
  if (!SCENE_BUILD_AVAILABLE || !existsSync(ENTRY)) {
    if (!existsSync(path.join(PREBUILT_SCENE_DIR, BUNDLE_NAME))) throw new StudioError('EXPORT_PAGE_MISSING', `The export page is missing: run \`npm run build\` (expected ${PREBUILT_SCENE_DIR})`);
    return paths(PREBUILT_SCENE_DIR, false);
  }
  const cacheRoot = opts.cacheRoot ?? userCacheRoot();
  await ensurePrivateDir(cacheRoot);
  await ensurePrivateDir(path.join(cacheRoot, 'scene'));
  const keyDir = sceneCacheDir(cacheRoot);
  await ensurePrivateDir(keyDir);
  const pointer = path.join(keyDir, 'current.json');
  let current: string | null = null;
  try {
    const name = (JSON.parse(await readFile(pointer, 'utf8')) as { dir?: string }).dir;
    if (name && /^build-[\w-]+$/.test(name)) current = path.join(keyDir, name);
  } catch {
    current = null;
  }
  if (current && !opts.force && !(await isStale(current))) return paths(current, false);
  const tmp = await mkdtemp(path.join(keyDir, '.tmp-'));
  try {
    await buildSceneBundle(tmp, opts.minify ?? true);
    const name = `build-${Date.now().toString(36)}-${path.basename(tmp).slice(5)}`;
    await rename(tmp, path.join(keyDir, name));
    const pointerTmp = `${pointer}.${process.pid}.tmp`;
    await writeFile(pointerTmp, JSON.stringify({ dir: name }));
    await rename(pointerTmp, pointer);
    await removeOldBuilds(keyDir, name);
    return paths(path.join(keyDir, name), true);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

/** Removes builds and temp folders other than `keep` that are older than an hour (a running host may still read one). */
async function removeOldBuilds(keyDir: string, keep: string): Promise<void> {
  for (const name of await readdir(keyDir)) {
    if (name === keep || !(name.startsWith('build-') || name.startsWith('.tmp-'))) continue;
    const full = path.join(keyDir, name);
    const st = await stat(full).catch(() => null);
    if (st && Date.now() - st.mtimeMs > 3600_000) await rm(full, { recursive: true, force: true }).catch(() => undefined);
  }
}

function paths(dir: string, rebuilt: boolean): SceneBundle {
  return { dir, htmlPath: path.join(dir, HTML_NAME), bundlePath: path.join(dir, BUNDLE_NAME), rebuilt };
}
