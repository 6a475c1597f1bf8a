/**
 * The photo head's mouth interior: one skull-fixed quad behind the lips, drawn only inside the posed mouth opening
 * (stencil), that composites back to front: cavity (darker towards the throat) → tongue → lower teeth (jaw) → upper
 * teeth (skull) → the lips' inner surfaces along the posed inner-lip contour.
 *
 * @remarks The teeth and the photo's own interior come as textures in photo pixels (core/face/mouthInterior.ts);
 * the shader samples the upper texture at the fragment's rest photo pixel and the lower one at the pixel the jaw
 * rotation brought there (the inverse of the rig's jaw rotation, `JAW_OPEN_MAX_RAD · jawOpen` about
 * `rig.jawPivotPx`, at the interior's depth), so the lower teeth move with the jaw and the upper ones with the skull.
 * The tongue rises towards the upper teeth for the OVR visemes DD (/t d/) and nn (/n l/), comes forward over the
 * lower teeth for `tongueOut` and TH; its top is placed per frame in face-local units. Synthesised parts carry the
 * photo's grain (a per-photo-pixel hash, uniform noise scaled to the measured σ) and edges as soft as the photo's.
 */
import * as THREE from 'three';
import { BS, VIS } from '../../core/motion/names.ts';
import { JAW_OPEN_MAX_RAD, type PhotoHeadRig } from '../../core/rig/rig.ts';
import { LIPS_LOWER_INNER, LIPS_LOWER_MID, LIPS_UPPER_INNER, LIPS_UPPER_MID, MOUTH_OPENING_LOOP } from '../../core/rig/topology.ts';
import { buildMouthInterior, type MouthInterior } from '../../core/face/mouthInterior.ts';
import { LIP_INNER_LOWER, LIP_INNER_UPPER } from '../../core/face/topology.ts';

/** Number of points of the inner-lip loop passed to the shader (11 upper, 9 lower). */
/** Points of the posed inner-lip loop the interior's shaders read (`MOUTH_OPENING_LOOP`). */
export const LOOP_N = 20;
/**
 * Widths of the lips' visible inner (wet) surfaces, IOD units, `[lips barely parted, parted by ≥
 * {@link LIP_BAND_FULL_GAP_IOD}]`: upper ≈ 0.8 → 1.5 mm, lower ≈ 1.3 → 3.2 mm (63 mm IOD).
 * @remarks Seen from the front the upper lip's inner surface faces down and back and hides behind its edge (the upper
 * incisors show just below it), while the lower lip's faces up and everts as the jaw drops; the wet mucosa starts at
 * the "wet line" where the dry vermilion meets the labial mucosa (Gray's Anatomy, 41st ed., "Lips"). The widths are
 * rounded magnitudes chosen by eye against that anatomy, not measurements and not fitted to a portrait.
 */
const LIP_BAND_UPPER_IOD: [number, number] = [0.012, 0.024];
const LIP_BAND_LOWER_IOD: [number, number] = [0.02, 0.05];

/**
 * Width of the lower lip's visible inner (wet) surface for an opening, IOD units: from 0 at closed lips to the full
 * width ({@link LIP_BAND_LOWER_IOD}[1]) along the square of the opening share, so it widens mainly once the jaw is well
 * open. (While a photographed opening is being closed the layer blends back to the linear barely-parted width.)
 * @param openShare - the centre lip gap over {@link LIP_BAND_FULL_GAP_IOD}, in [0, 1].
 * @returns the band width, IOD units (before the portrait's lip-thickness scale).
 * @remarks The band is drawn inside the rig's opening, so it narrows the opening one sees (and the one a tracker reads)
 * by its width. The lower lip everts as the jaw drops; at speech-sized openings (4–8 mm) it has barely everted, and
 * a band growing linearly from 1.3 mm made a 0.3 jawOpen read as about half the rig's opening to the independent
 * tracker on corpus vid05 frame 0 (scripts/measureJawGain.ts). Quadratic: the eversion follows the jaw drop's
 * stretch of the lip over the lower incisors (a design choice, set after seeing those numbers; the full width is
 * unchanged, so a wide mouth keeps its band).
 */
export function lowerLipBandIod(openShare: number): number {
  const t = Math.min(1, Math.max(0, openShare));
  return LIP_BAND_LOWER_IOD[1] * t * t;
}
/**
 * Height of both lips at the middle (upper vermilion ≈ 6 mm + lower ≈ 9–10 mm in adults: Hall, Allanson, Gripp &
 * Slavotinek, "Handbook of Physical Measurements", 2nd ed.), IOD units (63 mm): the band widths above are for it.
 */
const LIP_HEIGHT_TYPICAL_IOD = 0.25;
/** Lip gap (inner lips at the middle) at which the bands reach their widest, IOD (≈ 16 mm). */
const LIP_BAND_FULL_GAP_IOD = 0.25;
/**
 * Height of the tongue's dorsum above the lower incisors' edge as seen from the front with the tongue at rest, IOD
 * units (≈ 12.6 mm at 63 mm IOD).
 * @remarks At rest the tongue's tip lies behind the lower incisors and its lateral borders on the lower teeth, and
 * its dorsum arches above their occlusal plane by about a centimetre (Gray's Anatomy, 41st ed., "Tongue"); with the
 * jaw open, the arch shows as the floor of the opening (real open mouths in corpus vid02 and vid05 show the tongue in
 * the lower half of the opening). A rounded magnitude from that anatomy, not fitted to a portrait.
 */
