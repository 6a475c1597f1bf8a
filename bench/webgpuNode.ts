/**
 * Renderer choice benchmark (`npm run bench -- webgpu`, issue 5): the same 19 800-triangle textured scene at 512²
 * rendered by three.js's WebGLRenderer in the headless Chromium of the render host (SwiftShader through ANGLE) and
 * by three.js's WebGPURenderer in plain Node through the npm package `webgpu` (Dawn; SwiftShader's Vulkan driver,
 * the one unpacked from @sparticuz/chromium next to its binary in the private cache). Frames/s of rendering with a wait per frame, with frames
 * queued, and with an RGBA readback per frame.
 * @remarks `webgpu` is not a dependency (≈ 132 MB of binaries for every platform): install it for this run with
 * `npm install --no-save webgpu@0.6.2`; without it the WebGPU column is skipped. Besides speed, WebGPURenderer
 * cannot run the scene's GLSL ShaderMaterials (it needs TSL node materials), so choosing it would mean a second
 * scene code path.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { resolveRenderBrowser } from '../pipeline/render/renderBrowser.ts';
import { ensureBundledChromium } from '../pipeline/render/bundledChromium.ts';
import { chromium } from 'playwright-core';

const SIZE_PX = 512;
const FRAMES = 60;

interface Fps {
  renderOnly: number;
  renderQueued: number;
  renderRead: number;
}

/** The scene in Chromium's WebGL2 (three.js WebGLRenderer). */
async function chromiumFps(): Promise<Fps> {
  const rb = await resolveRenderBrowser();
  const browser = await chromium.launch({ executablePath: rb.executablePath, args: rb.args, chromiumSandbox: rb.sandbox, headless: true });
  try {
    const page = await browser.newPage();
    const threeDir = path.dirname(createRequire(import.meta.url).resolve('three'));
    await page.route('http://bench.local/**', async (route) => {
      const name = path.basename(new URL(route.request().url()).pathname);
      if (name === 'three.module.js' || name === 'three.core.js') return route.fulfill({ path: path.join(threeDir, name), contentType: 'text/javascript' });
      if (name === 'sphereScene.mjs') return route.fulfill({ path: path.join(import.meta.dirname, name), contentType: 'text/javascript' });
      return route.fulfill({ body: '<!doctype html><html><body></body></html>', contentType: 'text/html' });
    });
    await page.goto('http://bench.local/index.html');
    // Plain JavaScript source: tsx would wrap named functions of a TypeScript callback in a `__name` helper the page lacks.
    return (await page.evaluate(`(async () => {
      const W = ${SIZE_PX}, H = ${SIZE_PX}, N = ${FRAMES};
      const THREE = await import('http://bench.local/three.module.js');
      const renderer = new THREE.WebGLRenderer({ canvas: document.createElement('canvas'), antialias: false });
      renderer.setSize(W, H, false);
      const { buildSphereScene } = await import('http://bench.local/sphereScene.mjs');
      const { scene, camera, mesh } = buildSphereScene(THREE, W, H);
      const target = new THREE.WebGLRenderTarget(W, H);
      renderer.setRenderTarget(target);
      const px = new Uint8Array(W * H * 4);
      const fps = (readPx) => {
        const t0 = performance.now();
        for (let i = 0; i < N; i++) {
          mesh.rotation.y = i * 0.05;
          renderer.render(scene, camera);
          if (readPx) renderer.readRenderTargetPixels(target, 0, 0, readPx === 1 ? 1 : W, readPx === 1 ? 1 : H, px);
        }
        if (!readPx) renderer.readRenderTargetPixels(target, 0, 0, 1, 1, px);
        return N / ((performance.now() - t0) / 1000);
      };
      fps(1); // warm-up
      return { renderOnly: fps(1), renderQueued: fps(0), renderRead: fps(2) };
    })()`)) as Fps;
  } finally {
    await browser.close();
  }
}

/** The scene in plain Node through `webgpu` (child process), or why it could not run. */
async function webgpuNodeFps(): Promise<Fps | { error: string }> {
  try {
    createRequire(import.meta.url).resolve('webgpu');
  } catch {
    return { error: 'skipped: the `webgpu` package is not installed (npm install --no-save webgpu@0.6.2)' };
  }
  // Dawn needs a Vulkan loader and driver: SwiftShader's, unpacked by @sparticuz/chromium beside its binary.
  const libDir = path.dirname(await ensureBundledChromium());
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-webgpu-'));
  try {
    const icd = path.join(dir, 'swiftshader_icd.json');
    await writeFile(icd, JSON.stringify({ file_format_version: '1.0.0', ICD: { library_path: path.join(libDir, 'libvk_swiftshader.so'), api_version: '1.1.0' } }));
    const env = { ...process.env, LD_LIBRARY_PATH: [libDir, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':'), VK_ICD_FILENAMES: icd };
    const script = path.join(import.meta.dirname, 'webgpuNodeScene.mjs');
    const { stdout } = await promisify(execFile)(process.execPath, [script, String(SIZE_PX), String(SIZE_PX), String(FRAMES)], { env, timeout: 300_000 });
    return JSON.parse(stdout.trim().split('\n').pop()!) as Fps | { error: string };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Prints Chromium WebGL vs Node WebGPU frames/s on the same scene. */
export async function benchWebgpuNode(): Promise<void> {
  const row = (name: string, f: Fps): string => `${name.padEnd(34)} render-only ${f.renderOnly.toFixed(1).padStart(5)} fps | frames queued ${f.renderQueued.toFixed(1).padStart(5)} fps | with RGBA readback ${f.renderRead.toFixed(1).padStart(5)} fps`;
  process.stdout.write(`19 800-triangle textured sphere at ${SIZE_PX}², ${FRAMES} frames\n`);
  const web = await chromiumFps();
  process.stdout.write(`${row('Chromium WebGL2 (SwiftShader/ANGLE)', web)}\n`);
  const gpu = await webgpuNodeFps();
  if ('error' in gpu) process.stdout.write(`Node WebGPU (Dawn): ${gpu.error}\n`);
  else process.stdout.write(`${row('Node WebGPU (Dawn, SwiftShader VK)', gpu)}\nChromium / Node WebGPU render-only: ${(web.renderOnly / gpu.renderOnly).toFixed(2)}x\n`);
}
