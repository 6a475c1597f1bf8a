/**
 * Issues 12/13: frame 0 reproduces the portrait — also around the head, where the person layer (matte alpha) lies
 * over the filled background plate. The plate fills every pixel the matte touches plus a fringe ring; without
 * refitting the person layer over that fill (core/segment/foregroundColour.ts `fitForegroundOverPlate`) the fill
 * showed through soft hair and the ring as a ghost outline round the head of a video-frame portrait (new-user run,
 * vid05 frame 0). Measured outside the face region (the face has its own PSNR test in photoHead.test.ts), in a band
 * around the person where the plate was filled.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useRenderHost } from '../../helpers/useRenderHost.ts';
import ffmpegInstaller from '@ffmpeg-installer/ffmpeg';
import { measureRestExpression } from '../../../core/rig/restExpression.ts';
import { analyzePortrait, faceRegionMask, loadPortrait, psnrDb, referenceCrop, type Portrait } from './helpers.ts';

const S = 256;
const CORPUS = path.resolve(__dirname, '../../../../shared/corpus');

describe('rest view over the filled background plate', () => {
  const host = useRenderHost({ widthPx: S, heightPx: S });
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'as-plate-rest-'));
  }, 60_000);
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
  });

  async function portrait(name: string): Promise<Portrait> {
    if (name === 'img01') return loadPortrait('img01');
    // A frame of a real talking clip (soft matte over a textured wall).
    const file = path.join(dir, 'vid05_f0.png');
    execFileSync(ffmpegInstaller.path, ['-loglevel', 'error', '-y', '-i', path.join(CORPUS, 'video/vid05_man_excited_wide_mouth_512p25.mp4'), '-frames:v', '1', file]);
    return analyzePortrait(file);
  }

  it.each(['vid05 frame 0', 'img01'])('%s: outside the face the rest view matches the photo (PSNR ≥ 38 dB)', async (name) => {
    const p = await portrait(name.split(' ')[0]!);
    const info = await host().loadPortrait(p.image, p.face);
    const px = await host().renderStill({ blendshapes: measureRestExpression(p.face.landmarksPx, p.face.landmarkCount).weights });
    const ref = await referenceCrop(p.image, info.cropPx, S, S);
    const face = faceRegionMask(p.face, info.cropPx, S, S);
    const outside = face.map((v) => 1 - v);
    const db = psnrDb(px, ref, outside);
    console.log(`${name}: rest view outside the face ${db.toFixed(2)} dB`);
    expect(db).toBeGreaterThanOrEqual(38);
  }, 120_000);
});
