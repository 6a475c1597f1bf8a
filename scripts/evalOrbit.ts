/**
 * Orbit and framing check of the mesh photo head on corpus portraits (issue 13's done-when), printed as a table:
 * - seam metric at yaw −30/−25/+25/+30°: the 95th percentile of the gradient along the projected face outline
 *   (tests/integration/render/seamMetric.ts) and its ratio to the rest view's (> 1: edges the photo does not have);
 *   read it with the pictures — where the outline becomes the head's silhouette the edge is real; and the contour
 *   step (seamMetric.ts `contourStepPx`): how far apart an orbit draws the face's and the surround's copies of the
 *   face's visible contour (95th percentile, output px);
 * - full-height flat columns at each yaw (tests/integration/render/frameMetrics.ts);
 * - whether an independent tracker (the TF.js MediaPipe graphs of @vladmandic/human, pipeline/face/tfjsReference.ts)
 *   finds the face in the orbit frames at ±10…25°;
 * - a halo metric at yaw 0 and ±30°: the edge energy of the background in a band just outside the silhouette
 *   (tests/integration/render/haloMetric.ts; specks, ghost outlines and blotches of the plate beside the hair);
 * - upper-body framing: flat columns and flat rows in the bottom 40 %.
 *
 * Usage: `npx tsx scripts/evalOrbit.ts [--size 256] [--out dir] img01 img03 …` (corpus image name prefixes; frames at
 * ±25/±30° yaw, ±15° pitch and upper-body framing are written to `--out` when given).
 */
import { mkdir } from 'node:fs/promises';
import { parseRenderScriptArgs } from './renderScriptCli.ts';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { decodeImage } from '../pipeline/image/decodeImage.ts';
import { FaceAnalyzer, FaceAnalyzerCore } from '../pipeline/face/faceAnalyzer.ts';
import { TfjsFaceModelRunner } from '../pipeline/face/tfjsReference.ts';
import { RenderHost } from '../pipeline/render/renderHost.ts';
import { contourStepPx, outlineGradientP95, projectedFaceOutline } from '../tests/integration/render/seamMetric.ts';
import { flatColumnFraction, flatRowFraction } from '../tests/integration/render/frameMetrics.ts';
import { bandEdgeEnergy } from '../tests/integration/render/haloMetric.ts';

const { sizePx: SIZE, outDir: OUT, portraits } = parseRenderScriptArgs({
  name: 'evalOrbit',
  description: 'Orbit and framing check of the mesh photo head on corpus portraits: seam, contour step, flat columns, tracker at ±10…25°, halo, upper-body framing.',
  sizePx: 256,
  outHelp: 'write the orbit and upper-body frames here',
  portraits: { help: 'corpus image name prefixes (default img01 … img06)', optional: true },
});
const names = portraits.length ? portraits : ['img01', 'img02', 'img03', 'img04', 'img05', 'img06'];
const CORPUS = join(process.cwd(), '..', 'shared', 'corpus', 'images');
const SEAM_YAWS_DEG = [-30, -25, 25, 30];
const TRACK_YAWS_DEG = [-25, -20, -15, -10, 10, 15, 20, 25];
const rad = (deg: number): number => (deg * Math.PI) / 180;
const pct = (v: number): string => `${(v * 100).toFixed(1)} %`;

