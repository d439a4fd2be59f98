// Events benchmark: drain an NDJSON backlog into events.db vs plain better-sqlite3 inserts of
// the same rows in batches of 100; the NDJSON emit rate; viewer query latency over the result.
// FOXCTL_BENCH_EVENTS=N sets the scale (default 1,000,000 events; e.g. 100000 for a quick run).
// Last, the drain of the same lines in time order and shuffled, with a Python sqlite3 anchor and
// bare better-sqlite3 inserts (bench/helpers/drain.ts; FOXCTL_BENCH_EVENTS_ORDER=N sets its scale).
// Options: `--lines N` sets the drain-order scale (`npm run bench -- events --lines 1000000`);
// `--drain-only` runs that drain alone; `--in-order` leaves out its shuffled half.
import fs from 'node:fs';
import path from 'node:path';
import { applyMigrations } from '../src-main/engine/db/migrate.js';
import { openSqlite } from '../src-main/engine/db/sqlite.js';
import { openEngine } from '../src-main/engine/engine.js';
import type { EventFilter } from '../src-main/engine/events/filter.js';
import { prepareInserter } from '../src-main/engine/events/insert.js';
import { eventToRow, type FoxEvent } from '../src-main/engine/events/model.js';
import { EVENTS_MIGRATIONS } from '../src-main/engine/events/schema.js';
import { seedEvents } from '../src-main/engine/events/seed.js';
import { benchDrainOrder } from './helpers/drain.js';
import { figure, report, scratch, timed } from './lib.js';

