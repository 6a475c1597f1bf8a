/**
 * Avatars in the shared render host (the export's headless Chromium, SwiftShader WebGL2, the studio scene): the
 * generated fixtures load, auto-frame, match their golden images, and the mouth region (and only it) changes
 * when the track sets jawOpen = 1.
 * Regenerate goldens with: `UPDATE_GOLDEN=1 npx vitest run tests/integration/avatars`.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useRenderHost } from '../../helpers/useRenderHost.ts';
import { ARKIT_BLENDSHAPE_COUNT, BS, OVR_VISEME_COUNT } from '../../../core/motion/names.ts';
import { AvatarPackageError, SplatFormatError } from '../../../core/formats/errors.ts';
import { writeAvatarFixtures, type FixturePaths } from '../../fixtures/avatars/makeFixtures.ts';

const W = 160, H = 160;
const GOLDEN_DIR = path.resolve('tests/golden/avatars');
const OUT_DIR = path.resolve('test-artifacts/avatars');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

/** A rendered frame: top-down RGBA rows. */
interface RenderedFrame {
  rgba: Uint8Array;
}
/** Motion frame as plain arrays (missing channels neutral). */
interface PlainFrame {
  blendshapes?: number[];
  visemes?: number[];
  headRotation?: number[];
  gazeRad?: number[];
}

const host = useRenderHost({ widthPx: W, heightPx: H });
let fx: FixturePaths;

/** The host as the tests use it: load by file bytes, render one posed frame to RGBA. */
const harness = {
  loadAvatar: (bytes: Uint8Array, fileName: string) => host().loadAvatar(bytes, fileName),
  async renderFrame(f: PlainFrame = {}): Promise<RenderedFrame> {
    const rgba = await host().renderStill({
      blendshapes: Float32Array.from(f.blendshapes ?? new Array(ARKIT_BLENDSHAPE_COUNT).fill(0)),
      visemes: Float32Array.from(f.visemes ?? new Array(OVR_VISEME_COUNT).fill(0)),
      headRotation: Float32Array.from(f.headRotation ?? [0, 0, 0, 1]),
      gazeRad: Float32Array.from(f.gazeRad ?? [0, 0, 0, 0]),
    });
    return { rgba };
  },
};

async function writeFramePng(file: string, f: RenderedFrame): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, await sharp(Buffer.from(f.rgba), { raw: { width: W, height: H, channels: 4 } }).png({ compressionLevel: 9 }).toBuffer());
}

beforeAll(async () => {
  fx = await writeAvatarFixtures(path.resolve('.cache/fixtures/avatars'));
}, 120_000);

const jawOpen = (): number[] => {
  const bs = new Array(52).fill(0);
  bs[BS.jawOpen] = 1;
  return bs;
};

/** Pixels matching a predicate: count, centroid and bounding box (x0, y0, x1, y1 inclusive). */
function select(f: RenderedFrame, pred: (r: number, g: number, b: number) => boolean): { count: number; cx: number; cy: number; box: [number, number, number, number] } {
  let count = 0, sx = 0, sy = 0, x0 = W, y0 = H, x1 = -1, y1 = -1;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const o = (y * W + x) * 4;
      if (!pred(f.rgba[o]!, f.rgba[o + 1]!, f.rgba[o + 2]!)) continue;
      count++;
      sx += x;
      sy += y;
      x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y);
    }
  }
  return { count, cx: sx / Math.max(1, count), cy: sy / Math.max(1, count), box: [x0, y0, x1, y1] };
}
const isRed = (r: number, g: number, b: number): boolean => r > 120 && r > 2 * g && r > 2 * b;
const isGreen = (r: number, g: number, b: number): boolean => g > 120 && g > 2 * r && g > 2 * b;

/** Mean absolute RGB difference per pixel inside a box. */
function meanDiff(a: RenderedFrame, b: RenderedFrame, box: [number, number, number, number] = [0, 0, W - 1, H - 1]): number {
  let s = 0, n = 0;
  for (let y = Math.max(0, box[1]); y <= Math.min(H - 1, box[3]); y++) {
    for (let x = Math.max(0, box[0]); x <= Math.min(W - 1, box[2]); x++) {
      const o = (y * W + x) * 4;
      s += Math.abs(a.rgba[o]! - b.rgba[o]!) + Math.abs(a.rgba[o + 1]! - b.rgba[o + 1]!) + Math.abs(a.rgba[o + 2]! - b.rgba[o + 2]!);
      n++;
    }
  }
  return s / Math.max(1, n) / 3;
}

