// The renderer-choice benchmark scene (bench/webgpuNode.ts), one definition for both sides: imported by the Node
// WebGPU child (bench/webgpuNodeScene.mjs) and served to the Chromium page.
/**
 * A 19 800-triangle textured sphere (100×100 segments, 256² procedural texture) seen by a 30° camera at z = 3.
 * @param THREE - the three.js module (`three` or `three/webgpu`).
 * @param W - width px. @param H - height px.
 * @returns the scene, the camera and the mesh (rotate it per frame).
 */
export function buildSphereScene(THREE, W, H) {
  const scene = new THREE.Scene();
  const camera = new THREE.PerspectiveCamera(30, W / H, 0.1, 10);
  camera.position.z = 3;
  const tex = new THREE.DataTexture(new Uint8Array(256 * 256 * 4).map((_, i) => (i * 37) & 255), 256, 256);
  tex.needsUpdate = true;
  const mesh = new THREE.Mesh(new THREE.SphereGeometry(0.8, 100, 100), new THREE.MeshBasicMaterial({ map: tex }));
  scene.add(mesh);
  return { scene, camera, mesh };
}
