// events.db under a running studio: its syncer holds events.db open and writes to it every
// second, while an agent (a python process here) appends events to the NDJSON stream and a
// user's sqlite3 reads and writes events.db directly, and the studio's GUI calls inspect, open,
// check and back it up. Every event of the stream must reach events.db, every row sqlite3 wrote
// must stay, and no call may answer "disk I/O error" (the symptom of a studio process that lost
// its locks on the file).
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCliBundle, startStudioProcess, type CliBundle } from '../test/cli-bundle.js';
import { tempHome } from '../test/temp-home.js';

let cli: CliBundle;
beforeAll(async () => {
  cli = await buildCliBundle();
}, 60_000);
afterAll(() => cli?.remove());

// Appends events the way the Go writer does: one compact JSON object per line, one write each.
const WRITER = `
import json, os, sys, time, random, string
path, count = sys.argv[1], int(sys.argv[2])
os.makedirs(os.path.dirname(path), exist_ok=True)
fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
for i in range(count):
    ts = time.strftime('%Y-%m-%dT%H:%M:%S', time.gmtime()) + '.%09dZ' % random.randrange(10**9)
    ev = {'ts': ts, 'trace_id': 'trace-%d' % (i // 10), 'span_id': 'agent-span-%06d' % i, 'operation': 'agent.step',
          'name': 'agent run', 'status': 'error' if i % 17 == 0 else 'ok', 'data': {'service': 'foxctl-agent', 'session_id': 's1'},
          'duration_ms': i % 250}
    os.write(fd, (json.dumps(ev, separators=(',', ':')) + '\\n').encode())
    time.sleep(0.004)
os.close(fd)
`;

function sqlite3(file: string, sql: string): string {
  return execFileSync('sqlite3', ['-bail', file], { input: `.timeout 5000\n${sql}\n`, encoding: 'utf8' });
}

describe('events.db under a running studio, with an agent and sqlite3 on the same home', () => {
  it('loses no event and no row, and no call answers disk I/O error', async () => {
    const h = tempHome();
    const obs = path.join(h.home, 'observability');
    const eventsDb = path.join(obs, 'events.db');
    const stream = path.join(obs, 'events', 'foxcular_events.ndjson');
    let notesWritten = 0;
    const studio = await startStudioProcess(cli.file, { ...h.env(), FOXCTL_EVENTS_SYNC_INTERVAL: '1s' } as Record<string, string>);
    try {
      const answers: string[] = [];
      const call = async (name: string, input: unknown = {}): Promise<{ ok: boolean; value?: unknown }> => {
        const r = await studio.call(name, input);
        answers.push(`${name}: ${JSON.stringify(r).slice(0, 400)}`);
        return r;
      };
      // The studio creates events.db on its first sync.
      expect((await call('syncer.syncNow')).ok).toBe(true);
      sqlite3(eventsDb, 'CREATE TABLE IF NOT EXISTS user_notes (id INTEGER PRIMARY KEY, note TEXT NOT NULL);');

      const EVENTS = 1500;
      const writer = spawn('python3', ['-c', WRITER, stream, String(EVENTS)], { stdio: ['ignore', 'ignore', 'pipe'] });
      let writerErr = '';
      writer.stderr.on('data', (d: Buffer) => (writerErr += d.toString()));
      const writerDone = new Promise<number | null>((resolve) => writer.on('exit', resolve));
      let writing = true;
      void writerDone.then(() => (writing = false));

      const gui: [string, unknown][] = [
        ['events.open', { path: eventsDb }],
        ['db.info', { store: 'EVENTS' }],
        ['db.tables', { store: 'EVENTS' }],
        ['db.check', { store: 'EVENTS', quick: true }],
        ['stores.list', {}],
        ['overview.get', {}],
        ['events.count', {}],
        ['syncer.status', {}],
        ['backups.create', { components: ['observability'] }],
      ];
      for (let turn = 0; writing || turn < gui.length; turn++) {
        // The user's sqlite3: a read of the events and a write of its own, then it exits.
        sqlite3(eventsDb, `SELECT count(*) FROM foxcular_events; INSERT INTO user_notes (note) VALUES ('note ${turn}');`);
        notesWritten++;
        const [name, input] = gui[turn % gui.length]!;
        const r = await call(name, input);
        if (name === 'events.open' && r.ok) await call('events.close', { source: (r.value as { source: string }).source });
      }
      expect(await writerDone, writerErr).toBe(0);
      // A backup job may still run: wait for the jobs to end before the last sync.
      for (let i = 0; i < 400; i++) {
        const jobs = (await studio.call('jobs.list', {})).value as { state: string }[];
        if (!jobs.some((j) => j.state === 'running' || j.state === 'queued')) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect((await call('syncer.syncNow')).ok).toBe(true);
      expect(answers.filter((a) => /disk I\/O error|SQLITE_IOERR/i.test(a))).toEqual([]);
      expect(studio.stderr()).not.toMatch(/lost its -wal/);
      expect(fs.statSync(stream).size).toBeGreaterThan(0);
    } finally {
      expect(await studio.stop()).toBe(0);
    }
    // After the studio closed (its last checkpoint included), a fresh reader sees everything.
    const [events, spans, notes, check] = sqlite3(
      eventsDb,
      "SELECT count(*) FROM foxcular_events; SELECT count(DISTINCT span_id) FROM foxcular_events WHERE span_id LIKE 'agent-span-%'; SELECT count(*) FROM user_notes; PRAGMA integrity_check;",
    )
      .trim()
      .split('\n');
    expect(Number(spans)).toBe(1500);
    expect(Number(events)).toBeGreaterThanOrEqual(1500);
    expect(Number(notes)).toBe(notesWritten);
    expect(check).toBe('ok');
  }, 180_000);
});
