/**
 * Where the glTF decoder files that render pages fetch (`decoders/…`, core/formats/gltfExtensions.ts) live on disk:
 * the installed `three` package. Used by the render host and the web host to serve them same-origin.
 */
import { createRequire } from 'node:module';
import { GLTF_DECODER_FILES } from '../../core/formats/gltfExtensions.ts';

const require = createRequire(import.meta.url);

/** A decoder file resolved on disk (`filePath`) or held in memory (`source`), with its own CSP when it has one. */
export interface ResolvedDecoderFile {
  filePath: string | null;
  source: string | null;
  contentType: string;
  csp: string | null;
}

const BY_URL = new Map<string, ResolvedDecoderFile>(GLTF_DECODER_FILES.map((f) => [f.urlPath, { filePath: f.packagePath ? require.resolve(f.packagePath) : null, source: f.source ?? null, contentType: f.contentType, csp: f.csp ?? null }]));

/**
 * The decoder file a request path names.
 * @param urlPath - request path (`/decoders/draco/draco_decoder.wasm`, or with a folder before `decoders/`).
 * @returns the file (path or text), its content type and CSP, or null when the path is not one of the fixed decoder files (no other
 * file is ever served: the table is fixed, nothing is joined from the request).
 */
export function gltfDecoderFile(urlPath: string): ResolvedDecoderFile | null {
  const i = urlPath.lastIndexOf('/decoders/');
  return i < 0 ? null : (BY_URL.get(urlPath.slice(i + 1)) ?? null);
}