const TONGUE_DORSUM_IOD = 0.2;
/**
 * Highest the resting tongue's top shows, as a share of the way from the upper to the lower incisal edge (0.3: well above the middle of the opening).
 * @remarks Real open mouths seen from the front (corpus vid02 O-mouth and wide mouth, vid05's wide frames, looked at
 * with scripts/measureMouthInterior.ts) show the tongue's lit dorsum filling the lower half or more of the opening,
 * with a dark crescent only between it and the upper teeth; with the earlier 0.12 IOD / halfway bound the synthesised
 * opening showed a dark cavity over 55–86 % of its area at jawOpen 1 (pixels below 0.3 × the skin's luma; real: 2–8 %
 * on average). Set after seeing those frames; checked on held-out b03 and vid01 frame 0.
 */
const TONGUE_TOP_SHARE = 0.3;
/**
 * Extra width of each lip's visible inner surface when the lips are fully rounded (funnel / pucker 1), IOD units
 * (≈ 1.9 mm at 63 mm IOD): pushed forward, the lips turn their inner (wet) surfaces towards the viewer around the
 * opening. A rounded magnitude chosen by eye against real "O" mouths (corpus vid02 2.2–3.0 s, vid03 0.2 s), not fitted.
 */
const ROUNDED_LIP_BAND_IOD = 0.03;

/**
 * How much of the teeth rounded lips hide: 0 below a rounding of 0.1 (speech's slight rounding keeps the teeth), all but
 * 10 % from 0.5 on (an "O" or a pout shows a dark hole), smooth in between.
 * @param rounding - max(mouthFunnel, mouthPucker) in [0, 1].
 * @returns the share of the teeth hidden, in [0, 0.9].
 * @remarks Design values: with the lips pushed forward (FACS AU 18/22) the incisors lie behind them in the shadow of the
 * funnel; a sliver may still show (10 %).
 */
export function teethCoverOfRounding(rounding: number): number {
  const t = Math.min(1, Math.max(0, (rounding - 0.1) / 0.4));
  return 0.9 * t * t * (3 - 2 * t);
}

/**
 * Height of the upper lip's cast shadow inside the mouth, IOD units (≈ 8 mm at 63 mm IOD): the walls and the tongue
 * seen within it below the upper inner lip are in the throat's shade.
 * @remarks A portrait's key light comes from above the face (30–45° in the usual portrait set-ups), so the upper lip
 * shades the interior behind it: the tongue's dorsum and the floor lie about 1–1.5 cm behind the lip line (the lower
 * incisors ≈ 5 mm, the tongue behind them), and a light 35° up leaves a band ≈ 1.2 cm × tan 35° ≈ 8 mm below the lip's
 * edge without direct light. A speech-sized opening (4–8 mm) then shows the teeth over a dark cavity, as real talking
 * mouths do, while a wide one (≥ 16 mm at jawOpen 1) keeps its lit tongue below the shade. Without it, a speech-sized
 * opening showed walls and tongue at the wide mouth's light, about the lips' own luma, and the independent tracker read
 * them as lip (corpus vid05 frame 0: tracked lip gap at jawOpen 0.3 0.038 IOD against the rig's 0.080,
 * scripts/measureJawGain.ts). Rounded magnitudes from that geometry, not fitted to a portrait.
 */
export const UPPER_LIP_SHADOW_IOD = 0.13;

/**
 * Shade of the lips' inner (wet) surfaces where they meet the opening, share of the lip-inner colour
 * (`MouthPalette.lipInnerRgb`); inward the bands run on into the throat's shade. Also the walls next to the lips
 * ({@link WALL_RIM_SHADE}) and the tongue right behind the lower lip ({@link TONGUE_LIP_SHADE}) are in the lips' shade.
 * @remarks Why: real open mouths show a dark edge right inside the lips (the inner surfaces turn away from the light
 * and the lips shade what lies just behind them: corpus vid05 at 4.8 s, vid02's wide mouth). The earlier bands at the
 * lip's own brightness (×1.05, with a wet sheen) and walls lit towards the lip colour next to the lips read as a pale
 * ring round the opening (vid05 frame 0, audio-driven) and as lip to the independent tracker (TF.js FaceMesh): on
 * vid05 frame 0 it read 0.41 of the rig's speech-range opening (jawGainAcrossPortraits) against 0.88–1.03 on vid01 and
 * vid03. Rounded magnitudes chosen by eye on vid05 frame 0 (0.41 → 0.45 of the rig's opening at 0.9; 0.6 read 0.47 and
 * 0.8 0.49, but took the lip colour out of the ring round img05's opening, tests/integration/render/mouthOpening.test.ts:
 * lip-coloured share 0.29/0.32 on main, 0.21/0.20 at 0.6–0.8, 0.27/0.29 at 0.9). Held out: vid01 and vid03 frames 0.
 * Even a fully dark opening (every interior layer off, a debug render) read only 0.49 on vid05: the rest of the
 * shortfall is not the interior's colour.
 */
const INNER_LIP_SHADE = 0.9;
/** The walls' shade right next to the lips (see {@link INNER_LIP_SHADE}), share of the wall colour (was lit towards the lip-inner colour). */
const WALL_RIM_SHADE = 0.9;
/** The tongue's shade right behind the lower lip (see {@link INNER_LIP_SHADE}), rising to 1 over {@link TONGUE_LIP_SHADE_IOD}. */
const TONGUE_LIP_SHADE = 0.45;
/** Depth behind the lower lip's edge over which the tongue comes out of the lip's shade, IOD units (≈ 3 mm). */
const TONGUE_LIP_SHADE_IOD = 0.05;

