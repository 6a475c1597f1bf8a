/**
 * Import: drop zone + file pickers for the portrait, an avatar file (instead of the photo head) and the audio, with
 * thumbnails and inline errors. Dropped files are routed by type (avatar extensions → avatar, image → portrait,
 * audio → audio, .json → project).
 */
import { useEffect, useRef, useState } from 'react';
import { AVATAR_FILE_EXTENSIONS, type AvatarInfo } from '../../../core/ipc/contract.ts';
import { classifyDroppedFile, clearAvatar, getClient, importAudio, importAvatar, importPortrait, importVideo, openProject, pickWithNativeDialog } from '../actions.ts';
import { useStudio } from '../store.ts';
import { PortraitOverlay } from './PortraitOverlay.tsx';

function formatDuration(sec: number): string {
  const m = Math.floor(sec / 60);
  const s = sec - m * 60;
  return `${m}:${s.toFixed(1).padStart(4, '0')}`;
}

/** Portrait thumbnail (the decoded upright pixels, scaled to 64 px). */
function Thumbnail(): React.JSX.Element | null {
  const portrait = useStudio((s) => s.portrait);
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const c = ref.current;
    if (!c || !portrait) return;
    const full = document.createElement('canvas');
    full.width = portrait.widthPx;
    full.height = portrait.heightPx;
    full.getContext('2d')!.putImageData(new ImageData(new Uint8ClampedArray(portrait.rgba), portrait.widthPx, portrait.heightPx), 0, 0);
    const scale = 64 / Math.max(portrait.widthPx, portrait.heightPx);
    c.width = Math.max(1, Math.round(portrait.widthPx * scale));
    c.height = Math.max(1, Math.round(portrait.heightPx * scale));
    c.getContext('2d')!.drawImage(full, 0, 0, c.width, c.height);
  }, [portrait]);
  if (!portrait) return null;
  return <canvas ref={ref} className="thumb" data-testid="portrait-thumbnail" />;
}

/**
 * A file-picker button: the native open dialog in Electron (real paths), a file input in the browser.
 * The input keeps `data-testid="<kind>-input"` for the end-to-end tests.
 */
function PickButton(props: { kind: 'portrait' | 'audio' | 'avatar'; label: string; accept: string; onFile: (file: File) => Promise<unknown> }): React.JSX.Element {
  return (
    <label
      className="button"
      onClick={(e) => {
        if (getClient().host === 'electron') {
          e.preventDefault();
          void pickWithNativeDialog(props.kind);
        }
      }}
    >
      {props.label}
      <input
        type="file"
        accept={props.accept}
        data-testid={`${props.kind}-input`}
        onChange={(e) => {
          const f = e.target.files?.[0];
          e.target.value = '';
          if (f) void props.onFile(f);
        }}
      />
    </label>
  );
}

const AVATAR_KIND_LABEL: Record<AvatarInfo['kind'], string> = { glb: 'GLB head', splatFile: 'Gaussian splats', lam: 'LAM avatar' };

/**
 * One line about an imported avatar: kind, Gaussian count or morph channels, size.
 * @param a - the avatar.
 * @returns e.g. `head.glb · GLB head · 52 ARKit + 15 viseme morphs · 0.21 MB`.
 */
export function describeAvatar(a: AvatarInfo): string {
  const parts = [a.fileName, AVATAR_KIND_LABEL[a.kind]];
  if (a.splatCount > 0) parts.push(`${a.splatCount.toLocaleString('en-US')} Gaussians`);
  if (a.arkitChannels || a.visemeChannels) parts.push(`${a.arkitChannels} ARKit + ${a.visemeChannels} viseme morphs`);
  parts.push(`${(a.byteLength / 1e6).toFixed(2)} MB`);
  return parts.join(' · ');
}

/**
 * Imports dropped files by kind (portrait, audio, avatar, project, driving video); anything else gets an inline message.
 * @param files - the dropped files, in drop order.
 */
export function importDroppedFiles(files: readonly File[]): void {
  for (const file of files) {
    const kind = classifyDroppedFile(file);
    if (kind === 'portrait') void importPortrait(file);
    else if (kind === 'audio') void importAudio(file);
    else if (kind === 'avatar') void importAvatar(file);
    else if (kind === 'project') void openProject(file);
    else if (kind === 'video') void importVideo(file);
    else useStudio.getState().setMessage('portrait', `"${file.name}" is not an image, audio, avatar or project file.`);
  }
}

/** The import panel. */
export function ImportPanel(): React.JSX.Element {
  const portrait = useStudio((s) => s.portrait);
  const avatar = useStudio((s) => s.avatar);
  const audio = useStudio((s) => s.audio);
  const busy = useStudio((s) => s.busy);
  const messages = useStudio((s) => s.messages);
  const [dragOver, setDragOver] = useState(false);

  const onDrop = (e: React.DragEvent): void => {
    e.preventDefault();
    setDragOver(false);
    importDroppedFiles(Array.from(e.dataTransfer.files));
  };

  return (
    <section
      className={`panel import ${dragOver ? 'drag-over' : ''}`}
      data-testid="drop-zone"
      onDragOver={(e) => {
        e.preventDefault();
        setDragOver(true);
      }}
      onDragLeave={() => setDragOver(false)}
      onDrop={onDrop}
    >
      <h2>Import</h2>
      <p className="hint">Drop a portrait photo (or an avatar file) and a speech recording here, or choose them:</p>
      <div className="import-row">
        <PickButton kind="portrait" label="Portrait…" accept="image/*" onFile={importPortrait} />
        <Thumbnail />
        <span className="file-name">{busy.portrait ? 'Finding the face…' : (portrait?.fileName ?? 'no portrait')}</span>
      </div>
      {messages.portrait ? (
        <div className="inline-error" role="alert" data-testid="portrait-error">
          {messages.portrait}
        </div>
      ) : null}
      <div className="import-row">
        <PickButton kind="avatar" label="Avatar…" accept={AVATAR_FILE_EXTENSIONS.join(',')} onFile={importAvatar} />
        <span className="file-name" data-testid="avatar-name" title={avatar ? describeAvatar(avatar) : undefined}>
          {busy.avatar ? 'Checking the avatar…' : avatar ? describeAvatar(avatar) : 'none (the photo head is animated)'}
        </span>
        {avatar ? (
          <button data-testid="avatar-clear" title={portrait ? `Animate ${portrait.fileName} again` : 'Remove the avatar'} onClick={() => clearAvatar()}>
            {portrait ? 'Use photo' : 'Remove'}
          </button>
        ) : null}
      </div>
      {messages.avatar ? (
        <div className="inline-error" role="alert" data-testid="avatar-error">
          {messages.avatar}
        </div>
      ) : null}
      <div className="import-row">
        <PickButton kind="audio" label="Audio…" accept="audio/*,.wav,.flac,.mp3,.m4a,.ogg,.opus" onFile={importAudio} />
        <span className="file-name" data-testid="audio-name">
          {busy.audio ? 'Decoding…' : audio ? `${audio.fileName} · ${formatDuration(audio.durationSec)} · ${audio.codec} ${audio.sourceSampleRateHz} Hz` : 'no audio'}
        </span>
      </div>
      {messages.audio ? (
        <div className="inline-error" role="alert" data-testid="audio-error">
          {messages.audio}
        </div>
      ) : null}
      {messages.motion ? (
        <div className="inline-error" role="alert" data-testid="motion-error">
          {messages.motion}
        </div>
      ) : null}
      {/* the face picker and landmarks concern the photo head; hidden while an avatar is animated instead */}
      {avatar ? null : <PortraitOverlay />}
    </section>
  );
}
