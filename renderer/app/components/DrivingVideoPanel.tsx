/**
 * The driving-video panel: import a video of a talking face (picker or drop anywhere), see its thumbnails and the
 * frames where no face was found, and set how strongly each region follows it (eyes, brows, mouth, head; the same
 * strengths as the CLI's --eyes-strength …, core/jobs/options.ts RETARGET_OPTIONS).
 */
import { useEffect, useState } from 'react';
import { RETARGET_OPTIONS } from '../../../core/jobs/options.ts';
import type { RetargetStrengths } from '../../../core/reenact/drivingTrack.ts';
import { clearVideo, importVideo } from '../actions.ts';
import { useStudio } from '../store.ts';

/**
 * A blob URL of the imported video's thumbnail strip (revoked when the video changes).
 * @returns the URL, or null without a video.
 */
export function useThumbnailStripUrl(): string | null {
  const video = useStudio((s) => s.video);
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    if (!video) return setUrl(null);
    const u = URL.createObjectURL(new Blob([video.thumbnailStripJpeg], { type: 'image/jpeg' }));
    setUrl(u);
    return () => URL.revokeObjectURL(u);
  }, [video]);
  return url;
}

/** The panel. */
export function DrivingVideoPanel(): React.JSX.Element {
  const video = useStudio((s) => s.video);
  const busy = useStudio((s) => s.busy.video ?? false);
  const message = useStudio((s) => s.messages.video ?? null);
  const retarget = useStudio((s) => s.doc.retarget);
  const edit = useStudio((s) => s.edit);
  const strip = useThumbnailStripUrl();
  const faceless = video?.facelessRanges ?? [];
  return (
    <section className="panel driving-video" data-testid="driving-video">
      <h2>Driving video {busy ? <span className="spinner">tracking the face…</span> : null}</h2>
      <div className="import-row">
        <label className="button">
          Video…
          <input
            type="file"
            accept="video/*,.mp4,.mov,.mkv,.webm,.m4v,.avi"
            data-testid="video-input"
            onChange={(e) => {
              const f = e.target.files?.[0];
              e.target.value = '';
              if (f) void importVideo(f);
            }}
          />
        </label>
        <span className="file-name" data-testid="video-name">
          {video ? `${video.fileName} · ${video.durationSec.toFixed(2)} s${video.hasAudio ? ' · with sound' : ''}` : 'none (the speech drives the face)'}
        </span>
        {video ? (
          <button onClick={clearVideo} data-testid="video-remove" title="Remove the driving video">
            Remove
          </button>
        ) : null}
      </div>
      {message ? <div className="inline-error">{message}</div> : null}
      {video && strip ? <img className="video-strip" src={strip} alt={`Thumbnails of ${video.fileName}`} data-testid="video-strip" /> : null}
      {video ? (
        <p className="hint" data-testid="video-faceless">
          {faceless.length ? `No face in ${faceless.map((r) => `${r.fromSec.toFixed(2)}–${r.toSec.toFixed(2)} s`).join(', ')} (the last pose is held; marked red on the timeline)` : `A face in all ${video.observedCount} frames`}
        </p>
      ) : null}
      {video
        ? RETARGET_OPTIONS.map((d) => {
            const key = d.name as keyof RetargetStrengths;
            return (
              <label key={key} className="control" title={d.description}>
                <span>{key[0]!.toUpperCase() + key.slice(1)}</span>
                <input type="range" min={0} max={2} step={0.05} value={retarget[key]} data-testid={`retarget-${key}`} onChange={(e) => edit(`retarget.${key}`, (doc) => ({ ...doc, retarget: { ...doc.retarget, [key]: Number(e.target.value) } }))} />
                <output>{retarget[key].toFixed(2)}</output>
              </label>
            );
          })
        : null}
    </section>
  );
}
