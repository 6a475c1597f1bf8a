/**
 * `avatar-studio studio`: opens the studio UI in a browser-served form (the same UI as the desktop app), on
 * 127.0.0.1 with a per-run token. Needs the built renderer (`npm run build:renderer`).
 */
import type { Command } from 'commander';
import { InvalidInputError } from '../../core/errors.ts';

/** Registers the `studio` command. */
export function registerStudio(program: Command): void {
  program
    .command('studio')
    .description('serve the studio UI on 127.0.0.1 and print its address (with the session token)')
    .option('--port <n>', 'TCP port (default: any free port)')
    .option('--out-dir <dir>', 'folder for exports', 'out/studio')
    .option('--data-dir <dir>', 'folder for remembered settings (default: your config folder)')
    .action(async (o: { port?: string; outDir: string; dataDir?: string }) => {
      const port = o.port === undefined ? 0 : Number(o.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidInputError(`--port must be 0..65535, got ${o.port}`);
      const { launchStudioWeb, serveUntilSignal } = await import('../../pipeline/host/studioWeb.ts');
      const host = await launchStudioWeb({ port, outDir: o.outDir, dataDir: o.dataDir, onLog: (line) => process.stderr.write(`[studio] ${line}\n`) });
      serveUntilSignal(host, (t) => process.stdout.write(t));
      await new Promise<never>(() => {});
    });
}
