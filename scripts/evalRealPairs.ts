/**
 * Paired evaluation on real talking videos (DESIGN.md §7, issue 12): a frame of a real clip is the portrait, and
 * (a) the clip from that frame on drives it (self-reenactment), (b) the clip's own audio drives it; the real frames
 * are the answer.
 *
 * Usage: `npx tsx scripts/evalRealPairs.ts --video <clip.mp4> [--frames auto|k1,k2,…] [--seconds 3] [--size 256]
 *   [--out out/evalRealPairs] [--json results.json] [--modes self|audio|self,audio]` (several `--video` allowed; `--modes self`
 *   skips the audio-driven render, `--modes audio` the self-reenactment; the columns of a mode not rendered read –).
 *
 * Per portrait frame k: the clip is cut at k (re-encoded, so its frame 0 is the portrait), the portrait is that cut's
 * frame 0. Measured with an INDEPENDENT tracker (the original TF.js MediaPipe graphs of @vladmandic/human run by
 * pipeline/face/tfjsReference.ts, not our ONNX conversion) on every frame of the outputs and of the real clip:
 * - lip gap: mean inner-lip distance over five central point pairs / eye-corner distance; Pearson r and the mean
 *   ratio output / real;
 * - face-crop SSIM (Wang et al. 2004, 8×8 windows, stride 4, luma) and PSNR against the real frames, over the real
 *   frame's face box (landmark bounds), beside the still portrait's (the baseline a method must beat);
 * - head-box SSIM (the face box grown over the hair and ears) and hair-band SSIM (the part above the face box), the
 *   head SSIM again over the frames with large head motion (real face moved ≥ 0.15 face heights from frame 0): a head
 *   that tears (hair left behind on the background) scores there first (issue 13); and on those frames the tear share:
 *   the share of head-box pixels whose luma is off by more than 48 (gross errors);
 * - frame 0 of the self-reenactment against the portrait (face-crop PSNR);
 * - audio-driven lip gap: r at 0 ms, at the clip's own A/V offset (scripts/avOffset.ts) and the best r within
 *   ±{@link AV_SYNC_TOLERANCE_SEC} (a SyncNet-like tolerance) with its shift. `--seconds` longer than the clip scores the
 *   whole clip (ffmpeg's `-t` stops at its end); 3 s windows are short for r (≈ 75–90 frames: 1/√n ≈ 0.1).
 * The outputs and the real frames are compared in the same pixel space: the real frames are cropped with the render's
 * own framing rectangle (renderer/scene/framing.ts, from the portrait's landmarks) and resized to the output size.
 * `--frames auto` picks, from our own tracker's lip gaps and smile over the frames with enough clip left, a closed
 * (smallest gap), a parted (median of the open half), a wide-open (largest gap) and a smiling (largest mean smile of the
 * measured rest expression) frame.
 */
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { FaceAnalyzer, FaceAnalyzerCore, analyzeImageFile } from '../pipeline/face/faceAnalyzer.ts';
import { TfjsFaceModelRunner } from '../pipeline/face/tfjsReference.ts';
import { analyzeVideoFile } from '../pipeline/face/videoTracker.ts';
import { resolveFfmpeg } from '../pipeline/ffmpeg/ffmpegPath.ts';
import { decodeImage } from '../pipeline/image/decodeImage.ts';
import { decodeVideoFrames, probeVideo } from '../pipeline/video/decodeVideo.ts';
import { renderTalkingHead } from '../pipeline/jobs/renderJob.ts';
import { computeCropRect, faceBoundsFromLandmarks, type CropRectPx } from '../renderer/scene/framing.ts';
import { INNER_LIP_PAIRS, measureRestExpression } from '../core/rig/restExpression.ts';
import { BS } from '../core/motion/names.ts';
import { decodeAudio } from '../pipeline/audio/decodeAudio.ts';
import { AV_SYNC_TOLERANCE_SEC, bestShiftedPearson, estimateAvOffset, pearsonFinite, shiftedPearson, speechEnvelopeDb } from './avOffset.ts';
import { EYE_LEFT_OUTER, EYE_RIGHT_OUTER } from '../core/face/topology.ts';

const run = promisify(execFile);

