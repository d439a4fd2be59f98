// The studio beside real users of the same home, for a while: `npm run soak -- --minutes 30`.
// A running `foxctl studio` (its syncer on events.db every 2 s, the GUI's calls every second),
// an agent (python3, one long-lived WAL connection like the Go foxctl's pool) inserting rows into
// memory.db and appending events to the NDJSON stream, a sqlite3 reader every 3 s, the nightly
// backup run every 5 minutes (then verified), and 4 restores of a store nobody holds. At the end:
// rows lost, events lost, backups with problems, I/O errors — all must be 0. Uses the built CLI
// (out/cli/foxctl.mjs: `npm run build:cli` first). Not part of `npm test`: it takes minutes.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, startStudioProcess, type StudioUnderTest } from '../src-main/test/cli-bundle.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const minutes = arg('minutes', 30);
const backupEveryMs = arg('backup-every-s', 300) * 1000;
const cli = path.join(REPO_ROOT, 'out', 'cli', 'foxctl.mjs');
if (!fs.existsSync(cli)) throw new Error(`${cli} is missing: run npm run build:cli first`);

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'foxctl-soak-'));
const home = path.join(root, '.foxctl');
const env = { HOME: root, FOXCTL_HOME: home, FOXCTL_EVENTS_SYNC_INTERVAL: '2s' };
const memoryDb = path.join(home, 'storage', 'memory.db');
const knowledgeDb = path.join(home, 'storage', 'knowledge.db');
const eventsDb = path.join(home, 'observability', 'events.db');
const stream = path.join(home, 'observability', 'events', 'foxcular_events.ndjson');
const log = (msg: string): void => void process.stdout.write(`[${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function sqlite3(file: string, sql: string): string {
  return execFileSync('sqlite3', ['-bail', file], { input: `.timeout 5000\n${sql}\n`, encoding: 'utf8' }).trim();
}

execFileSync(process.execPath, [cli, 'init'], { env: { ...process.env, ...env }, stdio: 'ignore' });
sqlite3(knowledgeDb, "CREATE TABLE soak_facts (id INTEGER PRIMARY KEY, fact TEXT NOT NULL); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000) INSERT INTO soak_facts (fact) SELECT 'fact ' || i FROM n;");
sqlite3(memoryDb, 'CREATE TABLE soak_agent (seq INTEGER PRIMARY KEY, at TEXT NOT NULL);');

// The agent: one connection for its whole life; every 50 ms a row and an event; prints its last seq at the end.
const AGENT = `
import json, os, signal, sqlite3, sys, time
db, stream = sys.argv[1], sys.argv[2]
c = sqlite3.connect(db, isolation_level=None, timeout=10)
c.execute('PRAGMA journal_mode=WAL')
os.makedirs(os.path.dirname(stream), exist_ok=True)
fd = os.open(stream, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
stop = False
def on_term(*_):
    global stop
    stop = True
signal.signal(signal.SIGTERM, on_term)
seq = 0
while not stop:
    seq += 1
    ts = time.strftime('%Y-%m-%dT%H:%M:%S', time.gmtime()) + '.%09dZ' % (time.time_ns() % 10**9)
    c.execute('INSERT INTO soak_agent (seq, at) VALUES (?, ?)', (seq, ts))
    ev = {'ts': ts, 'trace_id': 'soak-%d' % (seq // 20), 'span_id': 'soak-%08d' % seq, 'operation': 'agent.step', 'name': 'soak',
          'status': 'error' if seq % 31 == 0 else 'ok', 'data': {'service': 'soak-agent'}, 'duration_ms': seq % 400}
    os.write(fd, (json.dumps(ev, separators=(',', ':')) + '\\n').encode())
    time.sleep(0.05)
print(seq, flush=True)
`;

const studio: StudioUnderTest = await startStudioProcess(cli, env);
log(`studio on port ${studio.port}, home ${home}, ${minutes} min`);
const agent = spawn('python3', ['-c', AGENT, memoryDb, stream], { stdio: ['ignore', 'pipe', 'inherit'] });
let agentOut = '';
agent.stdout.on('data', (d: Buffer) => (agentOut += d.toString()));

const ioErrors: string[] = [];
const failures: string[] = [];
let calls = 0;
const call = async (name: string, input: unknown = {}): Promise<{ ok: boolean; value?: unknown; error?: { code: string; message: string } }> => {
  calls++;
  const r = await studio.call(name, input);
  const text = JSON.stringify(r);
  if (/disk I\/O error|SQLITE_IOERR/i.test(text)) ioErrors.push(`${name}: ${text.slice(0, 300)}`);
  return r;
};
const waitJob = async (jobId: string): Promise<{ state: string; result: unknown; error: { message: string } | null }> => {
  for (;;) {
    const j = (await call('jobs.get', { id: jobId })).value as { state: string; result: unknown; error: { message: string } | null };
    if (j.state !== 'running' && j.state !== 'queued') return j;
    await sleep(250);
  }
};

const end = Date.now() + minutes * 60_000;
const restoreAt = [0.2, 0.4, 0.6, 0.8].map((f) => Date.now() + f * minutes * 60_000);
// The first nightly backup at once, so the restores have one to restore from.
let nextBackup = Date.now();
let nextRead = Date.now();
const backups: { name: string; status: string; verified: boolean }[] = [];
let restores = 0;
let reads = 0;
const gui: [string, unknown][] = [
  ['db.info', { store: 'MEMORY' }],
  ['db.tables', { store: 'MEMORY' }],
  ['events.query', { limit: 100 }],
  ['db.check', { store: 'EVENTS', quick: true }],
  ['stores.list', {}],
  ['overview.get', {}],
  ['events.count', { filter: { status: 'error' } }],
  ['db.browse', { store: 'MEMORY', table: 'soak_agent', offset: 0, limit: 50 }],
  ['syncer.status', {}],
  ['events.open', { path: eventsDb }],
];
for (let turn = 0; Date.now() < end; turn++) {
  const [name, input] = gui[turn % gui.length]!;
  const r = await call(name, input);
  if (!r.ok) failures.push(`${name}: ${r.error?.code} ${r.error?.message}`);
  if (name === 'events.open' && r.ok) await call('events.close', { source: (r.value as { source: string }).source });
  if (Date.now() >= nextRead) {
    sqlite3(eventsDb, 'SELECT count(*) FROM foxcular_events;');
    sqlite3(memoryDb, 'SELECT max(seq) FROM soak_agent;');
    reads++;
    nextRead = Date.now() + 3000;
  }
  if (Date.now() >= nextBackup) {
    nextBackup = Date.now() + backupEveryMs;
    const run = await call('backups.runSchedule');
    if (!run.ok) failures.push(`backups.runSchedule: ${run.error?.message}`);
    else {
      const job = await waitJob((run.value as { jobId: string }).jobId);
      const res = job.result as { name: string; status?: string } | null;
      const name = res?.name ?? '?';
      const verify = await call('backups.verify', { name });
      const v = verify.ok ? await waitJob((verify.value as { jobId: string }).jobId) : null;
      const verified = (v?.result as { ok?: boolean } | null)?.ok === true;
      backups.push({ name, status: job.state === 'ok' ? (res?.status ?? 'ok') : `${job.state}: ${job.error?.message}`, verified });
      log(`backup ${name}: ${backups.at(-1)!.status}, verify ${verified ? 'ok' : 'FAILED'}`);
    }
  }
  if (restores < restoreAt.length && Date.now() >= restoreAt[restores]!) {
    restores++;
    const list = (await call('backups.list')).value as { name: string }[];
    const newest = list.find((b) => !b.name.startsWith('pre-restore-'));
    if (!newest) {
      failures.push('restore: no backup to restore yet');
      continue;
    }
    const before = sqlite3(knowledgeDb, 'SELECT count(*) FROM soak_facts;');
    // Damage what the restore must bring back: rows deleted by "a user".
    sqlite3(knowledgeDb, 'DELETE FROM soak_facts WHERE id % 7 = 0;');
    const r = await call('backups.restore', { name: newest.name, stores: ['KNOWLEDGE'], force: true });
    const job = r.ok ? await waitJob((r.value as { jobId: string }).jobId) : null;
    const after = sqlite3(knowledgeDb, 'SELECT count(*) FROM soak_facts; PRAGMA integrity_check;').split('\n');
    const ok = job?.state === 'ok' && after[0] === before && after[1] === 'ok';
    if (!ok) failures.push(`restore ${restores} of ${newest.name}: ${job?.state ?? r.error?.message} ${job?.error?.message ?? ''} rows ${after.join(' ')} (expected ${before})`);
    log(`restore ${restores} of KNOWLEDGE from ${newest.name}: ${ok ? 'ok' : 'FAILED'}`);
  }
  await sleep(1000);
}

agent.kill('SIGTERM');
await new Promise((r) => agent.once('exit', r));
const agentRows = Number(agentOut.trim());
await sleep(500);
for (let i = 0; i < 20; i++) {
  await call('syncer.syncNow');
  const synced = Number(sqlite3(eventsDb, "SELECT count(*) FROM foxcular_events WHERE span_id LIKE 'soak-%';"));
  if (synced >= agentRows) break;
  await sleep(1000);
}
const stderr = studio.stderr();
const exit = await studio.stop();
const rows = sqlite3(memoryDb, 'SELECT count(*), coalesce(max(seq), 0) FROM soak_agent; PRAGMA integrity_check;').split('\n');
const [rowCount, maxSeq] = rows[0]!.split('|').map(Number);
const synced = Number(sqlite3(eventsDb, "SELECT count(DISTINCT span_id) FROM foxcular_events WHERE span_id LIKE 'soak-%';"));
const summary = {
  minutes,
  gui_calls: calls,
  sqlite3_reads: reads,
  agent_rows_written: agentRows,
  rows_lost: agentRows - rowCount!,
  memory_integrity: rows[1],
  events_written: agentRows,
  events_lost: agentRows - synced,
  backups: backups.length,
  backups_with_problems: backups.filter((b) => b.status !== 'ok' || !b.verified).length,
  restores,
  io_errors: ioErrors.length + (stderr.match(/disk I\/O error|lost its -wal/g)?.length ?? 0),
  failed_calls: failures.length,
  studio_exit: exit,
  max_seq: maxSeq,
};
process.stdout.write(`\n${JSON.stringify(summary, null, 2)}\n`);
for (const f of [...ioErrors, ...failures].slice(0, 20)) process.stdout.write(`  ${f}\n`);
const bad = summary.rows_lost !== 0 || summary.events_lost !== 0 || summary.backups_with_problems !== 0 || summary.io_errors !== 0 || summary.failed_calls !== 0 || exit !== 0;
if (!bad) fs.rmSync(root, { recursive: true, force: true });
else process.stdout.write(`home kept for inspection: ${home}\n`);
process.exit(bad ? 1 : 0);
