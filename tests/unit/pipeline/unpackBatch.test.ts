import { describe, expect, it } from 'vitest';
import { unpackBatch } from '../../../pipeline/render/renderHost.ts';

/** Builds a batch the way renderer/scene/exportPage.ts packBatch does: [uint32 LE length][bytes] repeated. */
function batchOf(units: number[][]): Uint8Array {
  const out: number[] = [];
  for (const u of units) out.push(u.length & 255, (u.length >> 8) & 255, (u.length >> 16) & 255, u.length >>> 24, ...u);
  return Uint8Array.from(out);
}

describe('unpackBatch (in-page H.264 access units, several per POST)', () => {
  it('splits length-prefixed units in order, including an empty one and a 300-byte one', () => {
    const big = Array.from({ length: 300 }, (_, i) => (i * 7) & 255);
    const units = unpackBatch(batchOf([[0, 0, 0, 1, 0x65], [], big]))!;
    expect(units.map((u) => u.length)).toEqual([5, 0, 300]);
    expect(Array.from(units[0]!)).toEqual([0, 0, 0, 1, 0x65]);
    expect(Array.from(units[2]!)).toEqual(big);
  });
  it('rejects a body whose lengths do not add up', () => {
    const ok = batchOf([[1, 2, 3]]);
    expect(unpackBatch(ok.subarray(0, ok.length - 1))).toBeNull();
    expect(unpackBatch(Uint8Array.from([1, 0]))).toBeNull();
  });
});
