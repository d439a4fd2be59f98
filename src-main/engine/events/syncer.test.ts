import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openEngine, type Engine } from '../engine.js';
import { isFoxError } from '../errors.js';
import { tempHome, type TempHome } from '../../test/temp-home.js';
import type { SyncStatus } from './sync-status.js';

function setup(extra: Record<string, string> = {}): { home: TempHome; engine: Engine; file: string; reopen(): Engine } {
  const home = tempHome();
  const env = home.env({ FOXCTL_EVENTS_SYNC_BATCH: '10', ...extra });
  const engine = openEngine({ env });
  const file = engine.events.streamPath();
  fs.mkdirSync(engine.events.streamPath().replace(/[^/]+$/, ''), { recursive: true });
  return { home, engine, file, reopen: () => openEngine({ env }) };
}

let seq = 0;
const line = (id: string = `span-${++seq}`, extra: Record<string, unknown> = {}): string =>
  `${JSON.stringify({ ts: '2026-11-27T03:00:00.000000001Z', trace_id: 'trace-1', span_id: id, operation: 'op.test', status: 'ok', duration_ms: 1, ...extra })}\n`;
const lines = (n: number, prefix: string): string => Array.from({ length: n }, (_, i) => line(`${prefix}-${i}`)).join('');
const rowCount = (e: Engine): Promise<number> => e.events.count();

