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
  it("'head' keeps the output aspect; 'upperBody' is never tighter than 'photo' and lies inside the photo", () => {
    const head = computeCropRect(w, h, face, 'head', 16 / 9);
    const body = computeCropRect(w, h, face, 'upperBody', 16 / 9);
    const photo = computeCropRect(w, h, face, 'photo', 16 / 9);
    expect(head.widthPx / head.heightPx).toBeCloseTo(16 / 9, 6);
    expect(body.widthPx / body.heightPx).toBeCloseTo(16 / 9, 6);
    expect(body.heightPx).toBeGreaterThanOrEqual(photo.heightPx - 1e-6);
    expect(body.xPx).toBeGreaterThanOrEqual(-1e-6);
    expect(body.yPx).toBeGreaterThanOrEqual(-1e-6);
    expect(body.xPx + body.widthPx).toBeLessThanOrEqual(w + 1e-6);
    expect(body.yPx + body.heightPx).toBeLessThanOrEqual(h + 1e-6);
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
  it('img01 (a close-up: 2 face heights exceed the photo) frames the whole photo, never past its edges (the shirt would end in mid-frame)', () => {
    const { lm, w, h } = load('img01');
    const face = faceBoundsFromLandmarks(lm);
    const c = computeCropRect(w, h, face, 'upperBody', 1);
    expect(photoShowsShoulders(h, face)).toBe(false);
    expect([c.xPx, c.yPx, c.widthPx, c.heightPx]).toEqual([0, 0, w, h]);
  });
  it('a photo cut at the chin has no shoulders; the crop stays inside it', () => {
    const face = { centerXPx: 100, centerYPx: 90, widthPx: 120, heightPx: 150 };
    expect(photoShowsShoulders(170, face)).toBe(false);
    expect(photoShowsShoulders(400, face)).toBe(true);
    const c = computeCropRect(200, 170, face, 'upperBody', 1);
    expect(c.heightPx).toBeCloseTo(170, 6);
    expect(c.yPx).toBeCloseTo(0, 6);
    expect(c.xPx).toBeGreaterThanOrEqual(0);
    expect(c.xPx + c.widthPx).toBeLessThanOrEqual(200 + 1e-6);
  });
});
