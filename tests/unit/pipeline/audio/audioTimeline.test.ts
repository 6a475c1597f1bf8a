/**
 * Audio on the container's timeline (issue 15): a recording with a 1 s timestamp gap keeps the gap as silence in the
 * analysis and in the output; b15 lasts 300 frames at 25 fps; a truncated MP4 is reported; source tags are not copied.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frameCountForDuration } from '../../../../core/motion/track.ts';
import { audioSourceNotes, decodeAudio } from '../../../../pipeline/audio/decodeAudio.ts';
import { encodeVideo } from '../../../../pipeline/encode/encodeVideo.ts';
import { resolveFfmpeg, resolveFfprobe } from '../../../../pipeline/ffmpeg/ffmpegPath.ts';
import { HAS_CORPUS, corpus } from '../../../helpers/media.ts';

const run = promisify(execFile);
const ff = (args: string[]): Promise<unknown> => run(resolveFfmpeg().path, ['-v', 'error', '-y', ...args]);

/** Start (s) of the first 50 ms window after `fromSec` whose RMS exceeds 0.04 (lavfi `sine` tones: amplitude 1/8, RMS 0.088). */
function onsetSec(samples: Float32Array, rateHz: number, fromSec: number): number {
  const win = Math.round(0.05 * rateHz);
  for (let s = Math.round(fromSec * rateHz); s + win <= samples.length; s += win) {
    let e = 0;
    for (let i = s; i < s + win; i++) e += samples[i]! * samples[i]!;
    if (Math.sqrt(e / win) > 0.04) return s / rateHz;
  }
  return Number.NaN;
}

describe('audio timeline', () => {
  let dir: string;
  let gapped: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'audio-timeline-'));
    // 2 s of 440 Hz, then (after a 1 s hole in the timestamps) 2 s of 880 Hz: two MPEG-TS segments whose bytes are
    // concatenated keep their own timestamps, remuxed to M4A with tags a user would not want copied.
    await ff(['-f', 'lavfi', '-i', 'sine=f=440:d=2', '-c:a', 'aac', '-f', 'mpegts', join(dir, 'a.ts')]);
    await ff(['-f', 'lavfi', '-i', 'sine=f=880:d=2', '-c:a', 'aac', '-output_ts_offset', '3', '-f', 'mpegts', join(dir, 'b.ts')]);
    await writeFile(join(dir, 'gap.ts'), Buffer.concat([await readFile(join(dir, 'a.ts')), await readFile(join(dir, 'b.ts'))]));
    gapped = join(dir, 'gap.m4a');
    await ff(['-i', join(dir, 'gap.ts'), '-c', 'copy', '-metadata', 'title=Private title', '-metadata', 'artist=Someone', '-metadata', 'comment=secret', '-metadata:s:a:0', 'handler_name=Private recorder', gapped]);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('decodes a 1 s timestamp gap as 1 s of silence: 5.02 s long, the second tone at 3.0 s', async () => {
    const a = await decodeAudio(gapped, { sampleRateHz: 16000 });
    console.log(`gapped: ${a.durationSec.toFixed(3)} s, second tone at ${onsetSec(a.samples, 16000, 2.2).toFixed(3)} s`);
    expect(a.durationSec).toBeGreaterThan(4.95); // 4.09 s when the gap was dropped
    expect(a.durationSec).toBeLessThan(5.1);
    expect(Math.abs(onsetSec(a.samples, 16000, 2.2) - 3)).toBeLessThan(0.06);
    expect(a.source.truncationNote).toBeUndefined();
  });

  it('muxes the same timeline and drops the source tags (title, artist, comment)', async () => {
    const fps = { num: 25, den: 1 };
    const a = await decodeAudio(gapped, { sampleRateHz: 16000 });
    const totalFrames = frameCountForDuration(a.durationSec, fps);
    const frame = new Uint8Array(16 * 16 * 4).fill(128);
    async function* frames(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < totalFrames; i++) yield frame;
    }
    const out = join(dir, 'out.mp4');
    await encodeVideo({ frames: frames(), widthPx: 16, heightPx: 16, fps, pixelFormat: 'rgba', totalFrames, audioPath: gapped, outPath: out, format: 'mp4' });
    const back = await decodeAudio(out, { sampleRateHz: 16000 });
    expect(Math.abs(onsetSec(back.samples, 16000, 2.2) - 3)).toBeLessThan(0.06);
    const { stdout } = await run(resolveFfprobe(), ['-v', 'error', '-show_entries', 'format_tags:stream_tags', '-of', 'json', out]);
    expect(stdout).not.toMatch(/Private|Someone|secret/); // the stream's handler_name was copied before
  });

  it('a truncated MP4 (declares 7 s, holds about 1 s) is reported; the whole file is not', { skip: !HAS_CORPUS }, async () => {
    const whole = join(dir, 'whole.mp4');
    await ff(['-i', corpus('video/vid01_talking_man_own_speech_480p25.mp4'), '-c', 'copy', '-movflags', '+faststart', whole]);
    const truncated = join(dir, 'truncated.mp4');
    await writeFile(truncated, (await readFile(whole)).subarray(0, Math.floor((await stat(whole)).size / 5)));
    const t = await decodeAudio(truncated, { sampleRateHz: 16000 });
    console.log(`truncated: ${t.durationSec.toFixed(2)} s; ${t.source.truncationNote}`);
    expect(t.durationSec).toBeLessThan(2);
    expect(t.source.truncationNote).toMatch(/declares 7\.01 s .* holds only 1\.\d\d s/);
    expect((await decodeAudio(whole, { sampleRateHz: 16000 })).source.truncationNote).toBeUndefined();
  });

  it('b15 (300 video frames, AAC with a 48 ms timestamp gap) lasts 300 frames at 25 fps', { skip: !HAS_CORPUS }, async () => {
    const a = await decodeAudio(corpus('bugs/b15_talking_25fps_300frames.mp4'), { sampleRateHz: 16000 });
    expect(frameCountForDuration(a.durationSec, { num: 25, den: 1 })).toBe(300); // 299 before (11.958 s)
  });

  it('8 kHz telephone audio gets a narrow-band note; 16 kHz and 44.1 kHz do not', { skip: !HAS_CORPUS }, async () => {
    const b08 = await decodeAudio(corpus('bugs/b08_jfk_8khz_mono_s16.wav'), { sampleRateHz: 16000 });
    expect(audioSourceNotes(b08.source)).toEqual([expect.stringMatching(/narrow-band audio \(8000 Hz, nothing above 4\.0 kHz\)/)]);
    expect(audioSourceNotes((await decodeAudio(corpus('bugs/b09_jfk_16k_mono_s32le_int.wav'))).source)).toEqual([]);
    expect(audioSourceNotes((await decodeAudio(corpus('audio/aud01_jfk_en_flac_24bit_44k_stereo.flac'))).source)).toEqual([]);
  });
});
