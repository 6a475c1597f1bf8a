/**
 * The photo head as three.js objects: the surround grid, the eyeballs and mouth interior, and the rigged face mesh,
 * all textured with the portrait and placed so that, from the rest camera, every vertex projects onto its own photo
 * pixel (neutral weights reproduce the photo).
 *
 * @remarks Three layers drawn in order, with the depth buffer cleared between them (painter's order between
 * layers, depth test within a layer): (1) surround, (2) eyeballs + mouth interior, (3) face mesh. The face mesh has
 * holes at the eyes and the mouth opening, so layer 2 shows exactly there: irises turn behind the lids, the cavity,
 * teeth and tongue appear as the lips part. Each vertex at photo pixel (x, y) with landmark depth z is placed on the
 * camera ray through (x, y) at distance `distM + z·mPerPx` (pinhole model, principal point at the framing centre).
 */
import * as THREE from 'three';
import type { MotionFrame } from '../../core/motion/track.ts';
import { ARKIT_BLENDSHAPE_COUNT, BS, OVR_VISEME_COUNT } from '../../core/motion/names.ts';
import { neckBoneMatrices, neckGeometry, NECK_BONE_COUNT, NECK_JOINT_COUNT } from '../../core/rig/neckBend.ts';
import { buildPhotoHeadRig, eyeRotations, EYEBALL_RADIUS_IOD, headPivotPx, JAW_OPEN_MAX_RAD, RIG_VERTEX_COUNT, type PhotoHeadRig } from './rig.ts';
import { measureRestExpression } from '../../core/rig/restExpression.ts';
import { refineClosedLipSeam } from '../../core/face/lipSeam.ts';
import { keepUpperTeethShowing, measureUpperTeeth, raiseUpperLipOffTeeth } from '../../core/face/lipEdges.ts';
import { buildClosedLipFill } from '../../core/face/lipFill.ts';
import { measureCheekSkin, measureScleraLight } from '../../core/face/sceneLight.ts';
import { synthTeethRgb } from '../../core/face/mouthInterior.ts';
import { orbitReliefLandmarks } from '../../core/face/sideRelief.ts';
import { EYE_LEFT, EYE_RIGHT, FACE_SILHOUETTE, faceTrianglesWithoutEyes, LIPS_UPPER_INNER, MOUTH_OPENING_LOOP, type EyeRegion } from './topology.ts';
import { TRI468 } from './topologyTables.ts';
import { buildSurround, surroundJawWeights, visibleFaceContour, type SurroundGrid } from './surround.ts';
import { computePersonMatte, type PersonMatte } from '../../core/segment/personMatte.ts';
import { matteInsideDistancePx } from '../../core/image/matteDistance.ts';
import { estimateForegroundColours, fitForegroundOverPlate, type PlateForFit } from '../../core/segment/foregroundColour.ts';
import { EYE_FRAGMENT, eyeStillDefine, LID_CURVE_N, LID_FRAGMENT, lidSkinUniforms, lidTriangles, lidUniformArgs, measureEyeSclera, poseWithGazeLids, measureLidColours, measureLidSkin, restLidCurves, updateEyeLids, updateLidSkin } from './eyelids.ts';
import { LIP_EDGE_GLSL, lipEdgeRingTriangles, lipEdgeUvOffsets, lipEdgeUvShare, lipEdgeVertexWeights, MouthInteriorLayer } from './mouthInterior.ts';
import { installOpeningScissor, openingPieces } from './openingScissor.ts';
import { matteMarginPx, surroundTrianglesOverMatte } from './surroundCells.ts';

/**
 * Eye-white colour (RGB in [0, 1]) when {@link measureScleraLight} finds no sclera (closed or narrow eyes, sunglasses):
 * near-white tissue at the cheeks' luma, as the synthesised teeth (core/face/mouthInterior.ts `synthTeethRgb`), so
 * an eye the driver opens wider than the photo shows whites in the photo's own light. A fixed bright white (0.85)
 * glowed as white brackets in the corners of a dim video frame's narrow eyes (new-user run, vid01 frame 0).
 * @param rgba - `[h, w, 4]` photo bytes.
 * @param widthPx - photo width.
 * @param heightPx - photo height.
 * @param landmarksPx - `[N, 3]` rest landmarks, px.
 * @returns sRGB in [0, 1].
 */
export function scleraFallbackRgb(rgba: Uint8Array, widthPx: number, heightPx: number, landmarksPx: Float32Array): [number, number, number] {
  return synthTeethRgb(null, measureCheekSkin(rgba, widthPx, heightPx, landmarksPx) ?? [0.7, 0.6, 0.55]);
}

/**
 * One eyeball of a photo head (renderer/head/eyelids.ts {@link EYE_FRAGMENT}), as the mesh head and the splat head both
 * draw it: the quad behind the eye opening and the fragment shader's uniforms at rest.
 * @param texture - the photo texture.
 * @param rgba - photo `[heightPx, widthPx, 4]` bytes.
 * @param widthPx - photo width.
 * @param heightPx - photo height.
 * @param restPx - the rig's rest vertices `[468, 3]`, photo px.
 * @param eye - the eye's model (`PhotoHeadRig.eyes[k]`).
 * @param region - the eye's rings (EYE_RIGHT for k = 0, EYE_LEFT for k = 1).
 * @param sclera - the photo's eye-white light, RGB in [0, 1] (measureScleraLight, else {@link scleraFallbackRgb}).
 * @param iodPx - inter-ocular distance, px.
 * @returns `cornersPx`: the quad's corners (top-left, top-right, bottom-left, bottom-right), photo px: 1.5 eye
 *   half-widths either side, 2.6 half-heights (at least 0.9 half-widths) above and below; `zPx`: its depth, the eye's
 *   lid-contour depth + 0.04 IOD, landmark px; `uniforms`: EYE_FRAGMENT's uniforms (iris at rest, lids open); `lash`:
 *   the lash colour it measured (measureLidColours), RGB in [0, 1], for the lid skin.
 */
export function eyeballQuad(texture: THREE.Texture, rgba: Uint8Array, widthPx: number, heightPx: number, restPx: Float32Array, eye: PhotoHeadRig['eyes'][number], region: EyeRegion, sclera: readonly [number, number, number], iodPx: number): { cornersPx: [number, number][]; zPx: number; uniforms: Record<string, THREE.IUniform>; lash: [number, number, number] } {
  const [lash, lid] = measureLidColours(rgba, widthPx, heightPx, restPx, region);
  const [restUp, restLow] = restLidCurves(restPx, region);
  const hw = eye.halfWidthPx * 1.5;
  const hh = Math.max(eye.halfHeightPx * 2.6, eye.halfWidthPx * 0.9);
  const cornersPx: [number, number][] = [
    [eye.centerPx[0] - hw, eye.centerPx[1] - hh],
    [eye.centerPx[0] + hw, eye.centerPx[1] - hh],
    [eye.centerPx[0] - hw, eye.centerPx[1] + hh],
    [eye.centerPx[0] + hw, eye.centerPx[1] + hh],
  ];
  const uniforms: Record<string, THREE.IUniform> = {
    uPhoto: { value: texture },
    uPhotoSize: { value: new THREE.Vector2(widthPx, heightPx) },
    uIrisC: { value: new THREE.Vector2(...eye.irisCenterPx) },
    uIrisR: { value: eye.irisRadiusPx },
    uOffset: { value: new THREE.Vector2(0, 0) },
    uEyeC: { value: new THREE.Vector2(...eye.centerPx) },
    uEyeHalf: { value: new THREE.Vector2(eye.halfWidthPx, Math.max(eye.halfHeightPx, 1)) },
    uSclera: { value: new THREE.Color(sclera[0], sclera[1], sclera[2]) },
    uEyeSclera: { value: new THREE.Color(...measureEyeSclera(rgba, widthPx, heightPx, restPx, region, eye.irisCenterPx, eye.irisRadiusPx, sclera)) },
    uLash: { value: new THREE.Color(...lash) },
    uLid: { value: new THREE.Color(...lid) },
    uLidCurve: { value: new Float32Array(LID_CURVE_N * 2) },
    uRestUp: { value: restUp },
    uRestLow: { value: restLow },
    uLowCurve: { value: Float32Array.from(restLow) },
    uFaceDown: { value: new THREE.Vector2(0, 1) },
    uIrisCosPitch: { value: 1 },
    uLidDrop: { value: 0 },
    uClose: { value: 0 },
  };
  return { cornersPx, zPx: eye.depthPx + 0.04 * iodPx, uniforms, lash };
}

