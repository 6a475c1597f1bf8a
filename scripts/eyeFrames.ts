/**
 * Contact strips of the photo head's eyes (issue #12): for each portrait, the eye region at eyeBlink 0, 0.3, 0.5,
 * 0.7, 1, eyeWide 1 and a look down, rendered at 512² (on top of the photo's rest expression) and cropped ×2.
 * Usage: `tsx scripts/eyeFrames.ts <outDir> <tag> [portrait…]` (portraits: img01 img02 img04 img05 img06).
 */
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import sharp from 'sharp';
import { BS } from '../core/motion/names.ts';
import { RenderHost } from '../pipeline/render/renderHost.ts';
import { measureRestExpression } from '../core/rig/restExpression.ts';
import { EYE_LEFT, EYE_RIGHT } from '../core/rig/topology.ts';
import { analyzePortrait, loadPortrait, toOutputPx, type Portrait } from '../tests/integration/render/helpers.ts';

const S = 512;
const FILES: Record<string, () => Promise<Portrait>> = {
  img01: () => loadPortrait('img01'),
  img05: () => loadPortrait('img05'),
  img06: () => loadPortrait('img06'),
  img02: () => analyzePortrait('images/img02_darkskin_ai_woman_rgba.png'),
  img04: () => analyzePortrait('images/img04_glasses_painting_ai_rgba.png'),
};
const STATES: [string, (w: Float32Array) => void][] = [
  ['b0', () => {}],
  ['b.3', (w) => { w[BS.eyeBlinkLeft] = 0.3; w[BS.eyeBlinkRight] = 0.3; }],
  ['b.5', (w) => { w[BS.eyeBlinkLeft] = 0.5; w[BS.eyeBlinkRight] = 0.5; }],
  ['b.7', (w) => { w[BS.eyeBlinkLeft] = 0.7; w[BS.eyeBlinkRight] = 0.7; }],
  ['b1', (w) => { w[BS.eyeBlinkLeft] = 1; w[BS.eyeBlinkRight] = 1; }],
  ['wide', (w) => { w[BS.eyeWideLeft] = 1; w[BS.eyeWideRight] = 1; }],
  ['down', (w) => { w[BS.eyeLookDownLeft] = 1; w[BS.eyeLookDownRight] = 1; }],
];

const [outDir = '/tmp/eyeFrames', tag = 'x', ...names] = process.argv.slice(2);
mkdirSync(outDir, { recursive: true });
const host = await RenderHost.launch({ widthPx: S, heightPx: S });
try {
  for (const name of names.length ? names : ['img01', 'img04', 'img06', 'img02']) {
    const p = await FILES[name]!();
    const info = await host.loadPortrait(p.image, p.face);
    const rest = measureRestExpression(p.face.landmarksPx, p.face.landmarkCount).weights;
    const ids = [...EYE_RIGHT.upper2, ...EYE_LEFT.upper2, ...EYE_RIGHT.lower0, ...EYE_LEFT.lower0];
    const pts = ids.map((i) => toOutputPx(info.cropPx, S, S, p.face.landmarksPx[i * 3]!, p.face.landmarksPx[i * 3 + 1]!));
    const x0 = Math.max(0, Math.floor(Math.min(...pts.map((q) => q[0])) - 10));
    const x1 = Math.min(S, Math.ceil(Math.max(...pts.map((q) => q[0])) + 10));
    const y0 = Math.max(0, Math.floor(Math.min(...pts.map((q) => q[1])) - 8));
    const y1 = Math.min(S, Math.ceil(Math.max(...pts.map((q) => q[1])) + 14));
    const tiles: Buffer[] = [];
    for (const [, set] of STATES) {
      const w = Float32Array.from(rest);
      set(w);
      const img = await host.renderStill({ blendshapes: w });
      tiles.push(await sharp(Buffer.from(img), { raw: { width: S, height: S, channels: 4 } }).extract({ left: x0, top: y0, width: x1 - x0, height: y1 - y0 }).resize((x1 - x0) * 2, (y1 - y0) * 2, { kernel: 'nearest' }).removeAlpha().png().toBuffer());
    }
    const tw = (x1 - x0) * 2;
    const th = (y1 - y0) * 2;
    await sharp({ create: { width: tw, height: th * tiles.length + 2 * tiles.length, channels: 3, background: '#303030' } })
      .composite(tiles.map((t, k) => ({ input: t, left: 0, top: k * (th + 2) })))
      .png()
      .toFile(path.join(outDir, `${name}_${tag}.png`));
    console.log(`${name}: ${STATES.map((s) => s[0]).join(' ')} -> ${path.join(outDir, `${name}_${tag}.png`)}`);
  }
} finally {
  await host.dispose();
}
