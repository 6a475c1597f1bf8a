/**
 * Transparent portraits (issue 15): the RGB hidden under alpha 0 (black in most cut-outs) must not reach sampling.
 * Input generated here: an orange disk on a fully transparent black background, as a PNG.
 */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { bleedIntoTransparent } from '../../../../core/filters/bleedTransparent.ts';
import { decodeImage } from '../../../../pipeline/image/decodeImage.ts';

const W = 64;
const H = 48;
const ORANGE = [230, 120, 30];

async function diskPng(): Promise<Buffer> {
  const rgba = new Uint8Array(W * H * 4); // transparent black
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if ((x - 32) ** 2 + (y - 24) ** 2 <= 15 ** 2) rgba.set([...ORANGE, 255], (y * W + x) * 4);
  return sharp(rgba, { raw: { width: W, height: H, channels: 4 } }).png().toBuffer();
}

describe('transparent pixels', () => {
  it('decodeImage gives every alpha-0 pixel the colour of the visible disk, alpha untouched', async () => {
    const img = await decodeImage(await diskPng());
    let transparent = 0;
    for (let i = 0; i < W * H; i++) {
      if (img.rgba[i * 4 + 3] !== 0) continue;
      transparent++;
      expect([img.rgba[i * 4], img.rgba[i * 4 + 1], img.rgba[i * 4 + 2]]).toEqual(ORANGE); // was [0, 0, 0]
    }
    expect(transparent).toBeGreaterThan(2000); // 64×48 minus a radius-15 disk (≈ 709 px)
    // A bilinear sample halfway across the outline is the disk's colour, not a mix with black.
    const edge = (24 * W + 47) * 4; // last visible pixel on the disk's right, row 24
    const outside = edge + 4;
    expect(img.rgba[edge + 3]).toBe(255);
    expect(img.rgba[outside + 3]).toBe(0);
    expect((img.rgba[edge]! + img.rgba[outside]!) / 2).toBe(ORANGE[0]);
  });

  it('nearest visible colour wins: two colours split the transparent gap between them', () => {
    // 1 row: red at x=0, 8 transparent, blue at x=9.
    const rgba = new Uint8Array(10 * 4);
    rgba.set([255, 0, 0, 255], 0);
    rgba.set([0, 0, 255, 255], 9 * 4);
    expect(bleedIntoTransparent(rgba, 10, 1)).toBe(8);
    const reds = [1, 2, 3, 4].map((x) => rgba[x * 4]);
    const blues = [5, 6, 7, 8].map((x) => rgba[x * 4 + 2]);
    expect(reds).toEqual([255, 255, 255, 255]);
    expect(blues).toEqual([255, 255, 255, 255]);
    expect(Array.from({ length: 8 }, (_, k) => rgba[(k + 1) * 4 + 3])).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  });
});
