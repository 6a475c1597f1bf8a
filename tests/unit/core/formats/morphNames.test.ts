import { describe, expect, it } from 'vitest';
import { applyMorphWeights, arkitIndexForMorph, buildMorphMap, visemeIndexForMorph } from '../../../../core/formats/morphNames.ts';
import { ARKIT_BLENDSHAPE_NAMES } from '../../../../core/motion/names.ts';
import { BS } from '../../../../core/motion/names.ts';
import { TALKINGHEAD_VISEMES } from '../../../fixtures/avatars/makeFixtures.ts';

describe('morph name map', () => {
  it('finds ARKit names with prefixes, case changes and _L/_R suffixes', () => {
    expect(arkitIndexForMorph('jawOpen')).toBe(BS.jawOpen);
    expect(arkitIndexForMorph('blendShape1.jawOpen')).toBe(BS.jawOpen);
    expect(arkitIndexForMorph('ARKit_JawOpen')).toBe(BS.jawOpen);
    expect(arkitIndexForMorph('eyeBlink_L')).toBe(BS.eyeBlinkLeft);
    expect(arkitIndexForMorph('mouthSmile_R')).toBe(BS.mouthSmileRight);
    expect(arkitIndexForMorph('viseme_aa')).toBe(-1);
    expect(arkitIndexForMorph('smile')).toBe(-1);
  });
  it('maps the TalkingHead viseme names (I/O/U are OVR ih/oh/ou) in OVR order', () => {
    expect(TALKINGHEAD_VISEMES.map(visemeIndexForMorph)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    expect(visemeIndexForMorph('aa')).toBe(-1); // no prefix, not a viseme
    expect(visemeIndexForMorph('viseme_ih')).toBe(12);
  });
  it('builds tables for a LAM-like dictionary (51 shuffled ARKit names, no tongueOut) and writes weights by name', () => {
    const names = ARKIT_BLENDSHAPE_NAMES.filter((n) => n !== 'tongueOut').slice().reverse();
    const dict = Object.fromEntries(names.map((n, i) => [n, i]));
    const map = buildMorphMap(dict);
    expect(map.arkitCount).toBe(51);
    expect(map.visemeCount).toBe(0);
    expect(map.arkit[BS.tongueOut]).toBe(-1);
    expect(map.arkit[BS.jawOpen]).toBe(names.indexOf('jawOpen'));
    const influences = new Array(51).fill(0);
    const bs = new Float32Array(52);
    bs[BS.jawOpen] = 0.75;
    bs[BS.tongueOut] = 1;
    applyMorphWeights(influences, map, bs, new Float32Array(15));
    expect(influences[names.indexOf('jawOpen')]).toBe(0.75);
    expect(influences.reduce((a, b) => a + b, 0)).toBe(0.75);
  });
  it('drives viseme morphs only on a mesh without ARKit jawOpen (no double mouth on Ready Player Me-style meshes)', () => {
    const both = buildMorphMap(Object.fromEntries([...ARKIT_BLENDSHAPE_NAMES, ...TALKINGHEAD_VISEMES].map((n, i) => [n, i])));
    const visOnly = buildMorphMap(Object.fromEntries(TALKINGHEAD_VISEMES.map((n, i) => [n, i])));
    expect([both.visemesDriveMouth, visOnly.visemesDriveMouth]).toEqual([false, true]);
    const bs = new Float32Array(52);
    bs[BS.jawOpen] = 0.5;
    const vis = new Float32Array(15);
    vis[10] = 0.8; // aa
    const a = new Array(67).fill(0.3);
    applyMorphWeights(a, both, bs, vis);
    expect([a[BS.jawOpen], a[52 + 10]]).toEqual([0.5, 0]);
    const v = new Array(15).fill(0);
    applyMorphWeights(v, visOnly, bs, vis);
    expect(v[10]).toBeCloseTo(0.8, 6);
  });
});
