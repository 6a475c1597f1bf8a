import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ARKIT_BLENDSHAPE_COUNT, ARKIT_BLENDSHAPE_NAMES, BS } from '../../../../core/motion/names.ts';
import { buildPhotoHeadRig, evaluateRig, evaluateRigRelative, eyeRotations, RIG_VERTEX_COUNT, UPPER_LIP_RISE_IOD } from '../../../../renderer/head/rig.ts';
import { EYE_LEFT, EYE_RIGHT, faceTrianglesWithoutEyes } from '../../../../renderer/head/topology.ts';
import { TRI468, UV468 } from '../../../../renderer/head/topologyTables.ts';

const fixture = (name: string): Float32Array => Float32Array.from((JSON.parse(readFileSync(`tests/fixtures/landmarks/${name}.json`, 'utf8')) as { landmarksPx: number[] }).landmarksPx);

function pose(lm: Float32Array, weights: Partial<Record<(typeof ARKIT_BLENDSHAPE_NAMES)[number], number>>): Float32Array {
  const rig = buildPhotoHeadRig(lm, 478);
  const w = new Float32Array(ARKIT_BLENDSHAPE_COUNT);
  for (const [k, v] of Object.entries(weights)) w[BS[k as keyof typeof BS]] = v;
  return evaluateRig(rig, w, new Float32Array(RIG_VERTEX_COUNT * 3));
}
const y = (p: Float32Array, i: number): number => p[i * 3 + 1]!;
const x = (p: Float32Array, i: number): number => p[i * 3]!;

describe('MediaPipe topology tables', () => {
  it('has 880 triangles over 468 vertices with 468 canonical UVs in [0,1]', () => {
    expect(TRI468.length).toBe(880 * 3);
    expect(Math.max(...TRI468)).toBe(467);
    expect(new Set(TRI468).size).toBe(468);
    expect(UV468.length).toBe(468 * 2);
    expect(Math.min(...UV468)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...UV468)).toBeLessThanOrEqual(1);
  });
  it('opens the eyes: the render triangulation drops the 14 triangles filling each eye', () => {
    expect(faceTrianglesWithoutEyes().length).toBe((880 - 28) * 3);
  });
});

describe.each(['img01', 'img06', 'astronaut'])('photo-head rig of %s', (name) => {
  const lm = fixture(name);
  const rig = buildPhotoHeadRig(lm, 478);
  const iod = rig.frame.iodPx;

  it('blinks resample the lids from above: only eyeBlink* carry texture offsets, the upper lid contour samples higher (≥ 0.015 IOD at its centre)', () => {
    const withUv = rig.uvDeltas.map((d, k) => (d ? ARKIT_BLENDSHAPE_NAMES[k] : null)).filter((k) => k !== null);
    expect(withUv.sort()).toEqual(['eyeBlinkLeft', 'eyeBlinkRight']);
    for (const [region, k] of [
      [EYE_RIGHT, BS.eyeBlinkRight],
      [EYE_LEFT, BS.eyeBlinkLeft],
    ] as const) {
      const d = rig.uvDeltas[k]!;
      const up = (i: number): number => -(d[i * 2]! * rig.frame.ey[0] + d[i * 2 + 1]! * rig.frame.ey[1]) / iod;
      for (const i of region.upper0) expect(up(i)).toBeGreaterThan(0);
      expect(up(region.upper0[3]!)).toBeGreaterThan(0.015); // lid centre (159 / 386)
      for (const i of region.lower0.slice(1, -1)) expect(up(i)).toBeLessThan(0); // the lower lid samples lower
      expect(d[region.lower0[0]! * 2]).toBe(0); // corners keep their pixels
    }
  });
  it('reproduces the landmarks at neutral weights', () => {
    expect(Array.from(pose(lm, {}))).toEqual(Array.from(lm.subarray(0, RIG_VERTEX_COUNT * 3)));
  });
  it('has finite deltas for every ARKit shape it defines, and defines all but the interior-only ones', () => {
    const defined = ARKIT_BLENDSHAPE_NAMES.filter((_, k) => rig.deltas[k]);
    for (const k of rig.deltas.keys()) if (rig.deltas[k]) expect(rig.deltas[k]!.every(Number.isFinite)).toBe(true);
    // jawOpen and mouthClose act through the jaw rotation, tongueOut and eyeLook* in the eye/mouth layer.
    const byOtherMeans = ['jawOpen', 'mouthClose', 'tongueOut', 'eyeLookDownLeft', 'eyeLookDownRight', 'eyeLookInLeft', 'eyeLookInRight', 'eyeLookOutLeft', 'eyeLookOutRight', 'eyeLookUpLeft', 'eyeLookUpRight'];
    expect([...defined, ...byOtherMeans].sort()).toEqual([...ARKIT_BLENDSHAPE_NAMES].sort());
  });
  it('jawOpen parts the lips along the lip line: lower inner lip down ≥ 0.25 IOD, upper inner lip up a little (≤ UPPER_LIP_RISE_IOD)', () => {
    const p = pose(lm, { jawOpen: 1 });
    expect(y(p, 14) - y(lm, 14)).toBeGreaterThan(0.25 * iod);
    // Was "upper inner lip still" (< 0.01 IOD): the upper lip now rises with the lip aperture (core/rig/rig.ts).
    expect(y(lm, 13) - y(p, 13)).toBeGreaterThan(0.015 * iod);
    expect(y(lm, 13) - y(p, 13)).toBeLessThanOrEqual(UPPER_LIP_RISE_IOD * iod + 1e-3);
    expect(y(p, 152) - y(lm, 152)).toBeGreaterThan(0.15 * iod); // the chin comes down with the jaw
  });
  it('mouthClose with jawOpen keeps the lips together', () => {
    const p = pose(lm, { jawOpen: 1, mouthClose: 1 });
    expect(Math.abs(y(p, 14) - y(p, 13) - (y(lm, 14) - y(lm, 13)))).toBeLessThan(0.02 * iod);
    expect(y(p, 152) - y(lm, 152)).toBeGreaterThan(0.15 * iod);
  });
  it('eyeBlink closes each eye: upper lid within 15 % of the open gap from the lower lid', () => {
    const p = pose(lm, { eyeBlinkLeft: 1, eyeBlinkRight: 1 });
    const pairs: [number, number][] = [
      [EYE_RIGHT.upper0[3]!, EYE_RIGHT.lower0[4]!],
      [EYE_LEFT.upper0[3]!, EYE_LEFT.lower0[4]!],
    ];
    for (const [up, low] of pairs) {
      const open = y(lm, low) - y(lm, up);
      expect(open).toBeGreaterThan(0);
      expect(Math.abs(y(p, low) - y(p, up))).toBeLessThan(0.15 * open);
    }
  });
  it('mouthSmile moves the corners out and up; mouthPucker pulls them in', () => {
    const s = pose(lm, { mouthSmileLeft: 1, mouthSmileRight: 1 });
    const width = (p: Float32Array): number => x(p, 291) - x(p, 61);
    expect(width(s)).toBeGreaterThan(width(lm) + 0.15 * iod);
    expect(y(s, 291)).toBeLessThan(y(lm, 291) - 0.05 * iod);
    expect(y(s, 61)).toBeLessThan(y(lm, 61) - 0.05 * iod);
    const pk = pose(lm, { mouthPucker: 1 });
    expect(width(pk)).toBeLessThan(width(lm) * 0.75);
  });
  it('maps eyeLook weights to eye yaw: both eyes look to the subject left together', () => {
    const w = new Float32Array(ARKIT_BLENDSHAPE_COUNT);
    w[BS.eyeLookOutLeft] = 1;
    w[BS.eyeLookInRight] = 1;
    const [ry, , ly] = eyeRotations(w, new Float32Array(4));
    expect(ry).toBeCloseTo(0.5);
    expect(ly).toBeCloseTo(0.5);
  });
  it('finds the iris of each eye inside that eye', () => {
    for (const e of rig.eyes) {
      expect(Math.hypot(e.irisCenterPx[0] - e.centerPx[0], e.irisCenterPx[1] - e.centerPx[1])).toBeLessThan(e.halfWidthPx * 0.6);
      expect(e.irisRadiusPx).toBeGreaterThan(e.halfWidthPx * 0.2);
    }
  });
});

