import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BUNDLE_PROJECT_ENTRY, forgetMedia, isBundleFileName, packBundle, rememberMedia, unpackBundle } from '../../../../renderer/app/bundle.ts';
import { createEmptyProject } from '../../../../core/project/schema.ts';
import { corpus } from '../../../helpers/media.ts';

describe('project bundles', () => {
  it('pack the project with the media it names and unpack them byte for byte', async () => {
    const photo = readFileSync(corpus('images/img01_frontal_ai_man_jpeg-named-png.png'));
    const speech = readFileSync(corpus('audio/aud08_word_six_0p65s_derived.wav'));
    rememberMedia('portrait', new File([photo], 'img01.png'));
    rememberMedia('audio', new File([speech], 'six.wav'));
    rememberMedia('avatar', new File([new Uint8Array(4)], 'old.glb'));
    const p = createEmptyProject('b');
    p.portrait = { fileName: 'img01.png', path: null, faceIndex: 0 };
    p.audio = { fileName: 'six.wav', path: null };
    p.drivingVideo = { fileName: 'drive.mp4', path: null };
    const { bytes, missing } = await packBundle(p);
    // The avatar is not in the project (left out); the video was never imported here (reported missing).
    expect(missing).toEqual(['drive.mp4']);
    const { projectJson, media } = unpackBundle(bytes);
    expect(JSON.parse(projectJson)).toEqual(p);
    expect([...media.keys()].sort()).toEqual(['audio', 'portrait']);
    expect(Buffer.from(await media.get('portrait')!.arrayBuffer()).equals(photo)).toBe(true);
    expect(Buffer.from(await media.get('audio')!.arrayBuffer()).equals(speech)).toBe(true);
    expect(media.get('audio')!.name).toBe('six.wav');
    forgetMedia('portrait');
    expect((await packBundle(p)).missing).toContain('img01.png');
  });

  it('refuses files that are not bundles with one-line messages', () => {
    expect(isBundleFileName('x.Avatar-Studio')).toBe(true);
    expect(isBundleFileName('x.avatar-studio.json')).toBe(false);
    expect(() => unpackBundle(new Uint8Array([1, 2, 3]))).toThrow('not a zip archive');
    expect(() => unpackBundle(new Uint8Array(readFileSync(corpus('MANIFEST.md'))))).toThrow(/not an Avatar Studio project bundle/);
    expect(BUNDLE_PROJECT_ENTRY).toBe('project.avatar-studio.json');
  });
});
