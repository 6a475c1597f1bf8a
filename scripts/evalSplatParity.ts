/**
 * Splat head parity (issue 13): the photo head as Gaussian splats against the mesh photo head on the same portraits,
 * photo background, at orbit yaw 0 and ±25°, neutral and with the jaw open.
 * Prints per portrait and view: face SSIM splats vs mesh (luma, 8×8 windows stride 4, Wang et al. 2004, over the face
 * box the face analyser finds in the mesh frame, grown 15 %), the mouth-box SSIM, and the speckle count (isolated
 * bright pixels: luma ≥ 40 levels over the median of its 3×3 neighbourhood in the splat frame where the mesh frame
 * has no such peak within 1 px). Then the render-time ratio splats/mesh: two render hosts, batches of frames of a
 * talking track alternated A/B/A/B, each batch's wall time and CPU time of the whole process tree (the idle host uses
 * none), median ratio of each.
 * Writes `<name>_<view>_{mesh,splats}.png` and a side-by-side `<name>_<view>.png` under --out.
 * Usage: `npx tsx scripts/evalSplatParity.ts --out dir [--size 384] [--batches 4] [--frames 6] name=path …`
 */
import { mkdir } from 'node:fs/promises';
import { parseRenderScriptArgs } from './renderScriptCli.ts';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import { decodeImage } from '../pipeline/image/decodeImage.ts';
import { FaceAnalyzer } from '../pipeline/face/faceAnalyzer.ts';
import { RenderHost } from '../pipeline/render/renderHost.ts';
import { BS } from '../core/motion/names.ts';
import { createNeutralTrack } from '../core/motion/track.ts';
import { mouthBox } from '../tests/helpers/splatDefects.ts';

const { sizePx: SIZE, outDir, portraits: args, opts } = parseRenderScriptArgs({
  name: 'evalSplatParity',
  description: 'Splat head parity: splats vs the mesh photo head (face and mouth SSIM, speckles), then the render-time ratio splats/mesh.',
  sizePx: 384,
  outHelp: 'where the frames go',
  outDir: '/tmp/splat-parity',
  portraits: { help: 'name=path of each portrait' },
  options: (cmd) => cmd.option('--batches <n>', 'timed batches per head, alternated A/B', '4').option('--frames <n>', 'frames per timed batch', '6').option('--no-time', 'skip the render-time comparison'),
});
const OUT = outDir!;
const BATCHES = Number(opts.batches);
const FRAMES = Number(opts.frames);
const NO_TIME = opts.time === false;
const VIEWS: { name: string; yawDeg: number; jaw: number; gazeYawRad?: number; blink?: number }[] = [
  { name: 'y0', yawDeg: 0, jaw: 0 },
  { name: 'y-25', yawDeg: -25, jaw: 0 },
  { name: 'y25', yawDeg: 25, jaw: 0 },
  { name: 'y25jaw', yawDeg: 25, jaw: 0.6 },
  { name: 'y0look', yawDeg: 0, jaw: 0, gazeYawRad: 0.3 },
  { name: 'y0blink', yawDeg: 0, jaw: 0, blink: 0.7 },
];
await mkdir(OUT, { recursive: true });