/** Compares with the committed golden PNG: ≤ 1 % of pixels may differ by more than 24 levels, mean ≤ 2 levels. */
async function expectGolden(name: string, f: RenderedFrame): Promise<void> {
  const file = path.join(GOLDEN_DIR, `${name}.png`);
  await writeFramePng(path.join(OUT_DIR, `${name}.png`), f);
  if (UPDATE) {
    await mkdir(GOLDEN_DIR, { recursive: true });
    await writeFramePng(file, f);
  }
  expect(existsSync(file), `golden ${file} missing: run UPDATE_GOLDEN=1 npx vitest run tests/integration/avatars`).toBe(true);
  const { data, info } = await sharp(await readFile(file)).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  expect([info.width, info.height]).toEqual([W, H]);
  let bad = 0, sum = 0;
  for (let i = 0; i < W * H; i++) {
    let m = 0;
    for (let c = 0; c < 3; c++) {
      const d = Math.abs(data[i * 4 + c]! - f.rgba[i * 4 + c]!);
      m = Math.max(m, d);
      sum += d;
    }
    if (m > 24) bad++;
  }
  expect(bad / (W * H)).toBeLessThanOrEqual(0.01);
  expect(sum / (W * H * 3)).toBeLessThanOrEqual(2);
}

describe('splat files (.ply / .splat / .spz of one known scene)', () => {
  const frames: Record<string, RenderedFrame> = {};
  for (const kind of ['ply', 'splat', 'spz'] as const) {
    it(`.${kind} loads, frames and matches the golden`, async () => {
      const info = await harness.loadAvatar(await readFile(fx[kind]), `face.${kind}`);
      expect(info.kind).toBe('splat');
      expect(info.splatCount).toBe(1820);
      // The face disc has radius 0.1 m: auto-framing box spans ≈ ±0.095 m in x and y.
      expect(info.boxMaxM[0] - info.boxMinM[0]).toBeGreaterThan(0.18);
      expect(info.boxMaxM[0] - info.boxMinM[0]).toBeLessThan(0.2);
      const f = await harness.renderFrame({});
      frames[kind] = f;
      // Orientation: the mouth (OpenCV +Y = down) renders in the lower part, the marker (+X, −Y) top-right.
      const red = select(f, isRed);
      const green = select(f, isGreen);
      expect(red.count).toBeGreaterThan(100);
      expect(red.cy).toBeGreaterThan(0.62 * H);
      expect(Math.abs(red.cx - W / 2)).toBeLessThan(0.06 * W);
      expect(green.count).toBeGreaterThan(30);
      expect(green.cx).toBeGreaterThan(0.7 * W);
      expect(green.cy).toBeLessThan(0.3 * H);
      // Auto-framing: the skin disc fills ≈ 80 % of the height.
      const face = select(f, (r, g, b) => r > 150 && g > 100 && b > 80 && r > b);
      expect((face.box[3] - face.box[1]) / H).toBeGreaterThan(0.65);
      expect((face.box[3] - face.box[1]) / H).toBeLessThan(0.9);
      await expectGolden('face', f);
    });
  }
  it('the three encodings render the same picture (quantisation only)', () => {
    expect(meanDiff(frames.ply!, frames.splat!)).toBeLessThan(1.5);
    expect(meanDiff(frames.ply!, frames.spz!)).toBeLessThan(2.5);
  });
  it('head rotation turns the whole cloud (yaw 0.4 rad swings the mouth to image right)', async () => {
    await harness.loadAvatar(await readFile(fx.ply), 'face.ply');
    const rest = select(await harness.renderFrame({}), isRed);
    const turned = select(await harness.renderFrame({ headRotation: [0, Math.sin(0.2), 0, Math.cos(0.2)] }), isRed);
    // +yaw about +Y carries the front (+Z) towards +X (subject's left, image right).
    expect(turned.cx - rest.cx).toBeGreaterThan(3);
  });
});

