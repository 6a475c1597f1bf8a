/**
 * `render --directions` / `--range` and `motion --directions` through the real command line.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BS } from '../../../core/motion/names.ts';
import { trackFromJson } from '../../../core/motion/track.ts';
import { runCli } from '../../helpers/cli.ts';
import { corpus } from '../../helpers/media.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'cli-directions-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const AUDIO = corpus('audio/aud01_jfk_en_flac_24bit_44k_stereo.flac');

describe('CLI directions', () => {
  it('motion --directions with the shipped sample: happy at 2–4 s, brows keyed at 9.4 s', async () => {
    const plain = path.join(dir, 'plain.json');
    const directed = path.join(dir, 'directed.json');
    expect((await runCli(['motion', '--audio', AUDIO, '--out', plain, '--quiet'])).code).toBe(0);
    const r = await runCli(['motion', '--audio', AUDIO, '--out', directed, '--directions', 'assets/samples/directions.json', '--quiet']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const a = trackFromJson(JSON.parse(readFileSync(plain, 'utf8')));
    const b = trackFromJson(JSON.parse(readFileSync(directed, 'utf8')));
    const at = (t: typeof a, f: number, k: number): number => t.blendshapes[f * 52 + k]!;
    expect(at(b, 75, BS.mouthSmileLeft) - at(a, 75, BS.mouthSmileLeft)).toBeGreaterThan(0.5); // 3 s, intensity 1
    expect(at(b, 25, BS.mouthSmileLeft)).toBe(at(a, 25, BS.mouthSmileLeft)); // 1 s
    expect(at(b, 235, BS.browOuterUpLeft)).toBeGreaterThan(at(a, 235, BS.browOuterUpLeft) + 0.5); // 9.4 s
    expect(b.meta?.directions).toBe(true);
  }, 120_000);

  it('refuses bad directions files and ranges with one-line errors (exit 2), before any work', async () => {
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ schemaVersion: 1, mood: [{ startSec: 3, endSec: 1, mood: 'happy' }] }));
    const out = path.join(dir, 'x.mp4');
    const base = ['render', '--portrait', corpus('images/img01_frontal_ai_man_jpeg-named-png.png'), '--audio', AUDIO, '--out', out];
    const r1 = await runCli([...base, '--directions', bad]);
    expect(r1.code).toBe(2);
    expect(r1.stderr.trim().split('\n')).toHaveLength(1);
    expect(r1.stderr).toContain('mood.0: endSec must be after startSec');
    const r2 = await runCli([...base, '--directions', path.join(dir, 'missing.json')]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain('--directions: file not found');
    const r3 = await runCli([...base, '--range', '4-2']);
    expect(r3.code).toBe(2);
    expect(r3.stderr).toContain('--range: the end must come after the start');
    // a misspelt option is a usage error with a code like every other error (a tester found it without one)
    const r4 = await runCli([...base, '--sise', '256']);
    expect(r4.code).toBe(2);
    expect(r4.stderr.trim().split('\n')).toHaveLength(1);
    expect(r4.stderr).toMatch(/unknown option '--sise'.*\[USAGE\]$/m);
  }, 120_000);
});
