// The nightly backup pushes to the backup bucket when asked (s3rver, real archives), records a
// failed push without calling the backup bad, and makes up a night missed while no studio ran.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { seedHome } from '../engine/backup/test-fixtures.js';
import { openRemoteBackups } from '../engine/backup/remote.js';
import { openEngine, type Engine } from '../engine/engine.js';
import { S3RVER_CREDENTIALS, startS3rver } from '../test/s3rver.js';
import { tempHome } from '../test/temp-home.js';
import { BackupScheduler } from './backup-schedule.js';
import { runNotice } from './schedule-time.js';

const s3 = await startS3rver('nightly-push');
afterAll(() => s3.stop());

function clockAt(start: string): { now: () => Date; set(iso: string): void } {
  let t = new Date(start);
  return { now: () => t, set: (iso) => (t = new Date(iso)) };
}

/** A new engine on the same home, as a restarted app has: it reads config.yaml again. */
async function reopen(e: Engine, th: ReturnType<typeof tempHome>): Promise<Engine> {
  await e.close();
  return openEngine({ env: th.env() });
}

describe('nightly backup: push and catch-up', () => {
  let engine: Engine | undefined;
  afterEach(async () => {
    await engine?.close();
    engine = undefined;
  });

  it('pushes each nightly backup when asked; the bucket then lists it', async () => {
    const th = tempHome();
    seedHome(th);
    const [key, secret] = [S3RVER_CREDENTIALS.accessKeyId, S3RVER_CREDENTIALS.secretAccessKey];
    engine = openEngine({
      env: th.env({ FOXCTL_CAS_S3_BUCKET: s3.bucket, FOXCTL_CAS_S3_ENDPOINT: s3.endpoint, FOXCTL_CAS_S3_FORCE_PATH_STYLE: 'true', AWS_ACCESS_KEY_ID: key, AWS_SECRET_ACCESS_KEY: secret, FOXCTL_BACKUP_S3_PREFIX: 'nightly/' }),
    });
    const clock = clockAt('2026-03-10T12:00:00Z');
    const s = new BackupScheduler(engine, { now: clock.now, save: async () => undefined });
    const st = await s.update({ enabled: true, time: '02:00', zone: 'utc', keep: 3, push: true });
    expect(st.cli).toContain('foxctl backup push nightly-');
    clock.set('2026-03-11T02:00:00Z');
    const run = await s.tick();
    expect(run).toMatchObject({ state: 'ok', backup: 'nightly-20260311-020000', push: { state: 'ok', error: null } });
    expect(run!.push!.bytes).toBeGreaterThan(0);
    const remote = openRemoteBackups(engine.config, { credentials: S3RVER_CREDENTIALS });
    try {
      expect((await remote.list()).map((b) => b.name)).toContain('nightly-20260311-020000');
    } finally {
      remote.close();
    }
  });

  it('a push that fails is recorded on the run; the backup itself is kept and stays ok', async () => {
    const th = tempHome();
    seedHome(th);
    engine = openEngine({ env: th.env() }); // No bucket is configured.
    const clock = clockAt('2026-03-10T12:00:00Z');
    const s = new BackupScheduler(engine, { now: clock.now, save: async () => undefined });
    await s.update({ enabled: true, time: '02:00', zone: 'utc', keep: 3, push: true });
    clock.set('2026-03-11T02:00:00Z');
    const told: unknown[] = [];
    s.onRun((r) => told.push(runNotice(r)));
    const run = await s.tick();
    expect(run?.state).toBe('ok');
    expect(run?.push?.state).toBe('error');
    // The desktop notification says the push failed, naming why.
    await expect.poll(() => told.length).toBe(1);
    expect(told[0]).toMatchObject({ title: 'Nightly backup not pushed', body: expect.stringMatching(/bucket/i) });
    expect(run?.push?.error?.message).toMatch(/bucket/i);
    expect((await engine.backups.list()).map((b) => b.name)).toContain('nightly-20260311-020000');
  });

  it('makes up a night missed while the app was closed, once, and never before the first run', async () => {
    const th = tempHome();
    seedHome(th);
    engine = openEngine({ env: th.env() });
    const clock = clockAt('2026-03-10T12:00:00Z');
    // Settings are saved in config.yaml: the schedulers started later read them from there.
    const first = new BackupScheduler(engine, { now: clock.now });
    await first.update({ enabled: true, time: '02:00', zone: 'utc', keep: 5 });
    // Turned on in the afternoon: nothing to make up yet.
    expect(await first.catchUp()).toBeNull();
    clock.set('2026-03-11T02:00:00Z');
    expect((await first.tick())?.state).toBe('ok');
    // The app is closed for two nights and started again on the 13th at 09:30.
    clock.set('2026-03-13T09:30:00Z');
    engine = await reopen(engine, th);
    const later = new BackupScheduler(engine, { now: clock.now });
    const made = await later.catchUp();
    expect(made).toMatchObject({ state: 'ok', backup: 'nightly-20260313-093000', caught_up: true });
    // Made up once: a second start the same morning does nothing.
    expect(await new BackupScheduler(engine, { now: clock.now }).catchUp()).toBeNull();
    // Tonight's run is still planned at its time.
    expect((await later.status()).next_run).toBe('2026-03-14T02:00:00.000Z');
  });
});