/** Pinhole projection that maps landmark pixel space to world metres (camera at the origin looking down −Z). */
export interface PhotoProjection {
  /** Focal length in photo pixels. */
  focalPx: number;
  /** Principal point (the framing centre), photo px. */
  principalXPx: number;
  principalYPx: number;
  /** Metres per pixel at the face (from an inter-ocular distance of 63 mm). */
  mPerPx: number;
  /** Distance from the camera to the landmark z = 0 plane, metres. */
  distM: number;
}

/** Mean adult inter-ocular distance used to give the scene metric scale (Dodgson 2004). */
export const IOD_M = 0.063;

/**
 * Places a landmark-space point in the world.
 * @param proj - projection.
 * @param xPx - photo x, px.
 * @param yPx - photo y, px.
 * @param zPx - landmark depth, px (smaller = closer).
 * @param out - receives x, y, z (metres) at `offset`.
 * @param offset - index into `out`.
 */
export function photoToWorld(proj: PhotoProjection, xPx: number, yPx: number, zPx: number, out: Float32Array | number[], offset: number): void {
  const d = proj.distM + zPx * proj.mPerPx;
  out[offset] = ((xPx - proj.principalXPx) / proj.focalPx) * d;
  out[offset + 1] = (-(yPx - proj.principalYPx) / proj.focalPx) * d;
  out[offset + 2] = -d;
}

const VERTEX = /* glsl */ `
uniform mat4 uHead;
#ifdef NECK_BONES
// The neck's chain (core/rig/neckBend.ts): bone 0 the trunk … bone 8 the head; aHeadWeight · 8 is the bone coordinate.
uniform mat4 uBones[9];
#endif
attribute float aHeadWeight;
attribute vec2 aLocal;
attribute float aFeather;
attribute float aLipEdge;
varying vec2 vUv;
varying vec2 vLocal;
varying float vFeather;
varying float vLipEdge;
#ifdef FACING
// The silhouette feather (see SILHOUETTE_FEATHER_PX): the vertex's facing at rest.
attribute float aRestFacing;
uniform float uNormalSign;
varying float vTurn;
#endif
void main() {
#ifdef NECK_BONES
  float b = clamp(aHeadWeight, 0.0, 1.0) * 8.0;
  int i0 = int(min(floor(b), 7.0));
  vec3 p = mix((uBones[i0] * vec4(position, 1.0)).xyz, (uBones[i0 + 1] * vec4(position, 1.0)).xyz, b - float(i0));
#ifdef FACING
  vec3 nWorld = mix(mat3(uBones[i0]) * normal, mat3(uBones[i0 + 1]) * normal, b - float(i0));
#endif
#else
  vec3 p = mix(position, (uHead * vec4(position, 1.0)).xyz, aHeadWeight);
#ifdef FACING
  vec3 nWorld = mix(normal, mat3(uHead) * normal, aHeadWeight);
#endif
#endif
  vUv = uv;
  vLocal = aLocal;
  vFeather = aFeather;
  vLipEdge = aLipEdge;
#ifdef FACING
  // Facing now (the posed normal under the head pose, against the ray to the camera) over facing at rest: < 1 where the
  // surface turns away from the camera more than in the photo (0 once it is edge-on or beyond).
  vec4 pv = viewMatrix * vec4(p, 1.0);
  vec3 nv = normalize(mat3(viewMatrix) * nWorld) * uNormalSign;
  // (+0.1 on both: exactly 1 at rest, also where the surface was edge-on or folded in the photo.)
  vTurn = (max(dot(nv, normalize(-pv.xyz)), 0.0) + 0.1) / (aRestFacing + 0.1);
#endif
  gl_Position = projectionMatrix * viewMatrix * vec4(p, 1.0);
}`;

/**
 * Where the person layer fades out below the photo, as fractions of the photo's height past its bottom edge (start,
 * end of a smoothstep): the body continues there with the photo's bottom band mirrored (see PHOTO_FRAGMENT).
 * @remarks A design value from the orbit's reach: at −15° of pitch the camera sees up to about a quarter of the photo's
 * height past the bottom of a head-framed portrait (img01, img05: rows below the photo in the frame); it used to fade
 * over the first tenth with the bottom row stretched down (vertical streaks, then the plate under the body: the
 * photo's bottom border in view).
 */
export const BELOW_FADE_PHOTO: readonly [number, number] = [0.15, 0.35];

/**
 * How many output pixels the person's edge is feathered over, at most, where it has turned fully away from the camera
 * (renderer/head/photoHead.ts PHOTO_FRAGMENT, `FACING`): the fade reaches `SILHOUETTE_FEATHER_PX · (1 − t)` output px
 * inside the matte's half-way contour, t = (facing now) / (facing at rest), facing = cos of the angle between the surface
 * normal and the ray to the camera (≥ 0). t = 1 at rest (the photo is reproduced exactly), ≈ cos 30° on a frontal
 * surface at ±30° of orbit, → 0 where the far side turns edge-on.
 * @remarks A design value set on img06 at +30° (issue 13: the hair beside the far cheek, squeezed to a few pixels, ended
 * in a hard edge against the plate) and checked on img01 and img05: about the soft width of the matte at rest
 * (2–4 px at 256²), which the squeeze took away. 4 px softened more (img06 +30°: 0.36 of the far side's rows hard instead
 * of 0.45) but let img01's plate show through the feathered hair beside the head (plateHalo −30°: 1.45× the rest
 * view's edge energy, main 1.34×); 2.5 px: 1.35×.
 */
export const SILHOUETTE_FEATHER_PX = 2.5;

/**
 * Photo colour; with `uUseMask` the per-pixel person matte (the foreground texture's alpha, clamped past the photo's
 * edges) is the alpha. Outside the photo the person does not repeat: alpha 0 beside and above it; below it the photo's
 * bottom band continues mirrored (the body goes on) and fades out over {@link BELOW_FADE_PHOTO}. Edges at the photo
 * border are anti-aliased over a texel. With `FACING` the person's edge is feathered where it turns away from the
 * camera ({@link SILHOUETTE_FEATHER_PX}).
 */
