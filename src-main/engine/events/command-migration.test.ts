import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { applyMigrations } from '../db/migrate.js';
import { openEngine } from '../engine.js';
import { goInsertEvents, goRfc3339Nano } from '../../test/go-home/events.js';
import { tempHome } from '../../test/temp-home.js';
import { EVENTS_MIGRATIONS } from './schema.js';

describe('events.db migration v3: command from the event name', () => {
  it('recomputes command of rows our older code wrote, leaves Go rows and unreadable data alone, and indexes Go names', async () => {
    const home = tempHome();
    const obs = path.join(home.home, 'observability');
    fs.mkdirSync(obs, { recursive: true });
    const file = path.join(obs, 'events.db');
    // An events.db as our code left it before v3 (schema v2), rows mapped the old way:
    // command = data.command, the name kept in data, the FTS text from data.name and data.message.
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    applyMigrations(db, 'EVENTS', EVENTS_MIGRATIONS.slice(0, 2));
    const ins = db.prepare("INSERT INTO foxcular_events (span_id, trace_id, ts, service, operation, command, status, data) VALUES (?, 't', '2026-03-01T09:00:00.000000000Z', 'foxctl', 'op', ?, 'ok', ?)");
    const fts = db.prepare('INSERT INTO studio_events_fts (rowid, text) VALUES (?, ?)');
    const old = (span: string, command: string | null, data: string | null, text: string | null): void => {
      const id = Number(ins.run(span, command, data).lastInsertRowid);
      if (text) fts.run(id, text);
    };
    old('named', 'run', '{"command":"run","name":"cas put"}', 'cas put');
    old('nameless', 'run', '{"command":"run"}', null);
    old('name-only', null, '{"name":"cas get","message":"hello"}', 'cas get hello');
    old('not-json', 'x', 'garbage{', null);
    old('number-name', 'run', '{"command":"run","name":5}', null);
    db.close();
    // A Go row written before v3 (its name in command only), already passed by the FTS catch-up.
    goInsertEvents(file, [{ ts: goRfc3339Nano(Date.parse('2026-03-01T09:00:00Z'), 60), trace_id: 't', span_id: 'go', operation: 'op', name: 'gc run', status: 'ok', duration_ms: 1, data: { command: 'gc run' } }]);
    const raw = new Database(file);
    raw.prepare("UPDATE studio_event_meta SET value = (SELECT max(id) FROM foxcular_events) WHERE key = 'fts_indexed_to'").run();
    raw.close();

    const engine = openEngine({ env: home.env() });
    const commands = Object.fromEntries((engine.stores.get('EVENTS').prepare('SELECT span_id, command FROM foxcular_events').all() as { span_id: string; command: string | null }[]).map((r) => [r.span_id, r.command]));
    expect(commands).toEqual({ named: 'cas put', nameless: null, 'name-only': 'cas get', 'not-json': 'x', 'number-name': 'run', go: 'gc run' });
    // Facets and --command agree.
    const [facet] = await engine.events.facets({}, { fields: ['command'] });
    for (const v of facet!.values) if (v.value !== null) expect(await engine.events.count({ command: v.value }), v.value).toBe(v.count);
    // The Go row's name is found as text now; ours still are.
    expect((await engine.events.query({ text: 'gc' })).rows.map((r) => r.span_id)).toEqual(['go']);
    expect((await engine.events.query({ text: 'cas' })).rows.map((r) => r.span_id)).toEqual(['name-only', 'named']);
    await engine.close();
  });
});
