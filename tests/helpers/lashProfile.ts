/**
 * Lash-line measures of an eye in an image (issue #12, "a lash line"): the line of a closed eye across its corners, and
 * the upper lash line of an open eye over its white, both relative to the skin beside them (luma Rec. 601).
 */

/** Luma (Rec. 601, 0–255) of an RGBA image at (x, y), nearest pixel, clamped to the image. */
export function lumaAt(rgba: Uint8Array, widthPx: number, heightPx: number, x: number, y: number): number {
  const k = (Math.min(heightPx - 1, Math.max(0, Math.round(y))) * widthPx + Math.min(widthPx - 1, Math.max(0, Math.round(x)))) * 4;
  return 0.299 * rgba[k]! + 0.587 * rgba[k + 1]! + 0.114 * rgba[k + 2]!;
}

/** A closed eye's line between its corners ({@link closedLine}). */
export interface ClosedLine {
  /** Mean length under 0.6 of the skin reference across the line, eye widths. */
  core: number;
  /** Mean length under 0.75 of it, eye widths. */
  halo: number;
  /** 1 − the median over the profiles of (darkest luma ÷ skin reference): how dark the line's darkest point is. */
  depth: number;
  /** Mean of (luma ÷ skin reference) over the profiles at offsets −0.15…0.15 eye widths from the line's darkest point, in 0.01 steps (31 values). */
  profile: number[];
  /** The per-profile darkest-point offsets from the corner line, eye widths (for steps along the line). */
  centres: number[];
}

/**
 * The dark line of a closed eye between its two corners: every half pixel from 20 % to 80 % of the way, a profile
 * across the corner line of ±0.25 eye widths (half-pixel steps, nearest pixel); the skin reference is each profile's
 * 80th percentile luma (as tests/integration/render/eyelidLashLine.test.ts measures real closed lids of vid06).
 * @param rgba - image `[h, w, 4]` bytes.
 * @param widthPx - image width.
 * @param heightPx - image height.
 * @param c1 - one corner, px.
 * @param c2 - the other corner, px.
 */
export function closedLine(rgba: Uint8Array, widthPx: number, heightPx: number, c1: [number, number], c2: [number, number]): ClosedLine {
  const eyeW = Math.hypot(c2[0] - c1[0], c2[1] - c1[1]);
  const u = [(c2[0] - c1[0]) / eyeW, (c2[1] - c1[1]) / eyeW] as const;
  const n = u[0] >= 0 ? ([-u[1], u[0]] as const) : ([u[1], -u[0]] as const);
  let core = 0;
  let halo = 0;
  let count = 0;
  const mins: number[] = [];
  const profile = new Array<number>(31).fill(0);
  const centres: number[] = [];
  for (let t = 0.2; t <= 0.8; t += 0.5 / eyeW) {
    const bx = c1[0] + t * eyeW * u[0];
    const by = c1[1] + t * eyeW * u[1];
    const at = (s: number): number => lumaAt(rgba, widthPx, heightPx, bx + s * n[0], by + s * n[1]);
    const p: number[] = [];
    let sMin = 0;
    let lMin = Infinity;
    for (let s = -0.25 * eyeW; s <= 0.25 * eyeW; s += 0.5) {
      const l = at(s);
      p.push(l);
      if (l < lMin) {
        lMin = l;
        sMin = s;
      }
    }
    const ref = Math.max(1, [...p].sort((a, b) => a - b)[Math.floor(0.8 * p.length)]!);
    core += (p.filter((v) => v < 0.6 * ref).length * 0.5) / eyeW;
    halo += (p.filter((v) => v < 0.75 * ref).length * 0.5) / eyeW;
    mins.push(lMin / ref);
    centres.push(sMin / eyeW);
    for (let j = 0; j < 31; j++) profile[j] = profile[j]! + at(sMin + (j - 15) * 0.01 * eyeW) / ref;
    count++;
  }
  mins.sort((a, b) => a - b);
  return { core: core / count, halo: halo / count, depth: 1 - mins[mins.length >> 1]!, profile: profile.map((v) => v / count), centres };
}

/** An open eye's upper lash line over its white ({@link openLashLine}). */
export interface OpenLashLine {
  /** Mean length under 0.6 of the skin reference across the lid edge, eye widths. */
  core: number;
  /** 1 − the median of (darkest luma ÷ skin reference). */
  depth: number;
}

/**
 * The upper lash line of an open eye where white lies under it (beside the iris: 12–30 % and 70–88 % of the way
 * between the corners, columns of the corner line): per half-pixel column a profile along the corner line's normal from
 * 0.2 eye widths above the upper-lid contour to 0.05 below it; the skin reference is the 80th percentile luma of its
 * part more than 0.08 eye widths above the contour (the lid skin, over the lashes).
 * @param rgba - image `[h, w, 4]` bytes.
 * @param widthPx - image width.
 * @param heightPx - image height.
 * @param c1 - one corner, px.
 * @param c2 - the other corner, px.
 * @param upperPx - the upper-lid contour's points (px, any order).
 */
export function openLashLine(rgba: Uint8Array, widthPx: number, heightPx: number, c1: [number, number], c2: [number, number], upperPx: [number, number][]): OpenLashLine {
  const eyeW = Math.hypot(c2[0] - c1[0], c2[1] - c1[1]);
  const u = [(c2[0] - c1[0]) / eyeW, (c2[1] - c1[1]) / eyeW] as const;
  const n = u[0] >= 0 ? ([-u[1], u[0]] as const) : ([u[1], -u[0]] as const);
  // The contour in corner-line coordinates (t along, s across; s < 0 above), sorted by t, corners at s = 0.
  const pts = [[0, 0], ...upperPx.map(([x, y]) => [((x - c1[0]) * u[0] + (y - c1[1]) * u[1]) / eyeW, (x - c1[0]) * n[0] + (y - c1[1]) * n[1]]), [1, 0]].sort((a, b) => a[0]! - b[0]!);
  const sAt = (t: number): number => {
    for (let j = 0; j + 1 < pts.length; j++) {
      const [ta, sa] = pts[j]!;
      const [tb, sb] = pts[j + 1]!;
      if (t >= ta! && t <= tb!) return sa! + ((sb! - sa!) * (t - ta!)) / Math.max(1e-6, tb! - ta!);
    }
    return 0;
  };
  let core = 0;
  let count = 0;
  const mins: number[] = [];
  for (let t = 0.12; t <= 0.88; t += 0.5 / eyeW) {
    if (t > 0.3 && t < 0.7) continue;
    const s0 = sAt(t);
    const bx = c1[0] + t * eyeW * u[0];
    const by = c1[1] + t * eyeW * u[1];
    const p: number[] = [];
    const skin: number[] = [];
    for (let s = s0 - 0.2 * eyeW; s <= s0 + 0.05 * eyeW; s += 0.5) {
      const l = lumaAt(rgba, widthPx, heightPx, bx + s * n[0], by + s * n[1]);
      p.push(l);
      if (s < s0 - 0.08 * eyeW) skin.push(l);
    }
    const ref = Math.max(1, skin.sort((a, b) => a - b)[Math.floor(0.8 * skin.length)]!);
    core += (p.filter((v) => v < 0.6 * ref).length * 0.5) / eyeW;
    mins.push(Math.min(...p) / ref);
    count++;
  }
  mins.sort((a, b) => a - b);
  return { core: core / count, depth: 1 - mins[mins.length >> 1]! };
}