/** One portrait's scores. */
export interface PairResult {
  video: string;
  frameIndex: number;
  kind: string;
  /** The portrait's lip gap (our analysis), inter-ocular distances, and its measured rest jawOpen / mean smile. */
  portraitLipGapIod: number;
  restJawOpen: number;
  restSmile: number;
  self: ModeScores;
  audio: ModeScores;
  still: { ssim: number; psnrDb: number; headSsim: number; hairSsim: number; headSsimMoving: number; headTearMoving: number; neckSsim: number; neckSsimMoving: number };
  /** Self-reenactment frame 0 vs the portrait, face-crop PSNR (dB). */
  frame0PsnrDb: number;
  /**
   * The clip's own A/V offset measured on these frames ({@link estimateAvOffset}: plain speech envelope vs the real lip
   * gap; evaluation only, never applied to our output) and the audio-driven lip-gap r with our output shifted by it;
   * and the best audio-driven lip-gap r over the shifts within ±{@link AV_SYNC_TOLERANCE_SEC} of zero and its shift
   * (bestShiftedPearson; positive: our mouth lags the real one), beside r at 0 ms (`audio.lipGapR`).
   */
  avOffset: { offsetSec: number; confidence: number; reliable: boolean; audioLipGapR: number; audioBestR: number; audioBestShiftSec: number };
}

/** Scores of one driven output against the real frames. */
export interface ModeScores {
  lipGapR: number;
  lipGapMeanRatio: number;
  ssim: number;
  psnrDb: number;
  /** SSIM over the real frame's whole head ({@link headBox}: the face box grown over the hair and ears). */
  headSsim: number;
  /** SSIM over the hair band above the real frame's face box ({@link hairBox}), where a torn head shows first. */
  hairSsim: number;
  /** Head SSIM over the frames whose real face moved ≥ 0.15 face heights from frame 0's (large head motion), and how many. */
  headSsimMoving: number;
  movingFrames: number;
  /**
   * Tear share over those moving frames: the share of the real head box's pixels where the output's luma is off by
   * more than 48 (a gross error: hair or ear missing, background where the real frame shows the head, or the reverse).
   */
  headTearMoving: number;
  /**
   * SSIM over the neck and upper shoulders ({@link neckBox}: below the real frame's face box), over all frames and over
   * the moving ones: a neck sheared or stretched between a moved head and a still body scores there first (issues 12/13).
   */
  neckSsim: number;
  neckSsimMoving: number;
  /**
   * Mouth and eye shape, output vs real, per measure the Pearson r over the paired frames and the ratio of their
   * standard deviations (output / real: 1 = the motion's full size): mouth width (outer corners 61–291 / IOD), inner-lip
   * roundness (gap over the inner-lip width 78–308: an "O" is high, a grin low), eye opening (lid gap 159–145, 386–374
   * over eye width), horizontal iris offset (iris centre from the eye-corner midpoint over the eye width; 478 points) and
   * brow height (mean of the upper brow contour 70/63/105/66/107 and 300/293/334/296/336 above the eye corners
   * 33/133 and 263/362, along the image's vertical, / IOD).
   */
  shape: Record<'mouthWidth' | 'roundness' | 'eyeOpen' | 'irisX' | 'browHeight', { r: number; sdRatio: number }>;
  /** Per paired frame: each shape measure of the output and of the real frame (for plots and per-segment checks). */
  shapeSeries: Record<'mouthWidth' | 'roundness' | 'eyeOpen' | 'irisX' | 'browHeight', { out: number[]; real: number[] }>;
  /** Frames where the tracker found a face in both. */
  pairedFrames: number;
  /** Per paired frame: the output's and the real frame's lip gaps (IOD units), for plots and lag checks. */
  lipGapsOut: number[];
  lipGapsReal: number[];
}

interface Frames {
  rgba: Uint8Array[];
  sizePx: number;
}

/** Lip gap (IOD units) of landmarks: mean inner-lip pair distance over the eye-corner distance. */
export function lipGap(lm: Float32Array): number {
  const d = (a: number, b: number): number => Math.hypot(lm[a * 3]! - lm[b * 3]!, lm[a * 3 + 1]! - lm[b * 3 + 1]!);
  let s = 0;
  for (const [u, l] of INNER_LIP_PAIRS) s += d(u, l);
  return s / INNER_LIP_PAIRS.length / Math.max(1e-6, d(EYE_RIGHT_OUTER, EYE_LEFT_OUTER));
}

