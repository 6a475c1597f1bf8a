import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeImage, sniffImageContainer } from '../../../../pipeline/image/decodeImage.ts';
import { InvalidInputError, UnsupportedMediaError } from '../../../../core/errors.ts';

const CORPUS = path.resolve(process.cwd(), '../shared/corpus');
const tmp = mkdtempSync(path.join(tmpdir(), 'decode-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Mean absolute difference of the RGB channels of two same-size RGBA images (0..255). */
function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < a.length; i += 4) for (let k = 0; k < 3; k++, n++) s += Math.abs(a[i + k]! - b[i + k]!);
  return s / n;
}

describe('decodeImage', () => {
  it('sniffs JPEG bytes behind a .png name', async () => {
    const img = await decodeImage(`${CORPUS}/images/img01_frontal_ai_man_jpeg-named-png.png`);
    expect(img.format).toBe('jpeg');
    expect([img.widthPx, img.heightPx]).toEqual([1342, 1342]);
    expect(img.rgba.length).toBe(1342 * 1342 * 4);
    expect(img.hadAlpha).toBe(false);
  });

  it('applies EXIF orientation 6 so b04 matches the upright img01', async () => {
    const upright = await decodeImage(`${CORPUS}/images/img01_frontal_ai_man_jpeg-named-png.png`);
    const rotated = await decodeImage(`${CORPUS}/bugs/b04_exif_orient6_portrait.jpg`);
    expect([rotated.widthPx, rotated.heightPx]).toEqual([1342, 1342]);
    const d = meanAbsDiff(upright.rgba, rotated.rgba);
    expect(d).toBeLessThan(4); // re-encoding noise only; a wrong rotation gives tens of levels
  });

  it('converts CMYK to sRGB close to the RGB original', async () => {
    const rgb = await decodeImage(`${CORPUS}/images/img01_frontal_ai_man_jpeg-named-png.png`);
    const cmyk = await decodeImage(`${CORPUS}/bugs/b22_portrait_cmyk.jpg`);
    expect(meanAbsDiff(rgb.rgba, cmyk.rgba)).toBeLessThan(12);
  });

  it('expands grayscale to RGBA with equal channels', async () => {
    const g = await decodeImage(`${CORPUS}/images/img11_einstein_grayscale_68pt.jpg`);
    expect([g.widthPx, g.heightPx]).toEqual([817, 1024]);
    const o = (500 * 817 + 400) * 4;
    expect(g.rgba[o]).toBe(g.rgba[o + 1]);
    expect(g.rgba[o + 3]).toBe(255);
  });

  it('reads WebP, transparent PNG and a non-ASCII path', async () => {
    const webp = await decodeImage(`${CORPUS}/bugs/b23b_hopper_128.webp`);
    expect([webp.format, webp.widthPx]).toEqual(['webp', 128]);
    const t = await decodeImage(`${CORPUS}/bugs/b03_portrait_transparent_bg_rgba.png`);
    expect(t.hadAlpha).toBe(true);
    expect(t.rgba[3]).toBe(0); // corner is transparent
    const na = await decodeImage(`${CORPUS}/bugs/b18_non-ascii path ü 路径/头像 é [1] 'quote'.jpg`);
    expect(na.widthPx).toBe(1342);
  });

  it('reduces 16-bit PNG to 8 bits', async () => {
    const src = await sharp(readFileSync(`${CORPUS}/bugs/b23b_hopper_128.webp`)).toColourspace('rgb16').png().toBuffer();
    const meta = await sharp(src).metadata();
    expect(meta.depth).toBe('ushort');
    const img = await decodeImage(src, { sourceName: 'hopper16.png' });
    const ref = await decodeImage(`${CORPUS}/bugs/b23b_hopper_128.webp`);
    expect(meanAbsDiff(img.rgba, ref.rgba)).toBeLessThan(1);
  });

  it('names the file and the reason for bad inputs', async () => {
    const empty = path.join(tmp, 'empty.png');
    writeFileSync(empty, '');
    await expect(decodeImage(empty)).rejects.toThrow(/empty\.png" is empty \(0 bytes\)/);
    const txt = path.join(tmp, 'notes.txt');
    writeFileSync(txt, 'hello, this is not a picture\n');
    await expect(decodeImage(txt)).rejects.toThrow(/notes\.txt" is not a supported image: it is text/);
    await expect(decodeImage(`${CORPUS}/bugs/b10_mp3_bytes_named_dot_wav.wav`)).rejects.toThrow(/MP3 audio/);
    await expect(decodeImage(`${CORPUS}/video/vid01_talking_man_own_speech_480p25.mp4`)).rejects.toBeInstanceOf(UnsupportedMediaError);
    await expect(decodeImage(path.join(tmp, 'missing.jpg'))).rejects.toBeInstanceOf(InvalidInputError);
    const truncated = path.join(tmp, 'trunc.jpg');
    writeFileSync(truncated, readFileSync(`${CORPUS}/images/img09_two_faces.jpg`).subarray(0, 3000));
    await expect(decodeImage(truncated)).rejects.toThrow(/trunc\.jpg" cannot be decoded/);
  });

  it('sniffs signatures', () => {
    expect(sniffImageContainer(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe('png');
    expect(sniffImageContainer(new TextEncoder().encode('plain text'))).toBeNull();
  });
});