const PHOTO_FRAGMENT = /* glsl */ `
uniform sampler2D uPhoto;
uniform sampler2D uMask;
uniform float uUseMask;
uniform float uEdgeFade;
uniform vec3 uEdgeColor;
uniform vec2 uPhotoSizePx;
uniform float uFeather;
#ifdef LIP_FILL
uniform sampler2D uFill;
uniform vec4 uFillRect;
uniform float uFillShare;
uniform sampler2D uCorner;
uniform float uCornerShare;
#endif
#ifdef LIP_EDGE
uniform float uLipEdgePhotoPx;
${LIP_EDGE_GLSL}
#endif
varying vec2 vUv;
varying vec2 vLocal;
varying float vFeather;
varying float vLipEdge;
#ifdef FACING
uniform sampler2D uMatteDist;
varying float vTurn;
#endif
void main() {
  // Below the photo the body goes on: the photo's bottom band mirrored about its bottom edge (continued texture and
  // matte, no streaks of one repeated row; the mirrored band is clothing or the body, never the face).
  vec2 uvS = (uEdgeFade > 0.5 && vUv.y > 1.0) ? vec2(vUv.x, 2.0 - vUv.y) : vUv;
  vec4 s = texture2D(uPhoto, uvS);
  vec3 c = s.rgb;
  if (uEdgeFade > 0.5) {
    // Past the photo's sides and top (seen when orbiting or framing wider than the photo) a mirrored copy would show
    // the person again: the edge row continues instead and fades to the photo's mean border colour over 8 % of the
    // photo. Below it the mirrored band fades to that colour over 40 % of the photo (only where no matte hides it).
    float o = max(max(-vUv.x, vUv.x - 1.0), max(-vUv.y, 0.2 * (vUv.y - 1.0)));
    if (o > 0.0) {
      vec3 edge = texture2D(uPhoto, clamp(uvS, vec2(0.0), vec2(1.0))).rgb;
      c = mix(edge, uEdgeColor, smoothstep(0.0, 0.08, o));
    }
  }
  float a = 1.0;
  if (uUseMask > 0.5) {
    vec2 t = vUv * uPhotoSizePx;
    float inside = clamp(t.x + 0.5, 0.0, 1.0) * clamp(uPhotoSizePx.x - t.x + 0.5, 0.0, 1.0) * clamp(t.y + 0.5, 0.0, 1.0);
    float below = 1.0 - smoothstep(${BELOW_FADE_PHOTO[0].toFixed(3)}, ${BELOW_FADE_PHOTO[1].toFixed(3)}, vUv.y - 1.0);
    // The matte rides in the (clamped) foreground texture's alpha: one texel fetch instead of two.
    a = s.a * inside * below;
  }
  // The face mesh's outer ring fades into the surround under it (aFeather: 0 on the outline, 1 one ring inside).
  if (uFeather > 0.5) a *= smoothstep(0.0, 1.0, vFeather);
#ifdef FACING
  // Where the person turns away from the camera more than in the photo (an orbit or a head turn towards the far side),
  // its matte's soft edge is squeezed into less than a pixel: a hard outline against the plate. The edge is widened
  // back by fading the person over the last SILHOUETTE_FEATHER_PX output pixels x (1 − turn) inside the matte's edge
  // (photo px per output px from the texture coordinates' screen derivatives). At rest turn = 1: no change.
  vec2 fw = fwidth(vUv * uPhotoSizePx);
  if (uUseMask > 0.5 && vTurn < 1.0) {
    float reach = ${SILHOUETTE_FEATHER_PX.toFixed(2)} * max(fw.x, fw.y) * (1.0 - clamp(vTurn, 0.0, 1.0));
    // A ramp from the half-way contour (distance 0; its soft fringe outside scales with it) to \`reach\` inside: 1 when
    // reach = 0.
    a *= clamp((texture2D(uMatteDist, uvS).r * 255.0 + 1.0) / (reach + 1.0), 0.0, 1.0);
  }
#endif
#ifdef LIP_FILL
  // A closing wide-open mouth: its lower lip band repainted with lip (core/face/lipFill.ts).
  // The photo's near-black gap where a lip band is dark through (a corner under a moustache): repainted with its dark
  // surround whenever the mouth moves from the photo's own opening, closing or opening.
  if (uFillShare > 0.0 || uCornerShare > 0.0) {
    vec2 fp = (vUv * uPhotoSizePx - uFillRect.xy) / uFillRect.zw;
    if (fp.x >= 0.0 && fp.y >= 0.0 && fp.x <= 1.0 && fp.y <= 1.0) {
      vec4 g = texture2D(uCorner, fp);
      c = mix(c, g.rgb, g.a * uCornerShare);
      vec4 f = texture2D(uFill, fp);
      c = mix(c, f.rgb, f.a * uFillShare);
    }
  }
#endif
  // The lips fade into the mouth interior drawn under them over the photo's own edge width (renderer/head/mouthInterior.ts).
#ifdef LIP_EDGE
  if (uLipEdgePhotoPx > 0.0) a *= lipEdgeAlpha(vLipEdge, vLocal, uLipEdgePhotoPx);
#endif
  gl_FragColor = vec4(c, a);
}`;


/** Everything {@link PhotoHead} needs about the portrait. */
export interface PhotoHeadInput {
  /** Photo texture (RGBA8, not flipped, no colour-space conversion). */
  texture: THREE.Texture;
  /** The photo's RGBA bytes `[h, w, 4]` (read to estimate the sclera colour). */
  rgba: Uint8Array;
  imageWidthPx: number;
  imageHeightPx: number;
  /** `[N, 3]` landmarks px (478 or 468 points). */
  landmarksPx: Float32Array;
  landmarkCount: number;
  projection: PhotoProjection;
  /** Region the surround covers, image px. */
  surroundRegionPx: { xPx: number; yPx: number; widthPx: number; heightPx: number };
  /** The person matte to use (e.g. bounded by a head-and-shoulders prior); computed on first use when absent. */
  personMatte?: PersonMatte;
  /** The photo's own expression (52 ARKit weights); measured from the landmarks when absent (core/rig/restExpression.ts). */
  restExpression?: Float32Array;
}

/** The three layers of the head plus the per-frame update. */
export class PhotoHead {
  readonly rig: PhotoHeadRig;
  /**
   * The photo's own expression: motion frames are absolute (0 = neutral face), so the head shows `weights − rest`;
   * rendering `rest` reproduces the photo, zeros close a photographed open mouth.
   */
  readonly restExpression: Float32Array;
  readonly grid: SurroundGrid;
  /** `[468, 3]` rest vertices at the depths the face mesh is drawn at (core/face/sideRelief.ts), photo px. */
  readonly reliefPx: Float32Array;
  /** Layer 1: surround. */
  readonly surroundLayer = new THREE.Scene();
  /** Layer 2: eyeballs and mouth interior. */
  readonly innerLayer = new THREE.Scene();
  /** Layer 3: face mesh. */
  readonly faceLayer = new THREE.Scene();
  /** Head-pose transform shared by all materials (uniform `uHead`). */
  readonly headMatrix = new THREE.Matrix4();
  /** Pivot of the head pose (upper neck), world metres. */
  readonly headPivot = new THREE.Vector3();
  /** Pivot of the orbit (head centre), world metres. */
  readonly orbitPivot = new THREE.Vector3();
  /** The neck's chain (core/rig/neckBend.ts): joints `[8, 3]` bottom to top and the trunk's pivot `[3]`, world metres. */
  private readonly neckWorld: { joints: Float32Array; trunkPivot: Float32Array };
  /** The chain's bone matrices `[9, 16]` (column-major), rewritten per frame; the surround's `uBones` views them. */
  readonly neckBones = new Float32Array(NECK_BONE_COUNT * 16);
  private readonly boneUniform: { value: THREE.Matrix4[] } = { value: Array.from({ length: NECK_BONE_COUNT }, () => new THREE.Matrix4()) };
  private readonly proj: PhotoProjection;
  private readonly facePositions: THREE.BufferAttribute;
  /** The face mesh's geometry (its normals are recomputed with every pose, for the silhouette fade). */
  private readonly faceGeometry: THREE.BufferGeometry;
  /** Face-mesh texture coordinates (rewritten every frame: the blinks resample the lids, see `rig.uvDeltas`). */
  private readonly faceUvs: THREE.BufferAttribute;
  private readonly photoSizePx: [number, number];
  private readonly posedPx = new Float32Array(RIG_VERTEX_COUNT * 3);
  private readonly surroundMaterial: THREE.ShaderMaterial;
  /** The face mesh's material: samples the same (foreground colour, matte alpha) texture as the surround when masked. */
  private readonly faceMaterial: THREE.ShaderMaterial;
  private readonly eyeMaterials: THREE.ShaderMaterial[] = [];
  /** Lid skin drawn over the face mesh as the lids close (renderer/head/eyelids.ts), subject's right then left eye. */
  private readonly lidMaterials: THREE.ShaderMaterial[] = [];
  /** Face-mesh `aLocal`: the posed vertices' photo px, read by the lid skin shader. */
  private readonly faceLocal: THREE.BufferAttribute;
  /** Weights with the lids' share of the gaze (scratch, see `gazeLidWeights`). */
  private readonly lidWeights = new Float32Array(ARKIT_BLENDSHAPE_COUNT);
  private readonly mouth: MouthInteriorLayer;
  /** How far the photographed upper teeth show below each upper inner-lip point, px (core/face/lipEdges.ts). */
  private readonly upperToothDisplayPx: Float32Array;
  /** Face-mesh uniforms of the closed-lip patch (core/face/lipFill.ts): a closed wide-open mouth shows lip, not teeth. */
  private readonly lipFillUniforms: { uFill: THREE.IUniform; uFillRect: THREE.IUniform; uFillShare: THREE.IUniform; uCorner: THREE.IUniform; uCornerShare: THREE.IUniform };
  /** Inner-lip texture offsets (renderer/head/mouthInterior.ts): the photo's lip seam stays off the opened lip edge. */
  private readonly lipEdgeUv: { ids: number[]; offsetsPx: Float32Array };
  /** Surround nodes moved by the jaw: position buffer, node indices, per-node weight, the angle last applied. */
  private readonly surroundJaw: { attr: THREE.BufferAttribute; nodes: Uint32Array; weight: Float32Array; angleRad: number };
  private readonly disposables: { dispose(): void }[] = [];
  private readonly headUniform: { value: THREE.Matrix4 };
  private readonly input: PhotoHeadInput;
  private matteTexture: THREE.DataTexture | null = null;
  /** `[h, w]` distance inside the person's edge, photo px (the silhouette feather, SILHOUETTE_FEATHER_PX). */
  private matteDistTexture: THREE.DataTexture | null = null;
  /** The photo with foreground colours under the matte (no old-background fringe), for the masked surround. */
  private foregroundTexture: THREE.DataTexture | null = null;
  private matteValue: PersonMatte | null = null;
  /** The surround's triangles: all of them, and those over the person matte (drawn while the matte is the alpha). */
  private readonly surroundIndex: { geometry: THREE.BufferGeometry; all: THREE.BufferAttribute; overMatte: THREE.BufferAttribute | null };

