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
 * Order: an explicit path (option, then `CHROME_PATH`), the bundled build (Linux x64 with the package installed),
 * a system Chrome/Chromium/Edge on the usual paths (macOS, Windows, other Linux).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { chmod, lstat, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { brotliDecompress } from 'node:zlib';
import { promisify } from 'node:util';
import { StudioError } from '../../core/errors.ts';

const brotli = promisify(brotliDecompress);

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

/** `manifest.json` of an unpacked Chromium. */
interface UnpackManifest {
  /** Package version and the archives' byte sizes it was unpacked from. */
  source: { version: string; archives: Record<string, number> };
  /** File name → SHA-256 hex and byte size. */
  files: Record<string, { sha256: string; sizeBytes: number }>;
}

/** Bundled Chromium archives, relative to the package's `bin/`: what goes where in the private folder. */
const ARCHIVES = ['chromium.br', 'swiftshader.tar.br'] as const;

/**
 * The installed `@sparticuz/chromium` package folder, found without importing the package (its import has side
 * effects, see the module remarks).
 * @returns the folder and version, or null when the package is not installed.
 */
export function bundledChromiumPackage(): { dir: string; version: string } | null {
  let entry: string;
  try {
    entry = createRequire(import.meta.url).resolve('@sparticuz/chromium');
  } catch {
    return null;
  }
  // the package's "exports" hide package.json: walk up from the resolved entry point
  for (let dir = path.dirname(entry); path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (!existsSync(manifest)) continue;
    const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === '@sparticuz/chromium') return { dir, version: pkg.version ?? '0' };
  }
  return null;
}

async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 22 })) h.update(chunk as Buffer);
  return h.digest('hex');
}

/**
 * Checks an unpacked folder against its manifest: every listed file present, a regular file (not a link), of the
 * listed size and SHA-256, and the manifest made from the same package version and archive sizes.
 * @returns null when it matches, else why not (one line).
 */
async function verifyUnpacked(dir: string, expected: UnpackManifest['source']): Promise<string | null> {
  let manifest: UnpackManifest;
  try {
    manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as UnpackManifest;
  } catch {
    return 'no readable manifest';
  }
  if (JSON.stringify(manifest.source) !== JSON.stringify(expected)) return 'made from another package version';
  if (!manifest.files.chromium) return 'no chromium in the manifest';
  for (const [name, want] of Object.entries(manifest.files)) {
    const file = path.join(dir, name);
    const st = await lstat(file).catch(() => null);
    if (!st?.isFile()) return `${name} missing or not a regular file`;
    if (st.size !== want.sizeBytes) return `${name} has ${st.size} bytes, expected ${want.sizeBytes}`;
    if ((await sha256File(file)) !== want.sha256) return `${name} does not match its SHA-256`;
  }
  return null;
}

/**
 * Regular files of a ustar/GNU tar archive (folders flattened away, links and special files skipped).
 * @param tar - the archive bytes.
 * @returns base name → bytes and mode.
 * @throws StudioError `RENDER_BROWSER_UNPACK` for a malformed archive.
 * @remarks Format: POSIX.1-1988 ustar headers (512-byte blocks; name at 0, mode at 100, size at 124 in octal,
 * type flag at 156); GNU `L` long-name and pax `x`/`g` records are skipped with their data.
 */
