import type { OpOptions } from '../errors.js';

/** The components of a backup, as the Go foxctl names them. */
export const COMPONENTS = ['databases', 'cas', 'memory', 'sessions', 'jobs', 'observability'] as const;

/** One of COMPONENTS. */
export type Component = (typeof COMPONENTS)[number];

/** One file of a backup, as recorded in manifest.json (Go field names; `store` is our addition). */
export interface ManifestFile {
  /** Entry path inside the archive, relative to the home (`storage/memory.db`). */
  path: string;
  /** Absolute path the file had when it was backed up. */
  original_path: string;
  size: number;
  /** RFC 3339 modification time of the source. */
  mod_time: string;
  /** SHA-256 of the entry's bytes, lower-case hex. */
  checksum: string;
  component: Component;
  /** The registry store of a database (`MEMORY`, `REPOINDEX`), when it is one. Not written by Go. */
  store?: string;
}

/** A store the backup left out, and why (our addition to the manifest). */
export interface SkippedStore {
  store: string;
  class: string;
  file: string;
  reason: string;
}

/** manifest.json, the archive's last entry (FORMATS.md; Go field names). */
export interface Manifest {
  version: string;
  created_at: string;
  /** Written by the Go tool; we write our own name and version there. */
  agentctl_version?: string;
  /** The same field in newer Go builds (FoxctlVersion, internal/storage/backup/service.go at 39ea5c6). */
  foxctl_version?: string;
  components: Component[];
  files: ManifestFile[];
  stats: { total_files: number; total_size: number; compressed_size: number; database_count: number };
  /** Stores left out by the class policy (absent in Go archives). */
  skipped_stores?: SkippedStore[];
  /** How create checked each store (absent in Go archives and older Studio archives). */
  check?: CheckMode;
  /** What create's checks concluded (our addition; the Go reader ignores unknown fields). */
  status?: BackupStatus;
  /** What create's checks found, one per store or object (our addition). */
  problems?: BackupProblem[];
}

/** How create checks each snapshot: `PRAGMA quick_check` (default) or `PRAGMA integrity_check`. */
export type CheckMode = 'quick' | 'full';

/** Create's verdict: every store and object checked out, or the archive holds named problems. */
export type BackupStatus = 'ok' | 'completed_with_problems';

/**
 * What a problem concerns: a store whose snapshot fails its check (`store`), a store that could
 * not be read at all and is missing from the archive (`store_unavailable`), a CAS object whose
 * bytes do not hash to its name (`cas_object`).
 */
export type BackupProblemKind = 'store' | 'store_unavailable' | 'cas_object';

/** One thing create found wrong, named so a user can act on it. */
export interface BackupProblem {
  kind: BackupProblemKind;
  store?: string;
  /** Entry path (`storage/memory.db`, `cas/sha256/<hex>`). */
  path: string;
  /** `sha256:<hex>` of a CAS object. */
  digest?: string;
  /** SQLite's first messages, or what the bytes hash to. */
  detail: string;
}

/**
 * How a backup is stored: `tar`, one Go-format `backup_<name>.tar.gz` (the Go foxctl reads it);
 * `snapshot`, a snapshot in the deduplicated repository `<backups>/repository` (only new pages
 * and chunks are stored).
 */
export type BackupFormat = 'tar' | 'snapshot';

/** The formats create accepts, for checking input. */
export const BACKUP_FORMATS: readonly BackupFormat[] = ['tar', 'snapshot'];

/** Options of create. */
export interface CreateBackupOptions extends OpOptions {
  /** `snapshot` (default: only what changed is stored) or `tar` (the Go foxctl's archive). */
  format?: BackupFormat;
  /** Backup name (default: local time `YYYY-MM-DD_HHMMSS`). */
  name?: string;
  /** Components to include (default: all). */
  components?: string[];
  /** Components to leave out. */
  exclude?: string[];
  /** Write the archive here instead of `<backups>/backup_<name>.tar.gz`. */
  output?: string;
  /** Include local_only stores too (they are rebuildable or device-local). */
  includeLocalOnly?: boolean;
  /** `quick` (default): PRAGMA quick_check of each snapshot; `full`: PRAGMA integrity_check. */
  check?: CheckMode;
  /** Write nothing when any check finds a problem (CORRUPT, or UNAVAILABLE for locked stores only). */
  strict?: boolean;
}

