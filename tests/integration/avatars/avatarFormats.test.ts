/**
 * Avatars people already have (issue 17), in the render host (the export's headless Chromium, SwiftShader WebGL2):
 * - compressed GLBs (EXT_meshopt_compression, KHR_draco_mesh_compression, KHR_texture_basisu), committed under
 *   tests/fixtures/avatars/compressed (scripts/makeAvatarFixtures.ts), render driven by speech, their mouths
 *   following the track's jawOpen; a required extension we cannot decode is named in the error;
 * - a Ready Player Me–style body in a T-pose renders at rest: arms lowered, so in a transparent head-framed frame
 *   the outer 12 % columns on each side hold < 3 % opaque pixels;
 * - a meshopt-compressed VRM 1.0 (VRoid-style names) follows speech through its own mouth presets (measured on
 *   the rendered frames), blinks through blinkLeft/blinkRight, and looks where the gaze says;
 * - a VRM 0.x (UniVRM conventions: facing −Z, v0 presets a/i/u/e/o bound by mesh index) is turned to face the camera
 *   and follows speech through its presets the same way.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useRenderHost } from '../../helpers/useRenderHost.ts';
import { BS } from '../../../core/motion/names.ts';
import { DEFAULT_MOTION_OPTIONS } from '../../../core/motion/options.ts';
import { getFrame, type MotionTrack } from '../../../core/motion/track.ts';
import { vrmExpressionWeights } from '../../../core/formats/vrmExpressions.ts';
import { AvatarPackageError } from '../../../core/formats/errors.ts';
import { inspectGlb } from '../../../core/formats/glb.ts';
import { audioFileToMotionTrack } from '../../../pipeline/audio/audioToMotion.ts';
import { editGlbJson, makeTposeGlb } from '../../fixtures/avatars/makeHumanoidFixtures.ts';

const W = 128, H = 128;
const FIXTURES = path.resolve('tests/fixtures/avatars/compressed');
/** Speech frames rendered per avatar (2.4 s at 25 fps). */
const SPEECH_FRAMES = 60;

const host = useRenderHost({ widthPx: W, heightPx: H, background: 'transparent' });
let track: MotionTrack;

beforeAll(async () => {
  track = (await audioFileToMotionTrack(path.resolve('assets/samples/hello.wav'), DEFAULT_MOTION_OPTIONS)).track;
}, 120_000);

async function renderSpeech(frameCount = SPEECH_FRAMES): Promise<Uint8Array[]> {
  const frames: Uint8Array[] = [];
  for await (const f of host().renderFrames(track, { toFrame: frameCount, pixelFormat: 'rgba' })) frames.push(f.slice());
  return frames;
}

async function still(edit: (bs: Float32Array, gaze: Float32Array) => void = () => {}): Promise<Uint8Array> {
  const bs = new Float32Array(52), gaze = new Float32Array(4);
  edit(bs, gaze);
  return host().renderStill({ blendshapes: bs, gazeRad: gaze });
}

type Box = [number, number, number, number];
/** Bounding box of pixels matching a predicate. */
function boxOf(f: Uint8Array, pred: (r: number, g: number, b: number, a: number) => boolean): { count: number; box: Box } {
  let count = 0, x0 = W, y0 = H, x1 = -1, y1 = -1;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const o = (y * W + x) * 4;
      if (!pred(f[o]!, f[o + 1]!, f[o + 2]!, f[o + 3]!)) continue;
      count++;
      x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y);
    }
  }
  return { count, box: [x0, y0, x1, y1] };
}
const isRed = (r: number, g: number, b: number, a: number): boolean => a > 200 && r > 120 && r > 2 * g && r > 2 * b;
/** The forehead band: linear skin × sRGB (40, 90, 255) ≈ sRGB (35, 72, 194); the dark eyes (b ≈ 137) stay out. */
const isBlue = (r: number, g: number, b: number, a: number): boolean => a > 200 && b > 160 && b > 2 * r && b > 1.6 * g;

/** Mean absolute RGBA difference in a box. */
function diffIn(a: Uint8Array, b: Uint8Array, box: Box): number {
  let s = 0, n = 0;
  for (let y = Math.max(0, box[1]); y <= Math.min(H - 1, box[3]); y++) {
    for (let x = Math.max(0, box[0]); x <= Math.min(W - 1, box[2]); x++) {
      const o = (y * W + x) * 4;
      for (let c = 0; c < 4; c++) s += Math.abs(a[o + c]! - b[o + c]!);
      n += 4;
    }
  }
  return s / Math.max(1, n);
}

