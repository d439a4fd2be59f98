import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openEngine } from '../engine.js';
import { runCliInProcess } from '../../test/cli-runner.js';
import { goInsertEvents, goRfc3339Nano, type GoEvent } from '../../test/go-home/events.js';
import { tempHome } from '../../test/temp-home.js';

const T = Date.parse('2026-03-01T09:00:00Z');

const go = (span: string, ms: number, zone: number, extra: Partial<GoEvent> = {}, nanos = 0): GoEvent => ({
  ts: goRfc3339Nano(T + ms, zone, nanos), trace_id: 'trace-go', span_id: span, operation: 'go.op', name: 'cas put', status: 'ok', duration_ms: 5, data: { service: 'foxctl' }, ...extra,
});

type Json = { data: unknown };
const cli = async (home: string, ...args: string[]): Promise<unknown> => {
  const r = await runCliInProcess(home, [...args, '--json']);
  expect(r.status, r.stderr).toBe(0);
  return (JSON.parse(r.stdout.trim().split('\n').pop()!) as Json).data;
};
const spans = (page: unknown): string[] => (page as { rows: { span_id: string }[] }).rows.map((r) => r.span_id);

describe('events.db rows written by the Go foxctl (RFC3339Nano in its own zone, INSERT OR REPLACE)', () => {
  it('filters, orders, pages, buckets and searches rows of both ts forms as instants, through the CLI', async () => {
    const home = tempHome();
    const engine = openEngine({ env: home.env() });
    // Ours, in our 9-digit UTC form, written by our own code.
    await engine.events.emitMany(
      [
        { operation: 'ours.op', span_id: 'ours-1', name: 'cas put', ts: new Date(T + 200).toISOString() },
        { operation: 'ours.op', span_id: 'ours-2', name: 'cas get', ts: new Date(T + 1000).toISOString(), message: 'first try' },
        { operation: 'ours.op', span_id: 'ours-3', name: 'cas put', ts: new Date(T + 3000).toISOString() },
      ],
      { persist: 'sql' },
    );
    const dbFile = path.join(engine.config.obsDir, 'events.db');
    // Go's exact INSERT OR REPLACE, run by sqlite3 while our engine holds the file open.
    goInsertEvents(dbFile, [
      go('go-1', 500, 60), // 2026-03-01T10:00:00.5+01:00: after every 09:... text, yet 0.5 s after T
      go('go-3', 500, 0, {}, 1), // one nanosecond after go-1
      go('go-2', 2000, -300), // 2026-03-01T04:00:02-05:00
      go('go-4', -3_600_000, 540), // an hour before T, written 17:00+09:00
      // Go replaces one of our rows: same span_id, a new rowid, new text.
      go('ours-2', 1000, 60, { name: 'cas get', status: 'error', error_message: 'quokka exploded' }),
    ]);
    const ts = (engine.stores.get('EVENTS').prepare("SELECT ts FROM foxcular_events WHERE span_id = 'go-1'").get() as { ts: string }).ts;
    expect(ts).toBe('2026-03-01T10:00:00.5+01:00');

    const all = ['ours-3', 'go-2', 'ours-2', 'go-3', 'go-1', 'ours-1', 'go-4'];
    expect(spans(await cli(home.home, 'events', 'query'))).toEqual(all);
    expect(spans(await cli(home.home, 'events', 'query', '--asc'))).toEqual([...all].reverse());
    expect(spans(await cli(home.home, 'events', 'query', '--since', '2026-03-01T09:00:00Z', '--until', '2026-03-01T09:00:01Z'))).toEqual(['go-3', 'go-1', 'ours-1']);
    expect(await cli(home.home, 'events', 'count', '--since', '2026-03-01T09:00:00Z')).toEqual({ count: 6 });
    // Keyset pages of one row each walk the same order, across both forms.
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const page = (await cli(home.home, 'events', 'query', '--limit', '1', ...(cursor ? ['--cursor', cursor] : []))) as { rows: { span_id: string }[]; next_cursor: string | null };
      paged.push(...spans(page));
      cursor = page.next_cursor;
    } while (cursor);
    expect(paged).toEqual(all);
    // Rows come back with ts as an instant in one form.
    const first = (await cli(home.home, 'events', 'query', '--op', 'go.op', '--limit', '1', '--asc')) as { rows: { ts: string }[] };
    expect(first.rows[0]!.ts).toBe('2026-03-01T08:00:00.000000000Z');

    const h = (await cli(home.home, 'events', 'histogram', '--since', '2026-03-01T09:00:00Z', '--until', '2026-03-01T09:00:04Z', '--buckets', '4')) as { count: number; errors: number }[];
    expect(h.map((b) => [b.count, b.errors])).toEqual([[3, 0], [1, 1], [1, 0], [1, 0]]);
    // The same buckets where free text sends the histogram down its grouped path.
    await engine.events.emit({ operation: 'ours.op', span_id: 'ours-4', ts: '2026-03-01T10:00:03.5+01:00', message: 'quokka again' }, { persist: 'sql' });
    const ht = (await cli(home.home, 'events', 'histogram', '--text', 'quokka', '--since', '2026-03-01T09:00:00Z', '--until', '2026-03-01T09:00:04Z', '--buckets', '4')) as { count: number }[];
    expect(ht.map((b) => b.count)).toEqual([0, 1, 0, 1]);

    // The replaced row has a new rowid: text search finds its new text without waiting for a sync.
    expect(spans(await cli(home.home, 'events', 'query', '--text', 'quokka'))).toEqual(['ours-4', 'ours-2']);
    expect(spans(await cli(home.home, 'events', 'query', '--text', 'try'))).toEqual([]);
    // Go's rows carry their name in `command`: found by it, faceted by it, filtered by it.
    expect(spans(await cli(home.home, 'events', 'query', '--text', 'put', '--op', 'go.op'))).toEqual(['go-4', 'go-2', 'go-3', 'go-1']);
    const facets = (await cli(home.home, 'events', 'facets', '--fields', 'command')) as { values: { value: string; count: number }[] }[];
    for (const v of facets[0]!.values) {
      if (v.value === null) continue;
      expect(await cli(home.home, 'events', 'count', '--command', v.value), v.value).toEqual({ count: v.count });
    }
    expect(facets[0]!.values).toEqual([{ value: 'cas put', count: 6 }, { value: null, count: 1 }, { value: 'cas get', count: 1 }]);
    await engine.close();
  });

  it('prunes Go rows by their instant, not their text', async () => {
    const home = tempHome();
    const engine = openEngine({ env: home.env() });
    await engine.events.emit({ operation: 'ours.op', span_id: 'new' }, { persist: 'sql' });
    const now = Date.now();
    // 90 minutes old in a zone far east: its text reads as a time in the future.
    goInsertEvents(path.join(engine.config.obsDir, 'events.db'), [go('old-east', now - T - 90 * 60_000, 13 * 60)]);
    const r = await engine.events.prune({ olderThanMs: 3_600_000 });
    expect(r.rows_deleted).toBe(1);
    expect((await engine.events.query()).rows.map((x) => x.span_id)).toEqual(['new']);
    await engine.close();
  });
});
