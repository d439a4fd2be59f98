import path from 'node:path';
import { expect, test } from './fixtures.js';
import { BackupsPage } from './pages/backups-page.js';
import { CasPage } from './pages/cas-page.js';
import { EventsPage } from './pages/events-page.js';
import { StoresPage } from './pages/stores-page.js';
import { ARTIFACTS } from './support/env.js';

// Issue #14's "done when", for the views: a home the Go foxctl wrote (src-main/test/go-home/home.ts:
// Go config with database: keys and a storage root outside the home, Go CAS objects with tags and
// a pin, events in Go's time form in three zones, a Go backup with ../ names).
test.use({ seed: 'go' });

test.describe('A home the Go foxctl wrote', () => {
  test('every view reads it: stores at the Go storage root, Go objects and pins, Go events, the Go backup verified', async ({ app, home }) => {
    const crashes: string[] = [];
    app.page.on('pageerror', (e) => crashes.push(e.message));
    const shots = async (name: string): Promise<void> => {
      for (const [w, h] of [[1400, 900], [1024, 700]] as const) {
        await app.page.setViewportSize({ width: w, height: h });
        await app.page.screenshot({ path: path.join(ARTIFACTS, `go-home-${name}-${w}x${h}.png`) });
      }
      // Back to the test's size: below 820 px of height the Events filters start folded.
      await app.page.setViewportSize({ width: 1280, height: 860 });
    };

    const stores = await new StoresPage(app).open();
    await expect(stores.row('SESSIONS')).toContainText('sessions.db');
    // The Go config's storage.root, outside the home, is where the studio reads the stores.
    const listed = await app.call('stores.list', {});
    expect(listed.ok && (listed.value as { name: string; path: string | null }[]).find((s) => s.name === 'SESSIONS')?.path).toBe(path.join(path.dirname(home), 'data', 'storage', 'sessions.db'));
    await shots('stores');

    const cas = await new CasPage(app).open();
    await expect(cas.rows()).toHaveCount(2);
    const places = cas.root.getByTestId('cas-locations');
    await expect(places.locator('[data-testid="cas-location"][data-backend="sqlite"]')).toContainText(path.join(home, 'storage', 'cas.db'));
    await shots('cas');

    const events = await new EventsPage(app).open();
    // The Go events are from November: all time.
    await events.preset('All time').click();
    await events.settled();
    await expect(events.rows().first()).toBeVisible();
    // Newest first as instants: span-go-23 (09:23:23Z, written as 04:23:23-05:00) leads, not a +02:00 row.
    await expect(events.rows().first()).toHaveAttribute('data-span', 'span-go-23');
    await expect(events.rows().first()).toContainText('2026-11-20 09:23:23');
    // The command column holds the Go event's name.
    await expect(events.rows().first()).toContainText('tool.grep');
    await expect(events.facet('command')).toContainText('agent.turn');
    await shots('events');

    const backups = await new BackupsPage(app).open();
    await expect(backups.row('go-nightly')).toBeVisible();
    await backups.rowButton('go-nightly', /verify/i).click();
    await expect(backups.row('go-nightly')).toContainText(/verified/i, { timeout: 30_000 });
    // "Not verified" also contains the word: the row must say it passed, not that it was never checked.
    await expect(backups.row('go-nightly')).not.toContainText(/not verified|damaged/i);
    // Written by Go without checks, now verified: clean, so no "Unchecked" badge beside "Verified".
    await expect(backups.row('go-nightly').getByTestId('backup-status')).toHaveCount(0);
    await app.page.keyboard.press('Escape');
    await expect(backups.dialog()).toHaveCount(0);
    await shots('backups');
    expect(crashes).toEqual([]);
  });
});
