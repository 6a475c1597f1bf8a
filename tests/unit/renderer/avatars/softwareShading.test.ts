/**
 * Software-GL materials (renderer/avatars/softwareShading.ts): which materials become Lambert, what they keep, when a
 * blended material is drawn opaque, and the mip filter of their textures.
 */
import * as THREE from 'three';
import { describe, expect, it } from 'vitest';
import { isOpaqueBlend, lambertFor, useSoftwareShading } from '../../../../renderer/avatars/softwareShading.ts';

function texture(mimeType: string): THREE.Texture {
  const t = new THREE.Texture();
  t.userData = { mimeType };
  return t;
}

describe('lambertFor', () => {
  it('turns a rough dielectric into Lambert with its maps, colour × 0.96, sides and alpha settings', () => {
    const map = texture('image/jpeg'), normalMap = texture('image/png');
    const s = new THREE.MeshStandardMaterial({ name: 'skin', color: new THREE.Color(0.5, 0.25, 1), roughness: 0.8, metalness: 0, map, normalMap, side: THREE.DoubleSide, transparent: true, depthWrite: false, alphaTest: 0.3 });
    const l = lambertFor(s)!;
    expect(l.type).toBe('MeshLambertMaterial');
    expect(l.name).toBe('skin');
    expect(l.map).toBe(map);
    expect(l.normalMap).toBe(normalMap);
    expect(l.color.toArray()).toEqual([0.48, 0.24, 0.96]);
    expect([l.side, l.transparent, l.depthWrite, l.alphaTest]).toEqual([THREE.DoubleSide, true, false, 0.3]);
    expect(lambertFor(s, false)!.normalMap).toBeNull();
    expect(lambertFor(s, false)!.map).toBe(map);
  });
  it('keeps metals, glossy surfaces, environment maps and physical materials', () => {
    expect(lambertFor(new THREE.MeshStandardMaterial({ roughness: 0.8, metalness: 1 }))).toBeNull();
    expect(lambertFor(new THREE.MeshStandardMaterial({ roughness: 0.3, metalness: 0 }))).toBeNull();
    expect(lambertFor(new THREE.MeshStandardMaterial({ roughness: 0.8, metalness: 0, envMap: new THREE.Texture() }))).toBeNull();
    expect(lambertFor(new THREE.MeshPhysicalMaterial({ roughness: 0.8, metalness: 0 }))).toBeNull();
    expect(lambertFor(new THREE.MeshBasicMaterial())).toBeNull();
  });
});

describe('isOpaqueBlend', () => {
  it('is true only when nothing can make alpha < 1', () => {
    expect(isOpaqueBlend(new THREE.MeshStandardMaterial({ transparent: true, map: texture('image/jpeg') }))).toBe(true);
    expect(isOpaqueBlend(new THREE.MeshStandardMaterial({ transparent: true }))).toBe(true);
    expect(isOpaqueBlend(new THREE.MeshStandardMaterial({ transparent: true, map: texture('image/png') }))).toBe(false);
    expect(isOpaqueBlend(new THREE.MeshStandardMaterial({ transparent: true, opacity: 0.9 }))).toBe(false);
    expect(isOpaqueBlend(new THREE.MeshStandardMaterial({ transparent: true, alphaMap: texture('image/jpeg') }))).toBe(false);
    expect(isOpaqueBlend(new THREE.MeshStandardMaterial({ transparent: true, vertexColors: true }))).toBe(false);
    expect(isOpaqueBlend(new THREE.MeshStandardMaterial({ transparent: false }))).toBe(false);
    expect(isOpaqueBlend(new THREE.ShaderMaterial({ transparent: true }))).toBe(false);
  });
});

describe('useSoftwareShading', () => {
  it('swaps shared materials once, draws JPEG-only hair opaque, and samples one mip level', () => {
    const skinMap = texture('image/jpeg'), hairMap = texture('image/jpeg'), cardMap = texture('image/png');
    const skin = new THREE.MeshStandardMaterial({ roughness: 0.8, metalness: 0, map: skinMap });
    const hair = new THREE.MeshStandardMaterial({ roughness: 0.8, metalness: 0, map: hairMap, transparent: true, depthWrite: false, side: THREE.DoubleSide });
    const cards = new THREE.MeshStandardMaterial({ roughness: 0.8, metalness: 0, map: cardMap, transparent: true, depthWrite: false });
    const metal = new THREE.MeshStandardMaterial({ roughness: 0.8, metalness: 1 });
    const geo = new THREE.BufferGeometry();
    const root = new THREE.Group();
    const meshes = [skin, skin, hair, cards, metal].map((m) => new THREE.Mesh(geo, m));
    root.add(...meshes);
    const replaced = useSoftwareShading(root);
    expect(replaced).toEqual([skin, hair, cards]);
    const drawn = meshes.map((m) => m.material as THREE.Material);
    expect(drawn.map((m) => m.type)).toEqual(['MeshLambertMaterial', 'MeshLambertMaterial', 'MeshLambertMaterial', 'MeshLambertMaterial', 'MeshStandardMaterial']);
    expect(drawn[0]).toBe(drawn[1]);
    expect([drawn[2]!.transparent, drawn[2]!.depthWrite]).toEqual([false, true]);
    expect([drawn[3]!.transparent, drawn[3]!.depthWrite]).toEqual([true, false]);
    for (const t of [skinMap, hairMap, cardMap]) expect(t.minFilter).toBe(THREE.LinearMipmapNearestFilter);
  });
  it('drops the normal maps only when asked', () => {
    const normalMap = texture('image/png');
    const make = (): THREE.Mesh => new THREE.Mesh(new THREE.BufferGeometry(), new THREE.MeshStandardMaterial({ roughness: 0.8, metalness: 0, normalMap }));
    const kept = make(), dropped = make();
    useSoftwareShading(kept);
    useSoftwareShading(dropped, { dropNormalMaps: true });
    expect((kept.material as THREE.MeshLambertMaterial).normalMap).toBe(normalMap);
    expect((dropped.material as THREE.MeshLambertMaterial).normalMap).toBeNull();
  });
});
