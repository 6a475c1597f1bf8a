/**
 * Fuzzing of every parser that is ours: seeded random byte mutations, insertions and truncations of valid
 * files must either parse or throw a StudioError subclass (never a RangeError/TypeError, never hang).
 */
import { describe, expect, it } from 'vitest';
import { gunzipSync, gzipSync } from 'fflate';
import { StudioError } from '../../../../core/errors.ts';
import { parsePly, writePly3dgs } from '../../../../core/formats/ply.ts';
import { parseSplat, writeSplat } from '../../../../core/formats/splat.ts';
import { parseSpz, writeSpz } from '../../../../core/formats/spz.ts';
import { parseLamZip } from '../../../../core/formats/lamZip.ts';
import { parseSplatFile } from '../../../../core/formats/detect.ts';
import { makeLamZip, makeSplatScene, mulberry32 } from '../../../fixtures/avatars/makeFixtures.ts';

const scene = makeSplatScene(3);
const small = { ...scene, count: 200, positions: scene.positions.slice(0, 600), scales: scene.scales.slice(0, 600), rotations: scene.rotations.slice(0, 800), colors: scene.colors.slice(0, 600), opacities: scene.opacities.slice(0, 200) };

/** One seeded mutation: flip bytes, overwrite a run, truncate, or insert junk. */
function mutate(src: Uint8Array, rand: () => number, headerBias: number): Uint8Array {
  const pick = (): number => Math.floor((rand() < 0.6 ? Math.min(src.length, headerBias) : src.length) * rand());
  const op = Math.floor(rand() * 4);
  if (op === 0) {
    const out = src.slice();
    const n = 1 + Math.floor(rand() * 8);
    for (let k = 0; k < n; k++) out[pick()] = Math.floor(rand() * 256);
    return out;
  }
  if (op === 1) return src.slice(0, pick());
  if (op === 2) {
    const at = pick();
    const junk = new Uint8Array(1 + Math.floor(rand() * 16)).map(() => Math.floor(rand() * 256));
    const out = new Uint8Array(src.length + junk.length);
    out.set(src.subarray(0, at));
    out.set(junk, at);
    out.set(src.subarray(at), at + junk.length);
    return out;
  }
  const out = src.slice();
  const at = pick();
  out.fill(rand() < 0.5 ? 0xff : 0x7f, at, Math.min(out.length, at + 1 + Math.floor(rand() * 64)));
  return out;
}

function fuzz(name: string, valid: Uint8Array, parse: (b: Uint8Array) => unknown, iterations: number, seed: number, headerBias: number, minCodes = 2): void {
  it(`${name}: ${iterations} seeded mutations parse or throw a StudioError`, () => {
    const rand = mulberry32(seed);
    let errors = 0, parsed = 0;
    const codes = new Set<string>();
    const t0 = Date.now();
    for (let i = 0; i < iterations; i++) {
      const input = mutate(valid, rand, headerBias);
      try {
        parse(input);
        parsed++;
      } catch (err) {
        if (!(err instanceof StudioError)) throw new Error(`${name} iteration ${i}: non-Studio error ${String(err)}`, { cause: err });
        expect(err.message.length).toBeGreaterThan(10);
        codes.add(err.code);
        errors++;
      }
    }
    expect(errors + parsed).toBe(iterations);
    expect(errors).toBeGreaterThan(iterations / 10); // the mutations really do break files
    expect(codes.size).toBeGreaterThanOrEqual(minCodes);
    expect(Date.now() - t0).toBeLessThan(30_000);
  });
}

describe('parser fuzzing', () => {
  fuzz('ply', writePly3dgs(small), (b) => parsePly(b), 1500, 101, 420);
  fuzz('ascii ply', new TextEncoder().encode('ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\nproperty float y\nproperty float z\nproperty uchar red\nproperty uchar green\nproperty uchar blue\nend_header\n0 0 0 255 0 0\n1 0 0 0 255 0\n0 2 0 0 0 255\n'), (b) => parsePly(b), 1500, 102, 200);
  fuzz('splat', writeSplat(small), (b) => parseSplat(b), 1500, 103, 6400);
  fuzz('spz (compressed bytes)', writeSpz(small), (b) => parseSpz(b), 800, 104, 64);
  const raw = gunzipSync(writeSpz(small));
  fuzz('spz (payload, re-gzipped)', raw, (b) => parseSpz(gzipSync(b)), 800, 105, 32);
  fuzz('detect + parse', writePly3dgs(small), (b) => parseSplatFile(b, 'f.ply'), 500, 106, 420);
  fuzz('lam zip', makeLamZip(5, { junk: true }), (b) => parseLamZip(b), 300, 107, 4000, 1); // every failure is BAD_AVATAR_PACKAGE
});
