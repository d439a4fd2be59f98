// Browser mode: once the user allows it, a nightly backup that fails shows a desktop
// notification (the Notification API, recorded by a stand-in the page gets before it loads).
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from './fixtures.js';
import { BackupsPage } from './pages/backups-page.js';

test('a failed nightly backup notifies once the user allowed it', async ({ app, home }) => {
  test.skip(app.mode !== 'browser', 'the Electron app notifies from its main process');
  test.setTimeout(120_000);
  const page = app.page;
  // A recording Notification: the permission is asked, and every notification shown is kept.
  await page.evaluate(() => {
    const shown: { title: string; body?: string }[] = [];
    (globalThis as unknown as { shownNotifications: typeof shown }).shownNotifications = shown;
    class Recording {
      static permission = 'default';
      static requestPermission(): Promise<string> {
        Recording.permission = 'granted';
        return Promise.resolve('granted');
      }
      constructor(title: string, opts?: { body?: string }) {
        shown.push({ title, ...(opts?.body ? { body: opts.body } : {}) });
      }
    }
    (globalThis as unknown as { Notification: unknown }).Notification = Recording;
  });
  const backups = await new BackupsPage(app).open();
  await backups.root.getByTestId('schedule-open').click();
  await backups.schedule().getByRole('button', { name: 'Notify me when a nightly backup fails' }).click();
  await expect(backups.schedule().getByTestId('schedule-notify')).toHaveAttribute('data-permission', 'granted');

  // The backups directory becomes a file: tonight's backup cannot be written.
  const dir = path.join(home, 'backups');
  fs.renameSync(dir, `${dir}.moved`);
  fs.writeFileSync(dir, 'not a directory');
  await backups.schedule().getByTestId('schedule-run-now').click();
  await expect.poll(() => page.evaluate(() => (globalThis as unknown as { shownNotifications: { title: string }[] }).shownNotifications.map((n) => n.title)), { timeout: 60_000 }).toEqual(['Nightly backup failed']);
  await expect(backups.schedule().getByTestId('schedule-last-run')).toHaveAttribute('data-state', 'error');
});
