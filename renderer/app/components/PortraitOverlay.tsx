/**
 * The photo with the detected landmarks drawn on it; when several faces were found, each is boxed and
 * clicking one (or its button) chooses the face to animate.
 */
import { useEffect, useMemo, useRef } from 'react';
import { useStudio } from '../store.ts';

const MAX_SIDE_PX = 360;

/** Landmark overlay of the imported portrait. */
export function PortraitOverlay(): React.JSX.Element | null {
  const portrait = useStudio((s) => s.portrait);
  const faceIndex = useStudio((s) => s.doc.faceIndex);
  const edit = useStudio((s) => s.edit);
  const ref = useRef<HTMLCanvasElement>(null);
  const bitmap = useMemo(() => {
    if (!portrait) return null;
    const c = document.createElement('canvas');
    c.width = portrait.widthPx;
    c.height = portrait.heightPx;
    c.getContext('2d')!.putImageData(new ImageData(new Uint8ClampedArray(portrait.rgba), portrait.widthPx, portrait.heightPx), 0, 0);
    return c;
  }, [portrait]);
  const scale = portrait ? Math.min(1, MAX_SIDE_PX / Math.max(portrait.widthPx, portrait.heightPx)) : 1;

  useEffect(() => {
    const c = ref.current;
    if (!c || !portrait || !bitmap) return;
    c.width = Math.round(portrait.widthPx * scale);
    c.height = Math.round(portrait.heightPx * scale);
    const g = c.getContext('2d')!;
    g.drawImage(bitmap, 0, 0, c.width, c.height);
    portrait.faces.forEach((face, i) => {
      const chosen = i === faceIndex;
      const b = face.boxPx;
      g.strokeStyle = chosen ? '#4fc3f7' : 'rgba(255,255,255,0.6)';
      g.lineWidth = chosen ? 2 : 1;
      g.strokeRect(b.xPx * scale, b.yPx * scale, b.widthPx * scale, b.heightPx * scale);
      const lm = new Float32Array(face.landmarksPx);
      g.fillStyle = chosen ? '#7CFC00' : 'rgba(255,255,255,0.5)';
      const r = chosen ? 1.3 : 0.8;
      for (let k = 0; k < face.landmarkCount; k++) {
        g.beginPath();
        g.arc(lm[k * 3]! * scale, lm[k * 3 + 1]! * scale, r, 0, Math.PI * 2);
        g.fill();
      }
    });
  }, [portrait, bitmap, faceIndex, scale]);

  if (!portrait) return null;
  const face = portrait.faces[faceIndex];
  const choose = (i: number): void => edit('faceIndex', (d) => ({ ...d, faceIndex: i }));
  return (
    <div className="overlay">
      <canvas
        ref={ref}
        data-testid="landmark-overlay"
        data-face-count={portrait.faces.length}
        data-face-index={faceIndex}
        data-landmark-count={face?.landmarkCount ?? 0}
        title="Detected face landmarks"
        onClick={(e) => {
          const rect = e.currentTarget.getBoundingClientRect();
          const x = (e.clientX - rect.left) / scale;
          const y = (e.clientY - rect.top) / scale;
          const hit = portrait.faces.findIndex((f) => x >= f.boxPx.xPx && x <= f.boxPx.xPx + f.boxPx.widthPx && y >= f.boxPx.yPx && y <= f.boxPx.yPx + f.boxPx.heightPx);
          if (hit >= 0) choose(hit);
        }}
      />
      <div className="overlay-caption">
        {portrait.sourceWidthPx}×{portrait.sourceHeightPx}px · {portrait.faces.length} face{portrait.faces.length > 1 ? 's' : ''} · {face?.landmarkCount ?? 0} landmarks
      </div>
      {portrait.faces.length > 1 ? (
        <div className="face-picker" data-testid="face-picker">
          Animate face:{' '}
          {portrait.faces.map((_, i) => (
            <button key={i} className={i === faceIndex ? 'active' : ''} onClick={() => choose(i)}>
              {i + 1}
            </button>
          ))}
        </div>
      ) : null}
    </div>
  );
}
