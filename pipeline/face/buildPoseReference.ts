/**
 * Regenerates core/face/poseReference.ts: `npx tsx pipeline/face/buildPoseReference.ts [portrait]`
 * (default: the frontal corpus portrait img01). Method documented in core/face/headPose.ts.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { MIDLINE_INDICES, REFERENCE_BIOCULAR_WIDTH_CM } from '../../core/face/headPose.ts';
import { CHIN_BOTTOM, EYE_LEFT_OUTER, EYE_RIGHT_OUTER, FOREHEAD_TOP } from '../../core/face/topology.ts';
import { FACE_MESH_LANDMARK_COUNT } from '../../core/face/types.ts';
import { analyzeImageFile } from './faceAnalyzer.ts';

type V3 = [number, number, number];
const sub = (a: V3, b: V3): V3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const dot = (a: V3, b: V3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const cross = (a: V3, b: V3): V3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
const norm = (a: V3): V3 => {
  const l = Math.hypot(...a);
  return [a[0] / l, a[1] / l, a[2] / l];
};

/**
 * Builds the head-frame reference from 468 landmarks of a frontal face.
 * @param landmarksPx - `[≥468, 3]` landmarks in pixels (y down, z smaller = closer).
 * @returns 468×3 reference coordinates in centimetres (+X subject's left, +Y up, +Z toward the viewer).
 */
export function buildPoseReference(landmarksPx: ArrayLike<number>): number[] {
  const P = (i: number): V3 => [landmarksPx[i * 3]!, -landmarksPx[i * 3 + 1]!, -landmarksPx[i * 3 + 2]!];
  const mid = MIDLINE_INDICES.map(P);
  const c: V3 = [0, 0, 0];
  for (const p of mid) for (let k = 0; k < 3; k++) c[k]! += p[k]! / mid.length;
  // plane normal = eigenvector of the smallest eigenvalue of the covariance (power iteration on (tr·I − C))
  const C = [0, 0, 0, 0, 0, 0, 0, 0, 0];
  for (const p of mid) {
    const d = sub(p, c);
    for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) C[a * 3 + b]! += d[a]! * d[b]!;
  }
  const tr = C[0]! + C[4]! + C[8]!;
  let n: V3 = [1, 0, 0];
  for (let it = 0; it < 500; it++) {
    const m: V3 = [0, 0, 0];
    for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) m[a]! += ((a === b ? tr : 0) - C[a * 3 + b]!) * n[b]!;
    n = norm(m);
  }
  if (dot(n, sub(P(EYE_LEFT_OUTER), P(EYE_RIGHT_OUTER))) < 0) n = [-n[0], -n[1], -n[2]];
  // Z = the camera's viewing axis (toward the viewer) made orthogonal to X: the portrait is taken as frontal
  // (pitch 0 = looking into the camera); Y = Z × X completes a right-handed frame.
  let Z = norm([-n[2] * n[0], -n[2] * n[1], 1 - n[2] * n[2]]);
  let Y = cross(Z, n);
  const up = sub(P(FOREHEAD_TOP), P(CHIN_BOTTOM));
  if (dot(Y, up) < 0) {
    Y = [-Y[0], -Y[1], -Y[2]];
    Z = cross(n, Y);
  }
  const scale = REFERENCE_BIOCULAR_WIDTH_CM / Math.hypot(...sub(P(EYE_LEFT_OUTER), P(EYE_RIGHT_OUTER)));
  const out: number[] = [];
  for (let i = 0; i < FACE_MESH_LANDMARK_COUNT; i++) {
    const d = sub(P(i), c);
    out.push(dot(d, n) * scale, dot(d, Y) * scale, dot(d, Z) * scale);
  }
  return out;
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename);
if (isMain) {
  const src = process.argv[2] ?? path.resolve(import.meta.dirname, '../../../shared/corpus/images/img01_frontal_ai_man_jpeg-named-png.png');
  const a = await analyzeImageFile(src);
  const ref = buildPoseReference(a.faces[0]!.landmarksPx).map((v) => Math.round(v * 1000) / 1000);
  const rows: string[] = [];
  for (let i = 0; i < ref.length; i += 12) rows.push(`  ${ref.slice(i, i + 12).join(', ')},`);
  const text = `/**
 * Frontal reference face for head-pose fitting: 468 × (x, y, z) in centimetres, head frame (+X subject's left,
 * +Y up, +Z toward the viewer), origin at the mid-line centroid. Derived from our Face Mesh of the frontal
 * portrait ${path.basename(src)} by pipeline/face/buildPoseReference.ts (method in core/face/headPose.ts).
 * Generated file: regenerate, do not edit.
 */
export const FRONTAL_REFERENCE_CM: readonly number[] = Object.freeze([
${rows.join('\n')}
]);
`;
  writeFileSync(path.resolve(import.meta.dirname, '../../core/face/poseReference.ts'), text);
  console.log(`wrote core/face/poseReference.ts from ${src}`);
}