const MOUTH_FRAGMENT = /* glsl */ `
uniform sampler2D uUpperTex;
uniform sampler2D uLowerTex;
uniform sampler2D uMaskTex;
uniform vec2 uOrigin;
uniform vec2 uTexSize;
uniform float uTexelsPerPx;
uniform vec2 uMouthC;
uniform vec2 uEx;
uniform vec2 uEy;
uniform float uIod;
uniform vec3 uJaw;
uniform vec2 uJawShift;
uniform vec2 uLip[${LOOP_N}];
uniform vec2 uOpenC;
uniform vec2 uOpenHalf;
uniform vec3 uWall;
uniform vec3 uThroat;
uniform vec3 uTongue;
uniform vec3 uLipInner;
uniform float uGrain;
uniform float uEdgePx;
uniform float uBandU;
uniform float uBandL;
uniform float uTongueTopB;
uniform float uTongueHalfW;
uniform float uTongueCurv;
uniform float uTongueOut;
uniform float uLowerEdgeB;
uniform float uUpperEdgeB;
uniform float uSeeThrough;
uniform float uTeethCover;
uniform float uCavL;
uniform float uRest;
uniform float uShadowPx;
uniform float uTongueRise;
uniform sampler2D uPhoto;
uniform vec2 uPhotoSize;
varying vec2 vLocal; // rest photo px (skull frame)

vec4 tex(sampler2D t, vec2 px) { return texture2D(t, (px - uOrigin) * uTexelsPerPx / uTexSize); }
float hash(vec2 q) { return fract(sin(dot(q, vec2(12.9898, 78.233))) * 43758.5453); }
float segDist(vec2 q, vec2 a, vec2 b) {
  vec2 ab = b - a;
  float t = clamp(dot(q - a, ab) / max(dot(ab, ab), 1e-6), 0.0, 1.0);
  return length(q - a - t * ab);
}
void main() {
  vec2 p = vLocal;
  vec2 d = p - uMouthC;
  float la = dot(d, uEx) / uIod;
  float lb = dot(d, uEy) / uIod;
  // Rest photo px of the jaw point now at p (inverse jaw rotation in the image's y, then the jaw's sideways shift).
  vec2 q = p - uJawShift;
  vec2 jp = vec2(q.x, uJaw.z + (q.y - uJaw.z + uJaw.y) / uJaw.x);
  // Grain: uniform noise per photo pixel with the photo's σ (uniform σ = 1/√12).
  float n = (hash(floor(p * uTexelsPerPx)) - 0.5) * 3.464 * uGrain;
  float e = max(uEdgePx, 0.7) / uIod;

  // Cavity: darkest and least coloured at the centre of the opening (the throat), its walls (cheeks, palate, floor)
  // lit through the opening (core/face/mouthInterior.ts CAVITY_WALL_REL_LUMA); the top, under the palate and upper
  // teeth, in their shadow.
  float r = length((p - uOpenC) / max(uOpenHalf, vec2(1.0)));
  float yN = dot(p - uOpenC, uEy) / max(uOpenHalf.y, 1.0);
  // The throat shows only between the upper incisors and the tongue, and only where that gap is tall (0.1 → 0.3 IOD,
  // 6 → 19 mm at the midline): a narrow gap shows the lit walls and the tongue, not a black line.
  float gapT = uTongueTopB - uUpperEdgeB;
  vec2 rd = vec2(la / max(uOpenHalf.x / uIod, 0.05), (lb - 0.5 * (uTongueTopB + uUpperEdgeB)) / max(0.5 * gapT, 0.02));
  float deep = (1.0 - smoothstep(0.15, 1.1, length(rd))) * smoothstep(0.1, 0.3, gapT);
  // Nor within 0.02–0.08 IOD of the posed lips, nor in a strip less than ~0.1 IOD tall between the photo's own upper
  // part (skull) and lower part (jaw): the strip between the photo's teeth rows is lit like the walls.
  float du = 1e9;
  for (int i = 0; i < 10; i++) du = min(du, segDist(p, uLip[i], uLip[i + 1]));
  float dl = segDist(p, uLip[${LOOP_N - 1}], uLip[0]);
  for (int i = 10; i < ${LOOP_N - 1}; i++) dl = min(dl, segDist(p, uLip[i], uLip[i + 1]));
  float coverUp = 0.0;
  float coverDn = 0.0;
  for (int k = 1; k <= 3; k++) {
    float dk = float(k) * 0.03 * uIod;
    coverUp = max(coverUp, tex(uUpperTex, p - uEy * dk).a);
    coverDn = max(coverDn, tex(uLowerTex, jp + uEy * dk).a);
  }
  deep *= (1.0 - coverUp * coverDn) * smoothstep(0.02, 0.08, min(du, dl) / uIod);
  // The walls next to the lips lie in the lips' shade (INNER_LIP_SHADE, WALL_RIM_SHADE) over the first half of the way
  // to the opening's centre; not lit towards the lip's colour (a lip-coloured rim read as lip and as a pale ring).
  float rim = 1.0 - smoothstep(0.0, 0.5 * max(uOpenHalf.y, 1.0), min(du, dl));
  vec3 wall = mix(uWall, ${WALL_RIM_SHADE.toFixed(3)} * uWall, rim);
  vec3 c = mix(wall, uThroat, deep * (1.0 - rim)) * mix(0.85, 1.05, smoothstep(-0.8, 0.8, yN)) + 0.5 * n;

  // Tongue: a dome whose top is set per frame; parts higher in the picture lie further back (darker).
  float ta = la / uTongueHalfW;
  float top = uTongueTopB + uTongueCurv * ta * ta;
  float inT = smoothstep(-2.0 * e, 2.0 * e, lb - top) * (1.0 - smoothstep(1.0 - 2.0 * e / uTongueHalfW, 1.0, abs(ta)));
  float back = clamp((uLowerEdgeB - lb) / 0.25, 0.0, 1.0) * (1.0 - uTongueOut);
  // Lit from the front, the dome is brightest just below its top, where its surface faces the camera, darker at its
  // lateral borders (they curve down out of the light), with a shallow median groove; its top edge rolls away (a
  // soft darker rim, not a hard step).
  float dome = 1.0 - 0.22 * smoothstep(0.5, 1.0, abs(ta));
  float crest = 0.86 + 0.14 * smoothstep(0.0, 0.03, lb - top) - 0.06 * smoothstep(0.06, 0.2, lb - top);
  vec3 tongue = uTongue * mix(1.0, 0.85, back) * dome * (1.0 - 0.07 * exp(-la * la / 0.0008)) * crest + n;
  // Right behind the lower lip the resting tongue lies in the lip's shade (TONGUE_LIP_SHADE).
  float lipShadeT = mix(${TONGUE_LIP_SHADE.toFixed(3)}, 1.0, smoothstep(0.0, ${TONGUE_LIP_SHADE_IOD.toFixed(3)} * uIod, dl));
  if (uTongueOut < 0.5) c = mix(c, tongue * lipShadeT, inT);
  // The upper lip's cast shadow (UPPER_LIP_SHADOW_IOD): the walls and the tongue within that height below the upper
  // inner lip get no direct light, only the throat's shade; the teeth, right behind the lips, are drawn over it. A
  // tongue raised for /t d n/ (DD, nn) lays its blade on the alveolar ridge just behind the upper incisors, at about the
  // teeth's depth, so the shadow it gets shrinks with the rise (to 0.2 of the height: the shadow's height scales with
  // the depth behind the lip, 8 mm at the dorsum's 1.2 cm, under 2 mm at the incisors' few mm).
  float shadowPx = uShadowPx * (1.0 - 0.8 * uTongueRise * inT * (1.0 - uTongueOut));
  c = mix(uThroat * mix(0.85, 1.05, smoothstep(-0.8, 0.8, yN)) + 0.5 * n, c, smoothstep(0.6 * shadowPx, 1.4 * shadowPx, du));
  vec4 maskP = tex(uMaskTex, p);
  vec4 maskJ = tex(uMaskTex, jp);
  vec4 lower = tex(uLowerTex, jp);
  // The photo's own dark interior lets a raised tongue through once the mouth moves.
  float darkJ = 1.0 - smoothstep(uCavL + 0.02, uCavL + 0.14, dot(lower.rgb, vec3(0.299, 0.587, 0.114)));
  c = mix(c, lower.rgb, lower.a * (1.0 - uSeeThrough * inT * maskJ.g * darkJ) * (1.0 - uTeethCover));
  if (uTongueOut >= 0.5) c = mix(c, tongue, inT);
  vec4 upper = tex(uUpperTex, p);
  float darkP = 1.0 - smoothstep(uCavL + 0.02, uCavL + 0.14, dot(upper.rgb, vec3(0.299, 0.587, 0.114)));
  c = mix(c, upper.rgb, upper.a * (1.0 - uSeeThrough * inT * maskP.r * darkP) * (1.0 - uTeethCover));

  // The lips' inner surfaces along the posed contour (du, dl above), not over the photo's own interior.
  // Each band: the lip-inner colour in the lips' shade at the edge (INNER_LIP_SHADE; the lip's own texture fades into
  // it), darker inward as the surface turns into the mouth, away from the light, towards the walls' colour.
  // Towards the corners the two surfaces meet and fill the narrowing opening (no cavity shows in a corner's wedge).
  float tu = du / max(uBandU, 1e-3);
  float tl = dl / max(uBandL, 1e-3);
  // Under a lip (outside the posed opening, where the lip's faded edge shows what is drawn here) the band keeps its
  // lip-side colour: the distances are unsigned, and the band darkened towards the walls there too, so the faded lip
  // edge came out darker than the band beside it — a light line along the opened lower lip between a dark rim and the
  // cavity (vid05 frame 0 at jawOpen 0.3). Inside test: crossing number over the posed loop.
  bool inOpening = false;
  for (int i = 0; i < ${LOOP_N}; i++) {
    vec2 a = uLip[i];
    vec2 b = uLip[i == ${LOOP_N - 1} ? 0 : i + 1];
    if ((a.y > p.y) != (b.y > p.y) && p.x < a.x + (p.y - a.y) / (b.y - a.y) * (b.x - a.x)) inOpening = !inOpening;
  }
  if (!inOpening) {
    if (du < dl) tu = 0.0;
    else tl = 0.0;
  }
  float bu = (1.0 - smoothstep(0.0, 1.0, tu)) * (1.0 - maskP.r);
  float bl = (1.0 - smoothstep(0.1, 1.2, tl)) * (1.0 - maskJ.g);
  // The upper lip's inner surface faces down and back: barely seen, a soft shadow on the teeth rather than a dark line.
  // It turns into the lip's own shadow within the band (no lip-coloured rim: a uniform red band along both edges read
  // as an outline drawn round the opening).
  vec3 lipU = mix(${INNER_LIP_SHADE.toFixed(3)} * uLipInner, 0.7 * uWall, smoothstep(0.0, 0.8, tu));
  bu *= 0.7;
  // The lower lip's inner surface, in the lip's own shade at the edge (INNER_LIP_SHADE, no light sheen), runs on into
  // the cavity's walls (the same tissue), darkening to their colour, not below it (a darker band read as a black line).
  vec3 lipL = mix(${INNER_LIP_SHADE.toFixed(3)} * uLipInner, min(uWall, ${INNER_LIP_SHADE.toFixed(3)} * 0.8 * uLipInner), smoothstep(0.0, 1.0, tl));
  // The photo's own light at this spot: a band in the shadow of the photo's mouth corners is no brighter than it.
  float shade = clamp(dot(texture2D(uPhoto, p / uPhotoSize).rgb, vec3(0.299, 0.587, 0.114)) / max(dot(uLipInner, vec3(0.299, 0.587, 0.114)), 1e-3), 0.6, 1.0);
  c = mix(c, lipU * shade + n, bu);
  c = mix(c, lipL * shade + n, bl);
  // While the mouth keeps its rest shape the photo shows as it is (its own opening, and the photo's lips under the
  // faded lip edge, renderer/head/photoHead.ts).
  c = mix(c, texture2D(uPhoto, p / uPhotoSize).rgb, uRest);
  gl_FragColor = vec4(c, 1.0);
}`;

