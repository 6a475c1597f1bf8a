/**
 * The paired eval's brow measure (scripts/evalRealPairs.ts shapeMeasures browHeight: the upper brow contour's height
 * above the eye corners / IOD, read by the independent TF.js tracker) sees a real brow raise: vid03 raises its brows
 * (with widened eyes) at frames 6 and 60 (seen on the frames, test browsFromVideo) and has them lowest at frame 21 (our
 * own tracker: 0.350 / 0.322 IOD at frames 0 / 21); TF.js reads 0.317 / 0.348 / 0.300 / 0.350 IOD at frames
 * 0 / 6 / 21 / 60. Without it the self-reenactment's brow amplitude (issue 12, brows
 * read from the driver) was not measured at all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAS_CORPUS, corpus, readVideoFrameRgba } from '../../helpers/media.ts';
import { FaceAnalyzerCore } from '../../../pipeline/face/faceAnalyzer.ts';
import { TfjsFaceModelRunner } from '../../../pipeline/face/tfjsReference.ts';
import { shapeMeasures } from '../../../scripts/evalRealPairs.ts';

const SIZE = 512;

/** Frame `n` of a 512² clip as RGBA. */
const frameRgba = (path: string, n: number): Promise<Uint8Array> => readVideoFrameRgba(path, n, SIZE, SIZE);

describe.skipIf(!HAS_CORPUS)('paired eval: brow height (TF.js tracker)', () => {
  let tracker: FaceAnalyzerCore;
  beforeAll(async () => {
    tracker = new FaceAnalyzerCore(await TfjsFaceModelRunner.create('wasm'));
  });
  afterAll(async () => {
    await tracker?.dispose();
  });

  it('vid03: brows raised at frames 6 and 60 read ≥ 0.02 IOD above frame 0 and ≥ 0.04 above the relaxed frame 21', { timeout: 120_000 }, async () => {
    const video = corpus('video/vid03_woman_talking_expressive_512p30.mp4');
    const brow: Record<number, number> = {};
    for (const n of [0, 6, 21, 60]) {
      const a = await tracker.analyze({ rgba: await frameRgba(video, n), widthPx: SIZE, heightPx: SIZE, hadAlpha: false }, { maxFaces: 1 });
      expect(a.faces.length).toBe(1);
      brow[n] = shapeMeasures(a.faces[0]!.landmarksPx).browHeight;
    }
    console.log(`vid03 brow height (IOD): ${Object.entries(brow).map(([n, b]) => `f${n} ${b.toFixed(3)}`).join(', ')}`);
    for (const n of [6, 60]) {
      expect(brow[n]! - brow[0]!).toBeGreaterThan(0.02);
      expect(brow[n]! - brow[21]!).toBeGreaterThan(0.04);
    }
  });
});
