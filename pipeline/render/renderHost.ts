/**
 * The CLI's render host (also used by tests, benches and the web studio's exports): the export page
 * (renderer/scene/exportPage.ts) in a headless Chromium, driven through playwright-core, with frames streamed back
 * to Node with back-pressure. What it does with the page is ./exportPageDriver.ts's (shared with the desktop app's
 * hidden-window host, ./portRenderHost.ts); this module owns the browser and the transport.
 *
 * @remarks Transport: a private HTTP server on 127.0.0.1 serves the page and the portrait; the page POSTs each
 * frame's bytes (RGBA or YUV 4:2:0 packed on the GPU) to the same origin. A POST is answered only when the
 * consumer of {@link RenderHost.renderFrames} pulls that frame, and the page keeps at most `maxInFlight` POSTs
 * pending, so a slow encoder slows the renderer instead of filling memory; meanwhile the page already renders the
 * next frame (render and transfer overlap). Which Chromium and which switches: ./renderBrowser.ts (a private,
 * verified unpack of `@sparticuz/chromium`, or `CHROME_PATH` / `opts.chromePath`, or a system Chrome/Edge; sandbox on
 * except for root on Linux; no web-security or site-isolation switches).
 * The server trusts nothing either: every path lives under a per-run random token (`/<token>/…`, else 403), the
 * `Host` header must be this server's own `127.0.0.1:<port>` (else 403, against DNS rebinding), POST bodies are
 * capped (413), and the page is served with a strict CSP (no network beyond this origin). Chromium's profile and
 * temp files go to a private per-run folder under the user cache (`<cache>/render-runs/`), removed on dispose, so a
 * render leaves nothing in the system temp folder.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { InvalidInputError, JobCancelledError, StudioError } from '../../core/errors.ts';
import type { ExportPageMethod } from '../../core/render/exportPageProtocol.ts';
import { ensureSceneBundle, EXPORT_PAGE_CSP } from './sceneBundle.ts';
import { ensurePrivateDir, resolveRenderBrowser, userCacheRoot, type RenderBrowserSource } from './renderBrowser.ts';
import { gltfDecoderFile } from './decoderFiles.ts';
import { ExportPageDriver, type ExportPageTransport, type FrameSink, type RenderHostLaunchOptions } from './exportPageDriver.ts';

export { unpackBatch } from './exportPageDriver.ts';
export type { LoadedAvatarInfo, LoadedPortraitInfo, RenderBackground, RenderFramesOptions, RenderFraming, RenderHostLaunchOptions, RenderPixelFormat, RenderStillOptions, SceneRenderHost } from './exportPageDriver.ts';

/**
 * The CLI host's transport: playwright's `page.evaluate` for calls, this host's HTTP server for frames (POSTs routed
 * to the sinks) and byte inputs (`portrait.rgba`, `avatar.bin`, served from here).
 */
/** The page-origin path serving each named byte input. */
const ROUTE_OF_BYTES = { portrait: 'portrait.rgba', avatar: 'avatar.bin', track: 'track.f32' } as const;

class PlaywrightTransport implements ExportPageTransport {
  page: Page | null = null;
  readonly sinks = new Map<string, FrameSink>();
  portrait: Uint8Array | null = null;
  avatar: Uint8Array | null = null;
  track: Uint8Array | null = null;

  call(method: ExportPageMethod, args: unknown[]): Promise<unknown> {
    return this.page!.evaluate((a) => (globalThis as unknown as { studioExport: Record<string, (...x: unknown[]) => unknown> }).studioExport[a.method]!(...a.args), { method, args });
  }

  bytesSource(name: 'portrait' | 'avatar' | 'track', bytes: Uint8Array | null): unknown {
    this[name] = bytes;
    return bytes ? `${ROUTE_OF_BYTES[name]}?${randomBytes(4).toString('hex')}` : null;
  }

  setSink(requestId: string, sink: FrameSink | null): void {
    if (sink) this.sinks.set(requestId, sink);
    else this.sinks.delete(requestId);
  }
}

/** A headless Chromium running the scene; one owner, one {@link dispose}. The page-driving methods are {@link ExportPageDriver}'s. */
export class RenderHost extends ExportPageDriver {
  /** A tag passed on Chromium's command line (`--avatar-studio-host=<tag>`), to find its processes. */
  readonly processTag: string;
  /** Where the browser came from (`bundled`, `system`, `CHROME_PATH`, `option`). */
  readonly browserSource: RenderBrowserSource;
  /** Whether Chromium runs with its sandbox (false only as root on Linux). */
  readonly sandboxed: boolean;
  /** Origin of the page server (`http://127.0.0.1:<port>`); its paths need the per-run token, which stays private. */
  readonly pageOrigin: string;
  private readonly context: BrowserContext;
  private readonly runDir: string;
  private readonly server: Server;
  private readonly sinks: Map<string, FrameSink>;

