/**
 * Which Chromium renders the export page for the CLI (and tests, benches, `doctor`), and with which switches.
 *
 * @remarks Nothing in a shared folder is trusted. `@sparticuz/chromium` is never imported: its `executablePath()`
 * returns `/tmp/chromium` when that file exists and skips unpacking SwiftShader when `/tmp/libGLESv2.so` exists
 * (any local user could plant them), and on Amazon Linux its import points `LD_LIBRARY_PATH` at `/tmp/al2023/lib`.
 * Instead its brotli archives (`bin/chromium.br`, `bin/swiftshader.tar.br`) are unpacked here into a private
 * per-user cache folder (`<cache>/chromium/<version>-<platform>-<arch>/`, mode 0700, owned by the user), through a
 * temp folder renamed into place when complete, with a `manifest.json` of SHA-256 digests checked before every
 * launch. Chromium loads `libGLESv2.so`/`libEGL.so`/`libvk_swiftshader.so` from its own folder, so the private
 * folder also decides which GL libraries it loads.
 * Order: an explicit path (option, then `CHROME_PATH`), the bundled build (Linux x64 with the package installed;
 * ./bundledChromium.ts, left out of the desktop app's bundles), a system Chrome/Chromium/Edge on the usual paths
 * (macOS, Windows, other Linux).
 */
import { existsSync, readFileSync } from 'node:fs';
import { chmod, lstat, mkdir, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { StudioError } from '../../core/errors.ts';
import { bundledChromiumPackage, ensureBundledChromium } from './bundledChromium.ts';

/** Where the render browser came from. */
export type RenderBrowserSource = 'option' | 'CHROME_PATH' | 'bundled' | 'system';

/** A resolved render browser. */
export interface RenderBrowser {
  /** Executable to launch. */
  executablePath: string;
  source: RenderBrowserSource;
  /** Whether Chromium's sandbox stays on (false only for root on Linux, see {@link isSandboxAvailable}). */
  sandbox: boolean;
  /** Command-line switches (playwright adds its own defaults and `--headless`). */
  args: string[];
}

/**
 * Switches that the render browser must never get: they turn off web security, site isolation or process
 * separation (`@sparticuz/chromium`'s Lambda defaults included all of them). `--no-sandbox` is added only where no
 * sandbox can run (see {@link isSandboxAvailable}).
 */
export const FORBIDDEN_BROWSER_SWITCHES: readonly string[] = Object.freeze([
  '--disable-web-security',
  '--allow-running-insecure-content',
  '--single-process',
  '--disable-site-isolation-trials',
  '--disable-setuid-sandbox',
  '--no-zygote',
]);

/**
 * Whether Chromium's sandbox can run for this process.
 * @param platform - `process.platform`.
 * @param uid - effective user id (`process.getuid()`; undefined off POSIX).
 * @returns false only for root on Linux: Chromium refuses to start its (namespace or setuid) sandbox as root
 * ("Running as root without --no-sandbox is not supported", chromium/src docs/linux/sandboxing.md), so the render
 * host then adds `--no-sandbox`; everywhere else the sandbox stays on.
 */
export function isSandboxAvailable(platform: NodeJS.Platform = process.platform, uid: number | undefined = process.getuid?.()): boolean {
  return !(platform === 'linux' && uid === 0);
}

/**
 * Why an unprivileged Linux user cannot start the bundled Chromium's sandbox, if so. The bundled build has no setuid
 * `chrome-sandbox` helper, so it needs unprivileged user namespaces (chromium/src docs/linux/sandboxing.md);
 * a system Chrome brings its own helper or AppArmor profile and is not affected.
 * @param readSysctl - reads a `/proc/sys` entry (trimmed) or returns null when absent; default reads the real one.
 * @returns a one-line reason, or null when namespaces look available.
 * @remarks Checked: `kernel.apparmor_restrict_unprivileged_userns` (Ubuntu ≥ 23.10: 1 restricts binaries without
 * an AppArmor profile), `kernel.unprivileged_userns_clone` (Debian: 0 forbids), `user.max_user_namespaces` (0 forbids).
 */
export function userNamespaceProblem(readSysctl: (name: string) => string | null = readProcSys): string | null {
  if (readSysctl('kernel/apparmor_restrict_unprivileged_userns') === '1') return 'AppArmor restricts unprivileged user namespaces (kernel.apparmor_restrict_unprivileged_userns=1)';
  if (readSysctl('kernel/unprivileged_userns_clone') === '0') return 'unprivileged user namespaces are off (kernel.unprivileged_userns_clone=0)';
  if (readSysctl('user/max_user_namespaces') === '0') return 'user namespaces are off (user.max_user_namespaces=0)';
  return null;
}

function readProcSys(name: string): string | null {
  try {
    return readFileSync(`/proc/sys/${name}`, 'utf8').trim();
  } catch {
    return null;
  }
}

/**
 * Chromium switches for the render browser.
 * @param sandbox - keep the sandbox (false adds `--no-sandbox`).
 * @returns the switch list: WebGL2 on SwiftShader through ANGLE (the same software rasteriser on every machine, so
 * frames are reproducible; chromium/src docs/gpu/swiftshader.md), and quiet defaults (no pings, no domain
 * reliability uploads); none of {@link FORBIDDEN_BROWSER_SWITCHES}.
 */
export function renderBrowserArgs(sandbox: boolean): string[] {
  const args = [
    '--use-gl=angle',
    '--use-angle=swiftshader',
    '--enable-unsafe-swiftshader',
    '--ignore-gpu-blocklist',
    '--in-process-gpu',
    '--disable-domain-reliability',
    '--no-pings',
    '--no-default-browser-check',
    '--disable-print-preview',
    '--font-render-hinting=none',
  ];
  if (!sandbox) args.push('--no-sandbox');
  return args;
}

/**
 * The per-user cache root: `$AVATAR_STUDIO_CACHE`, else `$XDG_CACHE_HOME/avatar-studio` or `~/.cache/avatar-studio`
 * (the same root as the model cache, pipeline/face/modelStore.ts).
 * @param env - environment; default `process.env`.
 * @returns an absolute path.
 */
export function userCacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.AVATAR_STUDIO_CACHE) return path.resolve(env.AVATAR_STUDIO_CACHE);
  const base = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'avatar-studio');
}

