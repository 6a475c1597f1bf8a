/**
 * The alpha of the person layer of a layered portrait: the per-pixel person matte kept where a head-and-shoulders
 * shape allows it, plus the head's core, which is always person.
 *
 * @remarks Why: the person layer moves with the head when the camera orbits while the background plate stays put, so
 * a matte error becomes a visible tear — a cheek or ear the matte missed stays behind on the background (a hard edge
 * on the far cheek, a hole in the scalp), and a background blob the matte took moves with the body. The shape prior
 * bounds both errors: inside an ellipse around the face mesh (cheeks, ears' roots, forehead) alpha is 1; outside a
 * generous head ellipse and a shoulder trapezoid below the chin it is 0; in between the matte decides. All edges are
 * feathered (smoothstep) so the prior never adds a hard edge. Proportions are relative to the face mesh's extent
 * along its own axes (anthropometric head breadth ≈ 1.3× face breadth, Farkas 1994); design values, not fitted.
 * Where the person is shown alone (transparent or colour backgrounds) the core stops at the cheeks: below them the
 * grown oval passes the jaw line, and beside the neck (narrower than the jaw) it forced the old background to alpha 1
 * — black wedges under the jaw of a cut-out (its hidden RGB), patches of a painted backdrop beside the neck. There the
 * matte decides (the colour-model matte takes the face hull as sure person). Over the photo's own (filled) background
 * the full core is kept (`coreBelowCheeks`): the backdrop it carries matches the plate behind it, while the matte's
 * edge along the jaw showed as a thin dark line when orbiting. A cut-out's own alpha (`exact`) is the truth and is
 * returned unchanged.
 */
import { InvalidInputError } from '../errors.ts';
import type { PlateMarginsPx } from '../image/backgroundPlate.ts';
import { onBar } from '../image/photoBars.ts';

const smoothstep = (e0: number, e1: number, x: number): number => {
  const t = Math.min(1, Math.max(0, (x - e0) / (e1 - e0)));
  return t * t * (3 - 2 * t);
};

/**
 * Combines a person matte with the head-and-shoulders prior.
 * @param matte - `[heightPx, widthPx]` person alpha (255 = person), e.g. from `computePersonMatte`.
 * @param widthPx - image width.
 * @param heightPx - image height.
 * @param landmarksPx - `[N, 3]` face-mesh landmarks (N ≥ 468; 10 = forehead top, 152 = chin), image px.
 * @param opts - `exact`: the matte is the photo's own alpha (`PersonMatte.source === 'photoAlpha'`, an RGBA
 *   cut-out): it is kept as it is — no core added where the photo is transparent, nothing cut. `coreBelowCheeks`:
 *   the core goes down to the chin (for a person layer drawn over the photo's own filled background).
 *   `bars`: letterbox / pillarbox bars (`PersonMatte.bars`, core/image/photoBars.ts): alpha 0 there, the core
 *   included (a face beside a bar must not carry the bar with it). Defaults: false, false, none.
 * @returns a new `[heightPx, widthPx]` alpha.
 * @throws InvalidInputError when the sizes disagree or fewer than 468 landmarks are given.
 */
export function personLayerAlpha(matte: Uint8Array, widthPx: number, heightPx: number, landmarksPx: Float32Array, opts: { exact?: boolean; coreBelowCheeks?: boolean; bars?: PlateMarginsPx } = {}): Uint8Array {
  if (matte.length !== widthPx * heightPx) throw new InvalidInputError(`person layer: expected a ${widthPx}×${heightPx} matte, got ${matte.length} values`);
  if (landmarksPx.length < 468 * 3) throw new InvalidInputError('person layer: expected ≥ 468 landmarks');
  if (opts.exact) return matte.slice();
  // Face axes: ey from forehead (10) to chin (152), ex perpendicular; extents of the mesh along them.
  const fx = landmarksPx[10 * 3]!;
  const fy = landmarksPx[10 * 3 + 1]!;
  const chx = landmarksPx[152 * 3]!;
  const chy = landmarksPx[152 * 3 + 1]!;
  const fh = Math.max(1, Math.hypot(chx - fx, chy - fy));
  const ey: [number, number] = [(chx - fx) / fh, (chy - fy) / fh];
  const ex: [number, number] = [-ey[1], ey[0]];
  const cx = (fx + chx) / 2;
  const cy = (fy + chy) / 2;
  let minA = Infinity;
  let maxA = -Infinity;
  for (let i = 0; i < 468; i++) {
    const a = (landmarksPx[i * 3]! - cx) * ex[0] + (landmarksPx[i * 3 + 1]! - cy) * ex[1];
    minA = Math.min(minA, a);
    maxA = Math.max(maxA, a);
  }
  const fw = Math.max(1, maxA - minA);
  const ca = (minA + maxA) / 2;
  const coreEndLo = opts.coreBelowCheeks ? Infinity : 0.1 * fh;
  const coreEndHi = opts.coreBelowCheeks ? Infinity : 0.22 * fh;
  const out = new Uint8Array(widthPx * heightPx);
  for (let y = 0; y < heightPx; y++) {
    for (let x = 0; x < widthPx; x++) {
      const dx = x + 0.5 - cx;
      const dy = y + 0.5 - cy;
      const a = dx * ex[0] + dy * ex[1] - ca; // across the face, 0 = face centre line
      const b = dx * ey[0] + dy * ey[1]; // down the face, 0 = face centre, fh/2 = chin
      // Core: the face oval grown by ~10 % (cheeks, ears' roots, forehead hairline).
      const rCore = Math.hypot(a / (0.58 * fw), (b + 0.04 * fh) / (0.58 * fh));
      // … down to the cheeks (ear lobes ≈ 0.1 fh below the face centre; the jaw angle ≈ 0.25 fh): no further.
      const core = (1 - smoothstep(0.95, 1.1, rCore)) * (b <= coreEndLo ? 1 : 1 - smoothstep(coreEndLo, coreEndHi, b));
      // Allowed: a head ellipse (hair volume above and beside the face) and a shoulder trapezoid below the chin.
      const rHead = Math.hypot(a / (1.05 * fw), (b + 0.2 * fh) / (1.0 * fh));
      const head = 1 - smoothstep(1.0, 1.15, rHead);
      const below = b - 0.35 * fh;
      const halfW = 0.45 * fw + Math.max(0, below) * 1.6;
      const body = smoothstep(0, 0.1 * fh, below) * (1 - smoothstep(halfW, halfW + 0.15 * fw, Math.abs(a)));
      const allowed = Math.max(head, body);
      const m = matte[y * widthPx + x]! / 255;
      if (opts.bars && onBar(opts.bars, widthPx, heightPx, x, y)) continue;
      out[y * widthPx + x] = Math.round(255 * Math.max(core, m * allowed));
    }
  }
  return out;
}
