/**
 * Exemplar-based image completion: fills a hole (and, with a padded canvas, the area past the photo's edges) with
 * patches copied from the rest of the image so that the fill continues the image's own structure and texture.
 *
 * @remarks The completion is the multi-scale expectation–maximisation of Wexler, Shechtman & Irani ("Space-Time
 * Completion of Video", IEEE TPAMI 29(3), 2007): at each scale, (E) every patch that overlaps the hole finds its most
 * similar fully known patch, (M) every hole pixel becomes the weighted mean of the colours those patches vote for,
 * repeated a few times; the result is upsampled as the start of the next finer scale. The nearest-neighbour search
 * is PatchMatch (Barnes, Shechtman, Finkelstein & Goldman, "PatchMatch: A Randomized Correspondence Algorithm for
 * Structural Image Editing", SIGGRAPH 2009): random initialisation, propagation from the scan-order neighbours
 * (alternating direction), and a random search in windows halving from the image size (α = 1/2).
 * Vote weights follow Wexler et al. §3.2: exp(−d/(2σ²)) with σ² the 75th percentile of the patch distances.
 *
 * Speed: the completion runs on a copy downscaled to at most `workMaxSidePx`; the full-resolution fill then copies
 * photo pixels along the finest offset field (each hole pixel blends the sources of its 4 nearest working-scale
 * pixels bilinearly), so the fill keeps the photo's own sharpness instead of a blurred upsample. Pure TypeScript,
 * deterministic for a given seed.
 */
import { InvalidInputError, throwIfAborted, type AbortSignalLike } from '../errors.ts';
import { createRng, type Rng } from '../motion/random.ts';

/** Options of {@link inpaint}. */
export interface InpaintOptions {
  /** Longest side of the working copy, px (default 160). The fill's cost grows with its square. */
  workMaxSidePx?: number;
  /** Patch radius at every scale, px (default 2: 5 × 5 patches). */
  patchRadiusPx?: number;
  /** EM iterations at the coarsest scale (default 6); finer scales use half as many, at least 2. */
  iterations?: number;
  /** Side of the coarsest scale, px (default 24). */
  coarsestSidePx?: number;
  /** Random seed of PatchMatch's initialisation and search (default 1). */
  seed?: number;
  /** `[heightPx, widthPx]`, non-zero = known but never copied (e.g. a halo around the hole); default none. */
  noSource?: Uint8Array;
  signal?: AbortSignalLike;
}

/** Extra distance (working-scale px) between a source patch and the hole. */
const SOURCE_CLEARANCE_PX = 1;

/** One scale: RGB as floats `[h, w, 3]`, and `known` = 1 for pixels outside the hole. */
interface Level {
  w: number;
  h: number;
  rgb: Float32Array;
  known: Uint8Array;
  /** 1 where a pixel may be copied (known and not excluded). */
  srcOk: Uint8Array;
}

/**
 * Fills the pixels of `hole` with content continued from the rest of the image.
 * @param rgba - `[heightPx, widthPx, 4]` RGBA bytes; only RGB is read.
 * @param widthPx - image width (> 0).
 * @param heightPx - image height (> 0).
 * @param hole - `[heightPx, widthPx]`, non-zero = fill this pixel.
 * @param opts - working size, patch size, iterations, seed, cancellation.
 * @returns a new RGBA image: pixels outside the hole are copied unchanged, hole pixels are filled (alpha 255).
 * @throws InvalidInputError when the sizes disagree or no pixel is known; JobCancelledError when aborted.
 */
