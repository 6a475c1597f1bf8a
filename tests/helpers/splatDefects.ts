/**
 * Measures of the splat head's small-scale defects against the mesh head's frame of the same view (issue 13):
 * isolated outlier pixels ("speckles") and the raggedness of an edge line.
 */

/** A pixel box, output px, `[x0, x1) × [y0, y1)`. */
export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/**
 * The mouth box of a face: the bounds of the lip corners and the outer and inner lip midpoints (MediaPipe face mesh
 * indices 61, 291, 0, 17, 13, 14, 78, 308), its height at least 0.4 × its width, grown by 30 % of width and height
 * on every side; rounded, not clamped to the frame.
 * @param landmarksPx - face mesh landmarks `[n, 3]` row-major (x, y px; z), n ≥ 309.
 */
export function mouthBox(landmarksPx: Float32Array): Box {
  let mx0 = Infinity, my0 = Infinity, mx1 = -Infinity, my1 = -Infinity;
  for (const i of [61, 291, 0, 17, 13, 14, 78, 308]) {
    mx0 = Math.min(mx0, landmarksPx[i * 3]!);
    mx1 = Math.max(mx1, landmarksPx[i * 3]!);
    my0 = Math.min(my0, landmarksPx[i * 3 + 1]!);
    my1 = Math.max(my1, landmarksPx[i * 3 + 1]!);
  }
  const mw = mx1 - mx0, mh = Math.max(my1 - my0, 0.4 * mw);
  const r = Math.round;
  return { x0: r(mx0 - 0.3 * mw), y0: r(my0 - 0.3 * mh), x1: r(mx1 + 0.3 * mw), y1: r(my1 + 0.3 * mh) };
}

/** Rec. 601 luma of pixel `k` of an RGBA frame, 0..255. */
export const luma = (f: Uint8Array, k: number): number => 0.299 * f[k * 4]! + 0.587 * f[k * 4 + 1]! + 0.114 * f[k * 4 + 2]!;

/**
 * Per pixel of `box`: luma minus the median of its 3×3 neighbourhood (0 outside the box's interior).
 * @param f - RGBA frame `[h, w, 4]`.
 * @param w - its width, px.
 * @param box - where to compute (clamped one px inside the frame).
 * @returns `[h, w]` signed luma peaks, levels.
 */
export function lumaPeaks(f: Uint8Array, w: number, h: number, box: Box): Float32Array {
  const out = new Float32Array(w * h);
  const n = new Float32Array(9);
  for (let y = Math.max(1, box.y0 - 1); y < Math.min(h - 1, box.y1 + 1); y++) {
    for (let x = Math.max(1, box.x0 - 1); x < Math.min(w - 1, box.x1 + 1); x++) {
      let c = 0;
      for (let j = -1; j <= 1; j++) for (let i = -1; i <= 1; i++) n[c++] = luma(f, (y + j) * w + x + i);
      n.sort();
      out[y * w + x] = luma(f, y * w + x) - n[4]!;
    }
  }
  return out;
}

/**
 * Speckles: pixels of `box` whose luma is ≥ `levels` above or below the median of their 3×3 neighbourhood in the splat
 * frame, where the mesh frame has no peak of the same sign of at least half that within 1 px (so what the photo itself
 * shows as a fine highlight — a tooth's glint, a hair — is not counted).
 * @param splat - splat head frame, RGBA `[h, w, 4]`.
 * @param mesh - mesh head frame of the same view, same size.
 * @param w - width, px.
 * @param h - height, px.
 * @param box - where to count.
 * @param levels - outlier threshold, luma levels (default 40, as scripts/evalSplatParity.ts).
 * @returns the bright and dark outlier counts.
 */
export function speckleCounts(splat: Uint8Array, mesh: Uint8Array, w: number, h: number, box: Box, levels = 40): { bright: number; dark: number } {
  const ps = lumaPeaks(splat, w, h, box), pm = lumaPeaks(mesh, w, h, box);
  let bright = 0, dark = 0;
  for (let y = Math.max(2, box.y0); y < Math.min(h - 2, box.y1); y++) {
    for (let x = Math.max(2, box.x0); x < Math.min(w - 2, box.x1); x++) {
      const p = ps[y * w + x]!;
      if (Math.abs(p) < levels) continue;
      const s = Math.sign(p);
      let meshPeak = false;
      for (let j = -1; j <= 1 && !meshPeak; j++) for (let i = -1; i <= 1; i++) if (s * pm[(y + j) * w + x + i]! >= levels / 2) meshPeak = true;
      if (meshPeak) continue;
      if (s > 0) bright++;
      else dark++;
    }
  }
  return { bright, dark };
}

/**
 * Raggedness of a roughly horizontal edge line: per column `x` of `[x0, x1)`, the row (to a tenth of a px, parabola
 * through the peak) of the strongest vertical luma step within `reachPx` of `guideY(x)` (luma smoothed over 3 columns,
 * step = row y+1 minus row y−1); then the RMS deviation of those rows from their own 9-column moving average. A smooth
 * outline (the mesh head's) scores ≈ 0.3–0.6 px; a staircase of lattice cells k px high ≈ k/√12 or more.
 * @param f - RGBA frame `[h, w, 4]`.
 * @param w - width, px.
 * @param h - height, px.
 * @param x0 - first column.
 * @param x1 - one past the last column.
 * @param guideY - where the edge is expected per column, output px.
 * @param reachPx - search half-height, px.
 * @returns RMS row deviation, px, and the rows found (NaN where no step ≥ 8 levels).
 */
export function edgeRaggedness(f: Uint8Array, w: number, h: number, x0: number, x1: number, guideY: (x: number) => number, reachPx: number): { rmsPx: number; rows: Float32Array } {
  const L = (x: number, y: number): number => (luma(f, y * w + x - 1) + luma(f, y * w + x) + luma(f, y * w + x + 1)) / 3;
  const rows = new Float32Array(x1 - x0).fill(NaN);
  const steps: number[] = [];
  for (let x = Math.max(1, x0); x < Math.min(w - 1, x1); x++) {
    const g = guideY(x);
    let best = 0, by = -1;
    const ya = Math.max(2, Math.round(g - reachPx)), yb = Math.min(h - 3, Math.round(g + reachPx));
    for (let y = ya; y <= yb; y++) {
      const s = Math.abs(L(x, y + 1) - L(x, y - 1));
      if (s > best) {
        best = s;
        by = y;
      }
    }
    if (best < 8 || by < 0) continue;
    const sm = Math.abs(L(x, by) - L(x, by - 2)), sp = Math.abs(L(x, by + 2) - L(x, by));
    const den = sm - 2 * best + sp;
    rows[x - x0] = by + (den < 0 ? Math.max(-0.5, Math.min(0.5, (0.5 * (sm - sp)) / den)) : 0);
    steps.push(best);
  }
  let sum = 0, n = 0;
  for (let i = 0; i < rows.length; i++) {
    if (!Number.isFinite(rows[i]!)) continue;
    let m = 0, k = 0;
    for (let j = Math.max(0, i - 4); j <= Math.min(rows.length - 1, i + 4); j++) {
      if (Number.isFinite(rows[j]!)) {
        m += rows[j]!;
        k++;
      }
    }
    if (k < 5) continue;
    sum += (rows[i]! - m / k) ** 2;
    n++;
  }
  return { rmsPx: n ? Math.sqrt(sum / n) : NaN, rows };
}
