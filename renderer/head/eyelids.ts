/**
 * The photo head's eyeballs as seen between the lids: the photo's eye with its iris moved by the gaze, the place the
 * iris left filled with the sclera of the same rows, the iris parts the photo's lids hid filled from the visible
 * half, and, as a lid comes down, its lash line and shadow on the eyeball; near closure the gap left between the
 * lids shows lid skin and lashes, never the iris. Over the face mesh, the closing upper lid as skin
 * ({@link LID_FRAGMENT}), and the upper lid following a vertical gaze ({@link gazeLidWeights}).
 *
 * @remarks The lid's geometry is the face mesh (its rings slide down over the opening, core/rig/rig.ts); where it has
 * come down, {@link LID_FRAGMENT} paints lid skin made from the photo over it instead of the photo's thin lid band
 * stretched over the eye. {@link EYE_FRAGMENT} fills what shows through the opening. Colours are measured on the
 * photo: the lash line as the darkest quarter of the pixels along the upper-lid contour, the lid skin as the mean
 * along the ring above it (MediaPipe `upper1`) for the eyeball's gap fill, and as the median of the brighter half of
 * the lid band for the lid skin ({@link measureLidSkin}).
 */
import type * as THREE from 'three';
import { EYE_LEFT, EYE_RIGHT, type EyeRegion } from '../../core/rig/topology.ts';
import { BS } from '../../core/motion/names.ts';
import { evaluateRigRelative, eyeRotations, EYEBALL_RADIUS_IOD, type PhotoHeadRig } from '../../core/rig/rig.ts';
import { signedDistanceToPolygon } from '../../core/math/polygon.ts';

/** Points of the posed upper-lid curve passed to the shader (outer corner, 7 lid points, inner corner); also the
 * lower contour's point count (corner to corner). */
export const LID_CURVE_N = 9;

/**
 * Largest luma of a glasses frame's core relative to the skin around it ({@link isFrameLine}).
 * @remarks A judgement: a dark rim (black, brown, metal in shadow) is well under half the skin's luma; a crease line
 * is rarely under 0.8 of it.
 */
export const FRAME_MAX_LUMA_RATIO = 0.55;

