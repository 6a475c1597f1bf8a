/**
 * Converts a TF.js graph model (model.json + weight shards) into an ONNX model — our own build step, no Python.
 * @remarks
 * Supported TF ops (all the MediaPipe face models need): `Placeholder`, `Const`, `_FusedConv2D` (BiasAdd with
 * optional Relu / Prelu fused), `DepthwiseConv2dNative`, `AddV2`, `Relu`, `Prelu`, `MaxPool`, `Pad`, `Reshape`,
 * `Sigmoid`, `ConcatV2`, `Identity`. Any other op raises an error naming it.
 *
 * Layout: TF runs NHWC, ONNX Conv/MaxPool run NCHW. The graph input stays NHWC (same tensor as TF.js) and is
 * transposed ONCE after the input; every 4-D tensor then flows NCHW (filters are re-laid out at conversion:
 * HWIO → OIHW, depthwise HWCM → (C·M)1HW with `group = C`; Pad/Concat axes are permuted). A tensor is
 * transposed back to NHWC only where TF semantics need it: before a `Reshape` and at 4-D graph outputs.
 *
 * Padding: TF 'SAME' is emulated exactly with explicit, possibly asymmetric ONNX pads computed from the static
 * spatial size: `total = max((⌈in/s⌉ − 1)·s + (k − 1)·d + 1 − in, 0)`, `before = ⌊total/2⌋`, `after = total − before`
 * (TensorFlow `GetWindowedOutputSize`), so no `auto_pad` ambiguity.
 *
 * PRelu: emitted as `Relu(x) + (−α)·Relu(−x)`, the negation and the per-channel scale being 1×1 depthwise `Conv`s
 * (`group = C`), instead of an ONNX `PRelu`. Same function — each branch is exact (`x` for x > 0; `α·x` for x < 0,
 * one rounding as in PRelu; a 1×1 conv with weight −1 negates exactly) — but ONNX Runtime's CPU provider keeps
 * these ops in its blocked NCHWc layout and vectorises them, whereas its `PRelu` kernel runs in plain NCHW between
 * two layout reorders: Face Mesh runs in about half the time and Iris too (single-threaded, vid01 crops:
 * 3.1 → 1.6 ms and 5.7 → 2.8 ms; outputs within 3·10⁻⁵ px of the PRelu graph's). The slopes stay the
 * model's own (they lie in −1.62…1.54, so `max(x, α·x)` would not be equivalent).
 *
 * Weights: float32, int32, and quantized shards (`float16` → IEEE half decoded; `uint8`/`uint16` affine
 * `q·scale + min`) are all dequantized to float32 initializers. Output bytes are deterministic.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { encodeOnnxModel, ONNX_DTYPE, type OnnxAttribute, type OnnxNode, type OnnxTensor, type OnnxValueInfo } from './onnxProto.ts';

/** ONNX opset the converter targets. */
export const ONNX_OPSET = 13;
/** ONNX IR version written. */
export const ONNX_IR_VERSION = 8;

interface TfAttr {
  s?: string;
  i?: string;
  f?: number;
  b?: boolean;
  list?: { i?: string[]; s?: string[] };
  type?: string;
}
interface TfNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, TfAttr>;
}
interface TfWeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  quantization?: { dtype: 'float16' | 'uint8' | 'uint16'; scale?: number; min?: number; original_dtype?: string };
}
/** Parsed TF.js graph model JSON (the fields the converter reads). */
export interface TfjsGraphJson {
  modelTopology: { node: TfNode[] };
  weightsManifest: Array<{ paths: string[]; weights: TfWeightSpec[] }>;
}

/** A decoded constant. */
interface ConstTensor {
  data: Float32Array | Int32Array;
  shape: number[];
}

/** Decodes an IEEE 754 half-precision value. */
function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/**
 * Decodes all weights of a TF.js graph model, dequantizing to float32.
 * @param json - model JSON. @param weightData - concatenated shards in manifest order.
 * @returns constants by name.
 * @throws Error on an unknown dtype/quantization or a size mismatch.
 */
