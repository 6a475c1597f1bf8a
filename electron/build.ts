/**
 * Builds the Electron entry points without the Electron binary (esbuild): main (ESM), preload (CommonJS,
 * the sandboxed preload format, zod and the contract bundled in) and the utility process (ESM). Package
 * dependencies stay external (electron-builder ships node_modules; native ones are unpacked from the asar).
 * The renderer is built by vite (`npm run build:renderer`).
 */
import { build } from 'esbuild';
import { rmSync } from 'node:fs';

const outdir = 'dist/electron';
rmSync(outdir, { recursive: true, force: true });
const common = { bundle: true, platform: 'node' as const, target: 'node22', sourcemap: true, logLevel: 'info' as const };
await Promise.all([
  build({ ...common, entryPoints: { main: 'electron/main/main.ts' }, outdir, format: 'esm', outExtension: { '.js': '.mjs' }, packages: 'external' }),
  build({ ...common, entryPoints: { utility: 'electron/utility/jobHost.ts' }, outdir, format: 'esm', outExtension: { '.js': '.mjs' }, packages: 'external' }),
  build({ ...common, entryPoints: { preload: 'electron/preload/preload.ts' }, outdir, format: 'cjs', outExtension: { '.js': '.cjs' }, external: ['electron'], platform: 'browser' }),
]);
