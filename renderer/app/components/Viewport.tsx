/**
 * The 3D preview: the same scene module the export renders with, driven by the audio clock
 * (frameIndex = ⌊audioTime × fps⌋), with orbit (drag, soft limits stated under the view), wheel zoom, a reset button
 * (double-click resets too), framing presets and background.
 * The canvas exposes `data-frame-index` and `data-audio-time-sec` so tests can check the sync, and `data-subject`
 * (`portrait`, `avatar`, `loading` or `none`) with `data-drawn-subject` (what the last finished draw showed).
 * An imported avatar replaces the photo head, driven by the same motion track.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { getFrame } from '../../../core/motion/track.ts';
import { useStudio } from '../store.ts';
import { currentTimeSec, isPlaying, togglePlay } from '../playback.ts';
import { createPreviewScene, PREVIEW_SIZE_PX, type PreviewScene } from '../viewport/previewScene.ts';
import { latestLiveFrame, noteLiveFrameDrawn } from '../live/liveSession.ts';
import { dragOrbit, ORBIT_HINT, ORBIT_LIMITS_RAD, wheelZoom } from '../viewport/orbitControls.ts';
import { orbitYawRangeDeg } from '../../../core/jobs/options.ts';
import { estimateHeadPose } from '../../../core/face/headPose.ts';

const FRAMINGS = [
  { id: 'head', label: 'Head' },
  { id: 'upperBody', label: 'Shoulders' },
  { id: 'photo', label: 'Photo' },
] as const;

/**
 * Frame index shown at an audio time.
 * @param timeSec - audio clock in seconds (≥ 0).
 * @param fps - rational frame rate.
 * @param frameCount - frames in the track (≥ 1).
 * @returns ⌊timeSec · num/den⌋ clamped to [0, frameCount − 1].
 */
export function frameIndexAt(timeSec: number, fps: { num: number; den: number }, frameCount: number): number {
  return Math.min(Math.max(0, frameCount - 1), Math.max(0, Math.floor((timeSec * fps.num) / fps.den + 1e-6)));
}

