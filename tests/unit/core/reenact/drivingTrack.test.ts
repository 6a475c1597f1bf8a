import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APERTURE_SHAPES, type DrivingObservation } from '../../../../core/reenact/drivingTrack.ts';
import { ARKIT_BLENDSHAPE_COUNT, ARKIT_BLENDSHAPE_NAMES, BS } from '../../../../core/motion/names.ts';
import { expressionFeatures, measureRestExpression, neutralExpressionFeatures, TRACKER_FEATURE_GAINS } from '../../../../core/rig/restExpression.ts';
import { buildPhotoHeadRig, evaluateRig, evaluateRigRelative } from '../../../../core/rig/rig.ts';
import { EYE_LEFT, EYE_RIGHT } from '../../../../core/rig/topology.ts';
import { drivingTrackFromObservations } from '../../../../pipeline/reenact/drivingVideo.ts';

/** Stored landmarks of a fixture portrait (tests/fixtures/landmarks: real photos analysed by our face pipeline). */
function fixture(name: string): Float32Array {
  const j = JSON.parse(readFileSync(resolve(process.cwd(), 'tests/fixtures/landmarks', `${name}.json`), 'utf8')) as { landmarksPx: number[] };
  return Float32Array.from(j.landmarksPx);
}

const FPS = { num: 25, den: 1 };
const clip = (frames: Float32Array[]): DrivingObservation[] => frames.map((lm, i) => ({ timeSec: i / 25, landmarksPx: lm }));
const frameOf = (b: Float32Array, f: number): Float32Array => b.subarray(f * ARKIT_BLENDSHAPE_COUNT, (f + 1) * ARKIT_BLENDSHAPE_COUNT);

