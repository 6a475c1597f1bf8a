/**
 * `npm run goldens`: re-renders the photo-head golden images (tests/golden/photoHead/*.png) with the render host.
 * Review the PNGs (git diff shows them) before committing.
 */
import { mkdir } from 'node:fs/promises';
import { RenderHost } from '../pipeline/render/renderHost.ts';
import { GOLDEN_DIR, GOLDEN_PORTRAITS, GOLDEN_POSES, GOLDEN_SIZE_PX, goldenPath, poseWeights } from '../tests/integration/render/goldenCases.ts';
import { loadPortrait, writePng } from '../tests/integration/render/helpers.ts';

await mkdir(GOLDEN_DIR, { recursive: true });
for (const framing of ['photo', 'upperBody'] as const) {
  const host = await RenderHost.launch({ widthPx: GOLDEN_SIZE_PX, heightPx: GOLDEN_SIZE_PX, framing });
  try {
    for (const name of GOLDEN_PORTRAITS) {
      const p = await loadPortrait(name);
      await host.loadPortrait(p.image, p.face);
      for (const pose of GOLDEN_POSES.filter((q) => (q.framing ?? 'photo') === framing)) {
        const px = await host.renderStill({ blendshapes: poseWeights(pose) }, { orbitYawRad: pose.orbitYawRad, orbitPitchRad: pose.orbitPitchRad ?? 0 });
        await writePng(goldenPath(name, pose), px, GOLDEN_SIZE_PX, GOLDEN_SIZE_PX, true);
        process.stdout.write(`wrote ${goldenPath(name, pose)}\n`);
      }
    }
  } finally {
    await host.dispose();
  }
}
