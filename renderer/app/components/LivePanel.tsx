/**
 * The live panel: pick a microphone (or play a speech file as if live), start/stop, mute, a level meter, the
 * measured delay from voice to mouth, the latency setting, and recording — a finished recording loads into the
 * studio as its audio and performance, so it previews and exports like any clip, or downloads as WAV + track JSON.
 */
import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { parseMotionOptions } from '../../../core/motion/options.ts';
import { LIVE_LOOKAHEAD_SEC } from '../../../core/live/liveMotion.ts';
import { useStudio } from '../store.ts';
import { pause } from '../playback.ts';
import { getLiveStatus, listMicrophones, setLiveMuted, startLive, startLiveRecording, stopLive, stopLiveRecording, subscribeLive, type LiveLatency, type LiveRecording } from '../live/liveSession.ts';
import { loadLiveRecording } from '../live/liveActions.ts';

/** Level meter range, dBFS. */
const METER_FLOOR_DB = -60;

function download(blob: Blob, name: string): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

/** The live-mode panel. */
export function LivePanel(): React.JSX.Element {
  const status = useSyncExternalStore(subscribeLive, getLiveStatus);
  const motion = useStudio((s) => s.doc.motion);
  const fps = useStudio((s) => s.doc.exportSettings.fps);
  const directions = useStudio((s) => s.doc.directions);
  const [mics, setMics] = useState<MediaDeviceInfo[]>([]);
  const [device, setDevice] = useState<string>('default');
  const [latency, setLatency] = useState<LiveLatency>('standard');
  const [recording, setRecording] = useState<LiveRecording | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const on = status.state === 'live' || status.state === 'starting';

  useEffect(() => {
    void listMicrophones().then(setMics);
    const refresh = (): void => void listMicrophones().then(setMics);
    navigator.mediaDevices?.addEventListener?.('devicechange', refresh);
    return () => navigator.mediaDevices?.removeEventListener?.('devicechange', refresh);
  }, [status.state]);
  useEffect(() => () => void stopLive(), []);

  const options = (): ReturnType<typeof parseMotionOptions> => parseMotionOptions({ ...motion, fps });
  const start = async (file?: File): Promise<void> => {
    const parsed = options();
    if (!parsed.ok) return setMessage(`Motion options: ${parsed.issues.join('; ')}`);
    setMessage(null);
    pause();
    await startLive(file ? { kind: 'file', file, label: file.name } : { kind: 'microphone', deviceId: device === 'default' ? undefined : device }, parsed.value, latency, directions);
  };
  const stopRecording = async (): Promise<void> => {
    try {
      const rec = await stopLiveRecording();
      setRecording(rec);
      setMessage(rec.note);
    } catch (err) {
      setMessage((err as Error).message);
    }
  };
  const stamp = (): string => `live-${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}`;
  const levelPct = Math.max(0, Math.min(100, ((status.levelDb - METER_FLOOR_DB) / -METER_FLOOR_DB) * 100));
  return (
    <section className="panel live" data-testid="live-panel">
      <h2>Live</h2>
      <p className="hint">Speak and the head follows (nothing leaves this computer).</p>
      <label className="control">
        <span>Input</span>
        <select value={device} disabled={on} data-testid="live-device" onChange={(e) => setDevice(e.target.value)}>
          <option value="default">Default microphone</option>
          {mics
            .filter((m) => m.deviceId && m.deviceId !== 'default')
            .map((m, i) => (
              <option key={m.deviceId} value={m.deviceId}>
                {m.label || `Microphone ${i + 1}`}
              </option>
            ))}
        </select>
      </label>
      <label className="control" title={`Standard waits ${LIVE_LOOKAHEAD_SEC.standard * 1000} ms for the lips to anticipate the sound; low waits ${LIVE_LOOKAHEAD_SEC.low * 1000} ms (less coarticulation).`}>
        <span>Latency</span>
        <select value={latency} disabled={on} data-testid="live-latency" onChange={(e) => setLatency(e.target.value as LiveLatency)}>
          <option value="standard">standard (+{LIVE_LOOKAHEAD_SEC.standard * 1000} ms look-ahead)</option>
          <option value="low">low (+{LIVE_LOOKAHEAD_SEC.low * 1000} ms, less coarticulation)</option>
        </select>
      </label>
      <div className="live-buttons">
        {on ? (
          <button data-testid="live-stop" onClick={() => void stopLive()}>
            ■ Stop live
          </button>
        ) : (
          <button className="primary" data-testid="live-start" onClick={() => void start()}>
            ● Go live
          </button>
        )}
        {!on ? (
          <button data-testid="live-file" title="Play a speech file through live mode (heard and analysed as if spoken)" onClick={() => fileInput.current?.click()}>
            Speech file…
          </button>
        ) : (
          <button data-testid="live-mute" aria-pressed={status.muted} onClick={() => setLiveMuted(!status.muted)}>
            {status.muted ? 'Unmute' : 'Mute'}
          </button>
        )}
        <input
          ref={fileInput}
          type="file"
          accept="audio/*"
          hidden
          data-testid="live-file-input"
          onChange={(e) => {
            const f = e.target.files?.[0];
            e.target.value = '';
            if (f) void start(f);
          }}
        />
      </div>
      {status.state === 'live' ? (
        <>
          <div className="live-meter" role="meter" aria-label="Input level" aria-valuemin={METER_FLOOR_DB} aria-valuemax={0} aria-valuenow={Math.round(status.levelDb)} data-testid="live-level">
            <div className="live-meter-fill" style={{ width: `${levelPct}%` }} />
          </div>
          <p className="hint" data-testid="live-stats" data-lag-ms={status.lagMs ?? ''} data-draw-fps={status.drawFps}>
            {status.sourceLabel} · voice → mouth {status.lagMs === null ? '…' : `${status.lagMs} ms`} · {status.drawFps} fps
          </p>
          <div className="live-buttons">
            {status.recording ? (
              <button data-testid="live-record-stop" onClick={() => void stopRecording()}>
                ■ Stop recording ({status.recordedSec.toFixed(1)} s)
              </button>
            ) : (
              <button data-testid="live-record" onClick={() => startLiveRecording()}>
                ● Record
              </button>
            )}
          </div>
        </>
      ) : null}
      {recording ? (
        <div className="live-recording" data-testid="live-recording" data-duration-sec={recording.durationSec.toFixed(3)}>
          <span>Recording: {recording.durationSec.toFixed(1)} s</span>
          <button
            data-testid="live-use-recording"
            title="Load the recording as the studio's audio and performance (preview and export it)"
            onClick={() => {
              const name = stamp();
              void stopLive().then(() => loadLiveRecording(recording, name));
            }}
          >
            Use in studio
          </button>
          <button onClick={() => download(recording.wav, `${stamp()}.wav`)}>Save audio</button>
          <button onClick={() => download(new Blob([JSON.stringify(recording.track)], { type: 'application/json' }), `${stamp()}.motion.json`)}>Save track</button>
        </div>
      ) : null}
      {status.error ? (
        <div className="inline-error" role="alert" data-testid="live-error">
          {status.error}
        </div>
      ) : null}
      {message ? <div className="hint">{message}</div> : null}
    </section>
  );
}
