/**
 * Skinned-avatar benchmark (`npm run bench -- avatar`): a Ready Player Me–sized synthetic avatar (bench/realisticAvatar.ts:
 * ≈ 17 k vertices, 72 morphs on head and teeth, seven 2048² textures, alpha-blended hair, T-pose) driven by the
 * speech of assets/samples/hello.wav at 384², in the render host (SwiftShader WebGL2 here: a software rasteriser).
 * Prints load time, render-only fps, full export fps (in-page H.264 → ffmpeg stream copy, as `render --avatar`
 * does) and the ratio to the photo head exported the same way in the same run.
 * @remarks Goal (issue 17): the avatar exports speech at least in real time: at 25 fps the frame budget is 40 ms
 * (11 s of speech in ≤ 11 s). Prints the per-stage time (pose, draw until the GPU is done, YUV readback) with the
 * avatar's own materials and with the software-GL materials (renderer/avatars/softwareShading.ts: Lambert for rough
 * dielectrics, one mip level, alpha-free blending drawn opaque, no normal maps at ≤ 384²), both with CPU deformation (renderer/avatars/cpuDeform.ts),
 * measured in turns in two pages so both see the same load, and the PSNR of the same frames from both
 * (`BENCH_AVATAR_FRAMES=<dir>` writes them as PNGs). Vertex-shader morphs/skinning vs CPU deformation, same method:
 * draw ≈ 65–80 → 45–55 ms. Software materials, load ≈ 9–12: draw 44.9–47.7 → 30.1 ms with normal maps (PSNR 35.9 dB,
 * export 22–24 fps), 26.3–28.6 ms without (PSNR 35.4 dB, export 25.6–29.1 fps: 9.60 s of speech in 8.3–9.4 s; the
 * in-page H.264 encoder takes much of the rest of the 2 cores).
 * Profile of the draw time in SwiftShader (each change alone, min over 20 frames, 3 rounds, load average ≈ 20 on 2
 * cores, so ±20 %): vertex-shader path ≈ 65–80 ms, of which morphs + skinning ≈ 20–25 ms (removing both), the head's
 * 72-morph loop alone ≈ 10–15 ms. With CPU deformation ≈ 45 ms: PBR vs unlit ≈ 18 ms, the base-colour map ≈ 15 ms
 * (sampling it in the shader with sRGB decode after filtering saves only ≈ 5 ms; 512² or 256² textures: no change, the
 * mip level sampled is the same), normal maps ≈ 4 ms, the alpha-blended double-sided hair ≈ 15 ms (one pass instead
 * of three's two: no change; front side only −7 ms but changes the picture), legs out of frame ≈ 0; fixed cost (no
 * mesh) 0.5 ms; YUV readback ≈ 4–8 ms; posing + CPU deformation ≈ 1–2 ms.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_MOTION_OPTIONS } from '../core/motion/options.ts';
import type { FaceLandmarks } from '../core/face/types.ts';
import { fpsValue } from '../core/motion/track.ts';
import { audioFileToMotionTrack } from '../pipeline/audio/audioToMotion.ts';
import { encodeVideo } from '../pipeline/encode/encodeVideo.ts';
import { decodeImage } from '../pipeline/image/decodeImage.ts';
import { RenderHost } from '../pipeline/render/renderHost.ts';
import { makeRealisticAvatarGlb } from './realisticAvatar.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const SIZE_PX = 384;

/** Alternating before/after measurement rounds, and frames per round. */
const ROUNDS = 5;
const ROUND_FRAMES = 12;

/** Per-field median of stage timings. */
function medianStages(rounds: Stages[]): Stages {
  const med = (k: keyof Stages): number => {
    const v = rounds.map((r) => r[k]).sort((a, b) => a - b);
    return v[v.length >> 1]!;
  };
  return { fps: med('fps'), poseMs: med('poseMs'), drawMs: med('drawMs'), readbackMs: med('readbackMs') };
}

/** Frames compared before/after CPU deformation (mid-speech, mouth moving). */
const PSNR_FRAMES = [60, 90, 120];

/** PSNR of two RGB(A) frames over RGB, dB (∞ when identical). */
function psnrRgbDb(a: Uint8Array, b: Uint8Array): number {
  let se = 0, n = 0;
  for (let i = 0; i < a.length; i += 4) {
    for (let c = 0; c < 3; c++) se += (a[i + c]! - b[i + c]!) ** 2;
    n += 3;
  }
  return se === 0 ? Infinity : 10 * Math.log10((255 * 255) / (se / n));
}

type Stages = Awaited<ReturnType<RenderHost['benchRenderStages']>>;
const stagesText = (s: Stages): string => `${s.fps.toFixed(1)} fps = pose ${s.poseMs.toFixed(1)} + draw ${s.drawMs.toFixed(1)} + readback ${s.readbackMs.toFixed(1)} ms/frame`;

async function rgbaFrames(host: RenderHost, track: Parameters<RenderHost['renderFrames']>[0]): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (const i of PSNR_FRAMES) for await (const f of host.renderFrames(track, { fromFrame: i, toFrame: i + 1, pixelFormat: 'rgba' })) out.push(f.slice());
  return out;
}

