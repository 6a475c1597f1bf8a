/**
 * The neck as a chain of joints: a head pose bends the neck over its length and turns the trunk a little, instead of
 * rotating the head about one line over a static body (issues 12/13: a driver turning ~18° and rolling stretched and
 * sheared the neck between the moved head and the still shoulders).
 *
 * @remarks Pure math (no DOM, no three). The chain, from the trunk up: the trunk turns a share
 * ({@link TRUNK_ROTATION_SHARE}) of the head's rotation about a point in the upper thorax; the rest is spread over the
 * eight cervical motion segments (C7–T1 … Occ–C1) in proportion to each segment's range of motion per axis
 * (White & Panjabi, Clinical Biomechanics of the Spine, 2nd ed. 1990, representative segmental ranges,
 * {@link CERVICAL_ROM_DEG}) — the proportional coupling used by musculoskeletal neck models (Vasavada, Li & Delp 1998,
 * Spine 23(4):412–422). Axial rotation (yaw) sits mostly at C1–C2 (40 of 77°), so a turning head twists the neck
 * little; lateral bending (roll) and flexion spread over the whole neck, so a rolling head bends it. The head bone is
 * the head pose itself, exactly (the top joint takes what the chain's products leave over, and the trunk translates by
 * what the bending does not explain of the pivot's displacement): the head moves as it did before this chain.
 * Matrices are 4×4 column-major (as three.js `Matrix4.elements` and GLSL `mat4`).
 */
import type { FaceFrame } from './rig.ts';

/**
 * Representative range of motion of each cervical motion segment, degrees (one side for lateral bending and axial
 * rotation, the whole arc for flexion/extension), from the bottom of the neck up.
 * @remarks White & Panjabi 1990 (Clinical Biomechanics of the Spine, 2nd ed.), tables of representative segmental
 * ranges for the occipito-atlanto-axial complex and the lower cervical spine.
 */
export const CERVICAL_ROM_DEG = {
  levels: ['C7-T1', 'C6-C7', 'C5-C6', 'C4-C5', 'C3-C4', 'C2-C3', 'C1-C2', 'Occ-C1'] as const,
  /** Flexion + extension (pitch, about the camera's x axis). */
  flexExt: [9, 17, 20, 20, 15, 10, 20, 25] as const,
  /** Lateral bending to one side (roll, about the camera's z axis). */
  lateral: [4, 7, 8, 11, 11, 10, 5, 5] as const,
  /** Axial rotation to one side (yaw, about the camera's y axis). */
  axial: [2, 6, 7, 7, 7, 3, 40, 5] as const,
};

/** Joints of the chain (the cervical motion segments). */
export const NECK_JOINT_COUNT = 8;
/** Bones: the trunk, the seven vertebral segments between the joints, the head. */
export const NECK_BONE_COUNT = NECK_JOINT_COUNT + 1;

/**
 * Share of the head's rotation the trunk (shoulders, chest) takes, the same for each axis.
 * @remarks A design value, not a measurement: in seated conversation the trunk follows a head turn of 15–30° only a
 * little (the cervical spine alone reaches ±70–80° of axial rotation, White & Panjabi 1990); 0.15 turns the shoulders
 * 2–3° under an 18° head turn. Chosen before measuring; not tuned on the corpus.
 */
export const TRUNK_ROTATION_SHARE = 0.15;
/**
 * Visible neck length from the chin down to the neck's base (the shoulders' line), face heights.
 * @remarks Farkas 1994 (Anthropometry of the Head and Face): neck length ≈ half the face height (the same figure
 * core/face/shoulders.ts uses).
 */
export const NECK_LENGTH_FH = 0.5;
/**
 * How far below the neck's base the trunk turns, face heights: the upper thorax (about T4–T6, behind the sternum), a
 * design value: the shoulders then swing with the trunk rather than about the base of the neck.
 */
export const TRUNK_PIVOT_BELOW_NECK_FH = 1.0;
/** Half-width of the neck column that bends with the chain, face widths (neck width ≈ 0.6–0.7 face widths, Farkas 1994). */
export const NECK_HALF_WIDTH_FW = 0.4;
/** Beyond the neck column, over this many face widths, nodes beside the neck become trunk (shoulders). */
export const NECK_SIDE_BLEND_FW = 0.35;
/** Beside the neck the head's share falls to the trunk over this many face heights below the chin (hair tips, the jaw's corners). */
export const NECK_SIDE_FALL_FH = 0.25;

