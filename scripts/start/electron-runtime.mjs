// The Electron runtime for `npm start`: found where Electron's installer would have put it, or
// fetched with Electron's own download library (@electron/get: ELECTRON_MIRROR, the checksums
// shipped in node_modules/electron, its download cache) into .cache/electron/ of this checkout.
// It never writes into node_modules: that tree may be shared (hard-linked) with other checkouts.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { progressLine } from './progress.mjs';

/** The executable's path inside an unpacked Electron zip, as node_modules/electron/install.js names it. */
export function executableInZip(platform = process.platform) {
  if (platform === 'darwin' || platform === 'mas') return 'Electron.app/Contents/MacOS/Electron';
  if (platform === 'win32') return 'electron.exe';
  return 'electron';
}

/** Where this checkout keeps the runtime it fetched for one version/platform/arch. */
export function runtimeDir(root, version, platform = process.platform, arch = process.arch) {
  return path.join(root, '.cache', 'electron', `v${version}-${platform}-${arch}`);
}

/** The installed Electron binary, or null: ELECTRON_OVERRIDE_DIST_PATH, node_modules/electron/dist, then our cache. */
export function findElectron(root, version) {
  const exe = executableInZip();
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  if (override) return fs.existsSync(path.join(override, exe)) ? path.join(override, exe) : null;
  const npmDir = path.join(root, 'node_modules', 'electron');
  try {
    const rel = fs.readFileSync(path.join(npmDir, 'path.txt'), 'utf8').trim();
    const versionFile = fs.readFileSync(path.join(npmDir, 'dist', 'version'), 'utf8').trim().replace(/^v/, '');
    const bin = path.join(npmDir, 'dist', rel);
    if (versionFile === version && fs.existsSync(bin)) return bin;
  } catch {
    // not installed by Electron's installer: look in our cache
  }
  const cached = path.join(runtimeDir(root, version), exe);
  return fs.existsSync(cached) ? cached : null;
}

/**
 * Downloads and unpacks Electron `version` for this machine into .cache/electron/, showing
 * progress; rejects when `signal` aborts (the caller's time bound) or the checksum fails.
 */
export async function fetchElectron(root, version, { signal } = {}) {
  const require = createRequire(path.join(root, 'package.json'));
  const { downloadArtifact } = await import(pathToFileURL(require.resolve('@electron/get')).href);
  const { extract } = await import(pathToFileURL(require.resolve('@electron-internal/extract-zip')).href);
  const remoteChecksums = process.env.electron_use_remote_checksums || process.env.npm_config_electron_use_remote_checksums;
  const what = `Electron ${version} (${process.platform}-${process.arch})`;
  const progress = progressLine(what);
  let zip;
  try {
    zip = await downloadArtifact({
      version,
      artifactName: 'electron',
      platform: process.platform,
      arch: process.arch,
      cacheRoot: process.env.electron_config_cache,
      // As Electron's install.js: the checksums published with the npm package, unless told to fetch them.
      checksums: remoteChecksums ? undefined : require('electron/checksums.json'),
      downloadOptions: { quiet: true, signal, getProgressCallback: ({ transferred, total }) => progress.update(transferred, total) },
    });
  } finally {
    progress.done();
  }
  signal?.throwIfAborted();
  const dest = runtimeDir(root, version);
  // Unpack beside the final place and rename: an interrupted unpack never looks installed.
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  const tmp = fs.mkdtempSync(`${dest}.partial-`);
  try {
    await extract(zip, { dir: tmp });
    const exe = path.join(tmp, executableInZip());
    if (!fs.existsSync(exe)) throw new Error(`the Electron archive ${path.basename(zip)} has no ${executableInZip()}`);
    fs.rmSync(dest, { recursive: true, force: true });
    fs.renameSync(tmp, dest);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  return path.join(dest, executableInZip());
}
