import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runCliInProcess } from '../../test/cli-runner.js';
import { tempHome, type TempHome } from '../../test/temp-home.js';
import { EXIT_CODES } from '../output.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** A MEMORY store with a notes table of `n` rows (every third title NULL, every other one with a comma). */
function seed(th: TempHome, n: number): string {
  const dir = path.join(th.home, 'storage');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'memory.db');
  const db = new Database(file);
  db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, title TEXT, big INTEGER)');
  const ins = db.prepare('INSERT INTO notes (id, title, big) VALUES (?, ?, ?)');
  ins.safeIntegers(true);
  db.transaction(() => {
    for (let i = 1; i <= n; i++) ins.run(BigInt(i), i % 3 === 0 ? null : `note ${i}${i % 2 ? ', odd' : ''}`, 2n ** 60n + BigInt(i));
  })();
  db.close();
  return file;
}

describe('foxctl db export', () => {
  it('a filtered, sorted table to stdout as CSV, and a --sql query to --output as JSON with a --json envelope', async () => {
    const th = tempHome();
    seed(th, 100);
    const csv = await runCliInProcess(th.home, ['db', 'export', 'memory', 'notes', '--where', 'id <= 4', '--sort', 'id', '--desc']);
    expect(csv.status, csv.stderr).toBe(0);
    expect(csv.stdout).toBe(['id,title,big', '4,note 4,1152921504606846980', '3,,1152921504606846979', '2,note 2,1152921504606846978', '1,"note 1, odd",1152921504606846977', ''].join('\r\n'));

    const out = path.join(th.home, 'q.json');
    const json = await runCliInProcess(th.home, ['--json', 'db', 'export', 'MEMORY', '--sql', 'SELECT id, title AS id FROM notes WHERE id > 98', '--format', 'json', '-o', out]);
    expect(json.status, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ status: 'ok', command: 'foxctl.db.export', data: { rows: 2, path: out, format: 'json' } });
    expect(JSON.parse(fs.readFileSync(out, 'utf8'))).toEqual([
      { id: 99, id_2: null },
      { id: 100, id_2: 'note 100' },
    ]);
  });

  it('bad input is named and leaves no file: both TABLE and --sql, an unknown table, a write, a bad format', async () => {
    const th = tempHome();
    seed(th, 10);
    const out = path.join(th.home, 'x.csv');
    const cases: [string[], RegExp][] = [
      [['db', 'export', 'memory', 'notes', '--sql', 'SELECT 1', '-o', out], /give a TABLE to export or --sql/],
      [['db', 'export', 'memory', 'nope', '-o', out], /NOT_FOUND: .*no table or view named "nope"/],
      [['db', 'export', 'memory', '--sql', 'DELETE FROM notes', '-o', out], /INVALID_INPUT: .*only read-only queries/],
      [['db', 'export', 'memory', 'notes', '--format', 'xml', '-o', out], /export format must be one of csv, json/],
    ];
    for (const [args, msg] of cases) {
      const r = await runCliInProcess(th.home, args);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(msg);
    }
    expect(fs.existsSync(out)).toBe(false);
    expect(fs.readdirSync(th.home).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('Ctrl-C stops an export to --output and leaves neither the file nor its temp file', async () => {
    const th = tempHome();
    seed(th, 400_000);
    const outDir = path.join(th.home, 'out');
    fs.mkdirSync(outDir);
    const out = path.join(outDir, 'all.json');
    const child = spawn(process.execPath, ['--import', 'tsx', 'src-main/cli/index.ts', 'db', 'export', 'memory', 'notes', '--format', 'json', '-o', out], {
      cwd: repo,
      env: { ...process.env, ...th.env() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Interrupted once the temp file has rows in it.
    for (let i = 0; i < 600; i++) {
      const tmp = fs.readdirSync(outDir).find((f) => f.endsWith('.tmp'));
      if (tmp && fs.statSync(path.join(outDir, tmp)).size > 0) break;
      await new Promise((res) => setTimeout(res, 25));
    }
    expect(fs.readdirSync(outDir).some((f) => f.endsWith('.tmp'))).toBe(true);
    child.kill('SIGINT');
    const code = await exited;
    expect(code, stderr).toBe(EXIT_CODES.CANCELED);
    expect(stderr).toMatch(/CANCELED/);
    expect(fs.readdirSync(outDir)).toEqual([]);
  }, 60_000);
});
