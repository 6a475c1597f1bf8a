/**
 * The photo's background as its own layer behind the photo head: the person removed, the hole and a margin past the
 * photo's edges filled (core/image/backgroundPlate.ts), drawn on a plane at the background depth that does not move
 * with the head — so an orbiting camera or a wide framing sees continued background, never an empty area.
 *
 * @remarks Layered 3D photography (Shih et al., CVPR 2020; Niklaus et al., SIGGRAPH Asia 2019): the foreground
 * (the person matte on the head-and-shoulders proxy, `surround.ts`) is drawn over this layer. Past the plate's own
 * edges the plane continues with a mirrored copy of the plate (it holds no person, so nothing is duplicated).
 */
import * as THREE from 'three';
import { buildBackgroundPlate, type BackgroundPlate, type PlateMarginsPx } from '../../core/image/backgroundPlate.ts';
import type { CropRectPx } from '../scene/framing.ts';
import { photoToWorld, type PhotoProjection } from './photoHead.ts';

/** How far past the framing crop the plate reaches, as fractions of the crop's width / height on each side. */
export const PLATE_REACH = { x: 0.35, y: 0.3 } as const;

/**
 * Margins to add around the photo so that the plate covers the crop grown by {@link PLATE_REACH}.
 * @param cropPx - the framing crop, photo px (may extend past the photo).
 * @param imageWidthPx - photo width.
 * @param imageHeightPx - photo height.
 * @returns margins ≥ 0, px.
 * @remarks The reach is what ±30° of yaw and ±15° of pitch uncover of a plane 0.45 face widths behind the head
 * (`backgroundDepthPx`): the lateral shift Δ·tan θ plus the 1/cos θ widening of the view, for a crop of 2.4 face
 * heights, with some room.
 */
export function plateMarginsForCrop(cropPx: CropRectPx, imageWidthPx: number, imageHeightPx: number): PlateMarginsPx {
  const gx = PLATE_REACH.x * cropPx.widthPx;
  const gy = PLATE_REACH.y * cropPx.heightPx;
  return {
    leftPx: Math.max(0, -(cropPx.xPx - gx)),
    rightPx: Math.max(0, cropPx.xPx + cropPx.widthPx + gx - imageWidthPx),
    topPx: Math.max(0, -(cropPx.yPx - gy)),
    bottomPx: Math.max(0, cropPx.yPx + cropPx.heightPx + gy - imageHeightPx),
  };
}

const VERTEX = /* glsl */ `
varying vec2 vUv;
void main() {
  vUv = uv;
  gl_Position = projectionMatrix * viewMatrix * vec4(position, 1.0);
}`;

const FRAGMENT = /* glsl */ `
uniform sampler2D uPlate;
varying vec2 vUv;
void main() {
  gl_FragColor = vec4(texture2D(uPlate, vUv).rgb, 1.0);
}`;

/** The background plane and its texture. */
export class BackgroundLayer {
  /** Drawn first, before the photo head's layers. */
  readonly scene = new THREE.Scene();
  readonly plate: BackgroundPlate;
  /** The plane (in `scene`; a splat head adds it to its own root instead). */
  readonly mesh: THREE.Mesh;
  private readonly texture: THREE.DataTexture;
  private readonly geometry: THREE.BufferGeometry;
  private readonly material: THREE.ShaderMaterial;

  /**
   * Builds the plate and the plane.
   * @param rgba - `[h, w, 4]` photo bytes.
   * @param imageWidthPx - photo width.
   * @param imageHeightPx - photo height.
   * @param personAlpha - `[h, w]` person matte (255 = person).
   * @param cropPx - the framing crop (sets the margins, see {@link plateMarginsForCrop}).
   * @param proj - the photo head's projection.
   * @param depthPx - landmark z of the plane (`backgroundDepthPx`).
   * @param mipmaps - trilinear minification (only when the photo is much larger than the output, as the photo's own
   *   texture; export resamples the photo ~1:1, where plain bilinear is exact and a third of the texel fetches).
   * @throws InvalidInputError from `buildBackgroundPlate` (e.g. a matte covering the whole photo).
   */
  constructor(rgba: Uint8Array, imageWidthPx: number, imageHeightPx: number, personAlpha: Uint8Array, cropPx: CropRectPx, proj: PhotoProjection, depthPx: number, mipmaps = false) {
    this.plate = buildBackgroundPlate(rgba, imageWidthPx, imageHeightPx, personAlpha, { marginsPx: plateMarginsForCrop(cropPx, imageWidthPx, imageHeightPx) });
    const p = this.plate;
    this.texture = new THREE.DataTexture(p.rgba, p.widthPx, p.heightPx, THREE.RGBAFormat, THREE.UnsignedByteType);
    this.texture.flipY = false;
    this.texture.colorSpace = THREE.NoColorSpace;
    this.texture.magFilter = THREE.LinearFilter;
    this.texture.minFilter = mipmaps ? THREE.LinearMipmapLinearFilter : THREE.LinearFilter;
    this.texture.generateMipmaps = mipmaps;
    this.texture.wrapS = THREE.MirroredRepeatWrapping;
    this.texture.wrapT = THREE.MirroredRepeatWrapping;
    this.texture.needsUpdate = true;
    // The plane spans three plates in each direction (the middle one is the plate itself); photoToWorld at a fixed
    // depth is affine in (x, y), so a quad maps every plate pixel onto its photo ray exactly.
    const x0 = p.originXPx;
    const y0 = p.originYPx;
    const wPx = p.widthPx * p.photoPxPerPlatePx;
    const hPx = p.heightPx * p.photoPxPerPlatePx;
    const pos = new Float32Array(12);
    const uv = new Float32Array(8);
    const corners: [number, number][] = [
      [-1, -1],
      [2, -1],
      [-1, 2],
      [2, 2],
    ];
    corners.forEach(([u, v], k) => {
      photoToWorld(proj, x0 + u * wPx, y0 + v * hPx, depthPx, pos, k * 3);
      uv[k * 2] = u;
      uv[k * 2 + 1] = v;
    });
    this.geometry = new THREE.BufferGeometry();
    this.geometry.setAttribute('position', new THREE.BufferAttribute(pos, 3));
    this.geometry.setAttribute('uv', new THREE.BufferAttribute(uv, 2));
    this.geometry.setIndex([0, 2, 1, 1, 2, 3]);
    this.material = new THREE.ShaderMaterial({ vertexShader: VERTEX, fragmentShader: FRAGMENT, uniforms: { uPlate: { value: this.texture } }, side: THREE.DoubleSide, depthWrite: false, depthTest: false });
    const mesh = new THREE.Mesh(this.geometry, this.material);
    mesh.frustumCulled = false;
    mesh.renderOrder = -1000;
    this.mesh = mesh;
    this.scene.add(mesh);
  }

  /** Frees the plane's GPU buffers, material and texture. */
  dispose(): void {
    this.geometry.dispose();
    this.material.dispose();
    this.texture.dispose();
  }
}