function pearson(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  const ma = a.reduce((s, v) => s + v, 0) / n, mb = b.reduce((s, v) => s + v, 0) / n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i]! - ma) * (b[i]! - mb);
    saa += (a[i]! - ma) ** 2;
    sbb += (b[i]! - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

/** The mouth box of a rest frame (red lips), grown downwards where the jaw drops. */
function mouthBox(rest: Uint8Array): Box {
  const red = boxOf(rest, isRed);
  expect(red.count).toBeGreaterThan(20);
  return [red.box[0] - 3, red.box[1] - 3, red.box[2] + 3, red.box[3] + 14];
}

/** Per-frame mouth change against the rest frame, and its correlation with a per-frame drive. */
async function mouthFollows(drive: (frameIndex: number) => number): Promise<{ r: number; maxDiff: number; driveRange: number }> {
  const rest = await still();
  const box = mouthBox(rest);
  const frames = await renderSpeech();
  const change = frames.map((f) => diffIn(rest, f, box));
  const d = frames.map((_, i) => drive(i));
  return { r: pearson(change, d), maxDiff: Math.max(...change), driveRange: Math.max(...d) - Math.min(...d) };
}

describe('compressed GLB avatars (decoders served by the render host, same origin)', () => {
  for (const [file, extension] of [['head_meshopt.glb', 'EXT_meshopt_compression'], ['head_draco.glb', 'KHR_draco_mesh_compression'], ['head_ktx2.glb', 'KHR_texture_basisu']] as const) {
    it(`${file} (${extension}) renders driven by speech, its mouth following jawOpen`, async () => {
      const bytes = await readFile(path.join(FIXTURES, file));
      expect(inspectGlb(bytes).extensionsUsed).toContain(extension);
      const info = await host().loadAvatar(bytes, file);
      expect(info.info).toMatchObject({ morphMeshCount: 1, hasHeadBone: true });
      expect(info.info.arkitChannels as number).toBeGreaterThanOrEqual(5);
      const { r, maxDiff, driveRange } = await mouthFollows((i) => getFrame(track, i).blendshapes[BS.jawOpen]!);
      expect(driveRange).toBeGreaterThan(0.2);
      expect(maxDiff).toBeGreaterThan(5);
      expect(r).toBeGreaterThan(0.8);
    }, 120_000);
  }

  it('the KTX2 (Basis ETC1S) texture is transcoded: the blue forehead band shows above the eyes', async () => {
    await host().loadAvatar(await readFile(path.join(FIXTURES, 'head_ktx2.glb')), 'head_ktx2.glb');
    const blue = boxOf(await still(), isBlue);
    expect(blue.count).toBeGreaterThan(150);
    expect(blue.box[3]).toBeLessThan(0.4 * H);
    // The same head without the texture (meshopt fixture) has no blue there.
    await host().loadAvatar(await readFile(path.join(FIXTURES, 'head_meshopt.glb')), 'head_meshopt.glb');
    expect(boxOf(await still(), isBlue).count).toBeLessThan(10);
  });

  it('a required extension that cannot be decoded is named in the error', async () => {
    const bytes = editGlbJson(new Uint8Array(await readFile(path.join(FIXTURES, 'head_meshopt.glb'))), (json) => {
      json.extensionsUsed = [...(json.extensionsUsed as string[]), 'EXT_made_up_compression'];
      json.extensionsRequired = [...((json.extensionsRequired as string[] | undefined) ?? []), 'EXT_made_up_compression'];
    });
    const err = await host().loadAvatar(bytes, 'odd.glb').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AvatarPackageError);
    expect((err as Error).message).toBe('odd.glb requires the glTF extension EXT_made_up_compression, which Avatar Studio cannot decode');
  });
});

describe('a T-pose body (Ready Player Me bone names) at rest', () => {
  /** Opaque fraction of the outer 12 % columns on each side. */
  const outerOpaque = (f: Uint8Array): number => {
    const band = Math.round(0.12 * W);
    let opaque = 0, n = 0;
    for (let y = 0; y < H; y++) {
      for (const x0 of [0, W - band]) {
        for (let x = x0; x < x0 + band; x++) {
          opaque += f[(y * W + x) * 4 + 3]! > 128 ? 1 : 0;
          n++;
        }
      }
    }
    return opaque / n;
  };
  it('lowers both arms: the outer 12 % columns of a head-framed transparent frame hold < 3 % opaque pixels', async () => {
    const info = await host().loadAvatar(makeTposeGlb(), 'tpose.glb');
    expect(info.info).toMatchObject({ loweredArms: 2, arkitChannels: 52, hasHeadBone: true });
    // Framed on the head (the body is 0.93 m tall here): the camera sits ≈ 0.57 m from it, as for the head alone.
    expect(info.distanceM).toBeLessThan(0.8);
    const rest = await still();
    expect(outerOpaque(rest)).toBeLessThan(0.03);
    // The head fills the middle.
    const centre = rest[(Math.floor(H / 2) * W + Math.floor(W / 2)) * 4 + 3]!;
    expect(centre).toBe(255);
    // Through speech (head motion, breathing shoulders) the corners stay clear and the mouth still follows jawOpen.
    const frames = await renderSpeech();
    expect(Math.max(...frames.map(outerOpaque))).toBeLessThan(0.03);
    const box = mouthBox(rest);
    const r = pearson(frames.map((f) => diffIn(rest, f, box)), frames.map((_, i) => getFrame(track, i).blendshapes[BS.jawOpen]!));
    expect(r).toBeGreaterThan(0.7);
  }, 120_000);
});

