/**
 * Issue 13: the photo head as splats, at rest over the photo's filled background plate, gives back the photo around
 * the head too. The plate fills every pixel the person matte touches plus a fringe ring; the splats around the face
 * are the person layer refitted over that fill (core/segment/foregroundColour.ts `fitForegroundOverPlate`, as the mesh
 * head's `PhotoHead.fitToPlate`; renderer/avatars/photoHeadSplats.ts `surroundSamples`). Without the refit the fill
 * showed through the soft edge of the hair and in the ring: a faint ghost of the wall round the head at rest.
 * Measured as tests/integration/render/plateRest.test.ts measures the mesh head: PSNR against the photo's crop outside
 * the face region, on a corpus frame of a real talking clip (vid05 frame 0) and a corpus portrait (img01).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useRenderHost } from '../../helpers/useRenderHost.ts';
import ffmpegInstaller from '@ffmpeg-installer/ffmpeg';
import { measureRestExpression } from '../../../core/rig/restExpression.ts';
import { analyzePortrait, faceRegionMask, loadPortrait, psnrDb, referenceCrop, type Portrait } from '../render/helpers.ts';

const S = 256;
const CORPUS = path.resolve(__dirname, '../../../../shared/corpus');

describe('splat head at rest over the filled background plate (corpus)', () => {
  const host = useRenderHost({ widthPx: S, heightPx: S, background: 'photo' });
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'as-splat-plate-rest-'));
  }, 60_000);
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
  });

  async function portrait(name: string): Promise<Portrait> {
    if (name === 'img01') return loadPortrait('img01');
    const file = path.join(dir, 'vid05_f0.png');
    execFileSync(ffmpegInstaller.path, ['-loglevel', 'error', '-y', '-i', path.join(CORPUS, 'video/vid05_man_excited_wide_mouth_512p25.mp4'), '-frames:v', '1', file]);
    return analyzePortrait(file);
  }

  // Thresholds set after measuring (256², PSNR outside the face region): main before the refit vid05 29.48 dB, img01
  // 25.35 dB; with it 30.53 / 25.85; the same splats without the refit 29.92 / 26.06 (img01's plain wall is filled well,
  // there the refit has nothing to fix; vid05's textured wall is where the ghost showed).
  it.each([
    ['vid05 frame 0', 30.2],
    ['img01', 25.6],
  ] as const)('%s: outside the face the splat head’s rest view matches the photo (PSNR ≥ %s dB)', async (name, minDb) => {
    const p = await portrait(name.split(' ')[0]!);
    const info = await host().loadPortrait(p.image, p.face);
    const rest = { blendshapes: measureRestExpression(p.face.landmarksPx, p.face.landmarkCount).weights };
    await host().loadPortraitSplats(p.image, p.face);
    const px = await host().renderStill(rest);
    const ref = await referenceCrop(p.image, info.cropPx, S, S);
    const outside = faceRegionMask(p.face, info.cropPx, S, S).map((v) => 1 - v);
    const db = psnrDb(px, ref, outside);
    console.log(`${name}: splat head's rest view outside the face ${db.toFixed(2)} dB`);
    expect(db).toBeGreaterThanOrEqual(minDb);
  }, 180_000);
});
