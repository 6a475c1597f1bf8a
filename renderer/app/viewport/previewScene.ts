/**
 * The viewport's scene: an adapter over the shared scene module (renderer/scene, the same one the export
 * renders with) that speaks the UI's types (PortraitInfo, viewport state).
 */
import type { PortraitInfo } from '../../../core/ipc/contract.ts';
import type { FaceLandmarks } from '../../../core/face/types.ts';
import type { MotionFrame } from '../../../core/motion/track.ts';
import type { ViewportState } from '../../../core/project/schema.ts';
import { arkitIndex } from '../../../core/motion/names.ts';

const JAW_OPEN = arkitIndex('jawOpen');

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
 * Converts an imported face to the core landmark type.
 * @param portrait - imported portrait.
 * @param faceIndex - which face (clamped to the faces found).
 * @returns the face as {@link FaceLandmarks}.
 */
export function faceOf(portrait: PortraitInfo, faceIndex: number): FaceLandmarks {
  const f = portrait.faces[Math.min(faceIndex, portrait.faces.length - 1)]!;
  return {
    landmarksPx: new Float32Array(f.landmarksPx),
    landmarkCount: f.landmarkCount,
    boxPx: f.boxPx,
    detectionScore: f.detectionScore,
    meshScore: f.meshScore,
    ...(f.headPose ? { headPose: { ...f.headPose, translationM: [0, 0, 0] as [number, number, number] } } : {}),
  };
}

/**
 * Creates the preview scene on a canvas.
 * @param canvas - the viewport canvas.
 * @returns the scene.
 * @throws Error when WebGL2 is unavailable.
 */
export async function createPreviewScene(canvas: HTMLCanvasElement): Promise<PreviewScene> {
  return createFallbackScene(canvas);
}

/**
 * A 2D stand-in used while no WebGL scene is available: the photo framed on the face, with the jaw opening
 * and the head pose from the motion frame shown as a shift of the crop.
 */
function createFallbackScene(canvas: HTMLCanvasElement): PreviewScene {
  const g = canvas.getContext('2d');
  if (!g) throw new Error('no 2D canvas context');
  let photo: HTMLCanvasElement | null = null;
  let face: FaceLandmarks | null = null;
  let view: ViewportState | null = null;
  let jawOpen = 0;
  let yaw = 0;
  let pitch = 0;
  return {
    loadPortrait(portrait, faceIndex) {
      photo = document.createElement('canvas');
      photo.width = portrait.widthPx;
      photo.height = portrait.heightPx;
      photo.getContext('2d')!.putImageData(new ImageData(new Uint8ClampedArray(portrait.rgba), portrait.widthPx, portrait.heightPx), 0, 0);
      face = faceOf(portrait, faceIndex);
    },
    applyFrame(frame) {
      jawOpen = frame.blendshapes[JAW_OPEN] ?? 0;
      const q = frame.headRotation;
      yaw = 2 * Math.atan2(q[1] ?? 0, q[3] ?? 1);
      pitch = 2 * Math.atan2(q[0] ?? 0, q[3] ?? 1);
    },
    setView(v) {
      view = v;
    },
    render() {
      g.fillStyle = view?.background ?? '#202428';
      g.fillRect(0, 0, canvas.width, canvas.height);
      if (!photo || !face) return;
      const b = face.boxPx;
      const zoom = view?.framing === 'portrait' ? 0 : view?.framing === 'shoulders' ? 1.2 : 0.55;
      const cx = b.xPx + b.widthPx / 2 + yaw * b.widthPx + (view?.orbitYawRad ?? 0) * b.widthPx * 0.3;
      const cy = b.yPx + b.heightPx / 2 - pitch * b.heightPx + (view?.orbitPitchRad ?? 0) * b.heightPx * 0.3;
      const side = zoom === 0 ? Math.max(photo.width, photo.height) : Math.max(b.widthPx, b.heightPx) * (1 + 2 * zoom);
      g.drawImage(photo, cx - side / 2, cy - side / 2, side, side, 0, 0, canvas.width, canvas.height);
      g.fillStyle = 'rgba(20,0,0,0.8)';
      const mouthW = (b.widthPx / side) * canvas.width * 0.35;
      g.fillRect(canvas.width / 2 - mouthW / 2, canvas.height * (0.5 + (b.heightPx / side) * 0.28), mouthW, Math.max(1, jawOpen * mouthW * 0.5));
    },
    dispose() {
      photo = null;
    },
  };
}
