import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Backup, Store } from '../../src-preload/contract.js';
import { overviewSchema } from '../../src-preload/contract.js';
import { openEngine } from '../engine/engine.js';
import { tempHome } from '../test/temp-home.js';
import { summarizeBackups } from './areas.js';
import { diskUsage } from './disk-usage.js';
import { buildOverview } from './overview.js';

const store = (name: string, cls: Store['class'], exists: boolean): Store => ({
  name,
  class: cls,
  description: '',
  driver: 'sqlite',
  key: null,
  keyed: false,
  path: `/x/${name}.db`,
  location: `/x/${name}.db`,
  schema: null,
  warning: null,
  exists,
  size_bytes: exists ? 10 : 0,
  wal_bytes: 0,
  schema_version: null,
  backed_up_by_default: true,
  rebuildable: false,
  read_only: false,
  error: null,
});

const backup = (name: string, created: string, stores: string[], problem?: string): Backup => ({
  name,
  format: 'tar',
  added_bytes: 10,
  referenced_bytes: 10,
  file: `backup_${name}.tar.gz`,
  path: `/b/backup_${name}.tar.gz`,
  created_at: created,
  size: 100,
  components: ['databases'],
  stores,
  skipped_stores: [],
  files: stores.length,
  total_size: 100,
  go_format: false,
  status: problem ? 'damaged' : 'ok',
  problems: [],
  verified: null,
  clean: !problem,
  ...(problem ? { problem } : {}),
});

describe('summarizeBackups', () => {
  const stores = [store('MEMORY', 'sync_critical', true), store('TASKS', 'sync_critical', true), store('AGENTS', 'sync_critical', false), store('CACHE', 'local_only', true)];

  it('picks the newest backup and names the sync_critical stores with data it lacks', () => {
    const s = summarizeBackups([backup('old', '2026-01-01T00:00:00Z', ['MEMORY', 'TASKS']), backup('new', '2026-02-01T00:00:00Z', ['MEMORY'])], stores);
    expect(s.newest?.name).toBe('new');
    expect(s.lastClean?.name).toBe('new');
    expect(s.count).toBe(2);
    // TASKS has data and is not in the newest; AGENTS has no file; CACHE is local_only.
    expect(s.missingCritical).toEqual(['TASKS']);
  });

  it('never hides a newest backup that is damaged or has problems behind an older good one', () => {
    const withProblems: Backup = { ...backup('hurt', '2026-02-15T00:00:00Z', ['MEMORY']), status: 'completed_with_problems', clean: false, problems: [{ kind: 'store', store: 'MEMORY', path: 'storage/memory.db', detail: 'PRAGMA quick_check: Page 3: btreeInitPage() returns error code 11' }] };
    const s = summarizeBackups([backup('old', '2026-01-01T00:00:00Z', ['MEMORY', 'TASKS']), withProblems, backup('broken', '2026-03-01T00:00:00Z', [], 'truncated')], stores);
    expect(s.newest?.name).toBe('broken');
    expect(s.lastClean?.name).toBe('old');
    expect(s.count).toBe(2);
    // An unreadable newest says nothing about which stores it holds.
    expect(s.missingCritical).toEqual([]);
    expect(summarizeBackups([backup('old', '2026-01-01T00:00:00Z', ['MEMORY', 'TASKS']), withProblems], stores)).toMatchObject({ newest: { name: 'hurt', status: 'completed_with_problems' }, lastClean: { name: 'old' } });
  });

  it('has no newest and no missing list when there is no backup', () => {
    expect(summarizeBackups([], stores)).toEqual({ count: 0, newest: null, lastClean: null, missingCritical: [] });
  });
});

describe('diskUsage', () => {
  it('sums files under a tree, reports a missing dir as absent, and stops at its bound', async () => {
    const home = tempHome();
    const dir = path.join(home.home, 'cas', 'sha256');
    fs.mkdirSync(dir, { recursive: true });
    for (let i = 0; i < 20; i++) fs.writeFileSync(path.join(dir, `f${i}`), Buffer.alloc(100));
    expect(await diskUsage(path.join(home.home, 'cas'))).toMatchObject({ exists: true, bytes: 2000, files: 20, truncated: false });
    expect(await diskUsage(path.join(home.home, 'nope'))).toMatchObject({ exists: false, bytes: 0, files: 0 });
    const bounded = await diskUsage(path.join(home.home, 'cas'), { maxEntries: 5 });
    expect(bounded.truncated).toBe(true);
    expect(bounded.files).toBeLessThan(20);
    const aborted = new AbortController();
    aborted.abort();
    await expect(diskUsage(path.join(home.home, 'cas'), { signal: aborted.signal })).rejects.toMatchObject({ code: 'CANCELED' });
  });
});

describe('buildOverview', () => {
  it('matches the contract on a fresh home and counts stores by class', async () => {
    const home = tempHome();
    const engine = openEngine({ env: home.env() });
    try {
      engine.stores.get('MEMORY').exec('CREATE TABLE t (x)');
      const o = overviewSchema.parse(await buildOverview(engine));
      expect(o.home).toBe(home.home);
      const critical = o.classes.find((c) => c.class === 'sync_critical')!;
      expect(critical).toMatchObject({ stores: 8, present: 1 });
      expect(critical.bytes).toBeGreaterThan(0);
      expect(o.backups).toEqual({ count: 0, newest: null, lastClean: null, missingCritical: [] });
      expect(o.disk.cas.exists).toBe(false);
      expect(o.syncer.running).toBe(false);
    } finally {
      await engine.close();
    }
  });
});