/**
 * GLSL: coverage (alpha) of a face-mesh pixel near the posed inner-lip contour, so the lips' edge over the mouth
 * interior is as soft as the photo's own edges instead of a hard, aliased polygon edge.
 * `e` is the vertex attribute from {@link lipEdgeVertexWeights} (0 on the contour, 1 elsewhere): a pixel with `e`
 * below 1 lies on a triangle touching the contour. There the alpha ramps (smoothstep) with the pixel's distance to the
 * posed contour (`uLipLoop`, {@link MOUTH_OPENING_LOOP} in posed photo px, the same array the interior uses) over
 * `softPhotoPx` (the photo's 10–90 % edge rise, 2.56 σ of a Gaussian blur), and over at least one output px
 * (anti-aliasing at any output size: the screen derivative of the posed photo position gives photo px per output px).
 * Derivatives are taken before any branch (uniform control flow).
 */
export const LIP_EDGE_GLSL = /* glsl */ `
uniform vec2 uLipLoop[${LOOP_N}];
float lipSegDist(vec2 q, vec2 a, vec2 b) {
  vec2 ab = b - a;
  float t = clamp(dot(q - a, ab) / max(dot(ab, ab), 1e-6), 0.0, 1.0);
  return length(q - a - t * ab);
}
float lipEdgeAlpha(float e, vec2 posedPx, float softPhotoPx) {
  vec2 px = dFdx(posedPx);
  vec2 py = dFdy(posedPx);
  float photoPerOut = sqrt(abs(px.x * py.y - px.y * py.x));
  if (e > 0.999) return 1.0;
  float d = 1e9;
  // The trip count is 0 off the lip ring: a software rasteriser (SwiftShader) runs both sides of the branch above for
  // every pixel but leaves a loop once no pixel of its group has iterations left.
  int n = e > 0.999 ? 0 : ${LOOP_N};
  for (int i = 0; i < n; i++) d = min(d, lipSegDist(posedPx, uLipLoop[i], uLipLoop[i == ${LOOP_N - 1} ? 0 : i + 1]));
  return smoothstep(0.0, max(softPhotoPx, photoPerOut), d);
}`;

