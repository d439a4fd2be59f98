import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliInProcess } from '../../test/cli-runner.js';
import { tempHome } from '../../test/temp-home.js';

interface Envelope<T> {
  status: string;
  data: T;
  error?: { code: string; message: string };
}

function parse<T>(stdout: string): Envelope<T> {
  return JSON.parse(stdout.trim().split('\n').pop()!) as Envelope<T>;
}

describe('foxctl config set / unset', () => {
  it('writes a validated value, keeps comments, and unset brings the default back', async () => {
    const th = tempHome();
    const file = path.join(th.home, 'config.yaml');
    fs.writeFileSync(file, '# my settings\nevents:\n  sync_batch: 50 # small batches\n');
    const set = await runCliInProcess(th.home, ['config', 'set', 'events.sync_interval', '1m']);
    expect(set.status).toBe(0);
    expect(set.stdout).toContain(`events.sync_interval = 1m in ${file}`);
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toContain('# my settings');
    expect(text).toContain('sync_batch: 50 # small batches');
    expect(text).toMatch(/sync_interval: 1m/);
    const shown = parse<{ values: { key: string; value: unknown; source: { kind: string } }[] }>((await runCliInProcess(th.home, ['--json', 'config', 'show'])).stdout);
    expect(shown.data.values.find((v) => v.key === 'events.sync_interval')).toMatchObject({ value: '1m', source: { kind: 'file' } });

    const unset = await runCliInProcess(th.home, ['config', 'unset', 'events.sync_interval']);
    expect(unset.status).toBe(0);
    expect(fs.readFileSync(file, 'utf8')).not.toContain('sync_interval');
    const after = parse<{ values: { key: string; source: { kind: string } }[] }>((await runCliInProcess(th.home, ['--json', 'config', 'show'])).stdout);
    expect(after.data.values.find((v) => v.key === 'events.sync_interval')?.source.kind).toBe('default');
  });

  it('refuses an unknown key, a bad value and a DSN with a password, writing nothing', async () => {
    const th = tempHome();
    const file = path.join(th.home, 'config.yaml');
    const unknown = await runCliInProcess(th.home, ['--json', 'config', 'set', 'events.nope', '1']);
    expect(unknown.status).not.toBe(0);
    expect(parse(unknown.stdout).error).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('unknown config key "events.nope"') });
    const bad = await runCliInProcess(th.home, ['--json', 'config', 'set', 'events.sync_interval', 'soon']);
    expect(parse(bad.stdout).error?.message).toContain('events.sync_interval');
    const secret = 'hunter2-in-a-dsn';
    const dsn = await runCliInProcess(th.home, ['--json', 'config', 'set', 'postgres.dsn', `postgres://fox:${secret}@127.0.0.1:5999/foxctl`]);
    expect(parse(dsn.stdout).error).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('holds a password') });
    expect(dsn.stdout + dsn.stderr).not.toContain(secret);
    expect(fs.existsSync(file)).toBe(false);
  });

  it('sets a store driver through the same checks as the Settings view; stores list follows', async () => {
    const th = tempHome();
    const noDsn = await runCliInProcess(th.home, ['--json', 'config', 'set', 'stores.memory.driver', 'postgres']);
    expect(noDsn.status).not.toBe(0);
    expect(parse(noDsn.stdout).error?.message).toContain('postgres.dsn');
    const external = await runCliInProcess(th.home, ['--json', 'config', 'set', 'stores.opencode.driver', 'sqlite']);
    expect(parse(external.stdout).error?.code).toBe('UNSUPPORTED');

    expect((await runCliInProcess(th.home, ['config', 'set', 'postgres.dsn', 'postgres://fox@127.0.0.1:5999/foxctl'])).status).toBe(0);
    expect((await runCliInProcess(th.home, ['config', 'set', 'stores.memory.driver', 'postgres'])).status).toBe(0);
    const list = parse<{ stores: { name: string; driver: string | null }[] }>((await runCliInProcess(th.home, ['--json', 'stores', 'list'])).stdout);
    expect(list.data.stores.find((s) => s.name === 'MEMORY')?.driver).toBe('postgres');
    expect(list.data.stores.find((s) => s.name === 'TASKS')?.driver).toBe('sqlite');

    expect((await runCliInProcess(th.home, ['config', 'unset', 'stores.memory.driver'])).status).toBe(0);
    const back = parse<{ stores: { name: string; driver: string | null }[] }>((await runCliInProcess(th.home, ['--json', 'stores', 'list'])).stdout);
    expect(back.data.stores.find((s) => s.name === 'MEMORY')?.driver).toBe('sqlite');
  });
});

describe('config.yaml warnings on the command line', () => {
  it('config show lists them; every other command prints them once on stderr, never on stdout', async () => {
    const th = tempHome();
    const file = path.join(th.home, 'config.yaml');
    fs.writeFileSync(file, 'storage:\n  rooot: /typo\nlogging:\n  level: debug\n');
    const warning = `${file} line 2: unknown key storage.rooot, ignored: did you mean storage.root?`;
    const human = await runCliInProcess(th.home, ['config', 'show']);
    expect(human.stdout).toContain(`1 warning:\n  ${warning}`);
    expect(human.stderr).toBe('');
    const shown = await runCliInProcess(th.home, ['--json', 'config', 'show']);
    expect(parse<{ warnings: unknown[] }>(shown.stdout).data.warnings).toEqual([{ key: 'storage.rooot', line: 2, suggestion: 'storage.root', message: warning }]);
    for (const args of [['stores', 'list'], ['--json', 'stores', 'list'], ['--json', 'events', 'status']]) {
      const run = await runCliInProcess(th.home, args);
      expect(run.status, args.join(' ')).toBe(0);
      expect(run.stderr).toBe(`foxctl: warning: ${warning}\n`);
      expect(run.stdout).not.toContain('rooot');
      if (args[0] === '--json') expect(parse<unknown>(run.stdout).status).toBe('ok');
    }
    fs.writeFileSync(file, 'a: &x [*x]\n');
    const bad = await runCliInProcess(th.home, ['stores', 'list']);
    expect(bad.status).toBe(11);
    expect(bad.stderr).toBe(`foxctl: INVALID_INPUT: config file ${file} at line 1: the alias *x refers to a value that contains it (a self-referencing YAML alias); write the value out instead\n`);
  });
});