export function tarRegularFiles(tar: Uint8Array): Map<string, { bytes: Uint8Array; mode: number }> {
  const files = new Map<string, { bytes: Uint8Array; mode: number }>();
  const text = (at: number, len: number): string => {
    const raw = tar.subarray(at, at + len);
    const end = raw.indexOf(0);
    return new TextDecoder().decode(end < 0 ? raw : raw.subarray(0, end));
  };
  let at = 0;
  while (at + 512 <= tar.length) {
    if (tar.subarray(at, at + 512).every((b) => b === 0)) break;
    const name = text(at, 100);
    const size = parseInt(text(at + 124, 12).trim() || '0', 8);
    const mode = parseInt(text(at + 100, 8).trim() || '644', 8);
    const type = String.fromCharCode(tar[at + 156]!);
    if (!Number.isFinite(size) || size < 0 || at + 512 + size > tar.length) throw new StudioError('RENDER_BROWSER_UNPACK', 'malformed tar archive in @sparticuz/chromium');
    const data = tar.subarray(at + 512, at + 512 + size);
    const base = path.posix.basename(name);
    if ((type === '0' || type === '\0') && base && base !== '.' && base !== '..' && !base.includes('\\')) files.set(base, { bytes: data, mode });
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

/**
 * Unpacks the bundled Chromium into the private cache (once per package version) and verifies it.
 * @param opts - `cacheRoot` (default {@link userCacheRoot}); `onLog` for one line when it unpacks.
 * @returns the path of the verified `chromium` executable.
 * @throws StudioError `RENDER_BROWSER_MISSING` without the package; `UNSAFE_CACHE_FOLDER` (see
 * {@link ensurePrivateDir}); `RENDER_BROWSER_UNPACK` when the fresh unpack does not verify.
 */
export async function ensureBundledChromium(opts: { cacheRoot?: string; onLog?: (line: string) => void } = {}): Promise<string> {
  const pkg = bundledChromiumPackage();
  if (!pkg) throw new StudioError('RENDER_BROWSER_MISSING', '@sparticuz/chromium is not installed');
  const binDir = path.join(pkg.dir, 'bin');
  const source = { version: pkg.version, archives: Object.fromEntries(ARCHIVES.map((a) => [a, statSync(path.join(binDir, a)).size])) };
  const cacheRoot = opts.cacheRoot ?? userCacheRoot();
  await ensurePrivateDir(cacheRoot);
  const root = path.join(cacheRoot, 'chromium');
  await ensurePrivateDir(root);
  const dir = path.join(root, `${pkg.version}-${process.platform}-${process.arch}`);
  if (existsSync(dir)) {
    await ensurePrivateDir(dir);
    const problem = await verifyUnpacked(dir, source);
    if (!problem) return path.join(dir, 'chromium');
    opts.onLog?.(`render browser cache ${dir}: ${problem}; unpacking again`);
    const aside = path.join(root, `.stale-${randomBytes(6).toString('hex')}`);
    await rename(dir, aside);
    await rm(aside, { recursive: true, force: true });
  }
  await removeLeftovers(root);
  opts.onLog?.(`unpacking the bundled Chromium ${pkg.version} into ${dir}`);
  const tmp = await mkdtemp(path.join(root, '.tmp-'));
  try {
    const files = new Map<string, { bytes: Uint8Array; mode: number }>();
    files.set('chromium', { bytes: await brotli(readFileSync(path.join(binDir, 'chromium.br'))), mode: 0o700 });
    for (const [name, f] of tarRegularFiles(await brotli(readFileSync(path.join(binDir, 'swiftshader.tar.br'))))) files.set(name, f);
    const manifest: UnpackManifest = { source, files: {} };
    for (const [name, f] of files) {
      // 'wx': never write through something already there
      await writeFile(path.join(tmp, name), f.bytes, { mode: f.mode & 0o100 ? 0o700 : 0o600, flag: 'wx' });
      manifest.files[name] = { sha256: createHash('sha256').update(f.bytes).digest('hex'), sizeBytes: f.bytes.byteLength };
    }
    await writeFile(path.join(tmp, 'manifest.json'), JSON.stringify(manifest, null, 1), { mode: 0o600, flag: 'wx' });
    try {
      await rename(tmp, dir);
    } catch (err) {
      // another process finished first: use its copy if it verifies
      if (!existsSync(dir)) throw err;
      await rm(tmp, { recursive: true, force: true });
    }
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
  const problem = await verifyUnpacked(dir, source);
  if (problem) throw new StudioError('RENDER_BROWSER_UNPACK', `The unpacked Chromium in ${dir} does not verify: ${problem}`, { path: dir });
  return path.join(dir, 'chromium');
}

/** Removes `.tmp-*`/`.stale-*` folders older than an hour (an unpack that was killed). */
async function removeLeftovers(root: string): Promise<void> {
  for (const name of await readdir(root)) {
    if (!name.startsWith('.tmp-') && !name.startsWith('.stale-')) continue;
    const st = await stat(path.join(root, name)).catch(() => null);
    if (st && Date.now() - st.mtimeMs > 3600_000) await rm(path.join(root, name), { recursive: true, force: true });
  }
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
export async function resolveRenderBrowser(opts: { chromePath?: string; env?: NodeJS.ProcessEnv; cacheRoot?: string; onLog?: (line: string) => void } = {}): Promise<RenderBrowser> {
  const env = opts.env ?? process.env;
  const sandbox = isSandboxAvailable();
  const args = renderBrowserArgs(sandbox);
  const explicit = opts.chromePath !== undefined ? { p: opts.chromePath, source: 'option' as const } : env.CHROME_PATH ? { p: env.CHROME_PATH, source: 'CHROME_PATH' as const } : null;
  if (explicit) {
    const st = await stat(explicit.p).catch(() => null);
    if (!st?.isFile()) throw new StudioError('RENDER_BROWSER_MISSING', `${explicit.source === 'CHROME_PATH' ? 'CHROME_PATH' : 'The Chromium path'} ${explicit.p} is not a file: point it at a Chrome, Chromium or Edge executable`, { path: explicit.p });
    return { executablePath: path.resolve(explicit.p), source: explicit.source, sandbox, args };
  }
  if (process.platform === 'linux' && process.arch === 'x64' && bundledChromiumPackage()) {
    return { executablePath: await ensureBundledChromium({ cacheRoot: opts.cacheRoot, onLog: opts.onLog }), source: 'bundled', sandbox, args };
  }
  const found = systemBrowserCandidates(process.platform, env).find((p) => existsSync(p));
  if (found) return { executablePath: found, source: 'system', sandbox, args };
  throw new StudioError('RENDER_BROWSER_MISSING', 'No Chromium to render with: install Google Chrome, Chromium or Microsoft Edge, or set CHROME_PATH to one', { platform: process.platform });
}
