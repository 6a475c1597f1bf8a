import { describe, expect, it } from 'vitest';
import { BS } from '../../../../core/motion/names.ts';
import { vrmExpressionWeights } from '../../../../core/formats/vrmExpressions.ts';
import { MOOD_OFFSETS } from '../../../../core/motion/nonverbal.ts';

const ALL = new Set(['aa', 'ih', 'ou', 'ee', 'oh', 'blink', 'blinkLeft', 'blinkRight', 'happy', 'angry', 'sad', 'relaxed', 'surprised']);
const vis = (name: number, w = 1): Float32Array => {
  const v = new Float32Array(15);
  v[name] = w;
  return v;
};

describe('vrmExpressionWeights', () => {
  it('maps the OVR vowels onto the VRM mouth presets', () => {
    expect(Object.fromEntries(vrmExpressionWeights(new Float32Array(52), vis(10), ALL))).toMatchObject({ aa: 1, ih: 0, ou: 0, ee: 0, oh: 0 });
    expect(vrmExpressionWeights(new Float32Array(52), vis(11), ALL).get('ee')).toBe(1);
    expect(vrmExpressionWeights(new Float32Array(52), vis(14, 0.5), ALL).get('ou')).toBe(0.5);
    // PP (lips closed) keeps the mouth shut.
    const pp = vrmExpressionWeights(new Float32Array(52), vis(1), ALL);
    expect(['aa', 'ih', 'ou', 'ee', 'oh'].map((n) => pp.get(n))).toEqual([0, 0, 0, 0, 0]);
  });
  it('caps the mouth sum at 1 and falls back to the ARKit mouth without visemes', () => {
    const v = new Float32Array(15);
    v[10] = 1;
    v[13] = 1;
    const w = vrmExpressionWeights(new Float32Array(52), v, ALL);
    expect(w.get('aa')).toBeCloseTo(0.5, 6);
    expect(w.get('oh')).toBeCloseTo(0.5, 6);
    const bs = new Float32Array(52);
    bs[BS.jawOpen] = 0.6;
    bs[BS.mouthFunnel] = 0.2;
    const a = vrmExpressionWeights(bs, new Float32Array(15), ALL);
    expect(a.get('aa')).toBeCloseTo(0.6, 6);
    expect(a.get('oh')).toBeCloseTo(0.2, 6);
  });
  it('blinks per eye when the model has both, else through `blink`; only names the model has', () => {
    const bs = new Float32Array(52);
    bs[BS.eyeBlinkLeft] = 1;
    expect(vrmExpressionWeights(bs, new Float32Array(15), ALL).get('blinkLeft')).toBe(1);
    expect(vrmExpressionWeights(bs, new Float32Array(15), ALL).get('blinkRight')).toBe(0);
    const only = vrmExpressionWeights(bs, new Float32Array(15), new Set(['blink']));
    expect([...only.entries()]).toEqual([['blink', 0.5]]);
  });
  it('reads each full-intensity mood of the track back as its emotion preset', () => {
    for (const [mood, preset] of [['happy', 'happy'], ['sad', 'sad'], ['angry', 'angry'], ['surprised', 'surprised']] as const) {
      const bs = new Float32Array(52);
      for (const [name, w] of Object.entries(MOOD_OFFSETS[mood])) bs[BS[name as keyof typeof BS]] = w!;
      const w = vrmExpressionWeights(bs, new Float32Array(15), ALL);
      expect(w.get(preset)).toBeCloseTo(1, 5);
      for (const other of ['happy', 'sad', 'angry', 'surprised'].filter((n) => n !== preset)) expect(w.get(other)!).toBeLessThan(0.35);
    }
  });
});
