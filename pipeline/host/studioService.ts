/**
 * The studio service: implements the pipeline channels of the IPC contract (core/ipc/contract.ts) by calling
 * the pipeline — image decode + face analysis, audio decode, motion track, export job. One instance per host
 * (the web host, or Electron's utility process); it owns the face analyzer, the uploaded files of the session
 * and the running export jobs, and releases them in {@link StudioService.dispose}.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { InvalidInputError, JobCancelledError, NoFaceFoundError, StudioError, toErrorPayload, UnsupportedMediaError, type JobProgress } from '../../core/errors.ts';
import { ALPHA_EXPORT_FORMATS, AVATAR_FILE_EXTENSIONS, DEFAULT_SETTINGS, EXPORT_FORMATS, exportFileExtension, SettingsSchema, type ArgsOf, type EventName, type EventOf, type FileSource, type Handlers, type JobState, type ResultOf, type Settings } from '../../core/ipc/contract.ts';
import { parseProject, serializeProject } from '../../core/project/migrations.ts';
import { parseMotionOptions, type MotionOptions } from '../../core/motion/options.ts';
import { buildMotionTrack } from '../../core/motion/buildMotionTrack.ts';
import { trackFromJson } from '../../core/motion/track.ts';
import { evaluateDirections, isEmptyDirections, parseDirections } from '../../core/motion/directions.ts';
import { frameCountForDuration } from '../../core/motion/track.ts';
import { DEFAULT_RETARGET_STRENGTHS } from '../../core/reenact/drivingTrack.ts';
import { drivingVideoTrack, importDrivingVideo, type DrivingVideoEntry } from './drivingVideos.ts';
import { measurePortraitRest } from '../face/portraitRest.ts';
import { holdRestExpression } from '../../core/rig/restExpression.ts';
import { decodeImage } from '../image/decodeImage.ts';
import { decodeAudio } from '../audio/decodeAudio.ts';
import type { FaceAnalyzer } from '../face/faceAnalyzer.ts';
import { inspectAvatarBytes, MAX_AVATAR_FILE_BYTES, type AvatarLoadKind } from '../avatars/avatarFile.ts';
import { commitFile, writeFileAtomic } from '../files/atomicWrite.ts';
import { createWriteStream } from 'node:fs';
import { pipeline as pipelineStreams } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { ZipFile as YazlZipFile } from 'yazl';
import type { RenderHostLaunchOptions, SceneRenderHost } from '../render/exportPageDriver.ts';

/** Sample rate (Hz) of the PCM handed to the UI for the waveform and playback. */
export const PLAYBACK_SAMPLE_RATE_HZ = 24000;
/** Sample rate (Hz) of the audio analysed for motion (the speech analysis rate). */
export const MOTION_SAMPLE_RATE_HZ = 16000;
/** Longest side (px) of the portrait pixels sent to the UI; larger photos are downscaled for display. */
export const MAX_PREVIEW_SIDE_PX = 2048;
/** Smallest interval between two progress events of one job (ms). */
const PROGRESS_INTERVAL_MS = 100;

/** Options of {@link StudioService.create}. */
export interface StudioServiceOptions {
  /** Which front end serves the UI. */
  host: 'electron' | 'web';
  /** Session folder for uploaded files (created; removed by dispose when `ownsWorkDir`). */
  workDir: string;
  /** Remove `workDir` on dispose. */
  ownsWorkDir?: boolean;
  /** Folder for exports when the call gives no `outPath`. */
  outDir: string;
  /** Settings file (JSON); `null` keeps settings in memory only. */
  settingsPath: string | null;
  /** Accept local paths in file sources and output paths (Electron: true; web host: false — the browser uploads). */
  allowPaths: boolean;
  /** Receives host → UI events (export progress and completion). */
  onEvent?: <E extends EventName>(name: E, payload: EventOf<E>) => void;
  /** Builds the download URL of a finished export (web host). */
  downloadUrl?: (jobId: string) => string;
  /** Log lines. */
  onLog?: (line: string) => void;
  /** Clock in milliseconds (default `Date.now`). */
  nowMs?: () => number;
  /** App version shown by `studio:app.info`. */
  version?: string;
  /**
   * Starts the render host of each export (owned and disposed by the job). The desktop app passes its hidden render
   * window (pipeline/render/portRenderHost.ts); default: a headless Chromium (pipeline/render/renderHost.ts).
   */
  launchRenderHost?: (launch: RenderHostLaunchOptions) => Promise<SceneRenderHost>;
}