describe('driving track: lip aperture absolute, the rest relative to the portrait', () => {
  it('a portrait driven by itself gets exactly its rest expression on every frame (the rest frame reproduces the photo)', () => {
    // The astronaut: open smile (jaw ≈ 0.5, smiles > 0.3). Before, the driver's 5th-percentile neutral was subtracted:
    // a clip that never changes lost its whole expression (jaw, smile 0: the photo's mouth closed on frame 0).
    const lm = fixture('astronaut');
    const rest = measureRestExpression(lm, lm.length / 3).weights;
    const { track } = drivingTrackFromObservations(clip(Array.from({ length: 10 }, () => lm)), FPS, 10, undefined, { portraitRest: rest });
    for (let f = 0; f < 10; f++) {
      const w = frameOf(track.blendshapes, f);
      for (let k = 0; k < ARKIT_BLENDSHAPE_COUNT; k++) expect(Math.abs(w[k]! - rest[k]!), `${ARKIT_BLENDSHAPE_NAMES[k]} frame ${f}`).toBeLessThan(1e-3);
    }
    expect(rest[BS.jawOpen]!).toBeGreaterThan(0.15);
    expect(rest[BS.mouthSmileLeft]!).toBeGreaterThan(0.3);
  });

  it('a driver that never closes its lips keeps its measured opening (no neutral subtracted from the aperture shapes)', () => {
    const lm = fixture('astronaut');
    const measured = measureRestExpression(lm, lm.length / 3).weights;
    const { track, report } = drivingTrackFromObservations(clip(Array.from({ length: 8 }, () => lm)), FPS, 8);
    const w = frameOf(track.blendshapes, 7);
    for (const k of APERTURE_SHAPES) {
      expect(Math.abs(w[k]! - measured[k]!), ARKIT_BLENDSHAPE_NAMES[k]).toBeLessThan(1e-3);
      expect(report.driverNeutral[k]).toBe(0);
    }
    // Identity-prone shapes without a portrait rest: still the driver's value above its own neutral (0 here).
    expect(w[BS.mouthSmileLeft]!).toBeLessThan(1e-3);
  });

  it('a closed neutral driver opening into a smile moves a portrait\'s own expression by that change', () => {
    const closed = fixture('img01');
    const open = fixture('astronaut');
    const mClosed = measureRestExpression(closed, closed.length / 3).weights;
    const mOpen = measureRestExpression(open, open.length / 3).weights;
    // The portrait: img01 itself (closed, neutral), its rest as measured.
    const { track, report } = drivingTrackFromObservations(clip([...Array.from({ length: 6 }, () => closed), ...Array.from({ length: 30 }, () => open)]), FPS, 36, undefined, { portraitRest: mClosed });
    expect(report.referenceIndex).toBe(0);
    const first = frameOf(track.blendshapes, 0);
    const last = frameOf(track.blendshapes, 35);
    for (let k = 0; k < ARKIT_BLENDSHAPE_COUNT; k++) expect(Math.abs(first[k]! - mClosed[k]!)).toBeLessThan(1e-3);
    // The driver's frames are read against its own neutral (the reference frame with its expression undone), so the
    // change is the open frame's reading against that neutral minus the reference's own.
    const neutral = neutralExpressionFeatures(closed, closed.length / 3, mClosed);
    // (the lip aperture held at each frame's absolute reading)
    const read = (lm: Float32Array, absolute: Float32Array): number => measureRestExpression(lm, lm.length / 3, { neutral, fixed: { shapes: APERTURE_SHAPES, weights: absolute } }).weights[BS.mouthSmileLeft]!;
    const change = read(open, mOpen) - read(closed, mClosed);
    expect(change).toBeGreaterThan(0.1);
    const expectSmile = Math.min(1, mClosed[BS.mouthSmileLeft]! + change);
    console.log(`smile L: portrait ${mClosed[BS.mouthSmileLeft]!.toFixed(3)} → ${last[BS.mouthSmileLeft]!.toFixed(3)} (expected ${expectSmile.toFixed(3)}); jaw ${last[BS.jawOpen]!.toFixed(3)} (driver ${mOpen[BS.jawOpen]!.toFixed(3)})`);
    expect(last[BS.mouthSmileLeft]!).toBeCloseTo(expectSmile, 2);
    expect(last[BS.jawOpen]!).toBeCloseTo(mOpen[BS.jawOpen]!, 2);
  });

  it('follows the driver without lag: a 3 Hz jaw on the rig is tracked at lag 0 (the causal filter lagged a frame)', () => {
    const lm = fixture('img01');
    const rig = buildPhotoHeadRig(lm, lm.length / 3);
    const n = 50;
    const jaw = Array.from({ length: n }, (_, f) => 0.3 + 0.25 * Math.sin(2 * Math.PI * 3 * (f / 25)));
    const frames = jaw.map((j) => {
      const w = new Float32Array(ARKIT_BLENDSHAPE_COUNT);
      w[BS.jawOpen] = j;
      const out = Float32Array.from(lm);
      out.set(evaluateRig(rig, w, new Float32Array(468 * 3)));
      return out;
    });
    const { track } = drivingTrackFromObservations(clip(frames), FPS, n);
    const got = Array.from({ length: n }, (_, f) => track.blendshapes[f * ARKIT_BLENDSHAPE_COUNT + BS.jawOpen]!);
    const corrAt = (lag: number): number => {
      const a = got.slice(5 + lag, n - 5 + lag);
      const b = jaw.slice(5, n - 5);
      const ma = a.reduce((x, y) => x + y, 0) / a.length;
      const mb = b.reduce((x, y) => x + y, 0) / b.length;
      let sab = 0;
      let saa = 0;
      let sbb = 0;
      a.forEach((x, i) => {
        sab += (x - ma) * (b[i]! - mb);
        saa += (x - ma) ** 2;
        sbb += (b[i]! - mb) ** 2;
      });
      return sab / Math.sqrt(saa * sbb);
    };
    const byLag = [-2, -1, 0, 1, 2].map((lag) => ({ lag, r: corrAt(lag) }));
    console.log(byLag.map((x) => `${x.lag}: ${x.r.toFixed(3)}`).join(', '));
    const best = byLag.reduce((a, b) => (b.r > a.r ? b : a));
    expect(best.lag).toBe(0);
    expect(best.r).toBeGreaterThan(0.95);
  });
});