/** Fragment shader of an eyeball quad (uniforms listed in its source; `vLocal` = photo px). */
export const EYE_FRAGMENT = /* glsl */ `
uniform sampler2D uPhoto;
uniform vec2 uPhotoSize;
uniform vec2 uIrisC;
uniform float uIrisR;
uniform vec2 uOffset;
uniform vec2 uEyeC;
uniform vec2 uEyeHalf;
uniform vec3 uSclera;
uniform vec3 uEyeSclera;
uniform vec3 uLash;
uniform vec3 uLid;
uniform vec2 uLidCurve[${LID_CURVE_N}];
uniform vec2 uRestUp[${LID_CURVE_N}];
uniform vec2 uRestLow[${LID_CURVE_N}];
uniform vec2 uLowCurve[${LID_CURVE_N}];
uniform vec2 uFaceDown;
uniform float uIrisCosPitch;
uniform float uLidDrop;
uniform float uClose;
varying vec2 vLocal;
vec3 photoAt(vec2 p) { return texture2D(uPhoto, p / uPhotoSize).rgb; }
float inOpen(vec2 p) { return 1.0 - smoothstep(0.9, 1.05, length((p - uEyeC) / uEyeHalf)); }
// Well inside the opening (the ellipse overshoots an almond-shaped eye at its corners).
float deepInOpen(vec2 p) { return 1.0 - smoothstep(0.7, 0.85, length((p - uEyeC) / uEyeHalf)); }
float luma(vec3 c) { return dot(c, vec3(0.299, 0.587, 0.114)); }
// How much a photo colour looks like this eye's white (uEyeSclera, measureEyeSclera): at least 0.55–0.75 of its luma,
// chromaticity within 0.03–0.06 of it (not iris, lid skin or caruncle); used by the fill where the lower lid dropped.
// (The moved iris's ring fill keeps its test against both eyes' uSclera: against uEyeSclera held-out img05's vacated
// iris place came out 16–27 L* under the photo's white, eyeGazeSclera.test.ts.)
float scleraLike(vec3 c) {
  vec3 chroma = c / max(c.r + c.g + c.b, 0.01) - uEyeSclera / max(uEyeSclera.r + uEyeSclera.g + uEyeSclera.b, 0.01);
  return smoothstep(0.55, 0.75, luma(c) / max(luma(uEyeSclera), 0.01)) * (1.0 - smoothstep(0.03, 0.06, length(chroma)));
}
${curveFn('yRestUp', 'uRestUp', LID_CURVE_N)}
${curveFn('yRestLow', 'uRestLow', LID_CURVE_N)}
${curveFn('yPosedUp', 'uLidCurve', LID_CURVE_N)}
${curveFn('yPosedLow', 'uLowCurve', LID_CURVE_N)}
// The upper lid's shade on the eyeball below it (lashes and lid overhang occlude the light from above): 0.85 at the
// lid's edge rising to 1 at 0.6 opening heights below it. A judgement (a photo's sclera just under the lid is visibly
// darker), not a measurement; used only to darken, never to brighten.
float lidShade(vec2 p, float lidY) { return mix(0.85, 1.0, smoothstep(0.0, 1.2 * uEyeHalf.y, p.y - lidY)); }
// 1 where the photo shows the eyeball at p: between its rest lid contours, a lash width (8 % of the opening's
// half-height, at least 1 px) inside them; 0 on the lids.
float seenInPhoto(vec2 p) {
  float m = max(1.0, 0.08 * uEyeHalf.y);
  return smoothstep(0.0, m, p.y - yRestUp(p.x) - m) * smoothstep(0.0, m, yRestLow(p.x) - p.y - m);
}
// How a photo pixel s with colour c shows this eye's white (0–1): seen between the photo's lids (seenInPhoto), off
// the photo's iris (1.1–1.3 radii; its soft limbus) and sclera-like: 0.45–0.6 of the white's luma (the shade under the
// lid is 13–20 L* under the white) and chromaticity within 0.04–0.07 of it (0.05–0.09, as eyeballUnderLid's column
// samples, let the pink caruncle of img01's inner corner in, a pink wedge beside the moved iris; 0.025–0.05 left most
// of img05's shaded white out, to the flat ring fill).
float whiteAt(vec2 s, vec3 c) {
  vec3 chroma = c / max(c.r + c.g + c.b, 0.01) - uEyeSclera / max(uEyeSclera.r + uEyeSclera.g + uEyeSclera.b, 0.01);
  return seenInPhoto(s) * smoothstep(1.1 * uIrisR, 1.3 * uIrisR, length(s - uIrisC))
    * smoothstep(0.45, 0.6, luma(c) / max(luma(uEyeSclera), 0.01)) * (1.0 - smoothstep(0.04, 0.07, length(chroma)));
}
// The eyeball's fall-off towards the corners at p: 1 over the middle half of the opening, down to 0.8 at the corners
// (the sphere turns away from the light and the canthi shade it; a judgement, used only as a ratio between two places
// of the same photo's white).
float eyeballShade(vec2 p) { return mix(1.0, 0.8, smoothstep(0.4, 1.0, abs(p.x - uEyeC.x) / uEyeHalf.x)); }
// The eyeball at p where the photo shows the upper lid (what a raised lid uncovers): inside the iris disc the iris
// continued round, mirrored across its horizontal axis from its visible lower part (else the point of the same radius on
// that axis); beside it the photo's own eye white: the sclera-like pixels of the same column well inside the rest opening
// (0.3–0.6 of the way from the upper lid to the lower: the rows just under the lid's lash band, tried too, are in its
// shadow, 13–20 L* under the photo's white; not iris, lashes or lid skin),
// else this eye's measured white (uEyeSclera, measureEyeSclera) shaded towards the top (to 0.85: a judgement, the white
// under a lid is in its shade; the moved iris's fill goes to 0.72, which drew the uncovered band 15–20 L* under the
// photo's white); shaded by the raised lid above it (lidShade).
vec3 eyeballUnderLid(vec2 p, float lidY) {
  float dI = length(p - uIrisC);
  vec2 qm = vec2(p.x, 2.0 * uIrisC.y - p.y);
  vec2 qh = uIrisC + vec2(sign(p.x - uIrisC.x + 1e-4) * dI, 0.0);
  vec3 iris = mix(photoAt(qh), photoAt(qm), seenInPhoto(qm));
  vec3 sum = vec3(0.0);
  float ws = 0.0;
  vec3 refChroma = uEyeSclera / max(uEyeSclera.r + uEyeSclera.g + uEyeSclera.b, 0.01);
  for (int i = 0; i < 3; i++) {
    vec2 s = vec2(p.x, mix(yRestUp(p.x), yRestLow(p.x), 0.3 + 0.15 * float(i)));
    vec3 cs = photoAt(s);
    vec3 chroma = cs / max(cs.r + cs.g + cs.b, 0.01) - refChroma;
    float valid = smoothstep(1.1 * uIrisR, 1.3 * uIrisR, length(s - uIrisC)) * seenInPhoto(s)
      * smoothstep(0.45, 0.6, luma(cs) / max(luma(uEyeSclera), 0.01)) * (1.0 - smoothstep(0.05, 0.09, length(chroma)));
    sum += valid * cs;
    ws += valid;
  }
  vec3 shaded = uEyeSclera * mix(0.85, 1.0, smoothstep(-0.9, 0.3, (p.y - uEyeC.y) / uEyeHalf.y));
  vec3 sclera = mix(shaded, sum / max(ws, 1e-4), smoothstep(0.0, 1.0, ws));
  vec3 e = mix(sclera, iris, 1.0 - smoothstep(0.96 * uIrisR, 1.04 * uIrisR, dI));
  return e * lidShade(p, lidY);
}
void main() {
  vec2 p = vLocal;
  vec3 photo = photoAt(p);
  float moving = step(0.01, length(uOffset));
  float inOrig = 1.0 - smoothstep(uIrisR * 1.15, uIrisR * 1.38, length(p - uIrisC));
  float inOpening = 1.0 - smoothstep(1.0, 1.12, length((p - uEyeC) / uEyeHalf));
  vec3 base = mix(uSclera, photo, inOpening);
  // Where the upper lid has risen above its rest place (eyeWide, a look up), the photo's lid band and the lashes at its
  // edge (down to 0.4 opening half-heights below the rest lid line, faded over the second half) are eyeball
  // (eyeballUnderLid), not the lid's skin left behind: a new-user run drew the Mona Lisa with "googly eyes", the
  // uncovered iris band 28–29 L* lighter than the iris (img06), 51 on img01 (eyeWideSclera.test.ts).
  float lashM = max(1.0, 0.2 * uEyeHalf.y);
  float raised = smoothstep(0.0, lashM, yRestUp(p.x) - yPosedUp(p.x)) * (1.0 - smoothstep(lashM, 2.0 * lashM, p.y - yRestUp(p.x)));
  base = mix(base, eyeballUnderLid(p, yPosedUp(p.x)), raised);
  // Where the lower lid has dropped below its rest place (a look down, lowerLidGazeDrop), the photo's lower lid band
  // and its waterline (up to half a lash width above the rest contour, faded over the next half) are eyeball too: the
  // photo's own white just above them, mirrored across that line, where it is white (scleraLike), else eyeballUnderLid.
  // (eyeballUnderLid alone drew flat grey blocks beside the iris: its column samples there lie on the iris at rest.)
  float yLowEdge = yRestLow(p.x) - 0.5 * lashM;
  float lowered = smoothstep(0.0, lashM, yPosedLow(p.x) - yRestLow(p.x)) * (1.0 - smoothstep(0.0, 0.5 * lashM, yLowEdge - p.y));
  vec2 sLow = vec2(p.x, max(2.0 * yLowEdge - p.y, mix(yRestUp(p.x), yLowEdge, 0.5)));
  vec3 cLow = photoAt(sLow);
  base = mix(base, mix(eyeballUnderLid(p, yPosedUp(p.x)), cLow, scleraLike(cLow) * seenInPhoto(sLow)), lowered);
  vec3 c = base;
  // Both fills below blend in with weight "moving" (0 or 1): while the iris stays put they blend in with weight 0,
  // which leaves base as it is, and the material compiles without them (EYE_STILL, see eyeStillDefine): a software
  // rasteriser (SwiftShader) runs both sides of every branch, so an if would still pay for the 32-tap ring.
#ifndef EYE_STILL
  {
    // Sclera where the iris was: the photo's own sclera around it, interpolated inwards (inverse-distance weights,
    // Shepard 1968) from 32 samples on two rings (1.45 and 1.8 iris radii) that lie well inside the opening and are
    // sclera-like (at least 0.55–0.75 of the measured sclera's luma, chromaticity within 0.03–0.06 of it: not iris, lid
    // skin or caruncle), taken as they are; the measured sclera, shaded darker towards the upper lid, where no sample
    // qualifies. (Row-wise copies of the sclera beside the iris drew streaks. Samples relit by a Lambert fall-off
    // towards the corners, cos 45° ≈ 0.7, came out up to 1.4× brighter than any eye white of the photo: a flat white
    // patch, L* up to 12.7 over the photo's sclera on vid06, eyeGazeSclera.test.ts.)
    vec3 shaded = uSclera * mix(0.72, 1.0, smoothstep(-0.9, 0.3, (p.y - uEyeC.y) / uEyeHalf.y));
    vec3 ringSum = vec3(0.0);
    float ringW = 0.0;
    for (int i = 0; i < 32; i++) {
      float a = float(i) * 0.3926991 + (i >= 16 ? 0.19635 : 0.0);
      vec2 s = uIrisC + vec2(cos(a), sin(a)) * uIrisR * (i >= 16 ? 1.8 : 1.45);
      vec3 cs = photoAt(s);
      vec3 chroma = cs / max(cs.r + cs.g + cs.b, 0.01) - uSclera / max(uSclera.r + uSclera.g + uSclera.b, 0.01);
      float valid = deepInOpen(s) * smoothstep(0.55, 0.75, luma(cs) / max(luma(uSclera), 0.01)) * (1.0 - smoothstep(0.03, 0.06, length(chroma)));
      vec2 d = (s - p) / uIrisR;
      float w = valid / (dot(d, d) + 0.05);
      ringSum += w * cs;
      ringW += w;
    }
    vec3 ringFill = mix(shaded, ringSum / max(ringW, 1e-4), smoothstep(0.0, 0.5, ringW)) * lidShade(p, yPosedUp(p.x));
    // The eyeball turns as a whole: where the iris left, the photo's own eye white that turned with it shows, the
    // pixel at p − uOffset (outside the photo's iris, since p lies outside the moved one), else the same row mirrored
    // across the photo's iris (the white on its other side): its grain, the lid's shadow along its row and its fall-off
    // towards the corners are the photo's. Relit for its new place by eyeballShade (a white carried in from a corner is
    // brighter towards the middle); the ring fill above only where neither source shows sclera (under the photo's lids,
    // past the corners). (The ring fill alone drew a flat pale block where the iris left, img01/img06 look image-left:
    // the luma spread of the uncovered white 0.2–0.3 of the photo's, eyeGazeSclera.test.ts.)
    // (Next to the moved iris p − uOffset falls on the photo's limbus, 1–1.3 radii out, which is not white: sampled just
    // outside it, 1.35 radii out along the same ray, so no crescent of the fallback hugs the moved iris.)
    vec2 sT = p - uOffset;
    vec2 dT = sT - uIrisC;
    sT = uIrisC + dT * (max(length(dT), 1.35 * uIrisR) / max(length(dT), 1e-4));
    vec2 sM = vec2(2.0 * uIrisC.x - sT.x, sT.y);
    vec3 colT = photoAt(sT);
    vec3 colM = photoAt(sM);
    float okT = whiteAt(sT, colT);
    float okM = (1.0 - okT) * whiteAt(sM, colM);
    vec3 turned = (okT * colT * eyeballShade(p) / eyeballShade(sT) + okM * colM * eyeballShade(p) / eyeballShade(sM)) / max(okT + okM, 1e-4);
    vec3 scleraRow = mix(ringFill, turned, smoothstep(0.0, 0.6, okT + okM));
    base = mix(base, scleraRow, inOrig * moving);
    // The moved iris. Where its source pixel lay under the photo's lids (not iris: lid skin, lashes, the waterline), the
    // same place mirrored across the iris's horizontal axis, else the point of the same radius on that axis (the iris
    // is roughly radially symmetric, and its horizontal radius is the part a photo shows best).
    // The upper lid keeps resting on the iris as it did in the photo: where the photo's lid covered the iris top by c px
    // (up to 0.3 radii), the moved iris is drawn large enough for the lid at its new place to cover it by as much, up to
    // 1.3× (the Iris model underestimates an iris seen in a corner, and a lid arching above a smaller disc reads as a
    // startled stare). Its texture is scaled with it. The lid is the posed one: a lid that follows a downward gaze
    // (gazeLidWeights) covers the iris as at rest, so the iris keeps its size (measured against the rest lid, a look down
    // drew it 1.3× wide, a dark slot the width of the opening).
    // The moved iris is relit for its new place: the lid's shade on the source pixel (lidShade) out, the one at p in,
    // never brightened (the photo's iris top, under its lid, is darker; moved to a corner, it comes to lie under the lid).
    vec2 cM = uIrisC + uOffset;
    float cover = clamp(yRestUp(uIrisC.x) - (uIrisC.y - uIrisR), 0.0, 0.3 * uIrisR);
    // (A lid raised above its rest place, eyeWide, uncovers more of the same iris: measured against the rest lid there.)
    float rM = clamp(cM.y - max(yPosedUp(cM.x), yRestUp(cM.x)) + cover, uIrisR, 1.3 * uIrisR);
    rM = mix(uIrisR, rM, moving);
    // Turned up or down, the iris disc is seen foreshortened along the face's vertical axis (uFaceDown) by the cosine of
    // the pitch (uIrisCosPitch): its source point lies 1/cos further from the centre along that axis.
    vec2 dM = p - cM;
    dM += uFaceDown * dot(dM, uFaceDown) * (1.0 / max(uIrisCosPitch, 0.5) - 1.0);
    vec2 q = uIrisC + dM * (uIrisR / rM);
    vec2 qm = vec2(q.x, 2.0 * uIrisC.y - q.y);
    vec2 qh = uIrisC + vec2(sign(q.x - uIrisC.x + 1e-4) * length(q - uIrisC), 0.0);
    float seenQ = seenInPhoto(q);
    float seenM = seenInPhoto(qm);
    vec3 iris = mix(mix(photoAt(qh), photoAt(qm), seenM), photoAt(q), seenQ);
    float srcShade = mix(mix(lidShade(qh, yRestUp(qh.x)), lidShade(qm, yRestUp(qm.x)), seenM), lidShade(q, yRestUp(q.x)), seenQ);
    iris *= min(1.0, lidShade(p, yPosedUp(p.x)) / srcShade);
    float inMoved = 1.0 - smoothstep(uIrisR * 0.96, uIrisR * 1.04, length(q - uIrisC));
    c = mix(base, iris, inMoved * moving);
  }
#endif
  // The upper lid's posed edge above p (piecewise linear in x); below it its lash line and shadow.
  float lidY = uLidCurve[0].y;
  for (int i = 0; i < ${LID_CURVE_N - 1}; i++) {
    vec2 a = uLidCurve[i];
    vec2 b = uLidCurve[i + 1];
    float t = (p.x - a.x) / (b.x - a.x);
    if (t >= 0.0 && t <= 1.0) lidY = mix(a.y, b.y, t);
  }
  float below = p.y - lidY;
  // The lash line itself is the lid skin's (LID_FRAGMENT, drawn over this quad); here only its shadow on the eyeball
  // and a thin dark fringe at the lid's edge. (A second lash band 0.85 the lash colour a lash width deep, under a 35 %
  // shadow, turned the gap of a half-closed eye into a black slit: img01 at blink 0.7, eyelidHalfBlink.test.ts.)
  float lashW = 0.5 + uEyeHalf.y * (0.12 + 0.1 * uClose);
  c *= 1.0 - 0.2 * uLidDrop * (1.0 - smoothstep(0.0, 2.5 * lashW, below));
  c = mix(c, uLash, 0.4 * uLidDrop * (1.0 - smoothstep(0.0, 0.5 * lashW, below)));
  // Near closure the gap between the lids is shaded lid skin (the lash line is drawn over the lid edge).
  c = mix(c, uLid * 0.85, uClose);
  gl_FragColor = vec4(c, 1.0);
}`;

