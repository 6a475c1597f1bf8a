/**
 * The Spark side of a scene: one `SparkRenderer` per WebGL renderer, stepped deterministically for export.
 * @remarks Spark (World Labs, @sparkjsdev/spark 2.x) generates splats on the GPU and sorts them back-to-front
 * in a Web Worker. For a frame that is a pure function of its index we run Spark with `autoUpdate: false`
 * and `await spark.update({scene, camera})` (generation + read-back + worker sort) before `renderer.render`.
 */
import * as THREE from 'three';
import { SparkRenderer } from '@sparkjsdev/spark';

/** A Spark renderer attached to a scene. */
export interface SplatLayer {
  readonly spark: SparkRenderer;
  /** True when the splats are drawn as one plain triangle list (software rasteriser), see {@link SplatQuadList}. */
  readonly quadList: boolean;
  /** Generates and sorts the splats for `camera`; await it before `renderer.render(scene, camera)`. */
  prepare(scene: THREE.Scene, camera: THREE.Camera): Promise<void>;
  /** Removes the SparkRenderer from the scene and frees its GPU resources and workers. */
  dispose(): void;
}

/**
 * Spark's splat quads as one non-instanced triangle list: 4 vertices and 6 indices per splat, the splat's index
 * being `gl_VertexID >> 2` instead of `gl_InstanceID`.
 * @remarks SwiftShader (Chromium's software WebGL, what headless export uses without a GPU) runs an instanced draw
 * one instance at a time, each with a draw's set-up cost: Spark's one-quad-per-instance draw cost ≈ 30 µs per splat
 * there (measured with `npm run bench -- splat`, the photo head's profile), most of a frame. A plain triangle list
 * is one draw. Spark sets `geometry.instanceCount` to the splats to draw before each render; here that sets the
 * draw range (and grows the buffers when needed).
 */
export class SplatQuadList extends THREE.BufferGeometry {
  private capacity = 0;

  /** Splats to draw (Spark writes it in `onBeforeRender`, after three.js has uploaded the buffers: see {@link reserve}). */
  set instanceCount(count: number) {
    this.setDrawRange(0, Math.min(count, this.capacity) * 6);
  }

  get instanceCount(): number {
    return this.drawRange.count / 6;
  }

  /**
   * Makes room for `count` splats; call before rendering (three.js uploads a geometry's buffers before
   * `onBeforeRender`, so buffers grown there would be drawn only from the next frame on).
   * @param count - splats to draw, ≥ 0.
   */
  reserve(count: number): void {
    if (count <= this.capacity) return;
    const cap = Math.max(1024, 2 ** Math.ceil(Math.log2(count)));
    const pos = new Float32Array(cap * 12);
    const idx = new Uint32Array(cap * 6);
    const corners = [-1, -1, 0, 1, -1, 0, 1, 1, 0, -1, 1, 0];
    for (let i = 0; i < cap; i++) {
      pos.set(corners, i * 12);
      const v = i * 4;
      idx.set([v, v + 1, v + 2, v, v + 2, v + 3], i * 6);
    }
    this.setAttribute('position', new THREE.BufferAttribute(pos, 3));
    this.setIndex(new THREE.BufferAttribute(idx, 1));
    this.capacity = cap;
  }
}

/**
 * Whether `renderer` rasterises in software (SwiftShader, llvmpipe), from the WebGL renderer string.
 * @param renderer - a WebGL renderer.
 * @returns true for a software rasteriser.
 */
export function isSoftwareRenderer(renderer: THREE.WebGLRenderer): boolean {
  const gl = renderer.getContext();
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const name = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? '');
  return /swiftshader|llvmpipe|software/i.test(name);
}

/**
 * Adds a `SparkRenderer` to `scene` for deterministic, stepped rendering.
 * @param renderer - the scene's WebGL2 renderer (created with `antialias: false`).
 * @param scene - the scene that holds splat avatars.
 * @param opts - `quadList`: draw splats as one plain triangle list ({@link SplatQuadList}); default: on a software
 *   rasteriser only (on a GPU instancing is cheaper in memory: 4 vertices per splat are not stored).
 * @returns the layer; call `prepare` before each render.
 */
export function createSplatLayer(renderer: THREE.WebGLRenderer, scene: THREE.Scene, opts: { quadList?: boolean } = {}): SplatLayer {
  const spark = new SparkRenderer({ renderer, autoUpdate: false, preUpdate: true, minSortIntervalMs: 0, enableLod: false });
  const quadList = opts.quadList ?? isSoftwareRenderer(renderer);
  if (quadList) {
    const material = spark.material as THREE.ShaderMaterial;
    if (!material.vertexShader.includes('gl_InstanceID')) throw new Error('Spark splat vertex shader without gl_InstanceID: the quad-list draw does not fit this Spark version');
    material.vertexShader = material.vertexShader.replaceAll('gl_InstanceID', '(gl_VertexID >> 2)');
    material.needsUpdate = true;
    spark.geometry.dispose();
    spark.geometry = new SplatQuadList();
  }
  scene.add(spark);
  return {
    spark,
    quadList,
    async prepare(s, camera) {
      s.updateMatrixWorld(true);
      await spark.update({ scene: s, camera });
      if (spark.geometry instanceof SplatQuadList) spark.geometry.reserve(spark.activeSplats);
    },
    dispose() {
      scene.remove(spark);
      spark.dispose();
    },
  };
}