interface PortraitEntry {
  path: string;
  fileName: string;
}
interface AvatarEntry {
  path: string;
  fileName: string;
  kind: AvatarLoadKind;
}
interface AudioEntry {
  path: string;
  fileName: string;
  samples: Float32Array;
  sampleRateHz: number;
}
interface JobEntry {
  state: JobState;
  controller: AbortController;
  done: Promise<void>;
}

/** Copies a typed array's bytes into a fresh, exactly-sized ArrayBuffer. */
function toArrayBuffer(view: ArrayBufferView): ArrayBuffer {
  const out = new ArrayBuffer(view.byteLength);
  new Uint8Array(out).set(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
  return out;
}

/**
 * A file name safe to use inside the session folder: letters, digits, `._-` and non-ASCII letters kept,
 * everything else replaced by `_`, at most 80 characters, never starting with a dot.
 * @param name - the user's file name (untrusted; may contain separators).
 * @returns a sanitised base name.
 */
export function safeFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? 'file';
  const cleaned = base.replace(/[^\p{L}\p{N}._-]+/gu, '_').replace(/^\.+/, '').slice(-80);
  return cleaned || 'file';
}

function newId(prefix: string): string {
  return `${prefix}${randomBytes(6).toString('hex')}`;
}

/** The studio service; see the module comment. */
export class StudioService {
  private readonly opts: StudioServiceOptions;
  private readonly portraits = new Map<string, PortraitEntry>();
  private readonly audios = new Map<string, AudioEntry>();
  /** Imported motion tracks (live recordings): the validated JSON file's path. */
  private readonly motionTracks = new Map<string, { path: string; fileName: string }>();
  private readonly avatars = new Map<string, AvatarEntry>();
  private readonly jobs = new Map<string, JobEntry>();
  private readonly videos = new Map<string, DrivingVideoEntry>();
  /** Exports run one at a time (each launches a browser and an encoder); later ones wait here, stage `queued`. */
  private exportQueue: Promise<unknown> = Promise.resolve();
  private analyzer: Promise<FaceAnalyzer> | null = null;
  private settings: Settings | null = null;
  private disposed = false;

  private constructor(opts: StudioServiceOptions) {
    this.opts = opts;
  }

  /**
   * Creates the service and its session folder.
   * @param opts - see {@link StudioServiceOptions}.
   * @returns a ready service.
   */
  static async create(opts: StudioServiceOptions): Promise<StudioService> {
    await mkdir(opts.workDir, { recursive: true });
    await mkdir(opts.outDir, { recursive: true });
    return new StudioService(opts);
  }

  /**
   * The channel implementations (for {@link dispatchCall} in core/ipc/contract.ts). Arguments arrive validated.
   * @returns handlers for every pipeline channel; host-specific channels (dialogs, reveal in Electron) are the host's.
   */
  handlers(): Handlers {
    return {
      'studio:app.info': async () => ({ host: this.opts.host, version: this.opts.version ?? '0.1.0', platform: process.platform, canUsePaths: this.opts.allowPaths, exportFormats: [...EXPORT_FORMATS] }),
      'studio:portrait.import': (a) => this.importPortrait(a),
      'studio:avatar.import': (a) => this.importAvatar(a),
      'studio:audio.import': (a) => this.importAudio(a),
      'studio:video.import': (a) => this.importVideo(a),
      'studio:motion.build': (a) => this.buildMotion(a),
      'studio:motion.import': (a) => this.importMotion(a),
      'studio:export.start': (a) => this.startExport(a),
      'studio:export.cancel': (a) => this.cancelExport(a.jobId),
      'studio:export.status': async (a) => this.job(a.jobId).state,
      'studio:export.reveal': async (a) => {
        const st = this.job(a.jobId).state;
        if (st.state !== 'done') throw new InvalidInputError('The export has not finished');
        return { revealed: false, url: st.downloadUrl };
      },
      'studio:settings.get': () => this.getSettings(),
      'studio:settings.set': (a) => this.setSettings(a.patch),
      'studio:recent.list': async () => ({ paths: (await this.getSettings()).recentProjects }),
      'studio:project.open': (a) => this.openProject(a),
      'studio:project.save': (a) => this.saveProject(a),
    };
  }