/** What create returns. */
export interface CreateBackupResult {
  name: string;
  format: BackupFormat;
  /** The archive, or the snapshot file in the repository. */
  path: string;
  /** Compressed bytes this backup added to disk (a whole archive; a snapshot's new packs only). */
  added_bytes: number;
  /** Uncompressed bytes of every file the backup holds (new or shared with earlier snapshots). */
  referenced_bytes: number;
  created_at: string;
  components: Component[];
  files: number;
  total_size: number;
  compressed_size: number;
  database_count: number;
  stores: string[];
  skipped_stores: SkippedStore[];
  /** Files that vanished or could not be read while the backup ran (the backup is still whole). */
  warnings: string[];
  /** `completed_with_problems` when a check failed or a store could not be read: see problems. */
  status: BackupStatus;
  problems: BackupProblem[];
  check: CheckMode;
  duration_ms: number;
  /** A snapshot's own figures: new blobs, files named again unread, bytes shared with earlier snapshots. */
  snapshot_stats?: { files: number; bytes: number; new_blobs: number; new_bytes: number; new_stored_bytes: number; reused_bytes: number; unchanged_files: number };
}

/** One backup as listed. */
export interface BackupSummary {
  name: string;
  format: BackupFormat;
  /** Archive file name (`backup_<name>.tar.gz`), or the snapshot's file in the repository (`snapshots/<name>.json`). */
  file: string;
  path: string;
  created_at: string;
  /** Bytes on disk it alone accounts for: the archive's size, or the compressed bytes a snapshot added. */
  size: number;
  /** Compressed bytes it added (equal to size). */
  added_bytes: number;
  /** Uncompressed bytes of every file it holds (for a snapshot, shared with others or not). */
  referenced_bytes: number;
  components: Component[];
  stores: string[];
  /** Stores with data that the class policy left out (names; empty for Go archives). */
  skipped_stores: string[];
  files: number;
  total_size: number;
  /** Written by the Go foxctl (no `store` fields, raw .db copies). */
  go_format: boolean;
  /** Why the archive cannot be read (truncated, no manifest); absent when it reads. */
  problem?: string;
  /**
   * `ok` / `completed_with_problems` as create recorded it; `unchecked` when the archive records
   * no check (Go archives, older Studio ones); `damaged` when the archive cannot be read.
   */
  status: BackupStatus | 'unchecked' | 'damaged';
  /** What create's checks found (empty unless completed_with_problems). */
  problems: BackupProblem[];
  /** The last `backup verify` of this very file, or null when never verified. */
  verified: { at: string; ok: boolean } | null;
  /**
   * Created with status ok (or unchecked and verified ok), readable, and no later verify found a
   * problem: only clean backups count toward retention, and the newest one is never pruned.
   */
  clean: boolean;
}

/** What a restore would do with one file. */
export type RestoreAction = 'would-create' | 'would-replace' | 'would-skip' | 'created' | 'replaced' | 'skipped';

/** One file of a restore plan or result. */
export interface RestoreFile {
  path: string;
  destination: string;
  component: Component;
  store?: string;
  size: number;
  action: RestoreAction;
  /** Why a file is skipped. */
  reason?: string;
  /** Who else has this live database open (a dry run says so before the restore refuses it). */
  in_use?: string;
  /** The store lives on a server (postgres, turso, libsql): the restore writes it back through that driver, not to `destination`. */
  through?: string;
  /**
   * A dry run with `countRows`: the rows of every table of this database together, now (null: no
   * live copy, or on a server) and in the backup (null: it could not be read).
   */
  rows?: { now: number | null; backup: number | null };
}

