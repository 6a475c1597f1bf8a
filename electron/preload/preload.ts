/**
 * The preload: exposes only the typed studio API (`window.studioApi`) through contextBridge — no Node,
 * no ipcRenderer, no Electron objects reach the page. Unknown channels and events are refused here and
 * again in main.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { CHANNEL_NAME_LIST, EVENT_NAME_LIST } from '../../core/ipc/channels.ts';
import { STUDIO_BRIDGE_GLOBAL, type StudioBridge } from '../../core/ipc/bridge.ts';

const api: StudioBridge = {
  invoke(channel, args) {
    if (!(CHANNEL_NAME_LIST as readonly string[]).includes(channel)) return Promise.resolve({ ok: false, error: { code: 'UNKNOWN_CHANNEL', message: `Unknown API channel ${String(channel)}` } });
    return ipcRenderer.invoke(channel, args);
  },
  on(event, listener) {
    if (!(EVENT_NAME_LIST as readonly string[]).includes(event)) throw new Error(`Unknown studio event ${String(event)}`);
    const handler = (_e: IpcRendererEvent, payload: unknown): void => listener(payload as never);
    ipcRenderer.on(event, handler);
    return () => {
      ipcRenderer.removeListener(event, handler);
    };
  },
};

contextBridge.exposeInMainWorld(STUDIO_BRIDGE_GLOBAL, Object.freeze(api));
