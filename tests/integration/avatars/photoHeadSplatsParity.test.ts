/**
 * Splat head parity (issue 13): `--head splats` shows what the mesh photo head shows when the camera orbits and the
 * mouth opens — the same mouth interior (photo teeth, cavity, inner lips: renderer/head/mouthInterior.ts), hair and
 * ears that foreshorten as a surface (surfels) instead of stacking into stripes and blocks, no gaps where the jaw
 * stretches the face. Both heads render the same portrait at orbit yaw 25° (photo background, 256²); SSIM of luma
 * (8×8 windows, stride 4; Wang et al. 2004) of the splat frame against the mesh frame over the mouth (the lips' box
 * the face analyser finds in the mesh frame, grown 30 %), the face box (grown 7.5 %) and the head box (the face box
 * grown to take in the hair and ears: 1.6× as wide, up by half its height).
 * img01 is the portrait the changes were looked at on; img03 (beard, smile with teeth) was held out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useRenderHost } from '../../helpers/useRenderHost.ts';
import type { FaceLandmarks } from '../../../core/face/types.ts';
import { BS } from '../../../core/motion/names.ts';
import { FaceAnalyzer } from '../../../pipeline/face/faceAnalyzer.ts';
import { decodeImage, type DecodedImage } from '../../../pipeline/image/decodeImage.ts';
import { HAS_CORPUS, corpus } from '../../helpers/media.ts';
import { mouthBox } from '../../helpers/splatDefects.ts';

const SIZE = 256;
const YAW_RAD = (25 * Math.PI) / 180;
type Box = { x0: number; y0: number; x1: number; y1: number };
/**
 * Lowest SSIM accepted, about halfway between main before these changes and this branch (measured at 256², same
 * machine): img01 mouth 0.706 → 0.787, face 0.802 → 0.833, head 0.845 → 0.868; img03 (held out) face 0.712 → 0.734,
 * head 0.761 → 0.780. img03's mouth moved 0.742–0.756 across versions of this branch (main 0.740): within what a
 * reshuffled lattice changes, so only a no-regression bound (main − 0.01) for it.
 */
const MIN_SSIM: Record<string, { mouth: number; face: number; head: number }> = {
  img01: { mouth: 0.745, face: 0.815, head: 0.855 },
  img03: { mouth: 0.73, face: 0.723, head: 0.77 },
};

const luma = (f: Uint8Array, k: number): number => 0.299 * f[k * 4]! + 0.587 * f[k * 4 + 1]! + 0.114 * f[k * 4 + 2]!;
/** Mean SSIM of luma over 8×8 windows (stride 4) inside `box` (Wang et al. 2004, K1 0.01, K2 0.03). */
function ssim(a: Uint8Array, b: Uint8Array, box: Box): number {
  const C1 = (0.01 * 255) ** 2, C2 = (0.03 * 255) ** 2;
  let sum = 0, count = 0;
  for (let y = Math.max(0, box.y0); y + 8 <= Math.min(SIZE, box.y1); y += 4) {
    for (let x = Math.max(0, box.x0); x + 8 <= Math.min(SIZE, box.x1); x += 4) {
      let ma = 0, mb = 0;
      for (let j = 0; j < 8; j++) {
        for (let i = 0; i < 8; i++) {
          ma += luma(a, (y + j) * SIZE + x + i);
          mb += luma(b, (y + j) * SIZE + x + i);
        }
      }
      ma /= 64;
      mb /= 64;
      let va = 0, vb = 0, cov = 0;
      for (let j = 0; j < 8; j++) {
        for (let i = 0; i < 8; i++) {
          const da = luma(a, (y + j) * SIZE + x + i) - ma, db = luma(b, (y + j) * SIZE + x + i) - mb;
          va += da * da;
          vb += db * db;
          cov += da * db;
        }
      }
      sum += ((2 * ma * mb + C1) * ((2 * cov) / 63 + C2)) / ((ma * ma + mb * mb + C1) * (va / 63 + vb / 63 + C2));
      count++;
    }
  }
  return sum / count;
}

