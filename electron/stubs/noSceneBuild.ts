/**
 * Stands in for pipeline/render/sceneBuild.ts in the desktop app's bundles (electron/build.ts): no esbuild at run
 * time; the app loads the export page built by `npm run build` (dist/scene).
 */
import { StudioError } from '../../core/errors.ts';

/** False: the desktop app never bundles the page itself. */
export const SCENE_BUILD_AVAILABLE = false;

/** @throws StudioError `EXPORT_PAGE_MISSING` always. */
export async function buildSceneBundle(): Promise<void> {
  throw new StudioError('EXPORT_PAGE_MISSING', 'The export page is built by `npm run build` (dist/scene), not at run time');
}
