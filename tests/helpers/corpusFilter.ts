/**
 * Which test files must be left out when the shared corpus (../shared/corpus) is absent: those that read it
 * without skipping their corpus tests themselves. A file that imports `HAS_CORPUS` (tests/helpers/media.ts) skips
 * per test (`it.skipIf(!HAS_CORPUS)` / `describe.skipIf`), so its other tests — e.g. the web host's security
 * tests, which need no media — still run.
 */

/**
 * Whether a test file has to be excluded as a whole when the corpus is missing.
 * @param text - the test file's source.
 * @returns true when it mentions the corpus and does not use `HAS_CORPUS` to skip per test.
 */
export function needsWholeFileCorpusSkip(text: string): boolean {
  return text.includes('corpus') && !/\bHAS_CORPUS\b/.test(text);
}
