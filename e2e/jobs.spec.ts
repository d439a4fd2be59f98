// Cancelling a running job from the Jobs panel stops it and leaves nothing half-written.
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from './fixtures.js';
import { JobsPage } from './pages/jobs-page.js';

test.use({ seed: 'big' });
// Seeding 192 MiB of real data and backing it up takes a while on a busy 2-core machine.
test.setTimeout(120_000);

test('cancel a running backup from the Jobs panel: canceled, no archive, no staging left', async ({ app }) => {
  const backupsDir = path.join(app.home, 'backups');
  const before = fs.readdirSync(backupsDir).sort();
  const jobs = await new JobsPage(app).open();

  const started = await app.call('backups.create', { name: 'to-cancel' });
  expect(started.ok, JSON.stringify(started.error)).toBe(true);
  const jobId = (started.value as { jobId: string }).jobId;

  const row = jobs.running(jobId);
  await expect(row).toBeVisible();
  // Wait until it has really done some work (progress moved), then cancel it.
  await expect(row.getByRole('progressbar')).toHaveAttribute('aria-valuenow', /^[1-9]\d*$/, { timeout: 20_000 });
  await app.screenshotBothThemes('jobs-running');
  await jobs.cancelButton(jobId).click();

  await expect(jobs.finished(jobId)).toHaveAttribute('data-state', 'canceled', { timeout: 20_000 });
  await expect(jobs.running(jobId)).toHaveCount(0);
  await app.screenshotBothThemes('jobs-canceled');

  // Nothing half-written: the backups dir holds exactly what it held before.
  expect(fs.readdirSync(backupsDir).sort()).toEqual(before);
  const listed = await app.call('backups.list', {});
  expect((listed.value as { name: string }[]).map((b) => b.name)).not.toContain('to-cancel');
});
