/**
 * An hour of motion reaches the render page without blowing up the host process: the track travels as one packed
 * binary buffer (core/motion/packedTrack.ts). Sent as `page.evaluate` arguments (value by value) the same 90 000
 * frames × 78 numbers took the CLI's Node process from 0.3 to over 1.1 GB (issue 15: memory grew with the audio's
 * length). Real render path: a GLB avatar fixture in the export page, frames 0–2 of the hour read back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RenderHost } from '../../../pipeline/render/renderHost.ts';
import { createNeutralTrack } from '../../../core/motion/track.ts';
import { BS } from '../../../core/motion/names.ts';
import { makeGlbAvatar } from '../../fixtures/avatars/makeFixtures.ts';

const SIZE = 64;
let host: RenderHost;

describe('a one-hour track in the render host', () => {
  beforeAll(async () => {
    host = await RenderHost.launch({ widthPx: SIZE, heightPx: SIZE });
    await host.loadAvatar(makeGlbAvatar(), 'head.glb');
  }, 120_000);
  afterAll(async () => {
    await host?.dispose();
  });

  it('costs the Node process under 150 MB above the track itself, and frames come from the right place in it', { timeout: 300_000 }, async () => {
    const frameCount = 3600 * 25;
    const track = createNeutralTrack(frameCount, { num: 25, den: 1 });
    // frame 1 opens the jaw: a check that the page reads the frame it was asked for from the packed buffer
    track.blendshapes[1 * 52 + BS.jawOpen] = 1;
    global.gc?.();
    const baseBytes = process.memoryUsage().rss;
    let peakBytes = baseBytes;
    const sampler = setInterval(() => (peakBytes = Math.max(peakBytes, process.memoryUsage().rss)), 20);
    const frames: Uint8Array[] = [];
    try {
      for await (const f of host.renderFrames(track, { fromFrame: 0, toFrame: 3, pixelFormat: 'rgba' })) frames.push(f.slice());
    } finally {
      clearInterval(sampler);
    }
    peakBytes = Math.max(peakBytes, process.memoryUsage().rss);
    const trackMb = (frameCount * 78 * 4) / 2 ** 20;
    const growthMb = (peakBytes - baseBytes) / 2 ** 20;
    console.log(`one-hour track (${trackMb.toFixed(1)} MB packed): Node RSS ${(baseBytes / 2 ** 20).toFixed(0)} → peak ${(peakBytes / 2 ** 20).toFixed(0)} MB (+${growthMb.toFixed(0)} MB)`);
    expect(frames).toHaveLength(3);
    expect(growthMb).toBeLessThan(trackMb + 150);
    // frames 0 and 2 are the neutral face, frame 1 the open jaw
    const diff = (a: Uint8Array, b: Uint8Array): number => a.reduce((s, v, i) => s + Math.abs(v - b[i]!), 0) / a.length;
    expect(diff(frames[0]!, frames[2]!)).toBe(0);
    expect(diff(frames[0]!, frames[1]!)).toBeGreaterThan(0.2);
  });
});
