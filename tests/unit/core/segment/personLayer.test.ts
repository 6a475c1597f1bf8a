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

  it('refuses a matte of the wrong size', () => {
    expect(() => personLayerAlpha(new Uint8Array(5), W, H, lm)).toThrow(/matte/);
  });
});
