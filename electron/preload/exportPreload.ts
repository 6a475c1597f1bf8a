/**
 * Preload of the hidden render windows (electron/main/renderWindows.ts): forwards the one MessagePort main posts
 * on {@link EXPORT_PORT_CHANNEL} to the export page's own world (`window.postMessage` to this window's origin), as
 * Electron documents for context-isolated pages. It exposes nothing else: no API, no ipcRenderer.
 */
import { ipcRenderer } from 'electron';
import { EXPORT_PORT_CHANNEL, EXPORT_PORT_MESSAGE } from '../../core/render/exportPageProtocol.ts';

/** The page's window as the (DOM-less) preload build sees it. */
const page = globalThis as unknown as { postMessage(message: unknown, targetOrigin: string, transfer: readonly unknown[]): void; location: { origin: string } };

ipcRenderer.once(EXPORT_PORT_CHANNEL, (e) => {
  if (e.ports.length === 1) page.postMessage(EXPORT_PORT_MESSAGE, page.location.origin, e.ports);
});
