/**
 * The photo head's eyeballs as seen between the lids: the photo's eye with its iris moved by the gaze, the place the
 * iris left filled with the sclera of the same rows, the iris parts the photo's lids hid filled from the visible
 * half, and, as a lid comes down, its lash line and shadow on the eyeball; near closure the gap left between the
 * lids shows lid skin and lashes, never the iris.
 *
 * @remarks The lid itself is the face mesh (its rings slide down over the opening and sample the photo's lid skin,
 * core/rig/rig.ts `uvDeltas`); this shader fills what shows through the opening. Colours are measured on the photo:
 * the lash line as the darkest quarter of the pixels along the upper-lid contour, the lid skin as the mean along the
 * ring above it (MediaPipe `upper1`).
 */
import type * as THREE from 'three';
import type { EyeRegion } from '../../core/rig/topology.ts';

/** Points of the posed upper-lid curve passed to the shader (outer corner, 7 lid points, inner corner). */
export const LID_CURVE_N = 9;

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
uniform vec3 uLash;
uniform vec3 uLid;
uniform vec2 uLidCurve[${LID_CURVE_N}];
uniform float uLidDrop;
uniform float uClose;
varying vec2 vLocal;
vec3 photoAt(vec2 p) { return texture2D(uPhoto, p / uPhotoSize).rgb; }
float inOpen(vec2 p) { return 1.0 - smoothstep(0.9, 1.05, length((p - uEyeC) / uEyeHalf)); }
float luma(vec3 c) { return dot(c, vec3(0.299, 0.587, 0.114)); }
void main() {
  vec2 p = vLocal;
  vec3 photo = photoAt(p);
  float moving = step(0.01, length(uOffset));
  // Sclera where the iris was: the same row's sclera beside the iris, or the measured sclera where that is lid.
  float R = uIrisR * 1.35;
  vec2 pl = vec2(uIrisC.x - R, p.y);
  vec2 pr = vec2(uIrisC.x + R, p.y);
  // Fallback: the measured sclera, shaded darker towards the upper lid (its shadow on the eyeball).
  vec3 shaded = uSclera * mix(0.72, 1.0, smoothstep(-0.9, 0.3, (p.y - uEyeC.y) / uEyeHalf.y));
  vec3 sl = mix(shaded, photoAt(pl), inOpen(pl) * smoothstep(0.5, 0.7, luma(photoAt(pl)) / max(luma(uSclera), 0.01)));
  vec3 sr = mix(shaded, photoAt(pr), inOpen(pr) * smoothstep(0.5, 0.7, luma(photoAt(pr)) / max(luma(uSclera), 0.01)));
  vec3 scleraRow = mix(sl, sr, clamp((p.x - pl.x) / (2.0 * R), 0.0, 1.0));
  float inOrig = 1.0 - smoothstep(uIrisR * 1.05, uIrisR * 1.3, length(p - uIrisC));
  float inOpening = 1.0 - smoothstep(1.0, 1.12, length((p - uEyeC) / uEyeHalf));
  vec3 base = mix(uSclera, photo, inOpening);
  base = mix(base, scleraRow, inOrig * moving);
  // The moved iris; where its source pixel was under the photo's lids, the mirrored (lower) half of the iris.
  vec2 q = p - uOffset;
  vec2 qm = vec2(q.x, uIrisC.y + abs(q.y - uIrisC.y));
  float seen = q.y >= uIrisC.y ? 1.0 : inOpen(q);
  vec3 iris = mix(photoAt(qm), photoAt(q), seen);
  float inMoved = 1.0 - smoothstep(uIrisR * 0.96, uIrisR * 1.04, length(q - uIrisC));
  vec3 c = mix(base, iris, inMoved * moving);
  // The upper lid's posed edge above p (piecewise linear in x); below it its lash line and shadow.
  float lidY = uLidCurve[0].y;
  for (int i = 0; i < ${LID_CURVE_N - 1}; i++) {
    vec2 a = uLidCurve[i];
    vec2 b = uLidCurve[i + 1];
    float t = (p.x - a.x) / (b.x - a.x);
    if (t >= 0.0 && t <= 1.0) lidY = mix(a.y, b.y, t);
  }
  float below = p.y - lidY;
  float lashW = uEyeHalf.x * (0.05 + 0.1 * uClose);
  c *= 1.0 - 0.35 * uLidDrop * (1.0 - smoothstep(0.0, 3.0 * lashW, below));
  c = mix(c, uLash, uLidDrop * (1.0 - smoothstep(0.3 * lashW, lashW, below)));
  // Near closure the gap between the lids is lid skin with the lash line along it.
  c = mix(c, mix(uLid * 0.8, uLash, 0.45), uClose);
  gl_FragColor = vec4(c, 1.0);
}`;

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
 * Per-frame eye uniforms: the posed upper-lid curve, how far the lid came down and how closed the eye is.
 * @param m - the eye's material (uniforms of {@link EYE_FRAGMENT}).
 * @param region - the eye's rings.
 * @param posedPx - posed vertices `[468, 3]`.
 * @param blink - the eye's blink weight in [0, 1].
 */
export function updateEyeLids(m: THREE.ShaderMaterial, region: EyeRegion, posedPx: Float32Array, blink: number): void {
  const curve = m.uniforms.uLidCurve!.value as Float32Array;
  const ids = [region.lower0[0]!, ...region.upper0, region.lower0[region.lower0.length - 1]!];
  // Sorted by x so the shader can interpolate (the outer corner is on either side depending on the eye).
  const pts = ids.map((i) => [posedPx[i * 3]!, posedPx[i * 3 + 1]!] as [number, number]).sort((a, b) => a[0] - b[0]);
  pts.forEach(([x, y], k) => {
    curve[k * 2] = x;
    curve[k * 2 + 1] = y;
  });
  // The lash line and shadow come in over the first 0.3 of a blink; the gap turns to lid from 0.6 to 0.9.
  m.uniforms.uLidDrop!.value = Math.min(1, Math.max(0, (blink - 0.05) / 0.3));
  const t = Math.min(1, Math.max(0, (blink - 0.6) / 0.3));
  m.uniforms.uClose!.value = t * t * (3 - 2 * t);
}