/** Where the chain lies in the photo. All px: x, y image px; z landmark depth px (smaller = closer). */
export interface NeckGeometry {
  /** Joint centres `[NECK_JOINT_COUNT, 3]`, bottom (C7–T1) to top (Occ–C1), on the spine's line below the head pivot. */
  jointsPx: Float32Array;
  /** Centre of the trunk's rotation `[3]`. */
  trunkPivotPx: [number, number, number];
  /** The chin's y (the face mesh's lowest point): at and above it a node is head. */
  chinYPx: number;
  /** The neck's base y: at and below it (in the neck column) a node is trunk. */
  baseYPx: number;
  /** The spine's x. */
  spineXPx: number;
  /** Face width and height, px. */
  faceWidthPx: number;
  faceHeightPx: number;
}

/**
 * The chain's place for a face.
 * @param frame - the face frame (centre, width, height, silhouette depth, px).
 * @returns joints evenly spaced from the neck's base to the chin (joint j at the centre of the j-th of eight bands), on
 *   the head pivot's vertical line and depth (core/rig/rig.ts `headPivotPx`: the upper neck, behind the face).
 */
export function neckGeometry(frame: Pick<FaceFrame, 'faceCenterPx' | 'faceWidthPx' | 'faceHeightPx' | 'silhouetteDepthPx'>): NeckGeometry {
  const [fcx, fcy] = frame.faceCenterPx;
  const fh = frame.faceHeightPx;
  const chinY = fcy + 0.5 * fh;
  const baseY = chinY + NECK_LENGTH_FH * fh;
  const z = frame.silhouetteDepthPx;
  const jointsPx = new Float32Array(NECK_JOINT_COUNT * 3);
  for (let j = 0; j < NECK_JOINT_COUNT; j++) {
    jointsPx[j * 3] = fcx;
    jointsPx[j * 3 + 1] = baseY - ((j + 0.5) / NECK_JOINT_COUNT) * (baseY - chinY);
    jointsPx[j * 3 + 2] = z;
  }
  return { jointsPx, trunkPivotPx: [fcx, baseY + TRUNK_PIVOT_BELOW_NECK_FH * fh, z], chinYPx: chinY, baseYPx: baseY, spineXPx: fcx, faceWidthPx: frame.faceWidthPx, faceHeightPx: fh };
}

const smoothstep = (e0: number, e1: number, x: number): number => {
  const t = Math.min(1, Math.max(0, (x - e0) / (e1 - e0)));
  return t * t * (3 - 2 * t);
};

/**
 * Where a photo point sits on the chain, [0, 1]: 0 = trunk, 1 = head; in between, the bone coordinate
 * `b = 8·value` blends bones ⌊b⌋ and ⌊b⌋+1 ({@link skinPoint}).
 * @param xPx - photo x, px.
 * @param yPx - photo y, px.
 * @param geom - from {@link neckGeometry}.
 * @returns 1 at and above the chin; in the neck column (|x − spine| < {@link NECK_HALF_WIDTH_FW}) falling linearly to 0
 *   at the neck's base (a node at joint j's height blends the bones below and above it equally); beside the neck
 *   (beyond a further {@link NECK_SIDE_BLEND_FW}) falling with a smoothstep to 0 over {@link NECK_SIDE_FALL_FH} below
 *   the chin (the shoulders are trunk).
 */
export function neckChainWeight(xPx: number, yPx: number, geom: NeckGeometry): number {
  const along = Math.min(1, Math.max(0, (geom.baseYPx - yPx) / (geom.baseYPx - geom.chinYPx)));
  const side = 1 - smoothstep(geom.chinYPx, geom.chinYPx + NECK_SIDE_FALL_FH * geom.faceHeightPx, yPx);
  const half = NECK_HALF_WIDTH_FW * geom.faceWidthPx;
  const column = 1 - smoothstep(half, half + NECK_SIDE_BLEND_FW * geom.faceWidthPx, Math.abs(xPx - geom.spineXPx));
  return column * along + (1 - column) * side;
}

type Quat = [number, number, number, number];

function quatMul(a: Quat, b: Quat): Quat {
  const [ax, ay, az, aw] = a;
  const [bx, by, bz, bw] = b;
  return [aw * bx + ax * bw + ay * bz - az * by, aw * by - ax * bz + ay * bw + az * bx, aw * bz + ax * by - ay * bx + az * bw, aw * bw - ax * bx - ay * by - az * bz];
}

const quatConj = (q: Quat): Quat => [-q[0], -q[1], -q[2], q[3]];

/** Rotation vector (axis · angle, radians) of a unit quaternion, the shorter way round. */
function quatLog(q: Quat): [number, number, number] {
  const s = q[3] < 0 ? -1 : 1;
  const x = s * q[0], y = s * q[1], z = s * q[2], w = s * q[3];
  const n = Math.hypot(x, y, z);
  if (n < 1e-12) return [2 * x, 2 * y, 2 * z];
  const k = (2 * Math.atan2(n, w)) / n;
  return [k * x, k * y, k * z];
}

