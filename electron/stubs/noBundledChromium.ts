/**
 * Stands in for pipeline/render/bundledChromium.ts in the desktop app's bundles (electron/build.ts): the app does
 * not ship @sparticuz/chromium (a Linux-only Lambda build); it renders with a system Chrome/Chromium/Edge or
 * `CHROME_PATH` (pipeline/render/renderBrowser.ts).
 */
import { StudioError } from '../../core/errors.ts';

/** @returns null: no bundled Chromium in the desktop app. */
export function bundledChromiumPackage(): { dir: string; version: string } | null {
  return null;
}

/** @throws StudioError `RENDER_BROWSER_MISSING` always. */
export async function ensureBundledChromium(): Promise<string> {
  throw new StudioError('RENDER_BROWSER_MISSING', 'The desktop app has no bundled Chromium: install Google Chrome, Chromium or Microsoft Edge, or set CHROME_PATH');
}
