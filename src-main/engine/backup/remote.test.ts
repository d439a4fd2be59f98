import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createS3Client } from '../cas/s3-client.js';
import type { Engine } from '../engine.js';
import { openEngine } from '../engine.js';
import { expectCode } from '../cas/conformance.js';
import { S3RVER_CREDENTIALS, startS3rver } from '../../test/s3rver.js';
import { tempHome, type TempHome } from '../../test/temp-home.js';
import { openRemoteBackups, startBackupPull, startBackupPush } from './remote.js';
import { resolveBackupS3Settings } from './remote-settings.js';
import { seedHome } from './test-fixtures.js';

// In-process s3rver: a failure to start fails the suite, never skips it.
const s3 = await startS3rver('backups');
afterAll(() => s3.stop());
const raw = createS3Client(s3.settings());
afterAll(() => raw.destroy());

const overrides = { credentials: S3RVER_CREDENTIALS };
let engine: Engine | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

function open(th: TempHome, extra: Record<string, string> = {}): Engine {
  engine = openEngine({ env: th.env({ FOXCTL_CAS_S3_BUCKET: s3.bucket, FOXCTL_CAS_S3_ENDPOINT: s3.endpoint, FOXCTL_CAS_S3_FORCE_PATH_STYLE: 'true', ...extra }) });
  return engine;
}

describe('backup push / pull / list --remote', () => {
  it('push uploads archive and checksum record; pull brings back the same bytes; both skip identical copies', async () => {
    const th = tempHome();
    seedHome(th);
    const e = open(th, { FOXCTL_BACKUP_S3_PREFIX: 'team-a/backups' });
    const made = await e.backups.create({ format: 'tar', name: 'nightly' }).done;
    const bytes = fs.readFileSync(made.path);
    const progress: number[] = [];
    const pushed = await startBackupPush(e, 'nightly', { overrides, onProgress: (d) => progress.push(d) }).done;
    expect(pushed).toMatchObject({ name: 'nightly', remote: 'team-a/backups/backup_nightly.tar.gz', size: bytes.length, transferred: true });
    expect(progress.at(-1)).toBe(bytes.length);
    const stored = Buffer.from(await (await raw.send(new GetObjectCommand({ Bucket: s3.bucket, Key: pushed.remote }))).Body!.transformToByteArray());
    expect(stored.equals(bytes)).toBe(true);
    expect((await startBackupPush(e, 'nightly', { overrides }).done).transferred).toBe(false);

    const remote = openRemoteBackups(e.config, overrides);
    const listed = await remote.list();
    expect(listed).toEqual([expect.objectContaining({ name: 'nightly', size: bytes.length, sha256: pushed.sha256, components: expect.arrayContaining(['databases']) as unknown })]);
    expect(listed[0]!.created_at).toBeTruthy();

    fs.rmSync(made.path);
    const pulled = await startBackupPull(e, 'nightly', { overrides }).done;
    expect(pulled).toMatchObject({ path: made.path, transferred: true, sha256: pushed.sha256 });
    expect(fs.readFileSync(made.path).equals(bytes)).toBe(true);
    expect((await startBackupPull(e, 'backup_nightly.tar.gz', { overrides }).done).transferred).toBe(false);
    expect((await e.backups.list()).map((b) => b.name)).toEqual(['nightly']);
    remote.close();
  });

  it('a tampered remote archive: pull fails CORRUPT and keeps nothing; conflicts need --force', async () => {
    const th = tempHome();
    seedHome(th);
    const e = open(th, { FOXCTL_BACKUP_S3_PREFIX: 'tamper/' });
    const made = await e.backups.create({ format: 'tar', name: 'weekly' }).done;
    const pushed = await startBackupPush(e, 'weekly', { overrides }).done;
    const bad = fs.readFileSync(made.path);
    bad[Math.floor(bad.length / 2)]! ^= 1;
    await raw.send(new PutObjectCommand({ Bucket: s3.bucket, Key: pushed.remote, Body: bad }));
    fs.rmSync(made.path);
    await expectCode(startBackupPull(e, 'weekly', { overrides }).done, 'CORRUPT', /does not match its record/);
    expect(fs.readdirSync(e.config.backupsDir).filter((f) => f.includes('weekly') || f.endsWith('.foxctl-tmp'))).toEqual([]);
    fs.writeFileSync(made.path, 'other bytes');
    await expectCode(startBackupPush(e, 'weekly', { overrides }).done, 'CONFLICT', /--force/);
    await expectCode(startBackupPull(e, 'weekly', { overrides }).done, 'CONFLICT', /--force/);
    expect(fs.readFileSync(made.path, 'utf8')).toBe('other bytes');
  });

  it('a canceled push leaves neither archive nor record in the bucket, and the local archive as it was', async () => {
    const th = tempHome();
    const e = open(th, { FOXCTL_BACKUP_S3_PREFIX: 'cancel/' });
    fs.mkdirSync(e.config.backupsDir, { recursive: true });
    const file = path.join(e.config.backupsDir, 'backup_big.tar.gz');
    const bytes = randomBytes(24 << 20);
    fs.writeFileSync(file, bytes);
    const controller = new AbortController();
    await expectCode(startBackupPush(e, 'big', { overrides, signal: controller.signal, onProgress: (d) => d > 0 && controller.abort() }).done, 'CANCELED');
    const remote = openRemoteBackups(e.config, overrides);
    expect(await remote.list()).toEqual([]);
    remote.close();
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
  });

  it('clear errors: no bucket, unknown backup, bad name, wrong credentials, server down', async () => {
    const th = tempHome();
    expect(() => resolveBackupS3Settings({})).toThrow(/FOXCTL_BACKUP_S3_BUCKET/);
    expect(resolveBackupS3Settings({ FOXCTL_CAS_S3_BUCKET: 'b1b' })).toMatchObject({ bucket: 'b1b', prefix: 'backups/' });
    expect(resolveBackupS3Settings({ FOXCTL_CAS_S3_BUCKET: 'b1b', FOXCTL_BACKUP_S3_BUCKET: 'b2b', FOXCTL_BACKUP_S3_PREFIX: 'x' })).toMatchObject({ bucket: 'b2b', prefix: 'x/' });
    const e = open(th);
    await expectCode(startBackupPush(e, 'absent', { overrides }).done, 'NOT_FOUND', /no backup "absent"/);
    await expectCode(startBackupPull(e, 'absent', { overrides }).done, 'NOT_FOUND', /no remote backup "absent"/);
    await expectCode(startBackupPull(e, '../etc', { overrides }).done, 'INVALID_INPUT', /invalid backup name/);
    const secret = 'not-the-Secret-5150';
    const denied = (await openRemoteBackups(e.config, { credentials: { accessKeyId: 'NOBODY', secretAccessKey: secret } }).list().catch((x: unknown) => x)) as Error;
    expect(denied).toMatchObject({ code: 'UNAVAILABLE' });
    expect(denied.message).toMatch(/backup bucket.*refused the credentials/);
    expect(`${denied.message}${denied.stack}`).not.toContain(secret);
    const dead = await startS3rver('dead');
    await dead.stop();
    const t0 = Date.now();
    await expectCode(openRemoteBackups(e.config, { ...overrides, endpoint: dead.endpoint, maxAttempts: 2 }).list(), 'UNAVAILABLE', /cannot reach the backup bucket/);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(fs.existsSync(path.join(th.home))).toBe(true);
  });
});
