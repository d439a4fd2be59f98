// The Electron-ABI build of better-sqlite3, kept apart from the Node build in node_modules (the
// CLI and the tests use that one). It goes the maintained way: @electron/rebuild, which takes
// better-sqlite3's published prebuilt binary for Electron (prebuild-install: it honours
// npm_config_better_sqlite3_binary_host) and compiles from source against Electron's headers
// only where no prebuilt binary exists. It works on a private copy of the package, so the
// (possibly shared) node_modules is never written; the result is native/electron/.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

/** Where the app finds the Electron-ABI module in a checkout (src-main/app/native.ts reads it). */
export function electronSqlitePath(root) {
  return path.join(root, 'native', 'electron', 'better_sqlite3.node');
}

/** What the module in native/electron was built for: a different Electron or better-sqlite3 means rebuild. */
function stampPath(root) {
  return path.join(root, 'native', 'electron', 'build.json');
}

/** The versions a build must match: Electron's, its ABI, better-sqlite3's, the arch. */
export function wantedStamp(root, arch = process.arch) {
  const require = createRequire(path.join(root, 'package.json'));
  const electron = require('electron/package.json').version;
  const abi = fs.readFileSync(path.join(path.dirname(require.resolve('electron/package.json')), 'abi_version'), 'utf8').trim();
  return { electron, abi, betterSqlite3: require('better-sqlite3/package.json').version, platform: process.platform, arch };
}

/** True when native/electron holds a module built for this Electron and this better-sqlite3. */
export function electronSqliteIsCurrent(root, arch = process.arch) {
  try {
    const have = JSON.parse(fs.readFileSync(stampPath(root), 'utf8'));
    const want = wantedStamp(root, arch);
    return Object.keys(want).every((k) => have[k] === want[k]) && fs.statSync(electronSqlitePath(root)).size > 0;
  } catch {
    return false;
  }
}

/** A package's folder, found from its entry point (some packages do not export package.json). */
function packageDir(require, name) {
  let dir = path.dirname(require.resolve(name));
  while (!fs.existsSync(path.join(dir, 'package.json')) || JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).name !== name) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`cannot find the folder of ${name}`);
    dir = up;
  }
  return dir;
}

/** Runs a command with its output into `log`, killed when `signal` aborts; rejects naming its first error. */
function run(cmd, args, opts, log, signal) {
  return new Promise((resolve, reject) => {
    const out = fs.openSync(log, 'w');
    const child = spawn(cmd, args, { ...opts, stdio: ['ignore', out, out] });
    fs.closeSync(out);
    const onAbort = () => child.kill('SIGKILL');
    signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', reject);
    child.on('close', (code, sig) => {
      signal?.removeEventListener('abort', onAbort);
      if (signal?.aborted) return reject(signal.reason);
      if (code === 0) return resolve();
      reject(new Error(`@electron/rebuild exited with ${code ?? sig} (${firstError(fs.readFileSync(log, 'utf8'))}; its output is in ${log})`));
    });
  });
}

/** The first line of a tool's output that names an error, for a one-line reason. */
function firstError(text) {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.find((l) => /^(\w*Error\b|gyp ERR!|prebuild-install warn)/.test(l)) ?? lines.at(-1) ?? 'no output';
}

/**
 * Builds or fetches better-sqlite3 for this Electron into native/electron/ (temp file, then
 * rename, then the stamp), bounded by `signal`. Returns the module's path.
 */
export async function fetchElectronSqlite(root, { signal, arch = process.arch } = {}) {
  const require = createRequire(path.join(root, 'package.json'));
  const want = wantedStamp(root, arch);
  const sqliteDir = path.dirname(require.resolve('better-sqlite3/package.json'));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'foxctl-electron-sqlite-'));
  try {
    // A private copy (real files, not links) of the package, without its Node build.
    const mod = path.join(work, 'node_modules', 'better-sqlite3');
    for (const entry of ['package.json', 'binding.gyp', 'lib', 'src', 'deps']) {
      fs.cpSync(path.join(sqliteDir, entry), path.join(mod, entry), { recursive: true });
    }
    // prebuild-install is only read and run: a link to it is enough.
    fs.symlinkSync(path.dirname(require.resolve('prebuild-install/package.json')), path.join(work, 'node_modules', 'prebuild-install'), 'dir');
    fs.writeFileSync(path.join(work, 'package.json'), JSON.stringify({ name: 'foxctl-electron-sqlite', private: true, dependencies: { 'better-sqlite3': want.betterSqlite3 } }));
    const cli = path.join(packageDir(require, '@electron/rebuild'), 'lib', 'cli.js');
    const log = path.join(root, '.cache', 'electron-sqlite.log');
    fs.mkdirSync(path.dirname(log), { recursive: true });
    process.stderr.write(`npm start: getting better-sqlite3 ${want.betterSqlite3} for Electron ${want.electron} (ABI ${want.abi}, ${arch}); log: ${path.relative(root, log)}\n`);
    const argv = [cli, '--version', want.electron, '--arch', arch, '--module-dir', work, '--only', 'better-sqlite3', '--force'];
    await run(process.execPath, argv, { cwd: work }, log, signal);
    const built = path.join(mod, 'build', 'Release', 'better_sqlite3.node');
    if (!fs.existsSync(built) || fs.statSync(built).size === 0) throw new Error(`@electron/rebuild finished but left no ${path.relative(work, built)}`);
    const dest = electronSqlitePath(root);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    const tmp = `${dest}.${process.pid}.tmp`;
    fs.copyFileSync(built, tmp);
    fs.renameSync(tmp, dest);
    fs.writeFileSync(stampPath(root), `${JSON.stringify(want, null, 2)}\n`);
    return dest;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