const pearson = pearsonFinite;

/** Mouth and eye shape measures of landmarks (see `ModeScores.shape`); irisX NaN without iris points. */
export function shapeMeasures(lm: Float32Array): { mouthWidth: number; roundness: number; eyeOpen: number; irisX: number; browHeight: number } {
  const d = (a: number, b: number): number => Math.hypot(lm[a * 3]! - lm[b * 3]!, lm[a * 3 + 1]! - lm[b * 3 + 1]!);
  const iod = Math.max(1e-6, d(EYE_RIGHT_OUTER, EYE_LEFT_OUTER));
  const eyeOpen = (d(159, 145) / Math.max(1e-6, d(33, 133)) + d(386, 374) / Math.max(1e-6, d(263, 362))) / 2;
  let irisX = NaN;
  if (lm.length >= 478 * 3) {
    const u = (outer: number, inner: number, iris: number): number => (lm[iris * 3]! - (lm[outer * 3]! + lm[inner * 3]!) / 2) / Math.max(1e-6, d(outer, inner));
    irisX = (u(33, 133, 468) + u(263, 362, 473)) / 2;
  }
  const meanY = (ids: readonly number[]): number => ids.reduce((a, i) => a + lm[i * 3 + 1]!, 0) / ids.length;
  const browHeight = (meanY([33, 133, 263, 362]) - meanY([70, 63, 105, 66, 107, 300, 293, 334, 296, 336])) / iod;
  return { mouthWidth: d(61, 291) / iod, roundness: (lipGap(lm) * iod) / Math.max(1e-6, d(78, 308)), eyeOpen, irisX, browHeight };
}

function sdOfFinite(xs: number[]): number {
  const v = xs.filter(Number.isFinite);
  const m = v.reduce((a, b) => a + b, 0) / Math.max(1, v.length);
  return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, v.length));
}

const lumaOf = (px: Uint8Array, i: number): number => 0.299 * px[i * 4]! + 0.587 * px[i * 4 + 1]! + 0.114 * px[i * 4 + 2]!;

interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

function faceBox(lm: Float32Array, sizePx: number): Box {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (let i = 0; i < 468; i++) {
    x0 = Math.min(x0, lm[i * 3]!);
    x1 = Math.max(x1, lm[i * 3]!);
    y0 = Math.min(y0, lm[i * 3 + 1]!);
    y1 = Math.max(y1, lm[i * 3 + 1]!);
  }
  const c = (v: number): number => Math.min(sizePx, Math.max(0, Math.round(v)));
  return { x0: c(x0), y0: c(y0), x1: c(x1), y1: c(y1) };
}

/**
 * The whole head around a face box: grown by 0.6 of its height upwards (the hair above the forehead landmark) and
 * 0.2 of its width to each side (ears, hair), clamped to the frame. A design value for head-and-shoulders clips.
 */
function headBox(face: Box, sizePx: number): Box {
  const w = face.x1 - face.x0;
  const h = face.y1 - face.y0;
  const c = (v: number): number => Math.min(sizePx, Math.max(0, Math.round(v)));
  return { x0: c(face.x0 - 0.2 * w), y0: c(face.y0 - 0.6 * h), x1: c(face.x1 + 0.2 * w), y1: face.y1 };
}

/** The hair band: the part of {@link headBox} above the face box. */
function hairBox(face: Box, sizePx: number): Box {
  const head = headBox(face, sizePx);
  return { ...head, y1: Math.max(head.y0 + 8, face.y0 + 4) };
}

/**
 * The neck and upper shoulders below a face box: from the face box's bottom (the chin) down 0.7 of its height, 0.3 of
 * its width wider on each side, clamped to the frame. A design value for head-and-shoulders clips.
 */
function neckBox(face: Box, sizePx: number): Box {
  const w = face.x1 - face.x0;
  const h = face.y1 - face.y0;
  const c = (v: number): number => Math.min(sizePx, Math.max(0, Math.round(v)));
  return { x0: c(face.x0 - 0.3 * w), y0: c(face.y1), x1: c(face.x1 + 0.3 * w), y1: c(face.y1 + 0.7 * h) };
}

