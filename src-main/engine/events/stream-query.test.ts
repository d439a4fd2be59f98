import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openEngine } from '../engine.js';
import { runCliInProcess } from '../../test/cli-runner.js';
import { goRfc3339Nano, writeGoRotatedStream, type GoEvent } from '../../test/go-home/events.js';
import { tempHome } from '../../test/temp-home.js';
import { eventsDir } from './streams.js';

const T = Date.parse('2026-03-01T09:00:00Z');
const ev = (span: string, minutes: number, extra: Partial<GoEvent> = {}): GoEvent => ({
  ts: goRfc3339Nano(T + minutes * 60_000, 60), trace_id: 't', span_id: span, operation: 'go.op', name: 'cas put', status: 'ok', duration_ms: 3, data: { service: 'foxctl' }, ...extra,
});

function goHome(): { home: ReturnType<typeof tempHome>; dir: string } {
  const home = tempHome();
  const dir = eventsDir(home.config());
  // logrotate's leftovers of the default stream: current, renamed, renamed and gzipped.
  writeGoRotatedStream(dir, 'foxcular_events', {
    '': [ev('cur-1', 50), ev('cur-2', 55, { status: 'error', error_message: 'wombat stuck' })],
    '.1': [ev('rot1-1', 30), ev('rot1-2', 35)],
    '.2.gz': [ev('gz-1', 10, { status: 'error', error_message: 'wombat lost' }), ev('gz-2', 20)],
  });
  // A skill stream: flat records with ts and command (FORMATS.md), one line not JSON.
  fs.writeFileSync(path.join(dir, 'core.ndjson'), `${JSON.stringify({ ts: goRfc3339Nano(T + 40 * 60_000), command: 'grep', files: 3, duration_ms: 9 })}\nnot json\n`);
  // A damaged archive is reported, not fatal; our prune's hidden temp copies are not streams.
  fs.writeFileSync(path.join(dir, 'old.ndjson.3.gz'), Buffer.from('not gzip at all'));
  fs.writeFileSync(path.join(dir, '.foxcular_events.ndjson.prune-1.tmp'), `${JSON.stringify(ev('tmp', 60))}\n`);
  return { home, dir };
}

describe('events of every stream file and rotation (what the Go query reads)', () => {
  it('reads current, renamed and gzipped rotations newest first, filters them, and pages with a cursor', async () => {
    const { home } = goHome();
    const engine = openEngine({ env: home.env() });
    const page = await engine.events.streamEvents();
    expect(page.rows.map((r) => r.span_id ?? r.command)).toEqual(['cur-2', 'cur-1', 'grep', 'rot1-2', 'rot1-1', 'gz-2', 'gz-1']);
    expect(page.rows[0]).toMatchObject({ file: 'foxcular_events.ndjson', line: 2, ts: '2026-03-01T09:55:00.000000000Z', command: 'cas put', status: 'error' });
    expect(page.rows.at(-1)).toMatchObject({ file: 'foxcular_events.ndjson.2.gz', line: 1 });
    const bad = page.files.find((f) => f.file === 'old.ndjson.3.gz');
    expect(bad?.error).toMatch(/header|gzip|incorrect/i);
    expect(page.files.map((f) => f.file)).not.toContain('.foxcular_events.ndjson.prune-1.tmp');

    expect((await engine.events.streamEvents({ status: 'error', text: 'wombat' })).rows.map((r) => r.span_id)).toEqual(['cur-2', 'gz-1']);
    expect((await engine.events.streamEvents({ since: '2026-03-01T09:20:00Z', until: '2026-03-01T09:40:00Z' })).rows.map((r) => r.span_id)).toEqual(['rot1-2', 'rot1-1', 'gz-2']);
    expect((await engine.events.streamEvents({ command: 'grep' })).rows.map((r) => r.file)).toEqual(['core.ndjson']);

    const walked: string[] = [];
    let cursor: string | null = null;
    do {
      const p: Awaited<ReturnType<typeof engine.events.streamEvents>> = await engine.events.streamEvents({}, { limit: 2, cursor });
      walked.push(...p.rows.map((r) => `${r.file}:${r.line}`));
      cursor = p.next_cursor;
    } while (cursor);
    expect(walked).toEqual(page.rows.map((r) => `${r.file}:${r.line}`));
    await expect(engine.events.streamEvents({ status: 'nope' as never })).rejects.toThrow(/status must be one of/);

    // The syncer still ingests only the files FORMATS.md names: not the rotations.
    await engine.events.syncer.syncNow();
    expect((await engine.events.query()).rows.map((r) => r.span_id)).toEqual(['cur-2', 'cur-1']);
    await engine.close();
  });

  it('is what `foxctl events query --all-streams` prints', async () => {
    const { home } = goHome();
    const r = await runCliInProcess(home.home, ['events', 'query', '--all-streams', '--status', 'error', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const data = (JSON.parse(r.stdout.trim()) as { data: { rows: { file: string; span_id: string }[] } }).data;
    expect(data.rows.map((x) => [x.file, x.span_id])).toEqual([['foxcular_events.ndjson', 'cur-2'], ['foxcular_events.ndjson.2.gz', 'gz-1']]);
    const human = await runCliInProcess(home.home, ['events', 'query', '--all-streams', '--limit', '3']);
    expect(human.stdout).toMatch(/foxcular_events\.ndjson:2 .*cas put/);
    expect(human.stdout).toMatch(/unreadable: old\.ndjson\.3\.gz/);
    expect((await runCliInProcess(home.home, ['events', 'query', '--all-streams', '--asc'])).status).not.toBe(0);
  });

  it('skips a line over 1 MiB and keeps reading after it (memory stays bounded by a line)', async () => {
    const home = tempHome();
    const dir = eventsDir(home.config());
    fs.mkdirSync(dir, { recursive: true });
    const huge = JSON.stringify({ ...ev('huge', 1), blob: 'x'.repeat(2 << 20) });
    fs.writeFileSync(path.join(dir, 'big.ndjson'), `${JSON.stringify(ev('a', 0))}\n${huge}\n${JSON.stringify(ev('b', 2))}\n`);
    const engine = openEngine({ env: home.env() });
    const page = await engine.events.streamEvents();
    expect(page.rows.map((r) => r.span_id)).toEqual(['b', 'a']);
    expect(page.files).toEqual([{ file: 'big.ndjson', lines: 2, matched: 2, skipped: 1, error: null }]);
    await engine.close();
  });
});
