// Cancelling a running job from the Jobs panel stops it and leaves nothing half-written.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { expect, test } from './fixtures.js';
import { JobsPage } from './pages/jobs-page.js';

test.describe('a CAS upload', () => {
  test('shows live progress, and Cancel stops it with no object and no temp file left', async ({ app, studio }, testInfo) => {
    testInfo.skip(testInfo.project.name === 'electron', 'a streamed upload is browser mode; Electron streams from a path');
    const s = studio!;
    const jobs = await new JobsPage(app).open();
    // The test is the slow client: it sends 4 MiB of a declared 64 MiB and then waits, so the
    // job is surely running when Cancel is clicked (no sleep in product code, no race).
    const size = 64 * 1024 * 1024;
    const upload = http.request({
      host: '127.0.0.1',
      port: s.port,
      path: `/api/upload/cas.put?name=big-upload.bin&size=${size}`,
      method: 'POST',
      headers: { host: `127.0.0.1:${s.port}`, 'x-foxctl-token': s.token, 'content-length': String(size) },
    });
    const answered = new Promise<{ jobId: string; body: Promise<string> }>((resolve, reject) => {
      upload.on('response', (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        resolve({ jobId: res.headers['x-foxctl-job'] as string, body: new Promise((r) => res.on('end', () => r(text))) });
      });
      upload.on('error', reject);
    });
    upload.write(Buffer.alloc(4 * 1024 * 1024, 0x5a));
    const { jobId, body } = await answered;

    const row = jobs.running(jobId);
    await expect(row).toContainText('cas put big-upload.bin');
    // 4 MiB of 64 MiB: the last update of the burst arrives even though no more bytes follow.
    await expect(row.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '6');
    await expect(row).toContainText('4.0 MB of 64.0 MB');
    await app.screenshotBothThemes('jobs-running');
    await jobs.cancelButton(jobId).click();

    await expect(jobs.finished(jobId)).toHaveAttribute('data-state', 'canceled');
    expect(JSON.parse(await body)).toMatchObject({ ok: false, error: { code: 'CANCELED' } });
    upload.destroy();
    const tmp = path.join(app.home, 'cas', 'tmp');
    expect(fs.existsSync(tmp) ? fs.readdirSync(tmp) : []).toEqual([]);
    expect(await app.call('cas.stats', {})).toMatchObject({ ok: true, value: { objects: 0, bytes: 0 } });
    await app.screenshotBothThemes('jobs-canceled');
  });
});

test.describe('a backup', () => {
  test.use({ seed: 'big' });
  // Seeding 128 MiB of real data takes a while on a busy 2-core machine.
  test.setTimeout(120_000);

  test('canceled from the Jobs panel leaves no archive and no staging files', async ({ app }) => {
    const backupsDir = path.join(app.home, 'backups');
    const before = fs.readdirSync(backupsDir).sort();
    const jobs = await new JobsPage(app).open();

    const started = await app.call('backups.create', { name: 'to-cancel' });
    expect(started.ok, JSON.stringify(started.error)).toBe(true);
    const jobId = (started.value as { jobId: string }).jobId;
    // Cancel as soon as it shows: a backup of 128 MiB takes seconds, a click well under one.
    await jobs.cancelButton(jobId).click();

    await expect(jobs.finished(jobId)).toHaveAttribute('data-state', 'canceled', { timeout: 20_000 });
    await expect(jobs.running(jobId)).toHaveCount(0);
    // Nothing half-written: the backups dir holds what it held before (no staging dir, no
    // archive) but the snapshot repository, which holds no snapshot: the packs written before the
    // cancel stay unreferenced until a prune.
    expect(fs.readdirSync(backupsDir).filter((f) => f !== 'repository').sort()).toEqual(before.filter((f) => f !== 'repository'));
    const snapshots = path.join(backupsDir, 'repository', 'snapshots');
    expect(fs.existsSync(snapshots) ? fs.readdirSync(snapshots) : []).toEqual([]);
    const listed = await app.call('backups.list', {});
    expect((listed.value as { name: string }[]).map((b) => b.name)).not.toContain('to-cancel');
  });
});