/** What info returns: the manifest and what a restore (without force) would do. */
export interface BackupInfo extends BackupSummary {
  manifest: Manifest;
  restore_plan: RestoreFile[];
}

/** Options of restore. */
export interface RestoreOptions extends OpOptions {
  components?: string[];
  /** Restore only the databases of these stores. */
  stores?: string[];
  /** Replace existing files (after a safety backup of them). */
  force?: boolean;
  /** Report what would happen; change nothing. */
  dryRun?: boolean;
  /** Restore into this directory (laid out like a home) instead of the live home. */
  target?: string;
  /** Replace live databases that another process has open (it then goes on with the restored data). */
  forceInUse?: boolean;
  /** With dryRun: count each database's rows now and in the backup (its copy checked and read from a temp file). */
  countRows?: boolean;
}

/** What restore returns. */
export interface RestoreResult {
  name: string;
  dry_run: boolean;
  target: string | null;
  files: RestoreFile[];
  created: number;
  replaced: number;
  skipped: number;
  bytes: number;
  /** The automatic backup of what was replaced, when anything was. */
  safety_backup: { name: string; path: string } | null;
  /** Engine connections closed before their file was replaced. */
  closed_connections: string[];
}

/** Status of one file checked by verify. */
export type VerifyStatus = 'ok' | 'not_added' | 'missing' | 'size_mismatch' | 'checksum_mismatch' | 'unexpected' | 'unsafe' | 'integrity_failed' | 'unreadable';

/** One file's result in verify. */
export interface VerifyFile {
  path: string;
  component: Component | null;
  size: number;
  status: VerifyStatus;
  detail?: string;
}

/** What verify returns. */
export interface VerifyResult {
  name: string;
  path: string;
  ok: boolean;
  files: VerifyFile[];
  problems: VerifyFile[];
  /**
   * Files a Go create listed but could not add (checksum "" and no entry): not in the backup, and
   * said so, but not damage — the archive holds everything it claims to (`not_added`).
   */
  warnings: VerifyFile[];
  /** Problems of the archive as a whole (truncated, no manifest, not gzip). */
  archive_problems: string[];
  databases_checked: number;
  bytes: number;
  duration_ms: number;
}

/** A per-table difference found by rehearse. */
export interface RehearseDiff {
  store: string;
  path: string;
  table: string;
  backup_rows: number | null;
  live_rows: number | null;
}

/** What rehearse returns. */
export interface RehearseResult {
  name: string;
  ok: boolean;
  restored_files: number;
  databases: { path: string; store?: string; integrity: string; tables: number; rows: number }[];
  /** Tables whose row count differs from the live store (expected when the live store moved on). */
  differences: RehearseDiff[];
  duration_ms: number;
}

/** Options of prune: keep the newest N, per day/week/month, and/or younger than D (a backup is kept if any rule keeps it). */
export interface PruneOptions extends OpOptions {
  keepLast?: number;
  /** Kopia's name for keepLast (the same rule). */
  keepLatest?: number;
  keepDaily?: number;
  keepWeekly?: number;
  keepMonthly?: number;
  olderThanMs?: number;
  dryRun?: boolean;
}

/** What prune returns. */
export interface PruneResult {
  dry_run: boolean;
  deleted: BackupSummary[];
  kept: BackupSummary[];
  /** Kept backups that did not count toward keepLast because they are not clean (names). */
  not_counted: string[];
  /** The newest clean backup when the rules alone would have deleted it (it never is), else null. */
  protected: string | null;
  /** Safety backups of restores (`pre-restore-…`), kept apart from the rules: only an age rule deletes them (names). */
  safety: string[];
  /** Archive bytes deleted plus the repository's packs freed (dry run: would be). */
  bytes_freed: number;
  /** What the snapshot repository's prune did, or null when there is no repository (or it was not pruned: see notes). */
  repository: { deleted_snapshots: string[]; deleted_packs: number; repacked_packs: number; orphans: number; freed_bytes: number; kept_bytes: number } | null;
  /** Things a user should know (the repository was busy). */
  notes: string[];
}
