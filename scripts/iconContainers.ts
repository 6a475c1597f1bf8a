/**
 * Icon containers for the installers, written from PNG images: Windows `.ico` and macOS `.icns`. Both formats can
 * hold PNG data directly, so no bitmap encoding is needed here (the PNGs come from sharp, scripts/makeIcons.ts).
 *
 * @remarks ICO: Microsoft, "Icons" (ICONDIR 6 bytes: reserved 0, type 1, count; one 16-byte ICONDIRENTRY per image:
 * width, height (0 = 256), colour count 0, reserved 0, planes 1, bits per pixel 32, byte size, offset; all little
 * endian); PNG-compressed images are read since Windows Vista. ICNS: Apple's icon family format as documented in
 * Apple's Icon Services headers (IconsCore.h) — big-endian `icns` + total length, then elements of OSType + length
 * (including its 8-byte header) + data; the PNG-capable types used: `icp4` 16, `icp5` 32, `icp6` 64, `ic07` 128,
 * `ic08` 256, `ic09` 512, `ic10` 1024 (512@2x), `ic11` 32 (16@2x), `ic12` 64 (32@2x), `ic13` 256 (128@2x),
 * `ic14` 512 (256@2x).
 */

/** One PNG image of a given square size. */
export interface IconImage {
  /** Side length, px (1–256 for ICO). */
  sizePx: number;
  /** PNG file bytes. */
  png: Uint8Array;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** @throws Error when `bytes` is not a PNG of `sizePx` × `sizePx` (IHDR width and height). */
function checkPng(img: IconImage): void {
  const b = img.png;
  if (b.length < 24 || PNG_SIGNATURE.some((v, i) => b[i] !== v)) throw new Error(`icon ${img.sizePx}px: not a PNG`);
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const w = view.getUint32(16);
  const h = view.getUint32(20);
  if (w !== img.sizePx || h !== img.sizePx) throw new Error(`icon ${img.sizePx}px: the PNG is ${w}×${h}`);
}

/**
 * Writes a Windows icon holding the images as PNG entries.
 * @param images - square PNGs of 1–256 px, each size once (order kept).
 * @returns the `.ico` bytes.
 * @throws Error for a size outside 1–256, a repeated size, or a PNG that does not match its size.
 */
export function writeIco(images: readonly IconImage[]): Uint8Array {
  const seen = new Set<number>();
  for (const img of images) {
    if (!(Number.isInteger(img.sizePx) && img.sizePx >= 1 && img.sizePx <= 256)) throw new Error(`ICO images are 1–256 px, got ${img.sizePx}`);
    if (seen.has(img.sizePx)) throw new Error(`ICO size ${img.sizePx} given twice`);
    seen.add(img.sizePx);
    checkPng(img);
  }
  const headerBytes = 6 + 16 * images.length;
  const out = new Uint8Array(headerBytes + images.reduce((n, i) => n + i.png.byteLength, 0));
  const view = new DataView(out.buffer);
  view.setUint16(0, 0, true);
  view.setUint16(2, 1, true);
  view.setUint16(4, images.length, true);
  let offset = headerBytes;
  images.forEach((img, k) => {
    const e = 6 + 16 * k;
    out[e] = img.sizePx === 256 ? 0 : img.sizePx;
    out[e + 1] = img.sizePx === 256 ? 0 : img.sizePx;
    out[e + 2] = 0;
    out[e + 3] = 0;
    view.setUint16(e + 4, 1, true);
    view.setUint16(e + 6, 32, true);
    view.setUint32(e + 8, img.png.byteLength, true);
    view.setUint32(e + 12, offset, true);
    out.set(img.png, offset);
    offset += img.png.byteLength;
  });
  return out;
}

/** ICNS element type for each PNG side length, px (the 1x type first when a size has two). */
export const ICNS_TYPES: readonly { type: string; sizePx: number }[] = [
  { type: 'icp4', sizePx: 16 },
  { type: 'icp5', sizePx: 32 },
  { type: 'ic11', sizePx: 32 },
  { type: 'icp6', sizePx: 64 },
  { type: 'ic12', sizePx: 64 },
  { type: 'ic07', sizePx: 128 },
  { type: 'ic08', sizePx: 256 },
  { type: 'ic13', sizePx: 256 },
  { type: 'ic09', sizePx: 512 },
  { type: 'ic14', sizePx: 512 },
  { type: 'ic10', sizePx: 1024 },
];

/**
 * Writes a macOS icon family: every {@link ICNS_TYPES} element whose size is among the images.
 * @param images - square PNGs (sizes 16, 32, 64, 128, 256, 512, 1024 are used; others ignored).
 * @returns the `.icns` bytes.
 * @throws Error when no image has a usable size or a PNG does not match its size.
 */
export function writeIcns(images: readonly IconImage[]): Uint8Array {
  for (const img of images) checkPng(img);
  const bySize = new Map(images.map((i) => [i.sizePx, i.png]));
  const elements = ICNS_TYPES.filter((t) => bySize.has(t.sizePx)).map((t) => ({ type: t.type, png: bySize.get(t.sizePx)! }));
  if (!elements.length) throw new Error('ICNS needs at least one image of 16, 32, 64, 128, 256, 512 or 1024 px');
  const total = 8 + elements.reduce((n, e) => n + 8 + e.png.byteLength, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  const ascii = (at: number, s: string): void => {
    for (let i = 0; i < 4; i++) out[at + i] = s.charCodeAt(i);
  };
  ascii(0, 'icns');
  view.setUint32(4, total);
  let at = 8;
  for (const e of elements) {
    ascii(at, e.type);
    view.setUint32(at + 4, 8 + e.png.byteLength);
    out.set(e.png, at + 8);
    at += 8 + e.png.byteLength;
  }
  return out;
}
