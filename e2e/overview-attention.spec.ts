// The Overview says what is wrong without being asked (issue #16): a store that is not SQLite and
// a rejected event line each get a line at the top, worst first, with the button that fixes it.
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from './fixtures.js';
import { OverviewPage } from './pages/overview-page.js';

test('a broken store and a rejected event line: the Overview names both, and Restore opens the wizard on that store', async ({ app, home }) => {
  test.setTimeout(120_000);
  const overview = await new OverviewPage(app).open();
  await expect(overview.root.getByTestId('attention')).toHaveCount(0);

  // Another process overwrites a store with something that is not SQLite, and writes half an event.
  fs.writeFileSync(path.join(home, 'storage', 'knowledge.db'), 'this is not a database, it was overwritten by mistake\n'.repeat(200));
  fs.appendFileSync(path.join(home, 'observability', 'events', 'foxcular_events.ndjson'), '{"operation": "half an event"\n');
  const panel = overview.root.getByTestId('attention');
  // The syncer picks the line up on its own; the Overview is refreshed until both show.
  await expect(async () => {
    await overview.root.getByRole('button', { name: 'Refresh' }).click();
    await expect(panel.locator('[data-testid="attention-item"][data-id="syncer:rejects"]')).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 60_000 });
  await expect(panel).toHaveAttribute('data-severity', 'bad');
  const store = panel.locator('[data-testid="attention-item"][data-id="store:KNOWLEDGE"]');
  await expect(store).toContainText('Store KNOWLEDGE cannot be read');
  // Worst first: the unreadable store comes before the rejects.
  await expect(panel.getByTestId('attention-item').first()).toHaveAttribute('data-severity', 'bad');
  await app.page.setViewportSize({ width: 1024, height: 700 });
  await app.page.screenshot({ path: path.join('e2e', 'artifacts', `${app.mode}-overview-attention-1024x700.png`), animations: 'disabled' });
  await app.page.setViewportSize({ width: 1400, height: 900 });
  await app.page.screenshot({ path: path.join('e2e', 'artifacts', `${app.mode}-overview-attention-1400x900.png`), animations: 'disabled' });

  // Keyboard alone: the fix is a button reached with Tab and pressed with Enter.
  await store.getByTestId('attention-action').focus();
  await expect(store.getByTestId('attention-action')).toHaveText('Restore KNOWLEDGE from seeded');
  await app.page.keyboard.press('Enter');
  const wizard = app.view('backups').getByTestId('restore-wizard');
  await expect(wizard).toBeVisible();
  await expect(wizard.getByRole('checkbox', { name: 'KNOWLEDGE' })).toBeChecked();
});
