/**
 * Audio decoding: any file ffmpeg can read → mono Float32 PCM at one analysis rate.
 *
 * @remarks
 * The container and codec are recognised by ffmpeg's content probe (`av_probe_input_format`), never by the
 * file extension, so MP3 bytes under a `.wav` name decode as MP3. The audio is resampled exactly once (by
 * libswresample inside ffmpeg) to the analysis rate, output as native-endian `f32le` with the source's own
 * channel count, and downmixed here by averaging channels (so a mono signal duplicated to stereo is
 * unchanged). Samples are clamped to [-1, 1] (float sources may exceed full scale).
 */
import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { FfmpegExitError, JobCancelledError, UnsupportedMediaError } from '../../core/errors.ts';
import { resolveFfmpeg, resolveFfprobe } from '../ffmpeg/ffmpegPath.ts';

/**
 * The ffmpeg audio filter that puts decoded samples on the container's timeline: a timestamp gap (a recording
 * dropout) of more than 10 ms becomes silence, an overlap is trimmed, and the stream starts at time 0.
 * @remarks libswresample `aresample` options (ffmpeg-resampler docs): `async=1` enables timestamp compensation
 * by filling/trimming only (no stretching: `max_soft_comp` stays 0), `min_hard_comp=0.01` s is the smallest gap that
 * is filled (the default 0.1 s let b15 lose 48 ms and with it a frame), `first_pts=0` pads a late start. Analysis
 * (decodeAudioChunks) and the mux (encodeVideo) both use it, so the mouth and the sound share one timeline.
 */
export const AUDIO_TIMELINE_FILTER = 'aresample=async=1:min_hard_comp=0.01:first_pts=0';

/** Default analysis sample rate (Hz) used by the speech-to-motion analysis. */
export const DEFAULT_ANALYSIS_SAMPLE_RATE_HZ = 16000;

/** Facts about the source audio stream, as probed (before resampling/downmixing). */
export interface AudioSourceInfo {
  /** ffmpeg codec name, e.g. `"mp3"`, `"flac"`, `"pcm_s24le"`, `"aac"`. */
  codec: string;
  /** Source sample rate in Hz. */
  sampleRateHz: number;
  /** Source channel count (1 = mono, 2 = stereo…). */
  channels: number;
  /** Duration reported by the container/stream in seconds (0 when unknown). */
  durationSec: number;
  /**
   * Set once the whole stream is decoded (the generator's return value / decodeAudio's `source`): a description of
   * how the file is cut short — it declares `durationSec` but its data ends early (a truncated download or
   * recording; ffmpeg decodes what is there and exits 0). Absent when the file is whole.
   */
  truncationNote?: string;
}

/**
 * What a user should know about an audio source before trusting the lip motion: a truncated file, narrow-band audio.
 * @param info - the probed source, as returned once fully decoded (with its `truncationNote`).
 * @returns one-line notes (empty when there is nothing to say).
 * @remarks Narrow band: below the 16 kHz analysis rate the source holds nothing above half its rate (Nyquist);
 * telephone audio (8 kHz) lacks the 4–8 kHz band where fricatives (s, f, th) carry their energy, so those
 * consonants shape the mouth less than in wide-band audio.
 */
export function audioSourceNotes(info: AudioSourceInfo): string[] {
  const notes: string[] = [];
  if (info.truncationNote) notes.push(`${info.truncationNote}; the video lasts as long as the audio that is there`);
  if (info.sampleRateHz > 0 && info.sampleRateHz < DEFAULT_ANALYSIS_SAMPLE_RATE_HZ) {
    notes.push(`narrow-band audio (${info.sampleRateHz} Hz, nothing above ${(info.sampleRateHz / 2000).toFixed(1)} kHz): consonants such as s, f and th move the mouth less than in wide-band recordings`);
  }
  return notes;
}

/**
 * Says whether a decoded stream is cut short: it declares `declaredSec` but decoded to `decodedSec`.
 * @param declaredSec - container/stream duration (0 = unknown). @param decodedSec - decoded duration on the timeline.
 * @param demuxerSaysPartial - ffmpeg's demuxer logged "partial file".
 * @returns a one-line note, or undefined when the file is whole.
 * @remarks Lossy codecs legitimately decode up to a few codec frames shorter than declared (encoder delay and
 * padding: MP3 11.088 → 11.0 s, VBR estimates 86 ms off on 176 s), so a shortfall counts only above
 * max(0.5 s, 2 %) unless the demuxer itself reports a partial file.
 */
