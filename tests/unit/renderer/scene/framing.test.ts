import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { computeCropRect, faceBoundsFromLandmarks } from '../../../../renderer/scene/framing.ts';
import { photoShowsShoulders } from '../../../../core/face/shoulders.ts';

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

describe('upper-body framing', () => {
  it.each(['img05', 'img06'])('%s: the crop lies inside the photo, holds the face, and is wider than the head framing', (name) => {
    const { lm, w, h } = load(name);
    const face = faceBoundsFromLandmarks(lm);
    const c = computeCropRect(w, h, face, 'upperBody', 1);
    expect(c.xPx).toBeGreaterThanOrEqual(-1e-6);
    expect(c.yPx).toBeGreaterThanOrEqual(-1e-6);
    expect(c.xPx + c.widthPx).toBeLessThanOrEqual(w + 1e-6);
    expect(c.yPx + c.heightPx).toBeLessThanOrEqual(h + 1e-6);
    expect(c.yPx).toBeLessThanOrEqual(face.centerYPx - face.heightPx / 2);
    expect(c.heightPx).toBeGreaterThan(computeCropRect(w, h, face, 'head', 1).heightPx);
  });
  it('img01 (a close-up: 2 face heights exceed the photo) is centred on the photo and extends past it evenly', () => {
    const { lm, w, h } = load('img01');
    const face = faceBoundsFromLandmarks(lm);
    const c = computeCropRect(w, h, face, 'upperBody', 1);
    expect(c.heightPx).toBeGreaterThan(h);
    expect(c.xPx + c.widthPx / 2).toBeCloseTo(w / 2, 6);
  });
  it('a photo cut at the chin has no shoulders; the crop reaches past it, centred', () => {
    const face = { centerXPx: 100, centerYPx: 90, widthPx: 120, heightPx: 150 };
    expect(photoShowsShoulders(170, face)).toBe(false);
    expect(photoShowsShoulders(400, face)).toBe(true);
    const c = computeCropRect(200, 170, face, 'upperBody', 1);
    expect(c.heightPx).toBeCloseTo(2 * Math.max(150, 120 / 0.85), 6);
    expect(c.xPx).toBeLessThan(0);
    expect(c.xPx + c.widthPx).toBeGreaterThan(200);
  });
});
