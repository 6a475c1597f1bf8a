/**
 * The export page's port server (renderer/scene/exportPort.ts) on a real MessageChannel (worker_threads): it answers
 * only the protocol's method names and well-formed messages, passes a method's error back as one line, and sends
 * frames with their buffers transferred, each resolved by the host's acknowledgement.
 */
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import type { FromExportPage } from '../../../../core/render/exportPageProtocol.ts';
import { serveExportPort, type ExportPortLike } from '../../../../renderer/scene/exportPort.ts';

function setup(api: object): { sink: ReturnType<typeof serveExportPort>; received: FromExportPage[]; host: MessagePort; next: () => Promise<FromExportPage> } {
  const { port1, port2 } = new MessageChannel();
  const received: FromExportPage[] = [];
  let waiter: (() => void) | null = null;
  port1.on('message', (m: FromExportPage) => {
    received.push(m);
    waiter?.();
  });
  const sink = serveExportPort(port2 as unknown as ExportPortLike, api);
  let read = 0;
  const next = async (): Promise<FromExportPage> => {
    while (received.length <= read) await new Promise<void>((r) => (waiter = r));
    return received[read++]!;
  };
  return { sink, received, host: port1, next };
}

describe('export page port server', () => {
  it('answers calls of protocol methods, refuses other names and malformed messages, reports errors in one line', async () => {
    const calls: unknown[][] = [];
    const api = {
      cropFor: (...a: unknown[]) => {
        calls.push(a);
        return { xPx: 1, yPx: 2, widthPx: 3, heightPx: 4 };
      },
      loadTrack: () => {
        throw new Error('bad track\nstack line');
      },
      evil: () => calls.push(['evil']),
    };
    const { host, next } = setup(api);
    expect(await next()).toEqual({ type: 'ready' });
    host.postMessage({ type: 'call', callId: 1, method: 'evil', args: [] });
    host.postMessage({ type: 'call', callId: 2, method: 'cropFor', args: 'not an array' });
    host.postMessage({ type: 'call', callId: 3, method: 'cropFor', args: [640, 480, [1, 2, 3]] });
    expect(await next()).toEqual({ type: 'result', callId: 3, ok: true, value: { xPx: 1, yPx: 2, widthPx: 3, heightPx: 4 } });
    expect(calls).toEqual([[640, 480, [1, 2, 3]]]);
    host.postMessage({ type: 'call', callId: 4, method: 'loadTrack', args: [{}] });
    expect(await next()).toEqual({ type: 'result', callId: 4, ok: false, message: 'bad track' });
    // a known name the page does not implement
    host.postMessage({ type: 'call', callId: 5, method: 'benchSplats', args: [] });
    expect(await next()).toMatchObject({ type: 'result', callId: 5, ok: false, message: expect.stringMatching(/no method benchSplats/) });
    host.close();
  });

  it('copies frames until the host allows transfers, then transfers them (a view copied first); acks resolve them', async () => {
    const { sink, host, next } = setup({});
    await next();
    const copied = new Uint8Array([7, 7]);
    const c = sink('r0', 0, copied);
    expect(Array.from((await next() as { bytes: Uint8Array }).bytes)).toEqual([7, 7]);
    expect(copied.byteLength).toBe(2); // still the page's
    host.postMessage({ type: 'frameAck', requestId: 'r0', frameIndex: 0, ok: true });
    expect(await c).toBe(true);
    host.postMessage({ type: 'portOptions', transferFrames: true });
    await new Promise((r) => setTimeout(r, 20));
    const whole = new Uint8Array([1, 2, 3, 4]);
    const backing = new Uint8Array([9, 9, 5, 6, 7, 9]);
    const view = backing.subarray(2, 5);
    const a = sink('r1', 0, whole);
    const b = sink('r1', 1, view);
    const m0 = await next();
    const m1 = await next();
    expect(m0).toMatchObject({ type: 'frame', requestId: 'r1', frameIndex: 0 });
    expect(Array.from((m0 as { bytes: Uint8Array }).bytes)).toEqual([1, 2, 3, 4]);
    expect(Array.from((m1 as { bytes: Uint8Array }).bytes)).toEqual([5, 6, 7]);
    expect(whole.byteLength).toBe(0); // transferred
    expect(backing.byteLength).toBe(6); // the view's buffer stays (its bytes were copied)
    host.postMessage({ type: 'frameAck', requestId: 'r1', frameIndex: 1, ok: false });
    host.postMessage({ type: 'frameAck', requestId: 'r1', frameIndex: 0, ok: true });
    expect(await Promise.all([a, b])).toEqual([true, false]);
    host.close();
  });
});
