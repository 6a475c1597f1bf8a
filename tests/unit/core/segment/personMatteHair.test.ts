/**
 * Issue 13: the person matte keeps big hair. On img02 (an afro over a dark red backdrop, from the shared corpus) the
 * matte kept the face and a cap of hair and left the afro's volume to the background plate: when the camera orbited,
 * the head turned in front of a static copy of its own hair. Cause: the first colour models were split by the region
 * prior, so the background model was learnt from everything outside a head ellipse — the outer afro included — and
 * took the hair's colours. Now the first background model comes from the sure background (the border band), as
 * GrabCut's does (Rother et al. 2004: the model of the background from the pixels outside the user's rectangle).
 * Truth read off the photo, in face heights about the face centre (midpoint of landmarks 10 and 152): afro above the
 * head (v −1.3…−0.9, |u| < 0.4) and beside the temples (v −0.6…−0.2, |u| 0.6…0.75); backdrop beside the afro
 * (|u| > 1.05, v < 0) and above its shoulders (v < −1.25, |u| > 0.9). Landmarks: fixtures/img02_landmarks.json (the
 * product's ONNX face analyzer on the photo).
 */
import { personShareInFaceFrame } from './faceFrameShare.ts';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { computePersonMatte } from '../../../../core/segment/personMatte.ts';
import { decodeImage } from '../../../../pipeline/image/decodeImage.ts';

const ROOT = process.cwd();

describe('computePersonMatte keeps an afro (img02, corpus)', () => {
  it('the afro above and beside the head is person, the backdrop beside it is not', async () => {
    const fx = JSON.parse(readFileSync(path.resolve(ROOT, 'tests/unit/core/segment/fixtures/img02_landmarks.json'), 'utf8')) as { source: string; landmarksPx: number[]; landmarkCount: number };
    const img = await decodeImage(path.resolve(ROOT, fx.source));
    const lm = Float32Array.from(fx.landmarksPx);
    const m = computePersonMatte(img.rgba, img.widthPx, img.heightPx, lm, fx.landmarkCount);
    const share = (inside: (u: number, v: number) => boolean): number => personShareInFaceFrame(m.alpha, img.widthPx, img.heightPx, lm, inside);
    const top = share((u, v) => v > -1.3 && v < -0.9 && Math.abs(u) < 0.4);
    const sides = share((u, v) => v > -0.6 && v < -0.2 && Math.abs(u) > 0.6 && Math.abs(u) < 0.75);
    const beside = share((u, v) => Math.abs(u) > 1.05 && v < 0);
    const corners = share((u, v) => v < -1.25 && Math.abs(u) > 0.9);
    console.log(`img02: person share — afro above ${top.toFixed(3)}, beside the temples ${sides.toFixed(3)}, backdrop beside ${beside.toFixed(3)}, above the shoulders ${corners.toFixed(3)}`);
    expect(top).toBeGreaterThanOrEqual(0.9);
    expect(sides).toBeGreaterThanOrEqual(0.9);
    expect(beside).toBeLessThanOrEqual(0.05);
    expect(corners).toBeLessThanOrEqual(0.05);
  });
});