describe('GLB avatar with ARKit + viseme morphs and bones', () => {
  let neutral: RenderedFrame;
  it('loads with 52 ARKit channels, 15 visemes, head and eye bones; matches the golden', async () => {
    const info = await harness.loadAvatar(await readFile(fx.glb), 'head.glb');
    expect(info.info).toEqual({ morphMeshCount: 1, arkitChannels: 52, visemeChannels: 15, hasHeadBone: true, hasEyeBones: true, loweredArms: 0 });
    expect(info.boxMaxM[1] - info.boxMinM[1]).toBeCloseTo(0.2, 2);
    neutral = await harness.renderFrame({});
    await expectGolden('head_glb', neutral);
  });
  it('jawOpen = 1 changes the mouth region and leaves the upper face alone', async () => {
    const open = await harness.renderFrame({ blendshapes: jawOpen() });
    await writeFramePng(path.join(OUT_DIR, 'head_glb_jaw.png'), open);
    const mouth = select(neutral, isRed);
    expect(mouth.count).toBeGreaterThan(30);
    expect(mouth.cy).toBeGreaterThan(0.55 * H);
    const box: [number, number, number, number] = [mouth.box[0] - 4, mouth.box[1] - 4, mouth.box[2] + 4, mouth.box[3] + 24];
    expect(meanDiff(neutral, open, box)).toBeGreaterThan(8);
    expect(meanDiff(neutral, open, [0, 0, W - 1, Math.floor(0.45 * H)])).toBeLessThan(0.5);
    // The red lip area grows as the jaw drops (stretched lip triangles).
    expect(select(open, isRed).count).toBeGreaterThan(mouth.count * 1.3);
  });
  it('visemes leave a GLB that has ARKit jawOpen alone (no double mouth), and drive a visemes-only GLB', async () => {
    const vis = new Array(15).fill(0);
    vis[10] = 1; // aa
    expect(meanDiff(neutral, await harness.renderFrame({ visemes: vis }))).toBe(0);
    const info = await harness.loadAvatar(await readFile(fx.glbVisemes), 'head_visemes.glb');
    expect(info.info).toMatchObject({ arkitChannels: 0, visemeChannels: 15 });
    const rest = await harness.renderFrame({});
    expect(meanDiff(neutral, rest)).toBe(0); // same head, same framing
    const aa = await harness.renderFrame({ visemes: vis });
    const mouth = select(rest, isRed);
    expect(meanDiff(rest, aa, [mouth.box[0] - 4, mouth.box[1] - 4, mouth.box[2] + 4, mouth.box[3] + 24])).toBeGreaterThan(5);
    await harness.loadAvatar(await readFile(fx.glb), 'head.glb');
  });
  it('head bone follows headRotation and eye bones follow gaze', async () => {
    const turned = await harness.renderFrame({ headRotation: [0, Math.sin(0.25), 0, Math.cos(0.25)] });
    const m0 = select(neutral, isRed), m1 = select(turned, isRed);
    expect(m1.cx - m0.cx).toBeGreaterThan(3); // +yaw swings the face towards image right (+X)
    const gaze = await harness.renderFrame({ gazeRad: [0.5, 0, 0.5, 0] });
    await writeFramePng(path.join(OUT_DIR, 'head_glb_gaze.png'), gaze);
    const eyes = select(neutral, (r, g, b) => b > r + 20 && r < 120);
    expect(eyes.count).toBeGreaterThan(10);
    expect(eyes.cy).toBeLessThan(0.5 * H);
    expect(meanDiff(neutral, gaze, [eyes.box[0] - 2, eyes.box[1] - 2, eyes.box[2] + 2, eyes.box[3] + 2])).toBeGreaterThan(2); // 0 without eye bones
    expect(meanDiff(neutral, gaze, [0, Math.floor(0.62 * H), W - 1, H - 1])).toBeLessThan(0.2);
  });
});

describe('a full-body GLB is framed on its head', () => {
  it('1.72 m tall, framed on the head (≈ 57 % of the height, vs ≈ 9 % for the whole body), body below; jawOpen still opens the mouth', async () => {
    const info = await harness.loadAvatar(await readFile(fx.glbBody), 'body.glb');
    expect(info.boxMaxM[1] - info.boxMinM[1]).toBeCloseTo(1.72, 2);
    const f = await harness.renderFrame({});
    await writeFramePng(path.join(OUT_DIR, 'body_glb.png'), f);
    const skin = select(f, (r, g, b) => r > 150 && g > 100 && b > 80 && r > b);
    const body = select(f, (r, g, b) => b > 150 && b > r + 40 && g > 100);
    console.log(`body GLB: head spans ${skin.box[1]}–${skin.box[3]} px of ${H}, body pixels ${body.count} from y ${body.box[1]}`);
    // A 20 cm sphere framed at fill 0.8 from its front (frameBox adds half the depth): ≈ 0.57 of the height.
    expect((skin.box[3] - skin.box[1]) / H).toBeGreaterThan(0.5);
    expect((skin.box[3] - skin.box[1]) / H).toBeLessThan(0.8);
    expect(body.count).toBeGreaterThan(50);
    expect(body.box[1]).toBeGreaterThan(skin.cy);
    const open = await harness.renderFrame({ blendshapes: jawOpen() });
    const mouth = select(f, isRed);
    expect(meanDiff(f, open, [mouth.box[0] - 4, mouth.box[1] - 4, mouth.box[2] + 4, mouth.box[3] + 24])).toBeGreaterThan(8);
  });
});

