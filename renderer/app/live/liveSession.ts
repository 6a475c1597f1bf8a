/**
 * Live mode: a microphone (or any MediaStream, or a file played as if live) drives the viewport's head as you
 * speak. Audio path: source → AudioWorklet (`micWorklet.js`, mono quanta of 128 samples) → MessagePort → the
 * live-motion worker (core/live/liveMotion.ts, the offline analysis on a sliding window) → frames → this module →
 * the viewport's render loop. Plain module state with a subscription, like playback.ts, so the render loop reads
 * the newest frame without React.
 *
 * Latency shown to the user: for each frame drawn, the time from the moment the sound it shows reached the
 * worklet (stream time mapped to `performance.now()` through `AudioContext.getOutputTimestamp()`) to the end of
 * the draw; the median of the last 60 frames. Not included: the microphone's and the OS's input buffering before
 * the worklet, and the display's scan-out after the draw.
 */
import { LIVE_LOOKAHEAD_SEC } from '../../../core/live/liveMotion.ts';
import { ARTICULATORY_LEAD_SEC } from '../../../core/motion/lipsync.ts';
import type { Directions } from '../../../core/motion/directions.ts';
import type { MotionOptions } from '../../../core/motion/options.ts';
import type { MotionFrame, MotionTrackJson } from '../../../core/motion/track.ts';
import { PACKED_FRAME_FLOATS } from './liveProtocol.ts';
import type { LiveFromWorker, LiveToWorker } from './liveProtocol.ts';

/** Where live audio comes from. */
export type LiveSource = { kind: 'microphone'; deviceId?: string } | { kind: 'stream'; stream: MediaStream; label?: string } | { kind: 'file'; file: Blob; label?: string };

/** Latency setting: `standard` keeps the lip-sync's anticipation, `low` trades most of it for ≈ 40 ms less delay. */
export type LiveLatency = keyof typeof LIVE_LOOKAHEAD_SEC;

/** What the live panel shows. */
export interface LiveStatus {
  state: 'off' | 'starting' | 'live' | 'error';
  /** A one-line message for the user (permission refused, no microphone, …), or null. */
  error: string | null;
  sourceLabel: string;
  latency: LiveLatency;
  muted: boolean;
  /** Input level of the last 50 ms, dBFS. */
  levelDb: number;
  /** Median measured delay from sound to drawn frame over the last 60 frames, ms (null until measured). */
  lagMs: number | null;
  /** Frames drawn per second over the last second. */
  drawFps: number;
  recording: boolean;
  recordedSec: number;
}

/** A finished recording: the microphone audio and the motion that was shown, the same length. */
export interface LiveRecording {
  wav: Blob;
  track: MotionTrackJson;
  durationSec: number;
  note: string | null;
}

interface Session {
  ctx: AudioContext;
  worker: Worker;
  node: AudioWorkletNode;
  stream: MediaStream | null;
  fileSource: AudioBufferSourceNode | null;
  streamStartContextSec: number;
  /** `performance.now()` ms minus AudioContext time × 1000 (the clock mapping). */
  ctxToPerfMs: number;
}

const LAG_WINDOW = 60;

let status: LiveStatus = { state: 'off', error: null, sourceLabel: '', latency: 'standard', muted: false, levelDb: -120, lagMs: null, drawFps: 0, recording: false, recordedSec: 0 };
let session: Session | null = null;
let latest: MotionFrame | null = null;
let latestTimeSec = 0;
const lags: number[] = [];
const drawTimes: number[] = [];
const listeners = new Set<() => void>();
let pendingRecording: { resolve(r: LiveRecording): void; reject(e: Error): void } | null = null;
let lastNotifyMs = 0;
/** Optional per-frame observer for measurement (tests): called after each live frame is drawn. */
let drawObserver: ((info: { frameIndex: number; timeSec: number; drawnAtMs: number; soundAtMs: number }) => void) | null = null;

