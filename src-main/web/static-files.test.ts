import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The browser-mode server in a process of its own, so a crash shows as a dead process. */
const SERVE = `
const { openEngine } = await import(${JSON.stringify(path.resolve(here, '../engine/engine.ts'))});
const { createStudio } = await import(${JSON.stringify(path.resolve(here, '../api/studio.ts'))});
const { startWebServer } = await import(${JSON.stringify(path.resolve(here, 'server.ts'))});
const studio = createStudio(openEngine({ env: process.env }), { mode: 'browser', version: 'test' }, { syncer: false, schedule: false });
const server = await startWebServer(studio, { rendererDir: process.env.RENDERER_DIR });
console.log(JSON.stringify({ port: server.port }));
process.on('SIGTERM', () => process.exit(0));
`;

/** Starts the server process on a renderer folder and waits for its port. */
async function serve(root: string, rendererDir: string): Promise<{ port: number; child: ChildProcess }> {
  const home = path.join(root, '.foxctl');
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', SERVE], {
    env: { ...process.env, HOME: root, FOXCTL_HOME: home, RENDERER_DIR: rendererDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => resolve((JSON.parse(line) as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`the server exited (${code}) before listening: ${err}`)));
  });
  return { port, child };
}

/** GET a path; resolves with the status, or with the socket error when the server is gone. */
function get(port: number, urlPath: string): Promise<{ status: number; body: string } | { error: string }> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: urlPath, headers: { host: `127.0.0.1:${port}` }, agent: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', (e) => resolve({ error: e.message }));
    });
    req.on('error', (e) => resolve({ error: (e as NodeJS.ErrnoException).code ?? e.message }));
  });
}

describe('static files of browser mode under faults', () => {
  // One server process for the file (starting one takes seconds), on a renderer folder of index.html and one asset.
  let root: string;
  let dir: string;
  let port: number;
  let child: ChildProcess;
  let sock: net.Server;
  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'foxctl-static-'));
    dir = path.join(root, 'renderer');
    fs.mkdirSync(path.join(dir, 'assets'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>studio</title>');
    fs.writeFileSync(path.join(dir, 'assets', 'app.js'), 'console.log(1)');
    // A socket is there for stat and realpath, but open() fails (ENXIO), as a read stream would.
    sock = net.createServer().listen(path.join(dir, 'assets', 'live.sock'));
    await new Promise((r) => sock.once('listening', r));
    ({ port, child } = await serve(root, dir));
  });
  afterAll(() => {
    child.kill('SIGKILL');
    sock.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('answers 500 and stays up when a file that passed the checks cannot be opened', async () => {
    const r = await get(port, '/assets/live.sock');
    expect(r).toMatchObject({ status: 500 });
    expect((r as { body: string }).body).toMatch(/could not read \/assets\/live\.sock/);
    expect(await get(port, '/assets/app.js')).toEqual({ status: 200, body: 'console.log(1)' });
    expect(child.exitCode).toBeNull();
  });

  it('stays up while files vanish and come back under its requests (a rebuild of the renderer)', async () => {
    // Another process removes and rewrites the asset in a tight loop, as a rebuild does.
    const churn = spawn('python3', [
      '-c',
      `import os, time
p = ${JSON.stringify(path.join(dir, 'assets', 'app.js'))}
end = time.time() + 2
while time.time() < end:
    os.unlink(p)
    with open(p, 'w') as f: f.write('console.log(1)')
`,
    ]);
    const churned = new Promise((r) => churn.once('exit', r));
    const statuses = new Map<string, number>();
    while (churn.exitCode === null) {
      const batch = await Promise.all(Array.from({ length: 8 }, () => get(port, '/assets/app.js')));
      for (const r of batch) {
        const k = 'status' in r ? String(r.status) : r.error;
        statuses.set(k, (statuses.get(k) ?? 0) + 1);
      }
      if (child.exitCode !== null) break;
    }
    await churned;
    console.log(`answers while the file churned: ${JSON.stringify(Object.fromEntries(statuses))}`);
    expect(child.exitCode).toBeNull();
    expect([...statuses.keys()].every((k) => k === '200' || k === '500')).toBe(true);
    expect(await get(port, '/assets/app.js')).toEqual({ status: 200, body: 'console.log(1)' });
  });
});
