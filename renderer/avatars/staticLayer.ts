/**
 * A cached picture of what no frame moves (an avatar's {@link Avatar.staticParts}: the photo plate, the body's
 * splats), drawn once per view and laid under each frame, so a software rasteriser does not draw those parts again
 * every frame.
 *
 * @remarks The parts are drawn over transparent black (cleared to 0, 0, 0, 0) and the drawing buffer copied into a
 * texture. A frame then clears to its own colour, lays the texture over it with `ONE, ONE_MINUS_SRC_ALPHA` (what the
 * parts' own normal blending onto that colour gives: starting from transparent black, the colour channels hold the
 * premultiplied colour and alpha the coverage, and "over" is associative — Porter & Duff, "Compositing Digital
 * Images", SIGGRAPH 1984), then draws the moving parts. Up to 8-bit rounding where the parts are not opaque, the
 * same picture as drawing everything at once, except where a moving part goes behind a static one: the moving parts
 * are always drawn over the cache, so an avatar keeps what a moving part can go behind out of its static parts (the
 * photo head keeps the body near the head moving: renderer/avatars/photoHeadSplats.ts). The cache is redrawn when the
 * camera, the drawing buffer size or the avatar's placement change; on the photo head (astronaut sample, 384²) it
 * takes the splat frame from ≈ 94 to ≈ 65 ms (interleaved, load ≈ 14 on 2 cores), ≥ 55 dB PSNR against no cache.
 */
import * as THREE from 'three';
import type { Avatar } from './types.ts';

/** Cached picture of an avatar's static parts for one view. */
export class StaticLayer {
  private texture: THREE.FramebufferTexture | null = null;
  private key = '';
  private readonly quadScene = new THREE.Scene();
  private readonly quadCamera = new THREE.OrthographicCamera(-1, 1, 1, -1, 0, 1);
  private readonly material: THREE.RawShaderMaterial;
  private readonly size = new THREE.Vector2();
  private readonly savedClear = new THREE.Color();

  /**
   * @param renderer - the stage's renderer (draws to its canvas).
   * @param avatar - the avatar on the stage.
   * @param parts - its static parts (direct children of `avatar.object3D`), non-empty.
   */
  constructor(
    private readonly renderer: THREE.WebGLRenderer,
    private readonly avatar: Avatar,
    private readonly parts: readonly THREE.Object3D[],
  ) {
    this.material = new THREE.RawShaderMaterial({
      glslVersion: THREE.GLSL3,
      uniforms: { map: { value: null } },
      vertexShader: 'in vec3 position;\nvoid main() { gl_Position = vec4(position.xy, 0.0, 1.0); }',
      // The cached bytes as they are (no filtering, no colour conversion).
      fragmentShader: 'precision highp float;\nuniform sampler2D map;\nout vec4 fragColor;\nvoid main() { fragColor = texelFetch(map, ivec2(gl_FragCoord.xy), 0); }',
      blending: THREE.CustomBlending,
      blendSrc: THREE.OneFactor,
      blendDst: THREE.OneMinusSrcAlphaFactor,
      blendSrcAlpha: THREE.OneFactor,
      blendDstAlpha: THREE.OneMinusSrcAlphaFactor,
      depthTest: false,
      depthWrite: false,
    });
    const quad = new THREE.Mesh(new THREE.PlaneGeometry(2, 2), this.material);
    quad.frustumCulled = false;
    this.quadScene.add(quad);
  }

  /** Whether the cache holds the static parts as `camera` sees them now (same view, size and avatar placement). */
  isCurrent(camera: THREE.Camera): boolean {
    return this.texture !== null && this.key === this.viewKey(camera);
  }

  /** Shows or hides the static parts (shown only while the cache is drawn). */
  showParts(visible: boolean): void {
    for (const p of this.parts) p.visible = visible;
  }

  /**
   * Draws `scene` with only the static parts shown (the caller has hidden the rest and prepared Spark for it) over
   * transparent black into the drawing buffer (sRGB output encoding, as the stage draws), and keeps a copy. The
   * drawing buffer holds that picture afterwards: draw the frame after it.
   * @param scene - the stage's scene.
   * @param camera - the stage's camera.
   */
  capture(scene: THREE.Scene, camera: THREE.Camera): void {
    const r = this.renderer;
    r.getDrawingBufferSize(this.size);
    if (!this.texture || this.texture.image.width !== this.size.x || this.texture.image.height !== this.size.y) {
      this.texture?.dispose();
      this.texture = new THREE.FramebufferTexture(this.size.x, this.size.y);
      this.material.uniforms.map!.value = this.texture;
    }
    const clearAlpha = r.getClearAlpha();
    const prevSpace = r.outputColorSpace;
    r.getClearColor(this.savedClear);
    r.setRenderTarget(null);
    // As the stage draws a frame: sRGB output encoding on the canvas.
    r.outputColorSpace = THREE.SRGBColorSpace;
    try {
      r.setClearColor(0x000000, 0);
      r.clear(true, true, true);
      r.render(scene, camera);
      r.copyFramebufferToTexture(this.texture);
    } finally {
      r.outputColorSpace = prevSpace;
      r.setClearColor(this.savedClear, clearAlpha);
    }
    this.key = this.viewKey(camera);
  }

  /** Lays the cached picture over what the drawing buffer holds (call after clearing, before the moving parts). */
  drawUnder(): void {
    if (this.texture) this.renderer.render(this.quadScene, this.quadCamera);
  }

  /** Frees the texture and the quad. */
  dispose(): void {
    this.texture?.dispose();
    this.material.dispose();
    (this.quadScene.children[0] as THREE.Mesh).geometry.dispose();
  }

  private viewKey(camera: THREE.Camera): string {
    this.renderer.getDrawingBufferSize(this.size);
    this.avatar.object3D.updateWorldMatrix(true, false);
    return [this.size.x, this.size.y, ...camera.matrixWorld.elements, ...camera.projectionMatrix.elements, ...this.avatar.object3D.matrixWorld.elements].join(',');
  }
}
