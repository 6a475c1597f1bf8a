/**
 * The local web host: serves the built renderer and the studio API to a plain browser (the same UI the
 * Electron shell shows), for users without Electron and for end-to-end tests in headless Chromium.
 *
 * Security: listens on 127.0.0.1 only; a random per-run token is required on every request — the page gets
 * it from a `<meta name="studio-token">` the host injects into index.html (the first request carries it as
 * `?token=`; the host then sets a `SameSite=Strict; HttpOnly` cookie for static assets and downloads), and
 * API calls must send it in the `x-studio-token` header (a cookie alone is not enough, so other sites cannot
 * forge calls). The `Host` header must name the loopback address (defeats DNS rebinding). HTML is served
 * with a strict Content-Security-Policy.
 *
 * API: `POST /api/call/<channel>` with a wire message body (core/ipc/wire.ts) → wire message `Result`;
 * `GET /api/events` → Server-Sent Events (`event: <name>`, `data: <json>`); `GET /api/download/<jobId>` → the
 * finished export.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { dispatchCall, MAX_UPLOAD_BYTES, type EventName, type EventOf } from '../../core/ipc/contract.ts';
import { decodeWireMessage, encodeWireMessage, WIRE_CONTENT_TYPE } from '../../core/ipc/wire.ts';
import { InvalidInputError, type Result } from '../../core/errors.ts';
import { gltfDecoderFileCsp } from '../../core/formats/gltfExtensions.ts';
import { StudioService, type StudioServiceOptions } from './studioService.ts';

/** Content-Security-Policy of the UI (DESIGN.md §6.6): only our own scripts, no remote content. */
export const STUDIO_CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' blob: data:",
  "media-src 'self' blob:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
  '.ico': 'image/x-icon',
};

/** Content types of the export downloads, by file extension. */
const DOWNLOAD_MIME: Record<string, string> = {
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
  '.mov': 'video/quicktime',
  '.gif': 'image/gif',
  '.zip': 'application/zip',
};

/**
 * Content type of a finished export, from its file name's extension.
 * @param fileName - the export's file name (`.mp4`, `.webm`, `.mov`, `.gif` or `.zip`; case-insensitive).
 * @returns the MIME type; `application/octet-stream` for any other extension.
 */
export function downloadContentType(fileName: string): string {
  return DOWNLOAD_MIME[extname(fileName).toLowerCase()] ?? 'application/octet-stream';
}

/** Options of {@link startWebHost}. */
export interface WebHostOptions {
  /** Folder of the built renderer (vite output with index.html). */
  rendererDir: string;
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Token; default 32 random bytes, hex. */
  token?: string;
  /** Service options except the ones the web host fixes (host, allowPaths, onEvent, downloadUrl). */
  service: Omit<StudioServiceOptions, 'host' | 'allowPaths' | 'onEvent' | 'downloadUrl'>;
}

/** A running web host. */
export interface WebHost {
  /** `http://127.0.0.1:<port>/?token=<token>` — open this in a browser. */
  url: string;
  /** Origin `http://127.0.0.1:<port>`. */
  origin: string;
  port: number;
  token: string;
  service: StudioService;
  /** Stops the server, ends event streams and disposes the service. */
  close(): Promise<void>;
}