/**
 * Per-vertex attribute of the face mesh for {@link LIP_EDGE_GLSL}: 0 on the inner-lip loop (the mouth opening's
 * outline, `MOUTH_OPENING_LOOP`), 1 on every other vertex.
 * @param vertexCount - vertices of the face mesh (468).
 * @returns `[vertexCount]` weights.
 */
export function lipEdgeVertexWeights(vertexCount: number): Float32Array {
  const w = new Float32Array(vertexCount).fill(1);
  for (const i of MOUTH_OPENING_LOOP) w[i] = 0;
  return w;
}

/**
 * The face-mesh triangles that touch the inner-lip loop (the ring of lip next to the opening). The mouth interior is
 * drawn under them too (stencil), so the lip pixels that {@link LIP_EDGE_GLSL} fades show the interior, not the
 * photo's unposed surround.
 * @param triangles - the face mesh's triangle list `[T·3]` (MediaPipe's TRI468).
 * @returns the ring's triangle list `[R·3]`.
 */
export function lipEdgeRingTriangles(triangles: ArrayLike<number>): Uint16Array {
  const loop = new Set(MOUTH_OPENING_LOOP);
  const out: number[] = [];
  for (let t = 0; t + 2 < triangles.length; t += 3) {
    if (loop.has(triangles[t]!) || loop.has(triangles[t + 1]!) || loop.has(triangles[t + 2]!)) out.push(triangles[t]!, triangles[t + 1]!, triangles[t + 2]!);
  }
  return Uint16Array.from(out);
}

/** How {@link MouthInteriorLayer} makes its material and quad (the head's shared vertex shader and geometry). */
export interface MouthLayerFactory {
  material(fragmentShader: string, uniforms: Record<string, THREE.IUniform>): THREE.ShaderMaterial;
  quad(cornersPx: [number, number][], zPx: number[], local: [number, number][]): THREE.BufferGeometry;
  mesh(geo: THREE.BufferGeometry, mat: THREE.Material): THREE.Mesh;
}

/** The interior quad and its per-frame update. */
export class MouthInteriorLayer {
  readonly mesh: THREE.Mesh;
  readonly material: THREE.ShaderMaterial;
  /** The measured interior (palette, photo teeth, grain, sharpness). */
  readonly interior: MouthInterior;
  private readonly textures: THREE.DataTexture[] = [];
  private readonly rig: PhotoHeadRig;
  private readonly mouthZPx: number;
  /** The posed inner-lip loop `[LOOP_N, 2]` (photo px), rewritten by {@link update}; the face mesh's lip-edge fade reads it too. */
  readonly lip = new Float32Array(LOOP_N * 2);
  /** Share of the inner-lip band widths this face's lips get (thin lips: less). */
  private readonly lipScale: number;

