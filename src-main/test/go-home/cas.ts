// Go-side CAS bytes for tests: rows and files exactly as the Go foxctl writes and reads them,
// built with python3 (its sqlite3 module) and plain file writes, never with our own writers.
// Followed (joshka0/foxctl, newest versions in the code index):
//   internal/storage/cas/sqlite_store.go  commit 49701679 (migrateSQLiteSchema, SQLiteStore.Put, Get)
//   internal/storage/cas/sql_tags.go      commit 49701679 (decodeCASTags)
//   internal/storage/cas/file_store.go    commit 4e2e500c (Store.Put/finalizeUpload, writeMetadata, Pin)
//   internal/storage/storage.go CASMetadata (json tags: kind,omitempty; tags,omitempty)
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** Runs a python3 script with JSON `args` on stdin; returns its stdout parsed as JSON. */
function python(script: string, args: unknown): unknown {
  const r = spawnSync('python3', ['-c', script], { input: JSON.stringify(args), encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`python3 failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout || 'null') as unknown;
}

/** Go's migrateSQLiteSchema, verbatim (run by Go's OpenDB on every open). */
export const GO_CAS_SCHEMA = `
	CREATE TABLE IF NOT EXISTS cas_objects (
		digest TEXT PRIMARY KEY,
		size INTEGER NOT NULL,
		kind TEXT DEFAULT 'application/octet-stream',
		tags TEXT,
		pinned INTEGER DEFAULT 0,
		content BLOB,
		created_at TEXT NOT NULL,
		updated_at TEXT NOT NULL
	);

	CREATE INDEX IF NOT EXISTS idx_cas_created ON cas_objects(created_at);
	CREATE INDEX IF NOT EXISTS idx_cas_pinned ON cas_objects(pinned);
	CREATE INDEX IF NOT EXISTS idx_cas_kind ON cas_objects(kind);
	`;

/** Go's time.Time.Format(time.RFC3339Nano) of a UTC instant: fraction with trailing zeros trimmed. */
export function goRfc3339Nano(d: Date): string {
  return d.toISOString().replace(/\.(\d*?)0*Z$/, (_, f: string) => (f ? `.${f}Z` : 'Z'));
}

/** Go's json.Marshal of a []string: compact, with <, >, & escaped as Go's HTML-safe encoder does. */
export function goJsonStrings(tags: readonly string[]): string {
  return JSON.stringify(tags).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Go's mergeTags(nil, tags): trimmed, non-empty, de-duplicated, sorted by bytes. */
export function goMergeTags(tags: readonly string[]): string[] {
  const set = new Set(tags.map((t) => t.trim()).filter((t) => t !== ''));
  return [...set].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

/** Creates (or opens) a cas.db as Go's NewSQLiteStore does: its schema script, nothing else. */
export function goSqliteCasOpen(file: string): void {
  python(
    `import json, sqlite3, sys
a = json.load(sys.stdin)
db = sqlite3.connect(a['file'], timeout=5)
db.executescript(a['schema'])
db.close()
print('null')`,
    { file, schema: GO_CAS_SCHEMA },
  );
}

/** One object put by Go's SQLiteStore.Put. */
export interface GoSqlitePut {
  content: Buffer;
  kind?: string;
  tags?: string[];
  now?: Date;
}

/**
 * Go's SQLiteStore.Put of a new object, its INSERT verbatim: tags bound as the bytes of
 * json.Marshal(mergeTags(nil, tags)) (a BLOB), or NULL (a nil []byte) when there are none.
 * Returns the digest.
 */
export function goSqlitePut(file: string, put: GoSqlitePut): string {
  const digest = `sha256:${createHash('sha256').update(put.content).digest('hex')}`;
  const tags = put.tags && put.tags.length > 0 ? goJsonStrings(goMergeTags(put.tags)) : null;
  python(
    `import json, sqlite3, sys
a = json.load(sys.stdin)
db = sqlite3.connect(a['file'], timeout=5)
tags = None if a['tags'] is None else a['tags'].encode('utf-8')
db.execute("""
		INSERT INTO cas_objects (digest, size, kind, tags, pinned, content, created_at, updated_at)
		VALUES (?, ?, ?, ?, 0, ?, ?, ?)
	""", (a['digest'], a['size'], a['kind'], tags, bytes.fromhex(a['content']), a['now'], a['now']))
db.commit()
db.close()
print('null')`,
    { file, digest, size: put.content.length, kind: put.kind || 'application/octet-stream', tags, content: put.content.toString('hex'), now: goRfc3339Nano(put.now ?? new Date()) },
  );
  return digest;
}

/** What Go's SQLiteStore.Get returns: the row's content as it is (no re-hash), and its metadata. */
export interface GoSqliteGot {
  size: number;
  kind: string;
  tags: string[] | null;
  created_at: string;
  content: Buffer;
}

/**
 * Go's SQLiteStore.Get, step for step: its SELECT, Scan into (int64, string, NullString,
 * []byte, string) — a NULL kind fails the Scan as it does in Go —, then decodeCASTags (a
 * non-empty value must be a JSON array of strings), then the content as it is.
 */
export function goSqliteGet(file: string, digest: string): GoSqliteGot {
  const out = `${file}.go-get-${process.pid}-${Date.now()}`;
  const meta = python(
    `import json, sqlite3, sys
a = json.load(sys.stdin)
db = sqlite3.connect(a['file'], timeout=5)
row = db.execute("""
		SELECT size, kind, tags, content, created_at
		FROM cas_objects WHERE digest = ?
	""", (a['digest'],)).fetchone()
if row is None:
    sys.exit('cas: object not found')
size, kind, tags, content, created = row
if kind is None or created is None or size is None:
    sys.exit('cas: get: sql: Scan error: converting NULL to string is unsupported')
if isinstance(tags, bytes):
    tags = tags.decode('utf-8')
decoded = None
if tags is not None and tags != '':
    decoded = json.loads(tags)
    if not isinstance(decoded, list) or not all(isinstance(t, str) for t in decoded):
        sys.exit('cas: decode tags: json: cannot unmarshal into []string')
if isinstance(content, str):
    content = content.encode('utf-8')
with open(a['out'], 'wb') as f:
    f.write(content or b'')
print(json.dumps({'size': size, 'kind': kind, 'tags': decoded, 'created_at': created}))`,
    { file, digest, out },
  ) as Omit<GoSqliteGot, 'content'>;
  try {
    return { ...meta, content: fs.readFileSync(out) };
  } finally {
    fs.rmSync(out, { force: true });
  }
}

/** How our earlier versions stored an object over one chunk: cas_objects with content empty, bytes in studio_cas_chunks. */
export function oldChunkedRow(file: string, content: Buffer, opts: { chunkSize: number; now: string; bytes?: Buffer }): string {
  const digest = `sha256:${createHash('sha256').update(content).digest('hex')}`;
  const stored = opts.bytes ?? content;
  const chunks: string[] = [];
  for (let at = 0; at < stored.length; at += opts.chunkSize) chunks.push(stored.subarray(at, at + opts.chunkSize).toString('hex'));
  python(
    `import json, sqlite3, sys
a = json.load(sys.stdin)
db = sqlite3.connect(a['file'], timeout=5)
db.execute("INSERT INTO cas_objects (digest, size, kind, tags, pinned, content, created_at, updated_at) VALUES (?, ?, 'application/octet-stream', '[]', 0, X'', ?, ?)", (a['digest'], a['size'], a['now'], a['now']))
cur = db.execute('INSERT INTO studio_cas_blobs (digest, chunk_size, started_ms) VALUES (?, ?, 0)', (a['digest'], a['chunk']))
for i, c in enumerate(a['chunks']):
    db.execute('INSERT INTO studio_cas_chunks (blob_id, seq, data) VALUES (?, ?, ?)', (cur.lastrowid, i, bytes.fromhex(c)))
db.commit()
db.close()
print('null')`,
    { file, digest, size: content.length, now: opts.now, chunk: opts.chunkSize, chunks },
  );
  return digest;
}

/** One object put by Go's file Store.Put (finalizeUpload). */
export interface GoFilePut {
  content: Buffer;
  kind?: string;
  tags?: string[];
  createdAt?: Date;
}

/**
 * Go's file Store.Put of a new object under `dir` (paths.cas): the blob renamed from an
 * os.CreateTemp file (0600), then writeMetadata: json.MarshalIndent(meta, "", "  ") of
 * CASMetadata (kind and tags omitempty, created_at as RFC3339Nano), also from a 0600 temp file.
 */
export function goFilePut(dir: string, put: GoFilePut): string {
  const hex = createHash('sha256').update(put.content).digest('hex');
  const objDir = path.join(dir, 'sha256');
  for (const d of [objDir, path.join(dir, 'pins'), path.join(dir, 'tmp')]) fs.mkdirSync(d, { recursive: true, mode: 0o755 });
  fs.writeFileSync(path.join(objDir, hex), put.content, { mode: 0o600 });
  const tags = goMergeTags(put.tags ?? []);
  const kind = put.kind || 'application/octet-stream';
  // MarshalIndent with Go's field order; strings here need no Go-specific escaping beyond goJsonStrings'.
  const lines = [`  "digest": "sha256:${hex}"`, `  "size_bytes": ${put.content.length}`, `  "kind": ${JSON.stringify(kind)}`];
  if (tags.length > 0) lines.push(`  "tags": [\n${tags.map((t) => `    ${goJsonStrings([t]).slice(1, -1)}`).join(',\n')}\n  ]`);
  lines.push(`  "created_at": "${goRfc3339Nano(put.createdAt ?? new Date())}"`);
  fs.writeFileSync(path.join(objDir, `${hex}.json`), `{\n${lines.join(',\n')}\n}`, { mode: 0o600 });
  return `sha256:${hex}`;
}

/** Go's file Store.Pin: pins/<hex> holding time.Now().UTC().Format(time.RFC3339), mode 0644. */
export function goFilePin(dir: string, digest: string, at: Date = new Date()): string {
  const text = `${at.toISOString().slice(0, 19)}Z`;
  fs.writeFileSync(path.join(dir, 'pins', digest.slice('sha256:'.length)), text, { mode: 0o644 });
  return text;
}

/** Go's file readMetadata: the .json parsed as CASMetadata (unknown fields ignored), digest checked. */
export function goFileReadMeta(dir: string, digest: string): { digest: string; size_bytes: number; kind?: string; tags?: string[]; created_at: string } {
  const meta = JSON.parse(fs.readFileSync(path.join(dir, 'sha256', `${digest.slice('sha256:'.length)}.json`), 'utf8')) as { digest: string; size_bytes: number; kind?: string; tags?: string[]; created_at: string };
  if (meta.digest !== digest) throw new Error(`cas: digest mismatch: metadata key ${digest} contains ${meta.digest}`);
  return { digest: meta.digest, size_bytes: meta.size_bytes, kind: meta.kind, tags: meta.tags, created_at: meta.created_at };
}
