/**
 * Praat TextGrid reader (long "ooTextFile" and short formats) and phone classes for lip-sync scoring.
 *
 * @remarks Format: Praat manual, "TextGrid file formats" (Boersma & Weenink). Both formats carry the same
 * value sequence (strings, numbers, `<exists>` flags); the long one adds `key =` labels and `[n]:`
 * item headers, which this reader skips, so one tokenizer reads both. Strings escape `"` as `""`.
 */
import { InvalidInputError } from '../errors.ts';

/** One labelled interval of an interval tier, seconds. */
export interface TextGridInterval {
  xminSec: number;
  xmaxSec: number;
  text: string;
}

/** One tier: intervals (IntervalTier) or points (TextTier, `xminSec === xmaxSec`). */
export interface TextGridTier {
  name: string;
  kind: 'IntervalTier' | 'TextTier';
  xminSec: number;
  xmaxSec: number;
  intervals: TextGridInterval[];
}

/** A parsed TextGrid. */
export interface TextGrid {
  xminSec: number;
  xmaxSec: number;
  tiers: TextGridTier[];
}

type Token = { kind: 'str'; value: string } | { kind: 'num'; value: number } | { kind: 'flag'; value: boolean };

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  const re = /"((?:[^"]|"")*)"|\[[^\]\n]*\]|<(exists|absent)>|(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)|!.*$/gm;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    if (m[1] !== undefined) out.push({ kind: 'str', value: m[1].replace(/""/g, '"') });
    else if (m[2] !== undefined) out.push({ kind: 'flag', value: m[2] === 'exists' });
    else if (m[3] !== undefined) out.push({ kind: 'num', value: Number(m[3]) });
  }
  return out;
}

/**
 * Parses a TextGrid in long or short text format.
 * @param text - file contents (UTF-8; a BOM is ignored).
 * @returns tiers with their intervals/points in file order.
 * @throws InvalidInputError when the text is not a TextGrid or is truncated.
 */
export function parseTextGrid(text: string): TextGrid {
  const toks = tokenize(text.replace(/^\uFEFF/, ''));
  let i = 0;
  const fail = (why: string): never => {
    throw new InvalidInputError(`Not a valid TextGrid: ${why}`);
  };
  const str = (): string => {
    const t = toks[i++];
    return t && t.kind === 'str' ? t.value : fail(`expected a string at token ${i}`);
  };
  const num = (): number => {
    const t = toks[i++];
    return t && t.kind === 'num' ? t.value : fail(`expected a number at token ${i}`);
  };
  if (str() !== 'ooTextFile') fail('missing "ooTextFile" header');
  if (str() !== 'TextGrid') fail('object class is not TextGrid');
  const xminSec = num();
  const xmaxSec = num();
  const flag = toks[i++];
  if (!flag || flag.kind !== 'flag') fail('missing tiers flag');
  const tiers: TextGridTier[] = [];
  if (flag && flag.kind === 'flag' && flag.value) {
    const count = num();
    for (let k = 0; k < count; k++) {
      const kind = str();
      if (kind !== 'IntervalTier' && kind !== 'TextTier') fail(`unknown tier class ${kind}`);
      const name = str();
      const tmin = num();
      const tmax = num();
      const size = num();
      const intervals: TextGridInterval[] = [];
      for (let j = 0; j < size; j++) {
        if (kind === 'IntervalTier') {
          const a = num();
          const b = num();
          intervals.push({ xminSec: a, xmaxSec: b, text: str() });
        } else {
          const t = num();
          intervals.push({ xminSec: t, xmaxSec: t, text: str() });
        }
      }
      tiers.push({ name, kind: kind as TextGridTier['kind'], xminSec: tmin, xmaxSec: tmax, intervals });
    }
  }
  return { xminSec, xmaxSec, tiers };
}

/** Phone classes the lip-sync evaluation scores. */
export type PhoneClass = 'silence' | 'bilabial' | 'openVowel' | 'vowel' | 'consonant';

const SILENCE = new Set(['', 'sil', 'sp', 'spn', '<eps>', 'SIL', 'SP', 'SPN']);
const ARPA_VOWELS = new Set(['AA', 'AE', 'AH', 'AO', 'AW', 'AY', 'EH', 'ER', 'EY', 'IH', 'IY', 'OW', 'OY', 'UH', 'UW', 'AX', 'AXR', 'IX', 'UX']);
const ARPA_OPEN = new Set(['AA', 'AE', 'AY', 'AW']);
const IPA_VOWEL_CHARS = 'aɑɒæɐäeɛɜəɘɚɝiɪɨoɔɵøœuʊʉʌyʏɤɯɞ';
const IPA_OPEN_START = new Set(['a', 'ɑ', 'ɒ', 'æ', 'ɐ', 'ä', 'ɶ']);

/**
 * Classifies a phone label (IPA as written by the Montreal Forced Aligner, or ARPAbet with stress digits).
 * @param label - phone text, e.g. `"m"`, `"ɑ"`, `"aj"`, `"tʲ"`, `"AE1"`, `"M"`, `""`.
 * @returns `bilabial` for m/b/p (any diacritics; ARPAbet M/B/P); `openVowel` for open and near-open
 *   vowels and diphthongs starting with one (IPA a ɑ ɒ æ ɐ, aj/aw; ARPAbet AA AE AY AW); `vowel` for
 *   other vowels; `silence` for empty/sil/sp/spn; otherwise `consonant`.
 * @remarks Open/near-open = IPA chart rows "open" and "near-open" (International Phonetic Association,
 * Handbook 1999). ARPAbet mapping per the CMU Pronouncing Dictionary (AA=ɑ, AE=æ, AY=aɪ, AW=aʊ).
 */
export function classifyPhone(label: string): PhoneClass {
  const t = label.trim();
  if (SILENCE.has(t)) return 'silence';
  const arpa = t.replace(/[012]$/, '');
  if (/^[A-Z]+$/.test(arpa)) {
    if (arpa === 'M' || arpa === 'B' || arpa === 'P' || arpa === 'EM') return 'bilabial';
    if (ARPA_OPEN.has(arpa)) return 'openVowel';
    if (ARPA_VOWELS.has(arpa)) return 'vowel';
    return 'consonant';
  }
  const base = t.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
  const first = [...base][0] ?? '';
  if (first === 'm' || first === 'b' || first === 'p') return 'bilabial';
  if (IPA_OPEN_START.has(first)) return 'openVowel';
  if (IPA_VOWEL_CHARS.includes(first)) return 'vowel';
  return 'consonant';
}

/**
 * Finds the phone tier of a TextGrid.
 * @param grid - parsed TextGrid.
 * @returns the interval tier named `phones` (case-insensitive; also `phone`/`phonemes`).
 * @throws InvalidInputError when there is none.
 */
export function phoneTier(grid: TextGrid): TextGridTier {
  const t = grid.tiers.find((x) => x.kind === 'IntervalTier' && /^(phones?|phonemes?)$/i.test(x.name.trim()));
  if (!t) throw new InvalidInputError(`TextGrid has no phones tier (tiers: ${grid.tiers.map((x) => x.name).join(', ') || 'none'})`);
  return t;
}
