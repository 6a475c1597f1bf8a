import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { computeCropRect, faceBoundsFromLandmarks } from '../../../../renderer/scene/framing.ts';

const load = (name: string): { lm: Float32Array; w: number; h: number } => {
  const j = JSON.parse(readFileSync(`tests/fixtures/landmarks/${name}.json`, 'utf8')) as { landmarksPx: number[]; imageWidthPx: number; imageHeightPx: number };
  return { lm: Float32Array.from(j.landmarksPx), w: j.imageWidthPx, h: j.imageHeightPx };
};

describe.each(['img01', 'img05', 'img06', 'astronaut'])('framing of %s', (name) => {
  const { lm, w, h } = load(name);
  const face = faceBoundsFromLandmarks(lm);
  it("'photo' is a square crop inside the photo that contains the whole face", () => {
    const c = computeCropRect(w, h, face, 'photo', 1);
    expect(c.widthPx).toBeCloseTo(c.heightPx, 6);
    expect(c.xPx).toBeGreaterThanOrEqual(-1e-6);
    expect(c.yPx).toBeGreaterThanOrEqual(-1e-6);
    expect(c.xPx + c.widthPx).toBeLessThanOrEqual(w + 1e-6);
    expect(c.yPx + c.heightPx).toBeLessThanOrEqual(h + 1e-6);
    expect(c.xPx).toBeLessThanOrEqual(face.centerXPx - face.widthPx / 2);
    expect(c.xPx + c.widthPx).toBeGreaterThanOrEqual(face.centerXPx + face.widthPx / 2);
  });
  it("'head' is tighter than 'upperBody' and keeps the output aspect", () => {
    const head = computeCropRect(w, h, face, 'head', 16 / 9);
    const body = computeCropRect(w, h, face, 'upperBody', 16 / 9);
    expect(head.heightPx).toBeLessThan(body.heightPx);
    expect(head.widthPx / head.heightPx).toBeCloseTo(16 / 9, 6);
  });
});
