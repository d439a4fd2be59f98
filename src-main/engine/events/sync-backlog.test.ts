import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openEngine } from '../engine.js';
import { tempHome } from '../../test/temp-home.js';

// ~2 KiB lines, so a backlog past the 8 MiB threshold takes a few thousand rows, not 50,000.
const pad = 'x'.repeat(2000);
const line = (i: number): string =>
  `${JSON.stringify({ ts: `2026-11-27T03:${String(i % 60).padStart(2, '0')}:00.000000001Z`, trace_id: 't', span_id: `bl-${i}`, operation: 'op.test', status: 'ok', duration_ms: 1, data: { pad } })}\n`;

describe('events syncer, large backlog', () => {
  it('drains a backlog over 8 MiB in large transactions with a wider page cache, then commits every batch again', { timeout: 120_000 }, async () => {
    const home = tempHome();
    const engine = openEngine({ env: home.env({ FOXCTL_EVENTS_SYNC_BATCH: '10' }) });
    const file = engine.events.streamPath();
    fs.mkdirSync(file.replace(/[^/]+$/, ''), { recursive: true });
    const n = 6000;
    const text = Array.from({ length: n }, (_, i) => line(i)).join('');
    fs.writeFileSync(file, text);
    const size = Buffer.byteLength(text);
    const lineBytes = Buffer.byteLength(line(0));
    const progress: number[] = [];
    const caches: number[] = [];
    const db = engine.stores.get('EVENTS');
    const r = await engine.events.syncer.syncNow({
      onProgress: (d) => {
        progress.push(d);
        caches.push(db.pragma('cache_size', { simple: true }) as number);
      },
    });
    expect(r).toMatchObject({ inserted: n, duplicates: 0, rejected: 0 });
    expect(await engine.events.count()).toBe(n);
    // One progress report per commit: the first commit took 2000 rows while over 8 MiB remained...
    expect(progress[0]).toBeGreaterThanOrEqual(2000 * lineBytes - 2000 * 5);
    // ...and the last 8 MiB went in transactions of the configured 10 rows (a live stream's size).
    const tail = progress.filter((d) => size - d < 8 << 20);
    expect(tail.length).toBeGreaterThan(Math.floor((8 << 20) / lineBytes / 10) - 2);
    // Every 100-row-sized commit would have made ~600 reports; far fewer here.
    expect(progress.length).toBeLessThan(n / 10);
    expect(progress.at(-1)).toBe(size);
    // The backlog drained with a 256 MiB page cache; the pass gave the events connection's usual 32 MiB back at its end.
    expect(caches[0]).toBe(-(256 << 10));
    expect(db.pragma('cache_size', { simple: true })).toBe(-32768);
    await engine.close();
  });
});
