/**
 * IPC registration: one `ipcMain.handle` per contract channel, all going through the router of ipcRouter.ts
 * (sender frame check + contract validation), then handled here (native dialogs, reveal in the file manager)
 * or forwarded to the utility process (pipeline work).
 */
import { app, dialog, ipcMain, shell, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import { CHANNEL_NAMES } from '../../core/ipc/contract.ts';
import { InvalidInputError, StudioError } from '../../core/errors.ts';
import type { JobHostClient } from './jobHostClient.ts';
import { createIpcRouter } from './ipcRouter.ts';

const FILTERS: Record<'portrait' | 'audio' | 'avatar' | 'project', Electron.FileFilter[]> = {
  portrait: [{ name: 'Images', extensions: ['jpg', 'jpeg', 'png', 'webp', 'gif', 'tif', 'tiff', 'avif', 'heic', 'bmp'] }],
  audio: [{ name: 'Audio', extensions: ['wav', 'flac', 'mp3', 'm4a', 'aac', 'ogg', 'opus', 'aiff', 'mp4', 'mov', 'webm'] }],
  avatar: [{ name: 'Avatars (GLB, Gaussian splats, LAM zip)', extensions: ['glb', 'ply', 'splat', 'ksplat', 'spz', 'zip'] }],
  project: [{ name: 'Avatar Studio project', extensions: ['json'] }],
};

/**
 * Registers every channel.
 * @param jobs - the utility process client.
 * @param getWindow - the window dialogs attach to.
 */
export function registerIpc(jobs: JobHostClient, getWindow: () => BrowserWindow | null): void {
  const route = createIpcRouter({
    local: {
      'studio:dialog.openFile': async (a: { kind: 'portrait' | 'audio' | 'avatar' | 'project' }) => {
        const opts: Electron.OpenDialogOptions = { properties: ['openFile'], filters: FILTERS[a.kind] };
        const win = getWindow();
        const r = win ? await dialog.showOpenDialog(win, opts) : await dialog.showOpenDialog(opts);
        const path = r.canceled ? null : (r.filePaths[0] ?? null);
        if (path && a.kind === 'project') app.addRecentDocument(path);
        return { path };
      },
      'studio:dialog.saveFile': async (a: { kind: 'export' | 'project'; defaultName: string }) => {
        const opts: Electron.SaveDialogOptions = {
          defaultPath: a.defaultName,
          filters: a.kind === 'project' ? FILTERS.project : [{ name: 'Video, GIF or PNG frames (zip)', extensions: ['mp4', 'webm', 'mov', 'gif', 'zip'] }],
        };
        const win = getWindow();
        const r = win ? await dialog.showSaveDialog(win, opts) : await dialog.showSaveDialog(opts);
        if (!r.canceled && r.filePath && a.kind === 'project') app.addRecentDocument(r.filePath);
        return { path: r.canceled ? null : (r.filePath ?? null) };
      },
      'studio:export.reveal': async (a: { jobId: string }) => {
        const st = await jobs.call('studio:export.status', a);
        if (!st.ok) throw new StudioError(st.error.code, st.error.message);
        const outPath = (st.value as { outPath: string | null }).outPath;
        if (!outPath) throw new InvalidInputError('The export has not finished');
        shell.showItemInFolder(outPath);
        return { revealed: true, url: null };
      },
    },
    forward: (channel, args) => jobs.call(channel, args),
  });
  for (const channel of CHANNEL_NAMES) {
    ipcMain.handle(channel, (event: IpcMainInvokeEvent, args: unknown) => route(channel, event.senderFrame, args));
  }
}
