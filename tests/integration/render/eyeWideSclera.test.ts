/**
 * What a raised upper lid uncovers (eyeWide 1 on top of the photo's rest expression, 512² renders of corpus
 * portraits): eyeball, not the photo's lid band stretched up. The iris continues round above the photo's lid line in
 * the iris's own colour, the sclera beside it in the photo's own eye white.
 *
 * @remarks Measures (regions mapped from photo px through the framing crop; colours CIELAB D65):
 * - The uncovered band: render pixels inside the posed eye opening (upper-lid contour with its corners, lower contour;
 *   rig `evaluateRigRelative`) and more than 1 px outside the rest opening, above it.
 * - Its iris part: band pixels 0.5–0.9 iris radii from the rest iris centre (the iris's outer ring, clear of the pupil);
 *   compared with the photo's visible iris ring (rest opening inset 1 px, 0.5–0.9 radii): ΔL* of the means.
 * - Its sclera part: band pixels farther than 1.2 iris radii from the iris; compared with the photo's visible sclera
 *   (rest opening inset 1 px, beyond 1.2 radii, L* ≥ the measured sclera's L* − 12 and C* ≤ its C* + 12:
 *   core/face/sceneLight.ts `measureScleraLight`, the rule of eyeGazeSclera.test.ts): ΔL* of the means.
 * A new-user run drew "googly eyes" on img06 (Mona Lisa): the band was the lid's skin and lashes, +31 L* over the iris on
 * img06 and +51 on img01 in an earlier measurement. img01 and img06 were looked at while fixing; img02 is held out.
 */
import { describe, expect, it } from 'vitest';
import { useRenderHost } from '../../helpers/useRenderHost.ts';
import { BS } from '../../../core/motion/names.ts';
import type { LoadedPortraitInfo } from '../../../pipeline/render/renderHost.ts';
import { buildPhotoHeadRig, evaluateRigRelative, RIG_VERTEX_COUNT } from '../../../core/rig/rig.ts';
import { measureRestExpression } from '../../../core/rig/restExpression.ts';
import { EYE_LEFT, EYE_RIGHT, type EyeRegion } from '../../../core/rig/topology.ts';
import { signedDistanceToPolygon } from '../../../core/math/polygon.ts';
import { measureScleraLight } from '../../../core/face/sceneLight.ts';
import { analyzePortrait, loadPortrait, referenceCrop, toOutputPx, type Portrait } from './helpers.ts';
import { HAS_CORPUS } from '../../helpers/media.ts';
import { lab, type Rgb } from '../../helpers/colour.ts';

const S = 512;
const px3 = (rgba: Uint8Array, i: number): Rgb => [rgba[i * 4]!, rgba[i * 4 + 1]!, rgba[i * 4 + 2]!];

/** Signed distance (output px, > 0 inside) of every output pixel in the box of a landmark polygon. */
function polygonDistance(px: Float32Array, ids: readonly number[], info: LoadedPortraitInfo): Map<number, number> {
  const poly = ids.flatMap((i) => toOutputPx(info.cropPx, S, S, px[i * 3]!, px[i * 3 + 1]!));
  const xs = poly.filter((_, k) => k % 2 === 0);
  const ys = poly.filter((_, k) => k % 2 === 1);
  const out = new Map<number, number>();
  for (let y = Math.max(0, Math.floor(Math.min(...ys)) - 3); y <= Math.min(S - 1, Math.ceil(Math.max(...ys)) + 3); y++) {
    for (let x = Math.max(0, Math.floor(Math.min(...xs)) - 3); x <= Math.min(S - 1, Math.ceil(Math.max(...xs)) + 3); x++) {
      out.set(y * S + x, signedDistanceToPolygon(poly, x + 0.5, y + 0.5));
    }
  }
  return out;
}

const meanL = (rgba: Uint8Array, idx: readonly number[]): number => idx.reduce((s, i) => s + lab(px3(rgba, i))[0], 0) / Math.max(1, idx.length);
const opening = (r: EyeRegion): number[] => [r.lower0[0]!, ...r.upper0, r.lower0.at(-1)!, ...[...r.lower0].reverse()];