  /** Writes an uploaded file into the session folder, or checks a local path. Returns path and display name. */
  private async materialize(source: FileSource, what: string): Promise<{ path: string; fileName: string; isUpload: boolean }> {
    if (source.kind === 'path') {
      if (!this.opts.allowPaths) throw new InvalidInputError(`This host accepts uploaded ${what} files only, not paths`);
      const path = resolve(source.path);
      const st = await stat(path).catch(() => null);
      if (!st || !st.isFile()) throw new InvalidInputError(`${what} file not found: ${source.path}`, { path: source.path });
      return { path, fileName: basename(path), isUpload: false };
    }
    if (source.data.byteLength === 0) throw new InvalidInputError(`"${source.fileName}" is empty (0 bytes)`, { fileName: source.fileName });
    const dir = join(this.opts.workDir, newId('u'));
    await mkdir(dir, { recursive: true });
    const path = join(dir, safeFileName(source.fileName));
    await writeFile(path, new Uint8Array(source.data));
    return { path, fileName: source.fileName, isUpload: true };
  }

  private getAnalyzer(): Promise<FaceAnalyzer> {
    if (this.analyzer) return this.analyzer;
    // Loaded on first use: onnxruntime and the models stay out of start-up.
    const created = import('../face/faceAnalyzer.ts').then(({ FaceAnalyzer }) => FaceAnalyzer.create({ onLog: this.opts.onLog }));
    created.catch(() => {
      if (this.analyzer === created) this.analyzer = null;
    });
    this.analyzer = created;
    return created;
  }

  private async importPortrait(a: ArgsOf<'studio:portrait.import'>): Promise<ResultOf<'studio:portrait.import'>> {
    const file = await this.materialize(a.source, 'portrait');
    try {
      const image = await decodeImage(file.path, { sourceName: file.fileName });
      const analyzer = await this.getAnalyzer();
      const analysis = await analyzer.analyze(image);
      if (analysis.faces.length === 0) throw new NoFaceFoundError(`No face found in "${file.fileName}". Use a photo where one face is clearly visible.`);
      const portraitId = newId('p');
      this.portraits.set(portraitId, { path: file.path, fileName: file.fileName });
      // The same measurement as the export's (pipeline/jobs/renderJob.ts), so the preview holds the same expression.
      const rests: number[][] = [];
      for (const f of analysis.faces) rests.push(Array.from((await measurePortraitRest(analyzer, image, f)).weights));
      const preview = await previewPixels(image.rgba, image.widthPx, image.heightPx);
      const s = preview.scale;
      const scaled = (lm: Float32Array): ArrayBuffer => {
        const out = new Float32Array(lm.length);
        for (let i = 0; i < lm.length; i++) out[i] = lm[i]! * s;
        return out.buffer;
      };
      return {
        portraitId,
        fileName: file.fileName,
        path: file.isUpload ? null : file.path,
        widthPx: preview.widthPx,
        heightPx: preview.heightPx,
        sourceWidthPx: image.widthPx,
        sourceHeightPx: image.heightPx,
        previewScale: s,
        hadAlpha: image.hadAlpha,
        rgba: toArrayBuffer(preview.rgba),
        faces: analysis.faces.map((f, i) => ({
          landmarksPx: s === 1 ? toArrayBuffer(f.landmarksPx) : scaled(f.landmarksPx),
          landmarkCount: f.landmarkCount,
          boxPx: { xPx: f.boxPx.xPx * s, yPx: f.boxPx.yPx * s, widthPx: f.boxPx.widthPx * s, heightPx: f.boxPx.heightPx * s },
          detectionScore: f.detectionScore,
          meshScore: f.meshScore,
          ...(f.headPose ? { headPose: { yawRad: f.headPose.yawRad, pitchRad: f.headPose.pitchRad, rollRad: f.headPose.rollRad } } : {}),
          restExpression: rests[i]!,
        })),
      };
    } catch (err) {
      if (file.isUpload) await rm(dirname(file.path), { recursive: true, force: true });
      throw file.isUpload ? withUserFileName(err, file.path, file.fileName) : err;
    }
  }