function quatExp(v: [number, number, number]): Quat {
  const a = Math.hypot(v[0], v[1], v[2]);
  if (a < 1e-12) return [v[0] / 2, v[1] / 2, v[2] / 2, 1];
  const s = Math.sin(a / 2) / a;
  return [v[0] * s, v[1] * s, v[2] * s, Math.cos(a / 2)];
}

/** Column-major 4×4 of a rotation `q` about point `c`. */
function rotationAbout(q: Quat, c: ArrayLike<number>): Float64Array {
  const n = Math.hypot(q[0], q[1], q[2], q[3]) || 1;
  const x = q[0] / n, y = q[1] / n, z = q[2] / n, w = q[3] / n;
  const m = new Float64Array(16);
  m[0] = 1 - 2 * (y * y + z * z);
  m[1] = 2 * (x * y + z * w);
  m[2] = 2 * (x * z - y * w);
  m[4] = 2 * (x * y - z * w);
  m[5] = 1 - 2 * (x * x + z * z);
  m[6] = 2 * (y * z + x * w);
  m[8] = 2 * (x * z + y * w);
  m[9] = 2 * (y * z - x * w);
  m[10] = 1 - 2 * (x * x + y * y);
  m[15] = 1;
  for (let r = 0; r < 3; r++) m[12 + r] = c[r]! - (m[r]! * c[0]! + m[4 + r]! * c[1]! + m[8 + r]! * c[2]!);
  return m;
}

function mul4(a: Float64Array, b: Float64Array): Float64Array {
  const o = new Float64Array(16);
  for (let c = 0; c < 4; c++) for (let r = 0; r < 4; r++) o[c * 4 + r] = a[r]! * b[c * 4]! + a[4 + r]! * b[c * 4 + 1]! + a[8 + r]! * b[c * 4 + 2]! + a[12 + r]! * b[c * 4 + 3]!;
  return o;
}

function apply4(m: ArrayLike<number>, p: ArrayLike<number>): [number, number, number] {
  return [0, 1, 2].map((r) => m[r]! * p[0]! + m[4 + r]! * p[1]! + m[8 + r]! * p[2]! + m[12 + r]!) as [number, number, number];
}

/**
 * How many times the segmental shares are smoothed along the chain with the kernel ¼·[1, 2, 1] (ends reflected, each
 * axis's sum kept): the skin over the neck spreads a segment's rotation over its neighbours — the visible neck has no
 * line where C1–C2's twist happens (that joint lies behind the jaw, the skin below the chin takes its turn gradually).
 * A design value: two passes spread C1–C2's 40° of axial rotation over about three segments.
 */
export const SKIN_SMOOTHING_PASSES = 2;

/**
 * Per-joint share of the neck's rotation, per axis `[NECK_JOINT_COUNT][x pitch, y yaw, z roll]`, each axis summing to 1:
 * each segment's range of motion ({@link CERVICAL_ROM_DEG}) over the axis's total, smoothed
 * {@link SKIN_SMOOTHING_PASSES} times along the chain.
 * @returns the shares, bottom (C7–T1) to top (Occ–C1).
 */
export function cervicalShares(): [number, number, number][] {
  const axes = [CERVICAL_ROM_DEG.flexExt, CERVICAL_ROM_DEG.axial, CERVICAL_ROM_DEG.lateral].map((rom) => {
    let v = rom.map((d) => d / rom.reduce((s, x) => s + x, 0));
    for (let pass = 0; pass < SKIN_SMOOTHING_PASSES; pass++) v = v.map((x, j) => 0.25 * (v[Math.max(0, j - 1)]! + 2 * x + v[Math.min(v.length - 1, j + 1)]!));
    return v;
  });
  return CERVICAL_ROM_DEG.levels.map((_, j) => [axes[0]![j]!, axes[1]![j]!, axes[2]![j]!]);
}