describe.skipIf(!HAS_CORPUS)('photo-head eyes: what a raised upper lid uncovers (eyeWide 1, 512²)', () => {
  const host = useRenderHost({ widthPx: S, heightPx: S });

  const PORTRAITS: [string, () => Promise<Portrait>][] = [
    ['img06', () => loadPortrait('img06')],
    ['img01', () => loadPortrait('img01')],
    ['img02 (held out)', () => analyzePortrait('images/img02_darkskin_ai_woman_rgba.png')],
  ];

  it.each(PORTRAITS)('%s: the uncovered band is iris in the iris\'s lightness and sclera in the photo\'s eye white', async (name, load) => {
    const p = await load();
    const info = await host().loadPortrait(p.image, p.face);
    const photo = await referenceCrop(p.image, info.cropPx, S, S);
    const rest = measureRestExpression(p.face.landmarksPx, p.face.landmarkCount).weights;
    const w = Float32Array.from(rest);
    w[BS.eyeWideLeft] = 1;
    w[BS.eyeWideRight] = 1;
    const img = await host().renderStill({ blendshapes: w });
    const rig = buildPhotoHeadRig(p.face.landmarksPx, p.face.landmarkCount);
    const posed = evaluateRigRelative(rig, w, rest, new Float32Array(RIG_VERTEX_COUNT * 3));
    const sclera = measureScleraLight(p.image.rgba, p.image.widthPx, p.image.heightPx, p.face.landmarksPx);
    expect(sclera).not.toBeNull();
    const scleraLab = lab(sclera!.rgb.map((v) => v * 255) as Rgb);
    const scale = S / info.cropPx.widthPx;
    const report: string[] = [];
    const irisDL: number[] = [];
    const scleraDL: number[] = [];
    for (const [k, region] of ([EYE_RIGHT, EYE_LEFT] as EyeRegion[]).entries()) {
      const eye = rig.eyes[k]!;
      const [cx, cy] = toOutputPx(info.cropPx, S, S, eye.irisCenterPx[0], eye.irisCenterPx[1]);
      const r = eye.irisRadiusPx * scale;
      const at = (i: number): number => Math.hypot((i % S) + 0.5 - cx, Math.floor(i / S) + 0.5 - cy) / r;
      const restD = polygonDistance(rig.restPx, opening(region), info);
      const posedD = polygonDistance(posed, opening(region), info);
      const restTopY = (i: number): boolean => Math.floor(i / S) + 0.5 < cy;
      const band = [...posedD].filter(([i, d]) => d > 0.5 && (restD.get(i) ?? -Infinity) < -0.5 && restTopY(i)).map(([i]) => i);
      const seen = [...restD].filter(([, d]) => d > 1).map(([i]) => i);
      const bandIris = band.filter((i) => at(i) > 0.5 && at(i) < 0.95);
      const bandSclera = band.filter((i) => at(i) > 1.2);
      const photoIris = seen.filter((i) => at(i) > 0.5 && at(i) < 0.9);
      const photoSclera = seen.filter((i) => {
        if (at(i) < 1.2) return false;
        const c = lab(px3(photo, i));
        return c[0] >= scleraLab[0] - 12 && Math.hypot(c[1], c[2]) <= Math.hypot(scleraLab[1], scleraLab[2]) + 12;
      });
      const side = k === 0 ? 'R' : 'L';
      report.push(`${side} band ${band.length} px`);
      if (bandIris.length >= 5 && photoIris.length >= 8) {
        irisDL.push(meanL(img, bandIris) - meanL(photo, photoIris));
        report.push(`${side} iris L* ${meanL(photo, photoIris).toFixed(1)}→${meanL(img, bandIris).toFixed(1)} (${bandIris.length} px)`);
      }
      if (bandSclera.length >= 8 && photoSclera.length >= 8) {
        scleraDL.push(meanL(img, bandSclera) - meanL(photo, photoSclera));
        report.push(`${side} sclera L* ${meanL(photo, photoSclera).toFixed(1)}→${meanL(img, bandSclera).toFixed(1)} (${bandSclera.length} px)`);
      }
    }
    console.log(`${name} eyeWide 1, uncovered band vs the photo (subject's eye): ${report.join(', ')}`);
    expect(irisDL.length).toBeGreaterThanOrEqual(1);
    // Bounds set after seeing the numbers (ΔL* of the uncovered band, subject's R, L eye; main → this change):
    // iris img06 +27.7, +29.1 → −3.7, +2.9; img01 +51.6, +50.9 → +1.5, −3.3; img02 (held out) +33.2, +30.1 → −1.6, −3.2;
    // so the iris within 8 L* of the photo's iris ring (main fails it on every portrait). Sclera img06 +0.6, −9.9 →
    // −11.0, −13.9; img01 −25.2, −15.2 → −15.0, −13.1; img02 −12.3, −9.2 → −13.3, −13.1: the white under a raised lid lies
    // in its shade, darker than the brightest whites the reference keeps; bounded at −18…+6 (a guard against a flat
    // bright patch or a dark hole, not a fix main fails: main fails it only on img01's right eye).
    for (const d of irisDL) expect(Math.abs(d)).toBeLessThan(8);
    for (const d of scleraDL) {
      expect(d).toBeGreaterThan(-18);
      expect(d).toBeLessThan(6);
    }
  }, 300_000);
});