  constructor(input: PhotoHeadInput) {
    const { texture, landmarkCount, projection: proj } = input;
    // A closed mouth's inner-lip contours go onto the photo's own lip seam (core/face/lipSeam.ts), so that an opening
    // splits the lips where they meet; rest vertices still sit on their own photo pixels (the rest still reproduces it).
    const seamPx = refineClosedLipSeam(input.rgba, input.imageWidthPx, input.imageHeightPx, input.landmarksPx, landmarkCount).landmarksPx;
    // An open mouth's upper inner-lip contour lying on the photographed teeth moves up off them (core/face/lipEdges.ts):
    // the teeth then belong to the interior (with the skull), not to the upper lip.
    const upperTeeth = measureUpperTeeth(input.rgba, input.imageWidthPx, input.imageHeightPx, seamPx);
    const landmarksPx = raiseUpperLipOffTeeth(seamPx, upperTeeth.aboveShiftPx);
    this.upperToothDisplayPx = upperTeeth.displayPx;
    this.input = input;
    this.proj = proj;
    this.rig = buildPhotoHeadRig(landmarksPx, landmarkCount);
    const rig = this.rig;
    // The face is drawn (and the surround fitted) on depths whose sides fall away no steeper than an orbit to its limit
    // can stretch (core/face/sideRelief.ts): a turned face's hidden cheek no longer streaks at −25°. The rig (jaw,
    // expressions) keeps the photo's depths; the rest view is unchanged.
    this.reliefPx = orbitReliefLandmarks(rig.restPx, RIG_VERTEX_COUNT);
    // The expression is the detector's (as `analyze` reports it): the seam refinement only decides where the lips split.
    this.restExpression = input.restExpression ?? measureRestExpression(input.landmarksPx, landmarkCount, landmarksPx === input.landmarksPx ? { rig } : {}).weights;
    const f = rig.frame;
    this.headUniform = { value: this.headMatrix };
    photoToWorldVec(proj, f.faceCenterPx[0], f.faceCenterPx[1], f.silhouetteDepthPx, this.orbitPivot);
    const pivotPx = headPivotPx(f);
    photoToWorldVec(proj, pivotPx[0], pivotPx[1], pivotPx[2], this.headPivot);
    const neck = neckGeometry(f);
    this.neckWorld = { joints: new Float32Array(NECK_JOINT_COUNT * 3), trunkPivot: new Float32Array(3) };
    for (let j = 0; j < NECK_JOINT_COUNT; j++) photoToWorld(proj, neck.jointsPx[j * 3]!, neck.jointsPx[j * 3 + 1]!, neck.jointsPx[j * 3 + 2]!, this.neckWorld.joints, j * 3);
    photoToWorld(proj, neck.trunkPivotPx[0], neck.trunkPivotPx[1], neck.trunkPivotPx[2], this.neckWorld.trunkPivot, 0);
    const W = input.imageWidthPx;
    const H = input.imageHeightPx;

    // Layer 1: surround grid.
    this.grid = buildSurround(this.reliefPx, f, { regionPx: input.surroundRegionPx });
    const g = this.grid;
    const gPos = new Float32Array(g.cols * g.rows * 3);
    const gUv = new Float32Array(g.cols * g.rows * 2);
    for (let k = 0; k < g.cols * g.rows; k++) {
      photoToWorld(proj, g.xPx[k]!, g.yPx[k]!, g.zPx[k]!, gPos, k * 3);
      gUv[k * 2] = g.xPx[k]! / W;
      gUv[k * 2 + 1] = g.yPx[k]! / H;
    }
    const gIdx: number[] = [];
    for (let j = 0; j < g.rows - 1; j++) {
      for (let i = 0; i < g.cols - 1; i++) {
        const a = j * g.cols + i;
        gIdx.push(a, a + g.cols, a + 1, a + 1, a + g.cols, a + g.cols + 1);
      }
    }
    const gGeo = new THREE.BufferGeometry();
    gGeo.setAttribute('position', new THREE.BufferAttribute(gPos, 3));
    // Surround nodes that follow the jaw (rewritten per frame only while the jaw differs from the photo's).
    const jawW = surroundJawWeights(g, rig.restPx, rig.jawWeight, f.iodPx);
    const jawNodes = Uint32Array.from(Array.from(jawW.keys()).filter((k) => jawW[k]! > 1e-3));
    this.surroundJaw = { attr: gGeo.getAttribute('position') as THREE.BufferAttribute, nodes: jawNodes, weight: jawW, angleRad: 0 };
    this.surroundJaw.attr.setUsage(THREE.DynamicDrawUsage);
    gGeo.setAttribute('uv', new THREE.BufferAttribute(gUv, 2));
    gGeo.setAttribute('aHeadWeight', new THREE.BufferAttribute(g.headWeight, 1));
    gGeo.setAttribute('aLocal', new THREE.BufferAttribute(new Float32Array(g.cols * g.rows * 2), 2));
    gGeo.setIndex(gIdx);
    this.surroundIndex = { geometry: gGeo, all: gGeo.getIndex()!, overMatte: null };
    const edge = meanBorderColour(input.rgba, W, H);
    this.surroundMaterial = this.material(PHOTO_FRAGMENT, { uBones: this.boneUniform, uPhoto: { value: texture }, uMask: { value: null }, uUseMask: { value: 0 }, uEdgeFade: { value: 1 }, uEdgeColor: { value: new THREE.Color(edge[0], edge[1], edge[2]) }, uPhotoSizePx: { value: new THREE.Vector2(W, H) }, uFeather: { value: 0 } });
    // The surround bends with the neck's chain (core/rig/neckBend.ts) instead of blending head and body positions.
    this.surroundMaterial.defines = { ...this.surroundMaterial.defines, NECK_BONES: '', FACING: 1 };
    // Its silhouette is feathered where it turns away from the camera (SILHOUETTE_FEATHER_PX).
    gGeo.computeVertexNormals();
    setRestFacing(gGeo, this.surroundMaterial);
    this.surroundLayer.add(this.mesh(gGeo, this.surroundMaterial));

    // Layer 3: face mesh (positions rewritten every frame).
    const n = RIG_VERTEX_COUNT;
    const fUv = new Float32Array(n * 2);
    for (let i = 0; i < n; i++) {
      fUv[i * 2] = rig.restPx[i * 3]! / W;
      fUv[i * 2 + 1] = rig.restPx[i * 3 + 1]! / H;
    }
    const fGeo = new THREE.BufferGeometry();
    this.facePositions = new THREE.BufferAttribute(new Float32Array(n * 3), 3);
    this.facePositions.setUsage(THREE.DynamicDrawUsage);
    fGeo.setAttribute('position', this.facePositions);
    this.faceUvs = new THREE.BufferAttribute(fUv, 2);
    this.faceUvs.setUsage(THREE.DynamicDrawUsage);
    this.photoSizePx = [W, H];
    fGeo.setAttribute('uv', this.faceUvs);
    fGeo.setAttribute('aHeadWeight', new THREE.BufferAttribute(new Float32Array(n).fill(1), 1));
    this.faceLocal = new THREE.BufferAttribute(new Float32Array(n * 2), 2);
    this.faceLocal.setUsage(THREE.DynamicDrawUsage);
    fGeo.setAttribute('aLocal', this.faceLocal);
    // aFeather of the face mesh: 0 on its outline, 0.5 on the ring of vertices next to it, 1 inside — a feathered edge
    // two triangle rings wide, so the face blends into the surround (which carries the same photo there) instead of
    // showing a hard mask edge when the camera orbits. (aLocal carries the posed photo px for the lid skin shader.)
    // Where the mesh folds at a turned face's far cheek (the oval behind the ring next to it), the visible contour's
    // vertices (renderer/head/surround.ts, visibleFaceContour) are the outline too: the fold fades out whole.
    const feather = new Float32Array(n).fill(1);
    const outline = new Set([...FACE_SILHOUETTE, ...visibleFaceContour(this.reliefPx).ids]);
    for (let t = 0; t < TRI468.length; t += 3) {
      const tri = [TRI468[t]!, TRI468[t + 1]!, TRI468[t + 2]!];
      if (tri.some((v) => outline.has(v))) for (const v of tri) feather[v] = Math.min(feather[v]!, 0.5);
    }
    for (const i of outline) feather[i] = 0;
    fGeo.setAttribute('aFeather', new THREE.BufferAttribute(feather, 1));
    fGeo.setAttribute('aLipEdge', new THREE.BufferAttribute(lipEdgeVertexWeights(n), 1));
    fGeo.setIndex(new THREE.BufferAttribute(faceTrianglesWithoutEyes(), 1));
    // The closed-lip patch of a wide-open photographed mouth (core/face/lipFill.ts), blended in as the lips close.
    const fill = buildClosedLipFill(input.rgba, W, H, landmarksPx);
    let fillTexture: THREE.DataTexture | null = null;
    let cornerTexture: THREE.DataTexture | null = null;
    if (fill) {
      const patch = (data: Uint8Array): THREE.DataTexture => {
        const t = new THREE.DataTexture(data, fill.widthPx, fill.heightPx, THREE.RGBAFormat, THREE.UnsignedByteType);
        t.colorSpace = THREE.NoColorSpace;
        t.magFilter = THREE.LinearFilter;
        t.minFilter = THREE.LinearFilter;
        t.generateMipmaps = false;
        t.unpackAlignment = 1;
        t.needsUpdate = true;
        this.disposables.push(t);
        return t;
      };
      fillTexture = patch(fill.rgba);
      cornerTexture = patch(fill.cornerRgba);
    }
    this.lipFillUniforms = {
      uFill: { value: fillTexture },
      uFillRect: { value: fill ? new THREE.Vector4(fill.originPx[0], fill.originPx[1], fill.widthPx, fill.heightPx) : new THREE.Vector4(0, 0, 1, 1) },
      uFillShare: { value: 0 },
      uCorner: { value: cornerTexture },
      uCornerShare: { value: 0 },
    };
    const faceMaterial = this.material(PHOTO_FRAGMENT, { uPhoto: { value: texture }, uUseMask: { value: 0 }, uFeather: { value: 1 }, uPhotoSizePx: { value: new THREE.Vector2(W, H) }, uLipEdgePhotoPx: { value: 0 }, ...(fill ? this.lipFillUniforms : {}) });
    // Only the face mesh fades its lip edge (LIP_EDGE): the surround and the opening stencil compile without it, as
    // a software rasteriser runs a branch's code for every pixel even when its uniform condition is false.
    faceMaterial.defines = fill ? { LIP_EDGE: 1, LIP_FILL: 1, FACING: 1 } : { LIP_EDGE: 1, FACING: 1 };
    this.faceGeometry = fGeo;
    faceMaterial.transparent = true;
    this.faceMaterial = faceMaterial;
    const faceMesh = this.mesh(fGeo, faceMaterial);
    this.faceLayer.add(faceMesh);

    // Layer 2 mask: the posed eye and mouth openings (sharing the face's vertex buffers) write stencil = 1; the
    // eyeballs and mouth interior draw only there.
    const holeGeo = new THREE.BufferGeometry();
    for (const name of ['position', 'uv', 'aHeadWeight', 'aLocal']) holeGeo.setAttribute(name, fGeo.getAttribute(name));
    const openings = openingTriangles();
    holeGeo.setIndex(new THREE.BufferAttribute(openings, 1));
    const holeMat = this.material(PHOTO_FRAGMENT, { uPhoto: { value: texture }, uUseMask: { value: 0 }, uFeather: { value: 0 } });
    holeMat.colorWrite = false;
    holeMat.depthWrite = false;
    holeMat.depthTest = false;
    holeMat.stencilWrite = true;
    holeMat.stencilRef = 1;
    holeMat.stencilFunc = THREE.AlwaysStencilFunc;
    holeMat.stencilZPass = THREE.ReplaceStencilOp;
    const holeMesh = this.mesh(holeGeo, holeMat);
    holeMesh.renderOrder = -10;
    this.innerLayer.add(holeMesh);

    // Layer 2: eyeballs.
    // The eye whites as core/face/sceneLight.ts measures them (also the teeth's light); a white-balanced near-white without.
    const sclera = measureScleraLight(input.rgba, W, H, landmarksPx)?.rgb ?? scleraFallbackRgb(input.rgba, W, H, landmarksPx);
    const innerQuads: THREE.Mesh[] = [];
    for (const [k, eye] of rig.eyes.entries()) {
      const region = k === 0 ? EYE_RIGHT : EYE_LEFT;
      const lidSkin = measureLidSkin(input.rgba, W, H, rig.restPx, region);
      const { cornersPx: corners, zPx, uniforms, lash } = eyeballQuad(texture, input.rgba, W, H, rig.restPx, eye, region, sclera, f.iodPx);
      const mat = this.material(EYE_FRAGMENT, uniforms);
      this.eyeMaterials.push(mat);
      innerQuads.push(this.mesh(this.quad(corners, corners.map(() => zPx), corners), mat));
      this.innerLayer.add(innerQuads[innerQuads.length - 1]!);
      // Lid skin on the face mesh's own lid triangles and over the opening, drawn after the face (same depth passes).
      const lidMat = this.material(LID_FRAGMENT, lidSkinUniforms(texture, W, H, rig.restPx, region, lash, lidSkin, 2 * eye.halfHeightPx));
      lidMat.transparent = true;
      lidMat.depthWrite = false;
      lidMat.depthFunc = THREE.LessEqualDepth;
      const lidGeo = new THREE.BufferGeometry();
      for (const name of ['position', 'uv', 'aHeadWeight', 'aLocal']) lidGeo.setAttribute(name, fGeo.getAttribute(name));
      lidGeo.setIndex(new THREE.BufferAttribute(lidTriangles(region, TRI468), 1));
      const lidMesh = this.mesh(lidGeo, lidMat);
      lidMesh.renderOrder = 10;
      this.lidMaterials.push(lidMat);
      this.faceLayer.add(lidMesh);
    }

    // Layer 2: mouth interior (renderer/head/mouthInterior.ts), behind the lips at the upper inner lip's depth + 0.1 IOD.
    let lipZ = 0;
    for (const i of LIPS_UPPER_INNER) lipZ += rig.restPx[i * 3 + 2]! / LIPS_UPPER_INNER.length;
    this.mouth = new MouthInteriorLayer(texture, input.rgba, W, H, landmarksPx, rig, lipZ + 0.1 * f.iodPx, {
      material: (frag, uniforms) => this.material(frag, uniforms),
      quad: (corners, z, local) => this.quad(corners, z, local),
      mesh: (geo, mat) => this.mesh(geo, mat),
    });
    this.innerLayer.add(this.mouth.mesh);
    // The lips' inner edge fades into the interior over the photo's own edge rise (10–90 % = 2.56 σ).
    faceMaterial.uniforms.uLipEdgePhotoPx!.value = 2.56 * this.mouth.interior.edgeSigmaPx;
    faceMaterial.uniforms.uLipLoop = { value: this.mouth.lip };
    // Only the openings' screen rectangles are shaded (SwiftShader shades before the stencil test; openingScissor.ts).
    installOpeningScissor([...innerQuads, this.mouth.mesh], this.facePositions, openingPieces(openings), this.headMatrix);
    // At most 0.03 IOD (≈ 2 mm, a seam line's width and then some): the vermilion itself is not resampled away.
    this.lipEdgeUv = lipEdgeUvOffsets(rig.restPx, 0.03 * f.iodPx);
    for (const m of [...this.eyeMaterials, this.mouth.material]) {
      m.stencilWrite = true;
      m.stencilRef = 1;
      m.stencilFunc = THREE.EqualStencilFunc;
      m.stencilFail = THREE.KeepStencilOp;
      m.stencilZFail = THREE.KeepStencilOp;
      m.stencilZPass = THREE.KeepStencilOp;
    }
    this.setBackgroundMask(false);
    this.applyWeights(this.restExpression, new Float32Array(4));
    // The silhouette fade's reference: each vertex's facing at rest (the face posed at the photo's expression).
    this.faceGeometry.computeVertexNormals();
    setRestFacing(this.faceGeometry, faceMaterial);
  }