if (OUT) await mkdir(OUT, { recursive: true });
const analyzer = await FaceAnalyzer.create();
const tracker = new FaceAnalyzerCore(await TfjsFaceModelRunner.create('wasm'));
const still = new Float32Array(52);
try {
  const portraits = [];
  for (const name of names) {
    const file = readdirSync(CORPUS).find((f) => f.startsWith(name));
    if (!file) throw new Error(`no corpus image starts with ${name}`);
    const image = await decodeImage(join(CORPUS, file));
    portraits.push({ name, image, face: (await analyzer.analyze(image)).faces[0]! });
  }
  const host = await RenderHost.launch({ widthPx: SIZE, heightPx: SIZE });
  const keyed = await RenderHost.launch({ widthPx: SIZE, heightPx: SIZE, background: { color: '#00ff00' } });
  try {
    for (const { name, image, face } of portraits) {
      const { cropPx } = await host.loadPortrait(image, face);
      await keyed.loadPortrait(image, face);
      const halo: string[] = [];
      for (const yaw of [0, -30, 30]) {
        const view = { orbitYawRad: rad(yaw) };
        halo.push(`${yaw}° ${bandEdgeEnergy(await host.renderStill({ blendshapes: still }, view), await keyed.renderStill({ blendshapes: still }, view), SIZE).toFixed(2)}`);
      }
      if (OUT) {
        for (const [yaw, pitch] of [[-25, 0], [25, 0], [0, -15], [0, 15]] as const) {
          const px = await host.renderStill({ blendshapes: still }, { orbitYawRad: rad(yaw), orbitPitchRad: rad(pitch) });
          await sharp(Buffer.from(px), { raw: { width: SIZE, height: SIZE, channels: 4 } }).png().toFile(join(OUT, `${name}_yaw${yaw}_pitch${pitch}.png`));
        }
      }
      const lm = face.landmarksPx.subarray(0, face.landmarkCount * 3);
      const g0 = outlineGradientP95(await host.renderStill({ blendshapes: still }), SIZE, projectedFaceOutline(lm, cropPx, SIZE, 0));
      const cells: string[] = [];
      for (const yaw of SEAM_YAWS_DEG) {
        const px = await host.renderStill({ blendshapes: still }, { orbitYawRad: rad(yaw) });
        const g = outlineGradientP95(px, SIZE, projectedFaceOutline(lm, cropPx, SIZE, rad(yaw)));
        const step = contourStepPx(lm, cropPx, SIZE, rad(yaw));
        cells.push(`${yaw}°: seam ${g.toFixed(1)} (×${(g / g0).toFixed(2)}), contour step p95 ${step.p95.toFixed(2)} px, flat cols ${pct(flatColumnFraction(px, SIZE, SIZE))}`);
        if (OUT && Math.abs(yaw) === 30) await sharp(Buffer.from(px), { raw: { width: SIZE, height: SIZE, channels: 4 } }).png().toFile(join(OUT, `${name}_yaw${yaw}.png`));
      }
      let found = 0;
      for (const yaw of TRACK_YAWS_DEG) {
        const px = await host.renderStill({ blendshapes: still }, { orbitYawRad: rad(yaw) });
        if ((await tracker.analyze({ rgba: px, widthPx: SIZE, heightPx: SIZE, hadAlpha: false }, { maxFaces: 1 })).faces.length) found++;
      }
      process.stdout.write(`${name}: rest seam ${g0.toFixed(1)}; ${cells.join('; ')}; tracker finds the face in ${found}/${TRACK_YAWS_DEG.length} orbit frames; halo (edge energy beside the head) ${halo.join(', ')}\n`);
    }
  } finally {
    await host.dispose();
    await keyed.dispose();
  }
  const body = await RenderHost.launch({ widthPx: SIZE, heightPx: SIZE, framing: 'upperBody' });
  try {
    for (const { name, image, face } of portraits) {
      await body.loadPortrait(image, face);
      const px = await body.renderStill({ blendshapes: still });
      if (OUT) await sharp(Buffer.from(px), { raw: { width: SIZE, height: SIZE, channels: 4 } }).png().toFile(join(OUT, `${name}_upperBody.png`));
      process.stdout.write(`${name} upper body: flat cols ${pct(flatColumnFraction(px, SIZE, SIZE))}, flat rows in the bottom 40 % ${pct(flatRowFraction(px, SIZE, Math.round(0.6 * SIZE), SIZE))}\n`);
    }
  } finally {
    await body.dispose();
  }
} finally {
  await tracker.dispose();
  await analyzer.dispose();
}
