/**
 * The live-motion worker: microphone samples in (from the AudioWorklet, over a transferred MessagePort), motion
 * frames out (to the main thread), with the same analysis as offline renders (core/live/liveMotion.ts). It also
 * keeps the recording of a live session: 16-bit PCM and the frames that were shown, aligned to the frame grid.
 */
import { createLiveMotion, trackFromLiveFrames } from '../../../core/live/liveMotion.ts';
import type { LiveFrame, LiveMotion } from '../../../core/live/liveMotion.ts';
import { encodeWavPcm16, floatToPcm16 } from '../../../core/audio/wav.ts';
import { frameTimeSec, trackToJson } from '../../../core/motion/track.ts';
import type { Fps } from '../../../core/motion/track.ts';
import { MAX_RECORDING_SEC, PACKED_FRAME_FLOATS } from './liveProtocol.ts';
import type { LiveFromWorker, LiveToWorker } from './liveProtocol.ts';

interface Recording {
  /** First output frame of the recording; its audio starts at that frame's time. */
  startFrame: number;
  /** Stream sample index of the recording's first sample. */
  startSample: number;
  chunks: Int16Array[];
  sampleCount: number;
  frames: LiveFrame[];
  /** Set when the length cap stopped the recording. */
  capped: boolean;
}

const scope = self as unknown as { postMessage(m: LiveFromWorker, transfer?: Transferable[]): void; onmessage: ((e: MessageEvent<LiveToWorker>) => void) | null };

let engine: LiveMotion | null = null;
let fps: Fps = { num: 30, den: 1 };
let sampleRateHz = 48000;
let muted = false;
let streamStartContextSec = -1;
let streamSample = 0;
let recording: Recording | null = null;
let recordPending = false;
let levelPower = 0;
let levelCount = 0;
let lastLevelDb = -120;
let lastDisplay: LiveFrame | null = null;
let pullScheduled = false;
let displayCount = 0;

function post(m: LiveFromWorker, transfer: Transferable[] = []): void {
  scope.postMessage(m, transfer);
}

function onSamples(contextTimeSec: number, input: Float32Array): void {
  if (!engine) return;
  if (streamStartContextSec < 0) streamStartContextSec = contextTimeSec;
  const samples = muted ? new Float32Array(input.length) : input;
  if (recordPending) {
    recordPending = false;
    // Start at the next frame boundary not yet computed, so frame 0 of the recording shows audio sample 0.
    const startFrame = Math.ceil((streamSample / sampleRateHz) * (fps.num / fps.den) - 1e-9);
    recording = { startFrame, startSample: Math.round(frameTimeSec(startFrame, fps) * sampleRateHz), chunks: [], sampleCount: 0, frames: [], capped: false };
  }
  if (recording && !recording.capped) {
    const from = Math.max(0, recording.startSample - streamSample);
    if (from < samples.length) {
      const pcm = new Int16Array(samples.length - from);
      for (let i = from; i < samples.length; i++) pcm[i - from] = floatToPcm16(samples[i]!);
      recording.chunks.push(pcm);
      recording.sampleCount += pcm.length;
      if (recording.sampleCount >= MAX_RECORDING_SEC * sampleRateHz) recording.capped = true;
    }
  }
  streamSample += samples.length;
  for (let i = 0; i < samples.length; i++) levelPower += samples[i]! * samples[i]!;
  levelCount += samples.length;
  if (levelCount >= sampleRateHz * 0.05) {
    lastLevelDb = Math.max(-120, 10 * Math.log10(levelPower / levelCount + 1e-12));
    levelPower = 0;
    levelCount = 0;
  }
  engine.push(samples);
  // Analysis runs once after the queued sample messages are drained (a task after them), not once per 128-sample
  // message: on a busy machine messages pile up, and analysing each would fall further and further behind.
  if (!pullScheduled) {
    pullScheduled = true;
    setTimeout(pullFrames, 0);
  }
}

/** Computes the frames that became ready, keeps the recorded ones and posts the newest display frame. */
function pullFrames(): void {
  pullScheduled = false;
  if (!engine) return;
  const frames = engine.pull();
  if (recording && !recording.capped) for (const f of frames) if (f.frameIndex >= recording.startFrame) recording.frames.push(f);
  const d = engine.display;
  if (!d || d === lastDisplay) return;
  lastDisplay = d;
  const packed = new Float32Array(PACKED_FRAME_FLOATS);
  let o = 0;
  for (const a of [d.blendshapes, d.visemes, d.headRotation, d.headTranslationM, d.gazeRad]) {
    packed.set(a, o);
    o += a.length;
  }
  post(
    {
      type: 'frame',
      displayIndex: ++displayCount,
      timeSec: d.timeSec,
      packed,
      audioTimeSec: engine.audioTimeSec,
      streamStartContextSec,
      levelDb: lastLevelDb,
      recordedSec: recording ? recording.sampleCount / sampleRateHz : 0,
    },
    [packed.buffer],
  );
}

/** Ends the recording: audio cut to the frames that were computed, so track and audio last the same. */
function finishRecording(): void {
  if (pullScheduled) pullFrames();
  const rec = recording;
  recording = null;
  if (!rec || rec.frames.length === 0) {
    post({ type: 'error', message: 'Nothing was recorded: start speaking after pressing Record, and record at least a second.' });
    return;
  }
  const track = trackFromLiveFrames(rec.frames, fps);
  const keep = Math.min(rec.sampleCount, Math.round(frameTimeSec(track.frameCount, fps) * sampleRateHz));
  const pcm = new Int16Array(keep);
  let o = 0;
  for (const c of rec.chunks) {
    if (o >= keep) break;
    const part = c.subarray(0, Math.min(c.length, keep - o));
    pcm.set(part, o);
    o += part.length;
  }
  const wav = encodeWavPcm16(pcm, sampleRateHz);
  const json = trackToJson(track);
  post({ type: 'recording', wav: wav.buffer as ArrayBuffer, track: json, durationSec: keep / sampleRateHz, note: rec.capped ? `The recording stopped at the ${MAX_RECORDING_SEC / 60}-minute limit.` : null }, [wav.buffer as ArrayBuffer]);
}

scope.onmessage = (e: MessageEvent<LiveToWorker>): void => {
  const m = e.data;
  try {
    if (m.type === 'init') {
      sampleRateHz = m.sampleRateHz;
      fps = m.motion.fps;
      // The timeline's directions play on the session clock from the top of the timeline (directionsStartSec 0).
      engine = createLiveMotion(m.sampleRateHz, { motion: m.motion, lookAheadSec: m.lookAheadSec, directions: m.directions, directionsStartSec: 0 });
      m.samplesPort.onmessage = (ev: MessageEvent<{ type: 'samples'; contextTimeSec: number; samples: Float32Array }>) => {
        try {
          onSamples(ev.data.contextTimeSec, ev.data.samples);
        } catch (err) {
          post({ type: 'error', message: `Live analysis failed: ${(err as Error).message}` });
        }
      };
    } else if (m.type === 'mute') muted = m.muted;
    else if (m.type === 'record') {
      if (m.on) recordPending = true;
      else finishRecording();
    }
  } catch (err) {
    post({ type: 'error', message: (err as Error).message });
  }
};
