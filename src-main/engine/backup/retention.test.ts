import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Engine } from '../engine.js';
import { tempHome } from '../../test/temp-home.js';
import { planRetention } from './retention.js';
import { engineOf, makeDamagedDb, readEntries, seedHome, writeEntries } from './test-fixtures.js';
import type { BackupSummary } from './types.js';

let engine: Engine | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

const DAY = 24 * 3600_000;
const NOW = Date.parse('2026-06-30T12:00:00Z');

/** A listed backup `daysAgo` old, clean or not. */
function b(name: string, daysAgo: number, status: BackupSummary['status'] = 'ok', verified: BackupSummary['verified'] = null): BackupSummary {
  const clean = verified?.ok !== false && (status === 'ok' || (status === 'unchecked' && verified?.ok === true));
  return {
    name, format: 'tar', file: `backup_${name}.tar.gz`, path: `/b/backup_${name}.tar.gz`, created_at: new Date(NOW - daysAgo * DAY).toISOString(), size: 10, added_bytes: 10, referenced_bytes: 10, components: ['databases'],
    stores: [], skipped_stores: [], files: 1, total_size: 10, go_format: false, status, problems: [], verified, clean, ...(status === 'damaged' ? { problem: 'truncated' } : {}),
  };
}
const names = (l: BackupSummary[]): string[] => l.map((x) => x.name);

describe('planRetention', () => {
  it('counts only clean backups toward keepLast; newer ones with problems are kept, not counted; older ones go', () => {
    const list = [b('p3', 0, 'completed_with_problems'), b('c2', 1), b('p2', 2, 'completed_with_problems'), b('c1', 3), b('p1', 4, 'completed_with_problems'), b('c0', 5)];
    const plan = planRetention(list, { keepLast: 2 }, NOW);
    expect(names(plan.kept)).toEqual(['p3', 'c2', 'p2', 'c1']);
    expect(plan.not_counted).toEqual(['p3', 'p2']);
    expect(names(plan.deleted)).toEqual(['p1', 'c0']);
    expect(plan.protected).toBeNull();
  });

  it('keeps safety backups apart: they fill no place, the rules never delete them, only an age rule does', () => {
    const list = [b('pre-restore-20260630-110000', 0), b('c2', 1), b('pre-restore-20260620-110000', 10), b('c1', 12), b('c0', 14)];
    const plan = planRetention(list, { keepLast: 2 }, NOW);
    // The newest safety copy neither takes c2's or c1's place nor stands in as the newest clean backup.
    expect(names(plan.kept)).toEqual(['pre-restore-20260630-110000', 'c2', 'pre-restore-20260620-110000', 'c1']);
    expect(names(plan.deleted)).toEqual(['c0']);
    expect(plan.safety).toEqual(['pre-restore-20260630-110000', 'pre-restore-20260620-110000']);
    // An age rule is the only one that removes them.
    const aged = planRetention(list, { keepLast: 2, olderThanMs: 5 * DAY }, NOW);
    expect(names(aged.deleted)).toEqual(['pre-restore-20260620-110000', 'c0']);
    expect(aged.safety).toEqual(['pre-restore-20260630-110000']);
  });

  it('all newer backups have problems: the older clean one survives keep-last 1', () => {
    const list = [b('p3', 0, 'completed_with_problems'), b('dmg', 1, 'damaged'), b('vfail', 2, 'ok', { at: '2026-06-29T00:00:00Z', ok: false }), b('clean', 3), b('older', 4)];
    const plan = planRetention(list, { keepLast: 1 }, NOW);
    expect(names(plan.kept)).toEqual(['p3', 'dmg', 'vfail', 'clean']);
    expect(names(plan.deleted)).toEqual(['older']);
  });

  it('never deletes the newest clean backup, whatever the rules say', () => {
    const list = [b('p1', 10, 'completed_with_problems'), b('c1', 20), b('c0', 30)];
    expect(planRetention(list, { olderThanMs: DAY }, NOW)).toMatchObject({ protected: 'c1', deleted: [{ name: 'p1' }, { name: 'c0' }] });
    expect(planRetention(list, { keepLast: 0 }, NOW)).toMatchObject({ protected: 'c1', kept: [{ name: 'c1' }] });
    // No clean backup at all: the newest readable one stands in; a damaged one never does.
    const none = [b('dmg', 1, 'damaged'), b('p1', 2, 'completed_with_problems'), b('p0', 3, 'completed_with_problems')];
    expect(planRetention(none, { olderThanMs: DAY / 2 }, NOW)).toMatchObject({ protected: 'p1', deleted: [{ name: 'dmg' }, { name: 'p0' }] });
  });

  it('unchecked archives (Go, older Studio) count only once a verify passed them', () => {
    const list = [b('go2', 1, 'unchecked'), b('go1', 2, 'unchecked', { at: '2026-06-29T00:00:00Z', ok: true }), b('go0', 3, 'unchecked')];
    const plan = planRetention(list, { keepLast: 1 }, NOW);
    expect(names(plan.kept)).toEqual(['go2', 'go1']);
    expect(plan.not_counted).toEqual(['go2']);
    expect(names(plan.deleted)).toEqual(['go0']);
  });
});

