import { describe, expect, it } from 'vitest';
import { inspectGlb } from '../../../../core/formats/glb.ts';
import { AvatarPackageError } from '../../../../core/formats/errors.ts';
import { StudioError } from '../../../../core/errors.ts';
import { parseLamZip } from '../../../../core/formats/lamZip.ts';
import { makeGlbAvatar, makeLamZip, mulberry32 } from '../../../fixtures/avatars/makeFixtures.ts';

describe('inspectGlb', () => {
  it('summarises the fixture avatar: 52 ARKit + 15 visemes, skinned, Head bone', () => {
    const s = inspectGlb(makeGlbAvatar());
    expect(s.meshes).toHaveLength(1);
    // 25 rings × 33 columns of the fixture sphere
    expect(s.meshes[0]).toMatchObject({ name: 'Wolf3D_Head', vertexCount: 825, morphCount: 67, skinned: true });
    expect(s.arkitChannels).toBe(52);
    expect(s.visemeChannels).toBe(15);
    expect(s.hasHeadBone).toBe(true);
    expect(s.nodeNames).toContain('LeftEye');
  });
  it('sees the LAM skin: 609 vertices, 51 ARKit morphs, lowercase head bone', () => {
    const s = inspectGlb(parseLamZip(makeLamZip(11)).skinGlb);
    expect(s.meshes[0]!.vertexCount).toBe(609);
    expect(s.arkitChannels).toBe(51);
    expect(s.meshes[0]!.morphNames).not.toContain('tongueOut');
    expect(s.hasHeadBone).toBe(true);
  });
  it('gives clear errors for junk, truncation and bad JSON, and survives fuzzing', () => {
    const glb = makeGlbAvatar();
    expect(() => inspectGlb(new Uint8Array(40))).toThrow(/not a GLB file/);
    expect(() => inspectGlb(glb.subarray(0, 100))).toThrow(/truncated/);
    const bad = glb.slice();
    bad[30] = 0x7b; // corrupt the JSON
    bad[31] = 0x7b;
    expect(() => inspectGlb(bad)).toThrow(AvatarPackageError);
    const rand = mulberry32(9);
    const head = glb.subarray(0, 6000);
    let errors = 0;
    for (let i = 0; i < 600; i++) {
      const m = head.slice();
      for (let k = 0; k < 4; k++) m[Math.floor(rand() * 1200)] = Math.floor(rand() * 256);
      const cut = rand() < 0.3 ? m.subarray(0, Math.floor(rand() * m.length)) : m;
      try {
        inspectGlb(cut);
      } catch (err) {
        expect(err).toBeInstanceOf(StudioError);
        errors++;
      }
    }
    expect(errors).toBeGreaterThan(60);
  });
});
