// The benchmark scene of bench/webgpuNode.ts for three.js's WebGPURenderer in plain Node (npm `webgpu`, Dawn).
// Runs as a child process so that LD_LIBRARY_PATH / VK_ICD_FILENAMES (SwiftShader Vulkan) apply to Dawn's loader.
// Prints one JSON line: { renderOnly, renderQueued, renderRead } in frames/s, or { error }.
import { buildSphereScene } from './sphereScene.mjs';

const [W, H, N] = process.argv.slice(2).map(Number);
try {
  const { create, globals } = await import('webgpu');
  Object.assign(globalThis, globals);
  globalThis.navigator = { gpu: create([]), userAgent: 'node' };
  globalThis.self = globalThis;
  globalThis.requestAnimationFrame = (cb) => setTimeout(() => cb(performance.now()), 16);
  globalThis.cancelAnimationFrame = (id) => clearTimeout(id);
  const THREE = await import('three/webgpu');
  // No canvas in Node: the renderer only draws into a render target.
  const canvas = { width: W, height: H, style: {}, addEventListener() {}, removeEventListener() {}, getContext: () => null };
  const renderer = new THREE.WebGPURenderer({ canvas, antialias: false });
  await renderer.init();
  const { scene, camera, mesh } = buildSphereScene(THREE, W, H);
  const target = new THREE.RenderTarget(W, H);
  renderer.setRenderTarget(target);
  const frame = async (i, readPx) => {
    mesh.rotation.y = i * 0.05;
    renderer.render(scene, camera);
    if (readPx) await renderer.readRenderTargetPixelsAsync(target, 0, 0, readPx === 1 ? 1 : W, readPx === 1 ? 1 : H);
  };
  for (let i = 0; i < 5; i++) await frame(i, 1);
  const fps = async (readPx) => {
    const t0 = performance.now();
    for (let i = 0; i < N; i++) await frame(i, readPx);
    if (!readPx) await renderer.readRenderTargetPixelsAsync(target, 0, 0, 1, 1);
    return N / ((performance.now() - t0) / 1000);
  };
  const adapter = await navigator.gpu.requestAdapter();
  const renderOnly = await fps(1);
  const renderQueued = await fps(0);
  const renderRead = await fps(2);
  process.stdout.write(JSON.stringify({ adapter: adapter?.info?.description ?? 'unknown', renderOnly, renderQueued, renderRead }) + '\n');
  process.exit(0);
} catch (err) {
  process.stdout.write(JSON.stringify({ error: String(err?.message ?? err).split('\n')[0] }) + '\n');
  process.exit(0);
}