describe('LAM avatar zip', () => {
  let neutral: RenderedFrame;
  it('loads 609 Gaussians bound to the mesh, 51 ARKit morphs; matches the golden', async () => {
    const info = await harness.loadAvatar(await readFile(fx.lamZip), 'lam_fixture.zip');
    expect(info.kind).toBe('lam');
    expect(info.splatCount).toBe(609);
    expect(info.info).toEqual({ arkitChannels: 51 });
    // sphere radius 0.1 m + 2 mm offsets
    expect(info.boxMaxM[1]).toBeCloseTo(0.102, 3);
    neutral = await harness.renderFrame({});
    await expectGolden('lam', neutral);
  });
  it('jawOpen = 1 moves the mouth Gaussians and leaves the upper face alone', async () => {
    const open = await harness.renderFrame({ blendshapes: jawOpen() });
    await writeFramePng(path.join(OUT_DIR, 'lam_jaw.png'), open);
    const mouth = select(neutral, isRed);
    expect(mouth.count).toBeGreaterThan(30);
    const moved = select(open, isRed);
    expect(moved.box[3]).toBeGreaterThan(mouth.box[3] + 5); // lower lip dropped by several pixels
    expect(meanDiff(neutral, open, [mouth.box[0] - 4, mouth.box[1] - 4, mouth.box[2] + 4, mouth.box[3] + 24])).toBeGreaterThan(8);
    expect(meanDiff(neutral, open, [0, 0, W - 1, Math.floor(0.45 * H)])).toBeLessThan(0.5);
  });
  it('tongueOut (absent from LAM) changes nothing; the head bone turns the Gaussians', async () => {
    const bs = new Array(52).fill(0);
    bs[BS.tongueOut] = 1;
    expect(meanDiff(neutral, await harness.renderFrame({ blendshapes: bs }))).toBe(0);
    const turned = await harness.renderFrame({ headRotation: [0, Math.sin(0.25), 0, Math.cos(0.25)] });
    expect(select(turned, isRed).cx - select(neutral, isRed).cx).toBeGreaterThan(3);
  });
});

describe('malformed files give a clear error through the render host', () => {
  it('truncated .ply header, wrong vertex count, NaN', async () => {
    const ply = await readFile(fx.ply);
    await expect(harness.loadAvatar(ply.subarray(0, 80), 'cut.ply')).rejects.toThrow(/PLY header is truncated/);
    const short = ply.subarray(0, ply.length - 56 * 3);
    await expect(harness.loadAvatar(short, 'short.ply')).rejects.toMatchObject({ code: 'VERTEX_COUNT_MISMATCH' });
    const nan = Buffer.from(ply);
    nan.writeFloatLE(NaN, nan.length - 56 * 10);
    await expect(harness.loadAvatar(nan, 'nan.ply')).rejects.toMatchObject({ code: 'NON_FINITE_VALUE' });
    await expect(harness.loadAvatar(ply.subarray(0, 80), 'cut.ply')).rejects.toBeInstanceOf(SplatFormatError);
  });
  it('a GLB that is not glTF and a zip without offset.ply', async () => {
    await expect(harness.loadAvatar(new Uint8Array(64).fill(7), 'junk.glb')).rejects.toBeInstanceOf(AvatarPackageError);
    await expect(harness.loadAvatar(await readFile(fx.ply), 'not-a-zip.zip')).rejects.toThrow(/not a zip file/);
  });
});

// Keep the scratch folder tidy for artefact upload.
afterAll(async () => {
  await mkdir(OUT_DIR, { recursive: true });
  await writeFile(path.join(OUT_DIR, 'README.txt'), 'Renders from tests/integration/avatars (compare with tests/golden/avatars).\n');
});
