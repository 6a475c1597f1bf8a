/**
 * Renders the orbit views of corpus portraits (over the photo background and over pure green) and writes the PNGs
 * plus the person matte, for looking at and measuring issue 13's orbit defects.
 * Usage: `npx tsx scripts/orbitDefects.ts --out dir [--size 384] name=path …`
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { parseRenderScriptArgs } from './renderScriptCli.ts';
import { join } from 'node:path';
import sharp from 'sharp';
import { decodeImage } from '../pipeline/image/decodeImage.ts';
import { FaceAnalyzer } from '../pipeline/face/faceAnalyzer.ts';
import { RenderHost } from '../pipeline/render/renderHost.ts';
import { computePersonMatte } from '../core/segment/personMatte.ts';
import { personLayerAlpha } from '../core/segment/personLayer.ts';

const { sizePx: SIZE, outDir, portraits: args, opts } = parseRenderScriptArgs({
  name: 'orbitDefects',
  description: 'Renders the orbit views of portraits over the photo background and over pure green, and writes the PNGs (MATTE=1: also the person matte).',
  sizePx: 384,
  outHelp: 'where the PNGs go',
  outDir: '/tmp/orbit/out',
  portraits: { help: 'name=path of each portrait' },
  options: (cmd) => cmd.option('--views <list>', 'orbit views, yaw,pitch in degrees, separated by ;', '0,0;-30,0;30,0;-25,0;25,0;25,15;-25,-15'),
});
const OUT = outDir!;
const VIEWS = String(opts.views).split(';').map((s) => s.split(',').map(Number) as [number, number]);
const rad = (d: number): number => (d * Math.PI) / 180;
await mkdir(OUT, { recursive: true });
const analyzer = await FaceAnalyzer.create();
const host = await RenderHost.launch({ widthPx: SIZE, heightPx: SIZE });
const keyed = await RenderHost.launch({ widthPx: SIZE, heightPx: SIZE, background: { color: '#00ff00' } });
const still = { blendshapes: new Float32Array(52) };
const png = (px: Uint8Array, w: number, h: number, ch: 1 | 3 | 4, file: string): Promise<unknown> => sharp(Buffer.from(px), { raw: { width: w, height: h, channels: ch } }).png().toFile(file);
try {
  for (const a of args) {
    const [name, file] = a.split('=') as [string, string];
    const image = await decodeImage(file);
    const face = (await analyzer.analyze(image)).faces[0]!;
    await writeFile(join(OUT, `${name}_face.json`), JSON.stringify({ landmarksPx: Array.from(face.landmarksPx), landmarkCount: face.landmarkCount, boxPx: face.boxPx, w: image.widthPx, h: image.heightPx }));
    if (process.env.MATTE) {
      const m = computePersonMatte(image.rgba, image.widthPx, image.heightPx, face.landmarksPx, face.landmarkCount);
      const layer = personLayerAlpha(m.alpha, image.widthPx, image.heightPx, face.landmarksPx, { exact: m.source === 'photoAlpha', coreBelowCheeks: true, bars: m.bars });
      await png(m.alpha, image.widthPx, image.heightPx, 1, join(OUT, `${name}_matte.png`));
      await png(layer, image.widthPx, image.heightPx, 1, join(OUT, `${name}_layer.png`));
    }
    await host.loadPortrait(image, face);
    await keyed.loadPortrait(image, face);
    for (const [y, p] of VIEWS) {
      const view = { orbitYawRad: rad(y), orbitPitchRad: rad(p) };
      await png(await host.renderStill(still, view), SIZE, SIZE, 4, join(OUT, `${name}_y${y}_p${p}.png`));
      await png(await keyed.renderStill(still, view), SIZE, SIZE, 4, join(OUT, `${name}_y${y}_p${p}_key.png`));
    }
    process.stdout.write(`${name} done\n`);
  }
} finally {
  await host.dispose();
  await keyed.dispose();
  await analyzer.dispose();
}
