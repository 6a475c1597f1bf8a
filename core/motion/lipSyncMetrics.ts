/**
 * Lip-sync scores of a motion track against phone alignments.
 *
 * @remarks Definitions (the issue-4 "done when" metrics):
 * - bilabial closure share: of the bilabial phones (m/b/p), the share whose middle frame
 *   (`round(midSec × fps)`) has the lips closed, i.e. {@link lipAperture} < {@link LIPS_CLOSED_APERTURE}.
 * - open-vowel share: of the open vowels, the share whose middle frame has jawOpen ≥ {@link JAW_CLEARLY_OPEN}.
 * - closed-vowel share (a false-closure diagnostic, lower is better): of all vowels (open or not), the
 *   share whose middle frame has the lips closed.
 * - jaw–speech lag: the lag maximising the normalised cross-correlation between the jawOpen curve and
 *   the vowel indicator of the alignment (1 inside vowels, 0 elsewhere), both sampled at the track's fps,
 *   searched over ±{@link MAX_LAG_SEARCH_SEC} and refined by parabolic interpolation; positive = the
 *   jaw moves after the speech.
 */
import type { TextGridInterval } from '../audio/textGrid.ts';
import { classifyPhone } from '../audio/textGrid.ts';
import { JAW_CLEARLY_OPEN, LIPS_CLOSED_APERTURE, lipAperture } from './lipsync.ts';
import { ARKIT_BLENDSHAPE_COUNT, BS } from './names.ts';
import type { MotionTrack } from './track.ts';
import { fpsValue } from './track.ts';

/** Lag search range of {@link jawSpeechLagSec}, seconds. */
export const MAX_LAG_SEARCH_SEC = 0.2;

/** Scores of one track against one alignment. */
export interface LipSyncScores {
  /** Bilabial phones scored. */
  bilabialCount: number;
  /** Share of bilabials with closed lips at their middle frame, [0,1] (NaN when none). */
  bilabialClosedShare: number;
  /** Open vowels scored. */
  openVowelCount: number;
  /** Share of open vowels with jawOpen ≥ JAW_CLEARLY_OPEN at their middle frame (NaN when none). */
  openVowelJawShare: number;
  /** Vowels scored (open and other vowels). */
  vowelCount: number;
  /** Share of vowels with closed lips at their middle frame, [0,1] (NaN when none); lower is better. */
  vowelLipsClosedShare: number;
  /** Per-phone detail for reports: label, middle time, class, lip aperture, jawOpen, pass. */
  details: Array<{ label: string; midSec: number; kind: 'bilabial' | 'openVowel'; aperture: number; jawOpen: number; pass: boolean }>;
}

/**
 * Scores bilabial closures and open-vowel jaw openings at the phones' middle frames.
 * @param track - motion track of the aligned audio.
 * @param phones - the phone tier's intervals (IPA or ARPAbet labels).
 * @returns {@link LipSyncScores}: bilabial and open-vowel shares with per-phone details, and the
 *   closed-lips share of all vowels.
 */
export function scoreLipSync(track: MotionTrack, phones: readonly TextGridInterval[]): LipSyncScores {
  const fps = fpsValue(track.fps);
  const K = ARKIT_BLENDSHAPE_COUNT;
  const details: LipSyncScores['details'] = [];
  let vowelCount = 0;
  let vowelsClosed = 0;
  for (const p of phones) {
    const kind = classifyPhone(p.text);
    if (kind !== 'bilabial' && kind !== 'openVowel' && kind !== 'vowel') continue;
    const midSec = (p.xminSec + p.xmaxSec) / 2;
    const f = Math.min(track.frameCount - 1, Math.max(0, Math.round(midSec * fps)));
    const bs = track.blendshapes.subarray(f * K, (f + 1) * K);
    const aperture = lipAperture(bs);
    if (kind !== 'bilabial') {
      vowelCount++;
      if (aperture < LIPS_CLOSED_APERTURE) vowelsClosed++;
    }
    if (kind === 'vowel') continue;
    const jawOpen = bs[BS.jawOpen]!;
    const pass = kind === 'bilabial' ? aperture < LIPS_CLOSED_APERTURE : jawOpen >= JAW_CLEARLY_OPEN;
    details.push({ label: p.text, midSec, kind, aperture, jawOpen, pass });
  }
  const share = (kind: 'bilabial' | 'openVowel'): [number, number] => {
    const d = details.filter((x) => x.kind === kind);
    return [d.length, d.length ? d.filter((x) => x.pass).length / d.length : NaN];
  };
  const [bilabialCount, bilabialClosedShare] = share('bilabial');
  const [openVowelCount, openVowelJawShare] = share('openVowel');
  const vowelLipsClosedShare = vowelCount ? vowelsClosed / vowelCount : NaN;
  return { bilabialCount, bilabialClosedShare, openVowelCount, openVowelJawShare, vowelCount, vowelLipsClosedShare, details };
}

/**
 * Lag between the jaw curve and the speech (vowel) indicator by normalised cross-correlation.
 * @param track - motion track (use a high fps, e.g. 100, for 10 ms resolution).
 * @param phones - phone intervals.
 * @returns `{lagSec, correlation}`: lag in seconds (positive = jaw late) and the peak correlation.
 */
export function jawSpeechLagSec(track: MotionTrack, phones: readonly TextGridInterval[]): { lagSec: number; correlation: number } {
  const fps = fpsValue(track.fps);
  const n = track.frameCount;
  const jaw = new Float64Array(n);
  const ref = new Float64Array(n);
  for (let f = 0; f < n; f++) jaw[f] = track.blendshapes[f * ARKIT_BLENDSHAPE_COUNT + BS.jawOpen]!;
  for (const p of phones) {
    const kind = classifyPhone(p.text);
    if (kind !== 'vowel' && kind !== 'openVowel') continue;
    for (let f = Math.ceil(p.xminSec * fps); f < Math.min(n, p.xmaxSec * fps); f++) if (f >= 0) ref[f] = 1;
  }
  const center = (x: Float64Array): void => {
    let m = 0;
    for (const v of x) m += v;
    m /= x.length || 1;
    for (let i = 0; i < x.length; i++) x[i] = x[i]! - m;
  };
  center(jaw);
  center(ref);
  const maxLag = Math.round(MAX_LAG_SEARCH_SEC * fps);
  const corr = (lag: number): number => {
    let s = 0;
    let a = 0;
    let b = 0;
    for (let i = 0; i < n; i++) {
      const j = i + lag;
      if (j < 0 || j >= n) continue;
      s += ref[i]! * jaw[j]!;
      a += ref[i]! * ref[i]!;
      b += jaw[j]! * jaw[j]!;
    }
    return a > 0 && b > 0 ? s / Math.sqrt(a * b) : 0;
  };
  let best = -Infinity;
  let bestLag = 0;
  const cs = new Map<number, number>();
  for (let lag = -maxLag; lag <= maxLag; lag++) {
    const c = corr(lag);
    cs.set(lag, c);
    if (c > best) {
      best = c;
      bestLag = lag;
    }
  }
  let refined = bestLag;
  if (bestLag > -maxLag && bestLag < maxLag) {
    const a = cs.get(bestLag - 1)!;
    const b = cs.get(bestLag)!;
    const c = cs.get(bestLag + 1)!;
    const den = a - 2 * b + c;
    if (den < 0) refined = bestLag + (0.5 * (a - c)) / den;
  }
  return { lagSec: refined / fps, correlation: best };
}
