// Issue #16, "Small laptop": at 1024×700 every view is usable. The sidebar folds to an icon rail
// (by default on a narrow window, by its toggle or Ctrl+B, the choice kept across reloads), no view
// scrolls sideways, no button wraps onto three lines, a backup row keeps its actions on one line
// and the Events facets leave Command and Message in sight. Screenshots: laptop-<view>-<scheme>.png.
import { expect, test } from './fixtures.js';
import type { AppPage, ViewId } from './pages/app-page.js';
import { BackupsPage } from './pages/backups-page.js';
import { EventsPage } from './pages/events-page.js';
import { JobsPage } from './pages/jobs-page.js';
import { OverviewPage } from './pages/overview-page.js';
import { StoresPage } from './pages/stores-page.js';
import { buttonsTallerThan, sidewaysScroll } from './support/layout.js';
import { tabTo } from './support/keyboard.js';

const LAPTOP = { width: 1024, height: 700 };

/** Opens a view through its page object and waits for its data, so what is measured is what a user sees. */
const OPEN: Record<ViewId, (app: AppPage) => Promise<unknown>> = {
  overview: (app) => new OverviewPage(app).open(),
  stores: async (app) => {
    const stores = await new StoresPage(app).open();
    await expect(stores.row('MEMORY')).toBeVisible();
  },
  backups: async (app) => {
    const backups = await new BackupsPage(app).open();
    await expect(backups.row('seeded')).toBeVisible();
  },
  events: async (app) => {
    const events = await new EventsPage(app).open();
    await events.settled();
    await expect(events.facet('command')).not.toContainText('Counting…');
  },
  jobs: async (app) => {
    const jobs = await new JobsPage(app).open();
    await expect(jobs.finished().first()).toBeVisible();
  },
  cas: async (app) => {
    await app.open('cas');
    await expect(app.view('cas').getByTestId('cas-empty')).toBeVisible();
  },
  settings: async (app) => {
    await app.open('settings');
    await expect(app.view('settings').locator('tr[data-key="storage.root"]')).toBeVisible();
  },
};

const VIEWS = Object.keys(OPEN) as ViewId[];

/** What must hold on every view at 1024×700, with the sidebar folded or not. */
async function checkFits(app: AppPage, view: ViewId, sidebar: string): Promise<void> {
  const where = `${view} with the sidebar ${sidebar}`;
  expect(await sidewaysScroll(app.page), `${where}: sideways scroll (px)`).toEqual({ page: 0, main: 0 });
  expect(await buttonsTallerThan(app.page.locator('body'), 2), `${where}: buttons on more than two lines`).toEqual([]);
  if (view === 'backups') {
    // A backup row's actions stay on one line: Verify, Restore… and the More menu side by side.
    const tops = await new BackupsPage(app).row('seeded').locator('td.row-actions > button, td.row-actions .menu-button > button').evaluateAll((els) =>
      els.map((el) => Math.round((el as unknown as { getBoundingClientRect(): { top: number } }).getBoundingClientRect().top)),
    );
    expect(tops.length, `${where}: row actions`).toBe(3);
    expect(Math.max(...tops) - Math.min(...tops), `${where}: row actions on one line`).toBeLessThanOrEqual(2);
  }
  if (view === 'events') {
    // Command and Message are inside the table's card, with room for a value.
    const card = (await app.view('events').locator('.events-table-card').boundingBox())!;
    for (const name of ['Command', 'Message']) {
      const head = (await app.view('events').getByRole('columnheader', { name, exact: true }).boundingBox())!;
      expect(head.x + head.width, `${where}: ${name} column inside the table`).toBeLessThanOrEqual(card.x + card.width);
      expect(head.width, `${where}: ${name} column width`).toBeGreaterThanOrEqual(80);
    }
    // The facets, moved under the table, keep the room to read a value.
    const facet = (await new EventsPage(app).facet('operation').boundingBox())!;
    expect(facet.width, `${where}: a facet's width`).toBeGreaterThanOrEqual(180);
  }
}

