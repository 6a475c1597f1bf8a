/**
 * Our photo head offered as Gaussian splats: Gaussians bound to the face-mesh surface of one portrait (468
 * MediaPipe landmarks, the same ARKit rig as the mesh photo head), coloured from the photo, their centres
 * recomputed from the rig every frame, posed rigidly by the track's head rotation.
 *
 * @remarks Binding: each Gaussian keeps a triangle of the MediaPipe tessellation (`TRI468`) and barycentric
 * coordinates, as mesh-embedded Gaussian avatars do (GaussianAvatars, Qian et al., CVPR 2024: Gaussians rigged to
 * FLAME triangles; here to the photo rig's 468 vertices). Samples per triangle ∝ its area at rest (one per
 * `spacing²`), placed on a Halton(2,3) sequence folded into the triangle, so the layout is deterministic. Gaussians of
 * a triangle the frame stretches grow and turn with its principal stretches (`growStretched`), so an open jaw opens no
 * gaps. Behind the mouth opening (a hole in the tessellation) the mesh head's own mouth interior is drawn
 * (renderer/head/mouthInterior.ts: the photo's teeth, lit cavity, tongue, inner lips), on the mesh head's lip contours
 * (lip seam, upper lip raised off the teeth). Behind the eye openings (holes too) the mesh head's eyeballs
 * (renderer/head/eyelids.ts): irises turn with the gaze, lids and lashes close over them.
 * Placement: the photo head's pinhole (photoToWorld), the rest face centred on the origin, facing +Z.
 *
 * Around the face (hair, ears, neck, shoulders) the person — as the per-pixel matte of core/segment/personMatte.ts
 * separates it from the background — is sampled on a coarser lattice and lifted onto the photo head's 2.5D depth
 * proxy (renderer/head/surround.ts) as surfels, flat along its normal (`setSurroundSplat`): those Gaussians do not
 * follow the blendshapes; the head-side ones (surround head weight ≥ 0.5) turn with the head pose, the rest (neck,
 * shoulders) stay.
 */
import * as THREE from 'three';
import { SplatMesh, utils as sparkUtils } from '@sparkjsdev/spark';
import { allocSplatData } from '../../core/formats/splatData.ts';
import { InvalidInputError } from '../../core/errors.ts';
import { buildPhotoHeadRig, EYEBALL_RADIUS_IOD, eyeRotations, JAW_OPEN_MAX_RAD, RIG_VERTEX_COUNT, type PhotoHeadRig } from '../../core/rig/rig.ts';
import { measureRestExpression } from '../../core/rig/restExpression.ts';
import { EYE_LEFT, EYE_RIGHT, FACE_SILHOUETTE, faceTrianglesWithoutEyes, LIPS_UPPER_INNER, MOUTH_OPENING_LOOP, type EyeRegion } from '../../core/rig/topology.ts';
import { measureScleraLight } from '../../core/face/sceneLight.ts';
import { EYE_FRAGMENT, eyeStillDefine, LID_FRAGMENT, lidSkinUniforms, lidTriangles, lidUniformArgs, measureLidSkin, poseWithGazeLids, updateEyeLids, updateLidSkin, type EyeLidPose } from '../head/eyelids.ts';
import { refineClosedLipSeam } from '../../core/face/lipSeam.ts';
import { keepUpperTeethShowing, measureUpperTeeth, raiseUpperLipOffTeeth } from '../../core/face/lipEdges.ts';
import { lipEdgeUvOffsets, lipEdgeUvShare, LOOP_N, MouthInteriorLayer } from '../head/mouthInterior.ts';
import { TRI468 } from '../../core/rig/topologyTables.ts';
import { ARKIT_BLENDSHAPE_COUNT, BS, OVR_VISEME_COUNT } from '../../core/motion/names.ts';
import type { MotionFrame } from '../../core/motion/track.ts';
import { eyeballQuad, photoToWorld, scleraFallbackRgb, type PhotoProjection } from '../head/photoHead.ts';
import { buildSurround } from '../head/surround.ts';
import { computePersonMatte, type PersonMatte } from '../../core/segment/personMatte.ts';
import { personLayerAlpha } from '../../core/segment/personLayer.ts';
import { estimateForegroundColours, fitForegroundOverPlate } from '../../core/segment/foregroundColour.ts';
import { BackgroundLayer } from '../head/backgroundLayer.ts';
import { backgroundDepthPx, jawFollowWeight } from '../head/surround.ts';
import { computeCropRect, faceBoundsFromLandmarks, type CropRectPx, type Framing } from '../scene/framing.ts';
import { portraitFovDeg, portraitProjection } from '../scene/portraitCamera.ts';
import { headRotationOf } from './rig.ts';
import { packSplats } from './splatAvatar.ts';
import type { Avatar, AvatarRestView } from './types.ts';

/** At most this many Gaussians across the face width (outer eye corner to outer eye corner × 2.2 ≈ the face). */
export const SPLATS_ACROSS_FACE = 150;
/**
 * Gaussian spacing on the face in output pixels at rest, when the output size is known: flat-topped Gaussians one
 * spacing wide (σ = {@link SPLAT_SIGMA_SPACING} spacing) resolve detail down to about 2 px, finer than that a splat cloud cannot show anyway, and the draw cost in a
 * software rasteriser grows with the Gaussian count (SwiftShader, point sprites: ≈ 1 µs of vertex work and sort per
 * Gaussian, plus ≈ 50 ns per covered pixel per Gaussian at load ≈ 10 on 2 cores; `npm run bench -- splat`).
 */
export const SPLAT_SPACING_OUTPUT_PX = 2;
/**
 * σ of every Gaussian of the photo head (face, hair, body) in spacings of its own lattice. Was 0.8 with Spark's
 * Gaussian falloff and a cut-off at 1.7σ: each point sprite 2.7 spacings wide (with Spark's 0.3 px² blur 2.9 on the
 * face's 2 px lattice), every pixel under ≈ 8 sprites, and still ≈ 2–3 % of the plate showing between lattice points
 * (opacity 0.97 scaled down 10 % by the blur). With the flatter falloff {@link SPLAT_FALLOFF_POWER} = 2, no blur and
 * a cut-off at 2σ, σ = 0.6 covers the cells (lattice coverage 0.997 at opacity 0.99, {@link latticeCoverage}, 0.992
 * before without the blur; 0.92 as before where the lattice is stretched 1.5×, as an open jaw stretches the chin)
 * with sprites 2.4 spacings wide: ≈ 5.8 sprites per pixel, 30 % fewer fragments. A flatter falloff still (power 4,
 * cut at 1.8σ: 44 % fewer) drew hair and silhouettes as a visible mosaic of lattice cells (img01 at 384²).
 */
export const SPLAT_SIGMA_SPACING = 0.6;
/** Falloff power of the photo head's Gaussians (renderer/avatars/sparkHost.ts `falloffPowerFragmentShader`). */
export const SPLAT_FALLOFF_POWER = 2;
/** Stretch up to which the lattice of face Gaussians stays closed without growing ({@link latticeCoverage} with σ = 0.6 / stretch
 * spacings: 0.997 at rest, 0.985 at 1.2×, 0.917 at 1.5×, 0.495 at 2×, stretched both ways); beyond it σ grows by stretch / this, so a stretched lip keeps its sharp edge and colours do not bleed. */
const TRIANGLE_STRETCH_CLOSED = 1.2;
/** At most this growth of a face Gaussian's σ with its triangle's stretch (`growStretched`): closes a triangle stretched
 * 3× (largest stretch off the lip ring, measured: img01 2.3× at jawOpen 0.6 and 3.4× at 1, 99th percentile 1.9× and
 * 2.6×; the astronaut sample 1.6× and 2.65×). */
const TRIANGLE_GROWTH_MAX = 2.5;
/**
 * At most this growth on the triangles touching the mouth opening's loop: they stretch most as the lips part (img01: up to
 * 2.2× at jawOpen 0.6, 90th percentile 1.95×), and grown Gaussians there spread lip colour over the teeth (seen on
 * img01 at 2.5); a gap between them shows the mouth interior drawn under the lips' edge, not the plate.
 */
const LIP_RING_GROWTH_MAX = 1.25;
/**
 * Extra Gaussians of a slanted face triangle are shown until its lattice and extras number this many per lattice cell
 * of the triangle's area as the camera sees it ({@link PhotoHeadSplatAvatar.prepareForView}): above 1 because the
 * extras fall irregularly (Halton points) among the view-stretched lattice.
 */
const EXTRA_COVERAGE_MARGIN = 1.3;
/** Lattice spacing of the surround Gaussians that turn with the head (hair, ears) relative to the face's; their σ is
 * {@link SPLAT_SIGMA_SPACING} of their own spacing, as the face's. */
const SURROUND_SPACING_FACTOR = 1.6;
/**
 * Lattice spacing of the body Gaussians (the surround that stays: neck, shoulders, outer hair) relative to the face's
 * (4 output px; σ {@link SPLAT_SIGMA_SPACING} of it as everywhere): 36 % fewer body Gaussians than on the hair's lattice (astronaut at 384²:
 * 4717 → 3014), the per-Gaussian work (vertex shading, sort) drops with them. (With Spark's Gaussian falloff a σ
 * smaller than 0.8 spacings there, 0.64, let the filled plate show through the shoulders: bottom corners up to 12
 * grey levels off the mesh head's; the flatter falloff closes the lattice at 0.6.)
 */
const BODY_SPACING_FACTOR = 2;
/**
 * Body Gaussians closer than this (fraction of the framing crop's height; 31 output px at 384²) to a Gaussian that
 * moves with the head are drawn with the head every frame, not cached with the static parts
 * (renderer/avatars/staticLayer.ts): a turning head goes behind the collar or shoulder there (head yaw ±0.15 rad moves
 * the chin and neck edge by ≈ 15–25 px at 384² on the astronaut sample), which the cache cannot show.
 */
const BODY_NEAR_HEAD_CROP_FRACTION = 0.08;
/**
 * Thickness of a surround surfel along the depth proxy's normal, in its in-plane σ: thin enough that a surfel seen
 * at an angle covers no more than its own patch of the proxy (a round Gaussian at 25° yaw on a 60° slope covers ≈ 2×
 * its patch's screen width), thick enough that the proxy's silhouette (seen edge-on) still shows ≥ 1 px of it.
 */
const SURFEL_THICKNESS = 0.2;
/** At most this stretch of a surfel's in-plane σ along a slope (the proxy falls to the background depth at the
 * person's outline, where the slope grows without bound): 3 = a slope of 70°. */
const SURFEL_STRETCH_MAX = 3;
/** Matte alpha (0..255) from which a surround lattice point is part of the person. */
const SURROUND_ALPHA_MIN = 128;
/**
 * GLSL `main` appended to one of the mesh head's opening shaders for the splat head (its own `main` renamed `inner`):
 * the fragment is drawn only inside the posed loop `loop` of `n` points (rest photo px, as `vLocal`) and up to
 * `uOpeningMarginPx` outside it, under the soft splat edge around the opening (point in polygon by crossings, distance
 * to the loop's segments). The mesh head limits its interior and eyeballs with a stencil of its face mesh's openings
 * instead; the splats have no such mesh.
 * @param loop - name of the `vec2` array uniform holding the loop.
 * @param n - its number of points.
 * @param inner - name the shader's own `main` was renamed to.
 * @returns GLSL source: the margin uniform and the new `main`.
 */
