/**
 * Hidden render windows for exports, opened by the main process when the utility process asks
 * (`renderWindow.open`, electron/shared/messages.ts): each shows the prebuilt export page (dist/scene) from
 * `app://export/` in its own in-memory session, renders with Electron's Chromium and the machine's GPU, and talks to
 * the utility over a MessagePort that main creates and hands to both ends (frames never pass through main).
 *
 * @remarks Security (DESIGN.md §6.6): contextIsolation, sandbox, no Node integration, a preload that only forwards
 * the port (electron/preload/exportPreload.ts), the export page's CSP on every response, navigation and new windows
 * refused, every permission refused, no disk-backed session. A window whose renderer process goes away
 * (`render-process-gone`) is reported to the utility (`renderWindow.gone`, the export fails with a clear error) and
 * destroyed; windows of a utility that exits are destroyed with it.
 */
import { BrowserWindow, MessageChannelMain, session, type Session, type UtilityProcess } from 'electron';
import { normalize, sep, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { EXPORT_PAGE_CSP, EXPORT_PORT_CHANNEL } from '../../core/render/exportPageProtocol.ts';
import { gltfDecoderFile } from '../../pipeline/render/decoderFiles.ts';
import type { FromUtility, ToUtility } from '../shared/messages.ts';

/** Origin of the export page in render windows. */
export const EXPORT_PAGE_ORIGIN = 'app://export';
/** In-memory session partition of render windows (no `persist:` prefix: nothing is written to disk). */
export const RENDER_PARTITION = 'avatar-studio-render';

/** Options of {@link RenderWindows}. */
export interface RenderWindowsOptions {
  /** Built export-window preload (dist/electron/exportPreload.cjs). */
  preloadPath: string;
  /** Folder of the prebuilt export page (dist/scene). */
  sceneDir: string;
  onLog: (line: string) => void;
}

/** A file the export protocol serves. */
export interface ExportPageFile {
  /** File on disk, or null when the body is held in memory (`source`: the KTX2 transcoder's worker shell). */
  filePath: string | null;
  /** In-memory body when `filePath` is null. */
  source?: string | null;
  contentType: string;
  /** The file's own CSP (the Basis worker's narrow policy); default the export page's. */
  csp?: string | null;
}

/**
 * The file an `app://export/…` request names: the page, its bundle, or one of the fixed glTF decoder files.
 * @param url - the request URL.
 * @param sceneDir - folder of the prebuilt page.
 * @returns the file and its content type, or null for anything else (other hosts, other paths, `..`).
 */
export function exportPageFile(url: string, sceneDir: string): ExportPageFile | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== 'app:' || u.host !== 'export') return null;
  if (u.pathname === '/exportPage.html') return { filePath: join(sceneDir, 'exportPage.html'), contentType: 'text/html; charset=utf-8' };
  if (u.pathname === '/exportPage.bundle.js') return { filePath: join(sceneDir, 'exportPage.bundle.js'), contentType: 'text/javascript; charset=utf-8' };
  const decoder = gltfDecoderFile(normalize(u.pathname).split(sep).join('/'));
  return decoder ? { filePath: decoder.filePath, source: decoder.source, contentType: decoder.contentType, csp: decoder.csp } : null;
}

/**
 * Serves the export page on `app://export/` in the render session, with the page's CSP; refuses every permission.
 * @param ses - the render windows' session.
 * @param sceneDir - folder of the prebuilt page.
 * @param fetchFile - reads a file URL (Electron's `net.fetch`).
 */
