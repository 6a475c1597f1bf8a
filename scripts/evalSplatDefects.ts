/**
 * Splat head defects against the mesh head (issue 13), on the same portrait and views (photo background): speckles
 * (isolated bright/dark pixels, tests/helpers/splatDefects.ts `speckleCounts`) in the mouth box (lip landmarks the face
 * analyser finds in the mesh frame, grown 30 %), and the raggedness of the chin line (`edgeRaggedness` near the lower
 * face outline the analyser finds in the mesh frame), mesh vs splats.
 * Writes `<name>_<view>_mouth.png` / `_chin.png` (mesh | splats, 4× nearest) and the full frames side by side under --out.
 * Usage: `npx tsx scripts/evalSplatDefects.ts --out dir [--size 256] name=path …`
 */
import { mkdir } from 'node:fs/promises';
import { parseRenderScriptArgs } from './renderScriptCli.ts';
import { join } from 'node:path';
import sharp from 'sharp';
import { decodeImage } from '../pipeline/image/decodeImage.ts';
import { FaceAnalyzer } from '../pipeline/face/faceAnalyzer.ts';
import { RenderHost } from '../pipeline/render/renderHost.ts';
import { BS } from '../core/motion/names.ts';
import { edgeRaggedness, mouthBox, speckleCounts, type Box } from '../tests/helpers/splatDefects.ts';

const { sizePx: S, outDir, portraits: args } = parseRenderScriptArgs({
  name: 'evalSplatDefects',
  description: 'Splat head defects against the mesh head: mouth-box speckles and chin-line raggedness, mesh vs splats.',
  sizePx: 256,
  outHelp: 'where the crops and side-by-side frames go',
  outDir: '/tmp/splat-defects',
  portraits: { help: 'name=path of each portrait' },
});
const OUT = outDir!;
const VIEWS = [
  { name: 'y0', yawDeg: 0, jaw: 0 },
  { name: 'y0jaw', yawDeg: 0, jaw: 0.35 },
  { name: 'y25', yawDeg: 25, jaw: 0 },
  { name: 'y25jaw', yawDeg: 25, jaw: 0.6 },
];
/** Lower face outline (MediaPipe), jaw corner to jaw corner through the chin (152). */
const CHIN = [397, 365, 379, 378, 400, 377, 152, 148, 176, 149, 150, 136, 172];
await mkdir(OUT, { recursive: true });

async function sideBySide(a: Uint8Array, b: Uint8Array, box: Box, file: string, scale = 4): Promise<void> {
  const w = box.x1 - box.x0, h = box.y1 - box.y0, W = 2 * w + 2;
  const out = new Uint8Array(W * h * 4).fill(255);
  for (let y = 0; y < h; y++) {
    for (const [f, ox] of [[a, 0], [b, w + 2]] as const) out.set(f.subarray(((box.y0 + y) * S + box.x0) * 4, ((box.y0 + y) * S + box.x1) * 4), (y * W + ox) * 4);
  }
  await sharp(Buffer.from(out), { raw: { width: W, height: h, channels: 4 } }).resize(W * scale, h * scale, { kernel: 'nearest' }).png().toFile(file);
}

const analyzer = await FaceAnalyzer.create();
const meshHost = await RenderHost.launch({ widthPx: S, heightPx: S });
const splatHost = await RenderHost.launch({ widthPx: S, heightPx: S });
try {
  for (const a of args) {
    const [name, file] = a.split('=') as [string, string];
    const image = await decodeImage(file);
    const face = (await analyzer.analyze(image)).faces[0]!;
    await meshHost.loadPortrait(image, face);
    await splatHost.loadPortraitSplats(image, face);
    for (const v of VIEWS) {
      const bs = new Float32Array(52);
      bs[BS.jawOpen] = v.jaw;
      const opts = { orbitYawRad: (v.yawDeg * Math.PI) / 180 };
      const mesh = await meshHost.renderStill({ blendshapes: bs }, opts);
      const spl = await splatHost.renderStill({ blendshapes: bs }, opts);
      const found = (await analyzer.analyze({ rgba: mesh, widthPx: S, heightPx: S, hadAlpha: false })).faces[0];
      if (!found) {
        console.log(`${name} ${v.name}: no face in the mesh frame`);
        continue;
      }
      const lm = found.landmarksPx;
      const mouth = mouthBox(lm);
      const r = Math.round;
      const sm = speckleCounts(spl, mesh, S, S, mouth), sf = speckleCounts(spl, mesh, S, S, { x0: 0, y0: 0, x1: S, y1: S });
      const pts = CHIN.map((i) => [lm[i * 3]!, lm[i * 3 + 1]!] as const).sort((p, q) => p[0] - q[0]);
      const guide = (x: number): number => {
        for (let k = 0; k + 1 < pts.length; k++) if (x <= pts[k + 1]![0]) return pts[k]![1] + ((pts[k + 1]![1] - pts[k]![1]) * (x - pts[k]![0])) / Math.max(1e-6, pts[k + 1]![0] - pts[k]![0]);
        return pts.at(-1)![1];
      };
      const cx0 = r(pts[0]![0]), cx1 = r(pts.at(-1)![0]);
      const em = edgeRaggedness(mesh, S, S, cx0, cx1, guide, 8), es = edgeRaggedness(spl, S, S, cx0, cx1, guide, 8);
      console.log(`${name} ${v.name}: mouth speckles splats bright ${sm.bright} dark ${sm.dark} (frame ${sf.bright}/${sf.dark}); chin line RMS mesh ${em.rmsPx.toFixed(2)} px, splats ${es.rmsPx.toFixed(2)} px (cols ${cx0}..${cx1})`);
      await sideBySide(mesh, spl, mouth, join(OUT, `${name}_${v.name}_mouth.png`), 6);
      const cy0 = r(Math.min(...pts.map((p) => p[1])) - 16), cy1 = r(Math.max(...pts.map((p) => p[1])) + 16);
      await sideBySide(mesh, spl, { x0: Math.max(0, cx0 - 8), y0: Math.max(0, cy0), x1: Math.min(S, cx1 + 8), y1: Math.min(S, cy1) }, join(OUT, `${name}_${v.name}_chin.png`));
      await sideBySide(mesh, spl, { x0: 0, y0: 0, x1: S, y1: S }, join(OUT, `${name}_${v.name}.png`), 1);
    }
  }
} finally {
  await meshHost.dispose();
  await splatHost.dispose();
  await analyzer.dispose();
}
