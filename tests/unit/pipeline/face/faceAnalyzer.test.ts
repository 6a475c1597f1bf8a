/** FaceAnalyzer on every corpus image: landmarks or a clear error, two faces in img09, determinism, reported fallback. */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NoFaceFoundError, StudioError, UnsupportedMediaError } from '../../../../core/errors.ts';
import {
  EYE_LEFT_OUTER,
  EYE_RIGHT_OUTER,
  EYELID_LEFT_LOWER,
  EYELID_LEFT_UPPER,
  IRIS_LEFT_START,
  IRIS_MODEL_BROW_POSITIONS,
  IRIS_MODEL_EYE_LEFT_MESH_INDICES,
  IRIS_MODEL_EYE_RIGHT_MESH_INDICES,
  IRIS_RIGHT_START,
  NOSE_TIP,
} from '../../../../core/face/topology.ts';
import { FaceAnalyzer, FaceAnalyzerCore } from '../../../../pipeline/face/faceAnalyzer.ts';
import { OnnxFaceModelRunner } from '../../../../pipeline/face/onnxRunner.ts';
import { decodeImage } from '../../../../pipeline/image/decodeImage.ts';
import { evaluateImg11 } from '../../../../scripts/evalLandmarks.ts';

const CORPUS = path.resolve(process.cwd(), '../shared/corpus');
const IMAGES = path.join(CORPUS, 'images');
const BUGS = path.join(CORPUS, 'bugs');

