import { describe, expect, it } from 'vitest';
import { gunzipSync, gzipSync } from 'fflate';
import { parsePly, parsePlyHeader, writePly3dgs } from '../../../../core/formats/ply.ts';
import { parseSplat, writeSplat } from '../../../../core/formats/splat.ts';
import { parseSpz, readSpzHeader, writeSpz } from '../../../../core/formats/spz.ts';
import { detectSplatFileKind, parseSplatFile } from '../../../../core/formats/detect.ts';
import { flipOpenCvThree, splatBounds, toThreeFrame, type SplatData } from '../../../../core/formats/splatData.ts';
import { BadMagicError, NonFiniteValueError, TruncatedFileError, UnsupportedVariantError, VertexCountMismatchError } from '../../../../core/formats/errors.ts';
import { FIXTURE_COLORS, SPLAT_SCENE_PARTS, makeSplatScene } from '../../../fixtures/avatars/makeFixtures.ts';

const scene = makeSplatScene(7);
const three = toThreeFrame(scene);

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
/** Quaternions q and −q are the same rotation: compare up to sign. */
function maxQuatDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i += 4) {
    let dp = 0, dn = 0;
    for (let k = 0; k < 4; k++) {
      dp = Math.max(dp, Math.abs(a[i + k]! - b[i + k]!));
      dn = Math.max(dn, Math.abs(a[i + k]! + b[i + k]!));
    }
    m = Math.max(m, Math.min(dp, dn));
  }
  return m;
}
function expectSameScene(got: SplatData, tol: { pos: number; rgb: number; opacity: number; scaleRel: number; quat: number }): void {
  expect(got.count).toBe(scene.count);
  expect(got.frame).toBe('three');
  expect(maxAbsDiff(got.positions, three.positions)).toBeLessThanOrEqual(tol.pos);
  expect(maxAbsDiff(got.colors, three.colors)).toBeLessThanOrEqual(tol.rgb);
  expect(maxAbsDiff(got.opacities, three.opacities)).toBeLessThanOrEqual(tol.opacity);
  let rel = 0;
  for (let i = 0; i < got.scales.length; i++) rel = Math.max(rel, Math.abs(got.scales[i]! / three.scales[i]! - 1));
  expect(rel).toBeLessThanOrEqual(tol.scaleRel);
  expect(maxQuatDiff(got.rotations, three.rotations)).toBeLessThanOrEqual(tol.quat);
}

describe('orientation (OpenCV → three.js)', () => {
  it('flips y and z and is its own inverse', () => {
    expect(three.frame).toBe('three');
    expect(three.positions[1]).toBeCloseTo(-scene.positions[1]!, 6);
    expect(three.positions[2]).toBeCloseTo(-scene.positions[2]!, 6);
    expect(three.positions[0]).toBeCloseTo(scene.positions[0]!, 6);
    const back = flipOpenCvThree(three);
    expect(maxAbsDiff(back.positions, scene.positions)).toBe(0);
    expect(maxQuatDiff(back.rotations, scene.rotations)).toBeLessThan(1e-6);
  });
  it('puts the mouth (OpenCV +Y, down) below the eyes in three.js (+Y up)', () => {
    const P = SPLAT_SCENE_PARTS;
    const mouthStart = P.face + P.eyeLeft + P.eyeRight;
    const eyeY = three.positions[(P.face + 1) * 3 + 1]!;
    const mouthY = three.positions[(mouthStart + 1) * 3 + 1]!;
    expect(mouthY).toBeLessThan(-0.035);
    expect(eyeY).toBeGreaterThan(0.015);
  });
  it('rotates each Gaussian with the frame (covariance R_x Σ R_xᵀ)', () => {
    // Axis 0 of Gaussian 0 in both frames must satisfy a' = R_x a.
    const axis = (q: Float32Array): number[] => {
      const [x, y, z, w] = [q[0]!, q[1]!, q[2]!, q[3]!];
      return [1 - 2 * (y * y + z * z), 2 * (x * y + w * z), 2 * (x * z - w * y)];
    };
    const a = axis(scene.rotations), b = axis(three.rotations);
    expect(b[0]).toBeCloseTo(a[0]!, 5);
    expect(b[1]).toBeCloseTo(-a[1]!, 5);
    expect(b[2]).toBeCloseTo(-a[2]!, 5);
  });
});

