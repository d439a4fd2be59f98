// A whole foxctl home as the Go foxctl leaves it, assembled from the per-area builders of this
// folder, each of which writes bytes the way the Go code does (python3, sqlite3, gzip, node's fs;
// never our writers). Each part names the Go function it imitates in its builder's comments:
//   config.ts    internal/platform/config/config.go (database:, cas: keys; config.yaml)
//   cas.ts       internal/storage/cas/file_store.go Store.Put / Pin; sqlite_store.go Put
//   events.ts    foxcular's NDJSON encoder and EventStore.Insert (INSERT OR REPLACE, RFC3339Nano ts)
//   backup.ts    internal/storage/backup/service.go Service.Create (filepath.Rel names: ../)
// The home is what the "done when" of issue #14 asks every CLI command and view to pass through.
import fs from 'node:fs';
import path from 'node:path';
import { goFilePin, goFilePut, goSqliteCasOpen, goSqlitePut } from './cas.js';
import { writeGoBackupArchive } from './backup.js';
import { writeGoConfig, writeGoLibsqlStore } from './config.js';
import { goCreateEventSchema, goInsertEvents, goRfc3339Nano, writeGoRotatedStream, type GoEvent } from './events.js';

/** What buildGoHome made, for the assertions of the tests that use it. */
export interface GoHome {
  /** The directory that plays $HOME; the foxctl home is `<root>/.foxctl`. */
  root: string;
  home: string;
  /** Where the Go config put the storage root: outside the home, so the backup has ../ names. */
  storageRoot: string;
  env: Record<string, string>;
  fileObjects: { digest: string; tags: string[]; pinned: boolean }[];
  sqliteObjects: { digest: string; tags: string[] }[];
  events: GoEvent[];
  /** Events only in the rotated, gzipped stream file (not in events.db). */
  rotatedOnly: GoEvent[];
  backupName: string;
  libsqlFile: string;
}

/** One event of an agent's turn, at `ms` since the epoch, written in the zone `zone` minutes east of UTC. */
function event(i: number, ms: number, zone: number, extra: Partial<GoEvent> = {}): GoEvent {
  return {
    ts: goRfc3339Nano(ms, zone, i % 3 === 0 ? 0 : 120_000 + i),
    trace_id: `trace-${Math.floor(i / 4)}`,
    span_id: `span-go-${i}`,
    operation: i % 2 === 0 ? 'agent.turn' : 'tool.call',
    name: i % 2 === 0 ? 'agent.turn' : `tool.${['read', 'write', 'grep'][i % 3]}`,
    status: i % 7 === 0 ? 'error' : 'ok',
    ...(i % 7 === 0 ? { error_type: 'timeout', error_message: `tool ${i} timed out` } : {}),
    data: { session_id: `sess-${i % 3}`, agent_id: 'agent-go', service: 'foxctl' },
    duration_ms: 5 + ((i * 37) % 900),
    ...extra,
  };
}

/**
 * Builds a Go home under `root`: config.yaml with `database:` keys and a storage root outside the
 * home, file-store objects (tags, a pin) and `storage/cas.db` objects, events in Go's time form in
 * several zones (NDJSON with a .gz rotation, and rows in events.db through Go's INSERT OR
 * REPLACE), a `libsql` store file, and a Go backup archive with `../` entries.
 */
export function buildGoHome(root: string): GoHome {
  const home = path.join(root, '.foxctl');
  const storageRoot = path.join(root, 'data', 'storage');
  fs.mkdirSync(home, { recursive: true });
  writeGoConfig(home, { database: { driver: 'turso', turso: { url: 'libsql://fox-go.turso.io', auth_token: 'go-token-abcd1234' } }, cas: { store: true }, storage: { root: storageRoot } });

  // CAS: the Go `cas` CLI's file store, and the runtime's sqlite cas.db.
  const casDir = path.join(home, 'cas');
  const t0 = Date.UTC(2026, 10, 20, 9, 0, 0);
  const fileObjects = [
    { content: Buffer.from('{"turn":1,"output":"hello"}\n'), kind: 'application/json', tags: [' turn ', 'agent', 'turn'], pinned: true },
    { content: Buffer.from('plain notes from the Go CLI\n'), tags: [] as string[], pinned: false },
  ].map((o, i) => {
    const digest = goFilePut(casDir, { content: o.content, ...(o.kind ? { kind: o.kind } : {}), tags: o.tags, createdAt: new Date(t0 + i * 1000) });
    if (o.pinned) goFilePin(casDir, digest, new Date(t0 + 5000));
    return { digest, tags: [...new Set(o.tags.map((t) => t.trim()))].sort(), pinned: o.pinned };
  });
  const casDb = path.join(home, 'storage', 'cas.db');
  fs.mkdirSync(path.dirname(casDb), { recursive: true });
  goSqliteCasOpen(casDb);
  const sqliteObjects = [
    { content: Buffer.from('runtime artifact one'), tags: ['runtime'] },
    { content: Buffer.alloc(3 * 1024 * 1024, 7), tags: [] as string[] },
  ].map((o, i) => ({ digest: goSqlitePut(casDb, { content: o.content, tags: o.tags, now: new Date(t0 + 60_000 + i) }), tags: o.tags }));

  // Events: NDJSON the Go writer appended (UTC, +02:00 and -05:00 offsets), a gzipped rotation,
  // and the same events synced into events.db by Go's own INSERT OR REPLACE.
  const obs = path.join(home, 'observability');
  const events = Array.from({ length: 24 }, (_, i) => event(i, t0 + i * 61_000, [0, 120, -300][i % 3]!));
  const rotatedOnly = Array.from({ length: 5 }, (_, i) => event(100 + i, t0 - 86_400_000 + i * 1000, 60));
  writeGoRotatedStream(path.join(obs, 'events'), 'foxcular_events', { '': events.slice(12), '.1': events.slice(0, 12), '.2.gz': rotatedOnly });
  const eventsDb = path.join(obs, 'events.db');
  goCreateEventSchema(eventsDb);
  goInsertEvents(eventsDb, events);

  // A store on Go's libsql driver: a SQLite-format file next to the others, with the .libsql extension.
  const libsqlFile = path.join(storageRoot, 'memory.libsql');
  writeGoLibsqlStore(libsqlFile, "CREATE TABLE named_memory (name TEXT PRIMARY KEY, body TEXT NOT NULL); INSERT INTO named_memory VALUES ('go-note', 'written by the Go libsql driver');");
  const sessions = path.join(storageRoot, 'sessions.db');
  writeGoLibsqlStore(sessions, "CREATE TABLE sessions (id TEXT PRIMARY KEY, title TEXT); INSERT INTO sessions VALUES ('sess-0', 'a Go session');");

  // A Go backup of that home: the storage root outside the home gives ../data/storage/... names.
  const backupName = 'go-nightly';
  writeGoBackupArchive({
    home,
    out: path.join(home, 'backups', `backup_${backupName}.tar.gz`),
    files: [
      { component: 'databases', original: sessions },
      { component: 'cas', original: path.join(casDir, 'sha256', fileObjects[0]!.digest.slice(7)) },
      { component: 'cas', original: path.join(casDir, 'sha256', `${fileObjects[0]!.digest.slice(7)}.json`) },
      { component: 'observability', original: eventsDb },
    ],
    components: ['databases', 'cas', 'observability'],
  });

  const env = {
    HOME: root,
    FOXCTL_HOME: home,
    FOXCTL_MEMORY_DB_DRIVER: 'libsql',
  };
  return { root, home, storageRoot, env, fileObjects, sqliteObjects, events, rotatedOnly, backupName, libsqlFile };
}