type Box = { x0: number; y0: number; x1: number; y1: number };
const luma = (f: Uint8Array, k: number): number => 0.299 * f[k * 4]! + 0.587 * f[k * 4 + 1]! + 0.114 * f[k * 4 + 2]!;
function ssimBox(a: Uint8Array, b: Uint8Array, w: number, box: Box): number {
  const C1 = (0.01 * 255) ** 2, C2 = (0.03 * 255) ** 2;
  let sum = 0, count = 0;
  for (let y = box.y0; y + 8 <= box.y1; y += 4) {
    for (let x = box.x0; x + 8 <= box.x1; x += 4) {
      let ma = 0, mb = 0;
      for (let j = 0; j < 8; j++) {
        for (let i = 0; i < 8; i++) {
          ma += luma(a, (y + j) * w + x + i);
          mb += luma(b, (y + j) * w + x + i);
        }
      }
      ma /= 64;
      mb /= 64;
      let va = 0, vb = 0, cov = 0;
      for (let j = 0; j < 8; j++) {
        for (let i = 0; i < 8; i++) {
          const da = luma(a, (y + j) * w + x + i) - ma, db = luma(b, (y + j) * w + x + i) - mb;
          va += da * da;
          vb += db * db;
          cov += da * db;
        }
      }
      sum += ((2 * ma * mb + C1) * (2 * cov / 63 + C2)) / ((ma * ma + mb * mb + C1) * (va / 63 + vb / 63 + C2));
      count++;
    }
  }
  return count ? sum / count : NaN;
}
/** Per pixel: luma minus the median of its 3×3 neighbourhood (0 on the border). */
function peaks(f: Uint8Array, w: number, h: number): Float32Array {
  const out = new Float32Array(w * h);
  const n = new Float32Array(9);
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      let c = 0;
      for (let j = -1; j <= 1; j++) for (let i = -1; i <= 1; i++) n[c++] = luma(f, (y + j) * w + x + i);
      const s = Array.from(n).sort((p, q) => p - q);
      out[y * w + x] = luma(f, y * w + x) - s[4]!;
    }
  }
  return out;
}
function speckles(splat: Uint8Array, mesh: Uint8Array, w: number, h: number): number {
  const ps = peaks(splat, w, h), pm = peaks(mesh, w, h);
  let n = 0;
  for (let y = 2; y < h - 2; y++) {
    for (let x = 2; x < w - 2; x++) {
      if (ps[y * w + x]! < 40) continue;
      let meshPeak = false;
      for (let j = -1; j <= 1 && !meshPeak; j++) for (let i = -1; i <= 1; i++) if (pm[(y + j) * w + x + i]! >= 20) meshPeak = true;
      if (!meshPeak) n++;
    }
  }
  return n;
}
const png = (px: Uint8Array, w: number, h: number, file: string): Promise<unknown> => sharp(Buffer.from(px), { raw: { width: w, height: h, channels: 4 } }).png().toFile(file);

function processTreeCpuSec(): number {
  const kids = new Map<number, number[]>();
  const cpu = new Map<number, number>();
  for (const d of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const s = readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
      cpu.set(Number(d), (Number(f[11]) + Number(f[12])) / 100);
      kids.set(Number(f[1]), [...(kids.get(Number(f[1])) ?? []), Number(d)]);
    } catch {
      // gone
    }
  }
  let s = 0;
  const walk = (p: number): void => {
    s += cpu.get(p) ?? 0;
    for (const k of kids.get(p) ?? []) walk(k);
  };
  walk(process.pid);
  return s;
}