/**
 * How far the VRM fixtures' mouth presets open the jaw for a track frame: their aa/ih/ou/ee/oh (VRM 0.x a/i/u/e/o)
 * open it by 1, 0.2, 0.3, 0.35 and 0.6 of the head's jawOpen shape (makeHumanoidFixtures.ts VRM_FIXTURE_MORPHS).
 */
function vrmMouthDrive(frameIndex: number): number {
  const presets = new Set(['aa', 'ih', 'ou', 'ee', 'oh']);
  const opening = { aa: 1, ih: 0.2, ou: 0.3, ee: 0.35, oh: 0.6 } as Record<string, number>;
  const f = getFrame(track, frameIndex);
  let s = 0;
  for (const [name, w] of vrmExpressionWeights(f.blendshapes, f.visemes, presets)) s += w * opening[name]!;
  return s;
}

describe('a meshopt-compressed VRM 1.0 (VRoid-style bone and morph names)', () => {
  const file = 'vroid_meshopt.vrm';
  it('loads through three-vrm: 12 presets, humanoid head, look-at, arms lowered from its T-pose', async () => {
    const info = await host().loadAvatar(await readFile(path.join(FIXTURES, file)), file);
    expect(info.info).toEqual({ vrmVersion: 1, expressions: ['aa', 'angry', 'blinkLeft', 'blinkRight', 'ee', 'happy', 'ih', 'oh', 'ou', 'relaxed', 'sad', 'surprised'], hasHeadBone: true, hasLookAt: true, springBoneJoints: 0, loweredArms: 2 });
    expect(info.distanceM).toBeLessThan(0.8);
  });
  it('its mouth follows the speech through its aa/ih/ou/ee/oh presets (rendered frames vs the track)', async () => {
    const { r, maxDiff, driveRange } = await mouthFollows(vrmMouthDrive);
    expect(driveRange).toBeGreaterThan(0.2);
    expect(maxDiff).toBeGreaterThan(5);
    expect(r).toBeGreaterThan(0.8);
  }, 120_000);
  it('blinks through blinkLeft/blinkRight and moves its eyes with the gaze (look-at)', async () => {
    const rest = await still();
    const eyes: Box = [Math.round(0.25 * W), Math.round(0.2 * H), Math.round(0.75 * W), Math.round(0.5 * H)];
    const blink = await still((bs) => {
      bs[BS.eyeBlinkLeft] = 1;
      bs[BS.eyeBlinkRight] = 1;
    });
    expect(diffIn(rest, blink, eyes)).toBeGreaterThan(0.3);
    const look = await still((_bs, gaze) => gaze.set([0.4, 0, 0.4, 0]));
    expect(diffIn(rest, look, eyes)).toBeGreaterThan(0.3);
  });
});

describe('a VRM 0.x (UniVRM / VRoid Studio 0.x conventions: facing −Z, v0 presets)', () => {
  const file = 'vroid0.vrm';
  it('loads through three-vrm: v0 presets as VRM 1.0 names, humanoid head, look-at, arms lowered', async () => {
    const info = await host().loadAvatar(await readFile(path.join(FIXTURES, file)), file);
    expect(info.info).toEqual({ vrmVersion: 0, expressions: ['aa', 'angry', 'blinkLeft', 'blinkRight', 'ee', 'happy', 'ih', 'oh', 'ou', 'relaxed', 'sad'], hasHeadBone: true, hasLookAt: true, springBoneJoints: 0, loweredArms: 2 });
    expect(info.distanceM).toBeLessThan(0.8);
  });
  it('faces the camera after rotateVRM0: its red lips and dark eyes are in view', async () => {
    const rest = await still();
    const red = boxOf(rest, isRed);
    expect(red.count).toBeGreaterThan(20);
    // The lips sit below the middle of a head-framed view (turned the wrong way, only the back of the head shows).
    expect((red.box[1] + red.box[3]) / 2).toBeGreaterThan(H / 2);
  });
  it('its mouth follows the speech through its a/i/u/e/o presets (rendered frames vs the track)', async () => {
    const { r, maxDiff, driveRange } = await mouthFollows(vrmMouthDrive);
    expect(driveRange).toBeGreaterThan(0.2);
    expect(maxDiff).toBeGreaterThan(5);
    expect(r).toBeGreaterThan(0.8);
  }, 120_000);
  it('blinks through blink_l/blink_r', async () => {
    const rest = await still();
    const eyes: Box = [Math.round(0.25 * W), Math.round(0.2 * H), Math.round(0.75 * W), Math.round(0.5 * H)];
    const blink = await still((bs) => {
      bs[BS.eyeBlinkLeft] = 1;
      bs[BS.eyeBlinkRight] = 1;
    });
    expect(diffIn(rest, blink, eyes)).toBeGreaterThan(0.3);
  });
});