  /**
   * Uses the per-pixel person matte as alpha for the surround (transparent or colour backgrounds), or the full photo.
   * @param useMask - true for `transparent`/colour backgrounds.
   * @remarks The matte (`computePersonMatte`: the photo's alpha when it has real transparency, else a landmark-seeded
   * colour graph cut refined by a guided filter) is computed on first use and kept as a one-channel texture sampled
   * with the photo's own UVs, so the edge follows hair and shoulders at the output resolution and moves with the
   * surround geometry when the head turns or the camera orbits.
   */
  setBackgroundMask(useMask: boolean): void {
    if (useMask && !this.matteTexture) {
      const m = this.matte;
      this.matteTexture = this.dataTexture(m.alpha, THREE.RedFormat);
      const fg = estimateForegroundColours(this.input.rgba, m.alpha, m.widthPx, m.heightPx);
      for (let k = 0; k < m.alpha.length; k++) fg[k * 4 + 3] = m.alpha[k]!;
      this.foregroundTexture = this.dataTexture(fg, THREE.RGBAFormat);
      this.setMatteDistance(m.alpha);
      this.surroundMaterial.uniforms.uMask!.value = this.matteTexture;
      // With the matte as alpha, triangles over matte 0 blend nothing: leave them out (renderer/head/surroundCells.ts).
      const g = this.grid;
      const kept = surroundTrianglesOverMatte(this.surroundIndex.all.array, g.xPx, g.yPx, m.alpha, m.widthPx, m.heightPx, matteMarginPx(this.input.texture.generateMipmaps));
      this.surroundIndex.overMatte = new THREE.BufferAttribute(kept, 1);
    }
    const si = this.surroundIndex;
    si.geometry.setIndex(useMask && si.overMatte ? si.overMatte : si.all);
    this.surroundMaterial.uniforms.uUseMask!.value = useMask ? 1 : 0;
    this.surroundMaterial.uniforms.uPhoto!.value = useMask ? this.foregroundTexture : this.input.texture;
    // The face mesh too: its outer ring and the jaw it drags reach past the person (the neck is narrower than the jaw),
    // where a cut-out photo stores black (or the old background) under alpha 0 — drawn opaque, it showed as black
    // wedges under the jaw. With the matte as its alpha, what is not the person stays transparent.
    this.faceMaterial.uniforms.uUseMask!.value = useMask ? 1 : 0;
    this.faceMaterial.uniforms.uPhoto!.value = useMask ? this.foregroundTexture : this.input.texture;
    // Blending only when the mask makes the surround translucent (blending costs a framebuffer read in SwiftShader).
    this.surroundMaterial.transparent = useMask;
    this.surroundMaterial.needsUpdate = true;
  }

