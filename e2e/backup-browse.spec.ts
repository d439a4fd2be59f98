import path from 'node:path';
import Database from 'better-sqlite3';
import { ARTIFACTS } from './support/env.js';
import { expect, test } from './fixtures.js';
import { BackupsPage } from './pages/backups-page.js';

test.describe('Browse a backup', () => {
  test.setTimeout(90_000);

  test('keyboard only: a backup’s stores, a store’s tables, its rows page by page, as they were when it was taken', async ({ app, home }) => {
    // The live store moves on after the backup: Browse shows the backup's 500 notes, not these.
    const live = new Database(path.join(home, 'storage', 'memory.db'));
    live.prepare('INSERT INTO e2e_notes VALUES (?, ?, ?)').run('live-only', 'written after the backup', new Date().toISOString());
    live.close();
    const backups = await new BackupsPage(app).open();
    // Browse is in the row's menu: Enter opens it on its first item, ArrowDown moves to Browse.
    const open = backups.rowMenu('seeded');
    await open.focus();
    await app.page.keyboard.press('Enter');
    await app.page.keyboard.press('ArrowDown');
    await expect(backups.row('seeded').getByTestId('browse-open')).toBeFocused();
    await app.page.keyboard.press('Enter');
    const panel = backups.root.getByTestId('backup-browse');
    await expect(panel).toBeVisible();
    await expect(app.page.locator(':focus')).toHaveText('Browse seeded');
    const memory = panel.getByTestId('browse-stores').locator('button[data-store="MEMORY"]');
    await expect(memory).toBeVisible();
    await memory.focus();
    await app.page.keyboard.press('Enter');
    await expect(memory).toHaveAttribute('aria-pressed', 'true');
    const notes = panel.getByTestId('browse-tables').locator('button[data-table="e2e_notes"]');
    await expect(notes).toContainText('500');
    await notes.focus();
    await app.page.keyboard.press('Enter');
    const rows = panel.getByTestId('browse-rows');
    await expect(panel.getByTestId('browse-range')).toHaveText('rows 1–50 of 500');
    await expect(panel.getByTestId('browse-grid')).toContainText('note-0');
    await expect(panel.getByTestId('browse-grid')).not.toContainText('live-only');
    for (const [width, height] of [
      [1400, 900],
      [1024, 700],
    ] as const) {
      await app.page.setViewportSize({ width, height });
      await app.page.screenshot({ path: path.join(ARTIFACTS, `${app.mode}-backup-browse-${width}x${height}.png`), animations: 'disabled' });
    }
    await app.page.setViewportSize({ width: 1280, height: 860 });
    const next = rows.getByRole('button', { name: 'Next page' });
    await next.focus();
    await app.page.keyboard.press('Enter');
    await expect(panel.getByTestId('browse-range')).toHaveText('rows 51–100 of 500');
    await expect(rows).toHaveAttribute('data-offset', '50');
    await panel.getByTestId('cli-equivalent').locator('summary').click();
    await expect(panel.getByTestId('cli-equivalent')).toContainText('foxctl backup browse seeded storage/memory.db e2e_notes --limit 50 --offset 50');
    await backups.root.getByTestId('browse-close').focus();
    await app.page.keyboard.press('Enter');
    await expect(panel).toBeHidden();
    await expect(open).toBeFocused();
  });
});