export function inpaint(rgba: Uint8Array, widthPx: number, heightPx: number, hole: Uint8Array, opts: InpaintOptions = {}): Uint8Array {
  const W = widthPx;
  const H = heightPx;
  if (!(Number.isInteger(W) && Number.isInteger(H) && W > 0 && H > 0)) throw new InvalidInputError(`inpaint: size must be positive integers, got ${W}×${H}`);
  if (rgba.length !== W * H * 4) throw new InvalidInputError(`inpaint: expected ${W * H * 4} RGBA bytes, got ${rgba.length}`);
  if (hole.length !== W * H || (opts.noSource && opts.noSource.length !== W * H)) throw new InvalidInputError(`inpaint: expected a ${W}×${H} hole mask, got ${hole.length} values`);
  const out = Uint8Array.from(rgba);
  let holeCount = 0;
  for (let k = 0; k < W * H; k++) if (hole[k]) holeCount++;
  if (holeCount === 0) return out;
  if (holeCount === W * H) throw new InvalidInputError('inpaint: the hole covers the whole image; nothing to continue from');
  const r = Math.max(1, Math.round(opts.patchRadiusPx ?? 2));
  const rng = createRng(opts.seed ?? 1, 0x1a7);
  const scale = Math.min(1, (opts.workMaxSidePx ?? 160) / Math.max(W, H));
  const work = downscale(rgba, hole, opts.noSource ?? null, W, H, Math.max(1, Math.round(W * scale)), Math.max(1, Math.round(H * scale)));
  // Pyramid: halve until the coarsest side is reached (keeping at least a few known pixels per level).
  const levels: Level[] = [work];
  const coarsest = opts.coarsestSidePx ?? 24;
  while (Math.max(levels[0]!.w, levels[0]!.h) / 2 >= coarsest) {
    const c = halve(levels[0]!);
    if (!c.srcOk.includes(1)) break;
    levels.unshift(c);
  }
  let nnf: Int32Array | null = null;
  let votes: Float32Array | null = null;
  let prev: Level | null = null;
  const baseIters = opts.iterations ?? 6;
  for (let li = 0; li < levels.length; li++) {
    throwIfAborted(opts.signal);
    const L = levels[li]!;
    if (!prev) diffuseFill(L);
    else upsampleInto(prev, L);
    const valid = validCentres(L, r);
    if (valid.count === 0) {
      diffuseFill(L);
      nnf = null;
      votes = null;
      prev = L;
      continue;
    }
    nnf = initNnf(L, r, valid, rng, prev && nnf ? { nnf, w: prev.w, h: prev.h } : null);
    const iters = li === 0 ? baseIters : Math.max(2, Math.ceil(baseIters / 2));
    for (let it = 0; it < iters; it++) {
      throwIfAborted(opts.signal);
      const dist = patchMatch(L, r, valid, nnf, rng, it);
      votes = vote(L, r, nnf, dist);
    }
    prev = L;
  }
  const fin = levels[levels.length - 1]!;
  const corr = votes && nnf ? seamMembrane(fin, votes) : new Float32Array(fin.w * fin.h * 3);
  for (let k = 0; k < fin.w * fin.h * 3; k++) fin.rgb[k] = fin.rgb[k]! + corr[k]!;
  writeFullResolution(out, rgba, hole, W, H, fin, nnf);
  return out;
}

/** Area-averaged downscale of the known pixels; a working pixel is known only when all its source pixels are. */
function downscale(rgba: Uint8Array, hole: Uint8Array, noSource: Uint8Array | null, W: number, H: number, w: number, h: number): Level {
  const rgb = new Float32Array(w * h * 3);
  const known = new Uint8Array(w * h);
  const srcOk = new Uint8Array(w * h);
  const sx = W / w;
  const sy = H / h;
  for (let y = 0; y < h; y++) {
    const y0 = Math.floor(y * sy);
    const y1 = Math.max(y0 + 1, Math.floor((y + 1) * sy));
    for (let x = 0; x < w; x++) {
      const x0 = Math.floor(x * sx);
      const x1 = Math.max(x0 + 1, Math.floor((x + 1) * sx));
      let n = 0;
      let isAll = true;
      let isSource = true;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      for (let yy = y0; yy < y1; yy++) {
        for (let xx = x0; xx < x1; xx++) {
          const k = yy * W + xx;
          if (noSource && noSource[k]) isSource = false;
          if (hole[k]) {
            isAll = false;
            continue;
          }
          s0 += rgba[k * 4]!;
          s1 += rgba[k * 4 + 1]!;
          s2 += rgba[k * 4 + 2]!;
          n++;
        }
      }
      const o = y * w + x;
      if (isAll && n > 0) {
        known[o] = 1;
        srcOk[o] = isSource ? 1 : 0;
        rgb[o * 3] = s0 / n;
        rgb[o * 3 + 1] = s1 / n;
        rgb[o * 3 + 2] = s2 / n;
      }
    }
  }
  return { w, h, rgb, known, srcOk };
}

