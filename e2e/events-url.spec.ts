// The Events view as Datasette users expect it: the filter lives in the URL (reload, back/forward,
// bookmarks), values in the detail filter the table, and the view fits a small laptop.
import { expect, test } from './fixtures.js';
import { EventsPage } from './pages/events-page.js';

/** The query parameters of the page's address. */
function params(url: string): URLSearchParams {
  return new URL(url).searchParams;
}

test.describe('Events view and the URL', () => {
  test('the filter is in the URL: reload, back/forward and a bookmark give the same view', async ({ app }) => {
    test.setTimeout(120_000);
    const page = app.page;
    const events = await new EventsPage(app).open();
    await events.settled();
    await expect.poll(() => params(page.url()).get('view')).toBe('events');
    expect(params(page.url()).get('since')).toBe('24h');

    // The sample home has 40 events, 5 of them errors.
    await events.status('error');
    await expect(events.count()).toHaveAttribute('data-count', '5');
    await expect.poll(() => params(page.url()).get('status')).toBe('error');
    await events.preset('1 hour').click();
    await expect.poll(() => params(page.url()).get('since')).toBe('1h');
    await expect(events.count()).toHaveAttribute('data-count', '5');

    // Reload: the same filter, shown in the controls and applied to the table.
    await page.reload();
    await expect(app.view('events')).toBeVisible();
    await events.settled();
    await expect(events.filters().getByLabel('Status', { exact: true })).toHaveValue('error');
    await expect(events.preset('1 hour')).toHaveAttribute('aria-pressed', 'true');
    await expect(events.count()).toHaveAttribute('data-count', '5');
    await expect(events.rows().first()).toHaveAttribute('data-status', 'error');

    // Back: errors in the last 24 hours; back again: every status; forward: errors again.
    await page.goBack();
    await expect(events.preset('24 hours')).toHaveAttribute('aria-pressed', 'true');
    await expect(events.filters().getByLabel('Status', { exact: true })).toHaveValue('error');
    await page.goBack();
    await expect(events.filters().getByLabel('Status', { exact: true })).toHaveValue('');
    await expect(events.count()).toHaveAttribute('data-count', '40');
    await page.goForward();
    await expect(events.filters().getByLabel('Status', { exact: true })).toHaveValue('error');
    await expect(events.count()).toHaveAttribute('data-count', '5');

    // Back to another view and forward again.
    await app.navButton('jobs').click();
    await expect.poll(() => params(page.url()).get('view')).toBe('jobs');
    expect(params(page.url()).get('status')).toBeNull();
    await page.goBack();
    await expect(app.view('events')).toBeVisible();
    await expect(events.filters().getByLabel('Status', { exact: true })).toHaveValue('error');

    // A bookmark of "errors in the last hour", opened in the same tab (browser mode keeps the token per tab).
    await page.goto(new URL('/?view=events&since=1h&status=error', page.url()).toString());
    await expect(app.view('events')).toBeVisible();
    await events.settled();
    await expect(events.preset('1 hour')).toHaveAttribute('aria-pressed', 'true');
    await expect(events.count()).toHaveAttribute('data-count', '5');
    await expect(events.cli()).toHaveText('foxctl events query --since 1h --status error');
  });
});