function setStatus(patch: Partial<LiveStatus>, force = true): void {
  status = { ...status, ...patch };
  const now = performance.now();
  // Level and lag change every 10 ms: notify the UI at most 10 times a second for those.
  if (force || now - lastNotifyMs > 100) {
    lastNotifyMs = now;
    listeners.forEach((l) => l());
  }
}

/** @returns the current status (a new object after every change, for useSyncExternalStore). */
export function getLiveStatus(): LiveStatus {
  return status;
}

/**
 * Subscribes to status changes.
 * @param l - listener.
 * @returns unsubscribe.
 */
export function subscribeLive(l: () => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

/** @returns the newest live frame to draw, or null when live mode is off. */
export function latestLiveFrame(): MotionFrame | null {
  return session ? latest : null;
}

/**
 * Records that a live frame has been drawn (the viewport calls it from the draw callback); updates the measured
 * delay and draw rate.
 * @param frameIndex - the frame's index (from {@link latestLiveFrame}).
 */
export function noteLiveFrameDrawn(frameIndex: number): void {
  const s = session;
  if (!s || !latest || latest.frameIndex !== frameIndex) return;
  const now = performance.now();
  // The frame at stream time t shows the sound at t + ARTICULATORY_LEAD_SEC (lipsync.ts); that sound's last
  // sample reached the worklet at context time start + t + lead.
  const soundAtMs = s.ctxToPerfMs + (s.streamStartContextSec + latestTimeSec + ARTICULATORY_LEAD_SEC) * 1000;
  lags.push(now - soundAtMs);
  if (lags.length > LAG_WINDOW) lags.shift();
  drawTimes.push(now);
  while (drawTimes.length && now - drawTimes[0]! > 1000) drawTimes.shift();
  drawObserver?.({ frameIndex, timeSec: latestTimeSec, drawnAtMs: now, soundAtMs });
  const sorted = lags.slice().sort((a, b) => a - b);
  setStatus({ lagMs: Math.round(sorted[sorted.length >> 1]!), drawFps: drawTimes.length }, false);
}

/**
 * Installs a measurement observer (tests and diagnostics); null removes it.
 * @param fn - called after each drawn live frame with its stream time, draw time and the time its sound arrived.
 */
export function setLiveDrawObserver(fn: typeof drawObserver): void {
  drawObserver = fn;
}

/** The last finished recording (also kept for measurement tools), or null. */
let lastRecording: LiveRecording | null = null;

/** @returns the last recording returned by {@link stopLiveRecording}, or null. */
export function lastLiveRecording(): LiveRecording | null {
  return lastRecording;
}

// Measurement hooks for end-to-end tests and diagnostics (read-only views of live mode; nothing else is exposed).
(globalThis as { __avatarStudioLive?: unknown }).__avatarStudioLive = { setLiveDrawObserver, lastLiveRecording, getLiveStatus };

/** @returns the microphones the browser lists (labels are empty until permission is granted). */
export async function listMicrophones(): Promise<MediaDeviceInfo[]> {
  if (!navigator.mediaDevices?.enumerateDevices) return [];
  return (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === 'audioinput');
}

/** Turns a getUserMedia failure into a one-line message for the user. */
function micError(err: unknown): string {
  const name = (err as { name?: string }).name ?? '';
  if (name === 'NotAllowedError' || name === 'SecurityError') return 'Microphone access was refused. Allow the microphone for this page (the lock or camera icon in the address bar) and start again.';
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return 'No microphone was found. Connect one, or choose "Speech file" to play a recording as if live.';
  if (name === 'NotReadableError') return 'The microphone is in use by another program or could not be opened.';
  return `The microphone could not be opened: ${(err as Error).message ?? String(err)}`;
}

/**
 * Starts live mode (stops a running session first).
 * @param source - microphone (optionally a device id), any MediaStream, or an audio file played as if live (heard
 *   through the speakers while it drives the head).
 * @param motion - motion options (fps, seed, blinks, head motion, mood) as offline.
 * @param latency - look-ahead preset ({@link LIVE_LOOKAHEAD_SEC}).
 * @param directions - the timeline's directions, played on the session clock from its start (null = none).
 * @returns when audio flows, or after setting `status.error` (never rejects).
 */
export async function startLive(source: LiveSource, motion: MotionOptions, latency: LiveLatency = 'standard', directions: Directions | null = null): Promise<void> {
  await stopLive();
  setStatus({ state: 'starting', error: null, latency, lagMs: null, drawFps: 0, recording: false, recordedSec: 0, levelDb: -120 });
  lags.length = 0;
  drawTimes.length = 0;
  let stream: MediaStream | null = null;
  let ctx: AudioContext | null = null;
  try {
    let label = '';
    if (source.kind === 'microphone') {
      if (!navigator.mediaDevices?.getUserMedia) throw Object.assign(new Error('this page has no microphone access (it needs http://127.0.0.1 or https)'), { name: 'X' });
      try {
        // Raw voice: echo cancellation and noise suppression change the spectrum the analysis reads.
        stream = await navigator.mediaDevices.getUserMedia({ audio: { deviceId: source.deviceId ? { exact: source.deviceId } : undefined, echoCancellation: false, noiseSuppression: false, autoGainControl: true, channelCount: 1 } });
      } catch (err) {
        setStatus({ state: 'error', error: micError(err) });
        return;
      }
      label = stream.getAudioTracks()[0]?.label || 'Microphone';
    } else if (source.kind === 'stream') {
      stream = source.stream;
      label = source.label ?? (stream.getAudioTracks()[0]?.label || 'Audio stream');
    } else label = source.label ?? 'Speech file';
    ctx = new AudioContext({ latencyHint: 'interactive' });
    await ctx.audioWorklet.addModule(new URL('./micWorklet.js', document.baseURI).href);
    const node = new AudioWorkletNode(ctx, 'avatar-studio-mic', { numberOfInputs: 1, numberOfOutputs: 1, outputChannelCount: [1] });
    // The worklet is pulled only while connected to the destination; its output is silence.
    const sink = ctx.createGain();
    sink.gain.value = 0;
    node.connect(sink).connect(ctx.destination);
    let fileSource: AudioBufferSourceNode | null = null;
    if (source.kind === 'file') {
      let buffer: AudioBuffer;
      try {
        buffer = await ctx.decodeAudioData(await source.file.arrayBuffer());
      } catch {
        throw new Error(`"${label}" is not an audio file the browser can decode`);
      }
      fileSource = ctx.createBufferSource();
      fileSource.buffer = buffer;
      fileSource.connect(node);
      fileSource.connect(ctx.destination);
    } else ctx.createMediaStreamSource(stream!).connect(node);
    const worker = new Worker(new URL('./liveWorker.ts', import.meta.url), { type: 'module' });
    const channel = new MessageChannel();
    node.port.postMessage({ type: 'port', port: channel.port1 }, [channel.port1]);
    const init: LiveToWorker = { type: 'init', sampleRateHz: ctx.sampleRate, motion, lookAheadSec: LIVE_LOOKAHEAD_SEC[latency], samplesPort: channel.port2, directions };
    worker.postMessage(init, [channel.port2]);
    const s: Session = { ctx, worker, node, stream: source.kind === 'microphone' ? stream : null, fileSource, streamStartContextSec: 0, ctxToPerfMs: 0 };
    session = s;
    worker.onmessage = (e: MessageEvent<LiveFromWorker>) => onWorkerMessage(s, e.data);
    worker.onerror = (e) => {
      if (session === s) setStatus({ state: 'error', error: `Live analysis stopped: ${e.message}` });
    };
    if (ctx.state !== 'running') await ctx.resume();
    fileSource?.start();
    if (fileSource) fileSource.onended = () => void (session === s && stopLive());
    setStatus({ state: 'live', sourceLabel: label, muted: false });
  } catch (err) {
    await ctx?.close().catch(() => undefined);
    if (source.kind === 'microphone') stream?.getTracks().forEach((t) => t.stop());
    session = null;
    setStatus({ state: 'error', error: (err as Error).message });
  }
}

function onWorkerMessage(s: Session, m: LiveFromWorker): void {
  if (session !== s) return;
  if (m.type === 'frame') {
    s.streamStartContextSec = m.streamStartContextSec;
    const ts = s.ctx.getOutputTimestamp();
    if (ts.contextTime !== undefined && ts.performanceTime !== undefined && ts.performanceTime > 0) s.ctxToPerfMs = ts.performanceTime - ts.contextTime * 1000;
    else s.ctxToPerfMs = performance.now() - s.ctx.currentTime * 1000;
    const p = m.packed;
    // frameIndex carries the display counter (a new value = a new picture for the viewport).
    latest = {
      frameIndex: m.displayIndex,
      blendshapes: p.subarray(0, 52),
      visemes: p.subarray(52, 67),
      headRotation: p.subarray(67, 71),
      headTranslationM: p.subarray(71, 74),
      gazeRad: p.subarray(74, PACKED_FRAME_FLOATS),
    };
    latestTimeSec = m.timeSec;
    setStatus({ levelDb: m.levelDb, recordedSec: m.recordedSec }, false);
  } else if (m.type === 'recording') {
    lastRecording = { wav: new Blob([m.wav], { type: 'audio/wav' }), track: m.track, durationSec: m.durationSec, note: m.note };
    pendingRecording?.resolve(lastRecording);
    pendingRecording = null;
  } else if (m.type === 'error') {
    if (pendingRecording) {
      pendingRecording.reject(new Error(m.message));
      pendingRecording = null;
    } else setStatus({ state: 'error', error: m.message });
  }
}

/** Stops live mode and releases the microphone, the audio context and the worker (a recording is dropped). */
export async function stopLive(): Promise<void> {
  const s = session;
  session = null;
  latest = null;
  if (pendingRecording) {
    pendingRecording.reject(new Error('Live mode stopped before the recording was finished'));
    pendingRecording = null;
  }
  if (!s) return;
  s.worker.terminate();
  s.stream?.getTracks().forEach((t) => t.stop());
  try {
    s.fileSource?.stop();
  } catch {
    // already ended
  }
  await s.ctx.close().catch(() => undefined);
  setStatus({ state: 'off', recording: false, levelDb: -120, lagMs: null, drawFps: 0 });
}

/**
 * Mutes the input: the head rests (the analysis sees silence) and a recording records silence.
 * @param muted - true to mute.
 */
export function setLiveMuted(muted: boolean): void {
  session?.worker.postMessage({ type: 'mute', muted } satisfies LiveToWorker);
  setStatus({ muted });
}

/** Starts recording the live session (audio + the frames shown); no-op when live mode is off. */
export function startLiveRecording(): void {
  if (!session) return;
  session.worker.postMessage({ type: 'record', on: true } satisfies LiveToWorker);
  setStatus({ recording: true, recordedSec: 0 });
}

/**
 * Stops recording.
 * @returns the recording: a 16-bit WAV of the input and the motion track that was shown, cut to the same length
 *   (frame 0 of the track shows sample 0 of the audio).
 * @throws Error when live mode is off or nothing was recorded.
 */
export function stopLiveRecording(): Promise<LiveRecording> {
  const s = session;
  setStatus({ recording: false });
  if (!s) return Promise.reject(new Error('Live mode is off'));
  return new Promise<LiveRecording>((resolve, reject) => {
    pendingRecording = { resolve, reject };
    s.worker.postMessage({ type: 'record', on: false } satisfies LiveToWorker);
  });
}
