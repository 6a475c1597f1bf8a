/**
 * Issue #12, img05's opened mouth "a pink slab, no teeth row": the synthesised interior must be no more colourful
 * against its skin than real open mouths are. Real open frames (corpus vid02, vid05; TF.js inner-lip contour) have a
 * lower opening (tongue, floor) at 0.81–1.05 × the skin's CIELAB chroma (the walls are left to the lips' colour: next to
 * the lips they run on into the lips' inner surface; core/face/mouthInterior.ts MUCOSA_MAX_SKIN_CHROMA), and photos that show teeth have teeth at
 * 0.2–0.63 × (b03, vid05 at 2.5 s, img03). On main img05's tongue was C* 56 and its walls 43 against skin 20 (its
 * lips are a saturated painted red line, and the mucosa takes the lips' hue), its teeth 27 (redder than the skin);
 * img06's teeth 49 against skin 48; img01's tongue 29 against 19. The other way, a tongue far less colourful than
 * the skin reads as a grey floor (real: ≥ 0.81 ×): img06's was 23 against skin 47 on main.
 *
 * The skin here is measured independently of the code under test: the median CIELAB of square patches (half-side
 * 0.04 IOD) on both cheeks and the chin (MediaPipe 205, 425, 200), as tests/integration/render/interiorMetric.ts does.
 */
import { describe, expect, it } from 'vitest';
import { buildMouthInterior, MUCOSA_MAX_SKIN_CHROMA, TEETH_MAX_SKIN_CHROMA, TONGUE_MIN_SKIN_CHROMA } from '../../../../core/face/mouthInterior.ts';
import { buildPhotoHeadRig } from '../../../../core/rig/rig.ts';
import { lab } from '../../../helpers/colour.ts';
import { HAS_CORPUS } from '../../../helpers/media.ts';
import { loadPortrait, type FixtureName } from '../../../integration/render/helpers.ts';

const REGION = { a0: -0.5, a1: 0.5, b0: -0.3, b1: 0.9 };
const chroma = (rgb01: readonly number[]): number => {
  const c = lab(rgb01.map((v) => Math.round(v * 255)) as [number, number, number]);
  return Math.hypot(c[1], c[2]);
};

describe.skipIf(!HAS_CORPUS)('synthesised mouth interior chroma against the skin', () => {
  it.each<FixtureName>(['img05', 'img06', 'img01'])('%s: tongue and throat ≤ 1.05 × skin C*, tongue ≥ 0.7 ×, synthesised teeth ≤ 0.75 ×', async (name) => {
    const p = await loadPortrait(name);
    const { rgba, widthPx, heightPx } = p.image;
    const lm = p.face.landmarksPx;
    const rig = buildPhotoHeadRig(lm, p.face.landmarkCount);
    const m = buildMouthInterior(rgba, widthPx, heightPx, lm, rig.frame, REGION);
    const iod = Math.hypot(lm[33 * 3]! - lm[263 * 3]!, lm[33 * 3 + 1]! - lm[263 * 3 + 1]!);
    const r = Math.max(2, Math.round(0.04 * iod));
    const labs: [number, number, number][] = [];
    for (const k of [205, 425, 200]) {
      for (let dy = -r; dy <= r; dy++) {
        for (let dx = -r; dx <= r; dx++) {
          const i = ((Math.round(lm[k * 3 + 1]!) + dy) * widthPx + Math.round(lm[k * 3]!) + dx) * 4;
          labs.push(lab([rgba[i]!, rgba[i + 1]!, rgba[i + 2]!]));
        }
      }
    }
    const med = (c: number): number => labs.map((v) => v[c]!).sort((a, b) => a - b)[labs.length >> 1]!;
    const skinC = Math.hypot(med(1), med(2));
    const pal = m.palette;
    const got = { tongue: chroma(pal.tongueRgb), wall: chroma(pal.wallRgb), throat: chroma(pal.throatRgb), teeth: chroma(pal.teethRgb) };
    console.log(`${name}: skin C* ${skinC.toFixed(1)}, tongue ${got.tongue.toFixed(1)}, wall ${got.wall.toFixed(1)}, throat ${got.throat.toFixed(1)}, teeth ${got.teeth.toFixed(1)} (photo teeth px ${m.photoTeethPx})`);
    expect(MUCOSA_MAX_SKIN_CHROMA).toBeLessThanOrEqual(1.05);
    for (const k of ['tongue', 'throat'] as const) expect(got[k]).toBeLessThanOrEqual(1.05 * skinC + 1);
    expect(TONGUE_MIN_SKIN_CHROMA).toBeGreaterThanOrEqual(0.7);
    expect(got.tongue).toBeGreaterThanOrEqual(0.7 * skinC);
    expect(m.photoTeethPx).toBe(0);
    expect(TEETH_MAX_SKIN_CHROMA).toBeLessThanOrEqual(0.75);
    expect(got.teeth).toBeLessThanOrEqual(0.75 * skinC + 1);
  });
});
