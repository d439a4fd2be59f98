// `npm run bench -- bridge`: the browser-mode bridge (HTTP, token and Host checks, zod validation
// of input and output) against a bare node:http server answering a fixed JSON body in the same
// process: the floor of any HTTP transport on this machine. Sequential calls over keep-alive, as
// the renderer makes them; p50 and p95 per call.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createStudio } from '../src-main/api/studio.js';
import { openEngine } from '../src-main/engine/engine.js';
import { startWebServer } from '../src-main/web/server.js';
import { figure, keepAlivePoster, report, scratch } from './lib.js';

const N = Number(process.env.FOXCTL_BENCH_BRIDGE_N ?? 2000);
const client = keepAlivePoster();
const post = client.post;

async function latencies(n: number, fn: () => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  for (let i = 0; i < Math.min(200, n); i++) await fn();
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  ms.sort((a, b) => a - b);
  return { p50: ms[Math.floor(n * 0.5)]!, p95: ms[Math.floor(n * 0.95)]! };
}

const tmp = scratch('bridge');
try {
  const home = path.join(tmp.dir, '.foxctl');
  const engine = openEngine({ env: { HOME: tmp.dir, FOXCTL_HOME: home } });
  const db = engine.stores.get('MEMORY');
  db.exec('CREATE TABLE bench (x TEXT)');
  for (let i = 0; i < 20; i++) await engine.jobs.start({ kind: 'bench', title: `job ${i}` }, async () => ({ i })).done;
  const studio = createStudio(engine, { mode: 'browser', version: 'bench' }, { syncer: false });
  const server = await startWebServer(studio, {});
  const headers = { host: `127.0.0.1:${server.port}`, 'x-foxctl-token': server.token };

  const fixed = JSON.stringify({ ok: true, value: (await studio.api.invoke('jobs.list', { limit: 20 }, { scope: 'b' })) });
  const bare = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(fixed));
  });
  await new Promise<void>((r) => bare.listen(0, '127.0.0.1', () => r()));
  const barePort = (bare.address() as AddressInfo).port;

  const ours = await latencies(N, () => post(server.port, '/api/call/jobs.list', headers, '{"limit":20}'));
  const anchor = await latencies(N, () => post(barePort, '/', {}, '{"limit":20}'));
  report('bridge jobs.list (20 jobs) p50', ours.p50, anchor.p50, 'ms', { anchorName: 'bare node:http', better: 'lower' });
  report('bridge jobs.list (20 jobs) p95', ours.p95, anchor.p95, 'ms', { anchorName: 'bare node:http', better: 'lower' });
  const overview = await latencies(Math.max(20, Math.floor(N / 10)), () => post(server.port, '/api/call/overview.get', headers, '{}'));
  figure('bridge overview.get p95', overview.p95, 'ms');

  bare.close();
  await server.close();
  await studio.stop();
  await engine.close();
  client.close();
} finally {
  tmp.cleanup();
}
