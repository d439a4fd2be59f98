// The events drain in time order and shuffled: the same N lines synced into a fresh events.db
// by the real syncer, once as written (time order) and once with the lines in random order
// (timestamps out of order, as several agents writing one stream produce). Ours is timed as a
// user meets it: `foxctl events sync --now` of the built CLI in a process of its own, start-up
// included (in this process, the million events the anchors hold made every collection slower). Anchors measured
// in the same run: a Python sqlite3 script inserting the lines into a table with one unique
// index, and bare better-sqlite3 inserts (no FTS, no offsets) into the same events schema.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyMigrations } from '../../src-main/engine/db/migrate.js';
import { openSqlite } from '../../src-main/engine/db/sqlite.js';
import { openEngine } from '../../src-main/engine/engine.js';
import { INSERT_COLUMNS, eventToRow, type FoxEvent } from '../../src-main/engine/events/model.js';
import { EVENTS_MIGRATIONS } from '../../src-main/engine/events/schema.js';
import { seedEvents, type SeedOptions } from '../../src-main/engine/events/seed.js';
import { figure, report, timed } from '../lib.js';

/** A deterministic shuffle (the same order on every run). */
function shuffle<T>(xs: T[], seed: number): T[] {
  let a = seed >>> 0;
  const rnd = (): number => ((a = (Math.imul(a, 1103515245) + 12345) >>> 0) / 4294967296);
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

// One unique index, transactions of 100, json parsed per line: the reference script.
const PYTHON_ANCHOR = String.raw`
import json, sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute('PRAGMA journal_mode=WAL'); db.execute('PRAGMA synchronous=NORMAL')
db.execute('CREATE TABLE e (span_id TEXT NOT NULL UNIQUE, trace_id TEXT, ts TEXT, operation TEXT, status TEXT, data TEXT)')
t0 = time.monotonic(); c0 = time.process_time(); n = 0; batch = []
def flush():
    db.execute('BEGIN'); db.executemany('INSERT OR IGNORE INTO e VALUES (?,?,?,?,?,?)', batch); db.execute('COMMIT'); batch.clear()
with open(sys.argv[2], 'rb') as f:
    for line in f:
        ev = json.loads(line)
        batch.append((ev['span_id'], ev.get('trace_id'), ev.get('ts'), ev.get('operation'), ev.get('status'), json.dumps(ev.get('data'))))
        n += 1
        if len(batch) >= 100: flush()
if batch: flush()
print(json.dumps({'n': n, 'seconds': time.monotonic() - t0, 'cpu': time.process_time() - c0}))
`;

/** CPU seconds of this process spent in `fn`, with its wall time. */
async function cpuTimed<T>(fn: () => Promise<T> | T): Promise<{ seconds: number; cpu: number; value: T }> {
  const c0 = process.cpuUsage();
  const t = await timed(fn);
  const c = process.cpuUsage(c0);
  return { ...t, cpu: (c.user + c.system) / 1e6 };
}

/** `foxctl events sync --now` in `home` through the built CLI: wall and CPU seconds (its process's user + system). */
function cliSync(home: string): { seconds: number; cpu: number } {
  const cli = path.join(ROOT, 'out', 'cli', 'foxctl.mjs');
  const r = spawnSync('bash', ['-c', 'TIMEFORMAT="%R %U %S"; time "$0" "$1" events sync --now > /dev/null', process.execPath, cli], {
    env: { ...process.env, HOME: home, FOXCTL_HOME: path.join(home, '.foxctl') },
    encoding: 'utf8',
  });
  const times = r.stderr.trim().split('\n').at(-1)!.split(' ').map(Number);
  if (r.status !== 0 || times.length !== 3 || times.some((t) => !Number.isFinite(t))) throw new Error(`foxctl events sync --now failed: ${r.stderr}`);
  return { seconds: times[0]!, cpu: times[1]! + times[2]! };
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Drains N lines in order and shuffled and prints both rates with the anchors. */
export async function benchDrainOrder(dir: string, seed: SeedOptions, opts: { inOrderOnly?: boolean } = {}): Promise<void> {
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build-cli.mjs')], { cwd: ROOT, stdio: 'inherit' });
  const events: FoxEvent[] = [];
  for (const chunk of seedEvents(seed)) events.push(...chunk);
  const N = events.length;
  const orders: [string, FoxEvent[]][] = [
    ['in order', events],
  ];
  if (!opts.inOrderOnly) orders.push(['shuffled', shuffle([...events], 7)]);
  const rates: Record<string, { wall: number; cpu: number }> = {};
  for (const [name, list] of orders) {
    const home = path.join(dir, `drain-${name.replace(' ', '-')}`);
    const engine = openEngine({ env: { HOME: home, FOXCTL_HOME: path.join(home, '.foxctl') } });
    try {
      const file = engine.events.streamPath();
      fs.mkdirSync(path.dirname(file), { recursive: true });
      const fd = fs.openSync(file, 'w');
      for (let i = 0; i < list.length; i += 10_000) fs.writeSync(fd, list.slice(i, i + 10_000).map((e) => `${JSON.stringify(e)}\n`).join(''));
      fs.closeSync(fd);

      // Python: the same lines, one unique index.
      const py = spawnSync('python3', ['-c', PYTHON_ANCHOR, path.join(home, 'anchor-py.db'), file], { encoding: 'utf8' });
      if (py.status !== 0) throw new Error(`the Python anchor failed: ${py.stderr}`);
      const pyr = JSON.parse(py.stdout) as { n: number; seconds: number; cpu: number };

      // Bare better-sqlite3: the same rows (parsed beforehand) into the same schema, no FTS.
      const bare = openSqlite(path.join(home, 'anchor-bare.db'));
      applyMigrations(bare, 'anchor', EVENTS_MIGRATIONS);
      const stmt = bare.prepare(`INSERT OR IGNORE INTO foxcular_events (${INSERT_COLUMNS.join(', ')}) VALUES (${INSERT_COLUMNS.map(() => '?').join(', ')})`);
      const rows = list.map(eventToRow);
      const tx = bare.transaction((batch: unknown[][]) => {
        for (const r of batch) stmt.run(r);
      });
      const b = await cpuTimed(() => {
        for (let i = 0; i < rows.length; i += 100) tx(rows.slice(i, i + 100));
      });
      bare.close();

      const drain = cliSync(home);
      const stored = await engine.events.count();
      if (stored !== N) throw new Error(`drain (${name}) stored ${stored} of ${N} events`);
      rates[name] = { wall: N / drain.seconds, cpu: N / drain.cpu };
      report(`drain ${name} (events/s)`, N / drain.seconds, pyr.n / pyr.seconds, 'ev/s', { anchorName: 'python sqlite3, 1 index', better: 'higher' });
      report(`drain ${name}, per CPU-second`, N / drain.cpu, N / b.cpu, 'ev/s', { anchorName: 'bare better-sqlite3', better: 'higher' });
      figure(`  bare better-sqlite3 ${name} (wall)`, N / b.seconds, 'ev/s');
      figure(`  python sqlite3 ${name}, per CPU-second`, pyr.n / pyr.cpu, 'ev/s');
      if (name === 'in order') {
        const projected = 1_000_000 / (N / drain.seconds);
        process.stdout.write(`${'1,000,000 in-order lines: goal <= 20 s'.padEnd(44)} ${projected.toFixed(1)} s at this rate ${projected <= 20 ? 'MET' : 'NOT MET'}\n`);
      }
    } finally {
      await engine.close();
      fs.rmSync(home, { recursive: true, force: true });
    }
  }
  if (opts.inOrderOnly) return;
  report('drain shuffled vs in order (wall)', rates['shuffled']!.wall, rates['in order']!.wall, 'ev/s', { anchorName: 'in order', better: 'higher', goal: 0.6 });
  report('drain shuffled vs in order (CPU)', rates['shuffled']!.cpu, rates['in order']!.cpu, 'ev/s', { anchorName: 'in order', better: 'higher', goal: 0.6 });
}
