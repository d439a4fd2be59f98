import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isFoxError, throwIfAborted, type FoxError } from '../errors.js';
import type { ProgressSink } from './create.js';
import { makeStagingDir } from './fs-util.js';
import { fileSlices } from './repo/assemble-file.js';
import { parseList } from './repo/file-blobs.js';
import { loadIndex, type RepoIndex } from './repo/index-file.js';
import { packPath, type RepoPaths } from './repo/layout.js';
import { ParallelBlobReader } from './repo/parallel-reader.js';
import { listSnapshotNames, readSnapshot, type Snapshot, type SnapshotEntry } from './repo/snapshot-file.js';
import type { VerifyFile, VerifyResult } from './types.js';
import { integrityOf } from './verify.js';

/** A blob a verify found bad or missing, and every snapshot file that uses it. */
export interface BadBlob {
  blob: string;
  /** The pack the index puts it in (absent when no index names it). */
  pack?: string;
  detail: string;
  used_by: { snapshot: string; path: string }[];
}

/** What a snapshot verify returns: an archive's verify result plus the bad blobs by name. */
export interface SnapshotVerifyResult extends VerifyResult {
  format: 'snapshot';
  bad_blobs: BadBlob[];
  /** Files whose same content an earlier snapshot of this run (verify --all) already verified. */
  reused_files?: number;
}

/** What one file's check found: its bytes, their SHA-256, and the blobs that failed. */
interface FileCheck {
  size: number;
  sha: string;
  failed: string[];
}

