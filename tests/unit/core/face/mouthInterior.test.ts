import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { buildMouthInterior, estimateEdgeSigmaPx, estimateGrainSigma } from '../../../../core/face/mouthInterior.ts';
import { signedDistanceToPolygon } from '../../../../core/math/polygon.ts';
import { buildPhotoHeadRig } from '../../../../core/rig/rig.ts';
import { loadPortrait } from '../../../integration/render/helpers.ts';
import { HAS_CORPUS, corpus } from '../../../helpers/media.ts';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ffmpegInstaller from '@ffmpeg-installer/ffmpeg';
import { decodeImage } from '../../../../pipeline/image/decodeImage.ts';
import { analyzeImageFile } from '../../../../pipeline/face/faceAnalyzer.ts';
import { lab } from '../../../helpers/colour.ts';

describe.skipIf(!HAS_CORPUS)('mouth interior helpers (corpus portraits)', () => {
  it('signed distance to a 10 px square: +3 inside 3 px from an edge, −2 outside', () => {
    const sq = [0, 0, 10, 0, 10, 10, 0, 10];
    expect(signedDistanceToPolygon(sq, 3, 5)).toBeCloseTo(3, 6);
    expect(signedDistanceToPolygon(sq, 12, 5)).toBeCloseTo(-2, 6);
    expect(signedDistanceToPolygon(sq, 13, 14)).toBeCloseTo(-5, 6);
  });

  it('grain: recovers the σ of seeded Gaussian noise on a flat grey image within 15 %', () => {
    const W = 96;
    let a = 7;
    const rand = (): number => {
      a = (a * 1664525 + 1013904223) >>> 0;
      return a / 4294967296;
    };
    for (const sigma of [0.01, 0.04]) {
      const rgba = new Uint8Array(W * W * 4);
      for (let i = 0; i < W * W; i++) {
        const n = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
        const v = Math.round(128 + 255 * sigma * n);
        rgba.set([v, v, v, 255], i * 4);
      }
      const est = estimateGrainSigma(rgba, W, W, [[48, 48]], 40);
      expect(Math.abs(est - sigma) / sigma).toBeLessThan(0.15);
    }
  });

  it.each([['img05', 1.5], ['img06', 1.5]] as const)('edge sharpness: %s blurred with σ = %f px measures a wider edge (at most √(σ₀² + σ²))', async (name, blur) => {
    const p = await loadPortrait(name);
    const rig = buildPhotoHeadRig(p.face.landmarksPx, p.face.landmarkCount);
    const { widthPx: W, heightPx: H } = p.image;
    const s0 = estimateEdgeSigmaPx(p.image.rgba, W, H, p.face.landmarksPx, rig.frame.ey, rig.frame.iodPx);
    const blurred = new Uint8Array(await sharp(Buffer.from(p.image.rgba), { raw: { width: W, height: H, channels: 4 } }).blur(blur).raw().toBuffer());
    const s1 = estimateEdgeSigmaPx(blurred, W, H, p.face.landmarksPx, rig.frame.ey, rig.frame.iodPx);
    const expected = Math.min(4, Math.sqrt(s0 * s0 + blur * blur));
    console.log(`${name} edge σ ${s0.toFixed(2)} px, blurred σ=${blur}: ${s1.toFixed(2)} px (expected ≈ ${expected.toFixed(2)})`);
    // Measured: img05 0.50 → 1.01 (expected 1.58), img06 1.11 → 1.32 (1.87): the estimator follows added blur but
    // under-reads it (the ±0.05 IOD profiles clip the widened edge), so the synthesis is, if anything, a bit sharper
    // than the photo. Asserted: it rises, by at least 0.15 px and at most the expected amount.
    expect(s1).toBeGreaterThan(s0 + 0.15);
    expect(s1).toBeLessThanOrEqual(expected + 0.05);
  });

  it('img01 (closed mouth): no photo teeth, synthesised teeth in the light of the photo, lighter than the cavity', async () => {
    const p = await loadPortrait('img01');
    const rig = buildPhotoHeadRig(p.face.landmarksPx, p.face.landmarkCount);
    const m = buildMouthInterior(p.image.rgba, p.image.widthPx, p.image.heightPx, p.face.landmarksPx, rig.frame, { a0: -0.5, a1: 0.5, b0: -0.3, b1: 0.9 });
    const L = (c: number[]): number => 0.299 * c[0]! + 0.587 * c[1]! + 0.114 * c[2]!;
    expect(m.photoTeethPx).toBe(0);
    expect(L(m.palette.teethRgb)).toBeGreaterThan(3 * L(m.palette.cavityRgb));
    // Warm photo light: red ≥ blue in the teeth (not cold blue-white).
    expect(m.palette.teethRgb[0]).toBeGreaterThanOrEqual(m.palette.teethRgb[2]);
    // Upper teeth texels exist just below the upper lip (b = upper inner lip + 0.02 IOD) in the middle of a central
    // incisor (a = 0.065 IOD; at the midline the incisors' rounded corners leave an embrasure open at the edge).
    const f = rig.frame;
    const b = m.upperEdgeB - 0.015;
    const a = 0.065;
    const x = f.mouthCenterPx[0] + (a * f.ex[0] + b * f.ey[0]) * f.iodPx;
    const y = f.mouthCenterPx[1] + (a * f.ex[1] + b * f.ey[1]) * f.iodPx;
    const tx = Math.floor((x - m.originPx[0]) * m.texelsPerPx);
    const ty = Math.floor((y - m.originPx[1]) * m.texelsPerPx);
    expect(m.upperRgba[(ty * m.widthTexels + tx) * 4 + 3]).toBeGreaterThan(200);
  });

  it('vid05 (warm wooden wall): teeth synthesised for a closed-mouth frame match the same man\'s real teeth in open frames', async () => {
    // Frame 13: lips closed, no teeth; frames 40 and 120: the mouth open on his own teeth, under the same light.
    const dir = mkdtempSync(path.join(tmpdir(), 'teeth-'));
    try {
      const palette = async (frameIndex: number): Promise<{ teeth: number[]; photoTeethPx: number }> => {
        const file = path.join(dir, `f${frameIndex}.png`);
        execFileSync(ffmpegInstaller.path, ['-loglevel', 'error', '-i', corpus('video/vid05_man_excited_wide_mouth_512p25.mp4'), '-vf', `select=eq(n\\,${frameIndex})`, '-frames:v', '1', file]);
        const img = await decodeImage(file);
        const face = (await analyzeImageFile(file)).faces[0]!;
        const rig = buildPhotoHeadRig(face.landmarksPx, face.landmarkCount);
        const m = buildMouthInterior(img.rgba, img.widthPx, img.heightPx, face.landmarksPx, rig.frame, { a0: -0.5, a1: 0.5, b0: -0.3, b1: 0.9 });
        return { teeth: m.palette.teethRgb, photoTeethPx: m.photoTeethPx };
      };
      const lch = (rgb: number[]): [number, number, number] => {
        const [L, a, b] = lab(rgb.map((c) => c * 255) as [number, number, number]);
        return [L, Math.hypot(a, b), (Math.atan2(b, a) * 180) / Math.PI];
      };
      const closed = await palette(13);
      const open = [await palette(40), await palette(120)];
      expect(closed.photoTeethPx).toBe(0);
      for (const o of open) expect(o.photoTeethPx).toBeGreaterThan(100);
      const [, cS, hS] = lch(closed.teeth);
      const real = open.map((o) => lch(o.teeth));
      console.log(`vid05 synthesised teeth C* ${cS.toFixed(1)} h ${hS.toFixed(0)}°; real ${real.map(([, c, h]) => `C* ${c.toFixed(1)} h ${h.toFixed(0)}°`).join(', ')}`);
      // Measured: synthesised C* 22.0 h 27°, real C* 20.6 h 34° and 23.2 h 15°. The whole image's grey-world light
      // (the wall) gave C* 40 h 62° (golden). Asserted: chroma within 5 of the real teeth's range, hue within 25°.
      const cs = real.map(([, c]) => c);
      expect(cS).toBeGreaterThan(Math.min(...cs) - 5);
      expect(cS).toBeLessThan(Math.max(...cs) + 5);
      for (const [, , h] of real) expect(Math.abs(hS - h)).toBeLessThan(25);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
