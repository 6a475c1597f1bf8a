/** Studio wire messages from an untrusted page (issue 15): only referenced blobs are copied, no prototype keys. */
import { describe, expect, it } from 'vitest';
import { decodeWireMessage, encodeWireMessage } from '../../../../core/ipc/wire.ts';

/** Payload offset used by the hand-built messages below (past any of their JSON). */
const PAYLOAD_AT = 1 << 20;

/** A hand-built message: the encoder's magic, JSON length, `doc` as JSON, then `payload` at {@link PAYLOAD_AT}. */
function rawMessage(doc: unknown, payload: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(doc));
  const out = new Uint8Array(PAYLOAD_AT + payload.length);
  out.set(encodeWireMessage(0).subarray(0, 4), 0);
  new DataView(out.buffer).setUint32(4, json.length, true);
  out.set(json, 8);
  out.set(payload, PAYLOAD_AT);
  return out;
}

describe('decodeWireMessage', () => {
  it('a table of 2000 entries over one 8 MiB region, none referenced, copies nothing', () => {
    const msg = rawMessage({ v: { ok: true }, b: Array.from({ length: 2000 }, () => [PAYLOAD_AT, 8 << 20]) }, new Uint8Array(8 << 20));
    const before = process.memoryUsage().arrayBuffers;
    expect(decodeWireMessage(msg)).toEqual({ ok: true });
    // Before: every entry was sliced eagerly, 2000 × 8 MiB = 16 GiB (a crash, or seconds of copying).
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 << 20);
  });

  it('a blob referenced many times is copied once', () => {
    const out = decodeWireMessage(rawMessage({ v: [{ $bin: 0 }, { $bin: 0 }], b: [[PAYLOAD_AT, 3]] }, new Uint8Array([1, 2, 3]))) as ArrayBuffer[];
    expect(out[0]).toBe(out[1]);
    expect(Array.from(new Uint8Array(out[0]!))).toEqual([1, 2, 3]);
  });

  it('drops __proto__ keys: the decoded object keeps Object.prototype and gains no inherited fields', () => {
    const doc = JSON.parse('{"v":{"safe":1,"__proto__":{"isAdmin":true}},"b":[]}') as unknown;
    const out = decodeWireMessage(rawMessage(doc, new Uint8Array(0))) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(out.isAdmin).toBeUndefined();
    expect(out).toEqual({ safe: 1 });
  });
});
