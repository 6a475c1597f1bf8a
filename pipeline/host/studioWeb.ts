/**
 * Starts the studio for a browser with the product's default folders: the built renderer, a private session
 * folder for uploads, exports in `./out/studio`, settings in the user's config folder. Used by
 * `npm run studio:web` (pipeline/host/webMain.ts) and `avatar-studio studio`.
 */
import { mkdtemp } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startWebHost, type WebHost } from './webHost.ts';

/** Options of {@link launchStudioWeb}; every field has a default. */
export interface LaunchStudioWebOptions {
  /** TCP port on 127.0.0.1; 0 = any free port. */
  port?: number;
  /** Export folder; default `./out/studio`. */
  outDir?: string;
  /** Settings folder; default `$XDG_CONFIG_HOME/avatar-studio` (`%APPDATA%\avatar-studio` on Windows). */
  dataDir?: string;
  /** Built renderer; default `dist/renderer` of this checkout. */
  rendererDir?: string;
  onLog?: (line: string) => void;
}

/**
 * The user's settings folder.
 * @returns an absolute path (not created).
 */
export function defaultDataDir(): string {
  if (process.platform === 'win32') return join(process.env.APPDATA ?? homedir(), 'avatar-studio');
  return join(process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'avatar-studio');
}

/**
 * Starts the web host.
 * @param opts - see {@link LaunchStudioWebOptions}.
 * @returns the running host; open `host.url`.
 * @throws Error when the renderer has not been built (`npm run build:renderer`).
 */
export async function launchStudioWeb(opts: LaunchStudioWebOptions = {}): Promise<WebHost> {
  const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
  return startWebHost({
    rendererDir: resolve(opts.rendererDir ?? join(repoRoot, 'dist/renderer')),
    port: opts.port ?? 0,
    service: {
      workDir: await mkdtemp(join(tmpdir(), 'avatar-studio-web-')),
      ownsWorkDir: true,
      outDir: resolve(opts.outDir ?? 'out/studio'),
      settingsPath: join(resolve(opts.dataDir ?? defaultDataDir()), 'settings.json'),
      onLog: opts.onLog,
    },
  });
}

/**
 * Prints the address and stops the host on SIGINT/SIGTERM.
 * @param host - a running host.
 * @param write - where the address goes (stdout).
 */
export function serveUntilSignal(host: WebHost, write: (text: string) => void): void {
  write(`Avatar Studio is running at\n  ${host.url}\n(loopback only; the token in the URL is required; Ctrl+C to stop)\n`);
  const stop = (): void => {
    host.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