  /**
   * @param photo - the photo texture (shown unchanged in the opening while the mouth keeps its rest shape).
   * @param rgba - photo `[h, w, 4]` bytes.
   * @param widthPx - photo width.
   * @param heightPx - photo height.
   * @param landmarksPx - rest landmarks `[N ≥ 468, 3]`.
   * @param rig - the head's rig (frame, jaw pivot).
   * @param mouthZPx - depth of the interior plane, landmark px.
   * @param factory - material/quad/mesh makers of the head.
   */
  constructor(photo: THREE.Texture, rgba: Uint8Array, widthPx: number, heightPx: number, landmarksPx: Float32Array, rig: PhotoHeadRig, mouthZPx: number, factory: MouthLayerFactory) {
    this.rig = rig;
    this.mouthZPx = mouthZPx;
    const f = rig.frame;
    const I = f.iodPx;
    const [mx, my] = f.mouthCenterPx;
    const local = (i: number): [number, number] => {
      const dx = rig.restPx[i * 3]! - mx;
      const dy = rig.restPx[i * 3 + 1]! - my;
      return [(dx * f.ex[0] + dy * f.ex[1]) / I, (dx * f.ey[0] + dy * f.ey[1]) / I];
    };
    const halfW = (Math.hypot(rig.restPx[291 * 3]! - rig.restPx[61 * 3]!, rig.restPx[291 * 3 + 1]! - rig.restPx[61 * 3 + 1]!) / 2 / I) * 1.2;
    const upperB = local(LIP_INNER_UPPER)[1];
    const lowerB = local(LIP_INNER_LOWER)[1];
    const region = { a0: -halfW, a1: halfW, b0: upperB - 0.3, b1: lowerB + 0.9 };
    this.interior = buildMouthInterior(rgba, widthPx, heightPx, landmarksPx, f, region);
    // Thin lips show thin inner surfaces: the bands scale with the lips' height at the middle (outer upper to outer
    // lower contour, less the photo's own gap) against LIP_HEIGHT_TYPICAL_IOD, within [0.4, 1].
    const lipsHeight = (Math.hypot(rig.restPx[17 * 3]! - rig.restPx[0]!, rig.restPx[17 * 3 + 1]! - rig.restPx[1]!) - Math.hypot(rig.restPx[LIP_INNER_LOWER * 3]! - rig.restPx[LIP_INNER_UPPER * 3]!, rig.restPx[LIP_INNER_LOWER * 3 + 1]! - rig.restPx[LIP_INNER_UPPER * 3 + 1]!)) / I;
    this.lipScale = Math.min(1, Math.max(0.4, lipsHeight / LIP_HEIGHT_TYPICAL_IOD));
    const m = this.interior;
    const tex = (data: Uint8Array): THREE.DataTexture => {
      const t = new THREE.DataTexture(data, m.widthTexels, m.heightTexels, THREE.RGBAFormat, THREE.UnsignedByteType);
      t.flipY = false;
      t.colorSpace = THREE.NoColorSpace;
      t.magFilter = THREE.LinearFilter;
      t.minFilter = THREE.LinearFilter;
      t.generateMipmaps = false;
      t.wrapS = THREE.ClampToEdgeWrapping;
      t.wrapT = THREE.ClampToEdgeWrapping;
      t.unpackAlignment = 1;
      t.needsUpdate = true;
      this.textures.push(t);
      return t;
    };
    const rgb = (c: [number, number, number]): THREE.Vector3 => new THREE.Vector3(c[0], c[1], c[2]);
    this.material = factory.material(MOUTH_FRAGMENT, {
      uUpperTex: { value: tex(m.upperRgba) },
      uLowerTex: { value: tex(m.lowerRgba) },
      uMaskTex: { value: tex(m.photoMask) },
      uOrigin: { value: new THREE.Vector2(m.originPx[0], m.originPx[1]) },
      uTexSize: { value: new THREE.Vector2(m.widthTexels, m.heightTexels) },
      uTexelsPerPx: { value: m.texelsPerPx },
      uMouthC: { value: new THREE.Vector2(mx, my) },
      uEx: { value: new THREE.Vector2(f.ex[0], f.ex[1]) },
      uEy: { value: new THREE.Vector2(f.ey[0], f.ey[1]) },
      uIod: { value: I },
      uJaw: { value: new THREE.Vector3(1, 0, 0) },
      uJawShift: { value: new THREE.Vector2(0, 0) },
      uLip: { value: this.lip },
      uOpenC: { value: new THREE.Vector2(mx, my) },
      uOpenHalf: { value: new THREE.Vector2(1, 1) },
      uWall: { value: rgb(m.palette.wallRgb) },
      uThroat: { value: rgb(m.palette.throatRgb) },
      uTongue: { value: rgb(m.palette.tongueRgb) },
      uLipInner: { value: rgb(m.palette.lipInnerRgb) },
      uGrain: { value: m.grainSigma },
      uEdgePx: { value: m.edgeSigmaPx },
      uBandU: { value: 0.012 * I },
      uBandL: { value: 0.02 * I },
      uTongueTopB: { value: 0 },
      uTongueHalfW: { value: 0.25 },
      uTongueCurv: { value: 0.06 },
      uTongueOut: { value: 0 },
      uLowerEdgeB: { value: m.lowerEdgeB },
      uUpperEdgeB: { value: m.upperEdgeB },
      uSeeThrough: { value: 0 },
      uTeethCover: { value: 0 },
      uCavL: { value: 0.299 * m.palette.cavityRgb[0] + 0.587 * m.palette.cavityRgb[1] + 0.114 * m.palette.cavityRgb[2] },
      uRest: { value: 1 },
      uShadowPx: { value: UPPER_LIP_SHADOW_IOD * I },
      uTongueRise: { value: 0 },
      uPhoto: { value: photo },
      uPhotoSize: { value: new THREE.Vector2(widthPx, heightPx) },
    });
    this.material.depthTest = false;
    const at = (a: number, b: number): [number, number] => [mx + (a * f.ex[0] + b * f.ey[0]) * I, my + (a * f.ex[1] + b * f.ey[1]) * I];
    const corners: [number, number][] = [at(region.a0, region.b0), at(region.a1, region.b0), at(region.a0, region.b1), at(region.a1, region.b1)];
    this.mesh = factory.mesh(
      factory.quad(
        corners,
        corners.map(() => mouthZPx),
        corners,
      ),
      this.material,
    );
  }