  private async importAvatar(a: ArgsOf<'studio:avatar.import'>): Promise<ResultOf<'studio:avatar.import'>> {
    const name = a.source.kind === 'path' ? basename(a.source.path) : a.source.fileName;
    const ext = extname(name).toLowerCase();
    if (!(AVATAR_FILE_EXTENSIONS as readonly string[]).includes(ext)) {
      throw new UnsupportedMediaError(`"${name}" is not an avatar file: choose a .glb head with ARKit or viseme morphs, Gaussian splats (.ply, .splat, .ksplat, .spz) or a LAM avatar .zip`, { fileName: name });
    }
    const file = await this.materialize(a.source, 'avatar');
    try {
      const size = (await stat(file.path)).size;
      if (size > MAX_AVATAR_FILE_BYTES) throw new InvalidInputError(`"${file.fileName}" is ${size} bytes, more than the ${MAX_AVATAR_FILE_BYTES} an avatar may have`, { fileName: file.fileName });
      const checked = inspectAvatarBytes(new Uint8Array(await readFile(file.path)), file.fileName);
      const avatarId = newId('v');
      this.avatars.set(avatarId, { path: file.path, fileName: file.fileName, kind: checked.kind });
      return {
        avatarId,
        fileName: file.fileName,
        path: file.isUpload ? null : file.path,
        kind: checked.kind,
        byteLength: checked.bytes.byteLength,
        splatCount: checked.splatCount,
        arkitChannels: checked.glb?.arkitChannels ?? 0,
        visemeChannels: checked.glb?.visemeChannels ?? 0,
        bytes: toArrayBuffer(checked.bytes),
      };
    } catch (err) {
      if (file.isUpload) await rm(dirname(file.path), { recursive: true, force: true });
      throw file.isUpload ? withUserFileName(err, file.path, file.fileName) : err;
    }
  }

  private async importAudio(a: ArgsOf<'studio:audio.import'>): Promise<ResultOf<'studio:audio.import'>> {
    const file = await this.materialize(a.source, 'audio');
    try {
      const [analysis, playback] = await Promise.all([decodeAudio(file.path, { sampleRateHz: MOTION_SAMPLE_RATE_HZ }), decodeAudio(file.path, { sampleRateHz: PLAYBACK_SAMPLE_RATE_HZ })]);
      if (analysis.samples.length === 0) throw new InvalidInputError(`"${file.fileName}" contains no audio samples`);
      const audioId = newId('a');
      this.audios.set(audioId, { path: file.path, fileName: file.fileName, samples: analysis.samples, sampleRateHz: analysis.sampleRateHz });
      return {
        audioId,
        fileName: file.fileName,
        path: file.isUpload ? null : file.path,
        codec: analysis.source.codec,
        sourceSampleRateHz: analysis.source.sampleRateHz,
        channels: analysis.source.channels,
        durationSec: analysis.durationSec,
        playbackSampleRateHz: playback.sampleRateHz,
        playbackPcm: toArrayBuffer(playback.samples),
      };
    } catch (err) {
      if (file.isUpload) await rm(dirname(file.path), { recursive: true, force: true });
      throw file.isUpload ? withUserFileName(err, file.path, file.fileName) : err;
    }
  }

  private async importMotion(a: ArgsOf<'studio:motion.import'>): Promise<ResultOf<'studio:motion.import'>> {
    const file = await this.materialize(a.source, 'motion track');
    try {
      let parsed: unknown;
      try {
        parsed = JSON.parse(await readFile(file.path, 'utf8'));
      } catch {
        throw new InvalidInputError(`"${file.fileName}" is not a motion track (not JSON)`);
      }
      let track;
      try {
        track = trackFromJson(parsed);
      } catch (err) {
        throw new InvalidInputError(`"${file.fileName}" is not a usable motion track: ${(err as Error).message}`);
      }
      if (track.frameCount < 1) throw new InvalidInputError(`"${file.fileName}" has no frames`);
      const motionTrackId = newId('m');
      this.motionTracks.set(motionTrackId, { path: file.path, fileName: file.fileName });
      return { motionTrackId, fileName: file.fileName, frameCount: track.frameCount, fps: track.fps, durationSec: (track.frameCount * track.fps.den) / track.fps.num };
    } catch (err) {
      if (file.isUpload) await rm(dirname(file.path), { recursive: true, force: true });
      throw err;
    }
  }

  private motionOptions(values: Record<string, unknown>, fps: { num: number; den: number }): MotionOptions {
    const parsed = parseMotionOptions({ ...values, fps });
    if (!parsed.ok) throw new InvalidInputError(`Invalid motion options: ${parsed.issues.join('; ')}`);
    return parsed.value;
  }

  private async importVideo(a: ArgsOf<'studio:video.import'>): Promise<ResultOf<'studio:video.import'>> {
    const file = await this.materialize(a.source, 'driving video');
    try {
      const { entry, summary } = await importDrivingVideo(file.path, file.fileName, await this.getAnalyzer(), dirname(file.path));
      const videoId = newId('v');
      this.videos.set(videoId, entry);
      return { videoId, fileName: file.fileName, path: file.isUpload ? null : file.path, ...summary };
    } catch (err) {
      if (file.isUpload) await rm(dirname(file.path), { recursive: true, force: true });
      throw file.isUpload ? withUserFileName(err, file.path, file.fileName) : err;
    }
  }

