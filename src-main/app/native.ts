import fs from 'node:fs';
import path from 'node:path';
import { app } from 'electron';

/** Where the Electron-ABI build of better-sqlite3 lives: in the package, or under native/ in a checkout. */
export function electronSqliteBindingPath(): string {
  return app.isPackaged
    ? path.join(process.resourcesPath, 'native', 'better_sqlite3.node')
    : path.join(app.getAppPath(), 'native', 'electron', 'better_sqlite3.node');
}

/**
 * The Electron-ABI addon to pass as better-sqlite3's nativeBinding: the Node build (used by the
 * CLI and the tests) cannot load in Electron. Undefined, with the reason, when it was not built.
 */
export function findElectronSqliteBinding(): { file: string } | { missing: string } {
  const file = electronSqliteBindingPath();
  if (fs.existsSync(file)) return { file };
  return { missing: `The SQLite module built for Electron is missing (${file}). Run \`npm run build:native-electron\`, or use \`foxctl studio\` in a browser.` };
}
