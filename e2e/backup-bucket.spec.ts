// The Backups view's bucket (s3rver): push a backup with progress, see it in the bucket, pull it
// back after deleting it here; without a bucket the panel says which settings are missing.
import path from 'node:path';
import { startS3rver, S3RVER_CREDENTIALS, type TestS3 } from '../src-main/test/s3rver.js';
import { expect, test } from './fixtures.js';
import { BackupsPage } from './pages/backups-page.js';
import { ARTIFACTS } from './support/env.js';

test.describe('Backups: the backup bucket', () => {
  test('without a bucket the panel names the settings to set', async ({ app }) => {
    const backups = await new BackupsPage(app).open();
    await expect(backups.bucket().getByTestId('bucket-not-configured')).toContainText('FOXCTL_BACKUP_S3_BUCKET');
  });
});

test.describe('Backups: push and pull with a bucket', () => {
  let s3: TestS3;
  const saved: Record<string, string | undefined> = {};
  const env = (): Record<string, string> => ({
    FOXCTL_CAS_S3_BUCKET: s3.bucket,
    FOXCTL_CAS_S3_ENDPOINT: s3.endpoint,
    FOXCTL_CAS_S3_FORCE_PATH_STYLE: 'true',
    AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
  });
  // The studio process inherits this worker's environment: the bucket is set for the tests here only.
  test.beforeAll(async () => {
    s3 = await startS3rver('studio-bucket');
    for (const [k, v] of Object.entries(env())) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
  });
  test.afterAll(async () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await s3?.stop();
  });

  test('push a backup, delete it here, pull it back: the list and the bucket agree at each step', async ({ app }) => {
    test.setTimeout(120_000);
    const backups = await new BackupsPage(app).open();
    await expect(backups.bucket().getByTestId('bucket-empty')).toBeVisible();
    // Keyboard: Push is an item of the row's menu, reached and chosen without the mouse.
    await backups.rowMenu('seeded').focus();
    await app.page.keyboard.press('Enter');
    await expect(backups.row('seeded').getByRole('menuitem', { name: 'Test restore' })).toBeFocused();
    await app.page.keyboard.press('ArrowDown');
    await app.page.keyboard.press('ArrowDown');
    await expect(backups.row('seeded').getByRole('menuitem', { name: 'Push to the bucket' })).toBeFocused();
    await app.page.keyboard.press('Enter');
    await expect(backups.rowMenu('seeded')).toBeFocused();
    await expect(backups.action('push').getByTestId('transfer-result')).toContainText('Pushed seeded', { timeout: 60_000 });
    await expect(backups.remoteRow('seeded')).toContainText('In this home');
    await expect(backups.remoteRow('seeded')).toHaveAttribute('data-format', 'tar');

    await backups.rowMenuItem('seeded', 'Delete…');
    await backups.dialog().getByTestId('confirm-delete').click();
    await expect(backups.row('seeded')).toHaveCount(0);
    await backups.remoteRow('seeded').getByRole('button', { name: 'Pull seeded into this home' }).click();
    await expect(backups.action('pull').getByTestId('transfer-result')).toContainText('Pulled seeded', { timeout: 60_000 });
    await expect(backups.row('seeded')).toBeVisible();
    await expect(backups.remoteRow('seeded')).toContainText('In this home');
    // Looked at by eye: the bucket panel at both window sizes (e2e/artifacts/, ignored by git).
    for (const [width, height] of [
      [1400, 900],
      [1024, 700],
    ] as const) {
      await app.page.setViewportSize({ width, height });
      await backups.bucket().scrollIntoViewIfNeeded();
      await app.page.screenshot({ path: path.join(ARTIFACTS, `${app.mode}-backup-bucket-${width}x${height}.png`), animations: 'disabled' });
    }
  });
});
