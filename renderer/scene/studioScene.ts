/**
 * The one scene module used by the preview and by export: a portrait loaded as a photo head, posed by motion
 * frames, seen by a camera that can orbit, rendered with WebGL2 (three.js), and read back as RGBA or planar
 * YUV 4:2:0 for the encoder.
 *
 * @remarks Every frame is a pure function of (portrait, motion frame, orbit): nothing reads a clock or an
 * unseeded random generator (DESIGN.md §5). The readback converts to YUV on the GPU (BT.601 limited range, the
 * same matrix ffmpeg's swscale uses for untagged RGB → yuv420p; ITU-R BT.601-7 §2.5), halving the bytes per
 * frame compared with RGBA, and writes rows top-first so the bytes are exactly ffmpeg's `yuv420p` layout.
 */
import * as THREE from 'three';
import type { MotionFrame } from '../../core/motion/track.ts';
import { InvalidInputError } from '../../core/errors.ts';
import { PhotoHead, photoToWorld, type PhotoProjection } from '../head/photoHead.ts';
import { portraitFovDeg, portraitProjection } from './portraitCamera.ts';
import { computeCropRect, faceBoundsFromLandmarks, type CropRectPx, type Framing } from './framing.ts';
import { createAvatarStage, type AvatarStage, type LoadedAvatar } from '../avatars/avatarStage.ts';
import { BackgroundLayer } from '../head/backgroundLayer.ts';
import { backgroundDepthPx } from '../head/surround.ts';
import { personEdgePoints, personEdgeZoom, type PersonEdgePoints } from './personEdgeZoom.ts';
import { computePersonMatte } from '../../core/segment/personMatte.ts';
import { personLayerAlpha } from '../../core/segment/personLayer.ts';
import type { Avatar } from '../avatars/types.ts';

/** Background behind the head: the photo's own, transparent (alpha 0), or a solid colour (`#rrggbb` or 0xRRGGBB). */
export type SceneBackground = 'photo' | 'transparent' | { color: string | number };

/** Options of {@link createStudioScene}. */
export interface StudioSceneOptions {
  /** Output width in pixels. */
  widthPx: number;
  /** Output height in pixels. */
  heightPx: number;
  background: SceneBackground;
  framing: Framing;
  /** Render into an offscreen target and keep the canvas untouched (export). Default false (preview draws to the canvas). */
  offscreen?: boolean;
  /**
   * Mesh avatars' morphs and skinning on the CPU (renderer/avatars/cpuDeform.ts): default (undefined) when the
   * renderer is a software rasteriser; false keeps three's vertex-shader path (benchmarks compare the two).
   */
  avatarCpuDeform?: boolean;
  /**
   * Cheaper materials for mesh avatars (renderer/avatars/softwareShading.ts): default (undefined) when the renderer is
   * a software rasteriser; false keeps the avatar's own materials (benchmarks compare the two).
   */
  avatarSoftwareShading?: boolean;
  /**
   * Splat avatars' static parts (photo plate, body) drawn once per view and cached (renderer/avatars/staticLayer.ts):
   * default (undefined) when `offscreen` and the renderer is a software rasteriser; false draws them every frame. A
   * preview canvas never caches: the cache is drawn on the canvas while Spark sorts, which a page could show.
   */
  avatarStaticLayer?: boolean;
}

/** The portrait as the scene needs it. */
export interface PortraitImage {
  /** `[heightPx, widthPx, 4]` RGBA bytes, sRGB, straight alpha. */
  rgba: Uint8Array;
  widthPx: number;
  heightPx: number;
}

/** The face as the scene needs it (a subset of `FaceLandmarks`). */
export interface PortraitFace {
  /** `[N, 3]` x/y image px, z px relative depth (smaller = closer). */
  landmarksPx: Float32Array;
  /** 478 (with iris) or 468. */
  landmarkCount: number;
  /**
   * The photo's own expression (52 ARKit weights), as the host measured it (pipeline/face/portraitRest.ts); the
   * photo head measures it from `landmarksPx` when absent. Preview and export pass the same one.
   */
  restExpression?: Float32Array;
}