/**
 * Keeps an eye material ({@link EYE_FRAGMENT}) compiled without the moved-iris fills while its iris stays put.
 * @param m - the eye's material (its `uOffset` uniform already set for this frame).
 * @returns whether the material's program changed (it then recompiles once, or is taken from three.js's cache).
 * @remarks The shader blends the sclera fill (a 32-tap ring) and the moved iris in with weight `moving`
 * (`step(0.01, length(uOffset))`); at 0 they leave the pixel as it is, so the `EYE_STILL` variant, which leaves them
 * out, draws the same pixels. It matters on a software rasteriser: SwiftShader executes both sides of a branch for
 * every pixel ("TODO: Optimize for case where all lanes take same path", SpirvShader EmitBranchConditional), so a
 * runtime `if` would not skip them. The still variant is chosen below 0.009 px only, where the float32 length is
 * surely under the shader's 0.01 threshold; between the two the full shader decides as before.
 */
export function eyeStillDefine(m: THREE.ShaderMaterial): boolean {
  const o = m.uniforms.uOffset!.value as THREE.Vector2;
  const still = Math.hypot(o.x, o.y) < 0.009;
  if (still === 'EYE_STILL' in m.defines) return false;
  if (still) m.defines.EYE_STILL = 1;
  else delete m.defines.EYE_STILL;
  m.needsUpdate = true;
  return true;
}

/**
 * Lash-line and lid-skin colours of one eye, measured on the photo.
 * @param rgba - photo `[h, w, 4]` bytes.
 * @param widthPx - photo width.
 * @param heightPx - photo height.
 * @param restPx - rest vertices `[468, 3]`.
 * @param region - the eye's rings.
 * @returns `[lash, lid]`, RGB in [0, 1].
 */
export function measureLidColours(rgba: Uint8Array, widthPx: number, heightPx: number, restPx: Float32Array, region: EyeRegion): [[number, number, number], [number, number, number]] {
  const around = (ids: readonly number[], r: number): [number, number, number, number][] => {
    const out: [number, number, number, number][] = [];
    for (const i of ids) {
      for (let dy = -r; dy <= r; dy++) {
        for (let dx = -r; dx <= r; dx++) {
          const x = Math.round(restPx[i * 3]!) + dx;
          const y = Math.round(restPx[i * 3 + 1]!) + dy;
          if (x < 0 || y < 0 || x >= widthPx || y >= heightPx) continue;
          const k = (y * widthPx + x) * 4;
          const c: [number, number, number, number] = [rgba[k]! / 255, rgba[k + 1]! / 255, rgba[k + 2]! / 255, 0];
          c[3] = 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2];
          out.push(c);
        }
      }
    }
    return out;
  };
  const mean = (cs: [number, number, number, number][]): [number, number, number] => {
    const m: [number, number, number] = [0, 0, 0];
    for (const c of cs) for (let k = 0; k < 3; k++) m[k] = m[k]! + c[k]! / Math.max(1, cs.length);
    return m;
  };
  const lashPx = around(region.upper0, 2).sort((a, b) => a[3] - b[3]);
  const lash = mean(lashPx.slice(0, Math.max(1, lashPx.length >> 2)));
  const lid = mean(around(region.upper1, 1));
  return [lash, lid];
}

/**
 * The eye white of one eye as the photo shows it: per-channel medians of the brighter half (by luma) of the pixels
 * inside the rest opening (1 px in from its contour) that lie farther than 1.3 iris radii from the iris centre.
 * @param rgba - photo `[h, w, 4]` bytes.
 * @param widthPx - photo width.
 * @param heightPx - photo height.
 * @param restPx - rest vertices `[468, 3]`, photo px.
 * @param region - the eye's rings.
 * @param irisCenterPx - iris centre, photo px.
 * @param irisRadiusPx - iris radius, photo px (> 0).
 * @param fallback - RGB in [0, 1] returned when fewer than 6 such pixels exist (a narrow or closed eye), e.g. the
 * sclera light of both eyes (core/face/sceneLight.ts `measureScleraLight`).
 * @returns RGB in [0, 1].
 * @remarks Beside the iris an open eye shows sclera, the caruncle at the inner corner and lashes and their shadow along
 * the lids; the white is the brightest of them on any skin tone and in any light, so the brighter half is sclera. Per
 * eye, not both eyes' mean: a side light leaves one eye's white darker than the other's.
 */
export function measureEyeSclera(rgba: Uint8Array, widthPx: number, heightPx: number, restPx: Float32Array, region: EyeRegion, irisCenterPx: readonly [number, number], irisRadiusPx: number, fallback: readonly [number, number, number]): [number, number, number] {
  const ids = [...lidWithCorners(region), ...[...region.lower0].reverse()];
  const poly = ids.flatMap((i) => [restPx[i * 3]!, restPx[i * 3 + 1]!]);
  const xs = poly.filter((_, k) => k % 2 === 0);
  const ys = poly.filter((_, k) => k % 2 === 1);
  const px: [number, number, number, number][] = [];
  for (let y = Math.max(0, Math.floor(Math.min(...ys))); y <= Math.min(heightPx - 1, Math.ceil(Math.max(...ys))); y++) {
    for (let x = Math.max(0, Math.floor(Math.min(...xs))); x <= Math.min(widthPx - 1, Math.ceil(Math.max(...xs))); x++) {
      if (signedDistanceToPolygon(poly, x + 0.5, y + 0.5) <= 1) continue;
      if (Math.hypot(x + 0.5 - irisCenterPx[0], y + 0.5 - irisCenterPx[1]) <= 1.3 * irisRadiusPx) continue;
      const k = (y * widthPx + x) * 4;
      px.push([rgba[k]!, rgba[k + 1]!, rgba[k + 2]!, 0.299 * rgba[k]! + 0.587 * rgba[k + 1]! + 0.114 * rgba[k + 2]!]);
    }
  }
  if (px.length < 6) return [fallback[0], fallback[1], fallback[2]];
  const bright = px.sort((a, b) => a[3] - b[3]).slice(px.length >> 1);
  const med = (c: number): number => bright.map((q) => q[c]!).sort((a, b) => a - b)[bright.length >> 1]! / 255;
  return [med(0), med(1), med(2)];
}

/**
 * The rest upper and lower lid contours of one eye for {@link EYE_FRAGMENT} (`uRestUp`, `uRestLow`): where the photo
 * shows the eyeball.
 * @param restPx - rest vertices `[468, 3]`, photo px.
 * @param region - the eye's rings.
 * @returns `[upper, lower]`, each `[LID_CURVE_N, 2]` photo px sorted by x.
 */