test.describe('Events view like Datasette', () => {
  test('a value in the detail filters the table; time sorts both ways; a typed range works and a bad one dims the stale table', async ({ app }) => {
    test.setTimeout(120_000);
    const page = app.page;
    const events = await new EventsPage(app).open();
    await events.settled();
    await expect(events.count()).toHaveAttribute('data-count', '40');
    // Placeholders are hints, not example values one could take for a filter.
    await expect(events.filters().getByLabel('Operation', { exact: true })).toHaveAttribute('placeholder', 'any');

    // Clicking the operation of a row's detail filters by it (34 agent.step, 6 cas.put in the sample home).
    await events.rows().first().click();
    await expect(events.detail()).toBeVisible();
    const op = (await events.detail().getByTestId('events-filter-by-operation').textContent())!;
    expect(['agent.step', 'cas.put']).toContain(op);
    await events.detail().getByTestId('events-filter-by-operation').click();
    await expect(events.filters().getByLabel('Operation', { exact: true })).toHaveValue(op);
    await expect(events.count()).toHaveAttribute('data-count', op === 'agent.step' ? '34' : '6');
    await expect.poll(() => params(page.url()).get('operation')).toBe(op);
    await page.keyboard.press('Escape');
    await expect(events.detail()).toHaveCount(0);

    // Time, oldest first and back: the times of the rows shown read in order both ways.
    const times = async (): Promise<string[]> => events.rows().evaluateAll((rows) => rows.slice(0, 12).map((r) => r.querySelector('[role="cell"]')?.textContent ?? ''));
    const sorted = (t: string[], dir: 1 | -1): boolean => t.every((x, i) => i === 0 || (dir === 1 ? t[i - 1]! <= x : t[i - 1]! >= x));
    const newest = (await times())[0]!;
    expect(sorted(await times(), -1)).toBe(true);
    await events.root.getByTestId('events-sort-time').click();
    await expect.poll(() => params(page.url()).get('sort')).toBe('time');
    await expect(events.root.getByRole('columnheader', { name: /Time/ })).toHaveAttribute('aria-sort', 'ascending');
    await expect.poll(async () => (await times())[0]).not.toBe(newest);
    expect(sorted(await times(), 1)).toBe(true);
    await events.root.getByTestId('events-sort-time').click();
    await expect.poll(async () => (await times())[0]).toBe(newest);

    // A range typed by hand, key by key, as YYYY-MM-DDTHH:MM (local time).
    await events.preset('Custom').click();
    await events.filters().getByLabel('From', { exact: true }).pressSequentially('2020-01-01T00:00');
    await events.filters().getByRole('button', { name: 'Apply' }).click();
    const since2020 = new Date('2020-01-01T00:00').toISOString().replace('.000Z', 'Z');
    await expect(events.cli()).toHaveText(`foxctl events query --since ${since2020} --op ${op}`);
    await expect(events.count()).toHaveAttribute('data-count', op === 'agent.step' ? '34' : '6');
    await expect.poll(() => params(page.url()).get('since')).toBe(since2020);

    // Until before since: the engine's message where the table is, and the old table dimmed.
    await events.filters().getByLabel('From', { exact: true }).fill('2030-01-01T00:00');
    await events.filters().getByLabel('To', { exact: true }).fill('2020-01-01T00:00');
    await events.filters().getByRole('button', { name: 'Apply' }).click();
    await expect(events.error()).toContainText('must be before until');
    await expect(events.root.locator('.events-table-card')).toHaveClass(/events-stale/);
    await expect(events.root.locator('.events-hist-card')).toHaveClass(/events-stale/);
    await app.screenshotBothThemes('events-stale');
  });

  test('sorts by duration and exports every matching event as CSV, by keyboard alone', async ({ app }) => {
    test.setTimeout(120_000);
    const page = app.page;
    const events = await new EventsPage(app).open();
    await events.settled();
    await expect(events.count()).toHaveAttribute('data-count', '40');

    // Duration, longest first: the header button by keyboard.
    await events.root.getByTestId('events-sort-duration').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => params(page.url()).get('sort')).toBe('-duration');
    await expect(events.root.getByRole('columnheader', { name: /Duration/ })).toHaveAttribute('aria-sort', 'descending');
    await expect(events.root.getByRole('columnheader', { name: /Time/ })).toHaveAttribute('aria-sort', 'none');
    const durations = async (): Promise<number[]> => events.rows().evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-duration') || -1)));
    await expect.poll(async () => { const d = await durations(); return d.length > 5 && d.every((x, i) => i === 0 || d[i - 1]! >= x); }).toBe(true);
    await expect(events.cli()).toHaveText('foxctl events query --since 24h --sort duration');
    // Enter again: shortest first.
    await page.keyboard.press('Enter');
    await expect.poll(() => params(page.url()).get('sort')).toBe('duration');
    await expect.poll(async () => { const d = await durations(); return d.length > 5 && d.every((x, i) => i === 0 || d[i - 1]! <= x); }).toBe(true);

    // Export: the format by keyboard, then the button; the download holds every matching row.
    await events.status('error');
    await expect(events.count()).toHaveAttribute('data-count', '5');
    const format = events.root.getByLabel('Export format', { exact: true });
    await format.focus();
    await format.selectOption('csv');
    await page.keyboard.press('Tab');
    await expect(events.root.getByTestId('events-export')).toBeFocused();
    const downloading = page.waitForEvent('download');
    await page.keyboard.press('Enter');
    const download = await downloading;
    expect(download.suggestedFilename()).toMatch(/^foxctl-events-.*\.csv$/);
    const text = await (await download.createReadStream()).toArray().then((b) => Buffer.concat(b as Buffer[]).toString('utf8'));
    const lines = text.trimEnd().split('\r\n');
    expect(lines[0]).toMatch(/^id,span_id,trace_id,/);
    expect(lines).toHaveLength(6);
    expect(lines.slice(1).every((l) => l.split(',')[15] === 'error')).toBe(true);
    await expect(events.root.getByTestId('events-export-status')).toContainText('Download of foxctl-events-');
    await app.screenshotBothThemes('events-export');
  });

  test('at 1024x700 the filters and chart fold and at least ten rows show without scrolling', async ({ app }) => {
    test.setTimeout(120_000);
    const page = app.page;
    await page.setViewportSize({ width: 1024, height: 700 });
    const events = await new EventsPage(app).open();
    await events.settled();
    await expect(events.root.getByTestId('events-toggle-filters')).toHaveAttribute('aria-expanded', 'false');
    await expect(events.cli()).toHaveText('foxctl events query --since 24h');
    const fullyVisible = async (): Promise<number> =>
      events.rows().evaluateAll((rows) => rows.filter((r) => {
        const b = r.getBoundingClientRect();
        return b.top >= 0 && b.bottom <= (globalThis as unknown as { innerHeight: number }).innerHeight;
      }).length);
    expect(await page.evaluate(() => (globalThis as unknown as { scrollY: number }).scrollY)).toBe(0);
    expect(await fullyVisible()).toBeGreaterThanOrEqual(10);
    await app.screenshotBothThemes('events-1024x700');
    // Unfolded, the filters are one keyboard press away and work as before.
    await events.root.getByTestId('events-toggle-filters').focus();
    await page.keyboard.press('Enter');
    await expect(events.filters()).toBeVisible();
    await events.status('error');
    await expect(events.count()).toHaveAttribute('data-count', '5');
    await app.screenshotBothThemes('events-1024x700-filters');
    await page.setViewportSize({ width: 1400, height: 900 });
    await app.screenshotBothThemes('events-1400x900');
  });
});