/** What {@link StudioScene.loadPortrait} decided about the view. */
export interface LoadedPortrait {
  /** The photo rectangle the rest camera frames, image px. */
  cropPx: CropRectPx;
  /** Projection used to place the head, see `PhotoProjection`. */
  projection: PhotoProjection;
}

/** Layout of frames read back by {@link StudioScene.readPixels}. */
export type ReadbackFormat = 'rgba' | 'yuv420p' | 'rgbaTopFirst';

/** The scene handle. */
export interface StudioScene {
  /**
   * Builds the head from a portrait; replaces any previous one.
   * @throws InvalidInputError when the landmarks do not fit the image.
   */
  loadPortrait(image: PortraitImage, face: PortraitFace): LoadedPortrait;
  /**
   * Shows an avatar (GLB, splat cloud, LAM head…) instead of the photo head, framed on its rest bounds; replaces
   * any previous avatar and hides the portrait layers. The scene owns the avatar from now on (disposes it).
   * `loadPortrait` afterwards brings the photo head back.
   * @param avatar - from `loadAvatarBytes` (renderer/avatars/loadAvatar.ts) or any {@link Avatar}.
   * @returns the avatar's bounds and camera distance.
   */
  loadAvatar(avatar: Avatar): LoadedAvatar;
  /**
   * Gets the current pose and camera ready to draw: Spark's splat generation and sort for splat avatars (an
   * asynchronous worker job), nothing otherwise. Call after `applyFrame`/`setOrbit` and before `render`, in
   * preview and export alike.
   */
  prepare(): Promise<void>;
  /** Poses the head for a frame (blendshapes, gaze, head pose). */
  applyFrame(frame: MotionFrame): void;
  /** Orbits the camera about the head centre: +yaw moves the camera to the viewer's right, +pitch up; radians. */
  setOrbit(yawRad: number, pitchRad: number): void;
  /** Zooms the photo head's camera (factor > 0: 1 = the framing preset, 2 = twice as close; the field of view narrows). */
  setZoom(zoom: number): void;
  /** Draws the current state (to the canvas, or to the offscreen target when `offscreen`). */
  render(): void;
  /**
   * Draws the photo head into the offscreen target upside down (the projection mirrored in y), so that the target's
   * memory rows are the image rows top-first and `readPixels('rgbaTopFirst')` needs no conversion pass. The image is
   * the mirror of `render()`'s: every material of the photo head is double-sided and none reads screen coordinates.
   * @returns false, drawing nothing, when an avatar is shown or the scene is not offscreen (use `render` and a
   * converting readback then).
   */
  renderTopFirst(): boolean;
  /**
   * Reads the last render back, rows top-first.
   * @param format - `rgba`: `[h, w, 4]`; `yuv420p`: Y plane then U then V (needs width and height multiples of 8 and 2);
   * `rgbaTopFirst`: `[h, w, 4]` read straight from the render target, no conversion pass — only after
   * {@link StudioScene.renderTopFirst} returned true.
   * @returns a new array of `w·h·4` or `w·h·3/2` bytes.
   */
  readPixels(format: ReadbackFormat): Uint8Array;
  /**
   * Starts reading the last render back without waiting for the GPU: the conversion passes and a `readPixels` into
   * a pixel-pack buffer are queued behind the render, then a fence. The caller may draw the next frame before
   * awaiting the result, so the GPU (SwiftShader in Chromium's GPU process) works while the page encodes or sends
   * the previous frame.
   * @param format - as {@link StudioScene.readPixels}.
   * @param spare - arrays the caller is done with: one of the right length is taken from it and filled instead of
   * allocating (a fresh 1 MB array costs page faults that made each read 3.8 ms instead of 0.4 ms at 512²).
   * @returns a promise of the same bytes `readPixels` would return.
   * @throws InvalidInputError as `readPixels`.
   * @remarks WebGL 2 asynchronous readback (Khronos WebGL 2.0 §3.7.10 `getBufferSubData` after `fenceSync`; Chromium
   * then copies from a shadow of the buffer instead of stalling the GPU process). The fence is polled with 1 ms timers.
   */
  readPixelsAsync(format: ReadbackFormat, spare?: Uint8Array[]): Promise<Uint8Array>;
  /** The three.js renderer (for diagnostics and benchmarks). */
  readonly renderer: THREE.WebGLRenderer;
  /** The Spark renderer of the splat avatar shown, if any (for diagnostics and benchmarks). */
  readonly spark: AvatarStage['spark'];
  /** Frees GPU resources. */
  dispose(): void;
}

