import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeSpeech } from '../../../../core/audio/speechAnalysis.ts';
import { decodeAudio } from '../../../../pipeline/audio/decodeAudio.ts';
import { evaluateLipSync } from '../../../../scripts/evalLipSync.ts';

const CORPUS = resolve(process.cwd(), '../shared/corpus');

describe('lip-sync evaluation on aligned speech (gt01, gt02)', () => {
  it('training set (committed prototypes, derived from gt01+gt02): bilabial, open-vowel, closed-vowel and lag scores', async () => {
    const [gt01, gt02] = await evaluateLipSync(CORPUS);
    // gt01 (1.36 s, IPA): measured 1/1 bilabials closed, 4/4 open vowels open, 1/7 vowels closed, lag −8.7 ms (−7.0
    // before the jaw scale 1 / alveolar-release cue of issue 12).
    expect(gt01!.bilabialCount).toBe(1);
    expect(gt01!.bilabialClosedShare).toBe(1);
    expect(gt01!.openVowelCount).toBe(4);
    expect(gt01!.openVowelJawShare).toBe(1);
    expect(gt01!.vowelCount).toBe(7);
    expect(gt01!.vowelLipsClosedShare).toBeLessThanOrEqual(1 / 7);
    expect(Math.abs(gt01!.lagSec)).toBeLessThanOrEqual(0.02);
    // gt02 (26.7 s spontaneous, ARPAbet): measured 13/13 bilabials closed (11/13 before the nasal-murmur
    // detector and the floored frication cue: both hummed "um"s and the /p/ after /s/ now close), 9/9
    // open vowels (8/9 before speaker-normalised openness), 13/75 vowels with closed lips (16/75 before the
    // alveolar-release cue, 23/75 before that), lag −1.6 ms (−3.6 before issue 12's changes).
    expect(gt02!.bilabialCount).toBe(13);
    expect(gt02!.bilabialClosedShare).toBe(1);
    expect(gt02!.openVowelCount).toBe(9);
    expect(gt02!.openVowelJawShare).toBe(1);
    expect(gt02!.vowelCount).toBe(75);
    expect(gt02!.vowelLipsClosedShare).toBeLessThanOrEqual(16 / 75);
    expect(Math.abs(gt02!.lagSec)).toBeLessThanOrEqual(0.02);
  });

  it('held out (leave-one-out prototypes) and without the prototype cue', async () => {
    // Each recording scored with prototypes derived from the other one only. gt02 loses one bilabial
    // (the first "um" at 8.33 s, whose murmur is within ~5 dB of gt02's low-frequency noise: only the
    // gt02-trained prototypes catch it): 12/13 = 0.923 (goal ≥ 0.85; 11/13 before this change).
    // Everything else holds out: gt01 1/1, 4/4; gt02 open vowels 9/9, 16/75 vowels closed.
    const [h01, h02] = await evaluateLipSync(CORPUS, undefined, 'holdout');
    expect(h01!.bilabialClosedShare).toBe(1);
    expect(h01!.openVowelJawShare).toBe(1);
    expect(h02!.bilabialClosedShare).toBeGreaterThanOrEqual(12 / 13);
    expect(h02!.openVowelJawShare).toBe(1);
    expect(h02!.vowelLipsClosedShare).toBeLessThanOrEqual(16 / 75);
    expect(Math.abs(h02!.lagSec)).toBeLessThanOrEqual(0.02);
    // The acoustic cues alone give the same held-out numbers (the gt01-only prototypes add nothing).
    const [, n02] = await evaluateLipSync(CORPUS, undefined, 'noPrototypes');
    expect(n02!.bilabialClosedShare).toBe(h02!.bilabialClosedShare);
    expect(n02!.details.find((d) => d.kind === 'bilabial' && Math.abs(d.midSec - 23.255) < 0.01)!.pass).toBe(true);
  });

  it('the hummed "um" of gt02 (M 22.98–23.53 s after AH1) reads as closed lips by acoustics alone', async () => {
    const d = await decodeAudio(resolve(CORPUS, 'groundtruth/gt02_acoustic_corpus_26s.wav'));
    // Prototype cue disabled: only the spectral murmur/dip cues act.
    const a = analyzeSpeech(d.samples, d.sampleRateHz, { bilabialPosteriorLo: 2, bilabialPosteriorHi: 3 });
    let closed = 0;
    let frames = 0;
    for (let t = 2300; t <= 2352; t++) {
      frames++;
      if (a.lipClosure[t]! > 0.5) closed++;
    }
    // Measured 34/53 interior frames with closure evidence > 0.5 (11/53 with the old absolute
    // low-vs-mid murmur rule).
    expect(closed / frames).toBeGreaterThan(0.55);
  });
});
