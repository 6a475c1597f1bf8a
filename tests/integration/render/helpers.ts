/**
 * Shared helpers of the render tests: landmark fixtures + decoded portraits, the reference crop, PSNR, PNG output.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import sharp from 'sharp';
import type { FaceLandmarks } from '../../../core/face/types.ts';
import { signedDistanceToPolygon } from '../../../core/math/polygon.ts';
import { decodeImage, type DecodedImage } from '../../../pipeline/image/decodeImage.ts';
import type { RenderHost } from '../../../pipeline/render/renderHost.ts';
import type { FaceAnalyzerCore } from '../../../pipeline/face/faceAnalyzer.ts';
import { ARKIT_BLENDSHAPE_COUNT, BS } from '../../../core/motion/names.ts';
import { buildPhotoHeadRig, evaluateRigRelative, RIG_VERTEX_COUNT } from '../../../core/rig/rig.ts';
import { INNER_LIP_PAIRS, measureRestExpression } from '../../../core/rig/restExpression.ts';
import { EYE_LEFT_OUTER, EYE_RIGHT_OUTER } from '../../../core/face/topology.ts';

const ROOT = process.cwd();

/** Landmark fixture names under tests/fixtures/landmarks. */
export type FixtureName = 'img01' | 'img05' | 'img06' | 'astronaut';

/** A portrait and its face. */
export interface Portrait {
  name: string;
  image: DecodedImage;
  face: FaceLandmarks;
}

/**
 * Loads a landmark fixture and decodes its source image.
 * @param name - fixture name.
 * @returns the decoded image and its landmarks.
 */
export async function loadPortrait(name: FixtureName): Promise<Portrait> {
  const j = JSON.parse(readFileSync(path.join(ROOT, 'tests/fixtures/landmarks', `${name}.json`), 'utf8')) as {
    source: string;
    imageWidthPx: number;
    imageHeightPx: number;
    landmarksPx: number[];
    landmarkCount?: number;
    boxPx: FaceLandmarks['boxPx'];
  };
  const image = await decodeImage(path.resolve(ROOT, j.source));
  if (image.widthPx !== j.imageWidthPx || image.heightPx !== j.imageHeightPx) throw new Error(`fixture ${name}: image size mismatch`);
  const face: FaceLandmarks = { landmarksPx: Float32Array.from(j.landmarksPx), landmarkCount: j.landmarkCount ?? j.landmarksPx.length / 3, boxPx: j.boxPx, detectionScore: 1, meshScore: 1 };
  return { name, image, face };
}

/**
 * Decodes a corpus image and finds its largest face with the product's face analyzer (ONNX MediaPipe models).
 * @param corpusRelPath - path under ../shared/corpus.
 * @returns the decoded image and its landmarks.
 */
export async function analyzePortrait(corpusRelPath: string): Promise<Portrait> {
  const { analyzeImageFile } = await import('../../../pipeline/face/faceAnalyzer.ts');
  const file = path.resolve(ROOT, '../shared/corpus', corpusRelPath);
  const image = await decodeImage(file);
  const face = (await analyzeImageFile(file)).faces[0];
  if (!face) throw new Error(`no face in ${corpusRelPath}`);
  return { name: path.basename(corpusRelPath), image, face };
}

/**
 * A corpus video frame as a portrait (extracted with the npm-shipped ffmpeg), analysed with the product's face analyzer.
 * @param video - file name under ../shared/corpus/video.
 * @param timeSec - time of the frame, seconds.
 * @returns the decoded frame and its largest face's landmarks.
 * @throws Error when the frame shows no face.
 */
