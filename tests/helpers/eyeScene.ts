/**
 * Shared set-up of the eye render tests and eye scripts (issue #12): the corpus portraits they use, a portrait loaded
 * into a render host with its rest expression and rig, the face posed as the photo heads pose it for a set of weights
 * (lids following the gaze), and the eye regions in output pixels (rest opening, posed upper-lid line, eye box).
 */
import { BS, type ArkitBlendshapeName } from '../../core/motion/names.ts';
import type { RenderHost } from '../../pipeline/render/renderHost.ts';
import { buildPhotoHeadRig, RIG_VERTEX_COUNT, type PhotoHeadRig } from '../../core/rig/rig.ts';
import { measureRestExpression } from '../../core/rig/restExpression.ts';
import { EYE_LEFT, EYE_RIGHT, type EyeRegion } from '../../core/rig/topology.ts';
import { poseWithGazeLids } from '../../renderer/head/eyelids.ts';
import { analyzePortrait, loadPortrait, pixelsInPolygon, referenceCrop, toOutputPx, type Portrait } from '../integration/render/helpers.ts';
import { lab, type Rgb } from './colour.ts';

/** The framing crop of a loaded portrait, photo px. */
type Crop = { xPx: number; yPx: number; widthPx: number; heightPx: number };

/**
 * Corpus portraits of the eye tests and scripts by short name: the landmark fixtures img01, img05, img06 and, analysed
 * live with the product's face analyzer, img02 (dark skin), img04 (glasses, painting), img07 (older man).
 */
export const EYE_PORTRAITS: Record<string, () => Promise<Portrait>> = {
  img01: () => loadPortrait('img01'),
  img05: () => loadPortrait('img05'),
  img06: () => loadPortrait('img06'),
  img02: () => analyzePortrait('images/img02_darkskin_ai_woman_rgba.png'),
  img04: () => analyzePortrait('images/img04_glasses_painting_ai_rgba.png'),
  img07: () => analyzePortrait('images/img07_oldman_photo_rgba.png'),
};

/** Eye poses of the contact sheets (scripts/contactSheets.ts) and eye scripts, by label: ARKit weights set on top of the rest expression. */
export const EYE_STATES: Record<string, Partial<Record<ArkitBlendshapeName, number>>> = {
  b0: {},
  'b.25': { eyeBlinkLeft: 0.25, eyeBlinkRight: 0.25 },
  'b.5': { eyeBlinkLeft: 0.5, eyeBlinkRight: 0.5 },
  'b.7': { eyeBlinkLeft: 0.7, eyeBlinkRight: 0.7 },
  'b.75': { eyeBlinkLeft: 0.75, eyeBlinkRight: 0.75 },
  b1: { eyeBlinkLeft: 1, eyeBlinkRight: 1 },
  squint: { eyeSquintLeft: 1, eyeSquintRight: 1 },
  wide: { eyeWideLeft: 1, eyeWideRight: 1 },
  down: { eyeLookDownLeft: 1, eyeLookDownRight: 1 },
  'down+b.5': { eyeLookDownLeft: 1, eyeLookDownRight: 1, eyeBlinkLeft: 0.5, eyeBlinkRight: 0.5 },
  // Side gaze (subject's right = image left): the right eye looks out and the left eye in, and the other way.
  left: { eyeLookOutRight: 1, eyeLookInLeft: 1 },
  right: { eyeLookInRight: 1, eyeLookOutLeft: 1 },
};

/** A portrait loaded into a render host, with what the eye measures need. */
export interface EyeScene {
  portrait: Portrait;
  /** The framing crop, photo px. */
  cropPx: Crop;
  /** The photo's rest expression (52 ARKit weights). */
  rest: Float32Array;
  rig: PhotoHeadRig;
  /** Output side, px (square renders). */
  sizePx: number;
  /** The photo's reference crop at the render size, RGBA bytes. */
  photo: Uint8Array;
}

/**
 * Loads a portrait into a render host (the mesh head, or the splat head with `splats`: loaded after the mesh head,
 * whose framing crop it shares, as photoHeadSplatsLids.test.ts compares them) and measures its rest expression and rig.
 * @param host - a launched render host of `sizePx`² output.
 * @param portrait - the portrait.
 * @param sizePx - the host's output side, px.
 * @param splats - load the splat head (`loadPortraitSplats`) instead of the mesh head.
 */
export async function loadEyeScene(host: RenderHost, portrait: Portrait, sizePx: number, splats = false): Promise<EyeScene> {
  // (The splat head frames the photo as the mesh head does: the crop is the mesh head's.)
  const info = await host.loadPortrait(portrait.image, portrait.face);
  if (splats) await host.loadPortraitSplats(portrait.image, portrait.face);
  const rest = measureRestExpression(portrait.face.landmarksPx, portrait.face.landmarkCount).weights;
  const rig = buildPhotoHeadRig(portrait.face.landmarksPx, portrait.face.landmarkCount);
  const photo = await referenceCrop(portrait.image, info.cropPx, sizePx, sizePx);
  return { portrait, cropPx: info.cropPx, rest, rig, sizePx, photo };
}