function openingOnlyGlsl(loop: string, n: number, inner: string): string {
  return /* glsl */ `
uniform float uOpeningMarginPx;
void main() {
  bool inside = false;
  float d = 1e9;
  for (int i = 0; i < ${n}; i++) {
    vec2 a = ${loop}[i];
    vec2 b = ${loop}[i == ${n - 1} ? 0 : i + 1];
    if ((a.y > vLocal.y) != (b.y > vLocal.y) && vLocal.x < (b.x - a.x) * (vLocal.y - a.y) / (b.y - a.y) + a.x) inside = !inside;
    vec2 ab = b - a;
    float t = clamp(dot(vLocal - a, ab) / max(dot(ab, ab), 1e-6), 0.0, 1.0);
    d = min(d, length(vLocal - a - t * ab));
  }
  if (!inside && d > uOpeningMarginPx) discard;
  ${inner}();
}`;
}
/**
 * How far outside the posed opening's loop (inner lips, eye) the interior and the eyeballs are still drawn, in face
 * lattice spacings. The face's opaque backing ({@link BACKING_VERTEX}) lies over them outside the opening, so the margin
 * only has to close the slivers between the opening's quad (a plane behind the lips: the upper inner lip + 0.1 IOD,
 * its loop test in the quad's own photo px) and the posed 3D opening's outline, which part by the parallax of that
 * depth as the camera orbits: 6 mm × sin 25° ≈ 2.5 mm ≈ 2 output px at 256² for the mouth (0.25 spacings on main left
 * 3–8 see-through pixels at the lip edges per frame at orbit yaw 25° on img03).
 */
const OPENING_MARGIN_SPACING = 1;
/** Points of an eye opening's loop (MediaPipe `lower0` corner to corner, then `upper0` back). */
const EYE_LOOP_N = EYE_RIGHT.lower0.length + EYE_RIGHT.upper0.length;
/** The eye opening's loop of one eye region: `lower0` corner to corner, then `upper0` back. */
const eyeLoop = (r: EyeRegion): number[] => [...r.lower0, ...[...r.upper0].reverse()];
/** The interior quad's vertex shader: world position in the head's frame (its object's matrix), rest photo px. */
const MOUTH_VERTEX = /* glsl */ `
attribute vec2 aLocal;
varying vec2 vLocal;
void main() {
  vLocal = aLocal;
  gl_Position = projectionMatrix * modelViewMatrix * vec4(position, 1.0);
}`;

/** The lid skin's vertex shader: the face mesh's posed vertices in the head's frame, `uv` the rest photo uv, `aLocal`
 * the posed photo px (as the mesh head's face mesh feeds {@link LID_FRAGMENT}). */
const LID_VERTEX = /* glsl */ `
attribute vec2 aLocal;
varying vec2 vLocal;
varying vec2 vUv;
void main() {
  vLocal = aLocal;
  vUv = uv;
  gl_Position = projectionMatrix * modelViewMatrix * vec4(position, 1.0);
}`;

/**
 * The face's backing: the rig's face mesh (TRI468 without the eye openings; the mouth opening is a hole in it) in the
 * head's frame, textured with the photo at the rest uv (where the face Gaussians took their colours), pushed back along
 * each line of sight by `uPushBackM` so every face Gaussian (centred on the same triangles) lies in front of it.
 */
const BACKING_VERTEX = /* glsl */ `
uniform float uPushBackM;
varying vec2 vUv;
void main() {
  vUv = uv;
  vec4 mv = modelViewMatrix * vec4(position, 1.0);
  mv.xyz *= 1.0 + uPushBackM / max(length(mv.xyz), 1e-6);
  gl_Position = projectionMatrix * mv;
}`;
/** The backing's colour: the photo (raw sRGB bytes, as the opening shaders and the splats' colours). */
const BACKING_FRAGMENT = /* glsl */ `
uniform sampler2D uPhoto;
varying vec2 vUv;
void main() {
  gl_FragColor = vec4(texture2D(uPhoto, vUv).rgb, 1.0);
}`;
/**
 * How far behind the face Gaussians' centres the backing lies, in face σ: their cut-off ({@link
 * PhotoHeadSplatAvatar.splatMaxStdDev}) times the largest growth a stretched triangle's Gaussians get
 * ({@link TRIANGLE_GROWTH_MAX}) would be the safe bound along a surface, but a Gaussian's depth is its centre's (Spark
 * draws each one's quad at its centre), so any margin above the triangles' own depth works; 2σ keeps clear of depth
 * precision at the far plane (10 × the camera distance).
 */
const BACKING_PUSH_SIGMA = 2;

/**
 * The mesh head's largest share of the inner-lip texture offsets (renderer/head/mouthInterior.ts `lipEdgeUvShare`: 0 at
 * the photo's own lip gap, 0.6 once the lips part by 0.06 IOD). The photo's inner-lip landmarks lie a pixel or two
 * inside a photographed open mouth: Gaussians there took the teeth's or the dark seam's colour, and a parted lip carried
 * them along as bright or dark dots on its edge (img03's smile with teeth).
 */
const LIP_EDGE_SHARE_MAX = 0.6;

/** Options of {@link createPhotoHeadSplats}. */
export interface PhotoHeadSplatsInput {
  /** `[h, w, 4]` RGBA bytes of the portrait, sRGB. */
  rgba: Uint8Array;
  widthPx: number;
  heightPx: number;
  /** `[N, 3]` landmarks, x/y image px, z px relative depth (N = 478 or 468). */
  landmarksPx: Float32Array;
  landmarkCount: number;
  /** Also the person around the face (hair, ears, neck, shoulders); default true, false = the face surface only. */
  surround?: boolean;
  /** Also the photo's background, person removed and filled (renderer/head/backgroundLayer.ts), as a plane behind
   * the head that stays put; default false (the stage's clear colour shows instead). */
  background?: boolean;
  /** Framing preset and output aspect (width / height) of the view: the avatar is seen from the photo's camera
   * through the same crop as the mesh photo head (renderer/scene/portraitCamera.ts); default `photo`, 1. */
  framing?: Framing;
  aspect?: number;
  /** Output height in pixels: sets the Gaussian spacing ({@link SPLAT_SPACING_OUTPUT_PX}); default: the densest
   * ({@link SPLATS_ACROSS_FACE}). */
  outputHeightPx?: number;
}

/** i-th element of the Halton sequence in `base`. */
function halton(i: number, base: number): number {
  let f = 1, r = 0;
  for (let n = i; n > 0; n = Math.floor(n / base)) {
    f /= base;
    r += f * (n % base);
  }
  return r;
}

/** The photo head as a rigged splat cloud. */
export class PhotoHeadSplatAvatar implements Avatar {
  readonly kind = 'splat' as const;
  readonly needsSpark = true;
  /**
   * Gaussians cut off at 2σ instead of Spark's √8σ: with the flatter falloff ({@link SPLAT_FALLOFF_POWER}) the
   * opacity there is 25 % of the peak (as Spark's Gaussian at the 1.7σ used before), the neighbours' overlap closes
   * the surface (see {@link SPLAT_SIGMA_SPACING}). (With Spark's Gaussian, σ = 0.8 spacing: a cut at 2σ vs √8σ on img03 at 384² made a
   * mean difference of 0.9 levels and took the SwiftShader draw from 154 to 105 ms; 1.7σ then gave 36.6–39 dB
   * against 2σ on the face.)
   */
  readonly splatMaxStdDev = 2;
  /** A flatter top than Spark's Gaussian, so that smaller Gaussians close the surface ({@link SPLAT_SIGMA_SPACING}). */
  readonly splatFalloffPower = SPLAT_FALLOFF_POWER;
  /** No blur: every Gaussian is ≥ 1 output px wide (σ = {@link SPLAT_SIGMA_SPACING} of ≥ 2 px); Spark's 0.3 px² would
   * scale each one's opacity down by a fifth and leave the lattice points translucent. */
  readonly splatBlurPx2 = SPARK_BLUR_PX2;
  readonly object3D = new THREE.Group();
  readonly splats: SplatMesh;
  /** Gaussians on the surface + in the mouth cavity + around the face (hair, neck, shoulders). */
  readonly splatCount: number;
  /** Gaussians bound to the rig (surface + cavity); they are recomputed every frame. */
  readonly riggedCount: number;
  /** Gaussians around the face that turn with the head (hair, ears) and that stay (neck, shoulders). */
  readonly headAroundCount: number;
  readonly bodyAroundCount: number;
  /** Gaussians around the face that stay put (neck, shoulders), drawn outside the head-pose group: those far from the
   * head (static, see {@link staticParts}) and those near it ({@link BODY_NEAR_HEAD_CROP_FRACTION}). */
  readonly bodySplats: SplatMesh | null;
  readonly bodyNearHeadSplats: SplatMesh | null;
  private readonly pose = new THREE.Group();
  /** Places the head (centred data) at its photo position plus the frame's head translation. */
  private readonly headRoot = new THREE.Group();
  private readonly crop: CropRectPx;
  private readonly orbitPivot = new THREE.Vector3();
  private readonly rig: PhotoHeadRig;
  private readonly proj: PhotoProjection;
  /** Per rigged Gaussian: 3 vertex indices and 3 barycentric weights. */
  private readonly verts: Uint16Array;
  private readonly bary: Float32Array;
  /** The mesh head's mouth interior (photo teeth, cavity, tongue, inner lips), behind the lips, turning with the head. */
  private readonly mouth: MouthInteriorLayer;
  private readonly photoTexture: THREE.DataTexture;
  /** The mesh head's eyeballs (renderer/head/eyelids.ts), subject's right then left, behind the eye openings. */
  private readonly eyeMaterials: THREE.ShaderMaterial[] = [];
  private readonly eyeMeshes: THREE.Mesh[] = [];
  /** Depth of each eyeball quad, landmark px (the mesh head's: lid contour + 0.04 IOD). */
  private readonly eyeZPx: number[] = [];
  /** The mesh head's lid skin ({@link LID_FRAGMENT}) per eye, subject's right then left, on the rig's lid triangles. */
  private readonly lidMaterials: THREE.ShaderMaterial[] = [];
  private readonly lidMeshes: THREE.Mesh[] = [];
  /** The lid meshes' shared vertices: posed rig vertices in the head's frame (metres) and their photo px. */
  private readonly lidPositions = new Float32Array(RIG_VERTEX_COUNT * 3);
  private readonly lidLocal = new THREE.BufferAttribute(new Float32Array(RIG_VERTEX_COUNT * 2), 2);
  /** Face Gaussians on triangles with an inner-lip vertex, and per one its rest colour and its lip-edge colour (RGB 0..1,
   * `[K, 6]`), blended by the lips' parting ({@link LIP_EDGE_SHARE_MAX}). */
  private readonly lipEdgeIdx: Uint32Array;
  private readonly lipEdgeRgb: Float32Array;
  /** The lip-edge blend the packed colours hold now (−1: never written). */
  private lipEdgeBlend = -1;
  /** Surround Gaussians that follow the jaw (in `splats`, then in `bodyNearHeadSplats`), as the mesh head's surround
   * under the chin ({@link jawFollowers}). */
  private readonly surroundJaw: [JawFollowers, JawFollowers];
  /** The jaw angle the surround followers were last placed for, rad. */
  private surroundJawRad = 0;
  /** The face's opaque backing ({@link BACKING_VERTEX}) on the lid meshes' posed vertices. */
  private readonly backing: THREE.Mesh;
  private readonly backingMaterial: THREE.ShaderMaterial;
  /** Depth of the mouth interior's plane, landmark px (the mesh head's: upper inner lip + 0.1 IOD). */
  private readonly mouthZPx: number;
  /** How far the photographed upper teeth show below each upper inner-lip point, px (core/face/lipEdges.ts). */
  private readonly upperToothDisplayPx: Float32Array;
  private readonly relative = new Float32Array(ARKIT_BLENDSHAPE_COUNT);
  /** Per TRI468 triangle: its first surface Gaussian and one past its last (they are generated triangle by triangle). */
  private readonly triStart: Uint32Array;
  private readonly triEnd: Uint32Array;
  /** Per triangle: one past its last lattice Gaussian; from there to `triEnd` its extra (Halton) Gaussians for the
   * triangle's slant, shown only as far as the view needs them ({@link prepareForView}). */
  private readonly triLatticeEnd: Uint32Array;
  /** Per triangle: how many of its extra Gaussians are shown now (−1: not set yet). */
  private readonly triExtrasShown: Int32Array;
  /** Face lattice spacing, photo px. */
  private readonly spacingPx: number;
  /** Posed rig vertices of the last frame in the splats' own frame (head frame minus `origin`), metres, `[468, 3]`. */
  private readonly vertLocal = new Float32Array(RIG_VERTEX_COUNT * 3);
  private readonly camLocal = new THREE.Vector3();
  /** Spark's packed opacity byte of a face Gaussian ({@link SPLAT_OPACITY}). */
  private readonly faceOpacityByte: number;
  private readonly invWorld = new THREE.Matrix4();
  /** Per triangle: the growth along its most and least stretched directions its Gaussians were last drawn with
   * ({@link TRIANGLE_GROWTH_MAX}), `[T, 2]`. */
  private readonly triGrowth: Float32Array;
  /** Per triangle: the most it may grow (less on the ring of lip next to the mouth opening, {@link LIP_RING_GROWTH_MAX}). */
  private readonly triGrowthMax: Float32Array;
  /** σ of a face Gaussian at rest, metres. */
  private readonly faceSigmaM: number;
  private readonly posPx = new Float32Array(RIG_VERTEX_COUNT * 3);
  private readonly weights = new Float32Array(ARKIT_BLENDSHAPE_COUNT);
  /** The weights the rig is evaluated with: the frame's plus the lids' share of the gaze (scratch, `poseWithGazeLids`). */
  private readonly lidWeights = new Float32Array(ARKIT_BLENDSHAPE_COUNT);
  private readonly packed: Uint32Array;
  private readonly origin: THREE.Vector3;
  private readonly restBox: THREE.Box3;
  private readonly world = [0, 0, 0];
  private readonly q = new THREE.Quaternion();
  /** The photo's filled background behind the head (when asked for). */
  private readonly background: BackgroundLayer | null = null;
  /** The photo's own expression; frames are absolute and move the splats by `weights − rest` (as the mesh head). */
  private readonly restExpression: Float32Array;