/** Share of a box's pixels whose luma differs by more than 48 between two frames. */
function grossShare(a: Uint8Array, b: Uint8Array, w: number, box: Box): number {
  let bad = 0;
  let n = 0;
  for (let y = box.y0; y < box.y1; y++) {
    for (let x = box.x0; x < box.x1; x++) {
      const i = y * w + x;
      if (Math.abs(lumaOf(a, i) - lumaOf(b, i)) > 48) bad++;
      n++;
    }
  }
  return bad / Math.max(1, n);
}

/** PSNR (dB) of RGB over a box. */
function psnrBox(a: Uint8Array, b: Uint8Array, w: number, box: Box): number {
  let se = 0;
  let n = 0;
  for (let y = box.y0; y < box.y1; y++) {
    for (let x = box.x0; x < box.x1; x++) {
      const i = (y * w + x) * 4;
      for (let c = 0; c < 3; c++) se += (a[i + c]! - b[i + c]!) ** 2;
      n += 3;
    }
  }
  return 10 * Math.log10((255 * 255) / Math.max(1e-9, se / Math.max(1, n)));
}

/** Mean SSIM of luma over 8×8 windows (stride 4) inside a box (Wang et al. 2004 constants K1 0.01, K2 0.03). */
function ssimBox(a: Uint8Array, b: Uint8Array, w: number, box: Box): number {
  const C1 = (0.01 * 255) ** 2;
  const C2 = (0.03 * 255) ** 2;
  let sum = 0;
  let count = 0;
  for (let y = box.y0; y + 8 <= box.y1; y += 4) {
    for (let x = box.x0; x + 8 <= box.x1; x += 4) {
      let ma = 0;
      let mb = 0;
      for (let j = 0; j < 8; j++) for (let i = 0; i < 8; i++) {
        const k = (y + j) * w + x + i;
        ma += lumaOf(a, k);
        mb += lumaOf(b, k);
      }
      ma /= 64;
      mb /= 64;
      let va = 0;
      let vb = 0;
      let cov = 0;
      for (let j = 0; j < 8; j++) for (let i = 0; i < 8; i++) {
        const k = (y + j) * w + x + i;
        const da = lumaOf(a, k) - ma;
        const db = lumaOf(b, k) - mb;
        va += da * da;
        vb += db * db;
        cov += da * db;
      }
      va /= 63;
      vb /= 63;
      cov /= 63;
      sum += ((2 * ma * mb + C1) * (2 * cov + C2)) / ((ma * ma + mb * mb + C1) * (va + vb + C2));
      count++;
    }
  }
  return count ? sum / count : NaN;
}

export async function readFrames(path: string, crop: CropRectPx | null, sizePx: number): Promise<Frames> {
  const info = await probeVideo(path);
  const out: Uint8Array[] = [];
  for await (const f of decodeVideoFrames(path, info)) {
    let img = sharp(Buffer.from(f.rgba), { raw: { width: f.widthPx, height: f.heightPx, channels: 4 } });
    if (crop) {
      const left = Math.max(0, Math.round(crop.xPx));
      const top = Math.max(0, Math.round(crop.yPx));
      img = img.extract({ left, top, width: Math.min(Math.round(crop.widthPx), f.widthPx - left), height: Math.min(Math.round(crop.heightPx), f.heightPx - top) });
    }
    out.push(new Uint8Array(await img.resize(sizePx, sizePx, { fit: 'fill', kernel: 'lanczos3' }).ensureAlpha().raw().toBuffer()));
  }
  return { rgba: out, sizePx };
}

export async function trackFrames(core: FaceAnalyzerCore, frames: Frames): Promise<(Float32Array | null)[]> {
  const out: (Float32Array | null)[] = [];
  for (const rgba of frames.rgba) {
    const a = await core.analyze({ rgba, widthPx: frames.sizePx, heightPx: frames.sizePx, hadAlpha: false }, { maxFaces: 1 });
    out.push(a.faces[0]?.landmarksPx ?? null);
  }
  return out;
}

const SHAPE_KEYS = ['mouthWidth', 'roundness', 'eyeOpen', 'irisX', 'browHeight'] as const;