/** Runs the avatar benchmark and prints its numbers. */
export async function benchAvatar(): Promise<void> {
  const { track } = await audioFileToMotionTrack(path.join(ROOT, 'assets/samples/hello.wav'), DEFAULT_MOTION_OPTIONS);
  const speechSec = track.frameCount / fpsValue(track.fps);
  const budgetMs = 1000 / fpsValue(track.fps);
  const t0 = performance.now();
  const { glb, vertexCount } = await makeRealisticAvatarGlb();
  process.stdout.write(`avatar: ${vertexCount} vertices, ${(glb.length / 1e6).toFixed(1)} MB, built in ${((performance.now() - t0) / 1000).toFixed(1)} s; speech ${speechSec.toFixed(2)} s = ${track.frameCount} frames, budget ${budgetMs.toFixed(0)} ms/frame at ${SIZE_PX}²; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-avatar-'));
  const exportFps = async (host: RenderHost, name: string): Promise<number> => {
    const t = performance.now();
    await encodeVideo({ frames: host.renderEncoded(track), widthPx: SIZE_PX, heightPx: SIZE_PX, fps: track.fps, pixelFormat: 'h264', outPath: path.join(dir, `${name}.mp4`), totalFrames: track.frameCount });
    return track.frameCount / ((performance.now() - t) / 1000);
  };
  // Photo head baseline, same size, same track, same export path (its own page, closed before the avatar pages start).
  let photoFps: number;
  const photoHost = await RenderHost.launch({ widthPx: SIZE_PX, heightPx: SIZE_PX });
  try {
    const image = await decodeImage(path.join(ROOT, 'assets/samples/astronaut.png'));
    const fx = JSON.parse(await readFile(path.join(ROOT, 'tests/fixtures/landmarks/astronaut.json'), 'utf8')) as { landmarksPx: number[]; boxPx: FaceLandmarks['boxPx'] };
    await photoHost.loadPortrait(image, { landmarksPx: Float32Array.from(fx.landmarksPx), landmarkCount: fx.landmarksPx.length / 3, boxPx: fx.boxPx, detectionScore: 1, meshScore: 1 });
    await photoHost.benchRenderOnly(track, 5, null);
    photoFps = await exportFps(photoHost, 'photo');
  } finally {
    await photoHost.dispose();
  }
  // Before: the avatar's own materials (CPU deformation on, as after), in a second page measured in turns with the
  // first, so both see the same load on a shared machine.
  const gpuPath = await RenderHost.launch({ widthPx: SIZE_PX, heightPx: SIZE_PX, avatarSoftwareShading: false });
  const host = await RenderHost.launch({ widthPx: SIZE_PX, heightPx: SIZE_PX });
  try {
    let t = performance.now();
    const info = await host.loadAvatar(glb, 'rpm_like.glb');
    const loadSec = (performance.now() - t) / 1000;
    t = performance.now();
    await host.benchRenderOnly(track, 1, null);
    const firstFrameMs = performance.now() - t;
    await gpuPath.loadAvatar(glb, 'rpm_like.glb');
    await gpuPath.benchRenderOnly(track, 3, null);
    const beforeRounds: Stages[] = [], afterRounds: Stages[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      beforeRounds.push(await gpuPath.benchRenderStages(track, ROUND_FRAMES, 'yuv420p'));
      afterRounds.push(await host.benchRenderStages(track, ROUND_FRAMES, 'yuv420p'));
    }
    const before = medianStages(beforeRounds), after = medianStages(afterRounds);
    const beforeFrames = await rgbaFrames(gpuPath, track);
    await gpuPath.dispose();
    const afterFrames = await rgbaFrames(host, track);
    const psnr = afterFrames.map((f, i) => psnrRgbDb(f, beforeFrames[i]!));
    // BENCH_AVATAR_FRAMES=<dir>: the compared frames as PNGs, to look at.
    const framesDir = process.env.BENCH_AVATAR_FRAMES;
    if (framesDir) {
      const { default: sharp } = await import('sharp');
      for (const [i, frameIndex] of PSNR_FRAMES.entries()) {
        for (const [name, f] of [['before', beforeFrames[i]!], ['after', afterFrames[i]!]] as const) {
          await sharp(f, { raw: { width: SIZE_PX, height: SIZE_PX, channels: 4 } }).png().toFile(path.join(framesDir, `avatar_${frameIndex}_${name}.png`));
        }
      }
    }
    const avatarFps = await exportFps(host, 'avatar');
    const exportSec = track.frameCount / avatarFps;
    process.stdout.write(
      `${SIZE_PX}²: avatar load ${loadSec.toFixed(2)} s (lowered arms ${String(info.info.loweredArms)}), first frame ${firstFrameMs.toFixed(0)} ms\n` +
        `  render + readback, median of ${ROUNDS} alternating rounds of ${ROUND_FRAMES} frames:\n` +
        `    own materials (before):          ${stagesText(before)}\n` +
        `    software shading (after):        ${stagesText(after)}\n` +
        `  same frames before/after (${PSNR_FRAMES.join(', ')}): PSNR ${psnr.map((p) => p.toFixed(1)).join(', ')} dB\n` +
        `  full export (H.264 in the page overlapping the drawing, 3 frames in flight) ${avatarFps.toFixed(1)} fps (${(1000 / avatarFps).toFixed(1)} ms/frame of ${budgetMs.toFixed(0)}): ${speechSec.toFixed(2)} s of speech in ${exportSec.toFixed(2)} s (${exportSec <= speechSec ? '≤' : '>'} real time; goal ≤) | ` +
        `photo head export ${photoFps.toFixed(1)} fps; avatar/photo ${(avatarFps / photoFps).toFixed(2)} | load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`,
    );
  } finally {
    await gpuPath.dispose();
    await host.dispose();
    await rm(dir, { recursive: true, force: true });
  }
}
