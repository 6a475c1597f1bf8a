import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { capSideRelief, MAX_SIDE_STRETCH, sideSlopeLimit } from '../../../../core/face/sideRelief.ts';
import { TRI468 } from '../../../../core/rig/topologyTables.ts';
import { InvalidInputError } from '../../../../core/errors.ts';

const load = (name: string): { lm: Float32Array; n: number } => {
  const j = JSON.parse(readFileSync(path.join(process.cwd(), 'tests/fixtures/landmarks', `${name}.json`), 'utf8')) as { landmarksPx: number[]; landmarkCount: number };
  return { lm: Float32Array.from(j.landmarksPx), n: j.landmarkCount };
};

/** Largest |∂z/∂x′| over the mesh's triangles, x′ along the eye line (as capSideRelief measures it). */
function steepest(lm: Float32Array): number {
  const eye = (a: number, b: number): [number, number] => [(lm[a * 3]! + lm[b * 3]!) / 2, (lm[a * 3 + 1]! + lm[b * 3 + 1]!) / 2];
  const r = eye(33, 133), l = eye(362, 263);
  const len = Math.hypot(l[0] - r[0], l[1] - r[1]);
  const ex = [(l[0] - r[0]) / len, (l[1] - r[1]) / len];
  const uw = (i: number): [number, number] => [lm[i * 3]! * ex[0]! + lm[i * 3 + 1]! * ex[1]!, -lm[i * 3]! * ex[1]! + lm[i * 3 + 1]! * ex[0]!];
  let worst = 0;
  for (let t = 0; t < TRI468.length; t += 3) {
    const [a, b, c] = [TRI468[t]!, TRI468[t + 1]!, TRI468[t + 2]!];
    const [ua, wa] = uw(a), [ub, wb] = uw(b), [uc, wc] = uw(c);
    const det = (ub - ua) * (wc - wa) - (uc - ua) * (wb - wa);
    if (Math.abs(det) < 1e-6) continue;
    worst = Math.max(worst, Math.abs(((lm[b * 3 + 2]! - lm[a * 3 + 2]!) * (wc - wa) - (lm[c * 3 + 2]! - lm[a * 3 + 2]!) * (wb - wa)) / det));
  }
  return worst;
}

describe('capSideRelief', () => {
  it('gives the stretch bound at the orbit limit: cos φ + tan θ sin φ = MAX_SIDE_STRETCH', () => {
    const phi = Math.PI / 6;
    expect(Math.cos(phi) + sideSlopeLimit(phi) * Math.sin(phi)).toBeCloseTo(MAX_SIDE_STRETCH, 9);
  });

  it.each(['img01', 'img06'])('caps every triangle of %s at the slope and moves depths only', (name) => {
    const { lm, n } = load(name);
    const L = sideSlopeLimit(Math.PI / 6);
    expect(steepest(lm)).toBeGreaterThan(L * 1.5);
    const out = capSideRelief(lm, n, L);
    expect(steepest(out)).toBeLessThanOrEqual(L * 1.01);
    for (let i = 0; i < n; i++) {
      expect(out[i * 3]).toBe(lm[i * 3]);
      expect(out[i * 3 + 1]).toBe(lm[i * 3 + 1]);
    }
  });

  it('leaves a gently sloped face alone and refuses too few landmarks', () => {
    const { lm, n } = load('img01');
    const flat = Float32Array.from(lm);
    for (let i = 0; i < n; i++) flat[i * 3 + 2] = 0.1 * lm[i * 3]!;
    expect(Array.from(capSideRelief(flat, n, 1))).toEqual(Array.from(flat));
    expect(() => capSideRelief(lm.subarray(0, 300), 100, 1)).toThrow(InvalidInputError);
  });
});