/**
 * The rest expression with eye weights set on top (each blink at least the photo's own).
 * @param scene - the scene.
 * @param set - weights to set, by ARKit name.
 * @returns 52 weights.
 */
export function eyeWeights(scene: EyeScene, set: Partial<Record<ArkitBlendshapeName, number>>): Float32Array {
  const w = Float32Array.from(scene.rest);
  for (const [name, v] of Object.entries(set)) w[BS[name as ArkitBlendshapeName]] = v;
  for (const b of [BS.eyeBlinkLeft, BS.eyeBlinkRight]) w[b] = Math.max(w[b] ?? 0, scene.rest[b] ?? 0);
  return w;
}

/**
 * The face posed for `weights` as the photo heads pose it (renderer/head/eyelids.ts `poseWithGazeLids`: lids following
 * the gaze), photo px `[468, 3]`.
 */
export function posedFace(scene: EyeScene, weights: Float32Array): Float32Array {
  const out = new Float32Array(RIG_VERTEX_COUNT * 3);
  poseWithGazeLids(scene.rig, weights, new Float32Array(4), scene.rest, new Float32Array(weights.length), out);
  return out;
}

/** Both eyes' regions, subject's right then left. */
export const EYES: EyeRegion[] = [EYE_RIGHT, EYE_LEFT];

/**
 * The posed upper-lid line of one eye in output px (corner, lid points, corner; piecewise linear in x).
 * @returns y (output px, fractional) at output x; Infinity outside the eye's corners.
 */
export function upperLidY(scene: EyeScene, posedPx: Float32Array, region: EyeRegion): (x: number) => number {
  const lid = [region.lower0[0]!, ...region.upper0, region.lower0.at(-1)!].map((i) => toOutputPx(scene.cropPx, scene.sizePx, scene.sizePx, posedPx[i * 3]!, posedPx[i * 3 + 1]!)).sort((a, c) => a[0] - c[0]);
  return (x: number): number => {
    for (let j = 0; j + 1 < lid.length; j++) {
      const [ax, ay] = lid[j]!;
      const [bx, by] = lid[j + 1]!;
      if (x >= ax && x <= bx) return ay + ((by - ay) * (x - ax)) / Math.max(1e-6, bx - ax);
    }
    return Infinity;
  };
}

/** The rest eye opening's output pixel indices (`y·size + x`), inset `insetPx`. */
export function restOpening(scene: EyeScene, region: EyeRegion, insetPx = 1): number[] {
  return pixelsInPolygon(scene.rig.restPx, [...region.upper0, ...[...region.lower0].reverse()], scene.cropPx, scene.sizePx, insetPx);
}

/** The rest opening's pixels below the posed upper-lid line (what the lid leaves of the eye). */
export function gapBelowLid(scene: EyeScene, posedPx: Float32Array, region: EyeRegion, insetPx = 1): number[] {
  const lidY = upperLidY(scene, posedPx, region);
  const S = scene.sizePx;
  return restOpening(scene, region, insetPx).filter((i) => Math.floor(i / S) + 0.5 > lidY((i % S) + 0.5));
}

/** An eye's rest landmarks in output px: corners-to-corners extent, opening height and iris. */
export interface EyeBoxPx {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  /** Rest opening height (lowest lower-lid point − highest upper-lid point), px. */
  heightPx: number;
  /** Iris centre and radius, output px. */
  irisC: [number, number];
  irisR: number;
}

/** The rest eye's box in output px ({@link EyeBoxPx}); `k` 0 = subject's right eye, 1 = left. */
export function eyeBox(scene: EyeScene, k: number): EyeBoxPx {
  const region = EYES[k]!;
  const S = scene.sizePx;
  const pts = [...region.upper0, ...region.lower0].map((i) => toOutputPx(scene.cropPx, S, S, scene.rig.restPx[i * 3]!, scene.rig.restPx[i * 3 + 1]!));
  const xs = pts.map((q) => q[0]);
  const ys = pts.map((q) => q[1]);
  const eye = scene.rig.eyes[k]!;
  return {
    x0: Math.min(...xs),
    x1: Math.max(...xs),
    y0: Math.min(...ys),
    y1: Math.max(...ys),
    heightPx: Math.max(...ys) - Math.min(...ys),
    irisC: toOutputPx(scene.cropPx, S, S, eye.irisCenterPx[0], eye.irisCenterPx[1]),
    irisR: (eye.irisRadiusPx * S) / scene.cropPx.widthPx,
  };
}

/** CIELAB L* (D65) of output pixel `i` of an RGBA image. */
export const lStar = (rgba: Uint8Array, i: number): number => lab([rgba[i * 4]!, rgba[i * 4 + 1]!, rgba[i * 4 + 2]!] as Rgb)[0];