export function restLidCurves(restPx: Float32Array, region: EyeRegion): [Float32Array, Float32Array] {
  const up = new Float32Array(LID_CURVE_N * 2);
  const low = new Float32Array(LID_CURVE_N * 2);
  writeCurve(up, lidWithCorners(region), restPx);
  writeCurve(low, region.lower0, restPx);
  return [up, low];
}

/**
 * Per-frame eye uniforms: the posed upper-lid curve, the posed lower-lid curve (`uLowCurve`, when the material has it),
 * how far the lid came down and how closed the eye is.
 * @param m - the eye's material (uniforms of {@link EYE_FRAGMENT}).
 * @param region - the eye's rings.
 * @param posedPx - posed vertices `[468, 3]`.
 * @param blink - how closed the eye is in [0, 1], drives `uClose` (the gap turning to lid from 0.6 to 0.9): the blink
 * weight; the mesh head passes the larger of the frame's blink and the lids' closure ({@link lidClosure}) capped at the
 * blink with the lid's share of a downward gaze ({@link gazeLidWeights}).
 * @param closingBlink - the part of `blink` that closes the eye (the frame's own blink weight, in [0, 1]; default
 * `blink`): the quad's lash shadow and fringe (`uLidDrop`) follow it only. A lid that comes down with the gaze keeps its
 * open-eye relation to the eyeball (Becker & Fuchs 1988, see {@link gazeLidWeights}), and the moved iris's top rows come
 * from under the photo's lid with the photo's own lash shadow on them; the closing lid's shadow and fringe added over
 * them drew a look down as a black bar (img01, eyeLookDown.test.ts).
 */
export function updateEyeLids(m: THREE.ShaderMaterial, region: EyeRegion, posedPx: Float32Array, blink: number, closingBlink = blink): void {
  const curve = m.uniforms.uLidCurve!.value as Float32Array;
  const ids = [region.lower0[0]!, ...region.upper0, region.lower0[region.lower0.length - 1]!];
  // Sorted by x so the shader can interpolate (the outer corner is on either side depending on the eye).
  const pts = ids.map((i) => [posedPx[i * 3]!, posedPx[i * 3 + 1]!] as [number, number]).sort((a, b) => a[0] - b[0]);
  pts.forEach(([x, y], k) => {
    curve[k * 2] = x;
    curve[k * 2 + 1] = y;
  });
  // The posed lower lid (it drops in a look down, lowerLidGazeDrop).
  if (m.uniforms.uLowCurve) writeCurve(m.uniforms.uLowCurve.value as Float32Array, region.lower0, posedPx);
  // The lash line and shadow come in over the first 0.3 of a blink; the gap turns to lid from 0.6 to 0.9.
  m.uniforms.uLidDrop!.value = Math.min(1, Math.max(0, (closingBlink - 0.05) / 0.3));
  const t = Math.min(1, Math.max(0, (blink - 0.6) / 0.3));
  m.uniforms.uClose!.value = t * t * (3 - 2 * t);
}

/** Points of each skin ring above the lid contour passed to the lid shader (MediaPipe `upper1`, `upper2`). */
export const LID_RING_N = 7;

/** GLSL: `float name(float x)`, the y of a piecewise-linear curve through uniform `uniformName[n]` (sorted by x), clamped. */
function curveFn(name: string, uniformName: string, n: number): string {
  return /* glsl */ `
float ${name}(float x) {
  if (x <= ${uniformName}[0].x) return ${uniformName}[0].y;
  float y = ${uniformName}[${n - 1}].y;
  for (int i = 0; i < ${n - 1}; i++) {
    vec2 a = ${uniformName}[i];
    vec2 b = ${uniformName}[i + 1];
    if (x >= a.x && x <= b.x) y = mix(a.y, b.y, (x - a.x) / max(b.x - a.x, 1e-4));
  }
  return y;
}`;
}

/**
 * Fragment shader of the closing upper lid, drawn on the face mesh's triangles around one eye and over its opening
 * ({@link lidTriangles}; `vLocal` = the posed vertices' photo px, alpha-blended over the face). Where the lid has come down it replaces the face mesh's lid (the photo's thin lid band
 * stretched over the eye) with lid skin made from the photo at its own scale:
 * - base colour: 60 % the photo's lid skin ({@link measureLidSkin}, one colour per half of the lid, blended across
 *   the middle) and 40 % the photo's own lid (the upper 60 % of the band between the upper2 ring and the lash line,
 *   mapped onto the lid and low-passed: trimmed 13-tap disc, 0.3 eye heights, leaving out frame-like taps — dark and
 *   colourless, a glasses frame), so no pixel row of the photo is drawn
 *   out into a streak, lashes and liner barely tint it and the photo's shading stays; towards the top (the upper2
 *   ring) only the photo's lid, so a socket's shadow continues onto the lid and the skin meets the face mesh without
 *   a seam;
 * - grain: the photo's relative high-pass (pixel ÷ trimmed mean of a 13-tap disc of 0.15 eye heights − 1, clamped to
 *   ±12 %, none from a frame-like pixel) taken 1:1 from the lid band between the upper2 ring and the lash line, tiled
 *   down the lid by mirroring, so its blur and grain are the photo's own;
 * - glasses: a thin dark colourless line of the photo well above the lash line (a frame, `frameLine`) is drawn where
 *   it is (glasses do not close with the lid), and such a line that the face mesh carried down with the lid (its
 *   photo pixel `vUv`) is covered with lid skin;
 * - shading: a soft shadow at the crease (the posed upper1 ring) and towards the lash line, where the lid turns away
 *   from the light;
 * - the lash line: the photo's measured lash colour ({@link measureLidColours}) along the posed lid edge, corner to
 *   corner, a core line in a soft shadow (as real closed lids of vid06 show it, eyelidLashLine.test.ts), its scale
 *   0.12 eye heights, widening to 0.2 as the eye closes (upper and lower lashes meet: roughly 1–2 mm on
 *   a 10 mm opening; a thinner line left the far eye of a turned head reading as open to FaceMesh + Iris, EAR 0.83 of
 *   open on img06); near closure the gap down to the lower lid is lid skin;
 * - a glasses frame across the lid band ({@link measureLidSkin}'s share below it, `uBandShare` < 1): the band the lid
 *   is made from ends below the frame and no grain is tiled from it (too thin: its rows repeat as stripes); a dark rim
 *   of any hue (not only a colourless one) at least 0.4–0.6 eye heights above the lash line stays in place, and one
 *   the face mesh carried down from near the lash line is covered with lid skin.
 * The skin layer fades in from the eye corners over a quarter of the eye's width and as the lid edge leaves its rest
 * place (over a quarter eye height), so an open eye is the photo untouched.
 * Uniforms: `uSkin0`/`uSkin1` the photo's lid skin colours ({@link measureLidSkin}), `uLash` the lash colour,
 * `uEdge`/`uRest` posed/rest lid contour with its corners, `uLow` posed lower contour, `uRing1`/`uRing1Rest` posed/rest
 * upper1, `uTop`/`uTopRest` posed/rest upper2 (all photo px, sorted by x), `uEyeH` the rest opening's height (px),
 * `uCover` (0 = draw nothing) and `uClose` from {@link updateLidSkin}, `uBandShare` from {@link measureLidSkin}.
 */
