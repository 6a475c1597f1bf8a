import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { audioFileToMotionTrack } from '../../../../pipeline/audio/audioToMotion.ts';
import { analyzeImageFile } from '../../../../pipeline/face/faceAnalyzer.ts';
import { resolveFfmpeg } from '../../../../pipeline/ffmpeg/ffmpegPath.ts';
import { holdRestExpression, measureRestExpression } from '../../../../core/rig/restExpression.ts';
import { buildPhotoHeadRig, evaluateRigRelative, RIG_VERTEX_COUNT } from '../../../../core/rig/rig.ts';
import { ARKIT_BLENDSHAPE_COUNT } from '../../../../core/motion/names.ts';
import { DEFAULT_MOTION_OPTIONS } from '../../../../core/motion/options.ts';
import { lipGap } from '../../../../scripts/evalRealPairs.ts';
import { scoreCurve } from '../../../../scripts/evalAudioLips.ts';
import { HAS_CORPUS, corpus } from '../../../helpers/media.ts';

const run = promisify(execFile);

/**
 * Audio-driven lips against the real speaker (issue 12), on the corpus clip vid01 (the man's own speech): frame 0 is the
 * portrait, the clip's audio drives it through the product path (audioFileToMotionTrack → rest expression held → the
 * photo rig posed), and the posed inner-lip gap of every frame is compared with the real one, measured by the
 * independent TF.js FaceMesh tracker on the real frames (tests/fixtures/avsync/vid01_f0_6s_lipgap.json, first 6 s),
 * at the clip's measured A/V offset (+280 ms, scripts/avOffset.ts; tests/unit/scripts/avOffset.test.ts).
 */
/**
 * The posed inner-lip gap of vid01's first 6 s, one value per 25-fps frame (eye-corner-distance units, {@link lipGap}),
 * and the real one (NaN where the tracker lost the face).
 */
async function vid01Gaps(): Promise<{ pred: number[]; real: number[] }> {
  return posedGaps('video/vid01_talking_man_own_speech_480p25.mp4', 'vid01_f0_6s_lipgap.json');
}

/**
 * The posed and the real inner-lip gap of a corpus clip's first frames (see vid01Gaps), for any clip with a TF.js
 * real-gap fixture in tests/fixtures/avsync.
 * @param clipRel - the clip, relative to the corpus.
 * @param fixture - the real-gap fixture's file name (one value per video frame, null where the tracker lost the face).
 */
