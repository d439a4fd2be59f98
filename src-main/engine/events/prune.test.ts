import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openEngine } from '../engine.js';
import { isFoxError } from '../errors.js';
import { tempHome } from '../../test/temp-home.js';

const DAY = 86_400_000;
const iso = (msAgo: number): string => new Date(Date.now() - msAgo).toISOString();
const ev = (id: string, msAgo: number): string => `${JSON.stringify({ ts: iso(msAgo), trace_id: 't', span_id: id, operation: 'p', status: 'ok', duration_ms: 1 })}\n`;

describe('events prune', () => {
  it('removes old rows and old NDJSON lines, keeps unparseable lines, and dry-run changes nothing', async () => {
    const home = tempHome();
    const engine = openEngine({ env: home.env() });
    const file = engine.events.streamPath();
    const core = engine.events.streamPath('core');
    fs.mkdirSync(file.replace(/[^/]+$/, ''), { recursive: true });
    const content = ev('old-1', 40 * DAY) + 'not json at all\n' + ev('new-1', DAY) + ev('old-2', 31 * DAY) + '{"no_ts":1}\n' + ev('new-2', 0) + '{"ts":"partial';
    fs.writeFileSync(file, content);
    fs.writeFileSync(core, `{"ts":"${iso(60 * DAY)}","command":"grep","count":3}\n{"ts":"${iso(DAY)}","command":"grep","count":1}\n`);
    await engine.events.syncer.syncNow();
    await engine.events.emit({ operation: 'sql.old', ts: iso(45 * DAY) }, { persist: 'sql' });
    expect(await engine.events.count()).toBe(5);

    const dry = await engine.events.prune({ olderThanMs: 30 * DAY, dryRun: true });
    expect(dry).toMatchObject({ dry_run: true, rows_deleted: 3 });
    expect(dry.files.map((f) => [f.file, f.lines_removed, f.lines_kept])).toEqual([['core.ndjson', 1, 1], ['foxcular_events.ndjson', 2, 4]]);
    expect(fs.readFileSync(file, 'utf8')).toBe(content);
    expect(await engine.events.count()).toBe(5);

    const res = await engine.events.prune({ olderThanMs: 30 * DAY });
    expect(res.rows_deleted).toBe(3);
    expect((await engine.events.query()).rows.map((r) => r.span_id).sort()).toEqual(['new-1', 'new-2']);
    const kept = fs.readFileSync(file, 'utf8');
    expect(kept.split('\n').map((l) => (l.startsWith('{"ts"') && l.includes('span_id') ? (JSON.parse(l) as { span_id: string }).span_id : l))).toEqual([
      'not json at all', 'new-1', '{"no_ts":1}', 'new-2', '{"ts":"partial',
    ]);
    expect(fs.readFileSync(core, 'utf8').split('\n').filter(Boolean)).toHaveLength(1);
    expect(fs.readdirSync(file.replace(/[^/]+$/, '')).filter((f) => f.includes('.tmp'))).toEqual([]);

    // The syncer's state moved with the rewrite: new lines sync, nothing is re-read or re-rejected.
    const before = await engine.events.syncer.status();
    fs.appendFileSync(file, '"}\n' + ev('after', 0));
    const r = await engine.events.syncer.syncNow();
    expect(r).toMatchObject({ inserted: 1, duplicates: 0, rejected: 1, resets: [] });
    expect((await engine.events.syncer.status()).rejected_total).toBe(before.rejected_total + 1);
    expect(engine.stores.get('EVENTS').prepare('SELECT duplicate_total AS d FROM studio_event_sync_files').get()).toEqual({ d: 0 });
    await engine.close();
  });

  it('refuses a missing or non-positive age', async () => {
    const home = tempHome();
    const engine = openEngine({ env: home.env() });
    for (const bad of [0, -5, Number.NaN, undefined]) {
      const err = await engine.events.prune({ olderThanMs: bad as number }).then(() => null, (e: unknown) => e);
      expect(isFoxError(err, 'INVALID_INPUT')).toBe(true);
      expect((err as Error).message).toMatch(/prune needs a positive age/);
    }
    await engine.close();
  });
});
