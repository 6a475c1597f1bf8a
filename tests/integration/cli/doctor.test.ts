/**
 * `doctor` runs what it reports on: with CHROME_PATH and AVATAR_STUDIO_FFMPEG pointing at a program that fails it
 * says which two are broken and what to do, and exits non-zero; on this machine as installed everything passes.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const CLI = path.resolve('bin/avatar-studio.mjs');
const dir = mkdtempSync(path.join(os.tmpdir(), 'doctor-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function doctor(env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, 'doctor'], { env: { ...process.env, ...env }, timeout: 120_000 }, (err, stdout) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout }));
  });
}

describe.runIf(process.platform === 'linux')('avatar-studio doctor', () => {
  it('fails a render browser and an ffmpeg that do not work, with what to do, exit non-zero', async () => {
    const broken = path.join(dir, 'broken');
    writeFileSync(broken, '#!/bin/sh\necho "cannot run here" >&2\nexit 3\n', { mode: 0o755 });
    const { code, stdout } = await doctor({ CHROME_PATH: broken, AVATAR_STUDIO_FFMPEG: broken });
    expect(code).toBe(1);
    const lines = stdout.split('\n');
    const ffmpeg = lines.findIndex((l) => /^FAIL ffmpeg\s/.test(l));
    expect(lines[ffmpeg]).toContain('cannot run here');
    expect(lines[ffmpeg + 1]).toMatch(/what to do: .*AVATAR_STUDIO_FFMPEG/);
    const browser = lines.findIndex((l) => /^FAIL render browser\s/.test(l));
    expect(lines[browser]).toContain(broken);
    expect(lines[browser + 1]).toMatch(/what to do: install Google Chrome, Chromium or Microsoft Edge, or point CHROME_PATH/);
    // no codec line claims success with a broken ffmpeg
    expect(stdout).not.toMatch(/^ok\s+encode/m);
  });

  it('passes on this machine: a WebGL2 frame and one frame per codec', async () => {
    const { code, stdout } = await doctor({ CHROME_PATH: '', AVATAR_STUDIO_FFMPEG: '' });
    expect(stdout).toMatch(/^ok\s+render browser\s+WebGL2 frame drawn/m);
    expect(stdout.match(/^ok\s+encode .* one frame encoded$/gm)).toHaveLength(7);
    expect(code).toBe(0);
  });
});
