/**
 * The export dialog: format (MP4, WebM, MOV, GIF, PNG sequence as a zip), size, fps, quality, transparent background
 * (alpha formats only); progress with ETA; cancel; reveal/download when done.
 */
import { useEffect, useState } from 'react';
import { ALPHA_EXPORT_FORMATS, EXPORT_FORMATS, EXPORT_QUALITIES, exportFileExtension, type ExportSettings } from '../../../core/ipc/contract.ts';
import { cancelExport, getClient, revealExport, startExport } from '../actions.ts';
import { useStudio } from '../store.ts';

/** Square sizes offered, up to the CLI's limit (core/jobs/options.ts SIZE_OPTION: 4096). */
const SIZES = [128, 256, 384, 512, 768, 1024, 1536, 2048, 3072, 4096];

/** What each format is, as the format menu shows it. */
const FORMAT_LABELS: Record<ExportSettings['format'], string> = {
  mp4: 'MP4 (H.264 + AAC)',
  webm: 'WebM (VP9 + Opus)',
  mov: 'MOV (ProRes 4444)',
  gif: 'GIF (animated, no sound)',
  png: 'PNG sequence (.zip, no sound)',
};
const FPS_CHOICES: { label: string; num: number; den: number }[] = [
  { label: '24', num: 24, den: 1 },
  { label: '25', num: 25, den: 1 },
  { label: '29.97', num: 30000, den: 1001 },
  { label: '30', num: 30, den: 1 },
  { label: '60', num: 60, den: 1 },
];

function formatEta(sec: number | null): string {
  if (sec === null) return 'estimating…';
  if (sec < 60) return `${Math.ceil(sec)} s left`;
  return `${Math.floor(sec / 60)} min ${Math.ceil(sec % 60)} s left`;
}

