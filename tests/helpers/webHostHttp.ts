/**
 * Test helper: raw HTTP requests and wire-format API calls against a running web host
 * (pipeline/host/webHost.ts). `fetch` cannot set the Host header, so requests go through node:http.
 */
import { request } from 'node:http';
import { decodeWireMessage, encodeWireMessage, WIRE_CONTENT_TYPE } from '../../core/ipc/wire.ts';
import type { Result } from '../../core/errors.ts';

/** Status, headers and body of one response. */
export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/**
 * One HTTP request to 127.0.0.1:`port`.
 * @param port - the host's port.
 * @param path - path and query.
 * @param opts - method (default GET), headers, body.
 * @returns the response, whatever its status.
 */
export function rawRequest(port: number, path: string, opts: { method?: string; headers?: Record<string, string>; body?: Uint8Array } = {}): Promise<RawResponse> {
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port, path, method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => ok({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', fail);
    if (opts.body) req.write(opts.body);
    req.end();
  });
}

/**
 * Calls one API channel with the session token (`POST /api/call/<channel>`, wire-format body).
 * @returns the HTTP status and the decoded `Result`.
 */
export async function callChannel<T = Record<string, unknown>>(port: number, token: string, channel: string, args: unknown): Promise<{ status: number; result: Result<T> }> {
  const res = await rawRequest(port, `/api/call/${channel}`, { method: 'POST', headers: { 'x-studio-token': token, 'content-type': WIRE_CONTENT_TYPE }, body: encodeWireMessage(args) });
  return { status: res.status, result: decodeWireMessage(new Uint8Array(res.body)) as Result<T> };
}
