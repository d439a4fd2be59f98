import { afterEach, describe, expect, it } from 'vitest';
import type { EventName } from '../../src-preload/contract.js';
import { openEngine, type Engine } from '../engine/engine.js';
import { tempHome } from '../test/temp-home.js';
import { EventHub } from './event-hub.js';

const engines: Engine[] = [];
afterEach(async () => {
  for (const e of engines.splice(0)) await e.close();
});

describe('EventHub', () => {
  it('pushes live events of every persist mode, job changes, and stops after close', async () => {
    const engine = openEngine({ env: tempHome().env() });
    engines.push(engine);
    const hub = new EventHub(engine);
    const got: { channel: EventName; payload: unknown }[] = [];
    hub.add((channel, payload) => got.push({ channel, payload }));

    await engine.events.emit({ operation: 'hub.none', message: 'not persisted' }, { persist: 'none' });
    await engine.events.emit({ operation: 'hub.hybrid' }, { persist: 'hybrid' });
    const live = got.filter((g) => g.channel === 'event').map((g) => g.payload as { event: { operation: string }; persist: string; file: string | null });
    expect(live.map((l) => [l.event.operation, l.persist])).toEqual([
      ['hub.none', 'none'],
      ['hub.hybrid', 'hybrid'],
    ]);
    expect(live[0]!.file).toBeNull();
    expect(live[1]!.file).toMatch(/foxcular_events\.ndjson$/);

    const job = engine.jobs.start({ kind: 'test', title: 'hub job' }, async () => 1);
    await job.done;
    expect(got.filter((g) => g.channel === 'job').map((g) => (g.payload as { state: string }).state)).toContain('ok');

    hub.close();
    const before = got.length;
    await engine.events.emit({ operation: 'hub.after-close' }, { persist: 'none' });
    expect(got.length).toBe(before);
  });
});
