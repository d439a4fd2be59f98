import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openEngine, type Engine } from '../engine/engine.js';
import { writeGoSqliteCas } from '../test/go-home/cas-place.js';
import { failure, value } from '../test/bridge-result.js';
import { tempHome } from '../test/temp-home.js';
import { ApiDispatcher } from './dispatch.js';
import { createHandlers } from './handlers.js';

const origin = { scope: 'test', requestId: 'r1' };
const open: Engine[] = [];
afterEach(async () => {
  for (const e of open.splice(0)) await e.close();
});

describe('cas.merge', () => {
  it('merges a place of this home and refuses any other path', async () => {
    const h = tempHome();
    const casDb = path.join(h.home, 'storage', 'cas.db');
    writeGoSqliteCas(casDb, [{ content: Buffer.from('from a Go agent') }]);
    const engine = openEngine({ env: h.env() });
    open.push(engine);
    const api = new ApiDispatcher(createHandlers(engine, { mode: 'browser', version: 'test' }));
    const bad = failure(await api.invoke('cas.merge', { from: '/etc', to: 'file' }, origin));
    expect(bad).toMatchObject({ code: 'INVALID_INPUT' });
    expect(bad.message).toMatch(/not a CAS place of this home/);
    expect(failure(await api.invoke('cas.merge', { from: casDb, to: '/tmp/elsewhere' }, origin))).toMatchObject({ code: 'INVALID_INPUT' });
    const started = value<{ jobId: string; cli: string }>(await api.invoke('cas.merge', { from: casDb, to: 'file' }, origin));
    expect(started.cli).toBe(`foxctl cas migrate --from ${casDb} --to file`);
    await new Promise<void>((resolve) => {
      const done = (): boolean => engine.jobs.get(started.jobId).state === 'ok';
      if (done()) return resolve();
      const off = engine.jobs.subscribe(() => done() && (off(), resolve()));
    });
    const locs = value<{ location: string; pending: number | null }[]>(await api.invoke('cas.locations', {}, origin));
    expect(locs.find((l) => l.location === casDb)?.pending).toBe(0);
  });
});
