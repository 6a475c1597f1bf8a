/**
 * Browser entry of the splat benchmark page: a minimal stand-alone scene (camera, lights, Spark layer) that
 * loads one avatar or a synthetic cloud and times Spark's generate/sort/draw per frame, with a hook on the sort
 * worker. Used only by `bench/splat.ts` through `pipeline/avatars/avatarRenderHarness.ts`; products and tests
 * render avatars through the shared scene and render host (renderer/scene/studioScene.ts,
 * pipeline/render/renderHost.ts).
 *
 * Exposes `window.avatarPage` (see {@link AvatarPageApi}); binary data crosses as base64 strings.
 */
import * as THREE from 'three';
import type { SplatMesh } from '@sparkjsdev/spark';
import { allocSplatData } from '../../core/formats/splatData.ts';
import { ARKIT_BLENDSHAPE_COUNT, OVR_VISEME_COUNT } from '../../core/motion/names.ts';
import type { MotionFrame } from '../../core/motion/track.ts';
import { frameBox } from './framing.ts';
import { loadAvatarBytes, plainStudioError } from './loadAvatar.ts';
import { createSplatLayer, type SplatLayer } from './sparkHost.ts';
import { createSplatAvatar } from './splatAvatar.ts';
import type { Avatar } from './types.ts';
import { createRng } from '../../core/motion/random.ts';

/** A motion frame as plain arrays (what crosses from Node). */
export interface PlainFrame {
  blendshapes?: number[];
  visemes?: number[];
  headRotation?: number[];
  headTranslationM?: number[];
  gazeRad?: number[];
}

/** Result of loading an avatar. */
export interface LoadedAvatarInfo {
  kind: Avatar['kind'];
  boxMin: number[];
  boxMax: number[];
  /** Gaussians (splat/LAM) or 0. */
  splatCount: number;
  /** Extra facts (GLB channel counts…). */
  info: Record<string, unknown>;
}

/** Error thrown back to Node: StudioError code + message. */
export interface PageError {
  error: { code: string; message: string; name: string };
}

/** The page API. */
export interface AvatarPageApi {
  init(widthPx: number, heightPx: number, background: number[]): void;
  loadAvatar(kind: 'splatFile' | 'glb' | 'lam', base64: string, fileName: string): Promise<LoadedAvatarInfo | PageError>;
  /** Renders one frame; returns top-down RGBA pixels as base64, and the time spent preparing/sorting and drawing. */
  renderFrame(frame: PlainFrame): Promise<{ rgbaBase64: string; prepareMs: number; drawMs: number }>;
  /** Synthetic N-splat scene for the benchmark; returns timings in milliseconds. */
  benchSynthetic(splatCount: number, frames: number, seed: number): Promise<Record<string, number>>;
  dispose(): void;
}

let renderer: THREE.WebGLRenderer | null = null;
let scene: THREE.Scene | null = null;
let camera: THREE.PerspectiveCamera | null = null;
let layer: SplatLayer | null = null;
let avatar: Avatar | null = null;
let width = 0, height = 0;

function fromBase64(b64: string): Uint8Array {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}
function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function toFrame(p: PlainFrame): MotionFrame {
  const f = (arr: number[] | undefined, n: number, def?: number[]): Float32Array => {
    const out = new Float32Array(n);
    if (def) out.set(def);
    if (arr) out.set(arr.slice(0, n));
    return out;
  };
  return { frameIndex: 0, blendshapes: f(p.blendshapes, ARKIT_BLENDSHAPE_COUNT), visemes: f(p.visemes, OVR_VISEME_COUNT), headRotation: f(p.headRotation, 4, [0, 0, 0, 1]), headTranslationM: f(p.headTranslationM, 3), gazeRad: f(p.gazeRad, 4) };
}

function setAvatar(a: Avatar): void {
  if (!scene || !camera) throw new Error('avatarPage.init first');
  if (avatar) {
    scene.remove(avatar.object3D);
    avatar.dispose();
  }
  avatar = a;
  scene.add(a.object3D);
  scene.updateMatrixWorld(true);
  frameBox(camera, a.boundingBox(), { fill: 0.8 });
}

async function drawFrame(): Promise<{ prepareMs: number; drawMs: number }> {
  const t0 = performance.now();
  if (layer) await layer.prepare(scene!, camera!);
  const t1 = performance.now();
  renderer!.render(scene!, camera!);
  const gl = renderer!.getContext();
  const px = new Uint8Array(4);
  gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, px); // forces the GPU to finish
  return { prepareMs: t1 - t0, drawMs: performance.now() - t1 };
}

