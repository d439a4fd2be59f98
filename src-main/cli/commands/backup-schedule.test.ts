import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempHome } from '../../test/temp-home.js';

const cli = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'index.ts');

function foxctl(env: Record<string, string | undefined>, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('foxctl backup schedule', () => {
  it('shows the schedule, saves changes in config.yaml, and refuses a bad time naming it', () => {
    const th = tempHome();
    const env = th.env();
    const off = foxctl(env, 'backup', 'schedule');
    expect(off.status).toBe(0);
    expect(off.stdout).toMatch(/nightly backup\s+off/);
    const on = foxctl(env, 'backup', 'schedule', '--enable', '--time', '3:15', '--zone', 'utc', '--keep', '4');
    expect(on.stderr).toBe('');
    expect(on.stdout).toMatch(/nightly backup\s+on, at 03:15 UTC, keeping 4/);
    expect(fs.readFileSync(path.join(th.home, 'config.yaml'), 'utf8')).toMatch(/schedule:\n\s+enabled: true\n\s+time: "?03:15"?\n\s+zone: utc\n\s+keep: 4/);
    const json = JSON.parse(foxctl(env, '--json', 'backup', 'schedule').stdout) as { data: { enabled: boolean; time: string; next_run: string } };
    expect(json.data).toMatchObject({ enabled: true, time: '03:15' });
    expect(json.data.next_run).toMatch(/T03:15:00.000Z$/);
    const bad = foxctl(env, 'backup', 'schedule', '--time', '25:00');
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/backup.schedule.time must be a time of day HH:MM.*"25:00"/);
  }, 60_000);
});