describe('FaceAnalyzer', () => {
  let analyzer: FaceAnalyzer;
  const logs: string[] = [];
  beforeAll(async () => {
    analyzer = await FaceAnalyzer.create({ onLog: (m) => logs.push(m) });
  });
  afterAll(async () => {
    await analyzer?.dispose();
  });

  it('refineEyes moves only the eye-region points less the brows (57 + 57), onto the visible lids (img01: lid gap 0.103 → 0.126 of the outer-corner distance)', async () => {
    const image = await decodeImage(path.join(IMAGES, 'img01_frontal_ai_man_jpeg-named-png.png'));
    const plain = (await analyzer.analyze(image, { maxFaces: 1 })).faces[0]!.landmarksPx;
    const refined = (await analyzer.analyze(image, { maxFaces: 1, refineEyes: true })).faces[0]!.landmarksPx;
    const brows = new Set(IRIS_MODEL_BROW_POSITIONS);
    const region = new Set([...IRIS_MODEL_EYE_RIGHT_MESH_INDICES, ...IRIS_MODEL_EYE_LEFT_MESH_INDICES].filter((_, j) => !brows.has(j % 71)));
    expect(region.size).toBe(114);
    let moved = 0;
    for (let i = 0; i < 478; i++) {
      const d = Math.hypot(refined[i * 3]! - plain[i * 3]!, refined[i * 3 + 1]! - plain[i * 3 + 1]!);
      if (region.has(i)) moved += d > 0 ? 1 : 0;
      else expect(d, `point ${i}`).toBe(0);
      expect(refined[i * 3 + 2]).toBe(plain[i * 3 + 2]); // depth kept
    }
    expect(moved).toBeGreaterThan(105);
    const width = Math.abs(plain[EYE_LEFT_OUTER * 3]! - plain[EYE_RIGHT_OUTER * 3]!);
    const gap = (lm: Float32Array): number => Math.hypot(lm[EYELID_LEFT_UPPER * 3]! - lm[EYELID_LEFT_LOWER * 3]!, lm[EYELID_LEFT_UPPER * 3 + 1]! - lm[EYELID_LEFT_LOWER * 3 + 1]!) / width;
    console.log(`img01 left lid gap / outer-corner distance: plain ${gap(plain).toFixed(4)}, refined ${gap(refined).toFixed(4)}`);
    expect(gap(refined)).toBeGreaterThan(gap(plain) * 1.1);
  });

  it('gives landmarks or a clear error for every image and bug file in the corpus', async () => {
    const files = [
      ...readdirSync(IMAGES).map((f) => path.join(IMAGES, f)),
      ...readdirSync(BUGS, { recursive: true, encoding: 'utf8' }).map((f) => path.join(BUGS, f)).filter((p) => !p.endsWith('路径')),
    ];
    const faceCounts: Record<string, number> = {};
    const errors: Record<string, string> = {};
    for (const f of files) {
      try {
        const a = await analyzer.analyzeFile(f);
        faceCounts[path.basename(f)] = a.faces.length;
        for (const face of a.faces) {
          expect(face.landmarkCount).toBe(478);
          expect(face.landmarksPx.length).toBe(478 * 3);
          for (const v of face.landmarksPx) expect(Number.isFinite(v)).toBe(true);
          // iris centres lie between their eye's corners
          const x = (i: number): number => face.landmarksPx[i * 3]!;
          expect(Math.min(x(EYE_RIGHT_OUTER), x(EYE_LEFT_OUTER))).toBeLessThan(x(IRIS_RIGHT_START));
          expect(x(IRIS_LEFT_START)).toBeLessThan(Math.max(x(EYE_RIGHT_OUTER), x(EYE_LEFT_OUTER)));
        }
      } catch (err) {
        expect(err).toBeInstanceOf(StudioError);
        errors[path.basename(f)] = `${(err as StudioError).code}: ${(err as Error).message}`;
      }
    }
    console.log('faces per image:', faceCounts);
    console.log('errors:', errors);
    // every image in images/ except the grass photo has a face; the bug images (EXIF, CMYK, WebP, alpha, non-ASCII) too
    for (const f of readdirSync(IMAGES).filter((n) => !n.startsWith('img10'))) expect(faceCounts[f], f).toBeGreaterThanOrEqual(1);
    for (const f of ['b03_portrait_transparent_bg_rgba.png', 'b04_exif_orient6_portrait.jpg', 'b22_portrait_cmyk.jpg', 'b23b_hopper_128.webp', "头像 é [1] 'quote'.jpg"]) expect(faceCounts[f], f).toBe(1);
    expect(errors['img10_noface_grass.jpg']).toMatch(/^NO_FACE_FOUND: No face found in .*img10_noface_grass\.jpg/);
    expect(errors['b10_mp3_bytes_named_dot_wav.wav']).toMatch(/^UNSUPPORTED_MEDIA: .*MP3 audio/);
    expect(errors['b05_vertical_480x854_talking.mp4']).toMatch(/^UNSUPPORTED_MEDIA: .*ISO media/);
  });

  it('throws NoFaceFoundError for img10', async () => {
    await expect(analyzer.analyzeFile(path.join(IMAGES, 'img10_noface_grass.jpg'))).rejects.toBeInstanceOf(NoFaceFoundError);
    await expect(analyzer.analyzeFile(path.join(BUGS, 'b11_digital_silence_3s_16k.wav'))).rejects.toBeInstanceOf(UnsupportedMediaError);
  });

  it('lists both faces of img09, largest first, and maxFaces limits them', async () => {
    const img = await decodeImage(path.join(IMAGES, 'img09_two_faces.jpg'));
    const a = await analyzer.analyze(img);
    expect(a.faces.length).toBe(2);
    const noseX = a.faces.map((f) => f.landmarksPx[NOSE_TIP * 3]!);
    console.log('img09 boxes', a.faces.map((f) => f.boxPx), 'nose x', noseX);
    expect(a.faces[0]!.boxPx.widthPx).toBeGreaterThanOrEqual(a.faces[1]!.boxPx.widthPx);
    expect(Math.abs(noseX[0]! - noseX[1]!)).toBeGreaterThan(300); // two people side by side (1126 px wide photo)
    expect((await analyzer.analyze(img, { maxFaces: 1 })).faces.length).toBe(1);
  });

  it('finds img11 (small, tilted, grayscale) in the full image and reaches NME ≤ 0.10', async () => {
    const r = await evaluateImg11(await OnnxFaceModelRunner.create(), CORPUS);
    console.log(`img11 NME51 ${r.nme51.toFixed(4)} by region`, r.byRegion, 'pass', r.pass);
    expect(r.pass).toBe('full');
    expect(r.nme51).toBeLessThanOrEqual(0.1);
    expect(r.nme51).toBeCloseTo(0.0799, 3); // 0.0835 before the padded pass ran beside the full one (issue 15): its detection scores higher
    const a = await analyzer.analyzeFile(path.join(IMAGES, 'img11_einstein_grayscale_68pt.jpg'));
    const pose = a.faces[0]!.headPose!;
    // head visibly tilted clockwise and turned toward the subject's left
    expect(pose.rollRad).toBeGreaterThan(0.15);
    expect(pose.yawRad).toBeGreaterThan(0.2);
  });

  it('gives identical output for the same photo twice', async () => {
    const img = await decodeImage(path.join(IMAGES, 'img05_elderly_woman_painting_ai.png'));
    const a = await analyzer.analyze(img);
    const b = await analyzer.analyze(await decodeImage(path.join(IMAGES, 'img05_elderly_woman_painting_ai.png')));
    expect(Buffer.from(a.faces[0]!.landmarksPx.buffer).equals(Buffer.from(b.faces[0]!.landmarksPx.buffer))).toBe(true);
    expect(a.faces[0]!.headPose).toEqual(b.faces[0]!.headPose);
  });

  it('a frontal face has near-zero pose', async () => {
    const f = (await analyzer.analyzeFile(path.join(IMAGES, 'img01_frontal_ai_man_jpeg-named-png.png'))).faces[0]!;
    const pose = f.headPose!;
    console.log('img01 pose (rad)', pose);
    expect(Math.abs(pose.yawRad)).toBeLessThan(0.06);
    expect(Math.abs(pose.pitchRad)).toBeLessThan(0.02);
    expect(Math.abs(pose.rollRad)).toBeLessThan(0.03);
  });

  it('finds a face in a tight crop by padding the image and retrying', async () => {
    const full = await decodeImage(path.join(IMAGES, 'img05_elderly_woman_painting_ai.png'));
    const lm = (await analyzer.analyze(full)).faces[0]!.landmarksPx;
    // crop to the mesh's extent minus the top 15% (forehead) and bottom 5%: no context around the face
    const xs = Array.from({ length: 468 }, (_, i) => lm[i * 3]!);
    const ys = Array.from({ length: 468 }, (_, i) => lm[i * 3 + 1]!);
    const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    const x0 = Math.round(minX);
    const y0 = Math.round(minY + 0.15 * (maxY - minY));
    const w = Math.round(maxX) - x0;
    const h = Math.round(maxY - 0.05 * (maxY - minY)) - y0;
    const rgba = new Uint8Array(w * h * 4);
    for (let y = 0; y < h; y++) rgba.set(full.rgba.subarray(((y0 + y) * full.widthPx + x0) * 4, ((y0 + y) * full.widthPx + x0 + w) * 4), y * w * 4);
    const crop = { rgba, widthPx: w, heightPx: h, hadAlpha: false };
    const core = new FaceAnalyzerCore(await OnnxFaceModelRunner.create());
    try {
      const opts = { maxFaces: 1, minDetectionScore: 0.5, minMeshScore: 0.5, exhaustive: false, iris: true };
      // The full pass finds at most a weak part of the face here (a 0.53 box 67 px wide since both passes run);
      // the padded pass the whole face. The analysis must take the padded one: the best fit across passes.
      const fullDets = await core.detectPass(crop, 'full', 0.5);
      const paddedDets = await core.detectPass(crop, 'padded', 0.5);
      expect(paddedDets.length).toBeGreaterThan(0);
      expect(Math.max(0, ...fullDets.map((d) => d.score))).toBeLessThan(paddedDets[0]!.score);
      const a = await core.analyze(crop, opts);
      const noseErrPx = a.faces[0]!.landmarksPx[NOSE_TIP * 3]! + x0 - lm[NOSE_TIP * 3]!;
      console.log(`tight crop ${w}x${h}: full pass ${fullDets.map((d) => d.score.toFixed(2)).join(',') || 'none'}, padded ${paddedDets[0]!.score.toFixed(2)}; nose x differs by ${noseErrPx.toFixed(2)} px`);
      expect(a.faces[0]!.detectionScore).toBe(paddedDets[0]!.score);
      expect(Math.abs(noseErrPx)).toBeLessThan(0.02 * w);
    } finally {
      await core.dispose();
    }
  });

  it('reports an execution-provider fallback instead of hiding it', async () => {
    const lines: string[] = [];
    const a = await FaceAnalyzer.create({ executionProviders: ['tensorrt', 'cpu'], onLog: (m) => lines.push(m) });
    try {
      expect(a.executionProvider).toBe('cpu');
      expect(a.executionProviderFallbacks[0]).toMatch(/^tensorrt unavailable/);
      expect(lines.some((l) => /execution provider "tensorrt" unavailable/.test(l))).toBe(true);
      const r = await a.analyzeFile(path.join(BUGS, 'b23b_hopper_128.webp'));
      expect(r.executionProvider).toBe('cpu');
      expect(r.executionProviderFallbacks?.length).toBe(1);
    } finally {
      await a.dispose();
    }
  });
});
