/**
 * Go-side CAS bytes of a home with objects in both places the Go foxctl uses, written by
 * sqlite3 and python3 (never by our writers). Followed: joshka0/foxctl
 * internal/storage/cas/sqlite_store.go (migrateSQLiteSchema, SQLiteStore.Put, Pin; commit
 * 49701679519c) and internal/storage/cas/store.go (Store.Put, writeMetadata, Pin; commit
 * 06ce6d6d06800b).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { GO_CAS_SCHEMA, goRfc3339Nano } from './cas.js';

/** One object to write as Go would. */
export interface GoCasObject {
  content: Buffer;
  kind?: string;
  tags?: string[];
  pinned?: boolean;
  /** RFC 3339 nano time of the put (default now). */
  createdAt?: string;
  /** Stores these bytes as `content` instead (a damaged row: Go's Get does not re-hash). */
  storedContent?: Buffer;
}

const hexOf = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

function sqlite3(file: string, sql: string): void {
  const r = spawnSync('/usr/bin/sqlite3', [file], { input: sql, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`sqlite3 ${file} failed: ${r.stderr}`);
}

/**
 * Writes `<home>/storage/cas.db` as the Go components' default CAS (cas.OpenDefault with no
 * env: sqlite at <rootDir>/storage/cas.db, WAL): migrateSQLiteSchema's table and indexes, one
 * INSERT per object as SQLiteStore.Put binds it (tags NULL when none, else json.Marshal bytes
 * of the merged sorted tags, i.e. a BLOB; content whole; created_at = updated_at), and Pin's
 * UPDATE. Returns the digests in order.
 */
export function writeGoSqliteCas(file: string, objects: GoCasObject[]): string[] {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const lines = [
    'PRAGMA journal_mode=WAL;',
    // migrateSQLiteSchema's script, as Go runs it on every open.
    GO_CAS_SCHEMA,
  ];
  const digests: string[] = [];
  for (const o of objects) {
    const digest = `sha256:${hexOf(o.content)}`;
    digests.push(digest);
    const at = o.createdAt ?? goRfc3339Nano(new Date());
    const tags = o.tags && o.tags.length > 0 ? `X'${Buffer.from(JSON.stringify([...new Set(o.tags.filter((t) => t !== ''))].sort())).toString('hex')}'` : 'NULL';
    const content = (o.storedContent ?? o.content).toString('hex');
    lines.push(
      `INSERT INTO cas_objects (digest, size, kind, tags, pinned, content, created_at, updated_at) VALUES ('${digest}', ${o.content.length}, '${o.kind ?? 'application/octet-stream'}', ${tags}, 0, X'${content}', '${at}', '${at}');`,
    );
    if (o.pinned) lines.push(`UPDATE cas_objects SET pinned = 1, updated_at = '${goRfc3339Nano(new Date())}' WHERE digest = '${digest}';`);
  }
  sqlite3(file, `${lines.join('\n')}\n`);
  return digests;
}

/**
 * Writes objects into a file store as Go's Store.Put does (python3): bytes renamed from
 * tmp/cas-* (os.CreateTemp: 0600) to sha256/<hex>; metadata by json.MarshalIndent with two
 * spaces, `kind` and `tags` omitted when empty (omitempty), created_at RFC 3339 nano; Pin
 * writes pins/<hex> holding time.RFC3339 (0644). Returns the digests in order.
 */
export function writeGoFileCas(dir: string, objects: GoCasObject[]): string[] {
  const spec = objects.map((o) => ({
    hex: hexOf(o.content),
    content: o.content.toString('base64'),
    kind: o.kind ?? 'application/octet-stream',
    tags: [...new Set((o.tags ?? []).filter((t) => t !== ''))].sort(),
    pinned: o.pinned === true,
    created_at: o.createdAt ?? goRfc3339Nano(new Date()),
    pinned_at: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  }));
  const script = `
import base64, json, os, sys
root = sys.argv[1]
for d in ("sha256", "pins", "tmp"):
    os.makedirs(os.path.join(root, d), mode=0o755, exist_ok=True)
for o in json.load(sys.stdin):
    tmp = os.path.join(root, "tmp", "cas-" + o["hex"][:8])
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.write(fd, base64.b64decode(o["content"]))
    os.close(fd)
    os.rename(tmp, os.path.join(root, "sha256", o["hex"]))
    meta = {"digest": "sha256:" + o["hex"], "size_bytes": len(base64.b64decode(o["content"]))}
    if o["kind"]:
        meta["kind"] = o["kind"]
    if o["tags"]:
        meta["tags"] = o["tags"]
    meta["created_at"] = o["created_at"]
    mtmp = os.path.join(root, "sha256", o["hex"] + ".json.tmp-1")
    fd = os.open(mtmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.write(fd, json.dumps(meta, indent=2).encode())
    os.close(fd)
    os.rename(mtmp, os.path.join(root, "sha256", o["hex"] + ".json"))
    if o["pinned"]:
        with open(os.path.join(root, "pins", o["hex"]), "w") as f:
            f.write(o["pinned_at"])
`;
  const r = spawnSync('python3', ['-c', script, dir], { input: JSON.stringify(spec), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python3 (Go file store) failed: ${r.stderr}`);
  return spec.map((o) => `sha256:${o.hex}`);
}
