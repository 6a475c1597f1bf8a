/**
 * The private unpack of `@sparticuz/chromium` (see ./renderBrowser.ts for why the package itself is never imported):
 * its brotli archives unpacked into `<cache>/chromium/<version>-<platform>-<arch>/` (0700), through a temp folder
 * renamed into place, with a SHA-256 manifest checked before every launch (by hashing, or, when no file's
 * kernel stamp changed since the last full hash, by the stamps alone). The desktop app's bundles replace this
 * module with electron/stubs/noBundledChromium.ts (the app renders with a system Chrome/Edge or its own window).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { lstat, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { brotliDecompress } from 'node:zlib';
import { promisify } from 'node:util';
import { StudioError } from '../../core/errors.ts';
import { ensurePrivateDir, userCacheRoot } from './renderBrowser.ts';

const brotli = promisify(brotliDecompress);

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
 * A file's identity as the kernel keeps it: device, inode, size, modification and change times in ns. The change
 * time (ctime) is set by the kernel on every write, chmod, link or rename and cannot be set by an unprivileged
 * process, so an unchanged stamp means the bytes are the ones hashed when it was recorded.
 */
function fileStamp(st: { dev: bigint; ino: bigint; size: bigint; mtimeNs: bigint; ctimeNs: bigint }): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
}

/**
 * Checks an unpacked folder against its manifest: every listed file present, a regular file (not a link), of the
 * listed size and SHA-256, and the manifest made from the same package version and archive sizes.
 * @param opts - `full`: hash every file even when `verified.json` (written after the last full check, inside the
 * same 0700 folder) shows that none of them changed since (see {@link fileStamp}); hashing 200 MB costs 0.2–1 s.
 * @returns null when it matches, else why not (one line).
 */
async function verifyUnpacked(dir: string, expected: UnpackManifest['source'], opts: { full?: boolean } = {}): Promise<string | null> {
  let manifest: UnpackManifest;
  try {
    manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as UnpackManifest;
  } catch {
    return 'no readable manifest';
  }
  if (JSON.stringify(manifest.source) !== JSON.stringify(expected)) return 'made from another package version';
  if (!manifest.files.chromium) return 'no chromium in the manifest';
  const stamps: Record<string, string> = {};
  for (const [name, want] of Object.entries(manifest.files)) {
    const st = await lstat(path.join(dir, name), { bigint: true }).catch(() => null);
    if (!st?.isFile()) return `${name} missing or not a regular file`;
    if (Number(st.size) !== want.sizeBytes) return `${name} has ${st.size} bytes, expected ${want.sizeBytes}`;
    stamps[name] = fileStamp(st);
  }
  const verifiedPath = path.join(dir, 'verified.json');
  if (!opts.full) {
    const seen = await readFile(verifiedPath, 'utf8').then((t) => JSON.parse(t) as Record<string, string>, () => null);
    if (seen && Object.keys(stamps).every((n) => seen[n] === stamps[n]) && Object.keys(seen).length === Object.keys(stamps).length) return null;
  }
  for (const [name, want] of Object.entries(manifest.files)) {
    if ((await sha256File(path.join(dir, name))) !== want.sha256) return `${name} does not match its SHA-256`;
  }
  const tmp = `${verifiedPath}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await writeFile(tmp, JSON.stringify(stamps), { mode: 0o600, flag: 'wx' });
  await rename(tmp, verifiedPath);
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
 * @param opts - `cacheRoot` (default {@link userCacheRoot}); `onLog` for one line when it unpacks; `fullVerify`
 * hashes every file even when none changed since the last full check.
 * @returns the path of the verified `chromium` executable.
 * @throws StudioError `RENDER_BROWSER_MISSING` without the package; `UNSAFE_CACHE_FOLDER` (see
 * {@link ensurePrivateDir}); `RENDER_BROWSER_UNPACK` when the fresh unpack does not verify.
 */
export async function ensureBundledChromium(opts: { cacheRoot?: string; onLog?: (line: string) => void; fullVerify?: boolean } = {}): Promise<string> {
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
    const problem = await verifyUnpacked(dir, source, { full: opts.fullVerify });
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
  const problem = await verifyUnpacked(dir, source, { full: true });
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
