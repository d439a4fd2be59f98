// `npm run dist`: installers through electron-builder (electron-builder.yml). It needs, and says
// so before starting: the built app (`npm run build`), better-sqlite3 for Electron's ABI in
// native/electron/ (made here when missing, as `npm start` does), and network access for
// electron-builder to download the Electron runtime of each target.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { electronSqliteIsCurrent, fetchElectronSqlite } from './start/electron-sqlite.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const missing = ['out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html'].filter((f) => !fs.existsSync(path.join(root, f)));
if (missing.length) {
  process.stderr.write(`npm run dist: the app is not built (${missing.join(', ')}): run \`npm run build\` first\n`);
  process.exit(1);
}
if (!electronSqliteIsCurrent(root)) {
  try {
    await fetchElectronSqlite(root);
  } catch (err) {
    process.stderr.write(`npm run dist: better-sqlite3 for Electron is missing and could not be made: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
const builder = path.join(path.dirname(createRequire(path.join(root, 'package.json')).resolve('electron-builder/package.json')), 'cli.js');
const child = spawn(process.execPath, [builder, '--config', 'electron-builder.yml', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
