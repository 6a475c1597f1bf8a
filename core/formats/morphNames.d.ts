/**
 * ARKit index of a morph name, tolerant of prefixes, case and `_L`/`_R` suffixes.
 * @param name - morph target name from the file.
 * @returns index into ARKIT_BLENDSHAPE_NAMES, or -1.
 */
export declare function arkitIndexForMorph(name: string): number;
/**
 * OVR viseme index of a morph name (`viseme_aa`, `viseme_I`, `v_PP`…); a bare name without prefix is not a viseme.
 * @param name - morph target name from the file.
 * @returns index into OVR_VISEME_NAMES, or -1.
 */
export declare function visemeIndexForMorph(name: string): number;
/** Track channel → morph index tables for one mesh (−1 where the mesh lacks the morph). */
export interface MorphMap {
    /** `[52]`: ARKit index → morph index. */
    arkit: Int16Array;
    /** `[15]`: OVR viseme index → morph index. */
    viseme: Int16Array;
    /** How many ARKit channels and visemes were found. */
    arkitCount: number;
    visemeCount: number;
}
/**
 * Builds the tables for a three.js `morphTargetDictionary` (name → morph index).
 * @param dictionary - the mesh's dictionary.
 * @returns lookup tables; the first matching morph wins when names collide after normalisation.
 */
export declare function buildMorphMap(dictionary: Record<string, number>): MorphMap;
/**
 * Writes a frame's weights into a mesh's `morphTargetInfluences` through its map.
 * @param influences - the mesh's influences array (modified).
 * @param map - from {@link buildMorphMap}.
 * @param blendshapes - `[52]` ARKit weights.
 * @param visemes - `[15]` OVR weights.
 * @remarks Weights are passed through unclamped (LAM's reference renderer does not clamp either).
 */
export declare function applyMorphWeights(influences: number[], map: MorphMap, blendshapes: ArrayLike<number>, visemes: ArrayLike<number>): void;
