/** Pure face math: SSD anchors, decoding + weighted NMS, ROIs, similarity fit, NME. */
import { describe, expect, it } from 'vitest';
import { FULL_RANGE_ANCHORS, decodeBlazeFace, weightedNms, type RawDetection } from '../../../../core/face/detection.ts';
import { eulerYXZ, fitSimilarity } from '../../../../core/face/headPose.ts';
import { MESH_TO_IBUG68 } from '../../../../core/face/ibug68.ts';
import { nme68, parsePts } from '../../../../core/face/nme.ts';
import { eyeRoi, rotationFromPair } from '../../../../core/face/roi.ts';

describe('BlazeFace decoding', () => {
  it('has the 896 full-range anchors: 16x16x2 then 8x8x6', () => {
    expect(FULL_RANGE_ANCHORS.length).toBe(896);
    expect(FULL_RANGE_ANCHORS[0]).toEqual({ xCenter: 0.5 / 16, yCenter: 0.5 / 16 });
    expect(FULL_RANGE_ANCHORS[1]).toEqual(FULL_RANGE_ANCHORS[0]);
    expect(FULL_RANGE_ANCHORS[512]).toEqual({ xCenter: 0.5 / 8, yCenter: 0.5 / 8 });
    expect(FULL_RANGE_ANCHORS[895]).toEqual({ xCenter: 7.5 / 8, yCenter: 7.5 / 8 });
  });

  it('decodes offsets relative to the anchor and thresholds sigmoid scores', () => {
    const scores = new Float32Array(896).fill(-10);
    const regs = new Float32Array(896 * 16);
    scores[600] = 2; // sigmoid 0.881
    regs.set([12.8, -25.6, 64, 51.2, 0, 0, 25.6, 0], 600 * 16);
    const d = decodeBlazeFace(scores, regs, FULL_RANGE_ANCHORS, 256, 0.5);
    expect(d.length).toBe(1);
    const a = FULL_RANGE_ANCHORS[600]!;
    expect(d[0]!.xCenter).toBeCloseTo(a.xCenter + 0.05, 6);
    expect(d[0]!.yCenter).toBeCloseTo(a.yCenter - 0.1, 6);
    expect(d[0]!.width).toBeCloseTo(0.25, 6);
    expect(d[0]!.keypoints[2]).toBeCloseTo(a.xCenter + 0.1, 6);
    expect(d[0]!.score).toBeCloseTo(0.8808, 4);
  });

  it('weighted NMS merges overlapping boxes by score and keeps separate faces', () => {
    const mk = (x: number, s: number): RawDetection => ({ xCenter: x, yCenter: 0.5, width: 0.2, height: 0.2, score: s, keypoints: [x, 0.5] });
    const out = weightedNms([mk(0.3, 0.9), mk(0.32, 0.6), mk(0.8, 0.7)], 0.3, 10);
    expect(out.length).toBe(2);
    expect(out[0]!.score).toBe(0.9);
    expect(out[0]!.xCenter).toBeCloseTo((0.3 * 0.9 + 0.32 * 0.6) / 1.5, 9);
    expect(out[1]!.xCenter).toBe(0.8);
  });
});

describe('ROIs and pose', () => {
  it('rotation makes the eye line horizontal (clockwise positive, y down)', () => {
    expect(rotationFromPair(0, 0, 10, 10)).toBeCloseTo(Math.PI / 4, 12);
    const r = eyeRoi(100, 100, 120, 100, 2.3);
    expect([r.centerXPx, r.widthPx, r.rotationRad]).toEqual([110, 46, 0]);
  });

  it('recovers a known similarity transform exactly', () => {
    const ref: number[] = [];
    for (let i = 0; i < 30; i++) ref.push(Math.sin(i * 1.3) * 5, Math.cos(i * 0.7) * 6, Math.sin(i * 2.1) * 3);
    const [yaw, pitch, roll] = [0.3, -0.2, 0.1];
    const cy = Math.cos(yaw), sy = Math.sin(yaw), cx = Math.cos(pitch), sx = Math.sin(pitch), cz = Math.cos(roll), sz = Math.sin(roll);
    // R = Ry · Rx · Rz (three.js 'YXZ')
    const R = [
      cy * cz + sy * sx * sz, -cy * sz + sy * sx * cz, sy * cx,
      cx * sz, cx * cz, -sx,
      -sy * cz + cy * sx * sz, sy * sz + cy * sx * cz, cy * cx,
    ];
    const obs = [];
    for (let i = 0; i < 30; i++) for (let a = 0; a < 3; a++) obs.push(40 * (R[a * 3]! * ref[i * 3]! + R[a * 3 + 1]! * ref[i * 3 + 1]! + R[a * 3 + 2]! * ref[i * 3 + 2]!) + [100, 200, 300][a]!);
    const fit = fitSimilarity(ref, obs);
    expect(fit.scale).toBeCloseTo(40, 9);
    expect(fit.rmsResidual).toBeLessThan(1e-9);
    const e = eulerYXZ(fit.rotation);
    expect(e[0]).toBeCloseTo(yaw, 9);
    expect(e[1]).toBeCloseTo(pitch, 9);
    expect(e[2]).toBeCloseTo(roll, 9);
  });
});

describe('iBUG 68 evaluation', () => {
  it('maps 68 distinct mesh points and scores a perfect prediction as 0', () => {
    expect(MESH_TO_IBUG68.length).toBe(68);
    expect(new Set(MESH_TO_IBUG68).size).toBe(68);
    const gt = parsePts(`version: 1\nn_points: 68\n{\n${Array.from({ length: 68 }, (_, i) => `${10 + i} ${20 + (i % 7)}`).join('\n')}\n}\n`);
    expect(gt.length).toBe(136);
    expect(nme68(gt, gt, undefined, 0)).toBe(0);
    const shifted = gt.map((v, i) => (i % 2 === 0 ? v + 0.9 : v));
    const iod = Math.hypot(gt[72]! - gt[90]!, gt[73]! - gt[91]!);
    expect(nme68(shifted, gt, undefined, 0)).toBeCloseTo(0.9 / iod, 12);
  });
});
