import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.js';
import type { AppPage } from './pages/app-page.js';
import { StoresPage } from './pages/stores-page.js';
import { memoryFile } from './support/memory.js';
import { ARTIFACTS, publishScreenshot } from './support/env.js';

const BIG_ROWS = 50_000;
const BLOB_BYTES = 5 * 1024 * 1024;

/** Adds a 50,000-row table and a row with a 5 MB BLOB and 100 KB of text to MEMORY, as an agent would (WAL, while the studio runs). */
function seedBig(file: string): void {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE e2e_big (id INTEGER PRIMARY KEY, label TEXT NOT NULL, weight REAL, note TEXT)');
    const ins = db.prepare('INSERT INTO e2e_big (label, weight, note) VALUES (?, ?, ?)');
    db.transaction(() => {
      for (let i = 0; i < BIG_ROWS; i++) ins.run(`row ${i}`, i / 7, i % 10 === 0 ? null : `note for row ${i}`);
    })();
    db.exec('CREATE TABLE e2e_blob (id INTEGER PRIMARY KEY, name TEXT, data BLOB, body TEXT)');
    const blob = Buffer.alloc(BLOB_BYTES, 0xcd);
    blob.write('FOXBLOB!', 0);
    db.prepare('INSERT INTO e2e_blob (name, data, body) VALUES (?, ?, ?)').run('five megabytes', blob, 'long text '.repeat(10_000));
    db.prepare('INSERT INTO e2e_blob (name, data, body) VALUES (?, NULL, ?)').run('small', 'short');
  } finally {
    db.close();
  }
}

function count(file: string, table: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/** Starts recording main-thread tasks longer than 50 ms (Chromium's Long Tasks API). */
async function watchLongTasks(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = globalThis as unknown as { __longTasks: number[]; PerformanceObserver: new (cb: (l: { getEntries(): { duration: number }[] }) => void) => { observe(o: object): void } };
    w.__longTasks = [];
    new w.PerformanceObserver((list) => w.__longTasks.push(...list.getEntries().map((e) => e.duration))).observe({ entryTypes: ['longtask'] });
  });
}

async function longestTask(page: Page): Promise<number> {
  return page.evaluate(() => Math.max(0, ...(globalThis as unknown as { __longTasks: number[] }).__longTasks));
}

/** Saves a light screenshot under e2e/artifacts and copies it to docs/screenshots (FOXCTL_DOCS_SCREENSHOTS=1). */
async function shot(app: AppPage, name: string): Promise<void> {
  await app.screenshotBothThemes(name);
  if (app.mode === 'browser') publishScreenshot(path.join(ARTIFACTS, `${app.mode}-${name}-light.png`), name);
}