export function decodeTfjsWeights(json: TfjsGraphJson, weightData: Uint8Array): Map<string, ConstTensor> {
  const out = new Map<string, ConstTensor>();
  const dv = new DataView(weightData.buffer, weightData.byteOffset, weightData.byteLength);
  let off = 0;
  for (const group of json.weightsManifest) {
    for (const w of group.weights) {
      const n = w.shape.reduce((a, b) => a * b, 1);
      const q = w.quantization;
      if (q) {
        const data = new Float32Array(n);
        if (q.dtype === 'float16') {
          for (let i = 0; i < n; i++) data[i] = halfToFloat(dv.getUint16(off + 2 * i, true));
          off += 2 * n;
        } else if (q.dtype === 'uint8' || q.dtype === 'uint16') {
          const bytes = q.dtype === 'uint8' ? 1 : 2;
          for (let i = 0; i < n; i++) data[i] = (bytes === 1 ? dv.getUint8(off + i) : dv.getUint16(off + 2 * i, true)) * (q.scale ?? 1) + (q.min ?? 0);
          off += bytes * n;
        } else {
          throw new Error(`unsupported weight quantization ${String(q.dtype)} for ${w.name}`);
        }
        out.set(w.name, { data: w.dtype === 'int32' ? Int32Array.from(data, Math.round) : data, shape: w.shape });
      } else if (w.dtype === 'float32') {
        const data = new Float32Array(n);
        for (let i = 0; i < n; i++) data[i] = dv.getFloat32(off + 4 * i, true);
        off += 4 * n;
        out.set(w.name, { data, shape: w.shape });
      } else if (w.dtype === 'int32') {
        const data = new Int32Array(n);
        for (let i = 0; i < n; i++) data[i] = dv.getInt32(off + 4 * i, true);
        off += 4 * n;
        out.set(w.name, { data, shape: w.shape });
      } else {
        throw new Error(`unsupported weight dtype ${String(w.dtype)} for ${w.name}`);
      }
    }
  }
  if (off !== weightData.byteLength) throw new Error(`weight data size mismatch: manifest needs ${off} bytes, shards hold ${weightData.byteLength}`);
  return out;
}

/** Conversion request. */
export interface ConvertOptions {
  /** Name of the graph input (TF placeholder name). */
  inputName: string;
  /** NHWC input shape; `-1` batch becomes the symbolic dim `"batch"`. */
  inputShape: [number, number, number, number];
  /** Graph outputs: our name ← TF node name. */
  outputs: Array<{ name: string; tfjsNode: string }>;
  /** Model name written into the graph. */
  graphName: string;
  /** Free-text doc string and metadata entries (licence, source). */
  docString: string;
  metadata: Array<[string, string]>;
}

/** Tensor in the ONNX graph being built. */
interface Tensor {
  onnx: string;
  /** 'nchw' = 4-D tensor stored NCHW; 'plain' = same layout as TF. */
  layout: 'nchw' | 'plain';
  /** Logical TF shape (NHWC for 4-D), batch −1 when dynamic. */
  shape: number[];
}

const b64 = (s: string | undefined): string => (s ? Buffer.from(s, 'base64').toString('utf8') : '');

function f32Raw(a: Float32Array): Uint8Array {
  const out = new Uint8Array(a.length * 4);
  const dv = new DataView(out.buffer);
  a.forEach((v, i) => dv.setFloat32(i * 4, v, true));
  return out;
}
function i64Raw(a: readonly number[]): Uint8Array {
  const out = new Uint8Array(a.length * 8);
  const dv = new DataView(out.buffer);
  a.forEach((v, i) => dv.setBigInt64(i * 8, BigInt(v), true));
  return out;
}

/** TF 'SAME' padding for one spatial axis: `[before, after, outSize]`. */
export function tfSamePadding(inSize: number, kernel: number, stride: number, dilation: number): [number, number, number] {
  const outSize = Math.ceil(inSize / stride);
  const total = Math.max((outSize - 1) * stride + (kernel - 1) * dilation + 1 - inSize, 0);
  const before = Math.floor(total / 2);
  return [before, total - before, outSize];
}

/**
 * Converts a TF.js graph model to ONNX.
 * @param json - parsed model JSON. @param weightData - concatenated weight shards.
 * @param opts - input/output naming and metadata.
 * @returns the `.onnx` bytes (deterministic).
 * @throws Error naming any unsupported op or attribute.
 */
