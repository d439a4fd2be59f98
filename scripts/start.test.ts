// `npm start` without network: a local mirror on 127.0.0.1 serving stand-in archives proves that
// start fetches Electron (through @electron/get, with checksums), unpacks it, gets
// better-sqlite3 for Electron's ABI (through @electron/rebuild + prebuild-install) and launches
// what it got; a refused connection proves the one-line fallback to browser mode.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { refusedPort, runStart, sha256, standInElectronZip, standInSqliteTarball, startMirror, startSandbox, type Mirror, type StartSandbox } from './test/start-sandbox.js';

const pkg = JSON.parse(fs.readFileSync(new URL('../node_modules/electron/package.json', import.meta.url), 'utf8')) as { version: string };
const sqlitePkg = JSON.parse(fs.readFileSync(new URL('../node_modules/better-sqlite3/package.json', import.meta.url), 'utf8')) as { version: string };
const abi = fs.readFileSync(new URL('../node_modules/electron/abi_version', import.meta.url), 'utf8').trim();
const platform = `${process.platform}-${process.arch}`;

/** What the stand-in Electron or the stand-in CLI recorded: who ran, its cwd, its argv. */
function launched(box: StartSandbox): string[] {
  return fs.readFileSync(box.record, 'utf8').trim().split('\n');
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A sandbox checkout plus a mirror serving a stand-in Electron and a stand-in better-sqlite3 prebuild. */
async function withMirror(): Promise<{ box: StartSandbox; mirror: Mirror; env: Record<string, string> }> {
  const box = startSandbox();
  cleanups.push(box.remove);
  const files = fs.mkdtempSync(path.join(os.tmpdir(), 'foxctl-mirror-'));
  cleanups.push(() => fs.rmSync(files, { recursive: true, force: true }));
  const zipName = `electron-v${pkg.version}-${platform}.zip`;
  const zip = path.join(files, zipName);
  standInElectronZip(zip, pkg.version, box.record);
  fs.writeFileSync(path.join(files, 'SHASUMS256.txt'), `${sha256(zip)} *${zipName}\n`);
  const tarName = `better-sqlite3-v${sqlitePkg.version}-electron-v${abi}-${platform}.tar.gz`;
  standInSqliteTarball(path.join(files, tarName), 'stand-in addon for Electron');
  const mirror = await startMirror(
    new Map([
      [`/electron/v${pkg.version}/${zipName}`, zip],
      [`/electron/v${pkg.version}/SHASUMS256.txt`, path.join(files, 'SHASUMS256.txt')],
      [`/sqlite/v${sqlitePkg.version}/${tarName}`, path.join(files, tarName)],
    ]),
  );
  cleanups.push(mirror.close);
  const env = {
    ELECTRON_MIRROR: `${mirror.url}/electron/`,
    // The stand-in's checksum is not in node_modules/electron/checksums.json: fetch SHASUMS256.txt from the mirror.
    electron_use_remote_checksums: '1',
    electron_config_cache: path.join(box.root, 'dl-cache'),
    npm_config_better_sqlite3_binary_host: `${mirror.url}/sqlite`,
    npm_config_cache: path.join(box.root, 'npm-cache'),
    FOXCTL_START_TIMEOUT: '60',
  };
  return { box, mirror, env };
}

describe('npm start', () => {
  it('fetches Electron and better-sqlite3 for it from the mirror, unpacks them and launches the app', async () => {
    const { box, mirror, env } = await withMirror();
    const r = await runStart(box.root, env);
    expect(r.stderr).not.toMatch(/browser mode/);
    expect(r.code).toBe(0);
    // The stand-in Electron ran from the checkout, with the app folder as its argument.
    expect(launched(box)).toEqual(['electron', fs.realpathSync(box.root), '.']);
    expect(r.stderr).toMatch(new RegExp(`fetching Electron ${pkg.version.replace(/\./g, '\\.')} \\(${platform}\\): .*100%`));
    expect(fs.readFileSync(path.join(box.root, '.cache', 'electron', `v${pkg.version}-${platform}`, 'version'), 'utf8')).toBe(`v${pkg.version}`);
    expect(fs.readFileSync(path.join(box.root, 'native', 'electron', 'better_sqlite3.node'), 'utf8')).toBe('stand-in addon for Electron');
    expect(JSON.parse(fs.readFileSync(path.join(box.root, 'native', 'electron', 'build.json'), 'utf8'))).toMatchObject({ electron: pkg.version, abi, betterSqlite3: sqlitePkg.version });
    expect(mirror.hits.get(`/electron/v${pkg.version}/SHASUMS256.txt`)).toBe(1);

    // A second start finds both and fetches nothing.
    fs.rmSync(box.record);
    const before = [...mirror.hits.values()].reduce((a, b) => a + b, 0);
    const again = await runStart(box.root, env);
    expect(again.code).toBe(0);
    expect(launched(box)[0]).toBe('electron');
    expect([...mirror.hits.values()].reduce((a, b) => a + b, 0)).toBe(before);
    expect(again.stderr).toBe('');
  });

  it('refuses an archive whose checksum does not match, and says so in one line', async () => {
    const { box, env } = await withMirror();
    // The shipped checksums (node_modules/electron/checksums.json) do not know the stand-in.
    const r = await runStart(box.root, { ...env, electron_use_remote_checksums: '' });
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('npm start:') && !l.includes('fetching'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/the Electron runtime .* could not be fetched: .*checksum.*: starting browser mode instead/i);
    expect(launched(box)).toEqual(['cli', fs.realpathSync(box.root), 'studio']);
    expect(fs.existsSync(path.join(box.root, '.cache', 'electron', `v${pkg.version}-${platform}`))).toBe(false);
  });

  it('starts browser mode, saying why, when better-sqlite3 for Electron can be neither fetched nor built', async () => {
    const { box, env } = await withMirror();
    const port = await refusedPort();
    // No prebuilt binary on the mirror, and Electron's headers (for a build from source) refused.
    const r = await runStart(box.root, { ...env, npm_config_better_sqlite3_binary_host: `http://127.0.0.1:${port}`, ELECTRON_REBUILD_DIST_URL: `http://127.0.0.1:${port}` });
    expect(r.code).toBe(0);
    const why = r.stderr.split('\n').filter((l) => l.includes('browser mode'));
    expect(why).toHaveLength(1);
    expect(why[0]).toMatch(/^npm start: better-sqlite3 for Electron .* could not be fetched or built: .+: starting browser mode instead/);
    expect(launched(box)).toEqual(['cli', fs.realpathSync(box.root), 'studio']);
    expect(fs.existsSync(path.join(box.root, 'native', 'electron', 'better_sqlite3.node'))).toBe(false);
  });

  it('falls back to browser mode with one line when the download is refused', async () => {
    const box = startSandbox();
    cleanups.push(box.remove);
    const port = await refusedPort();
    const r = await runStart(box.root, {
      ELECTRON_MIRROR: `http://127.0.0.1:${port}/`,
      electron_config_cache: path.join(box.root, 'dl-cache'),
      FOXCTL_START_TIMEOUT: '30',
    });
    expect(r.code).toBe(0);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^npm start: the Electron runtime ${pkg.version.replace(/\./g, '\\.')} could not be fetched: .*ECONNREFUSED.*: starting browser mode instead \\(foxctl studio\\)\\.$`));
    expect(launched(box)).toEqual(['cli', fs.realpathSync(box.root), 'studio']);
    expect(fs.existsSync(path.join(box.root, '.cache', 'electron', `v${pkg.version}-${platform}`))).toBe(false);
  });
});
