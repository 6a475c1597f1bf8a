/**
 * The lash line of a closed photo-head eye against real closed eyes of the same person (issue 12: "a lash line",
 * not a heavy band): vid06 at 1.0 s (eyes open, ahead) is the portrait, its own blinks (frames 18, 142 and 202, both
 * eyes shut; checked here with the product's tracker) are the answer, and eyeBlink 1 is rendered at 512².
 *
 * @remarks Measure (the same on the real frames and the render; luma Rec. 601): along the line between the eye's
 * corners (MediaPipe 33/133, 362/263; on the render the portrait's, mapped through the framing crop), every half pixel
 * from 20 % to 80 % of the way, a profile across it of ±0.25 eye widths; the skin reference is the profile's 80th
 * percentile luma; the line's core is the length under 0.6 of it, its halo the length under 0.75, both in eye widths,
 * averaged over the profiles and the two eyes. Real closed lids: core ≈ 0.11, halo ≈ 0.18 (a thin dark line in a soft
 * shadow). The bounds (within 10 % of the real means) were set after seeing the numbers: main before this test drew
 * core 0.125 and halo 0.149 (one hard-edged band), failing both; now 0.113 and 0.175 (real 0.111, 0.181). Tuned on this clip; the eyelid
 * blink test's portraits (img01, img02, img05, img06) guard the closed lid's colour and the tracker's EAR.
 */
import { describe, expect, it } from 'vitest';
import { useRenderHost } from '../../helpers/useRenderHost.ts';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import ffmpegInstaller from '@ffmpeg-installer/ffmpeg';
import { ARKIT_BLENDSHAPE_COUNT, BS } from '../../../core/motion/names.ts';
import { analyzeImageFile, FaceAnalyzer } from '../../../pipeline/face/faceAnalyzer.ts';
import { decodeImage } from '../../../pipeline/image/decodeImage.ts';
import { toOutputPx } from './helpers.ts';
import { corpus, HAS_CORPUS } from '../../helpers/media.ts';

const S = 512;
const VIDEO = 'video/vid06_woman_winks_gaze_512p30.mp4';
const CLOSED_FRAMES = [18, 142, 202];
const CORNERS: [number, number][] = [
  [33, 133],
  [362, 263],
];
/** MediaPipe indices of the EAR points p1…p6 (Soukupová & Čech 2016): subject's right eye, left eye. */
const EAR_POINTS = [
  [33, 160, 158, 133, 153, 144],
  [263, 387, 385, 362, 380, 373],
] as const;

function ear(lm: ArrayLike<number>, [p1, p2, p3, p4, p5, p6]: readonly number[]): number {
  const d = (i: number, j: number): number => Math.hypot(lm[i * 3]! - lm[j * 3]!, lm[i * 3 + 1]! - lm[j * 3 + 1]!);
  return (d(p2!, p6!) + d(p3!, p5!)) / (2 * d(p1!, p4!));
}

/** Core and halo widths (eye widths) of the dark line between two eye corners (px) of an RGBA image. */
function lashLine(rgba: Uint8Array, w: number, h: number, c1: [number, number], c2: [number, number]): { core: number; halo: number } {
  const eyeW = Math.hypot(c2[0] - c1[0], c2[1] - c1[1]);
  const u = [(c2[0] - c1[0]) / eyeW, (c2[1] - c1[1]) / eyeW] as const;
  const n = u[0] >= 0 ? ([-u[1], u[0]] as const) : ([u[1], -u[0]] as const);
  const luma = (x: number, y: number): number => {
    const k = (Math.min(h - 1, Math.max(0, Math.round(y))) * w + Math.min(w - 1, Math.max(0, Math.round(x)))) * 4;
    return 0.299 * rgba[k]! + 0.587 * rgba[k + 1]! + 0.114 * rgba[k + 2]!;
  };
  let core = 0;
  let halo = 0;
  let count = 0;
  for (let t = 0.2; t <= 0.8; t += 0.5 / eyeW) {
    const bx = c1[0] + t * eyeW * u[0];
    const by = c1[1] + t * eyeW * u[1];
    const profile: number[] = [];
    for (let s = -0.25 * eyeW; s <= 0.25 * eyeW; s += 0.5) profile.push(luma(bx + s * n[0], by + s * n[1]));
    const ref = [...profile].sort((a, b) => a - b)[Math.floor(0.8 * profile.length)]!;
    core += (profile.filter((v) => v < 0.6 * ref).length * 0.5) / eyeW;
    halo += (profile.filter((v) => v < 0.75 * ref).length * 0.5) / eyeW;
    count++;
  }
  return { core: core / count, halo: halo / count };
}