  /**
   * Poses the interior for one frame.
   * @param posedPx - posed rig vertices `[468, 3]` (landmark px), as the face mesh shows them.
   * @param weights - 52 ARKit weights.
   * @param visemes - 15 OVR viseme weights (DD, nn raise the tongue; TH brings it forward).
   */
  update(posedPx: Float32Array, weights: Float32Array, visemes: Float32Array): void {
    const u = this.material.uniforms;
    const rig = this.rig;
    const f = rig.frame;
    const I = f.iodPx;
    const w = (k: number): number => Math.min(1, Math.max(0, weights[k] ?? 0));
    const v = (k: number): number => Math.min(1, Math.max(0, visemes[k] ?? 0));
    // Jaw: rotation about the pivot in the image's (y, z) plane at the interior's depth, plus jawLeft/Right.
    const jaw = w(BS.jawOpen) * JAW_OPEN_MAX_RAD;
    const [py, pz] = rig.jawPivotPx;
    const c = Math.cos(jaw);
    const s = Math.sin(jaw);
    (u.uJaw!.value as THREE.Vector3).set(c, s * (this.mouthZPx - pz), py);
    const side = 0.12 * I * (w(BS.jawLeft) - w(BS.jawRight));
    (u.uJawShift!.value as THREE.Vector2).set(side * f.ex[0], side * f.ex[1]);
    // Posed inner-lip loop and its bounding box.
    let x0 = Infinity;
    let y0 = Infinity;
    let x1 = -Infinity;
    let y1 = -Infinity;
    MOUTH_OPENING_LOOP.forEach((i, k) => {
      const x = posedPx[i * 3]!;
      const y = posedPx[i * 3 + 1]!;
      this.lip[k * 2] = x;
      this.lip[k * 2 + 1] = y;
      x0 = Math.min(x0, x);
      x1 = Math.max(x1, x);
      y0 = Math.min(y0, y);
      y1 = Math.max(y1, y);
    });
    (u.uOpenC!.value as THREE.Vector2).set((x0 + x1) / 2, (y0 + y1) / 2);
    // The lips' inner surfaces show more as the lips part (the lower lip everts over the lower teeth).
    const open = Math.min(1, Math.hypot(posedPx[LIP_INNER_UPPER * 3]! - posedPx[LIP_INNER_LOWER * 3]!, posedPx[LIP_INNER_UPPER * 3 + 1]! - posedPx[LIP_INNER_LOWER * 3 + 1]!) / (LIP_BAND_FULL_GAP_IOD * I));
    // Rounded lips (mouthFunnel / mouthPucker: pushed forward and in, FACS AU 22 / 18) stand in front of the incisors:
    // seen through an "O" are the lips' own inner surfaces around a dark hole, not teeth (a real O rendered with
    // the photo's teeth read as a grin, issue #12 on vid02/vid03).
    const cover = teethCoverOfRounding(Math.max(w(BS.mouthFunnel), w(BS.mouthPucker)));
    u.uTeethCover!.value = cover;
    const roundBand = ROUNDED_LIP_BAND_IOD * cover * I * this.lipScale;
    u.uBandU!.value = (LIP_BAND_UPPER_IOD[0] + (LIP_BAND_UPPER_IOD[1] - LIP_BAND_UPPER_IOD[0]) * open) * I * this.lipScale + roundBand;
    // Closing a photographed opening, the band keeps its barely-parted width (it covers the sliver of the photo's own
    // interior that the closing leaves, as before): from the photo's gap down by 0.02 IOD, smoothly.
    const restGapPx = Math.hypot(rig.restPx[LIP_INNER_UPPER * 3]! - rig.restPx[LIP_INNER_LOWER * 3]!, rig.restPx[LIP_INNER_UPPER * 3 + 1]! - rig.restPx[LIP_INNER_LOWER * 3 + 1]!);
    const closing = Math.min(1, Math.max(0, (restGapPx - open * LIP_BAND_FULL_GAP_IOD * I) / (0.02 * I)));
    const linearBand = LIP_BAND_LOWER_IOD[0] + (LIP_BAND_LOWER_IOD[1] - LIP_BAND_LOWER_IOD[0]) * open;
    u.uBandL!.value = (lowerLipBandIod(open) + closing * (linearBand - lowerLipBandIod(open))) * I * this.lipScale + roundBand;
    (u.uOpenHalf!.value as THREE.Vector2).set((x1 - x0) / 2, (y1 - y0) / 2);
    // Tongue: resting just above the lower incisors (jaw frame); rises to the upper incisors for DD/nn; forward
    // over the lower teeth for tongueOut/TH.
    const [mx, my] = f.mouthCenterPx;
    const jawToSkullB = (b: number): number => {
      const x = mx + b * I * f.ey[0];
      const y = my + b * I * f.ey[1];
      const y2 = py + (y - py) * c - (this.mouthZPx - pz) * s;
      return ((x + side * f.ex[0] - mx) * f.ey[0] + (y2 + side * f.ex[1] - my) * f.ey[1]) / I;
    };
    const m = this.interior;
    const lowerEdge = jawToSkullB(m.lowerEdgeB);
    const rise = Math.max(v(VIS.DD), v(VIS.nn));
    const out = Math.max(w(BS.tongueOut), 0.7 * v(VIS.TH));
    // At rest the dorsum shows above the lower incisors by up to TONGUE_DORSUM_IOD, and at most up to the middle
    // of the opening between the incisal edges (the throat shows above it), at least 0.02 IOD.
    const between = m.upperEdgeB + TONGUE_TOP_SHARE * (lowerEdge - m.upperEdgeB);
    const rest = Math.min(lowerEdge - 0.02, Math.max(lowerEdge - TONGUE_DORSUM_IOD, between));
    const raised = Math.min(rest, m.upperEdgeB + 0.005);
    u.uTongueTopB!.value = out > 0 ? rest + (between - rest) * out : rest + (raised - rest) * rise;
    u.uTongueRise!.value = out > 0 ? 0 : rise;
    // The tongue spans the lower arch (the floor of the opening between the cheeks), at least 0.26 IOD either side.
    const halfOpen = (x1 - x0) / 2 / I;
    u.uTongueHalfW!.value = Math.max(0.26, 0.9 * halfOpen) * (1 - 0.2 * rise - 0.15 * out);
    u.uTongueCurv!.value = 0.06 + 0.1 * rise + 0.04 * out;
    u.uTongueOut!.value = out >= 0.3 ? 1 : 0;
    u.uLowerEdgeB!.value = lowerEdge;
    // The photo's dark interior stays as it is at rest and lets a tongue through once the mouth moves.
    const moved = Math.max(w(BS.jawOpen) / 0.1, rise, out);
    u.uSeeThrough!.value = Math.min(1, Math.max(0, moved));
    // Rest shape: the gap between the inner lips at the centre within 0.01 IOD of the photo's, jaw closed.
    const gap = (k: readonly number[] | Float32Array, i: number, j: number): number => Math.hypot(k[i * 3]! - k[j * 3]!, k[i * 3 + 1]! - k[j * 3 + 1]!);
    const gapChange = Math.abs(gap(posedPx, LIP_INNER_UPPER, LIP_INNER_LOWER) - gap(rig.restPx, LIP_INNER_UPPER, LIP_INNER_LOWER)) / (0.01 * I);
    u.uRest!.value = 1 - Math.min(1, Math.max(0, Math.max(moved, gapChange)));
  }

