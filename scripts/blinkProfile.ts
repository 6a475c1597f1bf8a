/**
 * Real blinks against the photo's own open lash line (issue #12, eyelids): for a clip, the tracker's EAR per frame
 * (MediaPipe via the product's face analyzer; frames every `--step`), the open lash line of frame 0 and the closed
 * line of each frame whose EAR is under 0.6 of frame 0's (tests/helpers/lashProfile.ts).
 * Usage: `tsx scripts/blinkProfile.ts <video> [--seconds 6] [--step 1]`.
 */
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import ffmpegInstaller from '@ffmpeg-installer/ffmpeg';
import { FaceAnalyzer } from '../pipeline/face/faceAnalyzer.ts';
import { decodeImage } from '../pipeline/image/decodeImage.ts';
import { EYE_LEFT, EYE_RIGHT } from '../core/rig/topology.ts';
import { closedLine, openLashLine } from '../tests/helpers/lashProfile.ts';

const args = process.argv.slice(2);
const opt = (name: string, d: number): number => {
  const k = args.indexOf(name);
  return k >= 0 ? Number(args.splice(k, 2)[1]) : d;
};
const seconds = opt('--seconds', 6);
const step = opt('--step', 1);
const video = args[0]!;
const CORNERS: [number, number][] = [[33, 133], [362, 263]];
const EAR_POINTS = [[33, 160, 158, 133, 153, 144], [263, 387, 385, 362, 380, 373]] as const;
const ear = (lm: ArrayLike<number>, [p1, p2, p3, p4, p5, p6]: readonly number[]): number => {
  const d = (i: number, j: number): number => Math.hypot(lm[i * 3]! - lm[j * 3]!, lm[i * 3 + 1]! - lm[j * 3 + 1]!);
  return (d(p2!, p6!) + d(p3!, p5!)) / (2 * d(p1!, p4!));
};
const dir = mkdtempSync(path.join(tmpdir(), 'blinkp-'));
const analyzer = await FaceAnalyzer.create();
try {
  execFileSync(ffmpegInstaller.path, ['-loglevel', 'error', '-y', '-t', String(seconds), '-i', video, '-vf', `select='not(mod(n\\,${step}))'`, '-vsync', '0', path.join(dir, 'f_%04d.png')]);
  const files = (await import('node:fs')).readdirSync(dir).filter((f) => f.endsWith('.png')).sort();
  let ear0: number[] = [];
  const f = (x: number): string => x.toFixed(3);
  for (const [k, file] of files.entries()) {
    const img = await decodeImage(path.join(dir, file));
    const face = (await analyzer.analyze(img, { maxFaces: 1 })).faces[0];
    if (!face) continue;
    const lm = face.landmarksPx;
    const e = EAR_POINTS.map((p) => ear(lm, p));
    const at = (i: number): [number, number] => [lm[i * 3]!, lm[i * 3 + 1]!];
    if (k === 0) {
      ear0 = e;
      const open = [EYE_RIGHT, EYE_LEFT].map((r, j) => openLashLine(img.rgba, img.widthPx, img.heightPx, at(CORNERS[j]![0]), at(CORNERS[j]![1]), r.upper0.map(at)));
      console.log(`open f0: EAR ${e.map(f).join(' ')}; lash core ${open.map((o) => f(o.core)).join(' ')} depth ${open.map((o) => f(o.depth)).join(' ')}`);
      continue;
    }
    if (e.every((v, j) => v / ear0[j]! < 0.6)) {
      const c = CORNERS.map(([i, j]) => closedLine(img.rgba, img.widthPx, img.heightPx, at(i), at(j)));
      console.log(`closed frame ${k * step}: EAR/open ${e.map((v, j) => f(v / ear0[j]!)).join(' ')}; core ${c.map((o) => f(o.core)).join(' ')} halo ${c.map((o) => f(o.halo)).join(' ')} depth ${c.map((o) => f(o.depth)).join(' ')}; profile ${c[0]!.profile.filter((_, j) => j % 3 === 0).map((v) => v.toFixed(2)).join(' ')}`);
    }
  }
} finally {
  await analyzer.dispose();
  rmSync(dir, { recursive: true, force: true });
}
