/**
 * Issue 13: the photo's bottom border under a downward orbit. A portrait cuts the body at the photo's bottom edge; at
 * −15° of pitch the camera sees past it. The person layer used to continue there with the photo's bottom row stretched
 * down (vertical streaks) and fade out within a tenth of the photo's height, so the frame's bottom rows showed the
 * body ending in a blurred band over the filled background (img05: the dress gone from the bottom rows). The layer now
 * continues with the photo's bottom band mirrored and fades farther out (renderer/head/photoHead.ts BELOW_FADE_PHOTO).
 * Measured over a green key: the share of the frame's bottom rows the person covers at −15° against the rest view.
 * Reads its portraits from the shared test media (../shared/corpus): left out when the corpus is absent.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { useRenderHost } from '../../helpers/useRenderHost.ts';
import { ARKIT_BLENDSHAPE_COUNT } from '../../../core/motion/names.ts';
import { loadPortrait, type FixtureName } from './helpers.ts';

const N = 256;
/** Bottom rows measured (the rows a −15° pitch brings past the photo's bottom edge on a head-framed portrait). */
const ROWS = 6;

/** Share of the pixels in the frame's bottom `rows` rows that are not the green key (the person covers them). */
function bottomCover(rgba: Uint8Array, rows: number): number {
  let person = 0;
  for (let y = N - rows; y < N; y++) {
    for (let x = 0; x < N; x++) {
      const k = (y * N + x) * 4;
      if (!(rgba[k + 1]! > 180 && rgba[k]! < 90 && rgba[k + 2]! < 90)) person++;
    }
  }
  return person / (rows * N);
}

const PORTRAITS: FixtureName[] = ['img01', 'img05', 'img06'];

describe('the body at the photo\'s bottom edge under −15° pitch', () => {
  const keyed = useRenderHost({ widthPx: N, heightPx: N, background: { color: '#00ff00' } });
  const cover = new Map<string, number>();
  beforeAll(async () => {
    const still = { blendshapes: new Float32Array(ARKIT_BLENDSHAPE_COUNT) };
    for (const name of PORTRAITS) {
      const p = await loadPortrait(name);
      await keyed().loadPortrait(p.image, p.face);
      for (const pitchDeg of [0, -15]) cover.set(`${name}${pitchDeg}`, bottomCover(await keyed().renderStill(still, { orbitPitchRad: (pitchDeg * Math.PI) / 180 }), ROWS));
      console.log(`${name} person cover of the bottom ${ROWS} rows: rest ${cover.get(`${name}0`)!.toFixed(3)}, −15° pitch ${cover.get(`${name}-15`)!.toFixed(3)}`);
    }
  }, 180_000);

  // Main: img01 0.69×, img05 0.12× (rest 0.432 / 0.842); mirrored continuation: 0.89× and 0.89×.
  it.each(PORTRAITS)('%s: the body still reaches the frame\'s bottom (≥ 0.8× the rest view\'s cover of the bottom rows)', (name) => {
    expect(cover.get(`${name}-15`)! / cover.get(`${name}0`)!).toBeGreaterThan(0.8);
  });
});