  /**
   * Refits the person layer (colour and alpha) over the background plate drawn behind it, so the rest view reproduces
   * the photo where the plate was filled (core/segment/foregroundColour.ts `fitForegroundOverPlate`): without it the
   * fill showed through the matte's soft edge and its fringe ring as a ghost outline on frame 0.
   * @param plate - the plate of the `BackgroundLayer` drawn with this head (photo background only).
   * @throws InvalidInputError when the plate's sizes do not match.
   */
  fitToPlate(plate: PlateForFit): void {
    this.setBackgroundMask(true);
    const m = this.matte;
    const tex = this.foregroundTexture!;
    const fg = fitForegroundOverPlate(this.input.rgba, tex.image.data as Uint8Array, m.widthPx, m.heightPx, plate);
    const alpha = new Uint8Array(m.widthPx * m.heightPx);
    for (let k = 0; k < alpha.length; k++) alpha[k] = fg[k * 4 + 3]!;
    tex.dispose();
    this.foregroundTexture = this.dataTexture(fg, THREE.RGBAFormat);
    this.setMatteDistance(alpha);
    const g = this.grid;
    const kept = surroundTrianglesOverMatte(this.surroundIndex.all.array, g.xPx, g.yPx, alpha, m.widthPx, m.heightPx, matteMarginPx(this.input.texture.generateMipmaps));
    this.surroundIndex.overMatte = new THREE.BufferAttribute(kept, 1);
    this.surroundIndex.geometry.setIndex(this.surroundIndex.overMatte);
    this.surroundMaterial.uniforms.uPhoto!.value = this.foregroundTexture;
    this.faceMaterial.uniforms.uPhoto!.value = this.foregroundTexture;
    this.surroundMaterial.needsUpdate = true;
  }

  /** The silhouette feather's distance texture (core/image/matteDistance.ts) from the person alpha drawn, for both layers. */
  private setMatteDistance(alpha: Uint8Array): void {
    this.matteDistTexture?.dispose();
    this.matteDistTexture = this.dataTexture(matteInsideDistancePx(alpha, this.input.imageWidthPx, this.input.imageHeightPx), THREE.RedFormat);
    this.surroundMaterial.uniforms.uMatteDist = { value: this.matteDistTexture };
    this.faceMaterial.uniforms.uMatteDist = { value: this.matteDistTexture };
  }

  /** A photo-sized texture sampled like the photo (mipmaps only when the photo has them, see StudioScene.loadPortrait). */
  private dataTexture(data: Uint8Array, format: typeof THREE.RedFormat | typeof THREE.RGBAFormat): THREE.DataTexture {
    const t = new THREE.DataTexture(data, this.input.imageWidthPx, this.input.imageHeightPx, format, THREE.UnsignedByteType);
    const photo = this.input.texture;
    t.flipY = false;
    t.colorSpace = THREE.NoColorSpace;
    t.magFilter = THREE.LinearFilter;
    t.minFilter = photo.generateMipmaps ? THREE.LinearMipmapLinearFilter : THREE.LinearFilter;
    t.generateMipmaps = photo.generateMipmaps;
    // Clamped, not mirrored like the photo: a mirrored copy of the person must not appear past the photo's edges.
    t.wrapS = THREE.ClampToEdgeWrapping;
    t.wrapT = THREE.ClampToEdgeWrapping;
    t.unpackAlignment = 1;
    t.needsUpdate = true;
    return t;
  }