/**
 * Creates (mode 0700) or checks a private folder: a real folder (not a link), owned by this user, with no access
 * for group or others (a folder of ours with wider modes is narrowed to 0700).
 * @param dir - absolute path.
 * @throws StudioError `UNSAFE_CACHE_FOLDER` when it is a link, not a folder, or owned by someone else.
 */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const st = await lstat(dir);
  const uid = process.getuid?.();
  if (!st.isDirectory()) throw new StudioError('UNSAFE_CACHE_FOLDER', `${dir} is not a folder (a link or a file): remove it and run again`, { path: dir });
  if (uid !== undefined && st.uid !== uid) throw new StudioError('UNSAFE_CACHE_FOLDER', `${dir} belongs to another user (uid ${st.uid}): remove it or set AVATAR_STUDIO_CACHE to a folder of yours`, { path: dir });
  if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) await chmod(dir, 0o700);
}

/**
 * Usual install paths of Chrome, Chromium and Edge.
 * @param platform - target platform.
 * @param env - environment (Windows program folders).
 * @returns candidate executables, most preferred first.
 */
export function systemBrowserCandidates(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string[] {
  if (platform === 'darwin') {
    const apps = ['Google Chrome.app/Contents/MacOS/Google Chrome', 'Chromium.app/Contents/MacOS/Chromium', 'Microsoft Edge.app/Contents/MacOS/Microsoft Edge'];
    return [...apps.map((a) => `/Applications/${a}`), ...apps.map((a) => path.join(os.homedir(), 'Applications', a))];
  }
  if (platform === 'win32') {
    const roots = [env.PROGRAMFILES, env['PROGRAMFILES(X86)'], env.LOCALAPPDATA].filter((r): r is string => Boolean(r));
    const rel = ['Google\\Chrome\\Application\\chrome.exe', 'Chromium\\Application\\chrome.exe', 'Microsoft\\Edge\\Application\\msedge.exe'];
    return rel.flatMap((r) => roots.map((root) => path.win32.join(root, r)));
  }
  return ['/usr/bin/google-chrome-stable', '/usr/bin/google-chrome', '/usr/bin/chromium', '/usr/bin/chromium-browser', '/snap/bin/chromium', '/usr/bin/microsoft-edge-stable', '/usr/bin/microsoft-edge', '/opt/google/chrome/chrome'];
}

/**
 * Picks the render browser (see the module remarks for the order) and its switches.
 * @param opts - `chromePath` (explicit, beats `CHROME_PATH`); `env` (default `process.env`); `cacheRoot`; `onLog`.
 * @returns the executable, where it came from, and the switches.
 * @throws StudioError `RENDER_BROWSER_MISSING` when an explicit path is not a file or nothing usable is found,
 * with what to do; what {@link ensureBundledChromium} throws.
 */
export async function resolveRenderBrowser(opts: { chromePath?: string; env?: NodeJS.ProcessEnv; cacheRoot?: string; onLog?: (line: string) => void; readSysctl?: (name: string) => string | null } = {}): Promise<RenderBrowser> {
  const env = opts.env ?? process.env;
  // AVATAR_STUDIO_NO_SANDBOX=1: the user's explicit, documented opt-out (e.g. a locked-down kernel, no system Chrome)
  const sandbox = isSandboxAvailable() && env.AVATAR_STUDIO_NO_SANDBOX !== '1';
  const args = renderBrowserArgs(sandbox);
  const explicit = opts.chromePath !== undefined ? { p: opts.chromePath, source: 'option' as const } : env.CHROME_PATH ? { p: env.CHROME_PATH, source: 'CHROME_PATH' as const } : null;
  if (explicit) {
    const st = await stat(explicit.p).catch(() => null);
    if (!st?.isFile()) throw new StudioError('RENDER_BROWSER_MISSING', `${explicit.source === 'CHROME_PATH' ? 'CHROME_PATH' : 'The Chromium path'} ${explicit.p} is not a file: point it at a Chrome, Chromium or Edge executable`, { path: explicit.p });
    return { executablePath: path.resolve(explicit.p), source: explicit.source, sandbox, args };
  }
  const found = systemBrowserCandidates(process.platform, env).find((p) => existsSync(p));
  if (process.platform === 'linux' && process.arch === 'x64' && bundledChromiumPackage()) {
    // the bundled build's sandbox needs user namespaces: without them prefer a system browser, else say what to do
    const problem = sandbox ? userNamespaceProblem(opts.readSysctl) : null;
    if (!problem) return { executablePath: await ensureBundledChromium({ cacheRoot: opts.cacheRoot, onLog: opts.onLog }), source: 'bundled', sandbox, args };
    if (found) return { executablePath: found, source: 'system', sandbox, args };
    throw new StudioError('RENDER_BROWSER_SANDBOX', `The bundled Chromium cannot start its sandbox here: ${problem}. Install Google Chrome or Chromium (their packages bring a sandbox helper) or set CHROME_PATH to one; or, knowing that it turns the sandbox off, set AVATAR_STUDIO_NO_SANDBOX=1`, { problem });
  }
  if (found) return { executablePath: found, source: 'system', sandbox, args };
  throw new StudioError('RENDER_BROWSER_MISSING', 'No Chromium to render with: install Google Chrome, Chromium or Microsoft Edge, or set CHROME_PATH to one', { platform: process.platform });
}
