/**
 * The colour of the light on a portrait's face, measured on the face itself (the whites of the eyes), not on the
 * whole image: a grey-world estimate over the image takes the background's colour for the light's (a warm wooden
 * wall gives golden teeth), the sclera does not.
 *
 * @remarks Pure (no DOM).
 * - Sclera: pixels inside each eye's contour (MediaPipe `EYE_*_CONTOUR`), at least `max(1 px, 0.015 IOD)` inside it
 *   (off the lash line), and outside the iris disc grown by 25 % (the 478-point mesh's refined iris, centre + mean
 *   radius of its 4 rim points; without iris points, a disc at the eye's centroid with the mean human iris radius,
 *   5.9 mm of a 30 mm eye opening ≈ 0.2 of the corner-to-corner width — Hashemi et al. 2015, "White-to-white corneal
 *   diameter distribution", J Curr Ophthalmol). Of these, the brighter half by Rec. 601 luma, then the less
 *   saturated 60 % of those (HSV saturation; shadowed sclera, iris remnants, veins and skin are darker or more
 *   colourful), then a 10 %-trimmed mean per channel.
 * - What the sclera stands for is the caller's choice: its colour is the light's colour times a near-white,
 *   slightly yellow tissue albedo (a known-white-surface variant of white-patch colour constancy, Land & McCann
 *   1971). core/face/mouthInterior.ts takes it as the colour of near-white enamel under the same light.
 * - Rejected (→ `null`, the caller assumes a white-balanced photo) when fewer than 8 pixels qualify (closed or tiny
 *   eyes, sunglasses) or the estimate is redder than the cheeks' skin (lid skin, not sclera; see
 *   {@link SCLERA_MIN_BLUE_RED_VS_SKIN}; cheeks: patches of radius 0.04 IOD at mesh points 205 and 425). A grayscale
 *   photo passes (ratio 1) with a grey sclera.
 */
import { EYE_LEFT_CONTOUR, EYE_LEFT_INNER, EYE_LEFT_OUTER, EYE_RIGHT_CONTOUR, EYE_RIGHT_INNER, EYE_RIGHT_OUTER, IRIS_LEFT_START, IRIS_POINT_COUNT, IRIS_RIGHT_START } from './topology.ts';
import { signedDistanceToPolygon } from '../math/polygon.ts';

/**
 * Least ratio of the sclera's blue/red to the cheeks' blue/red for the estimate to count as sclera (not lid skin).
 * @remarks Under one light both ratios scale by the light's own blue/red (von Kries), so their quotient does not
 * depend on the light: skin reflects red far more than blue (its melanin and haemoglobin absorb blue), sclera nearly
 * evenly, so sclera in photographs measure above 1 (corpus photos and video frames: 1.2–2.0) and lid skin ≈ 1.
 * Painted portraits under yellowed varnish measure 0.96–0.99 (the varnish tints eyes and skin alike): they are kept,
 * their sclera being still the whitest thing on the face, hence the bound below 1; what it rejects is a "sclera" redder
 * than the cheeks. Closed eyes are mostly rejected by the pixel count (the contour leaves no interior).
 */
export const SCLERA_MIN_BLUE_RED_VS_SKIN = 0.9;

/** The light on the face as seen on the sclera. */
export interface ScleraLight {
  /** Trimmed-mean sclera colour, RGB in [0, 1] in the photo's own (sRGB) encoding. */
  rgb: [number, number, number];
  /** Pixels averaged (after the brightness and saturation selection). */
  sampleCount: number;
  /** The sclera's blue/red over the cheeks' blue/red (see {@link SCLERA_MIN_BLUE_RED_VS_SKIN}). */
  blueRedVsSkin: number;
}

/** Mesh points at the middle of the cheeks (MediaPipe FaceMesh 468 topology), used as the skin reference. */
const CHEEK_POINTS: readonly number[] = Object.freeze([205, 425]);

type Rgb = [number, number, number];
const luma = (r: number, g: number, b: number): number => 0.299 * r + 0.587 * g + 0.114 * b;
const saturation = (rgb: readonly number[]): number => {
  const max = Math.max(...rgb);
  return max > 0 ? (max - Math.min(...rgb)) / max : 0;
};

/**
 * Measures the light on the face from the whites of both eyes.
 * @param rgba - `[heightPx, widthPx, 4]` RGBA bytes, rows top-first.
 * @param widthPx - image width, px.
 * @param heightPx - image height, px.
 * @param landmarksPx - `[N, 3]` face-mesh landmarks (x, y image px), N = 468 or 478 (with refined irises).
 * @returns the sclera colour and sample count, or `null` when no reliable sclera is visible (see the module remarks).
 */
