/**
 * The desktop export path with a fake `electron` module (the Electron binary cannot run here): main's render windows
 * (electron/main/renderWindows.ts), the utility's broker (electron/utility/renderWindowBroker.ts), the port render
 * host (pipeline/render/portRenderHost.ts) and the page's port server (renderer/scene/exportPort.ts) wired together
 * as in the app, with real MessagePorts (worker_threads) standing in for Electron's. The "page" is a stand-in API
 * that paints each frame a grey level taken from the motion track; the real page's port path is tested in Chromium
 * (tests/integration/render/portProtocol.test.ts). Exports run the real export job (pipeline/jobs/renderJob.ts) into
 * a PNG sequence written by the real ffmpeg.
 */
import { unpackTrackArrays } from '../../../core/motion/packedTrack.ts';
import { execFileSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createNeutralTrack, trackToJson } from '../../../core/motion/track.ts';
import { EXPORT_PAGE_CSP, EXPORT_PORT_CHANNEL } from '../../../core/render/exportPageProtocol.ts';
import { serveExportPort, type FrameSink } from '../../../renderer/scene/exportPort.ts';
import { makeGlbAvatar } from '../../fixtures/avatars/makeFixtures.ts';
import { resolveFfmpeg } from '../../../pipeline/ffmpeg/ffmpegPath.ts';
import { StudioService } from '../../../pipeline/host/studioService.ts';
import type { FromUtility, ToUtility } from '../../../electron/shared/messages.ts';

/** MessagePortMain over a Node port: `{data}` events, messages queued until `start()`, as Electron's. */
function mainPort(p: MessagePort): EventEmitter & { postMessage(m: unknown): void; start(): void; close(): void } {
  const em = new EventEmitter();
  const queued: unknown[] = [];
  let started = false;
  p.on('message', (data) => (started ? em.emit('message', { data }) : queued.push(data)));
  p.on('close', () => em.emit('close'));
  return Object.assign(em, {
    postMessage: (m: unknown) => p.postMessage(m),
    start: () => {
      started = true;
      for (const data of queued.splice(0)) em.emit('message', { data });
    },
    close: () => p.close(),
  });
}

/** What the stand-in page does while rendering. */
const pageBehaviour = { crashAtFrame: -1, msPerFrame: 0 };
/** Bytes the stand-in page sent, to check whether they were transferred (detached here) or copied. */
const sentFrames: Uint8Array[] = [];

/** The window's renderer: serves a stand-in export page API on the port main posts to it. */
class FakePage {
  private track: { frameCount: number; blendshapes: Float32Array } | null = null;
  private size = { widthPx: 0, heightPx: 0 };
  private sink: FrameSink | null = null;
  readonly avatarBytes: number[] = [];
  constructor(
    readonly win: FakeWindow,
    readonly port: MessagePort,
  ) {
    this.sink = serveExportPort(port as unknown as Parameters<typeof serveExportPort>[0], this.api());
  }
  private api(): object {
    return {
      init: (o: { widthPx: number; heightPx: number }) => void (this.size = o),
      encoderSupport: async () => ({ h264: false }),
      loadTrack: async (bytes: Uint8Array, frameCount: number) => void (this.track = unpackTrackArrays(bytes.slice().buffer, frameCount)),
      loadAvatar: async (bytes: Uint8Array, kind: string) => {
        this.avatarBytes.push(bytes.byteLength);
        return { kind, boxMinM: [-0.1, -0.1, -0.1], boxMaxM: [0.1, 0.1, 0.1], distanceM: 0.5, splatCount: 0, info: {} };
      },
      renderRange: async (req: { requestId: string; fromFrame: number; toFrame: number; format: string; maxInFlight: number }) => {
        const { widthPx, heightPx } = this.size;
        const pending: Promise<boolean>[] = [];
        for (let i = req.fromFrame; i < req.toFrame; i++) {
          if (i === pageBehaviour.crashAtFrame) {
            this.win.webContents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 139 });
            this.port.close();
            return new Promise(() => undefined);
          }
          if (pageBehaviour.msPerFrame) await new Promise((r) => setTimeout(r, pageBehaviour.msPerFrame));
          // grey level = jawOpen (blendshape 0 here) of this frame of the track the host sent
          const grey = Math.round(this.track!.blendshapes[i * 52]! * 250);
          let bytes: Uint8Array;
          if (req.format === 'yuv420p') {
            // Y plane at the grey level, U and V neutral (128)
            bytes = new Uint8Array((widthPx * heightPx * 3) / 2).fill(128);
            bytes.fill(grey, 0, widthPx * heightPx);
          } else {
            bytes = new Uint8Array(widthPx * heightPx * 4).fill(grey);
            for (let p = 3; p < bytes.length; p += 4) bytes[p] = 255;
          }
          pending.push(this.sink!(req.requestId, i, bytes));
          sentFrames.push(bytes);
          while (pending.length >= req.maxInFlight) if (!(await pending.shift()!)) return { frames: i, cancelled: true };
        }
        for (const p of pending) await p;
        return { frames: req.toFrame - req.fromFrame, cancelled: false };
      },
      dispose: () => undefined,
    };
  }
}

