/**
 * Splat benchmark: a synthetic 1 M-splat scene (seeded noisy sphere shell) rendered by Spark in the render host's
 * headless Chromium, through the same scene and avatar stage as export (SwiftShader WebGL2 on CI machines — a software rasteriser, so absolute numbers are a floor, not
 * what a GPU preview gets). Prints the median preview frame time and Spark's worker sort time over an
 * orbiting camera (every frame needs a new sort), plus parse time of the same scene as .ply/.splat/.spz.
 */
import { performance } from 'node:perf_hooks';
import { RenderHost } from '../pipeline/render/renderHost.ts';
import { parsePly, writePly3dgs } from '../core/formats/ply.ts';
import { parseSplat, writeSplat } from '../core/formats/splat.ts';
import { parseSpz, writeSpz } from '../core/formats/spz.ts';
import { allocSplatData } from '../core/formats/splatData.ts';
import { createRng } from '../core/motion/random.ts';

/** Number of splats of the synthetic scene. */
export const BENCH_SPLAT_COUNT = 1_000_000;

function syntheticCloud(n: number, seed: number): ReturnType<typeof allocSplatData> {
  const rand = createRng(seed).next;
  const d = allocSplatData(n, 'opencv');
  for (let i = 0; i < n; i++) {
    d.positions[i * 3] = rand() * 2 - 1;
    d.positions[i * 3 + 1] = rand() * 2 - 1;
    d.positions[i * 3 + 2] = rand() * 2 - 1;
    d.scales.fill(0.004 + 0.004 * rand(), i * 3, i * 3 + 3);
    d.colors.fill(rand(), i * 3, i * 3 + 3);
    d.opacities[i] = 0.5 + 0.5 * rand();
  }
  return d;
}

/**
 * Runs the splat benchmark and prints its numbers (`npm run bench -- splat`).
 * @param splatCount - size of the synthetic scene (default {@link BENCH_SPLAT_COUNT}).
 */
export async function benchSplat(splatCount = BENCH_SPLAT_COUNT): Promise<void> {
  const cloud = syntheticCloud(splatCount, 42);
  const row = (name: string, fn: () => void): void => {
    const t0 = performance.now();
    fn();
    process.stdout.write(`${name.padEnd(34)} ${(performance.now() - t0).toFixed(0).padStart(7)} ms\n`);
  };
  let ply: Uint8Array = new Uint8Array(), splat: Uint8Array = new Uint8Array(), spz: Uint8Array = new Uint8Array();
  row(`write .ply (${(splatCount / 1e6).toFixed(1)} M splats)`, () => (ply = writePly3dgs(cloud)));
  row('write .splat', () => (splat = writeSplat(cloud)));
  row('write .spz (v3, gzip)', () => (spz = writeSpz(cloud)));
  row(`parse .ply (${(ply.length / 2 ** 20).toFixed(0)} MiB)`, () => parsePly(ply));
  row(`parse .splat (${(splat.length / 2 ** 20).toFixed(0)} MiB)`, () => parseSplat(splat));
  row(`parse .spz (${(spz.length / 2 ** 20).toFixed(0)} MiB)`, () => parseSpz(spz));

  // SwiftShader rasterises on the CPU: 1 M splats at 1280×720 take ≈ 45 s per frame on 2 cores, so the
  // default view is 320×180 and 3 frames; override with SPLAT_BENCH_SIZE=WxH and SPLAT_BENCH_FRAMES=n.
  const [w, h] = (process.env.SPLAT_BENCH_SIZE ?? '320x180').split('x').map(Number) as [number, number];
  const frames = Number(process.env.SPLAT_BENCH_FRAMES ?? 3);
  const host = await RenderHost.launch({ widthPx: w, heightPx: h });
  try {
    const r = await host.benchSplats(splatCount, frames, 42);
    const fmt = (v: number | undefined): string => (v === undefined || !Number.isFinite(v) ? '   n/a' : v.toFixed(1).padStart(7));
    process.stdout.write(`Spark preview, ${r.splatCount} splats, ${w}×${h}, headless Chromium (SwiftShader):\n`);
    process.stdout.write(`  build SplatData + pack             ${fmt(r.buildMs)} ms\n`);
    process.stdout.write(`  first frame (generate+sort+draw)   ${fmt(r.firstFrameMs)} ms\n`);
    process.stdout.write(`  preview frame (median of later)    ${fmt(r.medianFrameMs)} ms  (${(1000 / (r.medianFrameMs ?? NaN)).toFixed(2)} fps)\n`);
    process.stdout.write(`    generate + readback + sort       ${fmt(r.medianPrepareMs)} ms\n`);
    process.stdout.write(`    sort in worker (sortSplats32)    ${fmt(r.medianSortWorkerMs)} ms\n`);
    process.stdout.write(`    draw + GPU finish                ${fmt(r.medianDrawMs)} ms\n`);
  } finally {
    await host.dispose();
  }
}