  private constructor(args: { widthPx: number; heightPx: number; context: BrowserContext; transport: PlaywrightTransport; server: Server; tag: string; runDir: string; source: RenderBrowserSource; sandboxed: boolean; pageOrigin: string }) {
    super(args.widthPx, args.heightPx, args.transport);
    this.sinks = args.transport.sinks;
    this.context = args.context;
    this.runDir = args.runDir;
    this.browserSource = args.source;
    this.sandboxed = args.sandboxed;
    this.pageOrigin = args.pageOrigin;
    this.server = args.server;
    this.processTag = args.tag;
  }

  /**
   * Starts Chromium with the scene page (building the bundle when stale).
   * @param opts - see {@link RenderHostLaunchOptions}.
   * @returns a ready host.
   * @throws InvalidInputError for a bad size; JobCancelledError when `signal` aborts; StudioError
   * `RENDER_HOST_START` when Chromium or WebGL2 cannot start.
   */
  static async launch(opts: RenderHostLaunchOptions): Promise<RenderHost> {
    const { widthPx, heightPx, signal } = opts;
    if (!(Number.isInteger(widthPx) && Number.isInteger(heightPx) && widthPx >= 2 && heightPx >= 2 && widthPx <= 4096 && heightPx <= 4096)) {
      throw new InvalidInputError(`Render size must be integers in [2, 4096], got ${widthPx}×${heightPx}`);
    }
    if (signal?.aborted) throw new JobCancelledError();
    const bundle = await ensureSceneBundle();
    const tag = randomBytes(6).toString('hex');
    const token = randomBytes(24).toString('base64url');
    const transport = new PlaywrightTransport();
    let port = 0;
    const maxBodyBytes = 12 * widthPx * heightPx + (1 << 20);
    const server = createServer((req, res) => void handle(req, res, { dir: bundle.dir, token, host: () => `127.0.0.1:${port}`, maxBodyBytes }, transport.sinks, () => transport.portrait, () => transport.avatar, () => transport.track));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    port = (server.address() as AddressInfo).port;
    let context: BrowserContext | null = null;
    let runDir: string | null = null;
    let chromePath: string = opts.chromePath ?? process.env.CHROME_PATH ?? 'bundled';
    try {
      const browser = await resolveRenderBrowser({ chromePath: opts.chromePath });
      chromePath = browser.executablePath;
      runDir = await makeRunDir();
      const tmpDir = path.join(runDir, 'tmp');
      await mkdir(tmpDir, { mode: 0o700 });
      context = await chromium.launchPersistentContext(path.join(runDir, 'profile'), {
        executablePath: browser.executablePath,
        args: [...browser.args, `--avatar-studio-host=${tag}`],
        headless: true,
        chromiumSandbox: browser.sandbox,
        env: { ...process.env, TMPDIR: tmpDir, TMP: tmpDir, TEMP: tmpDir },
        viewport: { width: Math.min(widthPx, 1024), height: Math.min(heightPx, 1024) },
        ...({ artifactsDir: path.join(runDir, 'artifacts') } as object),
      });
      if (signal?.aborted) throw new JobCancelledError();
      const page = context.pages()[0] ?? (await context.newPage());
      const pageErrors: string[] = [];
      page.on('pageerror', (e) => pageErrors.push(e.message));
      if (process.env.AVATAR_STUDIO_DEBUG_PAGE) page.on('console', (m) => process.stderr.write(`[page] ${m.text()}\n`));
      await page.goto(`http://127.0.0.1:${port}/${token}/exportPage.html`);
      await page.waitForFunction(() => 'studioExport' in globalThis, undefined, { timeout: 30_000 });
      await page.evaluate(
        (o) => (globalThis as unknown as { studioExport: { init(o: unknown): void } }).studioExport.init(o),
        { widthPx, heightPx, background: opts.background ?? 'photo', framing: opts.framing ?? 'photo', ...(opts.avatarCpuDeform === undefined ? {} : { avatarCpuDeform: opts.avatarCpuDeform }), ...(opts.avatarSoftwareShading === undefined ? {} : { avatarSoftwareShading: opts.avatarSoftwareShading }), ...(opts.avatarStaticLayer === undefined ? {} : { avatarStaticLayer: opts.avatarStaticLayer }) },
      );
      if (pageErrors.length) throw new Error(pageErrors.join('; '));
      transport.page = page;
      return new RenderHost({ widthPx, heightPx, context, transport, server, tag, runDir, source: browser.source, sandboxed: browser.sandbox, pageOrigin: `http://127.0.0.1:${port}` });
    } catch (err) {
      await context?.close().catch(() => undefined);
      server.close();
      if (runDir) await rm(runDir, { recursive: true, force: true }).catch(() => undefined);
      if (err instanceof StudioError) throw err;
      throw new StudioError('RENDER_HOST_START', `Could not start the headless renderer (${chromePath}): ${(err as Error).message.split('\n')[0]}`, { chromePath }, { cause: err });
    }
  }

