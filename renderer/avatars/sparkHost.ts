/**
 * The Spark side of a scene: one `SparkRenderer` per WebGL renderer, stepped deterministically for export.
 * @remarks Spark (World Labs, @sparkjsdev/spark 2.x) generates splats on the GPU and sorts them back-to-front
 * in a Web Worker. For a frame that is a pure function of its index we run Spark with `autoUpdate: false`
 * and `await spark.update({scene, camera})` (generation + read-back + worker sort) before `renderer.render`.
 */
import * as THREE from 'three';
import { SparkRenderer } from '@sparkjsdev/spark';
import { sortSplats32 } from './splatSort.ts';

/** A Spark renderer attached to a scene. */
export interface SplatLayer {
  readonly spark: SparkRenderer;
  /** True when the splats are drawn as one point list (software rasteriser), see {@link SplatPointList}. */
  readonly pointList: boolean;
  /** Generates and sorts the splats for `camera`; await it before `renderer.render(scene, camera)`. */
  prepare(scene: THREE.Scene, camera: THREE.Camera): Promise<void>;
  /** Removes the SparkRenderer from the scene and frees its GPU resources and workers. */
  dispose(): void;
}

/**
 * Spark's splats as one point list: one vertex per splat (its index is `gl_VertexID` instead of Spark's
 * `gl_InstanceID >> 2`), drawn as `gl.POINTS` with {@link pointSpriteVertexShader} / {@link pointSpriteFragmentShader}.
 * @remarks SwiftShader (Chromium's software WebGL, what headless export uses without a GPU) runs an instanced draw
 * one instance at a time, each with a draw's set-up cost (Spark's one-quad-per-instance draw ≈ 30 µs per splat there).
 * A plain list of 4-vertex quads (6 indices) is one draw, but still runs Spark's vertex shader 4× per splat and sets
 * up 2 triangles; a point sprite runs it once and sets up one square primitive of the same size: the photo head's
 * splat draw at 384² 85 → 60 ms, 53 dB PSNR against the quads (astronaut, img01; `npm run bench -- splat`'s
 * profile, interleaved, load ≈ 9 on 2 cores). Spark sets `geometry.instanceCount` to the splats to draw before each
 * render; here that sets the draw range.
 */
export class SplatPointList extends THREE.BufferGeometry {
  private capacity = 0;

  /** Splats to draw (Spark writes it in `onBeforeRender`, after three.js has uploaded the buffers: see {@link reserve}). */
  set instanceCount(count: number) {
    this.setDrawRange(0, Math.min(count, this.capacity));
  }

  get instanceCount(): number {
    return this.drawRange.count;
  }

  /**
   * Makes room for `count` splats; call before rendering (three.js uploads a geometry's buffers before
   * `onBeforeRender`, so buffers grown there would be drawn only from the next frame on).
   * @param count - splats to draw, ≥ 0.
   */
  reserve(count: number): void {
    if (count <= this.capacity) return;
    const cap = Math.max(1024, 2 ** Math.ceil(Math.log2(count)));
    // three.js needs a position attribute to draw; the shader reads the splat from its own textures.
    this.setAttribute('position', new THREE.BufferAttribute(new Float32Array(cap * 3), 3));
    this.capacity = cap;
  }
}

/** `src` with the one occurrence of `from` replaced; throws when Spark's shader no longer has it. */
function replaceOnce(src: string, from: string, to: string): string {
  const at = src.indexOf(from);
  if (at < 0 || src.indexOf(from, at + 1) >= 0) throw new Error(`Spark splat shader without exactly one "${from.slice(0, 48)}": the point-sprite draw does not fit this Spark version`);
  return src.slice(0, at) + to + src.slice(at + from.length);
}

/**
 * Spark's splat vertex shader (2.x) turned into a point-sprite one: the splat index is `gl_VertexID`, the vertex is
 * the splat's centre, `gl_PointSize` the side of the square that holds the cut-off ellipse (twice its larger
 * radius, `maxStdDev`·√λ₁ px), and the fragment gets the inverse of the 2D covariance (the conic, px⁻²) to
 * evaluate the Gaussian itself, as the 3DGS rasteriser does (Kerbl et al., "3D Gaussian Splatting for Real-Time
 * Radiance Field Rendering", SIGGRAPH 2023, §6: conic opacity per pixel).
 * @param vs - Spark's vertex shader source.
 * @returns the point-sprite vertex shader.
 * @throws Error when Spark's shader does not have the lines this rewrites (another Spark version).
 */
