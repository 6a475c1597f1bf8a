/**
 * Mouth-opening shape, real vs rendered (issue 12, "a mouth that passes for real"): how far the upper inner lip arches
 * above the inner mouth corners, the lower lip sags below them, and the corners move, as a function of the inner-lip
 * gap — measured with the INDEPENDENT tracker (TF.js FaceMesh of @vladmandic/human, pipeline/face/tfjsReference.ts)
 * on real clip frames and on photo-head renders at jawOpen 0.25…1. Measures: core/face/mouthOpeningShape.ts (outer
 * eye-corner distance units, as the paired eval's lip gap).
 *
 * Usage:
 *   `npx tsx scripts/measureMouthArch.ts real <clip.mp4>[@t0-t1] … [--stride 2]` — per clip: arch/sag medians per gap bin,
 *     the least-squares slope of the arch on the gap (through the closed-mouth median), the outer corners' drop slope on
 *     the lower lip's drop and the inner width's slope on the gap;
 *   `npx tsx scripts/measureMouthArch.ts render img01,img05,… [--out dir]` — the same measures on 512² renders at jawOpen
 *     0, 0.25, 0.5, 0.75, 1 (mouth crops written to --out when given).
 */
import path from 'node:path';
import { mkdir } from 'node:fs/promises';
import sharp from 'sharp';
import { FaceAnalyzerCore } from '../pipeline/face/faceAnalyzer.ts';
import { TfjsFaceModelRunner } from '../pipeline/face/tfjsReference.ts';
import { decodeVideoFrames, probeVideo } from '../pipeline/video/decodeVideo.ts';
import { measureMouthOpeningShape, type MouthOpeningShape } from '../core/face/mouthOpeningShape.ts';
import { RenderHost } from '../pipeline/render/renderHost.ts';
import { ARKIT_BLENDSHAPE_COUNT, BS } from '../core/motion/names.ts';
import { analyzePortrait, loadPortrait, type Portrait } from '../tests/integration/render/helpers.ts';

const args = process.argv.slice(2);
const mode = args[0];
const opt = (name: string, def: string): string => {
  const k = args.indexOf(`--${name}`);
  return k >= 0 ? args[k + 1]! : def;
};
const positional = args.slice(1).filter((a, k, all) => !a.startsWith('--') && !(k > 0 && all[k - 1]!.startsWith('--')));
const tracker = new FaceAnalyzerCore(await TfjsFaceModelRunner.create('wasm'));

let lastLandmarks = null as Float32Array | null;
async function track(rgba: Uint8Array, widthPx: number, heightPx: number): Promise<MouthOpeningShape | null> {
  const a = await tracker.analyze({ rgba, widthPx, heightPx, hadAlpha: false }, { maxFaces: 1 }).catch(() => null);
  const lm = a?.faces[0]?.landmarksPx;
  lastLandmarks = lm ?? null;
  return lm ? measureMouthOpeningShape(lm) : null;
}

const f3 = (v: number): string => (Number.isFinite(v) ? v.toFixed(3) : '  –  ');
const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : NaN;
};
function fit(xs: number[], ys: number[]): { slope: number; r: number } {
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < xs.length; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
    syy += (ys[i]! - my) ** 2;
  }
  return { slope: sxy / Math.max(1e-12, sxx), r: sxy / Math.sqrt(Math.max(1e-12, sxx * syy)) };
}

