// Verify all (issue #16/#18): every archive and snapshot re-hashed as one job, from the Backups
// view by keyboard alone; a byte flipped in one archive is named, and the others still verify.
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from './fixtures.js';
import { BackupsPage } from './pages/backups-page.js';
import { tabTo } from './support/keyboard.js';

test('Verify all by keyboard: every backup verified, then a flipped byte in one archive is named and the snapshot still verifies', async ({ app }) => {
  test.setTimeout(120_000);
  const page = app.page;
  const backups = await new BackupsPage(app).open();
  await expect(backups.row('seeded')).toBeVisible();
  const verifyAll = backups.root.getByTestId('verify-all');

  // A snapshot beside the seeded tar archive.
  await tabTo(page, backups.backUpNow());
  await page.keyboard.press('Enter');
  await expect(backups.live()).toHaveText(/^Backup \S+ created\.$/, { timeout: 30_000 });
  await expect(backups.rows()).toHaveCount(2, { timeout: 15_000 });
  const snapshot = (await backups.rows().first().getAttribute('data-backup'))!;
  expect(snapshot).not.toBe('seeded');

  // Both verify; the focus stays on the button, the live region says how it ended.
  await tabTo(page, verifyAll);
  await page.keyboard.press('Enter');
  await expect(verifyAll).toBeFocused();
  await expect(backups.live()).toHaveText('Verify of every backup: all 2 verified.', { timeout: 60_000 });
  const first = backups.root.getByTestId('verify-all-results').first();
  await expect(first).toHaveAttribute('data-ok', 'true');
  await expect(first.locator('tr[data-outcome="ok"]')).toHaveCount(2);
  await expect(verifyAll).toBeFocused();

  // One byte flipped in the middle of the seeded archive.
  const archive = path.join(app.home, 'backups', 'backup_seeded.tar.gz');
  const bytes = fs.readFileSync(archive);
  const at = Math.floor(bytes.length / 2);
  bytes[at] = bytes[at]! ^ 0xff;
  fs.writeFileSync(archive, bytes);

  await page.keyboard.press('Enter');
  await expect(backups.live()).toHaveText('Verify of every backup: 1 damaged (seeded).', { timeout: 60_000 });
  const second = backups.root.getByTestId('verify-all-results').first();
  await expect(second).toHaveAttribute('data-ok', 'false');
  await expect(second).toContainText('1 of 2 backups damaged: seeded');
  await expect(second.locator('tr[data-verified-backup="seeded"]')).toHaveAttribute('data-outcome', 'failed');
  await expect(second.locator(`tr[data-verified-backup="${snapshot}"]`)).toHaveAttribute('data-outcome', 'ok');
  // The list shows the damage recorded by the run.
  await expect(backups.row('seeded')).toContainText(/damaged/i, { timeout: 15_000 });
  await app.screenshotBothThemes('backups-verify-all');
  await page.setViewportSize({ width: 1024, height: 700 });
  await app.screenshotBothThemes('backups-verify-all-1024');
});
