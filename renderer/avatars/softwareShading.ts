/**
 * Cheaper materials for mesh avatars drawn by a software rasteriser (SwiftShader: the CLI's headless export and any
 * machine without a GPU), where the fragment shader runs on the CPU for every covered pixel and dominates the frame.
 *
 * @remarks What changes, and why it barely shows (bench/avatar.ts measures time and PSNR against the avatar's own
 * materials in the same run):
 * - Dielectric `MeshStandardMaterial`s (metalness 0, roughness ≥ {@link LAMBERT_MIN_ROUGHNESS}, no environment map)
 *   become `MeshLambertMaterial`s with the same maps. three.js r187 shades both per fragment with the same Lambert
 *   diffuse term (`BRDF_Lambert`, lights_physical_pars_fragment / lights_lambert_pars_fragment); what goes is the
 *   GGX specular lobe and the diffuse energy it takes (Fresnel with F0 = 0.04, glTF's dielectric default). At
 *   roughness ≥ 0.5 that lobe is broad and weak (a few percent of the diffuse light), so the colour is scaled by
 *   (1 − F0) to keep the mean brightness.
 * - Their textures sample one mip level bilinearly (`LinearMipmapNearestFilter`) instead of blending two
 *   (trilinear): half the texel reads. The level is the same one trilinear weights most, so at talking-head sizes
 *   the difference is a slight change of sharpness where the level switches.
 * - Blended materials (hair) keep their blending where alpha can be below 1; one that cannot ({@link isOpaqueBlend}:
 *   opacity 1, no alpha map or vertex colours, a JPEG or no colour map) is drawn opaque, which gives the same pixels
 *   without the transparent pass's back-to-front sort and two passes per double-sided mesh.
 * - At outputs ≤ {@link NORMAL_MAP_MAX_OUTPUT_PX} the stand-ins drop their normal maps (shading from the mesh normals).
 * Bench avatar at 384² (load ≈ 10 on 2 cores, interleaved with the own materials): draw 47.7 → 31.6 ms per frame,
 * PSNR 35.9 dB (Lambert alone: 44.9 → 36.4 ms, 36.0 dB); without normal maps 47.6 → 26.3 ms, 35.4 dB, export
 * 22–24 → 29 fps.
 */
import * as THREE from 'three';

/** Roughness from which a dielectric's GGX highlight is broad and weak enough to drop (glTF roughness factor, [0,1]). */
export const LAMBERT_MIN_ROUGHNESS = 0.5;
/**
 * Outputs up to this size (px, longer side) drop the normal maps of the Lambert stand-ins: a head-framed 384² frame
 * shows a 1024² face atlas minified ≈ 4×, so the mip level sampled has averaged most of the normal detail away
 * (bench avatar: draw 30.1 → 26.3 ms, PSNR vs the own materials 35.9 → 35.4 dB; the face loses faint shading blotches).
 */
export const NORMAL_MAP_MAX_OUTPUT_PX = 384;
/** Specular reflectance at normal incidence of a glTF dielectric (KHR_materials_ior default, IOR 1.5). */
const DIELECTRIC_F0 = 0.04;

/**
 * The Lambert stand-in for a rough dielectric standard material, or null when the material must keep its specular
 * (metallic, glossy, environment-mapped, or a subclass such as MeshPhysicalMaterial).
 * @param m - a material of the avatar.
 * @param keepNormalMap - false drops the normal map (see {@link useSoftwareShading}).
 * @returns a new material (the caller owns it) sharing `m`'s textures, or null.
 */
