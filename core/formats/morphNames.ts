/**
 * Maps an avatar's morph-target names to our ARKit blendshape and OVR viseme indices, by name.
 *
 * @remarks
 * ARKit names: Apple `ARFaceAnchor.BlendShapeLocation` (camelCase, e.g. `jawOpen`); exporters often prefix
 * them (`blendShape1.jawOpen`, `ARKit_jawOpen`) or use `_L`/`_R` suffixes. Visemes: Oculus/Meta OVR
 * LipSync names with a `viseme_` prefix as used by Ready Player Me and TalkingHead (met4citizen/TalkingHead:
 * `viseme_sil, viseme_PP, viseme_FF, viseme_TH, viseme_DD, viseme_kk, viseme_CH, viseme_SS, viseme_nn,
 * viseme_RR, viseme_aa, viseme_E, viseme_I, viseme_O, viseme_U`); RPM's `I/O/U` are OVR's `ih/oh/ou`.
 */
import { ARKIT_BLENDSHAPE_COUNT, ARKIT_BLENDSHAPE_NAMES, BS, OVR_VISEME_COUNT, OVR_VISEME_NAMES } from '../motion/names.ts';

const ARKIT_LOWER = new Map(ARKIT_BLENDSHAPE_NAMES.map((n, i) => [n.toLowerCase(), i]));
const VISEME_LOWER = new Map<string, number>([...OVR_VISEME_NAMES.map((n, i) => [n.toLowerCase(), i] as [string, number]), ['i', 12], ['o', 13], ['u', 14]]);

/**
 * ARKit index of a morph name, tolerant of prefixes, case and `_L`/`_R` suffixes.
 * @param name - morph target name from the file.
 * @returns index into ARKIT_BLENDSHAPE_NAMES, or -1.
 */
export function arkitIndexForMorph(name: string): number {
  let base = name.includes('.') ? name.slice(name.lastIndexOf('.') + 1) : name;
  base = base.replace(/^(arkit|bs|blendshape)[_:]/i, '');
  base = base.replace(/_L$/i, 'Left').replace(/_R$/i, 'Right');
  return ARKIT_LOWER.get(base.toLowerCase()) ?? -1;
}

/**
 * OVR viseme index of a morph name (`viseme_aa`, `viseme_I`, `v_PP`…); a bare name without prefix is not a viseme.
 * @param name - morph target name from the file.
 * @returns index into OVR_VISEME_NAMES, or -1.
 */
export function visemeIndexForMorph(name: string): number {
  const base = name.includes('.') ? name.slice(name.lastIndexOf('.') + 1) : name;
  const m = /^(?:viseme|v)_(.+)$/i.exec(base);
  if (!m) return -1;
  return VISEME_LOWER.get(m[1]!.toLowerCase()) ?? -1;
}

/** Track channel → morph index tables for one mesh (−1 where the mesh lacks the morph). */
export interface MorphMap {
  /** `[52]`: ARKit index → morph index. */
  arkit: Int16Array;
  /** `[15]`: OVR viseme index → morph index. */
  viseme: Int16Array;
  /** How many ARKit channels and visemes were found. */
  arkitCount: number;
  visemeCount: number;
  /**
   * Whether the viseme morphs are driven: only when the mesh has visemes and no ARKit `jawOpen`. A mesh with both
   * sets (Ready Player Me) would otherwise open its mouth twice, since our tracks carry the same speech as ARKit
   * mouth weights and as visemes; the ARKit set is the richer one (it also carries driving-video mouths).
   */
  visemesDriveMouth: boolean;
}

/**
 * Builds the tables for a three.js `morphTargetDictionary` (name → morph index).
 * @param dictionary - the mesh's dictionary.
 * @returns lookup tables; the first matching morph wins when names collide after normalisation.
 */
export function buildMorphMap(dictionary: Record<string, number>): MorphMap {
  const arkit = new Int16Array(ARKIT_BLENDSHAPE_COUNT).fill(-1);
  const viseme = new Int16Array(OVR_VISEME_COUNT).fill(-1);
  let arkitCount = 0, visemeCount = 0;
  for (const [name, index] of Object.entries(dictionary)) {
    const v = visemeIndexForMorph(name);
    if (v >= 0) {
      if (viseme[v]! < 0) {
        viseme[v] = index;
        visemeCount++;
      }
      continue;
    }
    const a = arkitIndexForMorph(name);
    if (a >= 0 && arkit[a]! < 0) {
      arkit[a] = index;
      arkitCount++;
    }
  }
  return { arkit, viseme, arkitCount, visemeCount, visemesDriveMouth: visemeCount > 0 && arkit[BS.jawOpen]! < 0 };
}

/**
 * Writes a frame's weights into a mesh's `morphTargetInfluences` through its map.
 * @param influences - the mesh's influences array (modified).
 * @param map - from {@link buildMorphMap}.
 * @param blendshapes - `[52]` ARKit weights.
 * @param visemes - `[15]` OVR weights.
 * @remarks Weights are passed through unclamped (LAM's reference renderer does not clamp either). Viseme morphs
 * stay at 0 unless `map.visemesDriveMouth` (see {@link MorphMap}).
 */
export function applyMorphWeights(influences: number[], map: MorphMap, blendshapes: ArrayLike<number>, visemes: ArrayLike<number>): void {
  for (let k = 0; k < map.arkit.length; k++) {
    const m = map.arkit[k]!;
    if (m >= 0) influences[m] = blendshapes[k] ?? 0;
  }
  for (let k = 0; k < map.viseme.length; k++) {
    const m = map.viseme[k]!;
    if (m >= 0) influences[m] = map.visemesDriveMouth ? (visemes[k] ?? 0) : 0;
  }
}
