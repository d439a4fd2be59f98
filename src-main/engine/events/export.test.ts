import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnCli } from '../../test/cli-runner.js';
import { backendRequired } from '../../test/require.js';
import { tempHome } from '../../test/temp-home.js';
import { openEngine, type Engine } from '../engine.js';
import { isFoxError } from '../errors.js';
import { EXPORT_COLUMNS, type ExportFormat, type ExportOptions } from './export.js';
import type { EventFilter } from './filter.js';
import type { EventRecord } from './queries.js';
import { bulkInsertSeed } from './seed.js';

const END = Date.parse('2026-11-27T00:00:00Z');

function seeded(count = 2600): { engine: Engine; env: Record<string, string>; file: string } {
  const home = tempHome();
  const engine = openEngine({ env: home.env() });
  const db = engine.stores.get('EVENTS');
  bulkInsertSeed(db, { count, endMs: END, spanMs: 86_400_000, seed: 11 });
  // One row whose text needs every CSV escape: a comma, a quote and a line break.
  db.prepare(
    "UPDATE foxcular_events SET error_message = 'bad, \"quoted\"\nsecond line', status = 'error' WHERE id = (SELECT min(id) FROM foxcular_events)",
  ).run();
  return { engine, env: home.env() as Record<string, string>, file: db.name };
}

/** Collects an export into one string. */
async function exported(engine: Engine, filter: EventFilter, format: ExportFormat, opts?: ExportOptions): Promise<string> {
  let out = '';
  await engine.events.export(filter, format, (t) => void (out += t), opts);
  return out;
}