describe('events syncer', () => {
  it('ingests complete lines only: a line without its newline waits until it is finished', async () => {
    const { engine, file } = setup();
    const partial = line('late');
    fs.writeFileSync(file, line('a') + line('b') + partial.slice(0, 30));
    const r1 = await engine.events.syncer.syncNow();
    expect(r1.inserted).toBe(2);
    expect(await rowCount(engine)).toBe(2);
    let st = await engine.events.syncer.status();
    expect(st.lag_bytes).toBe(30);
    expect(st.pending_lines).toBe(0);
    fs.appendFileSync(file, partial.slice(30));
    st = await engine.events.syncer.status();
    expect(st.pending_lines).toBe(1);
    expect((await engine.events.syncer.syncNow()).inserted).toBe(1);
    expect((await engine.events.query({}, { limit: 10 })).rows.map((r) => r.span_id).sort()).toEqual(['a', 'b', 'late']);
    st = await engine.events.syncer.status();
    expect(st).toMatchObject({ lag_bytes: 0, pending_lines: 0, synced_total: 3, rejected_total: 0, last_error: null });
    await engine.close();
  });

  it('drains a whole backlog in one pass, in transactions of the batch size', async () => {
    const { engine, file } = setup();
    fs.writeFileSync(file, lines(1234, 'bk'));
    const progress: number[] = [];
    const r = await engine.events.syncer.syncNow({ onProgress: (d) => progress.push(d) });
    expect(r).toMatchObject({ inserted: 1234, duplicates: 0, rejected: 0 });
    expect(await rowCount(engine)).toBe(1234);
    // One progress report per committed batch of 10 (plus the final one).
    expect(progress.length).toBeGreaterThanOrEqual(123);
    expect(progress[progress.length - 1]).toBe(fs.statSync(file).size);
    await engine.close();
  });

  it('detects a copytruncate and reads the new content from 0 without re-ingesting', async () => {
    const { engine, file } = setup();
    fs.writeFileSync(file, lines(5, 'old'));
    await engine.events.syncer.syncNow();
    fs.truncateSync(file, 0);
    fs.appendFileSync(file, lines(3, 'new'));
    const r = await engine.events.syncer.syncNow();
    expect(r.resets[0]?.reason).toMatch(/truncated/);
    expect(r).toMatchObject({ inserted: 3, duplicates: 0 });
    expect(await rowCount(engine)).toBe(8);
    await engine.close();
  });

  it('detects a truncated file that grew past the old offset before the next pass (its head changed)', async () => {
    const { engine, file } = setup();
    fs.writeFileSync(file, lines(3, 'first'));
    await engine.events.syncer.syncNow();
    fs.truncateSync(file, 0);
    fs.appendFileSync(file, lines(10, 'second'));
    const r = await engine.events.syncer.syncNow();
    expect(r.resets[0]?.reason).toMatch(/rewritten/);
    expect(r).toMatchObject({ inserted: 10, duplicates: 0 });
    expect(await rowCount(engine)).toBe(13);
    await engine.close();
  });

  it('detects a rename + create rotation by the file identity', async () => {
    const { engine, file } = setup();
    fs.writeFileSync(file, lines(5, 'r1'));
    await engine.events.syncer.syncNow();
    fs.renameSync(file, `${file}.1`);
    // Same size as before: only the inode tells it is another file.
    fs.writeFileSync(file, lines(5, 'r2'));
    const r = await engine.events.syncer.syncNow();
    expect(r.resets[0]?.reason).toMatch(/replaced/);
    expect(r).toMatchObject({ inserted: 5, duplicates: 0 });
    expect(await rowCount(engine)).toBe(10);
    const st = await engine.events.syncer.status();
    expect(st.files[0]).toMatchObject({ resets: 1, offset: fs.statSync(file).size });
    await engine.close();
  });

  it('records malformed lines in rejects with file, offset and error, and keeps going', async () => {
    const { engine, file } = setup();
    const parts: Buffer[] = [
      Buffer.from(line('ok-1')),
      Buffer.from('{"span_id": "broken", \n'), // bad JSON
      Buffer.concat([Buffer.from('{"ts":"2026-11-27T03:00:00Z","trace_id":"t","span_id":"utf","operation":"o","message":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}\n')]),
      Buffer.from(line('ok-2')),
      Buffer.from(`{"ts":"2026-11-27T03:00:00Z","trace_id":"t","span_id":"big","operation":"o","message":"${'y'.repeat(10 * 1024 * 1024)}"}\n`),
      Buffer.from(JSON.stringify({ ts: '2026-11-27T03:00:00Z', trace_id: 't', operation: 'o' }) + '\n'), // no span_id
      Buffer.from('[1,2,3]\n'),
      Buffer.from('\n'),
      Buffer.from(line('ok-3')),
    ];
    fs.writeFileSync(file, Buffer.concat(parts));
    const r = await engine.events.syncer.syncNow();
    expect(r).toMatchObject({ inserted: 3, rejected: 5 });
    const rejects = (await engine.events.rejects({ limit: 10 })).rows.reverse();
    expect(rejects.map((x) => x.error)).toEqual([
      expect.stringMatching(/^invalid JSON/),
      'invalid UTF-8',
      expect.stringMatching(/over the 1048576-byte limit/),
      'not an event: missing span_id',
      'not an event: not a JSON object',
    ]);
    const offsets = parts.reduce<number[]>((acc, p, i) => [...acc, (acc[i] ?? 0) + p.length], [0]);
    expect(rejects.map((x) => x.offset)).toEqual([offsets[1], offsets[2], offsets[4], offsets[5], offsets[6]]);
    expect(rejects.every((x) => x.file === 'foxcular_events.ndjson' && x.excerpt.length <= 256)).toBe(true);
    // A second pass neither re-reads nor re-rejects.
    expect(await engine.events.syncer.syncNow()).toMatchObject({ inserted: 0, rejected: 0, bytes: 0 });
    expect((await engine.events.syncer.status()).rejected_total).toBe(5);
    await engine.close();
  });

  it('is idempotent by span_id: lost bookkeeping re-reads but inserts nothing twice', async () => {
    const { engine, file } = setup();
    fs.writeFileSync(file, lines(50, 'idem'));
    await engine.events.syncer.syncNow();
    engine.stores.get('EVENTS').exec('DELETE FROM studio_event_sync_files');
    const r = await engine.events.syncer.syncNow();
    expect(r).toMatchObject({ inserted: 0, duplicates: 50 });
    expect(await rowCount(engine)).toBe(50);
    await engine.close();
  });

  it('syncs files a Hybrid event went to, remembered across restarts; NDJSON-only files are not synced', async () => {
    const { engine, reopen } = setup();
    await engine.events.emit({ operation: 'h.1' }, { persist: 'hybrid', file: 'core' });
    await engine.events.emit({ operation: 'n.1' }, { persist: 'ndjson', file: 'other' });
    await engine.events.emit({ operation: 'd.1' });
    await engine.close();
    const again = reopen();
    const r = await again.events.syncer.syncNow();
    expect(r.inserted).toBe(2);
    expect((await again.events.query()).rows.map((x) => x.operation).sort()).toEqual(['d.1', 'h.1']);
    expect((await again.events.syncer.status()).files.map((f) => f.file).sort()).toEqual(['core.ndjson', 'foxcular_events.ndjson']);
    await again.close();
  });

  it('start() syncs on its interval and publishes status; stop() ends it', async () => {
    const { engine } = setup({ FOXCTL_EVENTS_SYNC_INTERVAL: '50ms' });
    const seen: SyncStatus[] = [];
    const off = engine.events.syncer.onStatus((s) => seen.push(s));
    engine.events.syncer.start();
    expect(engine.events.syncer.isRunning).toBe(true);
    await engine.events.emit({ operation: 'tick.1' }, { persist: 'hybrid' });
    const deadline = Date.now() + 10_000;
    while ((await engine.events.count()) < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(await engine.events.count()).toBe(1);
    await engine.events.syncer.stop();
    expect(engine.events.syncer.isRunning).toBe(false);
    await engine.events.emit({ operation: 'tick.2' });
    await new Promise((r) => setTimeout(r, 200));
    expect(await engine.events.count()).toBe(1); // stopped: nothing synced any more
    expect(seen.some((s) => s.running)).toBe(true);
    expect(seen.some((s) => s.last_result?.inserted === 1)).toBe(true);
    off();
    await engine.close();
  });

  it('stops at a batch boundary when aborted: the offset is a line end and matches the rows', async () => {
    const { engine, file } = setup();
    fs.writeFileSync(file, lines(20_000, 'ab'));
    const ac = new AbortController();
    const p = engine.events.syncer.syncNow({ signal: ac.signal, onProgress: (d) => d > 200_000 && ac.abort() });
    await expect(p).rejects.toSatisfy((e) => isFoxError(e, 'CANCELED'));
    const st = await engine.events.syncer.status();
    const offset = st.files[0]!.offset;
    expect(offset).toBeGreaterThan(0);
    expect(offset).toBeLessThan(fs.statSync(file).size);
    const head = fs.readFileSync(file).subarray(0, offset);
    expect(head[head.length - 1]).toBe(10);
    expect(await rowCount(engine)).toBe(head.toString().split('\n').length - 1);
    await engine.close();
  });

  it('two syncers on one home never double count (compare-and-set on the offset)', async () => {
    const { engine, file, reopen } = setup();
    const other = reopen();
    fs.writeFileSync(file, lines(3000, 'two'));
    const [a, b] = await Promise.all([engine.events.syncer.syncNow(), other.events.syncer.syncNow()]);
    expect(await rowCount(engine)).toBe(3000);
    expect(a.inserted + b.inserted).toBe(3000);
    const st = await engine.events.syncer.status();
    expect(st.synced_total).toBe(3000);
    expect(engine.stores.get('EVENTS').prepare('SELECT duplicate_total AS d FROM studio_event_sync_files').get()).toEqual({ d: 0 });
    await other.close();
    await engine.close();
  });

  it('runs a big backlog as a job with byte progress', async () => {
    const { engine, file } = setup();
    fs.writeFileSync(file, lines(500, 'job'));
    const job = engine.events.syncJob();
    const result = await job.done;
    expect(result.inserted).toBe(500);
    expect(engine.jobs.get(job.id)).toMatchObject({ state: 'ok', kind: 'events.sync', progress: { unit: 'bytes', done: fs.statSync(file).size } });
    await engine.close();
  });
});
