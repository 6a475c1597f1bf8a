/**
 * The avatar half of the shared studio scene (renderer/scene/studioScene.ts): one {@link Avatar} (GLB, splat
 * cloud, LAM head…) in its own three.js scene with lights, an auto-framed camera that orbits like the photo
 * head's, and Spark's deterministic prepare step for splat avatars.
 *
 * @remarks Colour: avatars are drawn with sRGB output encoding (three.js `SRGBColorSpace`), the way a
 * three.js/Spark viewer shows them. Spark blends splats in sRGB space only when the output is sRGB
 * (`SparkRenderer.onBeforeRender` sets `encodeLinear` otherwise; 3DGS colours are fitted in sRGB space), and
 * three.js (r187 `WebGLRenderer.setProgram`) encodes to the output colour space only when drawing to the canvas,
 * never into a plain render target. So the stage always draws to the canvas's drawing buffer and, for export,
 * copies it into the scene's offscreen target (`copyFramebufferToTexture`), where the YUV/RGBA packers read it.
 */
import * as THREE from 'three';
import type { MotionFrame } from '../../core/motion/track.ts';
import { frameBox } from './framing.ts';
import { isSoftwareRenderer } from './cpuDeform.ts';
import { NORMAL_MAP_MAX_OUTPUT_PX, useSoftwareShading } from './softwareShading.ts';
import { createSplatLayer, type SplatLayer } from './sparkHost.ts';
import { StaticLayer } from './staticLayer.ts';
import type { Avatar } from './types.ts';

/** Vertical field of view of the avatar camera, degrees (a portrait lens: ≈ 85 mm on full frame). */
export const AVATAR_FOV_DEG = 30;
/** Fraction of the view height the avatar's rest bounds fill. */
export const AVATAR_FILL = 0.8;
/** Backdrop behind an avatar when the background is `photo` (there is no photo): linear RGB (0.1, 0.1, 0.12) = sRGB #595961. */
export const AVATAR_BACKDROP_LINEAR: readonly [number, number, number] = [0.1, 0.1, 0.12];

/** What the stage decided about the view. */
export interface LoadedAvatar {
  kind: Avatar['kind'];
  /** Rest bounds in world metres. */
  boxMinM: [number, number, number];
  boxMaxM: [number, number, number];
  /** Camera distance from the framed box's centre at rest (the head of a body avatar, else the bounds), metres. */
  distanceM: number;
}

/** The stage handle (owned by the studio scene). */
export interface AvatarStage {
  readonly avatar: Avatar;
  readonly loaded: LoadedAvatar;
  /** The Spark renderer of a splat avatar (for diagnostics and benchmarks), null for mesh avatars. */
  readonly spark: SplatLayer['spark'] | null;
  /** Orbits the camera about the framed box's centre: +yaw to the viewer's right, +pitch as the photo head's; radians. */
  setOrbit(yawRad: number, pitchRad: number): void;
  /** Poses the avatar (blendshapes, visemes, head pose, gaze). */
  applyFrame(frame: MotionFrame): void;
  /** Spark generate + sort for the current pose and camera (resolves at once for mesh avatars). */
  prepare(): Promise<void>;
  /**
   * Draws the avatar to the canvas with sRGB output, then copies the picture into `target` when given.
   * @param target - the scene's offscreen target (export), or null (preview: the canvas is the output).
   * @param clear - background colour (linear working space, as three.js colours are); null for the backdrop.
   * @param clearAlpha - 0 for a transparent background, else 1.
   */
  draw(target: THREE.WebGLRenderTarget | null, clear: THREE.Color | null, clearAlpha: number): void;
  /** Disposes the avatar, the Spark layer and the lights. */
  dispose(): void;
}

/**
 * Puts an avatar on a stage for the studio scene.
 * @param renderer - the scene's renderer (the stage draws with it, and restores its output colour space).
 * @param avatar - the avatar; the stage owns it from now on.
 * @param aspect - output width / height.
 * @param opts - `cpuDeform`: deform mesh avatars on the CPU; `softwareShading`: Lambert stand-ins for rough dielectric
 * materials (renderer/avatars/softwareShading.ts; without normal maps when the drawing buffer is at most
 * `NORMAL_MAP_MAX_OUTPUT_PX`); `staticLayer`: draw a splat avatar's {@link Avatar.staticParts} once per view
 * (renderer/avatars/staticLayer.ts). Each defaults to whether the renderer is a software rasteriser.
 * @returns the stage, camera framed on the avatar's head (`focusBox`, body avatars) or its rest bounds.
 */
