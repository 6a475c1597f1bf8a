import { describe, expect, it } from 'vitest';
import { facelessRanges } from '../../../../pipeline/host/drivingVideos.ts';

describe('facelessRanges', () => {
  it('merges consecutive faceless frames into ranges that end a frame after the last one', () => {
    const face = new Float32Array(3);
    const obs = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => ({ timeSec: i * 0.04, landmarksPx: [2, 3, 4, 7].includes(i) ? null : face }));
    const r = facelessRanges(obs, 0.04);
    expect(r).toHaveLength(2);
    expect(r[0]!.fromSec).toBeCloseTo(0.08, 9);
    expect(r[0]!.toSec).toBeCloseTo(0.2, 9);
    expect(r[1]!.fromSec).toBeCloseTo(0.28, 9);
    expect(r[1]!.toSec).toBeCloseTo(0.32, 9);
    expect(facelessRanges(obs.filter((o) => o.landmarksPx), 0.04)).toEqual([]);
  });
});
