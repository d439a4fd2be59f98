import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { assertSqliteFile, sqliteNativeBinding } from '../db/sqlite.js';
import { FoxError, toFoxError } from '../errors.js';
import type { CheckMode } from './types.js';

const requireHere = createRequire(import.meta.url);

// The worker is plain CommonJS evaluated from a string, so it runs the same from tsx, vitest,
// the esbuild bundle and Electron (better-sqlite3 is resolved here and its path passed in).
// snapshot: all pages are copied in ONE backup step, i.e. inside one read transaction: the copy
// is a consistent snapshot that includes committed pages still in the -wal, and (in WAL mode)
// writers keep writing meanwhile. A multi-step backup restarts whenever another connection
// writes, and under steady writers would never finish. backup_step reports a lock it could not
// get as "0 pages to go" (better-sqlite3 then resolves and unlinks the copy), so the shared lock
// is taken first by a plain read, which waits through the busy timeout and fails with BUSY.
// check: quick_check / integrity_check of a staged snapshot and, for cas.db, a re-hash of every
// object from the snapshot, one object (or one chunk) in memory at a time.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const Database = require(workerData.module);
const open = (file, timeout) => new Database(file, { readonly: true, fileMustExist: true, timeout, ...(workerData.nativeBinding ? { nativeBinding: workerData.nativeBinding } : {}) });
const busy = () => Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });

async function snapshot({ src, dest, timeoutMs }) {
  const db = open(src, timeoutMs);
  try {
    db.prepare('SELECT count(*) FROM sqlite_schema').get();
    const p = await db.backup(dest, { progress: () => 0x7fffffff });
    if (!p || !(p.totalPages > 0)) throw busy();
  } finally {
    db.close();
  }
  return {};
}

const MAX_LISTED = 100;
const MMAP_BYTES = 1 << 30;
function casScan(db, problems) {
  const has = (t) => !!db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?").get(t);
  if (!has('cas_objects')) return 0;
  const chunked = has('studio_cas_blobs') && has('studio_cas_chunks');
  const next = db.prepare('SELECT digest, size, content FROM cas_objects WHERE digest > ? ORDER BY digest LIMIT 1');
  const blobOf = chunked ? db.prepare('SELECT blob_id FROM studio_cas_blobs WHERE digest = ?').pluck() : null;
  const chunkOf = chunked ? db.prepare('SELECT data FROM studio_cas_chunks WHERE blob_id = ? AND seq = ?').pluck() : null;
  let last = '';
  let objects = 0;
  let unlisted = 0;
  for (;;) {
    const row = next.get(last);
    if (!row) break;
    last = row.digest;
    objects++;
    const h = createHash('sha256');
    let size = 0;
    const blobId = blobOf ? blobOf.get(row.digest) : undefined;
    if (blobId !== undefined) {
      for (let seq = 0; ; seq++) {
        const data = chunkOf.get(blobId, seq);
        if (data === undefined) break;
        h.update(data);
        size += data.length;
      }
    } else if (row.content !== null && row.content !== undefined) {
      const b = Buffer.isBuffer(row.content) ? row.content : Buffer.from(String(row.content));
      h.update(b);
      size = b.length;
    }
    const actual = h.digest('hex');
    const named = String(row.digest).toLowerCase().replace(/^sha256:/, '');
    let detail = null;
    if (actual !== named) detail = 'its bytes hash to sha256:' + actual + (size !== row.size ? ' (' + size + ' bytes, cas_objects says ' + row.size + ')' : '');
    else if (size !== row.size) detail = 'it holds ' + size + ' bytes, cas_objects says ' + row.size;
    if (detail === null) continue;
    if (problems.length < MAX_LISTED) problems.push({ kind: 'cas_object', digest: String(row.digest), detail });
    else unlisted++;
  }
  if (unlisted > 0) problems.push({ kind: 'cas_object', detail: unlisted + ' more objects do not match their digest (not listed)' });
  return objects;
}

function check({ file, mode, cas }) {
  const pragma = mode === 'full' ? 'integrity_check' : 'quick_check';
  const problems = [];
  let db;
  try {
    db = open(file, 5000);
    // The file is a private copy (a staged snapshot, a restore's temp) that nobody else writes or
    // truncates: read through a mapping, the check costs page faults instead of a pread per page
    // (a restore of 250 MB of stores made 147,000 of them).
    db.pragma('mmap_size = ' + MMAP_BYTES);
    const rows = db.prepare('PRAGMA ' + pragma + '(20)').pluck().all().map(String);
    if (!(rows.length === 1 && rows[0] === 'ok')) problems.push({ kind: 'store', detail: 'PRAGMA ' + pragma + ': ' + rows.slice(0, 5).join('; ') + (rows.length > 5 ? ' (and more)' : '') });
  } catch (err) {
    problems.push({ kind: 'store', detail: 'PRAGMA ' + pragma + ': ' + String(err && err.message || err) });
  }
  let objects = 0;
  try {
    if (cas && db) objects = casScan(db, problems);
  } catch (err) {
    problems.push({ kind: 'store', detail: 'reading cas_objects: ' + String(err && err.message || err) });
  }
  try { if (db) db.close(); } catch {}
  return { problems, objects };
}