/** Next coarser scale (2 × 2 means of known pixels; known only when all four are). */
function halve(L: Level): Level {
  const w = Math.max(1, Math.floor(L.w / 2));
  const h = Math.max(1, Math.floor(L.h / 2));
  const rgb = new Float32Array(w * h * 3);
  const known = new Uint8Array(w * h);
  const srcOk = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let all = 1;
      let src = 1;
      const s = [0, 0, 0];
      for (const [dx, dy] of [
        [0, 0],
        [1, 0],
        [0, 1],
        [1, 1],
      ] as const) {
        const k = Math.min(L.h - 1, 2 * y + dy) * L.w + Math.min(L.w - 1, 2 * x + dx);
        all &= L.known[k]!;
        src &= L.srcOk[k]!;
        for (let c = 0; c < 3; c++) s[c]! += L.rgb[k * 3 + c]!;
      }
      const o = y * w + x;
      known[o] = all;
      srcOk[o] = src;
      if (all) for (let c = 0; c < 3; c++) rgb[o * 3 + c] = s[c]! / 4;
    }
  }
  return { w, h, rgb, known, srcOk };
}

/** Onion-peel fill of the hole with the mean of already-filled 8-neighbours (the coarsest scale's start). */
function diffuseFill(L: Level): void {
  const { w, h, rgb } = L;
  const done = Uint8Array.from(L.known);
  let frontier: number[] = [];
  for (let k = 0; k < w * h; k++) if (!done[k]) frontier.push(k);
  while (frontier.length > 0) {
    const filled: number[] = [];
    const rest: number[] = [];
    for (const k of frontier) {
      const x = k % w;
      const y = (k - x) / w;
      let n = 0;
      const s = [0, 0, 0];
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          const yy = y + dy;
          if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
          const j = yy * w + xx;
          if (!done[j]) continue;
          for (let c = 0; c < 3; c++) s[c]! += rgb[j * 3 + c]!;
          n++;
        }
      }
      if (n === 0) {
        rest.push(k);
        continue;
      }
      for (let c = 0; c < 3; c++) rgb[k * 3 + c] = s[c]! / n;
      filled.push(k);
    }
    if (filled.length === 0) break;
    for (const k of filled) done[k] = 1;
    frontier = rest;
  }
}

/** Hole pixels of `L` from the bilinear upsample of the coarser result `C`; known pixels keep their own colour. */
function upsampleInto(C: Level, L: Level): void {
  const sx = C.w / L.w;
  const sy = C.h / L.h;
  for (let y = 0; y < L.h; y++) {
    for (let x = 0; x < L.w; x++) {
      const o = y * L.w + x;
      if (L.known[o]) continue;
      const fx = Math.min(C.w - 1, Math.max(0, (x + 0.5) * sx - 0.5));
      const fy = Math.min(C.h - 1, Math.max(0, (y + 0.5) * sy - 0.5));
      const x0 = Math.floor(fx);
      const y0 = Math.floor(fy);
      const x1 = Math.min(C.w - 1, x0 + 1);
      const y1 = Math.min(C.h - 1, y0 + 1);
      const ax = fx - x0;
      const ay = fy - y0;
      for (let c = 0; c < 3; c++) {
        const a = C.rgb[(y0 * C.w + x0) * 3 + c]! * (1 - ax) + C.rgb[(y0 * C.w + x1) * 3 + c]! * ax;
        const b = C.rgb[(y1 * C.w + x0) * 3 + c]! * (1 - ax) + C.rgb[(y1 * C.w + x1) * 3 + c]! * ax;
        L.rgb[o * 3 + c] = a * (1 - ay) + b * ay;
      }
    }
  }
}

/**
 * Patch centres whose whole (2r+1)² patch lies inside the image and at least {@link SOURCE_CLEARANCE_PX} + r away
 * from the hole: the sources. The clearance keeps the band right at the hole's edge — where a matte leaves a halo
 * of what was removed — from being copied into the fill.
 */
