/**
 * The desktop app's render path, minus Electron: the real export page in real Chromium, handed a MessagePort the way
 * the render window's preload hands it over (`window.postMessage(EXPORT_PORT_MESSAGE, origin, [port])`), driven by
 * the real PortRenderHost (pipeline/render/portRenderHost.ts). The host's end of the channel stays in the page and is
 * bridged to Node through playwright (standing in for Electron's MessagePortMain). Its frames must be the CLI host's
 * frames, bit for bit: the same page methods with the same arguments, only the transport differs.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BS } from '../../../core/motion/names.ts';
import { createNeutralTrack, type Fps, type MotionTrack } from '../../../core/motion/track.ts';
import { EXPORT_PAGE_CSP, EXPORT_PORT_MESSAGE, type ToExportPage } from '../../../core/render/exportPageProtocol.ts';
import { PortRenderHost, type PagePort, type RenderWindowBroker } from '../../../pipeline/render/portRenderHost.ts';
import { RenderHost } from '../../../pipeline/render/renderHost.ts';
import { resolveRenderBrowser } from '../../../pipeline/render/renderBrowser.ts';
import { ensureSceneBundle } from '../../../pipeline/render/sceneBundle.ts';
import type { SceneRenderHost } from '../../../pipeline/render/exportPageDriver.ts';
import { HAS_CORPUS } from '../../helpers/media.ts';
import { loadPortrait, psnrDb, type Portrait } from './helpers.ts';

const S = 128;
const FPS: Fps = { num: 25, den: 1 };
const FRAMES = 6;
/** A potentially trustworthy origin (WebCodecs needs a secure context, as app:// is in the desktop app); routed, never connected. */
const ORIGIN = 'http://localhost:38999';

/** A short track with the mouth opening and the head turning, so that frames differ. */
function motion(): MotionTrack {
  const t = createNeutralTrack(FRAMES, FPS);
  for (let i = 0; i < FRAMES; i++) {
    t.blendshapes[i * 52 + BS.jawOpen] = (0.6 * i) / (FRAMES - 1);
    const yawRad = 0.04 * i;
    t.headRotation.set([0, Math.sin(yawRad / 2), 0, Math.cos(yawRad / 2)], i * 4);
  }
  return t;
}