  /** Closes Chromium and the local server (once, from {@link ExportPageDriver.dispose}). */
  protected override async close(): Promise<void> {
    this.sinks.clear();
    await this.context.close().catch(() => undefined);
    this.server.closeAllConnections?.();
    await new Promise<void>((r) => this.server.close(() => r()));
    await rm(this.runDir, { recursive: true, force: true }).catch(() => undefined);
  }
}

const STATIC_TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8' };

/** How the page server checks requests. */
interface ServerGuard {
  /** Folder of the built page. */
  dir: string;
  /** Per-run token: the first path segment of every URL. */
  token: string;
  /** The only accepted `Host` header (`127.0.0.1:<port>`). */
  host: () => string;
  /** Largest accepted POST body, bytes. */
  maxBodyBytes: number;
}

/**
 * Answers the page: 403 without the run's token or with another `Host`, 413 for a body over the limit, 404 for
 * anything else than the page, its bundle, the portrait, the avatar and frame POSTs.
 */
async function handle(req: IncomingMessage, res: ServerResponse, guard: ServerGuard, sinks: Map<string, FrameSink>, portrait: () => Uint8Array | null, avatar: () => Uint8Array | null = () => null, track: () => Uint8Array | null = () => null): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const prefix = `/${guard.token}/`;
  if (req.headers.host !== guard.host() || !url.pathname.startsWith(prefix)) {
    req.resume();
    res.writeHead(403, { connection: 'close' }).end();
    return;
  }
  const route = url.pathname.slice(prefix.length - 1);
  try {
    if (req.method === 'POST' && route.startsWith('/frame/')) {
      const declared = Number(req.headers['content-length'] ?? 0);
      if (declared > guard.maxBodyBytes) {
        res.writeHead(413, { connection: 'close' }).end();
        req.destroy();
        return;
      }
      const [, , requestId, idx] = route.split('/');
      const chunks: Buffer[] = [];
      let total = 0;
      for await (const c of req) {
        total += (c as Buffer).byteLength;
        if (total > guard.maxBodyBytes) {
          res.writeHead(413, { connection: 'close' }).end();
          req.destroy();
          return;
        }
        chunks.push(c as Buffer);
      }
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      const sink = sinks.get(requestId ?? '');
      const ok = sink ? await sink(Number(idx), new Uint8Array(body.buffer, body.byteOffset, body.byteLength)) : false;
      res.writeHead(ok ? 200 : 410).end();
      return;
    }
    if (req.method !== 'GET') {
      req.resume();
      return void res.writeHead(405).end();
    }
    if (route === '/portrait.rgba') {
      const p = portrait();
      if (!p) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': p.byteLength, 'cache-control': 'no-store' }).end(Buffer.from(p.buffer, p.byteOffset, p.byteLength));
      return;
    }
    if (route === '/track.f32') {
      const t = track();
      if (!t) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': t.byteLength, 'cache-control': 'no-store' }).end(Buffer.from(t.buffer, t.byteOffset, t.byteLength));
      return;
    }
    if (route === '/avatar.bin') {
      const a = avatar();
      if (!a) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': a.byteLength, 'cache-control': 'no-store' }).end(Buffer.from(a.buffer, a.byteOffset, a.byteLength));
      return;
    }
    const decoder = gltfDecoderFile(route);
    if (decoder) {
      res.writeHead(200, { 'content-type': decoder.contentType, 'x-content-type-options': 'nosniff', ...(decoder.csp ? { 'content-security-policy': decoder.csp } : {}) });
      if (decoder.filePath) createReadStream(decoder.filePath).pipe(res);
      else res.end(decoder.source ?? '');
      return;
    }
    if (route === '/exportPage.html' || route === '/exportPage.bundle.js') {
      const name = route.slice(1);
      res.writeHead(200, { 'content-type': STATIC_TYPES[path.extname(name)] ?? 'application/octet-stream', 'content-security-policy': EXPORT_PAGE_CSP, 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' });
      createReadStream(path.join(guard.dir, name)).pipe(res);
      return;
    }
    res.writeHead(404).end();
  } catch {
    if (!res.headersSent) res.writeHead(500);
    res.end();
  }
}

/**
 * A private folder for one browser run (profile, Chromium's temp files, playwright's artifacts) under
 * `<cache>/render-runs/`, mode 0700; folders of runs killed more than a day ago are removed first.
 * @returns its absolute path.
 */
async function makeRunDir(): Promise<string> {
  const root = path.join(userCacheRoot(), 'render-runs');
  await ensurePrivateDir(userCacheRoot());
  await ensurePrivateDir(root);
  for (const name of await readdir(root).catch(() => [] as string[])) {
    const st = await stat(path.join(root, name)).catch(() => null);
    if (st && Date.now() - st.mtimeMs > 86_400_000) await rm(path.join(root, name), { recursive: true, force: true }).catch(() => undefined);
  }
  return mkdtemp(path.join(root, 'run-'));
}