function validCentres(L: Level, patchR: number): { mask: Uint8Array; list: Int32Array; count: number } {
  const { w, h, srcOk } = L;
  const r = patchR + SOURCE_CLEARANCE_PX;
  // Row then column run of known pixels (separable erosion by the patch square).
  const rowOk = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    let run = 0;
    for (let x = 0; x < w; x++) {
      run = srcOk[y * w + x] ? run + 1 : 0;
      if (run >= 2 * r + 1 && x - r >= r) rowOk[y * w + x - r] = 1;
    }
  }
  const mask = new Uint8Array(w * h);
  const list: number[] = [];
  for (let x = r; x < w - r; x++) {
    let run = 0;
    for (let y = 0; y < h; y++) {
      run = rowOk[y * w + x] ? run + 1 : 0;
      if (run >= 2 * r + 1 && y - r >= r) mask[(y - r) * w + x] = 1;
    }
  }
  for (let k = 0; k < w * h; k++) if (mask[k]) list.push(k);
  return { mask, list: Int32Array.from(list), count: list.length };
}

/** Targets: centres whose patch touches the hole. */
function isTarget(L: Level, r: number, x: number, y: number): boolean {
  for (let dy = -r; dy <= r; dy++) {
    const yy = y + dy;
    if (yy < 0 || yy >= L.h) continue;
    for (let dx = -r; dx <= r; dx++) {
      const xx = x + dx;
      if (xx < 0 || xx >= L.w) continue;
      if (!L.known[yy * L.w + xx]) return true;
    }
  }
  return false;
}

/** Initial offsets: from the coarser field (doubled) where there is one, else random sources; −1 for non-targets. */
function initNnf(L: Level, r: number, valid: { mask: Uint8Array; list: Int32Array; count: number }, rng: Rng, coarse: { nnf: Int32Array; w: number; h: number } | null): Int32Array {
  const nnf = new Int32Array(L.w * L.h).fill(-1);
  for (let y = 0; y < L.h; y++) {
    for (let x = 0; x < L.w; x++) {
      if (!isTarget(L, r, x, y)) continue;
      let src = -1;
      if (coarse) {
        const cx = Math.min(coarse.w - 1, Math.floor((x * coarse.w) / L.w));
        const cy = Math.min(coarse.h - 1, Math.floor((y * coarse.h) / L.h));
        const c = coarse.nnf[cy * coarse.w + cx]!;
        if (c >= 0) {
          const qx = Math.round(((c % coarse.w) + 0.5) * (L.w / coarse.w) - 0.5) + (x - Math.round((cx + 0.5) * (L.w / coarse.w) - 0.5));
          const qy = Math.round((Math.floor(c / coarse.w) + 0.5) * (L.h / coarse.h) - 0.5) + (y - Math.round((cy + 0.5) * (L.h / coarse.h) - 0.5));
          if (qx >= 0 && qy >= 0 && qx < L.w && qy < L.h && valid.mask[qy * L.w + qx]) src = qy * L.w + qx;
        }
      }
      if (src < 0) src = valid.list[Math.floor(rng.next() * valid.count)]!;
      nnf[y * L.w + x] = src;
    }
  }
  return nnf;
}

/** Mean squared RGB difference between the patch at target (tx, ty) (in-image pixels only) and the source at (sx, sy); stops past `limit`. */
function patchDistance(L: Level, r: number, tx: number, ty: number, sx: number, sy: number, limit: number): number {
  const { w, h, rgb } = L;
  let d = 0;
  let n = 0;
  for (let dy = -r; dy <= r; dy++) {
    const y = ty + dy;
    if (y < 0 || y >= h) continue;
    const rowT = y * w;
    const rowS = (sy + dy) * w;
    for (let dx = -r; dx <= r; dx++) {
      const x = tx + dx;
      if (x < 0 || x >= w) continue;
      const a = (rowT + x) * 3;
      const b = (rowS + sx + dx) * 3;
      const e0 = rgb[a]! - rgb[b]!;
      const e1 = rgb[a + 1]! - rgb[b + 1]!;
      const e2 = rgb[a + 2]! - rgb[b + 2]!;
      d += e0 * e0 + e1 * e1 + e2 * e2;
      n++;
    }
    if (d > limit * (2 * r + 1) * (2 * r + 1)) return Infinity;
  }
  return n > 0 ? d / n : Infinity;
}