if (mode === 'real') {
  const stride = Number(opt('stride', '2'));
  for (const spec of positional) {
    const [file, range] = spec.split('@') as [string, string | undefined];
    const [t0, t1] = range ? range.split('-').map(Number) : [0, Infinity];
    const info = await probeVideo(file);
    const rows: (MouthOpeningShape & { t: number })[] = [];
    for await (const fr of decodeVideoFrames(file, info, { maxSidePx: 512 })) {
      if (fr.frameIndex % stride || fr.timeSec < t0! || fr.timeSec > t1!) continue;
      const m = await track(fr.rgba, fr.widthPx, fr.heightPx);
      if (m) rows.push({ ...m, t: fr.timeSec });
    }
    const closed = rows.filter((r) => r.gapIod < 0.03);
    const archClosed = closed.length ? median(closed.map((r) => r.archIod)) : 0;
    const widthClosed = closed.length ? median(closed.map((r) => r.innerWidthIod)) : NaN;
    process.stdout.write(`\n${path.basename(file)} ${range ?? ''}: ${rows.length} frames (closed ${closed.length}: arch ${f3(archClosed)}, inner width ${f3(widthClosed)})\n`);
    process.stdout.write('gap bin      n   gap   arch   sag  archShare innerW outerW\n');
    for (const [lo, hi] of [[0, 0.03], [0.03, 0.08], [0.08, 0.15], [0.15, 0.25], [0.25, 0.35], [0.35, 0.5], [0.5, 9]] as const) {
      const b = rows.filter((r) => r.gapIod >= lo && r.gapIod < hi);
      if (!b.length) continue;
      const g = median(b.map((r) => r.gapIod));
      const a = median(b.map((r) => r.archIod));
      process.stdout.write(`${lo.toFixed(2)}-${hi.toFixed(2)} ${String(b.length).padStart(4)} ${f3(g)} ${f3(a)} ${f3(median(b.map((r) => r.sagIod)))} ${f3((a - archClosed) / g)} ${f3(median(b.map((r) => r.innerWidthIod)))} ${f3(median(b.map((r) => r.outerWidthIod)))}\n`);
    }
    const open = rows.filter((r) => r.gapIod >= 0.03);
    if (open.length > 3) {
      const a = fit(rows.map((r) => r.gapIod), rows.map((r) => r.archIod));
      const c = fit(rows.map((r) => r.lowerLipDropIod), rows.map((r) => r.cornerDropIod));
      const w = fit(rows.map((r) => r.gapIod), rows.map((r) => r.innerWidthIod));
      const wo = fit(rows.map((r) => r.gapIod), rows.map((r) => r.outerWidthIod));
      const ul = fit(rows.map((r) => r.lowerLipDropIod), rows.map((r) => r.upperLipDropIod));
      const ic = fit(rows.map((r) => r.lowerLipDropIod), rows.map((r) => r.innerCornerDropIod));
      process.stdout.write(`on the lower lip's drop: upper lip ${f3(ul.slope)} (r ${f3(ul.r)}), inner corners ${f3(ic.slope)} (r ${f3(ic.r)})\n`);
      process.stdout.write(`slopes: arch/gap ${f3(a.slope)} (r ${f3(a.r)}), cornerDrop/lowerLipDrop ${f3(c.slope)} (r ${f3(c.r)}), innerWidth/gap ${f3(w.slope)} (r ${f3(w.r)}), outerWidth/gap ${f3(wo.slope)} (r ${f3(wo.r)})\n`);
    }
    const wide = rows.filter((r) => r.gapIod >= 0.2);
    if (wide.length) process.stdout.write(`gap ≥ 0.2 (${wide.length}): arch ${f3(median(wide.map((r) => r.archIod)))}, side/centre arch ${f3(median(wide.map((r) => r.archSideIod / Math.max(1e-6, r.archIod))))}, arch share ${f3(median(wide.map((r) => r.archIod / (r.archIod + r.sagIod))))}\n`);
    const top = [...rows].sort((p, q) => q.gapIod - p.gapIod).slice(0, 5);
    for (const r of top) process.stdout.write(`  widest t=${r.t.toFixed(2)} gap ${f3(r.gapIod)} arch ${f3(r.archIod)} sag ${f3(r.sagIod)} innerW ${f3(r.innerWidthIod)}\n`);
  }
} else if (mode === 'render') {
  const S = 512;
  const outDir = opt('out', '');
  if (outDir) await mkdir(outDir, { recursive: true });
  const sources: Record<string, () => Promise<Portrait>> = {
    img01: () => loadPortrait('img01'),
    img05: () => loadPortrait('img05'),
    img06: () => loadPortrait('img06'),
    img02: () => analyzePortrait('images/img02_darkskin_ai_woman_rgba.png'),
    img03: () => analyzePortrait('images/img03_beard_smile_teeth_ai.png'),
    img04: () => analyzePortrait('images/img04_glasses_painting_ai_rgba.png'),
  };
  const host = await RenderHost.launch({ widthPx: S, heightPx: S });
  try {
    for (const name of (positional[0] ?? 'img01,img03,img05,img06').split(',')) {
      const p = await sources[name]!();
      await host.loadPortrait(p.image, p.face);
      process.stdout.write(`\n${name}\njaw    gap   arch   sag  archShare innerW outerW cornerDrop lowerDrop\n`);
      let base: MouthOpeningShape | null = null;
      let box: { left: number; top: number; width: number; height: number } | null = null;
      for (const jaw of [0, 0.25, 0.5, 0.75, 1]) {
        const w = new Float32Array(ARKIT_BLENDSHAPE_COUNT);
        w[BS.jawOpen] = jaw;
        const rgba = await host.renderStill({ blendshapes: w });
        const m = await track(rgba, S, S);
        if (!m) {
          process.stdout.write(`${jaw.toFixed(2)} no face\n`);
          continue;
        }
        base ??= m;
        if (!box && lastLandmarks) {
          const lm = lastLandmarks;
          const xs = [61, 291].map((i) => lm[i * 3]!);
          const cx = (xs[0]! + xs[1]!) / 2;
          const cy = (lm[13 * 3 + 1]! + lm[14 * 3 + 1]!) / 2;
          const w = Math.round(2 * Math.abs(xs[1]! - xs[0]!));
          const h = Math.round(w * 0.75);
          box = { left: Math.max(0, Math.round(cx - w / 2)), top: Math.max(0, Math.round(cy - h / 3)), width: w, height: h };
          box.width = Math.min(box.width, S - box.left);
          box.height = Math.min(box.height, S - box.top);
        }
        process.stdout.write(`${jaw.toFixed(2)} side ${f3(m.archSideIod)} ${f3(m.gapIod)} ${f3(m.archIod)} ${f3(m.sagIod)} ${f3((m.archIod - base.archIod) / Math.max(1e-6, m.gapIod))} ${f3(m.innerWidthIod)} ${f3(m.outerWidthIod)} ${f3(m.cornerDropIod)} ${f3(m.lowerLipDropIod)}\n`);
        if (outDir) {
          const lo = await sharp(Buffer.from(rgba), { raw: { width: S, height: S, channels: 4 } }).removeAlpha().png().toBuffer();
          await sharp(lo).toFile(path.join(outDir, `${name}_jaw${Math.round(jaw * 100)}.png`));
          if (box) await sharp(lo).extract(box).resize(320, 240).toFile(path.join(outDir, `${name}_mouth_jaw${Math.round(jaw * 100)}.png`));
        }
      }
    }
  } finally {
    await host.dispose();
  }
} else {
  process.stderr.write('usage: measureMouthArch.ts real <clip…> | render <img01,img05,…> [--out dir]\n');
  process.exitCode = 2;
}