/** A clean (or not) backup at a local time, for the calendar rules (they bucket by local day). */
function at(name: string, y: number, mo: number, d: number, h = 12, status: BackupSummary['status'] = 'ok'): BackupSummary {
  return { ...b(name, 0, status), created_at: new Date(y, mo - 1, d, h).toISOString() };
}

describe('planRetention calendar rules (Kopia keep-daily/weekly/monthly)', () => {
  it('keeps the newest clean backup of each of the last N days, weeks and months that have one', () => {
    // Newest first: two on 2026-06-30, one a day back to 06-26, then one each in earlier weeks/months.
    const list = [
      at('d30b', 2026, 6, 30, 18), at('d30a', 2026, 6, 30, 9), at('d29', 2026, 6, 29), at('d28', 2026, 6, 28), at('d27', 2026, 6, 27), at('d26', 2026, 6, 26),
      at('w-jun17', 2026, 6, 17), at('w-jun10', 2026, 6, 10), at('m-may', 2026, 5, 20), at('m-apr', 2026, 4, 20), at('m-mar', 2026, 3, 20),
    ];
    const NOWL = new Date(2026, 5, 30, 20).getTime();
    expect(names(planRetention(list, { keepDaily: 3 }, NOWL).kept)).toEqual(['d30b', 'd29', 'd28']);
    // ISO weeks: 06-29 (Mon) and 06-30 are W27; 06-26..06-28 are W26; 06-17 W25; 06-10 W24.
    expect(names(planRetention(list, { keepWeekly: 3 }, NOWL).kept)).toEqual(['d30b', 'd28', 'w-jun17']);
    expect(names(planRetention(list, { keepMonthly: 3 }, NOWL).kept)).toEqual(['d30b', 'm-may', 'm-apr']);
    // Rules add up: a backup any rule keeps stays.
    expect(names(planRetention(list, { keepLast: 2, keepDaily: 2, keepMonthly: 4 }, NOWL).kept)).toEqual(['d30b', 'd30a', 'd29', 'm-may', 'm-apr', 'm-mar']);
  });

  it('a backup with problems never stands for its day: the clean one of that day is kept, the bad one only while places are open', () => {
    const list = [at('bad30', 2026, 6, 30, 18, 'completed_with_problems'), at('ok30', 2026, 6, 30, 9), at('bad29', 2026, 6, 29, 18, 'damaged'), at('ok29', 2026, 6, 29, 9), at('ok28', 2026, 6, 28)];
    const plan = planRetention(list, { keepDaily: 2 }, new Date(2026, 5, 30, 20).getTime());
    expect(names(plan.kept)).toEqual(['bad30', 'ok30', 'bad29', 'ok29']);
    expect(plan.not_counted).toEqual(['bad30', 'bad29']);
    expect(names(plan.deleted)).toEqual(['ok28']);
    // keep-daily 0 keeps nothing by rule: only the newest clean backup survives.
    expect(planRetention(list, { keepDaily: 0 }, new Date(2026, 5, 30, 20).getTime())).toMatchObject({ protected: 'ok30', kept: [{ name: 'ok30' }] });
  });

  it('an archive and a snapshot of the same name are two backups', () => {
    const tar = b('same', 1);
    const snap: BackupSummary = { ...b('same', 0), format: 'snapshot' };
    expect(planRetention([snap, tar], { keepLast: 2 }, NOW).kept).toHaveLength(2);
  });
});

