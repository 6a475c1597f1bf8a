/**
 * Builds (when stale) the export page that the render host loads: the scene entry `renderer/scene/exportPage.ts`
 * bundled by esbuild into `.cache/scene/exportPage.bundle.js`, plus `exportPage.html`.
 * @remarks Staleness: the bundle is rebuilt when any input listed in its esbuild metafile is newer than the
 * bundle, or missing. The bundle is an ES2022 IIFE with three.js inlined; no network access at run time.
 */
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** Paths of the built export page. */
export interface SceneBundle {
  /** Folder holding the html and the bundle. */
  dir: string;
  htmlPath: string;
  bundlePath: string;
  /** True when this call rebuilt the bundle. */
  rebuilt: boolean;
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ENTRY = path.join(ROOT, 'renderer/scene/exportPage.ts');
const OUT_DIR = path.join(ROOT, '.cache/scene');
const BUNDLE = path.join(OUT_DIR, 'exportPage.bundle.js');
const META = path.join(OUT_DIR, 'exportPage.meta.json');
const HTML = path.join(OUT_DIR, 'exportPage.html');

const PAGE_HTML = `<!doctype html>
<html><head><meta charset="utf-8"><title>Avatar Studio export</title>
<style>html,body{margin:0;background:#000}canvas{display:block}</style></head>
<body><canvas id="c"></canvas><script src="exportPage.bundle.js"></script></body></html>
`;

async function mtimeMs(p: string): Promise<number> {
  try {
    return (await stat(p)).mtimeMs;
  } catch {
    return -1;
  }
}

async function isStale(): Promise<boolean> {
  const built = await mtimeMs(BUNDLE);
  if (built < 0 || (await mtimeMs(HTML)) < 0) return true;
  let inputs: string[];
  try {
    inputs = Object.keys((JSON.parse(await readFile(META, 'utf8')) as { inputs: Record<string, unknown> }).inputs);
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
 * Returns the export page, rebuilding it when any source is newer than the bundle.
 * @param opts - `force` rebuilds unconditionally; `minify` (default true).
 * @returns paths of the html and bundle.
 * @throws Error from esbuild when the scene sources do not compile.
 */
export async function ensureSceneBundle(opts: { force?: boolean; minify?: boolean } = {}): Promise<SceneBundle> {
  const stale = opts.force || (await isStale());
  if (stale) {
    await mkdir(OUT_DIR, { recursive: true });
    const res = await build({
      absWorkingDir: ROOT,
      entryPoints: [ENTRY],
      bundle: true,
      format: 'iife',
      target: 'es2022',
      platform: 'browser',
      minify: opts.minify ?? true,
      sourcemap: false,
      metafile: true,
      outfile: BUNDLE,
      logLevel: 'silent',
      legalComments: 'none',
      // three's DRACOLoader/KTX2Loader compute default decoder URLs from `import.meta.url` at module load, which an
      // IIFE has not got; the page's own URL stands in (the page sets the real paths: renderer/avatars/gltfDecoders.ts).
      define: { 'import.meta.url': 'document.baseURI' },
    });
    await writeFile(META, JSON.stringify(res.metafile));
    await writeFile(HTML, PAGE_HTML);
  }
  return { dir: OUT_DIR, htmlPath: HTML, bundlePath: BUNDLE, rebuilt: Boolean(stale) };
}
