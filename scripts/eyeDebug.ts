/**
 * Debug (eyes3, not a tool): one eye at 4× with the half-blink "blackened" pixels (eyelidHalfBlink.test.ts) in red.
 * Usage: tsx scripts/eyeDebug.ts <outDir> <tag> <portrait> [state…]; states: EYE_STATES of tests/helpers/eyeScene.ts (b.5 b.7 down left right …)
 */
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import sharp from 'sharp';
import { BS } from '../core/motion/names.ts';
import { RenderHost } from '../pipeline/render/renderHost.ts';
import { measureRestExpression } from '../core/rig/restExpression.ts';
import { buildPhotoHeadRig } from '../core/rig/rig.ts';
import { EYE_LEFT, EYE_RIGHT } from '../core/rig/topology.ts';
import { referenceCrop, toOutputPx } from '../tests/integration/render/helpers.ts';
import { EYE_PORTRAITS, EYE_STATES } from '../tests/helpers/eyeScene.ts';
import { lab, type Rgb } from '../tests/helpers/colour.ts';

const S = 512;
const [outDir = '/tmp/eyeDebug', tag = 'x', name = 'img01', ...states] = process.argv.slice(2);
mkdirSync(outDir, { recursive: true });
const host = await RenderHost.launch({ widthPx: S, heightPx: S });
try {
  const p = await EYE_PORTRAITS[name]!();
  const info = await host.loadPortrait(p.image, p.face);
  const photo = await referenceCrop(p.image, info.cropPx, S, S);
  const rest = measureRestExpression(p.face.landmarksPx, p.face.landmarkCount).weights;
  const rig = buildPhotoHeadRig(p.face.landmarksPx, p.face.landmarkCount);
  const ids = [...EYE_RIGHT.upper2, ...EYE_LEFT.upper2, ...EYE_RIGHT.lower0, ...EYE_LEFT.lower0];
  const pts = ids.map((i) => toOutputPx(info.cropPx, S, S, rig.restPx[i * 3]!, rig.restPx[i * 3 + 1]!));
  const x0 = Math.max(0, Math.floor(Math.min(...pts.map((q) => q[0])) - 6));
  const x1 = Math.min(S, Math.ceil(Math.max(...pts.map((q) => q[0])) + 6));
  const y0 = Math.max(0, Math.floor(Math.min(...pts.map((q) => q[1])) - 4));
  const y1 = Math.min(S, Math.ceil(Math.max(...pts.map((q) => q[1])) + 10));
  const Z = 4;
  const tiles: Buffer[] = [];
  const Lp = (a: Uint8Array, i: number): number => lab([a[i * 4]!, a[i * 4 + 1]!, a[i * 4 + 2]!] as Rgb)[0];
  for (const st of ['photo', ...states]) {
    let img = photo;
    if (st !== 'photo') {
      const w = Float32Array.from(rest);
      for (const [k, v] of Object.entries(EYE_STATES[st]!)) w[BS[k as keyof typeof BS]] = v;
      img = await host.renderStill({ blendshapes: w });
    }
    for (const mark of st === 'photo' ? [false] : [false, true]) {
      const crop = new Uint8Array((x1 - x0) * (y1 - y0) * 3);
      for (let y = y0; y < y1; y++) {
        for (let x = x0; x < x1; x++) {
          const i = y * S + x;
          const o = ((y - y0) * (x1 - x0) + (x - x0)) * 3;
          const black = mark && Lp(img, i) < 25 && Lp(img, i) < 0.5 * Lp(photo, i);
          crop[o] = black ? 255 : img[i * 4]!;
          crop[o + 1] = black ? 0 : img[i * 4 + 1]!;
          crop[o + 2] = black ? 0 : img[i * 4 + 2]!;
        }
      }
      tiles.push(await sharp(Buffer.from(crop), { raw: { width: x1 - x0, height: y1 - y0, channels: 3 } }).resize((x1 - x0) * Z, (y1 - y0) * Z, { kernel: 'nearest' }).png().toBuffer());
    }
  }
  const tw = (x1 - x0) * Z;
  const th = (y1 - y0) * Z;
  await sharp({ create: { width: tw, height: (th + 2) * tiles.length, channels: 3, background: '#303030' } })
    .composite(tiles.map((t, k) => ({ input: t, left: 0, top: k * (th + 2) })))
    .png()
    .toFile(path.join(outDir, `${name}_${tag}_dbg.png`));
  console.log(path.join(outDir, `${name}_${tag}_dbg.png`));
} finally {
  await host.dispose();
}
