// `npm start`: the desktop app. Where the Electron runtime is missing it is fetched (Electron's
// own download library, bounded in time, progress shown); where better-sqlite3 has no build for
// Electron's ABI one is fetched or built (@electron/rebuild). Only when a step fails does it say
// why in one line and start browser mode (`foxctl studio`) instead.
//   FOXCTL_START_TIMEOUT   seconds allowed for each fetch (default 600)
//   FOXCTL_START_BROWSER=1 skip Electron and start browser mode
// The download honours Electron's own settings (ELECTRON_MIRROR, electron_config_cache,
// electron_use_remote_checksums) and better-sqlite3's (npm_config_better_sqlite3_binary_host).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { fetchElectron, findElectron } from './start/electron-runtime.mjs';
import { electronSqliteIsCurrent, fetchElectronSqlite } from './start/electron-sqlite.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const timeoutMs = Number(process.env.FOXCTL_START_TIMEOUT || 600) * 1000;

function run(cmd, argv) {
  const child = spawn(cmd, argv, { cwd: root, stdio: 'inherit' });
  // Ctrl-C reaches the child through the terminal: wait for it to stop cleanly rather than die
  // first. A SIGTERM sent to this process alone is forwarded.
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

const needsBuild = (file) => !fs.existsSync(path.join(root, file));

/** One line for a failed step: the reason, without a stack or a multi-line tool dump. */
function reason(err) {
  if (err?.name === 'TimeoutError') return `it took longer than ${timeoutMs / 1000} s (FOXCTL_START_TIMEOUT)`;
  const msg = err instanceof Error ? `${err.message}${err.cause?.message ? ` (${err.cause.message})` : ''}` : String(err);
  return msg.split('\n')[0];
}

/** The Electron binary and the Electron-ABI SQLite module, fetched where missing; else why not. */
async function prepareElectron() {
  if (process.env.FOXCTL_START_BROWSER === '1') return { why: 'FOXCTL_START_BROWSER=1' };
  const version = createRequire(path.join(root, 'package.json'))('electron/package.json').version;
  let bin = findElectron(root, version);
  if (!bin) {
    try {
      bin = await fetchElectron(root, version, { signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      return { why: `the Electron runtime ${version} could not be fetched: ${reason(err)}` };
    }
  }
  if (!electronSqliteIsCurrent(root)) {
    try {
      await fetchElectronSqlite(root, { signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      return { why: `better-sqlite3 for Electron ${version} could not be fetched or built: ${reason(err)}` };
    }
  }
  return { bin };
}

const electron = await prepareElectron();
if ('bin' in electron) {
  if (needsBuild('out/main/index.js')) {
    process.stderr.write('npm start: the app is not built: run `npm run build` first\n');
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
