/**
 * Which glTF extensions Avatar Studio decodes, and where the decoders of the compressed ones are served from.
 *
 * @remarks Extension names: Khronos glTF extension registry (KHR_*, EXT_*) and VRM Consortium (VRM 0.x `VRM`,
 * VRM 1.0 `VRMC_*`). The list is what three.js r187's GLTFLoader implements (its `EXTENSIONS` table) plus the VRM
 * extensions @pixiv/three-vrm reads. The three compressed formats need decoders that ship in the `three` npm
 * package (examples/jsm/libs): meshopt's is inlined in JavaScript (a WebAssembly module as base64), Draco's
 * and Basis Universal's are separate `.js` + `.wasm` files that the page fetches from its own origin
 * ({@link GLTF_DECODER_FILES}) — never from a CDN.
 */

/** glTF extensions the renderer decodes (three.js GLTFLoader r187 with all decoders set, plus VRM). */
export const DECODABLE_GLTF_EXTENSIONS: ReadonlySet<string> = new Set([
  'KHR_binary_glTF',
  'KHR_draco_mesh_compression',
  'KHR_lights_punctual',
  'KHR_materials_clearcoat',
  'KHR_materials_diffuse_roughness',
  'KHR_materials_dispersion',
  'KHR_materials_ior',
  'KHR_materials_sheen',
  'KHR_materials_specular',
  'KHR_materials_transmission',
  'KHR_materials_iridescence',
  'KHR_materials_anisotropy',
  'KHR_materials_unlit',
  'KHR_materials_volume',
  'KHR_materials_emissive_strength',
  'KHR_texture_basisu',
  'KHR_texture_transform',
  'KHR_mesh_quantization',
  'EXT_materials_bump',
  'EXT_texture_webp',
  'EXT_texture_avif',
  'EXT_meshopt_compression',
  'KHR_meshopt_compression',
  'EXT_mesh_gpu_instancing',
  'VRM',
  'VRMC_vrm',
  'VRMC_springBone',
  'VRMC_node_constraint',
  'VRMC_materials_mtoon',
  'VRMC_materials_hdr_emissiveMultiplier',
]);

/**
 * Required extensions of a glTF asset that the renderer cannot decode.
 * @param extensionsRequired - the asset's `extensionsRequired` (glTF 2.0 §3.12: a loader that does not support
 * one of them must refuse the asset).
 * @returns the names not in {@link DECODABLE_GLTF_EXTENSIONS}, in file order.
 */
export function undecodableGltfExtensions(extensionsRequired: readonly string[]): string[] {
  return extensionsRequired.filter((e) => !DECODABLE_GLTF_EXTENSIONS.has(e));
}

/**
 * Content-Security-Policy of the KTX2 transcoder worker script ({@link BASIS_WORKER_URL_PATH}), sent as that
 * response's header by every host. A dedicated worker started from a same-origin URL runs under the policy of its
 * own script response (W3C CSP Level 3 §"Initialize a global object's CSP list"; checked in Chromium by
 * tests/e2e/studioFormatsAvatars.test.ts), not the page's: this one lets the worker evaluate code (`'unsafe-eval'`:
 * Basis Universal's Emscripten/embind glue builds its bindings with `new Function`) and compile WebAssembly, and
 * nothing else — no network (`default-src 'none'` covers fetch, importScripts and nested workers). The pages
 * themselves (studio UI, export page) keep `'unsafe-eval'` out of their own policies.
 */
export const BASIS_WORKER_CSP = "default-src 'none'; script-src 'unsafe-eval' 'wasm-unsafe-eval'";

/** Where the KTX2 transcoder worker script is served, relative to the page. */
export const BASIS_WORKER_URL_PATH = 'decoders/basis/basis_worker.js';

/**
 * The message that hands the worker its code: `{ type: BASIS_WORKER_BOOT, source }` where `source` is what three's
 * KTX2Loader would have put in its Blob worker (constants + `basis_transcoder.js` + `KTX2Loader.BasisWorker`).
 */
export const BASIS_WORKER_BOOT = 'avatarStudio.basisWorkerBoot';

