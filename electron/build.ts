/**
 * Builds the Electron entry points without the Electron binary (esbuild): main (ESM), the preloads (CommonJS,
 * the sandboxed preload format: the studio window's, zod and the contract bundled in, and the render windows')
 * and the utility process (ESM). Package
 * dependencies stay external (electron-builder ships node_modules; native ones are unpacked from the asar).
 * The renderer is built by vite (`npm run build:renderer`), the export page by `npm run build:scene` (dist/scene).
 * Build tools never ship: pipeline/render/sceneBuild.ts (esbuild) and pipeline/render/bundledChromium.ts
 * (@sparticuz/chromium, Linux-only) are replaced by the stubs in electron/stubs/, and the build fails when a bundle
 * still names @sparticuz/chromium, tsx or esbuild (tests/unit/electron/builtBundles.test.ts checks the same).
 */
import { build, type Plugin } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

/** Source module → desktop stand-in. */
const STUBS: Record<string, string> = {
  'pipeline/render/sceneBuild.ts': 'electron/stubs/noSceneBuild.ts',
  'pipeline/render/bundledChromium.ts': 'electron/stubs/noBundledChromium.ts',
};

/** Words no desktop bundle may contain (run-time build tools, the Lambda Chromium). */
export const FORBIDDEN_IN_BUNDLES = /@sparticuz\/chromium|\btsx\b|\besbuild\b/;

const stubPlugin: Plugin = {
  name: 'desktop-stubs',
  setup(b) {
    b.onResolve({ filter: /(sceneBuild|bundledChromium)\.ts$/ }, (args) => {
      const abs = path.resolve(args.resolveDir, args.path);
      const rel = path.relative(process.cwd(), abs).split(path.sep).join('/');
      const stub = STUBS[rel];
      return stub ? { path: path.resolve(stub) } : undefined;
    });
  },
};

const outdir = 'dist/electron';
rmSync(outdir, { recursive: true, force: true });
const common = { bundle: true, platform: 'node' as const, target: 'node22', sourcemap: true, logLevel: 'info' as const, plugins: [stubPlugin] };
await Promise.all([
  build({ ...common, entryPoints: { main: 'electron/main/main.ts' }, outdir, format: 'esm', outExtension: { '.js': '.mjs' }, packages: 'external' }),
  build({ ...common, entryPoints: { utility: 'electron/utility/jobHost.ts' }, outdir, format: 'esm', outExtension: { '.js': '.mjs' }, packages: 'external' }),
  build({ ...common, entryPoints: { preload: 'electron/preload/preload.ts', exportPreload: 'electron/preload/exportPreload.ts' }, outdir, format: 'cjs', outExtension: { '.js': '.cjs' }, external: ['electron'], platform: 'browser' }),
]);
for (const f of ['main.mjs', 'utility.mjs', 'preload.cjs', 'exportPreload.cjs']) {
  const hit = FORBIDDEN_IN_BUNDLES.exec(readFileSync(path.join(outdir, f), 'utf8'));
  if (hit) throw new Error(`dist/electron/${f} refers to ${hit[0]}: build tools and @sparticuz/chromium must not ship in the desktop app`);
}