export function convertTfjsGraphToOnnx(json: TfjsGraphJson, weightData: Uint8Array, opts: ConvertOptions): Uint8Array {
  const consts = decodeTfjsWeights(json, weightData);
  const nodes: OnnxNode[] = [];
  const inits: OnnxTensor[] = [];
  const tensors = new Map<string, Tensor>();
  const used = new Set<string>();
  const uniq = (base: string): string => {
    let n = base;
    let k = 1;
    while (used.has(n)) n = `${base}_${k++}`;
    used.add(n);
    return n;
  };
  const addF32 = (name: string, data: Float32Array, dims: number[]): string => {
    const n = uniq(name);
    inits.push({ name: n, dataType: ONNX_DTYPE.FLOAT, dims, raw: f32Raw(data) });
    return n;
  };
  const addI64 = (name: string, data: number[]): string => {
    const n = uniq(name);
    inits.push({ name: n, dataType: ONNX_DTYPE.INT64, dims: [data.length], raw: i64Raw(data) });
    return n;
  };
  const emit = (opType: string, name: string, inputs: string[], attributes?: OnnxAttribute[]): string => {
    const out = uniq(name);
    nodes.push({ name: out, opType, inputs, outputs: [out], attributes });
    return out;
  };
  const srcName = (s: string): string => s.replace(/^\^/, '').replace(/:\d+$/, '');
  const getT = (s: string): Tensor => {
    const t = tensors.get(srcName(s));
    if (!t) throw new Error(`tensor ${s} used before definition or is a constant where a tensor is expected`);
    return t;
  };
  const getC = (s: string): ConstTensor => {
    const c = consts.get(srcName(s));
    if (!c) throw new Error(`constant ${s} not found in weights`);
    return c;
  };
  const toNhwc = (t: Tensor, name: string): Tensor => (t.layout === 'nchw' ? { onnx: emit('Transpose', `${name}/to_nhwc`, [t.onnx], [{ name: 'perm', kind: 'ints', value: [0, 2, 3, 1] }]), layout: 'plain', shape: t.shape } : t);
  const ints = (a: TfAttr | undefined): number[] => (a?.list?.i ?? []).map(Number);
  /** 1×1 depthwise conv: per-channel scale of an NCHW tensor. */
  const channelScale = (x: string, scale: Float32Array, name: string): string =>
    emit('Conv', name, [x, addF32(`${name}/W`, scale, [scale.length, 1, 1, 1])], [
      { name: 'group', kind: 'int', value: scale.length },
      { name: 'kernel_shape', kind: 'ints', value: [1, 1] },
    ]);
  /** PRelu with per-channel slopes `c` as Relu(x) + (−α)·Relu(−x) (see the module remarks). */
  const prelu = (x: string, c: ConstTensor, channels: number, name: string): string => {
    if (c.data.length !== channels) throw new Error(`Prelu alpha of ${name} has ${c.data.length} values, expected ${channels}`);
    const positive = emit('Relu', `${name}/pos`, [x]);
    const negated = emit('Relu', `${name}/neg_relu`, [channelScale(x, new Float32Array(channels).fill(-1), `${name}/neg`)]);
    const negativePart = channelScale(negated, Float32Array.from(c.data, (a) => -a), `${name}/slope`);
    return emit('Add', name, [positive, negativePart]);
  };

  for (const node of json.modelTopology.node) {
    const attr = node.attr ?? {};
    const inputs = (node.input ?? []).filter((i) => !i.startsWith('^'));
    switch (node.op) {
      case 'Const':
        break;
      case 'Placeholder': {
        if (node.name !== opts.inputName) throw new Error(`unexpected placeholder ${node.name}`);
        const t = emit('Transpose', `${node.name}/to_nchw`, [opts.inputName], [{ name: 'perm', kind: 'ints', value: [0, 3, 1, 2] }]);
        used.add(opts.inputName);
        tensors.set(node.name, { onnx: t, layout: 'nchw', shape: opts.inputShape.slice() });
        break;
      }
      case '_FusedConv2D':
      case 'DepthwiseConv2dNative': {
        const x = getT(inputs[0]!);
        if (x.layout !== 'nchw') throw new Error(`${node.op} ${node.name}: input is not 4-D`);
        const filter = getC(inputs[1]!);
        const [kh, kw, ci, co] = filter.shape as [number, number, number, number];
        const strides = ints(attr.strides);
        const dil = ints(attr.dilations);
        const [sh, sw] = [strides[1] ?? 1, strides[2] ?? 1];
        const [dh, dw] = [dil[1] ?? 1, dil[2] ?? 1];
        const padding = b64(attr.padding?.s);
        const fmt = b64(attr.data_format?.s) || 'NHWC';
        if (fmt !== 'NHWC') throw new Error(`${node.name}: data_format ${fmt} unsupported`);
        const [, H, W] = x.shape as [number, number, number, number];
        let pads: [number, number, number, number];
        let oh: number;
        let ow: number;
        if (padding === 'SAME') {
          const [hb, he, o1] = tfSamePadding(H, kh, sh, dh);
          const [wb, we, o2] = tfSamePadding(W, kw, sw, dw);
          pads = [hb, wb, he, we];
          oh = o1;
          ow = o2;
        } else if (padding === 'VALID') {
          pads = [0, 0, 0, 0];
          oh = Math.floor((H - (kh - 1) * dh - 1) / sh) + 1;
          ow = Math.floor((W - (kw - 1) * dw - 1) / sw) + 1;
        } else throw new Error(`${node.name}: padding ${padding} unsupported`);
        const isDepthwise = node.op === 'DepthwiseConv2dNative';
        const outC = isDepthwise ? ci * co : co;
        const wData = new Float32Array(kh * kw * ci * co);
        // TF HWIO (depthwise: H W C M) → ONNX OIHW (depthwise: (C·M) 1 H W)
        for (let y = 0; y < kh; y++) for (let xk = 0; xk < kw; xk++) for (let i = 0; i < ci; i++) for (let o = 0; o < co; o++) {
          const v = filter.data[((y * kw + xk) * ci + i) * co + o]!;
          if (isDepthwise) wData[((i * co + o) * kh + y) * kw + xk] = v;
          else wData[((o * ci + i) * kh + y) * kw + xk] = v;
        }
        const wName = addF32(`${node.name}/W`, wData, isDepthwise ? [outC, 1, kh, kw] : [co, ci, kh, kw]);
        const convInputs = [x.onnx, wName];
        const fused = (attr.fused_ops?.list?.s ?? []).map((s) => b64(s));
        if (!isDepthwise) {
          if (fused[0] !== 'BiasAdd') throw new Error(`${node.name}: fused ops ${fused.join(',')} unsupported`);
          const bias = getC(inputs[2]!);
          convInputs.push(addF32(`${node.name}/B`, Float32Array.from(bias.data), [co]));
        }
        const convAttrs: OnnxAttribute[] = [
          { name: 'dilations', kind: 'ints', value: [dh, dw] },
          { name: 'group', kind: 'int', value: isDepthwise ? ci : 1 },
          { name: 'kernel_shape', kind: 'ints', value: [kh, kw] },
          { name: 'pads', kind: 'ints', value: pads },
          { name: 'strides', kind: 'ints', value: [sh, sw] },
        ];
        let out = emit('Conv', isDepthwise ? node.name : `${node.name}/conv`, convInputs, convAttrs);
        const act = isDepthwise ? undefined : fused[1];
        if (act === 'Relu') out = emit('Relu', node.name, [out]);
        else if (act === 'Prelu') out = prelu(out, getC(inputs[3]!), outC, node.name);
        else if (act !== undefined) throw new Error(`${node.name}: fused activation ${act} unsupported`);
        tensors.set(node.name, { onnx: out, layout: 'nchw', shape: [x.shape[0]!, oh, ow, outC] });
        break;
      }
      case 'AddV2': {
        const a = getT(inputs[0]!);
        const b = getT(inputs[1]!);
        if (a.layout !== b.layout) throw new Error(`${node.name}: mixed layouts`);
        tensors.set(node.name, { onnx: emit('Add', node.name, [a.onnx, b.onnx]), layout: a.layout, shape: a.shape });
        break;
      }
      case 'Relu':
      case 'Sigmoid': {
        const a = getT(inputs[0]!);
        tensors.set(node.name, { onnx: emit(node.op, node.name, [a.onnx]), layout: a.layout, shape: a.shape });
        break;
      }
      case 'Prelu': {
        const a = getT(inputs[0]!);
        if (a.layout !== 'nchw') throw new Error(`${node.name}: Prelu on non-4-D tensor unsupported`);
        const c = a.shape[3]!;
        tensors.set(node.name, { onnx: prelu(a.onnx, getC(inputs[1]!), c, node.name), layout: 'nchw', shape: a.shape });
        break;
      }
      case 'MaxPool': {
        const a = getT(inputs[0]!);
        const [, kh, kw] = ints(attr.ksize);
        const [, sh, sw] = ints(attr.strides);
        const padding = b64(attr.padding?.s);
        const [, H, W, C] = a.shape as [number, number, number, number];
        let pads = [0, 0, 0, 0];
        let oh: number;
        let ow: number;
        if (padding === 'SAME') {
          const [hb, he, o1] = tfSamePadding(H, kh!, sh!, 1);
          const [wb, we, o2] = tfSamePadding(W, kw!, sw!, 1);
          pads = [hb, wb, he, we];
          oh = o1;
          ow = o2;
        } else {
          oh = Math.floor((H - kh!) / sh!) + 1;
          ow = Math.floor((W - kw!) / sw!) + 1;
        }
        const out = emit('MaxPool', node.name, [a.onnx], [
          { name: 'kernel_shape', kind: 'ints', value: [kh!, kw!] },
          { name: 'pads', kind: 'ints', value: pads },
          { name: 'strides', kind: 'ints', value: [sh!, sw!] },
        ]);
        tensors.set(node.name, { onnx: out, layout: 'nchw', shape: [a.shape[0]!, oh, ow, C] });
        break;
      }
      case 'Pad': {
        const a = getT(inputs[0]!);
        const p = Array.from(getC(inputs[1]!).data); // [[n0,n1],[h0,h1],[w0,w1],[c0,c1]] NHWC
        const order = a.layout === 'nchw' ? [0, 3, 1, 2] : [0, 1, 2, 3];
        const pads = [...order.map((d) => p[d * 2]!), ...order.map((d) => p[d * 2 + 1]!)];
        const out = emit('Pad', node.name, [a.onnx, addI64(`${node.name}/pads`, pads)], [{ name: 'mode', kind: 'string', value: 'constant' }]);
        const shape = a.shape.map((s, d) => (s < 0 ? s : s + p[d * 2]! + p[d * 2 + 1]!));
        tensors.set(node.name, { onnx: out, layout: a.layout, shape });
        break;
      }
      case 'Reshape': {
        const a = toNhwc(getT(inputs[0]!), node.name);
        const shape = Array.from(getC(inputs[1]!).data);
        const out = emit('Reshape', node.name, [a.onnx, addI64(`${node.name}/shape`, shape)]);
        tensors.set(node.name, { onnx: out, layout: 'plain', shape });
        break;
      }
      case 'ConcatV2': {
        const parts = inputs.slice(0, -1).map(getT);
        let axis = Number(getC(inputs[inputs.length - 1]!).data[0]);
        const layout = parts[0]!.layout;
        if (parts.some((p) => p.layout !== layout)) throw new Error(`${node.name}: mixed layouts`);
        const rank = parts[0]!.shape.length;
        if (axis < 0) axis += rank;
        const onnxAxis = layout === 'nchw' ? [0, 2, 3, 1][axis]! : axis;
        const shape = parts[0]!.shape.slice();
        shape[axis] = parts.reduce((s, p) => s + p.shape[axis]!, 0);
        tensors.set(node.name, { onnx: emit('Concat', node.name, parts.map((p) => p.onnx), [{ name: 'axis', kind: 'int', value: onnxAxis }]), layout, shape });
        break;
      }
      case 'Identity':
        tensors.set(node.name, getT(inputs[0]!));
        break;
      default:
        throw new Error(`TF op ${node.op} (node ${node.name}) is not supported by the converter`);
    }
  }
  const outputs: OnnxValueInfo[] = [];
  for (const o of opts.outputs) {
    const t = getT(o.tfjsNode);
    used.add(o.name);
    if (t.layout === 'nchw') nodes.push({ name: o.name, opType: 'Transpose', inputs: [t.onnx], outputs: [o.name], attributes: [{ name: 'perm', kind: 'ints', value: [0, 2, 3, 1] }] });
    else nodes.push({ name: o.name, opType: 'Identity', inputs: [t.onnx], outputs: [o.name] });
    outputs.push({ name: o.name, elemType: ONNX_DTYPE.FLOAT, shape: t.shape.map((d, i) => (d < 0 || (i === 0 && opts.inputShape[0] < 0) ? 'batch' : d)) });
  }
  const inputShape = opts.inputShape.map((d) => (d < 0 ? 'batch' : d));
  return encodeOnnxModel({
    irVersion: ONNX_IR_VERSION,
    opsetVersion: ONNX_OPSET,
    producerName: 'avatar-studio tfjsToOnnx',
    producerVersion: '1',
    docString: opts.docString,
    graphName: opts.graphName,
    nodes,
    initializers: inits,
    inputs: [{ name: opts.inputName, elemType: ONNX_DTYPE.FLOAT, shape: inputShape }],
    outputs,
    metadata: opts.metadata,
  });
}

/**
 * Reads a TF.js graph model from disk.
 * @param jsonPath - path of model.json.
 * @returns parsed JSON, the concatenated weight bytes, and the exact source bytes (json then shards) for hashing.
 */
export async function readTfjsModelFiles(jsonPath: string): Promise<{ json: TfjsGraphJson; weightData: Uint8Array; sourceBytes: Uint8Array[] }> {
  const jsonBytes = await readFile(jsonPath);
  const json = JSON.parse(jsonBytes.toString('utf8')) as TfjsGraphJson;
  const shards: Buffer[] = [];
  for (const g of json.weightsManifest) for (const p of g.paths) shards.push(await readFile(path.join(path.dirname(jsonPath), p)));
  const weightData = Buffer.concat(shards);
  return { json, weightData: new Uint8Array(weightData.buffer, weightData.byteOffset, weightData.byteLength), sourceBytes: [jsonBytes, ...shards] };
}