class FakeWebContents extends EventEmitter {
  openHandler: (() => { action: string }) | null = null;
  readonly posted: { channel: string; portCount: number }[] = [];
  page: FakePage | null = null;
  constructor(readonly win: FakeWindow) {
    super();
  }
  setWindowOpenHandler(h: () => { action: string }): void {
    this.openHandler = h;
  }
  postMessage(channel: string, _message: unknown, ports: MessagePort[]): void {
    this.posted.push({ channel, portCount: ports.length });
    this.page = new FakePage(this.win, ports[0]!);
  }
}

class FakeWindow {
  static all: FakeWindow[] = [];
  /** Make the next page loads fail (as a missing dist/scene would). */
  static failLoads = false;
  readonly webContents = new FakeWebContents(this);
  destroyed = false;
  url = '';
  constructor(readonly opts: { show: boolean; webPreferences: Record<string, unknown> }) {
    FakeWindow.all.push(this);
  }
  loadURL(url: string): Promise<void> {
    this.url = url;
    if (FakeWindow.failLoads) {
      setTimeout(() => this.webContents.emit('did-fail-load', {}, -6, 'ERR_FILE_NOT_FOUND', url, false), 1); // a subframe: ignored
      setTimeout(() => this.webContents.emit('did-fail-load', {}, -6, 'ERR_FILE_NOT_FOUND', url, true), 2);
    } else setTimeout(() => this.webContents.emit('did-finish-load'), 1);
    return Promise.resolve();
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  destroy(): void {
    this.destroyed = true;
    this.webContents.page?.port.close(); // the renderer goes away with its window
  }
}

class FakeMessageChannelMain {
  readonly port1: MessagePort;
  readonly port2: ReturnType<typeof mainPort>;
  constructor() {
    const c = new MessageChannel();
    this.port1 = c.port1; // to the window (becomes the page's DOM port in Electron)
    this.port2 = mainPort(c.port2); // to the utility (a MessagePortMain there)
  }
}

const fakeSession = {
  protocol: { handle: vi.fn() },
  setPermissionRequestHandler: vi.fn(),
  setPermissionCheckHandler: vi.fn(),
};

vi.mock('electron', () => ({ BrowserWindow: FakeWindow, MessageChannelMain: FakeMessageChannelMain, session: { fromPartition: vi.fn(() => fakeSession) } }));

const { RenderWindows, registerExportProtocol, RENDER_PARTITION } = await import('../../../electron/main/renderWindows.ts');
const { createRenderWindowBroker } = await import('../../../electron/utility/renderWindowBroker.ts');
const { PortRenderHost } = await import('../../../pipeline/render/portRenderHost.ts');
const { renderTalkingHead } = await import('../../../pipeline/jobs/renderJob.ts');

/** Main and a utility process joined by fake IPC (asynchronous, as the real one). */
function wireApp(): { broker: ReturnType<typeof createRenderWindowBroker>['broker']; child: EventEmitter; logs: string[] } {
  const logs: string[] = [];
  const child = new EventEmitter() as EventEmitter & { postMessage(m: ToUtility, ports?: unknown[]): void };
  const utility = createRenderWindowBroker((m: FromUtility) => setImmediate(() => child.emit('message', m)));
  child.postMessage = (m, ports) => setImmediate(() => utility.receive(m, (ports ?? []) as never));
  const windows = new RenderWindows({ preloadPath: '/app/dist/electron/exportPreload.cjs', sceneDir: '/app/dist/scene', onLog: (l) => logs.push(l) });
  windows.attach(child as never);
  return { broker: utility.broker, child, logs };
}

const FPS = { num: 10, den: 1 };
const FRAMES = 8;
const SIZE = 16;
let dir: string;
let avatarPath: string;
let motionPath: string;
/** jawOpen per frame: (2i + 1)/32, exact in float32 and in the track's 6-decimal JSON → grey levels 8, 23, 39, … */
const jawOpen = (i: number): number => (2 * i + 1) / 32;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'render-window-export-'));
  avatarPath = path.join(dir, 'head.glb');
  await writeFile(avatarPath, makeGlbAvatar());
  const track = createNeutralTrack(FRAMES, FPS);
  for (let i = 0; i < FRAMES; i++) track.blendshapes[i * 52] = jawOpen(i);
  motionPath = path.join(dir, 'track.json');
  await writeFile(motionPath, JSON.stringify(trackToJson(track)));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  FakeWindow.all = [];
  FakeWindow.failLoads = false;
  sentFrames.length = 0;
  pageBehaviour.crashAtFrame = -1;
  pageBehaviour.msPerFrame = 0;
});

