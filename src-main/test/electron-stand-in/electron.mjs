// A STAND-IN for the `electron` module (not Electron): just enough of app, BrowserWindow,
// protocol, net, session, ipcMain, dialog, Notification, safeStorage, shell and nativeTheme for the built main
// bundle (out/main/index.js) to run under plain Node. It records what the bundle asked for and,
// once the window is loaded, probes the wiring (a protocol request, a navigation, a window.open,
// IPC calls from our frame and from a stranger, a second instance), then quits like Electron and
// writes everything to FOXCTL_STANDIN_RECORD as JSON. The test (src-main/app/main-wiring.test.ts)
// judges the record.
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

const env = process.env;
const record = { lockRequested: false, schemes: [], handlers: {}, windows: [], ipc: [], dialogs: [], notifications: [], quit: [], probes: {}, permission: null };
const save = () => fs.writeFileSync(env.FOXCTL_STANDIN_RECORD, JSON.stringify(record, null, 2));
const protocolHandlers = new Map();
const ipcHandlers = new Map();
const ipcListeners = new Map();

class StandInApp extends EventEmitter {
  isPackaged = false;
  requestSingleInstanceLock() {
    record.lockRequested = true;
    return env.FOXCTL_STANDIN_LOCK !== 'held';
  }
  whenReady() {
    // Electron never becomes ready after quitting before ready.
    return new Promise((resolve) => setTimeout(() => (quitting ? undefined : resolve()), 10));
  }
  getAppPath() {
    return env.FOXCTL_STANDIN_APP_PATH;
  }
  getVersion() {
    return '0.0.0-stand-in';
  }
  quit() {
    record.quit.push('quit');
    const event = { defaultPrevented: false, preventDefault() { this.defaultPrevented = true; } };
    this.emit('before-quit', event);
    if (event.defaultPrevented) return;
    quitting = true;
    save();
    setImmediate(() => process.exit(0));
  }
  exit(code) {
    record.quit.push(`exit ${code}`);
    save();
    process.exit(code);
  }
}
let quitting = false;
export const app = new StandInApp();

class StandInContents extends EventEmitter {
  static nextId = 1;
  id = StandInContents.nextId++;
  mainFrame = { url: '', routingId: 1 };
  windowOpenHandler = null;
  sent = [];
  isDestroyed() {
    return false;
  }
  setWindowOpenHandler(fn) {
    this.windowOpenHandler = fn;
  }
  send(...args) {
    this.sent.push(args[1]);
  }
}

export class BrowserWindow extends EventEmitter {
  static all = [];
  static getAllWindows() {
    return BrowserWindow.all;
  }
  constructor(options) {
    super();
    this.options = options;
    this.webContents = new StandInContents();
    this.focused = 0;
    BrowserWindow.all.push(this);
    record.windows.push({ options, loaded: null });
    app.emit('web-contents-created', {}, this.webContents);
  }
  async loadURL(url) {
    record.windows.at(-1).loaded = url;
    this.webContents.mainFrame.url = url;
    setTimeout(() => void probe(this).catch((err) => {
      record.probes.error = String(err?.stack ?? err);
      save();
      process.exit(3);
    }), 10);
  }
  isMinimized() {
    return false;
  }
  restore() {}
  focus() {
    this.focused += 1;
  }
  show() {}
}

export const protocol = {
  registerSchemesAsPrivileged(schemes) {
    record.schemes.push(...schemes);
  },
  handle(scheme, fn) {
    protocolHandlers.set(scheme, fn);
    record.handlers[scheme] = true;
  },
};

export const net = {
  /** file:// only, as the bundle uses it: reads the file. */
  async fetch(url) {
    const file = fileURLToPath(url);
    return new Response(fs.readFileSync(file), { status: 200, headers: { 'content-type': file.endsWith('.html') ? 'text/html' : 'application/octet-stream' } });
  },
};

