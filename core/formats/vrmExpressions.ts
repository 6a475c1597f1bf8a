/**
 * Our motion track (ARKit-52 blendshapes + OVR visemes) → VRM expression preset weights, by name.
 *
 * @remarks VRM 1.0 presets (vrm-specification `VRMC_vrm-1.0/expressions.md`): mouth `aa ih ou ee oh`, eyes
 * `blink blinkLeft blinkRight`, emotions `happy angry sad relaxed surprised`. Visemes: each OVR viseme (Oculus
 * LipSync reference: sil PP FF TH DD kk CH SS nn RR aa E ih oh ou) is written as the vowel mouth shapes it looks
 * like — open (aa), spread (ih, ee), rounded (ou, oh); lip closures (PP) and silence give a closed mouth. Tracks
 * without visemes (driven by a video) use the ARKit mouth: jawOpen → aa, mouthFunnel → oh, mouthPucker → ou,
 * mouthStretch → ee. Emotions are read back from the FACS-based mood offsets of core/motion/nonverbal.ts
 * (`MOOD_OFFSETS`): happy = mouthSmile, sad = mouthFrown, angry = noseSneer, surprised = browOuterUp,
 * each divided by its full-intensity offset. Our tracks carry no mood that maps to `relaxed`.
 */
import { BS, OVR_VISEME_COUNT } from '../motion/names.ts';

/** VRM 1.0 mouth presets, in the order of {@link VISEME_TO_VOWELS}'s rows. */
export const VRM_MOUTH_PRESETS = ['aa', 'ih', 'ou', 'ee', 'oh'] as const;

/** `[15][5]`: weight of each VRM vowel (aa, ih, ou, ee, oh) for each OVR viseme (OVR order). */
export const VISEME_TO_VOWELS: readonly (readonly [number, number, number, number, number])[] = [
  [0, 0, 0, 0, 0], // sil
  [0, 0, 0, 0, 0], // PP: lips closed
  [0, 0.2, 0, 0, 0], // FF
  [0.15, 0.2, 0, 0, 0], // TH
  [0.2, 0.3, 0, 0, 0], // DD
  [0.3, 0.2, 0, 0, 0], // kk
  [0, 0.3, 0.3, 0, 0], // CH
  [0, 0.4, 0, 0, 0], // SS
  [0.15, 0.3, 0, 0, 0], // nn
  [0, 0, 0.4, 0, 0.2], // RR
  [1, 0, 0, 0, 0], // aa
  [0, 0, 0, 1, 0], // E
  [0, 1, 0, 0, 0], // ih
  [0, 0, 0, 0, 1], // oh
  [0, 0, 1, 0, 0], // ou
];

/** Full-intensity mood offsets the emotions are normalised by (core/motion/nonverbal.ts MOOD_OFFSETS). */
const MOOD_FULL = { happy: 0.55, sad: 0.5, angry: 0.3, surprised: 0.7 } as const;

const clamp01 = (v: number): number => (v > 0 ? (v < 1 ? v : 1) : 0);

/**
 * Expression weights for one frame.
 * @param blendshapes - `[52]` ARKit weights in [0, 1] (ARKIT_BLENDSHAPE_NAMES order).
 * @param visemes - `[15]` OVR viseme weights in [0, 1]; all zero → the ARKit mouth is used.
 * @param available - the avatar's expression names (`blinkLeft`/`blinkRight` are used when both exist, else `blink`).
 * @param out - reused output map.
 * @returns weights in [0, 1] by VRM 1.0 preset name, only for names in `available`; the five mouth weights sum to ≤ 1.
 */
export function vrmExpressionWeights(blendshapes: ArrayLike<number>, visemes: ArrayLike<number>, available: ReadonlySet<string>, out: Map<string, number> = new Map()): Map<string, number> {
  out.clear();
  const b = (i: number): number => blendshapes[i] ?? 0;
  const vowels = [0, 0, 0, 0, 0];
  let visemeSum = 0;
  for (let v = 0; v < OVR_VISEME_COUNT; v++) visemeSum += visemes[v] ?? 0;
  if (visemeSum > 1e-4) {
    for (let v = 0; v < OVR_VISEME_COUNT; v++) {
      const w = visemes[v] ?? 0;
      if (w <= 0) continue;
      const row = VISEME_TO_VOWELS[v]!;
      for (let k = 0; k < 5; k++) vowels[k]! += w * row[k]!;
    }
  } else {
    vowels[0] = b(BS.jawOpen);
    vowels[2] = b(BS.mouthPucker);
    vowels[3] = (b(BS.mouthStretchLeft) + b(BS.mouthStretchRight)) / 2;
    vowels[4] = b(BS.mouthFunnel);
  }
  const sum = vowels.reduce((s, v) => s + v, 0);
  const scale = sum > 1 ? 1 / sum : 1;
  VRM_MOUTH_PRESETS.forEach((name, k) => {
    if (available.has(name)) out.set(name, clamp01(vowels[k]! * scale));
  });
  const bl = b(BS.eyeBlinkLeft), br = b(BS.eyeBlinkRight);
  if (available.has('blinkLeft') && available.has('blinkRight')) {
    out.set('blinkLeft', clamp01(bl));
    out.set('blinkRight', clamp01(br));
  } else if (available.has('blink')) out.set('blink', clamp01((bl + br) / 2));
  const emotions: [string, number][] = [
    ['happy', (b(BS.mouthSmileLeft) + b(BS.mouthSmileRight)) / 2 / MOOD_FULL.happy],
    ['sad', (b(BS.mouthFrownLeft) + b(BS.mouthFrownRight)) / 2 / MOOD_FULL.sad],
    ['angry', (b(BS.noseSneerLeft) + b(BS.noseSneerRight)) / 2 / MOOD_FULL.angry],
    ['surprised', (b(BS.browOuterUpLeft) + b(BS.browOuterUpRight)) / 2 / MOOD_FULL.surprised],
  ];
  for (const [name, w] of emotions) if (available.has(name)) out.set(name, clamp01(w));
  return out;
}
