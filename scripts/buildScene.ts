/**
 * `npm run build:scene`: bundles the export page (renderer/scene/exportPage.ts) into `dist/scene/`, the copy the
 * desktop app ships and an installed CLI without sources uses. The CLI run from sources builds its own copy in the
 * per-user cache on first use (pipeline/render/sceneBundle.ts).
 */
import { buildSceneBundle, PREBUILT_SCENE_DIR } from '../pipeline/render/sceneBundle.ts';

const t0 = Date.now();
await buildSceneBundle(PREBUILT_SCENE_DIR);
process.stdout.write(`built: ${PREBUILT_SCENE_DIR} (${Date.now() - t0} ms)\n`);
