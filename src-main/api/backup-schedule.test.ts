import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { makeDamagedDb, seedHome } from '../engine/backup/test-fixtures.js';
import { openEngine, type Engine } from '../engine/engine.js';
import { tempHome } from '../test/temp-home.js';
import { BackupScheduler } from './backup-schedule.js';
import { isScheduledName, nextRunAt, parseTimeOfDay, scheduledBackupName } from './schedule-time.js';

const savedTz = process.env.TZ;
afterEach(() => {
  // Node re-reads TZ when it changes: tests that set it put it back.
  if (savedTz === undefined) delete process.env.TZ;
  else process.env.TZ = savedTz;
});

describe('nextRunAt', () => {
  it('runs later today when the time is still ahead, else tomorrow (UTC, across midnight and month ends)', () => {
    expect(nextRunAt(new Date('2026-03-10T01:00:00Z'), '02:00', 'utc').toISOString()).toBe('2026-03-10T02:00:00.000Z');
    expect(nextRunAt(new Date('2026-03-10T02:00:00Z'), '02:00', 'utc').toISOString()).toBe('2026-03-11T02:00:00.000Z');
    expect(nextRunAt(new Date('2026-03-10T23:59:30Z'), '00:00', 'utc').toISOString()).toBe('2026-03-11T00:00:00.000Z');
    expect(nextRunAt(new Date('2026-12-31T23:30:00Z'), '00:15', 'utc').toISOString()).toBe('2027-01-01T00:15:00.000Z');
    expect(nextRunAt(new Date('2028-02-28T03:00:00Z'), '02:00', 'utc').toISOString()).toBe('2028-02-29T02:00:00.000Z');
  });

  it('reads the wall clock of the local zone, keeping it across DST changes', () => {
    process.env.TZ = 'Europe/Berlin';
    // Berlin is UTC+1 in winter: 02:00 local is 01:00Z.
    expect(nextRunAt(new Date('2026-01-15T12:00:00Z'), '02:00', 'local').toISOString()).toBe('2026-01-16T01:00:00.000Z');
    // The night of 28-29 March 2026 is spring forward: 23:00 stays 23:00 local (21:00Z after the change).
    expect(nextRunAt(new Date('2026-03-28T22:30:00Z'), '23:00', 'local').toISOString()).toBe('2026-03-29T21:00:00.000Z');
    // 02:30 does not exist on 29 March in Berlin: it runs when the clock has jumped past it (03:30 CEST = 01:30Z).
    const gap = nextRunAt(new Date('2026-03-28T23:30:00Z'), '02:30', 'local');
    expect(gap.getTime()).toBeGreaterThan(new Date('2026-03-28T23:30:00Z').getTime());
    expect(gap.toISOString()).toBe('2026-03-29T01:30:00.000Z');
    // Fall back (25 October 2026): 02:00 local, a day of 25 hours.
    expect(nextRunAt(new Date('2026-10-24T12:00:00Z'), '02:00', 'local').toISOString()).toBe('2026-10-25T00:00:00.000Z');
    expect(nextRunAt(new Date('2026-10-25T12:00:00Z'), '02:00', 'local').toISOString()).toBe('2026-10-26T01:00:00.000Z');
  });

  it('refuses a time that is not HH:MM, naming it', () => {
    expect(() => parseTimeOfDay('24:00')).toThrow(/backup.schedule.time must be a time of day HH:MM.*"24:00"/);
    expect(() => parseTimeOfDay('2am')).toThrow(/"2am"/);
    expect(parseTimeOfDay('7:05')).toEqual({ hours: 7, minutes: 5 });
  });

  it('names scheduled backups so that retention recognizes only them', () => {
    expect(scheduledBackupName(new Date('2026-03-10T02:00:05Z'), 'utc')).toBe('nightly-20260310-020005');
    expect(isScheduledName('nightly-20260310-020005')).toBe(true);
    expect(isScheduledName('nightly')).toBe(false);
    expect(isScheduledName('2026-03-10_020005')).toBe(false);
  });
});

/** A clock the test moves by hand. */
function manualClock(start: string): { now: () => Date; set(iso: string): void } {
  let t = new Date(start);
  return { now: () => t, set: (iso) => (t = new Date(iso)) };
}

