// The built Electron main bundle (out/main/index.js) run under plain Node against a STAND-IN of
// the electron module (src-main/test/electron-stand-in/): the single-instance lock, the app://
// handler and its CSP, the preload path, the sandbox flags, navigation and window.open refusals,
// the IPC sender check and the Electron-ABI SQLite binding are checked here, so a wiring mistake
// cannot hide behind a missing Electron binary. The real Electron e2e project still runs where
// the binary exists (FOXCTL_E2E_ELECTRON=1).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../test/cli-bundle.js';

const bundle = path.join(REPO_ROOT, 'out', 'main', 'index.js');
const register = path.join(REPO_ROOT, 'src-main', 'test', 'electron-stand-in', 'register.mjs');

/** The newest source file the main bundle is built from. */
function newestSource(dir: string): number {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && /\.ts$/.test(e.name) && !e.name.endsWith('.test.ts')) newest = Math.max(newest, fs.statSync(path.join(e.parentPath, e.name)).mtimeMs);
  }
  return newest;
}

interface Record {
  lockRequested: boolean;
  schemes: { scheme: string; privileges: { [k: string]: boolean } }[];
  handlers: { [scheme: string]: boolean };
  windows: { options: { webPreferences: { [k: string]: unknown } }; loaded: string | null }[];
  ipc: string[];
  dialogs: { title: string; message: string }[];
  quit: string[];
  permission: string | null;
  probes: { [k: string]: unknown };
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** Runs the main bundle with the stand-in; `withBinding` puts the (Node-ABI) addon where the app looks for the Electron one. */
function runMain(opts: { lock?: 'held'; withBinding?: boolean } = {}): { status: number | null; stderr: string; record: Record } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'foxctl-main-'));
  dirs.push(dir);
  const appPath = path.join(dir, 'app');
  if (opts.withBinding !== false) {
    fs.mkdirSync(path.join(appPath, 'native', 'electron'), { recursive: true });
    // Under Node the stand-in "Electron" loads the Node build: what matters is that the bundle passes it as nativeBinding.
    fs.copyFileSync(path.join(REPO_ROOT, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'), path.join(appPath, 'native', 'electron', 'better_sqlite3.node'));
  }
  const recordFile = path.join(dir, 'record.json');
  const home = path.join(dir, '.foxctl');
  const r = spawnSync(process.execPath, ['--import', register, bundle], {
    cwd: REPO_ROOT,
    env: { ...process.env, HOME: dir, FOXCTL_HOME: home, FOXCTL_STANDIN_RECORD: recordFile, FOXCTL_STANDIN_APP_PATH: appPath, FOXCTL_STANDIN_LOCK: opts.lock ?? '', ELECTRON_RENDERER_URL: '' },
    timeout: 30_000,
    encoding: 'utf8',
  });
  if (!fs.existsSync(recordFile)) throw new Error(`the main bundle wrote no record (status ${r.status}); stderr:\n${r.stderr}`);
  return { status: r.status, stderr: r.stderr, record: JSON.parse(fs.readFileSync(recordFile, 'utf8')) as Record };
}

describe('Electron main bundle (stand-in electron module)', () => {
  beforeAll(() => {
    if (!fs.existsSync(bundle)) throw new Error(`${bundle} is missing: run \`npm run build\` first`);
    if (fs.statSync(bundle).mtimeMs < newestSource(path.join(REPO_ROOT, 'src-main', 'app'))) throw new Error(`${bundle} is older than src-main/app: run \`npm run build:app\` first`);
  });

  it('opens one hardened window over app://, serves the page with the CSP and refuses strangers', () => {
    const { status, stderr, record } = runMain();
    expect(record.probes.error, stderr).toBeUndefined();
    expect(record.dialogs).toEqual([]);
    expect(status).toBe(0);
    expect(record.lockRequested).toBe(true);
    expect(record.schemes).toEqual([{ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) }]);

    expect(record.windows).toHaveLength(1);
    const win = record.windows[0]!;
    expect(win.loaded).toBe('app://studio/index.html');
    const prefs = win.options.webPreferences;
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, nodeIntegrationInWorker: false, webviewTag: false, webSecurity: true, allowRunningInsecureContent: false });
    expect(prefs.preload).toBe(path.join(REPO_ROOT, 'out', 'preload', 'index.cjs'));
    expect(fs.existsSync(prefs.preload as string)).toBe(true);

    // The page comes from out/renderer with the same CSP as its meta tag (plus frame-ancestors, header-only).
    const page = record.probes.page as { status: number; csp: string; nosniff: string; body: string };
    expect(page.status).toBe(200);
    expect(page.body).toMatch(/^<!doctype html>/i);
    const html = fs.readFileSync(path.join(REPO_ROOT, 'out', 'renderer', 'index.html'), 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];
    expect(meta).toBeTruthy();
    expect(page.csp).toBe(`${meta}; frame-ancestors 'none'`);
    expect(page.csp).not.toMatch(/unsafe-eval|unsafe-inline/);
    expect(page.nosniff).toBe('nosniff');
    // A path climbing out of out/renderer gets the page, never package.json.
    expect((record.probes.escape as { body: string }).body).not.toContain('"name"');

    expect(record.probes).toMatchObject({ navigateAwayPrevented: true, navigateOwnPrevented: false, redirectAwayPrevented: true, webviewPrevented: true, permissionGranted: false, windowOpen: { action: 'deny' } });

    // IPC: our own main frame is answered (through the engine, opened with the Electron binding); others are refused.
    expect(record.ipc).toEqual(expect.arrayContaining(['handle foxctl:call', 'on foxctl:cancel']));
    expect(record.probes.ownCall).toMatchObject({ ok: true, value: expect.objectContaining({ mode: 'electron' }) });
    expect(record.probes.strangerCall).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
    expect(record.probes.subframeCall).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });

    // A second start focuses the existing window; quitting closes the engine first, then quits.
    expect(record.probes.focusedOnSecondInstance).toBe(1);
    expect(record.quit).toEqual(['quit', 'quit']);
  });

  it('quits without a window when another instance holds the lock', () => {
    const { record } = runMain({ lock: 'held' });
    expect(record.lockRequested).toBe(true);
    expect(record.quit).toEqual(['quit']);
    expect(record.windows).toEqual([]);
  });

  it('says which file is missing when better-sqlite3 was not built for Electron', () => {
    const { status, record } = runMain({ withBinding: false });
    expect(status).toBe(1);
    expect(record.windows).toEqual([]);
    expect(record.dialogs).toHaveLength(1);
    expect(record.dialogs[0]!.message).toMatch(/native[/\\]electron[/\\]better_sqlite3\.node/);
    expect(record.quit).toEqual(['exit 1']);
  });
});
