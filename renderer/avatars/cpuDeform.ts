/**
 * Morph targets and skinning computed on the CPU, for software rasterisers (SwiftShader: the CLI's headless export
 * and any machine without a GPU). three.js evaluates both per vertex in the vertex shader: every morph target in a
 * loop over a texture array (an RPM head has 72, of which a frame uses a few) and 4 bone matrices from a texture.
 * A software rasteriser runs that per vertex and per draw on the CPU anyway, far slower than a tight JavaScript loop
 * over the non-zero weights; the deformed positions and normals are then drawn as a plain mesh.
 *
 * @remarks Same arithmetic as three.js r187's shader chunks, so the picture does not change (bench/avatar.ts compares
 * a frame by PSNR): `morphtarget_vertex` / `morphnormal_vertex` (relative targets: base + Σ wᵢ·Δᵢ over wᵢ ≠ 0;
 * absolute glTF targets are turned into deltas), then `skinning_vertex` / `skinnormal_vertex`:
 * p' = B⁻¹·Σₖ wₖ·Mₖ·B·p and n' = (B⁻¹·Σₖ wₖ·Mₖ·B)·(n, 0) with B the bind matrix, B⁻¹ its inverse (for the default
 * `attached` bind mode three recomputes it from the mesh's world matrix every frame) and Mₖ = bone world matrix ·
 * bone inverse (`Skeleton.update`). Tangent attributes, when a mesh has them, are skinned like normals (xyz, w kept).
 */
import * as THREE from 'three';

/** A morph target as sparse deltas: `index` = vertex·3 + component, `delta` the value there (non-zero only). */
interface SparseTarget {
  index: Uint32Array;
  delta: Float32Array;
}

/** Reads an attribute (possibly interleaved, quantized or normalized) into a dense `[count, itemSize]` Float32Array. */
function readAttribute(attr: THREE.BufferAttribute | THREE.InterleavedBufferAttribute, itemSize = attr.itemSize): Float32Array {
  const out = new Float32Array(attr.count * itemSize);
  for (let i = 0; i < attr.count; i++) {
    out[i * itemSize] = attr.getX(i);
    if (itemSize > 1) out[i * itemSize + 1] = attr.getY(i);
    if (itemSize > 2) out[i * itemSize + 2] = attr.getZ(i);
    if (itemSize > 3) out[i * itemSize + 3] = attr.getW(i);
  }
  return out;
}

/** Sparse deltas of morph targets (`relative`: the attribute holds deltas; else absolute values minus `base`). */
function sparseTargets(targets: (THREE.BufferAttribute | THREE.InterleavedBufferAttribute)[] | undefined, base: Float32Array, relative: boolean): SparseTarget[] {
  return (targets ?? []).map((t) => {
    const dense = readAttribute(t, 3);
    if (!relative) for (let i = 0; i < dense.length; i++) dense[i] = dense[i]! - base[i]!;
    let n = 0;
    for (let i = 0; i < dense.length; i++) if (dense[i] !== 0) n++;
    const index = new Uint32Array(n), delta = new Float32Array(n);
    for (let i = 0, j = 0; i < dense.length; i++) {
      if (dense[i] === 0) continue;
      index[j] = i;
      delta[j++] = dense[i]!;
    }
    return { index, delta };
  });
}

/** base + Σ wᵢ·Δᵢ over the non-zero weights, into `out`. */
function applyTargets(out: Float32Array, base: Float32Array, targets: readonly SparseTarget[], weights: readonly number[]): void {
  out.set(base);
  for (let t = 0; t < targets.length; t++) {
    const w = weights[t] ?? 0;
    if (w === 0) continue;
    const { index, delta } = targets[t]!;
    for (let j = 0; j < index.length; j++) out[index[j]!] = out[index[j]!]! + w * delta[j]!;
  }
}

