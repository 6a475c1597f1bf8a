/**
 * `npx tsx scripts/measureMouthInterior.ts [real] [render] [portrait…]`: what a real open mouth's interior looks like
 * (corpus vid02 O 2.2–3.0 s and wide 3.9–4.8 s, vid05 open frames) against the photo head's renders at jawOpen 0, 0.3,
 * 0.6, 1, a smile and a funnel (`MOUTH_POSES=jaw1,smile` picks some), all measured inside the inner-lip contour that
 * TF.js FaceMesh finds (tests/integration/render/interiorMetric.ts: near-black share, share below 0.3 × skin, first
 * quartile, band profile, teeth and tongue shares). Portraits: img01, img05, img03, img02, b03, frame 0 of vid01, vid03,
 * vid04, vid05, vid05 at 2.5 s. `MOUTH_PNG_DIR=dir` also writes the mouth crops there (real frames and renders; the
 * renders of one portrait all cut with its first pose's window). Not a test: numbers for issue #12's report.
 */
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import sharp from 'sharp';
import ffmpegInstaller from '@ffmpeg-installer/ffmpeg';
import { ARKIT_BLENDSHAPE_COUNT, BS } from '../core/motion/names.ts';
import { RenderHost } from '../pipeline/render/renderHost.ts';
import { FaceAnalyzerCore, analyzeImageFile } from '../pipeline/face/faceAnalyzer.ts';
import { TfjsFaceModelRunner } from '../pipeline/face/tfjsReference.ts';
import { decodeImage } from '../pipeline/image/decodeImage.ts';
import { readVideoFramesRgba } from '../tests/helpers/media.ts';
import { loadPortrait, type Portrait } from '../tests/integration/render/helpers.ts';
import { interiorStats, type InteriorStats } from '../tests/integration/render/interiorMetric.ts';

/** Poses rendered (label, ARKit weights): `MOUTH_POSES=jaw1,smile` picks some. The crop is the first pose's. */
const ALL_POSES: [string, Record<string, number>][] = [
  ['jaw0', {}],
  ['jaw0.3', { jawOpen: 0.3 }],
  ['jaw0.6', { jawOpen: 0.6 }],
  ['jaw1', { jawOpen: 1 }],
  ['smile', { mouthSmileLeft: 1, mouthSmileRight: 1 }],
  ['funnel', { jawOpen: 0.3, mouthFunnel: 1 }],
];
const POSES = process.env.MOUTH_POSES ? ALL_POSES.filter(([l]) => process.env.MOUTH_POSES!.split(',').includes(l)) : ALL_POSES;
const CORPUS = path.resolve(process.cwd(), '../shared/corpus');
const S = 512;
const args = process.argv.slice(2);
const runner = await TfjsFaceModelRunner.create('wasm');
const core = new FaceAnalyzerCore(runner);
const fmt = (s: InteriorStats): string =>
  `gap ${s.lipGapIod.toFixed(3)} area ${s.areaPx} black ${s.nearBlackShare.toFixed(2)} dark<0.3 ${s.darkShare.toFixed(2)} p25 ${s.p25RelLuma.toFixed(2)} mean ${s.meanRelLuma.toFixed(2)} profile ${s.profile.map((v) => v.toFixed(2)).join('/')} teeth ${s.teethShare.toFixed(2)} tongue ${s.tongueShare.toFixed(2)}`;

/** Last measured face's mouth box (output px), for the crops. */
let mouthBox: { left: number; top: number; width: number; height: number } | null = null;
async function measure(rgba: Uint8Array, w: number, h: number): Promise<InteriorStats | null> {
  const face = (await core.analyze({ rgba, widthPx: w, heightPx: h, hadAlpha: false }, { maxFaces: 1 }).catch(() => null))?.faces[0];
  if (!face) return null;
  const xs = [61, 291].map((i) => face.landmarksPx[i * 3]!);
  const cy = (face.landmarksPx[13 * 3 + 1]! + face.landmarksPx[14 * 3 + 1]!) / 2;
  const width = Math.min(w, Math.round((Math.max(...xs) - Math.min(...xs)) * 1.8));
  const height = Math.round(width * 0.8);
  mouthBox = { left: Math.max(0, Math.min(w - width, Math.round((xs[0]! + xs[1]!) / 2 - width / 2))), top: Math.max(0, Math.min(h - height, Math.round(cy - height / 2))), width, height };
  return interiorStats(rgba, w, h, face.landmarksPx);
}

const outDir = process.env.MOUTH_PNG_DIR;
if (outDir) mkdirSync(outDir, { recursive: true });

