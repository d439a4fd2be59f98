import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { expect, test } from './fixtures.js';
import { goRfc3339Nano, writeGoRotatedStream, type GoEvent } from '../src-main/test/go-home/events.js';
import { EventsPage } from './pages/events-page.js';
import { ARTIFACTS, publishScreenshot } from './support/env.js';
import { CLI, ROOT } from './support/studio-process.js';

/** A home whose syncer waits 10 minutes between passes, so a test sees what is not synced yet. */
const slowSyncTest = test.extend({
  home: async ({ home }, use) => {
    fs.writeFileSync(path.join(home, 'config.yaml'), 'events:\n  sync_interval: 10m\n');
    await use(home);
  },
});

/** Runs the built foxctl CLI on the test's home. */
function foxctl(home: string, args: string[], input?: string): string {
  return execFileSync(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, FOXCTL_HOME: home, HOME: path.dirname(home) }, input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'inherit'] });
}

/** The engine's timestamp form (UTC, nine fraction digits), as events.db stores ts. */
function dbTs(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

/** A whole-second RFC 3339 time, as a user types it. */
function typed(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.000Z$/, 'Z');
}

/** Copies a screenshot of the artifacts into docs/screenshots for the README (FOXCTL_DOCS_SCREENSHOTS=1). */
function publish(name: string, as: string): void {
  publishScreenshot(path.join(ARTIFACTS, name), as.replace(/\.png$/, ''));
}

