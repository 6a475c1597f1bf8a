import sharp from 'sharp';
import { decodeImage } from '../pipeline/image/decodeImage.ts';
import { FaceAnalyzer } from '../pipeline/face/faceAnalyzer.ts';
import { RenderHost } from '../pipeline/render/renderHost.ts';
import { BS } from '../core/motion/names.ts';
const S = 256;
const tag = process.argv[2] ?? 'x';
const analyzer = await FaceAnalyzer.create();
const host = await RenderHost.launch({ widthPx: S, heightPx: S, background: { color: '#ff00ff' } });
const mag = (f: Uint8Array, k: number): boolean => f[k * 4]! > 180 && f[k * 4 + 1]! < 90 && f[k * 4 + 2]! > 180;
try {
  const out: string[] = [];
  for (const [name, file] of [['img01', '/work/shared/corpus/images/img01_frontal_ai_man_jpeg-named-png.png'], ['img03', '/work/shared/corpus/images/img03_beard_smile_teeth_ai.png'], ['img05', '/work/shared/corpus/images/img05_elderly_woman_painting_ai.png']]) {
    const image = await decodeImage(file);
    const face = (await analyzer.analyze(image)).faces[0]!;
    await host.loadPortraitSplats(image, face, { surround: false });
    for (const [v, yaw, jaw] of [['y0', 0, 0], ['y0jaw', 0, 0.35], ['y25', 25, 0], ['y25jaw', 25, 0.6], ['y-25jaw', -25, 0.6]] as const) {
      const bs = new Float32Array(52); bs[BS.jawOpen] = jaw;
      const f = await host.renderStill({ blendshapes: bs }, { orbitYawRad: yaw * Math.PI / 180 });
      let holes = 0;
      for (let y = 1; y < S - 1; y++) for (let x = 1; x < S - 1; x++) {
        const k = y * S + x;
        if (!mag(f, k)) continue;
        let nb = 0;
        for (let j = -1; j <= 1; j++) for (let i = -1; i <= 1; i++) if ((i || j) && !mag(f, k + j * S + i)) nb++;
        if (nb >= 6) holes++;
      }
      out.push(`${name} ${v} holes ${holes}`);
      await sharp(Buffer.from(f), { raw: { width: S, height: S, channels: 4 } }).png().toFile(`/work/notes/s18/splat3-frames/holes_${tag}_${name}_${v}.png`);
    }
  }
  console.log(tag, out.join('; '));
} finally { await host.dispose(); await analyzer.dispose(); }