function tokenMatches(given: string | undefined | null, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieToken(req: IncomingMessage): string | null {
  const m = /(?:^|;\s*)studio_token=([0-9a-f]+)/.exec(req.headers.cookie ?? '');
  return m ? m[1]! : null;
}

/** A request body over the limit (answered 413, not 400). */
class BodyTooLargeError extends Error {}

/**
 * Reads a request body of at most `limitBytes`.
 * @throws BodyTooLargeError when the declared Content-Length or the bytes received pass the limit (checked before
 * reading when declared, so an oversized upload is refused at once instead of after it has arrived).
 */
async function readBody(req: IncomingMessage, limitBytes: number): Promise<Uint8Array> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) throw new BodyTooLargeError(`request body of ${declared} bytes is over the ${limitBytes}-byte limit`);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req) {
    total += (chunk as Buffer).length;
    if (total > limitBytes) throw new BodyTooLargeError(`request body is over the ${limitBytes}-byte limit`);
    chunks.push(chunk as Buffer);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

/**
 * Streams a file into a response; a read error (the file removed or unreadable mid-way) ends the response instead
 * of an unhandled 'error' event that would take the whole host down.
 */
function pipeFile(path: string, res: ServerResponse): void {
  const stream = createReadStream(path);
  stream.on('error', () => res.destroy());
  res.on('close', () => stream.destroy());
  stream.pipe(res);
}

function sendResult(res: ServerResponse, status: number, result: Result<unknown>): void {
  const body = encodeWireMessage(result);
  res.writeHead(status, { 'content-type': WIRE_CONTENT_TYPE, 'content-length': body.length, 'cache-control': 'no-store' });
  res.end(body);
}

/**
 * Starts the web host.
 * @param opts - see {@link WebHostOptions}.
 * @returns the running host; its `url` opens the studio.
 * @throws InvalidInputError when the renderer build is missing (`npm run build:renderer`), or the port is taken
 * (EADDRINUSE) or privileged (EACCES) — the service and its work folder are released first.
 */
export async function startWebHost(opts: WebHostOptions): Promise<WebHost> {
  const rendererDir = resolve(opts.rendererDir);
  const indexHtml = await readFile(join(rendererDir, 'index.html'), 'utf8').catch(() => {
    throw new InvalidInputError(`No built studio UI in ${rendererDir}: run \`npm run build:renderer\` first (or \`npm run studio:web\`, which builds it)`);
  });
  const token = opts.token ?? randomBytes(32).toString('hex');
  const streams = new Set<ServerResponse>();
  const broadcast = <E extends EventName>(name: E, payload: EventOf<E>): void => {
    const frame = `event: ${name}\ndata: ${JSON.stringify(payload)}\n\n`;
    for (const s of streams) s.write(frame);
  };
  const service = await StudioService.create({
    ...opts.service,
    host: 'web',
    allowPaths: false,
    onEvent: broadcast,
    downloadUrl: (jobId) => `/api/download/${jobId}`,
  });

  const html = (res: ServerResponse): void => {
    const metas = `\n    <meta name="studio-token" content="${token}" />\n    <meta name="studio-host" content="web" />`;
    const page = /<meta charset="utf-8" \/>/i.test(indexHtml) ? indexHtml.replace(/(<meta charset="utf-8" \/>)/i, `$1${metas}`) : indexHtml.replace('<head>', `<head>${metas}`);
    res.writeHead(200, {
      'content-type': MIME['.html']!,
      'content-security-policy': STUDIO_CSP,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
      'set-cookie': `studio_token=${token}; Path=/; HttpOnly; SameSite=Strict`,
    });
    res.end(page);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const port = (server.address() as AddressInfo).port;
    const host = req.headers.host ?? '';
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) {
      res.writeHead(421, { 'content-type': 'text/plain' }).end('Misdirected request');
      return;
    }
    const url = new URL(req.url ?? '/', `http://${host}`);
    const headerToken = req.headers['x-studio-token'];
    const hasHeaderToken = tokenMatches(typeof headerToken === 'string' ? headerToken : null, token);
    const hasPageToken = hasHeaderToken || tokenMatches(url.searchParams.get('token'), token) || tokenMatches(cookieToken(req), token);

    if (url.pathname.startsWith('/api/')) {
      if (url.pathname.startsWith('/api/download/')) {
        if (!hasPageToken) return void sendResult(res, 401, { ok: false, error: { code: 'UNAUTHORIZED', message: 'Missing or wrong studio token' } });
        const out = service.finishedOutput(url.pathname.slice('/api/download/'.length));
        if (!out) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('No such finished export');
        const st = await stat(out.path);
        res.writeHead(200, { 'content-type': downloadContentType(out.fileName), 'content-length': st.size, 'x-content-type-options': 'nosniff', 'content-disposition': `attachment; filename="${out.fileName.replace(/[^\w.-]/g, '_')}"` });
        pipeFile(out.path, res);
        return;
      }
      if (!hasHeaderToken) return void sendResult(res, 401, { ok: false, error: { code: 'UNAUTHORIZED', message: 'Missing or wrong studio token' } });
      const reqOrigin = req.headers.origin;
      if (reqOrigin && reqOrigin !== `http://127.0.0.1:${port}` && reqOrigin !== `http://localhost:${port}`) {
        return void sendResult(res, 403, { ok: false, error: { code: 'FORBIDDEN', message: 'Cross-origin call refused' } });
      }
      if (url.pathname === '/api/events' && req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
        res.write(': connected\n\n');
        streams.add(res);
        const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15000);
        req.on('close', () => {
          clearInterval(keepAlive);
          streams.delete(res);
        });
        return;
      }
      if (url.pathname.startsWith('/api/call/') && req.method === 'POST') {
        const channel = decodeURIComponent(url.pathname.slice('/api/call/'.length));
        let args: unknown;
        try {
          args = decodeWireMessage(await readBody(req, MAX_UPLOAD_BYTES + 1024 * 1024));
        } catch (err) {
          if (err instanceof BodyTooLargeError) {
            // 413 and close the connection: the rest of the upload is not read.
            res.setHeader('connection', 'close');
            return void sendResult(res, 413, { ok: false, error: { code: 'INVALID_INPUT', message: `Upload too large: ${err.message}` } });
          }
          return void sendResult(res, 400, { ok: false, error: { code: 'INVALID_INPUT', message: `Malformed request body: ${(err as Error).message}` } });
        }
        const result = await dispatchCall(service.handlers(), channel, args);
        return void sendResult(res, !result.ok && result.error.code === 'UNKNOWN_CHANNEL' ? 404 : 200, result);
      }
      return void sendResult(res, 404, { ok: false, error: { code: 'UNKNOWN_CHANNEL', message: `No API route ${req.method} ${url.pathname}` } });
    }

    if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405).end();
    if (!hasPageToken) {
      res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8' }).end('Avatar Studio: open the URL printed by `npm run studio:web` (it carries the session token).');
      return;
    }
    if (url.pathname === '/' || url.pathname === '/index.html') return html(res);
    const file = normalize(join(rendererDir, decodeURIComponent(url.pathname)));
    if (!file.startsWith(rendererDir + sep)) return void res.writeHead(403).end();
    const st = await stat(file).catch(() => null);
    if (!st?.isFile()) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
    // A worker script with its own policy (the KTX2 transcoder's: core/formats/gltfExtensions.ts) gets it here.
    const ownCsp = gltfDecoderFileCsp(url.pathname);
    res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream', 'content-length': st.size, 'x-content-type-options': 'nosniff', 'cache-control': 'no-cache', ...(ownCsp ? { 'content-security-policy': ownCsp } : {}) });
    pipeFile(file, res);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendResult(res, 500, { ok: false, error: { code: 'INTERNAL', message: (err as Error).message } });
      else res.end();
    });
  });
  try {
    await new Promise<void>((ok, fail) => {
      server.once('error', fail);
      server.listen(opts.port ?? 0, '127.0.0.1', () => ok());
    });
  } catch (err) {
    await service.dispose(); // removes its work folder
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new InvalidInputError(`Port ${opts.port} is already in use on 127.0.0.1: pick another with --port, or leave --port out for any free port`);
    if (code === 'EACCES') throw new InvalidInputError(`Port ${opts.port} needs privileges to listen on: use a port above 1023, or leave --port out`);
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/?token=${token}`,
    origin,
    port,
    token,
    service,
    async close() {
      for (const s of streams) s.end();
      streams.clear();
      const closed = new Promise<void>((ok) => server.close(() => ok()));
      server.closeAllConnections();
      await closed;
      await service.dispose();
    },
  };
}
