// THE bridge between the renderer and the engine: every call's name with its zod input and
// output, and every event channel. Both transports (Electron IPC, browser-mode HTTP/SSE) and both
// sides (api handlers, renderer) are typed from this one file. It imports only zod, so that the
// sandboxed preload, the renderer and the main process can all bundle it.
import { z } from 'zod';

/** Error codes a call can fail with (the engine's ERROR_CODES; a test keeps the two equal). */
export const ERROR_CODES = ['NOT_FOUND', 'INVALID_INPUT', 'CORRUPT', 'CONFLICT', 'PINNED', 'UNAVAILABLE', 'UNSUPPORTED', 'CANCELED', 'IO'] as const;

/** One of ERROR_CODES. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** An error as it crosses the bridge: a code and a human message, never a stack. */
export const bridgeErrorSchema = z.object({ code: z.enum(ERROR_CODES), message: z.string() });

/** An error as it crosses the bridge. */
export type BridgeError = z.infer<typeof bridgeErrorSchema>;

/** What every call returns across the bridge: a value or an error, never a thrown exception. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: BridgeError };

const none = z.object({}).strict();
const count = z.number().int().nonnegative();
const timestamp = z.string();
/** The syncer's last error: its code is the engine's, kept as a string. */
function bridgeErrorLike() {
  return z.object({ code: z.string(), message: z.string() }).nullable();
}

const jobId = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'a job id is a 26-character ULID');

/** States of a job; ok, error and canceled are final. */
export const JOB_STATES = ['queued', 'running', 'ok', 'error', 'canceled'] as const;

/** A job as shown by the Jobs panel (the engine's JobInfo). */
export const jobSchema = z.object({
  id: z.string(),
  kind: z.string(),
  title: z.string(),
  state: z.enum(JOB_STATES),
  progress: z.object({
    done: z.number(),
    total: z.number().nullable(),
    unit: z.string(),
    rate: z.number().nullable(),
    eta: z.number().nullable(),
    message: z.string().optional(),
  }),
  created_at: timestamp,
  started_at: timestamp.nullable(),
  finished_at: timestamp.nullable(),
  result: z.unknown(),
  error: bridgeErrorSchema.nullable(),
});

/** A job as shown by the Jobs panel. */
export type Job = z.infer<typeof jobSchema>;

/** Store classes, in display order (the engine's STORE_CLASSES). */
export const STORE_CLASSES = ['sync_critical', 'sync_useful', 'local_only', 'observability', 'external'] as const;

/** One of STORE_CLASSES. */
export type StoreClass = (typeof STORE_CLASSES)[number];

/** A store of the registry (one row per database for keyed stores) with its file on disk. */
export const storeSchema = z.object({
  name: z.string(),
  class: z.enum(STORE_CLASSES),
  description: z.string(),
  /** sqlite / turso / postgres, or null when the configured driver is invalid (see error). */
  driver: z.string().nullable(),
  key: z.string().nullable(),
  keyed: z.boolean(),
  path: z.string().nullable(),
  /** Where the store points, secrets masked: the SQLite file, or the turso URL / PostgreSQL DSN. */
  location: z.string().nullable(),
  /** PostgreSQL: the store's schema; null for other drivers. */
  schema: z.string().nullable(),
  /** A configuration worth a look, e.g. a local_only store on a shared remote database. */
  warning: z.string().nullable(),
  exists: z.boolean(),
  size_bytes: count,
  wal_bytes: count,
  schema_version: z.number().int().nullable(),
  backed_up_by_default: z.boolean(),
  rebuildable: z.boolean(),
  read_only: z.boolean(),
  /** Why the store could not be read (not SQLite, invalid driver...), or null. */
  error: z.string().nullable(),
});

/** A store of the registry with its file on disk. */
export type Store = z.infer<typeof storeSchema>;

/** Disk used by a directory tree; `truncated` when the walk stopped at its bound. */
export const diskUsageSchema = z.object({ path: z.string(), exists: z.boolean(), bytes: count, files: count, truncated: z.boolean() });

/** Disk used by a directory tree. */
export type DiskUsage = z.infer<typeof diskUsageSchema>;

/** The events syncer as the GUI shows it (a summary of the engine's SyncStatus). */
export const syncerStatusSchema = z.object({
  /** The background timer is on (the app and `foxctl studio` start it). */
  running: z.boolean(),
  /** A pass is in progress right now. */
  syncing: z.boolean(),
  lastRunAt: timestamp.nullable(),
  lastError: bridgeErrorLike(),
  /** Complete NDJSON lines not yet in events.db (a lower bound when pendingExact is false). */
  pendingLines: count,
  pendingExact: z.boolean(),
  lagBytes: count,
  syncedTotal: count,
  rejectedTotal: count,
  intervalMs: count,
});

/** The events syncer's status. */
export type SyncerStatus = z.infer<typeof syncerStatusSchema>;

// ---- events.* (the Events view): schemas ----

/** One row of events.db as the viewer gets it (`data` parsed when it is JSON). */
export const eventRecordSchema = z.object({
  id: z.number().int(),
  span_id: z.string(),
  trace_id: z.string(),
  parent_id: z.string().nullable(),
  ts: z.string(),
  service: z.string().nullable(),
  version: z.string().nullable(),
  component: z.string().nullable(),
  operation: z.string(),
  command: z.string().nullable(),
  subtype: z.string().nullable(),
  session_id: z.string().nullable(),
  agent_id: z.string().nullable(),
  workspace_id: z.string().nullable(),
  job_id: z.string().nullable(),
  status: z.string(),
  duration_ms: z.number().nullable(),
  error_type: z.string().nullable(),
  error_code: z.string().nullable(),
  error_message: z.string().nullable(),
  retriable: z.number().nullable(),
  data: z.unknown(),
  created_at: z.string().nullable(),
});

/** One row of events.db. */
export type EventRecord = z.infer<typeof eventRecordSchema>;

const filterValues = z.union([z.string().min(1).max(500), z.array(z.string().min(1).max(500)).min(1).max(100)]);
const timeBound = z.union([z.string().min(1).max(64), z.number()]);

