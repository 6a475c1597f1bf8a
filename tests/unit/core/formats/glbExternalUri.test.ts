import { describe, expect, it } from 'vitest';
import { findExternalUri, inspectGlb } from '../../../../core/formats/glb.ts';
import { inspectAvatarBytes } from '../../../../pipeline/avatars/avatarFile.ts';
import { makeGlbAvatar } from '../../../fixtures/avatars/makeFixtures.ts';

/** Rewrites a GLB's JSON chunk (the binary chunk kept as is), padding the JSON to 4 bytes as glTF 2.0 §4.4 requires. */
function withJson(glb: Uint8Array, edit: (json: Record<string, unknown>) => void): Uint8Array {
  const dv = new DataView(glb.buffer, glb.byteOffset, glb.byteLength);
  const jsonLen = dv.getUint32(12, true);
  const json = JSON.parse(new TextDecoder().decode(glb.subarray(20, 20 + jsonLen))) as Record<string, unknown>;
  edit(json);
  let text = JSON.stringify(json);
  while (text.length % 4) text += ' ';
  const jsonBytes = new TextEncoder().encode(text);
  const rest = glb.subarray(20 + jsonLen);
  const out = new Uint8Array(20 + jsonBytes.length + rest.length);
  const o = new DataView(out.buffer);
  o.setUint32(0, 0x46546c67, true);
  o.setUint32(4, 2, true);
  o.setUint32(8, out.length, true);
  o.setUint32(12, jsonBytes.length, true);
  o.setUint32(16, 0x4e4f534a, true);
  out.set(jsonBytes, 20);
  out.set(rest, 20 + jsonBytes.length);
  return out;
}

describe('GLB external URIs', () => {
  it('refuses a buffer with an http URI before anything renders, in one line', () => {
    const glb = withJson(makeGlbAvatar(), (j) => {
      (j.buffers as Record<string, unknown>[]).push({ byteLength: 4, uri: 'https://evil.example/track.bin' });
    });
    expect(() => inspectGlb(glb, 'head.glb')).toThrow(/^head\.glb: buffers\[\d+\] refers to an outside resource \(https:\/\/evil\.example\/track\.bin\)/);
    let message = '';
    try {
      inspectAvatarBytes(glb, 'head.glb');
    } catch (err) {
      message = (err as Error).message;
      expect((err as { code: string }).code).toBe('BAD_AVATAR_PACKAGE');
    }
    expect(message).toMatch(/outside resource/);
    expect(message).not.toContain('\n');
  });

  it('refuses a relative image path and a URI inside an extension', () => {
    const image = withJson(makeGlbAvatar(), (j) => {
      j.images = [{ uri: 'textures/skin.png' }];
    });
    expect(() => inspectGlb(image, 'a.glb')).toThrow(/images\[0\] refers to an outside resource \(textures\/skin\.png\)/);
    expect(findExternalUri({ extensions: { KHR_audio: { audio: [{ uri: 'file:///etc/passwd' }] } } })).toEqual({ where: 'extensions.KHR_audio.audio[0]', uri: 'file:///etc/passwd' });
  });

  it('accepts data: URIs and the plain fixture', () => {
    const data = withJson(makeGlbAvatar(), (j) => {
      j.images = [{ uri: 'data:image/png;base64,iVBORw0KGgo=' }];
    });
    expect(inspectGlb(data).arkitChannels).toBe(52);
    expect(findExternalUri({ buffers: [{ byteLength: 10 }] })).toBeNull();
  });
});