const N = Number(process.env.FOXCTL_BENCH_EVENTS ?? 1_000_000);
const argv = process.argv.slice(2);
/** The value of `--lines N` or `--lines=N`, if given. */
function linesOption(): number | undefined {
  const i = argv.findIndex((a) => a === '--lines' || a.startsWith('--lines='));
  if (i < 0) return undefined;
  const raw = argv[i]!.includes('=') ? argv[i]!.slice('--lines='.length) : argv[i + 1];
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--lines needs a whole number of lines (got ${raw})`);
  return n;
}
const LINES = linesOption();
const DRAIN_ONLY = argv.includes('--drain-only');
const IN_ORDER_ONLY = argv.includes('--in-order');

/** CPU seconds (user + system) this process spends in `fn`: on a machine shared with other work,
 *  wall time measures the neighbours too; events per CPU-second is what one idle core would do. */
async function cpuTimed<T>(fn: () => Promise<T> | T): Promise<{ seconds: number; cpu: number; value: T }> {
  const c0 = process.cpuUsage();
  const t = await timed(fn);
  const c = process.cpuUsage(c0);
  return { ...t, cpu: (c.user + c.system) / 1e6 };
}
const END = Date.parse('2026-11-27T00:00:00Z');
const SEED = { count: N, endMs: END, spanMs: 7 * 86_400_000, seed: 42 };
const s = scratch('events');
const env = { HOME: s.dir, FOXCTL_HOME: path.join(s.dir, '.foxctl'), FOXCTL_EVENTS_SYNC_BATCH: '100' };
const engine = openEngine({ env });
const svc = engine.events;
if (!DRAIN_ONLY) process.stdout.write(`scale: ${N.toLocaleString('en-US')} events; transactions of 100 rows; scratch ${s.dir}\n`);

try {
  if (!DRAIN_ONLY) await emitAndQuery();
  // 4. Time order against shuffled lines (--lines N or FOXCTL_BENCH_EVENTS_ORDER=N sets its scale, default N).
  const orderN = LINES ?? Number(process.env.FOXCTL_BENCH_EVENTS_ORDER ?? N);
  process.stdout.write(`drain order: ${orderN.toLocaleString('en-US')} lines, in time order${IN_ORDER_ONLY ? '' : ' and shuffled'}\n`);
  await benchDrainOrder(s.dir, { ...SEED, count: orderN }, { inOrderOnly: IN_ORDER_ONLY });
} finally {
  await engine.close();
  s.cleanup();
}

/** Sections 1-3: the emit rate, the backlog drain against its anchor, query latency over the result. */
async function emitAndQuery(): Promise<void> {
  // 1. Emit rate, single process: events built beforehand, timed from emitMany to bytes on disk.
  const emitCount = Math.min(N, 200_000);
  const batch: FoxEvent[] = [];
  for (const chunk of seedEvents({ ...SEED, count: emitCount, seed: 7 })) batch.push(...chunk);
  const batched = await cpuTimed(async () => {
    for (let i = 0; i < batch.length; i += 1000) await svc.emitMany(batch.slice(i, i + 1000), { persist: 'ndjson', file: 'bench_emit' });
  });
  const single = Math.min(emitCount, 20_000);
  const unbatched = await cpuTimed(async () => {
    for (let i = 0; i < single; i++) await svc.emit(batch[i]!, { persist: 'ndjson', file: 'bench_emit_single' });
  });
  const lines = batch.map((e) => `${JSON.stringify(e)}\n`).join('');
  const raw = await cpuTimed(() => {
    const fd = fs.openSync(path.join(s.dir, 'raw.ndjson'), 'a');
    for (let i = 0; i < lines.length; i += 1 << 20) fs.writeSync(fd, lines.slice(i, i + (1 << 20)));
    fs.closeSync(fd);
  });
  batch.length = 0;
  const emitRate = emitCount / batched.seconds;
  report('emit ndjson, batches of 1000 (events/s)', emitRate, emitCount / raw.seconds, 'ev/s', { anchorName: 'raw write(2) of pre-serialised lines', better: 'higher' });
  figure('emit ndjson, batched, per CPU-second', emitCount / batched.cpu, 'ev/s');
  process.stdout.write(`${'emit ndjson, batched: goal >= 200,000 ev/s'.padEnd(44)} ${emitRate >= 200_000 ? 'MET' : 'NOT MET'} (wall)\n`);
  figure('emit ndjson, one write(2) per event', single / unbatched.seconds, 'ev/s');
  figure('emit ndjson, one write(2) per event, per CPU-s', single / unbatched.cpu, 'ev/s');

  // 2. The backlog: N lines through the real emitter into the default stream.
  const write = await timed(async () => {
    for (const chunk of seedEvents(SEED)) await svc.emitMany(chunk, { persist: 'default' });
  });
  const file = svc.streamPath();
  figure('backlog written (incl. generating events)', N / write.seconds, `ev/s, ${(fs.statSync(file).size / 1e6).toFixed(0)} MB`);

  // Anchor: the same rows, already parsed, inserted with plain better-sqlite3 in batches of 100,
  // into the same schema, opened with the same settings as the engine's connection.
  const anchorFile = path.join(s.dir, 'anchor.db');
  const adb = openSqlite(anchorFile);
  for (const p of ['cache_size = -32768', 'wal_autocheckpoint = 10000', 'journal_size_limit = 67108864']) adb.pragma(p);
  applyMigrations(adb, 'anchor', EVENTS_MIGRATIONS);
  const insert = prepareInserter(adb);
  const tx = adb.transaction((rows: ReturnType<typeof eventToRow>[]) => insert(rows));
  // The anchor runs in two halves, one before and one after ours, so that load from other
  // processes on a shared machine drifts over both measurements alike.
  let anchorSeconds = 0;
  let anchorCpu = 0;
  const chunks = seedEvents(SEED);
  const anchorPart = async (events: number): Promise<void> => {
    for (let done = 0; done < events; ) {
      const next = chunks.next();
      if (next.done) return;
      const rows = next.value.map(eventToRow);
      done += rows.length;
      const t = await cpuTimed(() => {
        for (let i = 0; i < rows.length; i += 100) tx(rows.slice(i, i + 100));
      });
      anchorSeconds += t.seconds;
      anchorCpu += t.cpu;
    }
  };
  await anchorPart(N / 2);

  // Ours: the syncer drains the whole backlog in one pass (read, parse, validate, insert, offset).
  const drain = await cpuTimed(() => svc.syncer.syncNow());
  await anchorPart(N);
  adb.close();
  fs.rmSync(anchorFile, { force: true });
  fs.rmSync(`${anchorFile}-wal`, { force: true });
  fs.rmSync(`${anchorFile}-shm`, { force: true });
  if (drain.value.inserted !== N || drain.value.rejected !== 0) throw new Error(`drain inserted ${drain.value.inserted}, rejected ${drain.value.rejected}, expected ${N}`);
  report('drain backlog into events.db (events/s)', N / drain.seconds, N / anchorSeconds, 'ev/s', { anchorName: 'better-sqlite3 x100', better: 'higher', goal: 0.6 });
  report('drain, per CPU-second', N / drain.cpu, N / anchorCpu, 'ev/s', { anchorName: 'better-sqlite3 x100', better: 'higher', goal: 0.6 });

  // 3. Query latency at the engine over N rows: a first page and a deep page of five filter shapes.
  const sample = (await svc.query({ status: 'error', text: 'timeout' }, { limit: 1 })).rows[0]!;
  const shapes: [string, EventFilter][] = [
    ['time range (one day)', { since: END - 3 * 86_400_000, until: END - 2 * 86_400_000 }],
    ['op + time (llm.call, 3 days)', { operation: 'llm.call', since: END - 4 * 86_400_000, until: END - 1 * 86_400_000 }],
    ['status=error', { status: 'error' }],
    ['trace', { trace_id: sample.trace_id }],
    ['text "timeout"', { text: 'timeout' }],
    ['text prefix "limi*" (extra shape)', { text: 'limi*' }],
  ];
  const DEEP = 50;
  const REPS = 100;
  const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
  let worst = 0;
  for (const [name, filter] of shapes) {
    let cursor: string | null = null;
    let depth = 0;
    for (; depth < DEEP; depth++) {
      const p = await svc.query(filter, { limit: 100, cursor });
      if (!p.next_cursor) break;
      cursor = p.next_cursor;
    }
    for (const [which, c] of [['first', null], [`page ${depth + 1}`, cursor]] as const) {
      if (which !== 'first' && c === null) continue;
      const times: number[] = [];
      for (let i = 0; i < REPS; i++) times.push((await timed(() => svc.query(filter, { limit: 100, cursor: c }))).seconds * 1000);
      const p95 = pct(times, 95);
      if (!name.includes('extra')) worst = Math.max(worst, p95);
      process.stdout.write(`${`query ${name}, ${which}`.padEnd(44)} p50 ${pct(times, 50).toFixed(2)} ms  p95 ${p95.toFixed(2)} ms\n`);
    }
  }
  const tt: number[] = [];
  for (let i = 0; i < REPS; i++) tt.push((await timed(() => svc.trace(sample.trace_id))).seconds * 1000);
  process.stdout.write(`${'trace tree'.padEnd(44)} p50 ${pct(tt, 50).toFixed(2)} ms  p95 ${pct(tt, 95).toFixed(2)} ms\n`);
  const others: [string, () => Promise<unknown>][] = [
    ['count status=error', () => svc.count({ status: 'error' })],
    ['histogram 60 buckets, all', () => svc.histogram({}, { buckets: 60 })],
    ['facets op/status/command, all', () => svc.facets({})],
  ];
  for (const [name, fn] of others) {
    const t = await timed(fn);
    process.stdout.write(`${name.padEnd(44)} ${(t.seconds * 1000).toFixed(1)} ms (one run)\n`);
  }
  process.stdout.write(`${'query p95 worst of the five shapes: goal <= 10 ms'.padEnd(44)} ${worst.toFixed(2)} ms ${worst <= 10 ? 'MET' : 'NOT MET'}\n`);
}