  constructor(input: PhotoHeadSplatsInput) {
    const { landmarksPx: lm, landmarkCount } = input;
    if (landmarkCount < RIG_VERTEX_COUNT || lm.length < landmarkCount * 3) throw new InvalidInputError(`Face landmarks: expected ≥ 468 points, got ${landmarkCount}`);
    if (input.rgba.length !== input.widthPx * input.heightPx * 4) throw new InvalidInputError(`Portrait pixels: expected ${input.widthPx * input.heightPx * 4} bytes, got ${input.rgba.length}`);
    this.object3D.name = 'photoHeadSplats';
    // The mesh head's lip contours (renderer/head/photoHead.ts): a closed mouth's inner lips on the photo's own seam
    // (core/face/lipSeam.ts), an open mouth's upper inner lip raised off the photographed teeth (core/face/lipEdges.ts),
    // so both heads open the same mouth onto the same interior.
    const seamPx = refineClosedLipSeam(input.rgba, input.widthPx, input.heightPx, lm, landmarkCount).landmarksPx;
    const upperTeeth = measureUpperTeeth(input.rgba, input.widthPx, input.heightPx, seamPx);
    const rigLm = raiseUpperLipOffTeeth(seamPx, upperTeeth.aboveShiftPx);
    this.upperToothDisplayPx = upperTeeth.displayPx;
    this.rig = buildPhotoHeadRig(rigLm, landmarkCount);
    this.restExpression = measureRestExpression(lm, landmarkCount, rigLm === lm ? { rig: this.rig } : {}).weights;
    const rest = this.rig.restPx;
    // The mesh photo head's camera and crop, so both heads show the same picture (and the same background) at rest.
    const aspect = input.aspect ?? 1;
    if (!(aspect > 0)) throw new InvalidInputError(`Aspect ratio must be > 0, got ${aspect}`);
    this.crop = computeCropRect(input.widthPx, input.heightPx, faceBoundsFromLandmarks(lm), input.framing ?? 'photo', aspect);
    this.proj = portraitProjection(lm, this.crop);
    const mPerPx = this.proj.mPerPx;
    const eyePx = Math.hypot(lm[263 * 3]! - lm[33 * 3]!, lm[263 * 3 + 1]! - lm[33 * 3 + 1]!);
    const outH = input.outputHeightPx;
    const spacingPx = Math.max((eyePx * 2.2) / SPLATS_ACROSS_FACE, outH && outH > 0 ? (SPLAT_SPACING_OUTPUT_PX * this.crop.heightPx) / outH : 0);
    this.spacingPx = spacingPx;

    // Surface samples: a square lattice of `spacingPx` over the rest face in the image plane (each point bound to the
    // triangle that holds it: the front view is evenly covered, no clumps or gaps), plus Halton samples where a
    // triangle is slanted (its 3D area — landmark z is in px too — exceeds its image area), so the sides of the face
    // keep their share when the head turns. Fractions of a sample carry over from triangle to triangle.
    const verts: number[] = [], bary: number[] = [];
    let carry = 0;
    const triCount = TRI468.length / 3;
    const eyeSetR = new Set([...EYE_RIGHT.upper0, ...EYE_RIGHT.lower0]), eyeSetL = new Set([...EYE_LEFT.upper0, ...EYE_LEFT.lower0]);
    this.triStart = new Uint32Array(triCount);
    this.triEnd = new Uint32Array(triCount);
    this.triLatticeEnd = new Uint32Array(triCount);
    this.triExtrasShown = new Int32Array(triCount).fill(-1);
    this.triGrowth = new Float32Array(triCount * 2).fill(1);
    this.triGrowthMax = new Float32Array(triCount).fill(TRIANGLE_GROWTH_MAX);
    const loop = new Set(MOUTH_OPENING_LOOP);
    for (let t = 0; t < triCount; t++) if ([0, 1, 2].some((k) => loop.has(TRI468[t * 3 + k]!))) this.triGrowthMax[t] = LIP_RING_GROWTH_MAX;
    for (let t = 0; t < TRI468.length; t += 3) {
      this.triStart[t / 3] = bary.length / 3;
      const a = TRI468[t]!, b = TRI468[t + 1]!, c = TRI468[t + 2]!;
      // The eye openings are holes (as the mesh head's faceTrianglesWithoutEyes): the eyeballs show there.
      if ([eyeSetR, eyeSetL].some((e) => e.has(a) && e.has(b) && e.has(c))) {
        this.triEnd[t / 3] = this.triLatticeEnd[t / 3] = bary.length / 3;
        continue;
      }
      const ax = rest[a * 3]!, ay = rest[a * 3 + 1]!;
      const ux = rest[b * 3]! - ax, uy = rest[b * 3 + 1]! - ay, uz = rest[b * 3 + 2]! - rest[a * 3 + 2]!;
      const vx = rest[c * 3]! - ax, vy = rest[c * 3 + 1]! - ay, vz = rest[c * 3 + 2]! - rest[a * 3 + 2]!;
      const area3 = Math.hypot(uy * vz - uz * vy, uz * vx - ux * vz, ux * vy - uy * vx) / 2;
      const det = ux * vy - uy * vx;
      const area2 = Math.abs(det) / 2;
      if (area2 > 1e-9) {
        const i0 = Math.ceil(Math.min(ax, ax + ux, ax + vx) / spacingPx - 0.5), i1 = Math.floor(Math.max(ax, ax + ux, ax + vx) / spacingPx - 0.5);
        const j0 = Math.ceil(Math.min(ay, ay + uy, ay + vy) / spacingPx - 0.5), j1 = Math.floor(Math.max(ay, ay + uy, ay + vy) / spacingPx - 0.5);
        for (let j = j0; j <= j1; j++) {
          for (let i = i0; i <= i1; i++) {
            const px = (i + 0.5) * spacingPx - ax, py = (j + 0.5) * spacingPx - ay;
            const l1 = (px * vy - py * vx) / det, l2 = (ux * py - uy * px) / det;
            if (l1 < 0 || l2 < 0 || l1 + l2 > 1) continue;
            verts.push(a, b, c);
            bary.push(1 - l1 - l2, l1, l2);
          }
        }
      }
      this.triLatticeEnd[t / 3] = bary.length / 3;
      const extra = (area3 - area2) / (spacingPx * spacingPx) + carry;
      const n = Math.floor(extra);
      carry = extra - n;
      for (let k = 0; k < n; k++) {
        let r1 = halton(k + 1 + t, 2), r2 = halton(k + 1 + t, 3);
        if (r1 + r2 > 1) {
          r1 = 1 - r1;
          r2 = 1 - r2;
        }
        verts.push(a, b, c);
        bary.push(1 - r1 - r2, r1, r2);
      }
      this.triEnd[t / 3] = bary.length / 3;
    }
    const surfaceCount = bary.length / 3;
    this.verts = Uint16Array.from(verts);
    this.bary = Float32Array.from(bary);
    this.riggedCount = surfaceCount;
    // One matte for the person around the face and the background plate: bounded by the head-and-shoulders prior
    // (core/segment/personLayer.ts), as the mesh head's layers.
    const needMatte = input.surround !== false || input.background === true;
    const rawMatte = needMatte ? computePersonMatte(input.rgba, input.widthPx, input.heightPx, lm, landmarkCount) : null;
    const matte = rawMatte ? { ...rawMatte, alpha: personLayerAlpha(rawMatte.alpha, input.widthPx, input.heightPx, lm, { exact: rawMatte.source === 'photoAlpha', coreBelowCheeks: input.background === true, bars: rawMatte.bars }) } : null;
    // The plate first: with the photo background the person layer is refitted over it (see `surroundSamples`).
    const background = input.background === true && matte ? new BackgroundLayer(input.rgba, input.widthPx, input.heightPx, matte.alpha, this.crop, this.proj, backgroundDepthPx(this.rig.frame)) : null;
    const layer = background && matte ? fitForegroundOverPlate(input.rgba, estimateForegroundColours(input.rgba, matte.alpha, input.widthPx, input.heightPx), input.widthPx, input.heightPx, background.plate) : null;
    const around = input.surround === false || !matte ? [] : surroundSamples(input, this.rig, spacingPx * SURROUND_SPACING_FACTOR, spacingPx * BODY_SPACING_FACTOR, matte, layer, this.splatMaxStdDev);
    const headAround = around.filter((p) => p.head);
    const bodyAround = around.filter((p) => !p.head);
    // Photo px of what moves with the head (face surface at rest, hair, ears), for the body Gaussians near it.
    const headPx: number[] = [];
    for (let i = 0; i < surfaceCount; i++) {
      let x = 0, y = 0;
      for (let k = 0; k < 3; k++) {
        const v = this.verts[i * 3 + k]!, w = this.bary[i * 3 + k]!;
        x += w * rest[v * 3]!;
        y += w * rest[v * 3 + 1]!;
      }
      headPx.push(x, y);
    }
    for (const p of headAround) headPx.push(p.xPx, p.yPx);
    const nearHead = nearPoints(bodyAround, headPx, BODY_NEAR_HEAD_CROP_FRACTION * this.crop.heightPx);
    const n = this.riggedCount + headAround.length;
    this.splatCount = n + bodyAround.length;
    this.headAroundCount = headAround.length;
    this.bodyAroundCount = bodyAround.length;

    const data = allocSplatData(n, 'three');
    // Round Gaussians (not flat discs): the surface stays closed when the head turns and slanted parts face the camera.
    const sigmaM = SPLAT_SIGMA_SPACING * spacingPx * mPerPx;
    this.faceSigmaM = sigmaM;
    for (let i = 0; i < n; i++) {
      if (i >= this.riggedCount) {
        setSurroundSplat(data, i, headAround[i - this.riggedCount]!, sigmaM * SURROUND_SPACING_FACTOR, this.proj);
        continue;
      }
      data.scales.set([sigmaM, sigmaM, sigmaM], i * 3);
      data.opacities[i] = SPLAT_OPACITY;
      let x = 0, y = 0;
      for (let k = 0; k < 3; k++) {
        const v = this.verts[i * 3 + k]!, w = this.bary[i * 3 + k]!;
        x += w * rest[v * 3]!;
        y += w * rest[v * 3 + 1]!;
      }
      sampleBox(input, x, y, spacingPx, data.colors, i * 3);
    }
    // Rest centres, then centre the face on the origin.
    this.origin = new THREE.Vector3();
    this.weights.set(this.restExpression);
    this.computeCenters(this.weights, new Float32Array(4), data.positions, null);
    const box = new THREE.Box3();
    const v = new THREE.Vector3();
    for (let i = 0; i < surfaceCount; i++) box.expandByPoint(v.fromArray(data.positions, i * 3));
    box.getCenter(this.origin);
    // Framing: the face and what turns with it (hair, ears), centred on the face.
    for (let i = this.riggedCount; i < n; i++) box.expandByPoint(v.fromArray(data.positions, i * 3));
    for (let i = 0; i < n; i++) {
      data.positions[i * 3]! -= this.origin.x;
      data.positions[i * 3 + 1]! -= this.origin.y;
      data.positions[i * 3 + 2]! -= this.origin.z;
    }
    this.restBox = box.translate(this.origin.clone().negate());
    // The lips' inner edge as the mesh head textures it (renderer/head/mouthInterior.ts lipEdgeUvOffsets): the face
    // Gaussians on triangles with an inner-lip vertex get a second colour, sampled with those vertices moved towards the
    // lip body by the mesh head's largest share (LIP_EDGE_SHARE_MAX), blended in as the lips part (lipEdgeUvShare).
    const lipEdge = lipEdgeUvOffsets(rest, 0.03 * this.rig.frame.iodPx);
    const lipOff = new Map(lipEdge.ids.map((v, k) => [v, k] as const));
    const lipIdx: number[] = [], lipCol: number[] = [];
    const tmpRgb = new Float32Array(3);
    for (let i = 0; i < surfaceCount; i++) {
      let x = 0, y = 0, moved = false;
      for (let k = 0; k < 3; k++) {
        const v = this.verts[i * 3 + k]!, w = this.bary[i * 3 + k]!;
        const o = lipOff.get(v);
        x += w * (rest[v * 3]! + (o === undefined ? 0 : LIP_EDGE_SHARE_MAX * lipEdge.offsetsPx[o * 2]!));
        y += w * (rest[v * 3 + 1]! + (o === undefined ? 0 : LIP_EDGE_SHARE_MAX * lipEdge.offsetsPx[o * 2 + 1]!));
        if (o !== undefined && w > 0) moved = true;
      }
      if (!moved) continue;
      sampleBox(input, x, y, spacingPx, tmpRgb, 0);
      lipIdx.push(i);
      lipCol.push(data.colors[i * 3]!, data.colors[i * 3 + 1]!, data.colors[i * 3 + 2]!, tmpRgb[0]!, tmpRgb[1]!, tmpRgb[2]!);
    }
    this.lipEdgeIdx = Uint32Array.from(lipIdx);
    this.lipEdgeRgb = Float32Array.from(lipCol);
    const packed = packSplats(data);
    this.packed = packed.packedArray!;
    this.faceOpacityByte = this.packed[0]! >>> 24;
    this.splats = new SplatMesh({ packedSplats: packed });
    // Pivots as the mesh photo head's: the head turns about the upper neck, the camera orbits about the head's centre.
    const f = this.rig.frame;
    const w3 = [0, 0, 0];
    photoToWorld(this.proj, f.faceCenterPx[0], f.faceCenterPx[1] + 0.45 * f.faceHeightPx, f.silhouetteDepthPx, w3, 0);
    const pivot = new THREE.Vector3(w3[0], w3[1], w3[2]).sub(this.origin);
    photoToWorld(this.proj, f.faceCenterPx[0], f.faceCenterPx[1], f.silhouetteDepthPx, w3, 0);
    this.orbitPivot.set(w3[0]!, w3[1]!, w3[2]!);
    this.pose.position.copy(pivot);
    this.splats.position.copy(pivot).negate();
    this.pose.add(this.splats);
    this.headRoot.position.copy(this.origin);
    this.headRoot.add(this.pose);
    // The mouth interior (renderer/head/mouthInterior.ts) as the mesh head draws it, behind the lips at the upper inner
    // lip's depth + 0.1 IOD, limited to the posed opening plus one lattice spacing (under the lips' soft splat edge).
    // Opaque and depth-writing: drawn before the splats (Spark's are transparent, depth-tested, not depth-writing), so
    // the lips' Gaussians in front cover it and nothing behind it shows through the opening.
    this.photoTexture = new THREE.DataTexture(input.rgba, input.widthPx, input.heightPx, THREE.RGBAFormat, THREE.UnsignedByteType);
    this.photoTexture.flipY = false;
    this.photoTexture.colorSpace = THREE.NoColorSpace;
    this.photoTexture.magFilter = THREE.LinearFilter;
    this.photoTexture.minFilter = THREE.LinearFilter;
    this.photoTexture.generateMipmaps = false;
    this.photoTexture.unpackAlignment = 1;
    this.photoTexture.needsUpdate = true;
    let lipZ = 0;
    for (const i of LIPS_UPPER_INNER) lipZ += rest[i * 3 + 2]! / LIPS_UPPER_INNER.length;
    this.mouthZPx = lipZ + 0.1 * f.iodPx;
    this.mouth = new MouthInteriorLayer(this.photoTexture, input.rgba, input.widthPx, input.heightPx, rigLm, this.rig, this.mouthZPx, {
      material: (frag, uniforms) =>
        new THREE.ShaderMaterial({
          vertexShader: MOUTH_VERTEX,
          fragmentShader: frag.replace('void main() {', 'void mouthMain() {') + openingOnlyGlsl('uLip', LOOP_N, 'mouthMain'),
          uniforms: { ...uniforms, uOpeningMarginPx: { value: OPENING_MARGIN_SPACING * spacingPx } },
          side: THREE.DoubleSide,
        }),
      quad: (cornersPx, zPx, local) => this.headQuad(cornersPx, zPx, local),
      mesh: (geo, mat) => {
        const m = new THREE.Mesh(geo, mat);
        m.frustumCulled = false;
        return m;
      },
    });
    this.mouth.mesh.position.copy(pivot).negate();
    this.pose.add(this.mouth.mesh);
    // The eyeballs as the mesh head draws them (renderer/head/photoHead.ts layer 2): the photo's eye with the iris moved
    // by the gaze, lids and lashes as the eye closes, the sclera in the photo's light; behind the lid contour at its
    // depth + 0.04 IOD, limited to the posed opening (+ 0.25 spacing).
    const W = input.widthPx, H = input.heightPx;
    const sclera = measureScleraLight(input.rgba, W, H, rigLm)?.rgb ?? scleraFallbackRgb(input.rgba, W, H, rigLm);
    // The lid skin (LID_FRAGMENT) as the mesh head draws it while the eye closes: on the rig's own lid triangles, posed
    // every frame, over the splats (the lid Gaussians stretched over the eye leave slivers of eyeball between them).
    const lidPos = new THREE.BufferAttribute(this.lidPositions, 3);
    lidPos.setUsage(THREE.DynamicDrawUsage);
    this.lidLocal.setUsage(THREE.DynamicDrawUsage);
    const lidUv = new Float32Array(RIG_VERTEX_COUNT * 2);
    for (let v = 0; v < RIG_VERTEX_COUNT; v++) {
      lidUv[v * 2] = rest[v * 3]! / input.widthPx;
      lidUv[v * 2 + 1] = rest[v * 3 + 1]! / input.heightPx;
    }
    const lidUvAttr = new THREE.BufferAttribute(lidUv, 2);
    for (const [k, eye] of this.rig.eyes.entries()) {
      const { cornersPx, zPx, uniforms, lash } = eyeballQuad(this.photoTexture, input.rgba, W, H, rest, eye, k === 0 ? EYE_RIGHT : EYE_LEFT, sclera, f.iodPx);
      const mat = new THREE.ShaderMaterial({
        vertexShader: MOUTH_VERTEX,
        fragmentShader: EYE_FRAGMENT.replace('void main() {', 'void eyeMain() {') + `\nuniform vec2 uEyeLoop[${EYE_LOOP_N}];` + openingOnlyGlsl('uEyeLoop', EYE_LOOP_N, 'eyeMain'),
        uniforms: { ...uniforms, uEyeLoop: { value: new Float32Array(EYE_LOOP_N * 2) }, uOpeningMarginPx: { value: OPENING_MARGIN_SPACING * spacingPx } },
        side: THREE.DoubleSide,
      });
      const mesh = new THREE.Mesh(this.headQuad(cornersPx, cornersPx.map(() => zPx), cornersPx), mat);
      mesh.frustumCulled = false;
      mesh.position.copy(pivot).negate();
      this.pose.add(mesh);
      this.eyeMaterials.push(mat);
      this.eyeMeshes.push(mesh);
      this.eyeZPx.push(zPx);
      const region = k === 0 ? EYE_RIGHT : EYE_LEFT;
      const lidMat = new THREE.ShaderMaterial({
        vertexShader: LID_VERTEX,
        fragmentShader: LID_FRAGMENT,
        uniforms: lidSkinUniforms(this.photoTexture, W, H, rest, region, lash, measureLidSkin(input.rgba, W, H, rest, region), 2 * eye.halfHeightPx),
        side: THREE.DoubleSide,
        transparent: true,
        depthWrite: false,
      });
      lidMat.visible = false;
      const lidGeo = new THREE.BufferGeometry();
      lidGeo.setAttribute('position', lidPos);
      lidGeo.setAttribute('uv', lidUvAttr);
      lidGeo.setAttribute('aLocal', this.lidLocal);
      lidGeo.setIndex(new THREE.BufferAttribute(lidTriangles(region, TRI468), 1));
      const lidMesh = new THREE.Mesh(lidGeo, lidMat);
      lidMesh.frustumCulled = false;
      // after the splats (Spark's draw), as the mesh head draws it after its face
      lidMesh.renderOrder = 10;
      lidMesh.position.copy(pivot).negate();
      this.pose.add(lidMesh);
      this.lidMaterials.push(lidMat);
      this.lidMeshes.push(lidMesh);
    }
    // The face's opaque backing (BACKING_VERTEX): where the face Gaussians leave a pixel uncovered (a slanted or stretched
    // triangle's lattice seen more squarely than the photo saw it: the far cheek and the lip corners at orbit yaw 25°,
    // 15–27 see-through pixels per 256² frame on img01/img03/img05) the photo's own colour there shows, not the plate
    // behind the head (bright isolated speckles on img03's painted wall). Drawn before the splats (opaque, depth-writing),
    // it also hides what lies behind the face: the neck and shoulder Gaussians under the chin.
    this.backingMaterial = new THREE.ShaderMaterial({
      vertexShader: BACKING_VERTEX,
      fragmentShader: BACKING_FRAGMENT,
      uniforms: { uPhoto: { value: this.photoTexture }, uPushBackM: { value: BACKING_PUSH_SIGMA * sigmaM } },
      side: THREE.DoubleSide,
    });
    const backingGeo = new THREE.BufferGeometry();
    backingGeo.setAttribute('position', lidPos);
    backingGeo.setAttribute('uv', lidUvAttr);
    backingGeo.setIndex(new THREE.BufferAttribute(faceTrianglesWithoutEyes(), 1));
    this.backing = new THREE.Mesh(backingGeo, this.backingMaterial);
    this.backing.frustumCulled = false;
    this.backing.position.copy(pivot).negate();
    this.pose.add(this.backing);
    this.object3D.add(this.headRoot);
    const bodyMesh = (samples: SurroundSample[]): SplatMesh | null => {
      if (!samples.length) return null;
      const body = allocSplatData(samples.length, 'three');
      for (let i = 0; i < samples.length; i++) {
        setSurroundSplat(body, i, samples[i]!, sigmaM * BODY_SPACING_FACTOR, this.proj);
        body.positions[i * 3]! -= this.origin.x;
        body.positions[i * 3 + 1]! -= this.origin.y;
        body.positions[i * 3 + 2]! -= this.origin.z;
      }
      const mesh = new SplatMesh({ packedSplats: packSplats(body) });
      mesh.position.copy(this.origin);
      this.object3D.add(mesh);
      return mesh;
    };
    this.bodySplats = bodyMesh(bodyAround.filter((_, i) => !nearHead[i]));
    const bodyNear = bodyAround.filter((_, i) => nearHead[i]);
    this.bodyNearHeadSplats = bodyMesh(bodyNear);
    this.surroundJaw = [jawFollowers(headAround, this.rig, this.riggedCount), jawFollowers(bodyNear, this.rig, 0)];
    if (background) {
      // The plate covers the framing crop plus its reach; past it the plane continues mirrored (BackgroundLayer).
      this.background = background;
      this.object3D.add(background.mesh);
    }
  }

