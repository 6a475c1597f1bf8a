import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ARKIT_BLENDSHAPE_COUNT, BS } from '../../../../core/motion/names.ts';
import { buildPhotoHeadRig } from '../../../../renderer/head/rig.ts';
import { EYE_LEFT, EYE_RIGHT } from '../../../../renderer/head/topology.ts';
import { gazeLidWeights, lidTriangles, measureLidSkin } from '../../../../renderer/head/eyelids.ts';
import { TRI468 } from '../../../../renderer/head/topologyTables.ts';
import { faceTrianglesWithoutEyes } from '../../../../renderer/head/topology.ts';

const fixture = JSON.parse(readFileSync('tests/fixtures/landmarks/img01.json', 'utf8')) as { landmarksPx: number[]; imageWidthPx: number; imageHeightPx: number };
const rig = buildPhotoHeadRig(Float32Array.from(fixture.landmarksPx), 478);

describe('gazeLidWeights (upper lid follows vertical gaze)', () => {
  const R = 40;
  const H: [number, number] = [50, 50];
  it('looking down lowers the lid as far as the iris moves: blink = R·sin(θ) / (0.88·h)', () => {
    const out = gazeLidWeights(new Float32Array(ARKIT_BLENDSHAPE_COUNT), [-0.3, 0], R, H, new Float32Array(ARKIT_BLENDSHAPE_COUNT));
    expect(out[BS.eyeBlinkRight]).toBeCloseTo((R * Math.sin(0.3)) / (0.88 * 50), 5);
    expect(out[BS.eyeBlinkLeft]).toBe(0);
    expect(out[BS.eyeWideRight]).toBe(0);
  });
  it('looking up raises the lid (eyeWide), clamped to 1', () => {
    const out = gazeLidWeights(new Float32Array(ARKIT_BLENDSHAPE_COUNT), [0, 0.4], R, H, new Float32Array(ARKIT_BLENDSHAPE_COUNT));
    expect(out[BS.eyeWideLeft]).toBe(1);
    expect(out[BS.eyeBlinkLeft]).toBe(0);
  });
  it('keeps a larger tracked blink (the lowering is already in it) and leaves other weights alone', () => {
    const w = new Float32Array(ARKIT_BLENDSHAPE_COUNT);
    w[BS.eyeBlinkRight] = 0.9;
    w[BS.jawOpen] = 0.4;
    const out = gazeLidWeights(w, [-0.3, 0], R, H, new Float32Array(ARKIT_BLENDSHAPE_COUNT));
    expect(out[BS.eyeBlinkRight]).toBeCloseTo(0.9, 6);
    expect(out[BS.jawOpen]).toBeCloseTo(0.4, 6);
    expect(w[BS.eyeBlinkRight]).toBeCloseTo(0.9, 6);
  });
});

describe('measureLidSkin', () => {
  it('returns the skin colour of the lid band, not the dark lash pixels lying on it', () => {
    const W = fixture.imageWidthPx;
    const Hpx = fixture.imageHeightPx;
    const rgba = new Uint8Array(W * Hpx * 4);
    // The band's halves split at the middle of its x extent (lid contour + upper2 ring).
    const xs = [...EYE_RIGHT.upper0, ...EYE_RIGHT.upper2].map((i) => rig.restPx[i * 3]!);
    const midX = (Math.min(...xs) + Math.max(...xs)) / 2;
    // Skin (200, 150, 130) everywhere, a left/right split in the green channel, and black "lashes" on every 5th row.
    for (let y = 0; y < Hpx; y++) {
      for (let x = 0; x < W; x++) {
        const k = (y * W + x) * 4;
        const lash = y % 5 === 0;
        rgba.set(lash ? [10, 10, 10, 255] : [200, x + 0.5 < midX ? 150 : 140, 130, 255], k);
      }
    }
    const [left, right] = measureLidSkin(rgba, W, Hpx, rig.restPx, EYE_RIGHT);
    expect(left.map((c) => Math.round(c * 255))).toEqual([200, 150, 130]);
    expect(right.map((c) => Math.round(c * 255))).toEqual([200, 140, 130]);
  });
  it('lid triangles: the lid rings and the 14 triangles filling the eye opening (left out of the face mesh)', () => {
    const tris = lidTriangles(EYE_RIGHT, TRI468);
    const key = (a: ArrayLike<number>, t: number): string => [a[t]!, a[t + 1]!, a[t + 2]!].sort((p, q) => p - q).join(',');
    const lid = new Set<string>();
    for (let t = 0; t < tris.length; t += 3) lid.add(key(tris, t));
    const face = new Set<string>();
    const f = faceTrianglesWithoutEyes();
    for (let t = 0; t < f.length; t += 3) face.add(key(f, t));
    const contour = new Set([...EYE_RIGHT.upper0, ...EYE_RIGHT.lower0]);
    const opening: string[] = [];
    for (let t = 0; t < TRI468.length; t += 3) if (!face.has(key(TRI468, t)) && contour.has(TRI468[t]!)) opening.push(key(TRI468, t));
    expect(opening.length).toBe(14);
    for (const o of opening) expect(lid.has(o)).toBe(true);
    const used = new Set(tris);
    for (const i of [...EYE_RIGHT.upper0, ...EYE_RIGHT.upper1, ...EYE_RIGHT.upper2]) expect(used.has(i)).toBe(true);
    // Nothing of the other eye.
    for (const i of [...EYE_LEFT.upper0, ...EYE_LEFT.lower0]) expect(used.has(i)).toBe(false);
  });
});
