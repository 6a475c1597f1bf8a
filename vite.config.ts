// Builds the studio UI (renderer/index.html → dist/renderer). Relative asset paths so the same build loads
// from the web host (http://127.0.0.1) and from Electron (app://studio).
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'renderer',
  base: './',
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    target: 'chrome120',
    sourcemap: true,
    chunkSizeWarningLimit: 4000,
  },
});