export function pointSpriteVertexShader(vs: string): string {
  if (!vs.includes('gl_InstanceID')) throw new Error('Spark splat vertex shader without gl_InstanceID: the point-sprite draw does not fit this Spark version');
  let s = vs.replaceAll('gl_InstanceID', 'gl_VertexID');
  s = replaceOnce(s, 'flat out float adjustedStdDev;', 'flat out float adjustedStdDev;\nflat out vec3 vConic;\nflat out float vPointPx;');
  // Spark's quad corner offset becomes the point's size; the covariance (a b; b d) here already has the blur added.
  s = replaceOnce(
    s,
    'vec2 pixelOffset = position.x * eigenVec1 * scale1 + position.y * eigenVec2 * scale2;',
    'vPointPx = 2.0 * max(scale1, scale2);\n    gl_PointSize = vPointPx / focalAdjustment;\n    vConic = vec3(d, -b, a) / det;\n    vec2 pixelOffset = vec2(0.0);',
  );
  return s;
}

/**
 * Spark's splat fragment shader (2.x) for {@link pointSpriteVertexShader}: the squared Mahalanobis distance of the
 * pixel from the splat centre comes from the conic and `gl_PointCoord` (origin top left, y down) instead of the
 * interpolated quad coordinate; the rest (cut-off, falloff, colour) is Spark's.
 * @param fs - Spark's fragment shader source.
 * @returns the point-sprite fragment shader.
 * @throws Error when Spark's shader does not have the lines this rewrites.
 */
export function pointSpriteFragmentShader(fs: string): string {
  let s = replaceOnce(fs, 'flat in float adjustedStdDev;', 'flat in float adjustedStdDev;\nflat in vec3 vConic;\nflat in float vPointPx;');
  s = replaceOnce(
    s,
    'float z2 = dot(vSplatUv, vSplatUv);',
    'vec2 dPx = vec2(gl_PointCoord.x - 0.5, 0.5 - gl_PointCoord.y) * vPointPx;\n    float z2 = vConic.x * dPx.x * dPx.x + 2.0 * vConic.y * dPx.x * dPx.y + vConic.z * dPx.y * dPx.y;',
  );
  return s;
}

/**
 * Spark's splat fragment shader (2.x, instanced quads or {@link pointSpriteFragmentShader}) with a flatter falloff:
 * opacity `α·(1 − (1 − g)^power)` instead of `α·g`, g = exp(−z²/2) the Gaussian at the pixel.
 * @param fs - the fragment shader source.
 * @param power - falloff power, ≥ 1 (1: Spark's own Gaussian, the source unchanged).
 * @returns the shader.
 * @throws Error when Spark's shader does not have the line this rewrites (another Spark version).
 * @remarks The same profile Spark gives a splat of opacity > 1 (its `1 − (1 − g)^a` branch, after the "opacity >
 * 1" extension of 3DGS models in Spark 2.x); here without Spark's wider cut-off for it. A flat-topped splat covers
 * its own lattice cell fully with a smaller σ, so a dense surface of splats (the photo head) closes with smaller
 * sprites: fewer fragments per pixel, where a software rasteriser spends most of a frame.
 */
export function falloffPowerFragmentShader(fs: string, power: number): string {
  if (!(power >= 1)) throw new Error(`Splat falloff power must be ≥ 1, got ${power}`);
  if (power === 1) return fs;
  const g = 'exp(-0.5 * z2)';
  // Integer powers as products (no pow(): cheaper in a software rasteriser, and defined at 1 − g = 0).
  const k = Number.isInteger(power) && power <= 4 ? Array.from({ length: power }, () => 'h').join(' * ') : `pow(h, ${power.toFixed(4)})`;
  return replaceOnce(fs, `rgba.a = mix(rgba.a, rgba.a * ${g}, falloff);`, `float h = max(0.0, 1.0 - ${g});\n            rgba.a = mix(rgba.a, rgba.a * (1.0 - ${k}), falloff);`);
}

