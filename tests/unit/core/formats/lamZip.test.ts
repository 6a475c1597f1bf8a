import { describe, expect, it } from 'vitest';
import { unzipSync, zipSync } from 'fflate';
import { parseLamZip, readLamZip } from '../../../../core/formats/lamZip.ts';
import { AvatarPackageError } from '../../../../core/formats/errors.ts';
import { makeLamZip } from '../../../fixtures/avatars/makeFixtures.ts';

describe('LAM zip', () => {
  const zip = makeLamZip(11);
  it('finds the parts under <id>/ and ignores __MACOSX and .DS_Store', () => {
    const entries = Object.keys(unzipSync(zip));
    expect(entries).toContain('__MACOSX/lam_fixture/._skin.glb');
    expect(entries).toContain('lam_fixture/.DS_Store');
    const pkg = parseLamZip(zip, 'fixture.zip');
    expect(pkg.id).toBe('lam_fixture');
    // 21 rings × 29 columns of the fixture sphere = 609 vertices = 609 Gaussians
    expect(pkg.offsets.count).toBe(609);
    expect(pkg.vertexOrder!.length).toBe(609);
    expect(new Set(pkg.vertexOrder).size).toBe(609);
    expect(pkg.skinGlb.subarray(0, 4)).toEqual(new Uint8Array([0x67, 0x6c, 0x54, 0x46])); // "glTF"
    expect(pkg.animationGlb).not.toBeNull();
    // offsets are 2 mm along the outward normal, in glTF axes (no flip): first vertex is the north pole
    expect(pkg.offsets.frame).toBe('three');
    expect(pkg.offsets.positions[1]).toBeCloseTo(0.002, 6);
    expect(pkg.offsets.opacities[0]).toBeCloseTo(0.95, 5);
  });
  it('names the missing part', () => {
    const files = unzipSync(zip);
    delete files['lam_fixture/offset.ply'];
    expect(() => readLamZip(zipSync(files), 'x.zip')).toThrow(AvatarPackageError);
    expect(() => readLamZip(zipSync(files), 'x.zip')).toThrow(/missing offset.ply/);
  });
  it('recognises a legacy FLAME package and says it is unsupported', () => {
    const files = unzipSync(zip);
    files['h5/flame_params.json'] = new TextEncoder().encode('{}');
    files['h5/lbs_weight_20k.json'] = new TextEncoder().encode('[]');
    expect(() => readLamZip(zipSync(files), 'h5_render_data.zip')).toThrow(/legacy FLAME LAM package/);
  });
  it('rejects a vertex order that is not a permutation', () => {
    const files = unzipSync(zip);
    files['lam_fixture/vertex_order.json'] = new TextEncoder().encode(JSON.stringify([0, 0, 1]));
    expect(() => readLamZip(zipSync(files))).toThrow(/not a permutation/);
  });
  it('wraps offset.ply errors with their code', () => {
    const files = unzipSync(zip);
    files['lam_fixture/offset.ply'] = files['lam_fixture/offset.ply']!.subarray(0, 1000); // header intact, body cut
    try {
      parseLamZip(zipSync(files));
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(AvatarPackageError);
      expect((err as AvatarPackageError).details.plyCode).toBe('VERTEX_COUNT_MISMATCH');
    }
  });
});