function scoreMode(out: Frames, outLm: (Float32Array | null)[], real: Frames, realLm: (Float32Array | null)[]): ModeScores {
  const go: number[] = [];
  const gr: number[] = [];
  let ssim = 0;
  let psnr = 0;
  let n = 0;
  let head = 0;
  let hair = 0;
  let headMoving = 0;
  let tear = 0;
  let moving = 0;
  let neck = 0;
  let neckN = 0;
  let neckMoving = 0;
  const shapeOut = { mouthWidth: [] as number[], roundness: [] as number[], eyeOpen: [] as number[], irisX: [] as number[], browHeight: [] as number[] };
  const shapeReal = { mouthWidth: [] as number[], roundness: [] as number[], eyeOpen: [] as number[], irisX: [] as number[], browHeight: [] as number[] };
  const frames = Math.min(out.rgba.length, real.rgba.length);
  const first = realLm.find((lm) => lm) ?? null;
  const box0 = first ? faceBox(first, real.sizePx) : null;
  for (let i = 0; i < frames; i++) {
    const r = realLm[i];
    if (!r) continue;
    const box = faceBox(r, real.sizePx);
    ssim += ssimBox(out.rgba[i]!, real.rgba[i]!, real.sizePx, box);
    psnr += psnrBox(out.rgba[i]!, real.rgba[i]!, real.sizePx, box);
    const headS = ssimBox(out.rgba[i]!, real.rgba[i]!, real.sizePx, headBox(box, real.sizePx));
    head += headS;
    hair += ssimBox(out.rgba[i]!, real.rgba[i]!, real.sizePx, hairBox(box, real.sizePx));
    const nb = neckBox(box, real.sizePx);
    const neckS = nb.y1 - nb.y0 >= 8 ? ssimBox(out.rgba[i]!, real.rgba[i]!, real.sizePx, nb) : NaN;
    if (Number.isFinite(neckS)) {
      neck += neckS;
      neckN++;
    }
    if (box0 && Math.hypot((box.x0 + box.x1 - box0.x0 - box0.x1) / 2, (box.y0 + box.y1 - box0.y0 - box0.y1) / 2) >= 0.15 * (box0.y1 - box0.y0)) {
      headMoving += headS;
      if (Number.isFinite(neckS)) neckMoving += neckS;
      tear += grossShare(out.rgba[i]!, real.rgba[i]!, real.sizePx, headBox(box, real.sizePx));
      moving++;
    }
    n++;
    const o = outLm[i];
    if (o) {
      go.push(lipGap(o));
      gr.push(lipGap(r));
      const so = shapeMeasures(o);
      const sr = shapeMeasures(r);
      for (const k of SHAPE_KEYS) {
        shapeOut[k].push(so[k]);
        shapeReal[k].push(sr[k]);
      }
    }
  }
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const r3 = (x: number): number => Math.round(x * 1000) / 1000;
  const shape = Object.fromEntries(SHAPE_KEYS.map((k) => [k, { r: pearson(shapeOut[k], shapeReal[k]), sdRatio: sdOfFinite(shapeOut[k]) / Math.max(1e-9, sdOfFinite(shapeReal[k])) }])) as ModeScores['shape'];
  const r4 = (x: number): number => Math.round(x * 10000) / 10000;
  const shapeSeries = Object.fromEntries(SHAPE_KEYS.map((k) => [k, { out: shapeOut[k].map(r4), real: shapeReal[k].map(r4) }])) as ModeScores['shapeSeries'];
  return { shape, shapeSeries, lipGapR: pearson(go, gr), lipGapMeanRatio: mean(go) / Math.max(1e-9, mean(gr)), ssim: ssim / Math.max(1, n), psnrDb: psnr / Math.max(1, n), headSsim: head / Math.max(1, n), hairSsim: hair / Math.max(1, n), headSsimMoving: moving ? headMoving / moving : NaN, movingFrames: moving, headTearMoving: moving ? tear / moving : NaN, neckSsim: neckN ? neck / neckN : NaN, neckSsimMoving: moving ? neckMoving / moving : NaN, pairedFrames: go.length, lipGapsOut: go.map(r3), lipGapsReal: gr.map(r3) };
}

