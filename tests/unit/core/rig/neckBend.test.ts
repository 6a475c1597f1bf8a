import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildPhotoHeadRig, headPivotPx } from '../../../../core/rig/rig.ts';
import { CERVICAL_ROM_DEG, cervicalShares, neckBoneMatrices, neckGeometry, NECK_BONE_COUNT, NECK_JOINT_COUNT, NECK_LENGTH_FH, skinPoint, TRUNK_ROTATION_SHARE } from '../../../../core/rig/neckBend.ts';
import { buildSurround, type SurroundGrid } from '../../../../renderer/head/surround.ts';
import { computeCropRect, faceBoundsFromLandmarks } from '../../../../renderer/scene/framing.ts';
import type { FaceFrame } from '../../../../core/rig/rig.ts';

const load = (name: string): { lm: Float32Array; w: number; h: number } => {
  const j = JSON.parse(readFileSync(`tests/fixtures/landmarks/${name}.json`, 'utf8')) as { landmarksPx: number[]; imageWidthPx: number; imageHeightPx: number };
  return { lm: Float32Array.from(j.landmarksPx), w: j.imageWidthPx, h: j.imageHeightPx };
};

/** Photo px → a right-handed frame (x right, y up, z towards the viewer), px units. */
const toWorld = (x: number, y: number, z: number): [number, number, number] => [x, -y, -z];

/** Quaternion (x, y, z, w) of Euler 'YXZ' yaw, pitch, roll (radians), as three.js composes it. */
function quatYXZ(yaw: number, pitch: number, roll: number): [number, number, number, number] {
  const c1 = Math.cos(pitch / 2), c2 = Math.cos(yaw / 2), c3 = Math.cos(roll / 2);
  const s1 = Math.sin(pitch / 2), s2 = Math.sin(yaw / 2), s3 = Math.sin(roll / 2);
  return [s1 * c2 * c3 + c1 * s2 * s3, c1 * s2 * c3 - s1 * c2 * s3, c1 * c2 * s3 - s1 * s2 * c3, c1 * c2 * c3 + s1 * s2 * s3];
}

function bonesFor(frame: FaceFrame, q: number[], tPx: [number, number]): Float32Array {
  const g = neckGeometry(frame);
  const joints = new Float32Array(NECK_JOINT_COUNT * 3);
  for (let j = 0; j < NECK_JOINT_COUNT; j++) joints.set(toWorld(g.jointsPx[j * 3]!, g.jointsPx[j * 3 + 1]!, g.jointsPx[j * 3 + 2]!), j * 3);
  const pv = headPivotPx(frame);
  return neckBoneMatrices(q, [tPx[0], -tPx[1], 0], toWorld(pv[0], pv[1], pv[2]), joints, toWorld(...g.trunkPivotPx), new Float32Array(NECK_BONE_COUNT * 16));
}

/**
 * Worst distortion of the surround's grid triangles on the neck (between the chin and the neck's base, within 0.35
 * face widths of the spine: the neck's own skin, Farkas 1994 neck width ≈ 0.6–0.7 face widths), measured on the surface itself (3D, so a rigid turn scores 1 whatever the view): per
 * triangle the singular values σ1 ≥ σ2 of its map rest → posed (from the two edges' first fundamental forms); the
 * anisotropy σ1/σ2 (shear, uneven stretch) and the stretch σ1.
 */
