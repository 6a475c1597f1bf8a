/**
 * The splat head's eyes half closed and looking down (on top of the photo's rest expression, 256², photo background),
 * against the mesh head:
 * - eyeBlink 0.7: lid skin over what the lowered lid leaves of the eye, as the mesh head draws it
 *   (renderer/head/eyelids.ts LID_FRAGMENT), not slivers of iris and sclera between the lid's stretched Gaussians;
 * - eyeLookDown 1: the upper lid follows the gaze down and the lower lid drops with it (issue #12: the splat head
 *   kept both lids where they were, the mesh head lowers them, `poseWithGazeLids`).
 *
 * @remarks Measure (output pixels, L* CIELAB D65), both eyes:
 * - blink 0.7: the gap = the rest eye opening (inset 1 px; rest landmarks mapped through the framing crop) below the
 *   posed upper-lid contour; the mean |L*splats − L*mesh| over it. At rest (blink 0) the same measure over the whole
 *   opening gives the heads' own difference (the splats' 2-px lattice), logged for scale (1.5 / 1.7 L*). Without the
 *   lid skin: img01 7.9, img02 5.6 L* at blink 0.7; with it 4.6 and 4.1; the bounds sit between.
 * - look down: the mean |L*splats − L*mesh| over the rest opening and the posed one (the mesh head's lids, lowered),
 *   inset −1 px (the lid lines included). Without the splat head's gaze lids (main): img01 21.6, img02 7.2 L*; with
 *   them 4.4 and 3.0 (bound 6 for both, set after seeing the numbers).
 * img01 was looked at while porting; img02 held out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RenderHost } from '../../../pipeline/render/renderHost.ts';
import { pixelsInPolygon } from '../render/helpers.ts';
import { HAS_CORPUS } from '../../helpers/media.ts';
import { EYE_PORTRAITS, EYE_STATES, EYES, eyeWeights, gapBelowLid, loadEyeScene, lStar, posedFace, restOpening } from '../../helpers/eyeScene.ts';

const S = 256;

describe.skipIf(!HAS_CORPUS)('splat head eyes half closed and looking down: lids as the mesh head (256²)', () => {
  let mesh: RenderHost, splats: RenderHost;
  beforeAll(async () => {
    mesh = await RenderHost.launch({ widthPx: S, heightPx: S });
    splats = await RenderHost.launch({ widthPx: S, heightPx: S });
  }, 120_000);
  afterAll(async () => {
    await mesh?.dispose();
    await splats?.dispose();
  });

  const PORTRAITS: [string, string, number][] = [
    ['img01', 'img01', 6.2],
    ['img02 (held out)', 'img02', 5],
  ];

  it.each(PORTRAITS)('%s: the gap under the lowered lid and the lids of a look down match the mesh head', async (name, key, bound) => {
    const portrait = await EYE_PORTRAITS[key]!();
    const scene = await loadEyeScene(mesh, portrait, S);
    await loadEyeScene(splats, portrait, S, true);
    const diff = async (set: (typeof EYE_STATES)[string], region: (posed: Float32Array, k: number) => number[]): Promise<number> => {
      const w = eyeWeights(scene, set);
      const m = await mesh.renderStill({ blendshapes: w });
      const s = await splats.renderStill({ blendshapes: w });
      const posed = posedFace(scene, w);
      let sum = 0, n = 0;
      for (const k of [0, 1]) {
        for (const i of region(posed, k)) {
          sum += Math.abs(lStar(s, i) - lStar(m, i));
          n++;
        }
      }
      expect(n).toBeGreaterThan(10);
      return sum / n;
    };
    const open = await diff(EYE_STATES.b0!, (_, k) => restOpening(scene, EYES[k]!, 1));
    const half = await diff(EYE_STATES['b.7']!, (posed, k) => gapBelowLid(scene, posed, EYES[k]!, 1));
    const down = await diff(EYE_STATES.down!, (posed, k) => {
      const ids = [...EYES[k]!.upper0, ...[...EYES[k]!.lower0].reverse()];
      return [...new Set([...pixelsInPolygon(scene.rig.restPx, ids, scene.cropPx, S, -1), ...pixelsInPolygon(posed, ids, scene.cropPx, S, -1)])];
    });
    console.log(`${name}: mean |ΔL*| splats vs mesh, open eye ${open.toFixed(1)}, blink 0.7 gap ${half.toFixed(1)} (bound ${bound}), look down ${down.toFixed(1)} (bound 6)`);
    expect(half).toBeLessThan(bound);
    expect(down).toBeLessThan(6);
  }, 300_000);
});
