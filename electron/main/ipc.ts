/**
 * IPC registration: one `ipcMain.handle` per contract channel. Every call checks the sender frame (our
 * window's top frame, loaded from app://studio) and validates its argument with the contract before it is
 * handled here (dialogs, reveal, recent files) or forwarded to the utility process (pipeline work).
 */
import { app, BrowserWindow, dialog, ipcMain, shell, type IpcMainInvokeEvent, type WebFrameMain } from 'electron';
import { CHANNEL_NAMES, validateCall, validateResult, type ChannelName } from '../../core/ipc/contract.ts';
import type { Result } from '../../core/errors.ts';
import type { JobHostClient } from './jobHostClient.ts';

/** Origin the UI is served from (custom protocol, see main.ts). */
export const APP_ORIGIN = 'app://studio';

/**
 * Tells whether an IPC message comes from our UI: the top frame of one of our windows, at our origin.
 * @param frame - `event.senderFrame` (null when the frame navigated away or was destroyed).
 * @returns true only for the trusted frame.
 */
export function isTrustedSender(frame: WebFrameMain | null): boolean {
  if (!frame || frame.parent !== null) return false;
  try {
    return new URL(frame.url).origin === APP_ORIGIN || frame.url.startsWith(`${APP_ORIGIN}/`);
  } catch {
    return false;
  }
}

const FILTERS: Record<'portrait' | 'audio' | 'project', Electron.FileFilter[]> = {
  portrait: [{ name: 'Images', extensions: ['jpg', 'jpeg', 'png', 'webp', 'gif', 'tif', 'tiff', 'avif', 'heic', 'bmp'] }],
  audio: [{ name: 'Audio', extensions: ['wav', 'flac', 'mp3', 'm4a', 'aac', 'ogg', 'opus', 'aiff', 'mp4', 'mov', 'webm'] }],
  project: [{ name: 'Avatar Studio project', extensions: ['json'] }],
};

/**
 * Registers every channel.
 * @param jobs - the utility process client.
 */
export function registerIpc(jobs: JobHostClient): void {
  const local: Partial<Record<ChannelName, (args: never, win: BrowserWindow | null) => Promise<unknown>>> = {
    'studio:dialog.openFile': async (a: { kind: 'portrait' | 'audio' | 'project' }, win) => {
      const opts: Electron.OpenDialogOptions = { properties: ['openFile'], filters: FILTERS[a.kind] };
      const r = win ? await dialog.showOpenDialog(win, opts) : await dialog.showOpenDialog(opts);
      const path = r.canceled ? null : (r.filePaths[0] ?? null);
      if (path && a.kind === 'project') app.addRecentDocument(path);
      return { path };
    },
    'studio:dialog.saveFile': async (a: { kind: 'export' | 'project'; defaultName: string }, win) => {
      const opts: Electron.SaveDialogOptions = {
        defaultPath: a.defaultName,
        filters: a.kind === 'project' ? FILTERS.project : [{ name: 'Video', extensions: ['mp4', 'webm', 'mov', 'gif'] }],
      };
      const r = win ? await dialog.showSaveDialog(win, opts) : await dialog.showSaveDialog(opts);
      return { path: r.canceled ? null : (r.filePath ?? null) };
    },
    'studio:export.reveal': async (a: { jobId: string }) => {
      const st = await jobs.call('studio:export.status', a);
      if (!st.ok) throw Object.assign(new Error(st.error.message), { code: st.error.code });
      const outPath = (st.value as { outPath: string | null }).outPath;
      if (outPath) shell.showItemInFolder(outPath);
      return { revealed: !!outPath, url: null };
    },
  };

  for (const channel of CHANNEL_NAMES) {
    ipcMain.handle(channel, async (event: IpcMainInvokeEvent, args: unknown): Promise<Result<unknown>> => {
      if (!isTrustedSender(event.senderFrame)) return { ok: false, error: { code: 'FORBIDDEN', message: 'IPC refused: untrusted sender frame' } };
      const checked = validateCall(channel, args);
      if (!checked.ok) return checked;
      const handler = local[channel];
      if (!handler) {
        const result = await jobs.call(channel, checked.value.args);
        if (result.ok && channel === 'studio:project.save') {
          const path = (result.value as { path: string | null }).path;
          if (path) app.addRecentDocument(path);
        }
        return result;
      }
      try {
        return validateResult(channel, await handler(checked.value.args as never, BrowserWindow.fromWebContents(event.sender)));
      } catch (err) {
        const e = err as Error & { code?: string };
        return { ok: false, error: { code: e.code ?? 'INTERNAL', message: e.message } };
      }
    });
  }
}
