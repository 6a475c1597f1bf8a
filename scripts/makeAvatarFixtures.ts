/**
 * `npx tsx scripts/makeAvatarFixtures.ts`: writes the committed compressed-avatar fixtures to
 * tests/fixtures/avatars/compressed/ (see its README.md for what each holds and the licences):
 * - head_meshopt.glb — the fixture GLB head (tests/fixtures/avatars/makeFixtures.ts) with EXT_meshopt_compression
 *   (meshoptimizer's encoder through glTF Transform: reorder + quantize + meshopt, as `gltfpack -cc` does);
 * - head_draco.glb — the same head with 6 of its morphs ({@link FEW_MORPHS}) and KHR_draco_mesh_compression (Google's
 *   draco3dgltf encoder; morph targets stay uncompressed, hence the few);
 * - head_ktx2.glb — the 6-morph head with UVs and a 64×64 base-colour texture (white, a blue forehead band) as
 *   KHR_texture_basisu (Basis Universal ETC1S through the ktx2-encoder package's glTF Transform transform);
 * - vroid_meshopt.vrm — a VRM 1.0 upper body in a T-pose with VRoid-style bone and morph names, meshopt-compressed
 *   like a VRoid Studio export run through an optimiser (tests/fixtures/avatars/makeHumanoidFixtures.ts);
 * - vroid0.vrm — the same body as a VRM 0.x (`VRM` extension, UniVRM 0.x conventions: facing −Z, v0 preset names
 *   a/i/u/e/o/blink_l/blink_r/joy/angry/sorrow/fun bound by mesh index with 0–100 weights), uncompressed as VRoid
 *   Studio 0.x writes it.
 * Everything is generated from code; the output is deterministic up to the encoders' versions.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NodeIO, type Document } from '@gltf-transform/core';
import { ALL_EXTENSIONS } from '@gltf-transform/extensions';
import { draco, meshopt, quantize, reorder } from '@gltf-transform/functions';
import draco3d from 'draco3dgltf';
import { MeshoptDecoder, MeshoptEncoder } from 'meshoptimizer';
import sharp from 'sharp';
import { ktx2 } from 'ktx2-encoder/gltf-transform';
import { headMorphDelta, makeGlbAvatar, makeHeadGeometry } from '../tests/fixtures/avatars/makeFixtures.ts';
import { writeSkinnedGlb } from '../tests/fixtures/avatars/glbWriter.ts';
import { editGlbJson, makeVrmBaseGlb, vrm0Extension, vrm1Extension } from '../tests/fixtures/avatars/makeHumanoidFixtures.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'tests/fixtures/avatars/compressed');

async function io(): Promise<NodeIO> {
  await MeshoptEncoder.ready;
  await MeshoptDecoder.ready;
  return new NodeIO()
    .registerExtensions(ALL_EXTENSIONS)
    .registerDependencies({
      'draco3d.encoder': await draco3d.createEncoderModule(),
      'draco3d.decoder': await draco3d.createDecoderModule(),
      'meshopt.encoder': MeshoptEncoder,
      'meshopt.decoder': MeshoptDecoder,
    });
}

/** meshopt as gltfpack does it: vertex cache/fetch reorder, quantized attributes, then the meshopt codec. */
async function meshoptCompress(doc: Document): Promise<void> {
  await doc.transform(reorder({ encoder: MeshoptEncoder }), quantize(), meshopt({ encoder: MeshoptEncoder, level: 'high' }));
}

/** Adds spherical UVs and a 64×64 texture (white with a blue band at 15–30 % of the height: the forehead). */
async function addForeheadTexture(doc: Document): Promise<void> {
  const W = 64;
  const rgba = new Uint8Array(W * W * 4).fill(255);
  for (let y = Math.round(0.15 * W); y < Math.round(0.3 * W); y++) {
    for (let x = 0; x < W; x++) rgba.set([40, 90, 255, 255], (y * W + x) * 4);
  }
  const png = new Uint8Array(await sharp(Buffer.from(rgba), { raw: { width: W, height: W, channels: 4 } }).png().toBuffer());
  const texture = doc.createTexture('forehead').setImage(png).setMimeType('image/png');
  const buffer = doc.getRoot().listBuffers()[0]!;
  for (const mesh of doc.getRoot().listMeshes()) {
    for (const prim of mesh.listPrimitives()) {
      const pos = prim.getAttribute('POSITION')!;
      const uv = new Float32Array(pos.getCount() * 2);
      const p: number[] = [];
      for (let i = 0; i < pos.getCount(); i++) {
        pos.getElement(i, p);
        const r = Math.hypot(p[0]!, p[1]!, p[2]!) || 1;
        uv[i * 2] = 0.5 + Math.atan2(p[0]!, p[2]!) / (2 * Math.PI);
        uv[i * 2 + 1] = Math.acos(Math.max(-1, Math.min(1, p[1]! / r))) / Math.PI; // 0 at the top, glTF's v down
      }
      prim.setAttribute('TEXCOORD_0', doc.createAccessor().setType('VEC2').setArray(uv).setBuffer(buffer));
      prim.getMaterial()?.setBaseColorTexture(texture);
    }
  }
}

