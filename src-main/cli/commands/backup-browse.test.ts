// The CLI on a snapshot: browse (stores, tables, rows), restore --dry-run and rehearse by name.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { snapshotRepoRoot } from '../../engine/backup/backup-source.js';
import { createSnapshotFromPlan } from '../../engine/backup/repo/create-snapshot.js';
import { collectSources } from '../../engine/backup/sources.js';
import { seedHome } from '../../engine/backup/test-fixtures.js';
import { COMPONENTS } from '../../engine/backup/types.js';
import { tempHome } from '../../test/temp-home.js';
import { EXIT_CODES } from '../output.js';

const cli = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'index.ts');

function foxctl(env: Record<string, string | undefined>, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('foxctl backup browse / restore / rehearse on a snapshot', () => {
  it('shows stores, tables and a page of rows, plans a restore and rehearses it, by the snapshot name', async () => {
    const th = tempHome();
    seedHome(th);
    const config = th.config();
    await createSnapshotFromPlan(config, collectSources(config, [...COMPONENTS], false), 'snap', snapshotRepoRoot(config), {}, { unreadable: 'problem' });
    const env = th.env();

    const stores = foxctl(env, 'backup', 'browse', 'snap');
    expect(stores.stderr).toBe('');
    expect(stores.stdout).toMatch(/^snap \(snapshot, created /);
    expect(stores.stdout).toMatch(/^MEMORY\s+storage\/memory\.db\s+/m);
    const tables = foxctl(env, 'backup', 'browse', 'snap', 'memory');
    expect(tables.stdout).toMatch(/^accounts\s+table\s+3\s+20$/m);
    const page = foxctl(env, '--json', 'backup', 'browse', 'snap', 'MEMORY', 'accounts', '--limit', '3', '--offset', '2');
    const rows = JSON.parse(page.stdout) as { command: string; data: { columns: string[]; rows: unknown[][]; truncated: boolean } };
    expect(rows.command).toBe('foxctl.backup.browse');
    expect(rows.data.columns).toEqual(['id', 'balance', 'note']);
    expect(rows.data.rows.map((r) => r[0])).toEqual([3, 4, 5]);
    expect(rows.data.truncated).toBe(true);
    const human = foxctl(env, 'backup', 'browse', 'snap', 'MEMORY', 'accounts', '--limit', '3', '--offset', '18');
    expect(human.stdout).toMatch(/rows 19-20 \(the last\)/);
    const missing = foxctl(env, 'backup', 'browse', 'snap', 'TASKS');
    expect(missing.status).toBe(EXIT_CODES.NOT_FOUND);

    const dry = foxctl(env, '--json', 'backup', 'restore', 'snap', '--store', 'memory', '--dry-run', '-f');
    const plan = JSON.parse(dry.stdout) as { data: { files: { path: string; action: string }[] } };
    expect(plan.data.files.map((f) => [f.path, f.action])).toEqual([['storage/memory.db', 'would-replace']]);
    const rehearse = foxctl(env, 'backup', 'rehearse', 'snap');
    expect(rehearse.status).toBe(0);
    expect(rehearse.stdout).toMatch(/^storage\/memory\.db\s+MEMORY\s+ok\s+1\s+20$/m);
    expect(rehearse.stdout).toMatch(/^ok: restored \d+ files into a temp home/m);
  }, 120_000);
});
