/**
 * `--head splats` keeps the photo background (issue 13): the photo head as splats is seen through the mesh photo
 * head's camera and crop (renderer/scene/portraitCamera.ts) over the same filled background plate, so the frame's
 * corners show the same background as the mesh head's. Checked on four corpus portraits: the mean grey of each
 * corner patch (10 % of the side) of the splat head's frame within 12 grey levels of the mesh head's.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { useRenderHost } from '../../helpers/useRenderHost.ts';
import type { FaceLandmarks } from '../../../core/face/types.ts';
import { FaceAnalyzer } from '../../../pipeline/face/faceAnalyzer.ts';
import { decodeImage, type DecodedImage } from '../../../pipeline/image/decodeImage.ts';
import { HAS_CORPUS, corpus } from '../../helpers/media.ts';

const SIZE = 128;
const PATCH = Math.round(SIZE * 0.1);
const PORTRAITS = ['img01_frontal_ai_man_jpeg-named-png.png', 'img03_beard_smile_teeth_ai.png', 'img05_elderly_woman_painting_ai.png', 'img06_monalisa_painting_pd.jpg'];

/** Mean grey ((R+G+B)/3) of the four corner patches: top-left, top-right, bottom-left, bottom-right. */
function cornerGreys(f: Uint8Array): number[] {
  const out: number[] = [];
  for (const [x0, y0] of [
    [0, 0],
    [SIZE - PATCH, 0],
    [0, SIZE - PATCH],
    [SIZE - PATCH, SIZE - PATCH],
  ] as const) {
    let s = 0;
    for (let y = y0; y < y0 + PATCH; y++) for (let x = x0; x < x0 + PATCH; x++) s += (f[(y * SIZE + x) * 4]! + f[(y * SIZE + x) * 4 + 1]! + f[(y * SIZE + x) * 4 + 2]!) / 3;
    out.push(s / PATCH / PATCH);
  }
  return out;
}

describe.skipIf(!HAS_CORPUS)('the photo head as splats keeps the photo background', () => {
  const host = useRenderHost({ widthPx: SIZE, heightPx: SIZE, background: 'photo' });
  const faces: { name: string; image: DecodedImage; face: FaceLandmarks }[] = [];

  beforeAll(async () => {
    const analyzer = await FaceAnalyzer.create();
    try {
      for (const name of PORTRAITS) {
        const image = await decodeImage(corpus(`images/${name}`));
        faces.push({ name, image, face: (await analyzer.analyze(image)).faces[0]! });
      }
    } finally {
      await analyzer.dispose();
    }
  }, 180_000);

  it('each corner patch of the splat head is within 12 grey levels of the mesh head’s (4 portraits)', { timeout: 240_000 }, async () => {
    for (const { name, image, face } of faces) {
      await host().loadPortrait(image, face);
      const mesh = cornerGreys(await host().renderStill({ blendshapes: new Float32Array(52) }));
      await host().loadPortraitSplats(image, face);
      const splats = cornerGreys(await host().renderStill({ blendshapes: new Float32Array(52) }));
      const diff = mesh.map((m, k) => Math.abs(m - splats[k]!));
      console.log(`${name.slice(0, 5)}: corners mesh ${mesh.map((v) => v.toFixed(0)).join('/')}, splats ${splats.map((v) => v.toFixed(0)).join('/')}, max diff ${Math.max(...diff).toFixed(1)}`);
      for (const d of diff) expect(d).toBeLessThanOrEqual(12);
    }
  });
});