  /** The person matte of the portrait (computed on first access; `[h, w]` alpha, 255 = person). */
  get matte(): PersonMatte {
    const i = this.input;
    this.matteValue ??= i.personMatte ?? computePersonMatte(i.rgba, i.imageWidthPx, i.imageHeightPx, i.landmarksPx, i.landmarkCount);
    return this.matteValue;
  }

  /**
   * Poses the head for one motion frame: rig deltas + jaw on the face mesh, mouth interior, gaze, head pose.
   * @param frame - the motion frame (blendshapes, gaze, head rotation/translation).
   */
  applyFrame(frame: MotionFrame): void {
    this.applyWeights(frame.blendshapes, frame.gazeRad, frame.visemes);
    const q = frame.headRotation;
    const t = frame.headTranslationM;
    const rot = new THREE.Matrix4().makeRotationFromQuaternion(new THREE.Quaternion(q[0] ?? 0, q[1] ?? 0, q[2] ?? 0, q[3] ?? 1).normalize());
    const p = this.headPivot;
    this.headMatrix
      .makeTranslation(p.x + (t[0] ?? 0), p.y + (t[1] ?? 0), p.z + (t[2] ?? 0))
      .multiply(rot)
      .multiply(new THREE.Matrix4().makeTranslation(-p.x, -p.y, -p.z));
    // The neck bends over its length and the trunk turns a share (core/rig/neckBend.ts); bone 8 is this head pose.
    neckBoneMatrices(q, t, [p.x, p.y, p.z], this.neckWorld.joints, this.neckWorld.trunkPivot, this.neckBones);
    this.boneUniform.value.forEach((m, k) => m.fromArray(this.neckBones, k * 16));
  }

  private applyWeights(frameWeights: Float32Array, gazeRad: Float32Array, visemes: Float32Array = new Float32Array(OVR_VISEME_COUNT)): void {
    const rig = this.rig;
    const rest = this.restExpression;
    // The upper lids follow the gaze up and down (relative to the photo's own gaze), the lower lids a downward gaze.
    const lidPoses = poseWithGazeLids(rig, frameWeights, gazeRad, rest, this.lidWeights, this.posedPx);
    const weights = this.lidWeights;
    // The photographed upper teeth stay in view below the upper lip while the jaw opens (core/face/lipEdges.ts).
    keepUpperTeethShowing(rig.restPx, this.posedPx, this.upperToothDisplayPx, rig.frame.ex, rig.frame.ey, rig.frame.iodPx, Math.max(0, (weights[BS.jawOpen] ?? 0) - Math.max(0, rest[BS.jawOpen] ?? 0)));
    const arr = this.facePositions.array as Float32Array;
    for (let i = 0; i < RIG_VERTEX_COUNT; i++) photoToWorld(this.proj, this.posedPx[i * 3]!, this.posedPx[i * 3 + 1]!, this.posedPx[i * 3 + 2]! + this.reliefPx[i * 3 + 2]! - rig.restPx[i * 3 + 2]!, arr, i * 3);
    this.facePositions.needsUpdate = true;
    this.faceGeometry.computeVertexNormals();
    const local = this.faceLocal.array as Float32Array;
    for (let i = 0; i < RIG_VERTEX_COUNT; i++) {
      local[i * 2] = this.posedPx[i * 3]!;
      local[i * 2 + 1] = this.posedPx[i * 3 + 1]!;
    }
    this.faceLocal.needsUpdate = true;
    const uv = this.faceUvs.array as Float32Array;
    const [W, H] = this.photoSizePx;
    for (let i = 0; i < RIG_VERTEX_COUNT; i++) {
      uv[i * 2] = rig.restPx[i * 3]!;
      uv[i * 2 + 1] = rig.restPx[i * 3 + 1]!;
    }
    for (let k = 0; k < rig.uvDeltas.length; k++) {
      const d = rig.uvDeltas[k];
      // Lid texture resampling grows with the closing beyond the photo's own (a photo's half-closed lid is already lid).
      const wk = Math.max(0, Math.min(1, Math.max(0, weights[k] ?? 0)) - Math.min(1, Math.max(0, rest[k] ?? 0)));
      if (!d || wk === 0) continue;
      for (let j = 0; j < RIG_VERTEX_COUNT * 2; j++) uv[j] = uv[j]! + wk * d[j]!;
    }
    const lipShare = lipEdgeUvShare(rig.restPx, this.posedPx, rig.frame.iodPx);
    this.lipEdgeUv.ids.forEach((i, k) => {
      uv[i * 2] = uv[i * 2]! + lipShare * this.lipEdgeUv.offsetsPx[k * 2]!;
      uv[i * 2 + 1] = uv[i * 2 + 1]! + lipShare * this.lipEdgeUv.offsetsPx[k * 2 + 1]!;
    });
    // As a photographed wide-open mouth closes, its lower lip band shows lip, not the teeth it lies on.
    this.lipFillUniforms.uFillShare.value = closedLipShare(rig.restPx, this.posedPx, rig.frame.iodPx);
    this.lipFillUniforms.uCornerShare.value = movedLipShare(rig.restPx, this.posedPx, rig.frame.iodPx);
    for (let i = 0; i < RIG_VERTEX_COUNT; i++) {
      uv[i * 2] = uv[i * 2]! / W;
      uv[i * 2 + 1] = uv[i * 2 + 1]! / H;
    }
    this.faceUvs.needsUpdate = true;

    // The mouth interior sees the motion relative to the photo's own expression (its rest opening shows unchanged).
    const relative = new Float32Array(weights.length);
    for (let k = 0; k < weights.length; k++) relative[k] = Math.max(0, Math.min(1, weights[k] ?? 0) - Math.min(1, Math.max(0, rest[k] ?? 0)));
    this.mouth.update(this.posedPx, relative, visemes);
    // The surround under the chin follows the jaw relative to the photo's.
    const jaw = (Math.min(1, Math.max(0, weights[BS.jawOpen] ?? 0)) - Math.min(1, Math.max(0, rest[BS.jawOpen] ?? 0))) * JAW_OPEN_MAX_RAD;
    const [py, pz] = rig.jawPivotPx;
    if (jaw !== this.surroundJaw.angleRad) {
      const sj = this.surroundJaw;
      const g = this.grid;
      const pos = sj.attr.array as Float32Array;
      for (const k of sj.nodes) {
        const a = jaw * sj.weight[k]!;
        const dy = g.yPx[k]! - py;
        const dz = g.zPx[k]! - pz;
        photoToWorld(this.proj, g.xPx[k]!, py + dy * Math.cos(a) - dz * Math.sin(a), pz + dy * Math.sin(a) + dz * Math.cos(a), pos, k * 3);
      }
      sj.angleRad = jaw;
      sj.attr.needsUpdate = true;
    }

    // Irises: offset = eyeball radius · sin(angle) along the face axes.
    const [ry, rp, ly, lp] = eyeRotations(weights, gazeRad);
    const R = EYEBALL_RADIUS_IOD * rig.frame.iodPx;
    const { ex, ey } = rig.frame;
    const set = (m: THREE.ShaderMaterial, yaw: number, pitch: number): void => {
      const a = R * Math.sin(yaw);
      const b = -R * Math.sin(pitch);
      (m.uniforms.uOffset!.value as THREE.Vector2).set(a * ex[0] + b * ey[0], a * ex[1] + b * ey[1]);
      (m.uniforms.uFaceDown!.value as THREE.Vector2).set(ey[0], ey[1]).normalize();
      m.uniforms.uIrisCosPitch!.value = Math.cos(pitch);
      // Irises at rest: the eye shader without its moved-iris fills (same pixels, far fewer texture taps).
      eyeStillDefine(m);
    };
    set(this.eyeMaterials[0]!, ry, rp);
    set(this.eyeMaterials[1]!, ly, lp);
    // How closed each eye is: the frame's own blink, or, where the upper lid's share of a look down (an eyeBlink) is
    // larger, that share only as far as the posed lids close the eye (lidClosure): the lower lid drops with the gaze
    // (lowerLidGazeDrop). Pure blinks: the blink weight, as before.
    ([EYE_RIGHT, EYE_LEFT] as const).forEach((region, k) => {
      const a = lidUniformArgs(lidPoses[k]!);
      updateEyeLids(this.eyeMaterials[k]!, region, this.posedPx, a.eyeBlink, a.closingBlink);
      updateLidSkin(this.lidMaterials[k]!, region, this.posedPx, a.skinBlink, a.skinClosure);
    });
  }

