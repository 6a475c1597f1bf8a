/**
 * A synthetic avatar of Ready Player Me's size for the avatar benchmark (not a test fixture: written to .cache):
 * ≈ 17 k vertices in 8 skinned meshes (head with 72 morphs — 52 ARKit, 15 visemes, 5 RPM extras —, teeth with the
 * same 72, eyes, body, outfit, alpha-blended hair), a T-posed RPM skeleton (tests/fixtures/avatars/makeHumanoidFixtures.ts),
 * and seven 2048² JPEG textures (base colour and normal maps), built with glTF Transform.
 */
import { Document, NodeIO, type Material, type Node, type Texture } from '@gltf-transform/core';
import sharp from 'sharp';
import { ARKIT_BLENDSHAPE_NAMES } from '../core/motion/names.ts';
import { createRng } from '../core/motion/random.ts';
import { TALKINGHEAD_VISEMES } from '../tests/fixtures/avatars/makeFixtures.ts';
import { HUMANOID_JOINTS } from '../tests/fixtures/avatars/makeHumanoidFixtures.ts';

/** Morph names of the head and teeth (RPM: ARKit 52 + 15 visemes + 5 extras = 72). */
export const RPM_MORPH_NAMES = [...ARKIT_BLENDSHAPE_NAMES, ...TALKINGHEAD_VISEMES, 'mouthOpen', 'mouthSmile', 'eyesClosed', 'eyesLookUp', 'eyesLookDown'];

/** Texture side of the benchmark avatar, px. */
export const REALISTIC_TEXTURE_PX = 2048;

/** A smooth seeded colour field (64² noise upscaled) as a JPEG, `side`² px. */
async function smoothJpeg(seed: number, side: number, base: [number, number, number], spread: number): Promise<Uint8Array> {
  const rand = createRng(seed).next;
  const n = 64;
  const raw = new Uint8Array(n * n * 3);
  for (let i = 0; i < n * n; i++) for (let c = 0; c < 3; c++) raw[i * 3 + c] = Math.max(0, Math.min(255, Math.round(base[c]! + spread * (rand() - 0.5))));
  return new Uint8Array(await sharp(Buffer.from(raw), { raw: { width: n, height: n, channels: 3 } }).resize(side, side, { kernel: 'cubic' }).jpeg({ quality: 80 }).toBuffer());
}

interface Part {
  positions: number[];
  normals: number[];
  uvs: number[];
  joints: number[];
  indices: number[];
}

/** A UV sphere (or a cap of it when `maxTheta` < π), radius `r` around `c`, every vertex on joint `joint`. */
function sphere(c: [number, number, number], r: [number, number, number], lat: number, lon: number, joint: number, maxTheta = Math.PI): Part {
  const p: Part = { positions: [], normals: [], uvs: [], joints: [], indices: [] };
  for (let a = 0; a <= lat; a++) {
    const th = (a / lat) * maxTheta;
    for (let b = 0; b <= lon; b++) {
      const ph = (b / lon) * 2 * Math.PI;
      const nx = Math.sin(th) * Math.sin(ph), ny = Math.cos(th), nz = Math.sin(th) * Math.cos(ph);
      p.positions.push(c[0] + r[0] * nx, c[1] + r[1] * ny, c[2] + r[2] * nz);
      p.normals.push(nx, ny, nz);
      p.uvs.push(b / lon, a / lat);
      p.joints.push(joint);
    }
  }
  for (let a = 0; a < lat; a++) for (let b = 0; b < lon; b++) {
    const i = a * (lon + 1) + b, j = i + lon + 1;
    p.indices.push(i, j, i + 1, i + 1, j, j + 1);
  }
  return p;
}

/** A capped-less cylinder along an axis from `a` to `b`, joints chosen per ring by `jointAt(t)` (t in [0,1]). */
function tube(a: [number, number, number], b: [number, number, number], radius: number, rings: number, segs: number, jointAt: (t: number) => number): Part {
  const p: Part = { positions: [], normals: [], uvs: [], joints: [], indices: [] };
  const axis = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
  const len = Math.hypot(axis[0]!, axis[1]!, axis[2]!);
  const ax = axis.map((v) => v / len);
  const u = Math.abs(ax[1]!) > 0.9 ? [1, 0, 0] : [0, 1, 0];
  // v = ax × u, w = v × ax (orthonormal frame around the axis)
  const v = [ax[1]! * u[2]! - ax[2]! * u[1]!, ax[2]! * u[0]! - ax[0]! * u[2]!, ax[0]! * u[1]! - ax[1]! * u[0]!];
  const vl = Math.hypot(v[0]!, v[1]!, v[2]!);
  const vn = v.map((x) => x / vl);
  const w = [vn[1]! * ax[2]! - vn[2]! * ax[1]!, vn[2]! * ax[0]! - vn[0]! * ax[2]!, vn[0]! * ax[1]! - vn[1]! * ax[0]!];
  for (let i = 0; i <= rings; i++) {
    const t = i / rings;
    for (let s = 0; s <= segs; s++) {
      const ang = (s / segs) * 2 * Math.PI;
      const n = [0, 1, 2].map((k) => Math.cos(ang) * vn[k]! + Math.sin(ang) * w[k]!);
      p.positions.push(...[0, 1, 2].map((k) => a[k]! + axis[k]! * t + radius * n[k]!));
      p.normals.push(...n);
      p.uvs.push(s / segs, t);
      p.joints.push(jointAt(t));
    }
  }
  for (let i = 0; i < rings; i++) for (let s = 0; s < segs; s++) {
    const q = i * (segs + 1) + s, r = q + segs + 1;
    p.indices.push(q, r, q + 1, q + 1, r, r + 1);
  }
  return p;
}

