// Every view renders with data and empty, in light and dark (screenshots in e2e/artifacts/).
import { expect, test } from './fixtures.js';
import { JobsPage } from './pages/jobs-page.js';
import { OverviewPage } from './pages/overview-page.js';
import { SimplePage } from './pages/simple-pages.js';
import { StoresPage } from './pages/stores-page.js';

test.describe('with sample data', () => {
  test('overview shows stores by class, the last backup and what it lacks, the syncer', async ({ app }) => {
    const overview = await new OverviewPage(app).open();
    // MEMORY, TASKS, SESSIONS, AGENTS, COMPANION (sync_critical), KNOWLEDGE, JOBS, EVENTS.
    await expect(overview.classRow('sync_critical')).toContainText('5 / 8');
    await expect(overview.classRow('sync_useful')).toContainText('1 / 3');
    await expect(overview.backupAge()).toContainText(/just now/i);
    await expect(overview.missingCritical()).toContainText('COMPANION');
    await expect(overview.syncerState()).toHaveAttribute('data-state', /running|syncing/);
    await expect(overview.root.getByTestId('stat-events')).not.toContainText('not created yet');
    await app.screenshotBothThemes('overview');
  });

  test('stores lists each store with its size, driver and policy', async ({ app }) => {
    const stores = await new StoresPage(app).open();
    await expect(stores.row('MEMORY')).toContainText('memory.db');
    await expect(stores.row('MEMORY')).toContainText('backed up');
    await expect(stores.row('MEMORY')).toContainText('sqlite');
    await expect(stores.row('TRAJECTORY')).toHaveCount(0);
    await expect(stores.root.getByTestId('stores-no-agent-data')).toHaveCount(0);
    await app.screenshotBothThemes('stores');
    await stores.showAll().click();
    await expect(stores.row('TRAJECTORY')).toContainText('no file yet');
  });

  // One home for the read-only views: seeding and starting a studio per view costs more than the view.
  test('backups, events, jobs, settings and cas render their data', async ({ app }) => {
    const backups = await new SimplePage(app, 'backups').open();
    await expect(backups.root.locator('tr[data-backup="seeded"]')).toContainText(/just now/i);
    await app.screenshotBothThemes('backups');

    const events = await new SimplePage(app, 'events').open();
    await expect(events.testId('syncer-synced')).toContainText('40 events');
    await app.screenshotBothThemes('events');

    const jobs = await new JobsPage(app).open();
    await expect(jobs.finished().filter({ hasText: 'backup create seeded' })).toHaveAttribute('data-state', 'ok');
    await app.screenshotBothThemes('jobs');

    const settings = await new SimplePage(app, 'settings').open();
    await expect(settings.root.locator('tr[data-key="storage.root"]')).toContainText('default');
    await expect(settings.root.locator('tr[data-key="events.sync_interval"]')).toContainText('30s');
    await app.screenshotBothThemes('settings');

    const cas = await new SimplePage(app, 'cas').open();
    await expect(cas.empty()).toContainText('foxctl cas put');
    await app.screenshotBothThemes('cas');
  });

  test('navigation is keyboard reachable', async ({ app }) => {
    await app.navButton('overview').focus();
    await app.page.keyboard.press('ArrowDown');
    await expect(app.navButton('stores')).toBeFocused();
    await app.page.keyboard.press('Enter');
    await expect(app.view('stores')).toBeVisible();
    await expect(app.page.getByRole('heading', { level: 1, name: 'Stores' })).toBeFocused();
  });
});

test.describe('on an empty home', () => {
  test.use({ seed: 'empty' });

  test('every view shows its empty state', async ({ app }) => {
    const overview = await new OverviewPage(app).open();
    await expect(overview.backupAge()).toContainText('Never backed up');
    await expect(overview.storesStat()).toContainText('0');
    await app.screenshotBothThemes('empty-overview');

    const stores = await new StoresPage(app).open();
    // JOBS exists (the studio records jobs in it); nothing else does.
    await expect(stores.row('JOBS')).toBeVisible();
    await expect(stores.row('MEMORY')).toHaveCount(0);
    await expect(stores.root.getByTestId('stores-no-agent-data')).toBeVisible();
    await app.screenshotBothThemes('empty-stores');

    const backups = await new SimplePage(app, 'backups').open();
    await expect(backups.empty()).toContainText('foxctl backup create');
    await app.screenshotBothThemes('empty-backups');

    const events = await new SimplePage(app, 'events').open();
    await expect(events.empty()).toBeVisible();
    await app.screenshotBothThemes('empty-events');

    const jobs = await new JobsPage(app).open();
    await expect(jobs.empty()).toBeVisible();
    await app.screenshotBothThemes('empty-jobs');

    await new SimplePage(app, 'cas').open();
    await new SimplePage(app, 'settings').open();
  });
});
