// The benchmark scene of bench/webgpuNode.ts for three.js's WebGPURenderer in plain Node (npm `webgpu`, Dawn).
// Runs as a child process so that LD_LIBRARY_PATH / VK_ICD_FILENAMES (SwiftShader Vulkan) apply to Dawn's loader.
// Prints one JSON line: { renderOnly, renderQueued, renderRead } in frames/s, or { error }.
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
  const { scene, camera, mesh } = buildScene(THREE);
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

/** A 19 800-triangle textured sphere: the same scene as bench/webgpuNode.ts draws in Chromium. */
function buildScene(THREE) {
  const scene = new THREE.Scene();
  const camera = new THREE.PerspectiveCamera(30, W / H, 0.1, 10);
  camera.position.z = 3;
  const tex = new THREE.DataTexture(new Uint8Array(256 * 256 * 4).map((_, i) => (i * 37) & 255), 256, 256);
  tex.needsUpdate = true;
  const mesh = new THREE.Mesh(new THREE.SphereGeometry(0.8, 100, 100), new THREE.MeshBasicMaterial({ map: tex }));
  scene.add(mesh);
  return { scene, camera, mesh };
}