const imageDecoder = async (buffer: Uint8Array): Promise<{ data: Uint8Array; width: number; height: number }> => {
  const { data, info } = await sharp(buffer).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height };
};

/** Morphs of the Draco and KTX2 heads: a few, since both leave morph targets uncompressed (keeps the files small). */
const FEW_MORPHS = ['jawOpen', 'mouthSmileLeft', 'mouthSmileRight', 'eyeBlinkLeft', 'eyeBlinkRight', 'viseme_aa'];

/** The fixture head (same geometry, joints and mesh name as makeGlbAvatar) with only {@link FEW_MORPHS}. */
function smallHeadGlb(): Uint8Array {
  const geo = makeHeadGeometry();
  const joints = [
    { name: 'Hips', parent: null, translation: [0, -0.25, 0] as [number, number, number] },
    { name: 'Neck', parent: 0, translation: [0, 0.1, 0] as [number, number, number] },
    { name: 'Head', parent: 1, translation: [0, 0.05, 0] as [number, number, number] },
    { name: 'LeftEye', parent: 2, translation: [0.035, 0.125, 0.085] as [number, number, number] },
    { name: 'RightEye', parent: 2, translation: [-0.035, 0.125, 0.085] as [number, number, number] },
  ];
  const vertexJoint = geo.region.map((r) => (r === 1 ? 3 : r === 2 ? 4 : 2));
  return writeSkinnedGlb({ ...geo, vertexJoint, joints, morphs: FEW_MORPHS.map((name) => ({ name, delta: headMorphDelta(geo, name) })), meshName: 'Wolf3D_Head' });
}

const gltf = await io();
await mkdir(OUT, { recursive: true });
const written: string[] = [];
const put = async (name: string, bytes: Uint8Array): Promise<void> => {
  await writeFile(path.join(OUT, name), bytes);
  written.push(`${name}: ${bytes.length} bytes`);
};

let doc = await gltf.readBinary(makeGlbAvatar());
await meshoptCompress(doc);
await put('head_meshopt.glb', await gltf.writeBinary(doc));

doc = await gltf.readBinary(smallHeadGlb());
await doc.transform(draco({ method: 'edgebreaker', quantizePosition: 14 }));
await put('head_draco.glb', await gltf.writeBinary(doc));

doc = await gltf.readBinary(smallHeadGlb());
await addForeheadTexture(doc);
await doc.transform(ktx2({ isUASTC: false, generateMipmap: true, qualityLevel: 128, imageDecoder }));
await put('head_ktx2.glb', await gltf.writeBinary(doc));

doc = await gltf.readBinary(makeVrmBaseGlb());
await meshoptCompress(doc);
const vrm = editGlbJson(await gltf.writeBinary(doc), (json) => {
  const names = (json.nodes as { name?: string }[]).map((n) => n.name ?? '');
  json.extensionsUsed = [...((json.extensionsUsed as string[] | undefined) ?? []), 'VRMC_vrm'];
  json.extensions = { ...((json.extensions as Record<string, unknown> | undefined) ?? {}), VRMC_vrm: vrm1Extension(names) };
});
await put('vroid_meshopt.vrm', vrm);

const vrm0 = editGlbJson(makeVrmBaseGlb('-z'), (json) => {
  json.extensionsUsed = [...((json.extensionsUsed as string[] | undefined) ?? []), 'VRM'];
  json.extensions = { ...((json.extensions as Record<string, unknown> | undefined) ?? {}), VRM: vrm0Extension(json as Parameters<typeof vrm0Extension>[0]) };
});
await put('vroid0.vrm', vrm0);
process.stdout.write(written.join('\n') + '\n');
