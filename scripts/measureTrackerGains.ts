/**
 * Measures how strongly our face tracker perceives each rig shape on the photo head (the numbers behind
 * core/reenact/drivingTrack.ts `TRACKER_RESPONSE_GAINS`): each shape at weight 1 rendered at 512², analysed with the
 * Iris-refined eyes, and compared with the rig's own vertex motion (rig built on the neutral render's landmarks).
 *
 * Usage: `npx tsx scripts/measureTrackerGains.ts [corpus image name …]` (default img01, img02, img03, img05).
 * Prints per shape: gain = Σ obs·rig / Σ rig·rig and the cosine, over the vertices the shape moves ≥ 0.02 IOD (x, y).
 */
import path from 'node:path';
import { ARKIT_BLENDSHAPE_COUNT, BS } from '../core/motion/names.ts';
import { buildPhotoHeadRig, evaluateRig, RIG_VERTEX_COUNT } from '../core/rig/rig.ts';
import { FaceAnalyzer } from '../pipeline/face/faceAnalyzer.ts';
import { decodeImage } from '../pipeline/image/decodeImage.ts';
import { RenderHost } from '../pipeline/render/renderHost.ts';

const SIZE_PX = 512;
const SHAPES = ['jawOpen', 'mouthSmileLeft', 'mouthPucker', 'mouthFunnel', 'eyeBlinkLeft', 'browInnerUp', 'mouthStretchLeft', 'mouthStretchRight', 'browDownLeft', 'browOuterUpLeft', 'mouthFrownLeft', 'mouthLowerDownLeft', 'mouthUpperUpLeft', 'mouthRollLower', 'eyeSquintLeft', 'eyeWideLeft'] as const;
const images = process.argv.length > 2 ? process.argv.slice(2) : ['img01_frontal_ai_man_jpeg-named-png.png', 'img02_darkskin_ai_woman_rgba.png', 'img03_beard_smile_teeth_ai.png', 'img05_elderly_woman_painting_ai.png'];

const analyzer = await FaceAnalyzer.create();
const host = await RenderHost.launch({ widthPx: SIZE_PX, heightPx: SIZE_PX });
try {
  for (const name of images) {
    const image = await decodeImage(path.resolve('../shared/corpus/images', name));
    await host.loadPortrait(image, (await analyzer.analyze(image)).faces[0]!);
    const track = async (w: Float32Array): Promise<Float32Array> =>
      (await analyzer.analyze({ rgba: await host.renderStill({ blendshapes: w }), widthPx: SIZE_PX, heightPx: SIZE_PX, hadAlpha: false }, { maxFaces: 1, refineEyes: true })).faces[0]!.landmarksPx;
    const neutral = await track(new Float32Array(ARKIT_BLENDSHAPE_COUNT));
    const rig = buildPhotoHeadRig(neutral, neutral.length / 3);
    const iod = rig.frame.iodPx;
    process.stdout.write(`== ${name}\n`);
    for (const shape of SHAPES) {
      const w = new Float32Array(ARKIT_BLENDSHAPE_COUNT);
      w[BS[shape]] = 1;
      const seen = await track(w);
      const posed = evaluateRig(rig, w, new Float32Array(RIG_VERTEX_COUNT * 3));
      let or = 0;
      let rr = 0;
      let oo = 0;
      for (let i = 0; i < RIG_VERTEX_COUNT; i++) {
        const rx = posed[i * 3]! - neutral[i * 3]!;
        const ry = posed[i * 3 + 1]! - neutral[i * 3 + 1]!;
        if (Math.hypot(rx, ry) < 0.02 * iod) continue;
        const ox = seen[i * 3]! - neutral[i * 3]!;
        const oy = seen[i * 3 + 1]! - neutral[i * 3 + 1]!;
        or += ox * rx + oy * ry;
        rr += rx * rx + ry * ry;
        oo += ox * ox + oy * oy;
      }
      process.stdout.write(`${shape.padEnd(20)} gain ${(or / rr).toFixed(2)} cos ${(or / Math.sqrt(rr * oo)).toFixed(2)}\n`);
    }
  }
} finally {
  await host.dispose();
  await analyzer.dispose();
}
