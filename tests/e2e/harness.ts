/**
 * End-to-end harness: builds the renderer once per test run (even when several e2e files start together in
 * parallel workers — a second `vite build` into the same folder would pull files from under the first), starts the
 * web host on a temp folder and opens the studio in headless Chromium.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium as playwright, type Browser, type Page } from 'playwright-core';
import { startWebHost, type WebHost } from '../../pipeline/host/webHost.ts';
import { resolveRenderBrowser } from '../../pipeline/render/renderBrowser.ts';

const REPO = process.cwd();
const DIST = join(REPO, 'dist/renderer');

/** A running studio: web host on a temp folder, a Chromium page showing it. */
export interface StudioE2E {
  root: string;
  outDir: string;
  host: WebHost;
  browser: Browser;
  page: Page;
  /** Uncaught page errors, in order. */
  pageErrors: string[];
  /** Closes Chromium and the host and removes the temp folder. */
  close(): Promise<void>;
}

/**
 * Builds dist/renderer unless this test run (the vitest parent process) already did; a lock folder serialises
 * concurrent callers.
 */
export async function buildRendererOnce(): Promise<void> {
  const stamp = join(DIST, `.built-by-${process.ppid}`);
  const lock = join(REPO, '.cache', 'renderer-build.lock');
  await mkdir(join(REPO, '.cache'), { recursive: true });
  for (let waitedMs = 0; ; waitedMs += 200) {
    try {
      await mkdir(lock);
      break;
    } catch {
      // A lock older than any build (≈ 30 s) was left by a killed run: take it over.
      const st = await stat(lock).catch(() => null);
      if (st && Date.now() - st.mtimeMs > 180_000) await rmdir(lock).catch(() => undefined);
      else if (waitedMs > 300_000) throw new Error(`renderer build lock ${lock} held for 5 min: remove it if no test is running`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    if (existsSync(stamp)) return;
    execFileSync(process.execPath, [join(REPO, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], { cwd: REPO, stdio: 'inherit' });
    await writeFile(stamp, '');
  } finally {
    await rmdir(lock);
  }
}

/**
 * Builds the renderer (once), starts the web host and opens the studio page.
 * @param prefix - temp folder name prefix.
 * @param chromeArgs - extra Chromium switches.
 */
export async function startStudio(prefix: string, chromeArgs: string[] = []): Promise<StudioE2E> {
  await buildRendererOnce();
  const root = await mkdtemp(join(tmpdir(), prefix));
  const outDir = join(root, 'exports');
  const host = await startWebHost({
    rendererDir: DIST,
    service: { workDir: join(root, 'work'), ownsWorkDir: true, outDir, settingsPath: join(root, 'settings.json') },
  });
  // the same browser and switches as the render host (private verified unpack, sandbox unless root on Linux), with
  // audio in the browser process as with the old Lambda switches (without it one run here played 1.32 s of audio
  // in 2 s wall under load; with it the suite passed)
  const rb = await resolveRenderBrowser();
  const browser = await playwright.launch({ executablePath: rb.executablePath, args: [...rb.args, '--disable-features=AudioServiceOutOfProcess', ...chromeArgs], chromiumSandbox: rb.sandbox, headless: true });
  const page = await browser.newPage({ viewport: { width: 1360, height: 860 } });
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(host.url);
  await page.waitForSelector('[data-testid=portrait-input]', { state: 'attached' });
  return {
    root,
    outDir,
    host,
    browser,
    page,
    pageErrors,
    async close() {
      await browser.close().catch(() => undefined);
      await host.close().catch(() => undefined);
      await rm(root, { recursive: true, force: true });
    },
  };
}