function merge(...parts: Part[]): Part {
  const out: Part = { positions: [], normals: [], uvs: [], joints: [], indices: [] };
  for (const p of parts) {
    const base = out.positions.length / 3;
    out.positions.push(...p.positions);
    out.normals.push(...p.normals);
    out.uvs.push(...p.uvs);
    out.joints.push(...p.joints);
    out.indices.push(...p.indices.map((i) => i + base));
  }
  return out;
}

/**
 * Builds the benchmark avatar.
 * @param seed - texture seed.
 * @returns GLB bytes (≈ 5 MB) and its vertex count.
 */
export async function makeRealisticAvatarGlb(seed = 3): Promise<{ glb: Uint8Array; vertexCount: number }> {
  const doc = new Document();
  const buffer = doc.createBuffer();
  const J = Object.fromEntries(HUMANOID_JOINTS.map((j, i) => [j.human, i])) as Record<string, number>;
  const world: [number, number, number][] = [];
  const nodes: Node[] = HUMANOID_JOINTS.map((j, i) => {
    const parent = j.parent === null ? [0, 0, 0] : world[j.parent]!;
    world[i] = [parent[0]! + j.t[0], parent[1]! + j.t[1], parent[2]! + j.t[2]];
    return doc.createNode(j.rpm).setTranslation(j.t);
  });
  HUMANOID_JOINTS.forEach((j, i) => {
    if (j.parent !== null) nodes[j.parent]!.addChild(nodes[i]!);
  });
  const ibm = new Float32Array(HUMANOID_JOINTS.length * 16);
  world.forEach((w, i) => ibm.set([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, -w[0], -w[1], -w[2], 1], i * 16));
  const skin = doc.createSkin('skin').setInverseBindMatrices(doc.createAccessor().setType('MAT4').setArray(ibm).setBuffer(buffer)).setSkeleton(nodes[0]!);
  for (const n of nodes) skin.addJoint(n);
  const scene = doc.createScene('Scene').addChild(nodes[0]!);
  const S = REALISTIC_TEXTURE_PX;
  const tex = async (name: string, k: number, base: [number, number, number], spread: number): Promise<Texture> => doc.createTexture(name).setImage(await smoothJpeg(seed * 100 + k, S, base, spread)).setMimeType('image/jpeg');
  const material = async (name: string, k: number, base: [number, number, number], withNormal: boolean): Promise<Material> => {
    const m = doc.createMaterial(name).setBaseColorTexture(await tex(`${name}_color`, k, base, 60)).setRoughnessFactor(0.8).setMetallicFactor(0);
    if (withNormal) m.setNormalTexture(await tex(`${name}_normal`, k + 50, [128, 128, 255], 30));
    return m;
  };
  let vertexCount = 0;
  const addMesh = (name: string, part: Part, mat: Material, morphs: { name: string; delta: (x: number, y: number, z: number, k: number) => [number, number, number] }[] = []): void => {
    const V = part.positions.length / 3;
    vertexCount += V;
    const joints = new Uint16Array(V * 4), weights = new Float32Array(V * 4);
    part.joints.forEach((j, v) => {
      joints[v * 4] = j;
      weights[v * 4] = 1;
    });
    const prim = doc.createPrimitive()
      .setAttribute('POSITION', doc.createAccessor().setType('VEC3').setArray(new Float32Array(part.positions)).setBuffer(buffer))
      .setAttribute('NORMAL', doc.createAccessor().setType('VEC3').setArray(new Float32Array(part.normals)).setBuffer(buffer))
      .setAttribute('TEXCOORD_0', doc.createAccessor().setType('VEC2').setArray(new Float32Array(part.uvs)).setBuffer(buffer))
      .setAttribute('JOINTS_0', doc.createAccessor().setType('VEC4').setArray(joints).setBuffer(buffer))
      .setAttribute('WEIGHTS_0', doc.createAccessor().setType('VEC4').setArray(weights).setBuffer(buffer))
      .setIndices(doc.createAccessor().setType('SCALAR').setArray(new Uint32Array(part.indices)).setBuffer(buffer))
      .setMaterial(mat);
    morphs.forEach((m, k) => {
      const d = new Float32Array(V * 3);
      for (let v = 0; v < V; v++) d.set(m.delta(part.positions[v * 3]!, part.positions[v * 3 + 1]!, part.positions[v * 3 + 2]!, k), v * 3);
      prim.addTarget(doc.createPrimitiveTarget(m.name).setAttribute('POSITION', doc.createAccessor().setType('VEC3').setArray(d).setBuffer(buffer)));
    });
    const mesh = doc.createMesh(name).addPrimitive(prim);
    if (morphs.length) mesh.setWeights(morphs.map(() => 0)).setExtras({ targetNames: morphs.map((m) => m.name) });
    scene.addChild(doc.createNode(name).setMesh(mesh).setSkin(skin));
  };
  const headC: [number, number, number] = [0, 1.65, 0];
  // Face morphs move the front lower half (mouth) or the eye band; every one non-empty, as RPM's are.
  const faceMorphs = RPM_MORPH_NAMES.map((name) => ({
    name,
    delta: (x: number, y: number, z: number, k: number): [number, number, number] => {
      if (z < 0.03) return [0, 0, 0];
      const mouth = y < headC[1] - 0.02;
      if (/jaw|mouth|viseme|tongue/i.test(name)) return mouth ? [0, -0.01 * (1 + (k % 3)) * ((z - 0.03) / 0.07), 0] : [0, 0, 0];
      return !mouth && y > headC[1] ? [0.0005 * (k % 5), -0.002, 0] : [0, 0, 0];
    },
  }));
  addMesh('Wolf3D_Head', sphere(headC, [0.085, 0.11, 0.1], 60, 80, J.head!), await material('Wolf3D_Skin', 1, [220, 170, 140], true), faceMorphs);
  addMesh('Wolf3D_Teeth', sphere([0, 1.6, 0.06], [0.03, 0.012, 0.02], 20, 20, J.head!), await material('Wolf3D_Teeth', 2, [240, 240, 235], false), faceMorphs);
  const eyeMat = await material('Wolf3D_Eye', 3, [200, 200, 210], false);
  addMesh('EyeLeft', sphere([0.032, 1.68, 0.075], [0.012, 0.012, 0.012], 16, 16, J.leftEye!), eyeMat);
  addMesh('EyeRight', sphere([-0.032, 1.68, 0.075], [0.012, 0.012, 0.012], 16, 16, J.rightEye!), eyeMat);
  const armJoint = (upper: number, lower: number, hand: number) => (t: number): number => (t < 0.45 ? upper : t < 0.88 ? lower : hand);
  addMesh('Wolf3D_Body', merge(
    tube([0, 1.42, 0], [0, 1.56, 0], 0.05, 20, 32, () => J.neck!),
    tube([0.12, 1.49, 0], [0.74, 1.49, 0], 0.045, 30, 32, armJoint(J.leftUpperArm!, J.leftLowerArm!, J.leftHand!)),
    tube([-0.12, 1.49, 0], [-0.74, 1.49, 0], 0.045, 30, 32, armJoint(J.rightUpperArm!, J.rightLowerArm!, J.rightHand!)),
  ), await material('Wolf3D_Body', 4, [215, 165, 135], true));
  addMesh('Wolf3D_Outfit_Top', merge(
    tube([0, 0.95, 0], [0, 1.45, 0], 0.14, 40, 64, (t) => (t < 0.5 ? J.spine! : J.upperChest!)),
    tube([0.1, 1.49, 0], [0.45, 1.49, 0], 0.055, 20, 32, () => J.leftUpperArm!),
    tube([-0.1, 1.49, 0], [-0.45, 1.49, 0], 0.055, 20, 32, () => J.rightUpperArm!),
  ), await material('Wolf3D_Outfit_Top', 5, [60, 90, 160], true));
  addMesh('Wolf3D_Outfit_Bottom', merge(
    tube([0.1, 0.9, 0], [0.1, 0.08, 0], 0.07, 30, 32, (t) => (t < 0.5 ? J.leftUpperLeg! : J.leftLowerLeg!)),
    tube([-0.1, 0.9, 0], [-0.1, 0.08, 0], 0.07, 30, 32, (t) => (t < 0.5 ? J.rightUpperLeg! : J.rightLowerLeg!)),
  ), await material('Wolf3D_Outfit_Bottom', 6, [50, 50, 60], false));
  const hair = (await material('Wolf3D_Hair', 7, [70, 45, 30], false)).setAlphaMode('BLEND').setDoubleSided(true);
  addMesh('Wolf3D_Hair', sphere([0, 1.67, -0.005], [0.095, 0.12, 0.108], 30, 80, J.head!, Math.PI * 0.55), hair);
  const glb = await new NodeIO().writeBinary(doc);
  return { glb, vertexCount };
}