/** One PatchMatch sweep (propagation + random search) over the targets; `nnf` holds source indices. */
function patchMatch(L: Level, r: number, valid: { mask: Uint8Array }, nnf: Int32Array, rng: Rng, iteration: number): Float32Array {
  const { w, h } = L;
  const forward = iteration % 2 === 0;
  const step = forward ? 1 : -1;
  const dist = new Float32Array(w * h);
  for (let k = 0; k < w * h; k++) {
    const s = nnf[k]!;
    if (s < 0) continue;
    dist[k] = patchDistance(L, r, k % w, Math.floor(k / w), s % w, Math.floor(s / w), Infinity);
  }
  const maxWin = Math.max(w, h);
  const cand: number[] = [];
  for (let yi = 0; yi < h; yi++) {
    const y = forward ? yi : h - 1 - yi;
    for (let xi = 0; xi < w; xi++) {
      const x = forward ? xi : w - 1 - xi;
      const k = y * w + x;
      let best = nnf[k]!;
      if (best < 0) continue;
      let bestD = dist[k]!;
      // Candidates: propagation (the scan-order neighbours' sources shifted by one), then a random search around
      // the current best in windows halving from the image size.
      cand.length = 0;
      const px = x - step;
      if (px >= 0 && px < w) {
        const s = nnf[y * w + px]!;
        if (s >= 0) cand.push((s % w) + step, Math.floor(s / w));
      }
      const py = y - step;
      if (py >= 0 && py < h) {
        const s = nnf[py * w + x]!;
        if (s >= 0) cand.push(s % w, Math.floor(s / w) + step);
      }
      for (let c = 0, win = maxWin; c < cand.length || win >= 1; c += 2) {
        if (c >= cand.length) {
          cand.push((best % w) + Math.round((rng.next() * 2 - 1) * win), Math.floor(best / w) + Math.round((rng.next() * 2 - 1) * win));
          win = Math.floor(win / 2);
        }
        const sx = cand[c]!;
        const sy = cand[c + 1]!;
        if (sx < 0 || sy < 0 || sx >= w || sy >= h) continue;
        const s = sy * w + sx;
        if (!valid.mask[s] || s === best) continue;
        const d = patchDistance(L, r, x, y, sx, sy, bestD);
        if (d < bestD) {
          bestD = d;
          best = s;
        }
      }
      nnf[k] = best;
      dist[k] = bestD;
    }
  }
  return dist;
}

/** Voting: every hole pixel becomes the similarity-weighted mean of the colours the overlapping patches vote for. */
function vote(L: Level, r: number, nnf: Int32Array, d: Float32Array): Float32Array {
  const { w, h, rgb, known } = L;
  const dists: number[] = [];
  for (let k = 0; k < w * h; k += 3) if (nnf[k]! >= 0) dists.push(d[k]!);
  dists.sort((a, b) => a - b);
  const sigma2 = Math.max(1, dists[Math.floor(dists.length * 0.75)] ?? 1);
  const acc = new Float32Array(w * h * 4);
  for (let k = 0; k < w * h; k++) {
    const s = nnf[k]!;
    if (s < 0) continue;
    const wt = Math.exp(-d[k]! / (2 * sigma2));
    const tx = k % w;
    const ty = (k - tx) / w;
    const sx = s % w;
    const sy = (s - sx) / w;
    for (let dy = -r; dy <= r; dy++) {
      const y = ty + dy;
      if (y < 0 || y >= h) continue;
      for (let dx = -r; dx <= r; dx++) {
        const x = tx + dx;
        if (x < 0 || x >= w) continue;
        const o = y * w + x;
        const b = ((sy + dy) * w + sx + dx) * 3;
        acc[o * 4] = acc[o * 4]! + wt * rgb[b]!;
        acc[o * 4 + 1] = acc[o * 4 + 1]! + wt * rgb[b + 1]!;
        acc[o * 4 + 2] = acc[o * 4 + 2]! + wt * rgb[b + 2]!;
        acc[o * 4 + 3] = acc[o * 4 + 3]! + wt;
      }
    }
  }
  for (let o = 0; o < w * h; o++) {
    if (acc[o * 4 + 3]! <= 1e-12) continue;
    const inv = 1 / acc[o * 4 + 3]!;
    if (known[o]) {
      // What the patches would paint over a known pixel: its difference is the seam the membrane removes.
      acc[o * 4] = rgb[o * 3]! - acc[o * 4]! * inv;
      acc[o * 4 + 1] = rgb[o * 3 + 1]! - acc[o * 4 + 1]! * inv;
      acc[o * 4 + 2] = rgb[o * 3 + 2]! - acc[o * 4 + 2]! * inv;
      continue;
    }
    rgb[o * 3] = acc[o * 4]! * inv;
    rgb[o * 3 + 1] = acc[o * 4 + 1]! * inv;
    rgb[o * 3 + 2] = acc[o * 4 + 2]! * inv;
  }
  return acc;
}

