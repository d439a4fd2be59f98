import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runCliInProcess } from '../../test/cli-runner.js';
import { tempHome } from '../../test/temp-home.js';
import { EXIT_CODES } from '../output.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

const run = runCliInProcess;

afterEach(() => {
  process.exitCode = 0;
});

describe('foxctl events', () => {
  it('emit reads JSON from stdin (child process), fills ids, and refuses non-JSON with INVALID_INPUT', () => {
    const h = tempHome();
    const cli = (args: string[], input: string) => spawnSync(process.execPath, ['--import', 'tsx', 'src-main/cli/index.ts', ...args], { cwd: repo, env: { ...process.env, ...h.env() }, input });
    const ok = cli(['--json', 'events', 'emit', '--persist', 'hybrid'], '{"operation":"cli.emit","message":"from stdin"}\n{"operation":"cli.emit.2"}\n');
    expect(ok.stderr.toString()).toBe('');
    const env = JSON.parse(ok.stdout.toString()) as { status: string; data: { emitted: number; events: { span_id: string; trace_id: string }[] } };
    expect(env.status).toBe('ok');
    expect(env.data.emitted).toBe(2);
    expect(env.data.events[0]!.span_id).toMatch(/^[0-9A-Z]{26}$/);
    const bad = cli(['events', 'emit'], 'not json');
    expect(bad.status).toBe(EXIT_CODES.INVALID_INPUT);
    expect(bad.stderr.toString()).toMatch(/INVALID_INPUT: stdin line 1 is not JSON/);
  }, 60_000);

  it('sync --now, status, query with filters and --json pages, facets, trace, prune --dry-run', async () => {
    const h = tempHome();
    expect((await run(h.home, ['dev', 'seed-events', '--count', '300', '--span', '2h', '--no-sync'])).stdout).toMatch(/emitted 300 events via emit \(hybrid\)/);
    const st1 = await run(h.home, ['events', 'status']);
    expect(st1.stdout).toMatch(/300 complete line\(s\) pending/);
    expect((await run(h.home, ['events', 'sync', '--now'])).stdout).toMatch(/synced 300 new event\(s\) from 1 file\(s\)/);
    const st2 = JSON.parse((await run(h.home, ['--json', 'events', 'status'])).stdout) as { data: { lag_bytes: number; synced_total: number } };
    expect(st2.data).toMatchObject({ lag_bytes: 0, synced_total: 300 });

    const page1 = JSON.parse((await run(h.home, ['--json', 'events', 'query', '--since', '3h', '--limit', '200'])).stdout) as { data: { rows: { id: number; trace_id: string }[]; next_cursor: string } };
    expect(page1.data.rows).toHaveLength(200);
    const page2 = JSON.parse((await run(h.home, ['--json', 'events', 'query', '--since', '3h', '--limit', '200', '--cursor', page1.data.next_cursor])).stdout) as { data: { rows: { id: number }[]; next_cursor: null } };
    expect(page2.data.rows).toHaveLength(100);
    expect(page2.data.next_cursor).toBeNull();
    expect(new Set([...page1.data.rows, ...page2.data.rows].map((r) => r.id)).size).toBe(300);

    const errors = await run(h.home, ['events', 'query', '--status', 'error', '--op', 'cli.command,llm.call']);
    expect(errors.status).toBe(0);
    const count = JSON.parse((await run(h.home, ['--json', 'events', 'count', '--status', 'error'])).stdout) as { data: { count: number } };
    expect(errors.stdout.split('\n').filter((l) => / error /.test(l)).length).toBeLessThanOrEqual(count.data.count);
    expect((await run(h.home, ['events', 'facets', '--top', '2'])).stdout).toMatch(/operation\n\s+VALUE\s+COUNT/);
    const trace = await run(h.home, ['events', 'trace', page1.data.rows[0]!.trace_id]);
    expect(trace.stdout).toMatch(/^trace \S+: \d+ span\(s\)/);
    expect((await run(h.home, ['events', 'prune', '--older-than', '720h', '--dry-run'])).stdout).toMatch(/would remove 0 row\(s\)/);
  }, 60_000);

  it('names what is wrong in bad options', async () => {
    const h = tempHome();
    const cases: [string[], RegExp, number][] = [
      [['events', 'query', '--status', 'broken'], /status must be one of ok, error, canceled/, EXIT_CODES.INVALID_INPUT],
      [['events', 'query', '--since', 'soon'], /since "soon" is neither/, EXIT_CODES.INVALID_INPUT],
      [['events', 'query', '--limit', 'ten'], /--limit must be a whole number/, EXIT_CODES.INVALID_INPUT],
      [['events', 'prune', '--older-than', 'forever'], /invalid --older-than "forever"/, EXIT_CODES.INVALID_INPUT],
      [['events', 'tail', '--file', '../x'], /invalid events file name/, EXIT_CODES.INVALID_INPUT],
      [['events', 'tail', '--file', 'missing'], /no events stream/, EXIT_CODES.NOT_FOUND],
      [['events', 'query', '--db', path.join(h.home, 'none.db')], /does not exist/, EXIT_CODES.NOT_FOUND],
      [['dev', 'seed-events', '--count', '0'], /--count must be at least 1/, EXIT_CODES.INVALID_INPUT],
    ];
    for (const [args, re, code] of cases) {
      const r = await run(h.home, args);
      expect(r.stderr, args.join(' ')).toMatch(re);
      expect(r.status, args.join(' ')).toBe(code);
    }
  });
});
