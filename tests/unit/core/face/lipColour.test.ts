import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { measureLipColour } from '../../../../core/face/lipColour.ts';
import { FaceAnalyzer } from '../../../../pipeline/face/faceAnalyzer.ts';
import { decodeImage } from '../../../../pipeline/image/decodeImage.ts';
import { HAS_CORPUS } from '../../../helpers/media.ts';

const CORPUS = path.resolve(process.cwd(), '../shared/corpus');

describe.runIf(HAS_CORPUS)('measureLipColour (mouth-interior tint follows the photo)', () => {
  it('grayscale img11 reads as colourless, colour portraits as colourful', { timeout: 60_000 }, async () => {
    const analyzer = await FaceAnalyzer.create();
    try {
      const out: Record<string, number> = {};
      for (const name of ['img11_einstein_grayscale_68pt.jpg', 'img01_frontal_ai_man_jpeg-named-png.png', 'img05_elderly_woman_painting_ai.png', 'img06_monalisa_painting_pd.jpg']) {
        const image = await decodeImage(path.join(CORPUS, 'images', name));
        const face = (await analyzer.analyze(image)).faces[0]!;
        const lip = measureLipColour(image.rgba, image.widthPx, image.heightPx, face.landmarksPx);
        out[name.slice(0, 5)] = lip.saturation;
        if (name.startsWith('img11')) expect(lip.colourfulness).toBeLessThan(0.1);
        else expect(lip.colourfulness).toBeGreaterThan(0.6);
      }
      console.log(`lip saturation: ${Object.entries(out).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(', ')}`);
    } finally {
      await analyzer.dispose();
    }
  });
});
