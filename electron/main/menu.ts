/**
 * The native menu. Menu items send the same keyboard shortcuts the UI handles (so one code path runs for
 * keys, buttons and menus), plus the standard edit/view/window roles.
 */
import { app, Menu, type BrowserWindow, type MenuItemConstructorOptions } from 'electron';

/**
 * Builds the application menu.
 * @param getWindow - the main window, when open.
 * @returns the menu.
 */
export function buildMenu(getWindow: () => BrowserWindow | null): Menu {
  const key = (keyCode: string, modifiers: ('control' | 'meta' | 'shift')[] = []) => () => {
    const wc = getWindow()?.webContents;
    if (!wc) return;
    const mods = modifiers.map((m) => (m === 'control' && process.platform === 'darwin' ? 'meta' : m)) as ('control' | 'meta' | 'shift')[];
    wc.sendInputEvent({ type: 'keyDown', keyCode, modifiers: mods });
    wc.sendInputEvent({ type: 'keyUp', keyCode, modifiers: mods });
  };
  const isMac = process.platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [
    ...(isMac ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        { label: 'Export…', accelerator: 'CmdOrCtrl+E', click: key('E', ['control']) },
        { type: 'separator' },
        { role: 'recentDocuments', submenu: [{ role: 'clearRecentDocuments' }] },
        { type: 'separator' },
        isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    {
      label: 'Edit',
      submenu: [
        { label: 'Undo', accelerator: 'CmdOrCtrl+Z', click: key('Z', ['control']) },
        { label: 'Redo', accelerator: 'CmdOrCtrl+Shift+Z', click: key('Z', ['control', 'shift']) },
        { type: 'separator' },
        { role: 'cut' },
        { role: 'copy' },
        { role: 'paste' },
        { role: 'selectAll' },
      ],
    },
    {
      label: 'Playback',
      submenu: [
        { label: 'Play/Pause', accelerator: 'Space', registerAccelerator: false, click: key('Space') },
        { label: 'Next frame', accelerator: 'Right', registerAccelerator: false, click: key('Right') },
        { label: 'Previous frame', accelerator: 'Left', registerAccelerator: false, click: key('Left') },
      ],
    },
    { label: 'View', submenu: [{ role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { type: 'separator' }, { role: 'togglefullscreen' }, ...(app.isPackaged ? [] : [{ role: 'toggleDevTools' as const }])] },
    { role: 'windowMenu' },
  ];
  return Menu.buildFromTemplate(template);
}
