import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FoxError } from '../engine/errors.js';
import { openEngine } from '../engine/engine.js';
import { tempHome } from '../test/temp-home.js';
import { ApiDispatcher } from './dispatch.js';
import { createHandlers, type Handlers } from './handlers.js';

const origin = { scope: 'test', requestId: 'r1' };

/** Real handlers over a real engine, with some replaced to exercise the dispatcher's rules. */
function dispatcherWith(overrides: Partial<Handlers>): { api: ApiDispatcher; close: () => Promise<void> } {
  const engine = openEngine({ env: tempHome().env() });
  const api = new ApiDispatcher({ ...createHandlers(engine, { mode: 'browser', version: 'test' }), ...overrides });
  return { api, close: () => engine.close() };
}

describe('ApiDispatcher', () => {
  it('refuses an unknown call with INVALID_INPUT naming it', async () => {
    const { api, close } = dispatcherWith({});
    const res = await api.invoke('fs.readFile', {}, origin);
    expect(res).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    if (!res.ok) expect(res.error.message).toContain('"fs.readFile"');
    // Prototype keys are not calls either.
    expect((await api.invoke('constructor', {}, origin)).ok).toBe(false);
    expect((await api.invoke('__proto__', {}, origin)).ok).toBe(false);
    await close();
  });

  it('validates input with the contract: wrong types, extra keys, out-of-range values', async () => {
    const { api, close } = dispatcherWith({});
    for (const [input, field] of [
      [{ limit: 'ten' }, 'limit'],
      [{ limit: 0 }, 'limit'],
      [{ limit: 501 }, 'limit'],
      [{ state: 'exploded' }, 'state'],
      [{ sql: 'DROP TABLE studio_jobs' }, 'sql'],
    ] as const) {
      const res = await api.invoke('jobs.list', input, origin);
      expect(res.ok, JSON.stringify(input)).toBe(false);
      if (!res.ok) {
        expect(res.error.code).toBe('INVALID_INPUT');
        expect(res.error.message).toContain(field);
      }
    }
    expect((await api.invoke('jobs.list', 'not an object', origin)).ok).toBe(false);
    expect((await api.invoke('jobs.list', { limit: 3 }, origin)).ok).toBe(true);
    // No input at all is an empty object.
    expect((await api.invoke('jobs.list', undefined, origin)).ok).toBe(true);
    await close();
  });

  it('passes a FoxError through by code and message, without stack or cause', async () => {
    const { api, close } = dispatcherWith({
      'stores.list': async () => {
        throw new FoxError('CORRUPT', 'memory.db is not a SQLite database', { subject: 'store MEMORY', cause: new Error('secret detail') });
      },
    });
    const res = await api.invoke('stores.list', {}, origin);
    expect(res).toEqual({ ok: false, error: { code: 'CORRUPT', message: 'memory.db is not a SQLite database' } });
    await close();
  });

  it('translates a native error (errno) into its code', async () => {
    const { api, close } = dispatcherWith({
      'stores.list': async () => {
        throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
      },
    });
    const res = await api.invoke('stores.list', {}, origin);
    expect(res).toMatchObject({ ok: false, error: { code: 'IO' } });
    await close();
  });

  it('refuses an output the contract does not declare (IO), and strips undeclared fields', async () => {
    const { api, close } = dispatcherWith({
      'jobs.cancel': async () => ({ canceled: 'yes' }) as never,
      'syncer.syncNow': async () => ({ jobId: 'x', secret: 'hunter2' }) as never,
    });
    const bad = await api.invoke('jobs.cancel', { id: '01ARZ3NDEKTSV4RRFFQ69G5FAV' }, origin);
    expect(bad).toMatchObject({ ok: false, error: { code: 'IO' } });
    const stripped = await api.invoke('syncer.syncNow', {}, origin);
    expect(stripped).toEqual({ ok: true, value: { jobId: 'x' } });
    await close();
  });

  it('cancels a request by id: the handler sees its signal abort and the call ends CANCELED', async () => {
    let sawAbort = false;
    const { api, close } = dispatcherWith({
      'overview.get': (_input, { signal }) =>
        new Promise((_resolve, reject) => {
          signal.addEventListener('abort', () => {
            sawAbort = true;
            reject(signal.reason);
          });
        }),
    });
    const pending = api.invoke('overview.get', {}, { scope: 'w1', requestId: 'slow' });
    expect(api.requests.size).toBe(1);
    // Another scope cannot cancel it.
    expect(api.cancel('w2', 'slow')).toBe(false);
    expect(api.cancel('w1', 'slow')).toBe(true);
    expect(await pending).toMatchObject({ ok: false, error: { code: 'CANCELED' } });
    expect(sawAbort).toBe(true);
    expect(api.requests.size).toBe(0);
    expect(api.cancel('w1', 'slow')).toBe(false);
    await close();
  });

  it('refuses a request id already in flight (CONFLICT) and cancels a whole scope', async () => {
    const { api, close } = dispatcherWith({
      'overview.get': (_input, { signal }) => new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
    });
    const first = api.invoke('overview.get', {}, { scope: 'w', requestId: 'same' });
    const second = await api.invoke('overview.get', {}, { scope: 'w', requestId: 'same' });
    expect(second).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(api.requests.cancelScope('w')).toBe(1);
    expect(await first).toMatchObject({ ok: false, error: { code: 'CANCELED' } });
    await close();
  });
});

