/**
 * Electron main process: one window serving the studio UI from app://studio (the built renderer), the
 * native menu, IPC registration, the utility process that runs the pipeline, and the hidden render windows its
 * exports ask for (./renderWindows.ts: the prebuilt export page from app://export in Electron's own Chromium).
 * Security (DESIGN.md §6.6): contextIsolation + sandbox on, nodeIntegration off, a narrow preload, a strict
 * CSP on every response, no remote content (navigation and window.open denied, permissions refused).
 */
import { app, BrowserWindow, Menu, net, protocol, session, shell } from 'electron';
import { createRequire } from 'node:module';
import { mkdtempSync } from 'node:fs';
import { dirname, join, normalize, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { registerIpc } from './ipc.ts';
import { APP_ORIGIN } from './ipcRouter.ts';
import { JobHostClient } from './jobHostClient.ts';
import { registerExportProtocol, RenderWindows } from './renderWindows.ts';
import { buildMenu } from './menu.ts';
import { gltfDecoderFileCsp } from '../../core/formats/gltfExtensions.ts';

const here = dirname(fileURLToPath(import.meta.url));
const RENDERER_DIR = join(here, '..', 'renderer');
/** The export page built by `npm run build` (dist/scene). */
const SCENE_DIR = join(here, '..', 'scene');
/** CSP of every page response (same as the web host's). */
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' blob: data:; media-src 'self' blob:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

protocol.registerSchemesAsPrivileged([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } }]);

/** Paths of binaries unpacked from app.asar (spawning from inside the archive is impossible). */
function unpackedBinary(pkg: string): string | null {
  try {
    const p = (createRequire(import.meta.url)(pkg) as { path: string }).path;
    return p.replace(`app.asar${sep}`, `app.asar.unpacked${sep}`);
  } catch {
    return null;
  }
}

let jobs: JobHostClient | null = null;
let renderWindows: RenderWindows | null = null;
let mainWindow: BrowserWindow | null = null;

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1360,
    height: 860,
    minWidth: 960,
    minHeight: 600,
    title: 'Avatar Studio',
    backgroundColor: '#15181c',
    show: false,
    webPreferences: {
      preload: join(here, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  });
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (e, url) => {
    if (!url.startsWith(`${APP_ORIGIN}/`)) e.preventDefault();
  });
  win.webContents.on('will-attach-webview', (e) => e.preventDefault());
  win.once('ready-to-show', () => win.show());
  // Hidden render windows of a running export would keep 'window-all-closed' from firing: closing the studio window
  // quits (cancelling the export, which closes its render window) except on macOS.
  win.on('closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  void win.loadURL(`${APP_ORIGIN}/index.html`);
  return win;
}

app.enableSandbox();
app.whenReady().then(() => {
  protocol.handle('app', (req) => {
    const url = new URL(req.url);
    if (url.host !== 'studio') return new Response('Not found', { status: 404 });
    const file = normalize(join(RENDERER_DIR, decodeURIComponent(url.pathname)));
    if (!file.startsWith(RENDERER_DIR + sep)) return new Response('Forbidden', { status: 403 });
    return net.fetch(pathToFileURL(file).toString()).then((res) => {
      const headers = new Headers(res.headers);
      // The KTX2 transcoder worker script runs under its own narrow policy (core/formats/gltfExtensions.ts).
      headers.set('Content-Security-Policy', gltfDecoderFileCsp(url.pathname) ?? CSP);
      headers.set('X-Content-Type-Options', 'nosniff');
      return new Response(res.body, { status: res.status, headers });
    });
  });
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);

  registerExportProtocol(RenderWindows.session(), SCENE_DIR, (fileUrl) => net.fetch(fileUrl));
  const windows = new RenderWindows({ preloadPath: join(here, 'exportPreload.cjs'), sceneDir: SCENE_DIR, onLog: (line) => console.log(`[render] ${line}`) });
  renderWindows = windows;
  jobs = JobHostClient.start({
    modulePath: join(here, 'utility.mjs'),
    init: {
      type: 'init',
      workDir: mkdtempSync(join(app.getPath('temp'), 'avatar-studio-')),
      outDir: join(app.getPath('videos'), 'Avatar Studio'),
      settingsPath: join(app.getPath('userData'), 'settings.json'),
      version: app.getVersion(),
      ffmpegPath: unpackedBinary('@ffmpeg-installer/ffmpeg'),
      ffprobePath: unpackedBinary('@ffprobe-installer/ffprobe'),
      cacheDir: join(app.getPath('userData'), 'cache'),
    },
    onEvent: (name, payload) => mainWindow?.webContents.send(name, payload),
    onLog: (line) => console.log(`[jobs] ${line}`),
    onSpawn: (child) => windows.attach(child),
  });
  registerIpc(jobs, () => mainWindow);
  mainWindow = createWindow();
  Menu.setApplicationMenu(buildMenu(() => mainWindow));
  app.on('activate', () => {
    // hidden render windows do not count: reopen the studio window when it is gone
    if (!mainWindow || mainWindow.isDestroyed()) mainWindow = createWindow();
  });
});

app.on('web-contents-created', (_e, contents) => {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

let quitting = false;
app.on('before-quit', (e) => {
  if (quitting || !jobs) return;
  e.preventDefault();
  quitting = true;
  void jobs.dispose().finally(() => {
    renderWindows?.closeAll();
    app.quit();
  });
});
