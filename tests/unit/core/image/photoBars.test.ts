/**
 * Issue 13: letterbox / pillarbox bars stay put. vid06's frame 0 (shared corpus) has a black bar down its left side;
 * the person matte took the bar beside the dark hair as person, so under orbit the bar's edge tilted with the head, and
 * the plate's fill mixed the bar into a grey triangle beside the neck in self-reenactment. Now the bar is found
 * (core/image/photoBars.ts), is never person, and the plate keeps it and continues it into its margins.
 * The frame is analysed with the product's face analyzer (tests/integration/render/helpers.ts `videoFramePortrait`).
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { photoBars } from '../../../../core/image/photoBars.ts';
import { decodeImage } from '../../../../pipeline/image/decodeImage.ts';
import { videoFramePortrait } from '../../../integration/render/helpers.ts';
import { portraitLayers } from './plateMetrics.ts';

const CORPUS = path.resolve(process.cwd(), '../shared/corpus/images');

describe('photo bars (letterbox / pillarbox)', () => {
  it('vid06 frame 0: the left bar is found, is not person, and the plate keeps it and continues it past the photo', async () => {
    const p = await videoFramePortrait('vid06_woman_winks_gaze_512p30.mp4', 0);
    const W0 = p.image.widthPx;
    const bars = photoBars(p.image.rgba, W0, p.image.heightPx);
    console.log(`vid06 f0 ${W0}×${p.image.heightPx}: bars ${JSON.stringify(bars)}`);
    // The bar is 60 columns of near-black (looked at), plus one guard column.
    expect(bars.leftPx).toBeGreaterThanOrEqual(58);
    expect(bars.leftPx).toBeLessThanOrEqual(64);
    expect(bars.rightPx + bars.topPx + bars.bottomPx).toBe(0);
    // As the render host lays it out for a 256² head framing.
    const L = await portraitLayers(p.image.rgba, W0, p.image.heightPx, p.face.landmarksPx, p.face.landmarkCount, 256);
    const barPx = photoBars(L.rgba, L.W, L.H).leftPx;
    expect(barPx).toBeGreaterThan(20);
    let alphaOnBar = 0;
    for (let y = 0; y < L.H; y++) for (let x = 0; x < barPx; x++) alphaOnBar = Math.max(alphaOnBar, L.alpha[y * L.W + x]!);
    // The plate: the photo itself over the bar, the bar's colour in the margin left of it.
    const pl = L.plate;
    const ox = -pl.originXPx;
    const oy = -pl.originYPx;
    let onBarDiff = 0;
    for (let y = 0; y < L.H; y++) {
      for (let x = 0; x < barPx; x++) {
        const k = (y + oy) * pl.widthPx + x + ox;
        for (let c = 0; c < 3; c++) onBarDiff = Math.max(onBarDiff, Math.abs(pl.rgba[k * 4 + c]! - L.rgba[(y * L.W + x) * 4 + c]!));
      }
    }
    let marginLuma = 0;
    let n = 0;
    for (let y = 0; y < pl.heightPx; y++) {
      for (let x = 0; x < ox; x++) {
        const k = (y * pl.widthPx + x) * 4;
        marginLuma += 0.299 * pl.rgba[k]! + 0.587 * pl.rgba[k + 1]! + 0.114 * pl.rgba[k + 2]!;
        n++;
      }
    }
    marginLuma /= Math.max(1, n);
    console.log(`vid06 f0 at 256²: bar ${barPx} px, max person alpha on the bar ${alphaOnBar}, plate vs photo on the bar ≤ ${onBarDiff} levels, left margin (${ox} px) mean luma ${marginLuma.toFixed(1)}`);
    // On main: person alpha 48 on the bar (the face core reached onto it), the plate filled over the bar (86 levels off
    // the photo); the margin was dark there too (5.3).
    expect(alphaOnBar).toBe(0);
    expect(onBarDiff).toBe(0);
    expect(ox).toBeGreaterThan(0);
    expect(marginLuma).toBeLessThan(12);
  }, 120_000);

  it('portraits without bars (corpus, astronaut) have none', async () => {
    for (const file of [path.join(CORPUS, 'img01_frontal_ai_man_jpeg-named-png.png'), path.join(CORPUS, 'img05_elderly_woman_painting_ai.png'), path.join(CORPUS, 'img06_monalisa_painting_pd.jpg'), path.join(CORPUS, 'img02_darkskin_ai_woman_rgba.png'), path.resolve('assets/samples/astronaut.png')]) {
      const img = await decodeImage(file);
      expect(photoBars(img.rgba, img.widthPx, img.heightPx)).toEqual({ leftPx: 0, rightPx: 0, topPx: 0, bottomPx: 0 });
    }
  });

  it('a synthetic letterbox: flat rows of one colour with encoder-like noise are a bar, a textured edge is not', () => {
    const W = 120;
    const H = 90;
    const rgba = new Uint8Array(W * H * 4);
    let seed = 7;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const k = (y * W + x) * 4;
        const bar = y < 10;
        const v = bar ? 16 + Math.round(rnd() * 3 - 1.5) : Math.round(100 + 60 * Math.sin(x / 3) * Math.cos(y / 4));
        rgba[k] = rgba[k + 1] = rgba[k + 2] = v;
        rgba[k + 3] = 255;
      }
    }
    expect(photoBars(rgba, W, H)).toEqual({ leftPx: 0, rightPx: 0, topPx: 11, bottomPx: 0 });
  });
});