test.describe('at 1024×700 with sample data', () => {
  test('the sidebar folds by default, unfolds and folds by keyboard, and the choice survives a reload', async ({ app }) => {
    const page = app.page;
    // A wide window, no choice made: the sidebar is open.
    await expect(app.sidebarToggle()).toHaveAttribute('aria-expanded', 'true');
    await page.setViewportSize(LAPTOP);
    await app.reload();
    // A narrow window, still no choice: folded to the icon rail, each view named for screen readers.
    await expect(app.sidebar()).toHaveAttribute('data-folded', 'true');
    await expect(app.sidebarToggle()).toHaveAttribute('aria-expanded', 'false');
    expect((await app.sidebar().boundingBox())!.width).toBeLessThan(80);
    for (const view of VIEWS) await expect(app.navButton(view)).toBeVisible();

    // Navigation still works folded: Tab to a view's icon, its name shows as a tooltip, arrows move, Enter opens.
    await tabTo(page, app.navButton('overview'));
    const tip = app.navButton('overview').locator('.nav-label');
    await expect(tip).toBeVisible();
    const icon = (await app.navButton('overview').boundingBox())!;
    expect((await tip.boundingBox())!.x, 'the tooltip beside the icon').toBeGreaterThan(icon.x + icon.width);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await expect(app.navButton('events')).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(app.view('events')).toBeVisible();
    await expect(page.getByRole('heading', { level: 1, name: 'Events' })).toBeFocused();

    // The toggle, reached by Tab: Enter unfolds, and the choice outlives a reload on a narrow window.
    await tabTo(page, app.sidebarToggle(), { back: true });
    await page.keyboard.press('Enter');
    await expect(app.sidebarToggle()).toHaveAttribute('aria-expanded', 'true');
    await expect(app.sidebarToggle()).toBeFocused();
    expect((await app.sidebar().boundingBox())!.width).toBeGreaterThan(200);
    await app.reload();
    await expect(app.view('events')).toBeVisible();
    await expect(app.sidebar()).toHaveAttribute('data-folded', 'false');

    // Ctrl+B (Cmd+B on a Mac) folds it from anywhere, and that choice also outlives a reload.
    await page.getByRole('heading', { level: 1, name: 'Events' }).focus();
    await page.keyboard.press(process.platform === 'darwin' ? 'Meta+B' : 'Control+B');
    await expect(app.sidebar()).toHaveAttribute('data-folded', 'true');
    await app.reload();
    await expect(app.sidebar()).toHaveAttribute('data-folded', 'true');
    // A choice beats the width: folded stays folded on a wide window.
    await page.setViewportSize({ width: 1400, height: 900 });
    await expect(app.sidebar()).toHaveAttribute('data-folded', 'true');
    await page.keyboard.press(process.platform === 'darwin' ? 'Meta+B' : 'Control+B');
    await expect(app.sidebar()).toHaveAttribute('data-folded', 'false');
  });

  test('every view fits: no sideways scroll, no button on three lines, row actions and event columns in sight', async ({ app }) => {
    test.setTimeout(120_000);
    const page = app.page;
    await page.setViewportSize(LAPTOP);
    await app.reload();
    await expect(app.sidebar()).toHaveAttribute('data-folded', 'true');
    for (const view of VIEWS) {
      await OPEN[view](app);
      await checkFits(app, view, 'folded');
      // Off the navigation, so no tooltip of the view just opened hides the content.
      await page.mouse.move(LAPTOP.width - 8, 8);
      await app.screenshotBothThemes(`laptop-${view}`);
    }
    // A user who keeps the sidebar open on a small laptop gets the same.
    await app.sidebarToggle().press('Enter');
    await expect(app.sidebar()).toHaveAttribute('data-folded', 'false');
    for (const view of VIEWS) {
      await OPEN[view](app);
      await checkFits(app, view, 'open');
      await page.mouse.move(LAPTOP.width - 8, 8);
      await app.screenshotBothThemes(`laptop-open-${view}`);
    }
  });
});
