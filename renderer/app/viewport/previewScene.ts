/**
 * The viewport's scene: an adapter over the shared scene module (renderer/scene/studioScene.ts, the same one
 * the export renders with) that speaks the UI's types (PortraitInfo, AvatarInfo, viewport state). Framing and
 * background are creation options of the scene, so changing them rebuilds it on the same canvas (and reloads the
 * subject: the photo head, or the avatar from its bytes — the scene owns and disposes a loaded avatar).
 */
import type { AvatarInfo, PortraitInfo } from '../../../core/ipc/contract.ts';
import { loadAvatarBytes } from '../../avatars/loadAvatar.ts';
import { createGltfDecoders, type GltfDecoders } from '../../avatars/gltfDecoders.ts';
import type { MotionFrame } from '../../../core/motion/track.ts';
import type { ViewportState } from '../../../core/project/schema.ts';
import { createStudioScene, type SceneBackground, type StudioScene } from '../../scene/studioScene.ts';

/** Preview size in pixels (square, like the export). */
export const PREVIEW_SIZE_PX = 512;

/** What the viewport needs from a scene. */
export interface PreviewScene {
  /** Shows a portrait, animating face `faceIndex` (the photo head replaces any avatar). */
  loadPortrait(portrait: PortraitInfo, faceIndex: number): void;
  /**
   * Shows an avatar instead of the photo head (loaded from its bytes in this page).
   * @returns a promise resolved once the avatar is in the scene (or superseded by a newer load).
   * @throws (rejects) the loader's StudioError (SplatFormatError, AvatarPackageError) for bytes it cannot read.
   */
  loadAvatar(avatar: AvatarInfo): Promise<void>;
  /** Goes back from the avatar to the portrait last given to `loadPortrait` (or an empty scene). */
  clearAvatar(): void;
  /** What the scene shows now: `avatar` once an avatar is loaded, `portrait`, or `none`. */
  readonly subject: 'avatar' | 'portrait' | 'none';
  /** Poses the head for one frame of the motion track. */
  applyFrame(frame: MotionFrame): void;
  /** Applies orbit angles, framing and background. */
  setView(view: ViewportState): void;
  /** Zooms the camera (1 = the framing preset; kept across rebuilds). */
  setZoom(zoom: number): void;
  /**
   * Draws the current state. A splat avatar first needs an asynchronous sort (`prepare`), so its draw lands a
   * little later; a request during one is coalesced into one more draw.
   * @param onDrawn - called after the picture is on the canvas.
   */
  render(onDrawn?: () => void): void;
  /** Releases the GPU resources. */
  dispose(): void;
}

/**
 * Scene background for a viewport background value.
 * @param background - `photo`, `transparent` or `#rrggbb`.
 * @returns the scene's background option.
 */
export function sceneBackground(background: string): SceneBackground {
  if (background === 'photo' || background === 'transparent') return background;
  return { color: background };
}

/**
 * Creates the preview scene on a canvas.
 * @param canvas - the viewport canvas.
 * @param view - initial framing, background and orbit.
 * @returns the scene.
 * @throws Error when WebGL2 is unavailable.
 */
export function createPreviewScene(canvas: HTMLCanvasElement, view: ViewportState): PreviewScene {
  let current: ViewportState = view;
  let zoom = 1;
  let scene: StudioScene = build();
  let portrait: { info: PortraitInfo; faceIndex: number } | null = null;
  let avatarInfo: AvatarInfo | null = null;
  /** True once the avatar of `avatarInfo` is in the current scene. */
  let avatarShown = false;
  /** Bumped by every subject change and rebuild, so a slow avatar load that was superseded is dropped. */
  let generation = 0;
  let lastFrame: MotionFrame | null = null;
  let drawing = false;
  let drawAgain: (() => void) | null = null;
  let disposed = false;
  /** Compressed-glTF decoders (workers), made at the first avatar load; the GPU formats come from the canvas's renderer. */
  let decoders: GltfDecoders | null = null;

  function build(): StudioScene {
    const s = createStudioScene(canvas, { widthPx: PREVIEW_SIZE_PX, heightPx: PREVIEW_SIZE_PX, background: sceneBackground(current.background), framing: current.framing });
    s.setOrbit(current.orbitYawRad, current.orbitPitchRad);
    s.setZoom(zoom);
    return s;
  }
  async function loadAvatarInto(info: AvatarInfo): Promise<void> {
    const gen = ++generation;
    avatarShown = false;
    decoders ??= createGltfDecoders({ renderer: scene.renderer });
    const loaded = await loadAvatarBytes(info.kind, new Uint8Array(info.bytes), info.fileName, { decoders });
    if (gen !== generation || disposed) {
      loaded.avatar.dispose();
      return;
    }
    scene.loadAvatar(loaded.avatar);
    scene.setOrbit(current.orbitYawRad, current.orbitPitchRad);
    if (lastFrame) scene.applyFrame(lastFrame);
    avatarShown = true;
  }
  function load(): void {
    if (avatarInfo) {
      void loadAvatarInto(avatarInfo).catch(() => {
        // reported by the loadAvatar call that asked for it; a rebuild's reload failing leaves the scene empty
      });
      return;
    }
    generation++;
    avatarShown = false;
    if (!portrait) return;
    const f = portrait.info.faces[Math.min(portrait.faceIndex, portrait.info.faces.length - 1)]!;
    scene.loadPortrait({ rgba: new Uint8Array(portrait.info.rgba), widthPx: portrait.info.widthPx, heightPx: portrait.info.heightPx }, { landmarksPx: new Float32Array(f.landmarksPx), landmarkCount: f.landmarkCount, ...(f.restExpression ? { restExpression: Float32Array.from(f.restExpression) } : {}) });
    scene.setOrbit(current.orbitYawRad, current.orbitPitchRad);
    if (lastFrame) scene.applyFrame(lastFrame);
  }
  return {
    get subject() {
      return avatarShown ? 'avatar' : !avatarInfo && portrait ? 'portrait' : 'none';
    },
    loadPortrait(info, faceIndex) {
      portrait = { info, faceIndex };
      if (!avatarInfo) load();
    },
    async loadAvatar(info) {
      avatarInfo = info;
      await loadAvatarInto(info);
    },
    clearAvatar() {
      if (!avatarInfo) return;
      avatarInfo = null;
      // the scene owns the avatar: rebuilding frees it and brings the photo layers back
      scene.dispose();
      scene = build();
      load();
    },
    applyFrame(frame) {
      lastFrame = frame;
      scene.applyFrame(frame);
    },
    setZoom(next) {
      zoom = next;
      scene.setZoom(next);
    },
    setView(next) {
      const rebuild = next.framing !== current.framing || next.background !== current.background;
      current = next;
      if (rebuild) {
        scene.dispose();
        scene = build();
        load();
      } else scene.setOrbit(next.orbitYawRad, next.orbitPitchRad);
    },
    render(onDrawn) {
      if (!avatarShown) {
        scene.render();
        onDrawn?.();
        return;
      }
      if (drawing) {
        drawAgain = onDrawn ?? (() => {});
        return;
      }
      drawing = true;
      const s = scene;
      void s
        .prepare()
        .then(() => {
          if (s === scene && !disposed) {
            s.render();
            onDrawn?.();
          }
        })
        .catch(() => {})
        .finally(() => {
          drawing = false;
          const again = drawAgain;
          drawAgain = null;
          if (again && !disposed) this.render(again);
        });
    },
    dispose() {
      disposed = true;
      generation++;
      scene.dispose();
      decoders?.dispose();
      decoders = null;
    },
  };
}
