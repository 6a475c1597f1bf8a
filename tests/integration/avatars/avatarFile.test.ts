import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readAvatarFile } from '../../../pipeline/avatars/avatarFile.ts';
import { InvalidInputError } from '../../../core/errors.ts';
import { TruncatedFileError } from '../../../core/formats/errors.ts';
import { writeAvatarFixtures, type FixturePaths } from '../../fixtures/avatars/makeFixtures.ts';

let fx: FixturePaths;
const dir = path.resolve('.cache/fixtures/avatars-file');
beforeAll(async () => {
  fx = await writeAvatarFixtures(dir);
});

describe('readAvatarFile', () => {
  it('classifies and checks every fixture', async () => {
    expect(await readAvatarFile(fx.ply)).toMatchObject({ kind: 'splatFile', splatCount: 1820, fileName: 'face.ply' });
    expect(await readAvatarFile(fx.splat)).toMatchObject({ kind: 'splatFile', splatCount: 1820 });
    expect(await readAvatarFile(fx.spz)).toMatchObject({ kind: 'splatFile', splatCount: 1820 });
    const glb = await readAvatarFile(fx.glb);
    expect(glb.kind).toBe('glb');
    expect(glb.glb!.arkitChannels).toBe(52);
    const lam = await readAvatarFile(fx.lamZip);
    expect(lam).toMatchObject({ kind: 'lam', splatCount: 609 });
    expect(lam.glb!.arkitChannels).toBe(51);
  });
  it('reports a missing file and a malformed one clearly', async () => {
    await expect(readAvatarFile(path.join(dir, 'nope.ply'))).rejects.toBeInstanceOf(InvalidInputError);
    const cut = path.join(dir, 'cut.ply');
    await writeFile(cut, 'ply\nformat binary_little_endian 1.0\nelement vertex 10\nproperty float x\n');
    await expect(readAvatarFile(cut)).rejects.toBeInstanceOf(TruncatedFileError);
  });
});
