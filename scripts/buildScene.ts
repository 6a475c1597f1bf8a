/**
 * `npm run build:scene`: bundles the export page (renderer/scene/exportPage.ts → .cache/scene/). The render host
 * does the same automatically when the bundle is stale; `--force` rebuilds regardless.
 */
import { ensureSceneBundle } from '../pipeline/render/sceneBundle.ts';

const t0 = Date.now();
const res = await ensureSceneBundle({ force: process.argv.includes('--force') });
process.stdout.write(`${res.rebuilt ? 'built' : 'up to date'}: ${res.bundlePath} (${Date.now() - t0} ms)\n`);
