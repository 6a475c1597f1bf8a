/**
 * Images sharp cannot read (issue 15): binary PPM (was refused as "text"), PGM, BMP and TGA are decoded through the
 * bundled ffmpeg. Inputs are generated here from one synthetic RGB gradient; the answer is that gradient.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveFfmpeg } from '../../../../pipeline/ffmpeg/ffmpegPath.ts';
import { decodeImage } from '../../../../pipeline/image/decodeImage.ts';

const run = promisify(execFile);
const W = 96;
const H = 64;

describe('image formats decoded through ffmpeg', () => {
  let dir: string;
  const rgb = new Uint8Array(W * H * 3);
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'img-fallback-'));
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) rgb.set([(x * 255) / (W - 1), (y * 255) / (H - 1), ((x + y) * 7) & 255], (y * W + x) * 3);
    await sharp(rgb, { raw: { width: W, height: H, channels: 3 } }).png().toFile(join(dir, 'src.png'));
    for (const ext of ['ppm', 'pgm', 'bmp', 'tga']) await run(resolveFfmpeg().path, ['-v', 'error', '-y', '-i', join(dir, 'src.png'), join(dir, `img.${ext}`)]);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  for (const ext of ['ppm', 'bmp', 'tga']) {
    it(`${ext.toUpperCase()}: the exact pixels of the source`, async () => {
      const img = await decodeImage(join(dir, `img.${ext}`));
      expect([img.widthPx, img.heightPx]).toEqual([W, H]);
      let maxDiff = 0;
      for (let i = 0; i < W * H; i++) for (let c = 0; c < 3; c++) maxDiff = Math.max(maxDiff, Math.abs(img.rgba[i * 4 + c]! - rgb[i * 3 + c]!));
      expect(maxDiff).toBe(0);
    });
  }

  it('PGM: gray pixels (R = G = B, the source luma within 2 levels)', async () => {
    const img = await decodeImage(join(dir, 'img.pgm'));
    const i = (10 * W + 50) * 4;
    expect(img.rgba[i]).toBe(img.rgba[i + 1]);
    // BT.601 luma of the source pixel (ffmpeg's rgb24 → gray conversion).
    const s = (10 * W + 50) * 3;
    expect(Math.abs(img.rgba[i]! - (0.299 * rgb[s]! + 0.587 * rgb[s + 1]! + 0.114 * rgb[s + 2]!))).toBeLessThanOrEqual(2);
  });

  it('a PPM that is cut short names the format and the problem', async () => {
    const bad = join(dir, 'cut.ppm');
    await writeFile(bad, Buffer.from('P6\n96 64\n255\n\x01\x02'));
    await expect(decodeImage(bad)).rejects.toThrow(/PNM data is corrupt, truncated/);
  });
});
