/** Web host request limits (issue 15): an over-limit upload is answered 413 at once, from its declared length. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_UPLOAD_BYTES } from '../../../../core/ipc/contract.ts';
import { decodeWireMessage } from '../../../../core/ipc/wire.ts';
import { startWebHost, type WebHost } from '../../../../pipeline/host/webHost.ts';
import { rawRequest, type RawResponse } from '../../../helpers/webHostHttp.ts';

let host: WebHost;
let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'webhost-limits-'));
  await writeFile(join(root, 'index.html'), '<!doctype html><html><head><title>t</title></head><body></body></html>');
  host = await startWebHost({ rendererDir: root, service: { workDir: join(root, 'work'), ownsWorkDir: true, outDir: join(root, 'out'), settingsPath: join(root, 'data', 'settings.json') } });
});
afterAll(async () => {
  await host?.close();
  await rm(root, { recursive: true, force: true });
});

describe('web host limits', () => {
  it('a body declared over the upload limit gets 413 within seconds, without sending it', async () => {
    const declared = MAX_UPLOAD_BYTES + 2 * 1024 * 1024;
    const timeout = new Promise<RawResponse>((_, fail) => setTimeout(() => fail(new Error('no answer within 5 s (the host waited for the whole body)')), 5000));
    const r = await Promise.race([
      rawRequest(host.port, '/api/call/studio:project.new', { method: 'POST', headers: { 'x-studio-token': host.token, origin: host.origin, 'content-length': String(declared), 'content-type': 'application/octet-stream' }, body: new Uint8Array(16) }),
      timeout,
    ]);
    expect(r.status).toBe(413);
    const result = decodeWireMessage(new Uint8Array(r.body)) as { ok: boolean; error: { message: string } };
    expect(result.ok).toBe(false);
    expect(result.error.message).toMatch(/too large/);
  });
});
