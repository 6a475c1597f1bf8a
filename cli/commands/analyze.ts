/**
 * `avatar-studio analyze <image|video> --json <out.json>`: face landmarks (478 points), boxes, scores and head pose;
 * for a video, one entry per frame (times from the container, tracked with re-detection only when lost, smoothed).
 */
import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { InvalidInputError } from '../../core/errors.ts';
import type { FaceAnalysis } from '../../core/face/types.ts';
import { measureRestExpression, namedWeights, type RestExpression } from '../../core/rig/restExpression.ts';
import type { VideoAnalysis } from '../../pipeline/face/videoTracker.ts';
import { decodeImage, sniffImageContainer } from '../../pipeline/image/decodeImage.ts';
import { prepareOutputPath } from '../../pipeline/files/outputPath.ts';
import { cancelOnSignals } from '../signals.ts';
import { writeFileAtomic } from '../../pipeline/files/atomicWrite.ts';

/** Version of the analysis JSON written by the CLI. */
export const ANALYSIS_JSON_VERSION = 1;

/**
 * Serialises an analysis for `--json` output.
 * @param a - the analysis. @param sourcePath - the analysed file.
 * @param rests - per face, its rest expression as the renderer uses it (pipeline/face/portraitRest.ts, Iris-refined
 *   eyes); measured from the face's own landmarks where absent.
 * @returns a JSON-ready object; landmarks as `[x, y, z, …]` pixel arrays rounded to 0.001 px; per face its
 *   `restExpression` (the photo's own expression, core/rig/restExpression.ts: ARKit weights ≥ 0.005 by name, the
 *   inner-lip gap in inter-ocular distances).
 */
export function analysisToJson(a: FaceAnalysis, sourcePath: string, rests: readonly RestExpression[] = []): Record<string, unknown> {
  return {
    version: ANALYSIS_JSON_VERSION,
    kind: 'image',
    source: sourcePath,
    imageWidthPx: a.imageWidthPx,
    imageHeightPx: a.imageHeightPx,
    executionProvider: a.executionProvider,
    executionProviderFallbacks: a.executionProviderFallbacks ?? [],
    landmarkLayout: 'MediaPipe Face Mesh 468 + iris 10 (468-472 right iris, 473-477 left iris); [x, y, z] image pixels, z smaller = closer',
    faces: a.faces.map((f, i) => ({ ...faceToJson(f), restExpression: restExpressionToJson(rests[i] ?? measureRestExpression(f.landmarksPx, f.landmarkCount)) })),
  };
}

type FaceJson = Record<string, unknown>;

function restExpressionToJson(r: RestExpression): FaceJson {
  return { weights: namedWeights(r.weights), lipGapIod: Math.round(r.lipGapIod * 1000) / 1000 };
}

function faceToJson(f: FaceAnalysis['faces'][number]): FaceJson {
  const r3 = (v: number): number => Math.round(v * 1000) / 1000;
  return {
    boxPx: { xPx: r3(f.boxPx.xPx), yPx: r3(f.boxPx.yPx), widthPx: r3(f.boxPx.widthPx), heightPx: r3(f.boxPx.heightPx) },
    detectionScore: Number.isFinite(f.detectionScore) ? r3(f.detectionScore) : null,
    meshScore: r3(f.meshScore),
    landmarkCount: f.landmarkCount,
    landmarksPx: Array.from(f.landmarksPx, r3),
    headPose: f.headPose,
  };
}

/**
 * Serialises a video analysis for `--json` output.
 * @param v - the tracked video. @param sourcePath - the analysed file.
 * @returns a JSON-ready object with one entry per frame (`face: null` where no face is visible).
 */
export function videoAnalysisToJson(v: VideoAnalysis, sourcePath: string): Record<string, unknown> {
  return {
    version: ANALYSIS_JSON_VERSION,
    kind: 'video',
    source: sourcePath,
    widthPx: v.info.widthPx,
    heightPx: v.info.heightPx,
    rotationDeg: v.info.rotationDeg,
    fps: v.info.fps,
    frameCount: v.frames.length,
    detectorRuns: v.detectorRuns,
    executionProvider: v.executionProvider,
    smoothing: 'One-Euro (Casiez et al. 2012), min_cutoff 0.05 Hz, beta 80, d_cutoff 1 Hz on face-size-normalised values',
    frames: v.frames.map((f) => ({ frameIndex: f.frameIndex, timeSec: f.timeSec, redetected: f.redetected, face: f.face ? faceToJson(f.face) : null })),
  };
}