/** What the Events view filters on (the engine's EventFilter); every field narrows (AND). */
export const eventFilterSchema = z
  .object({
    /** Inclusive: RFC 3339, YYYY-MM-DD, epoch ms, or a duration back from now (1h). */
    since: timeBound.optional(),
    /** Exclusive, same forms as since. */
    until: timeBound.optional(),
    operation: filterValues.optional(),
    status: filterValues.optional(),
    command: filterValues.optional(),
    service: filterValues.optional(),
    component: filterValues.optional(),
    session_id: filterValues.optional(),
    agent_id: filterValues.optional(),
    workspace_id: filterValues.optional(),
    trace_id: filterValues.optional(),
    min_duration_ms: z.number().nonnegative().optional(),
    /** Free text: every word whole, `word*` by prefix. */
    text: z.string().max(500).optional(),
  })
  .strict();

/** What the Events view filters on. */
export type EventFilterInput = z.infer<typeof eventFilterSchema>;

/** A source of events: the home's events.db (omitted) or an id from events.open. */
const eventSource = z.string().regex(/^src-[0-9a-z]{1,32}$/, 'a source is an id returned by events.open').optional();

/** A span of a trace with its children (recursive). */
export interface TraceNodeOutput {
  event: EventRecord;
  children: TraceNodeOutput[];
  depth: number;
}

/** A span of a trace with its children. */
export const traceNodeSchema: z.ZodType<TraceNodeOutput> = z.lazy(() => z.object({ event: eventRecordSchema, children: z.array(traceNodeSchema), depth: z.number().int() }));

/** A trace as a tree of spans. */
export const traceTreeSchema = z.object({
  trace_id: z.string(),
  spans: count,
  errors: count,
  start: z.string(),
  end: z.string(),
  duration_ms: z.number(),
  roots: z.array(traceNodeSchema),
  truncated: z.boolean(),
});

/** A trace as a tree of spans. */
export type TraceTreeOutput = z.infer<typeof traceTreeSchema>;

/** An events.db opened read-only by events.open. */
export const eventSourceSchema = z.object({ source: z.string(), file: z.string(), table: z.string(), fts: z.boolean(), events: count });

/** An events.db opened read-only. */
export type EventSourceInfo = z.infer<typeof eventSourceSchema>;

/** An event as the engine emits it (before the syncer gives it a row id): the live tail and pending lines. */
const emittedEventSchema = z.object({
  ts: z.string(),
  trace_id: z.string(),
  span_id: z.string(),
  parent_id: z.string().optional(),
  operation: z.string(),
  name: z.string().optional(),
  status: z.enum(['ok', 'error', 'canceled']),
  message: z.string().optional(),
  error_type: z.string().optional(),
  error_code: z.string().optional(),
  error_message: z.string().optional(),
  data: z.record(z.string(), z.unknown()).optional(),
  duration_ms: z.number(),
});

/** An NDJSON line not yet synced into events.db, parsed as an event. */
export const pendingEventSchema = z.object({ file: z.string(), offset: count, event: emittedEventSchema });

/** One histogram bucket: [start, end) with its count and errors. */
export const histogramBucketSchema = z.object({ start: z.string(), end: z.string(), count: count, errors: count });

/** A line the syncer rejected. */
export const rejectSchema = z.object({ id: z.number().int(), file: z.string(), offset: count, length: count, error: z.string(), excerpt: z.string(), created_at: z.string() });

/** A line the syncer rejected. */
export type RejectRecordOutput = z.infer<typeof rejectSchema>;

/** A timed line of any stream file or rotation (events.streamEvents): an event or a skill's record. */
export const streamEventSchema = z.object({
  file: z.string(),
  line: z.number().int(),
  ts: z.string(),
  operation: z.string().nullable(),
  command: z.string().nullable(),
  status: z.string().nullable(),
  duration_ms: z.number().nullable(),
  trace_id: z.string().nullable(),
  span_id: z.string().nullable(),
  message: z.string().nullable(),
  error_message: z.string().nullable(),
  record: z.record(z.string(), z.unknown()),
});

/** A line of the all-streams timeline. */
export type StreamEventOutput = z.infer<typeof streamEventSchema>;

/** The calls of the Events view, spread into CALLS. */
function eventsCalls() {
  return {
    'events.query': call(
      z.object({ filter: eventFilterSchema.optional(), limit: z.number().int().min(1).max(1000).optional(), cursor: z.string().min(1).max(400).optional(), order: z.enum(['asc', 'desc']).optional(), source: eventSource }).strict(),
      z.object({ rows: z.array(eventRecordSchema), next_cursor: z.string().nullable() }),
      'a page of events (keyset: pass next_cursor for the next), newest first unless order is asc',
    ),
    'events.count': call(z.object({ filter: eventFilterSchema.optional(), source: eventSource }).strict(), z.object({ count: count }), 'how many events match the filter'),
    'events.histogram': call(
      z.object({ filter: eventFilterSchema.optional(), buckets: z.number().int().min(1).max(400).optional(), source: eventSource }).strict(),
      z.array(histogramBucketSchema),
      'event and error counts per time bucket over the filter\'s range (or the events\' own)',
    ),
    'events.facets': call(
      z.object({ filter: eventFilterSchema.optional(), fields: z.array(z.string().min(1).max(64)).min(1).max(16).optional(), top: z.number().int().min(1).max(100).optional(), source: eventSource }).strict(),
      z.array(z.object({ field: z.string(), values: z.array(z.object({ value: z.string().nullable(), count: count })) })),
      'top values with counts of each field (operation, status, command by default)',
    ),
    'events.trace': call(z.object({ traceId: z.string().min(1).max(128), source: eventSource }).strict(), traceTreeSchema, 'one trace as a tree of spans in time order'),
    'events.rejects': call(
      z.object({ limit: z.number().int().min(1).max(1000).optional(), cursor: z.string().min(1).max(40).optional(), source: eventSource }).strict(),
      z.object({ rows: z.array(rejectSchema), next_cursor: z.string().nullable() }),
      'lines the syncer could not ingest, newest first',
    ),
    'events.pending': call(
      z.object({ limit: z.number().int().min(1).max(1000).optional() }).strict(),
      z.object({ events: z.array(pendingEventSchema), pendingLines: count, truncated: z.boolean() }),
      'the newest NDJSON events not yet synced into events.db (what the live tail marks "not synced")',
    ),
    'events.streamEvents': call(
      z.object({ filter: eventFilterSchema.optional(), limit: z.number().int().min(1).max(1000).optional(), cursor: z.string().min(1).max(400).optional() }).strict(),
      z.object({
        rows: z.array(streamEventSchema),
        next_cursor: z.string().nullable(),
        files: z.array(z.object({ file: z.string(), lines: count, matched: count, skipped: count, error: z.string().nullable() })),
      }),
      'the newest timed lines of every events/*.ndjson* file, rotations and .gz included (what the Go query reads), filtered',
    ),
    'events.open': call(
      z.object({ path: z.string().min(1).max(4096).refine((p) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p), 'must be an absolute path') }).strict(),
      eventSourceSchema,
      'opens another events.db read-only (foxcular_events or wide_events) and names it as a source',
    ),
    'events.close': call(z.object({ source: z.string().min(1).max(40) }).strict(), z.object({ closed: z.boolean() }), 'closes a source opened by events.open'),
  } as const;
}

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

