/** Without the corpus, tests are skipped per test where a file can (issue 15), not by a word match on the file. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { needsWholeFileCorpusSkip } from '../helpers/corpusFilter.ts';

describe('corpus filter', () => {
  it('keeps the web host tests (security needs no media; media tests skip themselves)', () => {
    // Before: every file containing the word was dropped, these 13 tests among them.
    expect(needsWholeFileCorpusSkip(readFileSync('tests/unit/pipeline/host/webHost.test.ts', 'utf8'))).toBe(false);
  });
  it('still leaves out a file that reads the corpus without skipping per test', () => {
    expect(needsWholeFileCorpusSkip("const CORPUS = resolve(process.cwd(), '../shared/corpus');\nit('x', () => readFileSync(join(CORPUS, 'a.wav')));")).toBe(true);
  });
  it('keeps a test file that never touches the corpus (the FFT unit tests)', () => {
    expect(needsWholeFileCorpusSkip(readFileSync('tests/unit/core/audio/fft.test.ts', 'utf8'))).toBe(false);
  });
});
