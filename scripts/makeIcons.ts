/**
 * `npm run icons`: draws the app icon from the vector design below (an SVG written here, rendered by sharp/librsvg)
 * and writes the installer icons electron-builder.yml names: `assets/build/icon.svg` (the design),
 * `icon.png` (512 px), `icons/<N>x<N>.png` (Linux: 16–512 px), `icon.ico` (Windows: 16–256 px) and `icon.icns`
 * (macOS: 16–1024 px), the containers by ./iconContainers.ts. Each file is written to a temp file and renamed.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { writeIcns, writeIco, type IconImage } from './iconContainers.ts';

/** Folder of the build resources (electron-builder's `directories.buildResources`). */
const OUT_DIR = path.resolve(import.meta.dirname, '..', 'assets', 'build');

/**
 * The icon: a head and shoulders in a rounded square, a speech wave beside the open mouth. Drawn on a 1024 grid;
 * the rounded square leaves the 10 % margin of Apple's icon grid (824 px body on 1024).
 */
export const ICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="1024" height="1024" viewBox="0 0 1024 1024">
  <defs>
    <linearGradient id="bg" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="#1d8a99"/>
      <stop offset="1" stop-color="#3a2d86"/>
    </linearGradient>
    <linearGradient id="skin" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="#fde7d6"/>
      <stop offset="1" stop-color="#f2c9ab"/>
    </linearGradient>
    <clipPath id="body"><rect x="100" y="100" width="824" height="824" rx="184"/></clipPath>
  </defs>
  <rect x="100" y="100" width="824" height="824" rx="184" fill="url(#bg)"/>
  <g clip-path="url(#body)">
  <path d="M222 924 C 230 760 330 690 452 680 L 572 680 C 694 690 794 760 802 924 Z" fill="#f5f3ff" opacity="0.92"/>
  <rect x="452" y="600" width="120" height="110" rx="40" fill="url(#skin)"/>
  <ellipse cx="512" cy="440" rx="170" ry="205" fill="url(#skin)"/>
  <path d="M342 410 C 340 270 420 222 512 222 C 610 222 690 276 682 410 C 650 330 590 300 512 300 C 440 300 372 330 342 410 Z" fill="#2b2340"/>
  <ellipse cx="450" cy="445" rx="22" ry="28" fill="#2b2340"/>
  <ellipse cx="574" cy="445" rx="22" ry="28" fill="#2b2340"/>
  <path d="M462 548 Q 512 600 562 548 Q 512 566 462 548 Z" fill="#8a2f45"/>
  <g fill="none" stroke="#7ff0dc" stroke-linecap="round" stroke-width="30">
    <path d="M720 470 Q 748 520 720 570"/>
    <path d="M772 430 Q 820 520 772 610"/>
  </g>
  </g>
</svg>
`;

async function writeAtomic(file: string, bytes: Uint8Array | string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, bytes);
  await rename(tmp, file);
}

/**
 * Renders the design at one size.
 * @param sizePx - side, px.
 * @param master - the design rendered at 1024 px (PNG), when already at hand.
 * @returns PNG bytes (RGBA, transparent outside the rounded square).
 */
export async function renderIcon(sizePx: number, master?: Uint8Array): Promise<Uint8Array> {
  // Rendered once at 1024 px (the SVG's own size) and reduced with Lanczos-3, so small sizes stay sharp.
  const big = master ?? new Uint8Array(await sharp(Buffer.from(ICON_SVG)).png().toBuffer());
  if (sizePx === 1024) return big;
  return new Uint8Array(await sharp(big).resize(sizePx, sizePx, { kernel: 'lanczos3' }).png({ compressionLevel: 9 }).toBuffer());
}

async function main(): Promise<void> {
  await mkdir(path.join(OUT_DIR, 'icons'), { recursive: true });
  const sizes = [16, 24, 32, 48, 64, 128, 256, 512, 1024];
  const master = await renderIcon(1024);
  const images: IconImage[] = [];
  for (const sizePx of sizes) images.push({ sizePx, png: await renderIcon(sizePx, master) });
  const png = (n: number): Uint8Array => images.find((i) => i.sizePx === n)!.png;
  await writeAtomic(path.join(OUT_DIR, 'icon.svg'), ICON_SVG);
  await writeAtomic(path.join(OUT_DIR, 'icon.png'), png(512));
  for (const n of [16, 32, 48, 64, 128, 256, 512]) await writeAtomic(path.join(OUT_DIR, 'icons', `${n}x${n}.png`), png(n));
  await writeAtomic(path.join(OUT_DIR, 'icon.ico'), writeIco(images.filter((i) => i.sizePx <= 256)));
  await writeAtomic(path.join(OUT_DIR, 'icon.icns'), writeIcns(images));
  process.stdout.write(`icons written to ${OUT_DIR}\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) await main();