  /**
   * Centres of every Gaussian for `frameWeights` and `gazeRad` (the lids following the gaze as on the mesh head,
   * {@link poseWithGazeLids}), world metres (minus `origin` when given).
   * @returns per eye how closed it is ({@link lidUniformArgs}).
   */
  private computeCenters(frameWeights: Float32Array, gazeRad: Float32Array, out: Float32Array, packed: Uint32Array | null): [EyeLidPose, EyeLidPose] {
    const lids = poseWithGazeLids(this.rig, frameWeights, gazeRad, this.restExpression, this.lidWeights, this.posPx);
    const pos = this.posPx;
    const weights = this.lidWeights;
    const rest = this.restExpression;
    // The photographed upper teeth stay in view below the upper lip while the jaw opens (as the mesh head).
    const f = this.rig.frame;
    keepUpperTeethShowing(this.rig.restPx, pos, this.upperToothDisplayPx, f.ex, f.ey, f.iodPx, Math.max(0, (weights[BS.jawOpen] ?? 0) - Math.max(0, rest[BS.jawOpen] ?? 0)));
    const w3 = this.world;
    for (let i = 0; i < this.riggedCount; i++) {
      let x = 0, y = 0, z = 0;
      for (let k = 0; k < 3; k++) {
        const v = this.verts[i * 3 + k]!, w = this.bary[i * 3 + k]!;
        x += w * pos[v * 3]!;
        y += w * pos[v * 3 + 1]!;
        z += w * pos[v * 3 + 2]!;
      }
      photoToWorld(this.proj, x, y, z, w3, 0);
      if (packed) sparkUtils.setPackedSplatCenter(packed, i, w3[0]! - this.origin.x, w3[1]! - this.origin.y, w3[2]! - this.origin.z);
      else out.set(w3, i * 3);
    }
    return lids;
  }

