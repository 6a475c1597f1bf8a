/**
 * The utility process's side of the hidden render windows: asks the main process for a window
 * (`renderWindow.open`), receives the export page's port with `renderWindow.opened`, relays `renderWindow.gone`,
 * and closes the window when the export's render host is disposed. The render host itself is
 * pipeline/render/portRenderHost.ts; this module only adapts Electron's messages and MessagePortMain to it.
 */
import type { MessagePortMain } from 'electron';
import { JobCancelledError, StudioError } from '../../core/errors.ts';
import type { ToExportPage } from '../../core/render/exportPageProtocol.ts';
import type { PagePort, RenderWindowBroker, RenderWindowHandle } from '../../pipeline/render/portRenderHost.ts';
import type { FromUtility, ToUtility } from '../shared/messages.ts';

/** Longest wait for main to open a render window and load its page, ms. */
const OPEN_TIMEOUT_MS = 30_000;

/** The part of Electron's MessagePortMain the adapter uses. */
export type MainPortLike = Pick<MessagePortMain, 'postMessage' | 'start' | 'close'> & {
  on(event: 'message', listener: (e: { data: unknown }) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
};

/**
 * Adapts an Electron MessagePortMain to the render host's {@link PagePort}.
 * @param port - the utility's end of the export page's port.
 * @returns the adapter (the port starts with the first message listener).
 */
export function pagePortFromMain(port: MainPortLike): PagePort {
  return {
    // electron/electron#34905: a renderer's transferred ArrayBuffer reaches MessagePortMain without its data
    acceptsTransferredBuffers: false,
    postMessage: (m: ToExportPage) => port.postMessage(m),
    onMessage: (listener) => {
      port.on('message', (e) => listener(e.data));
      port.start();
    },
    onClose: (listener) => void port.on('close', listener),
    close: () => port.close(),
  };
}

/** A broker plus the entry point for main's answers. */
export interface UtilityRenderWindows {
  broker: RenderWindowBroker;
  /**
   * Handles a message from main if it is a `renderWindow.*` answer.
   * @param m - the message's data.
   * @param ports - the message's ports.
   * @returns whether it was one.
   */
  receive(m: ToUtility, ports: readonly MainPortLike[]): boolean;
}

/**
 * Creates the broker the utility's render hosts open windows through.
 * @param send - posts a message to main.
 * @returns the broker and its message handler.
 */
export function createRenderWindowBroker(send: (m: FromUtility) => void): UtilityRenderWindows {
  let nextId = 1;
  const opening = new Map<number, { resolve: (port: MainPortLike) => void; reject: (e: unknown) => void }>();
  const goneListeners = new Map<number, (reason: string) => void>();
  const broker: RenderWindowBroker = {
    async open({ widthPx, heightPx, signal }) {
      if (signal?.aborted) throw new JobCancelledError();
      const windowId = nextId++;
      let goneReason: string | null = null;
      let onGone: ((reason: string) => void) | null = null;
      goneListeners.set(windowId, (reason) => {
        goneReason = reason;
        goneListeners.delete(windowId);
        onGone?.(reason);
      });
      const abort = (): void => opening.get(windowId)?.reject(new JobCancelledError());
      signal?.addEventListener('abort', abort, { once: true });
      let mainPort: MainPortLike;
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        mainPort = await new Promise<MainPortLike>((resolve, reject) => {
          opening.set(windowId, { resolve, reject });
          timer = setTimeout(() => reject(new StudioError('RENDER_WINDOW_START', `The render window did not open within ${OPEN_TIMEOUT_MS / 1000} s`)), OPEN_TIMEOUT_MS);
          send({ type: 'renderWindow.open', windowId, widthPx, heightPx });
        });
      } catch (err) {
        goneListeners.delete(windowId);
        send({ type: 'renderWindow.close', windowId });
        throw err;
      } finally {
        clearTimeout(timer);
        opening.delete(windowId);
        signal?.removeEventListener('abort', abort);
      }
      let closed = false;
      const handle: RenderWindowHandle = {
        port: pagePortFromMain(mainPort),
        onGone(listener) {
          if (goneReason !== null) listener(goneReason);
          else onGone = listener;
        },
        async close() {
          if (closed) return;
          closed = true;
          goneListeners.delete(windowId);
          send({ type: 'renderWindow.close', windowId });
        },
      };
      return handle;
    },
  };
  return {
    broker,
    receive(m, ports) {
      if (m.type === 'renderWindow.opened') {
        const port = ports[0];
        if (port) opening.get(m.windowId)?.resolve(port);
        else opening.get(m.windowId)?.reject(new StudioError('RENDER_WINDOW_START', 'The render window came without its port'));
        return true;
      }
      if (m.type === 'renderWindow.failed') {
        opening.get(m.windowId)?.reject(new StudioError('RENDER_WINDOW_START', `Could not open the render window: ${m.message}`));
        return true;
      }
      if (m.type === 'renderWindow.gone') {
        opening.get(m.windowId)?.reject(new StudioError('RENDER_WINDOW_GONE', `The render window stopped while opening (${m.reason})`));
        goneListeners.get(m.windowId)?.(m.reason);
        return true;
      }
      return false;
    },
  };
}
