/**
 * The Spark side of a scene: one `SparkRenderer` per WebGL renderer, stepped deterministically for export.
 * @remarks Spark (World Labs, @sparkjsdev/spark 2.x) generates splats on the GPU and sorts them back-to-front
 * in a Web Worker. For a frame that is a pure function of its index we run Spark with `autoUpdate: false`
 * and `await spark.update({scene, camera})` (generation + read-back + worker sort) before `renderer.render`.
 */
import type * as THREE from 'three';
import { SparkRenderer } from '@sparkjsdev/spark';

/** A Spark renderer attached to a scene. */
export interface SplatLayer {
  readonly spark: SparkRenderer;
  /** Generates and sorts the splats for `camera`; await it before `renderer.render(scene, camera)`. */
  prepare(scene: THREE.Scene, camera: THREE.Camera): Promise<void>;
  /** Removes the SparkRenderer from the scene and frees its GPU resources and workers. */
  dispose(): void;
}

/**
 * Adds a `SparkRenderer` to `scene` for deterministic, stepped rendering.
 * @param renderer - the scene's WebGL2 renderer (created with `antialias: false`).
 * @param scene - the scene that holds splat avatars.
 * @returns the layer; call `prepare` before each render.
 */
export function createSplatLayer(renderer: THREE.WebGLRenderer, scene: THREE.Scene): SplatLayer {
  const spark = new SparkRenderer({ renderer, autoUpdate: false, preUpdate: true, minSortIntervalMs: 0, enableLod: false });
  scene.add(spark);
  return {
    spark,
    async prepare(s, camera) {
      s.updateMatrixWorld(true);
      await spark.update({ scene: s, camera });
    },
    dispose() {
      scene.remove(spark);
      spark.dispose();
    },
  };
}