/**
 * The KTX2 transcoder worker script: a shell that evaluates the transcoder code posted by the page
 * (renderer/avatars/gltfDecoders.ts) once, at global scope, then leaves the messages to it. Served from the page's
 * origin with {@link BASIS_WORKER_CSP}.
 */
export const BASIS_WORKER_SOURCE = `'use strict';
// Avatar Studio: KTX2 (Basis Universal) transcoder worker shell. The page posts three's KTX2Loader worker code once;
// it runs here under this script's own Content-Security-Policy (eval and WebAssembly allowed, no network).
self.addEventListener('message', function boot(e) {
  if (!e.data || e.data.type !== '${BASIS_WORKER_BOOT}') return;
  self.removeEventListener('message', boot);
  (0, eval)(String(e.data.source));
});
`;

/**
 * A decoder file served to render pages: `urlPath` under the page's folder; its bytes are `packagePath`, a file in
 * node_modules, or `source`, text held here; `csp`, when set, is sent as the response's Content-Security-Policy.
 */
export interface GltfDecoderFile {
  /** Path relative to the page (`decoders/draco/draco_decoder.wasm`). */
  urlPath: string;
  /** Module path of the file in the installed `three` package (absent when `source` holds the bytes). */
  packagePath?: string;
  /** HTTP content type. */
  contentType: string;
  /** The bytes as text, for a file of our own (instead of `packagePath`). */
  source?: string;
  /** Content-Security-Policy header of the response (a worker script's own policy). */
  csp?: string;
}

/** Folder (relative to the page) that holds the decoders; {@link GLTF_DECODER_FILES} live under it. */
export const GLTF_DECODER_DIR = 'decoders/';

/**
 * The Draco (KHR_draco_mesh_compression) and Basis Universal (KHR_texture_basisu) decoder files of three.js,
 * served same-origin by every host of a render page (render host, web host, the Vite build for Electron).
 * @remarks Draco: the glTF build of the decoder (`libs/draco/gltf/`, Google Draco 1.5.x, Apache-2.0); Basis:
 * Binomial's transcoder (`libs/basis/`, Apache-2.0). three's DRACOLoader fetches its `.js` and `.wasm` and starts a
 * Blob worker with them, so a page CSP needs `worker-src blob:`, `connect-src 'self'` and `script-src
 * 'wasm-unsafe-eval'` (the last one also for meshopt's inlined module). The Basis transcoder's glue needs `eval`, so
 * its worker is started from {@link BASIS_WORKER_URL_PATH} under its own narrow policy instead of a Blob worker
 * (a Blob worker inherits the page's policy).
 */
export const GLTF_DECODER_FILES: readonly GltfDecoderFile[] = [
  { urlPath: 'decoders/draco/draco_wasm_wrapper.js', packagePath: 'three/examples/jsm/libs/draco/gltf/draco_wasm_wrapper.js', contentType: 'text/javascript; charset=utf-8' },
  { urlPath: 'decoders/draco/draco_decoder.wasm', packagePath: 'three/examples/jsm/libs/draco/gltf/draco_decoder.wasm', contentType: 'application/wasm' },
  { urlPath: 'decoders/basis/basis_transcoder.js', packagePath: 'three/examples/jsm/libs/basis/basis_transcoder.js', contentType: 'text/javascript; charset=utf-8' },
  { urlPath: 'decoders/basis/basis_transcoder.wasm', packagePath: 'three/examples/jsm/libs/basis/basis_transcoder.wasm', contentType: 'application/wasm' },
  { urlPath: BASIS_WORKER_URL_PATH, source: BASIS_WORKER_SOURCE, contentType: 'text/javascript; charset=utf-8', csp: BASIS_WORKER_CSP },
];

/**
 * The Content-Security-Policy a host sends with a decoder file, when it has its own.
 * @param urlPath - request path (`/decoders/basis/basis_worker.js`, possibly with folders before `decoders/`).
 * @returns the file's policy, or null for every other path (the host's usual policy applies).
 */
export function gltfDecoderFileCsp(urlPath: string): string | null {
  const i = urlPath.lastIndexOf('/decoders/');
  const rel = i < 0 ? urlPath : urlPath.slice(i + 1);
  return GLTF_DECODER_FILES.find((f) => f.urlPath === rel)?.csp ?? null;
}
