import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PHONE_CLASS_NAMES, classPosteriors } from '../../../../core/audio/phoneClasses.ts';
import { PHONE_CLASS_PROTOTYPES } from '../../../../core/audio/phonePrototypes.ts';
import { derivePrototypes } from '../../../../scripts/deriveVisemePrototypes.ts';

describe('broad phone class prototypes', () => {
  it('the committed constants are exactly what the derivation script computes from gt01+gt02', async () => {
    const { protos, counts } = await derivePrototypes(resolve(process.cwd(), '../shared/corpus'), ['gt01', 'gt02']);
    expect(protos).toEqual(PHONE_CLASS_PROTOTYPES);
    expect(counts).toEqual([727, 173, 169, 618, 315, 558]);
  });

  it('posteriors sum to 1 and a class mean is classified as its class', () => {
    const out = new Float64Array(PHONE_CLASS_NAMES.length);
    PHONE_CLASS_PROTOTYPES.means.forEach((mean, k) => {
      classPosteriors(mean, out);
      expect(out.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 9);
      expect(out.indexOf(Math.max(...out)), PHONE_CLASS_NAMES[k]).toBe(k);
    });
  });
});