export function truncationNote(declaredSec: number, decodedSec: number, demuxerSaysPartial: boolean): string | undefined {
  if (!(declaredSec > 0)) return undefined;
  const shortSec = declaredSec - decodedSec;
  if (shortSec <= 0.05 || (!demuxerSaysPartial && shortSec <= Math.max(0.5, 0.02 * declaredSec))) return undefined;
  return `the file declares ${declaredSec.toFixed(2)} s of audio but holds only ${decodedSec.toFixed(2)} s (truncated?)`;
}

/** A decoded audio file: mono samples at the analysis rate plus the source's facts. */
export interface DecodedAudio {
  /** Mono samples in [-1, 1], `durationSec * sampleRateHz` long. */
  samples: Float32Array;
  /** Sample rate of `samples` in Hz. */
  sampleRateHz: number;
  /** `samples.length / sampleRateHz`, seconds. */
  durationSec: number;
  /** The source stream as probed. */
  source: AudioSourceInfo;
}

/** Options of {@link decodeAudio} and {@link decodeAudioChunks}. */
export interface DecodeAudioOptions {
  /** Output sample rate in Hz (8000..192000); default {@link DEFAULT_ANALYSIS_SAMPLE_RATE_HZ}. */
  sampleRateHz?: number;
  /** Cancels the decode: the ffmpeg process is killed and {@link JobCancelledError} thrown. */
  signal?: AbortSignal;
}

/** Options of {@link decodeAudioChunks}. */
export interface DecodeAudioChunkOptions extends DecodeAudioOptions {
  /** Samples per yielded chunk (the last one may be shorter); default one second of output. */
  chunkSamples?: number;
  /**
   * Reuse one chunk array for every yield (no allocation per chunk): the consumer must copy or use
   * each chunk before asking for the next. Default false.
   */
  reuseChunkBuffer?: boolean;
  /** Called once with the probed source facts, before the first chunk. */
  onSourceInfo?: (info: AudioSourceInfo) => void;
}

const STDERR_TAIL_BYTES = 4096;
/** Decoded bytes buffered ahead of the consumer before ffmpeg's pipe is paused (keeps memory bounded). */
const QUEUE_HIGH_BYTES = 1 << 17;

/**
 * Reads a stream eagerly into a bounded queue (pausing the source above `highBytes`), so a slow
 * consumer step never stalls the producer on every small pipe chunk.
 */
function readWithBuffer(stream: NodeJS.ReadableStream, highBytes: number): AsyncGenerator<Buffer> {
  // Listeners are attached now (not on the first next()): Node resumes and drains an exited child's
  // unattended stdout, which would otherwise lose the data of a short file.
  const queue: Buffer[] = [];
  let queued = 0;
  let ended = false;
  let failure: unknown = null;
  let wake: (() => void) | null = null;
  const notify = (): void => {
    const w = wake;
    wake = null;
    w?.();
  };
  stream.on('data', (d: Buffer) => {
    queue.push(d);
    queued += d.length;
    if (queued > highBytes) stream.pause();
    notify();
  });
  stream.on('end', () => {
    ended = true;
    notify();
  });
  stream.on('error', (e) => {
    failure = e;
    notify();
  });
  return (async function* () {
    for (;;) {
      if (failure) throw failure;
      if (queue.length) {
        const next = queue.shift()!;
        queued -= next.length;
        if (queued <= highBytes / 2) stream.resume();
        yield next;
        continue;
      }
      if (ended) return;
      await new Promise<void>((r) => (wake = r));
    }
  })();
}

function checkRate(rate: number): number {
  if (!Number.isInteger(rate) || rate < 8000 || rate > 192000) throw new UnsupportedMediaError(`Unsupported analysis sample rate ${rate} Hz (use an integer in 8000..192000)`);
  return rate;
}

function cancelled(): JobCancelledError {
  return new JobCancelledError('Audio decoding cancelled');
}