export const session = {
  defaultSession: {
    setPermissionRequestHandler(fn) {
      record.permission = 'request-handler';
      session.permissionRequest = fn;
    },
    setPermissionCheckHandler(fn) {
      session.permissionCheck = fn;
    },
  },
};

export const ipcMain = {
  handle(channel, fn) {
    ipcHandlers.set(channel, fn);
    record.ipc.push(`handle ${channel}`);
  },
  removeHandler(channel) {
    ipcHandlers.delete(channel);
  },
  on(channel, fn) {
    ipcListeners.set(channel, fn);
    record.ipc.push(`on ${channel}`);
  },
  off(channel) {
    ipcListeners.delete(channel);
  },
};

export const dialog = {
  showErrorBox(title, message) {
    record.dialogs.push({ title, message });
  },
  async showSaveDialog() {
    return { canceled: true };
  },
};

/** Desktop notifications the app shows (a failed nightly backup), recorded. */
export class Notification {
  static isSupported() {
    return true;
  }
  constructor(options) {
    this.options = options;
  }
  show() {
    record.notifications.push(this.options);
  }
}
export const shell = { opened: [], async openExternal(url) { shell.opened.push(url); } };
export const nativeTheme = { shouldUseDarkColors: false };
export const safeStorage = {
  isEncryptionAvailable: () => false,
  getSelectedStorageBackend: () => 'basic_text',
  encryptString: () => { throw new Error('stand-in safeStorage cannot encrypt'); },
  decryptString: () => { throw new Error('stand-in safeStorage cannot decrypt'); },
};

/** Pokes the wiring the way Electron and a page would, and records the answers. */
async function probe(win) {
  const p = record.probes;
  const contents = win.webContents;
  const serve = protocolHandlers.get('app');
  if (serve) {
    const page = await serve(new Request('app://studio/index.html'));
    p.page = { status: page.status, csp: page.headers.get('content-security-policy'), nosniff: page.headers.get('x-content-type-options'), body: (await page.text()).slice(0, 200) };
    const escape = await serve(new Request('app://studio/..%2f..%2f..%2fpackage.json'));
    p.escape = { status: escape.status, body: (await escape.text()).slice(0, 200) };
  }
  const nav = (name, url) => {
    const event = { defaultPrevented: false, preventDefault() { this.defaultPrevented = true; } };
    contents.emit(name, event, url);
    return event.defaultPrevented;
  };
  p.navigateAwayPrevented = nav('will-navigate', 'https://example.com/');
  p.navigateOwnPrevented = nav('will-navigate', 'app://studio/index.html#/cas');
  p.redirectAwayPrevented = nav('will-redirect', 'http://127.0.0.1:1/');
  p.windowOpen = contents.windowOpenHandler?.({ url: 'javascript:alert(1)' }) ?? null;
  const webview = { defaultPrevented: false, preventDefault() { this.defaultPrevented = true; } };
  contents.emit('will-attach-webview', webview);
  p.webviewPrevented = webview.defaultPrevented;
  p.permissionGranted = await new Promise((resolve) => (session.permissionRequest ? session.permissionRequest(contents, 'media', resolve) : resolve('no handler')));
  const call = ipcHandlers.get('foxctl:call');
  if (call) {
    p.ownCall = await call({ sender: contents, senderFrame: contents.mainFrame }, 'app.info', 'req-1', {});
    const stranger = new StandInContents();
    stranger.mainFrame.url = 'https://evil.example/';
    p.strangerCall = await call({ sender: stranger, senderFrame: stranger.mainFrame }, 'app.info', 'req-2', {});
    p.subframeCall = await call({ sender: contents, senderFrame: { url: 'app://studio/index.html', routingId: 2 } }, 'app.info', 'req-3', {});
  }
  app.emit('second-instance', {}, ['electron', '.'], '/');
  p.focusedOnSecondInstance = win.focused;
  app.quit();
}