/** One backup archive as listed. */
export const backupSchema = z.object({
  name: z.string(),
  file: z.string(),
  path: z.string(),
  created_at: timestamp,
  size: count,
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

const backupName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'a backup name is 1-128 letters, digits, . _ - (no path)').refine((n) => !n.includes('..'), 'a backup name has no ".."');
const backupComponent = z.enum(['databases', 'cas', 'memory', 'sessions', 'jobs', 'observability']);
/** The `foxctl backup ...` command line that does the same ("Show CLI equivalent"). */
const cliLine = z.string();

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
  bytes_freed: count,
  cli: cliLine,
});

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

/** Everything the Overview shows, gathered in one call. */
export const overviewSchema = z.object({
  home: z.string(),
  configFile: z.string(),
  configFileLoaded: z.boolean(),
  paths: z.array(z.object({ key: z.string(), label: z.string(), path: z.string() })),
  classes: z.array(
    z.object({ class: z.enum(STORE_CLASSES), description: z.string(), stores: count, present: count, bytes: count }),
  ),
  disk: z.object({ cas: diskUsageSchema, events: diskUsageSchema, backups: diskUsageSchema }),
  backups: backupSummarySchema,
  syncer: syncerStatusSchema,
  jobs: z.array(jobSchema),
  generatedAt: timestamp,
});

/** Everything the Overview shows. */
export type Overview = z.infer<typeof overviewSchema>;

/** A config value with where it came from. */
export const configValueSchema = z.object({
  key: z.string(),
  value: z.union([z.string(), z.number(), z.boolean()]),
  source: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('default') }),
    z.object({ kind: z.literal('file'), file: z.string(), key: z.string().optional() }),
    z.object({ kind: z.literal('env'), variable: z.string() }),
  ]),
  env: z.array(z.string()),
  description: z.string(),
});

/** A config value with where it came from. */
export type ConfigValue = z.infer<typeof configValueSchema>;

/** A key of config.yaml that nothing reads (a typo?): its line, the key it likely meant, one sentence. */
export const configWarningSchema = z.object({
  key: z.string(),
  line: z.number().int().nullable(),
  suggestion: z.string().nullable(),
  message: z.string(),
});

/** A warning about config.yaml (never fatal). */
export type ConfigWarning = z.infer<typeof configWarningSchema>;

/** What a CAS put returns (the engine's PutResult). */
export const casPutResultSchema = z.object({
  digest: z.string(),
  size_bytes: count,
  kind: z.string(),
  tags: z.array(z.string()),
  created: timestamp,
  existed: z.boolean(),
  pinned: z.boolean(),
});

/** What a CAS put returns. */
export type CasPutResult = z.infer<typeof casPutResultSchema>;

/** One CAS object as listed (the engine's CasObject). */
export const casObjectSchema = z.object({
  digest: z.string(),
  size_bytes: count,
  kind: z.string(),
  tags: z.array(z.string()),
  created_at: timestamp,
  /** The last re-put of the same content, when there was one (gc counts from the later time). */
  last_put_at: timestamp.optional(),
  pinned: z.boolean(),
  pinned_at: timestamp.nullable(),
  meta_error: z.string().optional(),
});

/** One CAS object as listed. */
export type CasObject = z.infer<typeof casObjectSchema>;

/** Sort orders of cas.list (the engine's LIST_SORTS). */
export const CAS_SORTS = ['created', '-created', 'size', '-size', 'digest'] as const;

const casDigest = z.string().regex(/^sha256:[0-9a-f]{64}$/, 'a digest is sha256: followed by 64 lower-case hex digits');
/** Go durations as foxctl takes them (168h, 30m, 1h30m, 0s). */
const goDuration = z.string().max(40).regex(/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h|d))+$|^0$/, 'a duration such as 30m, 168h or 1h30m');

/** A gc dry run: what would go, bytes freed, and the pinned objects kept although old enough. */
export const casGcDryRunSchema = z.object({
  dry_run: z.literal(true),
  cutoff: timestamp,
  objects_deleted: count,
  bytes_freed: count,
  candidates: z.array(z.object({ digest: z.string(), size_bytes: count, kind: z.string(), created_at: timestamp })),
  kept_pinned: z.array(casObjectSchema),
});

/** A gc dry run's result. */
export type CasGcDryRun = z.infer<typeof casGcDryRunSchema>;

/** Kinds of problem a CAS verify reports (the engine's VERIFY_PROBLEMS). */
export const CAS_VERIFY_PROBLEMS = ['missing_bytes', 'orphan_bytes', 'orphan_pin', 'corrupt', 'metadata', 'unreadable'] as const;