/** Reads one file's blobs in order (each re-hashed, once per run, by the reader); collects the ids that fail. */
async function checkFile(reader: ParallelBlobReader, f: SnapshotEntry, bad: Map<string, BadBlob>, out: fs.WriteStream | null, signal?: AbortSignal): Promise<FileCheck> {
  const whole = crypto.createHash('sha256');
  const failed: string[] = [];
  let size = 0;
  const onBad = (id: string, err: FoxError): void => {
    failed.push(id);
    if (!bad.has(id)) bad.set(id, { blob: id, detail: err.message, used_by: [] });
  };
  for await (const b of fileSlices(reader, f, { onBad, ...(signal ? { signal } : {}) })) {
    whole.update(b);
    size += b.length;
    if (out && failed.length === 0 && !out.write(b)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  return { size, sha: whole.digest('hex'), failed };
}

/** A file's outcome, kept for the rest of a run: another snapshot naming the same content gets it without a read. */
interface KnownFile {
  status: VerifyFile['status'];
  detail?: string;
  bytes: number;
  /** The bad blobs behind a failure (listed again in each snapshot that uses them). */
  bad: BadBlob[];
  database: boolean;
}

/**
 * What the verifies of several snapshots in one run share (backup verify --all): one index, one
 * reader — whose set of blobs already re-hashed means a blob that several snapshots use is hashed
 * once — and the outcome of every file already checked, by content (kind, size, SHA-256 and list
 * blobs), so a file no snapshot changed is re-assembled and integrity-checked once.
 */
export class SnapshotVerifyRun {
  private constructor(
    readonly paths: RepoPaths,
    readonly index: RepoIndex | null,
    /** Why the index could not be read (every snapshot then fails with it). */
    readonly indexProblem: string | null,
    readonly reader: ParallelBlobReader | null,
    readonly files: Map<string, KnownFile>,
  ) {}

  /** Loads the repository's index once; a damaged one is reported by each verify, not thrown. */
  static async open(paths: RepoPaths, opts: { shareFiles?: boolean } = {}): Promise<SnapshotVerifyRun> {
    let index: RepoIndex;
    try {
      index = await loadIndex(paths);
    } catch (err) {
      if (!isFoxError(err) || err.code === 'NOT_FOUND') throw err;
      return new SnapshotVerifyRun(paths, null, err.message, null, new Map());
    }
    const run = new SnapshotVerifyRun(paths, index, null, new ParallelBlobReader(paths, index, { verified: new Set() }), new Map());
    run.shareFiles = opts.shareFiles !== false;
    return run;
  }

  /** Whether file outcomes are shared (off for a verify of one snapshot: nothing to share with). */
  shareFiles = false;

  /** Stops the reader's workers. */
  async close(): Promise<void> {
    await this.reader?.close();
  }
}

/** The key under which a file's outcome is shared within a run. */
function contentKey(f: SnapshotEntry): string {
  return `${f.kind}:${f.size}:${f.sha256}:${f.content.join(',')}`;
}

/** Every file of every snapshot that uses one of `ids` (reads list blobs only; runs only when something is bad). */
async function usersOf(paths: RepoPaths, reader: ParallelBlobReader, bad: Map<string, BadBlob>): Promise<void> {
  for (const name of await listSnapshotNames(paths)) {
    let snap: Snapshot;
    try {
      snap = await readSnapshot(paths, name);
    } catch {
      continue; // A damaged snapshot file is its own problem, listed by backup list.
    }
    for (const f of snap.files) {
      const use = { snapshot: name, path: f.path };
      const add = (id: string): void => {
        const b = bad.get(id);
        if (b && !b.used_by.some((u) => u.snapshot === name && u.path === f.path)) b.used_by.push(use);
      };
      for (const listId of f.content) {
        add(listId);
        if (bad.has(listId)) continue;
        try {
          for (const id of parseList(await reader.read(listId), listId)) add(id);
        } catch {
          // An unreadable list blob of another snapshot: that snapshot's own verify names it.
        }
      }
    }
  }
}

/**
 * Verifies one snapshot without touching live files: every list and data blob it names is read
 * and re-hashed against its id, each file re-assembled and compared with its size and SHA-256,
 * and each database written to a private temp file and run through `PRAGMA integrity_check`. A
 * bad blob is named with its pack and with every snapshot and file that uses it. With `shared`
 * (verify --all), what an earlier snapshot of the run checked is not checked again.
 */
export async function verifySnapshot(paths: RepoPaths, name: string, sink: ProgressSink, shared?: SnapshotVerifyRun): Promise<SnapshotVerifyResult> {
  const started = Date.now();
  const result: SnapshotVerifyResult = { name, format: 'snapshot', path: path.join(paths.snapshots, `${name}.json`), ok: false, files: [], problems: [], warnings: [], archive_problems: [], databases_checked: 0, bytes: 0, duration_ms: 0, bad_blobs: [], reused_files: 0 };
  let snap: Snapshot;
  try {
    snap = await readSnapshot(paths, name);
  } catch (err) {
    if (!isFoxError(err) || err.code === 'NOT_FOUND') throw err;
    result.archive_problems.push(err.message);
    result.duration_ms = Date.now() - started;
    return result;
  }
  const run = shared ?? (await SnapshotVerifyRun.open(paths, { shareFiles: false }));
  try {
    if (run.indexProblem !== null || !run.reader || !run.index) {
      result.archive_problems.push(run.indexProblem ?? 'the repository index could not be read');
      return result;
    }
    await checkSnapshot(run, run.reader, run.index, snap, result, sink);
  } finally {
    if (!shared) await run.close();
    result.problems = result.files.filter((f) => f.status !== 'ok');
    result.ok = result.problems.length === 0 && result.archive_problems.length === 0;
    result.duration_ms = Date.now() - started;
  }
  return result;
}

/** The file-by-file part of verifySnapshot. */
async function checkSnapshot(run: SnapshotVerifyRun, reader: ParallelBlobReader, index: RepoIndex, snap: Snapshot, result: SnapshotVerifyResult, sink: ProgressSink): Promise<void> {
  const { paths } = run;
  const total = snap.stats.bytes;
  let done = 0;
  const staging = makeStagingDir(os.tmpdir(), 'verify');
  const bad = new Map<string, BadBlob>();
  try {
    for (const f of snap.files) {
      throwIfAborted(sink.signal, 'backup verify');
      sink.progress?.(done, total, f.path);
      const base: VerifyFile = { path: f.path, component: f.component as VerifyFile['component'], size: f.size, status: 'ok' };
      const key = contentKey(f);
      const known = run.shareFiles ? run.files.get(key) : undefined;
      if (known) {
        base.status = known.status;
        if (known.detail !== undefined) base.detail = known.detail;
        for (const b of known.bad) if (!bad.has(b.blob)) bad.set(b.blob, { blob: b.blob, detail: b.detail, used_by: [] });
        if (known.database) result.databases_checked++;
        result.reused_files = (result.reused_files ?? 0) + 1;
        result.files.push(base);
        done += f.size;
        continue;
      }
      const tmp = f.kind === 'sqlite' ? path.join(staging, `${result.files.length}.db`) : null;
      const out = tmp ? fs.createWriteStream(tmp, { mode: 0o600 }) : null;
      let got: FileCheck;
      try {
        got = await checkFile(reader, f, bad, out, sink.signal);
      } finally {
        if (out) await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
      }
      result.bytes += got.size;
      done += f.size;
      let database = false;
      if (got.failed.length > 0) {
        const first = bad.get(got.failed[0]!)!;
        base.status = 'checksum_mismatch';
        base.detail = `${got.failed.length} bad blob${got.failed.length === 1 ? '' : 's'}: ${first.detail}`;
      } else if (got.size !== f.size) {
        base.status = 'size_mismatch';
        base.detail = `its blobs make ${got.size} bytes, the snapshot says ${f.size}`;
      } else if (got.sha !== f.sha256) {
        base.status = 'checksum_mismatch';
        base.detail = `its blobs make SHA-256 ${got.sha}, the snapshot says ${f.sha256}`;
      } else if (tmp) {
        sink.progress?.(done, total, `integrity_check ${f.path}`);
        result.databases_checked++;
        database = true;
        const res = integrityOf(tmp);
        if (res !== 'ok') {
          base.status = 'integrity_failed';
          base.detail = `PRAGMA integrity_check: ${res}`;
        }
      }
      if (tmp) fs.rmSync(tmp, { force: true });
      result.files.push(base);
      if (run.shareFiles) {
        const k: KnownFile = { status: base.status, bytes: got.size, bad: got.failed.map((id) => bad.get(id)!).filter(Boolean), database };
        if (base.detail !== undefined) k.detail = base.detail;
        run.files.set(key, k);
      }
    }
    if (bad.size > 0) {
      for (const b of bad.values()) {
        const loc = index.blobs.get(b.blob);
        if (loc) b.pack = loc.pack;
      }
      await usersOf(paths, reader, bad);
      result.bad_blobs = [...bad.values()].map((b) => (b.pack ? { ...b, detail: `${b.detail} (${packPath(paths, b.pack)})` } : b));
    }
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}