const FULLSCREEN_VERTEX = /* glsl */ `
void main() { gl_Position = vec4(position.xy, 0.0, 1.0); }`;

/**
 * RGBA packer: output row r (from the bottom of the target, i.e. memory row r) = image row r from the top, straight
 * (un-premultiplied) alpha. The layers blend "over" (SRC_ALPHA, ONE_MINUS_SRC_ALPHA; alpha ONE, ONE_MINUS_SRC_ALPHA)
 * onto a transparent black clear, so the target holds premultiplied colour (Porter & Duff 1984); read as straight
 * alpha it darkened every soft edge by its alpha (a dark fringe on transparent exports, edge luma ≈ 0.5–0.65× the
 * person's beside it). Opaque backgrounds have alpha 1: unchanged.
 */
const PACK_RGBA = /* glsl */ `
precision highp float;
precision highp int;
uniform sampler2D uSrc;
uniform int uH;
void main() {
  ivec2 o = ivec2(gl_FragCoord.xy);
  vec4 p = texelFetch(uSrc, ivec2(o.x, uH - 1 - o.y), 0);
  gl_FragColor = p.a > 0.0 ? vec4(min(p.rgb / p.a, vec3(1.0)), p.a) : vec4(0.0);
}`;

/**
 * The whole I420 frame in one pass (one draw, one render pass: cheaper in SwiftShader than a pass per plane) over a
 * `(W/4) × (3H/2)` RGBA target whose memory rows are, in order, the Y plane then the U plane then the V plane, 4
 * samples per texel, image rows top-first. BT.601 limited range, 8-bit (ITU-R BT.601-7 §2.5):
 * Y = 16 + (65.481 R + 128.553 G + 24.966 B), U = 128 + (−37.797 R − 74.203 G + 112 B),
 * V = 128 + (112 R − 93.786 G − 18.214 B), R,G,B in [0,1]. A chroma sample is the mean of its 2×2 pixel block,
 * taken as one bilinear fetch at the block's centre.
 */
const PACK_YUV = /* glsl */ `
precision highp float;
precision highp int;
uniform sampler2D uSrc;
uniform int uW;
uniform int uH;
float lumaOf(ivec2 p) { vec3 c = texelFetch(uSrc, p, 0).rgb; return (16.0 + 65.481 * c.r + 128.553 * c.g + 24.966 * c.b) / 255.0; }
float chromaAt(vec3 coef, int cx, int cy) {
  vec2 uv = vec2(float(2 * cx + 1) / float(uW), 1.0 - float(2 * cy + 1) / float(uH));
  return (128.0 + dot(coef, texture2D(uSrc, uv).rgb)) / 255.0;
}
void main() {
  ivec2 o = ivec2(gl_FragCoord.xy);
  if (o.y < uH) {
    int y = uH - 1 - o.y;
    int x = o.x * 4;
    gl_FragColor = vec4(lumaOf(ivec2(x, y)), lumaOf(ivec2(x + 1, y)), lumaOf(ivec2(x + 2, y)), lumaOf(ivec2(x + 3, y)));
    return;
  }
  bool isU = o.y < uH + uH / 4;
  vec3 coef = isU ? vec3(-37.797, -74.203, 112.0) : vec3(112.0, -93.786, -18.214);
  int lin = (o.y - (isU ? uH : uH + uH / 4)) * uW + o.x * 4;
  int halfW = uW / 2;
  int cy = lin / halfW;
  int cx = lin - cy * halfW;
  gl_FragColor = vec4(chromaAt(coef, cx, cy), chromaAt(coef, cx + 1, cy), chromaAt(coef, cx + 2, cy), chromaAt(coef, cx + 3, cy));
}`;