export function lambertFor(m: THREE.Material, keepNormalMap = true): THREE.MeshLambertMaterial | null {
  const s = m as THREE.MeshStandardMaterial;
  if (s.type !== 'MeshStandardMaterial' || s.metalness !== 0 || s.roughness < LAMBERT_MIN_ROUGHNESS || s.envMap) return null;
  const l = new THREE.MeshLambertMaterial({
    name: s.name,
    color: s.color.clone().multiplyScalar(1 - DIELECTRIC_F0),
    map: s.map,
    alphaMap: s.alphaMap,
    aoMap: s.aoMap,
    aoMapIntensity: s.aoMapIntensity,
    lightMap: s.lightMap,
    lightMapIntensity: s.lightMapIntensity,
    emissive: s.emissive.clone(),
    emissiveMap: s.emissiveMap,
    emissiveIntensity: s.emissiveIntensity,
    normalMap: keepNormalMap ? s.normalMap : null,
    normalMapType: s.normalMapType,
    normalScale: s.normalScale.clone(),
    bumpMap: s.bumpMap,
    bumpScale: s.bumpScale,
    flatShading: s.flatShading,
    wireframe: s.wireframe,
    fog: s.fog,
  });
  // Everything the base Material carries: blending, alpha, sides, depth, stencil, polygon offset, user data.
  THREE.Material.prototype.copy.call(l, s);
  l.name = s.name;
  return l;
}

/** Built-in materials whose alpha is opacity × map alpha × alphaMap × vertex colour alpha (not Physical: transmission). */
const BUILTIN_ALPHA_MATERIALS = new Set(['MeshBasicMaterial', 'MeshLambertMaterial', 'MeshPhongMaterial', 'MeshStandardMaterial']);

/**
 * Whether a blended material can only produce alpha 1, so that blending it equals drawing it opaque.
 * @param m - a material.
 * @returns true for a transparent, normally blended built-in mesh material with opacity 1, no alpha map, alpha hash or vertex
 * colours, whose colour map (if any) is a JPEG (GLTFLoader's `userData.mimeType`; JPEG has no alpha channel).
 */
export function isOpaqueBlend(m: THREE.Material): boolean {
  const s = m as THREE.MeshStandardMaterial;
  // Only three's built-in mesh materials, whose alpha comes from exactly these inputs (not shader materials: MToon…).
  if (!BUILTIN_ALPHA_MATERIALS.has(s.type)) return false;
  if (!s.transparent || s.opacity !== 1 || s.blending !== THREE.NormalBlending || s.alphaHash || s.vertexColors || s.alphaMap) return false;
  return !s.map || (s.map.userData as { mimeType?: string }).mimeType === 'image/jpeg';
}

/**
 * Swaps the avatar's rough dielectric materials for Lambert ones ({@link lambertFor}), in place.
 * @param root - the avatar's model.
 * @param opts - `dropNormalMaps`: the Lambert stand-ins lose their normal maps (for outputs of at most
 * {@link NORMAL_MAP_MAX_OUTPUT_PX}; default false).
 * @returns the replaced originals (dispose them with the avatar; their textures are shared with the replacements).
 */
export function useSoftwareShading(root: THREE.Object3D, opts: { dropNormalMaps?: boolean } = {}): THREE.Material[] {
  const swapped = new Map<THREE.Material, THREE.Material | null>();
  root.traverse((o) => {
    const mesh = o as THREE.Mesh;
    if (!mesh.isMesh) return;
    const one = (m: THREE.Material): THREE.Material => {
      if (!swapped.has(m)) swapped.set(m, lambertFor(m, !opts.dropNormalMaps));
      return swapped.get(m) ?? m;
    };
    mesh.material = Array.isArray(mesh.material) ? mesh.material.map(one) : one(mesh.material);
  });
  for (const [m, r] of swapped) {
    const used = r ?? m;
    if (!isOpaqueBlend(used)) continue;
    used.transparent = false;
    used.depthWrite = true;
  }
  // Trilinear → bilinear from the nearest mip level: half the texel reads per sample.
  const textures = new Set<THREE.Texture>();
  for (const [m, r] of swapped) for (const v of Object.values(r ?? m)) if (v instanceof THREE.Texture) textures.add(v);
  for (const t of textures) {
    if (t.minFilter !== THREE.LinearMipmapLinearFilter) continue;
    t.minFilter = THREE.LinearMipmapNearestFilter;
    t.needsUpdate = true;
  }
  return [...swapped].filter(([, r]) => r !== null).map(([m]) => m);
}