describe('3DGS .ply', () => {
  const bytes = writePly3dgs(scene, ['fixture']);
  it('reads the header', () => {
    const h = parsePlyHeader(bytes);
    expect(h.format).toBe('binary_little_endian');
    expect(h.elements[0]!.count).toBe(1820);
    expect(h.elements[0]!.properties.map((p) => p.name).slice(0, 4)).toEqual(['x', 'y', 'z', 'f_dc_0']);
    expect(h.comments).toEqual(['fixture']);
  });
  it('round-trips the known splats (float32 exact up to exp/log/sigmoid rounding)', () => {
    const d = parsePly(bytes);
    expect(d.kind).toBe('gaussians');
    expectSameScene(d, { pos: 0, rgb: 1e-6, opacity: 1e-6, scaleRel: 1e-5, quat: 1e-6 });
    expect(d.colors[(SPLAT_SCENE_PARTS.face + SPLAT_SCENE_PARTS.eyeLeft * 2 + 3) * 3]).toBeCloseTo(FIXTURE_COLORS.mouth[0], 1);
  });
  it('reads a plain ASCII point cloud with uchar colours', () => {
    const text = 'ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\nproperty float y\nproperty float z\nproperty uchar red\nproperty uchar green\nproperty uchar blue\nend_header\n0 0 0 255 0 0\n1 0 0 0 255 0\n0 2 0 0 0 255\n';
    const d = parsePly(new TextEncoder().encode(text));
    expect(d.kind).toBe('points');
    expect(Array.from(d.positions, (v) => v + 0)).toEqual([0, 0, 0, 1, 0, 0, 0, -2, 0]); // (x, −y, −z)
    expect(Array.from(d.colors)).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    // spacing heuristic: 0.35 · diagonal(√5) / ∛3
    expect(d.scales[0]).toBeCloseTo((0.35 * Math.sqrt(5)) / Math.cbrt(3), 6);
    expect(Array.from(d.opacities)).toEqual([1, 1, 1]);
  });
  it('reads a binary big-endian point cloud without colour', () => {
    const head = new TextEncoder().encode('ply\nformat binary_big_endian 1.0\nelement vertex 2\nproperty double x\nproperty double y\nproperty double z\nend_header\n');
    const out = new Uint8Array(head.length + 48);
    out.set(head);
    const dv = new DataView(out.buffer, head.length);
    [1.5, 2.5, 3.5, -1, -2, -3].forEach((v, i) => dv.setFloat64(i * 8, v, false));
    const d = parsePly(out, { keepSourceFrame: true });
    expect(Array.from(d.positions)).toEqual([1.5, 2.5, 3.5, -1, -2, -3]);
    expect(d.colors[0]).toBeCloseTo(0.7, 6);
  });
  it('rejects a truncated header', () => {
    expect(() => parsePly(bytes.subarray(0, 60))).toThrow(TruncatedFileError);
    expect(() => parsePly(bytes.subarray(0, 60))).toThrow(/truncated/);
  });
  it('rejects a wrong vertex count (body too short and too long)', () => {
    const text = new TextDecoder('latin1').decode(bytes.subarray(0, 600));
    const fake = (count: number): Uint8Array => {
      const patched = text.replace('element vertex 1820', `element vertex ${count}`);
      const headLen = text.indexOf('end_header\n') + 11;
      const newHead = new TextEncoder().encode(patched.slice(0, patched.indexOf('end_header\n') + 11));
      const out = new Uint8Array(newHead.length + bytes.length - headLen);
      out.set(newHead);
      out.set(bytes.subarray(headLen), newHead.length);
      return out;
    };
    expect(() => parsePly(fake(1821))).toThrow(VertexCountMismatchError);
    expect(() => parsePly(fake(1821))).toThrow(/declares 1821 vertices of 56 bytes/);
    expect(() => parsePly(fake(1000))).toThrow(VertexCountMismatchError);
  });
  it('rejects NaN values naming the splat and field', () => {
    const bad = bytes.slice();
    const body = bad.length - 1820 * 56;
    new DataView(bad.buffer).setFloat32(body + 5 * 56 + 4, NaN, true); // splat 5, y
    expect(() => parsePly(bad)).toThrow(NonFiniteValueError);
    expect(() => parsePly(bad)).toThrow(/splat 5 has a non-finite positions/);
  });
  it('rejects a non-PLY file and a PLY without vertices', () => {
    expect(() => parsePly(new Uint8Array([1, 2, 3, 4, 5]))).toThrow(BadMagicError);
    expect(() => parsePly(new TextEncoder().encode('ply\nformat ascii 1.0\nelement face 0\nproperty list uchar int vertex_indices\nend_header\n'))).toThrow(UnsupportedVariantError);
  });
});