/**
 * One mesh deformed on the CPU. For a skinned mesh, a plain `THREE.Mesh` (same geometry object, material, name and
 * transform) takes its place in the scene graph and is what gets drawn; the skinned mesh stays the owner of the
 * morph weights (code that drives `morphTargetInfluences` keeps writing to it) and of the skeleton. A mesh with morphs
 * but no skin is deformed in place. Either way the geometry loses its morph attributes and gets dynamic
 * position/normal(/tangent) buffers.
 */
export class CpuDeformedMesh {
  /** The mesh that is drawn (the source itself when it is not skinned). */
  readonly drawn: THREE.Mesh;
  private readonly skinned: THREE.SkinnedMesh | null;
  private readonly basePos: Float32Array;
  private readonly baseNrm: Float32Array | null;
  private readonly baseTan: Float32Array | null;
  private readonly posTargets: SparseTarget[];
  private readonly nrmTargets: SparseTarget[];
  private readonly morphPos: Float32Array;
  private readonly morphNrm: Float32Array | null;
  private readonly skinIndex: Uint16Array | null;
  private readonly skinWeight: Float32Array | null;
  private readonly pos: THREE.BufferAttribute;
  private readonly nrm: THREE.BufferAttribute | null;
  private readonly tan: THREE.BufferAttribute | null;
  private boneMix: Float32Array = new Float32Array(0);
  private readonly bindInv = new THREE.Matrix4();
  private readonly tmp = new THREE.Matrix4();
  private readonly tmp2 = new THREE.Matrix4();

  /**
   * Takes over a mesh's deformation (call once; the mesh must be in its scene graph when skinned).
   * @param source - a `THREE.SkinnedMesh` and/or a mesh with morph targets.
   */
  constructor(readonly source: THREE.Mesh) {
    const geo = source.geometry;
    const position = geo.getAttribute('position');
    const normal = geo.getAttribute('normal') ?? null;
    const tangent = geo.getAttribute('tangent') ?? null;
    this.basePos = readAttribute(position, 3);
    this.baseNrm = normal ? readAttribute(normal, 3) : null;
    this.baseTan = tangent ? readAttribute(tangent, 4) : null;
    const relative = geo.morphTargetsRelative;
    this.posTargets = sparseTargets(geo.morphAttributes.position, this.basePos, relative);
    this.nrmTargets = this.baseNrm ? sparseTargets(geo.morphAttributes.normal, this.baseNrm, relative) : [];
    this.morphPos = new Float32Array(this.basePos.length);
    this.morphNrm = this.baseNrm ? new Float32Array(this.baseNrm.length) : null;
    const sm = source as THREE.SkinnedMesh;
    this.skinned = sm.isSkinnedMesh && sm.skeleton ? sm : null;
    const si = geo.getAttribute('skinIndex'), sw = geo.getAttribute('skinWeight');
    this.skinIndex = this.skinned && si ? Uint16Array.from(readAttribute(si, 4)) : null;
    this.skinWeight = this.skinned && sw ? readAttribute(sw, 4) : null;
    // Dynamic float buffers that replace the (possibly quantized) originals; the morph attributes go away, so the
    // shader has no morph loop (and, drawn as a plain mesh, no skinning).
    this.pos = new THREE.BufferAttribute(this.basePos.slice(), 3).setUsage(THREE.DynamicDrawUsage);
    this.nrm = this.baseNrm ? new THREE.BufferAttribute(this.baseNrm.slice(), 3).setUsage(THREE.DynamicDrawUsage) : null;
    this.tan = this.baseTan ? new THREE.BufferAttribute(this.baseTan.slice(), 4).setUsage(THREE.DynamicDrawUsage) : null;
    geo.setAttribute('position', this.pos);
    if (this.nrm) geo.setAttribute('normal', this.nrm);
    if (this.tan) geo.setAttribute('tangent', this.tan);
    geo.morphAttributes = {};
    if (this.skinned) {
      geo.deleteAttribute('skinIndex');
      geo.deleteAttribute('skinWeight');
      const drawn = new THREE.Mesh(geo, source.material);
      drawn.name = source.name;
      drawn.position.copy(source.position);
      drawn.quaternion.copy(source.quaternion);
      drawn.scale.copy(source.scale);
      drawn.renderOrder = source.renderOrder;
      drawn.layers.mask = source.layers.mask;
      drawn.visible = source.visible;
      drawn.castShadow = source.castShadow;
      drawn.receiveShadow = source.receiveShadow;
      drawn.userData = { ...source.userData, cpuDeformedFrom: source.uuid };
      const parent = source.parent;
      if (parent) {
        parent.add(drawn);
        parent.remove(source);
      }
      this.drawn = drawn;
    } else {
      this.drawn = source;
    }
    this.drawn.updateMatrixWorld(true);
    this.update();
  }

