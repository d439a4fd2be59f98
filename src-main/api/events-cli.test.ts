import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { EventFilterInput } from '../../src-preload/contract.js';
import { eventsCliArgs, eventsCliCommand, shellQuote } from '../../src-renderer/events/cli.js';
import { openEngine } from '../engine/engine.js';
import { bulkInsertSeed } from '../engine/events/seed.js';
import { runCliInProcess } from '../test/cli-runner.js';
import { tempHome } from '../test/temp-home.js';

/** Splits a command line the way a POSIX shell does for the quoting shellQuote produces. */
function shellSplit(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      cur += line.slice(i + 1, end);
      i = end;
      inWord = true;
    } else if (c === '\\') {
      cur += line[i + 1];
      i++;
      inWord = true;
    } else if (c === ' ') {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) out.push(cur);
  return out;
}

describe("the Events view's copyable CLI command", () => {
  it('quotes for a shell only where needed', () => {
    expect(shellQuote('error')).toBe('error');
    expect(shellQuote('cas put')).toBe("'cas put'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    const f: EventFilterInput = { since: '24h', command: 'cas put', text: "rate limit's" };
    expect(shellSplit(eventsCliCommand(f))).toEqual(['foxctl', ...eventsCliArgs(f)]);
  });

  it('counts, run by the real CLI, what the view counts for the same filter', async () => {
    const home = tempHome();
    const engine = openEngine({ env: home.env() });
    const END = Date.parse('2026-11-27T00:00:00Z');
    bulkInsertSeed(engine.stores.get('EVENTS'), { count: 4000, endMs: END, spanMs: 86_400_000, seed: 9 });
    const filters: EventFilterInput[] = [
      { status: 'error', since: '2026-11-26T06:00:00Z', until: '2026-11-26T20:00:00Z' },
      { command: 'cas put', operation: ['cas.hash', 'cas.write'] },
      { session_id: ['sess-0001', 'sess-0002', 'sess-0003'], since: '2026-11-26' }, { agent_id: 'agent-coder-1', workspace_id: ['ws-foxctl-0', 'ws-studio-1', 'ws-website-2', 'ws-infra-3'] },
      { text: 'timeout', min_duration_ms: 5 },
      { trace_id: (engine.stores.get('EVENTS').prepare('SELECT trace_id FROM foxcular_events LIMIT 1').get() as { trace_id: string }).trace_id },
    ];
    try {
      for (const f of filters) {
        const want = await engine.events.count(f);
        // A filter that matches nothing would pass with any options: each one matches something.
        expect(want, JSON.stringify(f)).toBeGreaterThan(0);
        const run = await runCliInProcess(home.home, ['--json', ...eventsCliArgs(f, { verb: 'count' })]);
        expect(run.stderr).toBe('');
        expect(run.status).toBe(0);
        expect((JSON.parse(run.stdout) as { data: { count: number } }).data.count).toBe(want);
      }
    } finally {
      await engine.close();
    }
  });

  it('lists, run by the real CLI, the rows the view shows in its sort, and exports what the view exports', async () => {
    const home = tempHome();
    const engine = openEngine({ env: home.env() });
    bulkInsertSeed(engine.stores.get('EVENTS'), { count: 1500, endMs: Date.parse('2026-11-27T00:00:00Z'), spanMs: 86_400_000, seed: 5 });
    try {
      const f: EventFilterInput = { status: 'ok' };
      for (const sort of ['-time', 'time', '-duration', 'duration'] as const) {
        const want = await engine.events.query(f, { limit: 50, order: sort.startsWith('-') ? 'desc' : 'asc', sort: sort.endsWith('duration') ? 'duration' : 'time' });
        const run = await runCliInProcess(home.home, ['--json', ...eventsCliArgs(f, { sort }), '--limit', '50']);
        expect(run.stderr, sort).toBe('');
        expect((JSON.parse(run.stdout) as { data: { rows: { id: number }[] } }).data.rows.map((r) => r.id), sort).toEqual(want.rows.map((r) => r.id));
      }
      const line = eventsCliCommand(f, { verb: 'export', format: 'csv', sort: '-duration' });
      expect(line).toBe('foxctl events export --format csv --status ok --sort duration --output events.csv');
      const args = eventsCliArgs(f, { verb: 'export', format: 'json', sort: '-duration' });
      const out = `${home.home}/../export.json`;
      args[args.length - 1] = out;
      const run = await runCliInProcess(home.home, ['--json', ...args]);
      expect(run.status).toBe(0);
      const rows = JSON.parse(fs.readFileSync(out, 'utf8')) as { id: number }[];
      expect(rows.slice(0, 1000).map((r) => r.id)).toEqual((await engine.events.query(f, { limit: 1000, sort: 'duration' })).rows.map((r) => r.id));
      expect(rows.length).toBe(await engine.events.count(f));
    } finally {
      await engine.close();
    }
  });
});
