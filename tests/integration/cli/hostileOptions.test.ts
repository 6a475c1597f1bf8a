/**
 * Options that used to fail late or do harm (issue 15): every even --size the options accept renders (250 px needed
 * the GPU YUV readback's multiple of 8 and failed after analysis and a browser launch); an --out that is a symlink
 * to the portrait is refused before any work and the portrait is left intact; a --range past the audio's end is refused
 * before the face analysis.
 */
import { mkdtemp, readFile, rm, symlink, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.ts';
import { HAS_CORPUS, corpus, probe } from '../../helpers/media.ts';

describe.skipIf(!HAS_CORPUS)('render with hostile options', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hostile-opts-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('--size 250 (even, not a multiple of 8) renders a 250×250 MP4', { timeout: 300_000 }, async () => {
    const out = join(dir, 's250.mp4');
    const r = await runCli(['render', '--portrait', corpus('images/img05_elderly_woman_painting_ai.png'), '--audio', corpus('audio/aud08_word_six_0p65s_derived.wav'), '--size', '250', '--fps', '25', '--out', out, '--quiet']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const p = await probe(out);
    expect([p.video?.widthPx, p.video?.heightPx]).toEqual([250, 250]);
    expect(p.video?.frameCount).toBe(Math.round(0.65 * 25)); // aud08 lasts 0.650 s (MANIFEST)
  });

  it('a --range after the audio ends is refused before the face analysis (a photo without a face fails on the range, not the face)', { timeout: 120_000 }, async () => {
    const r = await runCli(['render', '--portrait', corpus('images/img10_noface_grass.jpg'), '--audio', corpus('audio/aud08_word_six_0p65s_derived.wav'), '--range', '5-9', '--size', '64', '--out', join(dir, 'late.mp4'), '--quiet']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/range starts at 5 s, after the audio's end \(0\.65 s\)/);
    expect(r.stderr).not.toMatch(/face/i);
  });

  it('an --out that is a symlink to the portrait is refused at once and the portrait is unchanged', { timeout: 120_000 }, async () => {
    const portrait = join(dir, 'portrait.png');
    await copyFile(corpus('images/img05_elderly_woman_painting_ai.png'), portrait);
    const before = await readFile(portrait);
    await symlink(portrait, join(dir, 'link.mp4'));
    const t = Date.now();
    const r = await runCli(['render', '--portrait', portrait, '--audio', corpus('audio/aud08_word_six_0p65s_derived.wav'), '--size', '64', '--out', join(dir, 'link.mp4'), '--quiet']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/would overwrite an input/);
    expect(Date.now() - t).toBeLessThan(20_000);
    expect((await readFile(portrait)).equals(before)).toBe(true);
  });
});