/** One desktop export of the fixture avatar + track into a PNG sequence; returns the grey level of each frame. */
async function exportOnce(broker: ReturnType<typeof wireApp>['broker'], name: string, signal?: AbortSignal, onFrames?: (n: number) => void): Promise<number[]> {
  const outDir = path.join(dir, name);
  await mkdir(outDir, { recursive: true });
  await renderTalkingHead({
    avatarPath,
    motionPath,
    outPath: path.join(outDir, 'f_%03d.png'),
    sizePx: SIZE,
    fps: FPS,
    signal,
    onProgress: (p) => (p.stage === 'render' ? onFrames?.(p.completedFrames) : undefined),
    launchRenderHost: (launch) => PortRenderHost.launch(broker, launch),
  });
  const names = (await readdir(outDir)).filter((n) => n.endsWith('.png')).sort();
  const greys: number[] = [];
  for (const n of names) {
    const { data } = await sharp(path.join(outDir, n)).raw().toBuffer({ resolveWithObject: true });
    greys.push(data[0]!);
  }
  return greys;
}

describe('desktop export through a hidden render window (fake electron)', () => {
  it('opens a hidden, sandboxed window on the export page and its frames reach the encoder in order', async () => {
    const { broker } = wireApp();
    const greys = await exportOnce(broker, 'ok');
    expect(greys).toEqual(Array.from({ length: FRAMES }, (_, i) => Math.round(jawOpen(i) * 250)));
    expect(FakeWindow.all).toHaveLength(1);
    const win = FakeWindow.all[0]!;
    expect(win.opts.show).toBe(false);
    expect(win.opts.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, nodeIntegrationInWorker: false, webSecurity: true, allowRunningInsecureContent: false, webviewTag: false, backgroundThrottling: false, partition: RENDER_PARTITION, preload: '/app/dist/electron/exportPreload.cjs' });
    expect(win.url).toBe('app://export/exportPage.html');
    expect(win.webContents.posted).toEqual([{ channel: EXPORT_PORT_CHANNEL, portCount: 1 }]);
    expect(win.webContents.openHandler?.()).toEqual({ action: 'deny' });
    const nav = { prevented: false, preventDefault() { this.prevented = true; } };
    win.webContents.emit('will-navigate', nav, 'https://example.com/');
    expect(nav.prevented).toBe(true);
    // the avatar's bytes crossed the port; the frames were copied, not transferred: the utility's end is a
    // MessagePortMain, which loses transferred ArrayBuffers (electron/electron#34905)
    expect(win.webContents.page!.avatarBytes).toEqual([makeGlbAvatar().byteLength]);
    expect(sentFrames).toHaveLength(FRAMES);
    expect(sentFrames.every((b) => b.byteLength === SIZE * SIZE * 4)).toBe(true);
    // the job disposed its host: the window is closed
    await new Promise((r) => setTimeout(r, 20));
    expect(win.destroyed).toBe(true);
  });

  it('a renderer crash fails the export at once with a clear error, and the next export works', async () => {
    const { broker, logs } = wireApp();
    pageBehaviour.crashAtFrame = 3;
    const t0 = Date.now();
    await expect(exportOnce(broker, 'crash')).rejects.toMatchObject({ code: 'RENDER_WINDOW_GONE', message: expect.stringMatching(/render window stopped \(crashed, exit code 139\)/) });
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(FakeWindow.all[0]!.destroyed).toBe(true);
    expect(logs.join('\n')).toMatch(/renderer process gone \(crashed/);
    expect(await readdir(path.join(dir, 'crash'))).toEqual([]);
    pageBehaviour.crashAtFrame = -1;
    expect(await exportOnce(broker, 'after-crash')).toHaveLength(FRAMES);
    expect(FakeWindow.all).toHaveLength(2);
  });

  it('cancel closes the window and leaves no output', async () => {
    const { broker } = wireApp();
    pageBehaviour.msPerFrame = 15;
    const ac = new AbortController();
    await expect(exportOnce(broker, 'cancel', ac.signal, (n) => (n >= 2 ? ac.abort() : undefined))).rejects.toMatchObject({ code: 'JOB_CANCELLED' });
    await new Promise((r) => setTimeout(r, 50));
    expect(FakeWindow.all).toHaveLength(1);
    expect(FakeWindow.all[0]!.destroyed).toBe(true);
    expect((await readdir(path.join(dir, 'cancel'))).filter((n) => n.endsWith('.png'))).toEqual([]);
  });

  it('a page that does not load fails the launch with RENDER_WINDOW_START and closes the window', async () => {
    const { broker } = wireApp();
    FakeWindow.failLoads = true;
    await expect(PortRenderHost.launch(broker, { widthPx: SIZE, heightPx: SIZE })).rejects.toMatchObject({ code: 'RENDER_WINDOW_START', message: expect.stringMatching(/export page did not load \(ERR_FILE_NOT_FOUND, -6\)/) });
    expect(FakeWindow.all).toHaveLength(1);
    expect(FakeWindow.all[0]!.destroyed).toBe(true);
  });

  it('destroys the windows of a utility process that exits', async () => {
    const { broker, child } = wireApp();
    const host = await PortRenderHost.launch(broker, { widthPx: SIZE, heightPx: SIZE });
    expect(host.canEncodeH264).toBe(false);
    child.emit('exit', 139);
    expect(FakeWindow.all[0]!.destroyed).toBe(true);
    await host.dispose();
  });
});