describe.skipIf(!HAS_CORPUS)('the photo head as splats matches the mesh head when the camera orbits and the mouth opens', () => {
  const host = useRenderHost({ widthPx: SIZE, heightPx: SIZE, background: 'photo' });
  let analyzer: FaceAnalyzer;
  const portraits: { name: string; image: DecodedImage; face: FaceLandmarks }[] = [];

  beforeAll(async () => {
    analyzer = await FaceAnalyzer.create();
    for (const name of ['img01_frontal_ai_man_jpeg-named-png.png', 'img03_beard_smile_teeth_ai.png']) {
      const image = await decodeImage(corpus(`images/${name}`));
      portraits.push({ name: name.slice(0, 5), image, face: (await analyzer.analyze(image)).faces[0]! });
    }
  }, 180_000);
  afterAll(async () => {
    await analyzer?.dispose();
  });

  /** Mesh and splat frames of one portrait at yaw 25°: neutral and jawOpen 0.6. */
  async function frames(p: (typeof portraits)[number]): Promise<{ mesh: Uint8Array[]; splats: Uint8Array[] }> {
    const poses = [0, 0.6].map((jaw) => {
      const bs = new Float32Array(52);
      bs[BS.jawOpen] = jaw;
      return bs;
    });
    await host().loadPortrait(p.image, p.face);
    const mesh = [];
    for (const bs of poses) mesh.push(await host().renderStill({ blendshapes: bs }, { orbitYawRad: YAW_RAD }));
    await host().loadPortraitSplats(p.image, p.face);
    const splats = [];
    for (const bs of poses) splats.push(await host().renderStill({ blendshapes: bs }, { orbitYawRad: YAW_RAD }));
    return { mesh, splats };
  }

  /** Face, head and mouth boxes of the face the analyser finds in a mesh frame. */
  async function boxes(mesh: Uint8Array): Promise<{ face: Box; head: Box; mouth: Box }> {
    const found = (await analyzer.analyze({ rgba: mesh, widthPx: SIZE, heightPx: SIZE, hadAlpha: false })).faces[0];
    expect(found, 'the face analyser finds the mesh head’s face at yaw 25°').toBeDefined();
    const { xPx: bx, yPx: by, widthPx: bw, heightPx: bh } = found!.boxPx;
    const r = Math.round;
    return {
      face: { x0: r(bx - 0.075 * bw), y0: r(by - 0.075 * bh), x1: r(bx + 1.075 * bw), y1: r(by + 1.075 * bh) },
      head: { x0: r(bx - 0.3 * bw), y0: r(by - 0.5 * bh), x1: r(bx + 1.3 * bw), y1: r(by + bh) },
      mouth: mouthBox(found!.landmarksPx),
    };
  }

  it('img01 and held-out img03 at yaw 25°: mouth, face and head SSIM against the mesh head', { timeout: 300_000 }, async () => {
    for (const p of portraits) {
      const { mesh, splats } = await frames(p);
      const b = await boxes(mesh[1]!);
      const neutralHead = ssim(splats[0]!, mesh[0]!, b.head);
      const openMouth = ssim(splats[1]!, mesh[1]!, b.mouth);
      const openFace = ssim(splats[1]!, mesh[1]!, b.face);
      console.log(`${p.name} yaw 25°: head SSIM ${neutralHead.toFixed(3)} (neutral), jawOpen 0.6 mouth ${openMouth.toFixed(3)}, face ${openFace.toFixed(3)}`);
      const min = MIN_SSIM[p.name]!;
      expect(openMouth).toBeGreaterThan(min.mouth);
      expect(openFace).toBeGreaterThan(min.face);
      expect(neutralHead).toBeGreaterThan(min.head);
    }
  });
});
