import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './studio-process.js';

/** Debian's Chromium: Playwright drives it instead of a downloaded browser. */
export const CHROMIUM = process.env.FOXCTL_E2E_CHROMIUM ?? '/usr/bin/chromium';

/** The flags DESIGN.md fixes for Chromium in this environment. */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Whether a missing browser must fail the run (CI sets FOXCTL_TEST_REQUIRE=all). */
export function required(): boolean {
  const v = (process.env.FOXCTL_TEST_REQUIRE ?? '').split(',').map((s) => s.trim().toLowerCase());
  return v.includes('all') || v.includes('e2e');
}

/** Why the browser project cannot run here, or null. */
export function browserSkipReason(): string | null {
  return fs.existsSync(CHROMIUM) ? null : `Chromium is not installed at ${CHROMIUM} (apt-get install -y chromium)`;
}

/** The Electron binary, when one was downloaded: by Electron's installer (node_modules/electron/path.txt) or by `npm start` (.cache/electron/). */
export function electronBinary(): string | null {
  const dir = path.join(ROOT, 'node_modules', 'electron');
  try {
    const rel = fs.readFileSync(path.join(dir, 'path.txt'), 'utf8').trim();
    const bin = path.join(dir, 'dist', rel);
    if (fs.existsSync(bin)) return bin;
  } catch {
    // not installed there: look where npm start puts it
  }
  const version = (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  const exe = process.platform === 'darwin' ? 'Electron.app/Contents/MacOS/Electron' : process.platform === 'win32' ? 'electron.exe' : 'electron';
  const cached = path.join(ROOT, '.cache', 'electron', `v${version}-${process.platform}-${process.arch}`, exe);
  return fs.existsSync(cached) ? cached : null;
}

/** Why the electron project does not run here, or null. */
export function electronSkipReason(): string | null {
  if (process.env.FOXCTL_E2E_ELECTRON !== '1') return 'the Electron project runs only with FOXCTL_E2E_ELECTRON=1 (it needs the Electron binary and its better-sqlite3 build)';
  if (!electronBinary()) return 'FOXCTL_E2E_ELECTRON=1 but the Electron binary is not installed (node_modules/electron/dist or .cache/electron/: `npm start` fetches it)';
  return null;
}

/** Where screenshots go (git-ignored). */
export const ARTIFACTS = path.join(ROOT, 'e2e', 'artifacts');

/**
 * Copies a screenshot from e2e/artifacts to docs/screenshots/<name>.png (the README's pictures),
 * only when FOXCTL_DOCS_SCREENSHOTS=1: an ordinary test run leaves the tracked files alone.
 */
export function publishScreenshot(file: string, name: string): void {
  if (process.env.FOXCTL_DOCS_SCREENSHOTS !== '1' || !fs.existsSync(file)) return;
  const docs = path.join(ROOT, 'docs', 'screenshots');
  fs.mkdirSync(docs, { recursive: true });
  fs.copyFileSync(file, path.join(docs, `${name}.png`));
}