/** Picks closed / parted / open / smiling portrait frames from our own tracker (see the module remarks). */
async function pickFrames(video: string, analyzer: FaceAnalyzer, seconds: number): Promise<{ k: number; kind: string }[]> {
  const a = await analyzeVideoFile(analyzer, video, { refineEyes: true });
  const fps = a.info.fps.num / a.info.fps.den;
  const last = a.frames.length - Math.ceil(seconds * fps) - 1;
  const rows = a.frames.slice(0, Math.max(1, last)).flatMap((f, k) => {
    if (!f.face) return [];
    const rest = measureRestExpression(f.face.landmarksPx, f.face.landmarkCount).weights;
    return [{ k, gap: lipGap(f.face.landmarksPx), smile: (rest[BS.mouthSmileLeft]! + rest[BS.mouthSmileRight]!) / 2 }];
  });
  const byGap = [...rows].sort((x, y) => x.gap - y.gap);
  const picks: { k: number; kind: string }[] = [];
  const add = (k: number | undefined, kind: string): void => {
    if (k === undefined) return;
    if (picks.some((p) => Math.abs(p.k - k) < fps * 0.5)) return;
    picks.push({ k, kind });
  };
  add(byGap[0]?.k, 'closed');
  add(byGap[Math.floor(byGap.length * 0.75)]?.k, 'parted');
  add(byGap[byGap.length - 1]?.k, 'open');
  add([...rows].sort((x, y) => y.smile - x.smile)[0]?.k, 'smiling');
  return picks;
}

/**
 * Evaluates one portrait frame of one clip.
 * @param video - real talking clip with audio.
 * @param k - portrait frame index.
 * @param kind - label for the report.
 * @param opts - output size, seconds, work folder, the TF.js tracker core.
 * @returns the scores.
 */
export async function evaluatePair(video: string, k: number, kind: string, opts: { sizePx: number; seconds: number; workDir: string; tracker: FaceAnalyzerCore; withAudio?: boolean; withSelf?: boolean }): Promise<PairResult> {
  const ffmpeg = resolveFfmpeg().path;
  const info = await probeVideo(video);
  const fps = info.fps;
  const tag = `${basename(video).slice(0, 5)}_f${k}`;
  const dir = join(opts.workDir, tag);
  await mkdir(dir, { recursive: true });
  const clip = join(dir, 'clip.mp4');
  const startSec = (k * fps.den) / fps.num;
  await run(ffmpeg, ['-y', '-v', 'error', '-ss', startSec.toFixed(4), '-i', video, '-t', String(opts.seconds), '-c:v', 'libx264', '-crf', '12', '-pix_fmt', 'yuv420p', '-c:a', 'aac', clip]);
  const portrait = join(dir, 'portrait.png');
  await run(ffmpeg, ['-y', '-v', 'error', '-i', clip, '-frames:v', '1', portrait]);
  const image = await decodeImage(portrait);
  const face = (await analyzeImageFile(portrait)).faces[0];
  if (!face) throw new Error(`${tag}: no face in the portrait`);
  const crop = computeCropRect(image.widthPx, image.heightPx, faceBoundsFromLandmarks(face.landmarksPx), 'photo', 1);
  const rest = measureRestExpression(face.landmarksPx, face.landmarkCount).weights;

  const selfOut = join(dir, 'self.mp4');
  const audioOut = join(dir, 'audio.mp4');
  const common = { portraitPath: portrait, sizePx: opts.sizePx, fps, framing: 'photo' as const };
  const withSelf = opts.withSelf ?? true;
  if (withSelf) await renderTalkingHead({ ...common, drivingVideoPath: clip, outPath: selfOut });
  const withAudio = opts.withAudio ?? true;
  if (withAudio) await renderTalkingHead({ ...common, audioPath: clip, outPath: audioOut });

  const real = await readFrames(clip, crop, opts.sizePx);
  const self = withSelf ? await readFrames(selfOut, null, opts.sizePx) : null;
  const audio = withAudio ? await readFrames(audioOut, null, opts.sizePx) : null;
  const still: Frames = { rgba: real.rgba.map(() => real.rgba[0]!), sizePx: opts.sizePx };
  const portraitPx = real.rgba[0]!;
  const [realLm, selfLm, audioLm] = [await trackFrames(opts.tracker, real), self ? await trackFrames(opts.tracker, self) : [], audio ? await trackFrames(opts.tracker, audio) : []];
  const stillLm = realLm.map(() => realLm[0] ?? null);
  const box0 = realLm[0] ? faceBox(realLm[0], opts.sizePx) : { x0: 0, y0: 0, x1: opts.sizePx, y1: opts.sizePx };
  const stillScores = scoreMode(still, stillLm, real, realLm);
  const realGaps = realLm.map((lm) => (lm ? lipGap(lm) : NaN));
  const pcm = await decodeAudio(clip, { sampleRateHz: 16000 });
  const fpsHz = fps.num / fps.den;
  const av = estimateAvOffset(speechEnvelopeDb(pcm.samples, pcm.sampleRateHz, fpsHz, realGaps.length), realGaps, fpsHz);
  const audioGaps = audioLm.map((lm) => (lm ? lipGap(lm) : NaN));
  const best = audio ? bestShiftedPearson(audioGaps, realGaps, fpsHz) : { r: NaN, shiftSec: NaN };
  const avOffset = { offsetSec: av.offsetSec, confidence: av.confidence, reliable: av.reliable, audioLipGapR: audio ? shiftedPearson(audioGaps, realGaps, Math.round(av.offsetSec * fpsHz)) : NaN, audioBestR: best.r, audioBestShiftSec: best.shiftSec };
  return {
    video: basename(video),
    frameIndex: k,
    kind,
    portraitLipGapIod: measureRestExpression(face.landmarksPx, face.landmarkCount).lipGapIod,
    restJawOpen: rest[BS.jawOpen]!,
    restSmile: (rest[BS.mouthSmileLeft]! + rest[BS.mouthSmileRight]!) / 2,
    // A mode not rendered keeps the real gaps (lipGapsReal) so the table's real-gap columns still read.
    self: self ? scoreMode(self, selfLm, real, realLm) : { ...emptyScores(), lipGapsReal: realGaps.filter(Number.isFinite) },
    audio: audio ? scoreMode(audio, audioLm, real, realLm) : emptyScores(),
    still: { ssim: stillScores.ssim, psnrDb: stillScores.psnrDb, headSsim: stillScores.headSsim, hairSsim: stillScores.hairSsim, headSsimMoving: stillScores.headSsimMoving, headTearMoving: stillScores.headTearMoving, neckSsim: stillScores.neckSsim, neckSsimMoving: stillScores.neckSsimMoving },
    frame0PsnrDb: self ? psnrBox(self.rgba[0]!, portraitPx, opts.sizePx, box0) : NaN,
    avOffset,
  };
}

