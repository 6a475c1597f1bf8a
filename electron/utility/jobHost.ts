/**
 * Electron utilityProcess entry: hosts the {@link StudioService} (face analysis, audio decode, motion, export
 * jobs) off the main process, so heavy work never blocks the UI's window management. Exports render in hidden
 * windows that main opens on request (./renderWindowBroker.ts, pipeline/render/portRenderHost.ts): Electron's own
 * Chromium and GPU, frames over a MessagePort straight to ffmpeg here; no system Chrome is needed.
 */
import type { ParentPort } from 'electron';
import { dispatchCall } from '../../core/ipc/contract.ts';
import { toErrorPayload } from '../../core/errors.ts';
import type { FromUtility, ToUtility } from '../shared/messages.ts';
import type { StudioService } from '../../pipeline/host/studioService.ts';
import { createRenderWindowBroker, type MainPortLike } from './renderWindowBroker.ts';

const port = (process as unknown as { parentPort: ParentPort }).parentPort;
const send = (m: FromUtility): void => port.postMessage(m);
let service: StudioService | null = null;
const renderWindows = createRenderWindowBroker(send);

port.on('message', (e) => {
  const msg = e.data as ToUtility;
  if (renderWindows.receive(msg, e.ports as unknown as MainPortLike[])) return;
  if (msg.type === 'init') {
    // Binaries inside app.asar cannot be spawned: main passes their unpacked paths before the pipeline loads.
    if (msg.ffmpegPath) process.env.AVATAR_STUDIO_FFMPEG = msg.ffmpegPath;
    if (msg.ffprobePath) process.env.AVATAR_STUDIO_FFPROBE = msg.ffprobePath;
    // caches (render-run folders) under the app's userData, not a shared folder
    if (msg.cacheDir) process.env.AVATAR_STUDIO_CACHE = msg.cacheDir;
    Promise.all([import('../../pipeline/host/studioService.ts'), import('../../pipeline/render/portRenderHost.ts')])
      .then(([{ StudioService }, { PortRenderHost }]) =>
        StudioService.create({
          host: 'electron',
          workDir: msg.workDir,
          ownsWorkDir: true,
          outDir: msg.outDir,
          settingsPath: msg.settingsPath,
          allowPaths: true,
          version: msg.version,
          launchRenderHost: (launch) => PortRenderHost.launch(renderWindows.broker, launch),
          onEvent: (name, payload) => send({ type: 'event', name, payload }),
          onLog: (line) => send({ type: 'log', line }),
        }),
      )
      .then(
        (s) => {
          service = s;
          send({ type: 'ready' });
        },
        (err: unknown) => send({ type: 'initFailed', error: toErrorPayload(err) }),
      );
  } else if (msg.type === 'call') {
    if (!service) {
      send({ type: 'result', id: msg.id, result: { ok: false, error: { code: 'NOT_READY', message: 'The job host is still starting' } } });
      return;
    }
    void dispatchCall(service.handlers(), msg.channel, msg.args).then((result) => send({ type: 'result', id: msg.id, result }));
  } else if (msg.type === 'shutdown') {
    void (service?.dispose() ?? Promise.resolve()).finally(() => process.exit(0));
  }
});
