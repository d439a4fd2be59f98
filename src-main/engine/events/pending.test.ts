import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readPendingEvents } from './pending.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function dir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'foxctl-pending-'));
  dirs.push(d);
  return d;
}

const line = (i: number, extra: Record<string, unknown> = {}): string =>
  `${JSON.stringify({ ts: `2026-11-27T00:00:${String(i % 60).padStart(2, '0')}.${String(i).padStart(6, '0')}Z`, span_id: `s${i}`, trace_id: `t${i}`, operation: `op.${i}`, ...extra })}\n`;

describe('readPendingEvents', () => {
  it('reads complete event lines past the offset, skips non-events and a partial last line', () => {
    const d = dir();
    const synced = line(0) + line(1);
    const body = synced + line(2) + 'not json\n' + '{"operation":"no ids"}\n' + line(3) + '{"ts":"2026-11-27T00:00:59Z","span_id":"half';
    fs.writeFileSync(path.join(d, 'a.ndjson'), body);
    const r = readPendingEvents(d, [{ file: 'a.ndjson', offset: Buffer.byteLength(synced), size: Buffer.byteLength(body), exists: true }]);
    expect(r.events.map((e) => e.event.span_id)).toEqual(['s2', 's3']);
    expect(r.events[0]!.offset).toBe(Buffer.byteLength(synced));
    expect(r.truncated).toBe(false);
  });

  it('keeps the newest `limit` over several files, and reads a file that shrank from its start', () => {
    const d = dir();
    let a = '';
    for (let i = 0; i < 30; i += 2) a += line(i);
    let b = '';
    for (let i = 1; i < 30; i += 2) b += line(i);
    fs.writeFileSync(path.join(d, 'a.ndjson'), a);
    fs.writeFileSync(path.join(d, 'b.ndjson'), b);
    const r = readPendingEvents(d, [
      { file: 'a.ndjson', offset: 0, size: a.length, exists: true },
      // The syncer's offset is past the end: the file was truncated, so all of it is pending.
      { file: 'b.ndjson', offset: b.length + 500, size: b.length + 500, exists: true },
      { file: 'gone.ndjson', offset: 0, size: 10, exists: true },
    ], 5);
    expect(r.events.map((e) => e.event.span_id)).toEqual(['s25', 's26', 's27', 's28', 's29']);
    expect(r.truncated).toBe(true);
  });
});