/** The export dialog (modal). */
export function ExportDialog(): React.JSX.Element | null {
  const open = useStudio((s) => s.exportOpen);
  const settings = useStudio((s) => s.doc.exportSettings);
  const job = useStudio((s) => s.exportJob);
  const message = useStudio((s) => s.messages.export);
  const avatar = useStudio((s) => s.avatar);
  const viewportTransparent = useStudio((s) => s.doc.viewport.background === 'transparent');
  const edit = useStudio((s) => s.edit);
  const [formats, setFormats] = useState<readonly string[]>([...EXPORT_FORMATS]);
  useEffect(() => {
    void getClient()
      .call('studio:app.info', {})
      .then((r) => r.ok && setFormats(r.value.exportFormats));
  }, []);
  if (!open) return null;
  const running = job?.state === 'running';
  const change = (patch: Partial<ExportSettings>): void => edit(`export.${Object.keys(patch).join(',')}`, (d) => ({ ...d, exportSettings: { ...d.exportSettings, ...patch } }));
  const fpsKey = `${settings.fps.num}/${settings.fps.den}`;
  const alphaOk = ALPHA_EXPORT_FORMATS.includes(settings.format);
  const subjectNote = avatar ? ` · animating ${avatar.fileName}` : '';
  const range = useStudio.getState().doc.range;
  return (
    <div className="modal-backdrop" onClick={() => !running && useStudio.getState().set({ exportOpen: false })}>
      <div className="modal" role="dialog" aria-label="Export" data-testid="export-dialog" onClick={(e) => e.stopPropagation()}>
        <h2>Export video</h2>
        <p className="hint" data-testid="export-range">
          {range ? `Range ${range.startSec.toFixed(2)}–${range.endSec.toFixed(2)} s (the timeline's in/out points; clear them to export the whole clip)` : 'The whole clip (set in/out points on the timeline to export a range)'}
        </p>
        <label className="control">
          <span>Format</span>
          <select value={settings.format} disabled={running} data-testid="export-format" onChange={(e) => {
              const format = e.target.value as ExportSettings['format'];
              change({ format, alpha: settings.alpha && ALPHA_EXPORT_FORMATS.includes(format) });
            }}
          >
            {EXPORT_FORMATS.map((f) => (
              <option key={f} value={f} disabled={!formats.includes(f)}>
                {FORMAT_LABELS[f]}
                {formats.includes(f) ? '' : ' (not available in this host)'}
              </option>
            ))}
          </select>
        </label>
        <label className="control">
          <span>Size</span>
          <select value={settings.sizePx} disabled={running} data-testid="export-size" onChange={(e) => change({ sizePx: Number(e.target.value) })}>
            {SIZES.map((s) => (
              <option key={s} value={s}>
                {s}×{s}
              </option>
            ))}
          </select>
        </label>
        <label className="control">
          <span>Frame rate</span>
          <select
            value={fpsKey}
            disabled={running}
            data-testid="export-fps"
            onChange={(e) => {
              const [num, den] = e.target.value.split('/').map(Number);
              change({ fps: { num: num!, den: den! } });
            }}
          >
            {FPS_CHOICES.map((f) => (
              <option key={f.label} value={`${f.num}/${f.den}`}>
                {f.label} fps
              </option>
            ))}
          </select>
        </label>
        <label className="control">
          <span>Quality</span>
          <select value={settings.quality} disabled={running} data-testid="export-quality" onChange={(e) => change({ quality: e.target.value as ExportSettings['quality'] })}>
            {EXPORT_QUALITIES.map((q) => (
              <option key={q} value={q}>
                {q}
              </option>
            ))}
          </select>
        </label>
        <label
          className="control"
          title={!alphaOk ? 'MP4 (H.264) has no alpha channel: choose WebM, MOV, GIF or PNG' : viewportTransparent ? 'The viewport background is transparent, so the export is too' : 'Export without the background (alpha channel)'}
        >
          <span>Transparent background</span>
          <input
            type="checkbox"
            checked={(settings.alpha || viewportTransparent) && alphaOk}
            disabled={running || !alphaOk || viewportTransparent}
            data-testid="export-alpha"
            onChange={(e) => change({ alpha: e.target.checked })}
          />
        </label>
        {viewportTransparent && !alphaOk ? (
          <div className="hint" data-testid="export-alpha-hint">
            The background is transparent, which MP4 cannot store: choose WebM, MOV, GIF or PNG, or a photo or colour background.
          </div>
        ) : null}
        <div className="hint" data-testid="export-file-type">
          Writes a {exportFileExtension(settings.format)} file{settings.format === 'png' ? ' of numbered PNG frames' : ''}
          {settings.format === 'gif' && (settings.alpha || viewportTransparent) ? ' (1-bit transparency)' : ''}
          {subjectNote}
        </div>
        {job ? (
          <div className="progress" data-testid="export-progress" data-job-id={job.jobId} data-state={job.state} data-fraction={job.progress.fraction.toFixed(3)}>
            <progress max={1} value={job.progress.fraction} />
            <div>
              {job.state === 'running'
                ? `${job.progress.stage} ${job.progress.totalFrames && (job.progress.stage === 'render' || job.progress.completedFrames > 0) ? `${job.progress.completedFrames}/${job.progress.totalFrames}` : ''} · ${Math.round(job.progress.fraction * 100)}% · ${formatEta(job.progress.etaSec)}`
                : job.state === 'done'
                  ? `Done: ${job.fileName} (${((job.bytes ?? 0) / 1e6).toFixed(2)} MB)`
                  : job.state === 'cancelled'
                    ? 'Export cancelled; no file was written.'
                    : `Export failed: ${job.error?.message ?? ''}`}
            </div>
          </div>
        ) : null}
        {message ? (
          <div className="inline-error" role="alert" data-testid="export-error">
            {message}
          </div>
        ) : null}
        <div className="buttons">
          {running ? (
            <button data-testid="export-cancel" onClick={() => void cancelExport()}>
              Cancel export
            </button>
          ) : (
            <button className="primary" data-testid="export-start" onClick={() => void startExport()}>
              Export
            </button>
          )}
          {job?.state === 'done' ? (
            <button data-testid="export-reveal" onClick={() => void revealExport()}>
              {getClient().host === 'electron' ? 'Show in folder' : 'Download'}
            </button>
          ) : null}
          <button disabled={running} onClick={() => useStudio.getState().set({ exportOpen: false })}>
            Close
          </button>
        </div>
      </div>
    </div>
  );
}
