/**
 * The render browser trusts nothing: planted files in the temp folder are neither run nor loaded, a render leaves
 * nothing in the temp folder's top level, the browser's command line has no unsafe switch, and the page server
 * answers 403 without the per-run token or with another Host, 413 for an oversized body.
 */
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { RenderHost } from '../../../pipeline/render/renderHost.ts';
import { FORBIDDEN_BROWSER_SWITCHES, isSandboxAvailable } from '../../../pipeline/render/renderBrowser.ts';
import { ARKIT_BLENDSHAPE_COUNT } from '../../../core/motion/names.ts';
import { loadPortrait } from './helpers.ts';

/** Processes whose command line carries `--avatar-studio-host=<tag>`: pid → argv. */
function hostProcesses(tag: string): Map<number, string[]> {
  const found = new Map<number, string[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const argv = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').filter(Boolean);
      if (argv.includes(`--avatar-studio-host=${tag}`)) found.set(Number(name), argv);
    } catch {
      // the process ended meanwhile
    }
  }
  return found;
}

function httpStatus(url: string, opts: { method?: string; host?: string; body?: Buffer } = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = request({ host: u.hostname, port: u.port, path: u.pathname, method: opts.method ?? 'GET', headers: opts.host ? { host: opts.host } : {} }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' || e.code === 'EPIPE' ? resolve(413) : reject(e)));
    req.end(opts.body);
  });
}

describe.runIf(process.platform === 'linux')('render host safety', () => {
  let plantDir: string;
  const savedTmp = process.env.TMPDIR;
  let host: RenderHost;

  beforeAll(async () => {
    plantDir = mkdtempSync(path.join(os.tmpdir(), 'plant-'));
    // what @sparticuz/chromium's executablePath() would have run and loaded as is
    writeFileSync(path.join(plantDir, 'chromium'), `#!/bin/sh\ntouch ${plantDir}/RAN\nexit 1\n`, { mode: 0o755 });
    writeFileSync(path.join(plantDir, 'libGLESv2.so'), 'not a library');
    process.env.TMPDIR = plantDir;
    host = await RenderHost.launch({ widthPx: 64, heightPx: 64 });
  });

  afterAll(async () => {
    await host?.dispose();
    process.env.TMPDIR = savedTmp;
    if (savedTmp === undefined) delete process.env.TMPDIR;
    rmSync(plantDir, { recursive: true, force: true });
  });

  it('neither runs nor loads the planted chromium and libGLESv2.so, and draws with the verified copy', async () => {
    const procs = hostProcesses(host.processTag);
    expect(procs.size).toBeGreaterThan(0);
    let glLoadedFrom = '';
    for (const pid of procs.keys()) {
      const exe = readlinkSync(`/proc/${pid}/exe`);
      expect(exe.startsWith(plantDir)).toBe(false);
      const maps = readFileSync(`/proc/${pid}/maps`, 'utf8');
      expect(maps).not.toContain(plantDir);
      const gl = maps.split('\n').find((l) => l.endsWith('/libGLESv2.so'));
      if (gl) glLoadedFrom = gl.slice(gl.indexOf('/'));
    }
    // WebGL2 through ANGLE loads libGLESv2.so next to the executable: the private, verified cache folder
    const { image, face } = await loadPortrait('astronaut');
    await host.loadPortrait(image, face);
    const rgba = await host.renderStill({ blendshapes: new Float32Array(ARKIT_BLENDSHAPE_COUNT) });
    for (const pid of hostProcesses(host.processTag).keys()) {
      const gl = readFileSync(`/proc/${pid}/maps`, 'utf8').split('\n').find((l) => l.endsWith('/libGLESv2.so'));
      if (gl) glLoadedFrom = gl.slice(gl.indexOf('/'));
    }
    expect(glLoadedFrom).toMatch(/avatar-studio\/chromium\/[^/]+\/libGLESv2\.so$/);
    expect(rgba.length).toBe(64 * 64 * 4);
    let sum = 0;
    for (let i = 0; i < rgba.length; i += 4) sum += rgba[i]! + rgba[i + 1]! + rgba[i + 2]!;
    expect(sum / (64 * 64 * 3)).toBeGreaterThan(10);
    expect(readdirSync(plantDir)).not.toContain('RAN');
  });

  it('writes nothing into the temp folder while it runs', () => {
    expect(readdirSync(plantDir).sort()).toEqual(['chromium', 'libGLESv2.so']);
  });

  it('has no unsafe switch on the browser command line; --no-sandbox only as root on Linux', () => {
    const argv = [...hostProcesses(host.processTag).values()][0]!;
    for (const sw of FORBIDDEN_BROWSER_SWITCHES) expect(argv.some((a) => a === sw || a.startsWith(`${sw}=`))).toBe(false);
    expect(argv.join(' ')).not.toMatch(/site-per-process|IsolateOrigins/);
    expect(argv.includes('--no-sandbox')).toBe(!isSandboxAvailable());
    expect(host.sandboxed).toBe(isSandboxAvailable());
  });

  it('answers 403 without the token or with another Host, 413 for an oversized body', async () => {
    const origin = host.pageOrigin;
    expect(await httpStatus(`${origin}/exportPage.html`)).toBe(403);
    expect(await httpStatus(`${origin}/portrait.rgba`)).toBe(403);
    expect(await httpStatus(`${origin}/avatar.bin`)).toBe(403);
    expect(await httpStatus(`${origin}/frame/x/0`, { method: 'POST', body: Buffer.alloc(16) })).toBe(403);
    const pageUrl = (host as unknown as { transport: { page: Page } }).transport.page.url();
    expect(pageUrl.startsWith(`${origin}/`)).toBe(true);
    const base = pageUrl.slice(0, pageUrl.lastIndexOf('/'));
    expect(await httpStatus(`${base}/exportPage.html`)).toBe(200);
    expect(await httpStatus(`${base}/portrait.rgba`, { host: 'evil.example:80' })).toBe(403);
    expect(await httpStatus(`${base}/portrait.rgba`, { host: `localhost:${new URL(origin).port}` })).toBe(403);
    expect(await httpStatus(`${base}/frame/x/0`, { method: 'POST', body: Buffer.alloc(12 * 64 * 64 + (1 << 20) + 1) })).toBe(413);
    expect(await httpStatus(`${base}/frame/x/0`, { method: 'POST', body: Buffer.alloc(16) })).toBe(410);
  });

  it('leaves nothing in the temp folder after dispose', async () => {
    await host.dispose();
    expect(hostProcesses(host.processTag).size).toBe(0);
    expect(readdirSync(plantDir).sort()).toEqual(['chromium', 'libGLESv2.so']);
  });
});
