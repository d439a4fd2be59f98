// Restore dry run with row counts (the Backups view's "rows now vs rows in the backup"): what
// counting costs against the plain dry run and against the restore of the same store, for a
// snapshot and an archive of a ~FOXCTL_BENCH_PLAN_MB (default 256) MB store. The anchor is the
// restore of that store into a scratch --target, measured in the same run.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openEngine } from '../src-main/engine/engine.js';
import { figure, report, scratch, timed } from './lib.js';

const mb = Number(process.env.FOXCTL_BENCH_PLAN_MB ?? 256);
if (!Number.isFinite(mb) || mb <= 0) throw new Error(`FOXCTL_BENCH_PLAN_MB must be a positive number (got ${process.env.FOXCTL_BENCH_PLAN_MB})`);

const s = scratch('restore-plan');
try {
  const home = path.join(s.dir, '.foxctl');
  fs.mkdirSync(path.join(home, 'storage'), { recursive: true });
  const db = new Database(path.join(home, 'storage', 'memory.db'));
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE turns (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
  const ins = db.prepare('INSERT INTO turns (body) VALUES (?)');
  const rows = Math.ceil((mb << 20) / 4096);
  const batch = db.transaction((n: number) => {
    for (let i = 0; i < n; i++) ins.run(`${randomBytes(1024).toString('hex')} ${'the agent wrote a summary '.repeat(78)}`);
  });
  for (let done = 0; done < rows; done += 1000) batch(Math.min(1000, rows - done));
  db.close();
  const engine = openEngine({ env: { ...process.env, FOXCTL_HOME: home } as Record<string, string> });
  try {
    for (const format of ['snapshot', 'tar'] as const) {
      await engine.backups.create({ format, name: `plan-${format}`, components: ['databases'] }).done;
      const opts = { stores: ['MEMORY'], force: true, dryRun: true };
      const plain = await timed(() => engine.backups.restore(`plan-${format}`, opts).done);
      const counted = await timed(() => engine.backups.restore(`plan-${format}`, { ...opts, countRows: true }).done);
      const target = path.join(s.dir, `target-${format}`);
      const restore = await timed(() => engine.backups.restore(`plan-${format}`, { stores: ['MEMORY'], target }).done);
      fs.rmSync(target, { recursive: true, force: true });
      const rowsSeen = counted.value.files[0]?.rows;
      figure(`${format}: plain dry run --store MEMORY`, plain.seconds, 's');
      figure(`${format}: rows counted (backup ${rowsSeen?.backup}, now ${rowsSeen?.now})`, counted.seconds, 's');
      report(`${format}: dry run with row counts, ${mb} MB store`, counted.seconds, restore.seconds, 's', { anchorName: 'restore of it', better: 'lower' });
    }
  } finally {
    await engine.close();
  }
} finally {
  s.cleanup();
}
