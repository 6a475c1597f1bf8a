/**
 * How far the mouth corners drop when a real jaw opens, against the photo head rig's jawOpen (for the corners' jaw
 * share in core/rig/rig.ts, 0.15; measured in s16: real 0.26–0.51 of the lower lip's drop on vid01/vid03/vid04/vid05,
 * rig 0.14 — raising the share to 0.3–0.4 was tried and reverted: closing photographed open mouths got worse). Per frame of real talking clips (our tracker, Iris-refined): the lower inner
 * lip's centre (landmark 14) and the outer mouth corners (61, 291), each as its height below the eye corners' midpoint
 * along the face's down axis (the eye-corner line's normal), in IOD units (outer eye-corner distance). The slope of
 * the corner height on the lower-lip height over the frames (least squares, both about their medians) is how much of
 * the lower lip's drop the corners follow. The rig's slope is measured the same way on meshes posed at jawOpen 0…1.
 *
 * Usage: `npx tsx scripts/measureJawCorners.ts <clip.mp4> …` (prints per clip the real slope, its r, and the rig's
 * slope on that clip's first frame).
 */
import { basename } from 'node:path';
import { ARKIT_BLENDSHAPE_COUNT, BS } from '../core/motion/names.ts';
import { buildPhotoHeadRig, evaluateRig, RIG_VERTEX_COUNT } from '../core/rig/rig.ts';
import { FaceAnalyzer } from '../pipeline/face/faceAnalyzer.ts';
import { analyzeVideoFile } from '../pipeline/face/videoTracker.ts';

/** [lower-lip height, corner height] below the eye-corner midpoint, and the mouth width, IOD units. */
function heights(lm: Float32Array): [number, number, number] {
  const x = (i: number): number => lm[i * 3]!;
  const y = (i: number): number => lm[i * 3 + 1]!;
  const iod = Math.hypot(x(263) - x(33), y(263) - y(33));
  const ex = [(x(263) - x(33)) / iod, (y(263) - y(33)) / iod];
  const ey = [-ex[1]!, ex[0]!];
  const cx = (x(33) + x(263) + x(133) + x(362)) / 4;
  const cy = (y(33) + y(263) + y(133) + y(362)) / 4;
  const b = (i: number): number => ((x(i) - cx) * ey[0]! + (y(i) - cy) * ey[1]!) / iod;
  return [b(14), (b(61) + b(291)) / 2, Math.hypot(x(291) - x(61), y(291) - y(61)) / iod];
}

/**
 * Least-squares slope of ys on xs (about the medians), and the slope with a second regressor `zs` held (partial
 * regression: the mouth width, so a smile's corner lift while speaking is not read as less drop).
 */
function slope(xs: number[], ys: number[], zs?: number[]): { slope: number; r: number; partial: number } {
  const med = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
  const mx = med(xs);
  const my = med(ys);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < xs.length; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
    syy += (ys[i]! - my) ** 2;
  }
  let partial = NaN;
  if (zs) {
    const mz = med(zs);
    let sxz = 0;
    let szz = 0;
    let syz = 0;
    for (let i = 0; i < xs.length; i++) {
      sxz += (xs[i]! - mx) * (zs[i]! - mz);
      szz += (zs[i]! - mz) ** 2;
      syz += (ys[i]! - my) * (zs[i]! - mz);
    }
    const det = sxx * szz - sxz * sxz;
    partial = (sxy * szz - syz * sxz) / Math.max(1e-18, det);
  }
  return { slope: sxy / Math.max(1e-12, sxx), r: sxy / Math.sqrt(Math.max(1e-12, sxx * syy)), partial };
}

const analyzer = await FaceAnalyzer.create();
try {
  for (const clip of process.argv.slice(2)) {
    const a = await analyzeVideoFile(analyzer, clip, { refineEyes: true });
    const lower: number[] = [];
    const corner: number[] = [];
    const width: number[] = [];
    let first: Float32Array | null = null;
    for (const f of a.frames) {
      if (!f.face) continue;
      first ??= f.face.landmarksPx;
      const [l, c, wd] = heights(f.face.landmarksPx);
      lower.push(l);
      corner.push(c);
      width.push(wd);
    }
    const real = slope(lower, corner, width);
    const rig = buildPhotoHeadRig(first!, first!.length / 3);
    const rl: number[] = [];
    const rc: number[] = [];
    for (let k = 0; k <= 10; k++) {
      const w = new Float32Array(ARKIT_BLENDSHAPE_COUNT);
      w[BS.jawOpen] = k / 10;
      const [l, c] = heights(evaluateRig(rig, w, new Float32Array(RIG_VERTEX_COUNT * 3)));
      rl.push(l);
      rc.push(c);
    }
    const posed = slope(rl, rc);
    process.stdout.write(`${basename(clip)}: real corner/lower-lip slope ${real.slope.toFixed(3)}, width held ${real.partial.toFixed(3)} (r ${real.r.toFixed(2)}, ${lower.length} frames, lower-lip range ${(Math.max(...lower) - Math.min(...lower)).toFixed(3)} IOD); rig jawOpen slope ${posed.slope.toFixed(3)}\n`);
  }
} finally {
  await analyzer.dispose();
}
