import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { assertSqliteFile, sqliteNativeBinding } from '../db/sqlite.js';
import { FoxError, toFoxError } from '../errors.js';

const requireHere = createRequire(import.meta.url);

// The worker is plain CommonJS evaluated from a string, so it runs the same from tsx, vitest,
// the esbuild bundle and Electron (better-sqlite3 is resolved here and its path passed in).
// All pages are copied in ONE backup step, i.e. inside one read transaction: the copy is a
// consistent snapshot that includes committed pages still in the -wal, and (in WAL mode) writers
// keep writing meanwhile. A multi-step backup restarts whenever another connection writes, and
// under steady writers would never finish.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
parentPort.on('message', async ({ id, src, dest }) => {
  let db;
  try {
    db = new Database(src, { readonly: true, fileMustExist: true, timeout: 5000, ...(workerData.nativeBinding ? { nativeBinding: workerData.nativeBinding } : {}) });
    await db.backup(dest, { progress: () => 0x7fffffff });
    db.close();
    parentPort.postMessage({ id, ok: true });
  } catch (err) {
    try { if (db) db.close(); } catch {}
    parentPort.postMessage({ id, ok: false, code: err && err.code, message: String(err && err.message || err) });
  }
});
`;

interface Reply {
  id: number;
  ok: boolean;
  code?: string;
  message?: string;
}

/**
 * Takes SQLite snapshots through the online backup API on a worker thread, one after another,
 * so the caller's event loop (the app's main process, the gzip pipeline) keeps running while
 * a large database is copied. Each snapshot is a single-step backup from a read-only connection.
 */
export class SnapshotWorker {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve(): void; reject(err: unknown): void; subject: string }>();
  private next = 0;
  private failed: unknown;

  constructor() {
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { module: requireHere.resolve('better-sqlite3'), nativeBinding: sqliteNativeBinding() } });
    this.worker.on('message', (r: Reply) => {
      const w = this.waiting.get(r.id);
      if (!w) return;
      this.waiting.delete(r.id);
      if (r.ok) w.resolve();
      else w.reject(toFoxError(Object.assign(new Error(r.message ?? 'snapshot failed'), { code: r.code }), w.subject));
    });
    const failAll = (err: unknown): void => {
      this.failed = err;
      for (const w of this.waiting.values()) w.reject(err);
      this.waiting.clear();
    };
    this.worker.on('error', (err) => failAll(toFoxError(err, 'the snapshot worker')));
    this.worker.on('exit', () => failAll(new FoxError('CANCELED', 'the snapshot worker stopped')));
  }

  /** Snapshots `src` into the new file `dest`; queued behind earlier snapshots. */
  snapshot(src: string, dest: string, subject: string): Promise<void> {
    // Checked here, before SQLite touches the file, for the clear error of assertSqliteFile.
    if (!assertSqliteFile(src, subject)) return Promise.reject(new FoxError('NOT_FOUND', `${src} disappeared before it could be backed up`, { subject }));
    if (this.failed !== undefined) return Promise.reject(this.failed);
    const id = this.next++;
    const p = new Promise<void>((resolve, reject) => this.waiting.set(id, { resolve, reject, subject }));
    this.worker.postMessage({ id, src, dest });
    return p;
  }

  /** Stops the worker (a snapshot in progress is abandoned; its temp file is the caller's to remove). */
  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
