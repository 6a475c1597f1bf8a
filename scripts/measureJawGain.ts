/**
 * Measures the photo head's lip opening per unit of jawOpen, per portrait, as the independent tracker sees it
 * (issue 12: the rendered lip gap per jawOpen must not depend on the portrait).
 *
 * Usage: `npx tsx scripts/measureJawGain.ts [--size 256] <portrait image path …>` (a bare corpus image name is looked up
 * in ../shared/corpus/images).
 *
 * Per portrait: the rest expression is measured as the product does (pipeline/face/portraitRest.ts), the photo head is
 * rendered at ABSOLUTE jawOpen ∈ {0, 0.15, 0.3, 0.45} (every other weight 0, as an audio track's open vowel), and each
 * render is tracked with TF.js FaceMesh (pipeline/face/tfjsReference.ts, the tracker of scripts/evalRealPairs.ts); its
 * lip gap is scripts/evalRealPairs.ts `lipGap` (five inner-lip pairs over the eye-corner distance). Prints the tracked
 * gaps, the least-squares slope over jawOpen 0.15–0.45 (gap per unit jawOpen) and the rig's own geometric gaps
 * (core/rig/rig.ts `evaluateRigRelative` on the portrait's landmarks, same measure) beside them. `SAVE_DIR=<dir>` writes
 * each render there as PNG.
 */
import path from 'node:path';
import sharp from 'sharp';
import { ARKIT_BLENDSHAPE_COUNT, BS } from '../core/motion/names.ts';
import { buildPhotoHeadRig, evaluateRigRelative, RIG_VERTEX_COUNT } from '../core/rig/rig.ts';
import { FaceAnalyzer, FaceAnalyzerCore } from '../pipeline/face/faceAnalyzer.ts';
import { measurePortraitRest } from '../pipeline/face/portraitRest.ts';
import { TfjsFaceModelRunner } from '../pipeline/face/tfjsReference.ts';
import { decodeImage } from '../pipeline/image/decodeImage.ts';
import { RenderHost } from '../pipeline/render/renderHost.ts';
import { lipGap } from './evalRealPairs.ts';

const args = process.argv.slice(2);
let sizePx = 256;
const sizeAt = args.indexOf('--size');
if (sizeAt >= 0) {
  sizePx = Number(args[sizeAt + 1]);
  args.splice(sizeAt, 2);
}
const JAWS = [0, 0.15, 0.3, 0.45];
const images = args.length > 0 ? args : ['img01_frontal_ai_man_jpeg-named-png.png', 'img02_darkskin_ai_woman_rgba.png', 'img03_beard_smile_teeth_ai.png'];

/** Least-squares slope and intercept of y over x. */
function fit(x: number[], y: number[]): { slope: number; intercept: number } {
  const mx = x.reduce((a, b) => a + b, 0) / x.length;
  const my = y.reduce((a, b) => a + b, 0) / y.length;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
  }
  const slope = sxy / Math.max(1e-12, sxx);
  return { slope, intercept: my - slope * mx };
}

const analyzer = await FaceAnalyzer.create();
const tracker = new FaceAnalyzerCore(await TfjsFaceModelRunner.create('wasm'));
const host = await RenderHost.launch({ widthPx: sizePx, heightPx: sizePx });
try {
  for (const name of images) {
    const file = name.includes('/') ? name : path.resolve('../shared/corpus/images', name);
    const image = await decodeImage(file);
    const face = (await analyzer.analyze(image, { maxFaces: 1 })).faces[0]!;
    const rest = (await measurePortraitRest(analyzer, image, face)).weights;
    await host.loadPortrait(image, face, rest);
    const rig = buildPhotoHeadRig(face.landmarksPx, face.landmarkCount);
    const tracked: number[] = [];
    const geo: number[] = [];
    for (const j of JAWS) {
      const w = new Float32Array(ARKIT_BLENDSHAPE_COUNT);
      w[BS.jawOpen] = j;
      const rgba = await host.renderStill({ blendshapes: w });
      if (process.env.SAVE_DIR) await sharp(Buffer.from(rgba), { raw: { width: sizePx, height: sizePx, channels: 4 } }).png().toFile(path.join(process.env.SAVE_DIR, `${path.basename(name).slice(0, 5)}_jaw${j.toFixed(2)}.png`));
      const f = (await tracker.analyze({ rgba, widthPx: sizePx, heightPx: sizePx, hadAlpha: false }, { maxFaces: 1 })).faces[0];
      tracked.push(f ? lipGap(f.landmarksPx) : NaN);
      const lm = new Float32Array(face.landmarksPx);
      lm.set(evaluateRigRelative(rig, w, rest, new Float32Array(RIG_VERTEX_COUNT * 3)));
      geo.push(lipGap(lm));
    }
    const t = fit(JAWS.slice(1), tracked.slice(1));
    const g = fit(JAWS.slice(1), geo.slice(1));
    const fmt = (a: number[]): string => a.map((v) => v.toFixed(3)).join(' ');
    process.stdout.write(`${path.basename(name).slice(0, 24).padEnd(24)} restJaw ${rest[BS.jawOpen]!.toFixed(2)} restClose ${rest[BS.mouthClose]!.toFixed(2)} | tracked ${fmt(tracked)} slope ${t.slope.toFixed(3)} icpt ${t.intercept.toFixed(3)} | rig ${fmt(geo)} slope ${g.slope.toFixed(3)}\n`);
  }
} finally {
  await host.dispose();
  await tracker.dispose();
  await analyzer.dispose();
}