/** RFC 4180 CSV: records of fields, quotes doubled inside quoted fields. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  if (field !== '' || row.length > 0) throw new Error('CSV does not end with CRLF');
  return rows;
}

describe('events export', () => {
  it('writes every matching row once, in the viewer order, as NDJSON, CSV and JSON', async () => {
    const { engine, file } = seeded();
    try {
      const want = engine.stores.get('EVENTS').prepare("SELECT id FROM foxcular_events WHERE status = 'error' ORDER BY ts DESC, id DESC").pluck().all() as number[];
      // More than two pages of the export's 1000 rows.
      const all = engine.stores.get('EVENTS').prepare('SELECT count(*) FROM foxcular_events').pluck().get() as number;
      expect(all).toBe(2600);

      const nd = (await exported(engine, {}, 'ndjson')).split('\n');
      expect(nd.pop()).toBe('');
      const ndRows = nd.map((l) => JSON.parse(l) as EventRecord);
      expect(ndRows).toHaveLength(all);
      expect(new Set(ndRows.map((r) => r.id)).size).toBe(all);
      for (let i = 1; i < ndRows.length; i++) expect(ndRows[i - 1]!.ts >= ndRows[i]!.ts).toBe(true);
      // data comes back as JSON, not as a string of JSON.
      expect(typeof ndRows.find((r) => r.data !== null)!.data).toBe('object');

      const errs = JSON.parse(await exported(engine, { status: 'error' }, 'json')) as EventRecord[];
      expect(errs.map((r) => r.id)).toEqual(want);
      expect(JSON.parse(await exported(engine, { operation: 'no-such-operation' }, 'json'))).toEqual([]);

      const csv = parseCsv(await exported(engine, { status: 'error' }, 'csv'));
      expect(csv[0]).toEqual([...EXPORT_COLUMNS]);
      expect(csv.slice(1).map((r) => Number(r[0]))).toEqual(want);
      const tricky = csv.find((r) => r[EXPORT_COLUMNS.indexOf('error_message')] === 'bad, "quoted"\nsecond line');
      expect(tricky, 'the comma, quote and line break survive').toBeDefined();
      expect(csv.every((r) => r.length === EXPORT_COLUMNS.length)).toBe(true);

      // The sqlite3 CLI agrees on the count of the same filter (another reader of the same file).
      expect(Number(execFileSync('/usr/bin/sqlite3', [file, "SELECT count(*) FROM foxcular_events WHERE status = 'error'"]).toString())).toBe(want.length);
    } finally {
      await engine.close();
    }
  });

  it('sorts by duration, longest first, across pages with a cursor of its own', async () => {
    const { engine } = seeded(1500);
    try {
      const want = engine.stores.get('EVENTS').prepare('SELECT id FROM foxcular_events ORDER BY coalesce(duration_ms, -1) DESC, id DESC').pluck().all() as number[];
      const got: number[] = [];
      let cursor: string | null = null;
      do {
        const page: Awaited<ReturnType<Engine['events']['query']>> = await engine.events.query({}, { limit: 97, cursor, sort: 'duration' });
        got.push(...page.rows.map((r) => r.id));
        cursor = page.next_cursor;
      } while (cursor);
      expect(got).toEqual(want);
      const asc = JSON.parse(await exported(engine, { status: 'ok' }, 'json', { sort: 'duration', order: 'asc' })) as EventRecord[];
      for (let i = 1; i < asc.length; i++) expect((asc[i - 1]!.duration_ms ?? -1) <= (asc[i]!.duration_ms ?? -1)).toBe(true);
      // A time cursor is not a duration cursor.
      const timePage = await engine.events.query({}, { limit: 10 });
      await expect(engine.events.query({}, { limit: 10, cursor: timePage.next_cursor, sort: 'duration' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
      await expect(engine.events.query({}, { sort: 'size' as never })).rejects.toThrow(/sort must be "time" or "duration"/);
    } finally {
      await engine.close();
    }
  });

  it('reads one snapshot: rows another process inserts during the export are not in it', async () => {
    const { engine, file } = seeded(2600);
    try {
      const before = await engine.events.count({});
      let pages = 0;
      let out = '';
      await engine.events.export({}, 'ndjson', (t) => {
        out += t;
        // After the first page, the sqlite3 CLI adds rows newer and older than anything exported.
        if (pages++ === 0) {
          execFileSync('/usr/bin/sqlite3', [
            file,
            "INSERT INTO foxcular_events (span_id, trace_id, ts, service, operation, status) VALUES ('late-new', 't-late', '2030-01-01T00:00:00.000000000Z', 'x', 'late', 'ok'), ('late-old', 't-late', '2000-01-01T00:00:00.000000000Z', 'x', 'late', 'ok')",
          ]);
        }
      });
      const lines = out.trim().split('\n');
      expect(pages).toBeGreaterThan(2);
      expect(lines).toHaveLength(before);
      expect(out).not.toContain('late-');
      expect(await engine.events.count({})).toBe(before + 2);
    } finally {
      await engine.close();
    }
  });

  it('writes a file whole or not at all: complete on success, absent when cancelled or the folder is missing', async () => {
    const { engine } = seeded(2600);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'foxctl-export-'));
    try {
      const dest = path.join(dir, 'errors.csv');
      const r = await engine.events.exportJob({ status: 'error' }, 'csv', dest).done;
      expect(r.rows).toBe(await engine.events.count({ status: 'error' }));
      expect(fs.statSync(dest).size).toBe(r.size_bytes);
      expect(parseCsv(fs.readFileSync(dest, 'utf8'))).toHaveLength(r.rows + 1);

      const cancelled = path.join(dir, 'all.ndjson');
      const controller = new AbortController();
      let written = 0;
      const job = engine.events.exportJob({}, 'ndjson', cancelled, { signal: controller.signal, onRows: (n) => ((written = n), controller.abort()) });
      await expect(job.done).rejects.toMatchObject({ code: 'CANCELED' });
      // Cancelled after its first page had been written to the temp file.
      expect(written).toBe(1000);
      expect(fs.readdirSync(dir)).toEqual(['errors.csv']);

      await expect(engine.events.exportJob({}, 'json', path.join(dir, 'missing', 'x.json')).done).rejects.toSatisfy((e: unknown) => isFoxError(e, 'NOT_FOUND') && /missing/.test((e as Error).message));
    } finally {
      await engine.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs from the CLI: stdout for a pipe, --output with an envelope, clear errors for a bad format', () => {
    const { engine, env } = seeded(1200);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'foxctl-export-cli-'));
    try {
      const out = spawnCli(env, ['events', 'export', '--format', 'ndjson', '--status', 'error']);
      expect(out.stderr).toBe('');
      expect(out.status).toBe(0);
      const want = engine.stores.get('EVENTS').prepare("SELECT count(*) FROM foxcular_events WHERE status = 'error'").pluck().get() as number;
      expect(out.stdout.toString().trim().split('\n')).toHaveLength(want);

      const dest = path.join(dir, 'slow.json');
      const env2 = spawnCli(env, ['--json', 'events', 'export', '--format', 'json', '--sort', 'duration', '-o', dest]);
      expect(env2.status).toBe(0);
      const data = (JSON.parse(env2.stdout.toString()) as { data: { rows: number; path: string } }).data;
      expect(data.rows).toBe(1200);
      const rows = JSON.parse(fs.readFileSync(dest, 'utf8')) as EventRecord[];
      expect(rows[0]!.duration_ms).toBe(Math.max(...rows.map((r) => r.duration_ms ?? -1)));

      const bad = spawnCli(env, ['events', 'export', '--format', 'xml']);
      expect(bad.status).not.toBe(0);
      expect(bad.stderr).toMatch(/export format must be one of ndjson, csv, json \(got "xml"\)/);
      const noOut = spawnCli(env, ['--json', 'events', 'export']);
      expect(noOut.status).not.toBe(0);
      expect(noOut.stdout.toString()).toMatch(/give --output FILE/);
    } finally {
      void engine.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('events export on a full disk', () => {
  let root = '';
  let mnt = '';
  let unavailable = '';
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'foxctl-export-full-'));
    mnt = path.join(root, 'small-disk');
    fs.mkdirSync(mnt);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mnt], { stdio: 'pipe' });
    } catch (err) {
      unavailable = `cannot mount a small tmpfs (${String((err as { stderr?: Buffer }).stderr ?? err).trim()})`;
    }
  });
  afterAll(() => {
    if (!unavailable) execFileSync('umount', ['-l', mnt]);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('fails with IO naming the file and leaves neither the file nor a temp file', async (ctx) => {
    if (unavailable) {
      if (backendRequired('tmpfs')) throw new Error(unavailable);
      console.log(`skipped: ${unavailable}`);
      ctx.skip();
      return;
    }
    const { engine } = seeded(2600);
    try {
      const dest = path.join(mnt, 'all.ndjson');
      const err = await engine.events.exportJob({}, 'ndjson', dest).done.catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'IO' });
      expect(String((err as Error).message)).toMatch(/full|space/i);
      expect(fs.readdirSync(mnt)).toEqual([]);
    } finally {
      await engine.close();
    }
  });
});
