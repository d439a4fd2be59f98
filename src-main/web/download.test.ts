import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createStudio, type Studio } from '../api/studio.js';
import { openEngine } from '../engine/engine.js';
import { bulkInsertSeed } from '../engine/events/seed.js';
import { tempHome } from '../test/temp-home.js';
import { startWebServer, type WebServer } from './server.js';

interface Download {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** The connection broke before the response ended (what a browser reports as a failed download). */
  aborted: boolean;
}

function get(port: number, urlPath: string, headers: Record<string, string>): Promise<Download> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: urlPath, headers }, (res) => {
      const chunks: Buffer[] = [];
      let aborted = false;
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('aborted', () => (aborted = true));
      res.on('error', () => (aborted = true));
      res.on('close', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), aborted: aborted || !res.complete }));
    });
    req.on('error', (e) => reject(new Error(`${urlPath}: ${e.message}`)));
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

describe('browser-mode download of a CAS object (Save as…)', () => {
  it('streams a verified object once per ticket, and cuts a corrupt one short so no download completes', async () => {
    const th = tempHome();
    const studio = createStudio(openEngine({ env: th.env() }), { mode: 'browser', version: 'test' }, { syncer: false, schedule: false });
    const server = await startWebServer(studio, { rendererDir: path.join(th.home, 'none') });
    running.push({ server, studio });
    const host = `127.0.0.1:${server.port}`;
    const origin = { scope: 't', requestId: 'r' };
    // Big enough for several chunks: the held-back last chunk is not the whole object.
    const content = Buffer.alloc(3 << 20, 'abcdefghij');
    const put = await studio.engine.cas.put(content, { kind: 'text/plain' });

    const link = await studio.api.invoke('cas.downloadLink', { digest: put.digest, name: '../etc/report "q1".txt' }, origin);
    expect(link.ok).toBe(true);
    const url = (link as { value: { url: string } }).value.url;
    expect(url).toMatch(/^\/api\/download\/[A-Za-z0-9_-]{43}$/);
    const ok = await get(server.port, url, { host });
    expect(ok.status).toBe(200);
    expect(ok.aborted).toBe(false);
    expect(ok.body.equals(content)).toBe(true);
    expect(ok.headers['content-disposition']).toContain(`filename="report q1.txt"`);
    // One use only; a made-up ticket is refused; a foreign Host is refused before the ticket is looked at.
    expect((await get(server.port, url, { host })).status).toBe(404);
    expect((await get(server.port, '/api/download/nope', { host })).status).toBe(404);
    const link2 = (await studio.api.invoke('cas.downloadLink', { digest: put.digest }, origin)) as { value: { url: string } };
    expect((await get(server.port, link2.value.url, { host: 'evil.example' })).status).toBe(403);

    // Corrupt the object on disk, same length: the download stops short of Content-Length.
    const blob = path.join(th.home, 'cas', 'sha256', put.digest.slice(7));
    const bad = Buffer.from(content);
    bad[bad.length - 1] = 0x21;
    fs.writeFileSync(blob, bad);
    const link3 = (await studio.api.invoke('cas.downloadLink', { digest: put.digest }, origin)) as { value: { url: string } };
    const broken = await get(server.port, link3.value.url, { host });
    expect(broken.status).toBe(200);
    expect(broken.aborted).toBe(true);
    expect(broken.body.length).toBeLessThan(content.length);
    // The single-object check the page runs first names the problem.
    const check = await studio.api.invoke('cas.check', { digest: put.digest }, origin);
    expect(check).toMatchObject({ ok: false, error: { code: 'CORRUPT' } });
    // Electron's save dialog path is refused in browser mode, with the reason.
    expect(await studio.api.invoke('cas.saveAs', { digest: put.digest }, origin)).toMatchObject({ ok: false, error: { code: 'UNSUPPORTED' } });
  });

  it('Electron: saves to the path from the dialog through a temp file, and writes nothing when corrupt or canceled', async () => {
    const th = tempHome();
    const out = path.join(th.home, '..', 'out');
    fs.mkdirSync(out);
    let answer: string | null = path.join(out, 'saved.txt');
    const studio = createStudio(openEngine({ env: th.env() }), { mode: 'electron', version: 'test', pickSavePath: async () => answer }, { syncer: false, schedule: false });
    running.push({ server: { close: async () => undefined } as WebServer, studio });
    const origin = { scope: 't', requestId: 'r' };
    const put = await studio.engine.cas.put(Buffer.from('save me\n'));
    expect(await studio.api.invoke('cas.saveAs', { digest: put.digest }, origin)).toMatchObject({ ok: true, value: { saved: true, size_bytes: 8 } });
    expect(fs.readFileSync(path.join(out, 'saved.txt'), 'utf8')).toBe('save me\n');
    answer = null;
    expect(await studio.api.invoke('cas.saveAs', { digest: put.digest }, origin)).toMatchObject({ ok: true, value: { saved: false, path: null } });
    answer = path.join(out, 'corrupt.txt');
    fs.writeFileSync(path.join(th.home, 'cas', 'sha256', put.digest.slice(7)), 'save m3\n');
    expect(await studio.api.invoke('cas.saveAs', { digest: put.digest }, origin)).toMatchObject({ ok: false, error: { code: 'CORRUPT' } });
    expect(fs.readdirSync(out)).toEqual(['saved.txt']);
    expect(await studio.api.invoke('cas.downloadLink', { digest: put.digest }, origin)).toMatchObject({ ok: false, error: { code: 'UNSUPPORTED' } });
  });
});