function neckDistortion(grid: SurroundGrid, frame: FaceFrame, bones: Float32Array): { anisotropy: number; stretch: number; triangles: number } {
  const ng = neckGeometry(frame);
  const n = grid.cols * grid.rows;
  const rest = new Float64Array(n * 3);
  const posed = new Float64Array(n * 3);
  for (let k = 0; k < n; k++) {
    const r = toWorld(grid.xPx[k]!, grid.yPx[k]!, grid.zPx[k]!);
    rest.set(r, k * 3);
    posed.set(skinPoint(bones, grid.headWeight[k]!, r), k * 3);
  }
  const sub = (v: Float64Array, a: number, b: number): number[] => [v[b * 3]! - v[a * 3]!, v[b * 3 + 1]! - v[a * 3 + 1]!, v[b * 3 + 2]! - v[a * 3 + 2]!];
  const dot = (a: number[], b: number[]): number => a[0]! * b[0]! + a[1]! * b[1]! + a[2]! * b[2]!;
  let anisotropy = 1;
  let stretch = 0;
  let triangles = 0;
  for (let j = 0; j + 1 < grid.rows; j++) {
    for (let i = 0; i + 1 < grid.cols; i++) {
      const a = j * grid.cols + i;
      for (const [p0, p1, p2] of [[a, a + grid.cols, a + 1], [a + 1, a + grid.cols, a + grid.cols + 1]] as const) {
        const cy = (grid.yPx[p0]! + grid.yPx[p1]! + grid.yPx[p2]!) / 3;
        const cx = (grid.xPx[p0]! + grid.xPx[p1]! + grid.xPx[p2]!) / 3;
        if (cy < ng.chinYPx || cy > ng.baseYPx || Math.abs(cx - ng.spineXPx) > 0.35 * frame.faceWidthPx) continue;
        const e1 = sub(rest, p0, p1), e2 = sub(rest, p0, p2), f1 = sub(posed, p0, p1), f2 = sub(posed, p0, p2);
        // First fundamental forms G (rest) and H (posed); the squared singular values are the eigenvalues of G⁻¹H.
        const g11 = dot(e1, e1), g12 = dot(e1, e2), g22 = dot(e2, e2);
        const h11 = dot(f1, f1), h12 = dot(f1, f2), h22 = dot(f2, f2);
        const detG = g11 * g22 - g12 * g12;
        if (detG < 1e-9) continue;
        const m11 = (g22 * h11 - g12 * h12) / detG, m12 = (g22 * h12 - g12 * h22) / detG;
        const m21 = (-g12 * h11 + g11 * h12) / detG, m22 = (-g12 * h12 + g11 * h22) / detG;
        const tr = m11 + m22, det = m11 * m22 - m12 * m21;
        const root = Math.sqrt(Math.max(0, tr * tr / 4 - det));
        const s1 = Math.sqrt(Math.max(0, tr / 2 + root));
        const s2 = Math.sqrt(Math.max(1e-12, tr / 2 - root));
        anisotropy = Math.max(anisotropy, s1 / s2);
        stretch = Math.max(stretch, s1);
        triangles++;
      }
    }
  }
  return { anisotropy, stretch, triangles };
}

const gridFor = (name: string): { grid: SurroundGrid; frame: FaceFrame } => {
  const { lm, w, h } = load(name);
  const rig = buildPhotoHeadRig(lm, 478);
  const crop = computeCropRect(w, h, faceBoundsFromLandmarks(lm), 'photo', 1);
  const grid = buildSurround(rig.restPx, rig.frame, { regionPx: { xPx: crop.xPx - crop.widthPx / 2, yPx: crop.yPx - crop.heightPx / 2, widthPx: crop.widthPx * 2, heightPx: crop.heightPx * 2 } });
  return { grid, frame: rig.frame };
};

const DEG = Math.PI / 180;

