import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ARKIT_BLENDSHAPE_COUNT, BS } from '../../../../core/motion/names.ts';
import { buildPhotoHeadRig } from '../../../../renderer/head/rig.ts';
import { EYE_LEFT, EYE_RIGHT } from '../../../../renderer/head/topology.ts';
import { gazeLidWeights, lidClosure, lidTriangles, LOWER_LID_GAZE_SHARE, lowerLidGazeDrop, measureEyeSclera, measureLidSkin } from '../../../../renderer/head/eyelids.ts';
import { evaluateRigRelative, RIG_VERTEX_COUNT } from '../../../../core/rig/rig.ts';
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
  it('with a glasses frame across the band: the lid skin below the frame, and the share of the band below it', () => {
    const W = fixture.imageWidthPx;
    const Hpx = fixture.imageHeightPx;
    const yOf = (ids: readonly number[]): number => ids.reduce((a, i) => a + rig.restPx[i * 3 + 1]!, 0) / ids.length;
    // Lid skin (190, 140, 120) from the lid contour up to a brown frame rim (60, 45, 40; not colourless) 3 px thick,
    // a fifth of the way down from the upper2 ring to the lid contour; pale skin (235, 215, 195) above it.
    const y2 = yOf(EYE_RIGHT.upper2);
    const yFrame = Math.round(y2 + 0.2 * (yOf(EYE_RIGHT.upper0) - y2));
    const paint = (withFrame: boolean): Uint8Array => {
      const rgba = new Uint8Array(W * Hpx * 4);
      for (let y = 0; y < Hpx; y++) {
        const c = withFrame && Math.abs(y - yFrame) <= 1 ? [60, 45, 40] : withFrame && y < yFrame ? [235, 215, 195] : [190, 140, 120];
        for (let x = 0; x < W; x++) rgba.set([...c, 255], (y * W + x) * 4);
      }
      return rgba;
    };
    const [left, right, share] = measureLidSkin(paint(true), W, Hpx, rig.restPx, EYE_RIGHT);
    expect(left.map((c) => Math.round(c * 255))).toEqual([190, 140, 120]);
    expect(right.map((c) => Math.round(c * 255))).toEqual([190, 140, 120]);
    expect(share).toBeGreaterThan(0.2);
    expect(share).toBeLessThan(0.8);
    // Without the frame: the whole band (share 1), the same skin.
    const [l1, , share1] = measureLidSkin(paint(false), W, Hpx, rig.restPx, EYE_RIGHT);
    expect(share1).toBe(1);
    expect(l1.map((c) => Math.round(c * 255))).toEqual([190, 140, 120]);
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

describe('measureEyeSclera', () => {
  const W = fixture.imageWidthPx;
  const Hpx = fixture.imageHeightPx;
  const eye = rig.eyes[0];
  it('returns the white beside the iris, not the iris or the dark lash-shadow rows', () => {
    const rgba = new Uint8Array(W * Hpx * 4);
    // A white (230, 220, 210) on every row but every 4th (dark lash-shadow rows), a dark disc of 1.3 iris radii.
    for (let y = 0; y < Hpx; y++) {
      for (let x = 0; x < W; x++) {
        const inIris = Math.hypot(x + 0.5 - eye.irisCenterPx[0], y + 0.5 - eye.irisCenterPx[1]) < 1.3 * eye.irisRadiusPx;
        const c = inIris ? [40, 25, 20] : y % 4 === 0 ? [60, 50, 50] : [230, 220, 210];
        rgba.set([...c, 255], (y * W + x) * 4);
      }
    }
    const white = measureEyeSclera(rgba, W, Hpx, rig.restPx, EYE_RIGHT, eye.irisCenterPx, eye.irisRadiusPx, [0.5, 0.5, 0.5]);
    expect(white.map((c) => Math.round(c * 255))).toEqual([230, 220, 210]);
  });
  it('falls back when the opening shows (almost) nothing beyond 1.3 iris radii', () => {
    const rgba = new Uint8Array(W * Hpx * 4).fill(255);
    const white = measureEyeSclera(rgba, W, Hpx, rig.restPx, EYE_RIGHT, eye.irisCenterPx, 10 * eye.halfWidthPx, [0.5, 0.4, 0.3]);
    expect(white).toEqual([0.5, 0.4, 0.3]);
  });
});

describe('lidClosure and lowerLidGazeDrop (img01 rig)', () => {
  const zero = new Float32Array(ARKIT_BLENDSHAPE_COUNT);
  const pose = (w: Float32Array): Float32Array => evaluateRigRelative(rig, w, zero, new Float32Array(RIG_VERTEX_COUNT * 3));
  it('closure: 0 at rest, about the blink weight for a blink, 1 closed', () => {
    expect(lidClosure(EYE_RIGHT, rig.restPx, rig.restPx)).toBe(0);
    for (const b of [0.3, 0.5, 0.7]) {
      const w = new Float32Array(ARKIT_BLENDSHAPE_COUNT);
      w[BS.eyeBlinkRight] = b;
      // The rig moves the upper lid 0.88 and the lower 0.12 of the opening per unit (per column: the lower lid's move
      // is 0.12 of the tallest column, so the closure runs a little above the weight).
      expect(lidClosure(EYE_RIGHT, rig.restPx, pose(w))).toBeGreaterThan(b - 0.02);
      expect(lidClosure(EYE_RIGHT, rig.restPx, pose(w))).toBeLessThan(b + 0.12);
      expect(lidClosure(EYE_LEFT, rig.restPx, pose(w))).toBe(0);
    }
    const w = new Float32Array(ARKIT_BLENDSHAPE_COUNT);
    w[BS.eyeBlinkRight] = 1;
    expect(lidClosure(EYE_RIGHT, rig.restPx, pose(w))).toBeGreaterThan(0.97);
  });
  it('the lower lid drops LOWER_LID_GAZE_SHARE of the gaze (plus the undone rise), corners stay, and the eye opens', () => {
    const posed = Float32Array.from(rig.restPx);
    const ey: [number, number] = [rig.frame.ey[0], rig.frame.ey[1]];
    lowerLidGazeDrop(posed, EYE_RIGHT, 10, 2, ey);
    const mid = EYE_RIGHT.lower0[4]!;
    const moved = Math.hypot(posed[mid * 3]! - rig.restPx[mid * 3]!, posed[mid * 3 + 1]! - rig.restPx[mid * 3 + 1]!);
    expect(moved).toBeCloseTo(LOWER_LID_GAZE_SHARE * 10 + 2, 4);
    expect(posed[mid * 3 + 1]!).toBeGreaterThan(rig.restPx[mid * 3 + 1]!);
    for (const c of [EYE_RIGHT.lower0[0]!, EYE_RIGHT.lower0.at(-1)!]) expect(posed[c * 3 + 1]).toBe(rig.restPx[c * 3 + 1]);
    expect(lidClosure(EYE_RIGHT, rig.restPx, posed)).toBe(0);
    const up = Float32Array.from(rig.restPx);
    lowerLidGazeDrop(up, EYE_RIGHT, -10, 2, ey);
    expect(up).toEqual(rig.restPx);
  });
});
