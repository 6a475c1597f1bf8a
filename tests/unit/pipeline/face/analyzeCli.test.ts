/** `avatar-studio analyze`: JSON written via temp+rename for an image (all faces) and clear errors. */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { NoFaceFoundError } from '../../../../core/errors.ts';
import { registerAnalyze } from '../../../../cli/commands/analyze.ts';

const CORPUS = path.resolve(process.cwd(), '../shared/corpus');
const tmp = mkdtempSync(path.join(tmpdir(), 'analyze-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function program(): Command {
  const p = new Command();
  p.exitOverride();
  registerAnalyze(p);
  return p;
}

describe('analyze command', () => {
  it('writes both faces of img09 with 478 landmarks and pose, leaving no temp file', async () => {
    const out = path.join(tmp, 'img09.json');
    await program().parseAsync(['node', 'cli', 'analyze', path.join(CORPUS, 'images/img09_two_faces.jpg'), '--json', out, '--quiet']);
    const j = JSON.parse(readFileSync(out, 'utf8'));
    expect(j.kind).toBe('image');
    expect([j.imageWidthPx, j.imageHeightPx]).toEqual([1126, 661]);
    expect(j.executionProvider).toBe('cpu');
    expect(j.faces.length).toBe(2);
    expect(j.faces[0].landmarksPx.length).toBe(478 * 3);
    expect(typeof j.faces[1].headPose.yawRad).toBe('number');
    expect(readdirSync(tmp).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    // ONNX Runtime's telemetry client (off by default, pipeline/face/onnxRunner.ts) would have written this file.
    expect(existsSync(path.join(tmpdir(), `mat-debug-${process.pid}.log`))).toBe(false);
  });

  it('fails with NoFaceFoundError on img10 and writes nothing', async () => {
    const out = path.join(tmp, 'img10.json');
    await expect(program().parseAsync(['node', 'cli', 'analyze', path.join(CORPUS, 'images/img10_noface_grass.jpg'), '--json', out, '--quiet'])).rejects.toBeInstanceOf(NoFaceFoundError);
    expect(readdirSync(tmp)).not.toContain('img10.json');
  });
});