describe('backup prune with real archives', () => {
  it('backups with problems never count; a failed verify is recorded and stops a backup counting', async () => {
    const th = tempHome();
    seedHome(th);
    engine = engineOf(th);
    const opts = { components: ['databases'] };
    await engine.backups.create({ format: 'tar', name: 'clean-old', ...opts }).done;
    await engine.backups.create({ format: 'tar', name: 'clean', ...opts }).done;
    const traj = path.join(th.home, 'storage', 'trajectory.db');
    makeDamagedDb(traj);
    await engine.backups.create({ format: 'tar', name: 'hurt1', ...opts }).done;
    await engine.backups.create({ format: 'tar', name: 'hurt2', ...opts }).done;
    const dry = await engine.backups.prune({ keepLast: 1, dryRun: true });
    expect(names(dry.kept)).toEqual(['hurt2', 'hurt1', 'clean']);
    expect(dry.not_counted).toEqual(['hurt2', 'hurt1']);
    expect(names(dry.deleted)).toEqual(['clean-old']);

    // The store is repaired; the newest backup is clean, then a verify finds its archive damaged.
    fs.rmSync(traj);
    const fresh = await engine.backups.create({ format: 'tar', name: 'fresh', ...opts }).done;
    expect(fresh.status).toBe('ok');
    const entries = await readEntries(fresh.path);
    const mem = entries.find((e) => e.header.name === 'storage/memory.db')!;
    mem.data.writeUInt8(mem.data.readUInt8(200) ^ 0xff, 200);
    fs.rmSync(fresh.path);
    await writeEntries(fresh.path, entries);
    const v = await engine.backups.verify('fresh').done;
    expect(v.ok).toBe(false);
    const listed = (await engine.backups.list()).find((x) => x.name === 'fresh')!;
    expect(listed).toMatchObject({ status: 'ok', verified: { ok: false }, clean: false });
    expect(Date.now() - Date.parse(listed.verified!.at)).toBeLessThan(60_000);
    // A new engine (the next start) reads the record back.
    await engine.close();
    engine = engineOf(th);
    const pruned = await engine.backups.prune({ keepLast: 1 });
    expect(names(pruned.kept)).toEqual(['fresh', 'hurt2', 'hurt1', 'clean']);
    expect(pruned.not_counted).toEqual(['fresh', 'hurt2', 'hurt1']);
    expect(names(pruned.deleted)).toEqual(['clean-old']);
    expect(fs.existsSync(path.join(th.home, 'backups', 'backup_clean-old.tar.gz'))).toBe(false);
    // A verify that passes makes a backup count again; deleting a backup forgets its record.
    const good = await engine.backups.verify('clean').done;
    expect(good.ok).toBe(true);
    expect((await engine.backups.list()).find((x) => x.name === 'clean')).toMatchObject({ verified: { ok: true }, clean: true });
    await engine.backups.delete('fresh');
    expect(fs.readdirSync(path.join(th.home, 'backups', '.manifests')).filter((n) => n.includes('fresh'))).toEqual([]);
  }, 60_000);
});
