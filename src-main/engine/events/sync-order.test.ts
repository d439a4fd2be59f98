import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openEngine } from '../engine.js';
import { tempHome } from '../../test/temp-home.js';

/** A line of our writer's shape; `sec` sets its time, `word` a message word to search for. */
function line(span: string, sec: number, extra: Record<string, unknown> = {}): string {
  const ts = `2026-11-27T03:${String(Math.floor(sec / 60)).padStart(2, '0')}:${String(sec % 60).padStart(2, '0')}.000000000Z`;
  return `${JSON.stringify({ ts, trace_id: `t-${span}`, span_id: span, operation: 'order.test', name: 'order/cmd', status: 'ok', duration_ms: 1, ...extra })}\n`;
}

function setup(extraEnv: Record<string, string> = {}): { engine: ReturnType<typeof openEngine>; file: string } {
  const home = tempHome();
  const engine = openEngine({ env: home.env(extraEnv) });
  const file = engine.events.streamPath();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  return { engine, file };
}

describe('syncer: lines out of time order', () => {
  it('inserts each batch in time order, and the first line of a span_id is still the one kept', async () => {
    const { engine, file } = setup();
    // File order: times 5, 1, 4, then "d" again with an EARLIER time (other content), then 2, 3.
    fs.writeFileSync(file, [line('e', 5), line('a', 1), line('d', 4, { message: 'first' }), line('d', 0, { message: 'second' }), line('b', 2), line('c', 3)].join(''));
    expect(await engine.events.syncer.syncNow()).toMatchObject({ inserted: 5, duplicates: 0, rejected: 1 });
    const db = engine.stores.get('EVENTS');
    // Ids follow time order within the batch: each index takes the batch as one forward sweep.
    const ids = db.prepare('SELECT span_id FROM foxcular_events ORDER BY id').pluck().all();
    expect(ids).toEqual(['a', 'b', 'c', 'd', 'e']);
    // The span_id's first line (time 4, "first") stays; the later line is the recorded conflict.
    expect(db.prepare("SELECT json_extract(data, '$.message') FROM foxcular_events WHERE span_id = 'd'").pluck().get()).toBe('first');
    const rejects = (await engine.events.rejects()).rows;
    expect(rejects).toHaveLength(1);
    expect(rejects[0]!.error).toContain('span_id d: ts, data differ');
    expect(fs.readFileSync(file, 'utf8').slice(rejects[0]!.offset)).toMatch(/^\{"ts":"2026-11-27T03:00:00/);
    await engine.close();
  });

  it('makes every event of a batch searchable as soon as the batch commits', async () => {
    const { engine, file } = setup({ FOXCTL_EVENTS_SYNC_BATCH: '7' });
    const n = 60;
    // Out of time order, each with its own word and a shared one.
    const order = Array.from({ length: n }, (_, i) => (i * 37) % n);
    fs.writeFileSync(file, order.map((i) => line(`s${i}`, i, { message: `word${i} shared` })).join(''));
    const seen: number[] = [];
    await engine.events.syncer.syncNow({
      onProgress: () => {
        // Runs after each commit: every event committed so far is found by its own word.
        const db = engine.stores.get('EVENTS');
        const stored = db.prepare('SELECT span_id FROM foxcular_events').pluck().all() as string[];
        const hits = db.prepare("SELECT count(*) FROM studio_events_fts WHERE studio_events_fts MATCH 'shared'").pluck().get();
        expect(hits).toBe(stored.length);
        for (const span of stored) {
          const word = `word${span.slice(1)}`;
          expect(db.prepare('SELECT count(*) FROM studio_events_fts WHERE studio_events_fts MATCH ?').pluck().get(word)).toBe(1);
        }
        seen.push(stored.length);
      },
    });
    expect(seen.at(-1)).toBe(n);
    expect(seen.length).toBeGreaterThan(n / 7 - 1);
    expect((await engine.events.query({ text: 'word13' })).rows.map((r) => r.span_id)).toEqual(['s13']);
    expect(await engine.events.count({ text: 'shared' })).toBe(n);
    await engine.close();
  });
});
