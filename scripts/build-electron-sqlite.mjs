// `npm run build:native-electron`: better-sqlite3 for Electron's ABI into native/electron/ (what
// `npm start` does on its own where it is missing), apart from the Node build in node_modules
// that the CLI and the tests keep using. The app passes it as better-sqlite3's `nativeBinding`
// when it runs inside Electron (src-main/app/native.ts); `npm run dist` packages it.
//   node scripts/build-electron-sqlite.mjs [--arch x64|arm64]
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fetchElectronSqlite } from './start/electron-sqlite.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const archFlag = process.argv.indexOf('--arch');
const arch = archFlag > 0 ? process.argv[archFlag + 1] : process.arch;
try {
  const file = await fetchElectronSqlite(root, { arch });
  process.stdout.write(`wrote ${path.relative(root, file)}\n`);
} catch (err) {
  process.stderr.write(
    `build-electron-sqlite: ${err instanceof Error ? err.message : String(err)}\n` +
      'It needs network access once (a prebuilt binary from GitHub, or Electron\'s headers and a C++ toolchain to compile). The CLI and browser mode (`foxctl studio`) do not need it.\n',
  );
  process.exit(1);
}
