import { describe, expect, it } from 'vitest';
import { snapshotRepoRoot } from '../engine/backup/backup-source.js';
import { createSnapshotFromPlan } from '../engine/backup/repo/create-snapshot.js';
import { collectSources } from '../engine/backup/sources.js';
import { seedHome } from '../engine/backup/test-fixtures.js';
import { COMPONENTS } from '../engine/backup/types.js';
import { openEngine } from '../engine/engine.js';
import { tempHome } from '../test/temp-home.js';
import { ApiDispatcher } from './dispatch.js';
import { createHandlers } from './handlers.js';

const origin = { scope: 'test', requestId: 'r1' };

describe('backups.browse* handlers', () => {
  it('list the stores, tables and a page of rows of a snapshot through the contract, with the CLI line; bad input is refused', async () => {
    const th = tempHome();
    seedHome(th);
    const config = th.config();
    await createSnapshotFromPlan(config, collectSources(config, [...COMPONENTS], false), 'snap', snapshotRepoRoot(config), {}, { unreadable: 'problem' });
    const engine = openEngine({ env: th.env() });
    const api = new ApiDispatcher(createHandlers(engine, { mode: 'browser', version: 'test' }));
    try {
      const b = await api.invoke('backups.browse', { name: 'snap' }, origin);
      expect(b).toMatchObject({ ok: true, value: { format: 'snapshot', cli: 'foxctl backup browse snap' } });
      const t = await api.invoke('backups.browseTables', { name: 'snap', store: 'MEMORY' }, origin);
      expect(t).toMatchObject({ ok: true, value: { path: 'storage/memory.db', tables: [expect.objectContaining({ name: 'accounts', rows: 20 })] } });
      const r = await api.invoke('backups.browseRows', { name: 'snap', store: 'MEMORY', table: 'accounts', offset: 10, limit: 4 }, origin);
      expect(r.ok).toBe(true);
      const page = (r as { value: { rows: unknown[][]; truncated: boolean; cli: string } }).value;
      expect(page.rows.map((x) => x[0])).toEqual([11, 12, 13, 14]);
      expect(page.truncated).toBe(true);
      expect(page.cli).toBe('foxctl backup browse snap MEMORY accounts --limit 4 --offset 10');
      expect(await api.invoke('backups.browseRows', { name: 'snap', store: '../x', table: 'accounts', offset: 0, limit: 4 }, origin)).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
      expect(await api.invoke('backups.browseTables', { name: 'nope', store: 'MEMORY' }, origin)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    } finally {
      await engine.close();
    }
  });
});
