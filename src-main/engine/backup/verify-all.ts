// `backup verify --all`: every archive and snapshot in the backups dir verified in one run, each
// recorded as `backup verify NAME` records it, the snapshots sharing one index, one reader and
// what earlier snapshots of the run already checked.
import { isFoxError, throwIfAborted } from '../errors.js';
import type { FoxConfig } from '../config/resolve.js';
import { listBackups } from './catalog.js';
import type { ProgressSink } from './create.js';
import { repoPaths } from './repo/layout.js';
import { snapshotRepoRoot } from './resolve-backup.js';
import type { BackupFormat, VerifyResult } from './types.js';
import { verifyArchive } from './verify.js';
import { recordOutcome, snapshotRecordFile } from './verify-record.js';
import { SnapshotVerifyRun, verifySnapshot, type SnapshotVerifyResult } from './verify-snapshot.js';

/** One backup's line in a verify --all. */
export interface VerifyAllItem {
  name: string;
  format: BackupFormat;
  path: string;
  /** ok / failed, or gone when it was deleted while the run went on (not a failure). */
  outcome: 'ok' | 'failed' | 'gone';
  /** Problems found (files and archive-level). */
  problems: number;
  /** The first of them. */
  first: string | null;
  files: number;
  databases_checked: number;
  /** Bytes re-assembled or read (a snapshot's files an earlier snapshot verified are not read again). */
  bytes: number;
  /** Snapshot files whose same content an earlier snapshot of the run verified. */
  reused_files: number;
  duration_ms: number;
}

/** What verify --all returns. */
export interface VerifyAllResult {
  ok: boolean;
  /** Backups verified (ok or failed; not the gone ones). */
  verified: number;
  passed: number;
  /** Names of the backups that failed, in the order verified (newest first). */
  failed: string[];
  backups: VerifyAllItem[];
  duration_ms: number;
}

/** The first problem of a verify, for the record and the summary line. */
export function firstProblem(v: VerifyResult): string | null {
  return v.archive_problems[0] ?? (v.problems[0] ? `${v.problems[0].path}: ${v.problems[0].status}${v.problems[0].detail ? ` (${v.problems[0].detail})` : ''}` : null);
}

/**
 * Verifies every backup in the backups dir, newest first: an archive as `backup verify` does, a
 * snapshot with every blob re-hashed and every file re-assembled — but a blob several snapshots
 * use is hashed once, and a file whose content an earlier snapshot of the run verified is not
 * read again. Each outcome is recorded as soon as it is known; a cancel (CANCELED) leaves the
 * records of the backups not finished as they were. `onBackup` hears of each as it finishes.
 */
export async function verifyAll(config: FoxConfig, sink: ProgressSink, opts: { onBackup?: (item: VerifyAllItem, done: number, total: number) => void } = {}): Promise<VerifyAllResult> {
  const started = Date.now();
  const backups = await listBackups(config, sink.signal);
  // Progress in the units each verify reports: an archive's compressed bytes, a snapshot's file bytes.
  const weightOf = (b: (typeof backups)[number]): number => Math.max(1, b.format === 'snapshot' ? b.referenced_bytes : b.size);
  const total = backups.reduce((a, b) => a + weightOf(b), 0);
  const result: VerifyAllResult = { ok: true, verified: 0, passed: 0, failed: [], backups: [], duration_ms: 0 };
  let base = 0;
  let run: SnapshotVerifyRun | undefined;
  try {
    for (const b of backups) {
      throwIfAborted(sink.signal, 'backup verify --all');
      const weight = weightOf(b);
      const inner: ProgressSink = {
        ...(sink.signal ? { signal: sink.signal } : {}),
        progress: (d, t, message) => sink.progress?.(base + (t !== null && t > 0 ? Math.min(1, d / t) : 0) * weight, total, `${b.name}${message ? `: ${message}` : ''}`),
      };
      inner.progress?.(0, 1);
      const t0 = Date.now();
      let v: VerifyResult | SnapshotVerifyResult;
      try {
        if (b.format === 'snapshot') {
          run ??= await SnapshotVerifyRun.open(repoPaths(snapshotRepoRoot(config)));
          v = await verifySnapshot(run.paths, b.name, inner, run);
        } else {
          v = await verifyArchive(b.name, b.path, inner);
        }
      } catch (err) {
        // Deleted since the list (a prune ran meanwhile): nothing to verify, and not a failure.
        if (!isFoxError(err, 'NOT_FOUND')) throw err;
        const gone: VerifyAllItem = { name: b.name, format: b.format, path: b.path, outcome: 'gone', problems: 0, first: err.message, files: 0, databases_checked: 0, bytes: 0, reused_files: 0, duration_ms: Date.now() - t0 };
        result.backups.push(gone);
        base += weight;
        opts.onBackup?.(gone, result.backups.length, backups.length);
        continue;
      }
      recordOutcome(b.path, v, b.format === 'snapshot' ? snapshotRecordFile(config.backupsDir, b.name) : undefined);
      const item: VerifyAllItem = {
        name: b.name,
        format: b.format,
        path: b.path,
        outcome: v.ok ? 'ok' : 'failed',
        problems: v.problems.length + v.archive_problems.length,
        first: firstProblem(v),
        files: v.files.length,
        databases_checked: v.databases_checked,
        bytes: v.bytes,
        reused_files: (v as Partial<SnapshotVerifyResult>).reused_files ?? 0,
        duration_ms: Date.now() - t0,
      };
      result.backups.push(item);
      result.verified++;
      if (v.ok) result.passed++;
      else result.failed.push(b.format === 'snapshot' && backups.some((o) => o.format === 'tar' && o.name === b.name) ? `snapshot:${b.name}` : b.name);
      base += weight;
      opts.onBackup?.(item, result.backups.length, backups.length);
    }
  } finally {
    await run?.close();
  }
  result.ok = result.failed.length === 0;
  result.duration_ms = Date.now() - started;
  sink.progress?.(total, total, `${result.passed} of ${result.verified} backups passed`);
  return result;
}
