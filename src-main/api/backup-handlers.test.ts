import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { accountsOf, seedHome } from '../engine/backup/test-fixtures.js';
import { openSqlite } from '../engine/db/sqlite.js';
import { openEngine, type Engine } from '../engine/engine.js';
import { tempHome } from '../test/temp-home.js';
import { ApiDispatcher } from './dispatch.js';
import { createHandlers } from './handlers.js';

const origin = { scope: 'test', requestId: 'r1' };

/** Waits (bounded) for a job to end and returns its final info. */
async function settled(engine: Engine, id: string) {
  for (let i = 0; i < 400; i++) {
    const j = engine.jobs.get(id);
    if (j.state === 'ok' || j.state === 'error' || j.state === 'canceled') return j;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`job ${id} did not end`);
}

function value<T>(res: { ok: boolean; value?: unknown; error?: unknown }): T {
  expect(res.ok, JSON.stringify(res.error)).toBe(true);
  return res.value as T;
}

describe('backups.* handlers', () => {
  it('create, info, verify, dry-run and real restore, rehearse, prune and delete through the contract, each with its CLI line', async () => {
    const th = tempHome();
    const { storage } = seedHome(th);
    const engine = openEngine({ env: th.env() });
    const api = new ApiDispatcher(createHandlers(engine, { mode: 'browser', version: 'test' }));
    try {
      const created = value<{ jobId: string; cli: string }>(await api.invoke('backups.create', { name: 'b1', format: 'tar', components: ['databases', 'memory'] }, origin));
      expect(created.cli).toBe('foxctl backup create --name b1 --format tar --components databases memory');
      expect((await settled(engine, created.jobId)).state).toBe('ok');

      const info = value<{ name: string; stores: string[]; restore_plan: { path: string; action: string }[]; cli: string }>(await api.invoke('backups.info', { name: 'b1' }, origin));
      expect(info.stores).toContain('MEMORY');
      expect(info.restore_plan.find((f) => f.path === 'storage/memory.db')?.action).toBe('would-skip');
      expect(info.cli).toBe('foxctl backup info b1');

      const verify = value<{ jobId: string; cli: string }>(await api.invoke('backups.verify', { name: 'b1' }, origin));
      const verified = await settled(engine, verify.jobId);
      expect(verified.result).toMatchObject({ ok: true, archive_problems: [] });
      expect((verified.result as { files: { status: string }[] }).files.every((f) => f.status === 'ok')).toBe(true);
      const all = value<{ jobId: string; cli: string }>(await api.invoke('backups.verifyAll', {}, origin));
      expect(all.cli).toBe('foxctl backup verify --all');
      expect((await settled(engine, all.jobId)).result).toMatchObject({ ok: true, verified: 1, passed: 1, failed: [], backups: [{ name: 'b1', format: 'tar', outcome: 'ok' }] });

      // Change MEMORY after the backup, then plan and run a restore of that one store.
      const memory = path.join(storage, 'memory.db');
      engine.stores.closeFile(memory);
      const db = openSqlite(memory);
      db.exec('DELETE FROM accounts WHERE id > 5');
      db.close();
      expect(accountsOf(memory).count).toBe(5);

      const dry = value<{ plan: { dry_run: boolean; files: { path: string; action: string }[] }; cli: string }>(
        await api.invoke('backups.restore', { name: 'b1', stores: ['MEMORY'], force: true, dryRun: true }, origin),
      );
      expect(dry.plan.dry_run).toBe(true);
      expect(dry.plan.files.map((f) => [f.path, f.action])).toEqual([['storage/memory.db', 'would-replace']]);
      expect(dry.cli).toBe('foxctl backup restore b1 --store MEMORY --force --dry-run');
      expect(accountsOf(memory).count).toBe(5);

      const real = value<{ jobId: string; plan: null }>(await api.invoke('backups.restore', { name: 'b1', stores: ['MEMORY'], force: true }, origin));
      expect(real.plan).toBeNull();
      const restored = await settled(engine, real.jobId);
      expect(restored.state).toBe('ok');
      const result = restored.result as { replaced: number; safety_backup: { name: string } | null };
      expect(result.replaced).toBe(1);
      expect(result.safety_backup?.name).toBeTruthy();
      expect(accountsOf(memory).count).toBe(20);

      const rehearse = value<{ jobId: string }>(await api.invoke('backups.rehearse', { name: 'b1' }, origin));
      const rehearsed = await settled(engine, rehearse.jobId);
      expect(rehearsed.result).toMatchObject({ ok: true });

      const preview = value<{ dry_run: boolean; deleted: { name: string }[]; kept: { name: string }[]; safety: string[]; cli: string }>(
        await api.invoke('backups.prune', { keepLast: 1, dryRun: true }, origin),
      );
      expect(preview.dry_run).toBe(true);
      // The restore's safety backup is kept apart: it does not take b1's place.
      expect(preview.deleted).toHaveLength(0);
      expect(preview.kept.map((b) => b.name).sort()).toEqual([result.safety_backup!.name, 'b1'].sort());
      expect(preview.safety).toEqual([result.safety_backup!.name]);
      expect(preview.cli).toBe('foxctl backup prune --keep-last 1 --dry-run');
      expect(value<unknown[]>(await api.invoke('backups.list', {}, origin))).toHaveLength(2);

      const deleted = value<{ name: string; cli: string }>(await api.invoke('backups.delete', { name: 'b1' }, origin));
      expect(deleted).toMatchObject({ name: 'b1', cli: 'foxctl backup delete b1' });
      expect(value<{ name: string }[]>(await api.invoke('backups.list', {}, origin)).map((b) => b.name)).not.toContain('b1');
    } finally {
      await engine.close();
    }
  }, 60_000);

  it('snapshots through the contract: format, added vs referenced bytes, repoStats, calendar prune', async () => {
    const th = tempHome();
    seedHome(th);
    const engine = openEngine({ env: th.env() });
    const api = new ApiDispatcher(createHandlers(engine, { mode: 'browser', version: 'test' }));
    try {
      expect(value<{ exists: boolean; size: number }>(await api.invoke('backups.repoStats', {}, origin))).toMatchObject({ exists: false, size: 0 });
      const created = value<{ jobId: string; cli: string }>(await api.invoke('backups.create', { name: 's1', format: 'snapshot' }, origin));
      expect(created.cli).toBe('foxctl backup create --name s1 --format snapshot');
      expect((await settled(engine, created.jobId)).state).toBe('ok');
      const again = value<{ jobId: string }>(await api.invoke('backups.create', { name: 's2', format: 'snapshot' }, origin));
      expect((await settled(engine, again.jobId)).state).toBe('ok');
      const list = value<{ name: string; format: string; added_bytes: number; referenced_bytes: number }[]>(await api.invoke('backups.list', {}, origin));
      expect(list.map((b) => [b.name, b.format])).toEqual([
        ['s2', 'snapshot'],
        ['s1', 'snapshot'],
      ]);
      expect(list[0]!.added_bytes).toBeLessThan(list[1]!.added_bytes);
      const stats = value<{ exists: boolean; snapshots: number; size: number; referenced_bytes: number }>(await api.invoke('backups.repoStats', {}, origin));
      expect(stats).toMatchObject({ exists: true, snapshots: 2, referenced_bytes: list[0]!.referenced_bytes + list[1]!.referenced_bytes });
      // Two snapshots of one home cost less than one uncompressed copy.
      expect(stats.size).toBeLessThan(list[0]!.referenced_bytes);
      const preview = value<{ deleted: { name: string }[]; repository: { deleted_snapshots: string[] } | null; cli: string }>(
        await api.invoke('backups.prune', { keepDaily: 1, dryRun: true }, origin),
      );
      expect(preview).toMatchObject({ deleted: [{ name: 's1' }], repository: { deleted_snapshots: ['s1'] }, cli: 'foxctl backup prune --keep-daily 1 --dry-run' });
      expect(value<{ format: string }>(await api.invoke('backups.delete', { name: 's1' }, origin)).format).toBe('snapshot');
    } finally {
      await engine.close();
    }
  }, 60_000);

  it('names snapshot:NAME when an archive has the same name, and a dry run counts rows now and in the backup', async () => {
    const th = tempHome();
    const { storage } = seedHome(th);
    const engine = openEngine({ env: th.env() });
    const api = new ApiDispatcher(createHandlers(engine, { mode: 'browser', version: 'test' }));
    try {
      const created = value<{ jobId: string }>(await api.invoke('backups.create', { name: 'both', format: 'snapshot' }, origin));
      expect((await settled(engine, created.jobId)).state).toBe('ok');
      // An export beside the snapshot: "both" now names two backups.
      await engine.backups.export('both', { out: `${path.join(th.home, 'backups')}/` }).done;
      expect(await api.invoke('backups.info', { name: 'both' }, origin)).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
      expect(value<{ format: string }>(await api.invoke('backups.info', { name: 'snapshot:both' }, origin)).format).toBe('snapshot');
      const memory = path.join(storage, 'memory.db');
      engine.stores.closeFile(memory);
      const db = openSqlite(memory);
      db.exec('DELETE FROM accounts WHERE id > 5');
      db.close();
      const dry = value<{ plan: { files: { path: string; action: string; rows?: { now: number | null; backup: number | null } }[] } }>(
        await api.invoke('backups.restore', { name: 'snapshot:both', stores: ['MEMORY'], force: true, dryRun: true, countRows: true }, origin),
      );
      const rows = dry.plan.files.find((f) => f.path === 'storage/memory.db')?.rows;
      expect(rows?.backup).not.toBeNull();
      expect(rows!.backup! - rows!.now!).toBe(15);
    } finally {
      await engine.close();
    }
  }, 60_000);

  it('refuses bad input by name with INVALID_INPUT, and a missing backup with NOT_FOUND', async () => {
    const engine = openEngine({ env: tempHome().env() });
    const api = new ApiDispatcher(createHandlers(engine, { mode: 'browser', version: 'test' }));
    try {
      for (const [name, input, needle] of [
        ['backups.info', { name: '../etc/passwd' }, 'name'],
        ['backups.verify', { name: 'a/b' }, 'name'],
        ['backups.restore', { name: 'b', components: ['photos'] }, 'components'],
        ['backups.restore', { name: 'b', stores: ['MEM ORY'] }, 'stores'],
        ['backups.restore', { name: 'b', target: '/tmp/x' }, 'target'],
        ['backups.delete', { name: '..' }, 'name'],
        ['backups.prune', {}, 'keepLast'],
        ['backups.prune', { olderThan: 'soon' }, 'olderThan'],
        ['backups.prune', { keepLast: -1 }, 'keepLast'],
      ] as const) {
        const res = await api.invoke(name, input, origin);
        expect(res, `${name} ${JSON.stringify(input)}`).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
        if (!res.ok) expect(res.error.message).toContain(needle);
      }
      const missing = await api.invoke('backups.info', { name: 'nope' }, origin);
      expect(missing).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
      if (!missing.ok) expect(missing.error.message).toContain('nope');
      expect(await api.invoke('backups.verify', { name: 'nope' }, origin)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
      expect(engine.jobs.active()).toEqual([]);
    } finally {
      await engine.close();
    }
  });
});
