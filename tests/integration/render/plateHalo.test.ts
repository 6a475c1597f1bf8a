/**
 * Issue 13: what the background plate shows beside the head when the camera orbits. On img01 (a studio backdrop
 * shaded from light to dark) the plate's patch fill had copied the light side into the shaded one and kept hair
 * strands where the matte is faint: at ±30° light blobs and specks stood beside the hair. Measured as the edge energy
 * of the background in a band outside the silhouette (tests/integration/render/haloMetric.ts) against the rest view.
 * Reads its portrait from the shared test media (../shared/corpus): left out when the corpus is absent.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { useRenderHost } from '../../helpers/useRenderHost.ts';
import { ARKIT_BLENDSHAPE_COUNT } from '../../../core/motion/names.ts';
import { bandEdgeEnergy } from './haloMetric.ts';
import { loadPortrait } from './helpers.ts';

const N = 256;

describe('background plate beside the head at ±30° (img01)', () => {
  const host = useRenderHost({ widthPx: N, heightPx: N });
  const keyed = useRenderHost({ widthPx: N, heightPx: N, background: { color: '#00ff00' } });
  const energy = new Map<number, number>();
  beforeAll(async () => {
    const p = await loadPortrait('img01');
    await host().loadPortrait(p.image, p.face);
    await keyed().loadPortrait(p.image, p.face);
    const still = { blendshapes: new Float32Array(ARKIT_BLENDSHAPE_COUNT) };
    for (const yawDeg of [0, -30, 30]) {
      const view = { orbitYawRad: (yawDeg * Math.PI) / 180 };
      energy.set(yawDeg, bandEdgeEnergy(await host().renderStill(still, view), await keyed().renderStill(still, view), N));
    }
    console.log(`img01 band edge energy: rest ${energy.get(0)!.toFixed(2)}, -30° ${energy.get(-30)!.toFixed(2)}, +30° ${energy.get(30)!.toFixed(2)}`);
  }, 120_000);

  // Before the structure + texture fill: 2.2× (−30°) and 1.7× (+30°) the rest view's; after: 1.2× and 1.3×. Main at
  // s16 start: 1.46× and 1.39× (the plate's fill off the photo's background along the former outline, and the hair's
  // blurred fringe left on the plate outside a 1-px fill ring); with the seam blend (backgroundPlate.ts
  // `blendEdgeToBackground`) and a 1 % ring: 1.37× and 1.21×. Bound 1.5 → 1.42 (fails on main's −30°).
  it.each([-30, 30])('yaw %i°: the background beside the head has at most 1.42× the rest view\'s edge energy (no specks, ghost outline or blotches)', (yawDeg) => {
    expect(energy.get(yawDeg)! / energy.get(0)!).toBeLessThan(1.42);
  });
});
