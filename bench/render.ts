/**
 * Render/export benchmark (`npm run bench -- render`): at 512² and 1024², frames per second of
 * (1) rendering alone in the page (waiting for the GPU after each frame, and with frames queued back to back; and with
 * the eyes moving, which draws the photo head's moved-iris fills), (2) rendering + GPU YUV readback in the page, (3) the full export
 * (render → YUV readback → Node → ffmpeg/x264 → MP4), (3b) the full export with H.264 encoded in the page (WebCodecs)
 * and stream-copied by ffmpeg, (4) ffmpeg encoding the same frames from memory, and the ratios.
 * @remarks Goal (issue 5): full export ≥ 0.8 × render-only and ≥ 25 fps at 512² on the 2-core dev machine.
 * Numbers depend on the machine's load; run it on an idle machine.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BS } from '../core/motion/names.ts';
import { createNeutralTrack, type MotionTrack } from '../core/motion/track.ts';
import type { FaceLandmarks } from '../core/face/types.ts';
import { encodeVideo } from '../pipeline/encode/encodeVideo.ts';
import { decodeImage } from '../pipeline/image/decodeImage.ts';
import { RenderHost } from '../pipeline/render/renderHost.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const FPS = { num: 25, den: 1 };

/** A deterministic talking-like track: jaw and lips oscillating, a blink every 40 frames, a slow head sway. */
function benchTrack(frameCount: number): MotionTrack {
  const t = createNeutralTrack(frameCount, FPS);
  for (let f = 0; f < frameCount; f++) {
    const b = t.blendshapes.subarray(f * 52, f * 52 + 52);
    b[BS.jawOpen] = 0.5 + 0.5 * Math.sin(f * 0.9);
    b[BS.mouthFunnel] = 0.3 * Math.max(0, Math.sin(f * 0.37));
    b[BS.eyeBlinkLeft] = b[BS.eyeBlinkRight] = f % 40 < 3 ? 1 : 0;
    const yaw = 0.1 * Math.sin(f * 0.05);
    t.headRotation.set([0, Math.sin(yaw / 2), 0, Math.cos(yaw / 2)], f * 4);
  }
  return t;
}

/**
 * {@link benchTrack} with the eyes moving: a gaze sweep left/right and up/down (eyeLook* weights up to 0.6), so the
 * photo head's eye shader draws its moved-iris fills (sclera ring, moved iris) every frame, as an audio track's
 * procedural glances do; the plain track keeps the irises still and the cheaper still-eye shader.
 */
function benchTrackGaze(frameCount: number): MotionTrack {
  const t = benchTrack(frameCount);
  for (let f = 0; f < frameCount; f++) {
    const b = t.blendshapes.subarray(f * 52, f * 52 + 52);
    const h = 0.6 * Math.sin(f * 0.21);
    const v = 0.4 * Math.sin(f * 0.13);
    b[BS.eyeLookOutLeft] = b[BS.eyeLookInRight] = Math.max(0, h);
    b[BS.eyeLookInLeft] = b[BS.eyeLookOutRight] = Math.max(0, -h);
    b[BS.eyeLookUpLeft] = b[BS.eyeLookUpRight] = Math.max(0, v);
    b[BS.eyeLookDownLeft] = b[BS.eyeLookDownRight] = Math.max(0, -v);
  }
  return t;
}

async function* fromMemory(frames: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const f of frames) yield f;
}

/** Runs the render benchmark and prints a table. */
export async function benchRender(): Promise<void> {
  const image = await decodeImage(path.join(ROOT, 'assets/samples/astronaut.png'));
  const fx = JSON.parse(await readFile(path.join(ROOT, 'tests/fixtures/landmarks/astronaut.json'), 'utf8')) as { landmarksPx: number[]; boxPx: FaceLandmarks['boxPx'] };
  const face: FaceLandmarks = { landmarksPx: Float32Array.from(fx.landmarksPx), landmarkCount: fx.landmarksPx.length / 3, boxPx: fx.boxPx, detectionScore: 1, meshScore: 1 };
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-render-'));
  const rows: string[] = [];
  try {
    // 10 s of video at 512² and 4 s at 1024²: long enough that the fixed start of an export (ffmpeg, encoder set-up,
    // filling the pipeline; ≈ 0.2 s) does not dominate the steady rate that real clips see.
    for (const [size, n] of [
      [512, 250],
      [1024, 100],
    ] as const) {
      const track = benchTrack(n);
      const host = await RenderHost.launch({ widthPx: size, heightPx: size });
      try {
        await host.loadPortrait(image, face);
        await host.benchRenderOnly(track, 5, null); // warm-up (shader compilation)
        const renderOnly = await host.benchRenderOnly(track, n, null);
        const gazeTrack = benchTrackGaze(n);
        await host.benchRenderOnly(gazeTrack, 5, null); // warm-up (the moving-eye shader variant)
        const renderGaze = await host.benchRenderOnly(gazeTrack, n, null);
        const renderQueued = await host.benchRenderOnly(track, n, null, false);
        const renderRead = await host.benchRenderOnly(track, n, 'yuv420p');
        let t0 = performance.now();
        await encodeVideo({ frames: host.renderFrames(track, { pixelFormat: 'yuv420p' }), widthPx: size, heightPx: size, fps: FPS, pixelFormat: 'yuv420p', outPath: path.join(dir, `export${size}.mp4`), totalFrames: n });
        const exportFps = n / ((performance.now() - t0) / 1000);
        t0 = performance.now();
        await encodeVideo({ frames: host.renderEncoded(track), widthPx: size, heightPx: size, fps: FPS, pixelFormat: 'h264', outPath: path.join(dir, `inpage${size}.mp4`), totalFrames: n });
        const inPageFps = n / ((performance.now() - t0) / 1000);
        const frames: Uint8Array[] = [];
        t0 = performance.now();
        for await (const f of host.renderFrames(track, { pixelFormat: 'yuv420p' })) frames.push(f);
        const toNodeFps = n / ((performance.now() - t0) / 1000);
        t0 = performance.now();
        await encodeVideo({ frames: fromMemory(frames), widthPx: size, heightPx: size, fps: FPS, pixelFormat: 'yuv420p', outPath: path.join(dir, `mem${size}.mp4`), totalFrames: n });
        const ffmpegFps = n / ((performance.now() - t0) / 1000);
        rows.push(
          `${size}²  frames ${n}: render-only ${renderOnly.toFixed(1)} fps (frames queued, one wait at the end: ${renderQueued.toFixed(1)}; eyes moving: ${renderGaze.toFixed(1)}) | render+YUV readback ${renderRead.toFixed(1)} fps | render→Node ${toNodeFps.toFixed(1)} fps | ` +
            `full export (YUV→Node→x264) ${exportFps.toFixed(1)} fps | full export (in-page H.264) ${inPageFps.toFixed(1)} fps | ffmpeg-only ${ffmpegFps.toFixed(1)} fps | ` +
            `export/render-only ${(exportFps / renderOnly).toFixed(2)} (x264), ${(inPageFps / renderOnly).toFixed(2)} (in-page; vs queued ${(inPageFps / renderQueued).toFixed(2)}) — goal ≥ 0.8` +
            (size === 512 ? `; best export ${Math.max(exportFps, inPageFps) >= 25 ? '≥' : '<'} 25 fps goal` : ''),
        );
        process.stdout.write(rows[rows.length - 1] + '\n');
      } finally {
        await host.dispose();
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