describe('export of the Events view’s filter', () => {
  it('browser mode: streams every matching row once per ticket, refuses a bad filter up front, and cuts a failing export short', async () => {
    const th = tempHome();
    const studio = createStudio(openEngine({ env: th.env() }), { mode: 'browser', version: 'test' }, { syncer: false, schedule: false });
    const server = await startWebServer(studio, { rendererDir: path.join(th.home, 'none') });
    running.push({ server, studio });
    bulkInsertSeed(studio.engine.stores.get('EVENTS'), { count: 2500, endMs: Date.parse('2026-11-27T00:00:00Z'), spanMs: 86_400_000, seed: 4 });
    const host = `127.0.0.1:${server.port}`;
    const origin = { scope: 't', requestId: 'r' };

    const link = (await studio.api.invoke('events.exportLink', { filter: { status: 'ok' }, format: 'csv' }, origin)) as { ok: true; value: { url: string; name: string } };
    expect(link.ok).toBe(true);
    expect(link.value.name).toMatch(/^foxctl-events-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.csv$/);
    const ok = await get(server.port, link.value.url, { host });
    expect(ok.status).toBe(200);
    expect(ok.aborted).toBe(false);
    expect(ok.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(ok.headers['content-disposition']).toContain(`filename="${link.value.name}"`);
    const lines = ok.body.toString('utf8').trimEnd().split('\r\n');
    expect(lines[0]!.startsWith('id,span_id,trace_id,')).toBe(true);
    expect(lines.length - 1).toBe(await studio.engine.events.count({ status: 'ok' }));
    expect((await get(server.port, link.value.url, { host })).status).toBe(404);

    expect(await studio.api.invoke('events.exportLink', { filter: { since: 'last tuesday' }, format: 'json' }, origin)).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(await studio.api.invoke('events.saveExport', { format: 'json' }, origin)).toMatchObject({ ok: false, error: { code: 'UNSUPPORTED' } });

    // An opened events.db closed before the download runs: the download starts, then breaks.
    const file = path.join(th.home, '..', 'other-events.db');
    await studio.engine.stores.get('EVENTS').backup(file);
    const opened = (await studio.api.invoke('events.open', { path: file }, origin)) as { ok: true; value: { source: string } };
    expect(opened.ok).toBe(true);
    const broken = (await studio.api.invoke('events.exportLink', { format: 'ndjson', source: opened.value.source }, origin)) as { ok: true; value: { url: string } };
    await studio.api.invoke('events.close', { source: opened.value.source }, origin);
    const cut = await get(server.port, broken.value.url, { host });
    expect(cut.status).toBe(200);
    expect(cut.aborted).toBe(true);
  });

  it('Electron: writes the file the dialog names as a job, and nothing when the dialog is dismissed', async () => {
    const th = tempHome();
    const out = path.join(th.home, '..', 'exports');
    fs.mkdirSync(out);
    let answer: string | null = path.join(out, 'slowest.json');
    const studio = createStudio(openEngine({ env: th.env() }), { mode: 'electron', version: 'test', pickSavePath: async () => answer }, { syncer: false, schedule: false });
    running.push({ server: { close: async () => undefined } as WebServer, studio });
    bulkInsertSeed(studio.engine.stores.get('EVENTS'), { count: 1200, endMs: Date.parse('2026-11-27T00:00:00Z'), spanMs: 86_400_000, seed: 4 });
    const origin = { scope: 't', requestId: 'r' };
    const r = (await studio.api.invoke('events.saveExport', { format: 'json', sort: 'duration' }, origin)) as { ok: true; value: { saved: boolean; jobId: string; path: string } };
    expect(r).toMatchObject({ ok: true, value: { saved: true, path: answer } });
    for (let i = 0; i < 200 && studio.engine.jobs.get(r.value.jobId)?.state !== 'ok'; i++) await new Promise((res) => setTimeout(res, 25));
    expect(studio.engine.jobs.get(r.value.jobId)).toMatchObject({ state: 'ok', progress: { done: 1200, total: 1200, unit: 'rows' } });
    const rows = JSON.parse(fs.readFileSync(answer, 'utf8')) as { duration_ms: number | null }[];
    expect(rows).toHaveLength(1200);
    expect(rows[0]!.duration_ms).toBe(Math.max(...rows.map((x) => x.duration_ms ?? -1)));
    answer = null;
    expect(await studio.api.invoke('events.saveExport', { format: 'csv' }, origin)).toMatchObject({ ok: true, value: { saved: false, jobId: null } });
    expect(fs.readdirSync(out)).toEqual(['slowest.json']);
    expect(await studio.api.invoke('events.exportLink', { format: 'csv' }, origin)).toMatchObject({ ok: false, error: { code: 'UNSUPPORTED' } });
  });
});