test.describe('Events view', () => {
  test.describe('on 1,000,000 events', () => {
    test.use({ seed: 'empty' });
    test('filter by status=error and a time range shows the right count; a bad range says what is wrong', async ({ app, home }) => {
      test.setTimeout(360_000);
      const crashes: string[] = [];
      app.page.on('pageerror', (e) => crashes.push(e.message));
      // One transaction per 10,000 rows through the syncer's own insert code.
      foxctl(home, ['dev', 'seed-events', '--count', '1000000', '--bulk', '--span', '168h']);
      const db = new Database(path.join(home, 'observability', 'events.db'), { readonly: true });
      expect((db.prepare('SELECT count(*) AS n FROM foxcular_events').get() as { n: number }).n).toBe(1_000_000);

      const events = await new EventsPage(app).open();
      await events.settled();
      await events.preset('All time').click();
      await expect(events.count()).toHaveAttribute('data-count', '1000000', { timeout: 30_000 });

      // Errors between 72 h and 24 h ago: the count must be what plain SQL counts.
      const now = Date.now();
      const since = Math.floor((now - 72 * 3_600_000) / 1000) * 1000;
      const until = Math.floor((now - 24 * 3_600_000) / 1000) * 1000;
      const expected = (db.prepare("SELECT count(*) AS n FROM foxcular_events WHERE status = 'error' AND ts >= ? AND ts < ?").get(dbTs(since), dbTs(until)) as { n: number }).n;
      db.close();
      expect(expected).toBeGreaterThan(1000);
      await events.status('error');
      await events.customRange(typed(since), typed(until));
      await expect(events.count()).toHaveAttribute('data-count', String(expected), { timeout: 30_000 });
      await expect(events.count()).toContainText(`${expected.toLocaleString('en-US')} events`);
      await expect(events.rows().first()).toHaveAttribute('data-status', 'error');
      await expect(events.facet('status')).toContainText('error');
      await expect(events.cli()).toHaveText(`foxctl events query --since ${typed(since)} --until ${typed(until)} --status error`);
      // The copied command really works: its count is the same.
      const cliCount = JSON.parse(foxctl(home, ['--json', 'events', 'count', '--since', typed(since), '--until', typed(until), '--status', 'error'])) as { data: { count: number } };
      expect(cliCount.data.count).toBe(expected);
      // The scroll area spans the whole result, not the rows loaded so far.
      const list = events.root.getByTestId('events-list');
      await expect(events.root.getByRole('table', { name: 'Events' })).toHaveAttribute('aria-rowcount', String(expected));
      expect(await list.evaluate((el) => el.scrollHeight)).toBe(expected * 34);
      // Scrolling a little loads further keyset pages.
      await list.evaluate((el) => el.scrollTo(0, 100 * 34));
      await expect(events.rows().first()).toBeVisible();
      // A drag to the middle: the rows there, by offset, as SQL orders them (newest first, ties by id).
      const middle = Math.floor(expected / 2);
      await list.evaluate((el, top) => el.scrollTo(0, top), middle * 34);
      // The rows there, once loaded: none still marked loading, a screenful shown. The page at that
      // offset waits behind the facets still being counted over the million rows (the server
      // answers in order), hence the long wait.
      const shown = async (): Promise<string[]> => {
        if ((await events.root.getByTestId('events-gap-row').count()) > 0) return [];
        return events.rows().evaluateAll((els) => els.map((e) => e.getAttribute('data-span') ?? ''));
      };
      await expect.poll(async () => (await shown()).length, { timeout: 60_000 }).toBeGreaterThan(10);
      const spans = await shown();
      const near = new Database(path.join(home, 'observability', 'events.db'), { readonly: true });
      const around = near
        .prepare("SELECT span_id FROM foxcular_events WHERE status = 'error' AND ts >= ? AND ts < ? ORDER BY ts DESC, id DESC LIMIT 200 OFFSET ?")
        .pluck()
        .all(dbTs(since), dbTs(until), middle - 100) as string[];
      near.close();
      const at = around.indexOf(spans[0]!);
      expect(at, 'the first row shown at the middle is near the middle of the result').toBeGreaterThanOrEqual(0);
      expect(around.slice(at, at + spans.length)).toEqual(spans);
      await app.screenshotBothThemes('events-1m-middle');
      await app.screenshotBothThemes('events-1m');
      publish('browser-events-1m-light.png', 'events.png');

      // Until before since: the engine's message, shown where the table is.
      await events.customRange(typed(until), typed(since));
      await expect(events.error()).toContainText('must be before until');
      await expect(events.error()).toHaveAttribute('data-code', 'INVALID_INPUT');
      expect(crashes).toEqual([]);
    });
  });

  test('a row shows every field and its data; Show trace opens the waterfall of its spans', async ({ app, home }) => {
    // Seeding through a CLI process on a busy 2-core machine takes a while.
    test.setTimeout(120_000);
    foxctl(home, ['dev', 'seed-events', '--count', '3000', '--bulk', '--span', '2h', '--seed', '5']);
    const events = await new EventsPage(app).open();
    await events.settled();
    // A root span (cli.command) has children: filter on it with its facet.
    await events.filters().getByLabel('Operation', { exact: true }).fill('cli.command');
    await events.filters().getByRole('button', { name: 'Apply' }).click();
    await expect(events.rows().first()).toContainText('cli.command');
    // Not the newest: the seed's last trace may be cut short.
    const first = events.rows().nth(8);
    const span = (await first.getAttribute('data-span'))!;
    await first.click();
    await expect(events.detail()).toHaveAttribute('data-span', span);
    await expect(events.detail()).toContainText('trace_id');
    await expect(events.detail().getByTestId('events-data')).toContainText('"session_id":');
    await app.screenshotBothThemes('events-detail');
    publish('browser-events-detail-light.png', 'events-detail.png');
    await events.detail().getByRole('button', { name: 'Show trace' }).click();
    await expect(events.trace()).toBeVisible();
    const spans = events.trace().getByTestId('events-span');
    await expect.poll(() => spans.count()).toBeGreaterThan(2);
    await expect(spans.first()).toContainText('cli.command');
    // Clicking a child span shows that span's fields below the waterfall.
    const child = spans.nth(1);
    const childSpan = (await child.getAttribute('data-span'))!;
    await child.click();
    await expect(events.detail()).toHaveAttribute('data-span', childSpan);
    await app.screenshotBothThemes('events-trace');
    publish('browser-events-trace-light.png', 'events-trace.png');
  });

  slowSyncTest('live tail shows a newly emitted event as not synced, then synced after Sync now; a bad line is a viewable reject', async ({ app, home }) => {
    test.setTimeout(120_000);
    const events = await new EventsPage(app).open();
    await events.settled();
    await events.root.getByTestId('events-live').click();
    await expect(events.root.getByTestId('events-live')).toHaveAttribute('aria-pressed', 'true');
    // Another process writes an event to the NDJSON stream (as foxctl and agents do).
    const out = JSON.parse(foxctl(home, ['--json', 'events', 'emit'], JSON.stringify({ operation: 'e2e.live', message: 'hello from the live tail' }))) as { data: { events: { span_id: string }[] } };
    const span = out.data.events[0]!.span_id;
    const pending = events.root.locator(`[data-testid="events-pending-row"][data-span="${span}"]`);
    await expect(pending).toContainText(/not synced.*hello from the live tail/, { timeout: 15_000 });
    await expect(events.root.getByTestId('syncer-pending')).toContainText('1 line ·');
    await app.screenshotBothThemes('events-live');
    publish('browser-events-live-light.png', 'events-live.png');
    // A line that is not an event: the syncer rejects it, and the panel shows it.
    fs.appendFileSync(path.join(home, 'observability', 'events', 'foxcular_events.ndjson'), '{"operation": "half an event"\n');
    await events.root.getByRole('button', { name: 'Sync now' }).click();
    const synced = events.root.locator(`[data-testid="events-row"][data-span="${span}"]`);
    await expect(synced).toContainText('e2e.live', { timeout: 15_000 });
    await expect(pending).toHaveCount(0);
    await expect(events.root.getByTestId('events-sync-job')).toHaveAttribute('data-state', 'ok');
    await expect(events.root.getByTestId('events-sync-job')).toContainText('1 rejected');
    await events.root.getByTestId('events-rejects').getByText('View 1 rejected line').click();
    await expect(events.root.getByTestId('events-reject')).toContainText('half an event');
  });

  test('opens another events.db with a wide_events table read-only, and refuses a file that is not SQLite', async ({ app, home }) => {
    const file = path.join(path.dirname(home), 'legacy', 'events.db');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const db = new Database(file);
    db.exec(`CREATE TABLE wide_events (id INTEGER PRIMARY KEY AUTOINCREMENT, span_id TEXT NOT NULL UNIQUE, trace_id TEXT NOT NULL, parent_id TEXT,
      ts TEXT NOT NULL, service TEXT NOT NULL, version TEXT, component TEXT, operation TEXT NOT NULL, command TEXT, subtype TEXT, session_id TEXT,
      agent_id TEXT, workspace_id TEXT, job_id TEXT, status TEXT NOT NULL, duration_ms INTEGER, error_type TEXT, error_code TEXT, error_message TEXT,
      retriable INTEGER, data TEXT, created_at TEXT DEFAULT (datetime('now')))`);
    const ins = db.prepare('INSERT INTO wide_events (span_id, trace_id, ts, service, operation, command, status, duration_ms, error_message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    for (let i = 0; i < 25; i++) ins.run(`legacy-${i}`, `t-${i}`, dbTs(Date.parse('2025-03-01T10:00:00Z') + i * 60_000), 'agentctl', 'legacy.op', 'legacy run', i % 5 === 0 ? 'error' : 'ok', 100 + i, i % 5 === 0 ? 'old failure' : null);
    db.close();
    const notDb = path.join(path.dirname(home), 'legacy', 'notes.db');
    fs.writeFileSync(notDb, 'just some text, not a database\n');

    const events = await new EventsPage(app).open();
    await events.settled();
    await events.openFile(notDb);
    await expect(events.root.locator('.events-source').getByTestId('error-notice')).toContainText('is not a SQLite database');

    await events.openFile(file);
    await expect(events.root.getByTestId('events-source-banner')).toContainText('wide_events');
    await expect(events.count()).toHaveAttribute('data-count', '25');
    await expect(events.rows().first()).toContainText('legacy.op');
    await expect(events.cli()).toContainText(`--db ${file}`);
    await events.facet('status').getByRole('button', { name: /error/ }).click();
    await expect(events.count()).toHaveAttribute('data-count', '5');
    await app.screenshotBothThemes('events-other-db');
    publish('browser-events-other-db-light.png', 'events-other-db.png');
    await events.root.getByRole('button', { name: "Back to this home's events" }).click();
    await expect(events.root.getByTestId('events-source-banner')).toHaveCount(0);
  });

  test.describe('with only NDJSON streams and their rotations', () => {
    test.use({ seed: 'empty' });
    test('the all-streams timeline reads every stream file and rotation, .gz included, with the filter', async ({ app, home }) => {
      test.setTimeout(120_000);
    const dir = path.join(home, 'observability', 'events');
    const at = Date.now() - 3_600_000;
    const ev = (span: string, min: number, extra: Partial<GoEvent> = {}): GoEvent => ({
      ts: goRfc3339Nano(at + min * 60_000, 60), trace_id: 'rot', span_id: span, operation: 'rotated.op', name: 'cas gc', status: 'ok', duration_ms: 4, ...extra,
    });
    // Go-written lines in the current stream and in logrotate's renamed and gzipped copies.
    writeGoRotatedStream(dir, 'foxcular_events', {
      '': [ev('now-1', 50)],
      '.1': [ev('old-1', 30, { status: 'error', error_message: 'pangolin timeout' })],
      '.2.gz': [ev('older-1', 10, { status: 'error', error_message: 'pangolin lost' }), ev('older-2', 20)],
    });
    await app.page.setViewportSize({ width: 1400, height: 900 });
    // One row in events.db, so the view shows its filters (not the empty state).
    foxctl(home, ['events', 'emit', '--persist', 'sql'], '{"operation":"here"}');
    const events = await new EventsPage(app).open();
    await events.settled();
    const load = events.root.getByTestId('events-streams-load');
    // Keyboard only: focus the button and press Enter.
    await load.focus();
    await app.page.keyboard.press('Enter');
    const list = events.root.getByTestId('events-streams');
    await expect(list).toHaveAttribute('data-rows', '4');
    await expect(events.root.getByTestId('events-streams-row').last()).toContainText('foxcular_events.ndjson.2.gz:1');
    await expect(events.root.getByTestId('events-streams-files')).toContainText('foxcular_events.ndjson.2.gz (2)');
    // The view's filter applies: errors with a word, and the CLI line says the same.
    await events.filters().getByLabel('Status', { exact: true }).selectOption('error');
    await events.filters().getByLabel('Search', { exact: true }).fill('pangolin');
    await events.filters().getByRole('button', { name: 'Apply' }).click();
    await expect(events.root.getByTestId('events-streams-card-cli')).toContainText('--status error --text pangolin --all-streams');
    await load.click();
    await expect(list).toHaveAttribute('data-rows', '2');
    await expect(events.root.getByTestId('events-streams-row').first()).toContainText('pangolin timeout');
    const card = events.root.locator('.events-streams-card');
    await card.screenshot({ path: path.join(ARTIFACTS, `${app.mode}-events-streams-1400.png`), animations: 'disabled' });
    await app.page.setViewportSize({ width: 1024, height: 700 });
    await card.screenshot({ path: path.join(ARTIFACTS, `${app.mode}-events-streams-1024.png`), animations: 'disabled' });
    });
  });
});
