import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeSpeech } from '../../../../core/audio/speechAnalysis.ts';
import { decodeAudio } from '../../../../pipeline/audio/decodeAudio.ts';
import { HAS_CORPUS, corpus } from '../../../helpers/media.ts';

/**
 * Lip-closure evidence on a child's voice (issue 12): corpus clip vid04, a child talking (F0 ≈ 240–330 Hz where the
 * 60–400 Hz tracker follows it), with a low-frequency background (≈ 100–140 Hz: rumble or a lower-pitched voice) and
 * quiet voiced stretches that spectral subtraction empties. The real inner-lip gap of the first 6 s is measured by the
 * independent TF.js FaceMesh tracker on the real frames (tests/fixtures/avsync/vid04_f0_6s_lipgap.json, written from
 * scripts/evalAudioLips.ts' cache for row vid04:0, 6 s, 256², as the vid01/vid03 fixtures).
 */
describe.skipIf(!HAS_CORPUS)('lip-closure evidence on a child\'s voice (vid04)', () => {
  it('reads few closures while the real lips are open', async () => {
    const gap = (JSON.parse(readFileSync(resolve(process.cwd(), 'tests/fixtures/avsync/vid04_f0_6s_lipgap.json'), 'utf8')) as (number | null)[]).map((x) => x ?? NaN);
    const audio = await decodeAudio(corpus('video/vid04_child_talking_512p25.mp4'));
    const a = analyzeSpeech(audio.samples, audio.sampleRateHz);
    // "Open": the real gap above 1.6 × its 5th percentile (the child's sealed lips), as stopClosure.test.ts reads vid01.
    // No A/V shift: vid04's offset is not reliably measurable (scripts/avOffset.ts, z 1.6).
    const sorted = gap.filter(Number.isFinite).sort((x, y) => x - y);
    const openAbove = 1.6 * sorted[Math.floor(sorted.length * 0.05)]!;
    let open = 0;
    let closedWhileOpen = 0;
    let closedWhileClosed = 0;
    for (let f = 0; f < gap.length; f++) {
      const t = Math.round(f / 25 / a.hopSec);
      if (t >= a.frameCount || !Number.isFinite(gap[f]!)) continue;
      const isOpen = gap[f]! > openAbove;
      if (isOpen) open++;
      if (a.lipClosure[t]! <= 0.5) continue;
      if (isOpen) closedWhileOpen++;
      else closedWhileClosed++;
    }
    console.log(`vid04 first 6 s: ${closedWhileOpen} of ${open} open-lip video frames carry closure evidence > 0.5; ${closedWhileClosed} of ${gap.length - open} closed ones`);
    // Measured (same machine): main (58eb164) 35 of 110 open frames, 14 of 40 closed; s18 (murmur evidence needs the
    // murmur's own low-band energy above the noise, MURMUR_LOW_BAND_SNR_DB, and leaves out the bands below
    // MURMUR_LOW_BAND_F0_RATIO × the speaker's median F0) 20 of 110, 9 of 40. Bounds set after seeing both: main fails
    // the first. The closed-lip bound keeps real closures from vanishing with the false ones. What remains over open
    // lips is mostly stop-closure evidence (level dips to ≥ 22 dB under the reference), not murmur.
    expect(closedWhileOpen).toBeLessThan(26);
    expect(closedWhileClosed).toBeGreaterThanOrEqual(7);
  });
});
