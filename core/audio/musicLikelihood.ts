/**
 * Speech-vs-music discrimination by steady partials: a per-frame likelihood that what is heard is music (an
 * instrumental soundtrack) rather than a voice, so lip-sync does not mouth a song's accompaniment.
 *
 * @remarks
 * Method: music holds its partials at one frequency for long (sustained notes and chords), speech glides (its
 * harmonics follow an intonation contour that rarely stays within a few hertz for more than a syllable). Scheirer &
 * Slaney 1997 ("Construction and evaluation of a robust multifeature speech/music discriminator", ICASSP) discriminate
 * on such spectral-temporal stationarity features; Seyerlehner, Pohle, Schedl & Widmer 2007 ("Automatic music
 * detection in television productions", DAFx-07) measure it directly as "continuous frequency activation": how long
 * spectral peaks stay on at one frequency. Here:
 * 1. partials: spectral peaks of a 64 ms window every 10 ms on a 16 Hz grid (core/audio/features.ts,
 *    `partialPower`);
 * 2. steady partials: a cell (±1 cell, ±16 Hz, so a held note's jitter and slight vibrato stay in it) active with gaps
 *    of at most {@link STEADY_MAX_GAP_FRAMES} frames for at least {@link STEADY_MIN_FRAMES} frames (1 s); speech
 *    vowels last 50–300 ms and their harmonics move (on the corpus, no spoken clip holds a partial that long except
 *    tonal room hum, whose energy is small against the voice);
 * 3. steady energy share: the power of the steady partials over the power of all partials, summed over
 *    ±{@link MUSIC_LOCAL_HALF_SEC} (the sound at this moment) and over ±{@link MUSIC_CONTEXT_HALF_SEC} (the passage);
 *    weighting by power lets a voice louder than its accompaniment (a song's lead vocal, speech over background
 *    music) win over the accompaniment's steady partials;
 * 4. likelihood: the product of the two shares each mapped by a smoothstep from {@link MUSIC_SHARE_LO} (0) to
 *    {@link MUSIC_SHARE_HI} (1).
 * Thresholds were set after looking at the corpus (steady energy share, ±3 s windows: every speech and singing file
 * ≤ 0.18 where it speaks, the music track of vid06 0.22–0.59, median 0.47), with the lower edge above every speech
 * file and the upper one below the music's median; they are not fitted to a score.
 * Known limit: a sung voice as loud as a strongly tonal accompaniment (a 0 dB mix of aud04 with vid06's music) reads as
 * partly music (its jaw opening is reduced by about half).
 */
import { PARTIAL_CELL_COUNT } from './features.ts';

/** Longest gap (10 ms frames) bridged inside a steady partial (peak picking misses a frame here and there). */
export const STEADY_MAX_GAP_FRAMES = 6;
/** Shortest steady partial, 10 ms frames (1 s: longer than a spoken syllable, the length of a held note or chord). */
export const STEADY_MIN_FRAMES = 100;
/** Half-width of the local window of the steady energy share, seconds. */
export const MUSIC_LOCAL_HALF_SEC = 0.5;
/** Half-width of the passage window of the steady energy share, seconds (the ±3 s of the task). */
export const MUSIC_CONTEXT_HALF_SEC = 3;
/** Steady energy share mapped to likelihood 0 at and below this value. */
export const MUSIC_SHARE_LO = 0.15;
/** Steady energy share mapped to likelihood 1 at and above this value. */
export const MUSIC_SHARE_HI = 0.35;

/** Reusable scratch arrays (the live analysis calls this every tick; no per-call garbage). */
const scratchStore: Float64Array[] = [];
function scratch(slot: number, size: number): Float64Array {
  let a = scratchStore[slot];
  if (!a || a.length < size) scratchStore[slot] = a = new Float64Array(Math.max(size, 1024));
  return a.subarray(0, size);
}

let dilStore = new Uint8Array(0);
function dilScratch(size: number): Uint8Array {
  if (dilStore.length < size) dilStore = new Uint8Array(size);
  return dilStore.subarray(0, size);
}