/** True when the file's first bytes are a video container (ISO-BMFF that is not AVIF/HEIF, Matroska/WebM, AVI). */
async function looksLikeVideo(filePath: string): Promise<boolean> {
  const fh = await open(filePath, 'r').catch(() => null);
  if (!fh) return false;
  try {
    const b = new Uint8Array(16);
    await fh.read(b, 0, 16, 0);
    if (sniffImageContainer(b)) return false;
    const ascii = (x: number, y: number): string => String.fromCharCode(...b.subarray(x, y));
    return ascii(4, 8) === 'ftyp' || (b[0] === 0x1a && b[1] === 0x45 && b[2] === 0xdf && b[3] === 0xa3) || (ascii(0, 4) === 'RIFF' && ascii(8, 11) === 'AVI');
  } finally {
    await fh.close();
  }
}

/**
 * Writes text atomically: a temp file next to the target, then rename.
 * @param outPath - destination. @param text - contents.
 */
async function writeAtomic(outPath: string, text: string): Promise<void> {
  try {
    await writeFileAtomic(outPath, text);
  } catch (err) {
    throw new InvalidInputError(`Cannot write ${outPath}: ${(err as Error).message}`, { path: outPath });
  }
}

/**
 * Registers the `analyze` command.
 * @param program - the commander program.
 */
export function registerAnalyze(program: Command): void {
  program
    .command('analyze')
    .description('find faces in an image (all faces) or track the face through a video (per frame): 478 landmarks, boxes, scores, head pose')
    .argument('<image|video>', 'image (JPEG, PNG, WebP, GIF, TIFF, AVIF/HEIF) or video (MP4/MOV/MKV/WebM/AVI); recognised by content')
    .option('--json <out.json>', 'output JSON file (written to a temp file, then renamed); without it the JSON is printed to stdout')
    .option('--max-faces <n>', 'maximum faces reported, largest first', '8')
    .option('--ep <list>', 'execution providers to try in order, e.g. "cuda,cpu" (fallback is reported)')
    .option('--exhaustive', 'run every detection pass (padded image and tiles) to find additional small faces')
    .option('--quiet', 'no summary output')
    .action(async (imagePath: string, o: { json?: string; maxFaces: string; ep?: string; exhaustive?: boolean; quiet?: boolean }) => {
      const maxFaces = Number(o.maxFaces);
      if (!Number.isInteger(maxFaces) || maxFaces < 1) throw new InvalidInputError(`--max-faces: expected a positive integer, got "${o.maxFaces}"`);
      if (o.json !== undefined) await prepareOutputPath(o.json, [imagePath]);
      const emit = async (json: unknown): Promise<void> => {
        const text = `${JSON.stringify(json)}\n`;
        if (o.json !== undefined) await writeAtomic(o.json, text);
        else await new Promise<void>((res, rej) => process.stdout.write(text, (err) => (err ? rej(err) : res())));
      };
      const dest = o.json ?? 'stdout';
      const log = (m: string): void => {
        if (!o.quiet) process.stderr.write(`${m}\n`);
      };
      const started = Date.now();
      // ONNX Runtime and the face models load once the options are checked (`--help` and bad flags answer at once).
      const [{ FaceAnalyzer }, { analyzeVideoFile }, { measurePortraitRest }] = await Promise.all([import('../../pipeline/face/faceAnalyzer.ts'), import('../../pipeline/face/videoTracker.ts'), import('../../pipeline/face/portraitRest.ts')]);
      if (await looksLikeVideo(imagePath)) {
        const analyzer = await FaceAnalyzer.create({ executionProviders: o.ep?.split(',').map((s) => s.trim()), onLog: log });
        const controller = new AbortController();
        const stopSignals = cancelOnSignals(controller);
        try {
          const v = await analyzeVideoFile(analyzer, imagePath, { signal: controller.signal });
          await emit(videoAnalysisToJson(v, resolve(imagePath)));
          const withFace = v.frames.filter((f) => f.face).length;
          log(`${v.frames.length} frames of ${imagePath} (${v.info.widthPx}x${v.info.heightPx}), face on ${withFace}, detector ran ${v.detectorRuns}x, on ${v.executionProvider} in ${Date.now() - started} ms → ${dest}`);
        } finally {
          stopSignals();
          await analyzer.dispose();
        }
        return;
      }
      const image = await decodeImage(imagePath);
      const analyzer = await FaceAnalyzer.create({ executionProviders: o.ep?.split(',').map((s) => s.trim()), onLog: log });
      try {
        const a = await analyzer.analyze(image, { maxFaces, exhaustive: o.exhaustive === true });
        // The rest expression the export renders against (Iris-refined eyes, pipeline/face/portraitRest.ts).
        const rests: RestExpression[] = [];
        for (const f of a.faces) rests.push(await measurePortraitRest(analyzer, image, f));
        await emit(analysisToJson(a, resolve(imagePath), rests));
        log(`${a.faces.length} face(s) in ${imagePath} (${a.imageWidthPx}x${a.imageHeightPx}) on ${a.executionProvider} in ${Date.now() - started} ms → ${dest}`);
      } finally {
        await analyzer.dispose();
      }
    });
}