export const LID_FRAGMENT = /* glsl */ `
uniform sampler2D uPhoto;
uniform vec2 uPhotoSize;
uniform vec2 uEdge[${LID_CURVE_N}];
uniform vec2 uRest[${LID_CURVE_N}];
uniform vec2 uLow[${LID_CURVE_N}];
uniform vec2 uRing1[${LID_RING_N}];
uniform vec2 uRing1Rest[${LID_RING_N}];
uniform vec2 uTop[${LID_RING_N}];
uniform vec2 uTopRest[${LID_RING_N}];
uniform vec3 uLash;
uniform vec3 uSkin0;
uniform vec3 uSkin1;
uniform float uEyeH;
uniform float uCover;
uniform float uClose;
uniform float uBandShare;
varying vec2 vLocal;
varying vec2 vUv;
${curveFn('yEdge', 'uEdge', LID_CURVE_N)}
${curveFn('yRest', 'uRest', LID_CURVE_N)}
${curveFn('yLow', 'uLow', LID_CURVE_N)}
${curveFn('yRing1', 'uRing1', LID_RING_N)}
${curveFn('yRing1Rest', 'uRing1Rest', LID_RING_N)}
${curveFn('yTop', 'uTop', LID_RING_N)}
${curveFn('yTopRest', 'uTopRest', LID_RING_N)}
vec3 photoAt(vec2 p) { return texture2D(uPhoto, p / uPhotoSize).rgb; }
float luma(vec3 c) { return dot(c, vec3(0.299, 0.587, 0.114)); }
float saturationOf(vec3 c) { float mx = max(c.r, max(c.g, c.b)); return (mx - min(c.r, min(c.g, c.b))) / max(mx, 0.02); }
// How much a photo colour looks like a glasses frame rather than lid skin \`skin\`: dark (under 0.6–0.8 of the skin's
// luma) and colourless (HSV saturation under 0.4–0.6 of the skin's: black, grey or metal, not a brown wrinkle, crease
// or shadowed hatching stroke, which keep the skin's hue).
float frameLike(vec3 c, vec3 skin) {
  return smoothstep(0.6, 0.4, saturationOf(c) / max(saturationOf(skin), 0.02)) * smoothstep(0.8, 0.6, luma(c) / max(luma(skin), 0.02));
}
// Trimmed mean of a 13-tap disc (centre + two rings of 6) of radius r, photo px, without frame-like taps: the first
// pass averages the taps weighted by 1 − frameLike, the second weights them also by their luma's closeness to that
// mean (Gaussian, sigma 0.08). rgb = the mean; a = the summed weight of the first pass (0: every tap is frame).
vec4 skinMean(vec2 p, float r, vec3 skin) {
  vec3 t[13];
  float f[13];
  vec3 m = vec3(0.0);
  float fs = 0.0;
  for (int i = 0; i < 13; i++) {
    float a = float(i - 1) * 1.0471976;
    vec2 d = i == 0 ? vec2(0.0) : (i < 7 ? vec2(cos(a), sin(a)) : 0.5 * vec2(sin(a), -cos(a)));
    t[i] = photoAt(p + d * r);
    f[i] = 1.0 - frameLike(t[i], skin);
    m += f[i] * t[i];
    fs += f[i];
  }
  float lm = luma(m / max(fs, 1e-4));
  vec3 s = vec3(0.0);
  float ws = 0.0;
  for (int i = 0; i < 13; i++) {
    float z = (luma(t[i]) - lm) / 0.08;
    float w = f[i] * (exp(-0.5 * z * z) + 1e-3);
    s += w * t[i];
    ws += w;
  }
  return vec4(s / max(ws, 1e-5), fs);
}
// A thin dark line across the lid at x (a glasses frame): frame-like, darker than the photo 0.15 eye heights above and
// below it, and at least 0.4–0.6 eye heights above the rest lash line (lashes and liner are not frame).
float frameLine(vec2 x, vec3 skin, float nearLash) {
  float r = max(1.5, 0.15 * uEyeH);
  vec3 c = photoAt(x);
  float l = luma(c);
  float around = min(luma(photoAt(x + vec2(0.0, r))), luma(photoAt(x - vec2(0.0, r))));
  float above = max(nearLash, smoothstep(0.4 * uEyeH, 0.6 * uEyeH, yRest(x.x) - x.y));
  // Or a dark rim of any hue (measureLidSkin's isFrameLine): under FRAME_MAX_LUMA_RATIO of the skin's luma and of the
  // brightest pixel within half an eye height above it and below it (a frame rim with its highlight is thicker than r).
  float up = 0.0;
  float down = 0.0;
  for (int i = 1; i <= 4; i++) {
    vec2 d = vec2(0.0, float(i) * 0.125 * uEyeH);
    up = max(up, luma(photoAt(x - d)));
    down = max(down, luma(photoAt(x + d)));
  }
  float rim = smoothstep(${(FRAME_MAX_LUMA_RATIO + 0.1).toFixed(2)}, ${(FRAME_MAX_LUMA_RATIO - 0.1).toFixed(2)}, l / max(min(luma(skin), min(up, down)), 0.02));
  return above * max(frameLike(c, skin) * smoothstep(0.92, 0.75, l / max(around, 0.02)), rim);
}
void main() {
  vec2 p = vLocal;
  float x0 = uEdge[0].x;
  float x1 = uEdge[${LID_CURVE_N - 1}].x;
  if (uCover <= 0.0 || p.x <= x0 || p.x >= x1) discard;
  float E = yEdge(p.x);
  float R0 = yRest(p.x);
  float T = min(yTop(p.x), E - 1.0);
  float lashW = max(1.0, (0.12 + 0.08 * uClose) * uEyeH);
  // (While the eye is open below the lid, down to where the lash line's soft shadow has faded, 1.8 lash widths: a cut
  // at 1.2, where it is still 0.27, drew a hard edge under the lash line over the eyeball; 1.2 once the lids meet, where
  // the cut lies on the lower lid, as the vid06-measured closed line was drawn, eyelidLashLine.test.ts.)
  float bottom = max(E + mix(1.8, 1.2, uClose) * lashW, mix(E, yLow(p.x), uClose) + 0.5 * lashW);
  if (p.y < T || p.y > bottom) discard;
  // How far the lid has come down here (0 at rest), faded in from the corners over a quarter of the eye's width.
  float k = uCover * smoothstep(0.0, 0.25 * uEyeH, E - R0) * smoothstep(0.0, 0.25 * (x1 - x0), min(p.x - x0, x1 - p.x));
  float zone = max(E - T, 1.0);
  float v = clamp((p.y - T) / zone, 0.0, 1.0);
  // The photo's lid band (rest upper2 down to above the lash line and liner), for the grain.
  float R1 = yRing1Rest(p.x);
  float srcBottom = R0 - max(1.0, 0.3 * max(R0 - R1, 0.0));
  float srcTop = min(yTopRest(p.x), srcBottom - 2.0);
  // Base: the measured lid skin, across the eye from one half's colour to the other's.
  vec3 base = mix(uSkin0, uSkin1, smoothstep(0.25, 0.75, (p.x - x0) / (x1 - x0)));
  // A glasses frame across the band (uBandShare < 1): the lid skin is the part between the lash line and the frame.
  srcTop = min(mix(srcBottom, srcTop, uBandShare), srcBottom - 2.0);
  // The photo's own lid (the upper 60 % of the band, mapped onto the lid and low-passed) carries its shading: alone at
  // the top, where it meets the face mesh without a seam and a socket's shadow continues onto the lid; 40 % of the
  // colour further down.
  vec4 photoLid = skinMean(vec2(p.x, mix(srcTop, mix(srcTop, srcBottom, 0.6), v)), 0.3 * uEyeH, base);
  base = mix(mix(base, photoLid.rgb, smoothstep(0.3, 2.0, photoLid.a)), base, 0.6 * smoothstep(0.15, 0.65, v));
  // Grain: the photo's relative high-pass taken 1:1 from the band, mirrored down the lid from the edge, clamped to
  // ±12 % so that a lash, liner or crease edge in the band does not repeat as a line.
  float bandH = srcBottom - srcTop;
  float s = max(E - p.y, 0.0);
  float m = mod(s, 2.0 * bandH);
  m = m > bandH ? 2.0 * bandH - m : m;
  vec2 q = vec2(p.x, srcBottom - m);
  vec3 cq = photoAt(q);
  vec4 mq = skinMean(q, 0.15 * uEyeH, base);
  vec3 grain = clamp(cq / max(mq.rgb, vec3(0.02)) - 1.0, -0.12, 0.12) * (1.0 - frameLike(cq, base)) * smoothstep(0.3, 2.0, mq.a);
  // A band cut short by a frame is too thin to tile without stripes (its rows repeat): no grain.
  if (uBandShare < 1.0) grain = vec3(0.0);
  vec3 c = base * (1.0 + grain);
  // Crease shadow along the posed upper1 ring, and the lid turning away towards the lash line.
  float crease = (p.y - yRing1(p.x)) / max(0.25 * uEyeH, 1.0);
  c *= 1.0 - 0.05 * exp(-crease * crease);
  c *= 1.0 - 0.12 * (1.0 - smoothstep(0.0, 0.3 * uEyeH, s));
  // The lash line along the edge; past it (the gap left to the lower lid) shaded lid skin.
  // A core line with a soft shadow round it (real closed lids, vid06's blinks measured along the closed contour: the
  // part under 0.6 of the skin's luma 0.11 eye widths wide, under 0.75 0.18 wide; a single hard-edged line drew
  // 0.125 and 0.15).
  // Until the lids meet (uClose < 1) only the upper lashes make the line: 0.6 of a closed lid's width and depth over
  // the eyeball below the edge (a judgement; the full line over a half-closed eye's gap read as a black slit, img01 at
  // blink 0.7), the closed lid's line (vid06-measured) at closure.
  float lw = lashW * (p.y > E + 0.2 * lashW ? mix(0.6, 1.0, uClose) : 1.0);
  float dl = abs(p.y - E - 0.2 * lashW);
  float lash = max(0.85 * (1.0 - smoothstep(0.3 * lw, 0.85 * lw, dl)), 0.45 * mix(0.6, 1.0, uClose) * (1.0 - smoothstep(0.5 * lw, 1.6 * lw, dl)));
  c = mix(c, uLash, lash);
  float a = p.y > E ? max(lash, uClose) : smoothstep(0.0, 0.4, v);
  // Under the lid's edge, until the lids meet, the photo's own lid margin: the rows just under the rest lid contour
  // (its lashes, liner and their shadow on the eyeball, as the open eye shows them) carried down with the edge, opaque
  // for 0.3 lash widths and faded out by one; the synthetic line above (vid06-measured for closed lids) only as the eye
  // closes (uClose). (Drawn over the gap of a half-closed eye, that line and its halo blackened the sclera beside the
  // iris: 12–13 % of the gap under 25 L* and half the photo's L* at blink 0.7 on img01/img02, eyelidHalfBlink.test.ts.)
  if (p.y > E) {
    float d = p.y - E;
    vec3 margin = photoAt(vec2(p.x, R0 + d));
    float aM = 1.0 - smoothstep(0.3 * lashW, lashW, d);
    c = mix(margin, c, uClose);
    a = mix(aM, a, uClose);
    lash = a;
  }
  // Glasses stay where they are while the lid closes behind them: a frame line of the photo at this very place is
  // drawn as it is, and one that the face mesh carried down with the lid (its photo pixel vUv) is covered with skin.
  // (Dilated by 0.1 eye heights up and down: the frame's lighter rims go with its dark core.)
  float dy = max(1.0, 0.05 * uEyeH);
  float fixedHere = 0.0;
  if (p.y < E) {
    for (int i = -2; i <= 2; i++) fixedHere = max(fixedHere, frameLine(p + vec2(0.0, float(i) * dy), base, 0.0));
  }
  // (With a frame across the lid band, uBandShare < 1, also one that lay near the lash line: the lash line is redrawn.)
  // (Only above the lid's edge: below it lie the opening's triangles, which the face mesh does not draw and so cannot
  // carry a frame down; their photo pixels are the eyeball's, whose dark iris read as frame there and was painted over
  // with lid colour: grey blocks beside a lowered iris, img01 look down.)
  float moved = p.y < E ? frameLine(vUv * uPhotoSize, base, step(uBandShare, 0.999)) * (1.0 - fixedHere) : 0.0;
  c = mix(c, photoAt(p), fixedHere);
  // The lash line runs corner to corner (a closed eye's lashes meet at both corners), faded only at the very ends.
  float kLash = uCover * smoothstep(0.0, 0.06 * (x1 - x0), min(p.x - x0, x1 - p.x));
  float alpha = max(max(k * a, kLash * lash), uCover * max(moved, fixedHere));
  if (alpha <= 0.0) discard;
  gl_FragColor = vec4(clamp(c, 0.0, 1.0), alpha);
}`;

