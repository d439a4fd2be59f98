// The Backups view's part of the bridge: archives, restore plans, verify / rehearse / prune results,
// the nightly schedule, and the backups.* calls.
import { z } from 'zod';
import { bridgeErrorLike, call, cliLine, count, none, timestamp } from './parts';

/** One thing backup create found wrong (a store failing its check or locked, a CAS object not matching its digest). */
export const backupProblemSchema = z.object({
  kind: z.enum(['store', 'store_unavailable', 'cas_object']),
  store: z.string().optional(),
  path: z.string(),
  digest: z.string().optional(),
  detail: z.string(),
});

/** One thing backup create found wrong. */
export type BackupProblem = z.infer<typeof backupProblemSchema>;

/** How a backup is stored: a Go-format archive, or a snapshot in the deduplicated repository. */
export const backupFormat = z.enum(['tar', 'snapshot']);

/** One backup (archive or snapshot) as listed. */
export const backupSchema = z.object({
  name: z.string(),
  format: backupFormat,
  file: z.string(),
  path: z.string(),
  created_at: timestamp,
  /** Bytes on disk it alone accounts for: an archive's size, what a snapshot added. */
  size: count,
  added_bytes: count,
  /** Uncompressed bytes of every file it holds (a snapshot shares most of them with others). */
  referenced_bytes: count,
  components: z.array(z.string()),
  stores: z.array(z.string()),
  /** Stores with data that the class policy left out. */
  skipped_stores: z.array(z.string()),
  files: count,
  total_size: count,
  go_format: z.boolean(),
  problem: z.string().optional(),
  /** ok / completed_with_problems as create recorded it; unchecked (no check recorded: Go, older archives); damaged (unreadable). */
  status: z.enum(['ok', 'completed_with_problems', 'unchecked', 'damaged']),
  problems: z.array(backupProblemSchema),
  /** The last verify of this archive file, or null. */
  verified: z.object({ at: timestamp, ok: z.boolean() }).nullable(),
  /** Checked, readable and not failed by a verify: only clean backups count toward retention. */
  clean: z.boolean(),
});

/** One backup archive as listed. */
export type Backup = z.infer<typeof backupSchema>;

