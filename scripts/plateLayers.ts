/**
 * The photo as layers, measured without a browser (issue 13): for each portrait, resampled as the render host does
 * (the head-framing crop ~1:1 on a `--size` output), the person layer's alpha (personMatte + personLayer), the
 * background plate (core/image/backgroundPlate.ts) and the person layer refitted over it
 * (core/segment/foregroundColour.ts `fitForegroundOverPlate`). Prints per portrait:
 * - outline step: the plate's colour step across the boundary of its filled region inside the photo (mean over the
 *   boundary of |fill − kept| per 4-neighbour pair, minus the same for pairs one pixel further out: the backdrop's own
 *   texture), levels — a light or dark outline of the former person that stays behind when the head turns;
 * - refit ring: pixels whose alpha the refit raised by ≥ 0.1 (they carry the photo's background with the head), and
 *   how many of them carry a colour > 10 levels lighter than the photo's pixel (a light ring once the head moves);
 * - fill colour outliers (`plateChromaOutliers`: filled pixels of a colour the clean background does not hold) and the
 *   flat share of the fill (`plateFlatFill`: untextured where the backdrop is textured);
 * and writes `<name>_plate.png`, `<name>_alpha.png`, `<name>_refit.png` (raised alpha ×4) to `--out`.
 * Usage: `npx tsx scripts/plateLayers.ts [--size 256] [--out dir] name=path …`
 */
import { mkdir } from 'node:fs/promises';
import { parseRenderScriptArgs } from './renderScriptCli.ts';
import { join } from 'node:path';
import sharp from 'sharp';
import { decodeImage } from '../pipeline/image/decodeImage.ts';
import { FaceAnalyzer } from '../pipeline/face/faceAnalyzer.ts';
import { plateChromaOutliers, plateFlatFill, plateOutlineStep, portraitLayers } from '../tests/unit/core/image/plateMetrics.ts';
import { estimateForegroundColours, fitForegroundOverPlate } from '../core/segment/foregroundColour.ts';

const { sizePx: SIZE, outDir: OUT, portraits: args } = parseRenderScriptArgs({
  name: 'plateLayers',
  description: 'The photo as layers (person alpha, background plate, refitted person layer), measured without a browser.',
  sizePx: 256,
  outHelp: 'write <name>_plate.png, <name>_alpha.png, <name>_refit.png here',
  portraits: { help: 'name=path of each portrait' },
});
if (OUT) await mkdir(OUT, { recursive: true });

const analyzer = await FaceAnalyzer.create();
try {
  for (const a of args) {
    const [name, file] = a.split('=') as [string, string];
    const full = await decodeImage(file);
    const face = (await analyzer.analyze(full)).faces[0]!;
    const t0 = performance.now();
    const { rgba, W, H, landmarksPx: lm, alpha, plate } = await portraitLayers(full.rgba, full.widthPx, full.heightPx, face.landmarksPx, face.landmarkCount, SIZE);
    const plateMs = performance.now() - t0;
    const fg = estimateForegroundColours(rgba, alpha, W, H);
    const fit = fitForegroundOverPlate(rgba, fg, W, H, plate);
    let ring = 0;
    let light = 0;
    const luma = (a: Uint8Array, k: number): number => 0.299 * a[k * 4]! + 0.587 * a[k * 4 + 1]! + 0.114 * a[k * 4 + 2]!;
    const raised = new Uint8Array(W * H);
    for (let k = 0; k < W * H; k++) {
      const up = fit[k * 4 + 3]! - alpha[k]!;
      if (up >= 25.5) ring++;
      // Carried lighter than the photo's pixel: a light ring once the head moves.
      if (up >= 25.5 && luma(fit, k) > luma(rgba, k) + 10) light++;
      raised[k] = Math.min(255, Math.max(0, up * 4));
    }
    const o = plateOutlineStep(plate, W, H);
    // The chin: landmark 152 of the 468/478-point mesh.
    const oh = plateOutlineStep(plate, W, H, lm[152 * 3 + 1]!);
    const co = plateChromaOutliers(plate, W, H);
    const ff = plateFlatFill(plate, W, H);
    process.stdout.write(`${name}: fill colour outliers ${co.count} px (${(100 * co.share).toFixed(2)} %), flat fill ${(100 * ff.share).toFixed(1)} % (backdrop local sd ${ff.backdropSd.toFixed(2)})\n`);
    process.stdout.write(`${name} (${W}×${H}): outline step ${o.step.toFixed(2)} (backdrop texture ${o.texture.toFixed(2)}), head ${oh.step.toFixed(2)} (${oh.texture.toFixed(2)}), refit ring ${ring} px ≥ +0.1 (${((100 * ring) / (W * H)).toFixed(2)} %, lighter than the photo ${light}), matte + plate ${plateMs.toFixed(0)} ms\n`);
    if (OUT) {
      await sharp(Buffer.from(plate.rgba), { raw: { width: plate.widthPx, height: plate.heightPx, channels: 4 } }).png().toFile(join(OUT, `${name}_plate.png`));
      await sharp(Buffer.from(alpha), { raw: { width: W, height: H, channels: 1 } }).png().toFile(join(OUT, `${name}_alpha.png`));
      await sharp(Buffer.from(raised), { raw: { width: W, height: H, channels: 1 } }).png().toFile(join(OUT, `${name}_refit.png`));
    }
  }
} finally {
  await analyzer.dispose();
}