describe('handlers over a real engine', () => {
  it('lists stores, jobs and config; a started backup is a job that jobs.cancel stops', async () => {
    const home = tempHome();
    const engine = openEngine({ env: home.env() });
    const api = new ApiDispatcher(createHandlers(engine, { mode: 'browser', version: 'test' }));
    try {
      const db = engine.stores.get('MEMORY');
      db.exec('CREATE TABLE t (x BLOB)');
      const ins = db.prepare('INSERT INTO t VALUES (?)');
      for (let i = 0; i < 16; i++) ins.run(Buffer.alloc(1 << 20, i));

      const stores = await api.invoke('stores.list', {}, origin);
      expect(stores.ok).toBe(true);
      const memory = (stores as { value: { name: string; exists: boolean; size_bytes: number }[] }).value.find((s) => s.name === 'MEMORY');
      expect(memory?.exists).toBe(true);
      expect(memory?.size_bytes).toBeGreaterThan(15 << 20);

      const config = await api.invoke('config.show', {}, origin);
      expect(config).toMatchObject({ ok: true, value: { home: home.home } });

      const started = await api.invoke('backups.create', { name: 'cancel-me' }, origin);
      expect(started.ok).toBe(true);
      const jobId = (started as { value: { jobId: string } }).value.jobId;
      expect(await api.invoke('jobs.cancel', { id: jobId }, origin)).toEqual({ ok: true, value: { canceled: true } });
      // Wait for the job to settle through the engine, then check what the bridge reports.
      for (let i = 0; i < 200 && engine.jobs.active().length > 0; i++) await new Promise((r) => setTimeout(r, 25));
      const job = await api.invoke('jobs.get', { id: jobId }, origin);
      expect(job).toMatchObject({ ok: true, value: { state: 'canceled', error: { code: 'CANCELED' } } });
      const backups = await api.invoke('backups.list', {}, origin);
      expect(backups).toEqual({ ok: true, value: [] });
      expect(await api.invoke('jobs.cancel', { id: jobId }, origin)).toEqual({ ok: true, value: { canceled: false } });
    } finally {
      await engine.close();
    }
  });

  it('refuses a backup name that is not a plain name before any job starts', async () => {
    const engine = openEngine({ env: tempHome().env() });
    const api = new ApiDispatcher(createHandlers(engine, { mode: 'browser', version: 'test' }));
    for (const name of ['../escape', 'a b', '', '.hidden']) {
      const res = await api.invoke('backups.create', { name }, origin);
      expect(res, name).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    }
    expect(engine.jobs.active()).toEqual([]);
    await engine.close();
  });
});

describe('cas.putPath', () => {
  it('streams a local file into the CAS as a job in Electron, and is refused in browser mode', async () => {
    const home = tempHome();
    const engine = openEngine({ env: home.env() });
    try {
      const file = `${home.home}/dropped.txt`;
      fs.writeFileSync(file, 'hello from a dropped file\n');
      const desktop = new ApiDispatcher(createHandlers(engine, { mode: 'electron', version: 'test' }));
      const started = await desktop.invoke('cas.putPath', { path: file, tags: ['dropped'] }, origin);
      expect(started.ok).toBe(true);
      const jobId = (started as { value: { jobId: string } }).value.jobId;
      for (let i = 0; i < 200 && engine.jobs.active().length > 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(engine.jobs.get(jobId)).toMatchObject({ state: 'ok', title: 'cas put dropped.txt', result: { tags: ['dropped', 'name:dropped.txt'], existed: false } });
      expect(await desktop.invoke('cas.stats', {}, origin)).toMatchObject({ ok: true, value: { objects: 1, backend: 'file' } });

      expect(await desktop.invoke('cas.putPath', { path: 'relative.txt' }, origin)).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
      expect(await desktop.invoke('cas.putPath', { path: `${home.home}/missing.txt` }, origin)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
      expect(await desktop.invoke('cas.putPath', { path: home.home }, origin)).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });

      const browser = new ApiDispatcher(createHandlers(engine, { mode: 'browser', version: 'test' }));
      expect(await browser.invoke('cas.putPath', { path: file }, origin)).toMatchObject({ ok: false, error: { code: 'UNSUPPORTED' } });
    } finally {
      await engine.close();
    }
  });
});