/** Writes posed/rest points of landmark ids into a flat `[n, 2]` uniform array, sorted by x. */
function writeCurve(out: Float32Array, ids: readonly number[], px: Float32Array): void {
  const pts = ids.map((i) => [px[i * 3]!, px[i * 3 + 1]!] as [number, number]).sort((a, b) => a[0] - b[0]);
  pts.forEach(([x, y], k) => {
    out[k * 2] = x;
    out[k * 2 + 1] = y;
  });
}

/** The lid contour with its two corners (outer corner, 7 lid points, inner corner). */
const lidWithCorners = (region: EyeRegion): number[] => [region.lower0[0]!, ...region.upper0, region.lower0[region.lower0.length - 1]!];

/**
 * Uniforms of {@link LID_FRAGMENT} for one eye (curves at rest; {@link updateLidSkin} poses them).
 * @param texture - the photo texture.
 * @param widthPx - photo width.
 * @param heightPx - photo height.
 * @param restPx - rest vertices `[468, 3]`, photo px.
 * @param region - the eye's rings.
 * @param lash - lash colour, RGB in [0, 1] ({@link measureLidColours}).
 * @param skin - lid skin colours of the image-left and image-right halves, RGB in [0, 1], and the share of the lid
 * band below a glasses frame ({@link measureLidSkin}; 1 when left out).
 * @param eyeHeightPx - the rest opening's lid-to-lid height, px (> 0).
 * @returns the uniform map.
 */
export function lidSkinUniforms(texture: THREE.Texture, widthPx: number, heightPx: number, restPx: Float32Array, region: EyeRegion, lash: [number, number, number], skin: [[number, number, number], [number, number, number], number?], eyeHeightPx: number): Record<string, THREE.IUniform> {
  const curve = (ids: readonly number[]): Float32Array => {
    const a = new Float32Array(ids.length * 2);
    writeCurve(a, ids, restPx);
    return a;
  };
  return {
    uPhoto: { value: texture },
    uPhotoSize: { value: [widthPx, heightPx] },
    uEdge: { value: curve(lidWithCorners(region)) },
    uRest: { value: curve(lidWithCorners(region)) },
    uLow: { value: curve(region.lower0) },
    uRing1: { value: curve(region.upper1) },
    uRing1Rest: { value: curve(region.upper1) },
    uTop: { value: curve(region.upper2) },
    uTopRest: { value: curve(region.upper2) },
    uLash: { value: lash },
    uSkin0: { value: skin[0] },
    uSkin1: { value: skin[1] },
    uEyeH: { value: Math.max(1, eyeHeightPx) },
    uCover: { value: 0 },
    uClose: { value: 0 },
    uBandShare: { value: skin[2] ?? 1 },
  };
}

/**
 * Triangles of the face mesh the lid skin of one eye is drawn on: every triangle with a vertex on the lid contours
 * (upper and lower: the lash line of a closed eye lies on both) or the two skin rings above the upper one, and the
 * triangles filling the eye opening (all three vertices on the lid contours),
 * which the face mesh leaves out. Drawn with the face mesh's own vertices, the lid skin sits exactly on the lid at any
 * head pose or orbit.
 * @param region - the eye's rings.
 * @param triangles - the face triangulation, 3 vertex indices per triangle (MediaPipe's 468-point `TRI468`).
 * @returns vertex indices, 3 per triangle.
 */
export function lidTriangles(region: EyeRegion, triangles: ArrayLike<number>): Uint16Array {
  const rings = new Set([...region.upper0, ...region.upper1, ...region.upper2, ...region.lower0]);
  const contour = new Set([...region.upper0, ...region.lower0]);
  const out: number[] = [];
  for (let t = 0; t + 2 < triangles.length; t += 3) {
    const v = [triangles[t]!, triangles[t + 1]!, triangles[t + 2]!];
    if (v.some((i) => rings.has(i)) || v.every((i) => contour.has(i))) out.push(...v);
  }
  return Uint16Array.from(out);
}

/**
 * Per-frame lid-skin uniforms: the posed curves, how much skin to draw and how closed the eye is.
 * @param m - the lid material ({@link LID_FRAGMENT}).
 * @param region - the eye's rings.
 * @param posedPx - posed vertices `[468, 3]`, photo px.
 * @param blink - the eye's lid closing in [0, 1] (blink weight plus the lid's share of a downward gaze).
 * @param closure - how closed the eye is in [0, 1] (default `blink`; {@link lidClosure}): the gap's turning to lash
 * line (`uClose`) follows it.
 * @remarks The skin is drawn from the first movement of the lid (`uCover` = 1 once blink > 0.05; below it the face
 * mesh's lid is the photo's own); the gap to the lower lid turns to lash line from blink 0.6 to 0.9, as in
 * {@link updateEyeLids}.
 */
export function updateLidSkin(m: THREE.ShaderMaterial, region: EyeRegion, posedPx: Float32Array, blink: number, closure = blink): void {
  const u = m.uniforms;
  writeCurve(u.uEdge!.value as Float32Array, lidWithCorners(region), posedPx);
  writeCurve(u.uLow!.value as Float32Array, region.lower0, posedPx);
  writeCurve(u.uRing1!.value as Float32Array, region.upper1, posedPx);
  writeCurve(u.uTop!.value as Float32Array, region.upper2, posedPx);
  u.uCover!.value = Math.min(1, Math.max(0, (blink - 0.02) / 0.08));
  // Open eyes (most frames) skip the draw altogether.
  m.visible = (u.uCover!.value as number) > 0;
  const t = Math.min(1, Math.max(0, (closure - 0.6) / 0.3));
  u.uClose!.value = t * t * (3 - 2 * t);
}

/**
 * The lids' share of a vertical gaze, as rig weights: looking down lowers the upper lid with the eye, looking up
 * raises it (eyeBlink / eyeWide of a copy of `weights` raised to at least that share: a tracked blink already holds
 * the lid's lowering in a downward gaze and is not added to).
 * @param weights - the frame's 52 ARKit weights (not modified).
 * @param pitchRad - `[rightPitch, leftPitch]`, eye rotation up (+) / down (−) in radians (rig `eyeRotations`).
 * @param eyeballRadiusPx - eyeball radius, px (the iris moves `radius·sin(pitch)`).
 * @param eyeHeightsPx - `[right, left]` rest opening heights, px.
 * @param out - receives the weights (length 52).
 * @returns `out`.
 * @remarks The upper lid follows vertical eye movements nearly one to one (Becker & Fuchs 1988, "Lid-eye coordination
 * during vertical gaze changes in man and monkey", J. Neurophysiol. 60(4)): the lid moves as far as the iris does.
 * The rig's blink moves the lid contour 0.88 × the opening height at weight 1 and eyeWide 0.3 × (core/rig/rig.ts), so
 * a drop of d px is a blink of d / (0.88 h) and a lift of d px an eyeWide of d / (0.3 h).
 */