const analyzer = await FaceAnalyzer.create();
const meshHost = await RenderHost.launch({ widthPx: SIZE, heightPx: SIZE });
const splatHost = await RenderHost.launch({ widthPx: SIZE, heightPx: SIZE });
const rad = (d: number): number => (d * Math.PI) / 180;
try {
  for (const a of args) {
    const [name, file] = a.split('=') as [string, string];
    const image = await decodeImage(file);
    const face = (await analyzer.analyze(image)).faces[0]!;
    await meshHost.loadPortrait(image, face);
    const t0 = performance.now();
    const info = await splatHost.loadPortraitSplats(image, face);
    const setupMs = performance.now() - t0;
    const row: string[] = [];
    for (const v of VIEWS) {
      const bs = new Float32Array(52);
      bs[BS.jawOpen] = v.jaw;
      bs[BS.eyeBlinkLeft] = bs[BS.eyeBlinkRight] = v.blink ?? 0;
      const opts = { orbitYawRad: rad(v.yawDeg) };
      const g = v.gazeYawRad ?? 0;
      const frame = { blendshapes: bs, gazeRad: Float32Array.from([g, 0, g, 0]) };
      const mesh = await meshHost.renderStill(frame, opts);
      const spl = await splatHost.renderStill(frame, opts);
      const found = (await analyzer.analyze({ rgba: mesh, widthPx: SIZE, heightPx: SIZE, hadAlpha: false })).faces[0];
      let box: Box = { x0: SIZE / 4, y0: SIZE / 4, x1: (3 * SIZE) / 4, y1: (3 * SIZE) / 4 };
      let mouth: Box | null = null;
      if (found) {
        const [bx, by, bw, bh] = [found.boxPx.xPx, found.boxPx.yPx, found.boxPx.widthPx, found.boxPx.heightPx];
        const g = 0.075;
        box = { x0: Math.max(0, Math.round(bx - g * bw)), y0: Math.max(0, Math.round(by - g * bh)), x1: Math.min(SIZE, Math.round(bx + bw * (1 + g))), y1: Math.min(SIZE, Math.round(by + bh * (1 + g))) };
        // mouth box: the lip landmarks' bounds grown by 30 %
        const m = mouthBox(found.landmarksPx);
        mouth = { x0: Math.max(0, m.x0), y0: Math.max(0, m.y0), x1: Math.min(SIZE, m.x1), y1: Math.min(SIZE, m.y1) };
      }
      const s = ssimBox(spl, mesh, SIZE, box);
      const sm = mouth ? ssimBox(spl, mesh, SIZE, mouth) : NaN;
      const sp = speckles(spl, mesh, SIZE, SIZE);
      row.push(`${v.name}: face SSIM ${s.toFixed(3)}, mouth ${sm.toFixed(3)}, speckles ${sp}${found ? '' : ' (no face in mesh frame)'}`);
      await png(mesh, SIZE, SIZE, join(OUT, `${name}_${v.name}_mesh.png`));
      await png(spl, SIZE, SIZE, join(OUT, `${name}_${v.name}_splats.png`));
      const both = new Uint8Array(SIZE * 2 * SIZE * 4);
      for (let y = 0; y < SIZE; y++) {
        both.set(mesh.subarray(y * SIZE * 4, (y + 1) * SIZE * 4), y * SIZE * 8);
        both.set(spl.subarray(y * SIZE * 4, (y + 1) * SIZE * 4), y * SIZE * 8 + SIZE * 4);
      }
      await png(both, SIZE * 2, SIZE, join(OUT, `${name}_${v.name}.png`));
    }
    process.stdout.write(`${name}: ${info.splatCount} Gaussians (${JSON.stringify(info.info)}), set-up ${setupMs.toFixed(0)} ms\n  ${row.join('\n  ')}\n`);
    if (NO_TIME) continue;
    const track = createNeutralTrack(FRAMES, { num: 25, den: 1 });
    for (let f = 0; f < FRAMES; f++) {
      track.blendshapes[f * 52 + BS.jawOpen] = 0.5 + 0.5 * Math.sin(f * 0.9);
      const yaw = 0.1 * Math.sin(f * 0.5);
      track.headRotation.set([0, Math.sin(yaw / 2), 0, Math.cos(yaw / 2)], f * 4);
    }
    const wall: Record<string, number[]> = { mesh: [], splats: [] }, cpu: Record<string, number[]> = { mesh: [], splats: [] };
    for (let b = 0; b < BATCHES; b++) {
      for (const [k, host] of [['mesh', meshHost], ['splats', splatHost]] as const) {
        const c0 = processTreeCpuSec(), w0 = performance.now();
        await host.benchRenderOnly(track, FRAMES, 'rgba');
        wall[k]!.push((performance.now() - w0) / FRAMES);
        cpu[k]!.push(((processTreeCpuSec() - c0) * 1000) / FRAMES);
      }
    }
    const med = (v: number[]): number => [...v].sort((p, q) => p - q)[Math.floor(v.length / 2)]!;
    const ratios = (r: Record<string, number[]>): number[] => r.splats!.map((v, i) => v / r.mesh![i]!);
    process.stdout.write(`  time per frame (median of ${BATCHES} alternating batches of ${FRAMES}): mesh ${med(wall.mesh!).toFixed(0)} ms wall / ${med(cpu.mesh!).toFixed(0)} ms CPU, splats ${med(wall.splats!).toFixed(0)} ms wall / ${med(cpu.splats!).toFixed(0)} ms CPU; ratio splats/mesh wall ${med(ratios(wall)).toFixed(2)}× (${ratios(wall).map((r) => r.toFixed(2)).join(' ')}), CPU ${med(ratios(cpu)).toFixed(2)}× (${ratios(cpu).map((r) => r.toFixed(2)).join(' ')})\n`);
  }
} finally {
  await meshHost.dispose();
  await splatHost.dispose();
  await analyzer.dispose();
}