  /** Vertices of the mesh. */
  get vertexCount(): number {
    return this.basePos.length / 3;
  }

  /** Non-zero morph deltas kept (position + normal components), for diagnostics. */
  get sparseDeltaCount(): number {
    let n = 0;
    for (const t of this.posTargets) n += t.index.length;
    for (const t of this.nrmTargets) n += t.index.length;
    return n;
  }

  /**
   * Recomputes the drawn positions/normals from the source's current morph weights and bone poses. Call after the
   * scene's world matrices are updated (bones and this mesh).
   */
  update(): void {
    const weights = this.source.morphTargetInfluences ?? [];
    applyTargets(this.morphPos, this.basePos, this.posTargets, weights);
    if (this.morphNrm && this.baseNrm) applyTargets(this.morphNrm, this.baseNrm, this.nrmTargets, weights);
    if (this.skinned && this.skinIndex && this.skinWeight) this.skin(this.skinned);
    else {
      (this.pos.array as Float32Array).set(this.morphPos);
      if (this.nrm && this.morphNrm) (this.nrm.array as Float32Array).set(this.morphNrm);
    }
    this.pos.needsUpdate = true;
    if (this.nrm) this.nrm.needsUpdate = true;
    if (this.tan) this.tan.needsUpdate = true;
    this.drawn.geometry.computeBoundingSphere();
    this.drawn.geometry.computeBoundingBox();
  }

