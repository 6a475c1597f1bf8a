/**
 * The viewport's scene: an adapter over the shared scene module (renderer/scene/studioScene.ts, the same one
 * the export renders with) that speaks the UI's types (PortraitInfo, viewport state). Framing and background
 * are creation options of the scene, so changing them rebuilds it on the same canvas.
 */
import type { PortraitInfo } from '../../../core/ipc/contract.ts';
import type { MotionFrame } from '../../../core/motion/track.ts';
import type { ViewportState } from '../../../core/project/schema.ts';
import { createStudioScene, type SceneBackground, type StudioScene } from '../../scene/studioScene.ts';

/** Preview size in pixels (square, like the export). */
export const PREVIEW_SIZE_PX = 512;

/** What the viewport needs from a scene. */
export interface PreviewScene {
  /** Shows a portrait, animating face `faceIndex`. */
  loadPortrait(portrait: PortraitInfo, faceIndex: number): void;
  /** Poses the head for one frame of the motion track. */
  applyFrame(frame: MotionFrame): void;
  /** Applies orbit angles, framing and background. */
  setView(view: ViewportState): void;
  /** Draws the current state. */
  render(): void;
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
  let scene: StudioScene = build();
  let portrait: { info: PortraitInfo; faceIndex: number } | null = null;
  let lastFrame: MotionFrame | null = null;

  function build(): StudioScene {
    const s = createStudioScene(canvas, { widthPx: PREVIEW_SIZE_PX, heightPx: PREVIEW_SIZE_PX, background: sceneBackground(current.background), framing: current.framing });
    s.setOrbit(current.orbitYawRad, current.orbitPitchRad);
    return s;
  }
  function load(): void {
    if (!portrait) return;
    const f = portrait.info.faces[Math.min(portrait.faceIndex, portrait.info.faces.length - 1)]!;
    scene.loadPortrait({ rgba: new Uint8Array(portrait.info.rgba), widthPx: portrait.info.widthPx, heightPx: portrait.info.heightPx }, { landmarksPx: new Float32Array(f.landmarksPx), landmarkCount: f.landmarkCount });
    scene.setOrbit(current.orbitYawRad, current.orbitPitchRad);
    if (lastFrame) scene.applyFrame(lastFrame);
  }
  return {
    loadPortrait(info, faceIndex) {
      portrait = { info, faceIndex };
      load();
    },
    applyFrame(frame) {
      lastFrame = frame;
      scene.applyFrame(frame);
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
    render() {
      scene.render();
    },
    dispose() {
      scene.dispose();
    },
  };
}
