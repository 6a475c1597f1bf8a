/**
 * The export job: portrait + speech, a driving video, or a saved motion track → talking-head video.
 * Stages: decode the portrait → find the face → decode the audio / track the driving video → build the
 * motion track → render every frame in the render host → encode with ffmpeg (temp file, renamed when complete).
 * An avatar file (GLB, splats, LAM zip) can stand in for the portrait: it is checked up front and rendered by
 * the same host, driven by the same track.
 */
import { mkdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { InvalidInputError, JobCancelledError, throwIfAborted, type JobProgress } from '../../core/errors.ts';
import { ProgressTracker, type StagePlan } from '../../core/jobs/progress.ts';
import { encoderSettingsForQuality, orbitYawRangeDeg, type ExportQuality } from '../../core/jobs/options.ts';
import { estimateHeadPose } from '../../core/face/headPose.ts';
import { ARKIT_BLENDSHAPE_COUNT, OVR_VISEME_COUNT } from '../../core/motion/names.ts';
import { frameCountForDuration, trackFromJson, type Fps, type MotionTrack } from '../../core/motion/track.ts';
import { DEFAULT_MOTION_OPTIONS, MOTION_OPTION_DESCRIPTORS, type MotionOptions } from '../../core/motion/options.ts';
import { evaluateDirections, isEmptyDirections, type Directions } from '../../core/motion/directions.ts';
import { composeDirectionsOnTrack } from '../../core/motion/nonverbal.ts';
import type { FaceAnalysis, FaceLandmarks } from '../../core/face/types.ts';
import { photoShowsShoulders } from '../../core/face/shoulders.ts';
import { decodeImage, type DecodedImage } from '../image/decodeImage.ts';
import { FaceAnalyzer } from '../face/faceAnalyzer.ts';
import { audioSourceNotes, decodeAudio, probeAudio } from '../audio/decodeAudio.ts';
import { drivingTrackFromObservations, trackDrivingVideo } from '../reenact/drivingVideo.ts';
import type { RetargetStrengths } from '../../core/reenact/drivingTrack.ts';
import { holdRestExpression, measureRestExpression, namedWeights } from '../../core/rig/restExpression.ts';
import { measurePortraitRest } from '../face/portraitRest.ts';
import { RenderHost, type RenderBackground, type RenderFraming, type RenderHostLaunchOptions, type SceneRenderHost } from '../render/renderHost.ts';
import { encodeVideo, formatHasAudio, FRAME_NUMBER_PATTERN, type VideoFormat } from '../encode/encodeVideo.ts';
import { prepareOutputPath } from '../files/outputPath.ts';
import { audioFileToMotionTrack } from '../audio/audioToMotion.ts';
import { readAvatarFile, type AvatarFile } from '../avatars/avatarFile.ts';

/** Options of {@link renderTalkingHead}. */
export interface RenderTalkingHeadOptions {
  /** Portrait image file (any format sharp decodes). Exactly one of `portraitPath` and `avatarPath`. */
  portraitPath?: string;
  /**
   * Avatar file instead of a portrait: `.glb` with ARKit and/or OVR viseme morphs (TalkingHead convention),
   * `.ply`/`.splat`/`.spz`/`.ksplat`/`.sog` Gaussian splats (posed rigidly), or a LAM avatar `.zip`.
   */
  avatarPath?: string;
  /**
   * How the portrait's head is drawn: `mesh` (default, the textured rigged mesh) or `splats` (Gaussians bound to the
   * same rigged face mesh, coloured from the photo; the photo around the face is not shown).
   */
  head?: 'mesh' | 'splats';
  /**
   * Speech audio file (any format ffmpeg decodes); drives the mouth unless a driving video or motion track is
   * given, and is the output's soundtrack. Optional with a driving video (its own audio is used) or a track.
   */
  audioPath?: string;
  /** A video of a talking face whose expressions and head motion the portrait repeats. */
  drivingVideoPath?: string;
  /** Transfer strength per region for a driving video. */
  retarget?: RetargetStrengths;
  /** Head pose from a driving video: relative to its first frame (default) or absolute (the driver's pose). */
  headPose?: 'relative' | 'absolute';
  /**
   * Output video path; the extension picks the format: `.mp4` (H.264 + AAC), `.webm` (VP9 + Opus, alpha when the
   * background is transparent), `.mov` (ProRes 4444 + AAC, alpha likewise), `.gif` (animated, 1-bit alpha, no sound)
   * or a PNG sequence named by a frame-number pattern such as `frames/head_%05d.png` (RGBA when transparent, no
   * sound). Written to a temp file (folder for a sequence), moved into place when complete.
   */
  outPath: string;
  /** Background: the photo's own (default), transparent (`.webm`/`.mov` only) or a colour. */
  background?: RenderBackground;
  /** Framing preset; default `photo` (the square crop of the photo around the face). */
  framing?: RenderFraming;
  /** Camera orbit from the front, radians (+yaw = camera to the viewer's right). */
  orbit?: { yawRad: number; pitchRad: number };
  /** Output width = height in pixels (even). */
  sizePx: number;
  /** Encoding quality (x264/VP9 CRF, in-page H.264 bitrate, ProRes profile, GIF palette); default `standard`. */
  quality?: ExportQuality;
  /** Output frame rate. */
  fps: Fps;
  /** A saved motion track (JSON) to use instead of building one from the audio. */
  motionPath?: string;
  /** Motion options (seed, head-motion strength, blinks, mood) for the track built from the audio. */
  motion?: Partial<MotionOptions>;
  /**
   * Directions over time (mood, expression, head motion, gaze, blinks, keyframes; core/motion/directions.ts),
   * composed with the motion from the audio; with a driving video or a saved track, mood, gaze, keyframes and head
   * motion (as a scale of the driven head) apply.
   */
  directions?: Directions | null;
  /**
   * Export only this time range of the clip (seconds, start < end ≤ clip length): frames `[round(startSec·fps),
   * round(endSec·fps))`, the audio cut to match. The motion is built for the whole clip, so a range shows exactly
   * the frames the whole export has at those times.
   */
  rangeSec?: { startSec: number; endSec: number };
  /** Which face to animate, 0 = largest. */
  faceIndex?: number;
  /** Cancels the job; the partial output is removed. */
  signal?: AbortSignal;
  /** Progress events with ETA. */
  onProgress?: (p: JobProgress) => void;
  /** Human-readable log lines (execution provider, timings). */
  onLog?: (line: string) => void;
  /** Clock in milliseconds, injectable for tests (default `performance.now`). */
  nowMs?: () => number;
  /**
   * Batch hook: supplies a render host for these launch options instead of starting a browser for this job. The
   * caller owns the host (it is not disposed here) and may hand the same one to the next job
   * (pipeline/batch/batchRenderer.ts). Default: `RenderHost.launch`, disposed when the job ends.
   */
  acquireRenderHost?: (launch: RenderHostLaunchOptions) => Promise<SceneRenderHost>;
  /**
   * Starts this job's render host (disposed when the job ends), e.g. the desktop app's hidden render window
   * (pipeline/render/portRenderHost.ts). Default: `RenderHost.launch` (a headless Chromium).
   */
  launchRenderHost?: (launch: RenderHostLaunchOptions) => Promise<SceneRenderHost>;
  /**
   * Batch hook: the faces of the portrait (e.g. cached per file), instead of loading the face models and analysing
   * it in this job. Receives the portrait path and its decoded pixels.
   */
  analyzePortrait?: (portraitPath: string, image: DecodedImage) => Promise<FaceAnalysis>;
}

/** What {@link renderTalkingHead} produced, with the wall time of each stage. */
export interface RenderTalkingHeadResult {
  outPath: string;
  frameCount: number;
  durationSec: number;
  /** Milliseconds spent per stage: decodeImage, analyzeFace, decodeAudio, trackVideo, motion, renderEncode. */
  stageMs: Record<string, number>;
  /** The animated face of the portrait (absent for an avatar). */
  face?: FaceLandmarks;
  /** The avatar rendered instead of a portrait: what it is and how many Gaussians it has (0 for GLB). */
  avatar?: { kind: 'splat' | 'glb' | 'lam'; splatCount: number };
  /** With a driving video: driving frames without a face (their pose was held) and the reference frame time. */
  driving?: { missingFaceCount: number; missingRanges: { fromSec: number; toSec: number }[]; referenceTimeSec: number; observedCount: number };
}

/**
 * Expected stage costs for the progress estimate (core/jobs/progress.ts), measured with the CLI on img05 + aud05
 * (7.2 s, 181 frames at 256²) on the 2-core development machine under load. They only shape the fraction and the
 * ETA until a stage has its own observed rate (after its first 4 units), and finished stages rescale them.
 */
const EXPECTED_COST = {
  /** Decode the portrait, load the face models, analyse it, seconds (measured 2.2). */
  analyzePortraitSec: 2.5,
  /** Read and check an avatar file, seconds. */
  readAvatarSec: 0.5,
  /** Load the face models for a driving video (no portrait), seconds. */
  loadFaceModelsSec: 2,
  /** Track one driving-video frame (FaceMesh + Iris), seconds (measured 0.14: vid01, 175 frames in 24.7 s). */
  trackSecPerFrame: 0.14,
  /** Solve one output frame's blendshapes from a driving video's observations, seconds (measured 0.048: 8.4 s / 175). */
  drivingSolveSecPerFrame: 0.05,
  /** Speech analysis per second of audio (streamed), seconds (measured 0.15). */
  motionSecPerAudioSec: 0.15,
  /** Launch the render browser and load the head, seconds (measured 9 s: 3.5 → 12.5 s into the job). */
  renderLaunchSec: 8,
  /** Render + encode one frame of the mesh photo head or a GLB/VRM avatar, seconds per megapixel (measured 0.27). */
  meshSecPerMegapixelFrame: 0.3,
  /**
   * Render + encode one frame of Gaussian splats (photo head as splats, splat avatars), seconds per megapixel
   * (measured 14.5: img05 as 29 565 splats, 181 frames in 181 s).
   */
  splatSecPerMegapixelFrame: 15,
  /** Clip length assumed when it is not known before the motion stage (a motion file, a driving video), seconds. */
  unknownDurationSec: 10,
};

/** Avatar files drawn as Gaussian splats (by extension; a LAM zip holds splats too). */
const SPLAT_AVATAR_PATTERN = /\.(ply|splat|spz|ksplat|sog|zip)$/i;

/**
 * The orbit yaw a photo head is drawn at: the asked yaw within what the photo shows ({@link orbitYawRangeDeg}: less
 * towards the side a turned face hides), with a note when it is reduced.
 * @param yawRad - the asked orbit yaw, radians (undefined = none).
 * @param image - the portrait (for its size).
 * @param face - the animated face's landmarks.
 * @param log - where the note goes.
 * @returns the yaw to draw, radians.
 */
function orbitYawForPhoto(yawRad: number | undefined, image: DecodedImage, face: FaceLandmarks, log: (m: string) => void): number | undefined {
  if (!yawRad) return yawRad;
  const pose = estimateHeadPose(face.landmarksPx, image.widthPx, image.heightPx);
  if (!pose) return yawRad;
  const [minDeg, maxDeg] = orbitYawRangeDeg(pose.yawRad);
  const askedDeg = (yawRad * 180) / Math.PI;
  const drawnDeg = Math.min(maxDeg, Math.max(minDeg, askedDeg));
  if (drawnDeg === askedDeg) return yawRad;
  const turnedDeg = Math.abs((pose.yawRad * 180) / Math.PI);
  log(`note: the face in the photo is turned ${turnedDeg.toFixed(0)}° to the viewer's ${pose.yawRad > 0 ? 'right' : 'left'}, hiding its other side: the camera turns at most ${Math.abs(askedDeg < 0 ? minDeg : maxDeg).toFixed(0)}° that way (--orbit-yaw ${askedDeg.toFixed(0)} drawn at ${drawnDeg.toFixed(0)})`);
  return (drawnDeg * Math.PI) / 180;
}

/**
 * The stages a render job runs, with expected costs for this job (core/jobs/progress.ts): analyze (portrait or
 * avatar), track (driving video only), motion, prepare (launch the render browser, build the head), render.
 * @param opts - the job's inputs (which stages run, output size, head kind).
 * @param clipSec - the clip length if known (the audio's duration), else `null`.
 * @returns the stage plans, in order.
 */
export function renderStagePlan(opts: Pick<RenderTalkingHeadOptions, 'portraitPath' | 'avatarPath' | 'drivingVideoPath' | 'audioPath' | 'motionPath' | 'sizePx' | 'fps' | 'head'>, clipSec: number | null): StagePlan[] {
  const c = EXPECTED_COST;
  const sec = clipSec ?? c.unknownDurationSec;
  const frames = (sec * opts.fps.num) / opts.fps.den;
  const plans: StagePlan[] = [{ stage: 'analyze', expectedSec: (opts.portraitPath ? c.analyzePortraitSec : c.readAvatarSec) + (opts.drivingVideoPath && !opts.portraitPath ? c.loadFaceModelsSec : 0) }];
  if (opts.drivingVideoPath) plans.push({ stage: 'track', expectedSec: frames * c.trackSecPerFrame });
  plans.push({ stage: 'motion', expectedSec: opts.drivingVideoPath ? frames * c.drivingSolveSecPerFrame : opts.audioPath && !opts.motionPath ? sec * c.motionSecPerAudioSec : 0.2 });
  // The render browser's stages keep their own expected speed (the analysis' speed does not carry over: core/jobs/progress.ts).
  plans.push({ stage: 'prepare', expectedSec: c.renderLaunchSec, ownSpeed: true });
  plans.push({ stage: 'render', expectedSec: frames * renderSecPerFrame(opts), ownSpeed: true });
  return plans;
}

/** Expected render + encode seconds per output frame (see {@link EXPECTED_COST}). */
function renderSecPerFrame(opts: Pick<RenderTalkingHeadOptions, 'avatarPath' | 'sizePx' | 'head'>): number {
  const splats = opts.head === 'splats' || (opts.avatarPath !== undefined && SPLAT_AVATAR_PATTERN.test(opts.avatarPath));
  return ((opts.sizePx * opts.sizePx) / 1e6) * (splats ? EXPECTED_COST.splatSecPerMegapixelFrame : EXPECTED_COST.meshSecPerMegapixelFrame);
}

/**
 * Says which motion options a job cannot apply, instead of ignoring them silently: with a driving video the driver's
 * face sets expression, head motion and blinks; with a motion file (--motion) the file does. Speech-driven motion
 * (audio only) applies them all.
 * @param motion - the options given (values equal to the defaults count as not given).
 * @param source - what drives the motion.
 * @returns one note per option that is set and does not apply (fps always applies).
 */
export function unusedMotionOptionNotes(motion: Partial<MotionOptions> | undefined, source: 'audio' | 'drivingVideo' | 'motionFile'): string[] {
  if (source === 'audio' || !motion) return [];
  const why = source === 'drivingVideo' ? "with --driving-video the driver's face sets the motion" : 'with --motion the track file sets the motion';
  const notes: string[] = [];
  for (const d of MOTION_OPTION_DESCRIPTORS) {
    if (d.name === 'fps') continue;
    const value = motion[d.name as keyof MotionOptions];
    if (value === undefined || value === DEFAULT_MOTION_OPTIONS[d.name as keyof MotionOptions]) continue;
    notes.push(`note: ${d.flag.split(' ')[0]} ${String(value)} does not apply: ${why}`);
  }
  return notes;
}

/**
 * Renders a talking-head video from a portrait and speech.
 * @param opts - see {@link RenderTalkingHeadOptions}.
 * @returns the output path, frame count (= audio duration × fps rounded to the frame) and stage timings.
 * @throws InvalidInputError for missing files or a bad output path; UnsupportedMediaError for undecodable
 *   media; NoFaceFoundError when the portrait has no face; JobCancelledError when cancelled;
 *   FfmpegExitError when encoding fails. On any error no output file is left behind.
 */
export async function renderTalkingHead(opts: RenderTalkingHeadOptions): Promise<RenderTalkingHeadResult> {
  const heartbeat = { stop: (): void => {} };
  try {
    return await runRenderJob(opts, heartbeat);
  } catch (err) {
    // Once cancelled, whatever broke next (the browser closing, ffmpeg killed) is the cancellation.
    if (opts.signal?.aborted && !(err instanceof JobCancelledError)) throw new JobCancelledError();
    throw err;
  } finally {
    heartbeat.stop();
  }
}

/** How often the last progress point is reported again while a stage reports nothing (a browser launching), ms. */
const PROGRESS_HEARTBEAT_MS = 1000;

async function runRenderJob(opts: RenderTalkingHeadOptions, heartbeat: { stop: () => void }): Promise<RenderTalkingHeadResult> {
  const now = opts.nowMs ?? (() => performance.now());
  const log = opts.onLog ?? (() => {});
  for (const note of unusedMotionOptionNotes(opts.motion, opts.drivingVideoPath ? 'drivingVideo' : opts.motionPath ? 'motionFile' : 'audio')) log(note);
  const startMs = now();
  const outPath = resolve(opts.outPath);
  await checkInputs(opts, outPath);
  throwIfAborted(opts.signal);
  // The clip length sets the expected cost of the motion and render stages; a failed probe is reported by the decode.
  const clipSec = opts.audioPath && !opts.drivingVideoPath ? ((await probeAudio(opts.audioPath, { signal: opts.signal }).catch(() => null))?.durationSec ?? null) : null;
  // A range past the audio's end is refused before the face analysis (the track's own frame count checks it again;
  // one frame of slack for the rounding of the audio's length to frames).
  if (opts.rangeSec && clipSec) {
    if (opts.rangeSec.startSec >= clipSec + opts.fps.den / opts.fps.num) throw new InvalidInputError(`export range starts at ${opts.rangeSec.startSec} s, after the audio's end (${clipSec.toFixed(2)} s)`);
    frameRange(opts.rangeSec, Math.ceil((clipSec * opts.fps.num) / opts.fps.den) + 1, opts.fps);
  }
  const progress = new ProgressTracker(renderStagePlan(opts, clipSec || null), startMs);
  let last: [string, number, number] | null = null;
  const emit = (stage: string, done: number, total: number): void => {
    last = [stage, done, total];
    opts.onProgress?.(progress.at(stage, done, total, now()));
  };
  // Stages without units for seconds (the browser launch, the face-model load) still move the bar and the ETA.
  if (opts.onProgress) {
    const timer = setInterval(() => {
      if (last) opts.onProgress?.(progress.at(last[0], last[1], last[2], now()));
    }, PROGRESS_HEARTBEAT_MS);
    timer.unref();
    heartbeat.stop = () => clearInterval(timer);
  }
  const stageMs: Record<string, number> = {};
  const timed = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = now();
    try {
      return await fn();
    } finally {
      stageMs[name] = Math.round(now() - t0);
    }
  };


  emit('analyze', 0, 2);
  // An avatar is checked before any long stage, so a malformed file fails at once with the parser's message.
  const avatarFile: AvatarFile | null = opts.avatarPath ? await timed('readAvatar', () => readAvatarFile(opts.avatarPath!)) : null;
  const image: DecodedImage | null = opts.portraitPath ? await timed('decodeImage', () => decodeImage(opts.portraitPath!)) : null;
  throwIfAborted(opts.signal);
  emit('analyze', 1, 2);
  // Face models are needed for a portrait and for a driving video, not for an avatar driven by audio or a track.
  const analyzer = (image && !opts.analyzePortrait) || opts.drivingVideoPath ? await FaceAnalyzer.create({ onLog: log }) : null;
  let face: FaceLandmarks | undefined;
  // The portrait's own expression, measured once (Iris-refined eyes, as the driving frames) and used by the motion
  // (held shapes, driving video) and by the page's photo head alike.
  let portraitRest: Float32Array | undefined;
  let track: MotionTrack;
  let frameCount: number;
  let soundtrack: string | undefined = opts.audioPath;
  let driving: RenderTalkingHeadResult['driving'];
  try {
    if (image && (analyzer || opts.analyzePortrait)) face = await timed('analyzeFace', async () => {
      const analysis = opts.analyzePortrait ? await opts.analyzePortrait(opts.portraitPath!, image) : await analyzer!.analyze(image);
      const index = opts.faceIndex ?? 0;
      const chosen = analysis.faces[index];
      if (!chosen) throw new InvalidInputError(`--face ${index}: the portrait has ${analysis.faces.length} face(s)`);
      if (analysis.faces.length > 1) log(`${analysis.faces.length} faces found; animating face ${index} (${index === 0 ? 'the largest' : `#${index} by size`})`);
      return chosen;
    });
    emit('analyze', 2, 2);
    if (image && face && !avatarFile) portraitRest = analyzer ? (await measurePortraitRest(analyzer, image, face)).weights : measureRestExpression(face.landmarksPx, face.landmarkCount).weights;
    throwIfAborted(opts.signal);

    if (opts.drivingVideoPath) {
      const video = opts.drivingVideoPath;
      let planned = false;
      const tracked = await timed('trackVideo', () => trackDrivingVideo(video, analyzer!, {
        signal: opts.signal,
        onProgress: (done, total) => {
          if (!planned && total > 0) {
            planned = true;
            progress.expect('track', total * EXPECTED_COST.trackSecPerFrame);
            progress.expect('motion', total * EXPECTED_COST.drivingSolveSecPerFrame);
            progress.expect('render', total * renderSecPerFrame(opts));
          }
          emit('track', done, total);
        },
      }));
      if (!soundtrack && tracked.info.hasAudio) soundtrack = video;
      else if (soundtrack && tracked.info.hasAudio) log(`note: the soundtrack is ${basename(soundtrack)} (--audio), not the driving video's own audio; it also sets the length`);
      const sound = soundtrack ? await timed('decodeAudio', () => decodeAudio(soundtrack!, { sampleRateHz: 16000, signal: opts.signal })) : null;
      if (sound) for (const note of audioSourceNotes(sound.source)) log(`note: ${basename(soundtrack!)}: ${note}`);
      const soundSec = sound ? sound.durationSec : tracked.info.durationSec;
      frameCount = frameCountForDuration(soundSec, opts.fps);
      emit('motion', 0, 1);
      const built = await timed('motion', async () => drivingTrackFromObservations(tracked.observations, opts.fps, frameCount, opts.retarget, { headPose: opts.headPose, portraitLandmarksPx: face?.landmarksPx, portraitRest }));
      track = built.track;
      driving = { missingFaceCount: built.report.missingFaceCount, missingRanges: built.report.missingRanges, referenceTimeSec: built.report.referenceTimeSec, observedCount: built.report.observedCount };
      if (driving.missingFaceCount > 0) log(`driving video: no face in ${driving.missingFaceCount} of ${driving.observedCount} frames (${driving.missingRanges.map((r) => `${r.fromSec.toFixed(2)}–${r.toSec.toFixed(2)} s`).join(', ')}); the last pose was held there`);
      log(`driving video: head pose ${opts.headPose ?? 'relative'}${(opts.headPose ?? 'relative') === 'relative' ? ` to the frame at ${driving.referenceTimeSec.toFixed(2)} s` : ''}; ${portraitRest ? `lip opening absolute, other expressions the portrait's own moved by the driver's change since that frame (${describeWeights(built.report.driverNeutral)})` : `expressions absolute (the driver's neutral: ${describeWeights(built.report.driverNeutral)})`}`);
    } else if (opts.audioPath && opts.motionPath) {
      const audio = await timed('decodeAudio', () => decodeAudio(opts.audioPath!, { sampleRateHz: 16000, signal: opts.signal }));
      for (const note of audioSourceNotes(audio.source)) log(`note: ${basename(opts.audioPath)}: ${note}`);
      frameCount = frameCountForDuration(audio.durationSec, opts.fps);
      track = await timed('motion', async () => {
        const loaded = await readTrackFile(opts.motionPath!);
        const sec = (frames: number): string => ((frames * opts.fps.den) / opts.fps.num).toFixed(2);
        if (loaded.frameCount < frameCount) log(`note: motion track ${basename(opts.motionPath!)} lasts ${sec(loaded.frameCount)} s (${loaded.frameCount} frames), the audio ${sec(frameCount)} s: its last pose is held for the remaining ${frameCount - loaded.frameCount} frames`);
        else if (loaded.frameCount > frameCount) log(`note: motion track ${basename(opts.motionPath!)} lasts ${sec(loaded.frameCount)} s, longer than the audio (${sec(frameCount)} s): it is cut to the audio`);
        return conformTrack(loaded, frameCount, opts.fps, opts.motionPath!);
      });
    } else if (opts.audioPath) {
      // Streamed: the audio is decoded and analysed in chunks, so memory stays flat however long it is.
      const built = await timed('motion', () => audioFileToMotionTrack(opts.audioPath!, { ...DEFAULT_MOTION_OPTIONS, ...opts.motion, fps: opts.fps }, { signal: opts.signal, directions: opts.directions, onProgress: (p) => emit('motion', Math.round(p.fraction * 100), 100) }));
      track = built.track;
      frameCount = track.frameCount;
      for (const note of audioSourceNotes(built.source)) log(`note: ${basename(opts.audioPath)}: ${note}`);
      // Speech drives the mouth in absolute terms (silence closes the lips); the portrait keeps its own smile, brows
      // and lids (core/rig/restExpression.ts).
      if (portraitRest) {
        holdRestExpression(track.blendshapes, portraitRest);
        log(`portrait's own expression: ${describeWeights(portraitRest)}`);
      }
    } else {
      track = await timed('motion', async () => {
        const loaded = await readTrackFile(opts.motionPath!);
        return conformTrack(loaded, loaded.frameCount, opts.fps, opts.motionPath!);
      });
      frameCount = track.frameCount;
    }
  } finally {
    await analyzer?.dispose();
  }
  const directed = opts.directions && !isEmptyDirections(opts.directions) ? opts.directions : null;
  if (directed && (opts.drivingVideoPath || opts.motionPath)) {
    composeDirectionsOnTrack(track, evaluateDirections(directed, track.frameCount, opts.fps, { ...DEFAULT_MOTION_OPTIONS, ...opts.motion, headMotionStrength: 1, mood: 'neutral' }));
  }
  const { fromFrame, toFrame } = frameRange(opts.rangeSec, frameCount, opts.fps);
  progress.setFrameCount(toFrame - fromFrame);
  progress.expect('render', (toFrame - fromFrame) * renderSecPerFrame(opts));
  emit('motion', 1, 1);
  throwIfAborted(opts.signal);
  if (fromFrame > 0 || toFrame < frameCount) log(`range: frames ${fromFrame}–${toFrame - 1} of ${frameCount}`);
  if (opts.rangeSec && (opts.rangeSec.endSec * opts.fps.num) / opts.fps.den > frameCount + 0.5) log(`note: the range ends at ${opts.rangeSec.endSec} s, after the clip's end (${((frameCount * opts.fps.den) / opts.fps.num).toFixed(2)} s): the export stops there`);

  await mkdir(dirname(outPath), { recursive: true });
  const format = outputFormat(outPath);
  let avatar: RenderTalkingHeadResult['avatar'];
  // Launching the render browser and building the head (matte, background fill, textures) takes seconds before the
  // first frame: its own stage, so the bar does not read "render 0/N frames" while it moves.
  emit('prepare', 0, 1);
  const encoded = await timed('renderEncode', async () => {
    // A cut-out portrait (real transparency) has no background of its own: behind it goes white, not the black
    // (or the old background's fringe) stored under its transparent pixels.
    let background = opts.background;
    if ((background ?? 'photo') === 'photo' && image && !avatarFile && hasTransparency(image)) {
      background = { color: '#ffffff' };
      log('note: the portrait is transparent: it is rendered on white (choose with --background #rrggbb or transparent)');
    }
    const launch: RenderHostLaunchOptions = { widthPx: opts.sizePx, heightPx: opts.sizePx, signal: opts.signal, background, framing: opts.framing };
    const host = opts.acquireRenderHost ? await opts.acquireRenderHost(launch) : await (opts.launchRenderHost ?? ((o) => RenderHost.launch(o)))(launch);
    // Alpha needs RGBA frames. Opaque MP4 is encoded to H.264 inside the page (WebCodecs, OpenH264) so only
    // ~10–50 KB per frame cross to Node; other opaque outputs read back YUV 4:2:0 converted on the GPU.
    // `high` goes to x264 (CRF 14): OpenH264 in realtime mode reaches its own ceiling below the `high` bitrate, and a
    // tester found `standard` and `high` MP4s bit-identical at 256² and 512².
    const inPageH264 = format === 'mp4' && opts.background !== 'transparent' && opts.sizePx % 8 === 0 && (opts.quality ?? 'standard') !== 'high' && process.env.AVATAR_STUDIO_IN_PAGE_H264 !== '0' && host.canEncodeH264 !== false;
    // GIF palettes and PNG files are made from full-resolution RGB(A), not 4:2:0 chroma.
    // The GPU YUV readback needs a width multiple of 8 (and height of 4); other even sizes read back RGBA and ffmpeg
    // converts (every size the options accept works: --size 250 used to fail after the browser had started).
    const pixelFormat = opts.background === 'transparent' || format === 'gif' || format === 'png' || opts.sizePx % 8 !== 0 ? 'rgba' : 'yuv420p';
    // One quality setting for every encoder (core/jobs/options.ts); OpenH264 in the page has no quality mode, so
    // its setting is a bitrate.
    const encoder = encoderSettingsForQuality(opts.quality ?? 'standard');
    if (format === 'png' && opts.quality && opts.quality !== 'standard') log(`note: --quality ${opts.quality} does not apply: PNG frames are lossless`);
    if (soundtrack && !formatHasAudio(format)) log(`note: ${format === 'gif' ? 'a GIF' : 'a PNG sequence'} has no sound: the audio only sets the length and drives the motion`);
    try {
      if (avatarFile) {
        const shown = await host.loadAvatar(avatarFile.bytes, avatarFile.fileName);
        avatar = { kind: shown.kind, splatCount: shown.splatCount };
        log(`avatar ${avatarFile.fileName}: ${/\.vrm$/i.test(avatarFile.fileName) ? 'VRM (glTF)' : shown.kind}${shown.splatCount ? `, ${shown.splatCount} Gaussians` : ''}`);
      } else if (opts.head === 'splats') {
        const shown = await host.loadPortraitSplats(image!, face!);
        avatar = { kind: shown.kind, splatCount: shown.splatCount };
        log(`photo head as splats: ${shown.splatCount} Gaussians`);
      } else await host.loadPortrait(image!, face!, portraitRest);
      if (opts.framing === 'upperBody' && image && face && !avatarFile && !photoShowsShoulders(image.heightPx, meshBox(face.landmarksPx))) {
        log('note: the photo shows no shoulders (it ends below the chin); upper-body framing shows what the photo holds: the head and neck');
      }
      emit('render', 0, toFrame - fromFrame);
      const frameOpts = { fromFrame, toFrame, orbitYawRad: image && face && !avatarFile ? orbitYawForPhoto(opts.orbit?.yawRad, image, face, log) : opts.orbit?.yawRad, orbitPitchRad: opts.orbit?.pitchRad, signal: opts.signal };
      return await encodeVideo({
        frames: inPageH264 ? host.renderEncoded(track, { ...frameOpts, fps: opts.fps, bitrate: Math.round(opts.sizePx * opts.sizePx * (opts.fps.num / opts.fps.den) * encoder.inPageH264BitsPerPixel) }) : host.renderFrames(track, { ...frameOpts, pixelFormat }),
        widthPx: opts.sizePx,
        heightPx: opts.sizePx,
        fps: opts.fps,
        pixelFormat: inPageH264 ? 'h264' : pixelFormat,
        format,
        quality: encoder,
        audioPath: soundtrack,
        audioOffsetSec: (fromFrame * opts.fps.den) / opts.fps.num,
        outPath,
        totalFrames: toFrame - fromFrame,
        signal: opts.signal,
        onProgress: (p) => emit('render', p.completedFrames, toFrame - fromFrame),
      });
    } finally {
      if (!opts.acquireRenderHost) await host.dispose();
    }
  });
  if (opts.signal?.aborted) throw new JobCancelledError();
  log(`stage times (ms): ${Object.entries(stageMs).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  return { outPath: encoded.outPath, frameCount: encoded.frameCount, durationSec: encoded.durationSec, stageMs, face, avatar, driving };
}

/**
 * Frames of an export range.
 * @param rangeSec - the range in seconds, or undefined for the whole clip.
 * @param frameCount - frames of the whole clip.
 * @param fps - frame rate.
 * @returns `[fromFrame, toFrame)` with at least one frame.
 * @throws InvalidInputError when the range is empty, reversed or starts past the clip's end.
 */
export function frameRange(rangeSec: { startSec: number; endSec: number } | undefined, frameCount: number, fps: Fps): { fromFrame: number; toFrame: number } {
  if (!rangeSec) return { fromFrame: 0, toFrame: frameCount };
  const { startSec, endSec } = rangeSec;
  if (!(Number.isFinite(startSec) && Number.isFinite(endSec) && startSec >= 0 && endSec > startSec)) throw new InvalidInputError(`export range ${startSec}–${endSec} s: the end must come after the start, both ≥ 0`);
  const fromFrame = Math.round((startSec * fps.num) / fps.den);
  const toFrame = Math.min(frameCount, Math.round((endSec * fps.num) / fps.den));
  if (fromFrame >= frameCount) throw new InvalidInputError(`export range starts at ${startSec} s, after the clip's end (${((frameCount * fps.den) / fps.num).toFixed(2)} s)`);
  return { fromFrame, toFrame: Math.max(fromFrame + 1, toFrame) };
}

/** Checks the inputs exist, that something drives the motion, and the output is a supported, distinct path. */
async function checkInputs(opts: RenderTalkingHeadOptions, outPath: string): Promise<void> {
  if (opts.portraitPath === undefined && opts.avatarPath === undefined) throw new InvalidInputError('nothing to animate: give --portrait <image> or --avatar <file.glb|.vrm|.ply|.splat|.spz|.ksplat|.zip>');
  if (opts.portraitPath !== undefined && opts.avatarPath !== undefined) throw new InvalidInputError('give either --portrait or --avatar, not both');
  if (opts.head !== undefined && opts.head !== 'mesh' && opts.head !== 'splats') throw new InvalidInputError(`--head must be mesh or splats, got "${String(opts.head)}"`);
  if (opts.head === 'splats' && opts.portraitPath === undefined) throw new InvalidInputError('--head splats draws the photo head as splats: it needs --portrait');
  if (opts.avatarPath !== undefined && /\.(jpe?g|png|webp|tiff?|bmp|heic|avif)$/i.test(opts.avatarPath)) throw new InvalidInputError(`${opts.avatarPath} looks like a photo: give photos with --portrait; --avatar takes .glb, .vrm, .ply, .splat, .ksplat, .spz or a LAM .zip`, { path: opts.avatarPath });
  const inputs = [['portrait', opts.portraitPath], ['avatar', opts.avatarPath], ['audio', opts.audioPath], ['driving video', opts.drivingVideoPath], ['motion track', opts.motionPath]] as const;
  for (const [what, p] of inputs) {
    if (p === undefined) continue;
    const st = await stat(p).catch(() => null);
    if (!st) throw new InvalidInputError(`${what} file not found: ${p}`, { path: p });
    if (!st.isFile()) throw new InvalidInputError(`${what} is not a file: ${p}`, { path: p });
    if (resolve(p) === outPath) throw new InvalidInputError(`output ${outPath} would overwrite the ${what}`, { path: outPath });
  }
  if (!opts.audioPath && !opts.drivingVideoPath && !opts.motionPath) throw new InvalidInputError('nothing drives the face: give --audio, --driving-video or --motion');
  if (opts.drivingVideoPath && opts.motionPath) throw new InvalidInputError('give either --driving-video or --motion, not both');
  const format = outputFormat(outPath);
  if (opts.background === 'transparent' && format === 'mp4') throw new InvalidInputError('a transparent background needs an alpha format: write .webm, .mov, .gif or a .png sequence instead of .mp4', { path: outPath });
  await prepareOutputPath(outPath, inputs.map(([, p]) => p));
}

/**
 * Output format from the file name: the extension, and for `.png` a frame-number pattern (a sequence).
 * @throws InvalidInputError for another extension, or a `.png` name without a `%05d`-style pattern.
 */
function outputFormat(outPath: string): VideoFormat {
  const ext = extname(outPath).toLowerCase().slice(1);
  if (ext === 'mp4' || ext === 'webm' || ext === 'mov' || ext === 'gif') return ext;
  if (ext === 'png') {
    if (FRAME_NUMBER_PATTERN.test(basename(outPath))) return 'png';
    throw new InvalidInputError(`a PNG sequence needs a frame-number pattern in the file name, e.g. ${join(dirname(outPath), 'frame_%05d.png')}`, { path: outPath });
  }
  throw new InvalidInputError(`output must be a .mp4, .webm, .mov or .gif file, or a PNG sequence such as frame_%05d.png: ${outPath}`, { path: outPath });
}

/**
 * Whether a decoded image has real transparency: more than 0.1 % of its pixels with alpha below 250 (a stray
 * semi-transparent pixel or an all-opaque alpha channel does not count).
 */
function hasTransparency(image: DecodedImage): boolean {
  if (!image.hadAlpha) return false;
  const n = image.widthPx * image.heightPx;
  let clear = 0;
  for (let i = 3; i < image.rgba.length; i += 4) if (image.rgba[i]! < 250) clear++;
  return clear > 0.001 * n;
}

/** Reads and validates a motion-track JSON file. */
async function readTrackFile(path: string): Promise<MotionTrack> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new InvalidInputError(`motion track ${path} is not valid JSON: ${(err as Error).message}`, { path });
  }
  return trackFromJson(json);
}

/**
 * Makes a loaded track cover exactly `frameCount` frames: longer tracks are cut, shorter ones hold their
 * last frame. Tracks at another fps are refused (no silent retiming).
 */
function conformTrack(track: MotionTrack, frameCount: number, fps: Fps, path: string): MotionTrack {
  if (track.fps.num * fps.den !== fps.num * track.fps.den) throw new InvalidInputError(`motion track ${path} is at ${track.fps.num}/${track.fps.den} fps but the output is ${fps.num}/${fps.den}: pass the same --fps`);
  if (track.frameCount === 0) throw new InvalidInputError(`motion track ${path} has no frames`);
  if (track.frameCount === frameCount) return track;
  const out = { ...track, frameCount };
  const resize = (arr: Float32Array, stride: number): Float32Array => {
    const next = new Float32Array(frameCount * stride);
    for (let f = 0; f < frameCount; f++) {
      const src = Math.min(f, track.frameCount - 1);
      next.set(arr.subarray(src * stride, (src + 1) * stride), f * stride);
    }
    return next;
  };
  out.blendshapes = resize(track.blendshapes, ARKIT_BLENDSHAPE_COUNT);
  out.visemes = resize(track.visemes, OVR_VISEME_COUNT);
  out.headRotation = resize(track.headRotation, 4);
  out.headTranslationM = resize(track.headTranslationM, 3);
  out.gazeRad = resize(track.gazeRad, 4);
  return out;
}

/** Bounding box of the 468 face-mesh points, image px (centre and size). */
function meshBox(landmarksPx: Float32Array): { centerXPx: number; centerYPx: number; widthPx: number; heightPx: number } {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < Math.min(468, landmarksPx.length / 3); i++) {
    minX = Math.min(minX, landmarksPx[i * 3]!);
    maxX = Math.max(maxX, landmarksPx[i * 3]!);
    minY = Math.min(minY, landmarksPx[i * 3 + 1]!);
    maxY = Math.max(maxY, landmarksPx[i * 3 + 1]!);
  }
  return { centerXPx: (minX + maxX) / 2, centerYPx: (minY + maxY) / 2, widthPx: maxX - minX, heightPx: maxY - minY };
}

/** "name 0.12, …" of the weights ≥ 0.05, or "neutral". */
function describeWeights(weights: Float32Array): string {
  const named = Object.entries(namedWeights(weights, 0.05));
  return named.length ? named.map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ') : 'neutral';
}