  private async buildMotion(a: ArgsOf<'studio:motion.build'>): Promise<ResultOf<'studio:motion.build'>> {
    const audio = this.audios.get(a.audioId);
    if (!audio) throw new InvalidInputError(`Unknown audio ${a.audioId}: import the audio first`);
    if (a.videoId) {
      const video = this.videos.get(a.videoId);
      if (!video) throw new InvalidInputError(`Unknown driving video ${a.videoId}: import it first`);
      const frameCount = frameCountForDuration(audio.samples.length / audio.sampleRateHz, a.fps);
      const opts = this.motionOptions(a.options, a.fps);
      const directions = a.directions ? parseDirections(a.directions) : null;
      const curves = directions && !isEmptyDirections(directions) ? evaluateDirections(directions, frameCount, a.fps, { ...opts, headMotionStrength: 1, mood: 'neutral' }) : null;
      const t = drivingVideoTrack(video, a.fps, frameCount, a.retarget ?? DEFAULT_RETARGET_STRENGTHS, curves, a.portraitRest ? Float32Array.from(a.portraitRest) : undefined);
      return { fps: t.fps, frameCount: t.frameCount, blendshapes: toArrayBuffer(t.blendshapes), visemes: toArrayBuffer(t.visemes), headRotation: toArrayBuffer(t.headRotation), headTranslationM: toArrayBuffer(t.headTranslationM), gazeRad: toArrayBuffer(t.gazeRad) };
    }
    const track = buildMotionTrack(audio.samples, audio.sampleRateHz, this.motionOptions(a.options, a.fps), undefined, a.directions ? parseDirections(a.directions) : null);
    // As the export does for a portrait (pipeline/jobs/renderJob.ts): speech leaves the smile, brows and lids to it.
    if (a.portraitRest) holdRestExpression(track.blendshapes, Float32Array.from(a.portraitRest));
    return {
      fps: track.fps,
      frameCount: track.frameCount,
      blendshapes: toArrayBuffer(track.blendshapes),
      visemes: toArrayBuffer(track.visemes),
      headRotation: toArrayBuffer(track.headRotation),
      headTranslationM: toArrayBuffer(track.headTranslationM),
      gazeRad: toArrayBuffer(track.gazeRad),
    };
  }

  private job(jobId: string): JobEntry {
    const job = this.jobs.get(jobId);
    if (!job) throw new InvalidInputError(`Unknown export job ${jobId}`);
    return job;
  }

  private emit<E extends EventName>(name: E, payload: EventOf<E>): void {
    try {
      this.opts.onEvent?.(name, payload);
    } catch (err) {
      this.opts.onLog?.(`event listener failed: ${(err as Error).message}`);
    }
  }

