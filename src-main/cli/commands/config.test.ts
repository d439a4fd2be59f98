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
