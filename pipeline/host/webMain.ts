/**
 * `npm run studio:web`: starts the local web host and prints the URL (with its per-run token) to open.
 * Flags: `--port <n>` (default: a free port), `--out-dir <dir>` (exports; default ./out/studio),
 * `--data-dir <dir>` (settings; default ~/.config/avatar-studio or %APPDATA%\avatar-studio).
 */
import { mkdtemp } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startWebHost } from './webHost.ts';

const { values } = parseArgs({
  options: { port: { type: 'string' }, 'out-dir': { type: 'string' }, 'data-dir': { type: 'string' }, 'renderer-dir': { type: 'string' } },
});
const dataDir = resolve(values['data-dir'] ?? (process.platform === 'win32' ? join(process.env.APPDATA ?? homedir(), 'avatar-studio') : join(process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'avatar-studio')));
const host = await startWebHost({
  rendererDir: resolve(values['renderer-dir'] ?? 'dist/renderer'),
  port: values.port ? Number(values.port) : 0,
  service: {
    workDir: await mkdtemp(join(tmpdir(), 'avatar-studio-web-')),
    ownsWorkDir: true,
    outDir: resolve(values['out-dir'] ?? 'out/studio'),
    settingsPath: join(dataDir, 'settings.json'),
    onLog: (line) => process.stderr.write(`[studio] ${line}\n`),
  },
});
process.stdout.write(`Avatar Studio is running at\n  ${host.url}\n(loopback only; the token in the URL is required; Ctrl+C to stop)\n`);
const stop = (): void => {
  host.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
