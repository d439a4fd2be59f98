// Builds better-sqlite3 for Electron's ABI into native/electron/better_sqlite3.node, apart from
// the Node build in node_modules (which the CLI and the tests keep using). The app passes this
// file as better-sqlite3's `nativeBinding` when it runs inside Electron (src-main/app/native.ts).
//
// It compiles better-sqlite3's own sources with node-gyp against Electron's headers, which
// node-gyp downloads from https://electronjs.org/headers: it needs that network access (the
// build environment of this project has none, so there it stops with a clear message).
//   node scripts/build-electron-sqlite.mjs [--arch x64|arm64]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'package.json'));
const electronVersion = require('electron/package.json').version;
const sqliteDir = path.dirname(require.resolve('better-sqlite3/package.json'));
const nodeGyp = require.resolve('node-gyp/bin/node-gyp.js');
const archFlag = process.argv.indexOf('--arch');
const arch = archFlag > 0 ? process.argv[archFlag + 1] : process.arch;
const outDir = path.join(root, 'native', 'electron');
const outFile = path.join(outDir, 'better_sqlite3.node');

// Build in a copy, so the Node build under node_modules is never touched.
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'foxctl-electron-sqlite-'));
try {
  for (const entry of ['binding.gyp', 'src', 'deps', 'package.json']) {
    fs.cpSync(path.join(sqliteDir, entry), path.join(work, entry), { recursive: true });
  }
  process.stdout.write(`building better-sqlite3 for Electron ${electronVersion} (${arch}) in ${work}\n`);
  try {
    execFileSync(
      process.execPath,
      [nodeGyp, 'rebuild', '--release', `--target=${electronVersion}`, `--arch=${arch}`, '--dist-url=https://electronjs.org/headers', '--runtime=electron', '--build-from-source'],
      { cwd: work, stdio: 'inherit', env: { ...process.env, npm_config_runtime: 'electron', npm_config_target: electronVersion } },
    );
  } catch {
    process.stderr.write(
      `\nbuild-electron-sqlite: node-gyp could not build for Electron ${electronVersion}. It needs Electron's headers from https://electronjs.org/headers\n` +
        '(network access) and a C++ toolchain (python3, make, g++). The CLI and browser mode (`foxctl studio`) do not need this build.\n',
    );
    process.exit(1);
  }
  fs.mkdirSync(outDir, { recursive: true });
  fs.copyFileSync(path.join(work, 'build', 'Release', 'better_sqlite3.node'), outFile);
  process.stdout.write(`wrote ${path.relative(root, outFile)}\n`);
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
