// Builds the studio UI (renderer/index.html → dist/renderer). Relative asset paths so the same build loads
// from the web host (http://127.0.0.1) and from Electron (app://studio).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { defineConfig, type Plugin } from 'vite';
import { GLTF_DECODER_FILES } from './core/formats/gltfExtensions.ts';

const require = createRequire(import.meta.url);

/** Copies three's Draco and Basis decoder files (and our Basis worker shell) into the build (`decoders/…`), so avatars decode same-origin. */
function gltfDecoderFiles(): Plugin {
  return {
    name: 'avatar-studio-gltf-decoders',
    generateBundle() {
      for (const f of GLTF_DECODER_FILES) this.emitFile({ type: 'asset', fileName: f.urlPath, source: f.packagePath ? readFileSync(require.resolve(f.packagePath)) : (f.source ?? '') });
    },
  };
}

export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [gltfDecoderFiles()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    target: 'chrome120',
    sourcemap: true,
    chunkSizeWarningLimit: 4000,
  },
});