async function checkFile(path: string): Promise<void> {
  let size: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new UnsupportedMediaError(`Not an audio file: ${path} is not a regular file`, { path });
    size = st.size;
  } catch (err) {
    if (err instanceof UnsupportedMediaError) throw err;
    throw new UnsupportedMediaError(`Cannot read audio file ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { path });
  }
  if (size === 0) throw new UnsupportedMediaError(`Audio file ${basename(path)} is empty (0 bytes)`, { path });
}

function runCollect(bin: string, args: string[], signal?: AbortSignal): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(cancelled());
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-STDERR_TAIL_BYTES)));
    const onAbort = (): void => {
      child.kill('SIGKILL');
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (err) => {
      signal?.removeEventListener('abort', onAbort);
      reject(err);
    });
    child.on('close', (code) => {
      signal?.removeEventListener('abort', onAbort);
      if (signal?.aborted) reject(cancelled());
      else resolve({ code, stdout, stderr });
    });
  });
}

/**
 * Probes the first audio stream of a file with ffprobe (content-sniffed, extension ignored).
 * @param path - file path (any characters).
 * @param opts - optional cancellation signal.
 * @returns codec, sample rate, channel count and duration of the first audio stream.
 * @throws UnsupportedMediaError for a missing, empty or undecodable file, or one without an audio stream.
 * @throws JobCancelledError when `opts.signal` aborts.
 */
export async function probeAudio(path: string, opts: { signal?: AbortSignal } = {}): Promise<AudioSourceInfo> {
  await checkFile(path);
  const args = ['-v', 'error', '-show_entries', 'stream=codec_type,codec_name,sample_rate,channels,duration:format=duration,format_name', '-of', 'json', '--', path];
  const res = await runCollect(resolveFfprobe(), args, opts.signal);
  const name = basename(path);
  if (res.code !== 0) {
    const why = res.stderr.trim().split('\n').pop()?.replace(path, name) ?? 'unknown error';
    throw new UnsupportedMediaError(`Cannot read ${name} as audio: ${why}`, { path, stderrTail: res.stderr });
  }
  let parsed: { streams?: Array<Record<string, unknown>>; format?: Record<string, unknown> };
  try {
    parsed = JSON.parse(res.stdout) as typeof parsed;
  } catch {
    throw new UnsupportedMediaError(`Cannot read ${name} as audio: ffprobe output was not understood`, { path });
  }
  const stream = (parsed.streams ?? []).find((s) => s.codec_type === 'audio');
  if (!stream) {
    const kinds = (parsed.streams ?? []).map((s) => String(s.codec_type)).join(', ') || 'none';
    throw new UnsupportedMediaError(`${name} has no audio stream (streams found: ${kinds}; container: ${String(parsed.format?.format_name ?? 'unknown')})`, { path });
  }
  const num = (v: unknown): number => {
    const x = Number(v);
    return Number.isFinite(x) ? x : 0;
  };
  return {
    codec: String(stream.codec_name ?? 'unknown'),
    sampleRateHz: num(stream.sample_rate),
    channels: Math.max(1, num(stream.channels)),
    durationSec: num(stream.duration) || num(parsed.format?.duration),
  };
}

/**
 * Streams a file's first audio stream as mono Float32 chunks at the analysis rate (memory stays flat).
 * @param path - file path; the format is recognised by content.
 * @param opts - output rate (default 16000 Hz), chunk size in samples (default one second), cancellation.
 * @returns an async iterable of mono chunks in [-1, 1]; every chunk has `chunkSamples` samples except
 *   the last. The stream's {@link AudioSourceInfo} is probed first (so errors surface before the first chunk).
 * @throws UnsupportedMediaError for a missing, empty or non-audio file.
 * @throws FfmpegExitError when ffmpeg fails mid-stream (`details.stderrTail` holds its last output).
 * @throws JobCancelledError when `opts.signal` aborts.
 */
export async function* decodeAudioChunks(path: string, opts: DecodeAudioChunkOptions = {}): AsyncGenerator<Float32Array, AudioSourceInfo, void> {
  const rate = checkRate(opts.sampleRateHz ?? DEFAULT_ANALYSIS_SAMPLE_RATE_HZ);
  const chunkSamples = Math.max(1, Math.floor(opts.chunkSamples ?? rate));
  // Probe and decode start together (the probe's latency is hidden); the PCM waits in the pipe until
  // the channel count is known. A failed probe kills the decoder and reports the probe's error.
  await checkFile(path);
  if (opts.signal?.aborted) throw cancelled();
  const args = ['-nostdin', '-v', 'error', '-i', path, '-map', '0:a:0', '-vn', '-sn', '-dn', '-af', AUDIO_TIMELINE_FILTER, '-ar', String(rate), '-f', 'f32le', '-acodec', 'pcm_f32le', 'pipe:1'];
  const child = spawn(resolveFfmpeg().path, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const pcm = readWithBuffer(child.stdout, QUEUE_HIGH_BYTES);
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-STDERR_TAIL_BYTES)));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code));
  });
  exited.catch(() => undefined);
  const onAbort = (): void => {
    child.kill('SIGKILL');
  };
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  let info: AudioSourceInfo;
  try {
    info = await probeAudio(path, { signal: opts.signal });
  } catch (err) {
    opts.signal?.removeEventListener('abort', onAbort);
    child.kill('SIGKILL');
    throw err;
  }
  opts.onSourceInfo?.(info);
  const channels = info.channels;
  const frameBytes = 4 * channels;
  // One reusable, 4-byte-aligned scratch: incoming pipe bytes are copied behind the left-over partial
  // frame, viewed as floats and downmixed — no per-chunk allocations besides the yielded chunks.
  let scratch = new Uint8Array(1 << 16);
  let pending = 0; // bytes of an incomplete sample frame kept at the start of `scratch`
  let out = new Float32Array(chunkSamples);
  let outLen = 0;
  let decodedSamples = 0;
  try {
    for await (const data of pcm) {
      if (opts.signal?.aborted) throw cancelled();
      if (pending + data.length > scratch.length) {
        const bigger = new Uint8Array(Math.max(scratch.length * 2, pending + data.length));
        bigger.set(scratch.subarray(0, pending));
        scratch = bigger;
      }
      scratch.set(data, pending);
      const bytes = pending + data.length;
      const frames = Math.floor(bytes / frameBytes);
      const f32 = new Float32Array(scratch.buffer, 0, frames * channels);
      let f = 0;
      while (f < frames) {
        const n = Math.min(frames - f, chunkSamples - outLen);
        for (let k = 0; k < n; k++) {
          let v: number;
          if (channels === 1) v = f32[f + k]!;
          else {
            let acc = 0;
            const base = (f + k) * channels;
            for (let c = 0; c < channels; c++) acc += f32[base + c]!;
            v = acc / channels;
          }
          if (v > 1) v = 1;
          else if (v < -1) v = -1;
          else if (v !== v) v = 0; // NaN from a broken float source
          out[outLen + k] = v;
        }
        outLen += n;
        decodedSamples += n;
        f += n;
        if (outLen === chunkSamples) {
          yield out;
          if (!opts.reuseChunkBuffer) out = new Float32Array(chunkSamples);
          outLen = 0;
        }
      }
      pending = bytes - frames * frameBytes;
      scratch.copyWithin(0, frames * frameBytes, bytes);
    }
    const code = await exited;
    if (opts.signal?.aborted) throw cancelled();
    if (code !== 0) {
      throw new FfmpegExitError(`ffmpeg failed to decode ${basename(path)} (exit ${code}): ${stderr.trim().split('\n').pop() ?? ''}`, { path, exitCode: code, stderrTail: stderr });
    }
    if (outLen > 0) yield out.slice(0, outLen);
    const note = truncationNote(info.durationSec, decodedSamples / rate, /partial file/i.test(stderr));
    if (note) info = { ...info, truncationNote: note };
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  return info;
}

/**
 * Decodes a whole file to mono Float32 samples at the analysis rate.
 * @param path - file path; the format is recognised by content (MP3 bytes named `.wav` work).
 * @param opts - `sampleRateHz` (default 16000) and an optional AbortSignal.
 * @returns {@link DecodedAudio}: mono samples in [-1, 1], their rate and duration, and the probed source.
 * @throws UnsupportedMediaError naming the file for a 0-byte, non-media or audio-less file.
 * @throws FfmpegExitError with the stderr tail when ffmpeg fails while decoding.
 * @throws JobCancelledError when the signal aborts.
 */
export async function decodeAudio(path: string, opts: DecodeAudioOptions = {}): Promise<DecodedAudio> {
  const rate = checkRate(opts.sampleRateHz ?? DEFAULT_ANALYSIS_SAMPLE_RATE_HZ);
  const parts: Float32Array[] = [];
  let total = 0;
  const gen = decodeAudioChunks(path, { ...opts, sampleRateHz: rate, chunkSamples: rate * 4 });
  let res = await gen.next();
  while (!res.done) {
    parts.push(res.value);
    total += res.value.length;
    res = await gen.next();
  }
  const source = res.value;
  const samples = new Float32Array(total);
  let off = 0;
  for (const p of parts) {
    samples.set(p, off);
    off += p.length;
  }
  return { samples, sampleRateHz: rate, durationSec: total / rate, source };
}