describe('driving track: head translation is the pivot\'s displacement', () => {
  it('a driver turning 20° about its upper neck (no slide) gets < 0.3 cm head translation; the same turn plus a 2 cm slide reads as that slide', async () => {
    // img01's landmarks rotated about the pivot the photo head turns about (core/rig/rig.ts headPivotPx). Before, the
    // face centroid's shift was taken as translation, on top of the turn: a child's glance slid the head sideways.
    const { headPivotPx } = await import('../../../../core/rig/rig.ts');
    const lm = fixture('img01');
    const pivot = headPivotPx(buildPhotoHeadRig(lm, lm.length / 3).frame);
    const turned = (yawRad: number, slidePx: number): Float32Array => {
      const out = new Float32Array(lm.length);
      const c = Math.cos(yawRad);
      const s = Math.sin(yawRad);
      for (let v = 0; v < lm.length / 3; v++) {
        const x = lm[v * 3]! - pivot[0];
        const z = lm[v * 3 + 2]! - pivot[2];
        out[v * 3] = pivot[0] + c * x + s * z + slidePx;
        out[v * 3 + 1] = lm[v * 3 + 1]!;
        out[v * 3 + 2] = pivot[2] - s * x + c * z;
      }
      return out;
    };
    const frames = [...Array.from({ length: 5 }, () => lm), ...Array.from({ length: 10 }, () => turned(0.35, 0))];
    const { track } = drivingTrackFromObservations(clip(frames), FPS, 15);
    const tx = track.headTranslationM[14 * 3]!;
    const q = track.headRotation.subarray(14 * 4, 15 * 4);
    const angleDeg = (2 * Math.acos(Math.min(1, Math.abs(q[3]!))) * 180) / Math.PI;
    console.log(`turn ${angleDeg.toFixed(1)}°: tx ${(tx * 100).toFixed(2)} cm`);
    expect(angleDeg).toBeGreaterThan(15);
    expect(Math.abs(tx)).toBeLessThan(0.003);
    // the same turn with the whole head slid by 0.3 IOD (≈ 1.9 cm at 63 mm IOD) → that slide, ±25 %
    const iodPx = buildPhotoHeadRig(lm, lm.length / 3).frame.iodPx;
    const slid = drivingTrackFromObservations(clip([...Array.from({ length: 5 }, () => lm), ...Array.from({ length: 10 }, () => turned(0.35, 0.3 * iodPx))]), FPS, 15).track;
    const tx2 = slid.headTranslationM[14 * 3]!;
    console.log(`turn + slide: tx ${(tx2 * 100).toFixed(2)} cm (expected ≈ ${(0.3 * 6.3).toFixed(2)})`);
    expect(tx2).toBeGreaterThan(0.3 * 0.063 * 0.75);
    expect(tx2).toBeLessThan(0.3 * 0.063 * 1.25);
  });
});