if (args.includes('real')) {
  for (const [file, size, fps, ranges] of [
    ['vid02_man_mouth_O_then_wide_silent_track_480p30.mp4', 480, 30, [[2.2, 3.0], [3.9, 4.8]]],
    ['vid05_man_excited_wide_mouth_512p25.mp4', 512, 25, [[0, 7.3]]],
  ] as const) {
    const frames = await readVideoFramesRgba(path.join(CORPUS, 'video', file), size, size);
    for (const [t0, t1] of ranges) {
      const all: InteriorStats[] = [];
      for (let f = Math.round(t0 * fps); f <= Math.min(frames.length - 1, Math.round(t1 * fps)); f += 3) {
        const s = await measure(frames[f]!, size, size);
        if (s && s.lipGapIod > 0.1 && s.areaPx > 50) {
          all.push(s);
          console.log(`${file.slice(0, 5)} f${f}: ${fmt(s)}`);
          if (outDir && mouthBox) await sharp(Buffer.from(frames[f]!), { raw: { width: size, height: size, channels: 4 } }).extract(mouthBox).resize(300).png().toFile(path.join(outDir, `real_${file.slice(0, 5)}_f${f}.png`));
        }
      }
      const m = (k: (s: InteriorStats) => number): string => (all.reduce((a, s) => a + k(s), 0) / all.length).toFixed(2);
      console.log(`${file.slice(0, 5)} ${t0}-${t1} s, ${all.length} open frames: black ${m((s) => s.nearBlackShare)} dark<0.3 ${m((s) => s.darkShare)} p25 ${m((s) => s.p25RelLuma)} mean ${m((s) => s.meanRelLuma)} teeth ${m((s) => s.teethShare)} tongue ${m((s) => s.tongueShare)}`);
    }
  }
}

if (args.includes('render')) {
  const tmp = mkdtempSync(path.join(tmpdir(), 'mouthm-'));
  const frame = (name: string, video: string, t: number): Promise<Portrait> => {
    const f = path.join(tmp, `${name}.png`);
    execFileSync(ffmpegInstaller.path, ['-loglevel', 'error', '-y', '-ss', String(t), '-i', path.join(CORPUS, 'video', video), '-frames:v', '1', f]);
    return image(name, f);
  };
  const image = async (name: string, f: string): Promise<Portrait> => ({ name, image: await decodeImage(f), face: (await analyzeImageFile(f)).faces[0]! });
  const portraits: Record<string, () => Promise<Portrait>> = {
    img01: () => loadPortrait('img01'),
    img05: () => loadPortrait('img05'),
    img03: () => image('img03', path.join(CORPUS, 'images/img03_beard_smile_teeth_ai.png')),
    b03: () => image('b03', path.join(CORPUS, 'bugs/b03_portrait_transparent_bg_rgba.png')),
    vid05t2p5: () => frame('vid05t2p5', 'vid05_man_excited_wide_mouth_512p25.mp4', 2.5),
    vid01f0: () => frame('vid01f0', 'vid01_talking_man_own_speech_480p25.mp4', 0),
    vid05f0: () => frame('vid05f0', 'vid05_man_excited_wide_mouth_512p25.mp4', 0),
    vid03f0: () => frame('vid03f0', 'vid03_woman_talking_expressive_512p30.mp4', 0),
    vid04f0: () => frame('vid04f0', 'vid04_child_talking_512p25.mp4', 0),
    img02: () => image('img02', path.join(CORPUS, 'images/img02_darkskin_ai_woman_rgba.png')),
  };
  const names = args.filter((a) => a in portraits);
  const host = await RenderHost.launch({ widthPx: S, heightPx: S });
  try {
    for (const name of names.length ? names : Object.keys(portraits)) {
      const p = await portraits[name]!();
      await host.loadPortrait(p.image, p.face);
      let box0: typeof mouthBox = null;
      for (const [label, pose] of POSES) {
        const w = new Float32Array(ARKIT_BLENDSHAPE_COUNT);
        for (const [k, v] of Object.entries(pose)) w[BS[k as keyof typeof BS]] = v;
        const px = await host.renderStill({ blendshapes: w });
        // Alpha of a transparent background → black would read as a void; composite over mid grey.
        for (let i = 0; i < px.length; i += 4) {
          const a = px[i + 3]! / 255;
          for (let c = 0; c < 3; c++) px[i + c] = Math.round(px[i + c]! * a + 128 * (1 - a));
          px[i + 3] = 255;
        }
        const s = await measure(px, S, S);
        console.log(`render ${name} ${label}: ${s && s.areaPx > 0 ? fmt(s) : s ? 'closed' : 'no face'}`);
        if (outDir && s && mouthBox) await sharp(Buffer.from(px), { raw: { width: S, height: S, channels: 4 } }).extract(label === POSES[0]![0] ? (box0 = mouthBox) : (box0 ?? mouthBox)).resize(300).png().toFile(path.join(outDir, `${name}_${label}.png`));
      }
    }
  } finally {
    await host.dispose();
  }
}
await runner.dispose();
