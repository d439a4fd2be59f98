// Journey 2 by keyboard alone (issue #16): back up, verify, test restore and restore one store
// with keyboard.press / keyboard.type only — no clicks, no focus() — through the dialogs, which
// take focus, keep Tab inside and give focus back to the button that opened them.
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Locator, Page } from '@playwright/test';
import { ARTIFACTS } from './support/env.js';
import { tabTo } from './support/keyboard.js';
import { expect, test } from './fixtures.js';
import { BackupsPage } from './pages/backups-page.js';

/** Presses Tab `n` times and checks after each that the focus is still inside `dialog`. */
async function tabStaysInside(page: Page, dialog: Locator, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await page.keyboard.press(i % 3 === 2 ? 'Shift+Tab' : 'Tab');
    expect(await dialog.evaluate((d) => d.contains(d.ownerDocument.activeElement))).toBe(true);
  }
}

function notesIn(home: string): number {
  const db = new Database(path.join(home, 'storage', 'memory.db'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT count(*) AS c FROM e2e_notes').get() as { c: number }).c;
  } finally {
    db.close();
  }
}

test('keyboard only: back up, verify, test restore, restore one store', async ({ app }) => {
  test.setTimeout(120_000);
  const page = app.page;
  const backups = new BackupsPage(app);
  // To the Backups view through the navigation.
  await tabTo(page, app.navButton('backups'));
  await page.keyboard.press('Enter');
  await expect(app.navButton('backups')).toHaveAttribute('aria-current', 'page');
  await expect(backups.row('seeded')).toBeVisible();

  // Back up now: the focus stays on the button; the live region says how it ended.
  await tabTo(page, backups.backUpNow());
  await page.keyboard.press('Enter');
  await expect(backups.backUpNow()).toBeFocused();
  await expect(backups.live()).toHaveText(/^Backup \S+ created\.$/, { timeout: 30_000 });
  await expect(backups.backUpNow()).toBeFocused();
  await expect(backups.rows()).toHaveCount(2, { timeout: 15_000 });
  const name = (await backups.rows().first().getAttribute('data-backup'))!;
  expect(name).not.toBe('seeded');

  // Verify: a dialog labelled by its title, focus inside, Tab kept inside, Escape gives focus back.
  await tabTo(page, backups.rowButton(name, 'Verify'));
  await page.keyboard.press('Enter');
  const verify = backups.dialog();
  await expect(verify).toHaveAttribute('aria-modal', 'true');
  await expect(page.getByRole('dialog', { name: `Verify ${name}` })).toBeVisible();
  await expect(verify.getByTestId('verify-results')).toHaveAttribute('data-ok', 'true', { timeout: 30_000 });
  await expect(backups.live()).toHaveText(`Verify of ${name}: verified, every file matches.`);
  await tabStaysInside(page, verify, 8);
  await page.keyboard.press('Escape');
  await expect(backups.dialog()).toHaveCount(0);
  await expect(backups.rowButton(name, 'Verify')).toBeFocused();

  // Test restore: in the row's menu (arrow keys), its dialog gives focus back to the menu button.
  await tabTo(page, backups.rowMenu(name));
  await page.keyboard.press('Enter');
  await expect(backups.row(name).getByRole('menuitem', { name: 'Test restore' })).toBeFocused();
  await page.keyboard.press('Enter');
  const rehearse = backups.dialog();
  await expect(rehearse.getByTestId('rehearse-results')).toHaveAttribute('data-ok', 'true', { timeout: 30_000 });
  await expect(backups.live()).toHaveText(`Test restore of ${name} passed.`);
  await page.keyboard.press('Escape');
  await expect(backups.rowMenu(name)).toBeFocused();

  // Another process changes MEMORY after the backup; restore that one store.
  const before = notesIn(app.home);
  const db = new Database(path.join(app.home, 'storage', 'memory.db'));
  db.exec("DELETE FROM e2e_notes WHERE name LIKE 'note-2%'");
  db.close();
  const lost = before - notesIn(app.home);
  expect(lost).toBeGreaterThan(0);

  await tabTo(page, backups.rowButton(name, 'Restore…'), { back: true });
  await page.keyboard.press('Enter');
  const wizard = backups.wizard();
  await expect(page.getByRole('dialog', { name: `Restore ${name}` })).toBeVisible();
  const memory = wizard.getByRole('group', { name: 'Stores' }).getByLabel('MEMORY', { exact: true });
  await tabTo(page, memory);
  await page.keyboard.press('Space');
  await expect(memory).toBeChecked();
  await tabTo(page, wizard.getByTestId('restore-dry-run'));
  await page.keyboard.press('Enter');
  const rows = wizard.getByTestId('restore-rows').locator('tr[data-store="MEMORY"]');
  await expect(rows).toContainText(`+${lost}`, { timeout: 30_000 });
  await expect(wizard.getByTestId('restore-confirm')).toHaveText('Replace MEMORY');
  for (const [width, height] of [
    [1400, 900],
    [1024, 700],
  ] as const) {
    await page.setViewportSize({ width, height });
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.screenshot({ path: path.join(ARTIFACTS, `${app.mode}-backups-keyboard-restore-${width}x${height}-${scheme}.png`), animations: 'disabled' });
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 1280, height: 860 });
  await tabTo(page, wizard.getByTestId('restore-confirm'));
  await page.keyboard.press('Enter');
  await expect(wizard.getByTestId('safety-backup')).toBeVisible({ timeout: 30_000 });
  await expect(backups.live()).toHaveText(new RegExp(`^Restore of ${name} done: 0 created, 1 replaced; safety backup pre-restore-`));
  expect(notesIn(app.home)).toBe(before);
  await page.keyboard.press('Escape');
  await expect(backups.dialog()).toHaveCount(0);
  await expect(backups.rowButton(name, 'Restore…')).toBeFocused();
  // The safety copy is listed, badged.
  await expect(backups.root.locator('tr[data-safety="true"]').getByTestId('safety-badge')).toHaveText('Safety copy', { timeout: 15_000 });
});