  private async startExport(a: ArgsOf<'studio:export.start'>): Promise<ResultOf<'studio:export.start'>> {
    const avatar = a.avatarId ? this.avatars.get(a.avatarId) : undefined;
    if (a.avatarId && !avatar) throw new InvalidInputError(`Unknown avatar ${a.avatarId}: import the avatar first`);
    const portrait = !avatar && a.portraitId ? this.portraits.get(a.portraitId) : undefined;
    if (!avatar && !a.portraitId) throw new InvalidInputError('Nothing to animate: import a portrait or an avatar first');
    if (!avatar && !portrait) throw new InvalidInputError(`Unknown portrait ${a.portraitId}: import the portrait first`);
    const subject = (avatar ?? portrait)!;
    const audio = this.audios.get(a.audioId);
    if (!audio) throw new InvalidInputError(`Unknown audio ${a.audioId}: import the audio first`);
    const motionTrack = a.motionTrackId ? this.motionTracks.get(a.motionTrackId) : undefined;
    if (a.motionTrackId && !motionTrack) throw new InvalidInputError(`Unknown motion track ${a.motionTrackId}: import it first`);
    const video = a.videoId ? this.videos.get(a.videoId) : undefined;
    if (a.videoId && !video) throw new InvalidInputError(`Unknown driving video ${a.videoId}: import it first`);
    const format = a.settings.format;
    const transparent = a.settings.alpha || a.background === 'transparent';
    if (transparent && !ALPHA_EXPORT_FORMATS.includes(format)) {
      throw new InvalidInputError(`${format.toUpperCase()} has no alpha channel: for a transparent background export WebM, MOV, GIF or PNG, or choose a photo or colour background`);
    }
    const background = transparent ? 'transparent' : a.background === 'photo' ? 'photo' : { color: a.background };
    const motion = this.motionOptions(a.motion, a.settings.fps);
    const ext = exportFileExtension(format);
    let outPath: string;
    if (a.outPath) {
      if (!this.opts.allowPaths) throw new InvalidInputError('This host chooses the output location itself (outPath must be null)');
      outPath = resolve(a.outPath);
      if (extname(outPath).toLowerCase() !== ext) outPath += ext;
    } else {
      const stem = (s: string): string => safeFileName(s).replace(/\.[^.]*$/, '');
      outPath = join(this.opts.outDir, `${stem(subject.fileName)}-${stem(audio.fileName)}-${new Date(this.now()).toISOString().replace(/[:.]/g, '-')}${ext}`);
    }
    const jobId = newId('j');
    const outStem = basename(outPath, extname(outPath));
    const tmpPath = join(dirname(outPath), `.${outStem}.${jobId}.partial${ext}`);
    // A PNG sequence is rendered into a hidden folder beside the output, then packed into the zip.
    const framesDir = format === 'png' ? join(dirname(outPath), `.${outStem}.${jobId}.frames`) : null;
    const framePrefix = safeFileName(outStem).replace(/%/g, '_');
    const controller = new AbortController();
    const state: JobState = {
      jobId,
      state: 'running',
      progress: { stage: 'queued', completedFrames: 0, totalFrames: 0, fraction: 0, etaSec: null },
      outPath: null,
      fileName: basename(outPath),
      bytes: null,
      downloadUrl: null,
      error: null,
    };
    let lastEmitMs = -Infinity;
    const onProgress = (p: JobProgress): void => {
      state.progress = { ...p, fraction: Math.min(1, Math.max(0, p.fraction)) };
      const t = this.now();
      if (t - lastEmitMs >= PROGRESS_INTERVAL_MS || p.fraction >= 1) {
        lastEmitMs = t;
        this.emit('studio:export.progress', { jobId, progress: state.progress });
      }
    };
    const run = async (): Promise<void> => {
      try {
        if (controller.signal.aborted) throw new JobCancelledError('Export cancelled while queued');
        await mkdir(dirname(outPath), { recursive: true });
        const { renderTalkingHead } = await import('../jobs/renderJob.ts');
        // The view of the preview (framing, background, orbit) travels with the job; the export job applies
        // the fields it supports (extra fields are ignored by older job versions).
        const jobOptions: Parameters<typeof renderTalkingHead>[0] & Record<string, unknown> = {
          ...(avatar ? { avatarPath: avatar.path } : { portraitPath: portrait!.path, faceIndex: a.faceIndex }),
          audioPath: audio.path,
          ...(motionTrack ? { motionPath: motionTrack.path } : {}),
          outPath: framesDir ? join(framesDir, `${framePrefix}_%05d.png`) : tmpPath,
          sizePx: Math.round(a.settings.sizePx / 2) * 2,
          quality: a.settings.quality,
          fps: a.settings.fps,
          motion,
          signal: controller.signal,
          onProgress,
          onLog: this.opts.onLog,
          framing: a.framing,
          background,
          orbit: a.orbit,
          directions: a.directions ? parseDirections(a.directions) : null,
          rangeSec: a.rangeSec,
          ...(this.opts.launchRenderHost ? { launchRenderHost: this.opts.launchRenderHost } : {}),
          ...(video ? { drivingVideoPath: video.path, retarget: a.retarget ?? DEFAULT_RETARGET_STRENGTHS } : {}),
        };
        if (framesDir) await mkdir(framesDir, { recursive: true });
        await renderTalkingHead(jobOptions);
        if (controller.signal.aborted) throw new JobCancelledError();
        if (framesDir) {
          const names = (await readdir(framesDir)).filter((n) => n.endsWith('.png')).sort();
          state.progress = { ...state.progress, stage: 'zip' };
          await zipFiles(framesDir, names, tmpPath, { folderName: framePrefix, mtimeMs: this.now(), signal: controller.signal });
          await rm(framesDir, { recursive: true, force: true });
        }
        await commitFile(tmpPath, outPath);
        const st = await stat(outPath);
        Object.assign(state, { state: 'done', outPath, bytes: st.size, downloadUrl: this.opts.downloadUrl?.(jobId) ?? null });
        state.progress = { ...state.progress, fraction: 1, etaSec: 0 };
      } catch (err) {
        await rm(tmpPath, { force: true });
        if (framesDir) await rm(framesDir, { recursive: true, force: true });
        const cancelled = controller.signal.aborted || (err instanceof StudioError && err.code === 'JOB_CANCELLED');
        const payload = toErrorPayload(cancelled ? new JobCancelledError('Export cancelled') : err);
        Object.assign(state, { state: cancelled ? 'cancelled' : 'failed', error: { code: payload.code, message: payload.message } });
        this.opts.onLog?.(`export ${jobId} ${state.state}: ${payload.message}`);
      }
      this.emit('studio:export.finished', state);
    };
    const done = this.exportQueue.then(run);
    this.exportQueue = done;
    this.jobs.set(jobId, { state, controller, done });
    return { jobId };
  }