describe('driving track: lids and brows at the size the driver showed them', () => {
  const lm = fixture('img01');
  const rig = buildPhotoHeadRig(lm, lm.length / 3);
  const posed = (weights: Partial<Record<(typeof ARKIT_BLENDSHAPE_NAMES)[number], number>>): Float32Array => {
    const w = new Float32Array(ARKIT_BLENDSHAPE_COUNT);
    for (const [k, v] of Object.entries(weights)) w[BS[k as keyof typeof BS]] = v;
    const out = Float32Array.from(lm);
    out.set(evaluateRig(rig, w, new Float32Array(468 * 3)));
    return out;
  };

  it('widened eyes are not read as lowered brows (brows measured above the eye corners, not the lid contour\'s centre)', () => {
    const rest = measureRestExpression(lm, lm.length / 3).weights;
    const neutral = neutralExpressionFeatures(lm, lm.length / 3, rest);
    // Real wide-open eyes lift the upper lids further than the rig's eyeWide reaches (vid03/vid06 read browDown 0.5–1):
    // eyeWide 1 plus the upper lid contours raised another 0.04 IOD.
    const wide = posed({ eyeWideLeft: 1, eyeWideRight: 1 });
    const { ey, iodPx } = rig.frame;
    for (const i of [...EYE_RIGHT.upper0, ...EYE_LEFT.upper0]) {
      wide[i * 3] = wide[i * 3]! - 0.04 * iodPx * ey[0];
      wide[i * 3 + 1] = wide[i * 3 + 1]! - 0.04 * iodPx * ey[1];
    }
    const read = measureRestExpression(wide, wide.length / 3, { neutral, fixed: { shapes: APERTURE_SHAPES, weights: rest }, featureGains: new Array(TRACKER_FEATURE_GAINS.length).fill(1) }).weights;
    console.log(`eyeWide 1 + lids 0.04 IOD higher read as eyeWide ${read[BS.eyeWideLeft]!.toFixed(2)} / ${read[BS.eyeWideRight]!.toFixed(2)}, browDown ${read[BS.browDownLeft]!.toFixed(2)} / ${read[BS.browDownRight]!.toFixed(2)}`);
    expect(read[BS.eyeWideLeft]!).toBeGreaterThan(0.8);
    expect(read[BS.browDownLeft]!).toBeLessThan(0.05);
    expect(read[BS.browDownRight]!).toBeLessThan(0.05);
  });

  it('a driver\'s lid and brow changes reach the portrait divided by the tracker\'s response gain (eye opening 0.66; brows 1)', () => {
    const rest = measureRestExpression(lm, lm.length / 3).weights;
    const driver = posed({ eyeWideLeft: 0.15, eyeWideRight: 0.15, browInnerUp: 0.15 });
    const { track } = drivingTrackFromObservations(clip([...Array.from({ length: 6 }, () => lm), ...Array.from({ length: 20 }, () => driver)]), FPS, 26, undefined, { portraitRest: rest });
    const features = (w: Float32Array): Float64Array => expressionFeatures(evaluateRigRelative(rig, w, rest, new Float32Array(468 * 3)), 468);
    const f0 = features(frameOf(track.blendshapes, 0));
    const f1 = features(frameOf(track.blendshapes, 25));
    const d0 = expressionFeatures(lm, lm.length / 3);
    const d1 = expressionFeatures(driver, driver.length / 3);
    const ratio = (j: number): number => (f1[j]! - f0[j]!) / (d1[j]! - d0[j]!);
    const eyes = (ratio(10) + ratio(11)) / 2;
    const brows = (ratio(12) + ratio(14)) / 2;
    console.log(`portrait change / driver change: eye opening ${eyes.toFixed(2)} (1 / gain ${(1 / TRACKER_FEATURE_GAINS[10]!).toFixed(2)}), inner brows ${brows.toFixed(2)} (${(1 / TRACKER_FEATURE_GAINS[12]!).toFixed(2)})`);
    expect(eyes).toBeGreaterThan(0.8 / TRACKER_FEATURE_GAINS[10]!);
    expect(eyes).toBeLessThan(1.2 / TRACKER_FEATURE_GAINS[10]!);
    expect(brows).toBeGreaterThan(0.8 / TRACKER_FEATURE_GAINS[12]!);
    expect(brows).toBeLessThan(1.2 / TRACKER_FEATURE_GAINS[12]!);
  });

  it('a driver\'s mouth-width change reaches the portrait divided by the in-video tracker gain 0.6 (issue 12: mouths moved at half size)', () => {
    const rest = measureRestExpression(lm, lm.length / 3).weights;
    const driver = posed({ mouthPucker: 0.2 });
    const { track } = drivingTrackFromObservations(clip([...Array.from({ length: 6 }, () => lm), ...Array.from({ length: 20 }, () => driver)]), FPS, 26, undefined, { portraitRest: rest });
    const features = (w: Float32Array): Float64Array => expressionFeatures(evaluateRigRelative(rig, w, rest, new Float32Array(468 * 3)), 468);
    const f0 = features(frameOf(track.blendshapes, 0));
    const f1 = features(frameOf(track.blendshapes, 25));
    const d0 = expressionFeatures(lm, lm.length / 3);
    const d1 = expressionFeatures(driver, driver.length / 3);
    const width = (f1[5]! - f0[5]!) / (d1[5]! - d0[5]!);
    console.log(`mouth width: driver change ${(d1[5]! - d0[5]!).toFixed(3)} IOD, portrait change / driver change ${width.toFixed(2)} (1 / 0.6 = 1.67; main, gain 1: ≈ 1)`);
    expect(width).toBeGreaterThan(0.8 / 0.6);
    expect(width).toBeLessThan(1.2 / 0.6);
  });
});