export function gazeLidWeights(weights: Float32Array, pitchRad: [number, number], eyeballRadiusPx: number, eyeHeightsPx: [number, number], out: Float32Array): Float32Array {
  out.set(weights);
  const sides: [number, number, number][] = [
    [BS.eyeBlinkRight, BS.eyeWideRight, 0],
    [BS.eyeBlinkLeft, BS.eyeWideLeft, 1],
  ];
  for (const [blink, wide, k] of sides) {
    const movePx = eyeballRadiusPx * Math.sin(pitchRad[k]!);
    const h = Math.max(1, eyeHeightsPx[k]!);
    if (movePx < 0) out[blink] = Math.max(out[blink] ?? 0, Math.min(1, -movePx / (0.88 * h)));
    else if (movePx > 0) out[wide] = Math.max(out[wide] ?? 0, Math.min(1, movePx / (0.3 * h)));
  }
  return out;
}

/**
 * How closed an eye is, from its lid contours: 1 − (posed opening ÷ rest opening), the openings being the mean
 * vertical distances from the upper-lid contour's points (MediaPipe `upper0`) down to the lower-lid contour (`lower0`,
 * corner to corner, piecewise linear in x).
 * @param region - the eye's rings.
 * @param restPx - rest vertices `[468, 3]`, photo px.
 * @param posedPx - posed vertices `[468, 3]`, photo px.
 * @returns closure in [0, 1] (0: as open as the photo, or wider; 1: the lids meet).
 * @remarks For a blink this is its weight (the rig's upper lid comes down 0.88 and the lower one up 0.12 of the opening
 * per unit, core/rig/rig.ts); a look down lowers the upper lid and the lower one with it ({@link lowerLidGazeDrop}), so
 * the eye closes less than the upper lid's share of the gaze, an eyeBlink, says. The closing-stage shading (the gap
 * turning to lid skin, `uClose` of {@link EYE_FRAGMENT} and {@link LID_FRAGMENT}) follows it: driven by that blink
 * weight, it mixed a quarter of lid colour over the whole eyeball of a look down (img01: a grey, washed-out eye).
 */
export function lidClosure(region: EyeRegion, restPx: Float32Array, posedPx: Float32Array): number {
  const opening = (px: Float32Array): number => {
    const low = region.lower0.map((i) => [px[i * 3]!, px[i * 3 + 1]!] as [number, number]).sort((a, b) => a[0] - b[0]);
    const yLow = (x: number): number => {
      if (x <= low[0]![0]) return low[0]![1];
      for (let k = 0; k + 1 < low.length; k++) {
        const [ax, ay] = low[k]!;
        const [bx, by] = low[k + 1]!;
        if (x <= bx) return ay + ((by - ay) * (x - ax)) / Math.max(1e-6, bx - ax);
      }
      return low.at(-1)![1];
    };
    let sum = 0;
    for (const i of region.upper0) sum += Math.max(0, yLow(px[i * 3]!) - px[i * 3 + 1]!);
    return sum / region.upper0.length;
  };
  const rest = opening(restPx);
  return rest > 1e-6 ? Math.min(1, Math.max(0, 1 - opening(posedPx) / rest)) : 0;
}

/**
 * Share of a downward gaze's iris movement that the lower lid follows ({@link lowerLidGazeDrop}).
 * @remarks A judgement, not a measurement: the lower lid moves with vertical gaze far less than the upper lid (which
 * follows it nearly one to one, Becker & Fuchs 1988); over a full look down it drops a few millimetres, about a third
 * of the cornea's travel. Without it the rig's lower lid stayed put (and rose a little with the upper lid's share of
 * the gaze, an eyeBlink), so a look down left a strip showing mostly pupil: img01's near-black share above its open
 * eye's (eyeLookDown.test.ts).
 */
export const LOWER_LID_GAZE_SHARE = 0.3;

/**
 * The lower lid following a downward gaze: moves the posed lower-lid contour (corners excepted) and the two skin rings
 * below it down along the face's vertical axis, in place.
 * @param posedPx - posed vertices `[468, 3]`, photo px (modified).
 * @param region - the eye's rings.
 * @param gazeDownPx - how far the iris moved down relative to the photo's gaze (eyeball radius · sin(−Δpitch)), px;
 * nothing happens for ≤ 0.
 * @param blinkRisePx - how far the rig's lower lid rose with the upper lid's share of that gaze (its eyeBlink raises the
 * lower contour 0.12 eye heights per unit, core/rig/rig.ts), px ≥ 0; undone here so the lid's net drop is
 * {@link LOWER_LID_GAZE_SHARE} of `gazeDownPx`.
 * @param faceDown - the face's downward unit axis in photo px (rig frame `ey`).
 * @remarks The rings below the contour move 0.6 and 0.27 as far (the rig's own fall-off for a lower-lid squint), so the
 * lid skin stretches, not tears.
 */
export function lowerLidGazeDrop(posedPx: Float32Array, region: EyeRegion, gazeDownPx: number, blinkRisePx: number, faceDown: readonly [number, number]): void {
  if (gazeDownPx <= 0) return;
  const d = LOWER_LID_GAZE_SHARE * gazeDownPx + Math.max(0, blinkRisePx);
  const rings: [readonly number[], number][] = [
    [region.lower0.slice(1, -1), 1],
    [region.lower1.slice(1, -1), 0.6],
    [region.lower2.slice(1, -1), 0.27],
  ];
  for (const [ids, w] of rings) {
    for (const i of ids) {
      posedPx[i * 3] = posedPx[i * 3]! + w * d * faceDown[0];
      posedPx[i * 3 + 1] = posedPx[i * 3 + 1]! + w * d * faceDown[1];
    }
  }
}

/** How closed one eye is in a posed frame ({@link poseWithGazeLids}); all in [0, 1]. */
export interface EyeLidPose {
  /** The frame's own eyeBlink weight. */
  frameBlink: number;
  /** The eyeBlink the lids were posed with: the frame's, or the upper lid's share of a downward gaze where larger. */
  lidBlink: number;
  /** The photo's own eyeBlink (its rest expression), ≥ 0. */
  restBlink: number;
  /** How closed the posed lids leave the eye ({@link lidClosure}). */
  closure: number;
}

/**
 * Poses the face with the lids following the gaze, as both photo heads draw it: the upper lids follow a vertical gaze
 * relative to the photo's own ({@link gazeLidWeights}), the rig is evaluated relative to the photo's rest expression,
 * and the lower lids follow a downward gaze ({@link lowerLidGazeDrop}, undoing the rise of the upper lid's gaze share).
 * @param rig - the photo head rig.
 * @param frameWeights - the frame's 52 ARKit weights (not modified).
 * @param gazeRad - the frame's gaze angles `[rightYaw, rightPitch, leftYaw, leftPitch]`, rad (zeros: from the weights).
 * @param rest - the photo's rest expression (52 weights).
 * @param lidWeightsOut - receives the weights the rig was evaluated with (length 52).
 * @param posedOut - receives the posed vertices `[468, 3]`, photo px.
 * @returns per eye (subject's right, left) how closed it is, for {@link lidUniformArgs}.
 */
export function poseWithGazeLids(rig: PhotoHeadRig, frameWeights: Float32Array, gazeRad: Float32Array, rest: Float32Array, lidWeightsOut: Float32Array, posedOut: Float32Array): [EyeLidPose, EyeLidPose] {
  const [, rpNow, , lpNow] = eyeRotations(frameWeights, gazeRad);
  const [, rpRest, , lpRest] = eyeRotations(rest, new Float32Array(4));
  const eyeH: [number, number] = [2 * rig.eyes[0].halfHeightPx, 2 * rig.eyes[1].halfHeightPx];
  const R = EYEBALL_RADIUS_IOD * rig.frame.iodPx;
  const weights = gazeLidWeights(frameWeights, [rpNow - rpRest, lpNow - lpRest], R, eyeH, lidWeightsOut);
  evaluateRigRelative(rig, weights, rest, posedOut);
  const gazeDown = [rpNow - rpRest, lpNow - lpRest].map((p) => -R * Math.sin(p));
  const eyes = ([[EYE_RIGHT, BS.eyeBlinkRight], [EYE_LEFT, BS.eyeBlinkLeft]] as const).map(([region, b], k): EyeLidPose => {
    const rise = 0.12 * eyeH[k]! * Math.max(0, (weights[b] ?? 0) - (frameWeights[b] ?? 0));
    lowerLidGazeDrop(posedOut, region, gazeDown[k]!, rise, [rig.frame.ey[0], rig.frame.ey[1]]);
    return {
      frameBlink: Math.min(1, Math.max(0, frameWeights[b] ?? 0)),
      lidBlink: Math.min(1, Math.max(0, weights[b] ?? 0)),
      restBlink: Math.max(0, rest[b] ?? 0),
      closure: lidClosure(region, rig.restPx, posedOut),
    };
  });
  return [eyes[0]!, eyes[1]!];
}