/**
 * The shape of the opened mouth (issue #12: img05's opening had a straight top edge and blunt corners). Values on
 * main before this change, jawOpen 1: arch gain 0.044–0.049 IOD, corner/middle gap 0.565–0.619; after: arch gain
 * 0.067–0.085, corner/middle gap 0.518–0.539.
 */
describe.each(['img01', 'img05', 'img06', 'astronaut'])('opened mouth shape of %s', (name) => {
  const lm = fixture(name);
  const rig = buildPhotoHeadRig(lm, 478);
  const { ey, iodPx: iod } = rig.frame;
  const b = (p: Float32Array, i: number): number => (p[i * 3]! * ey[0] + p[i * 3 + 1]! * ey[1]) / iod;
  /** Height of the upper inner lip's middle (13) above its inner corners (78, 308), IOD. */
  const arch = (p: Float32Array): number => (b(p, 78) + b(p, 308)) / 2 - b(p, 13);
  const gap = (p: Float32Array, u: number, l: number): number => b(p, l) - b(p, u);

  it('the top edge arches as the lips part: the upper inner lip middle gains ≥ 0.06 IOD of height over the corners at jawOpen 1', () => {
    const p = pose(lm, { jawOpen: 1 });
    expect(arch(p) - arch(lm)).toBeGreaterThan(0.06);
    // The corners themselves do not rise (they follow the jaw a little).
    expect(b(p, 78)).toBeGreaterThanOrEqual(b(lm, 78));
    expect(b(p, 308)).toBeGreaterThanOrEqual(b(lm, 308));
  });
  it('the opening narrows towards the corners: next to each corner the lips part < 0.56 of the middle gap', () => {
    const p = pose(lm, { jawOpen: 1 });
    const ratio = (gap(p, 191, 95) + gap(p, 415, 324)) / 2 / gap(p, 13, 14);
    expect(ratio).toBeLessThan(0.56);
    expect(ratio).toBeGreaterThan(0.2);
  });
  it('the rise follows the lip aperture: none with mouthClose = jawOpen, and undone relative to a photo with its own opening', () => {
    const closed = pose(lm, { jawOpen: 1, mouthClose: 1 });
    expect(Math.abs(b(closed, 13) - b(lm, 13))).toBeLessThan(1e-6);
    const rest = new Float32Array(ARKIT_BLENDSHAPE_COUNT);
    rest[BS.jawOpen] = 0.5;
    const target = new Float32Array(ARKIT_BLENDSHAPE_COUNT);
    target[BS.jawOpen] = 0.5;
    const same = evaluateRigRelative(rig, target, rest, new Float32Array(RIG_VERTEX_COUNT * 3));
    expect(Math.abs(b(same, 13) - b(lm, 13))).toBeLessThan(1e-6);
  });
});