  /**
   * Grows the face Gaussians of every triangle the frame stretches, along the stretch: σ × each principal stretch of
   * the triangle (rest → posed, 3D landmark px) / {@link TRIANGLE_STRETCH_CLOSED}, 1 … the triangle's cap
   * ({@link TRIANGLE_GROWTH_MAX}, {@link LIP_RING_GROWTH_MAX}), the Gaussian turned to the posed principal directions;
   * σ along the normal stays. Triangles round before and now are not rewritten.
   * @remarks A lattice of σ = 0.6 spacings closes a surface stretched up to ≈ 1.2× ({@link TRIANGLE_STRETCH_CLOSED});
   * an open jaw stretches the chin, cheeks and lips by 1.5–3×, and gaps opened there (the plate or the neck showed
   * through as a dotted seam). The principal stretches are √ of the eigenvalues of G_rest⁻¹ G_posed (G the Gram matrix
   * of two edges), its eigenvectors the directions (the triangle's deformation gradient F, FᵀF in the rest edge
   * basis). As GaussianAvatars (Qian et al., CVPR 2024) scale and turn Gaussians with their triangle. Growing round
   * Gaussians by the largest stretch instead spread lip colour sideways over the cheeks at the mouth corners (img01,
   * jawOpen 0.6), where the triangles stretch only vertically.
   * @param posedPx - posed vertices `[468, 3]`, landmark px.
   * @param packed - the packed splats to rewrite.
   */
  private growStretched(posedPx: Float32Array, packed: Uint32Array): void {
    const rest = this.rig.restPx;
    const edge = (p: Float32Array, i: number, j: number, o: number[]): void => {
      o[0] = p[j * 3]! - p[i * 3]!;
      o[1] = p[j * 3 + 1]! - p[i * 3 + 1]!;
      o[2] = p[j * 3 + 2]! - p[i * 3 + 2]!;
    };
    const dot = (a: number[], b: number[]): number => a[0]! * b[0]! + a[1]! * b[1]! + a[2]! * b[2]!;
    const u = [0, 0, 0], v = [0, 0, 0], u2 = [0, 0, 0], v2 = [0, 0, 0];
    const d1 = new THREE.Vector3(), d2 = new THREE.Vector3(), nrm = new THREE.Vector3(), quat = new THREE.Quaternion(), basis = new THREE.Matrix4();
    for (let t = 0; t < this.triStart.length; t++) {
      if (this.triEnd[t] === this.triStart[t]) continue;
      const a = TRI468[t * 3]!, b = TRI468[t * 3 + 1]!, c = TRI468[t * 3 + 2]!;
      edge(rest, a, b, u);
      edge(rest, a, c, v);
      edge(posedPx, a, b, u2);
      edge(posedPx, a, c, v2);
      const r11 = dot(u, u), r12 = dot(u, v), r22 = dot(v, v);
      const det = r11 * r22 - r12 * r12;
      let g1 = 1, g2 = 1;
      if (det > 1e-9 * r11 * r22) {
        const p11 = dot(u2, u2), p12 = dot(u2, v2), p22 = dot(v2, v2);
        // M = G_rest⁻¹ G_posed: its eigenvalues are the squared principal stretches, its eigenvectors (coordinates in
        // the rest edges u, v) the directions they act on.
        const m11 = (r22 * p11 - r12 * p12) / det, m12 = (r22 * p12 - r12 * p22) / det;
        const m21 = (r11 * p12 - r12 * p11) / det, m22 = (r11 * p22 - r12 * p12) / det;
        const tr = m11 + m22, dm = m11 * m22 - m12 * m21;
        const disc = Math.sqrt(Math.max(0, (tr * tr) / 4 - dm));
        const lmax = tr / 2 + disc, lmin = Math.max(0, tr / 2 - disc);
        const cap = this.triGrowthMax[t]!;
        g1 = Math.min(cap, Math.max(1, Math.sqrt(Math.max(0, lmax)) / TRIANGLE_STRETCH_CLOSED));
        g2 = Math.min(cap, Math.max(1, Math.sqrt(lmin) / TRIANGLE_STRETCH_CLOSED));
        if (g1 > 1) {
          // The most stretched direction, posed: F x for the eigenvector x of λmax (F maps u → u2, v → v2).
          let x1 = m12, x2 = lmax - m11;
          if (Math.abs(x1) + Math.abs(x2) < 1e-9) {
            x1 = lmax - m22;
            x2 = m21;
          }
          // photo px (x right, y down, z away) → the head's frame (x right, y up, z towards the camera)
          d1.set(x1 * u2[0]! + x2 * v2[0]!, -(x1 * u2[1]! + x2 * v2[1]!), -(x1 * u2[2]! + x2 * v2[2]!)).normalize();
          nrm.set(u2[1]! * v2[2]! - u2[2]! * v2[1]!, u2[2]! * v2[0]! - u2[0]! * v2[2]!, u2[0]! * v2[1]! - u2[1]! * v2[0]!);
          nrm.set(nrm.x, -nrm.y, -nrm.z);
          // orthonormal in-plane pair and normal (right-handed)
          nrm.addScaledVector(d1, -nrm.dot(d1)).normalize();
          d2.crossVectors(nrm, d1);
          quat.setFromRotationMatrix(basis.makeBasis(d1, d2, nrm));
        }
      }
      // Round before and now: nothing to write; stretched: the direction may have turned, rewrite.
      if (g1 === 1 && this.triGrowth[t * 2] === 1) continue;
      this.triGrowth[t * 2] = g1;
      this.triGrowth[t * 2 + 1] = g2;
      const s1 = this.faceSigmaM * g1, s2 = this.faceSigmaM * g2, s0 = this.faceSigmaM;
      for (let i = this.triStart[t]!; i < this.triEnd[t]!; i++) {
        sparkUtils.setPackedSplatScales(packed, i, s1, s2, s0);
        if (g1 > 1) sparkUtils.setPackedSplatQuat(packed, i, quat.x, quat.y, quat.z, quat.w);
      }
    }
  }

  /**
   * A photo point in the head's frame: the photo head's pinhole ({@link photoToWorld}) minus the rest face's centre
   * (`origin`), world metres.
   * @param xPx - photo column, px.
   * @param yPx - photo row, px.
   * @param zPx - depth, landmark px.
   * @param out - receives x, y, z at `offset`.
   * @param offset - index of x in `out`.
   */
  private headPoint(xPx: number, yPx: number, zPx: number, out: Float32Array, offset: number): void {
    photoToWorld(this.proj, xPx, yPx, zPx, out, offset);
    out[offset]! -= this.origin.x;
    out[offset + 1]! -= this.origin.y;
    out[offset + 2]! -= this.origin.z;
  }

  /**
   * An opening's quad (mouth interior, eyeball) in the head's frame: two triangles over four corners.
   * @param cornersPx - corners (top-left, top-right, bottom-left, bottom-right), photo px.
   * @param zPx - each corner's depth, landmark px.
   * @param local - each corner's `aLocal` (rest photo px, as the opening shaders read it).
   * @returns the geometry (`position` world metres in the head's frame, `aLocal`).
   */
  private headQuad(cornersPx: readonly (readonly [number, number])[], zPx: readonly number[], local: readonly (readonly [number, number])[]): THREE.BufferGeometry {
    const pos = new Float32Array(12);
    cornersPx.forEach(([x, y], k) => this.headPoint(x, y, zPx[k]!, pos, k * 3));
    const geo = new THREE.BufferGeometry();
    geo.setAttribute('position', new THREE.BufferAttribute(pos, 3));
    geo.setAttribute('aLocal', new THREE.BufferAttribute(Float32Array.from(local.flat()), 2));
    geo.setIndex([0, 2, 1, 1, 2, 3]);
    return geo;
  }