/** Scores of a mode that was not rendered (NaN, empty gap lists). */
function emptyScores(): ModeScores {
  return { shape: Object.fromEntries(SHAPE_KEYS.map((k) => [k, { r: NaN, sdRatio: NaN }])) as ModeScores['shape'], shapeSeries: Object.fromEntries(SHAPE_KEYS.map((k) => [k, { out: [] as number[], real: [] as number[] }])) as ModeScores['shapeSeries'], lipGapR: NaN, lipGapMeanRatio: NaN, ssim: NaN, psnrDb: NaN, headSsim: NaN, hairSsim: NaN, headSsimMoving: NaN, movingFrames: 0, headTearMoving: NaN, neckSsim: NaN, neckSsimMoving: NaN, pairedFrames: 0, lipGapsOut: [], lipGapsReal: [] };
}

const meanOf = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const sdOf = (xs: readonly number[]): number => Math.sqrt(meanOf(xs.map((x) => (x - meanOf(xs)) ** 2)));

/**
 * Markdown table of results. The real lip gap's mean and SD (IOD units) are shown beside the correlation: where the
 * SD is near the tracker's noise (≈ 0.01 IOD: a clip whose lips stay closed), r measures noise.
 */
export function formatTable(rows: readonly PairResult[]): string {
  const f = (x: number, d = 2): string => (Number.isFinite(x) ? x.toFixed(d) : '–');
  const head = `| clip | frame (kind) | gap IOD / rest jaw | real gap mean / SD | self r | self ratio | self SSIM / PSNR | self head / hair SSIM | self head SSIM / tear moving (n) | self neck SSIM / moving | still neck SSIM / moving | still SSIM / PSNR | still head / hair SSIM | still head SSIM / tear moving | f0 PSNR | audio r | A/V offset ms (conf) | audio r at offset | audio ratio | audio SSIM | audio best r ±${Math.round(AV_SYNC_TOLERANCE_SEC * 1000)} ms (shift ms) |`;
  const sep = '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|';
  const body = rows.map((r) => `| ${r.video.slice(0, 5)} | ${r.frameIndex} (${r.kind}) | ${f(r.portraitLipGapIod, 3)} / ${f(r.restJawOpen)} | ${f(meanOf(r.self.lipGapsReal), 3)} / ${f(sdOf(r.self.lipGapsReal), 3)} | ${f(r.self.lipGapR)} | ${f(r.self.lipGapMeanRatio)} | ${f(r.self.ssim, 3)} / ${f(r.self.psnrDb, 1)} | ${f(r.self.headSsim, 3)} / ${f(r.self.hairSsim, 3)} | ${f(r.self.headSsimMoving, 3)} / ${f(r.self.headTearMoving, 3)} (${r.self.movingFrames}) | ${f(r.self.neckSsim, 3)} / ${f(r.self.neckSsimMoving, 3)} | ${f(r.still.neckSsim, 3)} / ${f(r.still.neckSsimMoving, 3)} | ${f(r.still.ssim, 3)} / ${f(r.still.psnrDb, 1)} | ${f(r.still.headSsim, 3)} / ${f(r.still.hairSsim, 3)} | ${f(r.still.headSsimMoving, 3)} / ${f(r.still.headTearMoving, 3)} | ${f(r.frame0PsnrDb, 1)} | ${f(r.audio.lipGapR)} | ${Math.round(r.avOffset.offsetSec * 1000)} (${f(r.avOffset.confidence)}${r.avOffset.reliable ? '' : '?'}) | ${f(r.avOffset.audioLipGapR)} | ${f(r.audio.lipGapMeanRatio)} | ${f(r.audio.ssim, 3)} | ${f(r.avOffset.audioBestR)} (${Number.isFinite(r.avOffset.audioBestShiftSec) ? Math.round(r.avOffset.audioBestShiftSec * 1000) : '–'}) |`);
  return [head, sep, ...body].join('\n');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const videos: string[] = [];
  let frames = 'auto';
  let seconds = 3;
  let sizePx = 256;
  let workDir = 'out/evalRealPairs';
  let jsonPath: string | null = null;
  let withAudio = true;
  let withSelf = true;
  for (let i = 0; i < args.length; i += 2) {
    const a = args[i];
    const v = args[i + 1];
    if (v === undefined) throw new Error(`${a}: missing value`);
    if (a === '--video') videos.push(resolve(v));
    else if (a === '--frames') frames = v;
    else if (a === '--seconds') seconds = Number(v);
    else if (a === '--size') sizePx = Number(v);
    else if (a === '--out') workDir = v;
    else if (a === '--json') jsonPath = v;
    else if (a === '--modes') {
      if (v !== 'self' && v !== 'audio' && v !== 'self,audio' && v !== 'audio,self') throw new Error(`--modes: expected self, audio or self,audio, got ${v}`);
      withAudio = v !== 'self';
      withSelf = v !== 'audio';
    }
    else throw new Error(`unknown argument ${a}`);
  }
  if (!videos.length) throw new Error('give at least one --video');
  const tracker = new FaceAnalyzerCore(await TfjsFaceModelRunner.create('wasm'));
  const analyzer = await FaceAnalyzer.create();
  const results: PairResult[] = [];
  try {
    for (const video of videos) {
      const picks = frames === 'auto' ? await pickFrames(video, analyzer, seconds) : frames.split(',').map((s) => ({ k: Number(s), kind: 'given' }));
      for (const p of picks) {
        const r = await evaluatePair(video, p.k, p.kind, { sizePx, seconds, workDir, tracker, withAudio, withSelf });
        results.push(r);
        console.log(formatTable([r]).split('\n')[2]);
        if (withSelf) console.log(`self shape (r / sd ratio): ${SHAPE_KEYS.map((k) => `${k} ${r.self.shape[k].r.toFixed(2)} / ${r.self.shape[k].sdRatio.toFixed(2)}`).join(', ')}`);
      }
    }
  } finally {
    await tracker.dispose();
    await analyzer.dispose();
  }
  console.log(`\n${formatTable(results)}`);
  if (jsonPath) await writeFile(jsonPath, `${JSON.stringify(results, null, 1)}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