  /** Frees GPU buffers and materials (the texture belongs to the caller). */
  dispose(): void {
    for (const d of this.disposables) d.dispose();
    this.mouth.dispose();
    this.matteTexture?.dispose();
    this.matteDistTexture?.dispose();
    this.foregroundTexture?.dispose();
  }

  private material(fragmentShader: string, uniforms: Record<string, THREE.IUniform>): THREE.ShaderMaterial {
    const m = new THREE.ShaderMaterial({ vertexShader: VERTEX, fragmentShader, uniforms: { ...uniforms, uHead: this.headUniform }, side: THREE.DoubleSide });
    this.disposables.push(m);
    return m;
  }

  private mesh(geo: THREE.BufferGeometry, mat: THREE.Material): THREE.Mesh {
    this.disposables.push(geo);
    const m = new THREE.Mesh(geo, mat);
    m.frustumCulled = false;
    return m;
  }

  /** A quad (2 triangles) from 4 photo-px corners (TL, TR, BL, BR) at the given depths; `local` feeds `aLocal`. */
  private quad(cornersPx: [number, number][], zPx: number[], local: [number, number][]): THREE.BufferGeometry {
    const pos = new Float32Array(12);
    const uv = new Float32Array(8);
    cornersPx.forEach(([x, y], k) => photoToWorld(this.proj, x, y, zPx[k]!, pos, k * 3));
    const geo = new THREE.BufferGeometry();
    geo.setAttribute('position', new THREE.BufferAttribute(pos, 3));
    geo.setAttribute('uv', new THREE.BufferAttribute(uv, 2));
    geo.setAttribute('aHeadWeight', new THREE.BufferAttribute(new Float32Array(4).fill(1), 1));
    geo.setAttribute('aLocal', new THREE.BufferAttribute(Float32Array.from(local.flat()), 2));
    geo.setIndex([0, 2, 1, 1, 2, 3]);
    return geo;
  }
}

/** Inner-lip gap at the mouth's centre (MediaPipe 13–14) of vertices `[468, 3]`, image plane, px. */
function centreLipGapPx(p: Float32Array): number {
  return Math.hypot(p[13 * 3]! - p[14 * 3]!, p[13 * 3 + 1]! - p[14 * 3 + 1]!);
}

/**
 * How far the lips have closed from the photo's own opening: 0 at the rest gap (or wider), 1 once the inner lips at
 * the centre (13–14) are within 0.01 IOD.
 * @param restPx - rest vertices `[468, 3]`.
 * @param posedPx - posed vertices `[468, 3]`.
 * @param iodPx - inter-ocular distance, px.
 */
function closedLipShare(restPx: Float32Array, posedPx: Float32Array, iodPx: number): number {
  const rest = centreLipGapPx(restPx);
  const closed = 0.01 * iodPx;
  if (rest <= closed) return 0;
  return Math.min(1, Math.max(0, (rest - centreLipGapPx(posedPx)) / (rest - closed)));
}

/** Change of the inner-lip gap (IOD) from the photo's own at which the corner-gap repaint is in full (our choice: ≈ 1.5 mm). */
const CORNER_MOVE_FULL_IOD = 0.02;

/**
 * How far the lips have moved from the photo's own opening, either way: 0 at the rest gap, 1 once the inner-lip gap at
 * the centre (13–14) differs from it by CORNER_MOVE_FULL_IOD.
 * @param restPx - rest vertices `[468, 3]`.
 * @param posedPx - posed vertices `[468, 3]`.
 * @param iodPx - inter-ocular distance, px.
 */
function movedLipShare(restPx: Float32Array, posedPx: Float32Array, iodPx: number): number {
  return Math.min(1, Math.abs(centreLipGapPx(posedPx) - centreLipGapPx(restPx)) / (CORNER_MOVE_FULL_IOD * iodPx));
}

/**
 * Sets a geometry's `aRestFacing` (each vertex's facing towards the rest camera at the origin: cos of the angle between
 * its normal and the ray to the camera, ≥ 0) and the material's `uNormalSign` (the sign that turns the normals, as
 * three.js computes them from the winding, towards the camera on the whole).
 * @param geo - positions (world metres, rest pose) and normals computed.
 * @param material - the FACING material drawing it.
 */
function setRestFacing(geo: THREE.BufferGeometry, material: THREE.ShaderMaterial): void {
  const pos = geo.getAttribute('position').array as Float32Array;
  const nor = geo.getAttribute('normal').array as Float32Array;
  const n = pos.length / 3;
  const facing = new Float32Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const len = Math.hypot(pos[i * 3]!, pos[i * 3 + 1]!, pos[i * 3 + 2]!) || 1;
    facing[i] = -(nor[i * 3]! * pos[i * 3]! + nor[i * 3 + 1]! * pos[i * 3 + 1]! + nor[i * 3 + 2]! * pos[i * 3 + 2]!) / len;
    sum += facing[i]!;
  }
  const sign = sum < 0 ? -1 : 1;
  for (let i = 0; i < n; i++) facing[i] = Math.max(0, sign * facing[i]!);
  geo.setAttribute('aRestFacing', new THREE.BufferAttribute(facing, 1));
  material.uniforms.uNormalSign = { value: sign };
}

/** Fan triangles over the mouth opening (inner-lip loop), from the first loop point. */
function mouthFan(): Uint16Array {
  const out: number[] = [];
  for (let k = 1; k < MOUTH_OPENING_LOOP.length - 1; k++) out.push(MOUTH_OPENING_LOOP[0]!, MOUTH_OPENING_LOOP[k]!, MOUTH_OPENING_LOOP[k + 1]!);
  return Uint16Array.from(out);
}

/** Triangles of the eye openings (the ones removed from the render triangulation) plus the mouth fan. */
function openingTriangles(): Uint16Array {
  const kept = new Set<string>();
  const all = faceTrianglesWithoutEyes();
  for (let t = 0; t < all.length; t += 3) kept.add(`${all[t]},${all[t + 1]},${all[t + 2]}`);
  const out: number[] = [];
  for (let t = 0; t < TRI468.length; t += 3) if (!kept.has(`${TRI468[t]},${TRI468[t + 1]},${TRI468[t + 2]}`)) out.push(TRI468[t]!, TRI468[t + 1]!, TRI468[t + 2]!);
  out.push(...mouthFan(), ...lipEdgeRingTriangles(TRI468));
  return Uint16Array.from(out);
}

function photoToWorldVec(proj: PhotoProjection, x: number, y: number, z: number, out: THREE.Vector3): void {
  const a = [0, 0, 0];
  photoToWorld(proj, x, y, z, a, 0);
  out.set(a[0]!, a[1]!, a[2]!);
}

/**
 * Mean colour of the photo's outermost pixel rows and columns (its border), RGB in [0, 1] in the photo's own encoding.
 */
function meanBorderColour(rgba: Uint8Array, W: number, H: number): [number, number, number] {
  const sum = [0, 0, 0];
  let n = 0;
  const add = (x: number, y: number): void => {
    const i = (y * W + x) * 4;
    sum[0]! += rgba[i]!;
    sum[1]! += rgba[i + 1]!;
    sum[2]! += rgba[i + 2]!;
    n++;
  };
  for (let x = 0; x < W; x++) {
    add(x, 0);
    add(x, H - 1);
  }
  for (let y = 1; y < H - 1; y++) {
    add(0, y);
    add(W - 1, y);
  }
  return [sum[0]! / n / 255, sum[1]! / n / 255, sum[2]! / n / 255];
}