  /**
   * Shrinks an opening's quad (mouth interior, eyeball) to the posed opening's bounding box plus the margin its shader
   * draws (`uOpeningMarginPx`) and a pixel: the mesh head's quads span the whole mouth region down to the chin (0.9 IOD
   * below the lower lip) and 2.6 eye heights around each eye, and a software rasteriser shades every pixel of a quad
   * before the discard (the mesh head limits them with a scissor, renderer/head/openingScissor.ts).
   * @param mesh - the quad (4 vertices: `position` in the head's frame, `aLocal` rest photo px).
   * @param loopPx - the posed opening's loop `[K, 2]`, photo px (skull frame, as the shaders read it).
   * @param zPx - the quad's depth, landmark px.
   */
  private fitQuad(mesh: THREE.Mesh, loopPx: Float32Array, zPx: number): void {
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (let k = 0; k < loopPx.length; k += 2) {
      x0 = Math.min(x0, loopPx[k]!);
      x1 = Math.max(x1, loopPx[k]!);
      y0 = Math.min(y0, loopPx[k + 1]!);
      y1 = Math.max(y1, loopPx[k + 1]!);
    }
    const m = ((mesh.material as THREE.ShaderMaterial).uniforms.uOpeningMarginPx!.value as number) + 1;
    const pos = mesh.geometry.getAttribute('position') as THREE.BufferAttribute;
    const local = mesh.geometry.getAttribute('aLocal') as THREE.BufferAttribute;
    const corners = [
      [x0 - m, y0 - m],
      [x1 + m, y0 - m],
      [x0 - m, y1 + m],
      [x1 + m, y1 + m],
    ] as const;
    const arr = pos.array as Float32Array;
    corners.forEach(([x, y], k) => {
      this.headPoint(x, y, zPx, arr, k * 3);
      local.setXY(k, x, y);
    });
    pos.needsUpdate = true;
    local.needsUpdate = true;
  }

  applyFrame(frame: MotionFrame): void {
    for (let k = 0; k < ARKIT_BLENDSHAPE_COUNT; k++) this.weights[k] = Math.min(1, Math.max(0, frame.blendshapes[k] ?? 0));
    const gazeRad = frame.gazeRad ?? new Float32Array(4);
    const lids = this.computeCenters(this.weights, gazeRad, this.posPx, this.packed);
    this.growStretched(this.posPx, this.packed);
    for (let v = 0; v < RIG_VERTEX_COUNT; v++) this.headPoint(this.posPx[v * 3]!, this.posPx[v * 3 + 1]!, this.posPx[v * 3 + 2]!, this.vertLocal, v * 3);
    // The mouth interior sees the motion relative to the photo's own expression (its rest opening shows unchanged).
    const rest = this.restExpression;
    for (let k = 0; k < ARKIT_BLENDSHAPE_COUNT; k++) this.relative[k] = Math.max(0, this.weights[k]! - Math.min(1, Math.max(0, rest[k] ?? 0)));
    this.mouth.update(this.posPx, this.relative, frame.visemes ?? new Float32Array(OVR_VISEME_COUNT));
    // The inner lip edge's colours as the lips part (the mesh head's lipEdgeUvShare, 0 … LIP_EDGE_SHARE_MAX).
    const blend = Math.round((lipEdgeUvShare(this.rig.restPx, this.posPx, this.rig.frame.iodPx) / LIP_EDGE_SHARE_MAX) * 32) / 32;
    if (blend !== this.lipEdgeBlend) {
      this.lipEdgeBlend = blend;
      const c = this.lipEdgeRgb;
      for (let k = 0; k < this.lipEdgeIdx.length; k++) {
        const o = k * 6;
        sparkUtils.setPackedSplatRgb(this.packed, this.lipEdgeIdx[k]!, c[o]! + blend * (c[o + 3]! - c[o]!), c[o + 1]! + blend * (c[o + 4]! - c[o + 1]!), c[o + 2]! + blend * (c[o + 5]! - c[o + 2]!));
      }
    }
    this.fitQuad(this.mouth.mesh, this.mouth.lip, this.mouthZPx);
    // Eyes: irises offset by the eyeball radius · sin(angle) along the face axes; lids as the blink closes them.
    const [ry, rp, ly, lp] = eyeRotations(this.weights, gazeRad);
    const R = EYEBALL_RADIUS_IOD * this.rig.frame.iodPx;
    const { ex, ey } = this.rig.frame;
    for (const [k, [yaw, pitch, region]] of ([
      [ry, rp, EYE_RIGHT],
      [ly, lp, EYE_LEFT],
    ] as const).entries()) {
      const m = this.eyeMaterials[k]!;
      const a = R * Math.sin(yaw), b = -R * Math.sin(pitch);
      (m.uniforms.uOffset!.value as THREE.Vector2).set(a * ex[0] + b * ey[0], a * ex[1] + b * ey[1]);
      eyeStillDefine(m);
      (m.uniforms.uFaceDown!.value as THREE.Vector2).set(ey[0], ey[1]).normalize();
      m.uniforms.uIrisCosPitch!.value = Math.cos(pitch);
      const lid = lidUniformArgs(lids[k]!);
      updateEyeLids(m, region, this.posPx, lid.eyeBlink, lid.closingBlink);
      const loop = m.uniforms.uEyeLoop!.value as Float32Array;
      eyeLoop(region).forEach((v, i) => {
        loop[i * 2] = this.posPx[v * 3]!;
        loop[i * 2 + 1] = this.posPx[v * 3 + 1]!;
      });
      this.fitQuad(this.eyeMeshes[k]!, loop, this.eyeZPx[k]!);
      // Lid skin from the lid's first movement relative to the photo's own (as the mesh head).
      updateLidSkin(this.lidMaterials[k]!, region, this.posPx, lid.skinBlink, lid.skinClosure);
    }
    // The posed vertices for the face's backing (every frame) and the lid skin.
    this.lidPositions.set(this.vertLocal);
    (this.backing.geometry.getAttribute('position') as THREE.BufferAttribute).needsUpdate = true;
    if (this.lidMaterials.some((m) => m.visible)) {
      const local = this.lidLocal.array as Float32Array;
      for (let v = 0; v < RIG_VERTEX_COUNT; v++) {
        local[v * 2] = this.posPx[v * 3]!;
        local[v * 2 + 1] = this.posPx[v * 3 + 1]!;
      }
      (this.lidMeshes[0]!.geometry.getAttribute('position') as THREE.BufferAttribute).needsUpdate = true;
      this.lidLocal.needsUpdate = true;
    }
    // The surround under the chin (jaw line, throat) follows the jaw relative to the photo's, as the mesh head's
    // (renderer/head/photoHead.ts): left in place, the opened chin slid behind it and its Gaussians showed over the chin
    // as a ragged line (img01, jawOpen 0.6).
    const jawRad = (this.lidWeights[BS.jawOpen]! - Math.min(1, Math.max(0, rest[BS.jawOpen] ?? 0))) * JAW_OPEN_MAX_RAD;
    if (jawRad !== this.surroundJawRad) {
      this.surroundJawRad = jawRad;
      const [py, pz] = this.rig.jawPivotPx;
      const w3 = this.world;
      for (const [k, fol] of this.surroundJaw.entries()) {
        const mesh = k === 0 ? this.splats : this.bodyNearHeadSplats;
        if (!mesh || !fol.index.length) continue;
        const arr = mesh.packedSplats!.packedArray!;
        for (let j = 0; j < fol.index.length; j++) {
          const a = jawRad * fol.weight[j]!;
          const dy = fol.px[j * 3 + 1]! - py, dz = fol.px[j * 3 + 2]! - pz;
          photoToWorld(this.proj, fol.px[j * 3]!, py + dy * Math.cos(a) - dz * Math.sin(a), pz + dy * Math.sin(a) + dz * Math.cos(a), w3, 0);
          sparkUtils.setPackedSplatCenter(arr, fol.index[j]!, w3[0]! - this.origin.x, w3[1]! - this.origin.y, w3[2]! - this.origin.z);
        }
        if (k === 1) {
          mesh.packedSplats!.needsUpdate = true;
          mesh.updateVersion();
        }
      }
    }
    this.splats.packedSplats!.needsUpdate = true;
    this.splats.updateVersion();
    this.pose.quaternion.copy(headRotationOf(frame, this.q));
    this.headRoot.position.set(this.origin.x + (frame.headTranslationM[0] ?? 0), this.origin.y + (frame.headTranslationM[1] ?? 0), this.origin.z + (frame.headTranslationM[2] ?? 0));
  }

  /**
   * Shows of each face triangle's extra Gaussians (the Halton samples for its slant, see the constructor) only as many
   * as `camera`'s view of the posed triangle needs: its area projected across the line of sight, over the area its
   * lattice Gaussians cover (rest image-plane area, times the growth `growStretched` gave them), times
   * {@link EXTRA_COVERAGE_MARGIN}; the others get opacity 0, which Spark's vertex shader drops before any fragment.
   * @remarks The extras exist for views that see a slanted triangle more squarely than the photo did (the side of the
   * face at orbit yaw 25°, under the chin at pitch). Seen as the photo saw them they only pile onto the lattice (img01:
   * 7363 extras by the rest areas next to 8858 lattice Gaussians, on the cheeks' sides, nose and jaw). Measured (img01,
   * 384², CPU time, alternating A/B batches on a loaded 2-core machine): 0.91× and 0.94× the CPU of showing them all in
   * two runs (a first run's 0.63× had an anomalously slow baseline); img03, img05: no change within the noise
   * (1.07×, 1.05×). Pixels: 41–48 dB PSNR against showing them all, the differences along the face's outline.
   * (SwiftShader's splat draw scales with covered 2×2 pixel quads more than with the Gaussian count: cut-off 2σ → 1.6σ
   * took 26 % off the splat head's CPU, 1.8σ nothing measurable, 55 % fewer hair Gaussians over the same area 3 %.)
   * The first k Halton points of a triangle are spread over all of it (a low-discrepancy sequence), so any prefix fills
   * it evenly. Called by the stage with the frame's camera before Spark generates the splats.
   * @param camera - the camera that draws this frame (its world matrix current).
   */
  prepareForView(camera: THREE.Camera): void {
    this.splats.updateWorldMatrix(true, false);
    const cam = this.camLocal.setFromMatrixPosition(camera.matrixWorld).applyMatrix4(this.invWorld.copy(this.splats.matrixWorld).invert());
    const p = this.vertLocal;
    const cellM2 = (this.spacingPx * this.proj.mPerPx) ** 2;
    let changed = false;
    for (let t = 0; t < this.triStart.length; t++) {
      const e0 = this.triLatticeEnd[t]!, e1 = this.triEnd[t]!;
      if (e1 === e0) continue;
      const a = TRI468[t * 3]! * 3, b = TRI468[t * 3 + 1]! * 3, c = TRI468[t * 3 + 2]! * 3;
      const ux = p[b]! - p[a]!, uy = p[b + 1]! - p[a + 1]!, uz = p[b + 2]! - p[a + 2]!;
      const vx = p[c]! - p[a]!, vy = p[c + 1]! - p[a + 1]!, vz = p[c + 2]! - p[a + 2]!;
      const nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx;
      // line of sight from the triangle's centroid
      const dx = cam.x - (p[a]! + p[b]! + p[c]!) / 3, dy = cam.y - (p[a + 1]! + p[b + 1]! + p[c + 1]!) / 3, dz = cam.z - (p[a + 2]! + p[b + 2]! + p[c + 2]!) / 3;
      const seenM2 = Math.abs(nx * dx + ny * dy + nz * dz) / (2 * Math.hypot(dx, dy, dz));
      const grown = this.triGrowth[t * 2]! * this.triGrowth[t * 2 + 1]!;
      const lattice = this.triLatticeEnd[t]! - this.triStart[t]!;
      const k = Math.min(e1 - e0, Math.max(0, Math.ceil((EXTRA_COVERAGE_MARGIN * seenM2) / (cellM2 * grown) - lattice)));
      if (k === this.triExtrasShown[t]) continue;
      this.triExtrasShown[t] = k;
      // Spark's packed opacity byte (the top byte of a splat's first word): the face's own, or 0.
      const on = this.faceOpacityByte << 24;
      for (let i = e0; i < e1; i++) this.packed[i * 4] = (this.packed[i * 4]! & 0xffffff) | (i < e0 + k ? on : 0);
      changed = true;
    }
    if (changed) {
      this.splats.packedSplats!.needsUpdate = true;
      this.splats.updateVersion();
    }
  }

