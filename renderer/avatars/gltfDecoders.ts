/**
 * The glTF loader every avatar page uses, with the decoders of the compression extensions that avatar platforms
 * ship: EXT_meshopt_compression (meshoptimizer's decoder, inlined in three's `meshopt_decoder.module.js`),
 * KHR_draco_mesh_compression (three's DRACOLoader) and KHR_texture_basisu (three's KTX2Loader with Binomial's
 * Basis Universal transcoder), plus @pixiv/three-vrm's plugin for VRM 0.x / 1.0.
 *
 * @remarks The Draco and Basis decoders are `.js` + `.wasm` files fetched from the page's own origin under
 * `decoders/` (core/formats/gltfExtensions.ts `GLTF_DECODER_FILES`; the render host, the web host and the Vite
 * build serve them from the installed `three` package), never from a CDN. Draco decodes in a Blob worker (a page CSP
 * must allow `worker-src blob:` and `script-src 'wasm-unsafe-eval'`). Basis's Emscripten/embind glue needs `eval`
 * (`new Function`), which a Blob worker could only get from the page's own policy; so the transcoder runs in a worker
 * started from a same-origin script (`decoders/basis/basis_worker.js`) that its hosts serve with its own narrow policy
 * (core/formats/gltfExtensions.ts `BASIS_WORKER_CSP`: eval and WebAssembly, no network), and no page needs
 * `'unsafe-eval'`.
 */
import type * as THREE from 'three';
import { GLTFLoader } from 'three/addons/loaders/GLTFLoader.js';
import { DRACOLoader } from 'three/addons/loaders/DRACOLoader.js';
import { KTX2Loader } from 'three/addons/loaders/KTX2Loader.js';
import { MeshoptDecoder } from 'three/addons/libs/meshopt_decoder.module.js';
import { VRMLoaderPlugin } from '@pixiv/three-vrm';
import { FileLoader } from 'three';
import { BASIS_WORKER_BOOT, BASIS_WORKER_URL_PATH, GLTF_DECODER_DIR } from '../../core/formats/gltfExtensions.ts';

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
  const ktx2 = opts.renderer ? new SameOriginWorkerKTX2Loader(new URL(BASIS_WORKER_URL_PATH.slice(GLTF_DECODER_DIR.length), base).href).setTranscoderPath(`${base}basis/`).setWorkerLimit(workers).detectSupport(opts.renderer) : null;
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

/** three's KTX2Loader statics that make up its worker code (r187 `KTX2Loader.init`). */
interface KTX2LoaderStatics {
  BasisWorker: () => void;
  EngineFormat: unknown;
  EngineType: unknown;
  TranscoderFormat: unknown;
  BasisFormat: unknown;
}

/**
 * three's KTX2Loader with its transcoder worker started from a same-origin script URL instead of a Blob URL: the
 * script ({@link BASIS_WORKER_URL_PATH}, a shell served with its own CSP) is posted the very worker code three's
 * `init()` would have put in the Blob (same constants, `basis_transcoder.js`, `KTX2Loader.BasisWorker`'s body), then
 * three's usual `init` message with the WebAssembly binary.
 * @remarks Mirrors three r187 `KTX2Loader.init` (examples/jsm/loaders/KTX2Loader.js); the public fields it sets
 * (`transcoderPending`, `workerPool`, `workerConfig`) are the ones three declares. Loading a KTX2 file is covered by
 * tests/integration/avatars/avatarFormats.test.ts and tests/e2e/studioFormatsAvatars.test.ts, so a three upgrade that
 * changes the worker protocol fails there.
 */
class SameOriginWorkerKTX2Loader extends KTX2Loader {
  private transcoderBytes: ArrayBuffer | null = null;

  /** @param workerUrl - absolute URL of the worker shell, same origin as the page. */
  constructor(private readonly workerUrl: string) {
    super();
  }

  override init(): Promise<void> {
    if (this.transcoderPending) return this.transcoderPending;
    const load = (name: string, type: 'text' | 'arraybuffer'): Promise<string | ArrayBuffer> => {
      const loader = new FileLoader(this.manager).setPath(this.transcoderPath).setWithCredentials(this.withCredentials);
      if (type === 'arraybuffer') loader.setResponseType('arraybuffer');
      return loader.loadAsync(name) as Promise<string | ArrayBuffer>;
    };
    this.transcoderPending = Promise.all([load('basis_transcoder.js', 'text'), load('basis_transcoder.wasm', 'arraybuffer')]).then(([js, wasm]) => {
      const K = KTX2Loader as unknown as KTX2LoaderStatics;
      const fn = K.BasisWorker.toString();
      const source = [
        '/* constants */',
        `let _EngineFormat = ${JSON.stringify(K.EngineFormat)}`,
        `let _EngineType = ${JSON.stringify(K.EngineType)}`,
        `let _TranscoderFormat = ${JSON.stringify(K.TranscoderFormat)}`,
        `let _BasisFormat = ${JSON.stringify(K.BasisFormat)}`,
        '/* basis_transcoder.js */',
        String(js),
        '/* worker */',
        fn.substring(fn.indexOf('{') + 1, fn.lastIndexOf('}')),
      ].join('\n');
      this.transcoderBytes = wasm as ArrayBuffer;
      this.workerPool.setWorkerCreator(() => {
        const worker = new Worker(this.workerUrl);
        const transcoderBinary = this.transcoderBytes!.slice(0);
        worker.postMessage({ type: BASIS_WORKER_BOOT, source });
        worker.postMessage({ type: 'init', config: this.workerConfig, transcoderBinary }, [transcoderBinary]);
        return worker;
      });
    });
    return this.transcoderPending;
  }
}