/**
 * Creates the scene on a canvas.
 * @param canvas - an HTMLCanvasElement or OffscreenCanvas; resized to `widthPx × heightPx`.
 * @param opts - size, background and framing.
 * @returns the scene handle.
 * @throws InvalidInputError for a non-positive size; Error when WebGL2 is unavailable.
 */
export function createStudioScene(canvas: HTMLCanvasElement | OffscreenCanvas, opts: StudioSceneOptions): StudioScene {
  const W = opts.widthPx;
  const H = opts.heightPx;
  if (!(Number.isInteger(W) && Number.isInteger(H) && W > 0 && H > 0)) throw new InvalidInputError(`Scene size must be positive integers, got ${W}×${H}`);
  const renderer = new THREE.WebGLRenderer({ canvas, antialias: false, alpha: true, stencil: true, premultipliedAlpha: false, preserveDrawingBuffer: false, powerPreference: 'high-performance' });
  renderer.setPixelRatio(1);
  renderer.setSize(W, H, false);
  renderer.autoClear = false;
  renderer.outputColorSpace = THREE.LinearSRGBColorSpace; // shaders write the photo's own sRGB bytes unchanged
  const camera = new THREE.PerspectiveCamera(30, W / H, 0.02, 20);
  const clear = new THREE.Color(0, 0, 0);
  let clearAlpha = 1;
  const bg = opts.background;
  if (bg === 'transparent') clearAlpha = 0;
  else if (typeof bg === 'object') clear.set(bg.color as THREE.ColorRepresentation);
  const target = new THREE.WebGLRenderTarget(W, H, { depthBuffer: true, stencilBuffer: true, type: THREE.UnsignedByteType, format: THREE.RGBAFormat, minFilter: THREE.LinearFilter, magFilter: THREE.LinearFilter, generateMipmaps: false });
  const packScene = new THREE.Scene();
  const packCamera = new THREE.OrthographicCamera(-1, 1, 1, -1, 0, 1);
  const fsGeo = new THREE.BufferGeometry();
  fsGeo.setAttribute('position', new THREE.BufferAttribute(new Float32Array([-1, -1, 0, 3, -1, 0, -1, 3, 0]), 3));
  const packRgba = new THREE.ShaderMaterial({ vertexShader: FULLSCREEN_VERTEX, fragmentShader: PACK_RGBA, uniforms: { uSrc: { value: target.texture }, uH: { value: H } }, depthTest: false, depthWrite: false });
  const packYuv = new THREE.ShaderMaterial({ vertexShader: FULLSCREEN_VERTEX, fragmentShader: PACK_YUV, uniforms: { uSrc: { value: target.texture }, uW: { value: W }, uH: { value: H } }, depthTest: false, depthWrite: false });
  const fsMesh = new THREE.Mesh(fsGeo, packRgba);
  fsMesh.frustumCulled = false;
  packScene.add(fsMesh);
  const canYuv = W % 8 === 0 && H % 4 === 0;
  const rgbaTarget = new THREE.WebGLRenderTarget(W, H, { depthBuffer: false, generateMipmaps: false });
  const yuvTarget = canYuv ? new THREE.WebGLRenderTarget(W / 4, (H * 3) / 2, { depthBuffer: false, generateMipmaps: false }) : null;

  let head: PhotoHead | null = null;
  /** The photo's background with the person removed and filled (only for the `photo` background). */
  let background: BackgroundLayer | null = null;
  let avatarStage: AvatarStage | null = null;
  let texture: THREE.DataTexture | null = null;
  let yaw = 0;
  let pitch = 0;

  // The user's zoom (setZoom) and the photo's border points where the person is cut (see personEdgeZoom.ts).
  let userZoom = 1;
  let personEdges: PersonEdgePoints | null = null;
  const updateCamera = (): void => {
    camera.position.set(0, 0, 0);
    camera.quaternion.identity();
    if (camera.zoom !== userZoom) {
      camera.zoom = userZoom;
      camera.updateProjectionMatrix();
    }
    if (!head) return;
    const rot = new THREE.Quaternion().setFromEuler(new THREE.Euler(pitch, yaw, 0, 'YXZ'));
    const p = head.orbitPivot;
    camera.position.copy(p).negate().applyQuaternion(rot).add(p);
    camera.quaternion.copy(rot);
    camera.updateMatrixWorld(true);
    // Where the orbit's pitch would bring the photo's top border into view across the person (hair cut flat at the
    // top edge), zoom in just enough to keep it out (renderer/scene/personEdgeZoom.ts). Measured at the pitch alone.
    if (personEdges && pitch !== 0) {
      const pitched = camera.clone();
      const rp = new THREE.Quaternion().setFromEuler(new THREE.Euler(pitch, 0, 0, 'YXZ'));
      pitched.position.copy(p).negate().applyQuaternion(rp).add(p);
      pitched.quaternion.copy(rp);
      pitched.updateMatrixWorld(true);
      const z = personEdgeZoom(personEdges, pitched, userZoom);
      if (z > 1) {
        camera.zoom = userZoom * z;
        camera.updateProjectionMatrix();
      }
    }
  };

  const drawLayers = (): void => {
    renderer.setClearColor(clear, clearAlpha);
    if (head && background) {
      // Depth and stencil first: after the canvas was composited, Chromium clears its drawing buffer at the next clear
      // or draw (preserveDrawingBuffer false), and a blit does not trigger that, so a blit first would be wiped.
      renderer.clear(false, true, true);
      copyBackground();
    } else renderer.clear(true, true, true);
    if (!head) return;
    renderer.render(head.surroundLayer, camera);
    renderer.clearDepth();
    renderer.render(head.innerLayer, camera);
    renderer.clearDepth();
    renderer.render(head.faceLayer, camera);
  };

  /**
   * The background plate as drawn from the current camera (cleared, then the plate), kept in a render target and
   * redrawn only when the camera, its projection or the plate changes.
   * @remarks SwiftShader spends most of a plate draw sampling the plate texture (in the studio page at 512², img01:
   * 12–17 ms with the shader, 3.3 ms with a constant colour, machine under load); the plate does not move with the
   * head, so each frame copies the cached pixels (`blitFramebuffer`, NEAREST, same size: an exact copy) instead.
   * The plate writes no depth or stencil, so copying its colour and clearing depth and stencil leaves the same state
   * as clearing everything and drawing it.
   */
  const plateCache = { target: null as THREE.WebGLRenderTarget | null, plate: null as BackgroundLayer | null, matrices: new Float32Array(32) };
  const copyBackground = (): void => {
    const gl = renderer.getContext() as WebGL2RenderingContext;
    const dst = renderer.getRenderTarget();
    const m = plateCache.matrices;
    camera.updateMatrixWorld();
    const now = [...camera.projectionMatrix.elements, ...camera.matrixWorldInverse.elements];
    if (!plateCache.target || plateCache.plate !== background || now.some((v, k) => Math.fround(v) !== m[k])) {
      plateCache.target ??= new THREE.WebGLRenderTarget(W, H, { depthBuffer: false, type: THREE.UnsignedByteType, format: THREE.RGBAFormat, generateMipmaps: false });
      renderer.setRenderTarget(plateCache.target);
      renderer.clear(true, true, true);
      renderer.render(background!.scene, camera);
      renderer.setRenderTarget(dst);
      plateCache.plate = background;
      m.set(now);
    }
    const props = renderer.properties as unknown as { get(o: object): { __webglFramebuffer?: WebGLFramebuffer } };
    const dstFb = dst ? props.get(dst).__webglFramebuffer! : null;
    renderer.state.bindFramebuffer(gl.READ_FRAMEBUFFER, props.get(plateCache.target).__webglFramebuffer!);
    renderer.state.bindFramebuffer(gl.DRAW_FRAMEBUFFER, dstFb);
    gl.blitFramebuffer(0, 0, W, H, 0, 0, W, H, gl.COLOR_BUFFER_BIT, gl.NEAREST);
    // Back to reading the framebuffer drawn to, as binding FRAMEBUFFER (what three.js tracks) would leave it.
    renderer.state.bindFramebuffer(gl.READ_FRAMEBUFFER, dstFb);
  };

  /** Runs the conversion passes for `format`; returns the target to read and its size (RGBA texels) and byte count. */
  const pack = (format: ReadbackFormat): { target: THREE.WebGLRenderTarget; widthPx: number; heightPx: number; bytes: number } => {
    if (!opts.offscreen) throw new InvalidInputError('readPixels needs a scene created with offscreen: true');
    if (format === 'rgbaTopFirst') return { target, widthPx: W, heightPx: H, bytes: W * H * 4 };
    if (format === 'yuv420p') {
      if (!yuvTarget) throw new InvalidInputError(`YUV readback needs a width multiple of 8 and a height multiple of 4, got ${W}×${H}`);
      fsMesh.material = packYuv;
      yuvTarget.viewport.set(0, 0, W / 4, (H * 3) / 2);
      renderer.setRenderTarget(yuvTarget);
      renderer.render(packScene, packCamera);
      return { target: yuvTarget, widthPx: W / 4, heightPx: (H * 3) / 2, bytes: (W * H * 3) / 2 };
    }
    fsMesh.material = packRgba;
    renderer.setRenderTarget(rgbaTarget);
    renderer.render(packScene, packCamera);
    return { target: rgbaTarget, widthPx: W, heightPx: H, bytes: W * H * 4 };
  };
  const pboPool: { buffer: WebGLBuffer; bytes: number }[] = [];
  const FLIP_Y = new THREE.Matrix4().makeScale(1, -1, 1);
  const savedProjection = new THREE.Matrix4();

  return {
    renderer,
    get spark() {
      return avatarStage?.spark ?? null;
    },
    loadPortrait(image, face) {
      if (face.landmarksPx.length < face.landmarkCount * 3 || face.landmarkCount < 468) throw new InvalidInputError(`Face landmarks: expected ≥ 468 points, got ${face.landmarkCount}`);
      if (image.rgba.length !== image.widthPx * image.heightPx * 4) throw new InvalidInputError(`Portrait pixels: expected ${image.widthPx * image.heightPx * 4} bytes, got ${image.rgba.length}`);
      avatarStage?.dispose();
      avatarStage = null;
      head?.dispose();
      background?.dispose();
      background = null;
      texture?.dispose();
      texture = new THREE.DataTexture(image.rgba, image.widthPx, image.heightPx, THREE.RGBAFormat, THREE.UnsignedByteType);
      texture.flipY = false;
      texture.colorSpace = THREE.NoColorSpace;
      texture.magFilter = THREE.LinearFilter;
      texture.wrapS = THREE.MirroredRepeatWrapping;
      texture.wrapT = THREE.MirroredRepeatWrapping;
      const bounds = faceBoundsFromLandmarks(face.landmarksPx);
      const cropPx = computeCropRect(image.widthPx, image.heightPx, bounds, opts.framing, W / H);
      // Mipmaps only when the photo is much larger than the output (the preview with a full-size photo); the render
      // host resamples the photo so the crop maps ~1:1 onto output pixels, where plain bilinear is exact and cheaper.
      const minify = cropPx.heightPx / H > 1.5;
      texture.minFilter = minify ? THREE.LinearMipmapLinearFilter : THREE.LinearFilter;
      texture.generateMipmaps = minify;
      texture.needsUpdate = true;
      const projection = portraitProjection(face.landmarksPx, cropPx);
      camera.fov = portraitFovDeg(projection, cropPx);
      camera.near = projection.distM * 0.1;
      camera.far = projection.distM * 10;
      camera.updateProjectionMatrix();
      const marginX = cropPx.widthPx * 0.5;
      const marginY = cropPx.heightPx * 0.5;
      const matte = computePersonMatte(image.rgba, image.widthPx, image.heightPx, face.landmarksPx, face.landmarkCount);
      const personMatte = { ...matte, alpha: personLayerAlpha(matte.alpha, image.widthPx, image.heightPx, face.landmarksPx, { exact: matte.source === 'photoAlpha', coreBelowCheeks: bg === 'photo', bars: matte.bars }) };
      head = new PhotoHead({
        personMatte,
        texture,
        rgba: image.rgba,
        imageWidthPx: image.widthPx,
        imageHeightPx: image.heightPx,
        landmarksPx: face.landmarksPx,
        landmarkCount: face.landmarkCount,
        ...(face.restExpression ? { restExpression: face.restExpression } : {}),
        projection,
        surroundRegionPx: { xPx: cropPx.xPx - marginX, yPx: cropPx.yPx - marginY, widthPx: cropPx.widthPx + 2 * marginX, heightPx: cropPx.heightPx + 2 * marginY },
      });
      // The photo as layers: the person (matte) on the head-and-shoulders proxy over the filled background plate, so
      // the background stays put while the head turns and nothing behind the person is empty. Other backgrounds
      // show the person alone.
      head.setBackgroundMask(true);
      if (bg === 'photo') {
        background = new BackgroundLayer(image.rgba, image.widthPx, image.heightPx, head.matte.alpha, cropPx, projection, backgroundDepthPx(head.rig.frame), minify);
        head.fitToPlate(background.plate);
      }
      const rest = camera.clone();
      rest.position.set(0, 0, 0);
      rest.quaternion.identity();
      rest.zoom = 1;
      rest.updateProjectionMatrix();
      rest.updateMatrixWorld(true);
      // The border on the person layer's surface: the surround grid's depth at the nearest node (the grid spans the
      // region given to PhotoHead above, nodes evenly spaced).
      const g = head.grid;
      const region = { x: cropPx.xPx - marginX, y: cropPx.yPx - marginY, w: cropPx.widthPx + 2 * marginX, h: cropPx.heightPx + 2 * marginY };
      const toWorld = (xPx: number, yPx: number): [number, number, number] => {
        const i = Math.min(g.cols - 1, Math.max(0, Math.round(((xPx - region.x) / region.w) * (g.cols - 1))));
        const j = Math.min(g.rows - 1, Math.max(0, Math.round(((yPx - region.y) / region.h) * (g.rows - 1))));
        const a: [number, number, number] = [0, 0, 0];
        photoToWorld(projection, xPx, yPx, g.zPx[j * g.cols + i]!, a, 0);
        return a;
      };
      personEdges = personEdgePoints(head.matte.alpha, image.widthPx, image.heightPx, toWorld, rest);
      updateCamera();
      return { cropPx, projection };
    },
    loadAvatar(avatar) {
      avatarStage?.dispose();
      avatarStage = createAvatarStage(renderer, avatar, W / H, { cpuDeform: opts.avatarCpuDeform, softwareShading: opts.avatarSoftwareShading, staticLayer: opts.avatarStaticLayer ?? (opts.offscreen ? undefined : false) });
      avatarStage.setOrbit(yaw, pitch);
      return avatarStage.loaded;
    },
    applyFrame(frame) {
      if (avatarStage) avatarStage.applyFrame(frame);
      else head?.applyFrame(frame);
    },
    setOrbit(yawRad, pitchRad) {
      yaw = yawRad;
      pitch = pitchRad;
      updateCamera();
      avatarStage?.setOrbit(yawRad, pitchRad);
    },
    setZoom(zoom) {
      if (!(zoom > 0)) throw new InvalidInputError(`Zoom must be > 0, got ${zoom}`);
      userZoom = zoom;
      updateCamera();
    },
    prepare() {
      return avatarStage ? avatarStage.prepare() : Promise.resolve();
    },
    render() {
      if (avatarStage) {
        avatarStage.draw(opts.offscreen ? target : null, bg === 'photo' ? null : clear, clearAlpha);
        return;
      }
      renderer.setRenderTarget(opts.offscreen ? target : null);
      drawLayers();
      renderer.setRenderTarget(null);
    },
    renderTopFirst() {
      if (avatarStage || !opts.offscreen || !head) return false;
      savedProjection.copy(camera.projectionMatrix);
      camera.projectionMatrix.premultiply(FLIP_Y);
      camera.projectionMatrixInverse.copy(camera.projectionMatrix).invert();
      try {
        renderer.setRenderTarget(target);
        drawLayers();
        renderer.setRenderTarget(null);
      } finally {
        camera.projectionMatrix.copy(savedProjection);
        camera.projectionMatrixInverse.copy(savedProjection).invert();
      }
      return true;
    },
    readPixels(format) {
      const { target: t, widthPx: w, heightPx: h, bytes } = pack(format);
      const out = new Uint8Array(bytes);
      renderer.readRenderTargetPixels(t, 0, 0, w, h, out);
      renderer.setRenderTarget(null);
      return out;
    },
    async readPixelsAsync(format, spare) {
      const { target: t, widthPx: w, heightPx: h, bytes } = pack(format);
      const gl = renderer.getContext() as WebGL2RenderingContext;
      // Pixel-pack buffers are sized once and reused (Chromium keeps a readback shadow per buffer).
      const pooled = pboPool.findIndex((b) => b.bytes === bytes);
      const entry = pooled >= 0 ? pboPool.splice(pooled, 1)[0]! : { buffer: gl.createBuffer(), bytes };
      const buffer = entry.buffer;
      gl.bindBuffer(gl.PIXEL_PACK_BUFFER, buffer);
      if (pooled < 0) gl.bufferData(gl.PIXEL_PACK_BUFFER, bytes, gl.STREAM_READ);
      renderer.setRenderTarget(t);
      gl.readPixels(0, 0, w, h, gl.RGBA, gl.UNSIGNED_BYTE, 0);
      gl.bindBuffer(gl.PIXEL_PACK_BUFFER, null);
      renderer.setRenderTarget(null);
      const sync = gl.fenceSync(gl.SYNC_GPU_COMMANDS_COMPLETE, 0)!;
      gl.flush();
      try {
        while (gl.clientWaitSync(sync, 0, 0) === gl.TIMEOUT_EXPIRED) await new Promise<void>((r) => setTimeout(r, 1));
      } finally {
        gl.deleteSync(sync);
      }
      const reuse = spare ? spare.findIndex((a) => a.length === bytes) : -1;
      const out = reuse >= 0 ? spare!.splice(reuse, 1)[0]! : new Uint8Array(bytes);
      gl.bindBuffer(gl.PIXEL_PACK_BUFFER, buffer);
      gl.getBufferSubData(gl.PIXEL_PACK_BUFFER, 0, out);
      gl.bindBuffer(gl.PIXEL_PACK_BUFFER, null);
      pboPool.push(entry);
      return out;
    },
    dispose() {
      avatarStage?.dispose();
      avatarStage = null;
      head?.dispose();
      background?.dispose();
      texture?.dispose();
      target.dispose();
      plateCache.target?.dispose();
      rgbaTarget.dispose();
      yuvTarget?.dispose();
      const gl = renderer.getContext() as WebGL2RenderingContext;
      for (const b of pboPool.splice(0)) gl.deleteBuffer(b.buffer);
      packRgba.dispose();
      packYuv.dispose();
      fsGeo.dispose();
      renderer.dispose();
    },
  };
}
