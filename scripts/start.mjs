// `npm start`: the desktop app when the Electron runtime is installed, else browser mode.
// Electron fetches its binary on first run; `require('electron')` would try that download, so
// this looks for the binary itself (node_modules/electron/path.txt names it) and never downloads.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);

/** The Electron binary, or null with the reason it cannot run. */
function electronBinary() {
  const dir = path.join(root, 'node_modules', 'electron');
  if (process.env.ELECTRON_OVERRIDE_DIST_PATH) {
    const bin = path.join(process.env.ELECTRON_OVERRIDE_DIST_PATH, process.platform === 'win32' ? 'electron.exe' : 'electron');
    return fs.existsSync(bin) ? { bin } : { why: `ELECTRON_OVERRIDE_DIST_PATH has no Electron binary (${bin})` };
  }
  let rel;
  try {
    rel = fs.readFileSync(path.join(dir, 'path.txt'), 'utf8').trim();
  } catch {
    return { why: 'the Electron runtime is not installed (its binary is downloaded on first run, which did not happen here)' };
  }
  const bin = path.join(dir, 'dist', rel);
  return fs.existsSync(bin) ? { bin } : { why: `the Electron binary is missing (${bin})` };
}

function run(cmd, argv) {
  const child = spawn(cmd, argv, { cwd: root, stdio: 'inherit' });
  // Ctrl-C reaches the child through the terminal: wait for it to stop cleanly rather than die
  // first. A SIGTERM sent to this process alone is forwarded.
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

const needsBuild = (file) => !fs.existsSync(path.join(root, file));
const electron = electronBinary();
if ('bin' in electron) {
  if (needsBuild('out/main/index.js')) {
    process.stderr.write('npm start: the app is not built: run `npm run build` first\n');
    process.exit(1);
  }
  if (needsBuild('native/electron/better_sqlite3.node')) {
    process.stderr.write('npm start: better-sqlite3 is not built for Electron yet: run `npm run build:native-electron` (needs network access once)\n');
    process.exit(1);
  }
  run(electron.bin, ['.', ...args]);
} else {
  process.stderr.write(`npm start: ${electron.why}: starting browser mode instead (foxctl studio).\n`);
  if (needsBuild('out/cli/foxctl.mjs') || needsBuild('out/renderer/index.html')) {
    process.stderr.write('npm start: the CLI or the renderer is not built: run `npm run build` first\n');
    process.exit(1);
  }
  run(process.execPath, [path.join(root, 'out', 'cli', 'foxctl.mjs'), 'studio', ...args]);
}