describe('the neck chain (issues 12/13: a large head turn sheared the neck over a static body)', () => {
  const { grid, frame } = gridFor('img01');
  it('at the rest pose every bone is the identity (the rest view is the photo)', () => {
    const bones = bonesFor(frame, [0, 0, 0, 1], [0, 0]);
    for (let k = 0; k < NECK_BONE_COUNT; k++) for (let e = 0; e < 16; e++) expect(bones[k * 16 + e]!).toBeCloseTo(e % 5 === 0 ? 1 : 0, 6);
  });
  it('the head bone is the head pose exactly; the trunk turns by its share; the chain turns monotonically', () => {
    const q = quatYXZ(18 * DEG, -8 * DEG, 12 * DEG);
    const t: [number, number] = [0.1 * frame.faceWidthPx, 0.05 * frame.faceHeightPx];
    const bones = bonesFor(frame, q, t);
    const pv = toWorld(...headPivotPx(frame));
    // Head pose T(pivot + t)·R·T(−pivot) on a forehead point.
    const fx = toWorld(frame.faceCenterPx[0] + 30, frame.faceCenterPx[1] - 0.4 * frame.faceHeightPx, frame.silhouetteDepthPx - 40);
    const [x, y, z, w] = q;
    const rot = (v: number[]): number[] => {
      const tx = 2 * (y * v[2]! - z * v[1]!), ty = 2 * (z * v[0]! - x * v[2]!), tz = 2 * (x * v[1]! - y * v[0]!);
      return [v[0]! + w * tx + y * tz - z * ty, v[1]! + w * ty + z * tx - x * tz, v[2]! + w * tz + x * ty - y * tx];
    };
    const r = rot([fx[0] - pv[0], fx[1] - pv[1], fx[2] - pv[2]]);
    const want = [r[0]! + pv[0] + t[0], r[1]! + pv[1] - t[1], r[2]! + pv[2]];
    const got = skinPoint(bones, 1, fx);
    for (let c = 0; c < 3; c++) expect(got[c]!).toBeCloseTo(want[c]!, 3);
    // Rotation angle of each bone: trunk ≈ share of the head's, rising up the chain to the head's.
    const angle = (k: number): number => Math.acos(Math.min(1, (bones[k * 16]! + bones[k * 16 + 5]! + bones[k * 16 + 10]! - 1) / 2));
    const head = 2 * Math.acos(q[3]);
    expect(angle(0)).toBeCloseTo(TRUNK_ROTATION_SHARE * head, 4);
    for (let k = 1; k < NECK_BONE_COUNT; k++) expect(angle(k)).toBeGreaterThanOrEqual(angle(k - 1) - 1e-6);
    expect(angle(NECK_BONE_COUNT - 1)).toBeCloseTo(head, 5);
  });
  it('splits each axis over the segments by their range of motion: yaw mostly at C1–C2, roll over the whole neck', () => {
    const s = cervicalShares();
    for (let a = 0; a < 3; a++) expect(s.reduce((acc, v) => acc + v[a]!, 0)).toBeCloseTo(1, 9);
    // Axial rotation: C1–C2 has 40 of the 77°; smoothed by the skin, the top three segments still take most of the yaw.
    expect(CERVICAL_ROM_DEG.axial[6]! / CERVICAL_ROM_DEG.axial.reduce((a, b) => a + b, 0)).toBeGreaterThan(0.5);
    expect(s[5]![1] + s[6]![1] + s[7]![1]).toBeGreaterThan(0.5);
    // Lateral bending spreads over the whole neck: the lower five segments take more than half of the roll.
    expect(s.slice(0, 5).reduce((acc, v) => acc + v[2]!, 0)).toBeGreaterThan(0.5);
    expect(Math.max(...s.map((v) => v[2]!))).toBeLessThan(0.2);
  });
  it.each(['img01', 'img05', 'img06'])('%s: under a large turn, roll and shift the neck band bends without shear (grid triangles stay near-conformal)', (name) => {
    const { grid: g, frame: f } = name === 'img01' ? { grid, frame } : gridFor(name);
    let worst = { anisotropy: 1, stretch: 0, triangles: 0 };
    for (const [yaw, pitch, roll, tx, ty] of [
      [18, 0, 0, 0, 0],
      [18, -6, 12, 0.15, 0.05],
      [-18, 8, -12, -0.15, 0],
      [0, 0, 15, 0.1, 0],
    ] as const) {
      const bones = bonesFor(f, quatYXZ(yaw * DEG, pitch * DEG, roll * DEG), [tx * f.faceHeightPx, ty * f.faceHeightPx]);
      const d = neckDistortion(g, f, bones);
      expect(d.triangles).toBeGreaterThan(20);
      if (d.anisotropy > worst.anisotropy) worst = d;
    }
    console.log(`${name}: worst neck-band anisotropy ${worst.anisotropy.toFixed(3)}, stretch ${worst.stretch.toFixed(3)} (${worst.triangles} triangles)`);
    // Thresholds set after measuring (this chain: 1.19–1.22 / 1.13–1.19 on img01, img05, img06). Today's main blended the
    // posed head's and the still body's positions over 0.4 face heights below the chin: 3.39–3.57 anisotropy under the
    // second pose, 2.05–2.10 under the roll with a shift, stretch up to 1.48.
    expect(worst.anisotropy).toBeLessThan(1.3);
    expect(worst.stretch).toBeLessThan(1.25);
  });
  it('a rising head does not lift the trunk (the photo ends at its bottom edge): the neck takes the rise, the head bone is the pose', () => {
    const q = quatYXZ(0, 0, 0);
    // World y is up: t = [0, −0.1 face heights] in the photo's px (down is +) is a rise.
    const bones = bonesFor(frame, q, [0, -0.1 * frame.faceHeightPx]);
    const lift = (k: number): number => bones[k * 16 + 13]!;
    const headLift = lift(NECK_BONE_COUNT - 1);
    expect(headLift).toBeGreaterThan(0);
    expect(Math.abs(lift(0))).toBeLessThan(1e-4);
    for (let k = 1; k < NECK_BONE_COUNT; k++) expect(lift(k)).toBeCloseTo((headLift * k) / (NECK_BONE_COUNT - 1), 3);
    // Down and sideways the trunk still follows the pivot.
    const down = bonesFor(frame, q, [0.1 * frame.faceHeightPx, 0.1 * frame.faceHeightPx]);
    expect(down[13]!).toBeCloseTo(down[(NECK_BONE_COUNT - 1) * 16 + 13]!, 3);
    expect(down[12]!).toBeCloseTo(down[(NECK_BONE_COUNT - 1) * 16 + 12]!, 3);
    expect(down[13]!).toBeLessThan(0);
  });
  it('the neck is as long as the chain: its base is NECK_LENGTH_FH below the chin', () => {
    const ng = neckGeometry(frame);
    expect(ng.baseYPx - ng.chinYPx).toBeCloseTo(NECK_LENGTH_FH * frame.faceHeightPx, 3);
  });
});