/** A cas.verify job's result: every loss, by kind, each with what to do (the engine's VerifyResult). */
export const casVerifyResultSchema = z.object({
  objects_checked: count,
  bytes_checked: count,
  corrupt: z.array(z.string()),
  missing: z.array(z.string()),
  problems: z.array(z.object({ digest: z.string(), problem: z.enum(CAS_VERIFY_PROBLEMS), message: z.string(), hint: z.string(), size_bytes: count.optional() })),
  counts: z.record(z.enum(CAS_VERIFY_PROBLEMS), count),
  ok: z.boolean(),
});

/** A cas.verify job's result. */
export type CasVerifyResult = z.infer<typeof casVerifyResultSchema>;

/** The first bytes of an object shaped for display; `truncated` when only a prefix is shown. */
export const casPreviewSchema = z.object({
  digest: z.string(),
  kind: z.string(),
  size_bytes: count,
  mode: z.enum(['text', 'json', 'image', 'binary']),
  /** text/json: the text (JSON pretty-printed when whole); binary: a hex dump of the prefix. */
  text: z.string().optional(),
  /** image: a data: URL of the whole image. */
  dataUrl: z.string().optional(),
  truncated: z.boolean(),
});

/** A preview of an object. */
export type CasPreview = z.infer<typeof casPreviewSchema>;

// ---- CAS places and artifacts (issue 14) ----

/** One place of the home holding CAS objects (the engine's CasLocation): ours, the Go sqlite cas.db, the file store. */
export const casLocationSchema = z.object({
  backend: z.string(),
  location: z.string(),
  used_by: z.array(z.string()),
  active: z.boolean(),
  exists: z.boolean(),
  objects: count,
  bytes: count,
  pinned: count,
  pinned_bytes: count,
  error: z.string().nullable(),
  /** Objects here that the configured store lacks (what a merge copies); null when too many to compare. */
  pending: count.nullable(),
});

/** One place of the home holding CAS objects. */
export type CasLocation = z.infer<typeof casLocationSchema>;

/** The tag the Go runtime files an artifactized output under. */
export const CAS_ARTIFACT_TAG = 'truncated-output';

/** What an artifact (a stored output envelope) says about itself: its command, status and summary sentence. */
export const casArtifactSchema = z.object({
  digest: z.string(),
  command: z.string(),
  status: z.string(),
  summary: z.string(),
  size_bytes: count,
  /** meta.ts of the original envelope, when it has one. */
  ts: z.string().nullable(),
});

/** What an artifact says about itself. */
export type CasArtifact = z.infer<typeof casArtifactSchema>;