export async function videoFramePortrait(video: string, timeSec: number): Promise<Portrait> {
  const { analyzeImageFile } = await import('../../../pipeline/face/faceAnalyzer.ts');
  const { default: ffmpegInstaller } = await import('@ffmpeg-installer/ffmpeg');
  const dir = mkdtempSync(path.join(tmpdir(), 'video-portrait-'));
  try {
    const file = path.join(dir, 'frame.png');
    execFileSync(ffmpegInstaller.path, ['-loglevel', 'error', '-y', '-ss', String(timeSec), '-i', path.resolve(ROOT, '../shared/corpus/video', video), '-frames:v', '1', file]);
    const face = (await analyzeImageFile(file)).faces[0];
    if (!face) throw new Error(`no face in ${video} at ${timeSec} s`);
    return { name: `${video}@${timeSec}`, image: await decodeImage(file), face };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The photo cropped to `cropPx` and resized to the output size (what the user sees), RGBA.
 * @param image - decoded photo.
 * @param cropPx - rectangle inside the photo.
 * @param widthPx - output width.
 * @param heightPx - output height.
 * @returns `[h, w, 4]` bytes.
 */
export async function referenceCrop(image: DecodedImage, cropPx: { xPx: number; yPx: number; widthPx: number; heightPx: number }, widthPx: number, heightPx: number): Promise<Uint8Array> {
  const left = Math.round(cropPx.xPx);
  const top = Math.round(cropPx.yPx);
  const w = Math.min(Math.round(cropPx.widthPx), image.widthPx - left);
  const h = Math.min(Math.round(cropPx.heightPx), image.heightPx - top);
  const buf = await sharp(Buffer.from(image.rgba), { raw: { width: image.widthPx, height: image.heightPx, channels: 4 } })
    .extract({ left, top, width: w, height: h })
    .resize(widthPx, heightPx, { fit: 'fill', kernel: 'lanczos3' })
    .raw()
    .toBuffer();
  return new Uint8Array(buf);
}

/** Maps image px to output px for a crop. */
export function toOutputPx(cropPx: { xPx: number; yPx: number; widthPx: number; heightPx: number }, widthPx: number, heightPx: number, xPx: number, yPx: number): [number, number] {
  return [((xPx - cropPx.xPx) / cropPx.widthPx) * widthPx, ((yPx - cropPx.yPx) / cropPx.heightPx) * heightPx];
}

/**
 * Output pixels inside a landmark polygon: the landmarks mapped through the render's crop ({@link toOutputPx}), the
 * pixel centres whose signed distance to the polygon is more than `insetPx` inside it.
 * @param px - landmarks `[N, 3]`, photo px.
 * @param ids - the polygon's landmark indices, in order.
 * @param cropPx - the render's crop rectangle, photo px.
 * @param sizePx - the square output's side, px.
 * @param insetPx - how far inside the edge a pixel centre must be, output px (≥ 0).
 * @returns pixel indices `y × sizePx + x`, row by row.
 */
export function pixelsInPolygon(px: Float32Array, ids: readonly number[], cropPx: { xPx: number; yPx: number; widthPx: number; heightPx: number }, sizePx: number, insetPx = 0): number[] {
  const poly = ids.flatMap((i) => toOutputPx(cropPx, sizePx, sizePx, px[i * 3]!, px[i * 3 + 1]!));
  const xs = poly.filter((_, k) => k % 2 === 0);
  const ys = poly.filter((_, k) => k % 2 === 1);
  const out: number[] = [];
  for (let y = Math.max(0, Math.floor(Math.min(...ys))); y <= Math.min(sizePx - 1, Math.ceil(Math.max(...ys))); y++) {
    for (let x = Math.max(0, Math.floor(Math.min(...xs))); x <= Math.min(sizePx - 1, Math.ceil(Math.max(...xs))); x++) {
      if (signedDistanceToPolygon(poly, x + 0.5, y + 0.5) > insetPx) out.push(y * sizePx + x);
    }
  }
  return out;
}

/**
 * Mask of the face region in output pixels: inside the convex polygon of the face silhouette landmarks.
 * @returns `[h, w]` 1 inside, 0 outside.
 */
export function faceRegionMask(face: FaceLandmarks, cropPx: { xPx: number; yPx: number; widthPx: number; heightPx: number }, widthPx: number, heightPx: number): Uint8Array {
  const SIL = [10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109];
  const poly = SIL.map((i) => toOutputPx(cropPx, widthPx, heightPx, face.landmarksPx[i * 3]!, face.landmarksPx[i * 3 + 1]!));
  const mask = new Uint8Array(widthPx * heightPx);
  for (let y = 0; y < heightPx; y++) {
    for (let x = 0; x < widthPx; x++) {
      let inside = false;
      const px = x + 0.5;
      const py = y + 0.5;
      for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
        const [xi, yi] = poly[i]!;
        const [xj, yj] = poly[j]!;
        if (yi > py !== yj > py && px < ((xj - xi) * (py - yi)) / (yj - yi) + xi) inside = !inside;
      }
      mask[y * widthPx + x] = inside ? 1 : 0;
    }
  }
  return mask;
}

/**
 * PSNR over the RGB channels of the masked pixels.
 * @returns dB (Infinity when identical).
 */
export function psnrDb(a: Uint8Array, b: Uint8Array, mask: Uint8Array | null): number {
  let se = 0;
  let n = 0;
  for (let p = 0; p < a.length / 4; p++) {
    if (mask && !mask[p]) continue;
    for (let c = 0; c < 3; c++) se += (a[p * 4 + c]! - b[p * 4 + c]!) ** 2;
    n += 3;
  }
  return se === 0 ? Infinity : 10 * Math.log10((255 * 255 * n) / se);
}

/** Writes RGBA bytes as a PNG (RGB only when `dropAlpha`). */
export async function writePng(file: string, rgba: Uint8Array, widthPx: number, heightPx: number, dropAlpha = false): Promise<void> {
  let img = sharp(Buffer.from(rgba), { raw: { width: widthPx, height: heightPx, channels: 4 } });
  if (dropAlpha) img = img.removeAlpha();
  await img.png({ compressionLevel: 9, adaptiveFiltering: true }).toFile(file);
}

/** Reads a PNG as RGBA bytes. */
export async function readPngRgba(file: string): Promise<{ rgba: Uint8Array; widthPx: number; heightPx: number }> {
  const { data, info } = await sharp(file).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { rgba: new Uint8Array(data), widthPx: info.width, heightPx: info.height };
}

/** scripts/evalRealPairs.ts `lipGap`: mean of five central inner-lip pair distances over the eye-corner distance. */
export function lipGapIod(lm: Float32Array): number {
  const d = (a: number, b: number): number => Math.hypot(lm[a * 3]! - lm[b * 3]!, lm[a * 3 + 1]! - lm[b * 3 + 1]!);
  let s = 0;
  for (const [u, l] of INNER_LIP_PAIRS) s += d(u, l);
  return s / INNER_LIP_PAIRS.length / d(EYE_RIGHT_OUTER, EYE_LEFT_OUTER);
}

/**
 * Renders a video frame's portrait at each jawOpen (every other weight 0) and reads the inner-lip gap twice: by the
 * independent tracker on the render, and on the rig's own posed landmarks (core/rig/rig.ts `evaluateRigRelative`
 * against the portrait's measured rest expression).
 * @param host - a launched render host of `sizePx`².
 * @param tracker - the independent tracker (TF.js FaceMesh).
 * @param video - corpus video file name (corpus/video).
 * @param jaws - jawOpen values, [0, 1].
 * @param sizePx - render size, px.
 * @returns per jaw value: `tracked` and `geometry` gaps, {@link lipGapIod} units.
 */
export async function jawSweepGaps(host: RenderHost, tracker: FaceAnalyzerCore, video: string, jaws: readonly number[], sizePx: number): Promise<{ tracked: number[]; geometry: number[] }> {
  const p = await videoFramePortrait(video, 0);
  await host.loadPortrait(p.image, p.face);
  const rig = buildPhotoHeadRig(p.face.landmarksPx, p.face.landmarkCount);
  const rest = measureRestExpression(p.face.landmarksPx, p.face.landmarkCount, { rig }).weights;
  const tracked: number[] = [];
  const geometry: number[] = [];
  for (const j of jaws) {
    const w = new Float32Array(ARKIT_BLENDSHAPE_COUNT);
    w[BS.jawOpen] = j;
    const face = (await tracker.analyze({ rgba: await host.renderStill({ blendshapes: w }), widthPx: sizePx, heightPx: sizePx, hadAlpha: false }, { maxFaces: 1 })).faces[0];
    if (!face) throw new Error(`jawSweepGaps: the tracker found no face at jawOpen ${j} (${video})`);
    tracked.push(lipGapIod(face.landmarksPx));
    const posed = Float32Array.from(p.face.landmarksPx);
    posed.set(evaluateRigRelative(rig, w, rest, new Float32Array(RIG_VERTEX_COUNT * 3)));
    geometry.push(lipGapIod(posed));
  }
  return { tracked, geometry };
}
