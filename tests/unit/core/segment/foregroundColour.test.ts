import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { estimateForegroundColours } from '../../../../core/segment/foregroundColour.ts';
import { InvalidInputError } from '../../../../core/errors.ts';

const B03 = path.resolve(process.cwd(), '../shared/corpus/bugs/b03_portrait_transparent_bg_rgba.png');

describe('estimateForegroundColours (blur-fusion, Forte & Pitié 2021)', () => {
  it('b03 cut-out: keeps the person pixels and replaces the black under alpha 0 next to the person with person colours', async () => {
    const { data, info } = await sharp(B03).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    const W = info.width;
    const H = info.height;
    const rgba = new Uint8Array(data);
    const alpha = new Uint8Array(W * H);
    for (let k = 0; k < W * H; k++) alpha[k] = rgba[k * 4 + 3]!;
    const out = estimateForegroundColours(rgba, alpha, W, H);
    let maxDiffOpaque = 0;
    let rawSum = 0;
    let estSum = 0;
    let ring = 0;
    for (let y = 2; y < H - 2; y++) {
      for (let x = 2; x < W - 2; x++) {
        const k = y * W + x;
        if (alpha[k] === 255) {
          for (let c = 0; c < 3; c++) maxDiffOpaque = Math.max(maxDiffOpaque, Math.abs(out[k * 4 + c]! - rgba[k * 4 + c]!));
          continue;
        }
        // Transparent pixels within 2 px of the person: what bilinear sampling at the edge mixes in.
        let near = false;
        for (let dy = -2; dy <= 2 && !near; dy++) for (let dx = -2; dx <= 2 && !near; dx++) near = alpha[k + dy * W + dx] === 255;
        if (!near) continue;
        ring++;
        rawSum += (rgba[k * 4]! + rgba[k * 4 + 1]! + rgba[k * 4 + 2]!) / 3;
        estSum += (out[k * 4]! + out[k * 4 + 1]! + out[k * 4 + 2]!) / 3;
      }
    }
    console.log(`b03 edge ring: ${ring} px, mean grey raw ${(rawSum / ring).toFixed(1)} → estimated ${(estSum / ring).toFixed(1)}; opaque max |Δ| ${maxDiffOpaque}`);
    expect(ring).toBeGreaterThan(500);
    expect(maxDiffOpaque).toBeLessThanOrEqual(1);
    expect(rawSum / ring).toBe(0); // b03 stores black under alpha 0
    expect(estSum / ring).toBeGreaterThan(100); // skin and hair tones instead
    let alphaDiff = 0;
    for (let k = 0; k < W * H; k++) if (out[k * 4 + 3] !== alpha[k]) alphaDiff++;
    expect(alphaDiff).toBe(0);
  });

  it('rejects mismatched sizes', () => {
    expect(() => estimateForegroundColours(new Uint8Array(64), new Uint8Array(15), 4, 4)).toThrow(InvalidInputError);
  });
});