/** The nightly backup schedule as the Backups view shows it (settings live in config.yaml). */
export const backupScheduleSchema = z.object({
  enabled: z.boolean(),
  /** HH:MM on the schedule's clock. */
  time: z.string(),
  zone: z.enum(['local', 'utc']),
  /** Scheduled backups kept; older scheduled ones are deleted after each run (other backups never). */
  keep: count,
  next_run: timestamp.nullable(),
  last_run: z
    .object({
      at: timestamp,
      state: z.enum(['ok', 'completed_with_problems', 'error', 'canceled', 'running']),
      backup: z.string().nullable(),
      job_id: z.string().nullable(),
      error: bridgeErrorLike(),
      pruned: z.array(z.string()),
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

const casPutOptions = {
  kind: z.string().min(1).max(200).optional(),
  tags: z.array(z.string().min(1).max(100)).max(50).optional(),
  pin: z.boolean().optional(),
};

// ---- Stores view: read-only database inspection (db.*) ----

/** What each store class means for backup and sync, one line each (the engine's CLASS_DESCRIPTIONS; a test keeps them equal). */
export const CLASS_DESCRIPTIONS: Record<StoreClass, string> = {
  sync_critical: 'Agent state that must never be lost: always backed up, first to sync.',
  sync_useful: 'Accumulated knowledge worth keeping: always backed up and synced.',
  local_only: 'Rebuildable or device-local: backed up only when asked, never synced.',
  observability: 'Events and telemetry: backed up with the observability component.',
  external: 'Owned by another tool: read-only here, never backed up or written.',
};

/** A store to inspect: its registry name and, for a keyed store, the key (never a path: the renderer cannot name files). */
const dbTargetShape = {
  store: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, 'a store name is letters, digits and _ (e.g. MEMORY)'),
  key: z.string().max(200).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a key is letters, digits, . _ - (as listed by stores.list)').optional(),
};

/** A result cell: text, number, NULL, a BLOB as size + hex prefix, or long text as its length + head. */
export const dbCellSchema = z.union([
  z.string(),
  z.number(),
  z.null(),
  z.object({ $blob: count, hex: z.string() }),
  z.object({ $text: count, head: z.string() }),
]);

/** A result cell. */
export type DbCell = z.infer<typeof dbCellSchema>;

/** Rows of a read-only query or a page of the table browser. */
export const dbRowsSchema = z.object({
  columns: z.array(z.string()),
  rows: z.array(z.array(dbCellSchema)),
  /** More rows existed than the cap. */
  truncated: z.boolean(),
  duration_ms: z.number(),
});

/** Rows of a query or a browser page. */
export type DbRows = z.infer<typeof dbRowsSchema>;

/** One table of a store with its row count ("at least rows" when rows_exact is false). */
export const dbTableSchema = z.object({
  name: z.string(),
  type: z.enum(['table', 'view', 'virtual', 'shadow']),
  columns: count,
  without_rowid: z.boolean(),
  rows: count.nullable(),
  rows_exact: z.boolean(),
});

/** One table with its row count. */
export type DbTable = z.infer<typeof dbTableSchema>;

/** A store database's vital statistics (the engine's DbInfo). */
export const dbInfoSchema = z.object({
  path: z.string(),
  store: z.string().nullable(),
  class: z.string().nullable(),
  key: z.string().nullable(),
  size_bytes: count,
  wal_bytes: count,
  page_size: count,
  page_count: count,
  freelist_count: count,
  journal_mode: z.string(),
  encoding: z.string(),
  user_version: z.number().int(),
  schema_version: z.number().int().nullable(),
  index_schema_version: z.string().nullable(),
  tables: count,
  indexes: count,
  views: count,
  triggers: count,
  sqlite_version: z.string(),
  /** The `foxctl db ...` lines that show the same from a terminal. */
  cli: z.string(),
});

/** A store database's vital statistics. */
export type DbInfo = z.infer<typeof dbInfoSchema>;

/** The verdict of an integrity check. */
export const dbCheckSchema = z.object({
  path: z.string(),
  mode: z.enum(['integrity_check', 'quick_check']),
  ok: z.boolean(),
  problems: z.array(z.string()),
  duration_ms: z.number(),
  cli: z.string(),
});

/** The verdict of an integrity check. */
export type DbCheck = z.infer<typeof dbCheckSchema>;

/** One table of a `db.migrate` report: rows in the source, in the target after the copy, and whether they match. */
export const dbMigrateTableSchema = z.object({
  table: z.string(),
  source_rows: count,
  target_rows: count.nullable(),
  match: z.boolean().nullable(),
  rows_copied: count,
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});

/** The result of a `db.migrate` job (the engine's DbMigrateReport). */
export const dbMigrateReportSchema = z.object({
  target: z.string(),
  dialect: z.enum(['postgres', 'sqlite']),
  dry_run: z.boolean(),
  stores: z.array(
    z.object({
      store: z.string(),
      class: z.enum(STORE_CLASSES),
      source: z.string(),
      target: z.string().nullable(),
      schema: z.string().nullable(),
      note: z.string().optional(),
      skipped_reason: z.string().optional(),
      tables: z.array(dbMigrateTableSchema),
      skipped_tables: z.array(z.object({ table: z.string(), reason: z.string() })),
    }),
  ),
  rows_copied: count,
  errors: count,
  failures: z.array(z.object({ store: z.string(), table: z.string().nullable(), code: z.string(), message: z.string() })),
  ok: z.boolean(),
  duration_ms: z.number(),
});

/** The result of a `db.migrate` job. */
export type DbMigrateReport = z.infer<typeof dbMigrateReportSchema>;

// ---- end of the Stores view's schemas ----

// ---- the Settings view's schemas ----

/** The secrets the Settings view can save (engine/secrets/names.ts). */
export const SECRET_NAMES = ['s3.access_key_id', 's3.secret_access_key', 'turso.token', 'postgres.password'] as const;

/** One of SECRET_NAMES. */
export type SecretName = (typeof SECRET_NAMES)[number];

/** What the renderer ever sees of a secret: whether it is set and its last 4 characters, never the value. */
export const secretEntrySchema = z.object({
  name: z.enum(SECRET_NAMES),
  label: z.string(),
  set: z.boolean(),
  last4: z.string().max(4),
  stored: z.enum(['os', 'basic_text', 'none', 'plain']).nullable(),
  readable: z.boolean(),
  updatedAt: z.string().nullable(),
});

/** A secret's status as the bridge returns it. */
export type SecretEntry = z.infer<typeof secretEntrySchema>;

/** How the secret store protects values here and whether saving needs the user's consent. */
export const secretStoreSchema = z.object({
  file: z.string(),
  protection: z.enum(['os', 'basic_text', 'none']),
  cipher: z.string().nullable(),
  consentRequired: z.boolean(),
  warning: z.string().nullable(),
  entries: z.array(secretEntrySchema),
});

/** The secret store's status. */
export type SecretStoreInfo = z.infer<typeof secretStoreSchema>;

/** Everything the Settings view shows: values with sources (DSNs masked) and the secret store. */
export const settingsSchema = z.object({
  home: z.string(),
  configFile: z.string(),
  configFileLoaded: z.boolean(),
  values: z.array(configValueSchema),
  /** Unknown keys of config.yaml (typos), shown as a notice. */
  warnings: z.array(configWarningSchema),
  secrets: secretStoreSchema,
  /** The one-line resolution order, as the engine applies it. */
  order: z.string(),
});

/** The Settings view's data. */
export type Settings = z.infer<typeof settingsSchema>;

const settingValue = z.union([z.string().max(4096), z.number(), z.boolean(), z.null()]);
const secretValue = z.string().max(8192);

/** What a save changed: each key's new value and the env variable that still overrides it. */
export const settingsSaveResultSchema = z.object({
  changes: z.array(z.object({ key: z.string(), value: z.union([z.string(), z.number(), z.boolean(), z.null()]), overriddenBy: z.string().nullable() })),
  secrets: z.array(secretEntrySchema),
  settings: settingsSchema,
  /** Set when the values were saved but the running CAS could not switch yet (a CAS job runs). */
  notice: z.string().nullable(),
});

/** The result of settings.save. */
export type SettingsSaveResult = z.infer<typeof settingsSaveResultSchema>;

/** A "Test connection" result: latency, or the exact error with secrets masked. */
export const probeResultSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), latencyMs: z.number(), target: z.string(), detail: z.string() }),
  z.object({ ok: z.literal(false), latencyMs: z.number(), target: z.string(), code: z.string(), message: z.string() }),
]);

/** The result of settings.test. */
export type ProbeResult = z.infer<typeof probeResultSchema>;

/** What settings.test probes: a form's current values; an absent secret means "the saved one (or env)". */
export const settingsTestInputSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('s3'),
      bucket: z.string().max(255),
      region: z.string().max(64).optional(),
      endpoint: z.string().max(2048).optional(),
      prefix: z.string().max(1024).optional(),
      forcePathStyle: z.boolean().optional(),
      disableSsl: z.boolean().optional(),
      accessKeyId: secretValue.optional(),
      secretAccessKey: secretValue.optional(),
    })
    .strict(),
  z.object({ kind: z.literal('turso'), url: z.string().max(4096), token: secretValue.optional() }).strict(),
  z.object({ kind: z.literal('postgres'), dsn: z.string().max(4096), password: secretValue.optional() }).strict(),
]);

/** The input of settings.test. */
export type SettingsTestInput = z.infer<typeof settingsTestInputSchema>;

