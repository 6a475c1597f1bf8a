/**
 * Where the glTF decoders are served from and under which policy: the KTX2 transcoder's worker script is the one
 * file with its own Content-Security-Policy (eval for Basis's embind glue, no network), and no page policy needs
 * `'unsafe-eval'` (the worker runs under its own policy: tests/e2e/studioFormatsAvatars.test.ts checks it in Chromium).
 */
import { describe, expect, it } from 'vitest';
import { BASIS_WORKER_BOOT, BASIS_WORKER_CSP, BASIS_WORKER_SOURCE, BASIS_WORKER_URL_PATH, GLTF_DECODER_FILES, gltfDecoderFileCsp } from '../../../../core/formats/gltfExtensions.ts';
import { EXPORT_PAGE_CSP } from '../../../../pipeline/render/sceneBundle.ts';
import { STUDIO_CSP } from '../../../../pipeline/host/webHost.ts';
import { gltfDecoderFile } from '../../../../pipeline/render/decoderFiles.ts';

describe('glTF decoder files and their policies', () => {
  it('only the Basis worker script has its own policy, on any folder prefix', () => {
    expect(gltfDecoderFileCsp(`/${BASIS_WORKER_URL_PATH}`)).toBe(BASIS_WORKER_CSP);
    expect(gltfDecoderFileCsp(`/some/token/${BASIS_WORKER_URL_PATH}`)).toBe(BASIS_WORKER_CSP);
    expect(gltfDecoderFileCsp('/decoders/basis/basis_transcoder.js')).toBeNull();
    expect(gltfDecoderFileCsp('/decoders/draco/draco_decoder.wasm')).toBeNull();
    expect(gltfDecoderFileCsp('/index.html')).toBeNull();
    expect(GLTF_DECODER_FILES.filter((f) => f.csp).map((f) => f.urlPath)).toEqual([BASIS_WORKER_URL_PATH]);
  });

  it("the worker's policy allows eval and WebAssembly and no network; the pages' policies have no 'unsafe-eval'", () => {
    const directives = Object.fromEntries(BASIS_WORKER_CSP.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k!, v]));
    expect(directives).toEqual({ 'default-src': ["'none'"], 'script-src': ["'unsafe-eval'", "'wasm-unsafe-eval'"] });
    expect(EXPORT_PAGE_CSP).not.toContain("'unsafe-eval'");
    expect(STUDIO_CSP).not.toContain("'unsafe-eval'");
    expect(EXPORT_PAGE_CSP).toContain("worker-src 'self' blob:");
    expect(STUDIO_CSP).toContain("worker-src 'self' blob:");
  });

  it('the render host serves the worker shell from memory with its policy, three\'s files from node_modules', () => {
    const worker = gltfDecoderFile(`/tok/${BASIS_WORKER_URL_PATH}`);
    expect(worker).toMatchObject({ filePath: null, source: BASIS_WORKER_SOURCE, csp: BASIS_WORKER_CSP, contentType: 'text/javascript; charset=utf-8' });
    expect(worker!.source).toContain(BASIS_WORKER_BOOT);
    const wasm = gltfDecoderFile('/decoders/basis/basis_transcoder.wasm');
    expect(wasm?.filePath).toMatch(/node_modules\/three\/examples\/jsm\/libs\/basis\/basis_transcoder\.wasm$/);
    expect(wasm?.csp).toBeNull();
    expect(gltfDecoderFile('/decoders/../package.json')).toBeNull();
  });
});
