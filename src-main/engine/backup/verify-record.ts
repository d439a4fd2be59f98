import fs from 'node:fs';
import path from 'node:path';
import { toFoxError } from '../errors.js';
import { fsyncDir } from './fs-util.js';

/** The last verify of one archive, valid while the archive's size, mtime and inode are unchanged. */
interface VerifyRecord {
  size: number;
  mtimeMs: number;
  ino: number;
  at: string;
  ok: boolean;
  /** How many problems it found (files and archive-level). */
  problems: number;
  /** The first of them, for a tooltip. */
  first: string | null;
}

/** The manifest cache dir beside the archives (ours; list skips dot-names). */
export const CACHE_DIR = '.manifests';

function recordFile(archive: string): string {
  return path.join(path.dirname(archive), CACHE_DIR, `${path.basename(archive)}.verify.json`);
}

/**
 * Records what a verify of `archive` found, so list can say "verified" and retention can stop
 * counting a backup that failed. Written crash-safe (temp, fsync, rename, fsync dir): a torn
 * record must never read as a pass. A failure to write is thrown: the caller decides.
 */
export function recordVerify(archive: string, outcome: { ok: boolean; problems: number; first: string | null }, at: Date = new Date(), file: string = recordFile(archive)): void {
  const st = fs.statSync(archive);
  const rec: VerifyRecord = { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino, at: at.toISOString(), ...outcome };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    fs.writeSync(fd, JSON.stringify(rec));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  fsyncDir(path.dirname(file));
}

/** The last verify of this very archive file, or null (never verified, or the file changed since). */
export function readVerify(archive: string, st: fs.Stats, file: string = recordFile(archive)): { at: string; ok: boolean } | null {
  try {
    const rec = JSON.parse(fs.readFileSync(file, 'utf8')) as VerifyRecord;
    if (rec.size !== st.size || rec.mtimeMs !== st.mtimeMs || rec.ino !== st.ino || typeof rec.ok !== 'boolean' || typeof rec.at !== 'string') return null;
    return { at: rec.at, ok: rec.ok };
  } catch {
    return null;
  }
}

/** Removes the verify record of a deleted archive. */
export function forgetVerify(archive: string, file: string = recordFile(archive)): void {
  fs.rmSync(file, { force: true });
}

/**
 * Where the verify record of a snapshot lives: beside the archives' records, not inside the
 * repository (whose files are all the format's own, pushed as they are).
 */
export function snapshotRecordFile(backupsDir: string, name: string): string {
  return path.join(backupsDir, CACHE_DIR, `snapshot_${name}.verify.json`);
}

/**
 * Records a verify's outcome (recordVerify) as `backup verify` and `verify --all` do: a pass that
 * cannot be recorded only costs a "Verified" badge, but a failure that cannot be recorded would
 * let retention count a bad backup as clean, so that one is thrown.
 */
export function recordOutcome(backup: string, v: { ok: boolean; problems: unknown[]; archive_problems: string[] }, file?: string, first: string | null = firstOf(v)): void {
  try {
    recordVerify(backup, { ok: v.ok, problems: v.problems.length + v.archive_problems.length, first }, new Date(), file);
  } catch (err) {
    if (!v.ok) throw toFoxError(err, `recording the failed verify of ${backup}`);
  }
}

function firstOf(v: { problems: unknown[]; archive_problems: string[] }): string | null {
  const p = v.problems[0] as { path: string; status: string } | undefined;
  return v.archive_problems[0] ?? (p ? `${p.path}: ${p.status}` : null);
}
