/**
 * Contact strips of the photo head's eyes (issue #12): for each portrait, the eye region in a set of eye poses
 * (default: blink 0, 0.3→0.25, 0.5, 0.7, 1, eyeWide 1 and a look down; tests/helpers/eyeScene.ts EYE_STATES), rendered at
 * 512² (on top of the photo's rest expression) and cropped ×2.
 * Usage: `tsx scripts/eyeFrames.ts <outDir> <tag> [--head splats] [--states b0,b.75,b1,left] [portrait…]`
 * (portraits: EYE_PORTRAITS, default img01 img04 img06 img02).
 */
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import sharp from 'sharp';
import { RenderHost } from '../pipeline/render/renderHost.ts';
import { EYE_LEFT, EYE_RIGHT } from '../core/rig/topology.ts';
import { toOutputPx } from '../tests/integration/render/helpers.ts';
import { EYE_PORTRAITS, EYE_STATES, eyeWeights, loadEyeScene } from '../tests/helpers/eyeScene.ts';

const S = 512;
const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const k = args.indexOf(name);
  if (k < 0) return undefined;
  const v = args[k + 1];
  args.splice(k, 2);
  return v;
};
const splats = flag('--head') === 'splats';
const states = (flag('--states') ?? 'b0,b.25,b.5,b.7,b1,wide,down').split(',');
const [outDir = '/tmp/eyeFrames', tag = 'x', ...names] = args;
mkdirSync(outDir, { recursive: true });
const host = await RenderHost.launch({ widthPx: S, heightPx: S });
try {
  for (const name of names.length ? names : ['img01', 'img04', 'img06', 'img02']) {
    const scene = await loadEyeScene(host, await EYE_PORTRAITS[name]!(), S, splats);
    const p = scene.portrait;
    const info = { cropPx: scene.cropPx };
    const ids = [...EYE_RIGHT.upper2, ...EYE_LEFT.upper2, ...EYE_RIGHT.lower0, ...EYE_LEFT.lower0];
    const pts = ids.map((i) => toOutputPx(info.cropPx, S, S, p.face.landmarksPx[i * 3]!, p.face.landmarksPx[i * 3 + 1]!));
    const x0 = Math.max(0, Math.floor(Math.min(...pts.map((q) => q[0])) - 10));
    const x1 = Math.min(S, Math.ceil(Math.max(...pts.map((q) => q[0])) + 10));
    const y0 = Math.max(0, Math.floor(Math.min(...pts.map((q) => q[1])) - 8));
    const y1 = Math.min(S, Math.ceil(Math.max(...pts.map((q) => q[1])) + 14));
    const tiles: Buffer[] = [];
    for (const st of states) {
      const img = await host.renderStill({ blendshapes: eyeWeights(scene, EYE_STATES[st]!) });
      tiles.push(await sharp(Buffer.from(img), { raw: { width: S, height: S, channels: 4 } }).extract({ left: x0, top: y0, width: x1 - x0, height: y1 - y0 }).resize((x1 - x0) * 2, (y1 - y0) * 2, { kernel: 'nearest' }).removeAlpha().png().toBuffer());
    }
    const tw = (x1 - x0) * 2;
    const th = (y1 - y0) * 2;
    await sharp({ create: { width: tw, height: th * tiles.length + 2 * tiles.length, channels: 3, background: '#303030' } })
      .composite(tiles.map((t, k) => ({ input: t, left: 0, top: k * (th + 2) })))
      .png()
      .toFile(path.join(outDir, `${name}_${tag}.png`));
    console.log(`${name}: ${states.join(' ')} -> ${path.join(outDir, `${name}_${tag}.png`)}`);
  }
} finally {
  await host.dispose();
}