describe('the studio service of the utility (host electron) exports through the render window it is given', () => {
  it('renders an MP4 of an avatar, driven by an imported track, in one hidden window', { timeout: 120_000 }, async () => {
    const { broker } = wireApp();
    const service = await StudioService.create({ host: 'electron', workDir: path.join(dir, 'studio-work'), ownsWorkDir: true, outDir: path.join(dir, 'studio-out'), settingsPath: null, allowPaths: true, launchRenderHost: (launch) => PortRenderHost.launch(broker, launch) });
    try {
      const h = service.handlers();
      const avatar = await h['studio:avatar.import']!({ source: { kind: 'path', path: avatarPath } });
      const audio = await h['studio:audio.import']!({ source: { kind: 'path', path: path.resolve('assets/samples/hello.wav') } });
      const motion = await h['studio:motion.import']!({ source: { kind: 'path', path: motionPath } });
      const { jobId } = await h['studio:export.start']!({ portraitId: null, avatarId: avatar.avatarId, audioId: audio.audioId, motionTrackId: motion.motionTrackId, faceIndex: 0, settings: { format: 'mp4', sizePx: 64, fps: FPS, quality: 'draft', alpha: false }, motion: {}, background: 'photo', framing: 'head', orbit: { yawRad: 0, pitchRad: 0 }, outPath: path.join(dir, 'studio.mp4') });
      const st = await service.waitForJob(jobId);
      expect(st.error).toBeNull();
      expect(st.state).toBe('done');
      expect(FakeWindow.all).toHaveLength(1);
      expect(FakeWindow.all[0]!.destroyed).toBe(true);
      // the first frames' luma follows the track (H.264 on flat frames: within 2 levels), in order
      // decoded back to yuv420p as stored (no range conversion): the mean of each frame's Y plane
      const yuv = execFileSync(resolveFfmpeg().path, ['-v', 'error', '-i', st.outPath!, '-frames:v', String(FRAMES), '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-']);
      const frameBytes = (64 * 64 * 3) / 2;
      const means = Array.from({ length: FRAMES }, (_, i) => yuv.subarray(i * frameBytes, i * frameBytes + 64 * 64).reduce((a, v) => a + v, 0) / (64 * 64));
      means.forEach((m, i) => expect(Math.abs(m - Math.round(jawOpen(i) * 250)), `frame ${i}: ${m}`).toBeLessThanOrEqual(2));
    } finally {
      await service.dispose();
    }
  });
});