  private skin(sm: THREE.SkinnedMesh): void {
    const skeleton = sm.skeleton;
    skeleton.update();
    const boneCount = skeleton.bones.length;
    if (this.boneMix.length !== boneCount * 16) this.boneMix = new Float32Array(boneCount * 16);
    // B⁻¹ of the drawn mesh: three recomputes it from the world matrix in `attached` mode.
    if (sm.bindMode === THREE.AttachedBindMode) this.bindInv.copy(this.drawn.matrixWorld).invert();
    else this.bindInv.copy(sm.bindMatrixInverse);
    for (let b = 0; b < boneCount; b++) {
      this.tmp.fromArray(skeleton.boneMatrices!, b * 16);
      this.tmp2.multiplyMatrices(this.bindInv, this.tmp).multiply(sm.bindMatrix);
      this.boneMix.set(this.tmp2.elements, b * 16);
    }
    const M = this.boneMix, si = this.skinIndex!, sw = this.skinWeight!;
    const p = this.morphPos, n = this.morphNrm, t = this.baseTan;
    const po = this.pos.array as Float32Array, no = this.nrm?.array as Float32Array | undefined, to = this.tan?.array as Float32Array | undefined;
    const V = p.length / 3;
    for (let v = 0; v < V; v++) {
      const x = p[v * 3]!, y = p[v * 3 + 1]!, z = p[v * 3 + 2]!;
      let nx = 0, ny = 0, nz = 0, hasN = false;
      let tx = 0, ty = 0, tz = 0;
      if (n) {
        nx = n[v * 3]!;
        ny = n[v * 3 + 1]!;
        nz = n[v * 3 + 2]!;
        hasN = true;
      }
      if (t) {
        tx = t[v * 4]!;
        ty = t[v * 4 + 1]!;
        tz = t[v * 4 + 2]!;
      }
      let ox = 0, oy = 0, oz = 0, onx = 0, ony = 0, onz = 0, otx = 0, oty = 0, otz = 0;
      for (let k = 0; k < 4; k++) {
        const w = sw[v * 4 + k]!;
        if (w === 0) continue;
        const m = si[v * 4 + k]! * 16;
        // Column-major 4×4 (three's Matrix4.elements).
        const m0 = M[m]!, m1 = M[m + 1]!, m2 = M[m + 2]!, m4 = M[m + 4]!, m5 = M[m + 5]!, m6 = M[m + 6]!, m8 = M[m + 8]!, m9 = M[m + 9]!, m10 = M[m + 10]!;
        ox += w * (m0 * x + m4 * y + m8 * z + M[m + 12]!);
        oy += w * (m1 * x + m5 * y + m9 * z + M[m + 13]!);
        oz += w * (m2 * x + m6 * y + m10 * z + M[m + 14]!);
        if (hasN) {
          onx += w * (m0 * nx + m4 * ny + m8 * nz);
          ony += w * (m1 * nx + m5 * ny + m9 * nz);
          onz += w * (m2 * nx + m6 * ny + m10 * nz);
        }
        if (t) {
          otx += w * (m0 * tx + m4 * ty + m8 * tz);
          oty += w * (m1 * tx + m5 * ty + m9 * tz);
          otz += w * (m2 * tx + m6 * ty + m10 * tz);
        }
      }
      po[v * 3] = ox;
      po[v * 3 + 1] = oy;
      po[v * 3 + 2] = oz;
      if (no) {
        no[v * 3] = onx;
        no[v * 3 + 1] = ony;
        no[v * 3 + 2] = onz;
      }
      if (to && t) {
        to[v * 4] = otx;
        to[v * 4 + 1] = oty;
        to[v * 4 + 2] = otz;
        to[v * 4 + 3] = t[v * 4 + 3]!;
      }
    }
  }

  /** Disposes the skeleton's bone texture (the drawn mesh shares geometry and material with the avatar's owner). */
  dispose(): void {
    this.skinned?.skeleton.dispose();
  }
}

/**
 * Takes over every skinned or morphed mesh under a root (see {@link CpuDeformedMesh}).
 * @param root - the avatar's model (meshes replaced in place in its graph).
 * @returns the deformers, in traversal order; call `update()` on each after posing.
 */
export function deformOnCpu(root: THREE.Object3D): CpuDeformedMesh[] {
  const meshes: THREE.Mesh[] = [];
  root.traverse((o) => {
    const m = o as THREE.Mesh;
    if (!m.isMesh) return;
    const hasMorphs = (m.geometry.morphAttributes.position?.length ?? 0) > 0;
    if ((m as THREE.SkinnedMesh).isSkinnedMesh || hasMorphs) meshes.push(m);
  });
  // A geometry shared by two meshes would be deformed twice into one buffer: give each its own copy.
  const seen = new Set<THREE.BufferGeometry>();
  for (const m of meshes) {
    if (seen.has(m.geometry)) m.geometry = m.geometry.clone();
    seen.add(m.geometry);
  }
  return meshes.map((m) => new CpuDeformedMesh(m));
}

/**
 * Whether a renderer draws in software (SwiftShader, llvmpipe/softpipe, Microsoft Basic Render Driver), where CPU
 * deformation is faster than three's vertex-shader morphs and skinning.
 * @param renderer - a WebGL renderer.
 * @returns true when the unmasked renderer string names a software rasteriser.
 */
export function isSoftwareRenderer(renderer: THREE.WebGLRenderer): boolean {
  const gl = renderer.getContext();
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const name = String(info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
  return /swiftshader|llvmpipe|softpipe|basic render driver/i.test(name);
}
