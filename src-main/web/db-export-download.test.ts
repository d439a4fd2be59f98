import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createStudio, type Studio } from '../api/studio.js';
import { openEngine } from '../engine/engine.js';
import { tempHome, type TempHome } from '../test/temp-home.js';
import { startWebServer, type WebServer } from './server.js';

function get(port: number, urlPath: string, host: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string; aborted: boolean }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: urlPath, headers: { host } }, (res) => {
      const chunks: Buffer[] = [];
      let aborted = false;
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('aborted', () => (aborted = true));
      res.on('error', () => (aborted = true));
      res.on('close', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), aborted: aborted || !res.complete }));
    });
    req.on('error', (e) => reject(new Error(`${urlPath}: ${e.message}`)));
  });
}

/** A MEMORY store with a notes table of `n` rows. */
function seedMemory(th: TempHome, n: number): void {
  const dir = path.join(th.home, 'storage');
  fs.mkdirSync(dir, { recursive: true });
  const db = new Database(path.join(dir, 'memory.db'));
  db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, title TEXT, body BLOB)');
  const ins = db.prepare('INSERT INTO notes (id, title, body) VALUES (?, ?, ?)');
  db.transaction(() => {
    for (let i = 1; i <= n; i++) ins.run(i, i % 2 ? `odd, "${i}"` : null, Buffer.from([i % 256]));
  })();
  db.close();
}

const running: { server: WebServer | null; studio: Studio }[] = [];
afterEach(async () => {
  for (const { server, studio } of running.splice(0)) {
    await server?.close();
    await studio.stop();
    await studio.engine.close();
  }
});

describe('Stores export (db.exportLink / db.saveExport)', () => {
  it('browser mode: a checked link that streams the filtered table as a named CSV download, once; a bad filter or a write fails the call', async () => {
    const th = tempHome();
    seedMemory(th, 3000);
    const studio = createStudio(openEngine({ env: th.env() }), { mode: 'browser', version: 'test' }, { syncer: false, schedule: false });
    const server = await startWebServer(studio, { rendererDir: path.join(th.home, 'none') });
    running.push({ server, studio });
    const host = `127.0.0.1:${server.port}`;
    const origin = { scope: 't', requestId: 'r' };
    const link = (await studio.api.invoke('db.exportLink', { store: 'memory', what: { table: 'notes', where: 'id > 2990', sort: { column: 'id', desc: true } }, format: 'csv' }, origin)) as {
      ok: true;
      value: { url: string; name: string; sql: string };
    };
    expect(link).toMatchObject({ ok: true, value: { name: 'memory-notes.csv' } });
    const res = await get(server.port, link.value.url, host);
    expect(res).toMatchObject({ status: 200, aborted: false });
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toContain('filename="memory-notes.csv"');
    expect(res.body.split('\r\n').slice(0, 3)).toEqual(['id,title,body', '3000,,b8', '2999,"odd, ""2999""",b7']);
    expect(res.body.split('\r\n')).toHaveLength(12);
    expect((await get(server.port, link.value.url, host)).status).toBe(404);

    const q = (await studio.api.invoke('db.exportLink', { store: 'MEMORY', what: { sql: 'SELECT id, id FROM notes' }, format: 'json' }, origin)) as { ok: true; value: { url: string; name: string } };
    expect(q.value.name).toBe('memory-query.json');
    const rows = JSON.parse((await get(server.port, q.value.url, host)).body) as { id: number; id_2: number }[];
    expect(rows).toHaveLength(3000);
    expect(rows[2999]).toEqual({ id: 3000, id_2: 3000 });

    expect(await studio.api.invoke('db.exportLink', { store: 'MEMORY', what: { table: 'notes', where: 'nope = 1' }, format: 'csv' }, origin)).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', message: expect.stringMatching(/no such column: nope/) as unknown },
    });
    expect(await studio.api.invoke('db.exportLink', { store: 'MEMORY', what: { sql: 'DROP TABLE notes' }, format: 'csv' }, origin)).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(await studio.api.invoke('db.saveExport', { store: 'MEMORY', what: { table: 'notes' }, format: 'csv' }, origin)).toMatchObject({ ok: false, error: { code: 'UNSUPPORTED' } });
  });

  it('Electron: a job writes the file the dialog names (progress in rows); a dismissed dialog or a cancel leaves no file', async () => {
    const th = tempHome();
    seedMemory(th, 50_000);
    const out = path.join(th.home, '..', 'exports');
    fs.mkdirSync(out);
    let answer: string | null = path.join(out, 'notes.json');
    const studio = createStudio(openEngine({ env: th.env() }), { mode: 'electron', version: 'test', pickSavePath: async () => answer }, { syncer: false, schedule: false });
    running.push({ server: null, studio });
    const origin = { scope: 't', requestId: 'r' };
    const wait = async (id: string): Promise<void> => {
      for (let i = 0; i < 400 && !['ok', 'error', 'canceled'].includes(studio.engine.jobs.get(id)?.state ?? ''); i++) await new Promise((res) => setTimeout(res, 25));
    };
    const r = (await studio.api.invoke('db.saveExport', { store: 'MEMORY', what: { table: 'notes' }, format: 'json' }, origin)) as { ok: true; value: { saved: boolean; jobId: string; path: string } };
    expect(r).toMatchObject({ ok: true, value: { saved: true, path: answer } });
    await wait(r.value.jobId);
    expect(studio.engine.jobs.get(r.value.jobId)).toMatchObject({ state: 'ok', kind: 'db.export', progress: { done: 50_000, unit: 'rows' } });
    expect(JSON.parse(fs.readFileSync(answer, 'utf8'))).toHaveLength(50_000);

    answer = path.join(out, 'cancelled.csv');
    const c = (await studio.api.invoke('db.saveExport', { store: 'MEMORY', what: { table: 'notes' }, format: 'csv' }, origin)) as { ok: true; value: { jobId: string } };
    studio.engine.jobs.cancel(c.value.jobId, 'test');
    await wait(c.value.jobId);
    expect(studio.engine.jobs.get(c.value.jobId)?.state).toBe('canceled');
    answer = null;
    expect(await studio.api.invoke('db.saveExport', { store: 'MEMORY', what: { sql: 'SELECT 1' }, format: 'csv' }, origin)).toMatchObject({ ok: true, value: { saved: false, jobId: null } });
    expect(fs.readdirSync(out)).toEqual(['notes.json']);
    expect(await studio.api.invoke('db.exportLink', { store: 'MEMORY', what: { table: 'notes' }, format: 'csv' }, origin)).toMatchObject({ ok: false, error: { code: 'UNSUPPORTED' } });
  });
});
