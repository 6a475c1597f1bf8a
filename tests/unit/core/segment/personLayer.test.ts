import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { personLayerAlpha } from '../../../../core/segment/personLayer.ts';

const fixture = JSON.parse(readFileSync('tests/fixtures/landmarks/img05.json', 'utf8')) as { landmarksPx: number[]; imageWidthPx: number; imageHeightPx: number };
const W = fixture.imageWidthPx;
const H = fixture.imageHeightPx;
const lm = Float32Array.from(fixture.landmarksPx);
const at = (i: number): [number, number] => [Math.round(lm[i * 3]!), Math.round(lm[i * 3 + 1]!)];

describe('personLayerAlpha', () => {
  it('keeps the face core even where the matte missed it, and drops matte far from head and shoulders', () => {
    const matte = new Uint8Array(W * H).fill(255);
    // The matte misses the cheek next to landmark 234 (the face's image-left edge).
    const [cx, cy] = at(234);
    for (let y = cy - 10; y <= cy + 10; y++) for (let x = cx - 2; x <= cx + 10; x++) matte[y * W + x] = 0;
    const out = personLayerAlpha(matte, W, H, lm);
    expect(out[cy * W + cx + 6]).toBe(255);
    // The image's top corners are far from the head: the matte's 255 there is dropped.
    expect(out[2 * W + 2]).toBe(0);
    expect(out[2 * W + W - 3]).toBe(0);
    // Below the chin (shoulders) the matte is kept.
    const [chx, chy] = at(152);
    expect(out[Math.min(H - 1, chy + 60) * W + chx]).toBe(255);
  });

  it('stops the core at the cheeks: beside the lower jaw and the chin the matte decides (no backdrop forced in beside the neck)', () => {
    const matte = new Uint8Array(W * H);
    const out = personLayerAlpha(matte, W, H, lm);
    const faceWidthPx = lm[454 * 3]! - lm[234 * 3]!;
    const [chx] = at(152);
    // 8 % of the face width outside the lower jaw (136/150 image-left, 365/379 image-right) and at the chin: before,
    // the grown oval forced 213–255 there whatever the matte said.
    for (const i of [136, 150, 365, 379, 152]) {
      const [x, y] = at(i);
      const ox = Math.round(x + Math.sign(x - chx) * 0.08 * faceWidthPx);
      expect(out[y * W + ox], `landmark ${i}`).toBe(0);
    }
    // The cheeks at eye height still are (landmark 234, the face's image-left edge, 6 px outward).
    const [cx, cy] = at(234);
    expect(out[cy * W + cx - 6]).toBe(255);
    // Over the photo's own background the core goes down to the chin, as before.
    const full = personLayerAlpha(matte, W, H, lm, { coreBelowCheeks: true });
    const [x136, y136] = at(136);
    expect(full[y136 * W + Math.round(x136 - 0.08 * faceWidthPx)]).toBeGreaterThan(200);
  });

  it('keeps an exact matte (a cut-out\'s own alpha) as it is: nothing added where the photo is transparent', () => {
    const matte = new Uint8Array(W * H);
    for (let k = 0; k < matte.length; k += 7) matte[k] = 200;
    const out = personLayerAlpha(matte, W, H, lm, { exact: true });
    expect(Array.from(out)).toEqual(Array.from(matte));
    expect(out).not.toBe(matte);
  });

  it('refuses a matte of the wrong size', () => {
    expect(() => personLayerAlpha(new Uint8Array(5), W, H, lm)).toThrow(/matte/);
  });
});
