// Seeds a throwaway foxctl home through the engine, in its own process (run with tsx), so every
// e2e test starts from real files: `node --import tsx e2e/support/seed-home.ts <home> <kind>`.
//   empty   nothing at all (a fresh home)
//   sample  a few stores with rows, events synced into events.db, one backup, then a store added
//           after it (so the Overview warns that a sync-critical store is missing from the backup)
//   big     sample plus a 128 MiB store of incompressible data: a backup of it takes seconds
//   go      a home the Go foxctl wrote (src-main/test/go-home/home.ts), nothing through our engine
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { openEngine } from '../../src-main/engine/engine.js';
import { buildGoHome } from '../../src-main/test/go-home/home.js';

const [home, kind = 'sample'] = process.argv.slice(2);
if (!home || !['empty', 'sample', 'big', 'go'].includes(kind)) {
  process.stderr.write('usage: seed-home.ts <home> empty|sample|big|go\n');
  process.exit(2);
}
if (kind === 'go') {
  if (path.basename(home) !== '.foxctl') throw new Error(`a Go home is <root>/.foxctl (got ${home})`);
  buildGoHome(path.dirname(home));
  process.exit(0);
}

const engine = openEngine({ env: { ...process.env, FOXCTL_HOME: home } });
try {
  if (kind !== 'empty') {
    const memory = engine.stores.get('MEMORY');
    memory.exec('CREATE TABLE IF NOT EXISTS e2e_notes (name TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at TEXT NOT NULL)');
    const put = memory.prepare('INSERT OR REPLACE INTO e2e_notes VALUES (?, ?, ?)');
    memory.transaction(() => {
      for (let i = 0; i < 500; i++) put.run(`note-${i}`, `remembered fact number ${i} `.repeat(8), new Date().toISOString());
    })();
    for (const name of ['TASKS', 'SESSIONS', 'KNOWLEDGE', 'AGENTS']) {
      const db = engine.stores.get(name);
      db.exec('CREATE TABLE IF NOT EXISTS e2e_items (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
      const ins = db.prepare('INSERT INTO e2e_items (body) VALUES (?)');
      db.transaction(() => {
        for (let i = 0; i < 200; i++) ins.run(`${name.toLowerCase()} item ${i}`);
      })();
    }
    // One second apart, ending now: every event has its own time, so a sort by time has one answer.
    const now = Date.now();
    await engine.events.emitMany(
      Array.from({ length: 40 }, (_, i) => ({
        ts: new Date(now - (39 - i) * 1000).toISOString(),
        operation: i % 7 === 0 ? 'cas.put' : 'agent.step',
        status: i % 9 === 0 ? 'error' : 'ok',
        message: `seeded event ${i}`,
      })),
    );
    await engine.events.syncer.syncNow();
    await engine.backups.create({ name: 'seeded', format: 'tar' }).done;
    // Written after the backup: the Overview must say the newest backup lacks it.
    const companion = engine.stores.get('COMPANION');
    companion.exec('CREATE TABLE IF NOT EXISTS e2e_turns (id INTEGER PRIMARY KEY, text TEXT)');
    companion.prepare('INSERT INTO e2e_turns (text) VALUES (?)').run('a turn after the backup');
  }
  if (kind === 'big') {
    const cache = engine.stores.get('MEMORY');
    cache.exec('CREATE TABLE IF NOT EXISTS e2e_blobs (id INTEGER PRIMARY KEY, data BLOB NOT NULL)');
    const ins = cache.prepare('INSERT INTO e2e_blobs (data) VALUES (?)');
    cache.transaction(() => {
      for (let i = 0; i < 128; i++) ins.run(randomBytes(1 << 20));
    })();
    cache.pragma('wal_checkpoint(TRUNCATE)');
  }
} finally {
  await engine.close();
}
