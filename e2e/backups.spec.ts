import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { makeDamagedDb } from '../src-main/engine/backup/test-fixtures.js';
import { ARTIFACTS } from './support/env.js';
import { expect, test } from './fixtures.js';
import type { AppPage } from './pages/app-page.js';
import { BackupsPage } from './pages/backups-page.js';
import { OverviewPage } from './pages/overview-page.js';

/** Screenshots at the two window sizes we check by eye (e2e/artifacts/, ignored by git). */
async function screenshotSizes(app: AppPage, name: string): Promise<void> {
  for (const [width, height] of [
    [1400, 900],
    [1024, 700],
  ] as const) {
    await app.page.setViewportSize({ width, height });
    await app.page.screenshot({ path: path.join(ARTIFACTS, `${app.mode}-${name}-${width}x${height}.png`), animations: 'disabled' });
  }
  await app.page.setViewportSize({ width: 1280, height: 860 });
}

/** Rows of the seeded MEMORY table, read straight from the file (read-only). */
function notesIn(home: string): number {
  const db = new Database(path.join(home, 'storage', 'memory.db'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT count(*) AS c FROM e2e_notes').get() as { c: number }).c;
  } finally {
    db.close();
  }
}

test.describe('the Backups view', () => {
  test.setTimeout(90_000);

  test('snapshots show what they added against what they hold, and the repository against the homes it holds', async ({ app }) => {
    const backups = await new BackupsPage(app).open();
    await expect(backups.row('seeded').getByTestId('backup-format-badge')).toHaveText('Archive');
    for (const [i, name] of ['snap-1', 'snap-2'].entries()) {
      await backups.root.getByTestId('backup-options').click();
      await expect(backups.dialog()).toHaveAttribute('aria-modal', 'true');
      await expect(backups.root.getByTestId('backup-name')).toBeFocused();
      await backups.root.getByTestId('backup-name').fill(name);
      await backups.root.getByTestId('backup-format').selectOption('snapshot');
      await backups.root.getByTestId('backup-with-options').focus();
      await app.page.keyboard.press('Enter');
      // The dialog closes as the backup starts, and gives focus back to Options….
      await expect(backups.dialog()).toHaveCount(0);
      await expect(backups.root.getByTestId('backup-options')).toBeFocused();
      await expect(backups.action('create').getByTestId('cli-equivalent')).toContainText(`foxctl backup create --name ${name} --format snapshot`);
      await expect(backups.action('create').getByTestId('backup-job-done')).toBeVisible({ timeout: 30_000 });
      await expect(backups.rows()).toHaveCount(2 + i, { timeout: 15_000 });
    }
    const bytes = async (row: string, id: string): Promise<number> => Number(await backups.row(row).getByTestId(id).getAttribute('data-bytes'));
    for (const name of ['snap-1', 'snap-2']) {
      await expect(backups.row(name).getByTestId('backup-format-badge')).toHaveText('Snapshot');
      await expect(backups.row(name).getByTestId('backup-added')).toHaveText(/^\+\d/);
      await expect(backups.row(name).getByTestId('backup-referenced')).toHaveText(/^of \d/);
    }
    // The second snapshot of an unchanged home adds a small part of what the first did.
    expect(await bytes('snap-2', 'backup-added')).toBeLessThan((await bytes('snap-1', 'backup-added')) / 4);
    expect(await bytes('snap-2', 'backup-referenced')).toBe(await bytes('snap-1', 'backup-referenced'));
    const summary = backups.root.getByTestId('repo-summary');
    await expect(summary).toContainText('2 snapshots');
    const repoSize = Number(await summary.getByTestId('repo-size').getAttribute('data-bytes'));
    const held = Number(await summary.getByTestId('repo-referenced').getAttribute('data-bytes'));
    expect(held).toBe(2 * (await bytes('snap-1', 'backup-referenced')));
    expect(repoSize).toBeGreaterThan(0);
    expect(repoSize).toBeLessThan(held);
    await expect(backups.action('create').getByTestId('create-result')).toContainText('Created snapshot snap-2: added');
    // A small laptop: every row's actions on one line, inside the table's card (not clipped).
    await app.page.setViewportSize({ width: 1024, height: 700 });
    const card = await backups.root.getByTestId('backups-table').locator('xpath=ancestor::section[contains(@class,"card")]').boundingBox();
    for (const name of ['snap-1', 'snap-2', 'seeded']) {
      const boxes = await Promise.all([backups.rowButton(name, 'Verify'), backups.rowButton(name, 'Restore…'), backups.rowMenu(name)].map((l) => l.boundingBox()));
      expect(new Set(boxes.map((b) => Math.round(b!.y))).size, `${name}: actions on one line`).toBe(1);
      expect(boxes[2]!.x + boxes[2]!.width, `${name}: the menu button inside the card`).toBeLessThanOrEqual(card!.x + card!.width);
      expect(boxes[0]!.height).toBeLessThan(40);
    }
    // The menu: a menu button, arrow keys move, Escape closes it with focus back on the button.
    await backups.rowMenu('snap-2').focus();
    await expect(backups.rowMenu('snap-2')).toHaveAttribute('aria-haspopup', 'menu');
    await app.page.keyboard.press('ArrowDown');
    await expect(backups.row('snap-2').getByRole('menu')).toBeVisible();
    await expect(backups.row('snap-2').getByRole('menuitem', { name: 'Test restore' })).toBeFocused();
    await app.page.keyboard.press('ArrowDown');
    await expect(backups.row('snap-2').getByRole('menuitem', { name: 'Browse' })).toBeFocused();
    await app.page.keyboard.press('End');
    await expect(backups.row('snap-2').getByRole('menuitem', { name: 'Delete…' })).toBeFocused();
    await app.page.screenshot({ path: path.join(ARTIFACTS, `${app.mode}-backups-row-menu-1024x700.png`), animations: 'disabled' });
    await app.page.keyboard.press('Escape');
    await expect(backups.row('snap-2').getByRole('menu')).toHaveCount(0);
    await expect(backups.rowMenu('snap-2')).toBeFocused();
    await app.page.setViewportSize({ width: 1280, height: 860 });
    await summary.scrollIntoViewIfNeeded();
    await screenshotSizes(app, 'backups-snapshots');
  });

  test('back up now lists the new backup, which verifies and test-restores', async ({ app }) => {
    const backups = await new BackupsPage(app).open();
    await expect(backups.row('seeded')).toBeVisible();
    await expect(backups.root.getByTestId('backup-policy')).toContainText('local-only');
    await backups.root.getByTestId('backup-options').click();
    await app.screenshotBothThemes('backups-options');
    await app.page.keyboard.press('Escape');
    await expect(backups.dialog()).toHaveCount(0);
    await backups.backUpNow().click();
    // Focus stays on the button; the live region says it started, then how it ended.
    await expect(backups.backUpNow()).toBeFocused();
    const live = backups.live();
    await expect(live).toHaveAttribute('role', 'status');
    await expect(live).toHaveAttribute('aria-live', 'polite');
    const created = backups.action('create');
    await expect(created.getByTestId('backup-job-done')).toBeVisible({ timeout: 30_000 });
    await expect(created.getByTestId('cli-equivalent')).toContainText('foxctl backup create');
    await expect(backups.rows()).toHaveCount(2, { timeout: 15_000 });
    const name = (await backups.rows().first().getAttribute('data-backup'))!;
    expect(name).not.toBe('seeded');
    await expect(live).toHaveText(`Backup ${name} created.`);

    await backups.rowButton(name, 'Verify').click();
    await expect(backups.dialog()).toHaveAttribute('data-testid', 'verify-dialog');
    await expect(backups.action('verify').getByTestId('verify-results')).toHaveAttribute('data-ok', 'true', { timeout: 30_000 });
    await expect(backups.row(name).getByTestId('verified-state')).toHaveText('Verified', { timeout: 15_000 });
    await expect(backups.live()).toHaveText(`Verify of ${name}: verified, every file matches.`);
    await app.screenshotBothThemes('backups-verified');
    await app.page.keyboard.press('Escape');
    await expect(backups.rowButton(name, 'Verify')).toBeFocused();

    await backups.rowMenuItem(name, 'Test restore');
    await expect(backups.action('rehearse').getByTestId('rehearse-results')).toHaveAttribute('data-ok', 'true', { timeout: 30_000 });
    await expect(backups.live()).toHaveText(`Test restore of ${name} passed.`);
    await app.screenshotBothThemes('backups-rehearsed');
    await backups.dialog().getByTestId('dialog-close').click();
    await expect(backups.rowMenu(name)).toBeFocused();

    await backups.root.getByRole('button', { name: 'Prune…' }).click();
    // Kopia's rules with their defaults shown.
    await expect(backups.prune().getByTestId('prune-keep-daily')).toHaveValue('7');
    await expect(backups.prune().getByTestId('prune-keep-weekly')).toHaveValue('4');
    await expect(backups.prune().getByTestId('prune-keep-monthly')).toHaveValue('12');
    await backups.prune().getByLabel('Keep latest', { exact: true }).fill('1');
    await backups.prune().getByTestId('prune-preview').click();
    await expect(backups.prune().getByTestId('prune-result')).toContainText('Would delete 1 backup', { timeout: 15_000 });
    await expect(backups.prune().getByTestId('prune-deleted')).toContainText('seeded');
    await app.screenshotBothThemes('backups-prune');
    await app.page.keyboard.press('Escape');
    await expect(backups.root.getByRole('button', { name: 'Prune…' })).toBeFocused();
    expect(fs.existsSync(path.join(app.home, 'backups', 'backup_seeded.tar.gz'))).toBe(true);

    await backups.rowMenuItem('seeded', 'Delete…');
    await backups.dialog().getByTestId('confirm-delete').click();
    await expect(backups.row('seeded')).toHaveCount(0, { timeout: 15_000 });
    await expect(backups.rows()).toHaveCount(1);
    expect(fs.existsSync(path.join(app.home, 'backups', 'backup_seeded.tar.gz'))).toBe(false);
  });

  test('restores one store after it changed, with a safety backup', async ({ app }) => {
    const before = notesIn(app.home);
    expect(before).toBe(500);
    const db = new Database(path.join(app.home, 'storage', 'memory.db'));
    db.exec("DELETE FROM e2e_notes WHERE name LIKE 'note-1%'");
    db.close();
    expect(notesIn(app.home)).toBeLessThan(before);

    const backups = await new BackupsPage(app).open();
    await backups.rowButton('seeded', 'Restore…').click();
    const wizard = backups.wizard();
    await wizard.getByRole('group', { name: 'Stores' }).getByLabel('MEMORY', { exact: true }).check();
    await wizard.getByTestId('restore-dry-run').click();
    // A chosen store is replaced by default, with the rows it has now against the backup's.
    await expect(wizard.locator('tr[data-file="storage/memory.db"]')).toHaveAttribute('data-action', 'replace');
    const rows = wizard.getByTestId('restore-rows').locator('tr[data-store="MEMORY"]');
    // The counts follow the plan (they read the store out of the backup).
    await expect(rows).toHaveAttribute('data-counted', 'true', { timeout: 30_000 });
    const rowsNow = Number(await rows.getAttribute('data-rows-now'));
    const rowsBackup = Number(await rows.getAttribute('data-rows-backup'));
    expect(rowsBackup - rowsNow).toBe(before - notesIn(app.home));
    await expect(rows).toContainText(`+${before - notesIn(app.home)}`);
    await expect(wizard.getByTestId('restore-confirm')).toHaveText('Replace MEMORY');
    await wizard.getByTestId('restore-force').uncheck();
    await expect(wizard.locator('tr[data-file="storage/memory.db"]')).toHaveAttribute('data-action', 'skip');
    // No CLI wording in the reason.
    await expect(wizard.getByTestId('restore-files')).not.toContainText('--force');
    await wizard.getByTestId('restore-force').check();
    await expect(wizard.locator('tr[data-file="storage/memory.db"]')).toHaveAttribute('data-action', 'replace');
    await expect(wizard.getByTestId('cli-equivalent')).toContainText('foxctl backup restore seeded --store MEMORY --force');
    await app.screenshotBothThemes('backups-restore-plan');
    await screenshotSizes(app, 'backups-restore-plan');
    await wizard.getByTestId('restore-confirm').click();
    await expect(wizard.getByTestId('safety-backup')).toBeVisible({ timeout: 30_000 });
    await app.screenshotBothThemes('backups-restore-done');
    expect(notesIn(app.home)).toBe(before);
    const safety = (await wizard.getByTestId('safety-backup').locator('.mono').textContent())!;
    await app.page.keyboard.press('Escape');
    // The safety copy is badged in the list and kept apart by prune: keep-latest 1 does not count it.
    await expect(backups.row(safety).getByTestId('safety-badge')).toHaveText('Safety copy', { timeout: 15_000 });
    await backups.root.getByTestId('prune-open').click();
    await backups.prune().getByLabel('Keep latest', { exact: true }).fill('1');
    await backups.prune().getByTestId('prune-preview').click();
    await expect(backups.prune().getByTestId('prune-safety').locator(`li[data-name="${safety}"]`)).toHaveAttribute('data-action', 'keep');
    await expect(backups.prune().getByTestId('prune-result')).toContainText('Nothing to prune.');
    await screenshotSizes(app, 'backups-prune-safety');
    await app.screenshotBothThemes('backups-prune-safety');
  });
});

test.describe('a home with a damaged store', () => {
  test.setTimeout(90_000);

  test('Back up now: a red row with the problems listed, and the Overview goes red', async ({ app }) => {
    // A real store, damaged the way disks do (a page in the middle zeroed) while nothing holds it.
    makeDamagedDb(path.join(app.home, 'storage', 'trajectory.db'));
    const backups = await new BackupsPage(app).open();
    await backups.backUpNow().click();
    const created = backups.action('create');
    await expect(created.getByTestId('create-result')).toHaveAttribute('data-status', 'completed_with_problems', { timeout: 30_000 });
    await expect(created.getByTestId('backup-problems')).toContainText('Store TRAJECTORY: PRAGMA quick_check:');
    await expect(backups.rows()).toHaveCount(2, { timeout: 15_000 });
    const name = (await backups.rows().first().getAttribute('data-backup'))!;
    const row = backups.row(name);
    await expect(row).toHaveAttribute('data-status', 'completed_with_problems');
    await expect(row).toHaveAttribute('data-clean', 'false');
    await expect(row).toHaveClass(/row-bad/);
    await expect(row.getByTestId('backup-status')).toHaveText('Completed with problems');
    await expect(row.getByTestId('backup-problem-summary')).toContainText('Store TRAJECTORY: PRAGMA quick_check:');
    // The seeded backup was clean and stays so.
    await expect(backups.row('seeded')).toHaveAttribute('data-clean', 'true');
    await expect(backups.row('seeded').getByTestId('backup-status')).toHaveCount(0);
    // Keyboard only: Details opens from the keyboard and lists the problems.
    await backups.rowMenu(name).focus();
    await app.page.keyboard.press('ArrowUp');
    await app.page.keyboard.press('ArrowUp');
    await expect(backups.row(name).getByRole('menuitem', { name: 'Details' })).toBeFocused();
    await app.page.keyboard.press('Enter');
    const details = backups.root.getByTestId('backup-details');
    await expect(details.getByTestId('backup-problems')).toContainText('Store TRAJECTORY: PRAGMA quick_check:');
    await screenshotSizes(app, 'backups-problems');

    const overview = await new OverviewPage(app).open();
    await expect(overview.backupAge()).toHaveAttribute('data-bad', 'true');
    // Red twice: the attention panel at the top names the backup, and the backup card.
    await expect(overview.root.locator('.card-bad')).toHaveCount(2);
    await expect(overview.root.getByTestId('attention').locator(`[data-id="backup:${name}"]`)).toContainText('finished with problems');
    await expect(overview.root.getByTestId('backup-problems-overview')).toContainText('Store TRAJECTORY: PRAGMA quick_check:');
    await expect(overview.root.getByTestId('backup-problems-overview')).toContainText('Last clean backup: seeded');
    await screenshotSizes(app, 'overview-backup-problems');
  });
});

test.describe('a backup started from the Backups view', () => {
  test.use({ seed: 'big' });
  test.setTimeout(120_000);

  test('canceled while it runs leaves no archive', async ({ app }) => {
    const backupsDir = path.join(app.home, 'backups');
    const before = fs.readdirSync(backupsDir).sort();
    const backups = await new BackupsPage(app).open();
    await backups.backUpNow().click();
    const running = backups.action('create').getByTestId('backup-job-running');
    await expect(running).toBeVisible();
    await running.getByRole('button', { name: /^Cancel/ }).click();
    await expect(backups.action('create').getByTestId('backup-job-failed')).toHaveAttribute('data-state', 'canceled', { timeout: 20_000 });
    // No archive and no snapshot: packs a canceled snapshot wrote stay unreferenced until a prune.
    const archives = (dir: string[]): string[] => dir.filter((f) => f.endsWith('.tar.gz'));
    expect(archives(fs.readdirSync(backupsDir)).sort()).toEqual(archives(before));
    const snapshots = path.join(backupsDir, 'repository', 'snapshots');
    expect(fs.existsSync(snapshots) ? fs.readdirSync(snapshots) : []).toEqual([]);
    await expect(backups.rows()).toHaveCount(archives(before).length);
  });

  test('schedules a nightly backup: saved in config.yaml, next run shown, run now lists it', async ({ app }) => {
    const backups = await new BackupsPage(app).open();
    await expect(backups.root.getByTestId('schedule-summary')).toContainText('No nightly backup scheduled');
    await backups.root.getByTestId('schedule-open').click();
    const form = backups.schedule();
    await expect(form.getByTestId('schedule-next')).toHaveText('off');
    await form.getByTestId('schedule-enabled').check();
    await form.getByTestId('schedule-time').fill('03:30');
    await form.getByLabel('Clock', { exact: true }).selectOption('utc');
    await form.getByTestId('schedule-keep').fill('2');
    await form.getByTestId('schedule-save').click();
    await expect(form.getByTestId('schedule-saved')).toBeVisible();
    await expect(form.getByTestId('schedule-status')).toHaveAttribute('data-enabled', 'true');
    // The next run is the next 03:30 UTC, shown in local time with its distance.
    const next = await app.call('backups.schedule', {});
    const nextRun = (next.value as { next_run: string }).next_run;
    expect(nextRun).toMatch(/T03:30:00.000Z$/);
    expect(Date.parse(nextRun) - Date.now()).toBeGreaterThan(0);
    expect(Date.parse(nextRun) - Date.now()).toBeLessThanOrEqual(24 * 3600_000);
    await expect(form.getByTestId('schedule-next')).toContainText(/in \d+ (minute|hour)/);
    await expect(backups.root.getByTestId('schedule-summary')).toContainText('Nightly backup at 03:30 UTC');
    // Persisted in the home's config.yaml.
    const yaml = fs.readFileSync(path.join(app.home, 'config.yaml'), 'utf8');
    expect(yaml).toMatch(/backup:\n\s+schedule:\n\s+enabled: true\n\s+time: "?03:30"?\n\s+zone: utc\n\s+keep: 2/);
    await form.getByTestId('cli-equivalent').locator('summary').click();
    await expect(form.getByTestId('cli-equivalent')).toContainText('foxctl backup schedule --enable --time 03:30 --zone utc --keep 2');
    await app.screenshotBothThemes('backups-schedule');

    // Run now: a scheduled backup as a job with progress, then listed under its nightly- name.
    await form.getByTestId('schedule-run-now').click();
    const run = backups.action('schedule');
    await expect(run.getByTestId('backup-job-done')).toBeVisible({ timeout: 30_000 });
    await expect(backups.rows().filter({ hasText: /nightly-\d{8}-\d{6}/ })).toHaveCount(1, { timeout: 15_000 });
    await expect(form.getByTestId('schedule-last-run')).toHaveAttribute('data-state', 'ok', { timeout: 15_000 });
    await expect(backups.root.getByTestId('schedule-summary')).toContainText(/Last: Backed up nightly-/);
    await app.screenshotBothThemes('backups-schedule-ran');
  });
});