test.describe('Stores view', () => {
  test('lists stores by class with what each class means, and opens a store', async ({ app }) => {
    const stores = await new StoresPage(app).open();
    await expect(stores.classLine('sync_critical')).toContainText('must never be lost');
    await expect(stores.row('MEMORY')).toContainText('ok');
    await expect(stores.row('MEMORY')).toContainText('sqlite');
    await shot(app, 'stores');
    await stores.openStore('MEMORY');
    await expect(stores.detail().getByTestId('store-info')).toContainText('Schema version');
    await expect(stores.tableRows('e2e_notes')).toHaveText('500');
    // An agent writes while the detail is open: nothing is locked, and Refresh shows the new rows.
    const file = await memoryFile(app);
    const writer = new Database(file);
    try {
      const ins = writer.prepare("INSERT INTO e2e_notes VALUES (?, 'written while the studio looked', '2026-01-01')");
      writer.transaction(() => {
        for (let i = 0; i < 25; i++) ins.run(`late-${i}`);
      })();
    } finally {
      writer.close();
    }
    await stores.detail().getByRole('button', { name: 'Refresh' }).click();
    await expect(stores.tableRows('e2e_notes')).toHaveText('525');
    await stores.back().click();
    await expect(stores.row('MEMORY')).toBeVisible();
  });

  test('pages through 50,000 rows and a 5 MB BLOB without freezing', async ({ app }) => {
    // Seeding 55 MB and four screenshots in two themes: more than the default 45 s on a busy machine.
    test.setTimeout(120_000);
    const file = await memoryFile(app);
    seedBig(file);
    const stores = await new StoresPage(app).open();
    await stores.openStore('MEMORY');
    await expect(stores.tableRows('e2e_big')).toHaveText('50,000');
    // From here on, every main-thread task is recorded (screenshots are taken after reading them).
    await watchLongTasks(app.page);
    await stores.tableItem('e2e_big').click();
    await expect(stores.range()).toHaveText('rows 1–100 of 50,000');
    await expect(stores.gridRow(stores.browseGrid(), 1)).toContainText('row 0');
    // NULLs are shown as NULL, not as empty text.
    await expect(stores.gridRow(stores.browseGrid(), 1)).toContainText('NULL');
    const timings: Record<string, number> = {};
    let t = Date.now();
    await stores.pagerButton('Next page').click();
    await expect(stores.range()).toHaveText('rows 101–200 of 50,000');
    timings.next_page_ms = Date.now() - t;
    await expect(stores.gridRow(stores.browseGrid(), 101)).toContainText('row 100');
    t = Date.now();
    await stores.pagerButton('Last page').click();
    await expect(stores.range()).toHaveText('rows 49,901–50,000 of 50,000');
    timings.last_page_ms = Date.now() - t;
    await expect(stores.pagerButton('Next page')).toBeDisabled();
    t = Date.now();
    await stores.goToRow(31_337);
    await expect(stores.range()).toHaveText('rows 31,301–31,400 of 50,000');
    timings.goto_row_ms = Date.now() - t;
    // The row asked for is scrolled into view and marked.
    await expect(stores.gridRow(stores.browseGrid(), 31_337)).toContainText('row 31336');
    await expect(stores.gridRow(stores.browseGrid(), 31_337)).toHaveClass(/store-grid-row-focus/);
    // A page of 1,000 rows is virtualized: only what is on screen is in the DOM.
    await stores.detail().getByRole('combobox', { name: 'Rows per page' }).selectOption('1000');
    await expect(stores.range()).toHaveText('rows 31,001–32,000 of 50,000');
    expect(await stores.browseGrid().locator('[role="row"]').count()).toBeLessThan(60);

    t = Date.now();
    await stores.tableItem('e2e_blob').click();
    await expect(stores.range()).toHaveText('rows 1–2 of 2');
    timings.blob_page_ms = Date.now() - t;
    const blobRow = stores.gridRow(stores.browseGrid(), 1);
    await expect(blobRow).toContainText('BLOB 5.0 MB');
    await expect(blobRow).toContainText('46 4f 58 42');
    await expect(blobRow).toContainText('100,000 chars');
    await blobRow.locator('[role="gridcell"]').nth(2).click();
    await expect(stores.cellInspector()).toContainText(`${BLOB_BYTES.toLocaleString('en-US')} bytes`);
    await expect(stores.cellInspector()).toContainText('46 4f 58 42 4c 4f 42 21 cd cd');
    await blobRow.locator('[role="gridcell"]').nth(3).click();
    await expect(stores.cellInspector()).toContainText('Text of 100,000 characters: the first 4,096 are shown');
    const longest = await longestTask(app.page);
    console.log(`[stores] paging timings (click to rows shown): ${JSON.stringify(timings)}; longest main-thread task ${Math.round(longest)} ms`);
    // No freeze: no task blocks the page for 2 s and every page shows within 5 s, even on this
    // shared 2-core machine under load (unloaded: pages show in ~100-300 ms, tasks stay under
    // 300 ms). Shipping a 5 MB BLOB or a 1,000-row page unvirtualized into the DOM breaks both.
    expect(longest).toBeLessThan(2000);
    for (const ms of Object.values(timings)) expect(ms).toBeLessThan(5000);
    await shot(app, 'stores-blob');
    await stores.tableItem('e2e_big').click();
    await expect(stores.range()).toHaveText(/^rows 1–[\d,]+ of 50,000$/);
    await shot(app, 'stores-detail');
  });

  test('runs a read-only query, refuses a write with the reason, and checks integrity', async ({ app }) => {
    test.setTimeout(120_000);
    const file = await memoryFile(app);
    seedBig(file);
    const stores = await new StoresPage(app).open();
    await stores.openStore('MEMORY');
    await stores.tab('SQL console').click();
    await expect(stores.sql()).toHaveText(/^SELECT \* FROM ".+" LIMIT 100$/);
    await stores.runSql('SELECT id, label, weight FROM e2e_big WHERE id > 49990 ORDER BY id');
    await expect(stores.queryFoot()).toContainText('10 rows');
    await expect(stores.gridRow(stores.queryGrid(), 1)).toContainText('row 49990');
    await expect(stores.detail().getByTestId('store-query-result').getByTestId('cli-equivalent')).toContainText('foxctl db query MEMORY');
    // The row cap stops a big result and says so.
    await stores.runSql('SELECT * FROM e2e_big');
    await expect(stores.queryFoot()).toContainText('500 rows · stopped at the row cap of 500');
    await shot(app, 'stores-console');

    await stores.runSql('DELETE FROM e2e_big');
    await expect(stores.panelError()).toHaveAttribute('data-code', 'INVALID_INPUT');
    await expect(stores.panelError()).toContainText('only read-only queries can run here');
    await expect(stores.panelError()).toContainText('this statement would write or change the database');
    expect(count(file, 'e2e_big')).toBe(BIG_ROWS);
    await shot(app, 'stores-console-refused');
    await stores.runSql("ATTACH '/tmp/x.db' AS x");
    await expect(stores.panelError()).toContainText('ATTACH, DETACH, BEGIN and PRAGMA settings are refused');

    // A query past its time limit is stopped with the limit named.
    await stores.detail().getByRole('combobox', { name: 'Time limit' }).selectOption('1000');
    await stores.runSql('WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c');
    await expect(stores.panelError()).toHaveAttribute('data-code', 'CANCELED');
    await expect(stores.panelError()).toContainText('time limit');

    await stores.tab('Integrity').click();
    await stores.detail().getByTestId('store-check-full').click();
    await expect(stores.checkResult()).toHaveAttribute('data-ok', 'true');
    await expect(stores.checkResult()).toContainText('integrity_check found no problems');
    await shot(app, 'stores-integrity');
    await stores.tab('Schema').click();
    await expect(stores.detail().getByTestId('store-schema')).toContainText('CREATE TABLE e2e_big');
  });

  test('moves a store to Turso (libSQL) with a dry run first, progress, and the row-count comparison', async ({ app, home }) => {
    const target = path.join(path.dirname(home), 'turso-target.db');
    const stores = await new StoresPage(app).open();
    await stores.openStore('MEMORY');
    await stores.tab('Move to PostgreSQL / Turso').click();
    const wizard = stores.detail().getByTestId('store-migrate');
    // Validated as typed: a PostgreSQL DSN must look like one.
    await wizard.getByTestId('store-migrate-dsn').fill('mysql://nope');
    await wizard.getByTestId('store-migrate-dry-run').click();
    await expect(wizard).toContainText('a PostgreSQL DSN starts with postgres:// or postgresql://');
    await wizard.getByRole('radio', { name: 'Turso / libSQL' }).check();
    await wizard.getByTestId('store-migrate-dsn').fill(`file:${target}`);
    await wizard.getByTestId('store-migrate-dry-run').click();
    const plan = wizard.getByTestId('store-migrate-plan');
    await expect(plan).toContainText('Would copy');
    await expect(plan.locator('tr[data-table="e2e_notes"]')).toContainText('500');
    await expect(plan.locator('tr[data-table="e2e_notes"]')).toContainText('not copied yet');
    await expect(wizard.getByTestId('cli-equivalent')).toContainText('--dry-run');
    expect(fs.existsSync(target)).toBe(false);
    await shot(app, 'stores-migrate-plan');
    await plan.getByTestId('store-migrate-start').click();
    const done = wizard.getByTestId('store-migrate-done');
    await expect(done).toHaveAttribute('data-ok', 'true', { timeout: 30_000 });
    await expect(done.locator('tr[data-table="e2e_notes"]')).toHaveAttribute('data-match', 'true');
    await expect(done).toContainText('every table has the same row count on both sides');
    await shot(app, 'stores-migrate');
    const copy = new Database(target, { readonly: true });
    try {
      expect((copy.prepare('SELECT count(*) AS n FROM e2e_notes').get() as { n: number }).n).toBe(500);
    } finally {
      copy.close();
    }
  });

  test('a PostgreSQL dry run shows the target with its password masked, in the page and on the bridge', async ({ app }) => {
    const secret = 'Sup3r-s3cret-pw';
    const stores = await new StoresPage(app).open();
    await stores.openStore('MEMORY');
    await stores.tab('Move to PostgreSQL / Turso').click();
    const wizard = stores.detail().getByTestId('store-migrate');
    await wizard.getByTestId('store-migrate-dsn').fill(`postgres://fox:${secret}@127.0.0.1:5999/foxctl`);
    await wizard.getByTestId('store-migrate-dry-run').click();
    const plan = wizard.getByTestId('store-migrate-plan');
    await expect(plan).toContainText('postgres://fox:***@127.0.0.1:5999/foxctl');
    await wizard.getByTestId('cli-equivalent').locator('summary').click();
    await expect(wizard.getByTestId('cli-equivalent')).toContainText("--target-dsn 'postgres://fox:***@127.0.0.1:5999/foxctl'");
    expect(await wizard.innerText()).not.toContain(secret);
    const jobs = await app.call('jobs.list', {});
    expect(JSON.stringify(jobs)).toContain('db migrate --dry-run to postgres://fox:***@');
    expect(JSON.stringify(jobs)).not.toContain(secret);
  });

  test('shows a long copy table by table with progress, and Cancel stops it', async ({ app, home }) => {
    test.setTimeout(120_000);
    const file = await memoryFile(app);
    const db = new Database(file);
    try {
      db.exec('CREATE TABLE e2e_million (id INTEGER PRIMARY KEY, label TEXT NOT NULL)');
      const ins = db.prepare('INSERT INTO e2e_million (label) VALUES (?)');
      db.transaction(() => {
        for (let i = 0; i < 1_000_000; i++) ins.run(`label ${i}`);
      })();
    } finally {
      db.close();
    }
    const stores = await new StoresPage(app).open();
    await stores.openStore('MEMORY');
    await stores.tab('Move to PostgreSQL / Turso').click();
    const wizard = stores.detail().getByTestId('store-migrate');
    await wizard.getByRole('radio', { name: 'Turso / libSQL' }).check();
    await wizard.getByTestId('store-migrate-dsn').fill(`file:${path.join(path.dirname(home), 'big-target.db')}`);
    await wizard.getByTestId('store-migrate-dry-run').click();
    await expect(wizard.getByTestId('store-migrate-plan').locator('tr[data-table="e2e_million"]')).toContainText('1,000,000');
    await wizard.getByTestId('store-migrate-start').click();
    const running = wizard.getByTestId('backup-job-running');
    // The job's line names the table being copied and its own count.
    await expect(running).toContainText('e2e_million', { timeout: 15_000 });
    await expect(running.getByRole('progressbar')).toBeVisible();
    await shot(app, 'stores-migrate-running');
    await running.getByRole('button', { name: /^Cancel/ }).click();
    await expect(wizard.getByTestId('backup-job-failed')).toHaveAttribute('data-state', 'canceled');
  });
});