const smoothstep = (v: number): number => {
  const z = Math.min(1, Math.max(0, (v - MUSIC_SHARE_LO) / (MUSIC_SHARE_HI - MUSIC_SHARE_LO)));
  return z * z * (3 - 2 * z);
};

/**
 * Music likelihood per 10 ms frame from spectral partials.
 * @param partialPower - partial powers `[frameCount, PARTIAL_CELL_COUNT]` row-major (linear power, 0 = no partial),
 *   as `FeatureFrame.partialPower` rows at a 10 ms hop.
 * @param frameCount - number of frames.
 * @param hopSec - frame hop in seconds (0.01).
 * @param out - receives the likelihood per frame, [0, 1] (0: speech or singing, 1: music without a dominant voice).
 * @throws RangeError when `partialPower` or `out` is shorter than the frame count requires.
 * @remarks Cost O(frameCount × PARTIAL_CELL_COUNT); memory four doubles per frame and one byte per cell and frame (reused between calls). See the module remarks for
 *   the method and its sources.
 */
export function musicLikelihood(partialPower: Float32Array, frameCount: number, hopSec: number, out: Float32Array): void {
  const C = PARTIAL_CELL_COUNT;
  const n = frameCount;
  if (partialPower.length < n * C) throw new RangeError(`musicLikelihood: ${partialPower.length} partial values for ${n} frames × ${C} cells`);
  if (out.length < n) throw new RangeError(`musicLikelihood: output holds ${out.length} of ${n} frames`);
  // Per cell, runs of the ±1-cell-dilated activation with gaps ≤ STEADY_MAX_GAP_FRAMES bridged; the partials of that
  // cell inside a run of ≥ STEADY_MIN_FRAMES add their power to the frame's steady power.
  const steadyPow = scratch(0, n);
  const allPow = scratch(1, n);
  steadyPow.fill(0);
  allPow.fill(0);
  // Dilated activation, cell-major (a cell's frames contiguous for the run scan), built from the sparse partials.
  const dil = dilScratch(n * C);
  dil.fill(0);
  for (let t = 0; t < n; t++) {
    let a = 0;
    for (let c = 0, o = t * C; c < C; c++, o++) {
      const p = partialPower[o]!;
      if (p <= 0) continue;
      a += p;
      if (c > 0) dil[(c - 1) * n + t] = 1;
      dil[c * n + t] = 1;
      if (c + 1 < C) dil[(c + 1) * n + t] = 1;
    }
    allPow[t] = a;
  }
  for (let c = 0; c < C; c++) {
    const row = c * n;
    let t = 0;
    while (t < n) {
      if (dil[row + t] === 0) {
        t++;
        continue;
      }
      let last = t;
      for (let e = t + 1; e < n && e - last <= STEADY_MAX_GAP_FRAMES + 1; e++) if (dil[row + e] === 1) last = e;
      if (last + 1 - t >= STEADY_MIN_FRAMES) for (let i = t; i <= last; i++) steadyPow[i] = steadyPow[i]! + partialPower[i * C + c]!;
      t = last + 1;
    }
  }
  // Windowed sums by prefix sums.
  const cumSteady = scratch(2, n + 1);
  const cumAll = scratch(3, n + 1);
  cumSteady[0] = 0;
  cumAll[0] = 0;
  for (let t = 0; t < n; t++) {
    cumSteady[t + 1] = cumSteady[t]! + steadyPow[t]!;
    cumAll[t + 1] = cumAll[t]! + allPow[t]!;
  }
  const share = (t: number, half: number): number => {
    const a = Math.max(0, t - half);
    const b = Math.min(n, t + half + 1);
    const all = cumAll[b]! - cumAll[a]!;
    return all > 0 ? (cumSteady[b]! - cumSteady[a]!) / all : 0;
  };
  const hl = Math.round(MUSIC_LOCAL_HALF_SEC / hopSec);
  const hc = Math.round(MUSIC_CONTEXT_HALF_SEC / hopSec);
  for (let t = 0; t < n; t++) out[t] = smoothstep(share(t, hl)) * smoothstep(share(t, hc));
}