/**
 * The arguments of {@link updateEyeLids} and {@link updateLidSkin} for one posed eye: the eyeball's closing follows the
 * frame's own blink, or, where the upper lid's share of a look down is larger, that share only as far as the posed lids
 * close the eye ({@link lidClosure}; the lower lid drops with the gaze); the lid skin the same relative to the photo's
 * own blink.
 * @param e - the eye's pose ({@link poseWithGazeLids}).
 * @returns `{ eyeBlink, closingBlink, skinBlink, skinClosure }`, all in [0, 1].
 */
export function lidUniformArgs(e: EyeLidPose): { eyeBlink: number; closingBlink: number; skinBlink: number; skinClosure: number } {
  return {
    eyeBlink: Math.max(e.frameBlink, Math.min(e.lidBlink, e.closure)),
    closingBlink: e.frameBlink,
    skinBlink: Math.max(0, e.lidBlink - e.restBlink),
    skinClosure: Math.max(e.frameBlink - e.restBlink, Math.min(e.lidBlink - e.restBlink, e.closure)),
  };
}

/**
 * The photo's lid skin colour around one eye, for the image-left and image-right halves of the lid: per-channel
 * medians of the brighter half (by luma) of the pixels between the lid contour and the upper2 ring. Lashes, liner and
 * a crease line are darker than the lid skin they lie on, so the brighter half is skin on any skin tone; two halves
 * keep a side light's gradient across the lid (a socket's shadow on one half stays in that half's colour).
 * @param rgba - photo `[h, w, 4]` bytes.
 * @param widthPx - photo width.
 * @param heightPx - photo height.
 * @param restPx - rest vertices `[468, 3]`, photo px.
 * @param region - the eye's rings.
 * @returns `[left, right, bandShare]`: RGB in [0, 1] (image left/right halves), the darker moved towards the brighter until its luma
 * is {@link LID_HALF_MIN_LUMA_RATIO} of the brighter's; mid grey for a half with no pixel (degenerate mesh).
 */
export function measureLidSkin(rgba: Uint8Array, widthPx: number, heightPx: number, restPx: Float32Array, region: EyeRegion): LidSkinMeasure {
  const ids = [...region.upper0, ...[...region.upper2].reverse()];
  const poly = ids.flatMap((i) => [restPx[i * 3]!, restPx[i * 3 + 1]!]);
  const xs = poly.filter((_, k) => k % 2 === 0);
  const ys = poly.filter((_, k) => k % 2 === 1);
  const midX = (Math.min(...xs) + Math.max(...xs)) / 2;
  type Px = [number, number, number, number, number]; // r, g, b, luma, y
  const halves: Px[][] = [[], []];
  // Pixels of the band per column, from the lash line up.
  const columns = new Map<number, Px[]>();
  for (let y = Math.min(heightPx - 1, Math.ceil(Math.max(...ys))); y >= Math.max(0, Math.floor(Math.min(...ys))); y--) {
    for (let x = Math.max(0, Math.floor(Math.min(...xs))); x <= Math.min(widthPx - 1, Math.ceil(Math.max(...xs))); x++) {
      if (signedDistanceToPolygon(poly, x + 0.5, y + 0.5) <= 0) continue;
      const k = (y * widthPx + x) * 4;
      const px: Px = [rgba[k]!, rgba[k + 1]!, rgba[k + 2]!, 0.299 * rgba[k]! + 0.587 * rgba[k + 1]! + 0.114 * rgba[k + 2]!, y];
      halves[x + 0.5 < midX ? 0 : 1]!.push(px);
      if (!columns.has(x)) columns.set(x, []);
      columns.get(x)!.push(px);
    }
  }
  const skinOf = (px: Px[], brighterHalf = true): [number, number, number] => {
    if (px.length === 0) return [0.5, 0.5, 0.5];
    const bright = brighterHalf ? [...px].sort((a, b) => a[3] - b[3]).slice(px.length >> 1) : px;
    const med = (c: number): number => bright.map((q) => q[c]!).sort((a, b) => a - b)[bright.length >> 1]! / 255;
    return [med(0), med(1), med(2)];
  };
  let out = [skinOf(halves[0]!), skinOf(halves[1]!)];
  // A glasses frame across the band: the lid skin is what lies between the lash line and the frame. Each column is
  // walked up from the lash line (past a lash width and the dark run of lashes and liner above it) to its first
  // frame pixel ({@link isFrameLine}); when a frame crosses most columns, each half's colour is measured on the part below
  // it (a half keeps the first estimate when this leaves under a quarter of its pixels).
  const eyeHeightPx = Math.max(1, ...region.upper0.map((i) => Math.min(...region.lower0.map((j) => Math.hypot(restPx[j * 3]! - restPx[i * 3]!, restPx[j * 3 + 1]! - restPx[i * 3 + 1]!)))));
  const lashSkip = Math.max(1, Math.round(0.15 * eyeHeightPx));
  const reachPx = Math.max(3, Math.round(0.5 * eyeHeightPx));
  const lumaAt = (x: number, y: number): number => {
    const k = (Math.min(heightPx - 1, Math.max(0, y)) * widthPx + x) * 4;
    return 0.299 * rgba[k]! + 0.587 * rgba[k + 1]! + 0.114 * rgba[k + 2]!;
  };
  const below: Px[][] = [[], []];
  let cut = false;
  const shares: number[] = [];
  for (const [x, col] of columns) {
    const h = x + 0.5 < midX ? 0 : 1;
    const skinLuma = 255 * (0.299 * out[h]![0] + 0.587 * out[h]![1] + 0.114 * out[h]![2]);
    let k = lashSkip;
    while (k < col.length && col[k]![3] < FRAME_MAX_LUMA_RATIO * skinLuma) k++;
    for (; k < col.length; k++) {
      if (isFrameLine(lumaAt, x, col[k]![4], reachPx, skinLuma)) {
        cut = true;
        break;
      }
      below[h]!.push(col[k]!);
    }
    shares.push(Math.min(1, k / Math.max(1, col.length)));
  }
  // The share of the band below the frame: the median over the columns (1 without a frame across most of the lid).
  const bandShare = cut && shares.length > 0 ? shares.sort((a, b) => a - b)[shares.length >> 1]! : 1;
  // (All of it: lashes, liner and frame are left out already.)
  if (bandShare < 1) out = out.map((c, h) => (below[h]!.length >= halves[h]!.length / 4 ? skinOf(below[h]!, false) : c));

  // A closed lid bulges forward over the eyeball and catches the light its visible part catches: the darker half is
  // moved towards the brighter half's colour until its luma is LID_HALF_MIN_LUMA_RATIO of the brighter's (a deep
  // socket's shadow on one half is not lid colour).
  const l = out.map((c) => 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2]);
  const b = l[0]! >= l[1]! ? 0 : 1;
  const d = 1 - b;
  if (l[d]! < LID_HALF_MIN_LUMA_RATIO * l[b]!) {
    // Towards the brighter half's colour (not a gain: a dark brown raised by a gain turns a saturated orange).
    const t = (LID_HALF_MIN_LUMA_RATIO * l[b]! - l[d]!) / (l[b]! - l[d]!);
    out[d] = out[d]!.map((v, c) => v + t * (out[b]![c]! - v)) as [number, number, number];
  }
  return [out[0]!, out[1]!, bandShare];
}

/**
 * The photo's lid skin around one eye ({@link measureLidSkin}): image-left and image-right colours (RGB in [0, 1]),
 * and the share (0–1] of the lid band, from the lash line up, that lies below a glasses frame crossing it (1: none).
 */
export type LidSkinMeasure = [[number, number, number], [number, number, number], number];

/**
 * Whether the photo pixel (x, y) lies on a glasses frame crossing the lid: a thin dark line, darker than
 * {@link FRAME_MAX_LUMA_RATIO} of the lid skin's luma and than that share of the brightest pixel within `reachPx`
 * above it and of the brightest within `reachPx` below it. A socket's shadow is broad (nothing bright just above it),
 * a crease or wrinkle is not that dark; lashes and liner are skipped before (measureLidSkin).
 * @param lumaAt - luma (0–255) of a photo pixel.
 * @param x - column, px.
 * @param y - row, px.
 * @param reachPx - how far above and below to look, px (half the eye's opening height: thicker than a frame rim).
 * @param skinLuma - the lid skin's luma (0–255).
 */
function isFrameLine(lumaAt: (x: number, y: number) => number, x: number, y: number, reachPx: number, skinLuma: number): boolean {
  const l = lumaAt(x, y);
  if (l >= FRAME_MAX_LUMA_RATIO * skinLuma) return false;
  let above = 0;
  let below = 0;
  for (let d = 1; d <= reachPx; d++) {
    above = Math.max(above, lumaAt(x, y - d));
    below = Math.max(below, lumaAt(x, y + d));
  }
  return l < FRAME_MAX_LUMA_RATIO * Math.min(above, below);
}


/**
 * Least luma of the darker half of the lid skin relative to the brighter half ({@link measureLidSkin}).
 * @remarks A judgement, not a measurement: a side light still shades one half of a closed lid (up to 15 % darker
 * here), a socket's shadow that darkens the photo's lid band by half is not carried onto the lid that closes over it.
 */
export const LID_HALF_MIN_LUMA_RATIO = 0.85;