const api: AvatarPageApi = {
  init(widthPx, heightPx, background) {
    width = widthPx;
    height = heightPx;
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    document.body.appendChild(canvas);
    renderer = new THREE.WebGLRenderer({ canvas, antialias: false, preserveDrawingBuffer: true, alpha: true });
    renderer.setPixelRatio(1);
    renderer.setSize(width, height, false);
    renderer.setClearColor(new THREE.Color(background[0] ?? 0, background[1] ?? 0, background[2] ?? 0), background[3] ?? 1);
    scene = new THREE.Scene();
    camera = new THREE.PerspectiveCamera(30, width / height, 0.01, 100);
    scene.add(new THREE.HemisphereLight(0xffffff, 0x444444, 1.5));
    const key = new THREE.DirectionalLight(0xffffff, 2);
    key.position.set(0.5, 1, 2);
    scene.add(key);
    layer = createSplatLayer(renderer, scene);
  },
  async loadAvatar(kind, base64, fileName) {
    try {
      const { avatar: a, splatCount, info } = await loadAvatarBytes(kind, fromBase64(base64), fileName);
      setAvatar(a);
      const box = a.boundingBox();
      return { kind: a.kind, boxMin: box.min.toArray(), boxMax: box.max.toArray(), splatCount, info };
    } catch (err) {
      return { error: plainStudioError(err) };
    }
  },
  async renderFrame(frame) {
    if (!avatar) throw new Error('no avatar loaded');
    avatar.applyFrame(toFrame(frame));
    const t = await drawFrame();
    const gl = renderer!.getContext();
    const rgba = new Uint8Array(width * height * 4);
    gl.readPixels(0, 0, width, height, gl.RGBA, gl.UNSIGNED_BYTE, rgba);
    const flipped = new Uint8Array(rgba.length);
    const row = width * 4;
    for (let y = 0; y < height; y++) flipped.set(rgba.subarray((height - 1 - y) * row, (height - y) * row), y * row);
    return { rgbaBase64: toBase64(flipped), ...t };
  },
  async benchSynthetic(splatCount, frames, seed) {
    // Deterministic cloud: a noisy sphere shell of radius 1 m.
    const rand = createRng(seed).next;
    const tBuild0 = performance.now();
    const d = allocSplatData(splatCount, 'three');
    for (let i = 0; i < splatCount; i++) {
      const u = rand() * 2 - 1, phi = rand() * 2 * Math.PI, r = 1 + 0.05 * (rand() - 0.5);
      const k = Math.sqrt(1 - u * u);
      d.positions.set([r * k * Math.cos(phi), r * u, r * k * Math.sin(phi)], i * 3);
      d.scales.set([0.004 + 0.004 * rand(), 0.004 + 0.004 * rand(), 0.001], i * 3);
      d.colors.set([rand(), rand(), rand()], i * 3);
      d.opacities[i] = 0.5 + 0.5 * rand();
    }
    const a = await createSplatAvatar(d, 0);
    const buildMs = performance.now() - tBuild0;
    setAvatar(a);
    const spark = layer!.spark;
    const sortTimes: number[] = [];
    const prepTimes: number[] = [];
    const drawTimes: number[] = [];
    // Orbit the camera so every frame needs a fresh sort.
    const target = new THREE.Vector3();
    const dist = camera!.position.length();
    for (let f = 0; f < frames; f++) {
      const ang = (f / Math.max(1, frames)) * Math.PI * 0.5;
      camera!.position.set(Math.sin(ang) * dist, 0.2, Math.cos(ang) * dist);
      camera!.lookAt(target);
      camera!.updateMatrixWorld(true);
      const worker = spark.sortWorker;
      let sortMs = NaN;
      if (worker) {
        const orig = worker.call.bind(worker);
        worker.call = (async (name: string, args: unknown) => {
          const t0 = performance.now();
          const r = await orig(name as never, args as never);
          if (name === 'sortSplats32') sortMs = performance.now() - t0;
          return r;
        }) as typeof worker.call;
        const t = await drawFrame();
        worker.call = orig;
        prepTimes.push(t.prepareMs);
        drawTimes.push(t.drawMs);
        sortTimes.push(sortMs);
      } else {
        const t = await drawFrame();
        prepTimes.push(t.prepareMs);
        drawTimes.push(t.drawMs);
      }
    }
    const median = (xs: number[]): number => {
      const v = xs.filter((x) => Number.isFinite(x)).sort((p, q) => p - q);
      return v.length ? v[Math.floor(v.length / 2)]! : NaN;
    };
    return {
      splatCount: (a.mesh as SplatMesh).numSplats,
      buildMs,
      firstFrameMs: (prepTimes[0] ?? NaN) + (drawTimes[0] ?? NaN),
      medianPrepareMs: median(prepTimes.slice(1)),
      medianSortWorkerMs: median(sortTimes.slice(1)),
      medianDrawMs: median(drawTimes.slice(1)),
      medianFrameMs: median(prepTimes.slice(1).map((p, i) => p + drawTimes[i + 1]!)),
    };
  },
  dispose() {
    if (avatar) {
      scene?.remove(avatar.object3D);
      avatar.dispose();
      avatar = null;
    }
    layer?.dispose();
    layer = null;
    renderer?.dispose();
    renderer = null;
  },
};

(globalThis as unknown as { avatarPage: AvatarPageApi }).avatarPage = api;
