// A store on the turso driver (a libSQL file: URL) opens in the Stores view like a SQLite one:
// the header names the driver and the location, its size comes from the server, and the
// tables, browser, console and integrity check read through libSQL.
import path from 'node:path';
import Database from 'better-sqlite3';
import { expect, test } from './fixtures.js';
import { StoresPage } from './pages/stores-page.js';

/** The libSQL database of KNOWLEDGE, in the home. */
const libsqlFile = (home: string): string => path.join(home, 'knowledge.turso.db');

test.use({ configYaml: 'stores:\n  knowledge:\n    driver: turso\nturso:\n  url: file:{home}/knowledge.turso.db' });

test.describe('Stores view on a remote driver', () => {
  test('opens a turso store: driver and location in the header, rows, console, integrity', async ({ app, home }) => {
    test.setTimeout(120_000);
    // libSQL reads SQLite's format: the store as an agent on libSQL left it.
    const db = new Database(libsqlFile(home));
    db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL); CREATE INDEX notes_body ON notes (body)');
    const ins = db.prepare('INSERT INTO notes (body) VALUES (?)');
    for (let i = 1; i <= 120; i++) ins.run(`note ${i}`);
    db.close();

    const stores = await new StoresPage(app).open();
    await expect(stores.row('KNOWLEDGE')).toContainText('turso');
    await expect(stores.row('KNOWLEDGE')).not.toContainText('0 B');
    await stores.openStore('KNOWLEDGE');
    await expect(stores.detail().getByTestId('store-driver')).toContainText('turso');
    await expect(stores.detail().getByTestId('store-location')).toContainText(`file:${libsqlFile(home)}`);
    await expect(stores.detail().getByTestId('store-info')).toContainText('libSQL (SQLite 3.');
    // Already on a server: the move (which copies the SQLite file) is not offered.
    await expect(stores.tab('Tables & rows')).toBeVisible();
    await expect(stores.tab('Move to PostgreSQL / Turso')).toHaveCount(0);
    await expect(stores.tableRows('notes')).toHaveText('120');
    await app.page.setViewportSize({ width: 1400, height: 900 });
    await app.page.screenshot({ path: 'e2e/artifacts/stores-remote-1400.png' });
    await app.page.setViewportSize({ width: 1024, height: 700 });
    await app.page.screenshot({ path: 'e2e/artifacts/stores-remote-1024.png' });

    await stores.tab('SQL console').click();
    await stores.runSql('SELECT body FROM notes WHERE id > 115 ORDER BY id');
    await expect(stores.queryFoot()).toContainText('5 rows');
    await stores.runSql('DELETE FROM notes');
    await expect(stores.panelError()).toHaveAttribute('data-code', 'INVALID_INPUT');
    await expect(stores.panelError()).toContainText('only read-only queries can run here');

    await stores.tab('Integrity').click();
    await stores.detail().getByTestId('store-check-quick').click();
    await expect(stores.checkResult()).toHaveAttribute('data-ok', 'true');
    await expect(stores.checkResult()).toContainText('quick_check found no problems');
  });
});