/**
 * The chain's bone matrices for one head pose, in a world frame where x is right, y up, z towards the viewer (three.js;
 * any common unit).
 * @param rotation - the head rotation quaternion (x, y, z, w), camera frame (MotionFrame `headRotation`).
 * @param translation - the head pivot's displacement `[3]`, world units (MotionFrame `headTranslationM` in metres).
 * @param headPivot - the head pose's pivot `[3]`, world units (the head turns about it).
 * @param jointsWorld - the joints `[NECK_JOINT_COUNT, 3]` bottom to top, world units ({@link neckGeometry}, placed in
 *   the world).
 * @param trunkPivot - the trunk's centre of rotation `[3]`, world units.
 * @param out - receives `[NECK_BONE_COUNT, 16]` column-major matrices: bone 0 the trunk, bone 8 the head.
 * @returns `out`.
 * @remarks Bone 8 equals the head pose `T(pivot + translation)·R·T(−pivot)` exactly; at the rest pose every bone is the
 * identity. The trunk turns by `R^share` about `trunkPivot`; joint j (bottom to top) turns by the neck's remaining
 * rotation vector scaled per axis by {@link cervicalShares}, the top joint by what the product leaves; the trunk then
 * translates by the pivot's displacement less what the bending moved it — sideways, forwards and down; an upward part
 * (+y) is taken by the neck, bone k rising k/8 of it, so that the photo's bottom edge never rises into view.
 */
export function neckBoneMatrices(rotation: ArrayLike<number>, translation: ArrayLike<number>, headPivot: ArrayLike<number>, jointsWorld: ArrayLike<number>, trunkPivot: ArrayLike<number>, out: Float32Array): Float32Array {
  const qn = Math.hypot(rotation[0] ?? 0, rotation[1] ?? 0, rotation[2] ?? 0, rotation[3] ?? 1) || 1;
  const R: Quat = [(rotation[0] ?? 0) / qn, (rotation[1] ?? 0) / qn, (rotation[2] ?? 0) / qn, (rotation[3] ?? 1) / qn];
  const w = quatLog(R);
  const qTrunk = quatExp([w[0] * TRUNK_ROTATION_SHARE, w[1] * TRUNK_ROTATION_SHARE, w[2] * TRUNK_ROTATION_SHARE]);
  const wNeck = quatLog(quatMul(quatConj(qTrunk), R));
  const shares = cervicalShares();
  const bones: Float64Array[] = [rotationAbout(qTrunk, trunkPivot)];
  let acc = qTrunk;
  for (let j = 0; j < NECK_JOINT_COUNT; j++) {
    const s = shares[j]!;
    // The top joint takes what the product of the others leaves: the chain's last bone turns by R exactly.
    const qj = j === NECK_JOINT_COUNT - 1 ? quatMul(quatConj(acc), R) : quatExp([wNeck[0] * s[0], wNeck[1] * s[1], wNeck[2] * s[2]]);
    acc = quatMul(acc, qj);
    bones.push(mul4(bones[j]!, rotationAbout(qj, [jointsWorld[j * 3]!, jointsWorld[j * 3 + 1]!, jointsWorld[j * 3 + 2]!])));
  }
  // The trunk translates by what the bending leaves of the pivot's displacement: the head bone is the head pose.
  // Except upwards: a photo ends at its bottom edge, and a rising body would pull that edge into view (streaks of the
  // last row under the shirt). A rise is taken by the neck instead, spread over its bones (bone k lifts k/8 of it),
  // so the trunk stays down and the head bone is still the head pose exactly.
  const moved = apply4(bones[NECK_JOINT_COUNT]!, headPivot);
  const d = [0, 1, 2].map((r) => headPivot[r]! + (translation[r] ?? 0) - moved[r]!);
  const rise = Math.max(0, d[1]!);
  bones.forEach((m, k) => {
    for (let r = 0; r < 3; r++) m[12 + r] = m[12 + r]! + d[r]! - (r === 1 ? rise * (1 - k / (NECK_BONE_COUNT - 1)) : 0);
    out.set(m, k * 16);
  });
  return out;
}

/**
 * A point moved by the chain, as the renderer's vertex shader does it: bones ⌊b⌋ and ⌊b⌋+1 applied and mixed, with
 * `b = 8 · clamp(weight, 0, 1)`.
 * @param bones - `[NECK_BONE_COUNT, 16]` from {@link neckBoneMatrices}.
 * @param weight - the point's chain weight ({@link neckChainWeight}), [0, 1].
 * @param p - the rest point `[3]`, world units.
 * @returns the moved point `[3]`.
 */
export function skinPoint(bones: Float32Array, weight: number, p: ArrayLike<number>): [number, number, number] {
  const b = Math.min(1, Math.max(0, weight)) * (NECK_BONE_COUNT - 1);
  const i = Math.min(NECK_BONE_COUNT - 2, Math.floor(b));
  const f = b - i;
  const a = apply4(bones.subarray(i * 16, i * 16 + 16), p);
  const c = apply4(bones.subarray((i + 1) * 16, (i + 1) * 16 + 16), p);
  return [a[0] + f * (c[0] - a[0]), a[1] + f * (c[1] - a[1]), a[2] + f * (c[2] - a[2])];
}
