/**
 * The splat photo head's static parts (background plate, body splats) drawn once per view and cached
 * (renderer/avatars/staticLayer.ts, on by default in the render host's software WebGL) give the same picture as
 * drawing every part every frame: the astronaut sample (its body has ≈ 3 k of the ≈ 13 k Gaussians at 384²) at 256²,
 * photo and transparent backgrounds, through a talking, head-turning frame and camera orbits (the cache must follow
 * the camera: a stale cache would show the plate from the old view).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaceLandmarks } from '../../../core/face/types.ts';
import { BS } from '../../../core/motion/names.ts';
import { decodeImage, type DecodedImage } from '../../../pipeline/image/decodeImage.ts';
import { RenderHost } from '../../../pipeline/render/renderHost.ts';

const SIZE = 256;

/** PSNR (dB) over the RGB channels, and the largest channel difference, of two RGBA frames. */
function compare(a: Uint8Array, b: Uint8Array): { psnrDb: number; maxDiff: number } {
  let se = 0, n = 0, maxDiff = 0;
  for (let i = 0; i < a.length; i += 4) {
    for (let c = 0; c < 3; c++) {
      const d = a[i + c]! - b[i + c]!;
      se += d * d;
      n++;
      maxDiff = Math.max(maxDiff, Math.abs(d));
    }
  }
  return { psnrDb: se === 0 ? Infinity : 10 * Math.log10((255 * 255 * n) / se), maxDiff };
}

/** A frame: jaw and head yaw (rad), camera orbit yaw (rad). */
interface Pose {
  name: string;
  jawOpen: number;
  headYawRad: number;
  orbitYawRad: number;
}

const POSES: Pose[] = [
  { name: 'rest', jawOpen: 0, headYawRad: 0, orbitYawRad: 0 },
  { name: 'talking, head turned', jawOpen: 0.8, headYawRad: 0.15, orbitYawRad: 0 },
  { name: 'orbit 20°', jawOpen: 0.3, headYawRad: 0, orbitYawRad: 0.35 },
  { name: 'orbit back to 0°', jawOpen: 0, headYawRad: -0.1, orbitYawRad: 0 },
];

function frameOf(p: Pose): { blendshapes: Float32Array; headRotation: Float32Array } {
  const blendshapes = new Float32Array(52);
  blendshapes[BS.jawOpen] = p.jawOpen;
  return { blendshapes, headRotation: Float32Array.from([0, Math.sin(p.headYawRad / 2), 0, Math.cos(p.headYawRad / 2)]) };
}

describe('the splat photo head with its static parts cached', () => {
  let image: DecodedImage;
  let face: FaceLandmarks;
  const hosts: RenderHost[] = [];

  beforeAll(async () => {
    const root = path.resolve(import.meta.dirname, '../../..');
    image = await decodeImage(path.join(root, 'assets/samples/astronaut.png'));
    const fx = JSON.parse(await readFile(path.join(root, 'tests/fixtures/landmarks/astronaut.json'), 'utf8')) as { landmarksPx: number[]; boxPx: FaceLandmarks['boxPx'] };
    face = { landmarksPx: Float32Array.from(fx.landmarksPx), landmarkCount: fx.landmarksPx.length / 3, boxPx: fx.boxPx, detectionScore: 1, meshScore: 1 };
  }, 60_000);
  afterAll(async () => {
    for (const h of hosts) await h.dispose();
  });

  async function launch(background: 'photo' | 'transparent', avatarStaticLayer: boolean): Promise<RenderHost> {
    const host = await RenderHost.launch({ widthPx: SIZE, heightPx: SIZE, background, avatarStaticLayer });
    hosts.push(host);
    const info = await host.loadPortraitSplats(image, face);
    expect(info.info?.bodyAround).toBeGreaterThan(500);
    return host;
  }

  it('photo background: ≥ 45 dB PSNR against drawing every part every frame, through head turns and orbits', { timeout: 180_000 }, async () => {
    const cached = await launch('photo', true);
    const full = await launch('photo', false);
    for (const p of POSES) {
      const a = await cached.renderStill(frameOf(p), { orbitYawRad: p.orbitYawRad });
      const b = await full.renderStill(frameOf(p), { orbitYawRad: p.orbitYawRad });
      const { psnrDb, maxDiff } = compare(a, b);
      console.log(`${p.name}: ${psnrDb.toFixed(1)} dB, max diff ${maxDiff}`);
      expect(psnrDb, p.name).toBeGreaterThanOrEqual(45);
    }
  });

  it('transparent background: same colours and coverage (alpha within 2 levels on 99.9 % of pixels)', { timeout: 180_000 }, async () => {
    const cached = await launch('transparent', true);
    const full = await launch('transparent', false);
    const p = POSES[1]!;
    const a = await cached.renderStill(frameOf(p));
    const b = await full.renderStill(frameOf(p));
    let alphaOff = 0, covered = 0;
    for (let i = 3; i < a.length; i += 4) {
      if (Math.abs(a[i]! - b[i]!) > 2) alphaOff++;
      if (b[i]! > 128) covered++;
    }
    const { psnrDb } = compare(a, b);
    console.log(`transparent: ${psnrDb.toFixed(1)} dB, alpha off by > 2 on ${alphaOff} px, ${covered} px covered`);
    expect(covered).toBeGreaterThan(SIZE * SIZE * 0.2);
    expect(alphaOff).toBeLessThanOrEqual(SIZE * SIZE * 0.001);
    expect(psnrDb).toBeGreaterThanOrEqual(40);
  });
});