async function posedGaps(clipRel: string, fixture: string): Promise<{ pred: number[]; real: number[] }> {
  const video = corpus(clipRel);
  const dir = await mkdtemp(join(tmpdir(), 'lipsync-real-'));
  try {
    const portrait = join(dir, 'frame0.png');
    await run(resolveFfmpeg().path, ['-y', '-v', 'error', '-i', video, '-frames:v', '1', portrait]);
    const face = (await analyzeImageFile(portrait)).faces[0]!;
    const real = (JSON.parse(readFileSync(resolve(process.cwd(), 'tests/fixtures/avsync', fixture), 'utf8')) as (number | null)[]).map((x) => x ?? NaN);
    const { track } = await audioFileToMotionTrack(video, { ...DEFAULT_MOTION_OPTIONS, fps: { num: 25, den: 1 } });
    const rig = buildPhotoHeadRig(face.landmarksPx, face.landmarkCount);
    const rest = measureRestExpression(face.landmarksPx, face.landmarkCount, { rig }).weights;
    holdRestExpression(track.blendshapes, rest);
    const mesh = new Float32Array(RIG_VERTEX_COUNT * 3);
    const K = ARKIT_BLENDSHAPE_COUNT;
    const pred: number[] = [];
    for (let f = 0; f < Math.min(track.frameCount, real.length); f++) pred.push(lipGap(evaluateRigRelative(rig, track.blendshapes.subarray(f * K, (f + 1) * K), rest, mesh)));
    return { pred, real };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** 95th percentile of the frame-to-frame change |x[f+1] − x[f]| over the pairs where both are finite. */
function stepP95(x: readonly number[]): number {
  const d: number[] = [];
  for (let f = 1; f < x.length; f++) if (Number.isFinite(x[f]!) && Number.isFinite(x[f - 1]!)) d.push(Math.abs(x[f]! - x[f - 1]!));
  d.sort((a, b) => a - b);
  return d[Math.floor(0.95 * d.length)]!;
}

describe.skipIf(!HAS_CORPUS)('audio-driven lips follow the real speaker (vid01, mesh proxy of scripts/evalAudioLips.ts)', () => {
  let gaps: Promise<{ pred: number[]; real: number[] }> | null = null;
  const getGaps = (): Promise<{ pred: number[]; real: number[] }> => (gaps ??= vid01Gaps());

  it('correlates with the real lip gap at the A/V offset, at the speaker\'s mean opening', async () => {
    const { pred, real } = await getGaps();
    const s = scoreCurve(pred, real, 25, 0.28);
    console.log(`vid01 first 6 s, mesh proxy at +280 ms: r ${s.rAtClipOffset.toFixed(3)}, mean ratio ${s.meanRatioAtClipOffset.toFixed(3)}`);
    // Measured on the same machine with the old and the new core/: before (main a72a46f: the 120 ms before each
    // utterance read as a stop closure, lips sealed) r 0.618, ratio 0.766; after (speechAnalysis valleyBounds: a dip is
    // a stop closure only with speech on both sides) r 0.630, ratio 0.802. Bounds set between the two after seeing
    // them (the track is deterministic). Issue 12 asks r ≥ 0.35 and a ratio in 0.6–1.6.
    // s17 (lip speed limit on, closure evidence needing a near-silent interval / a weak murmur): r 0.645, ratio 0.791
    // (the speed limit alone, without the closure changes, gave ≈ 0.58 on evalAudioLips' row).
    expect(s.rAtClipOffset).toBeGreaterThan(0.625);
    expect(s.meanRatioAtClipOffset).toBeGreaterThan(0.785);
    expect(s.meanRatioAtClipOffset).toBeLessThan(1.6);
  }, 180_000);

  it('moves at the real speaker\'s speed and is sealed about as rarely (issue 12: the mouth snaps)', async () => {
    const { pred, real } = await getGaps();
    const predP95 = stepP95(pred);
    const realP95 = stepP95(real);
    const sealed = pred.filter((g) => g < 0.01).length / pred.length;
    const realFinite = real.filter(Number.isFinite);
    const realClosed = realFinite.filter((g) => g < 0.04).length / realFinite.length;
    console.log(`vid01 first 6 s: per-frame |Δ lip gap| p95 ${predP95.toFixed(3)} (real ${realP95.toFixed(3)}); sealed (< 0.01 IOD) ${(100 * sealed).toFixed(0)} % of frames (real near-closed, < 0.04 IOD: ${(100 * realClosed).toFixed(0)} %)`);
    // Measured (same machine): main (no speed limit, closure evidence from any level dip / low-dominant voiced frame)
    // p95 0.227, sealed 41 %; s17 (MAX_LIP_APERTURE_SPEED_PER_SEC on by default, STOP_SILENCE_BELOW_REF_DB,
    // NASAL_MAX_LEVEL_BELOW_REF_DB) p95 0.115, sealed 31 %; the real speaker 0.082 and 17 %. Bounds: issue 12's
    // "within 1.5× the real speed", and a sealed share at most 1/3 (main's 41 % fails it).
    expect(predP95).toBeLessThan(1.5 * realP95);
    expect(sealed).toBeLessThan(1 / 3);
  }, 180_000);
});

describe.skipIf(!HAS_CORPUS)('audio-driven lips of a child (vid04, mesh proxy): a high voice is not read as closed lips', () => {
  it('is sealed about as rarely as the real child', async () => {
    const { pred, real } = await posedGaps('video/vid04_child_talking_512p25.mp4', 'vid04_f0_6s_lipgap.json');
    const sealed = pred.filter((g) => g < 0.01).length / pred.length;
    const realFinite = real.filter(Number.isFinite);
    const realClosed = realFinite.filter((g) => g < 0.04).length / realFinite.length;
    const mean = (x: number[]): number => x.reduce((a, b) => a + b, 0) / x.length;
    console.log(`vid04 first 6 s: sealed (< 0.01 IOD) ${(100 * sealed).toFixed(0)} % of frames (real near-closed, < 0.04 IOD: ${(100 * realClosed).toFixed(0)} %); mean gap ${mean(pred).toFixed(3)} (real ${mean(realFinite).toFixed(3)})`);
    // Measured (same machine, this path: the whole 9 s clip analysed, first 6 s scored): main 58eb164 sealed 45 %, mean
    // gap 0.071 (ratio 0.77); s18 (murmur low band from MURMUR_LOW_BAND_F0_RATIO × the speaker's median F0,
    // core/audio/speechAnalysis.ts) 27 %, 0.088 (0.96); the real child 19 % near-closed, 0.092. Bounds: the vid01 test's
    // sealed share (at most 1/3; main fails it) and a mean ratio above 0.85 (main's 0.77 fails it), below issue 12's 1.6.
    expect(sealed).toBeLessThan(1 / 3);
    expect(mean(pred) / mean(realFinite)).toBeGreaterThan(0.85);
    expect(mean(pred) / mean(realFinite)).toBeLessThan(1.6);
  }, 180_000);
});
