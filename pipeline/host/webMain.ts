/**
 * `npm run studio:web`: starts the local web host and prints the URL (with its per-run token) to open.
 * Flags: `--port <n>` (default: a free port), `--out-dir <dir>` (exports; default ./out/studio),
 * `--data-dir <dir>` (settings; default ~/.config/avatar-studio or %APPDATA%\avatar-studio),
 * `--renderer-dir <dir>` (built UI; default dist/renderer).
 */
import { parseArgs } from 'node:util';
import { launchStudioWeb, serveUntilSignal } from './studioWeb.ts';

const { values } = parseArgs({
  options: { port: { type: 'string' }, 'out-dir': { type: 'string' }, 'data-dir': { type: 'string' }, 'renderer-dir': { type: 'string' } },
});
const host = await launchStudioWeb({
  port: values.port ? Number(values.port) : 0,
  outDir: values['out-dir'],
  dataDir: values['data-dir'],
  rendererDir: values['renderer-dir'],
  onLog: (line) => process.stderr.write(`[studio] ${line}\n`),
});
serveUntilSignal(host, (t) => process.stdout.write(t));