  boundingBox(): THREE.Box3 {
    this.object3D.updateMatrixWorld(true);
    const box = this.restBox.clone().translate(this.origin);
    const parent = this.object3D.parent;
    return parent ? box.applyMatrix4(parent.matrixWorld) : box;
  }

  /** The background plate and the body's splats away from the head (shoulders, chest): no frame moves them or goes
   * in front of them. */
  staticParts(): THREE.Object3D[] {
    return [this.background?.mesh, this.bodySplats].filter((o): o is NonNullable<typeof o> => o != null);
  }

  /** The photo's camera through the mesh head's framing crop, orbiting about the head's centre (as the mesh head). */
  restView(): AvatarRestView {
    return { fovDeg: portraitFovDeg(this.proj, this.crop), orbitPivotM: this.orbitPivot.clone(), nearM: this.proj.distM * 0.1, farM: this.proj.distM * 10 };
  }

  dispose(): void {
    if (this.background) {
      this.object3D.remove(this.background.mesh);
      this.background.dispose();
    }
    for (const m of [...this.eyeMeshes, ...this.lidMeshes, this.backing]) {
      this.pose.remove(m);
      m.geometry.dispose();
      (m.material as THREE.Material).dispose();
    }
    this.pose.remove(this.mouth.mesh);
    this.mouth.mesh.geometry.dispose();
    this.mouth.material.dispose();
    this.mouth.dispose();
    this.photoTexture.dispose();
    this.headRoot.remove(this.pose);
    this.pose.remove(this.splats);
    this.splats.dispose();
    for (const b of [this.bodySplats, this.bodyNearHeadSplats]) {
      if (!b) continue;
      this.object3D.remove(b);
      b.dispose();
    }
  }
}

/** One Gaussian around the face: photo px position, depth px (landmark z scale), colour, and which part it is. */
interface SurroundSample {
  xPx: number;
  yPx: number;
  zPx: number;
  rgb: [number, number, number];
  /** Opacity of the Gaussian (Spark's, 0..1). */
  opacity: number;
  /** Turns with the head (hair, ears) rather than staying with the body. */
  head: boolean;
  /** Slope of the depth proxy here, ∂z/∂x and ∂z/∂y (depth px per photo px): the surfel's plane. */
  dzdxPx: number;
  dzdyPx: number;
}

/**
 * Opacity of the Gaussians on the surface and of the opaque ones around it. Below 1: Spark keeps opacity at half
 * scale in 8 bits and reads a value over 1 as its extended "opacity > 1" splat (`1 − (1 − g)^a` with a ≈ 1 there, a
 * plain Gaussian with a wider cut-off, not the flatter falloff); 1.0 is stored as 128/255 · 2 > 1, 0.99 as 126/255 · 2.
 */
const SPLAT_OPACITY = 0.99;
/** Spark's `blurAmount` for the photo head (px² added to each splat's 2D covariance; Spark's default is 0.3). */
const SPARK_BLUR_PX2 = 0;
/**
 * With the photo background: a surround lattice cell whose mean refitted alpha is below this is left out. What it
 * leaves of the photo is then at most this fraction of 255 grey levels off (5 levels): `|I − P| ≤ α′·255` for the
 * refitted alpha α′ (core/segment/foregroundColour.ts `fitForegroundOverPlate`).
 */
const LAYER_ALPHA_MIN = 0.02;

/**
 * Coverage of a uniform square lattice of round Gaussians (σ = `sigma` spacings, cut off at `maxStdDev` σ, each of
 * opacity `opacity`), composited over a background: the mean of `1 − Π(1 − opacity·p)` at a lattice point and at a
 * cell centre, where p = 1 − (1 − g)^falloffPower is each one's falloff there, g = exp(−d²/2σ²)
 * (renderer/avatars/sparkHost.ts `falloffPowerFragmentShader`), drawn without Spark's blur ({@link SPARK_BLUR_PX2}).
 * @param opacity - per-Gaussian opacity, 0..1.
 * @param maxStdDev - cut-off, in σ (> 0).
 * @param sigma - σ in lattice spacings (default {@link SPLAT_SIGMA_SPACING}).
 * @param falloffPower - ≥ 1 (default {@link SPLAT_FALLOFF_POWER}).
 * @returns coverage in [0, 1], increasing in `opacity`.
 */
export function latticeCoverage(opacity: number, maxStdDev: number, sigma = SPLAT_SIGMA_SPACING, falloffPower = SPLAT_FALLOFF_POWER): number {
  const cut2 = (maxStdDev * sigma) ** 2;
  let cover = 0;
  for (const [ox, oy] of [
    [0, 0],
    [0.5, 0.5],
  ] as const) {
    let t = 1;
    for (let j = -3; j <= 3; j++) {
      for (let i = -3; i <= 3; i++) {
        const d2 = (i - ox) ** 2 + (j - oy) ** 2;
        if (d2 <= cut2) t *= 1 - opacity * (1 - (1 - Math.exp(-d2 / (2 * sigma * sigma))) ** falloffPower);
      }
    }
    cover += (1 - t) / 2;
  }
  return cover;
}

/**
 * The opacity that gives a lattice of Gaussians the coverage `alpha` ({@link latticeCoverage}), by bisection; at most
 * {@link SPLAT_OPACITY}.
 * @param alpha - wanted coverage, 0..1.
 * @param maxStdDev - cut-off, in σ.
 * @returns opacity in [0, SPLAT_OPACITY].
 */
export function opacityForCoverage(alpha: number, maxStdDev: number): number {
  if (alpha >= latticeCoverage(SPLAT_OPACITY, maxStdDev)) return SPLAT_OPACITY;
  let lo = 0, hi = SPLAT_OPACITY;
  for (let k = 0; k < 24; k++) {
    const mid = (lo + hi) / 2;
    if (latticeCoverage(mid, maxStdDev) < alpha) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * Person pixels around the face outside the face mesh, lifted to the surround's depth proxy (bilinear in its node
 * grid): on a square lattice of `spacingPx` where the surround turns with the head (head weight ≥ 0.5), of
 * `bodySpacingPx` where it stays.
 * @remarks Without the photo background (`layer` null) a lattice point is the person where the matte is ≥
 * {@link SURROUND_ALPHA_MIN}, opaque, with the person's own colour. With it, the person layer refitted over the plate
 * drawn behind it (`layer`, core/segment/foregroundColour.ts `fitForegroundOverPlate`, as the mesh head's
 * `PhotoHead.fitToPlate`): a lattice cell whose mean refitted alpha α′ is ≥ {@link SURROUND_ALPHA_MIN} is the
 * person, opaque, with the photo's own colour (what the photo shows there, so the rest view is the photo); a cell
 * with less (the soft edge of the hair, the fill's ring past the matte) gets α′ as the coverage of its Gaussian
 * ({@link opacityForCoverage}) and its premultiplied mean refitted colour, so at rest the splats over the plate still
 * give back the photo — without it the plate's fill showed there, a faint ghost of the wall round the head.
 * Translucent flat-topped splats cover their cell unevenly (a dotted pattern where the whole hair was translucent),
 * hence opaque ones wherever the person is at least half there.
 */
function surroundSamples(input: PhotoHeadSplatsInput, rig: PhotoHeadRig, spacingPx: number, bodySpacingPx: number, matte: PersonMatte, layer: Uint8Array | null, maxStdDev: number): SurroundSample[] {
  const W = input.widthPx, H = input.heightPx;
  const f = rig.frame;
  const [fcx, fcy] = f.faceCenterPx;
  const x0 = Math.max(0, fcx - 1.5 * f.faceWidthPx), x1 = Math.min(W, fcx + 1.5 * f.faceWidthPx);
  const y0 = Math.max(0, fcy - 1.3 * f.faceHeightPx), y1 = Math.min(H, fcy + 1.5 * f.faceHeightPx);
  if (!(x1 - x0 > 2 * spacingPx && y1 - y0 > 2 * spacingPx)) return [];
  const region = { xPx: x0, yPx: y0, widthPx: x1 - x0, heightPx: y1 - y0 };
  const grid = buildSurround(rig.restPx, f, { regionPx: region, resolution: 65, iterations: 200 });
  const gx = (x: number): number => ((x - x0) / region.widthPx) * (grid.cols - 1);
  const gy = (y: number): number => ((y - y0) / region.heightPx) * (grid.rows - 1);
  const at = (arr: Float32Array | Uint8Array, fx: number, fy: number): number => {
    const i = Math.min(grid.cols - 2, Math.max(0, Math.floor(fx))), j = Math.min(grid.rows - 2, Math.max(0, Math.floor(fy)));
    const ax = Math.min(1, Math.max(0, fx - i)), ay = Math.min(1, Math.max(0, fy - j));
    const k = j * grid.cols + i;
    return (arr[k]! * (1 - ax) + arr[k + 1]! * ax) * (1 - ay) + (arr[k + grid.cols]! * (1 - ax) + arr[k + grid.cols + 1]! * ax) * ay;
  };
  const out: SurroundSample[] = [];
  const tmp = new Float32Array(3);
  const faceMask = polygonMask(FACE_SILHOUETTE.flatMap((i) => [rig.restPx[i * 3]!, rig.restPx[i * 3 + 1]!]), W, H);
  // Shown alone (no photo background behind it), the person's own colours at its soft edges (core/segment/
  // foregroundColour.ts): the photo's there mix in the old backdrop, a light or dark fringe around the hair.
  const colours = layer ? input : { ...input, rgba: estimateForegroundColours(input.rgba, matte.alpha, W, H) };
  // Two lattices: the head side (hair, ears) at `spacingPx`, the body (neck, shoulders) at `bodySpacingPx`.
  for (const isHead of [true, false]) {
    const step = isHead ? spacingPx : bodySpacingPx;
    for (let y = y0 + step / 2; y < y1; y += step) {
      for (let x = x0 + step / 2; x < x1; x += step) {
        let opacity = SPLAT_OPACITY;
        let rgb: [number, number, number] | null = null;
        if (!layer) {
          if (matte.alpha[Math.floor(y) * W + Math.floor(x)]! < SURROUND_ALPHA_MIN) continue;
        } else {
          // The cell's mean refitted alpha and premultiplied colour (pixels whose centre lies in the cell).
          let a = 0, r = 0, g = 0, b = 0, count = 0;
          const cx0 = Math.max(0, Math.ceil(x - step / 2 - 0.5)), cx1 = Math.min(W - 1, Math.ceil(x + step / 2 - 0.5) - 1);
          const cy0 = Math.max(0, Math.ceil(y - step / 2 - 0.5)), cy1 = Math.min(H - 1, Math.ceil(y + step / 2 - 0.5) - 1);
          for (let py = cy0; py <= cy1; py++) {
            for (let px = cx0; px <= cx1; px++) {
              const k = (py * W + px) * 4;
              const w = layer[k + 3]!;
              a += w;
              r += w * layer[k]!;
              g += w * layer[k + 1]!;
              b += w * layer[k + 2]!;
              count++;
            }
          }
          const alpha = count ? a / count / 255 : 0;
          if (alpha < LAYER_ALPHA_MIN) continue;
          if (alpha < SURROUND_ALPHA_MIN / 255) {
            opacity = opacityForCoverage(alpha, maxStdDev);
            rgb = [r / a / 255, g / a / 255, b / a / 255];
          }
        }
        const fx = gx(x), fy = gy(y);
        // Under the face mesh the rigged Gaussians already are: the rest face outline itself decides (the depth grid's
        // face nodes, ≈ 19 photo px apart on img01, left a ragged band along the chin of cells half over the face).
        if (faceMask[Math.min(H - 1, Math.max(0, Math.floor(y))) * W + Math.min(W - 1, Math.max(0, Math.floor(x)))]) continue;
        if (at(grid.headWeight, fx, fy) >= 0.5 !== isHead) continue;
        if (!rgb) {
          // the cell's pixels outside the face only: a cell across the chin otherwise mixed the chin's light skin into
          // the neck's shadow under it (a dotted light line along the chin once the jaw opens or the head turns)
          sampleBox(colours, x, y, step, tmp, 0, faceMask);
          rgb = [tmp[0]!, tmp[1]!, tmp[2]!];
        }
        // The depth proxy's slope over one grid cell each side (central difference), for the surfel's plane.
        const hx = 1, hy = 1;
        const dzdxPx = (at(grid.zPx, fx + hx, fy) - at(grid.zPx, fx - hx, fy)) / ((2 * hx * region.widthPx) / (grid.cols - 1));
        const dzdyPx = (at(grid.zPx, fx, fy + hy) - at(grid.zPx, fx, fy - hy)) / ((2 * hy * region.heightPx) / (grid.rows - 1));
        out.push({ xPx: x, yPx: y, zPx: at(grid.zPx, fx, fy), rgb, opacity, head: isHead, dzdxPx, dzdyPx });
      }
    }
  }
  return out;
}

/**
 * Which of `points` lie within `radiusPx` of any of `others` (photo px), through a grid of `radiusPx` cells.
 * @param points - samples to test.
 * @param others - `[M, 2]` x, y photo px.
 * @param radiusPx - distance, photo px, > 0.
 * @returns one flag per point.
 */
function nearPoints(points: readonly SurroundSample[], others: readonly number[], radiusPx: number): boolean[] {
  const cells = new Map<string, number[]>();
  const cell = (x: number, y: number): string => `${Math.floor(x / radiusPx)},${Math.floor(y / radiusPx)}`;
  for (let k = 0; k < others.length; k += 2) {
    const key = cell(others[k]!, others[k + 1]!);
    const list = cells.get(key);
    if (list) list.push(k);
    else cells.set(key, [k]);
  }
  const r2 = radiusPx * radiusPx;
  return points.map((p) => {
    const cx = Math.floor(p.xPx / radiusPx), cy = Math.floor(p.yPx / radiusPx);
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        for (const k of cells.get(`${cx + dx},${cy + dy}`) ?? []) {
          if ((others[k]! - p.xPx) ** 2 + (others[k + 1]! - p.yPx) ** 2 <= r2) return true;
        }
      }
    }
    return false;
  });
}