/** The viewport panel. */
export function Viewport(): React.JSX.Element {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const sceneRef = useRef<PreviewScene | null>(null);
  /** Set when the picture must be redrawn (portrait, view or frame changed); the loop draws only then. */
  const dirty = useRef(true);
  const portrait = useStudio((s) => s.portrait);
  const avatar = useStudio((s) => s.avatar);
  const faceIndex = useStudio((s) => s.doc.faceIndex);
  const viewport = useStudio((s) => s.doc.viewport);
  const track = useStudio((s) => s.track);
  const frameIndex = useStudio((s) => s.frameIndex);
  const playing = useStudio((s) => s.playing);
  const edit = useStudio((s) => s.edit);
  const [sceneError, setSceneError] = useState<string | null>(null);
  // A face turned in the photo hides its far side: the camera turns less that way (core/jobs/options.ts orbitYawRangeDeg).
  const yawRangeRad = useMemo((): [number, number] => {
    const f = portrait && !avatar ? portrait.faces[Math.min(faceIndex, portrait.faces.length - 1)] : undefined;
    const pose = f ? estimateHeadPose(new Float32Array(f.landmarksPx), portrait!.widthPx, portrait!.heightPx) : undefined;
    const [lo, hi] = orbitYawRangeDeg(pose?.yawRad ?? 0);
    return [(lo * Math.PI) / 180, (hi * Math.PI) / 180];
  }, [portrait, avatar, faceIndex]);

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    try {
      const s = useStudio.getState();
      const scene = createPreviewScene(canvas, s.doc.viewport);
      sceneRef.current = scene;
      if (s.portrait) scene.loadPortrait(s.portrait, s.doc.faceIndex);
      canvas.dataset.subject = scene.subject;
    } catch (err) {
      setSceneError(`3D preview unavailable: ${(err as Error).message}`);
    }
    return () => {
      sceneRef.current?.dispose();
      sceneRef.current = null;
    };
  }, []);

  useEffect(() => {
    if (!portrait || !sceneRef.current) return;
    try {
      sceneRef.current.loadPortrait(portrait, faceIndex);
      if (canvasRef.current) canvasRef.current.dataset.subject = sceneRef.current.subject;
      dirty.current = true;
      setSceneError(null);
    } catch (err) {
      setSceneError(`This face cannot be shown in 3D: ${(err as Error).message}`);
    }
  }, [portrait, faceIndex]);
  useEffect(() => {
    const scene = sceneRef.current;
    const canvas = canvasRef.current;
    if (!scene || !canvas) return;
    if (!avatar) {
      scene.clearAvatar();
      canvas.dataset.subject = scene.subject;
      dirty.current = true;
      return;
    }
    let live = true;
    canvas.dataset.subject = 'loading';
    scene.loadAvatar(avatar).then(
      () => {
        if (!live) return;
        canvas.dataset.subject = scene.subject;
        dirty.current = true;
        setSceneError(null);
      },
      (err: unknown) => {
        if (!live) return;
        canvas.dataset.subject = scene.subject;
        setSceneError(`This avatar cannot be shown in the preview: ${(err as Error).message}`);
      },
    );
    return () => {
      live = false;
    };
  }, [avatar]);
  useEffect(() => {
    const scene = sceneRef.current;
    if (!scene) return;
    scene.setView(viewport);
    dirty.current = true;
    // a rebuild reloads an avatar asynchronously: draw again once it is back
    if (avatar && scene.subject !== 'avatar') {
      const started = performance.now();
      const poll = (): void => {
        if (sceneRef.current !== scene) return;
        if (scene.subject === 'avatar') {
          dirty.current = true;
          if (canvasRef.current) canvasRef.current.dataset.subject = 'avatar';
        }
        else if (performance.now() - started < 30_000) setTimeout(poll, 50);
      };
      poll();
    }
  }, [viewport]);

  // The render loop: the audio clock picks the frame.
  useEffect(() => {
    let raf = 0;
    let lastIndex = -1;
    let lastLiveIndex = -1;
    dirty.current = true;
    const tick = (): void => {
      raf = requestAnimationFrame(tick);
      const canvas = canvasRef.current;
      const s = useStudio.getState();
      const t = currentTimeSec();
      const fi = s.track ? frameIndexAt(t, s.track.fps, s.track.frameCount) : 0;
      if (canvas) {
        canvas.dataset.frameIndex = String(fi);
        canvas.dataset.audioTimeSec = t.toFixed(3);
      }
      const scene = sceneRef.current;
      // Live mode: the newest frame from the microphone replaces the track's frame.
      const live = latestLiveFrame();
      if (scene) {
        if (live) {
          if (live.frameIndex !== lastLiveIndex) {
            lastLiveIndex = live.frameIndex;
            scene.applyFrame(live);
            dirty.current = true;
          }
        } else if (lastLiveIndex >= 0 || (s.track && fi !== lastIndex)) {
          lastLiveIndex = -1;
          if (s.track) scene.applyFrame(getFrame(s.track, fi));
          dirty.current = true;
        }
        if (dirty.current) {
          dirty.current = false;
          const subject = scene.subject;
          const liveIndex = live?.frameIndex ?? -1;
          scene.render(() => {
            if (canvas) canvas.dataset.drawnSubject = subject;
            if (liveIndex >= 0) noteLiveFrameDrawn(liveIndex);
          });
        }
      }
      if (fi !== lastIndex) {
        lastIndex = fi;
        s.set({ frameIndex: fi });
      }
    };
    raf = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(raf);
  }, [track]);

  const drag = useRef<{ x: number; y: number } | null>(null);
  const [zoom, setZoom] = useState(1);
  useEffect(() => {
    sceneRef.current?.setZoom(zoom);
    dirty.current = true;
  }, [zoom]);
  const resetView = (): void => {
    setZoom(1);
    edit('orbit-reset', (d) => ({ ...d, viewport: { ...d.viewport, orbitYawRad: 0, orbitPitchRad: 0 } }));
  };
  return (
    <section className="panel viewport">
      <canvas
        ref={canvasRef}
        className={`viewport-canvas${viewport.background === 'transparent' ? ' checkerboard' : ''}`}
        data-testid="viewport"
        data-orbit-yaw-deg={((viewport.orbitYawRad * 180) / Math.PI).toFixed(2)}
        data-orbit-pitch-deg={((viewport.orbitPitchRad * 180) / Math.PI).toFixed(2)}
        data-orbit-yaw-range-deg={`${((yawRangeRad[0] * 180) / Math.PI).toFixed(1)},${((yawRangeRad[1] * 180) / Math.PI).toFixed(1)}`}
        data-zoom={zoom.toFixed(3)}
        width={PREVIEW_SIZE_PX}
        height={PREVIEW_SIZE_PX}
        onPointerDown={(e) => {
          drag.current = { x: e.clientX, y: e.clientY };
          e.currentTarget.setPointerCapture(e.pointerId);
        }}
        onPointerMove={(e) => {
          if (!drag.current) return;
          const dx = e.clientX - drag.current.x;
          const dy = e.clientY - drag.current.y;
          drag.current = { x: e.clientX, y: e.clientY };
          edit('orbit', (d) => {
            const o = dragOrbit(d.viewport.orbitYawRad, d.viewport.orbitPitchRad, dx, dy, yawRangeRad);
            return { ...d, viewport: { ...d.viewport, orbitYawRad: o.yawRad, orbitPitchRad: o.pitchRad } };
          });
        }}
        onPointerUp={() => (drag.current = null)}
        onWheel={(e) => setZoom((z) => wheelZoom(z, e.deltaY))}
        onDoubleClick={resetView}
      />
      <div className="viewport-orbit-bar">
        <span className="viewport-orbit-hint" data-testid="orbit-limits">
          {ORBIT_HINT}
          {yawRangeRad[0] > -ORBIT_LIMITS_RAD.yaw + 1e-6 || yawRangeRad[1] < ORBIT_LIMITS_RAD.yaw - 1e-6 ? ` · turned face: ${Math.round((yawRangeRad[0] * 180) / Math.PI)}° to ${Math.round((yawRangeRad[1] * 180) / Math.PI)}°` : ''}
        </span>
        <button data-testid="view-reset" onClick={resetView} title="Back to the front view and the preset's zoom" disabled={zoom === 1 && viewport.orbitYawRad === 0 && viewport.orbitPitchRad === 0}>
          ⟲ Reset view
        </button>
      </div>
      {sceneError ? <div className="inline-error">{sceneError}</div> : null}
      {!portrait && !avatar ? <div className="viewport-hint">Import a portrait or an avatar to see the 3D head</div> : null}
      <div className="viewport-bar">
        <button className="play-toggle" data-testid="play-toggle" onClick={() => void togglePlay()} title="Play/pause (space)">
          {playing && isPlaying() ? '❚❚ Pause' : '▶ Play'}
        </button>
        <span className="frame-counter" data-testid="frame-counter">
          {track ? `frame ${frameIndex + 1}/${track.frameCount}` : 'no audio'}
        </span>
        {FRAMINGS.map((f) => (
          <button key={f.id} className={viewport.framing === f.id ? 'active' : ''} data-testid={`framing-${f.id}`} onClick={() => edit('framing', (d) => ({ ...d, viewport: { ...d.viewport, framing: f.id } }))}>
            {f.label}
          </button>
        ))}
        <label title="Background behind the head">
          Background{' '}
          <select
            value={viewport.background.startsWith('#') ? 'color' : viewport.background}
            data-testid="background-kind"
            onChange={(e) => edit('background', (d) => ({ ...d, viewport: { ...d.viewport, background: e.target.value === 'color' ? '#202428' : e.target.value } }))}
          >
            <option value="photo">photo</option>
            <option value="color">colour</option>
            <option value="transparent">transparent</option>
          </select>
        </label>
        {viewport.background.startsWith('#') ? (
          <input type="color" value={viewport.background} data-testid="background" onChange={(e) => edit('background', (d) => ({ ...d, viewport: { ...d.viewport, background: e.target.value } }))} />
        ) : null}
      </div>
    </section>
  );
}