  /** Frees the textures (geometry and material belong to the head's disposables). */
  dispose(): void {
    for (const t of this.textures) t.dispose();
  }
}

/**
 * Texture offsets that keep the photo's dark lip seam off the inner lip edge as the lips part: each inner-lip vertex
 * (corners excepted) samples part of the way towards its nearest lip-body vertex, so the stretched edge shows lip,
 * not the seam line (the "black outline" of an opened photo mouth).
 * @param restPx - rest vertices `[468, 3]`.
 * @param maxOffsetPx - longest offset, photo px (default unbounded). The seam line is a pixel or two wide, while the
 *   lip-body ring can lie far from the inner edge (or, on thin lips, past the vermilion, in the skin): an unbounded
 *   offset then resamples the whole vermilion away and the opened upper lip shows no red.
 * @returns vertex indices and their full offsets `[k, 2]` (photo px) towards the lip body.
 */
export function lipEdgeUvOffsets(restPx: Float32Array, maxOffsetPx = Infinity): { ids: number[]; offsetsPx: Float32Array } {
  const ids: number[] = [];
  const off: number[] = [];
  for (const [inner, body] of [
    [LIPS_UPPER_INNER.slice(1, -1), LIPS_UPPER_MID],
    [LIPS_LOWER_INNER, LIPS_LOWER_MID],
  ] as const) {
    for (const i of inner) {
      let best = body[0]!;
      let bestD = Infinity;
      for (const j of body) {
        const d = Math.hypot(restPx[j * 3]! - restPx[i * 3]!, restPx[j * 3 + 1]! - restPx[i * 3 + 1]!);
        if (d < bestD) {
          bestD = d;
          best = j;
        }
      }
      ids.push(i);
      const k = Math.min(1, maxOffsetPx / Math.max(bestD, 1e-6));
      off.push(k * (restPx[best * 3]! - restPx[i * 3]!), k * (restPx[best * 3 + 1]! - restPx[i * 3 + 1]!));
    }
  }
  return { ids, offsetsPx: Float32Array.from(off) };
}

/**
 * Share of {@link lipEdgeUvOffsets} to apply: 0 at the photo's own lip gap, 0.6 once the lips part (or close) by
 * 0.06 IOD. Closing counts too: a photographed open mouth's inner-lip landmarks lie a pixel or two inside its dark
 * opening, and a lip edge moved over the photo's teeth would otherwise carry that dark rim along.
 * @param restPx - rest vertices `[468, 3]`.
 * @param posedPx - posed vertices `[468, 3]`.
 * @param iodPx - inter-ocular distance, px.
 */
export function lipEdgeUvShare(restPx: Float32Array, posedPx: Float32Array, iodPx: number): number {
  const gap = (p: Float32Array): number => Math.hypot(p[LIP_INNER_UPPER * 3]! - p[LIP_INNER_LOWER * 3]!, p[LIP_INNER_UPPER * 3 + 1]! - p[LIP_INNER_LOWER * 3 + 1]!);
  return 0.6 * Math.min(1, Math.abs(gap(posedPx) - gap(restPx)) / (0.06 * iodPx));
}