describe('BackupScheduler (injected clock, real engine and archives)', () => {
  let engine: Engine | undefined;
  afterEach(async () => {
    await engine?.close();
    engine = undefined;
  });

  it('persists its settings in config.yaml, keeping the file’s comments and other keys', async () => {
    const th = tempHome();
    const file = path.join(th.home, 'config.yaml');
    fs.writeFileSync(file, '# my settings\ninline_output_kb: 64\n');
    engine = openEngine({ env: th.env() });
    const clock = manualClock('2026-03-10T12:00:00Z');
    const s = new BackupScheduler(engine, { now: clock.now });
    expect((await s.status()).enabled).toBe(false);
    const st = await s.update({ enabled: true, time: '3:30', zone: 'utc', keep: 2 });
    expect(st).toMatchObject({ enabled: true, time: '03:30', zone: 'utc', keep: 2, next_run: '2026-03-11T03:30:00.000Z', env_overrides: [] });
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toContain('# my settings');
    expect(parseDocument(text).toJS()).toMatchObject({ inline_output_kb: 64, backup: { schedule: { enabled: true, time: '03:30', zone: 'utc', keep: 2 } } });
    // A new engine on the same home (the next start of the app) reads them back.
    await engine.close();
    engine = openEngine({ env: th.env() });
    const again = await new BackupScheduler(engine, { now: clock.now }).status();
    expect(again).toMatchObject({ enabled: true, time: '03:30', zone: 'utc', keep: 2, next_run: '2026-03-11T03:30:00.000Z' });
    // Bad input is refused and nothing is written.
    const before = fs.readFileSync(file, 'utf8');
    await expect(s.update({ time: '25:00' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(s.update({ keep: 0 })).rejects.toThrow(/backup.schedule.keep must be a whole number from 1/);
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
  });

  it('says when an env variable decides a setting', async () => {
    const th = tempHome();
    engine = openEngine({ env: th.env({ FOXCTL_BACKUP_SCHEDULE_TIME: '04:00' }) });
    const s = new BackupScheduler(engine, { now: manualClock('2026-03-10T12:00:00Z').now });
    const st = await s.update({ enabled: true, time: '01:00', zone: 'utc' });
    expect(st.env_overrides).toEqual([{ key: 'backup.schedule.time', variable: 'FOXCTL_BACKUP_SCHEDULE_TIME' }]);
    expect(st.time).toBe('04:00');
    expect(st.next_run).toBe('2026-03-11T04:00:00.000Z');
  });

  it('runs a due backup, prunes older scheduled backups to keep N, leaves other backups alone, and records the run', async () => {
    const th = tempHome();
    seedHome(th);
    engine = openEngine({ env: th.env() });
    const manual = engine.backups.create({ name: 'by-hand' });
    await manual.done;
    const clock = manualClock('2026-03-10T12:00:00Z');
    const s = new BackupScheduler(engine, { now: clock.now, save: async () => undefined });
    await s.update({ enabled: true, time: '02:00', zone: 'utc', keep: 2 });
    // Not due yet: nothing happens.
    clock.set('2026-03-11T01:59:59Z');
    expect(await s.tick()).toBeNull();
    // Three nights in a row, each at its time.
    const runs = [];
    for (const day of ['11', '12', '13']) {
      clock.set(`2026-03-${day}T02:00:00Z`);
      const run = await s.tick();
      expect(run, `night of the ${day}`).not.toBeNull();
      expect(run).toMatchObject({ state: 'ok', backup: `nightly-202603${day}-020000`, error: null });
      runs.push(run!);
      // Once run, the next one is tomorrow's.
      expect(await s.tick()).toBeNull();
    }
    expect(runs[0]!.pruned).toEqual([]);
    expect(runs[2]!.pruned).toEqual(['nightly-20260311-020000']);
    const names = (await engine.backups.list()).map((b) => b.name).sort();
    expect(names).toEqual(['by-hand', 'nightly-20260312-020000', 'nightly-20260313-020000']);
    expect(fs.existsSync(path.join(engine.config.backupsDir, 'backup_nightly-20260311-020000.tar.gz'))).toBe(false);
    const st = await s.status();
    expect(st.last_run).toMatchObject({ state: 'ok', backup: 'nightly-20260313-020000' });
    expect(st.next_run).toBe('2026-03-14T02:00:00.000Z');
    // After a restart the last run comes from jobs.db.
    const fresh = await new BackupScheduler(engine, { now: clock.now }).status();
    expect(fresh.last_run).toMatchObject({ state: 'ok', backup: 'nightly-20260313-020000', job_id: runs[2]!.job_id });
  });

  it('nightly keep-N never counts a backup with problems: all newer ones have problems -> the older clean one survives keep 1', async () => {
    const th = tempHome();
    seedHome(th);
    engine = openEngine({ env: th.env() });
    const clock = manualClock('2026-03-10T12:00:00Z');
    const s = new BackupScheduler(engine, { now: clock.now, save: async () => undefined });
    await s.update({ enabled: true, time: '02:00', zone: 'utc', keep: 1 });
    clock.set('2026-03-11T02:00:00Z');
    expect(await s.tick()).toMatchObject({ state: 'ok', backup: 'nightly-20260311-020000', pruned: [] });
    const traj = path.join(th.home, 'storage', 'trajectory.db');
    makeDamagedDb(traj);
    for (const day of ['12', '13']) {
      clock.set(`2026-03-${day}T02:00:00Z`);
      expect(await s.tick(), `night of the ${day}`).toMatchObject({ state: 'completed_with_problems', backup: `nightly-202603${day}-020000`, pruned: [] });
    }
    expect((await engine.backups.list()).map((b) => [b.name, b.clean])).toEqual([
      ['nightly-20260313-020000', false],
      ['nightly-20260312-020000', false],
      ['nightly-20260311-020000', true],
    ]);
    // After a restart the last run's problems come back from jobs.db.
    expect((await new BackupScheduler(engine, { now: clock.now }).status()).last_run).toMatchObject({ state: 'completed_with_problems', backup: 'nightly-20260313-020000' });
    // Repaired: the next clean night takes the one place, and the older ones go.
    fs.rmSync(traj);
    clock.set('2026-03-14T02:00:00Z');
    expect(await s.tick()).toMatchObject({ state: 'ok', pruned: ['nightly-20260313-020000', 'nightly-20260312-020000', 'nightly-20260311-020000'] });
  }, 60_000);

  it('records a failed run with its error and tries again the next night', async () => {
    const th = tempHome();
    seedHome(th);
    engine = openEngine({ env: th.env() });
    const clock = manualClock('2026-03-10T12:00:00Z');
    const s = new BackupScheduler(engine, { now: clock.now, save: async () => undefined });
    await s.update({ enabled: true, time: '02:00', zone: 'utc', keep: 3 });
    // The backups directory is a file: the backup cannot be written.
    fs.writeFileSync(engine.config.backupsDir, 'not a directory');
    clock.set('2026-03-11T02:00:00Z');
    const run = await s.tick();
    expect(run?.state).toBe('error');
    expect(run?.error?.message).toBeTruthy();
    expect((await s.status()).next_run).toBe('2026-03-12T02:00:00.000Z');
  });

  it('reports a bad time in config.yaml instead of failing to start, and runs nothing', async () => {
    const th = tempHome();
    fs.writeFileSync(path.join(th.home, 'config.yaml'), 'backup:\n  schedule:\n    enabled: true\n    time: "25:99"\n');
    engine = openEngine({ env: th.env() });
    const clock = manualClock('2026-03-10T12:00:00Z');
    const s = new BackupScheduler(engine, { now: clock.now });
    const st = await s.status();
    expect(st.next_run).toBeNull();
    expect(st.problem).toMatch(/backup.schedule.time must be a time of day HH:MM.*"25:99"/);
    clock.set('2026-03-11T02:00:00Z');
    expect(await s.tick()).toBeNull();
    // Saving a good time clears it.
    expect(await s.update({ time: '02:00', zone: 'utc' })).toMatchObject({ problem: null, next_run: '2026-03-12T02:00:00.000Z' });
  });

  it('does nothing while disabled', async () => {
    const th = tempHome();
    engine = openEngine({ env: th.env() });
    const clock = manualClock('2026-03-10T12:00:00Z');
    const s = new BackupScheduler(engine, { now: clock.now });
    clock.set('2026-03-11T02:00:00Z');
    expect(await s.tick()).toBeNull();
    expect((await s.status()).next_run).toBeNull();
  });
});