describe('export protocol of the render session', () => {
  it('serves only the page, its bundle and the decoder files, with the page CSP', async () => {
    const sceneDir = path.join(dir, 'scene');
    await mkdir(sceneDir, { recursive: true });
    await writeFile(path.join(sceneDir, 'exportPage.html'), '<!doctype html><p>page</p>');
    const read = async (fileUrl: string): Promise<Response> => {
      const { readFile } = await import('node:fs/promises');
      return new Response(await readFile(new URL(fileUrl)));
    };
    fakeSession.protocol.handle.mockClear();
    registerExportProtocol(fakeSession as never, sceneDir, read);
    const [scheme, handler] = fakeSession.protocol.handle.mock.calls[0] as [string, (r: Request) => Promise<Response>];
    expect(scheme).toBe('app');
    const page = await handler(new Request('app://export/exportPage.html'));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toBe(EXPORT_PAGE_CSP);
    expect(await page.text()).toContain('<p>page</p>');
    const decoder = await handler(new Request('app://export/decoders/draco/draco_decoder.wasm'));
    expect(decoder.status).toBe(200);
    expect((await decoder.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
    for (const url of ['app://export/../../etc/passwd', 'app://export/exportPage.meta.json', 'app://studio/index.html', 'app://export/decoders/draco/other.wasm', 'app://export/exportPage.bundle.js.map']) {
      expect((await handler(new Request(url))).status, url).toBe(404);
    }
    const [permission] = fakeSession.setPermissionRequestHandler.mock.calls[0] as [(wc: unknown, p: string, cb: (ok: boolean) => void) => void];
    const answers: boolean[] = [];
    permission(null, 'media', (ok) => answers.push(ok));
    expect(answers).toEqual([false]);
  });
});
