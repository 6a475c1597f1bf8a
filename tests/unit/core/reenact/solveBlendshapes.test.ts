/**
 * The blendshape solver against the photo-head rig built on real landmarks (img01, img05 fixtures):
 * landmarks produced by the rig from known sparse weights are solved back.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { buildPhotoHeadRig, evaluateRig, RIG_VERTEX_COUNT } from '../../../../core/rig/rig.ts';
import { createBlendshapeSolver, observableBlendshapes } from '../../../../core/reenact/solveBlendshapes.ts';
import { createFrameSolver, chooseNeutralReference, TRACKER_RESPONSE_GAINS } from '../../../../core/reenact/drivingTrack.ts';
import { ARKIT_BLENDSHAPE_COUNT, BS } from '../../../../core/motion/names.ts';

function fixtureRig(name: string) {
  const fx = JSON.parse(readFileSync(`tests/fixtures/landmarks/${name}.json`, 'utf8')) as { landmarksPx: number[] };
  const lm = Float32Array.from(fx.landmarksPx);
  const rig = buildPhotoHeadRig(lm, lm.length / 3);
  return { lm, rig, landmarkRig: { vertexCount: RIG_VERTEX_COUNT, iodPx: rig.frame.iodPx, evaluate: (w: Float32Array, o: Float32Array) => evaluateRig(rig, w, o) } };
}

/** Seeded LCG (Numerical Recipes constants) in [0,1). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

describe('solveBlendshapes', () => {
  for (const name of ['img01', 'img05']) {
    it(`${name}: random sparse weights through the rig are solved back with MAE < 0.03`, () => {
      const { rig, landmarkRig } = fixtureRig(name);
      const active = observableBlendshapes(landmarkRig, 0.01 * rig.frame.iodPx);
      expect(active).toContain(BS.jawOpen);
      expect(active).toContain(BS.eyeBlinkLeft);
      expect(active).toContain(BS.mouthSmileRight);
      // jawLeft/jawRight (and mouthLeft/mouthRight) are opposite directions of one motion: solve one of each pair
      const solvable = active.filter((k) => k !== BS.jawRight && k !== BS.mouthRight);
      const solver = createBlendshapeSolver(landmarkRig, { activeIndices: solvable, nonlinearIndices: [BS.jawOpen, BS.mouthClose], l2: 1e-4 * rig.frame.iodPx ** 2 });
      const rnd = lcg(42);
      let err = 0;
      let count = 0;
      let errActive = 0;
      let countActive = 0;
      for (let trial = 0; trial < 30; trial++) {
        const w = new Float32Array(ARKIT_BLENDSHAPE_COUNT);
        for (const k of solvable) if (rnd() < 0.15) w[k] = 0.2 + 0.8 * rnd();
        const target = landmarkRig.evaluate(w, new Float32Array(RIG_VERTEX_COUNT * 3));
        const got = solver.solve(target);
        for (const k of solvable) {
          const e = Math.abs(got[k]! - w[k]!);
          err += e;
          count++;
          if (w[k]! > 0) {
            errActive += e;
            countActive++;
          }
        }
      }
      console.log(`${name}: ${solvable.length} solvable shapes, MAE ${(err / count).toFixed(4)}, MAE on the set shapes ${(errActive / countActive).toFixed(4)}`);
      expect(err / count).toBeLessThan(0.03);
      expect(errActive / countActive).toBeLessThan(0.1);
    });
  }

  it('the frame solver removes head pose: a rotated, scaled, shifted copy of the reference solves to ~0 weights and the applied yaw', () => {
    const { lm, rig } = fixtureRig('img01');
    const fs = createFrameSolver(lm, (l, n) => {
      const r = buildPhotoHeadRig(l, n);
      return { vertexCount: RIG_VERTEX_COUNT, iodPx: r.frame.iodPx, evaluate: (w, o) => evaluateRig(r, w, o) };
    });
    expect(fs.rig.iodPx).toBeCloseTo(rig.frame.iodPx, 3);
    const yaw = 0.2; // about the image's vertical axis
    const moved = new Float32Array(lm.length);
    const c = Math.cos(yaw);
    const s = Math.sin(yaw);
    for (let v = 0; v < lm.length / 3; v++) {
      const x = lm[v * 3]!;
      const y = lm[v * 3 + 1]!;
      const z = lm[v * 3 + 2]!;
      moved[v * 3] = 1.3 * (c * x + s * z) + 40;
      moved[v * 3 + 1] = 1.3 * y - 25;
      moved[v * 3 + 2] = 1.3 * (-s * x + c * z);
    }
    const sol = fs.solve(moved);
    const maxW = Math.max(...sol.weights);
    expect(maxW).toBeLessThan(0.02);
    // rotation about image +y by +yaw is, in three.js's frame (y flipped, z flipped), a rotation about +y by −yaw
    const q = sol.rotation;
    expect(2 * Math.asin(q[1])).toBeCloseTo(-yaw, 3);
  });

  it('the frame solver reads a brow raise as the brow, not as head scale (brows are not rigid-fit points), in perceived units', () => {
    const { lm, landmarkRig } = fixtureRig('img01');
    const fs = createFrameSolver(lm, (l, n) => {
      const r = buildPhotoHeadRig(l, n);
      return { vertexCount: RIG_VERTEX_COUNT, iodPx: r.frame.iodPx, evaluate: (w, o) => evaluateRig(r, w, o) };
    });
    // What the tracker reports for browInnerUp = 0.8: the rig's motion times the tracker's gain for the shape.
    const seen = new Float32Array(ARKIT_BLENDSHAPE_COUNT);
    seen[BS.browInnerUp] = 0.8 * TRACKER_RESPONSE_GAINS.browInnerUp!;
    const target = new Float32Array(lm);
    target.set(landmarkRig.evaluate(seen, new Float32Array(RIG_VERTEX_COUNT * 3)));
    const w = fs.solve(target).weights;
    expect(w[BS.browInnerUp]).toBeCloseTo(0.8, 1);
    expect(w[BS.mouthPucker]).toBeLessThan(0.02);
    expect(Math.max(...w.filter((_, k) => k !== BS.browInnerUp))).toBeLessThan(0.05);
  });

  it('chooses a closed-mouth frame as the neutral reference, not frame 0', () => {
    const { lm, landmarkRig } = fixtureRig('img01');
    const open = new Float32Array(ARKIT_BLENDSHAPE_COUNT);
    open[BS.jawOpen] = 0.8;
    const openLm = new Float32Array(lm);
    openLm.set(landmarkRig.evaluate(open, new Float32Array(RIG_VERTEX_COUNT * 3)));
    const obs = [
      { timeSec: 0, landmarksPx: openLm },
      { timeSec: 0.04, landmarksPx: null },
      { timeSec: 0.08, landmarksPx: lm },
      { timeSec: 0.12, landmarksPx: openLm },
    ];
    expect(chooseNeutralReference(obs)).toBe(2);
  });
});
