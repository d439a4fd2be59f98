// What happens when, despite everything, a connection of ours loses its locks: some code in
// the process closes a descriptor of the database file (as our own header check used to), and
// another process then checkpoints and deletes the -wal under our connection. Any new
// connection of ours to the file then fails with "disk I/O error". The engine must close the
// cut-off connection WITHOUT letting it checkpoint its deleted WAL over the other process's
// pages, open a fresh one, and carry on; nothing the other process committed may be lost.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { openEngine, type Engine } from '../engine.js';
import { tempHome } from '../../test/temp-home.js';

const open: Engine[] = [];
afterEach(async () => {
  for (const e of open.splice(0)) await e.close();
});

function sqlite3(file: string, sql: string): string {
  return execFileSync('sqlite3', ['-bail', file], { input: `.timeout 5000\n${sql}\n`, encoding: 'utf8' });
}

/**
 * Whether this process holds a descriptor of `file`'s -wal or -shm that another process has
 * deleted: the sign that a connection of ours lost its locks (Linux; false where /proc is absent).
 */
function walDetached(file: string): boolean {
  let fds: string[];
  try {
    fds = fs.readdirSync('/proc/self/fd');
  } catch {
    return false;
  }
  const gone = new Set([`${file}-wal (deleted)`, `${file}-shm (deleted)`]);
  for (const fd of fds) {
    try {
      if (gone.has(fs.readlinkSync(`/proc/self/fd/${fd}`))) return true;
    } catch {
      // Closed meanwhile.
    }
  }
  return false;
}

/** The fault: a plain open and close of the file in this process drops all its POSIX locks on it. */
function dropLocks(file: string): void {
  fs.closeSync(fs.openSync(file, 'r'));
}

describe('a connection of ours that lost its -wal to another process', () => {
  it('is closed without a checkpoint and reopened: the next inspection works and every row of the other process survives', async () => {
    const engine = openEngine({ env: tempHome().env() });
    open.push(engine);
    const incidents: string[] = [];
    engine.stores.onIncident((m) => incidents.push(m));
    const held = engine.stores.get('EVENTS');
    const file = held.name;
    held.exec('CREATE TABLE lock_probe (id INTEGER PRIMARY KEY, who TEXT NOT NULL)');
    held.prepare("INSERT INTO lock_probe (who) VALUES ('studio')").run();

    dropLocks(file);
    for (let i = 0; i < 5; i++) sqlite3(file, "INSERT INTO lock_probe (who) VALUES ('other');");
    expect(walDetached(file)).toBe(true);
    // Our cut-off connection commits into its deleted WAL: nobody else will ever see this row, and
    // a checkpoint of it would write its pages over the other process's.
    held.prepare("INSERT INTO lock_probe (who) VALUES ('studio-cut-off')").run();

    // A fresh connection of ours (the Stores view, a snapshot) meets the broken shared state.
    const info = await engine.inspect.info('EVENTS');
    expect(info.tables).toBeGreaterThan(0);
    expect(walDetached(file)).toBe(false);
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatch(/store EVENTS .* lost its -wal and -shm to another process.*closed without a checkpoint and reopened/);
    // The held connection was replaced: the viewer's next query sees what the other process wrote.
    const rows = engine.stores.run('EVENTS', (db) => db.prepare("SELECT count(*) AS n FROM lock_probe WHERE who = 'other'").get() as { n: number });
    expect(rows.n).toBe(5);
    await engine.events.syncer.syncNow();

    await engine.close();
    const counts = sqlite3(file, "SELECT who || '=' || count(*) FROM lock_probe GROUP BY who ORDER BY who; PRAGMA integrity_check;").trim().split('\n');
    expect(counts).toEqual(['other=5', 'studio=1', 'ok']);
  });

  it('says that it reopened the connection when the retry fails too', async () => {
    const engine = openEngine({ env: tempHome().env() });
    open.push(engine);
    const file = engine.stores.get('MEMORY').name;
    let calls = 0;
    const err = (() => {
      try {
        engine.stores.run('MEMORY', () => {
          calls++;
          throw Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR_READ' });
        });
      } catch (e) {
        return e as Error & { code: string };
      }
      return null;
    })();
    expect(calls).toBe(2);
    expect(err?.code).toBe('IO');
    expect(err?.message).toMatch(/store MEMORY: disk I\/O error \(the connection was reopened once after "disk I\/O error" and failed again\)/);
    // The store is usable afterwards on a fresh connection.
    expect(engine.stores.get('MEMORY').name).toBe(file);
  });
});