export function createAvatarStage(renderer: THREE.WebGLRenderer, avatar: Avatar, aspect: number, opts: { cpuDeform?: boolean | undefined; softwareShading?: boolean | undefined; staticLayer?: boolean | undefined } = {}): AvatarStage {
  const scene = new THREE.Scene();
  const camera = new THREE.PerspectiveCamera(AVATAR_FOV_DEG, aspect, 0.01, 100);
  // Lights for lit GLB materials (splats ignore them): sky/ground fill plus a key light above-right-front.
  const hemi = new THREE.HemisphereLight(0xffffff, 0x444444, 1.5);
  const key = new THREE.DirectionalLight(0xffffff, 2);
  key.position.set(0.5, 1, 2);
  scene.add(hemi, key);
  const layer: SplatLayer | null = avatar.needsSpark ? createSplatLayer(renderer, scene, avatar.splatFalloffPower === undefined ? {} : { falloffPower: avatar.splatFalloffPower }) : null;
  if (layer && avatar.splatMaxStdDev !== undefined) layer.spark.maxStdDev = avatar.splatMaxStdDev;
  if (layer && avatar.splatBlurPx2 !== undefined) layer.spark.blurAmount = avatar.splatBlurPx2;
  scene.add(avatar.object3D);
  scene.updateMatrixWorld(true);
  // Software rasteriser (SwiftShader: headless export, no GPU): morphs and skinning are faster on the CPU.
  const software = isSoftwareRenderer(renderer);
  if (avatar.deformOnCpu && (opts.cpuDeform ?? software)) avatar.deformOnCpu();
  // A software rasteriser draws a splat avatar's static parts (plate, body) once per view (renderer/avatars/staticLayer.ts).
  const staticParts = layer && (opts.staticLayer ?? software) ? (avatar.staticParts?.() ?? []) : [];
  const staticLayer = staticParts.length ? new StaticLayer(renderer, avatar, staticParts) : null;
  staticLayer?.showParts(false);
  // There the fragment shader is most of a frame: rough dielectrics lose their faint GGX lobe (bench/avatar.ts).
  const outputPx = renderer.getDrawingBufferSize(new THREE.Vector2());
  const dropNormalMaps = Math.max(outputPx.x, outputPx.y) <= NORMAL_MAP_MAX_OUTPUT_PX;
  const replacedMaterials = !avatar.needsSpark && (opts.softwareShading ?? software) ? useSoftwareShading(avatar.object3D, { dropNormalMaps }) : [];
  const bounds = avatar.boundingBox();
  const view = avatar.restView?.() ?? null;
  // A body avatar is framed on its head (a talking head), anything else on its whole bounds; an avatar made from one
  // photo is seen from the photo's own camera (the world origin), orbiting about its head as the mesh photo head.
  const box = avatar.focusBox?.() ?? bounds;
  const center = view ? view.orbitPivotM.clone() : box.getCenter(new THREE.Vector3());
  let distanceM: number;
  if (view) {
    camera.fov = view.fovDeg;
    camera.near = view.nearM;
    camera.far = view.farM;
    camera.updateProjectionMatrix();
    distanceM = center.length();
  } else distanceM = frameBox(camera, box, { fill: AVATAR_FILL });
  const backdrop = new THREE.Color().setRGB(...AVATAR_BACKDROP_LINEAR);
  const rot = new THREE.Quaternion();
  const euler = new THREE.Euler();
  const setOrbit = (yawRad: number, pitchRad: number): void => {
    rot.setFromEuler(euler.set(pitchRad, yawRad, 0, 'YXZ'));
    if (view) camera.position.copy(center).negate().applyQuaternion(rot).add(center);
    else camera.position.set(0, 0, distanceM).applyQuaternion(rot).add(center);
    camera.quaternion.copy(rot);
    camera.updateMatrixWorld(true);
  };
  setOrbit(0, 0);
  let copyReady = false;
  return {
    avatar,
    loaded: { kind: avatar.kind, boxMinM: bounds.min.toArray(), boxMaxM: bounds.max.toArray(), distanceM },
    spark: layer?.spark ?? null,
    setOrbit,
    applyFrame(frame) {
      avatar.applyFrame(frame);
    },
    async prepare() {
      if (!layer) return;
      if (staticLayer && !staticLayer.isCurrent(camera)) {
        const moving = avatar.object3D.children.filter((c) => c.visible && !staticParts.includes(c));
        for (const c of moving) c.visible = false;
        staticLayer.showParts(true);
        try {
          await layer.prepare(scene, camera);
          staticLayer.capture(scene, camera);
        } finally {
          staticLayer.showParts(false);
          for (const c of moving) c.visible = true;
        }
      }
      if (avatar.prepareForView) {
        camera.updateMatrixWorld();
        avatar.prepareForView(camera);
      }
      await layer.prepare(scene, camera);
    },
    draw(target, clear, clearAlpha) {
      const prevSpace = renderer.outputColorSpace;
      renderer.setRenderTarget(null);
      renderer.outputColorSpace = THREE.SRGBColorSpace;
      try {
        renderer.setClearColor(clear ?? backdrop, clearAlpha);
        renderer.clear(true, true, true);
        staticLayer?.drawUnder();
        renderer.render(scene, camera);
      } finally {
        renderer.outputColorSpace = prevSpace;
      }
      if (target) {
        if (!copyReady) {
          renderer.initRenderTarget(target);
          copyReady = true;
        }
        renderer.copyFramebufferToTexture(target.texture);
      }
    },
    dispose() {
      scene.remove(avatar.object3D);
      avatar.dispose();
      for (const m of replacedMaterials) m.dispose();
      layer?.dispose();
      staticLayer?.dispose();
      hemi.dispose();
      key.dispose();
    },
  };
}
