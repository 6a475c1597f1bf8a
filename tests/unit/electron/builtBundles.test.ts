/**
 * The desktop app's built bundles carry no build tool and no Lambda Chromium, and electron-builder.yml packages
 * everything they load: the external packages they import are production dependencies that the file list does not
 * exclude, and the folders they read (dist/electron, dist/renderer, dist/scene, models) are listed.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = process.cwd();
const BUNDLES = ['main.mjs', 'utility.mjs', 'preload.cjs', 'exportPreload.cjs'];
const read = (f: string): string => readFileSync(path.join(ROOT, 'dist/electron', f), 'utf8');

/** Bare package names a bundle imports or requires (node: built-ins left out). */
function externalPackages(code: string): Set<string> {
  const names = new Set<string>();
  for (const m of code.matchAll(/(?:from\s*|import\(\s*|require\(\s*)"([^".][^"]*)"/g)) {
    const spec = m[1]!;
    if (spec.startsWith('node:')) continue;
    names.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
  }
  return names;
}

describe('built Electron bundles', () => {
  beforeAll(() => {
    execFileSync(process.execPath, ['--import', 'tsx', 'electron/build.ts'], { cwd: ROOT, stdio: 'pipe' });
  }, 120_000);

  it('contain no reference to @sparticuz/chromium, tsx or esbuild', () => {
    for (const f of BUNDLES) {
      const code = read(f);
      expect(code.length).toBeGreaterThan(f === 'exportPreload.cjs' ? 300 : 1000);
      expect(code).not.toMatch(/@sparticuz\/chromium/);
      expect(code).not.toMatch(/\btsx\b/);
      expect(code).not.toMatch(/\besbuild\b/);
    }
    // the page is found prebuilt, never built: the stub is in, the esbuild build is not
    expect(read('utility.mjs')).toContain('not at run time');
  });

  it('import only production dependencies that electron-builder.yml ships', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; optionalDependencies?: Record<string, string> };
    const shipped = new Set([...Object.keys(pkg.dependencies), ...Object.keys(pkg.optionalDependencies ?? {})]);
    const yml = readFileSync(path.join(ROOT, 'electron-builder.yml'), 'utf8');
    const excluded = [...yml.matchAll(/-\s*'!node_modules\/([^*']+)\/\*\*'/g)].map((m) => m[1]!);
    const imported = new Set(BUNDLES.flatMap((f) => [...externalPackages(read(f))]));
    expect(imported.has('electron')).toBe(true);
    imported.delete('electron');
    expect(imported.size).toBeGreaterThan(3);
    for (const name of imported) {
      expect(shipped.has(name), `${name} is imported by a bundle but is not a production dependency`).toBe(true);
      expect(excluded.some((e) => e === name || name.startsWith(`${e}/`)), `${name} is excluded from the package`).toBe(false);
    }
    for (const folder of ['dist/electron/**', 'dist/renderer/**', 'dist/scene/**', 'models/**']) expect(yml).toContain(`  - ${folder}`);
    expect(excluded).toEqual(expect.arrayContaining(['@sparticuz', 'esbuild', 'tsx']));
  });

  it('load their siblings from the folders the package lists', () => {
    const main = read('main.mjs');
    expect(main).toContain('preload.cjs');
    expect(main).toContain('utility.mjs');
    // the hidden render windows: their preload, and the prebuilt export page beside the app's bundles (dist/scene)
    expect(main).toContain('exportPreload.cjs');
    expect(main).toMatch(/"\.\.",\s*"scene"/);
    expect(main).toMatch(/"\.\.",\s*"renderer"/);
    expect(read('utility.mjs')).toContain('dist/scene');
  });
});