describe.skipIf(!HAS_CORPUS)('closed photo-head eyelids: the lash line against real closed eyes (corpus vid06)', () => {
  const host = useRenderHost({ widthPx: S, heightPx: S });

  it('vid06 at 1.0 s, eyeBlink 1: the lash line\'s core and halo are within 10 % of the clip\'s own closed eyes', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lash-line-'));
    const real: { core: number; halo: number }[] = [];
    let ours: { core: number; halo: number }[];
    try {
      // The real closed eyes, beside frame 0 (open) for the EAR check.
      const select = [0, ...CLOSED_FRAMES].map((f) => `eq(n\\,${f})`).join('+');
      execFileSync(ffmpegInstaller.path, ['-loglevel', 'error', '-y', '-i', corpus(VIDEO), '-vf', `select='${select}'`, '-vsync', '0', path.join(dir, 'real_%d.png')]);
      const analyzer = await FaceAnalyzer.create();
      try {
        const frames = await Promise.all([0, ...CLOSED_FRAMES].map((_, k) => decodeImage(path.join(dir, `real_${k + 1}.png`))));
        const landmarks = [];
        for (const image of frames) landmarks.push((await analyzer.analyze(image, { maxFaces: 1 })).faces[0]!.landmarksPx);
        for (let k = 1; k < frames.length; k++) {
          const lm = landmarks[k]!;
          // Both eyes shut: the tracker's EAR under 0.6 of frame 0's (it reads a closed eye at about 0.45 of open).
          for (const p of EAR_POINTS) expect(ear(lm, p) / ear(landmarks[0]!, p)).toBeLessThan(0.6);
          const { rgba, widthPx, heightPx } = frames[k]!;
          for (const [i, j] of CORNERS) real.push(lashLine(rgba, widthPx, heightPx, [lm[i * 3]!, lm[i * 3 + 1]!], [lm[j * 3]!, lm[j * 3 + 1]!]));
        }
      } finally {
        await analyzer.dispose();
      }
      // The render: the frame at 1.0 s as the portrait, both eyes closed.
      const file = path.join(dir, 'frame.png');
      execFileSync(ffmpegInstaller.path, ['-loglevel', 'error', '-y', '-ss', '1.0', '-i', corpus(VIDEO), '-frames:v', '1', file]);
      const face = (await analyzeImageFile(file)).faces[0]!;
      const info = await host().loadPortrait(await decodeImage(file), face);
      const w = new Float32Array(ARKIT_BLENDSHAPE_COUNT);
      w[BS.eyeBlinkLeft] = 1;
      w[BS.eyeBlinkRight] = 1;
      const img = await host().renderStill({ blendshapes: w });
      const lm = face.landmarksPx;
      const at = (i: number): [number, number] => toOutputPx(info.cropPx, S, S, lm[i * 3]!, lm[i * 3 + 1]!);
      ours = CORNERS.map(([i, j]) => lashLine(img, S, S, at(i), at(j)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const mean = (xs: { core: number; halo: number }[], k: 'core' | 'halo'): number => xs.reduce((a, x) => a + x[k], 0) / xs.length;
    const r = { core: mean(real, 'core'), halo: mean(real, 'halo') };
    const o = { core: mean(ours, 'core'), halo: mean(ours, 'halo') };
    console.log(`vid06 closed lash line (eye widths), real → ours: core ${r.core.toFixed(3)} → ${o.core.toFixed(3)}, halo ${r.halo.toFixed(3)} → ${o.halo.toFixed(3)}`);
    expect(o.core / r.core).toBeGreaterThan(0.9);
    expect(o.core / r.core).toBeLessThan(1.1);
    expect(o.halo / r.halo).toBeGreaterThan(0.9);
    expect(o.halo / r.halo).toBeLessThan(1.1);
  }, 300_000);
});