export function measureScleraLight(rgba: Uint8Array, widthPx: number, heightPx: number, landmarksPx: Float32Array): ScleraLight | null {
  const count = Math.floor(landmarksPx.length / 3);
  const P = (i: number): [number, number] => [landmarksPx[i * 3]!, landmarksPx[i * 3 + 1]!];
  const [rx, ry] = P(EYE_RIGHT_OUTER);
  const [lx, ly] = P(EYE_LEFT_OUTER);
  const iodPx = Math.hypot(lx - rx, ly - ry) * (63 / 90); // outer corners ≈ 90 mm apart, pupils 63 mm (Dodgson 2004)
  const margin = Math.max(1, 0.015 * iodPx);
  const px: { rgb: Rgb; l: number }[] = [];
  const eyes = [
    { contour: EYE_RIGHT_CONTOUR, iris: IRIS_RIGHT_START, corners: [EYE_RIGHT_OUTER, EYE_RIGHT_INNER] },
    { contour: EYE_LEFT_CONTOUR, iris: IRIS_LEFT_START, corners: [EYE_LEFT_OUTER, EYE_LEFT_INNER] },
  ];
  for (const eye of eyes) {
    const poly = eye.contour.flatMap((i) => P(i));
    const [c0x, c0y] = P(eye.corners[0]!);
    const [c1x, c1y] = P(eye.corners[1]!);
    let cx: number;
    let cy: number;
    let irisR: number;
    if (count >= eye.iris + IRIS_POINT_COUNT) {
      [cx, cy] = P(eye.iris);
      irisR = 0;
      for (let k = 1; k < IRIS_POINT_COUNT; k++) irisR += Math.hypot(P(eye.iris + k)[0] - cx, P(eye.iris + k)[1] - cy) / (IRIS_POINT_COUNT - 1);
    } else {
      cx = 0;
      cy = 0;
      for (let k = 0; k < poly.length; k += 2) {
        cx += poly[k]! / (poly.length / 2);
        cy += poly[k + 1]! / (poly.length / 2);
      }
      irisR = 0.2 * Math.hypot(c1x - c0x, c1y - c0y);
    }
    const xs = poly.filter((_, k) => k % 2 === 0);
    const ys = poly.filter((_, k) => k % 2 === 1);
    const xa = Math.max(0, Math.floor(Math.min(...xs)));
    const xb = Math.min(widthPx - 1, Math.ceil(Math.max(...xs)));
    const ya = Math.max(0, Math.floor(Math.min(...ys)));
    const yb = Math.min(heightPx - 1, Math.ceil(Math.max(...ys)));
    for (let y = ya; y <= yb; y++) {
      for (let x = xa; x <= xb; x++) {
        if (Math.hypot(x + 0.5 - cx, y + 0.5 - cy) < 1.25 * irisR) continue;
        if (signedDistanceToPolygon(poly, x + 0.5, y + 0.5) < margin) continue;
        const i = (y * widthPx + x) * 4;
        const rgb: Rgb = [rgba[i]! / 255, rgba[i + 1]! / 255, rgba[i + 2]! / 255];
        px.push({ rgb, l: luma(...rgb) });
      }
    }
  }
  px.sort((a, b) => b.l - a.l);
  const bright = px.slice(0, Math.ceil(px.length / 2)).map((p) => ({ ...p, s: saturation(p.rgb) }));
  bright.sort((a, b) => a.s - b.s);
  const sel = bright.slice(0, Math.ceil(bright.length * 0.6));
  if (sel.length < 8) return null;
  const rgb: Rgb = [0, 0, 0];
  for (let c = 0; c < 3; c++) {
    const v = sel.map((p) => p.rgb[c]!).sort((a, b) => a - b);
    const t = Math.floor(v.length * 0.1);
    const kept = v.slice(t, v.length - t);
    rgb[c] = kept.reduce((s, x) => s + x, 0) / kept.length;
  }
  const skin = measureCheekSkin(rgba, widthPx, heightPx, landmarksPx);
  const blueRed = (v: Rgb): number => v[2] / Math.max(1e-3, v[0]);
  const vsSkin = skin ? blueRed(rgb) / blueRed(skin) : Infinity;
  if (!(vsSkin >= SCLERA_MIN_BLUE_RED_VS_SKIN)) return null;
  return { rgb, sampleCount: sel.length, blueRedVsSkin: vsSkin };
}

/**
 * Mean skin colour at the middle of both cheeks (MediaPipe points 205 and 425), squares of ±4 % of the interpupillary
 * distance.
 * @param rgba - `[heightPx, widthPx, 4]` RGBA bytes, rows top-first.
 * @param widthPx - image width, px.
 * @param heightPx - image height, px.
 * @param landmarksPx - `[N, 3]` face-mesh landmarks (x, y image px), N = 468 or 478.
 * @returns sRGB in [0, 1], or `null` when both squares lie outside the image.
 */
export function measureCheekSkin(rgba: Uint8Array, widthPx: number, heightPx: number, landmarksPx: Float32Array): Rgb | null {
  const P = (i: number): [number, number] => [landmarksPx[i * 3]!, landmarksPx[i * 3 + 1]!];
  const [rx, ry] = P(EYE_RIGHT_OUTER);
  const [lx, ly] = P(EYE_LEFT_OUTER);
  const iodPx = Math.hypot(lx - rx, ly - ry) * (63 / 90);
  const skin: Rgb = [0, 0, 0];
  let skinN = 0;
  const r = Math.max(1, Math.round(0.04 * iodPx));
  for (const k of CHEEK_POINTS) {
    const [sx, sy] = P(k);
    for (let dy = -r; dy <= r; dy++) {
      for (let dx = -r; dx <= r; dx++) {
        const x = Math.round(sx + dx);
        const y = Math.round(sy + dy);
        if (x < 0 || y < 0 || x >= widthPx || y >= heightPx) continue;
        const i = (y * widthPx + x) * 4;
        for (let c = 0; c < 3; c++) skin[c] = skin[c]! + rgba[i + c]! / 255;
        skinN++;
      }
    }
  }
  return skinN ? (skin.map((v) => v / skinN) as Rgb) : null;
}
