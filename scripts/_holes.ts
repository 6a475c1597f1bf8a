// scratch: see-through pixels of the splat head (two solid backgrounds, transmittance per pixel)
import sharp from 'sharp';
import { decodeImage } from '../pipeline/image/decodeImage.ts';
import { FaceAnalyzer } from '../pipeline/face/faceAnalyzer.ts';
import { RenderHost } from '../pipeline/render/renderHost.ts';
import { BS } from '../core/motion/names.ts';
const S = 256;
const tag = process.argv[2] ?? 'x';
const analyzer = await FaceAnalyzer.create();
const a = await RenderHost.launch({ widthPx: S, heightPx: S, background: { color: '#ff00ff' } });
const b = await RenderHost.launch({ widthPx: S, heightPx: S, background: { color: '#00ff00' } });
const files: Record<string, string> = { img01: 'img01_frontal_ai_man_jpeg-named-png.png', img03: 'img03_beard_smile_teeth_ai.png', img05: 'img05_elderly_woman_painting_ai.png' };
try {
  const out: string[] = [];
  for (const [name, file] of Object.entries(files)) {
    const image = await decodeImage(`/work/shared/corpus/images/${file}`);
    const face = (await analyzer.analyze(image)).faces[0]!;
    await a.loadPortraitSplats(image, face);
    await b.loadPortraitSplats(image, face);
    const row: string[] = [];
    for (const [v, yaw, jaw] of [['y0', 0, 0], ['y0jaw', 0, 0.35], ['y25jaw', 25, 0.6], ['y-25jaw', -25, 0.6]] as const) {
      const bs = new Float32Array(52); bs[BS.jawOpen] = jaw;
      const o = { orbitYawRad: yaw * Math.PI / 180 };
      const fa = await a.renderStill({ blendshapes: bs }, o), fb = await b.renderStill({ blendshapes: bs }, o);
      const T = new Float32Array(S * S);
      for (let k = 0; k < S * S; k++) T[k] = Math.min(1, (Math.abs(fa[k * 4]! - fb[k * 4]!) + Math.abs(fa[k * 4 + 1]! - fb[k * 4 + 1]!) + Math.abs(fa[k * 4 + 2]! - fb[k * 4 + 2]!)) / (3 * 255));
      let n = 0, mass = 0;
      const vis = new Uint8Array(S * S * 4);
      for (let y = 1; y < S - 1; y++) for (let x = 1; x < S - 1; x++) {
        const k = y * S + x;
        vis.set([fa[k * 4]!, fa[k * 4 + 1]!, fa[k * 4 + 2]!, 255], k * 4);
        if (T[k]! < 0.15) continue;
        let op = 0;
        for (let j = -2; j <= 2; j++) for (let i = -2; i <= 2; i++) if (T[Math.min(S - 1, Math.max(0, y + j)) * S + Math.min(S - 1, Math.max(0, x + i))]! < 0.1) op++;
        if (op >= 18) { n++; mass += T[k]!; vis.set([255, 0, 255, 255], k * 4); }
      }
      row.push(`${v} ${n} px (${mass.toFixed(1)})`);
      await sharp(Buffer.from(vis), { raw: { width: S, height: S, channels: 4 } }).png().toFile(`/work/notes/s18/splat3-frames/holes_${tag}_${name}_${v}.png`);
    }
    out.push(`${name}: ${row.join(', ')}`);
  }
  console.log(tag + '\n' + out.join('\n'));
} finally { await a.dispose(); await b.dispose(); await analyzer.dispose(); }