// `snapshot:NAME` picks the snapshot when an archive has the same name (as `backup_NAME.tar.gz` picks the archive).
const backupName = z
  .string()
  .regex(/^(?:snapshot:)?[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'a backup name is 1-128 letters, digits, . _ - (no path), optionally after snapshot:').refine((n) => !n.includes('..'), 'a backup name has no ".."');
const backupComponent = z.enum(['databases', 'cas', 'memory', 'sessions', 'jobs', 'observability']);
/** One file of a restore plan or result (would-* in a dry run). */
export const restoreFileSchema = z.object({
  path: z.string(),
  destination: z.string(),
  component: z.string(),
  store: z.string().optional(),
  size: count,
  action: z.enum(['would-create', 'would-replace', 'would-skip', 'created', 'replaced', 'skipped']),
  reason: z.string().optional(),
  /** Who else has this live database open ("sqlite3 (pid 4711)"): the restore refuses it unless forced. */
  in_use: z.string().optional(),
  /** The store lives on a server (postgres, turso, libsql): written back through that driver. */
  through: z.string().optional(),
  /** A dry run with countRows: every table's rows together, now (null: no live copy, or on a server) and in the backup. */
  rows: z.object({ now: count.nullable(), backup: count.nullable() }).optional(),
});

/** What a restore (or its dry run) did with each file, and the safety backup it took. */
export const restoreResultSchema = z.object({
  name: z.string(),
  dry_run: z.boolean(),
  target: z.string().nullable(),
  files: z.array(restoreFileSchema),
  created: count,
  replaced: count,
  skipped: count,
  bytes: count,
  safety_backup: z.object({ name: z.string(), path: z.string() }).nullable(),
  closed_connections: z.array(z.string()),
});

/** What a restore did. */
export type RestoreResult = z.infer<typeof restoreResultSchema>;

/** What verify found, file by file (a backup.verify job's result). */
/** One backup's line in a verify of every backup (`backup verify --all`). */
export const verifyAllItemSchema = z.object({
  name: z.string(),
  format: z.string(),
  path: z.string(),
  /** ok / failed, or gone when it was deleted while the run went on (not a failure). */
  outcome: z.enum(['ok', 'failed', 'gone']),
  problems: count,
  /** The first problem found, for the line. */
  first: z.string().nullable(),
  files: count,
  databases_checked: count,
  bytes: count,
  reused_files: count,
  duration_ms: count,
});

/** What a verify of every backup returns. */
export const verifyAllResultSchema = z.object({
  ok: z.boolean(),
  verified: count,
  passed: count,
  failed: z.array(z.string()),
  backups: z.array(verifyAllItemSchema),
  duration_ms: count,
});

export const verifyResultSchema = z.object({
  name: z.string(),
  path: z.string(),
  ok: z.boolean(),
  files: z.array(z.object({ path: z.string(), component: z.string().nullable(), size: count, status: z.string(), detail: z.string().optional() })),
  /** Files a Go create listed but could not add: not in the backup, not damage. */
  warnings: z.array(z.object({ path: z.string(), component: z.string().nullable(), size: count, status: z.string(), detail: z.string().optional() })).optional(),
  archive_problems: z.array(z.string()),
  databases_checked: count,
  bytes: count,
  duration_ms: z.number(),
});

/** What verify found. */
export type VerifyResult = z.infer<typeof verifyResultSchema>;

/** What a rehearsal found: integrity per database and row counts that differ from live (a backup.rehearse job's result). */
export const rehearseResultSchema = z.object({
  name: z.string(),
  ok: z.boolean(),
  restored_files: count,
  databases: z.array(z.object({ path: z.string(), store: z.string().optional(), integrity: z.string(), tables: count, rows: count })),
  differences: z.array(z.object({ store: z.string(), path: z.string(), table: z.string(), backup_rows: count.nullable(), live_rows: count.nullable() })),
  duration_ms: z.number(),
});

/** What a rehearsal found. */
export type RehearseResult = z.infer<typeof rehearseResultSchema>;

/** What prune deleted (or would, in a dry run) and kept. */
export const pruneResultSchema = z.object({
  dry_run: z.boolean(),
  deleted: z.array(backupSchema),
  kept: z.array(backupSchema),
  /** Kept backups that are not clean, so they did not count toward keepLast (names). */
  not_counted: z.array(z.string()),
  /** The newest clean backup when the rules alone would have deleted it (it never is). */
  protected: z.string().nullable(),
  /** Safety backups of restores (pre-restore-…) kept apart from the rules: only olderThan deletes them (names). */
  safety: z.array(z.string()),
  bytes_freed: count,
  /** What the snapshot repository's prune freed (null without a repository, or when it was busy: see notes). */
  repository: z
    .object({ deleted_snapshots: z.array(z.string()), deleted_packs: count, repacked_packs: count, orphans: count, freed_bytes: count, kept_bytes: count })
    .nullable(),
  notes: z.array(z.string()),
  cli: cliLine,
});

/** The snapshot repository's size against the sum of the homes its snapshots hold. */
export const repoStatsSchema = z.object({ root: z.string(), exists: z.boolean(), snapshots: count, packs: count, size: count, referenced_bytes: count });

/** The snapshot repository's size against what it holds. */
export type RepoStats = z.infer<typeof repoStatsSchema>;

/** What prune deleted and kept. */
export type PruneResult = z.infer<typeof pruneResultSchema>;

/** The newest backup as the Overview shows it. */
export const backupSummarySchema = z.object({
  count: count,
  newest: backupSchema.nullable(),
  /** The newest clean backup (the one to restore from when the newest has problems), or null. */
  lastClean: backupSchema.nullable(),
  /** sync_critical stores with data that the newest backup lacks. */
  missingCritical: z.array(z.string()),
});

/** The newest backup as the Overview shows it. */
export type BackupSummary = z.infer<typeof backupSummarySchema>;

/** The nightly backup schedule as the Backups view shows it (settings live in config.yaml). */
export const backupScheduleSchema = z.object({
  enabled: z.boolean(),
  /** HH:MM on the schedule's clock. */
  time: z.string(),
  zone: z.enum(['local', 'utc']),
  /** Scheduled backups kept; older scheduled ones are deleted after each run (other backups never). */
  keep: count,
  /** Push each nightly backup to the backup bucket. */
  push: z.boolean(),
  next_run: timestamp.nullable(),
  last_run: z
    .object({
      at: timestamp,
      state: z.enum(['ok', 'completed_with_problems', 'error', 'canceled', 'running']),
      backup: z.string().nullable(),
      job_id: z.string().nullable(),
      error: bridgeErrorLike(),
      pruned: z.array(z.string()),
      /** The push after the backup (null when pushing is off or the backup failed). */
      push: z.object({ state: z.enum(['ok', 'error']), remote: z.string().nullable(), bytes: count, error: bridgeErrorLike() }).nullable(),
      /** The run made up for a night missed while no Storage Studio ran. */
      caught_up: z.boolean(),
    })
    .nullable(),
  /** Settings an env variable decides: saving them in config.yaml does not change them. */
  env_overrides: z.array(z.object({ key: z.string(), variable: z.string() })),
  config_file: z.string(),
  cli: z.string(),
  /** Why no run is planned although enabled (an invalid time in config.yaml), or null. */
  problem: z.string().nullable(),
});

/** The nightly backup schedule. */
export type BackupSchedule = z.infer<typeof backupScheduleSchema>;

/** The calls of the Backups view, spread into CALLS. */
export function backupCalls() {
  return {
    'backups.list': call(none, z.array(backupSchema), 'every backup archive, newest first'),
    'backups.create': call(
      z
        .object({
          name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'a backup name is letters, digits, . _ - (up to 100)').optional(),
          /** tar (the Go archive) or snapshot (the deduplicated repository). */
          format: backupFormat.optional(),
          components: z.array(z.string().min(1)).max(16).optional(),
          includeLocalOnly: z.boolean().optional(),
          /** quick_check (default) or integrity_check of every snapshot. */
          check: z.enum(['quick', 'full']).optional(),
          /** Write nothing when a check finds a problem. */
          strict: z.boolean().optional(),
        })
        .strict(),
      z.object({ jobId: z.string(), cli: cliLine }),
      'starts a backup as a job (the class policy decides the stores; every snapshot is checked)',
    ),
    'backups.info': call(
      z.object({ name: backupName }).strict(),
      backupSchema.extend({
        /** The tool that wrote it (agentctl_version of the manifest), when recorded. */
        written_by: z.string().nullable(),
        /** Stores the class policy left out, and why. */
        skipped_stores: z.array(z.object({ store: z.string(), class: z.string(), file: z.string(), reason: z.string() })),
        restore_plan: z.array(restoreFileSchema),
        cli: cliLine,
      }),
      "a backup's manifest and what a restore without force would do",
    ),
    'backups.verify': call(z.object({ name: backupName }).strict(), z.object({ jobId: z.string(), cli: cliLine }), "checks every file's checksum and every database's integrity, as a job"),
    'backups.verifyAll': call(z.object({}).strict(), z.object({ jobId: z.string(), cli: cliLine }), 'verifies every archive and snapshot in the backups dir (blobs snapshots share hashed once), as one job'),
    'backups.restore': call(
      z
        .object({
          name: backupName,
          components: z.array(backupComponent).max(6).optional(),
          stores: z.array(z.string().regex(/^[A-Za-z0-9_]{1,64}$/, 'a store name is letters, digits and _')).max(64).optional(),
          force: z.boolean().optional(),
          /** Also replace stores another process has open (it goes on with the restored data). */
          forceInUse: z.boolean().optional(),
          dryRun: z.boolean().optional(),
          /** With dryRun: count each database's rows now and in the backup. */
          countRows: z.boolean().optional(),
        })
        .strict(),
      z.object({ jobId: z.string(), cli: cliLine, plan: restoreResultSchema.nullable() }),
      'restores a backup as a job (a safety backup of replaced files first); dryRun waits and returns the plan',
    ),
    'backups.rehearse': call(z.object({ name: backupName }).strict(), z.object({ jobId: z.string(), cli: cliLine }), 'restores into a throwaway home and checks it, as a job'),
    'backups.delete': call(z.object({ name: backupName }).strict(), z.object({ name: z.string(), format: backupFormat, path: z.string(), size: count, cli: cliLine }), 'deletes one backup (a snapshot: its file; prune frees its blobs)'),
    'backups.repoStats': call(none, repoStatsSchema, "the snapshot repository's size against the sum of the homes it holds"),
    'backups.prune': call(
      z
        .object({
          keepLast: z.number().int().min(0).max(10_000).optional(),
          keepDaily: z.number().int().min(0).max(10_000).optional(),
          keepWeekly: z.number().int().min(0).max(10_000).optional(),
          keepMonthly: z.number().int().min(0).max(10_000).optional(),
          olderThan: z.string().regex(/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h|d))+$/, 'a duration like 168h or 30d').optional(),
          dryRun: z.boolean().optional(),
        })
        .strict()
        .refine((p) => p.keepLast !== undefined || p.keepDaily !== undefined || p.keepWeekly !== undefined || p.keepMonthly !== undefined || p.olderThan !== undefined, 'prune needs keepLast, keepDaily, keepWeekly, keepMonthly and/or olderThan'),
      pruneResultSchema,
      'deletes backups beyond the newest keepLast and/or older than olderThan (dryRun previews)',
    ),
    'backups.schedule': call(none, backupScheduleSchema, 'the nightly backup schedule: settings, next run, last run'),
    'backups.setSchedule': call(
      z
        .object({
          enabled: z.boolean().optional(),
          time: z.string().regex(/^\d{1,2}:\d{2}$/, 'a time of day HH:MM').optional(),
          zone: z.enum(['local', 'utc']).optional(),
          keep: z.number().int().min(1).max(1000).optional(),
          push: z.boolean().optional(),
        })
        .strict(),
      backupScheduleSchema,
      'saves the nightly backup schedule in config.yaml and plans the next run',
    ),
    'backups.runSchedule': call(none, z.object({ jobId: z.string(), schedule: backupScheduleSchema }), 'takes a scheduled backup now (then its retention), as a job'),
  } as const;
}