export function registerExportProtocol(ses: Session, sceneDir: string, fetchFile: (fileUrl: string) => Promise<Response>): void {
  ses.protocol.handle('app', async (req) => {
    const file = exportPageFile(req.url, sceneDir);
    if (!file || req.method !== 'GET') return new Response('Not found', { status: 404 });
    const headers = new Headers({ 'Content-Type': file.contentType, 'Content-Security-Policy': file.csp ?? EXPORT_PAGE_CSP, 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-store' });
    if (file.filePath === null) return new Response(file.source ?? '', { status: 200, headers });
    const res = await fetchFile(pathToFileURL(file.filePath).toString());
    return new Response(res.body, { status: res.status, headers });
  });
  ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
}

/** The render windows of every utility process; see the module comment. */
export class RenderWindows {
  private readonly opts: RenderWindowsOptions;
  private readonly byChild = new Map<UtilityProcess, Map<number, BrowserWindow>>();

  /** @param opts - see {@link RenderWindowsOptions}. */
  constructor(opts: RenderWindowsOptions) {
    this.opts = opts;
  }

  /** The render session (created on first use). */
  static session(): Session {
    return session.fromPartition(RENDER_PARTITION);
  }

  /**
   * Serves `renderWindow.*` requests of a (fresh) utility process; its windows are destroyed when it exits.
   * @param child - the utility process.
   */
  attach(child: UtilityProcess): void {
    const windows = new Map<number, BrowserWindow>();
    this.byChild.set(child, windows);
    child.on('message', (m: FromUtility) => {
      if (m.type === 'renderWindow.open') this.open(child, windows, m.windowId, m.widthPx, m.heightPx);
      else if (m.type === 'renderWindow.close') {
        const win = windows.get(m.windowId);
        windows.delete(m.windowId);
        if (win && !win.isDestroyed()) win.destroy();
      }
    });
    child.once('exit', () => {
      for (const win of windows.values()) if (!win.isDestroyed()) win.destroy();
      windows.clear();
      this.byChild.delete(child);
    });
  }

  /** Destroys every render window (quit). */
  closeAll(): void {
    for (const windows of this.byChild.values()) {
      for (const win of windows.values()) if (!win.isDestroyed()) win.destroy();
      windows.clear();
    }
  }

  private open(child: UtilityProcess, windows: Map<number, BrowserWindow>, windowId: number, widthPx: number, heightPx: number): void {
    const tell = (m: ToUtility, ports?: Electron.MessagePortMain[]): void => {
      try {
        child.postMessage(m, ports);
      } catch {
        // the utility is gone: its exit handler destroys the window
      }
    };
    let win: BrowserWindow;
    try {
      win = new BrowserWindow({
        show: false,
        width: Math.min(Math.max(widthPx, 64), 1024),
        height: Math.min(Math.max(heightPx, 64), 1024),
        title: 'Avatar Studio render',
        webPreferences: {
          preload: this.opts.preloadPath,
          partition: RENDER_PARTITION,
          contextIsolation: true,
          sandbox: true,
          nodeIntegration: false,
          nodeIntegrationInWorker: false,
          nodeIntegrationInSubFrames: false,
          webSecurity: true,
          allowRunningInsecureContent: false,
          webviewTag: false,
          spellcheck: false,
          devTools: false,
          // A hidden window's timers and frames are throttled by default; the export loop must run at full speed.
          backgroundThrottling: false,
        },
      });
    } catch (err) {
      tell({ type: 'renderWindow.failed', windowId, message: (err as Error).message });
      return;
    }
    windows.set(windowId, win);
    const wc = win.webContents;
    wc.setWindowOpenHandler(() => ({ action: 'deny' }));
    wc.on('will-navigate', (e) => e.preventDefault());
    wc.on('will-attach-webview', (e) => e.preventDefault());
    wc.on('render-process-gone', (_e, details) => {
      this.opts.onLog(`render window ${windowId}: renderer process gone (${details.reason}, exit code ${details.exitCode})`);
      tell({ type: 'renderWindow.gone', windowId, reason: `${details.reason}, exit code ${details.exitCode}` });
      windows.delete(windowId);
      if (!win.isDestroyed()) win.destroy();
    });
    wc.on('did-fail-load', (_e, code, description, _url, isMainFrame) => {
      if (!isMainFrame || win.isDestroyed()) return;
      tell({ type: 'renderWindow.failed', windowId, message: `the export page did not load (${description}, ${code})` });
      windows.delete(windowId);
      if (!win.isDestroyed()) win.destroy();
    });
    wc.once('did-finish-load', () => {
      if (win.isDestroyed()) return;
      const { port1, port2 } = new MessageChannelMain();
      wc.postMessage(EXPORT_PORT_CHANNEL, null, [port1]);
      tell({ type: 'renderWindow.opened', windowId }, [port2]);
    });
    win.loadURL(`${EXPORT_PAGE_ORIGIN}/exportPage.html`).catch(() => undefined);
  }
}