/**
 * Writes one surround Gaussian into `data` at index `i`, world metres before centring: a surfel, flat along the depth
 * proxy's normal ({@link SURFEL_THICKNESS}), its two in-plane axes the proxy's tangents along the photo's x and y, each
 * σ = `sigmaM` times how much longer a photo-pixel step is on the proxy than on a fronto-parallel plane there (at most
 * {@link SURFEL_STRETCH_MAX}), so the surfels tile the proxy surface as the lattice tiles the photo.
 * @remarks Round Gaussians on a sloped surface (hair sides, ears) overlap their neighbours ever more as the view turns
 * towards the slope, and the back-to-front sort then draws whole lattice columns over each other: stripes and blocks at
 * orbit yaw 25° (img01's hair and ear). Surface-aligned 2D Gaussians ("surfels": Huang et al., 2D Gaussian Splatting,
 * SIGGRAPH 2024; Pfister et al., Surfels, SIGGRAPH 2000) foreshorten with the surface instead, as the mesh head's
 * surround grid does.
 */
function setSurroundSplat(data: ReturnType<typeof allocSplatData>, i: number, p: SurroundSample, sigmaM: number, proj: PhotoProjection): void {
  const w = [0, 0, 0], wx = [0, 0, 0], wy = [0, 0, 0], fx = [0, 0, 0], fy = [0, 0, 0];
  photoToWorld(proj, p.xPx, p.yPx, p.zPx, w, 0);
  photoToWorld(proj, p.xPx + 1, p.yPx, p.zPx + p.dzdxPx, wx, 0);
  photoToWorld(proj, p.xPx, p.yPx + 1, p.zPx + p.dzdyPx, wy, 0);
  photoToWorld(proj, p.xPx + 1, p.yPx, p.zPx, fx, 0);
  photoToWorld(proj, p.xPx, p.yPx + 1, p.zPx, fy, 0);
  const tx = new THREE.Vector3(wx[0]! - w[0]!, wx[1]! - w[1]!, wx[2]! - w[2]!);
  const ty = new THREE.Vector3(wy[0]! - w[0]!, wy[1]! - w[1]!, wy[2]! - w[2]!);
  const flatX = Math.hypot(fx[0]! - w[0]!, fx[1]! - w[1]!, fx[2]! - w[2]!), flatY = Math.hypot(fy[0]! - w[0]!, fy[1]! - w[1]!, fy[2]! - w[2]!);
  const n = new THREE.Vector3().crossVectors(tx, ty).normalize();
  const e1 = tx.clone().normalize();
  const e2 = new THREE.Vector3().crossVectors(n, e1);
  // ty's length across e1 (the y step's length on the surface, less what of it runs along e1)
  const sx = Math.min(SURFEL_STRETCH_MAX, tx.length() / flatX), sy = Math.min(SURFEL_STRETCH_MAX, Math.abs(ty.dot(e2)) / flatY);
  const q = new THREE.Quaternion().setFromRotationMatrix(new THREE.Matrix4().makeBasis(e1, e2, n));
  data.positions.set(w, i * 3);
  data.scales.set([sigmaM * Math.max(1, sx), sigmaM * Math.max(1, sy), sigmaM * SURFEL_THICKNESS], i * 3);
  data.rotations.set([q.x, q.y, q.z, q.w], i * 4);
  data.opacities[i] = p.opacity;
  data.colors.set(p.rgb, i * 3);
}

/**
 * Mean RGB of the portrait's pixels whose centres lie in the square of side `sidePx` centred on (x, y) px (at least
 * the nearest pixel), into `out[o..o+2]` in [0, 1].
 * @remarks A flat-topped splat reconstructs its lattice cell nearly as a box: the box filter of the same cell is the
 * matching prefilter, so fine texture finer than the lattice (hair strands) averages out instead of aliasing into a
 * dotted pattern, as a point sample did.
 * @param exclude - optional `[h, w]` mask of pixels left out (1), unless it leaves none of the square.
 */
function sampleBox(img: PhotoHeadSplatsInput, xPx: number, yPx: number, sidePx: number, out: Float32Array, o: number, exclude?: Uint8Array): void {
  const W = img.widthPx, H = img.heightPx;
  const h = sidePx / 2;
  let x0 = Math.max(0, Math.ceil(xPx - h - 0.5)), x1 = Math.min(W - 1, Math.ceil(xPx + h - 0.5) - 1);
  let y0 = Math.max(0, Math.ceil(yPx - h - 0.5)), y1 = Math.min(H - 1, Math.ceil(yPx + h - 0.5) - 1);
  if (x1 < x0) x0 = x1 = Math.min(W - 1, Math.max(0, Math.floor(xPx)));
  if (y1 < y0) y0 = y1 = Math.min(H - 1, Math.max(0, Math.floor(yPx)));
  let r = 0, g = 0, b = 0, count = 0;
  for (let pass = 0; pass < 2 && count === 0; pass++) {
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        if (pass === 0 && exclude?.[y * W + x]) continue;
        const k = (y * W + x) * 4;
        r += img.rgba[k]!;
        g += img.rgba[k + 1]!;
        b += img.rgba[k + 2]!;
        count++;
      }
    }
  }
  const n = count * 255;
  out[o] = r / n;
  out[o + 1] = g / n;
  out[o + 2] = b / n;
}

/** Surround Gaussians that follow the jaw: their indices in one splat mesh, rest photo px `[K, 3]` (x, y, depth px)
 * and jaw weight. */
interface JawFollowers {
  index: Uint32Array;
  px: Float32Array;
  weight: Float32Array;
}

/**
 * Which surround samples follow the jaw, and how much: the jaw weight of the nearest face-mesh vertex, fading to 0 over
 * half an inter-ocular distance outside the face (renderer/head/surround.ts `jawFollowWeight`, as the mesh head's
 * surround nodes).
 * @param samples - surround samples, in the order of their Gaussians in their mesh.
 * @param rig - the photo rig (rest vertices, jaw weights, IOD).
 * @param first - index of the first sample's Gaussian in its mesh.
 * @returns the followers (weight > 0.001).
 */
function jawFollowers(samples: readonly SurroundSample[], rig: PhotoHeadRig, first: number): JawFollowers {
  const idx: number[] = [], px: number[] = [], wt: number[] = [];
  samples.forEach((p, j) => {
    const w = jawFollowWeight(rig.restPx, rig.jawWeight, rig.frame.iodPx, p.xPx, p.yPx);
    if (w <= 1e-3) return;
    idx.push(first + j);
    px.push(p.xPx, p.yPx, p.zPx);
    wt.push(w);
  });
  return { index: Uint32Array.from(idx), px: Float32Array.from(px), weight: Float32Array.from(wt) };
}

/**
 * A polygon's pixels: 1 where a pixel's centre lies inside (even-odd rule, scanline crossings), else 0.
 * @param poly - `[K, 2]` vertices x, y, photo px, in order.
 * @param widthPx - raster width.
 * @param heightPx - raster height.
 * @returns `[heightPx, widthPx]` mask.
 */
function polygonMask(poly: readonly number[], widthPx: number, heightPx: number): Uint8Array {
  const mask = new Uint8Array(widthPx * heightPx);
  const n = poly.length / 2;
  const xs: number[] = [];
  for (let y = 0; y < heightPx; y++) {
    const cy = y + 0.5;
    xs.length = 0;
    for (let k = 0; k < n; k++) {
      const ax = poly[k * 2]!, ay = poly[k * 2 + 1]!, bx = poly[((k + 1) % n) * 2]!, by = poly[((k + 1) % n) * 2 + 1]!;
      if (ay > cy !== by > cy) xs.push(ax + ((cy - ay) * (bx - ax)) / (by - ay));
    }
    xs.sort((a, b) => a - b);
    for (let k = 0; k + 1 < xs.length; k += 2) {
      for (let x = Math.max(0, Math.ceil(xs[k]! - 0.5)); x <= Math.min(widthPx - 1, Math.floor(xs[k + 1]! - 0.5)); x++) mask[y * widthPx + x] = 1;
    }
  }
  return mask;
}

/**
 * Builds the splat photo head of a portrait.
 * @param input - portrait pixels and its face's landmarks.
 * @returns the avatar (Spark mesh initialised), about 15–25 k Gaussians for a typical face.
 * @throws InvalidInputError when the landmarks or pixels do not fit.
 */
export async function createPhotoHeadSplats(input: PhotoHeadSplatsInput): Promise<PhotoHeadSplatAvatar> {
  const avatar = new PhotoHeadSplatAvatar(input);
  await avatar.splats.initialized;
  return avatar;
}