/** The database drivers a store can use. */
export const STORE_DRIVER_NAMES = ['sqlite', 'turso', 'postgres', 'libsql'] as const;

/** One writable store's driver in the Settings view: effective value, source, warning, env equivalent. */
export const storeDriverRowSchema = z.object({
  store: z.string(),
  class: z.enum(['sync_critical', 'sync_useful', 'local_only', 'observability', 'external']),
  keyed: z.boolean(),
  driver: z.string().nullable(),
  source: z.enum(['env', 'file', 'default']),
  from: z.string(),
  saved: z.string().nullable(),
  envVar: z.string(),
  key: z.string(),
  allowed: z.array(z.enum(STORE_DRIVER_NAMES)),
  location: z.string().nullable(),
  warning: z.string().nullable(),
  error: z.string().nullable(),
});

/** A store's driver row. */
export type StoreDriverRow = z.infer<typeof storeDriverRowSchema>;

/** Every writable store's driver and the default driver (db.driver). */
export const storeDriversSchema = z.object({
  defaultDriver: z.string(),
  defaultFrom: z.string(),
  stores: z.array(storeDriverRowSchema),
  external: z.array(z.string()),
});

/** The result of settings.storeDrivers. */
export type StoreDriversInfo = z.infer<typeof storeDriversSchema>;

// ---- end of the Settings view's schemas ----

const call = <I extends z.ZodType, O extends z.ZodType>(input: I, output: O, doc: string): { input: I; output: O; doc: string } => ({
  input,
  output,
  doc,
});

