import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openEngine } from '../engine.js';
import { isFoxError } from '../errors.js';
import { tempHome } from '../../test/temp-home.js';
import type { EmittedEvent } from './emitter.js';

const readLines = (file: string): Record<string, unknown>[] =>
  fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) : [];

describe('events emitter: the five persist modes', () => {
  it('default and ndjson append a line, sql writes events.db, hybrid appends and registers, none writes nothing; all reach subscribers', async () => {
    const home = tempHome();
    const engine = openEngine({ env: home.env() });
    const seen: EmittedEvent[] = [];
    const off = engine.events.subscribe((e) => seen.push(e));
    const def = await engine.events.emit({ operation: 'm.default', data: { command: 'run' } });
    const nd = await engine.events.emit({ operation: 'm.ndjson' }, { persist: 'ndjson', file: 'core' });
    const sql = await engine.events.emit({ operation: 'm.sql' }, { persist: 'sql' });
    const hy = await engine.events.emit({ operation: 'm.hybrid' }, { persist: 'hybrid', file: 'skill_x' });
    const none = await engine.events.emit({ operation: 'm.none' }, { persist: 'none' });
    off();
    await engine.events.emit({ operation: 'after.unsubscribe' }, { persist: 'none' });

    const dir = path.join(home.home, 'observability', 'events');
    expect(readLines(path.join(dir, 'foxcular_events.ndjson'))).toEqual([expect.objectContaining({ operation: 'm.default', span_id: def.span_id, data: { command: 'run' } })]);
    expect(readLines(path.join(dir, 'core.ndjson'))).toEqual([expect.objectContaining({ span_id: nd.span_id })]);
    expect(readLines(path.join(dir, 'skill_x.ndjson'))).toEqual([expect.objectContaining({ span_id: hy.span_id })]);
    expect(fs.readdirSync(dir).sort()).toEqual(['core.ndjson', 'foxcular_events.ndjson', 'skill_x.ndjson']);
    expect((await engine.events.query()).rows.map((r) => r.span_id)).toEqual([sql.span_id]);
    expect(seen.map((e) => [e.event.operation, e.persist, e.file])).toEqual([
      ['m.default', 'default', 'foxcular_events.ndjson'],
      ['m.ndjson', 'ndjson', 'core.ndjson'],
      ['m.sql', 'sql', null],
      ['m.hybrid', 'hybrid', 'skill_x.ndjson'],
      ['m.none', 'none', null],
    ]);
    expect(none.span_id).toMatch(/^[0-9A-Z]{26}$/);
    // Hybrid registered its file for the syncer; the ndjson-only one was not.
    expect((await engine.events.syncer.status()).files.map((f) => f.file).sort()).toEqual(['foxcular_events.ndjson', 'skill_x.ndjson']);
    await engine.close();
  });

  it('writes each line whole with one write per line, and batches whole lines in emitMany', async () => {
    const home = tempHome();
    const engine = openEngine({ env: home.env() });
    const evs = await engine.events.emitMany(Array.from({ length: 5000 }, (_, i) => ({ operation: 'bulk', message: `m${i}`.padEnd(400, '.') })));
    const lines = readLines(engine.events.streamPath());
    expect(lines.length).toBe(5000);
    expect(lines.map((l) => l.span_id)).toEqual(evs.map((e) => e.span_id));
    await engine.close();
  });

  it('refuses bad input with a clear error and writes nothing', async () => {
    const home = tempHome();
    const engine = openEngine({ env: home.env() });
    const cases: [() => Promise<unknown>, RegExp][] = [
      [() => engine.events.emit({ operation: 'x' }, { file: '../../etc/passwd' }), /invalid events file name.*path separator/],
      [() => engine.events.emit({ operation: 'x' }, { file: 'UPPER' }), /only a-z/],
      [() => engine.events.emit({ operation: 'x' }, { persist: 'sql', file: 'core' }), /file applies only to/],
      [() => engine.events.emit({ operation: 'x' }, { persist: 'bogus' as never }), /unknown persist mode "bogus"/],
      [() => engine.events.emit({ operation: 'x', status: 'weird' as never }), /status must be one of/],
      [() => engine.events.emit({ operation: 'x', message: 'z'.repeat(2 << 20) }), /over 1048576 bytes/],
      [() => engine.events.emitMany([{ operation: 'ok' }, { operation: '' }]), /missing operation/],
    ];
    for (const [fn, re] of cases) {
      const err = await fn().then(() => null, (e: unknown) => e);
      expect(isFoxError(err, 'INVALID_INPUT'), String(re)).toBe(true);
      expect((err as Error).message).toMatch(re);
    }
    expect(fs.existsSync(path.join(home.home, 'observability', 'events'))).toBe(false);
    const ac = new AbortController();
    ac.abort();
    await expect(engine.events.emit({ operation: 'x' }, { signal: ac.signal })).rejects.toSatisfy((e) => isFoxError(e, 'CANCELED'));
    await engine.close();
  });

  it('drops a subscriber that throws, and the others keep receiving', async () => {
    const home = tempHome();
    const engine = openEngine({ env: home.env() });
    const got: string[] = [];
    const warnings: string[] = [];
    const onWarn = (w: Error): void => void warnings.push(w.message);
    process.on('warning', onWarn);
    engine.events.subscribe(() => {
      throw new Error('window closed');
    });
    engine.events.subscribe((e) => got.push(e.event.operation));
    await engine.events.emit({ operation: 'a' }, { persist: 'none' });
    await engine.events.emit({ operation: 'b' }, { persist: 'none' });
    await new Promise((r) => setImmediate(r));
    process.off('warning', onWarn);
    expect(got).toEqual(['a', 'b']);
    expect(warnings.filter((w) => w.includes('window closed'))).toHaveLength(1);
    await engine.close();
  });
});