describe('antimatter15 .splat', () => {
  const bytes = writeSplat(scene);
  it('has 32 bytes per splat and round-trips within u8 quantisation', () => {
    expect(bytes.length).toBe(1820 * 32);
    expectSameScene(parseSplat(bytes), { pos: 0, rgb: 0.5 / 255 + 1e-6, opacity: 0.5 / 255 + 1e-6, scaleRel: 1e-6, quat: 0.02 });
  });
  it('rejects a length that is not a whole number of records', () => {
    expect(() => parseSplat(bytes.subarray(0, 100))).toThrow(VertexCountMismatchError);
    expect(() => parseSplat(bytes.subarray(0, 100))).toThrow(/3 splats \+ 4 bytes/);
  });
  it('rejects NaN and PLY bytes', () => {
    const bad = bytes.slice();
    new DataView(bad.buffer).setFloat32(32 * 9 + 12, NaN, true);
    expect(() => parseSplat(bad)).toThrow(/splat 9 has a non-finite scales/);
    expect(() => parseSplat(writePly3dgs(scene))).toThrow(BadMagicError);
  });
});

describe('Niantic .spz', () => {
  for (const version of [2, 3] as const) {
    it(`v${version} round-trips within its quantisation`, () => {
      const bytes = writeSpz(scene, { version });
      expect(readSpzHeader(bytes)).toEqual({ version, numPoints: 1820, shDegree: 0, fractionalBits: 12, flags: 0 });
      // positions: 1/4096 m steps; colour: 1/(0.15·255) in SH units → SH_C0/(0.15·255) ≈ 0.0074 RGB; scale: e^(1/32) − 1
      expectSameScene(parseSpz(bytes), { pos: 0.5 / 4096 + 1e-7, rgb: 0.0075, opacity: 0.5 / 255 + 1e-6, scaleRel: Math.exp(1 / 32) - 1 + 1e-6, quat: version === 3 ? 0.003 : 0.02 });
    });
  }
  it('rejects a truncated stream, a non-gzip file and a wrong count', () => {
    const bytes = writeSpz(scene);
    expect(() => parseSpz(bytes.subarray(0, bytes.length - 40))).toThrow(TruncatedFileError);
    expect(() => parseSpz(writeSplat(scene))).toThrow(BadMagicError);
    const raw = gunzipSync(bytes);
    new DataView(raw.buffer).setUint32(8, 1821, true);
    expect(() => parseSpz(gzipSync(raw))).toThrow(VertexCountMismatchError);
    new DataView(raw.buffer).setUint32(8, 1000, true);
    expect(() => parseSpz(gzipSync(raw))).toThrow(/declares 1000 splats/);
    new DataView(raw.buffer).setUint32(0, 0x12345678, true);
    expect(() => parseSpz(gzipSync(raw))).toThrow(BadMagicError);
  });
  it('detects kinds by magic and extension', () => {
    expect(detectSplatFileKind(writeSpz(scene), 'x.bin')).toBe('spz');
    expect(detectSplatFileKind(writePly3dgs(scene), 'x.bin')).toBe('ply');
    expect(detectSplatFileKind(writeSplat(scene), 'x.splat')).toBe('splat');
    expect(detectSplatFileKind(new Uint8Array(8), 'x.ksplat')).toBe('ksplat');
    expect(() => detectSplatFileKind(new Uint8Array(8), 'x.bin')).toThrow(BadMagicError);
    expect(() => parseSplatFile(new Uint8Array(8), 'x.ksplat')).toThrow(UnsupportedVariantError);
  });
});

describe('splatBounds', () => {
  it('gives the exact box of the fixture and ignores outliers when trimming', () => {
    const b = splatBounds(three.positions);
    expect(b.max[0]).toBeGreaterThan(0.09);
    expect(b.max[0]).toBeLessThan(0.1);
    const withOutlier = new Float32Array([...three.positions, 50, 50, 50]);
    expect(splatBounds(withOutlier).max[0]).toBe(50);
    expect(splatBounds(withOutlier, 0.01).max[0]).toBeLessThan(0.1);
  });
});
