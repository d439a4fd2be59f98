import { describe, expect, it } from 'vitest';
import { isFoxError } from '../errors.js';
import { newUlid } from './ids.js';
import { rowText } from './fts-index.js';
import { checkEvent, completeEvent, eventToRow, ftsMessage, INSERT_COLUMNS, normalizeTs } from './model.js';
import { parseLine } from './parse-line.js';
import { seedEvents } from './seed.js';
import { streamFileName } from './streams.js';

describe('event model', () => {
  it('normalises RFC 3339 timestamps to UTC with nine fraction digits so text order is time order', () => {
    expect(normalizeTs('2026-11-27T03:09:27Z')).toBe('2026-11-27T03:09:27.000000000Z');
    expect(normalizeTs('2026-11-27T03:09:27.12Z')).toBe('2026-11-27T03:09:27.120000000Z');
    expect(normalizeTs('2026-11-27T03:09:27.123456789123Z')).toBe('2026-11-27T03:09:27.123456789Z');
    expect(normalizeTs('2026-11-27T05:09:27.5+02:00')).toBe('2026-11-27T03:09:27.500000000Z');
    expect(normalizeTs('2026-11-27T00:30:00-01:00')).toBe('2026-11-27T01:30:00.000000000Z');
    for (const bad of ['2026-11-27', 'yesterday', '2026-13-01T00:00:00Z', '2026-11-27T03:09:27', '']) expect(normalizeTs(bad)).toBeNull();
    // The normalised form comes back as it is, with the same range checks as every other form.
    expect(normalizeTs('2026-11-27T03:09:27.123456789Z')).toBe('2026-11-27T03:09:27.123456789Z');
    for (const bad of ['2026-13-01T00:00:00.000000000Z', '2026-11-32T00:00:00.000000000Z', '2026-11-27T24:00:00.000000000Z', '2026-11-27T03:60:00.000000000Z', '2026-11-27T03:09:61.000000000Z']) {
      expect(normalizeTs(bad)).toBeNull();
    }
    expect(normalizeTs('2026-11-27 03:09:27.123456789z')).toBe('2026-11-27T03:09:27.123456789Z');
    // Go trims trailing zeros: "27Z" sorts after "27.5Z" as text; normalised they sort by time.
    expect(normalizeTs('2026-11-27T03:09:27Z')! < normalizeTs('2026-11-27T03:09:27.5Z')!).toBe(true);
  });

  it('fills ts, span_id, trace_id, status and duration of an emitted event', () => {
    const ev = completeEvent({ operation: 'cas.put' });
    expect(ev.span_id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(ev.trace_id).toBe(ev.span_id);
    expect(ev.status).toBe('ok');
    expect(ev.duration_ms).toBe(0);
    expect(normalizeTs(ev.ts)).toBe(ev.ts);
    const kept = completeEvent({ operation: 'x', span_id: 's1', trace_id: 't1', ts: '2026-01-01T00:00:00Z', status: 'error', duration_ms: 5 });
    expect(kept).toMatchObject({ span_id: 's1', trace_id: 't1', ts: '2026-01-01T00:00:00.000000000Z', status: 'error', duration_ms: 5 });
  });

  it('rejects malformed events with a message naming the field', () => {
    const cases: [unknown, RegExp][] = [
      [{}, /operation/],
      [{ operation: '' }, /operation/],
      [{ operation: 'x', status: 'fine' }, /status must be one of ok, error, canceled/],
      [{ operation: 'x', ts: 'now' }, /ts "now" is not an RFC 3339/],
      [{ operation: 'x', duration_ms: -1 }, /duration_ms/],
      [{ operation: 'x', duration_ms: '5' }, /duration_ms/],
      [{ operation: 'x', data: [1] }, /data must be a JSON object/],
      [{ operation: 'x', message: 42 }, /message must be a string/],
      [{ operation: 'x', span_id: 'a'.repeat(200) }, /span_id is longer/],
      [[1, 2], /JSON object/],
    ];
    for (const [input, re] of cases) {
      let err: unknown;
      try {
        completeEvent(input as never);
      } catch (e) {
        err = e;
      }
      expect(isFoxError(err, 'INVALID_INPUT'), JSON.stringify(input)).toBe(true);
      expect((err as Error).message).toMatch(re);
    }
    expect(checkEvent({ operation: 'x', trace_id: 't', ts: '2026-01-01T00:00:00Z' })).toBe('missing span_id');
  });

  it('appends name and message to data after its own keys, as JSON.stringify of the merged object', () => {
    const base = { ts: '2026-11-27T03:09:27.000000000Z', trace_id: 't', span_id: 's', operation: 'o', status: 'ok' as const, duration_ms: 0 };
    expect(eventToRow({ ...base })[20]).toBeNull();
    expect(eventToRow({ ...base, name: 'n' })[20]).toBe('{"name":"n"}');
    expect(eventToRow({ ...base, message: 'm "q"', data: {} })[20]).toBe('{"message":"m \\"q\\""}');
    expect(eventToRow({ ...base, name: 'n', message: 'm', data: { a: [1, { b: 2 }] } })[20]).toBe('{"a":[1,{"b":2}],"name":"n","message":"m"}');
    // A name already in data stays as it is.
    expect(eventToRow({ ...base, name: 'n', message: 'm', data: { name: 'kept' } })[20]).toBe('{"name":"kept","message":"m"}');
  });

  it('maps data fields to columns as the Go writer does (command from name) and keeps name and message in data', () => {
    const ev = completeEvent({
      operation: 'llm.call', name: 'call model', message: 'slow', span_id: 's', trace_id: 't',
      data: { service: 'svc', command: 'run', session_id: 'S', agent_id: 'A', workspace_id: 'W', job_id: 'J', retriable: true, extra: 1 },
    });
    const row = eventToRow(ev);
    const byCol = Object.fromEntries(INSERT_COLUMNS.map((c, i) => [c, row[i]]));
    // Go's EventStore.Insert: command is the event's name, not data.command.
    expect(byCol).toMatchObject({ service: 'svc', command: 'call model', session_id: 'S', agent_id: 'A', workspace_id: 'W', job_id: 'J', retriable: 1, operation: 'llm.call' });
    expect(JSON.parse(byCol.data as string)).toMatchObject({ extra: 1, name: 'call model', message: 'slow' });
    // service is NOT NULL: Go binds '' when data has no service; no name, no command.
    const bare = eventToRow(completeEvent({ operation: 'x', data: { command: 'run' } }));
    expect([bare[4], bare[8]]).toEqual(['', null]);
  });

  it('makes sortable, unique ULIDs quickly', () => {
    const t = Date.now();
    const ids = new Set<string>();
    for (let i = 0; i < 20_000; i++) ids.add(newUlid(t));
    expect(ids.size).toBe(20_000);
    expect(newUlid(1000) < newUlid(2000)).toBe(true);
  });
});

describe('text index message', () => {
  it('the message found at parse time is the one read back from the data column, for every shape of data', () => {
    const base = { ts: '2026-11-27T03:00:00.000000001Z', trace_id: 't', span_id: 's', operation: 'op', status: 'ok', duration_ms: 1 };
    const lines = [
      { ...base, message: 'top level' },
      { ...base, message: 'top', data: { message: 'data wins' } },
      { ...base, message: 'top', data: { message: 42 } },
      { ...base, message: 'top', data: { message: null } },
      { ...base, data: { other: { message: 'nested is not it' } } },
      { ...base, message: 'quote " and \\ and ✓ and "message":"x"', data: { k: 'v' } },
      { ...base, name: 'cmd', data: { session_id: 's1' } },
      { ...base, error_type: 'E', error_code: 'C', error_message: 'boom', data: { message: '' } },
      { ...base },
      ...[...seedEvents({ count: 300, seed: 3 })].flat(),
    ].map((e) => JSON.stringify(e));
    let withText = 0;
    for (const line of lines) {
      const p = parseLine(Buffer.from(line));
      if (!('row' in p)) throw new Error(`not parsed: ${line}`);
      const read = rowText(p.row);
      expect(rowText(p.row, p.message), line).toBe(read);
      if (read !== null) withText++;
    }
    expect(withText).toBeGreaterThan(200);
    expect(ftsMessage({ ...base, message: 'm', data: { message: 7 } } as never)).toBeNull();
  });
});

describe('stream names', () => {
  it('accepts [a-z0-9_.-]+ with or without .ndjson', () => {
    expect(streamFileName('foxcular_events')).toBe('foxcular_events.ndjson');
    expect(streamFileName('code_swe_grep.ndjson')).toBe('code_swe_grep.ndjson');
    expect(streamFileName('core-1.v2')).toBe('core-1.v2.ndjson');
  });

  it('rejects separators, "..", upper case and empty names', () => {
    for (const [name, why] of [
      ['../evil', /path separator|\.\./],
      ['a/b', /path separator/],
      ['a\\b', /path separator/],
      ['..', /"\.\."/],
      ['a..b', /"\.\."/],
      ['Core', /only a-z/],
      ['sp ace', /only a-z/],
      ['', /empty/],
      ['.ndjson', /only a-z/],
    ] as const) {
      expect(() => streamFileName(name)).toThrow(why);
    }
  });
});
