import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openEngine } from '../engine.js';
import { tempHome } from '../../test/temp-home.js';

/**
 * Appends events to an NDJSON file from a separate python3 process, written the way the Go writer
 * writes them: encoding/json bytes (compact, HTML characters escaped, map keys sorted), ts in
 * RFC 3339 with the event's own zone and trailing zeros trimmed, one write per line.
 */
function goAppend(file: string, events: Record<string, unknown>[]): void {
  const script = `
import json, os, sys
path, events = sys.argv[1], json.loads(sys.argv[2])
def go(v):
    s = json.dumps(v, separators=(',', ':'), ensure_ascii=False, sort_keys=False)
    return s.replace('<', '\\\\u003c').replace('>', '\\\\u003e').replace('&', '\\\\u0026')
fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
for e in events:
    if isinstance(e.get('data'), dict):
        e['data'] = dict(sorted(e['data'].items()))
    os.write(fd, (go(e) + '\\n').encode('utf-8'))
os.close(fd)
`;
  execFileSync('python3', ['-c', script, file, JSON.stringify(events)]);
}

/** An event as the Go foxctl marshals it (struct field order). */
function ev(span: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ts: '2026-11-27T03:00:00.5Z', trace_id: 'trace-dup', span_id: span, operation: 'dup.test', name: 'dup/cmd', status: 'ok', duration_ms: 12, data: { service: 'foxctl', b: 1, a: 'x<y' }, ...extra };
}

function setup(): { engine: ReturnType<typeof openEngine>; file: string; db: string } {
  const home = tempHome();
  const engine = openEngine({ env: home.env() });
  const file = engine.events.streamPath();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  return { engine, file, db: path.join(engine.config.obsDir, 'events.db') };
}

describe('syncer: a span_id that is already stored', () => {
  it('stays silent for the same event read again (rotation, another zone, other key order) and records a different one as a reject', async () => {
    const { engine, file } = setup();
    goAppend(file, [ev('s1'), ev('s2'), ev('s3', { message: 'first' })]);
    expect(await engine.events.syncer.syncNow()).toMatchObject({ inserted: 3, duplicates: 0, rejected: 0 });

    // Rotated (rename + create): the new file starts with the same lines again, then:
    fs.renameSync(file, `${file}.1`);
    goAppend(file, [
      ev('s1'),
      // the same instant in another zone with trailing zeros, data keys in another order: the same event
      { ...ev('s3', { message: 'first' }), ts: '2026-11-27T05:00:00.500000+02:00', data: { a: 'x<y', service: 'foxctl', b: 1 } },
      // the same span_id, something else happened
      ev('s2', { status: 'error', error_message: 'boom' }),
      ev('s3', { message: 'second' }),
      ev('s4'),
      // twice in one batch: the first stays, the second is recorded
      ev('s5', { duration_ms: 1 }),
      ev('s5', { duration_ms: 900 }),
    ]);
    const r = await engine.events.syncer.syncNow();
    expect(r).toMatchObject({ inserted: 2, duplicates: 2, rejected: 3 });
    expect(r.resets).toEqual([{ file: 'foxcular_events.ndjson', reason: 'replaced (rename + create)' }]);

    const rejects = (await engine.events.rejects()).rows.sort((a, b) => a.offset - b.offset);
    expect(rejects.map((x) => x.error)).toEqual([
      'duplicate span_id with different content (span_id s2: status, error_message differ from the event in events.db)',
      'duplicate span_id with different content (span_id s3: data differ from the event in events.db)',
      'duplicate span_id with different content (span_id s5: duration_ms differ from the event in events.db)',
    ]);
    const text = fs.readFileSync(file, 'utf8');
    for (const x of rejects) {
      // Offset and length point at the line in the file; the excerpt is its head.
      expect(text.slice(x.offset, x.offset + x.length)).toContain(x.excerpt.slice(0, 40));
      expect(x.excerpt).toMatch(/^\{"ts":/);
    }
    // The first event under each span_id is what events.db keeps.
    const page = await engine.events.query({}, { limit: 20 });
    const bySpan = new Map(page.rows.map((row) => [row.span_id, row]));
    expect(page.rows).toHaveLength(5);
    expect(bySpan.get('s2')).toMatchObject({ status: 'ok' });
    expect(bySpan.get('s5')).toMatchObject({ duration_ms: 1 });
    const status = await engine.events.syncer.status();
    expect(status).toMatchObject({ rejected_total: 3 });

    // The offset moved past those lines with the rejects, in one transaction: a second pass records nothing again.
    expect(await engine.events.syncer.syncNow()).toMatchObject({ inserted: 0, rejected: 0 });
    await engine.close();
  });

  it('takes a row the Go foxctl wrote for the same event (its columns, its ts text) as the same event', async () => {
    const { engine, file, db } = setup();
    await engine.events.count(); // creates events.db and its schema
    // What the Go writer's INSERT OR REPLACE stores: ts with its zone, service '' when absent,
    // command = name, '' for unset strings, data = json.Marshal(Data) (no name, no message).
    const goRow = (span: string, status: string, data: string): string =>
      `INSERT OR REPLACE INTO foxcular_events (span_id, trace_id, parent_id, ts, service, version, component, operation, command, subtype, session_id, agent_id, workspace_id, job_id, status, duration_ms, error_type, error_code, error_message, retriable, data)
       VALUES ('${span}', 'trace-dup', '', '2026-11-27T04:00:00.5+01:00', 'foxctl', '', '', 'dup.test', 'dup/cmd', '', '', '', '', '', '${status}', 12, '', '', '', NULL, '${data}');`;
    execFileSync('/usr/bin/sqlite3', [db, goRow('g1', 'ok', '{"a":"x<y","b":1,"service":"foxctl"}') + goRow('g2', 'ok', '{"a":"x<y","b":2,"service":"foxctl"}')]);
    goAppend(file, [ev('g1', { message: 'hello' }), ev('g2')]);
    const r = await engine.events.syncer.syncNow();
    expect(r).toMatchObject({ inserted: 0, duplicates: 1, rejected: 1 });
    const rejects = (await engine.events.rejects()).rows;
    expect(rejects.map((x) => x.error)).toEqual(['duplicate span_id with different content (span_id g2: data differ from the event in events.db)']);
    await engine.close();
  });
});
