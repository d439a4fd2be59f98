import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isFoxError, throwIfAborted, toFoxError } from '../errors.js';
import type { ProgressSink } from './create.js';
import { makeStagingDir } from './fs-util.js';
import { BlobReader } from './repo/blob-reader.js';
import { parseList } from './repo/file-blobs.js';
import { loadIndex, type RepoIndex } from './repo/index-file.js';
import { packPath, type RepoPaths } from './repo/layout.js';
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
}

/** Reads one file's blobs in order (each re-hashed by the reader); collects the ids that fail. */
async function checkFile(reader: BlobReader, f: SnapshotEntry, bad: Map<string, BadBlob>, out: fs.WriteStream | null, signal?: AbortSignal): Promise<{ size: number; sha: string; failed: string[] }> {
  const whole = crypto.createHash('sha256');
  const failed: string[] = [];
  let size = 0;
  const fail = (id: string, err: unknown): void => {
    failed.push(id);
    if (!bad.has(id)) bad.set(id, { blob: id, detail: toFoxError(err).message, used_by: [] });
  };
  for (const listId of f.content) {
    let ids: string[];
    try {
      ids = parseList(await reader.read(listId), listId);
    } catch (err) {
      if (!isFoxError(err)) throw err;
      fail(listId, err);
      continue;
    }
    for (const id of ids) {
      throwIfAborted(signal, 'backup verify');
      try {
        const b = await reader.read(id);
        whole.update(b);
        size += b.length;
        if (out && failed.length === 0 && !out.write(b)) await new Promise<void>((r) => out.once('drain', () => r()));
      } catch (err) {
        if (!isFoxError(err)) throw err;
        fail(id, err);
      }
    }
  }
  return { size, sha: whole.digest('hex'), failed };
}

/** Every file of every snapshot that uses one of `ids` (reads list blobs only; runs only when something is bad). */
async function usersOf(paths: RepoPaths, reader: BlobReader, bad: Map<string, BadBlob>): Promise<void> {
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
 * bad blob is named with its pack and with every snapshot and file that uses it.
 */
export async function verifySnapshot(paths: RepoPaths, name: string, sink: ProgressSink): Promise<SnapshotVerifyResult> {
  const started = Date.now();
  const result: SnapshotVerifyResult = { name, format: 'snapshot', path: path.join(paths.snapshots, `${name}.json`), ok: false, files: [], problems: [], warnings: [], archive_problems: [], databases_checked: 0, bytes: 0, duration_ms: 0, bad_blobs: [] };
  let snap: Snapshot;
  let index: RepoIndex;
  try {
    snap = await readSnapshot(paths, name);
    index = await loadIndex(paths);
  } catch (err) {
    if (!isFoxError(err) || err.code === 'NOT_FOUND') throw err;
    result.archive_problems.push(err.message);
    result.duration_ms = Date.now() - started;
    return result;
  }
  const total = snap.stats.bytes;
  const staging = makeStagingDir(os.tmpdir(), 'verify');
  const reader = new BlobReader(paths, index);
  const bad = new Map<string, BadBlob>();
  try {
    for (const f of snap.files) {
      throwIfAborted(sink.signal, 'backup verify');
      sink.progress?.(result.bytes, total, f.path);
      const tmp = f.kind === 'sqlite' ? path.join(staging, `${result.files.length}.db`) : null;
      const out = tmp ? fs.createWriteStream(tmp, { mode: 0o600 }) : null;
      let got: { size: number; sha: string; failed: string[] };
      try {
        got = await checkFile(reader, f, bad, out, sink.signal);
      } finally {
        if (out) await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
      }
      result.bytes += got.size;
      const base: VerifyFile = { path: f.path, component: f.component as VerifyFile['component'], size: f.size, status: 'ok' };
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
        sink.progress?.(result.bytes, total, `integrity_check ${f.path}`);
        result.databases_checked++;
        const res = integrityOf(tmp);
        if (res !== 'ok') {
          base.status = 'integrity_failed';
          base.detail = `PRAGMA integrity_check: ${res}`;
        }
      }
      if (tmp) fs.rmSync(tmp, { force: true });
      result.files.push(base);
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
    await reader.close();
    fs.rmSync(staging, { recursive: true, force: true });
  }
  result.problems = result.files.filter((f) => f.status !== 'ok');
  result.ok = result.problems.length === 0 && result.archive_problems.length === 0;
  result.duration_ms = Date.now() - started;
  return result;
}