/** Everything the export job can ask of a host, rendered once. */
async function renderAll(host: SceneRenderHost, portrait: Portrait, track: MotionTrack): Promise<{ rgba: Uint8Array[]; yuv: Uint8Array[]; h264: Uint8Array[]; still: Uint8Array }> {
  await host.loadPortrait(portrait.image, portrait.face);
  const collect = async (it: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> => {
    const out: Uint8Array[] = [];
    for await (const f of it) out.push(new Uint8Array(f));
    return out;
  };
  const rgba = await collect(host.renderFrames(track, { pixelFormat: 'rgba' }));
  const yuv = await collect(host.renderFrames(track, { pixelFormat: 'yuv420p', orbitYawRad: 0.2 }));
  const h264 = await collect(host.renderEncoded(track, { fps: FPS, bitrate: 400_000 }));
  const still = await host.renderStill({ blendshapes: track.blendshapes.subarray(3 * 52, 4 * 52) });
  return { rgba, yuv, h264, still };
}

describe.skipIf(!HAS_CORPUS)('export page over a MessagePort in Chromium (the render window protocol)', () => {
  let portrait: Portrait;
  let context: BrowserContext;
  let profileDir: string;
  let page: Page;
  let cli: Awaited<ReturnType<typeof renderAll>>;
  /** Where the page's messages go: the host of the page load in progress. */
  let toHost: (m: unknown) => void = () => undefined;
  const track = motion();

  beforeAll(async () => {
    portrait = await loadPortrait('img01');
    const host = await RenderHost.launch({ widthPx: S, heightPx: S });
    try {
      cli = await renderAll(host, portrait, track);
    } finally {
      await host.dispose();
    }
    // A second Chromium hosts the page on its own origin, served from the built page folder with the page's CSP
    // (as the desktop app's app://export protocol does), and no HTTP frame server at all.
    const bundle = await ensureSceneBundle();
    const browser = await resolveRenderBrowser();
    profileDir = await mkdtemp(path.join(tmpdir(), 'port-protocol-'));
    context = await chromium.launchPersistentContext(profileDir, { executablePath: browser.executablePath, args: browser.args, chromiumSandbox: browser.sandbox, headless: true });
    await context.route(`${ORIGIN}/**`, async (route) => {
      const name = new URL(route.request().url()).pathname.slice(1);
      if (name !== 'exportPage.html' && name !== 'exportPage.bundle.js') return route.fulfill({ status: 404 });
      await route.fulfill({ status: 200, body: await readFile(path.join(bundle.dir, name)), headers: { 'content-type': name.endsWith('.html') ? 'text/html' : 'text/javascript', 'content-security-policy': EXPORT_PAGE_CSP } });
    });
    page = context.pages()[0] ?? (await context.newPage());
    await page.exposeBinding('__toHost', (_source, m: unknown) => toHost(m));
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    if (profileDir) await rm(profileDir, { recursive: true, force: true });
  });

  /** Loads the page afresh, hands it a port as the preload does, and returns a broker whose one window is it. */
  async function pageWindow(acceptsTransferredBuffers: boolean): Promise<RenderWindowBroker> {
    const listeners: ((m: unknown) => void)[] = [];
    toHost = (m) => listeners.forEach((l) => l(m));
    await page.goto(`${ORIGIN}/exportPage.html`);
    await page.waitForFunction(() => 'studioExport' in globalThis);
    // What the render window's preload does with the port main sent it; the host's end stays here, bridged to Node.
    // Every frame buffer the page sends through the port is recorded, to check whether it was transferred (detached).
    await page.evaluate((portMessage) => {
      // (page code: DOM types spelled out, this file compiles without the DOM library)
      type DomPort = { onmessage: ((e: { data: unknown }) => void) | null; postMessage(m: unknown, transfer?: unknown): void };
      const g = globalThis as unknown as {
        __hostPort: DomPort;
        __sent: Uint8Array[];
        __toHost(m: unknown): void;
        MessageChannel: new () => { port1: DomPort; port2: DomPort };
        MessagePort: { prototype: DomPort };
        location: { origin: string };
        postMessage(m: unknown, origin: string, transfer: unknown[]): void;
      };
      const ch = new g.MessageChannel();
      g.__hostPort = ch.port1;
      g.__sent = [];
      ch.port1.onmessage = (e) => g.__toHost(e.data);
      // the page's end is a new MessagePort object once transferred: record through the prototype
      const post = g.MessagePort.prototype.postMessage;
      g.MessagePort.prototype.postMessage = function (this: DomPort, m: unknown, transfer?: unknown) {
        if ((m as { type?: string }).type === 'frame') g.__sent.push((m as { bytes: Uint8Array }).bytes);
        return post.call(this, m, transfer);
      };
      g.postMessage(portMessage, g.location.origin, [ch.port2]);
    }, EXPORT_PORT_MESSAGE);
    const port: PagePort = {
      acceptsTransferredBuffers,
      postMessage: (m: ToExportPage) => void page.evaluate((x) => (globalThis as unknown as { __hostPort: { postMessage(m: unknown): void } }).__hostPort.postMessage(x), m as never).catch(() => undefined),
      onMessage: (l) => void listeners.push(l),
      onClose: () => undefined,
      close: () => undefined,
    };
    let handed = false;
    return {
      async open() {
        if (handed) throw new Error('one window only');
        handed = true;
        return { port, onGone: (l) => void page.on('crash', () => l('crashed')), close: async () => undefined };
      },
    };
  }

  /** Checks that the port path rendered exactly the CLI host's frames. */
  function expectSameAsCli(viaPort: Awaited<ReturnType<typeof renderAll>>): void {
    expect(viaPort.rgba).toHaveLength(FRAMES);
    expect(viaPort.yuv).toHaveLength(FRAMES);
    expect(viaPort.h264).toHaveLength(FRAMES);
    // the frames differ from each other (the mouth opens) …
    expect(psnrDb(cli.rgba[0]!, cli.rgba[FRAMES - 1]!, null)).toBeLessThan(40);
    // … and the port path reproduces every one exactly
    for (let i = 0; i < FRAMES; i++) {
      expect(Buffer.compare(viaPort.rgba[i]!, cli.rgba[i]!), `rgba frame ${i}`).toBe(0);
      expect(Buffer.compare(viaPort.yuv[i]!, cli.yuv[i]!), `yuv frame ${i}`).toBe(0);
    }
    expect(Buffer.compare(viaPort.still, cli.still)).toBe(0);
    expect(viaPort.h264.reduce((n, u) => n + u.byteLength, 0)).toBeGreaterThan(FRAMES * 200);
    for (let i = 0; i < FRAMES; i++) expect(Buffer.compare(viaPort.h264[i]!, cli.h264[i]!), `H.264 unit ${i}`).toBe(0);
  }

  /** Byte lengths, now, of the frame buffers the page sent (0 = transferred away). */
  const sentLengths = (): Promise<number[]> => page.evaluate(() => (globalThis as unknown as { __sent: Uint8Array[] }).__sent.map((b) => b.byteLength));

  it('renders the same frames as the CLI host, bit for bit, with frame buffers transferred', async () => {
    const host = await PortRenderHost.launch(await pageWindow(true), { widthPx: S, heightPx: S });
    expect(host.canEncodeH264).toBe(true);
    const viaPort = await renderAll(host, portrait, track);
    await host.dispose();
    expectSameAsCli(viaPort);
    // every frame message left the page with its buffer transferred: 2×6 frames, 1 batch of H.264 units, 1 still
    const sent = await sentLengths();
    expect(sent.length).toBe(2 * FRAMES + 1 + 1);
    expect(sent.every((n) => n === 0)).toBe(true);
  }, 120_000);

  it('and the same with frames copied, as for Electron\'s MessagePortMain (which loses transferred buffers)', async () => {
    const host = await PortRenderHost.launch(await pageWindow(false), { widthPx: S, heightPx: S });
    const viaPort = await renderAll(host, portrait, track);
    await host.dispose();
    expectSameAsCli(viaPort);
    const sent = await sentLengths();
    expect(sent.length).toBe(2 * FRAMES + 1 + 1);
    expect(sent.every((n) => n > 0)).toBe(true);
  }, 120_000);
});