  private async cancelExport(jobId: string): Promise<{ cancelled: boolean }> {
    const job = this.job(jobId);
    if (job.state.state !== 'running') return { cancelled: false };
    job.controller.abort();
    await job.done;
    return { cancelled: (job.state.state as JobState['state']) === 'cancelled' };
  }

  /**
   * Waits for an export to end (tests, shutdown).
   * @param jobId - a job started by `studio:export.start`.
   * @returns the final job state.
   * @throws InvalidInputError for an unknown job.
   */
  async waitForJob(jobId: string): Promise<JobState> {
    const job = this.job(jobId);
    await job.done;
    return job.state;
  }

  /**
   * Path of a finished export (for the web host's download route).
   * @param jobId - job id.
   * @returns the output path, or null when the job is unknown or not done.
   */
  finishedOutput(jobId: string): { path: string; fileName: string } | null {
    const st = this.jobs.get(jobId)?.state;
    return st && st.state === 'done' && st.outPath ? { path: st.outPath, fileName: st.fileName ?? basename(st.outPath) } : null;
  }

  private now(): number {
    return (this.opts.nowMs ?? Date.now)();
  }

  private async getSettings(): Promise<Settings> {
    if (this.settings) return this.settings;
    let stored: unknown = {};
    if (this.opts.settingsPath) {
      try {
        stored = JSON.parse(await readFile(this.opts.settingsPath, 'utf8'));
      } catch {
        stored = {};
      }
    }
    const merged = SettingsSchema.safeParse({ ...DEFAULT_SETTINGS, ...(stored as object) });
    this.settings = merged.success ? merged.data : structuredClone(DEFAULT_SETTINGS);
    return this.settings;
  }

  private async setSettings(patch: Partial<Settings>): Promise<Settings> {
    const next = SettingsSchema.parse({ ...(await this.getSettings()), ...patch });
    this.settings = next;
    if (this.opts.settingsPath) await writeAtomic(this.opts.settingsPath, `${JSON.stringify(next, null, 2)}\n`);
    return next;
  }

  private async remember(path: string): Promise<void> {
    const s = await this.getSettings();
    await this.setSettings({ recentProjects: [path, ...s.recentProjects.filter((p) => p !== path)].slice(0, 10) });
  }

  private async openProject(a: ArgsOf<'studio:project.open'>): Promise<ResultOf<'studio:project.open'>> {
    let text: string;
    let path: string | null = null;
    if (a.source.kind === 'path') {
      if (!this.opts.allowPaths) throw new InvalidInputError('This host accepts uploaded project files only, not paths');
      path = resolve(a.source.path);
      text = await readFile(path, 'utf8').catch(() => {
        throw new InvalidInputError(`Project file not found: ${a.source.kind === 'path' ? a.source.path : ''}`);
      });
    } else text = new TextDecoder().decode(a.source.data);
    const loaded = parseProject(text);
    if (path) await this.remember(path);
    return { project: loaded.project, path, migratedFromVersion: loaded.migratedFromVersion };
  }

  private async saveProject(a: ArgsOf<'studio:project.save'>): Promise<ResultOf<'studio:project.save'>> {
    const json = serializeProject(a.project);
    if (!a.path) return { path: null, json };
    if (!this.opts.allowPaths) throw new InvalidInputError('This host cannot write to paths; the project is downloaded instead');
    const path = resolve(a.path);
    await writeAtomic(path, json);
    await this.remember(path);
    return { path, json };
  }

  /**
   * Cancels running exports, waits for them, disposes the face analyzer and removes the session folder.
   */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    for (const job of this.jobs.values()) if (job.state.state === 'running') job.controller.abort();
    await Promise.all([...this.jobs.values()].map((j) => j.done));
    if (this.analyzer) await (await this.analyzer.catch(() => null))?.dispose();
    if (this.opts.ownsWorkDir) await rm(this.opts.workDir, { recursive: true, force: true });
  }
}