/**
 * A stand-in for Spark's sort worker (`SparkRenderer.sortWorker`, only ever asked for `sortSplats32`) that sorts on
 * this thread with {@link sortSplats32}: the same order.
 * @returns the stand-in; its `call` throws for any other method.
 */
function thisThreadSorter(): SparkRenderer['sortWorker'] {
  const sorter = {
    call(name: string, args: { numSplats: number; readback: Uint32Array; ordering: Uint32Array }) {
      if (name !== 'sortSplats32') return Promise.reject(new Error(`Spark asked the sort stand-in for ${name}: this Spark version does not fit`));
      const activeSplats = sortSplats32(args.numSplats, args.readback, args.ordering);
      return Promise.resolve({ activeSplats, readback: args.readback, ordering: args.ordering });
    },
    dispose() {},
  };
  return sorter as unknown as SparkRenderer['sortWorker'];
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
 * @param opts - `pointList`: draw splats as one point list ({@link SplatPointList}); default: on a software
 *   rasteriser only (a GPU keeps Spark's own instanced quads). `falloffPower`: the splats' falloff
 *   ({@link falloffPowerFragmentShader}; default 1, Spark's Gaussian).
 * @returns the layer; call `prepare` before each render.
 * @throws Error when Spark's shaders do not have the lines the point list or the falloff rewrite.
 */
export function createSplatLayer(renderer: THREE.WebGLRenderer, scene: THREE.Scene, opts: { pointList?: boolean; falloffPower?: number } = {}): SplatLayer {
  const spark = new SparkRenderer({ renderer, autoUpdate: false, preUpdate: true, minSortIntervalMs: 0, enableLod: false });
  const pointList = opts.pointList ?? isSoftwareRenderer(renderer);
  if ((opts.falloffPower ?? 1) !== 1) {
    const material = spark.material as THREE.ShaderMaterial;
    material.fragmentShader = falloffPowerFragmentShader(material.fragmentShader, opts.falloffPower!);
    material.needsUpdate = true;
  }
  if (pointList) {
    const material = spark.material as THREE.ShaderMaterial;
    material.vertexShader = pointSpriteVertexShader(material.vertexShader);
    material.fragmentShader = pointSpriteFragmentShader(material.fragmentShader);
    material.needsUpdate = true;
    spark.geometry.dispose();
    spark.geometry = new SplatPointList();
    // three.js picks the primitive from the object's type flags: the SparkRenderer (a Mesh) is drawn as gl.POINTS.
    Object.assign(spark, { isMesh: false, isPoints: true });
  }
  // On a software rasteriser the depth read-back for the sort waits for nothing: read synchronously, no pause before;
  // and the sort runs here rather than in Spark's worker (same order, no round trip).
  const syncReadback = pointList;
  if (syncReadback) {
    spark.readPause = 0;
    spark.sortWorker = thisThreadSorter();
  }
  const syncRead: THREE.WebGLRenderer['readRenderTargetPixelsAsync'] = (target, x, y, w, h, buffer, cubeFace, textureIndex) => {
    renderer.readRenderTargetPixels(target, x, y, w, h, buffer, cubeFace, textureIndex);
    return Promise.resolve(buffer);
  };
  scene.add(spark);
  return {
    spark,
    pointList,
    async prepare(s, camera) {
      s.updateMatrixWorld(true);
      if (!syncReadback) await spark.update({ scene: s, camera });
      else {
        // Spark reads the splat depths back with three.js's readRenderTargetPixelsAsync, which polls a fence every
        // 4 ms (setTimeout): at least 4 ms idle per frame. A software rasteriser has finished when readPixels returns.
        const asyncRead = renderer.readRenderTargetPixelsAsync;
        renderer.readRenderTargetPixelsAsync = syncRead;
        try {
          await spark.update({ scene: s, camera });
        } finally {
          renderer.readRenderTargetPixelsAsync = asyncRead;
        }
      }
      if (spark.geometry instanceof SplatPointList) spark.geometry.reserve(spark.activeSplats);
    },
    dispose() {
      scene.remove(spark);
      spark.dispose();
    },
  };
}
