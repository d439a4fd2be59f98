// A throwaway checkout for `npm start` tests: the start scripts and package.json copied, the
// project's node_modules linked (read only: start never writes there), stand-in build outputs,
// and a local HTTP mirror on 127.0.0.1 that serves Electron and better-sqlite3 archives.
import { spawn, execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A temp checkout whose `npm start` records what it launched into `record`. */
export interface StartSandbox {
  root: string;
  /** Where the stand-in Electron and the stand-in CLI write their cwd and argv. */
  record: string;
  remove(): void;
}

/** Copies scripts/start*.mjs and package.json into a temp root, with stand-in out/ files. */
export function startSandbox(): StartSandbox {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'foxctl-start-'));
  fs.mkdirSync(path.join(root, 'scripts'));
  fs.copyFileSync(path.join(repo, 'scripts', 'start.mjs'), path.join(root, 'scripts', 'start.mjs'));
  fs.cpSync(path.join(repo, 'scripts', 'start'), path.join(root, 'scripts', 'start'), { recursive: true });
  fs.copyFileSync(path.join(repo, 'package.json'), path.join(root, 'package.json'));
  fs.symlinkSync(path.join(repo, 'node_modules'), path.join(root, 'node_modules'), 'dir');
  const record = path.join(root, 'launched.txt');
  for (const dir of ['out/main', 'out/cli', 'out/renderer']) fs.mkdirSync(path.join(root, dir), { recursive: true });
  fs.writeFileSync(path.join(root, 'out/main/index.js'), '// stand-in main bundle\n');
  fs.writeFileSync(path.join(root, 'out/renderer/index.html'), '<!doctype html>\n');
  // Stand-in CLI: browser mode is `node out/cli/foxctl.mjs studio`.
  fs.writeFileSync(
    path.join(root, 'out/cli/foxctl.mjs'),
    `import fs from 'node:fs';\nfs.writeFileSync(${JSON.stringify(record)}, ['cli', process.cwd(), ...process.argv.slice(2)].join('\\n'));\n`,
  );
  return { root, record, remove: () => fs.rmSync(root, { recursive: true, force: true }) };
}

/** A zip made by python3's zipfile (as Electron's release zips: a tree with an executable). */
export function makeZip(file: string, entries: Record<string, { text: string; mode: number }>): void {
  const script = `import json,sys,zipfile
entries=json.loads(sys.argv[2])
with zipfile.ZipFile(sys.argv[1],'w',zipfile.ZIP_DEFLATED) as z:
  for name,e in entries.items():
    info=zipfile.ZipInfo(name)
    info.external_attr=(0o100000|e['mode'])<<16
    info.compress_type=zipfile.ZIP_DEFLATED
    z.writestr(info,e['text'])
`;
  execFileSync('python3', ['-c', script, file, JSON.stringify(entries)]);
}

/** The stand-in Electron release zip: an `electron` shell script that records its cwd and argv. */
export function standInElectronZip(file: string, version: string, record: string): void {
  makeZip(file, {
    electron: { text: `#!/bin/sh\n# stand-in for the Electron binary (not Electron)\n{ echo electron; pwd; for a in "$@"; do echo "$a"; done; } > '${record}'\n`, mode: 0o755 },
    version: { text: `v${version}`, mode: 0o644 },
    LICENSE: { text: 'stand-in', mode: 0o644 },
  });
}

/** A stand-in prebuilt better-sqlite3 archive as prebuild-install expects it (build/Release/*.node). */
export function standInSqliteTarball(file: string, bytes: string): void {
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'foxctl-prebuild-'));
  fs.mkdirSync(path.join(stage, 'build', 'Release'), { recursive: true });
  fs.writeFileSync(path.join(stage, 'build', 'Release', 'better_sqlite3.node'), bytes);
  execFileSync('tar', ['czf', file, '-C', stage, 'build']);
  fs.rmSync(stage, { recursive: true, force: true });
}

/** A static HTTP mirror on 127.0.0.1 over a map of URL path -> file, counting requests. */
export interface Mirror {
  url: string;
  hits: Map<string, number>;
  close(): Promise<void>;
}

/** Serves `files` (URL path -> local file); anything else is a 404. */
export async function startMirror(files: Map<string, string>): Promise<Mirror> {
  const hits = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const p = new URL(req.url ?? '/', 'http://x').pathname;
    hits.set(p, (hits.get(p) ?? 0) + 1);
    const file = files.get(p);
    if (!file) return void res.writeHead(404).end('not found');
    const body = fs.readFileSync(file);
    res.writeHead(200, { 'content-length': body.length, 'content-type': 'application/octet-stream' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, hits, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A 127.0.0.1 port nothing listens on (bound, then released): connecting is refused. */
export async function refusedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** SHA-256 hex of a file, for the mirror's SHASUMS256.txt. */
export function sha256(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** Runs `node scripts/start.mjs` in the sandbox; resolves with its exit code and output. */
export function runStart(root: string, env: Record<string, string>, timeoutMs = 60_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const clean = { ...process.env };
  for (const k of Object.keys(clean)) if (/^(ELECTRON_|electron_|npm_config_)/i.test(k)) delete clean[k];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'scripts', 'start.mjs')], { cwd: root, env: { ...clean, ELECTRON_GET_NO_PROGRESS: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`npm start did not finish within ${timeoutMs} ms; stderr:\n${stderr}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