/**
 * Seam removal: the difference between the known pixels and what the patches vote for at them, at the known pixels
 * bordering the hole, interpolated smoothly (harmonic membrane) over the hole — the membrane form of Poisson cloning
 * (Farbman, Hoffer, Lipman, Cohen-Or & Lischinski, "Coordinates for Instant Image Cloning", SIGGRAPH 2009).
 * @returns `[h, w, 3]` correction, zero at known pixels.
 */
function seamMembrane(L: Level, votes: Float32Array): Float32Array {
  const { w, h, known } = L;
  const corr = new Float32Array(w * h * 3);
  const fixed = new Uint8Array(w * h);
  for (let k = 0; k < w * h; k++) {
    if (!known[k]) continue;
    fixed[k] = 1;
    if (votes[k * 4 + 3]! <= 1e-12) continue;
    // Only known pixels touching the hole carry the boundary value; the rest are 0 and fixed.
    const x = k % w;
    const y = (k - x) / w;
    const touches = (x > 0 && !known[k - 1]) || (x < w - 1 && !known[k + 1]) || (y > 0 && !known[k - w]) || (y < h - 1 && !known[k + w]);
    if (!touches) continue;
    corr[k * 3] = votes[k * 4]!;
    corr[k * 3 + 1] = votes[k * 4 + 1]!;
    corr[k * 3 + 2] = votes[k * 4 + 2]!;
  }
  // Start from the onion-peel fill of the boundary values, then successive over-relaxation (Young 1954).
  diffuseFill({ w, h, rgb: corr, known: boundaryOnly(L), srcOk: L.srcOk });
  const freeList: number[] = [];
  for (let k = 0; k < w * h; k++) if (!fixed[k]) freeList.push(k);
  const free = Int32Array.from(freeList);
  const omega = 1.9;
  for (let it = 0; it < 100; it++) {
    for (let f = 0; f < free.length; f++) {
      const k = free[f]!;
      const x = k % w;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let n = 0;
      if (x > 0) {
        s0 += corr[k * 3 - 3]!;
        s1 += corr[k * 3 - 2]!;
        s2 += corr[k * 3 - 1]!;
        n++;
      }
      if (x < w - 1) {
        s0 += corr[k * 3 + 3]!;
        s1 += corr[k * 3 + 4]!;
        s2 += corr[k * 3 + 5]!;
        n++;
      }
      if (k >= w) {
        const j = (k - w) * 3;
        s0 += corr[j]!;
        s1 += corr[j + 1]!;
        s2 += corr[j + 2]!;
        n++;
      }
      if (k < w * (h - 1)) {
        const j = (k + w) * 3;
        s0 += corr[j]!;
        s1 += corr[j + 1]!;
        s2 += corr[j + 2]!;
        n++;
      }
      const i = k * 3;
      corr[i] = corr[i]! + omega * (s0 / n - corr[i]!);
      corr[i + 1] = corr[i + 1]! + omega * (s1 / n - corr[i + 1]!);
      corr[i + 2] = corr[i + 2]! + omega * (s2 / n - corr[i + 2]!);
    }
  }
  for (let k = 0; k < w * h; k++) if (known[k]) corr[k * 3] = corr[k * 3 + 1] = corr[k * 3 + 2] = 0;
  return corr;
}

/** Known pixels that border the hole (the membrane's boundary), as a `known` mask for {@link diffuseFill}. */
function boundaryOnly(L: Level): Uint8Array {
  const { w, h, known } = L;
  const out = new Uint8Array(w * h);
  for (let k = 0; k < w * h; k++) {
    if (!known[k]) continue;
    const x = k % w;
    const y = (k - x) / w;
    if ((x > 0 && !known[k - 1]) || (x < w - 1 && !known[k + 1]) || (y > 0 && !known[k - w]) || (y < h - 1 && !known[k + w])) out[k] = 1;
  }
  return out;
}

