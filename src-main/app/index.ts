// The Electron main process: one engine for the app's life, one hardened window, the contract
// bound to IPC, the events syncer run in the background, and a clean close on quit.
// libuv's pool starts on first use: give the CAS's many small file operations 16 threads, as
// the CLI does (module bodies run after every import, but no import does file I/O at load).
process.env.UV_THREADPOOL_SIZE ??= '16';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, Notification } from 'electron';
import { schedulerFor } from '../api/backup-schedule.js';
import { runNotice } from '../api/schedule-time.js';
import { createStudio, type Studio } from '../api/studio.js';
import { setSqliteNativeBinding } from '../engine/db/sqlite.js';
import { openEngine, type Engine } from '../engine/engine.js';
import { bindIpc, ownMainFrame } from './ipc.js';
import { originOf } from './external-links.js';
import { findElectronSqliteBinding } from './native.js';
import { APP_ORIGIN, registerAppScheme, serveRenderer } from './protocol.js';
import { hardenApp } from './security.js';
import { createMainWindow, type WindowSource } from './window.js';
import { createSafeStorageCipher } from './secret-cipher.js';

/** out/main, where this bundle lives (the main bundle is ESM: no __dirname). */
const here = path.dirname(fileURLToPath(import.meta.url));

registerAppScheme();

if (!app.requestSingleInstanceLock()) app.quit();

let engine: Engine | undefined;
let studio: Studio | undefined;
let win: BrowserWindow | undefined;
let unbind: (() => void) | undefined;
let closing: Promise<void> | undefined;

/** Where the page comes from: electron-vite's dev server in development, app://studio otherwise. */
function windowSource(): WindowSource {
  const dev = process.env.ELECTRON_RENDERER_URL;
  if (!app.isPackaged && dev) {
    const origin = new URL(dev).origin;
    return { url: dev, isOwnUrl: (u) => originOf(u) === origin };
  }
  return { url: `${APP_ORIGIN}/index.html`, isOwnUrl: (u) => originOf(u) === APP_ORIGIN };
}

function openWindow(): void {
  const source = windowSource();
  win = createMainWindow(source, path.join(here, '../preload'));
  const contents = win.webContents;
  unbind?.();
  unbind = bindIpc(studio!, ownMainFrame(() => win?.webContents, source.isOwnUrl), () => win?.webContents);
  const scope = `wc:${contents.id}`;
  contents.once('destroyed', () => studio?.api.requests.cancelScope(scope, 'the window was closed'));
  win.on('closed', () => {
    win = undefined;
  });
}

/** Stops the syncer at a safe boundary, cancels jobs, closes every store; runs once. */
function shutdown(): Promise<void> {
  closing ??= (async () => {
    unbind?.();
    await studio?.stop();
    await engine?.close();
  })();
  return closing;
}

app.on('second-instance', () => {
  if (win) {
    if (win.isMinimized()) win.restore();
    win.focus();
  }
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

app.on('activate', () => {
  if (BrowserWindow.getAllWindows().length === 0 && studio) openWindow();
});

app.on('before-quit', (event) => {
  if (engine && !engine.isClosed) {
    event.preventDefault();
    void shutdown().finally(() => app.quit());
  }
});

void app.whenReady().then(() => {
  hardenApp();
  const binding = findElectronSqliteBinding();
  if ('missing' in binding) {
    dialog.showErrorBox('foxctl Storage Studio cannot start', binding.missing);
    app.exit(1);
    return;
  }
  setSqliteNativeBinding(binding.file);
  try {
    engine = openEngine({ env: process.env, secretCipher: createSafeStorageCipher() });
  } catch (err) {
    dialog.showErrorBox('foxctl Storage Studio cannot open its home', err instanceof Error ? err.message : String(err));
    app.exit(1);
    return;
  }
  studio = createStudio(engine, {
    mode: 'electron',
    version: app.getVersion(),
    // CAS "Save as…": the path comes from the user's own dialog, never from the renderer.
    pickSavePath: async (suggestedName) => {
      const r = win ? await dialog.showSaveDialog(win, { defaultPath: suggestedName }) : await dialog.showSaveDialog({ defaultPath: suggestedName });
      return r.canceled || !r.filePath ? null : r.filePath;
    },
  });
  // A scheduled backup that fails says so on the desktop, even with the window closed or hidden.
  schedulerFor(engine).onRun((run) => {
    const notice = runNotice(run);
    if (notice && Notification?.isSupported?.()) new Notification({ title: notice.title, body: notice.body }).show();
  });
  serveRenderer(path.join(here, '../renderer'));
  openWindow();
});