/** Every call of the bridge: name -> { input, output, doc }. */
export const CALLS = {
  'app.info': call(
    none,
    z.object({
      version: z.string(),
      mode: z.enum(['electron', 'browser']),
      platform: z.string(),
      home: z.string(),
      /** Areas of the engine present in this build (the CAS view says so when absent). */
      features: z.object({ cas: z.boolean() }),
    }),
    'what this app is and where its home is',
  ),
  'overview.get': call(none, overviewSchema, 'the home at a glance'),
  'stores.list': call(none, z.array(storeSchema), 'every store of the registry with its files and sizes'),
  'config.show': call(
    none,
    z.object({ home: z.string(), configFile: z.string(), configFileLoaded: z.boolean(), values: z.array(configValueSchema), warnings: z.array(configWarningSchema) }),
    'every effective config value with its source, and warnings about unknown keys of config.yaml',
  ),
  'jobs.list': call(
    z.object({ limit: z.number().int().min(1).max(500).optional(), state: z.enum(JOB_STATES).optional() }).strict(),
    z.array(jobSchema),
    'jobs newest first: running ones live, the rest from jobs.db',
  ),
  'jobs.get': call(z.object({ id: jobId }).strict(), jobSchema, 'one job by id'),
  'jobs.cancel': call(z.object({ id: jobId }).strict(), z.object({ canceled: z.boolean() }), 'cancels a running job'),
  'syncer.status': call(none, syncerStatusSchema, "the events syncer's status"),
  'syncer.syncNow': call(none, z.object({ jobId: z.string() }), 'runs one sync pass now, as a job'),
  ...eventsCalls(),
  'backups.list': call(none, z.array(backupSchema), 'every backup archive, newest first'),
  'cas.stats': call(
    none,
    z.object({ objects: count, bytes: count, pinned: count, pinned_bytes: count, backend: z.string(), location: z.string() }),
    'objects, bytes and pins of the CAS, and its backend',
  ),
  'cas.putPath': call(
    z.object({ path: z.string().min(1).max(4096).refine((p) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p), 'must be an absolute path'), ...casPutOptions }).strict(),
    z.object({ jobId: z.string() }),
    'stores a local file in the CAS as a job, streamed from disk by main (Electron: the path of a dropped file)',
  ),
  'cas.list': call(
    z
      .object({
        kind: z.string().min(1).max(200).optional(),
        tag: z.string().min(1).max(100).optional(),
        pinned: z.boolean().optional(),
        /** A digest prefix (with or without `sha256:`), lower-case hex. */
        digestPrefix: z.string().max(71).regex(/^(sha256:)?[0-9a-f]{0,64}$/, 'a digest prefix is lower-case hex digits, optionally after sha256:').optional(),
        sort: z.enum(CAS_SORTS).optional(),
        limit: z.number().int().min(1).max(5000).optional(),
        cursor: z.string().min(1).max(1000).optional(),
      })
      .strict(),
    z.object({ items: z.array(casObjectSchema), next_cursor: z.string().nullable() }),
    'a page of CAS objects (filters, sort, keyset cursor); with a digest prefix a page may hold up to 2 x limit - 1 items',
  ),
  'cas.head': call(z.object({ digest: casDigest }).strict(), casObjectSchema, "one object's metadata"),
  'cas.pin': call(z.object({ digest: casDigest }).strict(), casObjectSchema, 'pins an object: gc keeps it, rm refuses it'),
  'cas.unpin': call(z.object({ digest: casDigest }).strict(), casObjectSchema, 'unpins an object'),
  'cas.rm': call(
    z.object({ digest: casDigest }).strict(),
    z.object({ digest: z.string(), removed: z.boolean(), size_bytes: count }),
    'removes an object; PINNED (with the reason) while it is pinned',
  ),
  'cas.gc': call(
    z.object({ olderThan: goDuration.optional(), dryRun: z.boolean() }).strict(),
    z.union([casGcDryRunSchema, z.object({ jobId: z.string() })]),
    'garbage collection: a dry run answers what would go; a real run starts a job',
  ),
  'cas.verify': call(none, z.object({ jobId: z.string() }), 're-hashes every object and cross-checks bytes, metadata and pins as a job; its result (casVerifyResultSchema) lists every problem by kind'),
  'cas.preview': call(
    z.object({ digest: casDigest, maxKb: z.number().int().min(1).max(1024).optional() }).strict(),
    casPreviewSchema,
    'the first KiB of an object as text, pretty JSON or an image, after verifying the whole object (CORRUPT otherwise)',
  ),
  'backups.create': call(
    z
      .object({
        name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'a backup name is letters, digits, . _ - (up to 100)').optional(),
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
      })
      .strict(),
    z.object({ jobId: z.string(), cli: cliLine, plan: restoreResultSchema.nullable() }),
    'restores a backup as a job (a safety backup of replaced files first); dryRun waits and returns the plan',
  ),
  'backups.rehearse': call(z.object({ name: backupName }).strict(), z.object({ jobId: z.string(), cli: cliLine }), 'restores into a throwaway home and checks it, as a job'),
  'backups.delete': call(z.object({ name: backupName }).strict(), z.object({ name: z.string(), path: z.string(), size: count, cli: cliLine }), 'deletes one backup'),
  'backups.prune': call(
    z
      .object({
        keepLast: z.number().int().min(0).max(10_000).optional(),
        olderThan: z.string().regex(/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h|d))+$/, 'a duration like 168h or 30d').optional(),
        dryRun: z.boolean().optional(),
      })
      .strict()
      .refine((p) => p.keepLast !== undefined || p.olderThan !== undefined, 'prune needs keepLast and/or olderThan'),
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
      })
      .strict(),
    backupScheduleSchema,
    'saves the nightly backup schedule in config.yaml and plans the next run',
  ),
  'backups.runSchedule': call(none, z.object({ jobId: z.string(), schedule: backupScheduleSchema }), 'takes a scheduled backup now (then its retention), as a job'),
  'cas.tag': call(
    z.object({ digest: casDigest, tags: z.array(z.string().trim().min(1).max(100).regex(/^[^,]+$/, 'a tag has no comma')).min(1).max(50) }).strict(),
    casObjectSchema,
    "adds tags to an object (merged with its tags; re-put of its verified bytes, which keeps created_at and refreshes last_put_at)",
  ),
  'cas.check': call(z.object({ digest: casDigest }).strict(), z.object({ digest: z.string(), size_bytes: count }), 're-hashes one object; CORRUPT when its bytes do not match'),
  'cas.saveAs': call(
    z.object({ digest: casDigest, name: z.string().max(200).optional() }).strict(),
    z.object({ saved: z.boolean(), path: z.string().nullable(), size_bytes: count }),
    'Electron: writes a verified object to a file the user picks in a save dialog (temp file renamed only once verified); browser mode uses cas.downloadLink',
  ),
  'cas.downloadLink': call(
    z.object({ digest: casDigest, name: z.string().max(200).optional() }).strict(),
    z.object({ url: z.string() }),
    'browser mode: a one-time URL that streams the object re-hashed, aborting the download on a mismatch',
  ),
  'cas.locations': call(none, z.array(casLocationSchema), 'every place of the home with CAS objects (the configured backend, the Go sqlite cas.db, the file store): who uses it, objects, bytes, pins'),
  'cas.merge': call(
    z.object({ from: z.string().min(1).max(4096), to: z.string().min(1).max(4096) }).strict(),
    z.object({ jobId: z.string(), cli: cliLine }),
    'merges every object of one place into another (cas migrate --from --to) as a job: each re-hashed, objects already there skipped, nothing removed from the source',
  ),
  'cas.artifact': call(z.object({ digest: casDigest }).strict(), casArtifactSchema, "an artifact's command, status and summary sentence, read from the verified stored envelope (INVALID_INPUT when it is not one)"),
  // ---- Stores view: read-only inspection of a store's SQLite file (never locks or changes it) ----
  'db.info': call(z.object(dbTargetShape).strict(), dbInfoSchema, "a store database's size (with -wal), pages, journal mode, schema version and object counts"),
  'db.tables': call(
    z.object({ ...dbTargetShape, countBudgetMs: z.number().int().min(0).max(30_000).optional() }).strict(),
    z.array(dbTableSchema),
    'tables with row counts; counting stops after countBudgetMs (default 1500) and reports lower bounds',
  ),
  'db.schema': call(
    z.object(dbTargetShape).strict(),
    z.array(z.object({ type: z.enum(['table', 'index', 'view', 'trigger']), name: z.string(), table: z.string(), sql: z.string() })),
    'the CREATE statements, tables first, each followed by its indexes and triggers',
  ),
  'db.browse': call(
    z
      .object({
        ...dbTargetShape,
        table: z.string().min(1).max(500),
        offset: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
        limit: z.number().int().min(1).max(1000),
      })
      .strict(),
    dbRowsSchema.extend({ offset: count }),
    'a page of a table in rowid order; BLOBs come as size + hex prefix, long text as length + head',
  ),
  'db.query': call(
    z
      .object({
        ...dbTargetShape,
        sql: z.string().min(1, 'the SQL statement is empty').max(100_000),
        limit: z.number().int().min(1).max(10_000).optional(),
        timeoutMs: z.number().int().min(100).max(300_000).optional(),
      })
      .strict(),
    dbRowsSchema.extend({ limit: count, timeout_ms: count, cli: z.string() }),
    'one read-only statement in a child process, row-capped (default 500) and time-limited (default 5 s); writes are refused',
  ),
  'db.check': call(z.object({ ...dbTargetShape, quick: z.boolean().optional() }).strict(), dbCheckSchema, 'PRAGMA integrity_check (or quick_check) on a read-only connection; cancel stops it'),
  'db.migrate': call(
    z
      .object({
        targetDsn: z.string().trim().min(1, 'give a postgres:// DSN or a libSQL URL').max(4096),
        targetToken: z.string().min(1).max(4096).optional(),
        stores: z.array(dbTargetShape.store).max(64).optional(),
        batchSize: z.number().int().min(1).max(10_000).optional(),
        dryRun: z.boolean().optional(),
        continueOnError: z.boolean().optional(),
        drop: z.boolean().optional(),
      })
      .strict(),
    z.object({ jobId: z.string(), cli: cliLine }),
    'copies SQLite stores into PostgreSQL (a schema per store) or libSQL as a job; its result is a DbMigrateReport (row counts per table)',
  ),
  // ---- end of the Stores view's calls ----
  // ---- the Settings view's calls ----
  'settings.get': call(none, settingsSchema, 'every config value with its source (DSNs masked) and the secret store status (set + last 4, never a value)'),
  'settings.save': call(
    z
      .object({
        values: z.array(z.object({ key: z.string().min(1).max(200), value: settingValue }).strict()).max(100),
        secrets: z.array(z.object({ name: z.enum(SECRET_NAMES), value: secretValue.nullable() }).strict()).max(10).optional(),
        /** The user's explicit "I understand" to keep secrets without OS encryption (browser mode, basic_text). */
        plaintextConsent: z.boolean().optional(),
      })
      .strict(),
    settingsSaveResultSchema,
    'writes values into config.yaml (validated, atomically) and secrets into the secret store; the engine uses them at once',
  ),
  'settings.test': call(settingsTestInputSchema, probeResultSchema, 'Test connection for an S3, Turso or PostgreSQL form: latency or the exact error'),
  'settings.moveCasToS3': call(none, z.object({ jobId: z.string(), cli: cliLine }), 'copies every CAS object to the saved S3 settings as a cas.migrate job'),
  'secrets.status': call(none, secretStoreSchema, 'the secret store: protection, consent needed, each secret set + last 4'),
  'secrets.delete': call(z.object({ name: z.enum(SECRET_NAMES) }).strict(), secretEntrySchema, 'removes a saved secret'),
  'settings.storeDrivers': call(none, storeDriversSchema, "each writable store's driver with its source (default / config file / env), where it points (masked) and the local_only warning"),
  'settings.setStoreDriver': call(
    z.object({ store: z.string().min(1).max(64), driver: z.enum(STORE_DRIVER_NAMES).nullable() }).strict(),
    z.object({ overriddenBy: z.string().nullable(), drivers: storeDriversSchema, notice: z.string().nullable() }),
    'saves stores.<store>.driver in config.yaml (null: back to db.driver) and applies it; refused for external stores, keyed stores on a remote driver, and turso/postgres without a saved URL/DSN',
  ),
  // ---- end of the Settings view's calls ----
} as const;

