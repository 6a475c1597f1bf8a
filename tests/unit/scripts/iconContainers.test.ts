/**
 * The installer icons: the ICO and ICNS writers read back entry by entry (every entry a PNG that decodes at its
 * declared size), and the committed icons under assets/build are what scripts/makeIcons.ts writes and what
 * electron-builder.yml names.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { writeIcns, writeIco, type IconImage } from '../../../scripts/iconContainers.ts';
import { renderIcon } from '../../../scripts/makeIcons.ts';

const BUILD = path.join(process.cwd(), 'assets/build');

/** ICO entries: declared size, bits per pixel, and the embedded image's real size. */
async function readIco(bytes: Uint8Array): Promise<{ declaredPx: number; bitCount: number; pngPx: [number, number] }[]> {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  expect([v.getUint16(0, true), v.getUint16(2, true)]).toEqual([0, 1]);
  const out = [];
  for (let k = 0; k < v.getUint16(4, true); k++) {
    const e = 6 + 16 * k;
    const size = v.getUint32(e + 8, true);
    const offset = v.getUint32(e + 12, true);
    expect(offset + size).toBeLessThanOrEqual(bytes.byteLength);
    const meta = await sharp(bytes.subarray(offset, offset + size)).metadata();
    expect(meta.format).toBe('png');
    out.push({ declaredPx: bytes[e] || 256, bitCount: v.getUint16(e + 6, true), pngPx: [meta.width, meta.height] as [number, number] });
  }
  return out;
}

/** ICNS elements: type and the embedded PNG's size; checks the lengths add up to the file. */
async function readIcns(bytes: Uint8Array): Promise<{ type: string; px: number }[]> {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ascii = (at: number): string => String.fromCharCode(...bytes.subarray(at, at + 4));
  expect(ascii(0)).toBe('icns');
  expect(v.getUint32(4)).toBe(bytes.byteLength);
  const out = [];
  for (let at = 8; at < bytes.byteLength; ) {
    const len = v.getUint32(at + 4);
    const meta = await sharp(bytes.subarray(at + 8, at + len)).metadata();
    expect(meta.width).toBe(meta.height);
    out.push({ type: ascii(at), px: meta.width });
    at += len;
  }
  return out;
}

describe('icon containers', () => {
  it('write ICO and ICNS files whose entries decode at their declared sizes', async () => {
    const master = await renderIcon(1024);
    const images: IconImage[] = [];
    for (const sizePx of [16, 32, 256, 512]) images.push({ sizePx, png: await renderIcon(sizePx, master) });
    const ico = await readIco(writeIco(images.filter((i) => i.sizePx <= 256)));
    expect(ico).toEqual([
      { declaredPx: 16, bitCount: 32, pngPx: [16, 16] },
      { declaredPx: 32, bitCount: 32, pngPx: [32, 32] },
      { declaredPx: 256, bitCount: 32, pngPx: [256, 256] },
    ]);
    expect(await readIcns(writeIcns(images))).toEqual([
      { type: 'icp4', px: 16 },
      { type: 'icp5', px: 32 },
      { type: 'ic11', px: 32 },
      { type: 'ic08', px: 256 },
      { type: 'ic13', px: 256 },
      { type: 'ic09', px: 512 },
      { type: 'ic14', px: 512 },
    ]);
  });

  it('refuse sizes the formats cannot hold and PNGs that do not match their size', async () => {
    const png512 = await renderIcon(512);
    expect(() => writeIco([{ sizePx: 512, png: png512 }])).toThrow(/1–256 px, got 512/);
    expect(() => writeIco([{ sizePx: 256, png: png512 }])).toThrow(/the PNG is 512×512/);
    const png48 = await renderIcon(48);
    expect(() => writeIcns([{ sizePx: 48, png: png48 }])).toThrow(/at least one image/);
    expect(() => writeIcns([{ sizePx: 16, png: new Uint8Array(40) }])).toThrow(/not a PNG/);
  });

  it('the committed icons are complete and named by electron-builder.yml', async () => {
    const yml = readFileSync(path.join(process.cwd(), 'electron-builder.yml'), 'utf8');
    for (const ref of ['assets/build/icon.icns', 'assets/build/icon.ico', 'assets/build/icons']) expect(yml).toContain(ref);
    expect((await sharp(path.join(BUILD, 'icon.png')).metadata()).width).toBe(512);
    for (const n of [16, 32, 48, 64, 128, 256, 512]) expect((await sharp(path.join(BUILD, 'icons', `${n}x${n}.png`)).metadata()).height).toBe(n);
    const ico = await readIco(readFileSync(path.join(BUILD, 'icon.ico')));
    expect(ico.map((e) => e.declaredPx)).toEqual([16, 24, 32, 48, 64, 128, 256]);
    expect(ico.every((e) => e.pngPx[0] === e.declaredPx)).toBe(true);
    const icns = await readIcns(readFileSync(path.join(BUILD, 'icon.icns')));
    expect(icns.map((e) => e.px)).toEqual([16, 32, 32, 64, 64, 128, 256, 256, 512, 512, 1024]);
    // the committed 256 px icon is the design as the script renders it now (within PNG re-encoding: same pixels)
    const committed = await sharp(path.join(BUILD, 'icons', '256x256.png')).raw().toBuffer();
    const fresh = await sharp(await renderIcon(256)).raw().toBuffer();
    expect(Buffer.compare(committed, fresh)).toBe(0);
    expect(existsSync(path.join(BUILD, 'icon.svg'))).toBe(true);
  });
});
