import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createStudio, type Studio } from '../api/studio.js';
import { openEngine } from '../engine/engine.js';
import { tempHome } from '../test/temp-home.js';
import { assertLoopbackHost } from './guard.js';
import { parsePort, startWebServer, type WebServer } from './server.js';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A raw HTTP request: the test sets every header itself, Host included. */
function request(port: number, opts: { path: string; method?: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: opts.path, method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

const running: { server: WebServer; studio: Studio }[] = [];
afterEach(async () => {
  for (const { server, studio } of running.splice(0)) {
    await server.close();
    await studio.stop();
    await studio.engine.close();
  }
});

async function start(opts: { renderer?: boolean } = {}): Promise<{ server: WebServer; studio: Studio; host: string; auth: Record<string, string>; home: string }> {
  const home = tempHome();
  let rendererDir: string | undefined;
  if (opts.renderer !== false) {
    rendererDir = path.join(home.home, '..', 'renderer');
    fs.mkdirSync(path.join(rendererDir, 'assets'), { recursive: true });
    fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>studio</title>');
    fs.writeFileSync(path.join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
    fs.writeFileSync(path.join(home.home, '..', 'secret.txt'), 'top secret');
  }
  const studio = createStudio(openEngine({ env: home.env() }), { mode: 'browser', version: 'test' }, { syncer: false });
  const server = await startWebServer(studio, { rendererDir: opts.renderer === false ? path.join(home.home, 'no-such-dir') : rendererDir });
  running.push({ server, studio });
  const host = `127.0.0.1:${server.port}`;
  return { server, studio, host, auth: { host, 'x-foxctl-token': server.token }, home: home.home };
}

describe('browser mode server', () => {
  it('prints a loopback URL with a fresh 256-bit token in the fragment', async () => {
    const a = await start();
    const b = await start();
    expect(a.server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]{43}$/);
    expect(a.server.token).not.toBe(b.server.token);
  });

  it('answers a call with the token and refuses it without, or with a wrong one (401)', async () => {
    const { server, host, auth } = await start();
    const call = { path: '/api/call/app.info', method: 'POST', body: '{}' };
    const ok = await request(server.port, { ...call, headers: auth });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toMatchObject({ ok: true, value: { mode: 'browser', version: 'test' } });
    expect((await request(server.port, { ...call, headers: { host } })).status).toBe(401);
    expect((await request(server.port, { ...call, headers: { host, 'x-foxctl-token': 'x'.repeat(43) } })).status).toBe(401);
    expect((await request(server.port, { ...call, headers: { host, 'x-foxctl-token': server.token.slice(1) } })).status).toBe(401);
    // The token in the URL is not accepted: URLs end up in logs and history.
    expect((await request(server.port, { ...call, path: `/api/call/app.info?token=${server.token}`, headers: { host } })).status).toBe(401);
    expect((await request(server.port, { path: '/api/events', headers: { host } })).status).toBe(401);
    expect((await request(server.port, { path: '/api/cancel/x', method: 'POST', headers: { host } })).status).toBe(401);
  });

  it('refuses a foreign Host (DNS rebinding) and a foreign Origin, and never sends CORS headers', async () => {
    const { server, host, auth } = await start();
    const call = { path: '/api/call/app.info', method: 'POST', body: '{}' };
    for (const h of ['evil.example', `evil.example:${server.port}`, `127.0.0.1:${server.port + 1}`, `127.0.0.1.evil.example:${server.port}`]) {
      const r = await request(server.port, { ...call, headers: { ...auth, host: h } });
      expect(r.status, h).toBe(403);
    }
    expect((await request(server.port, { path: '/', headers: { host: 'evil.example' } })).status).toBe(403);
    expect((await request(server.port, { ...call, headers: { ...auth, origin: 'https://evil.example' } })).status).toBe(403);
    expect((await request(server.port, { ...call, headers: { ...auth, origin: 'null' } })).status).toBe(403);
    const same = await request(server.port, { ...call, headers: { ...auth, origin: `http://${host}` } });
    expect(same.status).toBe(200);
    const preflight = await request(server.port, { path: '/api/call/app.info', method: 'OPTIONS', headers: { ...auth, 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(405);
    for (const r of [same, preflight]) expect(Object.keys(r.headers).filter((k) => k.startsWith('access-control-'))).toEqual([]);
    expect(same.headers['x-content-type-options']).toBe('nosniff');
    // localhost with our port is ours too.
    expect((await request(server.port, { ...call, headers: { ...auth, host: `localhost:${server.port}` } })).status).toBe(200);
  });

  it('validates input through the contract: bad JSON, bad fields, too large a body', async () => {
    const { server, auth } = await start();
    const post = (p: string, body: string | Buffer, extra: Record<string, string> = {}): Promise<Reply> =>
      request(server.port, { path: p, method: 'POST', body, headers: { ...auth, 'content-type': 'application/json', ...extra } });
    expect(JSON.parse((await post('/api/call/jobs.list', '{"limit":')).body)).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    const bad = JSON.parse((await post('/api/call/jobs.list', '{"limit":"ten"}')).body) as { error: { code: string; message: string } };
    expect(bad.error.code).toBe('INVALID_INPUT');
    expect(bad.error.message).toContain('limit');
    expect(JSON.parse((await post('/api/call/no.such', '{}')).body)).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    const huge = await post('/api/call/jobs.list', Buffer.alloc(2 * 1024 * 1024, 0x20));
    expect(huge.status).toBe(413);
    expect(JSON.parse(huge.body)).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', message: expect.stringContaining('larger than') } });
    expect(JSON.parse((await post('/api/call/jobs.list', '{}', { 'content-type': 'text/plain' })).body)).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(JSON.parse((await post('/api/call/jobs.list', '{}', { 'x-foxctl-request': 'bad id!' })).body)).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect((await request(server.port, { path: '/api/call/jobs.list', headers: auth })).status).toBe(405);
    expect((await request(server.port, { path: '/api/nope', method: 'POST', headers: auth })).status).toBe(404);
  });

  it('streams job events over SSE to a client with the token', async () => {
    const { server, studio, auth } = await start();
    const received = await new Promise<string>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: server.port, path: '/api/events', headers: auth }, (res) => {
        expect(res.headers['content-type']).toContain('text/event-stream');
        let text = '';
        res.on('data', (d: Buffer) => {
          text += d.toString();
          if (text.includes('"state":"ok"')) {
            req.destroy();
            resolve(text);
          }
        });
        // Once connected, run a real job: its changes must arrive as `job` events.
        void studio.engine.jobs.start({ kind: 'test', title: 'sse test' }, async (ctx) => {
          ctx.progress(1, 2);
          return { fine: true };
        });
      });
      req.on('error', reject);
      req.end();
    });
    expect(received).toContain('event: job\ndata: {');
    expect(received).toContain('"title":"sse test"');
  });

  it('streams the live tail over SSE: an event emitted in the engine arrives as an `event`', async () => {
    const { server, studio, auth } = await start();
    const received = await new Promise<string>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: server.port, path: '/api/events', headers: auth }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => {
          text += d.toString();
          if (text.includes('sse.live')) {
            req.destroy();
            resolve(text);
          }
        });
        void studio.engine.events.emit({ operation: 'sse.live', message: 'hello tail' }, { persist: 'none' });
      });
      req.on('error', reject);
      req.end();
    });
    expect(received).toContain('event: event\ndata: {');
    expect(received).toContain('"persist":"none"');
  });

  it('serves the renderer inside its folder only, and says how to build it when missing', async () => {
    const { server, host } = await start();
    const index = await request(server.port, { path: '/', headers: { host } });
    expect(index.status).toBe(200);
    expect(index.headers['content-security-policy']).toContain("script-src 'self'");
    expect(index.headers['content-security-policy']).not.toContain('unsafe-eval');
    expect((await request(server.port, { path: '/assets/app.js', headers: { host } })).headers['content-type']).toContain('text/javascript');
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/../../secret.txt', '/..%2fsecret.txt']) {
      const r = await request(server.port, { path: p, headers: { host } });
      expect(r.body, p).not.toContain('top secret');
    }
    expect((await request(server.port, { path: '/', method: 'POST', headers: { host } })).status).toBe(405);
    const missing = await start({ renderer: false });
    const r = await request(missing.server.port, { path: '/', headers: { host: missing.host } });
    expect(r.status).toBe(503);
    expect(r.body).toContain('npm run build:app');
  });

  it('stores a streamed upload in the CAS as a job, and names the job before the body ends', async () => {
    const { server, studio, auth } = await start();
    const data = Buffer.alloc(3 * 1024 * 1024);
    for (let i = 0; i < data.length; i += 4096) data.writeUInt32BE(i, i);
    const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
    const up = await request(server.port, { path: '/api/upload/cas.put?name=blob.bin&tags=a,b&kind=application/x-test', method: 'POST', body: data, headers: auth });
    expect(up.status).toBe(200);
    const jobId = up.headers['x-foxctl-job'] as string;
    expect(jobId).toMatch(/^[0-9A-Z]{26}$/);
    expect(JSON.parse(up.body)).toMatchObject({ ok: true, value: { digest, size_bytes: data.length, existed: false, tags: ['a', 'b', 'name:blob.bin'], kind: 'application/x-test' } });
    expect(studio.engine.jobs.get(jobId)).toMatchObject({ state: 'ok', title: 'cas put blob.bin' });
    const again = await request(server.port, { path: '/api/upload/cas.put', method: 'POST', body: data, headers: auth });
    expect(JSON.parse(again.body)).toMatchObject({ ok: true, value: { digest, existed: true } });
    expect((await studio.engine.cas.stats()).objects).toBe(1);
    // Refused before a byte is stored: bad options, unknown upload, no token.
    const bad = await request(server.port, { path: '/api/upload/cas.put?pin=maybe', method: 'POST', body: Buffer.from('x'), headers: auth });
    expect(JSON.parse(bad.body)).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', message: expect.stringContaining('pin') } });
    const unknown = await request(server.port, { path: '/api/upload/fs.write', method: 'POST', body: Buffer.from('x'), headers: auth });
    expect(JSON.parse(unknown.body)).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect((await request(server.port, { path: '/api/upload/cas.put', method: 'POST', body: Buffer.from('x'), headers: { host: auth.host! } })).status).toBe(401);
    expect((await studio.engine.cas.stats()).objects).toBe(1);
  });

  it('cancels the put when the uploading client goes away, leaving no temp file and no object', async () => {
    const { server, studio, auth, home } = await start();
    const jobId = await new Promise<string>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: server.port, path: '/api/upload/cas.put?size=67108864', method: 'POST', headers: auth });
      req.on('response', (res) => resolve(res.headers['x-foxctl-job'] as string));
      req.on('error', () => undefined);
      req.write(Buffer.alloc(1024 * 1024, 7));
      req.flushHeaders();
      setTimeout(() => reject(new Error('no job header')), 10_000).unref();
      // Leave after a part of the body: the server must cancel, not wait forever.
      const check = setInterval(() => {
        try {
          if (studio.engine.jobs.get(jobIdSeen ?? '').progress.done > 0) {
            clearInterval(check);
            req.destroy();
          }
        } catch {
          // Not started yet.
        }
      }, 20);
      let jobIdSeen: string | undefined;
      req.on('response', (res) => (jobIdSeen = res.headers['x-foxctl-job'] as string));
    });
    for (let i = 0; i < 250 && studio.engine.jobs.active().length > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(studio.engine.jobs.get(jobId)).toMatchObject({ state: 'canceled' });
    expect((await studio.engine.cas.stats()).objects).toBe(0);
    const tmp = path.join(home, 'cas', 'tmp');
    expect(fs.existsSync(tmp) ? fs.readdirSync(tmp) : []).toEqual([]);
  });

  it('names an upload job with the page\'s own ref from its first byte, its progress the bytes received', async () => {
    const { server, studio, auth } = await start();
    const part = Buffer.alloc(3 << 20, 5);
    const size = part.length * 2;
    const req = http.request({ host: '127.0.0.1', port: server.port, path: `/api/upload/cas.put?size=${size}&ref=page-up-1`, method: 'POST', headers: { ...auth, 'content-length': String(size) } });
    const reply = new Promise<Reply>((resolve, reject) => {
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('error', reject);
    });
    const seen: { ref?: string; done: number }[] = [];
    const off = studio.engine.jobs.subscribe((j) => j.kind === 'cas.put' && seen.push({ ...(j.client_ref ? { ref: j.client_ref } : {}), done: j.progress.done }));
    try {
      req.write(part);
      // Half the body is in: the job (found by the ref alone) counts what arrived, not the whole.
      let job = studio.engine.jobs.active().find((j) => j.client_ref === 'page-up-1');
      for (let i = 0; i < 250 && (job?.progress.done ?? 0) < part.length - (1 << 20); i++) {
        await new Promise((r) => setTimeout(r, 20));
        job = studio.engine.jobs.active().find((j) => j.client_ref === 'page-up-1');
      }
      expect(job?.progress.done).toBeGreaterThanOrEqual(part.length - (1 << 20));
      expect(job?.progress.done).toBeLessThanOrEqual(part.length);
      expect(job?.progress.total).toBe(size);
      req.end(part);
      const r = await reply;
      expect(r.status).toBe(200);
      const whole = createHash('sha256').update(part).update(part).digest('hex');
      expect(JSON.parse(r.body)).toMatchObject({ ok: true, value: { size_bytes: size, digest: `sha256:${whole}` } });
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.every((s) => s.ref === 'page-up-1')).toBe(true);
    } finally {
      off();
    }
    // A ref that is not a plain name is refused before a byte is stored.
    const bad = await request(server.port, { path: '/api/upload/cas.put?ref=../x', method: 'POST', body: Buffer.from('x'), headers: auth });
    expect(JSON.parse(bad.body)).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', message: expect.stringMatching(/ref/) } });
  });

  it('answers CANCELED to an uploading client whose job is canceled, and keeps nothing', async () => {
    const { server, studio, auth, home } = await start();
    const size = 32 * 1024 * 1024;
    const req = http.request({ host: '127.0.0.1', port: server.port, path: '/api/upload/cas.put', method: 'POST', headers: { ...auth, 'content-length': String(size) } });
    const reply = new Promise<{ jobId: string; body: Promise<string> }>((resolve, reject) => {
      req.on('response', (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        resolve({ jobId: res.headers['x-foxctl-job'] as string, body: new Promise((r) => res.on('end', () => r(text))) });
      });
      req.on('error', reject);
    });
    req.write(Buffer.alloc(1024 * 1024, 1));
    const { jobId, body } = await reply;
    // The client is still "sending" (31 MiB to go) when the job is canceled from elsewhere.
    for (let i = 0; i < 250 && studio.engine.jobs.get(jobId).progress.done === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(studio.engine.jobs.cancel(jobId)).toBe(true);
    expect(JSON.parse(await body)).toMatchObject({ ok: false, error: { code: 'CANCELED' } });
    req.destroy();
    expect((await studio.engine.cas.stats()).objects).toBe(0);
    const tmp = path.join(home, 'cas', 'tmp');
    expect(fs.existsSync(tmp) ? fs.readdirSync(tmp) : []).toEqual([]);
  });

  it('listens on loopback only and checks --port', async () => {
    expect(() => assertLoopbackHost('0.0.0.0')).toThrow(/loopback only/);
    expect(() => assertLoopbackHost('192.168.1.10')).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect(() => assertLoopbackHost('127.0.0.1')).not.toThrow();
    expect(() => parsePort('http')).toThrow(/--port/);
    expect(() => parsePort('70000')).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect(parsePort('0')).toBe(0);
    const home = tempHome();
    const studio = createStudio(openEngine({ env: home.env() }), { mode: 'browser', version: 'test' }, { syncer: false });
    await expect(startWebServer(studio, { host: '0.0.0.0' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    const first = await startWebServer(studio, {});
    await expect(startWebServer(studio, { port: first.port })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await first.close();
    await studio.stop();
    await studio.engine.close();
  });
});
