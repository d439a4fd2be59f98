import path from 'node:path';
import { BrowserWindow, nativeTheme } from 'electron';
import { hardenContents } from './security.js';

/** What the window loads: the dev server of electron-vite, or our app:// origin. */
export interface WindowSource {
  url: string;
  isOwnUrl(url: string): boolean;
}

/**
 * The one window: context isolation, sandbox, no Node integration, no webviews, in every
 * environment (tests included). It shows once painted, in the OS's light or dark theme.
 */
export function createMainWindow(source: WindowSource, preloadDir: string): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 840,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'foxctl Storage Studio',
    backgroundColor: nativeTheme.shouldUseDarkColors ? '#111318' : '#f6f7f9',
    icon: path.join(preloadDir, '..', '..', 'resources', 'icon.png'),
    webPreferences: {
      preload: path.join(preloadDir, 'index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
    },
  });
  hardenContents(win.webContents, source.isOwnUrl);
  win.once('ready-to-show', () => win.show());
  void win.loadURL(source.url);
  return win;
}
