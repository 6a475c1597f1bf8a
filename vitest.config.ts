import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { defineConfig } from 'vitest/config';
import { needsWholeFileCorpusSkip } from './tests/helpers/corpusFilter.ts';

/**
 * Tests that read the shared test media (../shared/corpus, beside the clone in CI) cannot run without it: when it
 * is absent they are skipped: per test where the file uses `HAS_CORPUS` (tests/helpers/media.ts), else the whole
 * file is left out, with one line saying so, instead of failing on a missing file.
 */
const HAS_CORPUS = existsSync(resolve(import.meta.dirname, '..', 'shared', 'corpus', 'MANIFEST.md'));

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return testFiles(p);
    return e.name.endsWith('.test.ts') ? [p] : [];
  });
}

const corpusTests = HAS_CORPUS ? [] : testFiles(resolve(import.meta.dirname, 'tests')).filter((f) => needsWholeFileCorpusSkip(readFileSync(f, 'utf8')));
if (corpusTests.length) console.warn(`../shared/corpus not found: leaving out ${corpusTests.length} test files that need it`);

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    exclude: ['**/node_modules/**', ...corpusTests.map((f) => relative(import.meta.dirname, f))],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
