import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { userNamespaceProblem, ensurePrivateDir, FORBIDDEN_BROWSER_SWITCHES, isSandboxAvailable, renderBrowserArgs, resolveRenderBrowser, systemBrowserCandidates } from '../../../../pipeline/render/renderBrowser.ts';
import { ensureBundledChromium, tarRegularFiles } from '../../../../pipeline/render/bundledChromium.ts';

/** One ustar header + data block for a test archive. */
function tarEntry(name: string, data: string, type = '0'): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0, 'utf8');
  header.write('0000755\0', 100);
  header.write(`${data.length.toString(8).padStart(11, '0')}\0`, 124);
  header.write(type, 156);
  const body = Buffer.alloc(Math.ceil(data.length / 512) * 512);
  body.write(data);
  return Buffer.concat([header, body]);
}

const scratch = mkdtempSync(path.join(os.tmpdir(), 'render-browser-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('sandbox and switches', () => {
  it('drops the sandbox only for root on Linux', () => {
    expect(isSandboxAvailable('linux', 0)).toBe(false);
    expect(isSandboxAvailable('linux', 1000)).toBe(true);
    expect(isSandboxAvailable('darwin', 0)).toBe(true);
    expect(isSandboxAvailable('win32', undefined)).toBe(true);
  });

  it('never adds a forbidden switch; --no-sandbox only without a sandbox', () => {
    for (const sandbox of [true, false]) {
      const args = renderBrowserArgs(sandbox);
      for (const sw of FORBIDDEN_BROWSER_SWITCHES) expect(args).not.toContain(sw);
      expect(args.includes('--no-sandbox')).toBe(!sandbox);
      expect(args.join(' ')).not.toMatch(/disable-features|site-per-process/);
    }
  });
});

describe('userNamespaceProblem', () => {
  it('names the sysctl that blocks the bundled sandbox, null when namespaces are available', () => {
    const sys = (v: Record<string, string>) => (name: string) => v[name] ?? null;
    expect(userNamespaceProblem(sys({ 'kernel/apparmor_restrict_unprivileged_userns': '1', 'user/max_user_namespaces': '63000' }))).toMatch(/apparmor_restrict_unprivileged_userns=1/);
    expect(userNamespaceProblem(sys({ 'kernel/unprivileged_userns_clone': '0' }))).toMatch(/unprivileged_userns_clone=0/);
    expect(userNamespaceProblem(sys({ 'user/max_user_namespaces': '0' }))).toMatch(/max_user_namespaces=0/);
    expect(userNamespaceProblem(sys({ 'kernel/apparmor_restrict_unprivileged_userns': '0', 'user/max_user_namespaces': '63000' }))).toBeNull();
    expect(userNamespaceProblem(sys({}))).toBeNull();
  });
});

describe('tarRegularFiles', () => {
  it('keeps regular files by base name and skips links, folders and parent paths', () => {
    const tar = Buffer.concat([tarEntry('dir/', '', '5'), tarEntry('dir/libGLESv2.so', 'gl'), tarEntry('../../evil.so', 'x'), tarEntry('link.so', '', '2'), Buffer.alloc(1024)]);
    const files = tarRegularFiles(tar);
    expect([...files.keys()].sort()).toEqual(['evil.so', 'libGLESv2.so']);
    expect(new TextDecoder().decode(files.get('libGLESv2.so')!.bytes)).toBe('gl');
  });

  it('refuses an entry running past the end', () => {
    expect(() => tarRegularFiles(tarEntry('a', 'abc').subarray(0, 513))).toThrow(/malformed tar/);
  });
});

describe('ensurePrivateDir', () => {
  it('creates 0700, narrows a wider folder of ours, refuses a link', async () => {
    const dir = path.join(scratch, 'p1');
    await ensurePrivateDir(dir);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    chmodSync(dir, 0o777);
    await ensurePrivateDir(dir);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const target = path.join(scratch, 'target');
    mkdirSync(target, { mode: 0o700 });
    symlinkSync(target, path.join(scratch, 'link'));
    await expect(ensurePrivateDir(path.join(scratch, 'link'))).rejects.toMatchObject({ code: 'UNSAFE_CACHE_FOLDER' });
  });
});

describe('system browser paths', () => {
  it('lists Chrome and Edge per platform', () => {
    expect(systemBrowserCandidates('darwin')[0]).toBe('/Applications/Google Chrome.app/Contents/MacOS/Google Chrome');
    const win = systemBrowserCandidates('win32', { PROGRAMFILES: 'C:\\Program Files' });
    expect(win).toContain('C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe');
    expect(win).toContain('C:\\Program Files\\Microsoft\\Edge\\Application\\msedge.exe');
    expect(systemBrowserCandidates('linux')).toContain('/usr/bin/chromium');
  });

  it('refuses a CHROME_PATH that is not a file, with what to do', async () => {
    await expect(resolveRenderBrowser({ env: { CHROME_PATH: path.join(scratch, 'nope') } })).rejects.toMatchObject({ code: 'RENDER_BROWSER_MISSING', message: expect.stringMatching(/CHROME_PATH .* is not a file/) });
  });
});

describe.runIf(process.platform === 'linux' && process.arch === 'x64')('ensureBundledChromium', () => {
  it('unpacks privately and atomically, verifies by SHA-256, and unpacks again after tampering', async () => {
    const cacheRoot = path.join(scratch, 'cache');
    const exe = await ensureBundledChromium({ cacheRoot });
    const dir = path.dirname(exe);
    expect(path.dirname(dir)).toBe(path.join(cacheRoot, 'chromium'));
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(exe).mode & 0o777).toBe(0o700);
    expect(readdirSync(dir)).toEqual(expect.arrayContaining(['chromium', 'libGLESv2.so', 'libEGL.so', 'manifest.json']));
    expect(readdirSync(path.dirname(dir)).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
    // the full hash after unpacking recorded the files' kernel stamps
    expect(readdirSync(dir)).toContain('verified.json');
    // a planted library of the same size: the digest no longer matches, the folder is replaced
    const gl = path.join(dir, 'libGLESv2.so');
    const size = statSync(gl).size;
    writeFileSync(gl, Buffer.alloc(size, 1));
    const logs: string[] = [];
    const again = await ensureBundledChromium({ cacheRoot, onLog: (l) => logs.push(l) });
    expect(again).toBe(exe);
    expect(logs[0]).toMatch(/libGLESv2\.so does not match its SHA-256; unpacking again/);
    expect(lstatSync(gl).size).toBe(size);
    expect(existsSync(path.join(dir, 'manifest.json'))).toBe(true);
    // a link in place of the library is refused the same way
    rmSync(gl);
    symlinkSync('/dev/null', gl);
    logs.length = 0;
    await ensureBundledChromium({ cacheRoot, onLog: (l) => logs.push(l) });
    expect(logs[0]).toMatch(/libGLESv2\.so missing or not a regular file/);
    expect(lstatSync(gl).isFile()).toBe(true);
  }, 120_000);
});
