/**
 * Issue 13: the head is not cut flat at the photo's top edge when the camera pitches. img05's hair reaches the
 * photo's top edge; the person layer ends there, so at +15° pitch (the head moves down in the frame) the hair showed
 * cut straight across with filled background above it. The camera now zooms in just enough that the photo's top and
 * bottom border stay out of view where the person touches them (renderer/scene/personEdgeZoom.ts).
 * Measured over a green key: the share of the frame's top rows the person covers at +15° against the rest view.
 * Reads its portrait from the shared test media (../shared/corpus): left out when the corpus is absent.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { useRenderHost } from '../../helpers/useRenderHost.ts';
import { ARKIT_BLENDSHAPE_COUNT } from '../../../core/motion/names.ts';
import { loadPortrait } from './helpers.ts';

const N = 256;

/** Share of the pixels in the frame's top `rows` rows that are not the green key (the person covers them). */
function topCover(rgba: Uint8Array, rows: number): number {
  let person = 0;
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < N; x++) {
      const k = (y * N + x) * 4;
      if (!(rgba[k + 1]! > 180 && rgba[k]! < 90 && rgba[k + 2]! < 90)) person++;
    }
  }
  return person / (rows * N);
}

describe('hair at the photo\'s top edge under pitch (img05)', () => {
  const keyed = useRenderHost({ widthPx: N, heightPx: N, background: { color: '#00ff00' } });
  const cover = new Map<number, number>();
  beforeAll(async () => {
    const p = await loadPortrait('img05');
    await keyed().loadPortrait(p.image, p.face);
    const still = { blendshapes: new Float32Array(ARKIT_BLENDSHAPE_COUNT) };
    for (const pitchDeg of [0, 15]) cover.set(pitchDeg, topCover(await keyed().renderStill(still, { orbitPitchRad: (pitchDeg * Math.PI) / 180 }), 6));
    console.log(`img05 person cover of the top 6 rows: rest ${cover.get(0)!.toFixed(3)}, +15° pitch ${cover.get(15)!.toFixed(3)}`);
  }, 120_000);

  it('+15° pitch: the hair still reaches the frame\'s top (≥ 0.8× the rest view\'s cover of the top rows)', () => {
    expect(cover.get(15)! / cover.get(0)!).toBeGreaterThan(0.8);
  });
});
