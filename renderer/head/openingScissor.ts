/**
 * Scissor rectangles for the photo head's inner layer (eyeballs, mouth interior): each of its quads is drawn only
 * where the stencil marks a posed eye or mouth opening, so its pixels outside the openings' screen rectangles are
 * shaded and then thrown away. A scissor rectangle around the openings it overlaps removes them before shading.
 *
 * @remarks Why: SwiftShader (Chromium's CPU WebGL2, the render host and the studio preview on machines without a
 * GPU) runs the fragment shader before the stencil test — measured in the studio page at 512² on img01: the mouth
 * interior quad cost 7.7 ms with its stencil function set to NEVER and 0.6 ms with a one-line shader, i.e. the cost
 * is shading the whole quad. The scissor test happens at rasterisation (OpenGL ES 3.0 §4.1.2), before shading.
 * The picture is unchanged: a pixel the scissor drops lies outside every opening's bounding rectangle, so the
 * stencil test (`EQUAL 1` against the openings) would have rejected it anyway. Rectangles are grown by a pixel on
 * each side so that no pixel whose centre a projected opening triangle covers is lost to rounding.
 */
import * as THREE from 'three';

/** Screen rectangle in framebuffer pixels (GL window coordinates, origin bottom-left), or null when empty. */
type RectPx = { x0: number; y0: number; x1: number; y1: number } | null;

/**
 * Groups the triangles of the openings (eye holes, mouth fan) into connected pieces by shared vertices.
 * @param openingIndex - triangle list `[T·3]` of vertex ids (the stencil-writing hole mesh's index).
 * @returns the distinct vertex ids of each piece (e.g. right eye, left eye, mouth).
 */
export function openingPieces(openingIndex: ArrayLike<number>): Uint16Array[] {
  const parent = new Map<number, number>();
  const find = (a: number): number => {
    let r = a;
    while (parent.get(r)! !== r) r = parent.get(r)!;
    parent.set(a, r);
    return r;
  };
  for (let t = 0; t < openingIndex.length; t++) if (!parent.has(openingIndex[t]!)) parent.set(openingIndex[t]!, openingIndex[t]!);
  for (let t = 0; t + 2 < openingIndex.length; t += 3) {
    const a = find(openingIndex[t]!);
    for (const v of [openingIndex[t + 1]!, openingIndex[t + 2]!]) {
      const b = find(v);
      if (a !== b) parent.set(b, a);
    }
  }
  const groups = new Map<number, number[]>();
  for (const v of parent.keys()) {
    const r = find(v);
    if (!groups.has(r)) groups.set(r, []);
    groups.get(r)!.push(v);
  }
  return [...groups.values()].map((g) => Uint16Array.from(g.sort((a, b) => a - b)));
}

/**
 * Installs per-draw scissor rectangles on the inner-layer quads.
 * @param quads - the eyeball and mouth-interior meshes (stencil-tested against the openings; drawn with `uHead` and
 *   head weight 1, no model matrix; `position` holds world-space corners).
 * @param facePositions - the face mesh's world positions `[V, 3]` before the head pose (rewritten per frame).
 * @param pieces - vertex ids of each opening, from {@link openingPieces}.
 * @param headMatrix - the head pose applied to the face and the quads (uniform `uHead`, all with head weight 1).
 * @remarks The rectangle is computed at draw time from the camera three.js draws with (so a mirrored projection,
 * as `renderTopFirst` uses, is handled) and the current viewport; when a point lies behind the camera the quad is
 * drawn unscissored. The scissor test is switched off again after each quad (the scene uses none elsewhere).
 */
export function installOpeningScissor(quads: readonly THREE.Mesh[], facePositions: THREE.BufferAttribute, pieces: readonly Uint16Array[], headMatrix: THREE.Matrix4): void {
  const mvp = new THREE.Matrix4();
  const v = new THREE.Vector4();
  const viewport = new THREE.Vector4();
  const rect = new THREE.Vector4();
  /** Screen rectangle of points `ids` of `pos` under `mvp`, or undefined when one is behind the camera. */
  const project = (pos: ArrayLike<number>, ids: ArrayLike<number> | null, count: number): RectPx | undefined => {
    let x0 = Infinity;
    let y0 = Infinity;
    let x1 = -Infinity;
    let y1 = -Infinity;
    for (let k = 0; k < count; k++) {
      const i = ids ? ids[k]! : k;
      v.set(pos[i * 3]!, pos[i * 3 + 1]!, pos[i * 3 + 2]!, 1).applyMatrix4(mvp);
      if (!(v.w > 1e-6)) return undefined;
      const x = viewport.x + ((v.x / v.w + 1) / 2) * viewport.z;
      const y = viewport.y + ((v.y / v.w + 1) / 2) * viewport.w;
      x0 = Math.min(x0, x);
      x1 = Math.max(x1, x);
      y0 = Math.min(y0, y);
      y1 = Math.max(y1, y);
    }
    return { x0, y0, x1, y1 };
  };
  for (const mesh of quads) {
    mesh.onBeforeRender = (renderer, _scene, camera) => {
      renderer.getCurrentViewport(viewport);
      mvp.multiplyMatrices(camera.projectionMatrix, camera.matrixWorldInverse).multiply(headMatrix);
      const corners = mesh.geometry.getAttribute('position');
      const quad = project(corners.array, null, corners.count);
      if (!quad) return;
      let out: RectPx = null;
      for (const ids of pieces) {
        const r = project(facePositions.array, ids, ids.length);
        if (!r) return;
        const x0 = Math.max(r.x0, quad.x0);
        const y0 = Math.max(r.y0, quad.y0);
        const x1 = Math.min(r.x1, quad.x1);
        const y1 = Math.min(r.y1, quad.y1);
        if (x0 > x1 || y0 > y1) continue;
        out = out ? { x0: Math.min(out.x0, x0), y0: Math.min(out.y0, y0), x1: Math.max(out.x1, x1), y1: Math.max(out.y1, y1) } : { x0, y0, x1, y1 };
      }
      const ix0 = out ? Math.max(viewport.x, Math.floor(out.x0) - 1) : viewport.x;
      const iy0 = out ? Math.max(viewport.y, Math.floor(out.y0) - 1) : viewport.y;
      const ix1 = out ? Math.min(viewport.x + viewport.z, Math.ceil(out.x1) + 1) : viewport.x;
      const iy1 = out ? Math.min(viewport.y + viewport.w, Math.ceil(out.y1) + 1) : viewport.y;
      renderer.state.scissor(rect.set(ix0, iy0, Math.max(0, ix1 - ix0), Math.max(0, iy1 - iy0)));
      renderer.state.setScissorTest(true);
    };
    mesh.onAfterRender = (renderer) => {
      renderer.state.setScissorTest(false);
    };
  }
}