/** The name of a call. */
export type CallName = keyof typeof CALLS;

/** Every call name, for transports that bind them one by one. */
export const CALL_NAMES = Object.keys(CALLS) as CallName[];

/** What a call takes (after validation). */
export type CallInput<N extends CallName> = z.output<(typeof CALLS)[N]['input']>;

/** What a caller passes (before defaults are applied). */
export type CallArgs<N extends CallName> = z.input<(typeof CALLS)[N]['input']>;

/** What a call returns. */
export type CallOutput<N extends CallName> = z.output<(typeof CALLS)[N]['output']>;

/** Whether `name` is a call of the contract. */
export function isCallName(name: unknown): name is CallName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(CALLS, name);
}

/** One event as the engine emitted it in this process (the live tail), and where it went. */
export const liveEventSchema = z.object({
  event: emittedEventSchema,
  /** The persist mode it was emitted with. */
  persist: z.enum(['default', 'ndjson', 'sql', 'hybrid', 'none']),
  /** The NDJSON stream it was appended to; null when not yet in a file (sql, none). */
  file: z.string().nullable(),
});

/** Every event channel pushed from main to the renderer: name -> payload schema. */
export const EVENTS = {
  /** An event was emitted in the engine's process (live tail; not necessarily synced yet). */
  event: liveEventSchema,
  /** A job changed (progress, state). */
  job: jobSchema,
  /** The events syncer's status changed. */
  syncer: syncerStatusSchema,
} as const;

/** The name of an event channel. */
export type EventName = keyof typeof EVENTS;

/** Every event channel name. */
export const EVENT_NAMES = Object.keys(EVENTS) as EventName[];

/** The payload of an event channel. */
export type EventPayload<E extends EventName> = z.output<(typeof EVENTS)[E]>;

/** Whether `name` is an event channel of the contract. */
export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(EVENTS, name);
}

/**
 * Streamed uploads of browser mode: the request body is the file, the options travel in the
 * query string (tags comma-separated), and the response names the job at once (header
 * `x-foxctl-job`) and carries the result when the job ends.
 */
export const UPLOADS = {
  'cas.put': {
    query: z
      .object({
        kind: casPutOptions.kind,
        tags: z
          .string()
          .max(5000)
          .optional()
          .transform((t) => (t === undefined || t === '' ? undefined : t.split(',').map((x) => x.trim()).filter(Boolean))),
        pin: z.enum(['true', 'false']).optional().transform((p) => (p === undefined ? undefined : p === 'true')),
        size: z.coerce.number().int().nonnegative().optional(),
        name: z.string().max(1000).optional(),
      })
      .strict(),
    output: casPutResultSchema,
  },
} as const;

/** The name of a streamed upload. */
export type UploadName = keyof typeof UPLOADS;

/** Whether `name` is an upload of the contract. */
export function isUploadName(name: unknown): name is UploadName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(UPLOADS, name);
}

/** Request ids: chosen by the caller, used to cancel. */
export const requestIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a request id is 1-64 letters, digits, _ or -');

/**
 * What the preload exposes as `window.foxctl`: one function per call of the contract, cancel by
 * request id, subscription to contract events, and the path of a dropped file. Nothing else.
 */
export interface FoxctlBridge {
  calls: { [N in CallName]: (input: unknown, requestId: string) => Promise<Result<CallOutput<N>>> };
  cancel(requestId: string): void;
  on<E extends EventName>(channel: E, listener: (payload: EventPayload<E>) => void): () => void;
  pathForFile(file: File): string;
}

/** IPC channel names shared by the preload and the main process. */
export const IPC = { call: 'foxctl:call', cancel: 'foxctl:cancel', event: 'foxctl:event' } as const;

/** HTTP routes of browser mode, shared by the server and the renderer's HTTP transport. */
export const HTTP = {
  call: '/api/call/',
  cancel: '/api/cancel/',
  events: '/api/events',
  upload: '/api/upload/',
  download: '/api/download/',
  jobHeader: 'x-foxctl-job',
  tokenHeader: 'x-foxctl-token',
  requestIdHeader: 'x-foxctl-request',
} as const;
