import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { Env } from './config/resolve.js';
import { openEngine, type Engine } from './engine.js';
import { initHome } from './init.js';
import { STORES } from './registry/stores.js';
import { tempHome } from '../test/temp-home.js';

const engines: Engine[] = [];
afterEach(async () => {
  for (const e of engines.splice(0)) await e.close();
});

function engineFor(env: Env): Engine {
  const e = openEngine({ env });
  engines.push(e);
  return e;
}

const CREATED = STORES.filter((s) => !s.keyed && !s.readOnly).map((s) => s.name);

describe('initHome', () => {
  it('creates the directories and every non-external, non-keyed store, migrated; a second run does nothing', async () => {
    const h = tempHome();
    fs.rmSync(h.home, { recursive: true });
    const first = await initHome(engineFor(h.env()));
    expect(first.errors).toBe(0);
    expect(first.created_dirs).toEqual(expect.arrayContaining([h.home, path.join(h.home, 'storage'), path.join(h.home, 'cas'), path.join(h.home, 'backups')]));
    expect(first.stores.map((s) => s.name)).toEqual(CREATED);
    for (const s of first.stores) {
      expect(s.status, s.name).toBe('created');
      expect(fs.existsSync(s.path!), s.name).toBe(true);
    }
    expect(first.stores.find((s) => s.name === 'COMPANION')!.schema_version).toBe(1);
    expect(fs.existsSync(path.join(h.home, 'storage', 'opencode.db'))).toBe(false);

    const second = await initHome(engineFor(h.env()));
    expect(second.created_dirs).toEqual([]);
    expect(new Set(second.stores.map((s) => s.status))).toEqual(new Set(['ok']));
  });

  it('migrates a store the Go tool created and reports it as migrated', async () => {
    const h = tempHome();
    const file = path.join(h.home, 'storage', 'contextvar.db');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const go = new Database(file);
    go.exec('CREATE TABLE context_sequences (scope TEXT NOT NULL, name TEXT NOT NULL, value INTEGER NOT NULL DEFAULT 0, updated_at TEXT NOT NULL, PRIMARY KEY (scope, name))');
    go.exec("INSERT INTO context_sequences VALUES ('s', 'n', 41, 't')");
    go.close();
    const res = await initHome(engineFor(h.env()));
    expect(res.stores.find((s) => s.name === 'CONTEXTVAR')).toMatchObject({ status: 'migrated', schema_version: 1 });
    const db = new Database(file, { readonly: true });
    expect(db.prepare('SELECT value FROM context_sequences').get()).toEqual({ value: 41 });
    db.close();
  });

  it('reports a store it cannot open, leaves that file alone, and creates the rest', async () => {
    const h = tempHome();
    const file = path.join(h.home, 'storage', 'tasks.db');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const junk = Buffer.from('this is a spreadsheet export, not a database '.repeat(10));
    fs.writeFileSync(file, junk);
    const res = await initHome(engineFor(h.env()));
    expect(res.errors).toBe(1);
    const tasks = res.stores.find((s) => s.name === 'TASKS')!;
    expect(tasks.status).toBe('error');
    expect(tasks.note).toContain(file);
    expect(tasks.note).toMatch(/not a SQLite database/);
    expect(fs.readFileSync(file).equals(junk)).toBe(true);
    expect(res.stores.filter((s) => s.status === 'created')).toHaveLength(CREATED.length - 1);
  });

  it('creates a store on the turso driver through libSQL (its schema, migrated), then finds it up to date', async () => {
    const h = tempHome();
    const file = path.join(h.home, 'remote', 'memory.libsql');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const env = h.env({ FOXCTL_MEMORY_DB_DRIVER: 'turso', FOXCTL_MEMORY_DB_URL: `file:${file}` });
    const first = await initHome(engineFor(env));
    const knowledge = first.stores.find((s) => s.name === 'MEMORY')!;
    expect(knowledge).toMatchObject({ status: 'created', driver: 'turso', path: null, location: expect.stringContaining(file) });
    expect(knowledge.schema_version).toBeGreaterThan(0);
    expect(fs.existsSync(path.join(h.home, 'storage', 'memory.db'))).toBe(false);
    // Read by SQLite itself, not through our driver: the schema is there.
    const db = new Database(file, { readonly: true });
    expect((db.prepare('SELECT count(*) AS n FROM schema_migrations').get() as { n: number }).n).toBeGreaterThan(0);
    db.close();
    const second = await initHome(engineFor(env));
    expect(second.stores.find((s) => s.name === 'MEMORY')).toMatchObject({ status: 'ok', driver: 'turso', schema_version: knowledge.schema_version });
  });

  it('stops at a store boundary when canceled', async () => {
    const h = tempHome();
    const ac = new AbortController();
    ac.abort();
    await expect(initHome(engineFor(h.env()), { signal: ac.signal })).rejects.toMatchObject({ code: 'CANCELED' });
  });
});
