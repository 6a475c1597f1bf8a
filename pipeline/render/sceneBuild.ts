/**
 * Bundles the export page with esbuild (loaded only when a build is needed). The desktop app's bundles replace this
 * module with electron/stubs/noSceneBuild.ts: the app ships the page built by `npm run build`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BUNDLE_NAME, ENTRY, HTML_NAME, META_NAME, PAGE_HTML, ROOT } from './sceneBundle.ts';

/** Whether this build can bundle the page (false in the desktop app's stub). */
export const SCENE_BUILD_AVAILABLE = true;

/**
 * Bundles the export page into `outDir` (created; existing files replaced).
 * @param outDir - destination folder.
 * @param minify - minify the bundle (default true).
 * @throws Error from esbuild when the scene sources do not compile.
 */
export async function buildSceneBundle(outDir: string, minify = true): Promise<void> {
  const { build } = await import('esbuild');
  await mkdir(outDir, { recursive: true });
  const res = await build({
    absWorkingDir: ROOT,
    entryPoints: [ENTRY],
    bundle: true,
    format: 'iife',
    target: 'es2022',
    platform: 'browser',
    minify,
    sourcemap: false,
    metafile: true,
    outfile: path.join(outDir, BUNDLE_NAME),
    logLevel: 'silent',
    legalComments: 'none',
    // three's DRACOLoader/KTX2Loader compute default decoder URLs from `import.meta.url` at module load, which an
    // IIFE has not got; the page's own URL stands in (the page sets the real paths: renderer/avatars/gltfDecoders.ts).
    define: { 'import.meta.url': 'document.baseURI' },
  });
  await writeFile(path.join(outDir, META_NAME), JSON.stringify(res.metafile));
  await writeFile(path.join(outDir, HTML_NAME), PAGE_HTML);
}