/**
 * Pixels of a portrait for display: unchanged when the longest side is ≤ {@link MAX_PREVIEW_SIDE_PX}, else
 * resized (libvips Lanczos-3 via sharp) so the longest side is exactly that.
 * @param rgba - `[heightPx, widthPx, 4]` RGBA8.
 * @param widthPx - source width.
 * @param heightPx - source height.
 * @returns the pixels, their size and `scale` = preview px / source px (x and y scales differ by < 1 px / side).
 */
export async function previewPixels(rgba: Uint8Array, widthPx: number, heightPx: number): Promise<{ rgba: Uint8Array; widthPx: number; heightPx: number; scale: number }> {
  const longest = Math.max(widthPx, heightPx);
  if (longest <= MAX_PREVIEW_SIDE_PX) return { rgba, widthPx, heightPx, scale: 1 };
  const scale = MAX_PREVIEW_SIDE_PX / longest;
  const w = Math.max(1, Math.round(widthPx * scale));
  const h = Math.max(1, Math.round(heightPx * scale));
  const { default: sharp } = await import('sharp');
  const out = await sharp(Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength), { raw: { width: widthPx, height: heightPx, channels: 4 } })
    .resize(w, h, { fit: 'fill', kernel: 'lanczos3' })
    .raw()
    .toBuffer();
  return { rgba: new Uint8Array(out.buffer, out.byteOffset, out.byteLength), widthPx: w, heightPx: h, scale };
}

/**
 * Rewrites an error about an uploaded file so it names the user's file, not the session copy's path.
 * @param err - the error thrown while reading the upload.
 * @param sessionPath - where the upload was stored.
 * @param fileName - the name the user chose.
 * @returns a {@link StudioError} with the same code and the path replaced (other errors unchanged).
 */
export function withUserFileName(err: unknown, sessionPath: string, fileName: string): unknown {
  if (!(err instanceof StudioError) || !err.message.includes(sessionPath)) return err;
  const details = Object.fromEntries(Object.entries(err.details).map(([k, v]) => [k, v === sessionPath ? fileName : v]));
  const quoted = `"${fileName}"`;
  const message = err.message.replaceAll(`"${sessionPath}"`, quoted).replaceAll(sessionPath, quoted);
  return Object.assign(new StudioError(err.code, message, details), { name: err.name });
}

/**
 * Writes a file through a temp file in the same folder and a rename (never a half-written file).
 * @param path - destination.
 * @param text - UTF-8 content.
 */
export async function writeAtomic(path: string, text: string): Promise<void> {
  await writeFileAtomic(path, text);
}

/** Options of {@link zipFiles}. */
export interface ZipFilesOptions {
  /** Folder inside the archive holding the files (none when omitted). */
  folderName?: string;
  /** Modification time stored for every entry (ms since the epoch; default now). */
  mtimeMs?: number;
  /** Stops between files; the partial archive is left for the caller to remove. */
  signal?: AbortSignal;
}

/**
 * Packs files of one folder into a zip archive, stored without recompression (PNG data is already deflated),
 * streamed entry by entry so memory stays at one file however many frames there are.
 * @param srcDir - folder of the files.
 * @param names - file names in `srcDir`, in archive order.
 * @param zipPath - archive to write (created or replaced).
 * @param opts - see {@link ZipFilesOptions}.
 * @throws JobCancelledError when `signal` aborts; the file system's error when reading or writing fails.
 * @remarks ZIP format per PKWARE APPNOTE.TXT 6.3, written by yazl: method 0 "stored", CRC-32 per entry, and the
 * ZIP64 extensions (APPNOTE 4.3.14/4.5.3) wherever an archive passes 65 535 entries or 4 GiB — a 40-minute 30 fps
 * PNG sequence has 72 000 frames (the fflate writer used before wrote no ZIP64: such archives were corrupt).
 */
export async function zipFiles(srcDir: string, names: readonly string[], zipPath: string, opts: ZipFilesOptions = {}): Promise<void> {
  if (opts.signal?.aborted) throw new JobCancelledError();
  const zip = new YazlZipFile();
  const mtime = new Date(opts.mtimeMs ?? Date.now());
  for (const name of names) zip.addFile(join(srcDir, name), opts.folderName ? `${opts.folderName}/${name}` : name, { compress: false, mtime });
  zip.end();
  const onAbort = (): void => void (zip.outputStream as Readable).destroy(new JobCancelledError());
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await pipelineStreams(zip.outputStream, createWriteStream(zipPath));
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
}