parentPort.on('message', async (msg) => {
  try {
    const value = msg.op === 'check' ? check(msg) : await snapshot(msg);
    parentPort.postMessage({ id: msg.id, ok: true, value });
  } catch (err) {
    parentPort.postMessage({ id: msg.id, ok: false, code: err && err.code, message: String(err && err.message || err) });
  }
});
`;

/** What the check of one snapshot found (entry path and store are the caller's to add). */
export interface SnapshotCheck {
  problems: { kind: 'store' | 'cas_object'; digest?: string; detail: string }[];
  /** CAS objects re-hashed (0 for other stores). */
  objects: number;
}

interface Reply {
  id: number;
  ok: boolean;
  value?: unknown;
  code?: string;
  message?: string;
}

interface Waiting {
  resolve(value: unknown): void;
  reject(err: unknown): void;
  error(r: Reply): FoxError;
}

/** Whether a native error code means another connection holds a lock we waited for in vain. */
function isLockError(code: string | undefined): boolean {
  return code !== undefined && /^SQLITE_(BUSY|LOCKED)/.test(code);
}

/**
 * Takes SQLite snapshots through the online backup API on a worker thread, one after another,
 * and checks staged snapshots there too, so the caller's event loop (the app's main process, the
 * gzip pipeline) keeps running while a large database is copied or checked. Jobs run in the
 * order they are queued: queue every snapshot before any check to keep the snapshots close
 * together in time.
 */
export class SnapshotWorker {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, Waiting>();
  private next = 0;
  private failed: unknown;

  constructor() {
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { module: requireHere.resolve('better-sqlite3'), nativeBinding: sqliteNativeBinding() } });
    this.worker.on('message', (r: Reply) => {
      const w = this.waiting.get(r.id);
      if (!w) return;
      this.waiting.delete(r.id);
      if (r.ok) w.resolve(r.value);
      else w.reject(w.error(r));
    });
    const failAll = (err: unknown): void => {
      this.failed = err;
      for (const w of this.waiting.values()) w.reject(err);
      this.waiting.clear();
    };
    this.worker.on('error', (err) => failAll(toFoxError(err, 'the snapshot worker')));
    this.worker.on('exit', () => failAll(new FoxError('CANCELED', 'the snapshot worker stopped')));
  }

  private post<T>(msg: Record<string, unknown>, error: (r: Reply) => FoxError): Promise<T> {
    if (this.failed !== undefined) return Promise.reject(this.failed);
    const id = this.next++;
    const p = new Promise<T>((resolve, reject) => this.waiting.set(id, { resolve: (v) => resolve(v as T), reject, error }));
    this.worker.postMessage({ ...msg, id });
    return p;
  }

  /**
   * Snapshots `src` into the new file `dest`; queued behind earlier jobs. `name` is what errors
   * call it (`store MEMORY`). A lock held past `timeoutMs` rejects with UNAVAILABLE
   * "<name> is locked by another process (...)".
   */
  snapshot(src: string, dest: string, name: string, timeoutMs = 5000): Promise<void> {
    // Checked here, before the worker opens it, for the clear errors of assertSqliteFile (a
    // lock taken since the plan was made is UNAVAILABLE here); they reject, never throw.
    try {
      if (!assertSqliteFile(src, name)) return Promise.reject(new FoxError('NOT_FOUND', `${src} disappeared before it could be backed up`, { subject: name }));
    } catch (err) {
      return Promise.reject(err);
    }
    return this.post<void>({ op: 'snapshot', src, dest, timeoutMs }, (r) => {
      const native = Object.assign(new Error(r.message ?? 'snapshot failed'), { code: r.code });
      if (isLockError(r.code)) {
        return new FoxError('UNAVAILABLE', `${name} is locked by another process (${src}: ${r.message ?? 'database is locked'}; gave up after waiting ${timeoutMs} ms)`, { subject: name, cause: native });
      }
      return toFoxError(native, name === src ? src : `${name} (${src})`);
    });
  }

  /** Checks a staged snapshot (`PRAGMA quick_check` or `integrity_check`; `cas`: re-hash cas_objects). Never rejects for what it finds. */
  check(file: string, mode: CheckMode, cas: boolean): Promise<SnapshotCheck> {
    return this.post<SnapshotCheck>({ op: 'check', file, mode, cas }, (r) => toFoxError(Object.assign(new Error(r.message ?? 'check failed'), { code: r.code }), `check of ${file}`));
  }

  /** Stops the worker (a snapshot in progress is abandoned; its temp file is the caller's to remove). */
  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