/**
 * Full-resolution fill: each hole pixel takes the photo pixel its working-scale neighbours' offsets point to
 * (bilinear blend of the 4 nearest offsets' colours), shifted so that its local mean is the working-scale fill (which
 * carries the seam membrane); where an offset lands on a hole pixel, the working-scale colour is used alone.
 */
function writeFullResolution(out: Uint8Array, rgba: Uint8Array, hole: Uint8Array, W: number, H: number, L: Level, nnf: Int32Array | null): void {
  const sx = L.w / W;
  const sy = L.h / H;
  // Offsets (source − target) of each working pixel in full-resolution px; NO_OFFSET where there is none.
  const NO_OFFSET = -0x40000000;
  const offX = new Int32Array(L.w * L.h).fill(NO_OFFSET);
  const offY = new Int32Array(L.w * L.h);
  if (nnf) {
    for (let g = 0; g < L.w * L.h; g++) {
      const s = nnf[g]!;
      if (s < 0) continue;
      offX[g] = Math.round(((s % L.w) - (g % L.w)) / sx);
      offY[g] = Math.round((Math.floor(s / L.w) - Math.floor(g / L.w)) / sy);
    }
  }
  const colX0 = new Int32Array(W);
  const colAx = new Float32Array(W);
  for (let x = 0; x < W; x++) {
    const fx = Math.min(L.w - 1, Math.max(0, (x + 0.5) * sx - 0.5));
    colX0[x] = Math.min(L.w - 2, Math.floor(fx));
    colAx[x] = fx - colX0[x]!;
  }
  const oneCol = L.w === 1;
  for (let y = 0; y < H; y++) {
    const fy = Math.min(L.h - 1, Math.max(0, (y + 0.5) * sy - 0.5));
    const y0 = Math.max(0, Math.min(L.h - 2, Math.floor(fy)));
    const ay = L.h === 1 ? 0 : fy - y0;
    const y1 = L.h === 1 ? y0 : y0 + 1;
    for (let x = 0; x < W; x++) {
      const k = y * W + x;
      if (!hole[k]) continue;
      const x0 = oneCol ? 0 : Math.max(0, colX0[x]!);
      const ax = oneCol ? 0 : colAx[x]!;
      const x1 = oneCol ? 0 : x0 + 1;
      let c0 = 0;
      let c1 = 0;
      let c2 = 0;
      for (let q = 0; q < 4; q++) {
        const wq = (q & 1 ? ax : 1 - ax) * (q >> 1 ? ay : 1 - ay);
        if (wq === 0) continue;
        const g = (q >> 1 ? y1 : y0) * L.w + (q & 1 ? x1 : x0);
        const ox = offX[g]!;
        let b = -1;
        if (ox !== NO_OFFSET) {
          const tx = x + ox;
          const ty = y + offY[g]!;
          if (tx >= 0 && ty >= 0 && tx < W && ty < H && !hole[ty * W + tx]) b = (ty * W + tx) * 4;
        }
        if (b >= 0) {
          // Low frequencies from the working scale (seam-free), detail from the photo: the copied pixel minus its
          // source block's working-scale colour.
          const s3 = nnf![g]! * 3;
          c0 += wq * (L.rgb[g * 3]! + rgba[b]! - L.rgb[s3]!);
          c1 += wq * (L.rgb[g * 3 + 1]! + rgba[b + 1]! - L.rgb[s3 + 1]!);
          c2 += wq * (L.rgb[g * 3 + 2]! + rgba[b + 2]! - L.rgb[s3 + 2]!);
        } else {
          c0 += wq * L.rgb[g * 3]!;
          c1 += wq * L.rgb[g * 3 + 1]!;
          c2 += wq * L.rgb[g * 3 + 2]!;
        }
      }
      out[k * 4] = Math.min(255, Math.max(0, Math.round(c0)));
      out[k * 4 + 1] = Math.min(255, Math.max(0, Math.round(c1)));
      out[k * 4 + 2] = Math.min(255, Math.max(0, Math.round(c2)));
      out[k * 4 + 3] = 255;
    }
  }
}
