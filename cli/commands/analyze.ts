/**
 * `avatar-studio analyze <image> --json <out.json>`: face landmarks (478 points), boxes, scores and head pose.
 */
import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { InvalidInputError } from '../../core/errors.ts';
import type { FaceAnalysis } from '../../core/face/types.ts';
import { FaceAnalyzer } from '../../pipeline/face/faceAnalyzer.ts';
import { decodeImage } from '../../pipeline/image/decodeImage.ts';

/** Version of the analysis JSON written by the CLI. */
export const ANALYSIS_JSON_VERSION = 1;

/**
 * Serialises an analysis for `--json` output.
 * @param a - the analysis. @param sourcePath - the analysed file.
 * @returns a JSON-ready object; landmarks as `[x, y, z, …]` pixel arrays rounded to 0.001 px.
 */
export function analysisToJson(a: FaceAnalysis, sourcePath: string): Record<string, unknown> {
  const r3 = (v: number): number => Math.round(v * 1000) / 1000;
  return {
    version: ANALYSIS_JSON_VERSION,
    kind: 'image',
    source: sourcePath,
    imageWidthPx: a.imageWidthPx,
    imageHeightPx: a.imageHeightPx,
    executionProvider: a.executionProvider,
    executionProviderFallbacks: a.executionProviderFallbacks ?? [],
    landmarkLayout: 'MediaPipe Face Mesh 468 + iris 10 (468-472 right iris, 473-477 left iris); [x, y, z] image pixels, z smaller = closer',
    faces: a.faces.map((f) => ({
      boxPx: { xPx: r3(f.boxPx.xPx), yPx: r3(f.boxPx.yPx), widthPx: r3(f.boxPx.widthPx), heightPx: r3(f.boxPx.heightPx) },
      detectionScore: r3(f.detectionScore * 1000) / 1000,
      meshScore: r3(f.meshScore * 1000) / 1000,
      landmarkCount: f.landmarkCount,
      landmarksPx: Array.from(f.landmarksPx, r3),
      headPose: f.headPose,
    })),
  };
}

/**
 * Writes text atomically: a temp file next to the target, then rename.
 * @param outPath - destination. @param text - contents.
 */
async function writeAtomic(outPath: string, text: string): Promise<void> {
  const tmp = join(dirname(outPath), `.${basename(outPath)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, text);
    await rename(tmp, outPath);
  } catch (err) {
    await rm(tmp, { force: true });
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
    .description('find faces in an image: 478 landmarks, boxes, scores and head pose')
    .argument('<image>', 'image file (JPEG, PNG, WebP, GIF, TIFF, AVIF/HEIF; recognised by content)')
    .requiredOption('--json <out.json>', 'output JSON (written to a temp file, then renamed)')
    .option('--max-faces <n>', 'maximum faces reported, largest first', '8')
    .option('--ep <list>', 'execution providers to try in order, e.g. "cuda,cpu" (fallback is reported)')
    .option('--exhaustive', 'run every detection pass (padded image and tiles) to find additional small faces')
    .option('--quiet', 'no summary output')
    .action(async (imagePath: string, o: { json: string; maxFaces: string; ep?: string; exhaustive?: boolean; quiet?: boolean }) => {
      const maxFaces = Number(o.maxFaces);
      if (!Number.isInteger(maxFaces) || maxFaces < 1) throw new InvalidInputError(`--max-faces: expected a positive integer, got "${o.maxFaces}"`);
      const log = (m: string): void => {
        if (!o.quiet) process.stderr.write(`${m}\n`);
      };
      const started = Date.now();
      const image = await decodeImage(imagePath);
      const analyzer = await FaceAnalyzer.create({ executionProviders: o.ep?.split(',').map((s) => s.trim()), onLog: log });
      try {
        const a = await analyzer.analyze(image, { maxFaces, exhaustive: o.exhaustive === true });
        await writeAtomic(o.json, `${JSON.stringify(analysisToJson(a, resolve(imagePath)))}\n`);
        log(`${a.faces.length} face(s) in ${imagePath} (${a.imageWidthPx}x${a.imageHeightPx}) on ${a.executionProvider} in ${Date.now() - started} ms → ${o.json}`);
      } finally {
        await analyzer.dispose();
      }
    });
}
