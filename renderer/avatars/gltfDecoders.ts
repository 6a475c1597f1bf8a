/**
 * The glTF loader every avatar page uses, with the decoders of the compression extensions that avatar platforms
 * ship: EXT_meshopt_compression (meshoptimizer's decoder, inlined in three's `meshopt_decoder.module.js`),
 * KHR_draco_mesh_compression (three's DRACOLoader) and KHR_texture_basisu (three's KTX2Loader with Binomial's
 * Basis Universal transcoder), plus @pixiv/three-vrm's plugin for VRM 0.x / 1.0.
 *
 * @remarks The Draco and Basis decoders are `.js` + `.wasm` files fetched from the page's own origin under
 * `decoders/` (core/formats/gltfExtensions.ts `GLTF_DECODER_FILES`; the render host, the web host and the Vite
 * build serve them from the installed `three` package), never from a CDN. Both loaders decode in Blob workers,
 * so a page CSP must allow `worker-src blob:` and `script-src 'wasm-unsafe-eval'`.
 */
import type * as THREE from 'three';
import { GLTFLoader } from 'three/addons/loaders/GLTFLoader.js';
import { DRACOLoader } from 'three/addons/loaders/DRACOLoader.js';
import { KTX2Loader } from 'three/addons/loaders/KTX2Loader.js';
import { MeshoptDecoder } from 'three/addons/libs/meshopt_decoder.module.js';
import { VRMLoaderPlugin } from '@pixiv/three-vrm';
import { GLTF_DECODER_DIR } from '../../core/formats/gltfExtensions.ts';

/** Decoders for compressed glTF avatars; one owner, one {@link GltfDecoders.dispose}. */
export interface GltfDecoders {
  /** A GLTFLoader with meshopt, Draco, KTX2 (when a renderer was given) and the VRM plugin set. */
  createLoader(): GLTFLoader;
  /** True when KTX2 textures can be transcoded (a renderer was given, so the GPU's formats are known). */
  readonly hasKtx2: boolean;
  /** Ends the decoder workers. */
  dispose(): void;
}

/** Options of {@link createGltfDecoders}. */
export interface GltfDecodersOptions {
  /**
   * Folder URL that holds `draco/` and `basis/` (with a trailing slash); default `decoders/` resolved against
   * the document's base URL (same origin as the page).
   */
  baseUrl?: string;
  /** The renderer that will draw the avatar: KTX2Loader picks the GPU formats it transcodes to from it. */
  renderer?: THREE.WebGLRenderer | null;
  /** Decoder workers per loader (default 1: avatars are a handful of meshes and textures). */
  workerLimit?: number;
}

/**
 * Creates the decoders (workers start lazily, on the first compressed file).
 * @param opts - decoder folder, renderer (for KTX2) and worker count.
 * @returns the decoders.
 */
export function createGltfDecoders(opts: GltfDecodersOptions = {}): GltfDecoders {
  const base = opts.baseUrl ?? new URL(GLTF_DECODER_DIR, document.baseURI).href;
  const workers = Math.max(1, opts.workerLimit ?? 1);
  const draco = new DRACOLoader().setDecoderPath(`${base}draco/`).setDecoderConfig({ type: 'wasm' }).setWorkerLimit(workers);
  const ktx2 = opts.renderer ? new KTX2Loader().setTranscoderPath(`${base}basis/`).setWorkerLimit(workers).detectSupport(opts.renderer) : null;
  return {
    hasKtx2: ktx2 !== null,
    createLoader() {
      const loader = new GLTFLoader().setMeshoptDecoder(MeshoptDecoder).setDRACOLoader(draco);
      if (ktx2) loader.setKTX2Loader(ktx2);
      loader.register((parser) => new VRMLoaderPlugin(parser, { autoUpdateHumanBones: true }));
      return loader;
    },
    dispose() {
      draco.dispose();
      ktx2?.dispose();
    },
  };
}
